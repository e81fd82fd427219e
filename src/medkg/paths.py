"""Shortest connections between two entities, as chains a researcher can cite hop by hop."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

from rdflib import Graph
from rdflib.namespace import OWL
from rdflib.term import URIRef

from medkg.entities import Entity
from medkg.errors import MedkgError
from medkg.evidence import EvidenceItem, label_of
from medkg.graph import KnowledgeGraph
from medkg.network import connecting, network_of

__all__ = ["Hop", "NoPathError", "Path", "shortest_paths"]


class NoPathError(MedkgError, LookupError):
    """The two entities are not connected in the graph."""

    #: Nothing found: exit 1, as for every command that finds nothing.
    exit_code = 1


@dataclass(frozen=True)
class Hop:
    """One step of a path: from one entity to the next, read in the direction of travel."""

    source: str
    source_label: str
    relation: str
    target: str
    target_label: str
    predicate: str
    reversed: bool
    evidence: list[EvidenceItem]

    def __str__(self) -> str:
        return f"{self.source_label} —{self.relation}→ {self.target_label}"


@dataclass(frozen=True)
class Path:
    """A chain of hops from the start entity to the end entity."""

    hops: list[Hop]

    def __str__(self) -> str:
        if not self.hops:
            return ""
        text = self.hops[0].source_label
        for hop in self.hops:
            text += f" —{hop.relation}→ {hop.target_label}"
        return text


def shortest_paths(kg: KnowledgeGraph, start: Entity, end: Entity, *, limit: int = 3) -> list[Path]:
    """Return up to *limit* shortest paths between two entities, in either edge direction.

    An edge walked against its direction is read with the inverse property's label
    ("leg cramp —prevented by→ calf stretching"), or "is … of" where the schema declares none.

    >>> from medkg import load
    >>> kg = load()
    >>> paths = shortest_paths(kg, kg.entity("beta-agonists"), kg.entity("calf stretch"))
    >>> str(paths[0])
    'beta-agonists —may trigger→ leg cramp —prevented by→ calf stretching'

    :raises NoPathError: the entities are not connected.
    :raises MedkgError: start and end are the same entity.
    """
    import networkx as nx

    if start.iri == end.iri:
        raise MedkgError(f"{start.curie} is both the start and the end: name two entities")

    network = network_of(kg, connecting(kg, str(start.iri), str(end.iri)) or {str(start.iri)})
    undirected = nx.Graph(network.to_undirected(as_view=True))
    a, b = str(start.iri), str(end.iri)
    try:
        node_paths = list(islice(nx.all_shortest_paths(undirected, a, b), limit))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        raise NoPathError(f"no connection between {start.curie} and {end.curie}") from None
    inverses = _inverse_labels(kg.graph)
    paths = []
    for nodes in node_paths:
        hops = [_hop(network, u, v, inverses) for u, v in zip(nodes, nodes[1:], strict=False)]
        paths.append(Path(hops))
    return paths


def _hop(network: Any, u: str, v: str, inverses: dict[str, str]) -> Hop:
    """Describe the step u → v, using a forward edge where there is one."""
    forward = network.get_edge_data(u, v) or {}
    if forward:
        key = sorted(forward)[0]
        data, reversed_ = forward[key], False
        relation = data["label"]
    else:
        backward = network.get_edge_data(v, u)
        key = sorted(backward)[0]
        data, reversed_ = backward[key], True
        relation = inverses.get(data["predicate"], f"is {data['label']} of")
    return Hop(
        source=network.nodes[u]["curie"],
        source_label=network.nodes[u]["label"],
        relation=relation,
        target=network.nodes[v]["curie"],
        target_label=network.nodes[v]["label"],
        predicate=data["predicate"],
        reversed=reversed_,
        evidence=data["evidence"],
    )


def _inverse_labels(graph: Graph) -> dict[str, str]:
    """Map each property CURIE to the label of its declared inverse (both directions)."""
    from medkg.entities import compact

    labels: dict[str, str] = {}
    for prop, inverse in graph.subject_objects(OWL.inverseOf):
        if isinstance(prop, URIRef) and isinstance(inverse, URIRef):
            for one, other in ((prop, inverse), (inverse, prop)):
                label = label_of(graph, other)
                if label:
                    labels[compact(str(one))] = label
    return labels
