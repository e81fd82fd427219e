"""The query page's data: the graph's vocabulary for completion, and lint of a query.

Both run in a query worker (they need the graph) and reach the triples with SPARQL through
``kg.query``. The page asks for them at ``GET /api/vocabulary`` and ``POST /api/lint``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal, cast
from weakref import WeakKeyDictionary

from medkg.entities import compact
from medkg.errors import QueryError
from medkg.namespaces import KG, MEDKG, PREFIXES
from medkg.sparql_guard import ServiceRefusedError, UpdateRefusedError, check_query
from medkg.suggest import closest

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph
    from medkg.query import QueryResult

__all__ = ["Diagnostic", "lint", "prepare", "unknown_terms", "vocabulary"]

#: The most entities the vocabulary lists for completion (a large --data stays light).
MAX_ENTITIES = 5000

#: The namespaces whose terms the lint checks, and what to call each in a warning.
_WHERE = {"medkg": ("the schema", str(MEDKG)), "kg": ("the graph", str(KG))}

_DECLARED = """
SELECT ?term ?type WHERE {
  ?term a ?type .
  VALUES ?type { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty
                 owl:AnnotationProperty rdf:Property }
}
"""
_USED_CLASSES = "SELECT DISTINCT ?term WHERE { ?s a ?term }"
_USED_PREDICATES = "SELECT DISTINCT ?term WHERE { ?s ?term ?o }"
_SUBJECTS = "SELECT DISTINCT ?term WHERE { ?term ?p ?o FILTER (isIRI(?term)) }"
_OBJECTS = "SELECT DISTINCT ?term WHERE { ?s ?p ?term FILTER (isIRI(?term)) }"
_LABELS = "SELECT ?term ?text WHERE { ?term rdfs:label ?text }"
_DEFINITIONS = "SELECT ?term ?text WHERE { ?term skos:definition|rdfs:comment ?text }"
_ENTITY_NAMES = f"""
SELECT ?entity ?name WHERE {{
  ?entity rdfs:label|skos:prefLabel|skos:altLabel|skos:hiddenLabel|medkg:brandName ?name .
  FILTER (STRSTARTS(STR(?entity), "{KG}"))
}}
"""


@dataclass(frozen=True)
class _Index:
    """What the page's completion and lint need from one graph, asked of it once."""

    vocabulary: dict[str, object]
    known: dict[str, frozenset[str]]
    memo: _Memo


_indexes: WeakKeyDictionary[KnowledgeGraph, _Index] = WeakKeyDictionary()


def prepare(kg: KnowledgeGraph) -> None:
    """Ask *kg* now for what :func:`vocabulary` and :func:`lint` need.

    A worker calls this before its first request, so that no request pays for it within the
    query timeout.
    """
    lint(kg, "ASK { ?s medkg:prepare ?o }")


def vocabulary(kg: KnowledgeGraph) -> dict[str, object]:
    """Return what the editor completes: prefixes, schema classes and properties, entities.

    :returns: ``{"prefixes": {prefix: namespace}, "classes": [...], "properties": [...],
        "entities": [...]}``; a term is ``{"curie", "iri", "label", "definition"}``, an
        entity ``{"curie", "iri", "label", "names"}``. Computed once per graph.
    """
    return _index(kg).vocabulary


def _index(kg: KnowledgeGraph) -> _Index:
    index = _indexes.get(kg)
    if index is None:
        index = _build_index(kg)
        _indexes[kg] = index
    return index


def _column(kg: KnowledgeGraph, sparql: str) -> set[str]:
    return {str(row[0]) for row in kg.query(sparql).rows}


def _texts(kg: KnowledgeGraph, sparql: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for term, text in sorted(kg.query(sparql).rows, key=lambda row: str(row[1])):
        texts.setdefault(str(term), str(text))
    return texts


def _build_index(kg: KnowledgeGraph) -> _Index:
    classes, properties = _column(kg, _USED_CLASSES), _column(kg, _USED_PREDICATES)
    for term, kind in kg.query(_DECLARED).rows:
        (classes if str(kind).endswith("Class") else properties).add(str(term))
    labels, definitions = _texts(kg, _LABELS), _texts(kg, _DEFINITIONS)

    def terms(iris: set[str]) -> list[dict[str, str]]:
        found = [
            {
                "curie": compact(iri),
                "iri": iri,
                "label": labels.get(iri, ""),
                "definition": definitions.get(iri, ""),
            }
            for iri in iris
        ]
        return sorted(found, key=lambda t: t["curie"])

    used = _column(kg, _SUBJECTS) | _column(kg, _OBJECTS) | properties
    known = {
        prefix: frozenset(iri[len(namespace) :] for iri in used if iri.startswith(namespace))
        for prefix, (_, namespace) in _WHERE.items()
    }
    return _Index(
        {
            "prefixes": dict(PREFIXES),
            "classes": terms(classes),
            "properties": terms(properties),
            "entities": _entities(kg, labels),
        },
        known,
        _Memo(kg),
    )


def _entities(kg: KnowledgeGraph, labels: dict[str, str]) -> list[dict[str, object]]:
    names: dict[str, list[str]] = {}
    for iri, name in kg.query(_ENTITY_NAMES).rows:
        found = names.setdefault(str(iri), [])
        if str(name) not in found:
            found.append(str(name))
    entities: list[dict[str, object]] = [
        {"curie": compact(iri), "iri": iri, "label": labels.get(iri, ""), "names": sorted(found)}
        for iri, found in names.items()
    ]
    return sorted(entities, key=lambda e: str(e["curie"]))[:MAX_ENTITIES]


@dataclass(frozen=True)
class Diagnostic:
    """One thing the editor marks: where, how serious, and what to say.

    The position is 1-based (line, column) and spans *length* characters.
    """

    line: int
    column: int
    length: int
    severity: Literal["error", "warning"]
    message: str


def lint(kg: KnowledgeGraph, sparql: str) -> list[dict[str, object]]:
    """Check *sparql* as the endpoint would, and warn of terms the graph does not have.

    :returns: the diagnostics as JSON-ready dicts: the parser's error at its line and
        column, the endpoint's refusal of an update or SERVICE, then unknown terms.
    """
    found: list[Diagnostic] = []
    try:
        check_query(sparql)
    except UpdateRefusedError as exc:
        found.append(_at_keyword(sparql, r"\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE)\b", exc))
    except ServiceRefusedError as exc:
        found.append(_at_keyword(sparql, r"\bSERVICE\b", exc))
    except QueryError as exc:
        found.append(
            Diagnostic(exc.line or 1, exc.column or 1, 1, "error", exc.message or str(exc))
        )
    found.extend(unknown_terms(kg, sparql))
    return [asdict(d) for d in found]


def _at_keyword(sparql: str, pattern: str, exc: QueryError) -> Diagnostic:
    match = re.search(pattern, sparql, re.IGNORECASE)
    start = match.start() if match else 0
    line, column = _position(sparql, start)
    return Diagnostic(line, column, len(match.group(0)) if match else 1, "error", exc.message)


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


# An entity's CURIE, or something to skip: an IRI, a string, a comment.
_TOKENS = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"
    r"|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''"
    r"|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
    r"|\#[^\n]*"
    r"|(?<![\w:?$])kg:(?P<local>[A-Za-z_][\w\-]*(?:\.[\w\-]+)*)"
)


def unknown_terms(kg: KnowledgeGraph, sparql: str) -> list[Diagnostic]:
    """Warn of each schema term the schema lacks and each ``kg:`` entity the graph lacks.

    The schema warnings are :func:`medkg.lint.unknown_terms`' own (the words the CLI
    prints, e.g. "medkg:afects is not in the schema; did you mean medkg:affects?"), placed
    at the term's first use; the entity warnings are the page's own.
    """
    found = list(_schema_warnings(kg, sparql)) + list(_unknown_entities(kg, sparql))
    return sorted(found, key=lambda d: (d.line, d.column))


class _Memo:
    """A read-only graph's queries, answered once each.

    :func:`medkg.lint.unknown_terms` asks the store for every schema term on each call,
    which takes seconds; a worker's graph never changes, so one answer serves every lint.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self._kg = kg
        self._answers: dict[str, QueryResult] = {}

    def query(self, sparql: str) -> QueryResult:
        """Return the answer to *sparql*, asking the graph the first time only."""
        if sparql not in self._answers:
            self._answers[sparql] = self._kg.query(sparql)
        return self._answers[sparql]


def _schema_warnings(kg: KnowledgeGraph, sparql: str) -> Iterator[Diagnostic]:
    from medkg.lint import unknown_terms as schema_lint

    text = _blank_noise(sparql)
    for message in schema_lint(cast("KnowledgeGraph", _index(kg).memo), sparql):
        written = message.split(" is not in the schema", 1)[0]
        where = re.search(r"(?<![\w:<])" + re.escape(written) + r"(?![\w\-])", text)
        start = where.start() if where else 0
        line, column = _position(sparql, start)
        yield Diagnostic(line, column, len(written) if where else 1, "warning", message)


def _blank_noise(sparql: str) -> str:
    """*sparql* with comments and strings blanked (same length), where no term is used."""

    def blank(match: re.Match[str]) -> str:
        return (
            match.group(0)
            if match.group("local") or match.group(0).startswith("<")
            else (re.sub(r"[^\n]", " ", match.group(0)))
        )

    return _TOKENS.sub(blank, sparql)


def _unknown_entities(kg: KnowledgeGraph, sparql: str) -> Iterator[Diagnostic]:
    known = _index(kg).known["kg"]
    for match in _TOKENS.finditer(sparql):
        local = match.group("local")
        if local is None or local in known:
            continue
        message = f"kg:{local} is not in the graph"
        close = closest(local, known, limit=1)
        if close:
            message += f"; did you mean kg:{close[0]}?"
        line, column = _position(sparql, match.start())
        yield Diagnostic(line, column, len(match.group(0)), "warning", message)
