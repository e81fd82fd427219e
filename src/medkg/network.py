"""The network view: entities as nodes, relations as edges, everything else as attributes.

:func:`to_networkx` turns a :class:`~medkg.graph.KnowledgeGraph` into a
:class:`networkx.MultiDiGraph` for analysis (paths, centrality), drawing and GraphML / CSV
export. Only entities become nodes; literals (labels, synonyms, definitions), external
identifiers and evidence records are kept as node and edge attributes, so nothing a reader
needs is lost and nothing that is not a thing of the domain clutters the network.

Node attributes:

``label``, ``curie``, ``types`` (CURIEs of every ``rdf:type``), ``kind`` (one class CURIE
for colouring, see :data:`KIND_PRECEDENCE`), ``synonyms``, ``brand_names``, ``definition``
(``None`` when there is none), ``external_ids`` (IRIs of ``skos:exactMatch`` then
``skos:closeMatch``).

Edge attributes (the edge key is the property CURIE, so parallel relations stay apart):

``predicate`` (CURIE), ``label`` (the property's ``rdfs:label``, e.g. ``"may trigger"``) and
``evidence``: one :class:`~medkg.evidence.EvidenceItem` per evidence record, with ``quote``,
``section``, ``start`` / ``end``, ``source`` (the label of the source quoted), ``cited`` (the
references the article cites there), ``supported_by`` (references checked: none yet), the
evidence code, the hedges (``frequency``, ``certainty``), ``caveats``, ``claim`` (the claim type's
label) and ``record`` (the evidence record's CURIE, to trace it back in SPARQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import URIRef

from medkg.entities import all_entities, compact, describe
from medkg.evidence import evidence_index, label_of
from medkg.namespaces import MEDKG

if TYPE_CHECKING:
    import networkx as nx

    from medkg.graph import KnowledgeGraph

__all__ = ["KIND_PRECEDENCE", "to_networkx"]

#: The class that decides a node's ``kind`` when an entity has several types, first match
#: wins. What a thing *is* comes before the role it plays: a drug class that may trigger a
#: cramp is coloured as a drug class. ``RiskFactor`` comes before ``Disease`` and
#: ``Condition`` so that the etiologies of a condition share one colour. An entity whose
#: types are all missing here gets its most specific subclass of ``medkg:Entity``.
KIND_PRECEDENCE: tuple[URIRef, ...] = (
    MEDKG.Drug,
    MEDKG.DrugClass,
    MEDKG.Muscle,
    MEDKG.Symptom,
    MEDKG.HomeRemedy,
    MEDKG.ClinicalTreatment,
    MEDKG.Technique,
    MEDKG.RiskFactor,
    MEDKG.Disease,
    MEDKG.PhysiologicalState,
    MEDKG.Condition,
    MEDKG.Activity,
    MEDKG.MedicalProcedure,
    MEDKG.OccurrenceContext,
    MEDKG.Advice,
    MEDKG.ScholarlyArticle,
    MEDKG.WebPage,
    MEDKG.Source,
    MEDKG.AnatomicalEntity,
    MEDKG.Treatment,
)

#: Mapping properties whose objects identify the same (or nearly the same) concept.
#: Broader / narrower matches name other concepts, so they are not the entity's IDs.
EXTERNAL_ID_PROPERTIES = (SKOS.exactMatch, SKOS.closeMatch)


def to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Return the network view of *kg*: one node per entity, one edge per relation.

    Nodes are keyed by the entity's IRI; edges run subject → object for every triple whose
    predicate is an ``owl:ObjectProperty`` and whose ends are both entities. See the module
    docstring for the attributes.

    >>> from medkg import load
    >>> network = to_networkx(load())
    >>> network.number_of_nodes() > 40
    True
    >>> network.nodes["https://w3id.org/medkg/entity/LegCramp"]["label"]
    'leg cramp'

    :param kg: the loaded knowledge graph.
    :returns: a :class:`networkx.MultiDiGraph` (needs the ``network`` extra).
    """
    import networkx as nx

    graph = kg.graph
    entities = all_entities(graph)
    network = nx.MultiDiGraph()
    for iri in entities:
        network.add_node(str(iri), **_node_attributes(graph, iri))
    evidence = evidence_index(kg)
    members = set(entities)
    for prop, prop_label in _object_properties(graph).items():
        # Sorted, so that every store (each iterates in its own order) gives the same file.
        for s, o in sorted(
            graph.subject_objects(prop), key=lambda pair: (str(pair[0]), str(pair[1]))
        ):
            if s in members and o in members:
                curie = compact(str(prop))
                network.add_edge(
                    str(s),
                    str(o),
                    key=curie,
                    predicate=curie,
                    label=prop_label,
                    evidence=evidence.get((s, prop, o), []),
                )
    return network


def _node_attributes(graph: Graph, iri: URIRef) -> dict[str, Any]:
    """Collect the attributes of the node for entity *iri*."""
    card = describe(graph, iri)
    return {
        "label": card.label,
        "curie": card.curie,
        "types": [compact(str(t)) for t in card.types],
        "kind": compact(str(_kind(graph, card.types))),
        "synonyms": card.synonyms,
        "brand_names": card.brand_names,
        "definition": card.definition,
        "external_ids": [
            match
            for prop in EXTERNAL_ID_PROPERTIES
            for match in sorted(str(o) for o in graph.objects(iri, prop) if isinstance(o, URIRef))
        ],
    }


def _kind(graph: Graph, types: Iterable[URIRef]) -> URIRef:
    """Pick the one class that colours an entity (see :data:`KIND_PRECEDENCE`)."""
    present = set(types)
    for cls in KIND_PRECEDENCE:
        if cls in present:
            return cls
    # A class from the user's own extension: the deepest subclass of medkg:Entity wins.
    depths = {cls: _depth_below_entity(graph, cls) for cls in present}
    ranked = sorted((-depth, str(cls)) for cls, depth in depths.items() if depth is not None)
    return URIRef(ranked[0][1]) if ranked else MEDKG.Entity


def _depth_below_entity(graph: Graph, cls: URIRef) -> int | None:
    """Return how many rdfs:subClassOf steps lead from *cls* up to medkg:Entity, or None."""
    frontier, seen, depth = {cls}, set(), 0
    while frontier:
        if MEDKG.Entity in frontier:
            return depth
        seen |= frontier
        frontier = {
            parent
            for child in frontier
            for parent in graph.objects(child, RDFS.subClassOf)
            if isinstance(parent, URIRef) and parent not in seen
        }
        depth += 1
    return None


def _object_properties(graph: Graph) -> dict[URIRef, str]:
    """Map every declared owl:ObjectProperty to its label (its CURIE when it has none)."""
    return {
        prop: label_of(graph, prop) or compact(str(prop))
        for prop in sorted(
            p for p in graph.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)
        )
    }
