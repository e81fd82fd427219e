"""KGX TSV export: the columns the KGX format specifies, Biolink categories and predicates."""

from __future__ import annotations

import csv

import pytest

from medkg.export import export_graph
from medkg.graph import KnowledgeGraph
from medkg.kgx import EDGE_COLUMNS, NODE_COLUMNS


@pytest.fixture(scope="module")
def kgx(
    kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    folder = tmp_path_factory.mktemp("kgx") / "out"
    export_graph(kg, "kgx", folder)

    def read(name: str) -> list[dict[str, str]]:
        with (folder / name).open(encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream, delimiter="\t"))

    return read("nodes.tsv"), read("edges.tsv")


def test_required_columns(kgx, kg: KnowledgeGraph) -> None:  # type: ignore[no-untyped-def]
    nodes, edges = kgx
    assert tuple(nodes[0]) == NODE_COLUMNS and tuple(edges[0]) == EDGE_COLUMNS
    for node in nodes:
        assert node["id"] and node["category"].startswith("biolink:"), node
    for edge in edges:
        for column in ("subject", "predicate", "object", "knowledge_level", "agent_type"):
            assert edge[column], (column, edge)
    assert len(nodes) == kg.to_networkx().number_of_nodes()
    assert len(edges) == kg.to_networkx().number_of_edges()


def test_every_edge_joins_two_nodes(kgx) -> None:  # type: ignore[no-untyped-def]
    nodes, edges = kgx
    ids = {n["id"] for n in nodes}
    assert all(e["subject"] in ids and e["object"] in ids for e in edges)


def test_biolink_terms_come_from_the_schema_mappings(kgx) -> None:  # type: ignore[no-untyped-def]
    nodes, edges = kgx
    by_id = {n["id"]: n for n in nodes}
    assert by_id["kg:AddisonDisease"]["category"] == "biolink:Disease"
    assert by_id["kg:Baclofen"]["category"] == "biolink:Drug"
    assert "biolink:ChemicalEntity" in by_id["kg:BetaAgonists"]["category"].split("|")
    assert "DRUGBANK:DB00181" in by_id["kg:Baclofen"]["xref"].split("|")
    assert "Lioresal" in by_id["kg:Baclofen"]["synonym"].split("|")
    triggers = [e for e in edges if e["relation"] == "medkg:mayTrigger"]
    assert len(triggers) == 19
    assert {e["predicate"] for e in triggers} == {"biolink:predisposes_to_condition"}
    prevents = {e["predicate"] for e in edges if e["relation"] == "medkg:prevents"}
    assert prevents == {"biolink:preventative_for_condition"}


def test_publications_and_supporting_text(kgx) -> None:  # type: ignore[no-untyped-def]
    _, edges = kgx
    (edge,) = [e for e in edges if e["id"] == "kg:Baclofen-medkg:memberOf-kg:MuscleRelaxants"]
    # The article cites reference 3 (Behringer 2014) there, but nobody checked that the trial
    # says so: a cited reference is not the edge's publication (issue 10).
    assert edge["publications"] == ""
    assert edge["supporting_text"] == "These muscle relaxants include Lioresal, Soma, and Skelaxin"


def test_kgx_needs_a_folder(kg: KnowledgeGraph) -> None:
    from medkg.errors import ExportError

    with pytest.raises(ExportError, match="give an output folder"):
        export_graph(kg, "kgx", None)
