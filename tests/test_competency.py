"""The bundled competency questions give exactly the answers the article supports."""

from __future__ import annotations

import pytest
from rdflib.term import Literal

from medkg.competency import list_questions, load_question
from medkg.errors import MedkgError
from medkg.graph import KnowledgeGraph
from medkg.namespaces import KG


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


def rows_of(kg: KnowledgeGraph, name: str, *columns: str) -> list[tuple[str, ...]]:
    """The answer as text tuples of *columns*, sorted (stores order ties differently).

    A parameterised question is asked about leg cramps.
    """
    question = load_question(name)
    bindings = {param: KG.LegCramp for param in question.params}
    result = kg.query(question.sparql, bindings=bindings)
    picked = [result.variables.index(c) for c in columns]
    return sorted(
        tuple(str(row[i]) if row[i] is not None else "" for i in picked) for row in result.rows
    )


def test_drugs_that_may_trigger(kg: KnowledgeGraph) -> None:
    assert answer(kg, "triggering-drugs", "label") == [
        "beta-agonists",
        "certain drugs",
        "potassium-sparing diuretics",
    ]
    # The article prints reference 2 after its list of etiologies.
    assert set(answer(kg, "triggering-drugs", "cited")) == {"reference 2"}


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
    # Reference 2 is cited for the list (not checked); the caveat above the list comes along.
    assert set(answer(kg, "listed-etiologies", "cited")) == {
        "https://w3id.org/medkg/entity/Young2015"
    }
    assert set(answer(kg, "listed-etiologies", "caveat")) == {
        "Very little is known about leg cramps and their etiologies."
    }


def test_affected_muscles(kg: KnowledgeGraph) -> None:
    assert answer(kg, "affected-muscles", "label") == [
        "foot muscles",
        "gastrocnemius muscle",
        "hamstrings",
        "quadriceps muscle",
    ]
    assert rows_of(kg, "affected-muscles", "label", "qualifier") == [
        ("foot muscles", ""),
        ("gastrocnemius muscle", "usually"),
        ("hamstrings", "can also"),
        ("quadriceps muscle", "can also"),
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
    assert rows_of(kg, "preventive-remedies", "label", "qualifier", "cited") == [
        ("calf stretching", "", "no reference cited here"),
        ("warm-up before exercise", "studies have shown", "reference 4"),
    ]
    # Where the curator's "relieves" differs from the article's own words, they come along.
    assert rows_of(kg, "relieving-remedies", "label", "qualifier", "articleWording") == [
        ("analgesics", "can also", ""),
        ("application of heat", "", "Home Remedies for Leg Cramps Prevention"),
        ("foot flexion", "", "help prevent that cramp"),
        ("massage", "", "help prevent that cramp"),
        ("stretching the legs", "", "help prevent that cramp"),
    ]


def test_treatments_with_the_article_hedges(kg: KnowledgeGraph) -> None:
    assert rows_of(kg, "treatments-for", "label", "how", "qualifier") == [
        ("application of heat", "relieves", ""),
        ("calf stretching", "prevents", ""),
        ("foot flexion", "relieves", ""),
        ("massage", "relieves", ""),
        ("muscle relaxants", "treats", "might"),
        ("physiotherapy", "treats", "might"),
        ("rehydration therapy with electrolytes", "treats", "might"),
        ("rehydration therapy with electrolytes", "treats", "would surely"),
        ("stretching the legs", "relieves", ""),
        ("warm-up before exercise", "prevents", "studies have shown"),
    ]


def test_risk_factors_with_hedge_and_citation(kg: KnowledgeGraph) -> None:
    rows = rows_of(kg, "risk-factors-of", "label", "qualifier", "cited")
    assert len(rows) == 20
    assert ("dehydration", "in most cases", "reference 3") in rows
    assert ("electrolyte imbalance", "", "reference 2") in rows
    assert ("electrolyte imbalance", "in most cases", "reference 3") in rows
    assert {r[2] for r in rows} == {"reference 2", "reference 3"}


def test_symptoms_with_the_reference_cited(kg: KnowledgeGraph) -> None:
    assert rows_of(kg, "symptoms", "label", "cited") == [
        ("excruciating pain", "reference 1"),
        ("feeling of paralysis", "reference 1"),
        ("increasing tightness", "no reference cited here"),
        ("lump under the skin of the calf", "no reference cited here"),
        ("muscle soreness after a cramp", "reference 4"),
        ("muscle stiffness", "reference 1"),
        ("muscle tightening", "no reference cited here"),
    ]


def test_caveats_and_negative_statements(kg: KnowledgeGraph) -> None:
    assert rows_of(kg, "caveats", "quote", "negated", "cited", "claims") == [
        (
            "It is important to note that there is still no reasonable scientific reason "
            "available for leg cramps.",
            "true",
            "reference 1",
            "20",
        ),
        (
            "Usually, there isn’t need for medical treatment for leg cramps.",
            "true",
            "no reference cited here",
            "3",
        ),
        (
            "Very little is known about leg cramps and their etiologies.",
            "false",
            "no reference cited here",
            "18",
        ),
        (
            "he might choose one of the following treatment options",
            "false",
            "no reference cited here",
            "3",
        ),
        (
            "no medications are available to specifically treat frequently occurring muscle cramps",
            "true",
            "no reference cited here",
            "1",
        ),
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
    assert result.rows == [(Literal(15), Literal(30), Literal("seconds"), Literal("reference 4"))]


def test_cramp_lasts_from_seconds_to_over_ten_minutes(kg: KnowledgeGraph) -> None:
    result = kg.query(load_question("cramp-duration").sparql)
    ((lower, exceeds, unit, qualifier, quote),) = result.rows
    # "a couple of seconds" as the article says it, not an invented 2 s; and its "may".
    assert (str(lower), exceeds.toPython(), str(unit)) == ("a couple of seconds", 600, "seconds")
    assert str(qualifier) == "may"
    assert "more than 10 minutes" in str(quote)


def test_relation_evidence_names_quote_citation_and_hedge(kg: KnowledgeGraph) -> None:
    result = kg.query(load_question("relation-evidence").sparql)
    rows = [tuple(str(v) for v in row) for row in result.rows]
    assert len(rows) == 51
    assert (
        "beta-agonists",
        "may trigger",
        "leg cramp",
        "",
        "listed etiology",
        "Certain drugs (including beta-agonists and potassium-sparing diuretics)",
        "Etiologies of Leg Cramps",
        "reference 2 (Young G. Leg cramps. BMJ Clin Evid 2015:1113)",
        "reference 2 not checked for this",
    ) in rows
    assert (
        "leg cramp",
        "occurs during",
        "night",
        "typically",
        "occurrence",
        "Typically, these cramps occur at night.",
        "What is a leg cramp?",
        "reference 1 (How to Stop Leg Cramps: Treatment and Remedies for Relief)",
        "reference 1 not checked for this",
    ) in rows
    assert (
        "leg cramp",
        "affects",
        "gastrocnemius muscle",
        "",
        "location",
        "Leg cramps occur in the gastrocnemius muscle- the muscle of the calf.",
        "What is a leg cramp?",
        "no reference cited here",
        "",
    ) in rows
    # No row says a reference was checked: none was.
    assert not [r for r in rows if r[8].startswith("checked in")]


def test_when_to_see_a_doctor(kg: KnowledgeGraph) -> None:
    assert "cramps that last for a very long time" in answer(kg, "when-to-see-a-doctor", "when")
    assert set(answer(kg, "when-to-see-a-doctor", "cited")) == {"no reference cited here"}


def test_unknown_example_lists_the_known_ones() -> None:
    with pytest.raises(MedkgError, match="triggering-drugs"):
        load_question("no-such-question")
