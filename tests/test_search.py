"""Ranked entity search, tolerant of case, hyphens, plurals and small typos."""

from __future__ import annotations

import pytest

from medkg.graph import KnowledgeGraph
from medkg.search import search


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("charley horse", "kg:LegCramp"),
        ("Charley-Horses", "kg:LegCramp"),
        ("charlie horse", "kg:LegCramp"),
        ("parkinsons", "kg:ParkinsonDisease"),
        ("Lioresal", "kg:Baclofen"),
        ("diuretic", "kg:PotassiumSparingDiuretics"),
        ("gastrocnemus", "kg:Gastrocnemius"),
    ],
)
def test_best_hit_first(kg: KnowledgeGraph, text: str, first: str) -> None:
    hits = search(kg.graph, text)
    assert hits and hits[0].curie == first, [h.curie for h in hits]


def test_exact_match_outranks_partial_and_hits_are_ranked(kg: KnowledgeGraph) -> None:
    hits = search(kg.graph, "calf stretch")
    assert hits[0].curie == "kg:CalfStretch" and hits[0].score == 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert "medkg:HomeRemedy" in hits[0].types


def test_nothing_close_finds_nothing(kg: KnowledgeGraph) -> None:
    assert search(kg.graph, "xylophone") == []


def test_limit(kg: KnowledgeGraph) -> None:
    assert len(search(kg.graph, "muscle", limit=2)) == 2


@pytest.mark.parametrize("text", ["", "   ", "--"])
def test_nothing_to_search_for_is_bad_input(kg: KnowledgeGraph, text: str) -> None:
    from medkg.errors import MedkgError

    with pytest.raises(MedkgError, match="nothing to search for"):
        search(kg.graph, text)
