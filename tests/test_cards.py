"""Entity cards: names, identifiers, facts and every relation with its evidence."""

from __future__ import annotations

from medkg.cards import entity_card
from medkg.graph import KnowledgeGraph


def test_leg_cramp_card(kg: KnowledgeGraph) -> None:
    card = entity_card(kg.graph, kg.entity("charley horse"))
    ids = {(x.match, x.curie) for x in card.external_ids}
    assert ("broad", "mesh:D009120") in ids
    assert ("narrow", "icd10cm:G47.62") in ids
    assert all(x.iri.startswith(("http://", "https://")) for x in card.external_ids)
    facts = {f.property_label: f.value for f in card.facts}
    assert facts["episode duration"] == "from 2 to more than 600 seconds"
    assert facts["resolves spontaneously"] == "true"
    out = {(r.predicate_label, r.other_label) for r in card.outgoing}
    assert ("affects", "gastrocnemius muscle") in out
    assert ("occurs during", "night") in out
    incoming = {(r.predicate_label, r.other_label) for r in card.incoming}
    assert ("may trigger", "Addison disease") in incoming
    assert ("prevents", "warm-up before exercise") in incoming
    assert all(r.evidence for r in card.outgoing + card.incoming), "every relation has evidence"


def test_drug_card_shows_brand_and_evidence(kg: KnowledgeGraph) -> None:
    card = entity_card(kg.graph, kg.entity("Skelaxin"))
    assert card.entity.brand_names == ["Skelaxin"]
    (membership,) = card.outgoing
    assert (membership.predicate, membership.other) == ("medkg:memberOf", "kg:MuscleRelaxants")
    (evidence,) = membership.evidence
    assert evidence["quote"] == "These muscle relaxants include Lioresal, Soma, and Skelaxin"
    assert evidence["source_curie"] == "kg:Behringer2014"


def test_calf_stretch_card_has_instructions_and_hold(kg: KnowledgeGraph) -> None:
    card = entity_card(kg.graph, kg.entity("calf stretching"))
    values = [f.value for f in card.facts]
    assert "15–30 seconds" in values
    assert sum(1 for f in card.facts if f.property == "medkg:instruction") == 4
