"""The Python API a researcher uses in a notebook."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

import medkg
from medkg.cards import entity_card
from medkg.graph import KnowledgeGraph
from medkg.search import search
from medkg.validate import validate_graph


def test_a_select_result_is_iterable_with_len(kg: KnowledgeGraph) -> None:
    result = kg.query("SELECT ?m WHERE { kg:LegCramp medkg:affects ?m }")
    assert len(result) == 4
    assert len(list(result)) == 4


def test_a_graph_result_serialises_directly(kg: KnowledgeGraph) -> None:
    result = kg.query("CONSTRUCT WHERE { kg:Baclofen medkg:brandName ?b }")
    assert len(result) == 1
    assert Graph().parse(data=result.serialize("turtle"), format="turtle").__len__() == 1
    assert result.serialize("nt").count("\n") == 1


def test_functions_take_a_knowledge_graph(kg: KnowledgeGraph) -> None:
    assert search(kg, "charley horse")[0].curie == "kg:LegCramp"
    card = entity_card(kg, kg.entity("baclofen"))
    assert card.entity.label == "baclofen"
    assert validate_graph(kg.graph).conforms == validate_graph(kg).conforms


def test_a_card_has_a_text_form(kg: KnowledgeGraph) -> None:
    text = str(entity_card(kg, kg.entity("baclofen")))
    assert text.startswith("baclofen  kg:Baclofen")
    assert "relations out:" in text


def test_load_is_in_dir() -> None:
    assert {"load", "KnowledgeGraph"} <= set(dir(medkg))


def test_functions_that_write_return_what_they_wrote(kg: KnowledgeGraph, tmp_path: Path) -> None:
    from medkg.export import export_graph

    assert export_graph(kg, "nt", tmp_path / "g.nt") == (tmp_path / "g.nt").resolve()
    assert export_graph(kg, "csv", tmp_path / "csv") == tmp_path / "csv"


def test_a_wrong_argument_is_one_clear_type_error() -> None:
    with pytest.raises(TypeError, match="expected a KnowledgeGraph"):
        search("not a graph", "x")  # type: ignore[arg-type]
