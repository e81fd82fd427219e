"""The bundled competency questions: ``ontology/queries/*.rq``, each headed by its question.

A file starts with comment lines::

    # Question: Which drugs or drug classes may trigger leg cramps?
    # Param: condition = the condition to ask about (default kg:LegCramp)

followed by the SPARQL query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from medkg.errors import MedkgError, QueryError
from medkg.resources import queries_dir

__all__ = ["CompetencyQuestion", "list_questions", "load_question"]


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
        names = ", ".join(q.name for q in list_questions())
        raise MedkgError(f"no example named {name!r}; choose one of: {names}")
    return _parse(path)
