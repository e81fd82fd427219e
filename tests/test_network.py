"""The networkx view: entities as nodes, relations as edges, evidence and literals as attributes."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Literal
from rdflib.namespace import OWL, RDF

from medkg import KnowledgeGraph, load
from medkg.entities import all_entities, compact
from medkg.namespaces import EV, KG, MEDKG
from medkg.network import to_networkx
from medkg.stats import graph_stats

pytest.importorskip("networkx")


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return load()


@pytest.fixture(scope="module")
def network(kg: KnowledgeGraph) -> Any:
    return to_networkx(kg)


def test_one_node_per_entity(kg: KnowledgeGraph, network: Any) -> None:
    entities = {str(e) for e in all_entities(kg.graph)}
    assert network.number_of_nodes() == len(entities)
    assert set(network.nodes) == entities


def test_one_edge_per_relation_between_entities(kg: KnowledgeGraph, network: Any) -> None:
    # graph_stats counts the same relations with its own SPARQL query.
    expected = sum(graph_stats(kg).relations_per_property.values())
    assert network.number_of_edges() == expected


def test_evidence_records_and_literals_are_not_nodes(kg: KnowledgeGraph, network: Any) -> None:
    evidence = {str(e) for e in kg.graph.subjects(RDF.type, MEDKG.Evidence)}
    assert evidence, "the graph has evidence records"
    assert not evidence & set(network.nodes)
    assert not [n for n in network.nodes if n.startswith(str(EV))]
    literals = {str(o) for o in kg.graph.objects() if isinstance(o, Literal)}
    assert not literals & set(network.nodes)


def test_beta_agonists_may_trigger_leg_cramp_with_evidence(network: Any) -> None:
    edges = network.get_edge_data(str(KG.BetaAgonists), str(KG.LegCramp))
    assert edges is not None
    edge = edges["medkg:mayTrigger"]
    assert edge["predicate"] == "medkg:mayTrigger"
    assert edge["label"] == "may trigger"
    assert {
        "quote": "Certain drugs (including beta-agonists and potassium-sparing diuretics)",
        "section": "Etiologies of Leg Cramps",
        "source": "What is frequent leg cramp? What are its clinical treatments and home remedies?",
        "source_curie": "kg:LegCrampArticle",
        "claim": "listed etiology",
        "evidence_code": "ECO:0000304",
        "supported_by": [],
    }.items() <= edge["evidence"][0].items()
    # The article cites reference 2 there: a citation, not checked support.
    assert [(r["number"], r["curie"]) for r in edge["evidence"][0]["cited"]] == [
        (2, "kg:Young2015")
    ]


def test_every_edge_is_an_object_property_with_evidence(kg: KnowledgeGraph, network: Any) -> None:
    properties = {compact(str(p)) for p in kg.graph.subjects(RDF.type, OWL.ObjectProperty)}
    for source, target, key, data in network.edges(keys=True, data=True):
        assert key == data["predicate"]
        assert key in properties
        assert data["evidence"], f"{source} {key} {target} has no evidence record"
        assert all(item["quote"] and item["source"] for item in data["evidence"])


def test_leg_cramp_node_attributes(network: Any) -> None:
    node = network.nodes[str(KG.LegCramp)]
    assert node["label"] == "leg cramp"
    assert node["curie"] == "kg:LegCramp"
    assert "Charley horse" in node["synonyms"]
    assert node["kind"] == "medkg:Condition"
    assert "medkg:Condition" in node["types"]
    assert node["definition"]
    assert "http://purl.obolibrary.org/obo/HP_0003394" in node["external_ids"]


@pytest.mark.parametrize(
    ("entity", "kind"),
    [
        pytest.param(KG.BetaAgonists, "medkg:DrugClass", id="drug-class-before-risk-factor"),
        pytest.param(KG.AddisonDisease, "medkg:RiskFactor", id="risk-factor-before-disease"),
        pytest.param(KG.Baclofen, "medkg:Drug", id="drug"),
        pytest.param(KG.Gastrocnemius, "medkg:Muscle", id="muscle"),
    ],
)
def test_kind_follows_the_documented_precedence(network: Any, entity: str, kind: str) -> None:
    assert network.nodes[str(entity)]["kind"] == kind


def test_method_on_knowledge_graph_delegates(kg: KnowledgeGraph, network: Any) -> None:
    again = kg.to_networkx()
    assert set(again.nodes) == set(network.nodes)
    assert again.number_of_edges() == network.number_of_edges()
