"""GraphML export, read back by networkx and python-igraph with every attribute."""

from __future__ import annotations

from pathlib import Path

import pytest

from medkg.export import export_graph
from medkg.graph import KnowledgeGraph


@pytest.fixture(scope="module")
def graphml(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graphml") / "graph.graphml"
    export_graph(kg, "graphml", path)
    return path


def test_networkx_reads_unique_edge_ids_and_typed_attributes(
    graphml: Path, kg: KnowledgeGraph
) -> None:
    nx = pytest.importorskip("networkx")
    back = nx.read_graphml(graphml, force_multigraph=True)
    network = kg.to_networkx()
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    keys = [key for _, _, key in back.edges(keys=True)]
    assert len(set(keys)) == len(keys)
    predicates = {data["predicate"] for _, _, data in back.edges(data=True)}
    assert "medkg:mayTrigger" in predicates
    for _, data in back.nodes(data=True):
        assert isinstance(data["x"], float) and isinstance(data["y"], float)
        assert all(isinstance(data[c], int) and 0 <= data[c] <= 255 for c in "rgb")
        assert data["color"] == "#{:02x}{:02x}{:02x}".format(data["r"], data["g"], data["b"])
        assert isinstance(data["degree"], int)
    assert all(isinstance(d["evidence_count"], int) for _, _, d in back.edges(data=True))
    cramp = back.nodes["https://w3id.org/medkg/entity/LegCramp"]
    assert "600" in cramp["duration"]
    assert "Lioresal" in back.nodes["https://w3id.org/medkg/entity/Baclofen"]["fact_quotes"]


def test_edge_ids_are_unique_in_the_file(graphml: Path) -> None:
    import xml.etree.ElementTree as ET

    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    ids = [e.get("id") for e in ET.parse(graphml).getroot().iterfind(".//g:edge", ns)]
    assert ids and None not in ids and len(set(ids)) == len(ids)


def test_igraph_reads_every_attribute(graphml: Path, kg: KnowledgeGraph) -> None:
    igraph = pytest.importorskip("igraph")
    nx = pytest.importorskip("networkx")
    back = igraph.Graph.Read_GraphML(str(graphml))
    reference = nx.read_graphml(graphml, force_multigraph=True)
    assert back.vcount() == reference.number_of_nodes()
    assert back.ecount() == reference.number_of_edges()
    node_attributes = {k for _, d in reference.nodes(data=True) for k in d}
    edge_attributes = {k for _, _, d in reference.edges(data=True) for k in d}
    assert node_attributes <= set(back.vs.attributes())
    assert edge_attributes <= set(back.es.attributes())
    assert all(isinstance(x, float) for x in back.vs["x"])
    assert sorted(back.vs["id"]) == sorted(reference.nodes)
