"""The query page's data: the graph's vocabulary for completion, and lint of a query.

Both run in a query worker (they need the graph) and reach the triples with SPARQL through
``kg.query``. The page asks for them at ``GET /api/vocabulary`` and ``POST /api/lint``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal
from weakref import WeakKeyDictionary

from medkg.entities import compact
from medkg.errors import QueryError
from medkg.namespaces import KG, MEDKG, PREFIXES
from medkg.sparql_guard import ServiceRefusedError, UpdateRefusedError, check_query

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["Diagnostic", "lint", "unknown_terms", "vocabulary"]

#: The most entities the vocabulary lists for completion (a large --data stays light).
MAX_ENTITIES = 5000

_SCHEMA_TERMS = """
SELECT ?term ?kind (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition) WHERE {
  { ?term a ?type . VALUES (?type ?kind) {
      (owl:Class "class") (rdfs:Class "class")
      (owl:ObjectProperty "property") (owl:DatatypeProperty "property")
      (owl:AnnotationProperty "property") (rdf:Property "property") } }
  UNION { SELECT DISTINCT ?term ("property" AS ?kind) WHERE { ?s ?term ?o } }
  UNION { SELECT DISTINCT ?term ("class" AS ?kind) WHERE { ?s a ?term } }
  FILTER (isIRI(?term))
  OPTIONAL { ?term rdfs:label ?l }
  OPTIONAL { ?term skos:definition|rdfs:comment ?d }
}
GROUP BY ?term ?kind
"""

_ENTITY_NAMES = f"""
SELECT ?entity ?label ?name WHERE {{
  ?entity rdfs:label|skos:prefLabel|skos:altLabel|skos:hiddenLabel|medkg:brandName ?name .
  OPTIONAL {{ ?entity rdfs:label ?label }}
  FILTER (STRSTARTS(STR(?entity), "{KG}"))
}}
"""

_USED_IRIS = """
SELECT DISTINCT ?term WHERE {{
  {{ ?term ?p ?o }} UNION {{ ?s ?term ?o }} UNION {{ ?s ?p ?term }}
  FILTER (isIRI(?term) && STRSTARTS(STR(?term), "{namespace}"))
}}
"""

_vocabularies: WeakKeyDictionary[KnowledgeGraph, dict[str, object]] = WeakKeyDictionary()
_known: WeakKeyDictionary[KnowledgeGraph, dict[str, frozenset[str]]] = WeakKeyDictionary()


def vocabulary(kg: KnowledgeGraph) -> dict[str, object]:
    """Return what the editor completes: prefixes, schema classes and properties, entities.

    :returns: ``{"prefixes": {prefix: namespace}, "classes": [...], "properties": [...],
        "entities": [...]}``; a term is ``{"curie", "iri", "label", "definition"}``, an
        entity ``{"curie", "iri", "label", "names"}``. Computed once per graph.
    """
    cached = _vocabularies.get(kg)
    if cached is None:
        cached = {"prefixes": dict(PREFIXES), **_schema_terms(kg), "entities": _entities(kg)}
        _vocabularies[kg] = cached
    return cached


def _schema_terms(kg: KnowledgeGraph) -> dict[str, list[dict[str, str]]]:
    terms: dict[str, dict[str, dict[str, str]]] = {"class": {}, "property": {}}
    for iri, kind, label, definition in kg.query(_SCHEMA_TERMS).rows:
        found = terms[str(kind)].setdefault(
            str(iri), {"curie": compact(str(iri)), "iri": str(iri), "label": "", "definition": ""}
        )
        found["label"] = found["label"] or str(label or "")
        found["definition"] = found["definition"] or str(definition or "")
    return {
        "classes": sorted(terms["class"].values(), key=lambda t: t["curie"]),
        "properties": sorted(terms["property"].values(), key=lambda t: t["curie"]),
    }


def _entities(kg: KnowledgeGraph) -> list[dict[str, object]]:
    entities: dict[str, dict[str, object]] = {}
    for iri, label, name in kg.query(_ENTITY_NAMES).rows:
        entry = entities.setdefault(
            str(iri), {"curie": compact(str(iri)), "iri": str(iri), "label": "", "names": []}
        )
        entry["label"] = entry["label"] or str(label or "")
        names = entry["names"]
        assert isinstance(names, list)
        if str(name) not in names:
            names.append(str(name))
    return sorted(entities.values(), key=lambda e: str(e["curie"]))[:MAX_ENTITIES]


@dataclass(frozen=True)
class Diagnostic:
    """One thing the editor marks: where (1-based line and column, *length* characters),
    how serious, and what to say."""

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


# A CURIE of medkg's own namespaces, or something to skip: an IRI, a string, a comment.
_TOKENS = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"
    r"|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''"
    r"|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
    r"|\#[^\n]*"
    r"|(?<![\w:?$])(?P<prefix>medkg|kg):(?P<local>[A-Za-z_][\w\-]*(?:\.[\w\-]+)*)"
)

_WHERE = {"medkg": ("the schema", str(MEDKG)), "kg": ("the graph", str(KG))}


def unknown_terms(kg: KnowledgeGraph, sparql: str) -> Iterator[Diagnostic]:
    """Warn of each ``medkg:`` or ``kg:`` term in *sparql* that the graph never uses.

    This is the page's adapter for the unknown-term lint: it yields the warning at the
    term's position, e.g. "medkg:afects is not in the schema; did you mean medkg:affects?".
    """
    known = _known_locals(kg)
    for match in _TOKENS.finditer(sparql):
        prefix, local = match.group("prefix"), match.group("local")
        if prefix is None or local in known[prefix]:
            continue
        where = _WHERE[prefix][0]
        message = f"{prefix}:{local} is not in {where}"
        close = difflib.get_close_matches(local, known[prefix], n=1, cutoff=0.75)
        if close:
            message += f"; did you mean {prefix}:{close[0]}?"
        line, column = _position(sparql, match.start())
        yield Diagnostic(line, column, len(match.group(0)), "warning", message)


def _known_locals(kg: KnowledgeGraph) -> dict[str, frozenset[str]]:
    known = _known.get(kg)
    if known is None:
        known = {}
        for prefix, (_, namespace) in _WHERE.items():
            rows = kg.query(_USED_IRIS.format(namespace=namespace)).rows
            known[prefix] = frozenset(str(row[0])[len(namespace) :] for row in rows)
        _known[kg] = known
    return known
