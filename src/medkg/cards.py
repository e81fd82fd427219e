"""Entity cards: everything the graph says about one entity, each relation with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Literal, Node, URIRef

from medkg.entities import Entity, all_entities, compact, sort_terms
from medkg.evidence import EvidenceItem, evidence_index, label_of
from medkg.namespaces import MEDKG, SCHEMA

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
    RDF.type,
    RDFS.label,
    SKOS.definition,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    MEDKG.brandName,
    *MATCH_KINDS,
}


@dataclass(frozen=True)
class ExternalId:
    """A standard identifier: how closely it matches, its CURIE and its resolvable IRI."""

    match: str
    curie: str
    iri: str


@dataclass(frozen=True)
class Relation:
    """One relation of the entity, outgoing or incoming, with the evidence that supports it."""

    predicate: str
    predicate_label: str
    other: str
    other_label: str
    evidence: list[EvidenceItem]


@dataclass(frozen=True)
class Fact:
    """A literal-valued statement (an instruction, an effect, a duration …)."""

    property: str
    property_label: str
    value: str


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


def entity_card(graph: KnowledgeGraph | Graph, entity: Entity) -> EntityCard:
    """Build the card of *entity* (found with :meth:`medkg.KnowledgeGraph.entity`).

    >>> from medkg import load
    >>> kg = load()
    >>> card = entity_card(kg.graph, kg.entity("Lioresal"))
    >>> [(r.predicate_label, r.other_label) for r in card.outgoing]
    [('member of', 'muscle relaxants')]
    """
    from medkg.graph import as_rdflib

    graph = as_rdflib(graph)
    iri = entity.iri
    entities = set(all_entities(graph))
    evidence = evidence_index(graph)
    external = [
        ExternalId(kind, compact(str(target)), str(target))
        for prop, kind in MATCH_KINDS.items()
        for target in sort_terms(graph.objects(iri, prop))
        if isinstance(target, URIRef)
    ]
    outgoing, facts = [], []
    for prop, value in sorted(graph.predicate_objects(iri), key=_pair_key):
        if prop in _SKIPPED or not isinstance(prop, URIRef):
            continue
        if value in entities:
            outgoing.append(_relation(graph, iri, prop, value, value, evidence))
        else:
            facts.extend(_facts(graph, prop, value))
    incoming = [
        _relation(graph, subject, prop, iri, subject, evidence)
        for subject, prop in sorted(graph.subject_predicates(iri), key=_pair_key)
        if subject in entities and isinstance(prop, URIRef) and _is_object_property(graph, prop)
    ]
    return EntityCard(entity, external, facts, outgoing, incoming)


def _pair_key(pair: tuple[Node, Node]) -> tuple[str, str]:
    return str(pair[0]), str(pair[1])


def _is_object_property(graph: Graph, prop: Node) -> bool:
    return (prop, RDF.type, OWL.ObjectProperty) in graph


def _relation(
    graph: Graph,
    subject: Node,
    prop: URIRef,
    obj: Node,
    other: Node,
    evidence: dict[tuple[Node, Node, Node], list[EvidenceItem]],
) -> Relation:
    return Relation(
        predicate=compact(str(prop)),
        predicate_label=label_of(graph, prop) or compact(str(prop)),
        other=compact(str(other)),
        other_label=label_of(graph, other) or compact(str(other)),
        evidence=evidence.get((subject, prop, obj), []),
    )


def _facts(graph: Graph, prop: URIRef, value: Node) -> list[Fact]:
    name = label_of(graph, prop) or compact(str(prop))
    if isinstance(value, Literal):
        return [Fact(compact(str(prop)), name, str(value))]
    return [Fact(compact(str(prop)), name, _quantity_text(graph, value))]


def _quantity_text(graph: Graph, value: Node) -> str:
    """Say a schema:QuantitativeValue in words: "15–30 seconds", "2 seconds to more than 600"."""
    low = graph.value(value, SCHEMA.minValue)
    high = graph.value(value, SCHEMA.maxValue)
    beyond = graph.value(value, MEDKG.canExceed)
    unit = graph.value(value, SCHEMA.unitText) or ""
    if low is not None and high is not None:
        return f"{low}–{high} {unit}".strip()
    if low is not None and beyond is not None:
        return f"from {low} to more than {beyond} {unit}".strip()
    comment = graph.value(value, RDFS.comment)
    return str(comment) if comment is not None else compact(str(value))
