"""Entity cards: names, identifiers, facts and every relation with its evidence."""

from __future__ import annotations

from medkg.cards import entity_card
from medkg.graph import KnowledgeGraph


def test_leg_cramp_card(kg: KnowledgeGraph) -> None:
    card = entity_card(kg, kg.entity("charley horse"))
    ids = {(x.match, x.curie) for x in card.external_ids}
    assert ("broad", "mesh:D009120") in ids
    assert ("narrow", "icd10cm:G47.62") in ids
    assert ("related", "icd10cm:R25.2") in ids, "R25.2 excludes charley-horse in ICD-10-CM"
    assert all(x.iri.startswith(("http://", "https://")) for x in card.external_ids)
    facts = {f.property_label: f.value for f in card.facts}
    # The article's "a couple of seconds", not an invented 2 s.
    assert facts["episode duration"] == "from a couple of seconds to more than 600 seconds"
    assert facts["resolves spontaneously"] == "true"
    out = {(r.predicate_label, r.other_label) for r in card.outgoing}
    assert ("affects", "gastrocnemius muscle") in out
    assert ("occurs during", "night") in out
    hedges = {r.other_label: r.qualifiers for r in card.outgoing}
    assert hedges["night"] == ["typically"] and hedges["rest"] == ["often"]
    assert hedges["pregnancy"] == ["can also"]
    resolves = next(f for f in card.facts if f.property == "medkg:resolvesSpontaneously")
    assert resolves.qualifiers == ["in most cases"] and resolves.evidence
    incoming = {(r.predicate_label, r.other_label) for r in card.incoming}
    assert ("may trigger", "Addison disease") in incoming
    assert ("prevents", "warm-up before exercise") in incoming
    assert all(r.evidence for r in card.outgoing + card.incoming), "every relation has evidence"


def test_drug_card_shows_brand_and_evidence(kg: KnowledgeGraph) -> None:
    card = entity_card(kg, kg.entity("Skelaxin"))
    assert card.entity.brand_names == ["Skelaxin"]
    (membership,) = card.outgoing
    assert (membership.predicate, membership.other) == ("medkg:memberOf", "kg:MuscleRelaxants")
    (evidence,) = membership.evidence
    assert evidence["quote"] == "These muscle relaxants include Lioresal, Soma, and Skelaxin"
    # The article is what is quoted; reference 3 is only cited there, and nobody checked it.
    assert evidence["source_curie"] == "kg:LegCrampArticle"
    assert [(r["number"], r["curie"]) for r in evidence["cited"]] == [(3, "kg:Behringer2014")]
    assert evidence["supported_by"] == []
    assert evidence["section"] == "Clinical Treatments of Leg Cramps"


def test_calf_stretch_card_has_instructions_and_hold(kg: KnowledgeGraph) -> None:
    card = entity_card(kg, kg.entity("calf stretching"))
    values = [f.value for f in card.facts]
    assert "15–30 seconds" in values
    assert sum(1 for f in card.facts if f.property == "medkg:instruction") == 4


def test_muscle_relaxants_card_sets_the_caveats_against_the_treatment(kg: KnowledgeGraph) -> None:
    card = entity_card(kg, kg.entity("muscle relaxants"))
    treats = next(r for r in card.outgoing if r.predicate == "medkg:treats")
    (item,) = treats.evidence
    caveats = {c["quote"]: c["negated"] for c in item["caveats"]}
    assert caveats[
        "no medications are available to specifically treat frequently occurring muscle cramps"
    ]
    assert caveats["Usually, there isn’t need for medical treatment for leg cramps."]
    assert caveats["he might choose one of the following treatment options"] is False


def test_heat_card_keeps_the_article_wording(kg: KnowledgeGraph) -> None:
    card = entity_card(kg, kg.entity("application of heat"))
    (relieves,) = [r for r in card.outgoing if r.predicate == "medkg:relieves"]
    (item,) = relieves.evidence
    assert item["article_wording"] == "Home Remedies for Leg Cramps Prevention"
    assert "soothes pain" in (item["editorial_note"] or "")


def test_entity_page_says_the_citation_and_the_hedge(kg: KnowledgeGraph) -> None:
    """The server's entity page shows the same words as the card (rendered, not served)."""
    from medkg.server.pages import entity_page

    page = entity_page(entity_card(kg, kg.entity("leg cramp")), explore=False)
    assert 'occurs during <span class="qualifier">(typically)</span>' in page
    assert (
        "citing reference 1 (How to Stop Leg Cramps: Treatment and Remedies for Relief); "
        "reference 1 was not checked for this." in page
    )
    assert "But the article also says “Very little is known about leg cramps" in page
    assert 'Cited here: <a href="/entity/Young2015">' in page
