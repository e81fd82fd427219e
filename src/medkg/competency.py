"""The bundled competency questions: ``ontology/queries/*.rq``, each headed by its question.

A file starts with comment lines::

    # Question: Which drugs or drug classes may trigger leg cramps?
    # Param: condition = kg:LegCramp

followed by the SPARQL query, standalone: its ``PREFIX`` lines, and for each parameter a
``VALUES ?condition { kg:LegCramp }`` line holding the default, so that the file runs
unchanged on any SPARQL 1.1 engine (Oxigraph, Fuseki, Virtuoso, YASGUI). A parameter is a
variable the caller may bind to an entity by name (``--param condition="charley horse"``):
the value replaces the one in the ``VALUES`` line (:func:`set_parameters`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib.term import Identifier, URIRef

from medkg.errors import MedkgError, QueryError
from medkg.resources import queries_dir

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = [
    "CompetencyQuestion",
    "bind_parameters",
    "list_questions",
    "load_question",
    "parse_assignments",
    "set_parameters",
]


@dataclass(frozen=True)
class CompetencyQuestion:
    """One bundled question: its name (the file stem), English question and SPARQL text."""

    name: str
    question: str
    sparql: str
    path: Path
    params: dict[str, str] = field(default_factory=dict)


def _parse(path: Path) -> CompetencyQuestion:
    text = path.read_text(encoding="utf-8")
    question = ""
    params: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := re.match(r"#\s*Question:\s*(.+)", line):
            question = match.group(1).strip()
        elif match := re.match(r"#\s*Param:\s*(\w+)\s*=\s*(.+)", line):
            params[match.group(1)] = match.group(2).strip()
    if not question:
        raise QueryError("the file does not start with a '# Question:' line", source=str(path))
    return CompetencyQuestion(path.stem, question, text, path, params)


def list_questions() -> list[CompetencyQuestion]:
    """Return every bundled competency question, sorted by name."""
    return [_parse(p) for p in sorted(queries_dir().glob("*.rq"))]


def load_question(name: str) -> CompetencyQuestion:
    """Return the bundled question called *name*.

    :raises MedkgError: no such question; the message lists the names there are.
    """
    path = queries_dir() / f"{name}.rq"
    if not path.is_file():
        from medkg.suggest import closest

        known = [q.name for q in list_questions()]
        close = closest(name, known)
        if close:
            raise MedkgError(f"no example named {name!r}; did you mean: {', '.join(close)}?")
        raise MedkgError(f"no example named {name!r}; choose one of: {', '.join(known)}")
    return _parse(path)


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """Split ``NAME=VALUE`` strings into a dict.

    >>> parse_assignments(["condition=charley horse"])
    {'condition': 'charley horse'}

    :raises QueryError: an assignment has no ``=`` or no name.
    """
    parsed: dict[str, str] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"\w+", name) or not value.strip():
            raise QueryError(f"--param {assignment!r} is not NAME=ENTITY")
        parsed[name] = value.strip()
    return parsed


def set_parameters(
    sparql: str, bindings: Mapping[str, Identifier]
) -> tuple[str, dict[str, Identifier]]:
    r"""Put bound values into the query's ``VALUES ?name { … }`` lines (its defaults).

    >>> from rdflib import URIRef
    >>> text = "SELECT ?x WHERE {\n VALUES ?c { kg:LegCramp }\n ?x ?p ?c }"
    >>> set_parameters(text, {"c": URIRef("http://example.org/c")})[0].splitlines()[1]
    ' VALUES ?c { <http://example.org/c> }'

    :returns: the query, and the bindings it has no ``VALUES`` line for (to bind otherwise:
        a second block would join with the default and leave no rows).
    """
    rest: dict[str, Identifier] = {}
    for name, value in bindings.items():
        line = re.compile(rf"^(\s*VALUES\s+\?{re.escape(name)}\s*\{{)[^}}\n]*(\}})", re.M)
        sparql, count = line.subn(rf"\g<1> {_escape(value.n3())} \g<2>", sparql)
        if not count:
            rest[name] = value
    return sparql, rest


def _escape(replacement: str) -> str:
    return replacement.replace("\\", "\\\\")


def bind_parameters(
    kg: KnowledgeGraph, declared: dict[str, str], given: dict[str, str]
) -> dict[str, URIRef]:
    """Resolve parameter values (labels, synonyms, CURIEs) to entity IRIs.

    Declared parameters take their default when not given. For a question that declares
    parameters, a name it does not declare is an error listing the ones it does; a free-form
    query accepts any variable name.

    :raises QueryError: an undeclared parameter name.
    :raises EntityNotFoundError: a value names no entity.
    :raises AmbiguousEntityError: a value names several entities.
    """
    if declared:
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise QueryError(
                f"unknown parameter {unknown[0]!r}; this question takes: {', '.join(declared)}"
            )
    values = {**declared, **given}
    return {name: kg.entity(value).iri for name, value in values.items()}
