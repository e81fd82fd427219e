"""The schema.org JSON-LD export: a MedicalCondition a health web page can embed."""

from __future__ import annotations

import json

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from medkg.export import export_graph
from medkg.graph import KnowledgeGraph

SDO = Namespace("https://schema.org/")
LEG_CRAMP = URIRef("https://w3id.org/medkg/entity/LegCramp")


def document(kg: KnowledgeGraph) -> dict:  # type: ignore[type-arg]
    text = export_graph(kg, "schemaorg", None)
    assert text is not None
    return json.loads(text)


def test_condition_sections(kg: KnowledgeGraph) -> None:
    doc = document(kg)
    assert doc["@context"] == "https://schema.org"
    assert (doc["@type"], doc["name"]) == ("MedicalCondition", "leg cramp")
    assert "Charley horse" in doc["alternateName"]
    assert len(doc["riskFactor"]) == 19
    assert {s["name"] for s in doc["associatedAnatomy"]} == {
        "foot muscles",
        "gastrocnemius muscle",
        "hamstrings",
        "quadriceps muscle",
    }
    assert {p["name"] for p in doc["secondaryPrevention"]} == {
        "calf stretching",
        "warm-up before exercise",
    }
    drugs = {d["name"]: d for d in doc["drug"]}
    assert drugs["baclofen"]["proprietaryName"] == ["Lioresal"]
    assert drugs["metaxalone"]["drugClass"]["name"] == "muscle relaxants"
    assert any(
        c.get("sameAs")
        == [
            "https://doi.org/10.1371/journal.pone.0094910",
            "https://pubmed.ncbi.nlm.nih.gov/24727897",
        ]
        for c in doc["subjectOf"][0]["citation"]
    )
    # The article is what the condition's facts are quoted from; the references are what it cites.
    (article,) = doc["subjectOf"]
    assert (article["@type"], len(article["citation"])) == ("WebPage", 4)
    assert "citation" not in doc, "schema:citation belongs to a CreativeWork, not a condition"
    # Only exact matches become codes: leg cramp has none, Addison disease has ICD-10-CM E27.1.
    assert "code" not in doc
    addison = next(r for r in doc["riskFactor"] if r["name"] == "Addison disease")
    assert {"@type": "MedicalCode", "codeValue": "E27.1", "codingSystem": "ICD-10-CM"} in addison[
        "code"
    ]


def test_is_valid_json_ld(kg: KnowledgeGraph) -> None:
    doc = document(kg)
    # Parse with an inline schema.org vocabulary instead of fetching the remote context.
    doc["@context"] = {"@vocab": "https://schema.org/"}
    graph = Graph().parse(data=json.dumps(doc), format="json-ld")
    assert (LEG_CRAMP, RDF.type, SDO.MedicalCondition) in graph
    assert len(list(graph.objects(LEG_CRAMP, SDO.riskFactor))) == 19
    assert len(list(graph.objects(LEG_CRAMP, SDO.signOrSymptom))) == 7
