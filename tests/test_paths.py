"""Shortest connections between entities, read as citable chains."""

from __future__ import annotations

from pathlib import Path

import pytest

from medkg.graph import KnowledgeGraph, load
from medkg.paths import NoPathError, shortest_paths

DATA = Path(__file__).parent / "data"


def test_path_reads_inverse_relations_and_carries_evidence(kg: KnowledgeGraph) -> None:
    (path,) = shortest_paths(kg, kg.entity("beta-agonists"), kg.entity("calf stretch"), limit=3)
    assert str(path) == "beta-agonists —may trigger→ leg cramp —prevented by→ calf stretching"
    first, second = path.hops
    assert (first.predicate, first.reversed) == ("medkg:mayTrigger", False)
    assert (second.predicate, second.reversed) == ("medkg:prevents", True)
    assert first.evidence[0]["cited"][0]["curie"] == "kg:Young2015"
    assert first.evidence[0]["supported_by"] == []
    assert second.evidence[0]["quote"]


def test_several_shortest_paths_are_limited(kg: KnowledgeGraph) -> None:
    paths = shortest_paths(kg, kg.entity("Lioresal"), kg.entity("Soma"), limit=5)
    assert [str(p) for p in paths] == [
        "baclofen —member of→ muscle relaxants —has member→ carisoprodol"
    ]
    assert len(shortest_paths(kg, kg.entity("Addison disease"), kg.entity("trauma"), limit=1)) == 1


def test_unconnected_entities() -> None:
    kg = load([DATA / "ambiguous-synonym.ttl"])
    with pytest.raises(NoPathError, match="no connection between kg:TestHorseRiding"):
        shortest_paths(kg, kg.entity("horse riding"), kg.entity("leg cramp"))


def test_same_entity_twice_is_bad_input(kg: KnowledgeGraph) -> None:
    from medkg.errors import MedkgError

    with pytest.raises(MedkgError, match="both the start and the end"):
        shortest_paths(kg, kg.entity("leg cramp"), kg.entity("charley horse"))


def test_path_hop_carries_the_article_hedge(kg: KnowledgeGraph) -> None:
    (path,) = shortest_paths(kg, kg.entity("night"), kg.entity("pregnancy"), limit=1)
    assert [hop.qualifiers for hop in path.hops] == [["typically"], ["can also"]]
    assert str(path) == (
        "night —is occurs during of (typically)→ leg cramp —occurs during (can also)→ pregnancy"
    )
