"""The schema.org JSON-LD export: a MedicalCondition a health web page can embed."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from medkg.export import export_graph
from medkg.graph import KnowledgeGraph
from medkg.schemaorg import IRI_VALUED_TERMS, SCHEMAORG_VOCAB, document_keys

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


# --- --inline-context: the same triples, read offline -----------------------------------------


def _official_context() -> dict:  # type: ignore[type-arg]
    from vocabularies import official_context

    return official_context()


def _refuse(url: str, options: object = None) -> None:
    raise AssertionError(f"the JSON-LD processor tried to fetch {url}")


def _official_loader(url: str, options: object = None) -> dict:  # type: ignore[type-arg]
    """What https://schema.org serves as its context, from the vendored 30.0 copy; nothing else."""
    if url.rstrip("/") != "https://schema.org":
        _refuse(url)
    return {"contextUrl": None, "documentUrl": url, "document": _official_context()}


def _pyld_graph(doc: dict, loader: object) -> Graph:  # type: ignore[type-arg]
    from pyld import jsonld

    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
    return Graph().parse(data=nquads, format="nquads")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No name lookup, no connection: a processor that tried to fetch a context would fail."""

    def refuse(*args: object) -> None:
        raise AssertionError(f"tried to reach the network: {args[1:]}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)  # a name lookup comes first
    monkeypatch.setattr(socket.socket, "connect", refuse)


def _inline(kg: KnowledgeGraph) -> dict:  # type: ignore[type-arg]
    text = export_graph(kg, "schemaorg", None, inline_context=True)
    assert isinstance(text, str)
    return json.loads(text)


def test_inline_context_reads_offline_as_the_remote_one(kg: KnowledgeGraph, offline: None) -> None:
    inline = _inline(kg)
    assert isinstance(inline["@context"], dict)
    assert "https://schema.org" not in json.dumps(inline["@context"])
    # The reference: the default export, its remote context served from schema.org's own file.
    reference = _pyld_graph(document(kg), _official_loader)
    assert len(reference) > 300
    assert (URIRef(LEG_CRAMP), RDF.type, URIRef("http://schema.org/MedicalCondition")) in reference
    by_pyld = _pyld_graph(inline, _refuse)
    by_rdflib = Graph().parse(data=json.dumps(inline), format="json-ld")
    assert isomorphic(by_pyld, reference)
    assert isomorphic(by_rdflib, reference)
    # The block holds: the default export cannot be read here without schema.org's context.
    with pytest.raises(AssertionError, match="tried to"):
        Graph().parse(data=json.dumps(document(kg)), format="json-ld")
    # IRI-valued terms are IRIs, as schema.org's context makes them, not strings.
    same_as = set(by_rdflib.objects(None, URIRef("http://schema.org/sameAs")))
    assert URIRef("https://pubmed.ncbi.nlm.nih.gov/24727897") in same_as


def test_inline_context_of_several_conditions(tmp_path: Path, offline: None) -> None:
    """Two conditions make an ``@graph``; the inline context still reads as the remote one."""
    from medkg import load

    addition = tmp_path / "second.ttl"
    addition.write_text(
        "@prefix kg: <https://w3id.org/medkg/entity/> .\n"
        "@prefix medkg: <https://w3id.org/medkg/schema/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'kg:FixtureCondition a medkg:Condition ; rdfs:label "fixture condition" .\n'
        "kg:Baclofen medkg:mayTrigger kg:FixtureCondition .\n",
        encoding="utf-8",
    )
    two = load([addition])
    inline = _inline(two)
    assert len(inline["@graph"]) == 2
    reference = _pyld_graph(document(two), _official_loader)
    assert isomorphic(_pyld_graph(inline, _refuse), reference)
    assert isomorphic(Graph().parse(data=json.dumps(inline), format="json-ld"), reference)


def test_inline_context_is_the_official_definition_of_each_term(kg: KnowledgeGraph) -> None:
    """Each term the export writes means in the inline context what schema.org's context says."""
    official = _official_context()["@context"]
    inline = _inline(kg)
    context = inline["@context"]
    assert context["@vocab"] == official["@vocab"] == SCHEMAORG_VOCAB
    keys = document_keys({k: v for k, v in inline.items() if k != "@context"})
    terms = {k for k in keys if not k.startswith("@")}
    for term in sorted(terms):
        definition = dict(official[term])
        definition["@id"] = definition["@id"].replace("schema:", official["schema"], 1)
        if term in IRI_VALUED_TERMS:
            assert context[term] == definition, term
        else:
            assert definition == {"@id": SCHEMAORG_VOCAB + term}, term
    # Minimal: nothing but the vocabulary and the coercions the document needs.
    assert set(context) == {"@vocab"} | (terms & IRI_VALUED_TERMS)
    assert terms >= IRI_VALUED_TERMS


def test_inline_context_with_another_format_is_refused(kg: KnowledgeGraph, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from medkg.cli import app

    out = tmp_path / "out.ttl"
    result = CliRunner().invoke(
        app, ["export", "--format", "turtle", "--inline-context", "--output", str(out)]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --inline-context is for --format schemaorg, not turtle"
    ]
    assert not out.exists()
    ok = CliRunner().invoke(app, ["export", "--format", "schemaorg", "--inline-context"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["@context"]["@vocab"] == SCHEMAORG_VOCAB


@pytest.mark.parametrize("name", ["page.jsonld", "page.json", "page.schema.json"])
def test_a_schemaorg_document_may_be_written_to_a_json_ld_file(tmp_path: Path, name: str) -> None:
    # A schema.org document is JSON-LD: naming the format and a .jsonld file is no clash.
    from typer.testing import CliRunner

    from medkg.cli import app

    out = tmp_path / name
    result = CliRunner().invoke(app, ["export", "--format", "schemaorg", "--output", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "MedicalCondition"
    # Without --format, .jsonld still means the whole graph as JSON-LD.
    whole = tmp_path / "graph.jsonld"
    assert CliRunner().invoke(app, ["export", "--output", str(whole)]).exit_code == 0
    assert len(Graph().parse(whole, format="json-ld")) > 1000
