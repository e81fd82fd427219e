"""KGX TSV export, checked by kgx 2.7 itself (validate, transform) and Biolink's bmt.

kgx and bmt run in their own venv (tools/kgx.txt) through tests/kgx_offline.py, which
points them at the Biolink files vendored in tests/data/biolink and refuses any socket that
is not loopback.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

from medkg.export import export_graph
from medkg.graph import KnowledgeGraph
from medkg.kgx import (
    DECLARED_PREFIXES,
    EDGE_COLUMNS,
    EQUIVALENT_PREFIXES,
    NODE_COLUMNS,
    SINGLE_VALUED,
    XREF_PREFIXES,
)
from system_tools import require_tool

HERE = Path(__file__).resolve().parent
BIOLINK = HERE / "data" / "biolink"
Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def folder(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kgx") / "out"
    export_graph(kg, "kgx", out)
    return out


def _read(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


@pytest.fixture(scope="module")
def nodes(folder: Path) -> Rows:
    return _read(folder / "nodes.tsv")


@pytest.fixture(scope="module")
def edges(folder: Path) -> Rows:
    return _read(folder / "edges.tsv")


def _kgx(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    python = require_tool("kgx", "python")
    env = {**os.environ, "MEDKG_KGX_PREFIXES": str(folder / "prefixes.jsonld")}
    return subprocess.run(
        [python, str(HERE / "kgx_offline.py"), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_required_columns(nodes: Rows, edges: Rows, kg: KnowledgeGraph) -> None:
    assert tuple(nodes[0]) == NODE_COLUMNS and tuple(edges[0]) == EDGE_COLUMNS
    for node in nodes:
        assert node["id"] and node["category"].startswith("biolink:"), node
    for edge in edges:
        for column in ("subject", "predicate", "object", "knowledge_level", "agent_type"):
            assert edge[column], (column, edge)
    assert len(nodes) == kg.to_networkx().number_of_nodes()
    assert len(edges) == kg.to_networkx().number_of_edges()


def test_ids_are_standard_curies_or_the_declared_prefix(nodes: Rows, edges: Rows) -> None:
    context = json.loads((BIOLINK / "context-2.2.5.jsonld").read_text())["@context"]
    known = set(context) | set(DECLARED_PREFIXES)
    ids = [n["id"] for n in nodes]
    assert len(set(ids)) == len(ids)
    assert all(i.split(":", 1)[0] in known for i in ids), ids
    by_iri = {n["iri"]: n for n in nodes}
    assert by_iri["https://w3id.org/medkg/entity/AddisonDisease"]["id"] == "MONDO:0015129"
    assert by_iri["https://w3id.org/medkg/entity/LegCramp"]["id"].startswith(("MEDKG:", "HP:"))
    edge_ids = [e["id"] for e in edges]
    assert len(set(edge_ids)) == len(edge_ids)
    assert all(i.startswith("urn:uuid:") for i in edge_ids)
    assert all(e["subject"] in ids and e["object"] in ids for e in edges)


def test_prefixes_are_the_ones_biolink_uses(folder: Path) -> None:
    """Every CURIE prefix the export writes means in Biolink's context what it means to us."""
    context = json.loads((BIOLINK / "context-2.2.5.jsonld").read_text())["@context"]
    for base, prefix in XREF_PREFIXES.items():
        entry = context[prefix]
        assert (entry if isinstance(entry, str) else entry["@id"]) == base, prefix
    assert all(prefix in context for prefix in EQUIVALENT_PREFIXES.values())
    declared = json.loads((folder / "prefixes.jsonld").read_text())["@context"]
    assert declared["MEDKG"]["@id"] == "https://w3id.org/medkg/entity/"
    assert not set(declared) & {"MEDKG", "medkg"} & set(context)


def test_single_valued_fields_hold_no_separator(nodes: Rows, edges: Rows) -> None:
    """A `|` in a single-valued field would be read as a list separator by kgx."""
    for row in (*nodes, *edges):
        for column in SINGLE_VALUED & set(row):
            assert "|" not in row[column], (column, row[column])
    names = {n["name"] for n in nodes}
    assert "Muscle Spasms / Charley Horse / MedlinePlus" in names


def test_exact_and_other_matches_stay_apart(nodes: Rows, kg: KnowledgeGraph) -> None:
    rows = kg.query(
        "SELECT ?e ?t WHERE { ?e skos:closeMatch ?t . ?e a ?c . ?c rdfs:subClassOf* medkg:Entity }"
    ).rows
    by_iri = {n["iri"]: n for n in nodes}
    assert rows
    for entity, target in rows:
        node = by_iri[str(entity)]
        close = node["skos_close_match"].split("|")
        assert any(str(target).endswith(c.split(":", 1)[-1]) for c in close), (entity, target)
        assert not any(
            str(target).endswith(x.split(":", 1)[-1]) for x in node["xref"].split("|") if x
        )
    baclofen = by_iri["https://w3id.org/medkg/entity/Baclofen"]
    assert "DRUGBANK:DB00181" in baclofen["xref"].split("|")
    assert "Lioresal" in baclofen["trade_name"].split("|")


def test_sources_are_nodes_with_bibliographic_data(nodes: Rows) -> None:
    by_iri = {n["iri"]: n for n in nodes}
    behringer = by_iri["https://w3id.org/medkg/entity/Behringer2014"]
    assert behringer["category"] == "biolink:Article"
    assert behringer["id"] == "PMID:24727897"
    assert "Behringer, M." in behringer["authors"].split("|")
    assert behringer["creation_date"] == "2014-04-11"
    assert behringer["url"]
    article = by_iri["https://w3id.org/medkg/entity/LegCrampArticle"]
    assert article["authors"] == "Wen Dan Jiang"


def test_literal_facts_keep_their_duration_and_evidence(nodes: Rows) -> None:
    by_iri = {n["iri"]: n for n in nodes}
    cramp = by_iri["https://w3id.org/medkg/entity/LegCramp"]
    assert "600" in cramp["duration_text"] and "seconds" in cramp["duration_text"]
    stretch = by_iri["https://w3id.org/medkg/entity/CalfStretch"]
    assert "15 to 30 seconds" in stretch["duration_text"]
    baclofen = by_iri["https://w3id.org/medkg/entity/Baclofen"]
    assert "Lioresal" in baclofen["fact_quotes"]


def test_no_treats_edge_and_no_unchecked_publication(edges: Rows, kg: KnowledgeGraph) -> None:
    assert not [e for e in edges if e["predicate"] == "biolink:treats"]
    checked = kg.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?r medkg:supportedBy ?s ; medkg:supportNote ?note }"
    ).rows[0][0]
    if int(str(checked)) == 0:
        assert not [e for e in edges if e["publications"]]
    treats = {e["predicate"] for e in edges if e["original_predicate"] == "medkg:treats"}
    assert treats <= {"biolink:treats_or_applied_or_studied_to_treat"}
    triggers = [e for e in edges if e["original_predicate"] == "medkg:mayTrigger"]
    assert len(triggers) == 19
    assert {e["predicate"] for e in triggers} == {"biolink:contributes_to"}


def test_knowledge_level_is_read_from_the_record(kg: KnowledgeGraph, tmp_path: Path) -> None:
    from medkg import load

    addition = tmp_path / "level.ttl"
    addition.write_text(
        "@prefix medkg: <https://w3id.org/medkg/schema/> .\n"
        "@prefix ev: <https://w3id.org/medkg/evidence/> .\n"
        "@prefix kg: <https://w3id.org/medkg/entity/> .\n"
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "ev:FixtureLevel a medkg:Evidence ; rdf:subject kg:Baclofen ;"
        " rdf:predicate medkg:memberOf ; rdf:object kg:MuscleRelaxants ;"
        ' medkg:knowledgeLevel "observation" ; medkg:agentType "text_mining_agent" .\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    export_graph(load([addition]), "kgx", out)
    (edge,) = [
        e
        for e in _read(out / "edges.tsv")
        if e["original_predicate"] == "medkg:memberOf" and e["subject"] == "RXNORM:1292"
    ]
    assert set(edge["knowledge_level"].split("|")) >= {"observation"}
    assert "text_mining_agent" in edge["agent_type"]


def test_kgx_validate_passes(folder: Path) -> None:
    result = _kgx(folder, "kgx", "validate", "-i", "tsv", "nodes.tsv", "edges.tsv")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ERROR" not in result.stdout, result.stdout[-3000:]


@pytest.mark.parametrize("output_format", ["nt", "jsonl"])
def test_kgx_transform_keeps_every_iri(folder: Path, nodes: Rows, output_format: str) -> None:
    result = _kgx(
        folder, "kgx", "transform", "-i", "tsv", "-f", output_format, "-o",
        f"out.{output_format}", "nodes.tsv", "edges.tsv",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    if output_format == "nt":
        text = (folder / "out.nt").read_text(encoding="utf-8")
        subjects = {line.split(" ", 1)[0] for line in text.splitlines() if line}
        for node in nodes:
            if node["id"].startswith("MEDKG:"):
                assert f"<{node['iri']}>" in subjects, node["id"]
        assert "UNKNOWN/MEDKG" not in text and "UNKNOWN/kg:" not in text
        assert "UNKNOWN/medkg:" not in text
    else:
        written = [
            json.loads(line) for line in (folder / "out.jsonl_nodes.jsonl").read_text().splitlines()
        ]
        assert {n["id"] for n in written} == {n["id"] for n in nodes}
        assert {n["iri"] for n in written} == {n["iri"] for n in nodes}


def test_every_edge_fits_biolink_domain_and_range(folder: Path) -> None:
    result = _kgx(folder, "bmt-edges", "edges.tsv", "nodes.tsv")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["version"] == "4.2.2"
    assert report["problems"] == []


def test_kgx_needs_a_folder(kg: KnowledgeGraph) -> None:
    from medkg.errors import ExportError

    with pytest.raises(ExportError, match="give an output folder"):
        export_graph(kg, "kgx", None)
