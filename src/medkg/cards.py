"""Entity cards: everything the graph says about one entity, each relation with its evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Graph
from rdflib.namespace import SKOS
from rdflib.term import Identifier, Literal, URIRef

from medkg.entities import Entity, compact, entity_classes
from medkg.evidence import (
    EvidenceItem,
    Triple,
    as_knowledge_graph,
    evidence_index,
    qualifiers_of,
)

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["EntityCard", "ExternalId", "Fact", "Relation", "entity_card"]

#: SKOS mapping properties, strongest first, and how a card names them.
MATCH_KINDS = {
    SKOS.exactMatch: "exact",
    SKOS.closeMatch: "close",
    SKOS.broadMatch: "broad",
    SKOS.narrowMatch: "narrow",
    SKOS.relatedMatch: "related",
}

# Shown elsewhere on the card (or not at all).
_SKIPPED = {
    "rdf:type",
    "rdfs:label",
    "skos:definition",
    "skos:altLabel",
    "skos:hiddenLabel",
    "medkg:brandName",
    *(compact(str(p)) for p in MATCH_KINDS),
}


@dataclass(frozen=True)
class ExternalId:
    """A standard identifier: how closely it matches, its CURIE and its resolvable IRI."""

    match: str
    curie: str
    iri: str


@dataclass(frozen=True)
class Relation:
    """One relation of the entity, outgoing or incoming, with its evidence and the article's hedges.

    ``qualifiers`` are the article's own words for how often or how surely the relation holds
    ("typically", "might"), from the evidence records.
    """

    predicate: str
    predicate_label: str
    other: str
    other_label: str
    evidence: list[EvidenceItem]
    qualifiers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Fact:
    """A literal-valued statement (an instruction, an effect, a duration …), with its evidence."""

    property: str
    property_label: str
    value: str
    evidence: list[EvidenceItem] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EntityCard:
    """What ``medkg show`` prints and the explorer's card shows."""

    entity: Entity
    external_ids: list[ExternalId] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    outgoing: list[Relation] = field(default_factory=list)
    incoming: list[Relation] = field(default_factory=list)

    def __str__(self) -> str:
        """Return the card as plain text, as ``medkg show`` prints it."""
        from medkg.cli_output import card_lines

        return "\n".join(line.plain for line in card_lines(self))


# Everything the entity states, with labels and whether the value is an entity or a quantity.
_OUTGOING = """
SELECT ?p ?o ?pLabel ?oLabel ?isEntity ?min ?max ?beyond ?lower ?unit ?comment WHERE {
    ?s ?p ?o .
    OPTIONAL { ?p rdfs:label ?pLabel }
    OPTIONAL { ?o rdfs:label ?oLabel }
    BIND (EXISTS { ?o a ?class . ?class rdfs:subClassOf* medkg:Entity } AS ?isEntity)
    OPTIONAL {
        ?o a schema:QuantitativeValue .
        OPTIONAL { ?o schema:minValue ?min }
        OPTIONAL { ?o schema:maxValue ?max }
        OPTIONAL { ?o medkg:canExceed ?beyond }
        OPTIONAL { ?o medkg:lowerBoundWording ?lower }
        OPTIONAL { ?o schema:unitText ?unit }
        OPTIONAL { ?o rdfs:comment ?comment }
    }
}
"""

# The entities that point at this one with an object property. The entity classes come as a
# list: Virtuoso answers nothing for `?class rdfs:subClassOf* medkg:Entity` with ?class bound by
# the join, and rdflib takes five times as long for a hub with the path in the query.
_INCOMING = """
SELECT ?s ?p ?sLabel ?pLabel WHERE {
    ?s ?p ?o .
    ?p a owl:ObjectProperty .
    ?s a ?class .
    VALUES ?class { %s }
    OPTIONAL { ?s rdfs:label ?sLabel }
    OPTIONAL { ?p rdfs:label ?pLabel }
}
"""


def entity_card(kg: KnowledgeGraph | Graph, entity: Entity) -> EntityCard:
    """Build the card of *entity* (found with :meth:`medkg.KnowledgeGraph.entity`).

    >>> from medkg import load
    >>> kg = load()
    >>> card = entity_card(kg, kg.entity("Lioresal"))
    >>> [(r.predicate_label, r.other_label) for r in card.outgoing]
    [('member of', 'muscle relaxants')]
    >>> [r.qualifiers for r in entity_card(kg, kg.entity("night")).incoming]
    [['typically']]
    """
    kg = as_knowledge_graph(kg)
    iri = entity.iri
    # The records of this entity's statements only: a card never reads the whole graph's.
    evidence = evidence_index(kg, about=[iri])
    outgoing_rows = _rows(kg, _OUTGOING, {"s": iri})
    external = [
        ExternalId(kind, compact(str(row["o"])), str(row["o"]))
        for prop, kind in MATCH_KINDS.items()
        for row in _distinct(outgoing_rows, "o", where=lambda r, p=prop: r["p"] == p)
        if isinstance(row["o"], URIRef)
    ]
    outgoing: list[Relation] = []
    facts: list[Fact] = []
    property_labels = _labels(outgoing_rows, "p", "pLabel")
    value_labels = _labels(outgoing_rows, "o", "oLabel")
    for row in _distinct(outgoing_rows, "p", "o"):
        prop, value = row["p"], row["o"]
        if not isinstance(prop, URIRef) or value is None or compact(str(prop)) in _SKIPPED:
            continue
        prop_label = _label(property_labels, prop)
        # Virtuoso answers a boolean expression with 1 / 0, the others with true / false.
        if str(row["isEntity"]) in ("true", "1"):
            other_label = _label(value_labels, value)
            outgoing.append(_relation((iri, prop, value), prop_label, value, other_label, evidence))
        else:
            items = evidence.get((iri, prop, value), [])
            facts.append(
                Fact(compact(str(prop)), prop_label, _fact_text(row), items, qualifiers_of(items))
            )
    classes = " ".join(c.n3() for c in sorted(entity_classes(kg)))
    incoming_rows = _rows(kg, _INCOMING % classes, {"o": iri})
    incoming_property_labels = _labels(incoming_rows, "p", "pLabel")
    subject_labels = _labels(incoming_rows, "s", "sLabel")
    incoming = [
        _relation(
            (row["s"], row["p"], iri),
            _label(incoming_property_labels, row["p"]),
            row["s"],
            _label(subject_labels, row["s"]),
            evidence,
        )
        for row in _distinct(incoming_rows, "s", "p")
        if isinstance(row["s"], URIRef) and isinstance(row["p"], URIRef)
    ]
    return EntityCard(entity, external, facts, outgoing, incoming)


_Row = dict[str, Identifier | None]


def _rows(kg: KnowledgeGraph, sparql: str, bindings: dict[str, Identifier]) -> list[_Row]:
    result = kg.query(sparql, bindings=bindings)
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _distinct(rows: Sequence[_Row], *keys: str, where: object = None) -> list[_Row]:
    """One row per distinct value of *keys* (labels in other languages repeat rows), sorted."""
    chosen: dict[tuple[str, ...], _Row] = {}
    for row in rows:
        if callable(where) and not where(row):
            continue
        chosen.setdefault(tuple(str(row[k]) for k in keys), row)
    return [chosen[key] for key in sorted(chosen)]


def _labels(rows: Sequence[_Row], key: str, column: str) -> dict[Identifier | None, str]:
    """Map each *key* node of *rows* to its least English (or untagged) *column* label.

    Built once per card: a hub's card looks up thousands of labels among thousands of rows.
    """
    labels: dict[Identifier | None, str] = {}
    for row in rows:
        label = row[column]
        if isinstance(label, Literal) and label.language in (None, "en"):
            node = row[key]
            labels[node] = min(labels.get(node, str(label)), str(label))
    return labels


def _label(labels: dict[Identifier | None, str], node: Identifier | None) -> str:
    """Return the label of *node* (see :func:`_labels`), else its CURIE."""
    return labels[node] if node in labels else compact(str(node))


def _relation(
    triple: Triple,
    predicate_label: str,
    other: Identifier | None,
    other_label: str,
    evidence: dict[Triple, list[EvidenceItem]],
) -> Relation:
    items = evidence.get(triple, [])
    return Relation(
        predicate=compact(str(triple[1])),
        predicate_label=predicate_label,
        other=compact(str(other)),
        other_label=other_label,
        evidence=items,
        qualifiers=qualifiers_of(items),
    )


def _fact_text(row: _Row) -> str:
    """Say a literal, or a schema:QuantitativeValue in words: "15–30 seconds"."""
    value = row["o"]
    if isinstance(value, Literal):
        return str(value)
    unit = str(row["unit"] or "")
    low = row["lower"] if row["min"] is None else row["min"]
    if row["min"] is not None and row["max"] is not None:
        return f"{row['min']}–{row['max']} {unit}".strip()
    if low is not None and row["beyond"] is not None:
        # "a couple of seconds" already names its unit; a number needs one.
        low_text = str(low) if row["min"] is None else f"{low} {unit}".strip()
        return f"from {low_text} to more than {row['beyond']} {unit}".strip()
    return str(row["comment"]) if row["comment"] is not None else compact(str(value))
