"""Shortest connections between two entities, as chains a researcher can cite hop by hop."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from rdflib.term import Literal, URIRef

from medkg.entities import Entity, compact
from medkg.errors import MedkgError
from medkg.evidence import EvidenceItem, qualifiers_of
from medkg.graph import KnowledgeGraph
from medkg.network import connecting, network_of

__all__ = ["Hop", "NoPathError", "Path", "shortest_paths"]


class NoPathError(MedkgError, LookupError):
    """The two entities are not connected in the graph."""

    #: Nothing found: exit 1, as for every command that finds nothing.
    exit_code = 1


@dataclass(frozen=True)
class Hop:
    """One step of a path: from one entity to the next, read in the direction of travel.

    ``qualifiers`` are the article's hedges on the relation ("typically", "might").
    """

    source: str
    source_label: str
    relation: str
    target: str
    target_label: str
    predicate: str
    reversed: bool
    evidence: list[EvidenceItem]
    qualifiers: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        hedge = f" ({', '.join(self.qualifiers)})" if self.qualifiers else ""
        return f"{self.source_label} —{self.relation}{hedge}→ {self.target_label}"


@dataclass(frozen=True)
class Path:
    """A chain of hops from the start entity to the end entity."""

    hops: list[Hop]

    def __str__(self) -> str:
        if not self.hops:
            return ""
        text = self.hops[0].source_label
        for hop in self.hops:
            hedge = f" ({', '.join(hop.qualifiers)})" if hop.qualifiers else ""
            text += f" —{hop.relation}{hedge}→ {hop.target_label}"
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

    described: dict[URIRef, Entity] = {}
    nodes = connecting(kg, str(start.iri), str(end.iri), described=described) or {str(start.iri)}
    network = network_of(kg, nodes, described=described)
    undirected = nx.Graph(network.to_undirected(as_view=True))
    a, b = str(start.iri), str(end.iri)
    try:
        node_paths = list(islice(nx.all_shortest_paths(undirected, a, b), limit))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        raise NoPathError(f"no connection between {start.curie} and {end.curie}") from None
    inverses = _inverse_labels(kg)
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
        qualifiers=qualifiers_of(data["evidence"]),
    )


def _inverse_labels(kg: KnowledgeGraph) -> dict[str, str]:
    """Map each property CURIE to the label of its declared inverse (both directions)."""
    result = kg.query(
        """
        SELECT ?prop ?inverse ?propLabel ?inverseLabel WHERE {
            ?prop owl:inverseOf ?inverse .
            FILTER (isIRI(?prop) && isIRI(?inverse))
            OPTIONAL { ?prop rdfs:label ?propLabel FILTER (LANG(?propLabel) IN ("", "en")) }
            OPTIONAL { ?inverse rdfs:label ?inverseLabel
                       FILTER (LANG(?inverseLabel) IN ("", "en")) }
        }
        ORDER BY ?prop ?inverse ?propLabel ?inverseLabel
        """
    )
    labels: dict[str, str] = {}
    for prop, inverse, prop_label, inverse_label in result.rows:
        for one, other_label in ((prop, inverse_label), (inverse, prop_label)):
            if isinstance(other_label, Literal):
                labels.setdefault(compact(str(one)), str(other_label))
    return labels
