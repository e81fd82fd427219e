"""Every schema.org and Biolink term medkg uses exists, in the role it is used in.

schema.org is checked against its release 30.0 (vendored in tests/data/schemaorg, read by
tests/vocabularies.py); Biolink against the Biolink Model 4.2.2 (tests/data/biolink) with
Biolink's own toolkit ``bmt``, which runs in the kgx tools venv through tests/kgx_offline.py.
The terms come from where medkg writes them: the ontology's Turtle (data, mappings and the
comments that name a term), the bundled SPARQL queries, the schema.org JSON-LD export, the
JSON-LD of the server's entity pages, and the KGX export.
"""

from __future__ import annotations

import copy
import csv
import gzip
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from medkg.export import export_graph
from medkg.graph import KnowledgeGraph
from medkg.kgx import EDGE_COLUMNS, NODE_COLUMNS
from system_tools import require_tool
from vocabularies import (
    BIOLINK,
    OFFICIAL_CONTEXT,
    SCHEMA,
    VOCABULARY,
    SchemaOrg,
    iri_roles,
    iri_valued_properties,
    jsonld_problems,
    official_context,
    terms_in_text,
)

HERE = Path(__file__).resolve().parent
ONTOLOGY = HERE.parent / "ontology"
TURTLE = sorted(ONTOLOGY.glob("*.ttl"))
QUERIES = sorted((ONTOLOGY / "queries").glob("*.rq"))

#: Pending schema.org terms medkg uses on purpose, each with why. schema.org 30.0 has no
#: settled property for the value of a code: ``codeValue`` (and its parent ``termCode``) are
#: pending, and schema.org's own MedicalCondition example writes a MedicalCode's value with it.
PENDING_ALLOWED = {"codeValue": "the only schema.org property for a MedicalCode's value"}

#: KGX columns that are not Biolink slots: medkg's own, which KGX carries as extra properties.
#: Each is named so that it cannot be mistaken for a Biolink slot (the test checks none is).
MEDKG_COLUMNS = {
    "duration_text",  # not "duration": Biolink reads that as an alias of timepoint, a point in time
    "skos_close_match",
    "skos_broad_match",
    "skos_narrow_match",
    "skos_related_match",
    "fact_quotes",
    "cited_references",
    "qualifiers_text",
}


@pytest.fixture(scope="module")
def schemaorg() -> SchemaOrg:
    return SchemaOrg()


def _problem(vocab: SchemaOrg, term: str, kind: str = "term") -> str | None:
    problem = vocab.term_problem(term, kind)
    if problem and term in PENDING_ALLOWED and problem.endswith("only pending in schema.org"):
        return None
    return problem


def _schemaorg_doc(kg: KnowledgeGraph) -> dict[str, Any]:
    text = export_graph(kg, "schemaorg", None)
    assert text is not None
    doc: dict[str, Any] = json.loads(text)
    return doc


def _doc_problems(vocab: SchemaOrg, doc: dict[str, Any]) -> list[str]:
    iri_valued = iri_valued_properties(official_context()["@context"])
    return [
        p
        for p in jsonld_problems(doc, vocab, iri_valued)
        if not any(f"schema:{t} is only pending" in p for t in PENDING_ALLOWED)
    ]


# --- schema.org ------------------------------------------------------------------------------


def test_the_vendored_release_is_schemaorg_30(schemaorg: SchemaOrg) -> None:
    # The checksums tests/data/README.md records for the uncompressed files.
    for path, sha256 in (
        (VOCABULARY, "320938f0945d717fc317f822c707f10944e7a7a0097018665a3b95dcf475b39d"),
        (OFFICIAL_CONTEXT, "d8167890b056bc7c71eb39b30cbb4816490d5e671371ba50a5a633d1bc36961a"),
    ):
        assert hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest() == sha256, path
        assert sha256 in (HERE / "data" / "README.md").read_text(encoding="utf-8")
    # Terms every release since 2020 has, and one removed in 2020 that medkg once used.
    assert {"MedicalCondition", "Drug", "Text"} <= schemaorg.classes
    assert "possibleTreatment" in schemaorg.properties
    assert "indication" not in schemaorg.properties


@pytest.mark.parametrize("path", TURTLE, ids=lambda p: p.name)
def test_ontology_schemaorg_terms_exist(schemaorg: SchemaOrg, path: Path) -> None:
    """Each schema.org IRI of the Turtle exists as what it is used as; each one named exists."""
    roles = iri_roles(Graph().parse(path, format="turtle"), SCHEMA)
    problems = [
        problem
        for term, kinds in sorted(roles.items())
        for kind in sorted(kinds)
        if (problem := _problem(schemaorg, term, kind))
    ]
    # Comments and literals that name a term ("schema:duration is for events") too.
    text = path.read_text(encoding="utf-8")
    problems += [p for t in sorted(terms_in_text(text, SCHEMA)) if (p := _problem(schemaorg, t))]
    assert problems == []
    if path.name == "medkg.ttl":
        assert roles["MedicalCondition"] == {"class"} and roles["riskFactor"] == {"property"}


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_query_schemaorg_terms_exist(schemaorg: SchemaOrg, path: Path) -> None:
    terms = terms_in_text(path.read_text(encoding="utf-8"), SCHEMA)
    assert [p for t in sorted(terms) if (p := _problem(schemaorg, t))] == []


def test_schemaorg_export_uses_terms_in_their_domain_and_range(
    schemaorg: SchemaOrg, kg: KnowledgeGraph
) -> None:
    doc = _schemaorg_doc(kg)
    assert _doc_problems(schemaorg, doc) == []
    # The checker saw the whole document: every section of the condition.
    assert {"riskFactor", "drug", "subjectOf", "secondaryPrevention"} <= set(doc)


def test_the_checker_flags_a_tampered_document(schemaorg: SchemaOrg, kg: KnowledgeGraph) -> None:
    """A made-up term, a property outside its domain and a value outside its range all fail."""
    doc = _schemaorg_doc(kg)
    made_up = copy.deepcopy(doc)
    made_up["possibleTreatmentz"] = made_up.pop("possibleTreatment")
    assert any(
        "possibleTreatmentz is not a property" in p for p in _doc_problems(schemaorg, made_up)
    )

    wrong_domain = copy.deepcopy(doc)
    wrong_domain["citation"] = wrong_domain["subjectOf"][0]["citation"]
    problems = _doc_problems(schemaorg, wrong_domain)
    assert any("citation on MedicalCondition, outside its domain" in p for p in problems), problems

    wrong_range = copy.deepcopy(doc)
    wrong_range["riskFactor"][0]["@type"] = "Muscle"
    wrong_range["drug"][0]["drugClass"] = "muscle relaxants"
    problems = _doc_problems(schemaorg, wrong_range)
    assert any("riskFactor[0]: a " in p and "outside riskFactor's range" in p for p in problems)
    assert any("drugClass[0]: a Text value, outside drugClass's range" in p for p in problems)

    wrong_type = copy.deepcopy(doc)
    wrong_type["@type"] = "riskFactor"
    problems = _doc_problems(schemaorg, wrong_type)
    assert any("schema:riskFactor is a property, not a class" in p for p in problems), problems


def test_the_checker_flags_removed_and_superseded_terms(schemaorg: SchemaOrg) -> None:
    assert schemaorg.term_problem("indication", "property") is not None  # removed in 2020
    assert schemaorg.term_problem("DatedMoneySpecification") == (
        "schema:DatedMoneySpecification is superseded in schema.org"
    )


def test_entity_pages_embed_only_existing_schemaorg_terms(
    schemaorg: SchemaOrg, kg: KnowledgeGraph
) -> None:
    """The JSON-LD a server entity page embeds (what ``?format=jsonld`` sends) for every entity."""
    from medkg.entities import all_entities
    from medkg.server.linked_data import entity_graph

    used: dict[str, set[str]] = {}
    for iri in all_entities(kg):
        text = entity_graph(kg, iri).serialize(format="json-ld")
        for term, kinds in iri_roles(Graph().parse(data=text, format="json-ld"), SCHEMA).items():
            used.setdefault(term, set()).update(kinds)
    assert {"url", "author"} <= set(used)
    assert [
        p for t, kinds in sorted(used.items()) for k in kinds if (p := _problem(schemaorg, t, k))
    ] == []


# --- Biolink ---------------------------------------------------------------------------------


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


def _biolink_uses(kg: KnowledgeGraph, folder: Path) -> list[dict[str, str]]:
    """Every use of a Biolink term: where it is, the term, and the role it is used in."""
    uses: list[dict[str, str]] = []
    role_of = {"class": "class", "property": "slot", "term": "term"}
    for path in TURTLE:
        roles = iri_roles(Graph().parse(path, format="turtle"), BIOLINK)
        for term, kinds in sorted(roles.items()):
            uses += [{"where": path.name, "term": term, "role": role_of[k]} for k in sorted(kinds)]
        for term in sorted(terms_in_text(path.read_text(encoding="utf-8"), BIOLINK)):
            uses.append({"where": f"{path.name} (text)", "term": term, "role": "term"})
    nodes, edges = _read(folder / "nodes.tsv"), _read(folder / "edges.tsv")
    for column in (*NODE_COLUMNS, *EDGE_COLUMNS):
        if column not in MEDKG_COLUMNS:
            uses.append({"where": "KGX column", "term": column, "role": "slot"})
    for node in nodes:
        for category in node["category"].split("|"):
            uses.append({"where": f"node {node['id']}", "term": category, "role": "category"})
    for edge in edges:
        where = f"edge {edge['id']}"
        uses.append({"where": where, "term": edge["predicate"], "role": "predicate"})
        uses.append({"where": where, "term": edge["category"], "role": "association"})
        for slot in ("knowledge_level", "agent_type"):
            for value in edge[slot].split("|"):
                uses.append({"where": where, "term": value, "role": "enum value", "slot": slot})
    # The values the records hold, including any the export would not reach.
    for prop, slot in (
        ("medkg:knowledgeLevel", "knowledge_level"),
        ("medkg:agentType", "agent_type"),
    ):
        for (value,) in kg.query(f"SELECT DISTINCT ?v WHERE {{ ?r {prop} ?v }}").rows:
            uses.append({"where": prop, "term": str(value), "role": "enum value", "slot": slot})
    # One entry per distinct use: bmt's answer does not depend on where.
    distinct = {json.dumps({k: v for k, v in u.items() if k != "where"}): u for u in uses}
    return list(distinct.values())


def _bmt_terms(folder: Path, uses: list[dict[str, str]]) -> dict[str, Any]:
    python = require_tool("kgx", "python")
    terms = folder / "biolink-terms.json"
    terms.write_text(json.dumps(uses), encoding="utf-8")
    result = subprocess.run(
        [python, str(HERE / "kgx_offline.py"), "bmt-terms", str(terms)],
        cwd=folder,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["version"] == "4.2.2"
    return report


@pytest.fixture(scope="module")
def kgx_folder(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vocab-kgx") / "out"
    export_graph(kg, "kgx", out)
    return out


def test_every_biolink_term_exists_in_its_role(kg: KnowledgeGraph, kgx_folder: Path) -> None:
    uses = _biolink_uses(kg, kgx_folder)
    roles = {u["role"] for u in uses}
    assert roles == {"class", "slot", "term", "category", "association", "predicate", "enum value"}
    report = _bmt_terms(kgx_folder, uses)
    assert report["checked"] == len(uses)
    assert report["problems"] == []


def test_medkg_columns_are_not_biolink_slots(kgx_folder: Path) -> None:
    """The columns medkg adds are its own; were one a Biolink slot, it should be checked as one."""
    uses = [{"where": "KGX column", "term": c, "role": "term"} for c in sorted(MEDKG_COLUMNS)]
    report = _bmt_terms(kgx_folder, uses)
    assert len(report["problems"]) == len(MEDKG_COLUMNS), report["problems"]


def test_bmt_flags_made_up_and_misused_terms(kgx_folder: Path) -> None:
    """The check fails where it should: a made-up term, an alias, a wrong role or enum value."""
    tampered = [
        {"term": "biolink:has_preventative_intervention", "role": "predicate"},  # not in 4.2.2
        {"term": "duration", "role": "slot"},  # an alias of timepoint, not a slot's name
        {"term": "biolink:Disease", "role": "predicate"},
        {"term": "biolink:has_phenotype", "role": "category"},
        {"term": "biolink:Association", "role": "category"},
        {"term": "biolink:Disease", "role": "association"},
        {"term": "biolink:ChemicalOrDrugOrTreatment", "role": "category"},  # a mixin
        {"term": "knowledge_assertionz", "role": "enum value", "slot": "knowledge_level"},
        {"term": "manual_agent", "role": "enum value", "slot": "knowledge_level"},
    ]
    uses = [{**u, "where": "tampered"} for u in tampered]
    report = _bmt_terms(kgx_folder, uses)
    flagged = {p["term"] + " " + p["role"] for p in report["problems"]}
    assert flagged == {u["term"] + " " + u["role"] for u in tampered}, report["problems"]
    fine = [
        {"where": "fine", "term": "biolink:condition_prevented_by", "role": "predicate"},
        {
            "where": "fine",
            "term": "knowledge_assertion",
            "role": "enum value",
            "slot": "knowledge_level",
        },
    ]
    assert _bmt_terms(kgx_folder, fine)["problems"] == []


def test_graph_uses_schemaorg_properties_in_their_domain_and_range(
    schemaorg: SchemaOrg, kg: KnowledgeGraph
) -> None:
    """The schema.org properties of the data (sources' URLs and authors, durations' bounds)."""
    from vocabularies import graph_problems

    graph = kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").graph
    assert graph is not None
    problems, text_for_thing = graph_problems(graph, schemaorg)
    assert problems == []
    # Authors are names, not Person nodes: schema.org accepts text where a Thing is expected.
    assert text_for_thing == {"author"}


def test_the_graph_checker_flags_misused_properties(schemaorg: SchemaOrg) -> None:
    from vocabularies import graph_problems

    tampered = Graph().parse(
        data="""
        @prefix schema: <https://schema.org/> . @prefix medkg: <https://w3id.org/medkg/schema/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        medkg:Drug skos:exactMatch schema:Drug .
        <urn:x:a> a medkg:Drug ; schema:minValue 3 ; schema:riskFactor <urn:x:b> .
        <urn:x:b> a schema:Muscle .
        <urn:x:q> a schema:QuantitativeValue ; schema:maxValue "many" .
        """,
        format="turtle",
    )
    problems, _ = graph_problems(tampered, schemaorg)
    assert len(problems) == 4, problems
    assert any("schema:minValue" in p and "outside the domain" in p for p in problems)
    assert any("schema:riskFactor <urn:x:b>: a ['AnatomicalStructure'" in p for p in problems)
    assert any("schema:maxValue" in p and "['Text'] value outside the range" in p for p in problems)
