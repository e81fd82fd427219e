"""The bundled competency questions give exactly the answers the article supports."""

from __future__ import annotations

import pytest
from rdflib.term import Literal

from medkg.competency import list_questions, load_question
from medkg.errors import MedkgError
from medkg.graph import KnowledgeGraph


@pytest.fixture()
def kg(store_kg: KnowledgeGraph) -> KnowledgeGraph:
    """Every question is asked of every store (see STORES in conftest.py)."""
    return store_kg


def answer(kg: KnowledgeGraph, name: str, column: str) -> list[str]:
    result = kg.query(load_question(name).sparql)
    values = [str(v) for v in result.column(column)]
    if kg.store.kind == "sparql":
        # Virtuoso 7.2 misorders ORDER BY LCASE(STR(?label)) when the expression is not
        # projected; the rows are right, so the test orders them as the query asks.
        values.sort(key=str.casefold)
    return values


def test_every_question_is_headed_by_an_english_question() -> None:
    questions = list_questions()
    assert len(questions) >= 10
    for q in questions:
        assert q.question.endswith("?"), f"{q.path}: the '# Question:' line must end with '?'"


@pytest.mark.parametrize("question", list_questions(), ids=lambda q: q.name)
def test_every_question_has_answers(kg: KnowledgeGraph, question) -> None:  # type: ignore[no-untyped-def]
    result = kg.query(question.sparql)
    assert result.rows, f"{question.name} returned nothing"


def test_drugs_that_may_trigger(kg: KnowledgeGraph) -> None:
    assert answer(kg, "triggering-drugs", "label") == [
        "beta-agonists",
        "certain drugs",
        "potassium-sparing diuretics",
    ]


def test_sixteen_listed_etiologies(kg: KnowledgeGraph) -> None:
    labels = answer(kg, "listed-etiologies", "label")
    assert labels == [
        "Addison disease",
        "certain drugs",
        "deep vein thrombosis",
        "electrolyte imbalance",
        "motor neuron disease",
        "Parkinson's disease",
        "peripheral nerve injury",
        "peripheral vascular disease",
        "polyneuropathy",
        "pregnancy",
        "renal dialysis",
        "ruptured Baker's cyst",
        "salt depletion",
        "severe exercise",
        "thyroid problems",
        "trauma",
    ]
    assert set(answer(kg, "listed-etiologies", "source")) == {
        "https://w3id.org/medkg/entity/Young2015"
    }


def test_affected_muscles(kg: KnowledgeGraph) -> None:
    assert answer(kg, "affected-muscles", "label") == [
        "foot muscles",
        "gastrocnemius muscle",
        "hamstrings",
        "quadriceps muscle",
    ]


def test_clinical_treatments_with_drugs_and_brands(kg: KnowledgeGraph) -> None:
    result = kg.query(load_question("clinical-treatments").sparql)
    rows = {
        (str(r[1]), str(r[3]) if r[3] else None, str(r[4]) if r[4] else None) for r in result.rows
    }
    assert rows == {
        ("muscle relaxants", "baclofen", "Lioresal"),
        ("muscle relaxants", "carisoprodol", "Soma"),
        ("muscle relaxants", "metaxalone", "Skelaxin"),
        ("physiotherapy", None, None),
        ("rehydration therapy with electrolytes", None, None),
    }


def test_home_remedies_that_prevent_and_that_relieve(kg: KnowledgeGraph) -> None:
    assert answer(kg, "preventive-remedies", "label") == [
        "calf stretching",
        "warm-up before exercise",
    ]
    assert answer(kg, "relieving-remedies", "label") == [
        "analgesics",
        "application of heat",
        "foot flexion",
        "massage",
        "stretching the legs",
    ]


def test_risk_factors_that_are_diseases(kg: KnowledgeGraph) -> None:
    assert answer(kg, "risk-factors-that-are-diseases", "label") == [
        "Addison disease",
        "deep vein thrombosis",
        "motor neuron disease",
        "Parkinson's disease",
        "peripheral vascular disease",
        "polyneuropathy",
        "thyroid problems",
    ]


def test_calf_stretch_is_held_15_to_30_seconds(kg: KnowledgeGraph) -> None:
    result = kg.query(load_question("calf-stretch-duration").sparql)
    assert result.rows == [(Literal(15), Literal(30), Literal("seconds"))]


def test_cramp_lasts_from_seconds_to_over_ten_minutes(kg: KnowledgeGraph) -> None:
    result = kg.query(load_question("cramp-duration").sparql)
    ((minimum, exceeds, unit, quote),) = result.rows
    assert (minimum.toPython(), exceeds.toPython(), str(unit)) == (2, 600, "seconds")
    assert "more than 10 minutes" in str(quote)


def test_relation_evidence_names_source_and_quote(kg: KnowledgeGraph) -> None:
    result = kg.query(load_question("relation-evidence").sparql)
    rows = [tuple(str(v) for v in row) for row in result.rows]
    assert (
        "beta-agonists",
        "may trigger",
        "leg cramp",
        "listed etiology",
        "Young G. Leg cramps. BMJ Clin Evid 2015:1113",
        "Certain drugs (including beta-agonists and potassium-sparing diuretics)",
    ) in rows
    assert (
        "leg cramp",
        "affects",
        "gastrocnemius muscle",
        "location",
        "What is frequent leg cramp? What are its clinical treatments and home remedies?",
        "Leg cramps occur in the gastrocnemius muscle- the muscle of the calf.",
    ) in rows


def test_when_to_see_a_doctor(kg: KnowledgeGraph) -> None:
    assert "cramps that last for a very long time" in answer(kg, "when-to-see-a-doctor", "when")


def test_unknown_example_lists_the_known_ones() -> None:
    with pytest.raises(MedkgError, match="triggering-drugs"):
        load_question("no-such-question")
