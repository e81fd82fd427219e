"""Linked-data views of one entity: its IRI under the server, and its triples as a graph."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rdflib import Graph
from rdflib.term import URIRef

from medkg.namespaces import KG, PREFIXES

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["ENTITY_NAME", "entity_exists", "entity_graph", "entity_iri", "entity_path"]

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


def entity_exists(kg: KnowledgeGraph, iri: URIRef) -> bool:
    """Tell whether *iri* is an entity of the graph (typed with a medkg entity class)."""
    answer = kg.query(
        "ASK { ?class rdfs:subClassOf* medkg:Entity . ?entity a ?class }",
        bindings={"entity": iri},
    )
    return bool(answer.boolean)


#: The entity's own triples (one level into blank nodes, such as quantities), the triples
#: that point at it, and every evidence record about a statement with it as subject or object.
_ENTITY_GRAPH = """
CONSTRUCT {
    ?entity ?p ?o . ?o ?bp ?bo .
    ?s ?ip ?entity .
    ?record ?rp ?ro . ?ro ?rbp ?rbo .
} WHERE {
    { ?entity ?p ?o OPTIONAL { ?o ?bp ?bo FILTER(isBlank(?o)) } }
    UNION { ?s ?ip ?entity }
    UNION {
        ?record rdf:subject|rdf:object ?entity .
        ?record ?rp ?ro OPTIONAL { ?ro ?rbp ?rbo FILTER(isBlank(?ro)) }
    }
}
"""


def entity_graph(kg: KnowledgeGraph, iri: URIRef) -> Graph:
    """Return what the graph says about *iri*: its own triples, incoming ones, and evidence.

    One CONSTRUCT on the store, so it works the same on every store (memory, oxigraph,
    a SPARQL server).

    :param kg: the knowledge graph.
    :param iri: the entity.
    :returns: a new graph bound to medkg's prefixes.
    """
    found = kg.query(_ENTITY_GRAPH, bindings={"entity": iri}).graph
    out = Graph()
    for prefix, namespace in PREFIXES.items():
        out.bind(prefix, namespace, override=True, replace=True)
    if found is not None:
        for triple in found:
            out.add(triple)
    return out
