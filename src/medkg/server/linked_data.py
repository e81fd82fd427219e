"""Linked-data views of one entity: its IRI under the server, and its triples as a graph."""

from __future__ import annotations

import re

from rdflib import Graph
from rdflib.namespace import RDF
from rdflib.term import Node, URIRef

from medkg.namespaces import KG, PREFIXES

__all__ = ["ENTITY_NAME", "entity_graph", "entity_path", "entity_iri"]

#: The local names the server dereferences (``/entity/LegCramp``); others are 404 at once.
ENTITY_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


def entity_iri(name: str) -> URIRef | None:
    """Return the entity IRI for a local name, or None if the name cannot be one.

    >>> entity_iri("LegCramp")
    rdflib.term.URIRef('https://w3id.org/medkg/entity/LegCramp')
    >>> entity_iri("../etc") is None
    True
    """
    return KG[name] if ENTITY_NAME.fullmatch(name) else None


def entity_path(iri: str) -> str | None:
    """Return the server path that dereferences *iri*, or None if it is not a medkg entity.

    >>> entity_path("https://w3id.org/medkg/entity/Baclofen")
    '/entity/Baclofen'
    >>> entity_path("kg:Baclofen")
    '/entity/Baclofen'
    >>> entity_path("http://id.nlm.nih.gov/mesh/D009120") is None
    True
    """
    for prefix in (str(KG), "kg:"):
        if iri.startswith(prefix):
            local = iri[len(prefix) :]
            return f"/entity/{local}" if ENTITY_NAME.fullmatch(local) else None
    return None


def entity_graph(graph: Graph, iri: URIRef) -> Graph:
    """Return what the graph says about *iri*: its own triples, incoming ones, and evidence.

    The graph holds the entity's concise bounded description (its triples, following blank
    nodes such as quantities), every triple that points at it, and every evidence record whose
    statement has the entity as subject or object.

    :param graph: the whole knowledge graph.
    :param iri: the entity.
    :returns: a new graph bound to medkg's prefixes.
    """
    out = Graph()
    for prefix, namespace in PREFIXES.items():
        out.bind(prefix, namespace, override=True, replace=True)
    graph.cbd(iri, target_graph=out)
    for subject, predicate in graph.subject_predicates(iri):
        out.add((subject, predicate, iri))
    for record in _evidence_records(graph, iri):
        graph.cbd(record, target_graph=out)
    return out


def _evidence_records(graph: Graph, iri: URIRef) -> set[Node]:
    records: set[Node] = set()
    for prop in (RDF.subject, RDF.object):
        records.update(graph.subjects(prop, iri))
    return records
