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
``evidence``: one :class:`~medkg.evidence.EvidenceItem` per evidence record and supporting
source, with ``quote``, ``source`` (the source's label), ``source_curie``, ``claim`` (the
claim type's label) and ``record`` (the evidence record's CURIE, to trace it back in SPARQL).
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rdflib.namespace import OWL
from rdflib.term import Literal, URIRef

from medkg.entities import (
    Entity,
    compact,
    describe_many,
    entity_classes,
    entity_table,
    value_batches,
)
from medkg.evidence import evidence_index
from medkg.namespaces import MEDKG

if TYPE_CHECKING:
    import networkx as nx

    from medkg.graph import KnowledgeGraph

__all__ = [
    "KIND_PRECEDENCE",
    "connecting",
    "neighbourhood",
    "network_neighbourhood",
    "network_of",
    "object_properties",
    "to_networkx",
]

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


def to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Return the network view of *kg*: one node per entity, one edge per relation.

    Nodes are keyed by the entity's IRI; edges run subject → object for every triple whose
    predicate is an ``owl:ObjectProperty`` and whose ends are both entities. See the module
    docstring for the attributes. Built from three bulk queries (entities, relations,
    evidence), whatever the store.

    >>> from medkg import load
    >>> network = to_networkx(load())
    >>> network.number_of_nodes() > 40
    True
    >>> network.nodes["https://w3id.org/medkg/entity/LegCramp"]["label"]
    'leg cramp'

    :param kg: the loaded knowledge graph.
    :returns: a :class:`networkx.MultiDiGraph` (needs the ``network`` extra).
    """
    return _network(kg, entity_table(kg), None)


#: What :func:`neighbourhood` and :func:`connecting` fill in as they go, for :func:`network_of`.
Described = dict[URIRef, Entity]


def network_of(
    kg: KnowledgeGraph, nodes: Iterable[str], *, described: Described | None = None
) -> nx.MultiDiGraph:
    """Return the network view of the entities *nodes* (IRIs) and the relations among them.

    The same nodes and edges as ``to_networkx(kg).subgraph(nodes)``, from queries bounded by
    the nodes asked for.

    :param described: entities already described (by :func:`neighbourhood` or
        :func:`connecting`), so that only the others are asked for.
    """
    known = described or {}
    wanted = {URIRef(n) for n in nodes}
    found = describe_many(kg, wanted - known.keys())
    found.update((iri, known[iri]) for iri in wanted & known.keys())
    entities = {iri: found[iri] for iri in sorted(found)}
    return _network(kg, entities, list(entities))


def neighbourhood(
    kg: KnowledgeGraph, centre: str, depth: int, *, described: Described | None = None
) -> set[str]:
    """Return the entities within *depth* relations of *centre*, following relations either way.

    One pair of queries per hop, each bounded by the frontier: the graph is never read whole.

    :param kg: the knowledge graph.
    :param centre: the IRI to start from.
    :param depth: the most hops.
    :param described: a dict to fill with each entity reached (for :func:`network_of`).
    :returns: the IRIs reached, *centre* included.
    """
    reached = {centre}
    frontier = [URIRef(centre)]
    for _ in range(depth):
        frontier = _step(kg, frontier, reached, described)
        if not frontier:
            break
    return reached


def connecting(
    kg: KnowledgeGraph, start: str, end: str, *, described: Described | None = None
) -> set[str]:
    """Return a set of entities holding every shortest connection between *start* and *end*.

    Searches from both ends at once, one pair of bounded queries per step, always from the
    smaller frontier; stops as soon as the two searches meet. When both have gone *r* and
    *s* steps, the shortest connection is *r* + *s* long and each of its entities lies
    within *r* of *start* or *s* of *end*, so it is among the entities returned.

    :param described: a dict to fill with each entity reached (for :func:`network_of`).
    :returns: the entities reached from both ends, or an empty set if they are not connected.
    """
    from_start, from_end = {start}, {end}
    ahead, behind = [URIRef(start)], [URIRef(end)]
    while not from_start & from_end:
        if not ahead or not behind:
            return set()
        if len(ahead) <= len(behind):
            ahead = _step(kg, ahead, from_start, described)
        else:
            behind = _step(kg, behind, from_end, described)
    return from_start | from_end


def _step(
    kg: KnowledgeGraph, frontier: list[URIRef], reached: set[str], described: Described | None
) -> list[URIRef]:
    """Return the entities one relation away from *frontier* not yet *reached*; add them."""
    found: set[URIRef] = set()
    for s, _p, o in _relations(kg, frontier, both_ways=True):
        found.update(t for t in (s, o) if str(t) not in reached)
    entities = describe_many(kg, found)
    if described is not None:
        described.update(entities)
    reached.update(str(iri) for iri in entities)
    return sorted(entities)


def network_neighbourhood(network: Any, centre: str, depth: int) -> set[str]:
    """Return the nodes of a networkx graph within *depth* hops of *centre*, either way.

    :param network: a directed networkx graph.
    :param centre: the node to start from.
    :param depth: the most hops.
    :returns: the nodes reached, *centre* included.
    """
    reached = {centre: 0}
    frontier = deque([centre])
    while frontier:
        node = frontier.popleft()
        if reached[node] == depth:
            continue
        for neighbour in (*network.successors(node), *network.predecessors(node)):
            if neighbour not in reached:
                reached[neighbour] = reached[node] + 1
                frontier.append(neighbour)
    return set(reached)


def _network(
    kg: KnowledgeGraph, entities: dict[URIRef, Entity], subjects: list[URIRef] | None
) -> nx.MultiDiGraph:
    import networkx as nx

    from medkg.progress import progress

    with progress("building the network view", total=3) as advance:
        network = _nodes_and_edges(kg, entities, subjects, nx.MultiDiGraph(), advance)
    return network


def _nodes_and_edges(
    kg: KnowledgeGraph,
    entities: dict[URIRef, Entity],
    subjects: list[URIRef] | None,
    network: nx.MultiDiGraph,
    advance: Any,
) -> nx.MultiDiGraph:
    kinds = _kinds(kg)
    for iri, entity in entities.items():
        network.add_node(str(iri), **_node_attributes(entity, kinds))
    advance(1)
    labels = object_properties(kg)
    edges = sorted(
        {
            (s, p, o)
            for s, p, o in (
                _all_relations(kg) if subjects is None else _relations_among(kg, subjects)
            )
            if s in entities and o in entities
        },
        key=lambda t: (str(t[1]), str(t[0]), str(t[2])),
    )
    advance(1)
    # The whole graph's records for the whole view; only the edges' for a part of it.
    evidence = evidence_index(kg, None if subjects is None else edges) if edges else {}
    advance(1)
    # Grouped by property, then sorted, so every store gives the same file.
    for s, prop, o in edges:
        curie = compact(str(prop))
        network.add_edge(
            str(s),
            str(o),
            key=curie,
            predicate=curie,
            label=labels.get(prop, curie),
            evidence=evidence.get((s, prop, o), []),
        )
    return network


def _props_values(kg: KnowledgeGraph) -> str:
    return " ".join(p.n3() for p in object_properties(kg))


def _all_relations(kg: KnowledgeGraph) -> Iterable[tuple[URIRef, URIRef, URIRef]]:
    """Every triple of an object property between two IRIs."""
    props = _props_values(kg)
    if not props:
        return []
    rows = kg.query(
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} ?s ?p ?o . "
        "FILTER(isIRI(?s) && isIRI(?o)) }"
    ).rows
    return [(s, p, o) for s, p, o in rows]  # type: ignore[misc]


def _relations_among(
    kg: KnowledgeGraph, nodes: list[URIRef]
) -> Iterable[tuple[URIRef, URIRef, URIRef]]:
    """Yield the object-property triples between two of *nodes* (and, for many, some more).

    Nodes that fit one ``VALUES`` block bind both ends, so a hub among them does not send
    its thousands of relations to nodes outside; more nodes are asked for by subject, in
    batches, and the caller keeps the triples whose object is among them.
    """
    if len(nodes) > _BATCH:
        yield from _relations(kg, nodes)
        return
    props = object_properties(kg)
    if not nodes or not props:
        return
    batch = " ".join(n.n3() for n in nodes)
    # The objects' VALUES outside the subjects' group: rdflib evaluates the group with one
    # index look-up per subject and then joins (two VALUES blocks side by side make it scan).
    rows = kg.query(
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?o {{ {batch} }} "
        f"{{ VALUES ?s {{ {batch} }} ?s ?p ?o }} }}"
    ).rows
    yield from (row for row in rows if row[1] in props)  # type: ignore[misc]


def _relations(
    kg: KnowledgeGraph, nodes: list[URIRef], *, both_ways: bool = False
) -> Iterable[tuple[URIRef, URIRef, URIRef]]:
    """Yield the object-property triples from (and, with *both_ways*, to) *nodes*, in batches."""
    props = object_properties(kg)
    if not props:
        return
    for batch in value_batches(nodes):
        patterns = ["?x ?p ?o . BIND(?x AS ?s)"]
        if both_ways:
            patterns.append("?s ?p ?x . BIND(?x AS ?o)")
        for pattern in patterns:
            # One VALUES block, properties picked here (see medkg.entities._describe_rows).
            rows = kg.query(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?x {{ {batch} }} {pattern} "
                "FILTER(isIRI(?s) && isIRI(?o)) }"
            ).rows
            yield from (row for row in rows if row[1] in props)  # type: ignore[misc]


_BATCH = 400

# The schema facts the network view needs, per store: read once, a few hundred rows.
_PROPERTIES: weakref.WeakKeyDictionary[object, dict[URIRef, str]] = weakref.WeakKeyDictionary()
_KINDS: weakref.WeakKeyDictionary[object, dict[URIRef, int]] = weakref.WeakKeyDictionary()


def object_properties(kg: KnowledgeGraph) -> dict[URIRef, str]:
    """Map every declared owl:ObjectProperty to its label (its CURIE when it has none)."""
    cached = _PROPERTIES.get(kg.store)
    if cached is not None:
        return cached
    found: dict[URIRef, list[Literal]] = {}
    for prop, label in kg.query(
        "SELECT ?p ?label WHERE { ?p a owl:ObjectProperty . OPTIONAL { ?p rdfs:label ?label } }"
    ).rows:
        if isinstance(prop, URIRef):
            labels = found.setdefault(prop, [])
            if isinstance(label, Literal):
                labels.append(label)
    result = {prop: _english(found[prop]) or compact(str(prop)) for prop in sorted(found)}
    _PROPERTIES[kg.store] = result
    return result


def _english(labels: list[Literal]) -> str | None:
    if not labels:
        return None
    return str(min(labels, key=lambda lbl: (lbl.language not in (None, "en"), str(lbl))))


def _kinds(kg: KnowledgeGraph) -> dict[URIRef, int]:
    """Map every class below medkg:Entity to its depth below it (one query on the schema)."""
    cached = _KINDS.get(kg.store)
    if cached is not None:
        return cached
    classes = entity_classes(kg)
    parents: dict[URIRef, set[URIRef]] = {}
    for child, parent in kg.query(
        "SELECT ?c ?parent WHERE { ?c rdfs:subClassOf* medkg:Entity ; rdfs:subClassOf ?parent }"
    ).rows:
        if isinstance(child, URIRef) and isinstance(parent, URIRef) and parent in classes:
            parents.setdefault(child, set()).add(parent)
    depths = {MEDKG.Entity: 0}
    changed = True
    while changed:  # shortest path up to medkg:Entity, as the old walk found it
        changed = False
        for child, ups in parents.items():
            known = [depths[p] + 1 for p in ups if p in depths]
            if known and depths.get(child, 1 << 30) > min(known):
                depths[child] = min(known)
                changed = True
    _KINDS[kg.store] = depths
    return depths


def _node_attributes(entity: Entity, depths: dict[URIRef, int]) -> dict[str, Any]:
    """Collect the attributes of the node for *entity*."""
    return {
        "label": entity.label,
        "curie": entity.curie,
        "types": [compact(str(t)) for t in entity.types],
        "kind": compact(str(_kind(entity.types, depths))),
        "synonyms": entity.synonyms,
        "brand_names": entity.brand_names,
        "definition": entity.definition,
        "external_ids": entity.external_ids,
    }


def _kind(types: Iterable[URIRef], depths: dict[URIRef, int]) -> URIRef:
    """Pick the one class that colours an entity (see :data:`KIND_PRECEDENCE`)."""
    present = set(types)
    for cls in KIND_PRECEDENCE:
        if cls in present:
            return cls
    # A class from the user's own extension: the deepest subclass of medkg:Entity wins.
    ranked = sorted((-depths[cls], str(cls)) for cls in present if cls in depths)
    if ranked:
        return URIRef(ranked[0][1])
    # The user's own vocabulary: its first type (sorted), else plain medkg:Entity.
    others = sorted(str(t) for t in present if t != OWL.NamedIndividual)
    return URIRef(others[0]) if others else MEDKG.Entity
