"""Looking entities up by the names people use."""

from __future__ import annotations

from pathlib import Path

import pytest

from medkg.entities import compact
from medkg.errors import AmbiguousEntityError, EntityNotFoundError
from medkg.graph import KnowledgeGraph, load

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "curie"),
    [
        ("leg cramp", "kg:LegCramp"),
        ("Charley horse", "kg:LegCramp"),
        ("charley-horses", "kg:LegCramp"),
        ("LEG CRAMPS", "kg:LegCramp"),
        ("Lioresal", "kg:Baclofen"),
        ("soma", "kg:Carisoprodol"),
        ("Skelaxin", "kg:Metaxalone"),
        ("Parkinson disease", "kg:ParkinsonDisease"),
        ("parkinson's disease", "kg:ParkinsonDisease"),
        ("kg:Gastrocnemius", "kg:Gastrocnemius"),
        ("https://w3id.org/medkg/entity/Gastrocnemius", "kg:Gastrocnemius"),
        ("<https://w3id.org/medkg/entity/WarmUp>", "kg:WarmUp"),
        ("calf muscle", "kg:Gastrocnemius"),
        ("pain killers", "kg:Analgesics"),
    ],
)
def test_resolves_labels_synonyms_brands_curies_and_iris(
    kg: KnowledgeGraph, name: str, curie: str
) -> None:
    assert kg.entity(name).curie == curie


def test_entity_card_fields(kg: KnowledgeGraph) -> None:
    baclofen = kg.entity("Lioresal")
    assert baclofen.label == "baclofen"
    assert baclofen.brand_names == ["Lioresal"]
    assert "Lioresal" not in baclofen.synonyms
    assert compact(str(baclofen.types[0])) == "medkg:Drug" or any(
        compact(str(t)) == "medkg:Drug" for t in baclofen.types
    )
    cramp = kg.entity("charley horse")
    assert "Charley horse" in cramp.synonyms
    assert cramp.definition and "calf" in cramp.definition


def test_unknown_name_suggests_close_labels(kg: KnowledgeGraph) -> None:
    with pytest.raises(EntityNotFoundError) as info:
        kg.entity("charlie horse")
    assert "leg cramp" in info.value.suggestions
    assert str(info.value) == "no entity named 'charlie horse' (did you mean: leg cramp?)"


def test_ambiguous_name_lists_the_candidates() -> None:
    kg = load([DATA / "ambiguous-synonym.ttl"])
    with pytest.raises(AmbiguousEntityError) as info:
        kg.entity("Charley horse")
    curies = [curie for curie, _ in info.value.candidates]
    assert curies == ["kg:LegCramp", "kg:TestHorseRiding"]
    assert "kg:TestHorseRiding (horse riding)" in str(info.value)
