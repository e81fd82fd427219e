"""Exports: every format round-trips or reads back, writes are atomic, errors are one line."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from typer.testing import CliRunner

import medkg.export
from medkg import ExportError, KnowledgeGraph, UnknownFormatError, load
from medkg.cli import app
from medkg.datasets import SCHEMA_GRAPH
from medkg.export import FORMATS, export_graph
from medkg.namespaces import KG
from system_tools import require_program

PREVIOUS = b"# the previous export, which a failed export must leave alone\n"

#: (medkg format, rdflib parser, rapper syntax or None, parsed as a dataset)
RDF_FORMATS = [
    pytest.param("turtle", "turtle", "turtle", False, id="turtle"),
    pytest.param("nt", "nt", "ntriples", False, id="nt"),
    pytest.param("jsonld", "json-ld", None, False, id="jsonld"),
    pytest.param("xml", "xml", "rdfxml", False, id="xml"),
    pytest.param("trig", "trig", "trig", True, id="trig"),
    pytest.param("nquads", "nquads", "nquads", True, id="nquads"),
]


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return load()


def _read_back(path: Path, parser: str, is_dataset: bool) -> Graph:
    """Parse an export; for quad formats, return the union of all its graphs."""
    if not is_dataset:
        return Graph().parse(path, format=parser)
    dataset = Dataset()
    dataset.parse(path, format=parser)
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


# ---------------------------------------------------------------- RDF formats


@pytest.mark.parametrize(("name", "parser", "syntax", "is_dataset"), RDF_FORMATS)
def test_rdf_export_round_trips(
    kg: KnowledgeGraph,
    store_kg: KnowledgeGraph,
    tmp_path: Path,
    name: str,
    parser: str,
    syntax: str | None,
    is_dataset: bool,
) -> None:
    # Every store exports the very triples the bundled files hold (kg is the memory store).
    target = tmp_path / f"medkg.{name}"
    assert export_graph(store_kg, name, target) == target.resolve()
    back = _read_back(target, parser, is_dataset)
    assert len(back) == len(kg.graph)
    assert isomorphic(back, kg.graph)


@pytest.mark.parametrize(("name", "parser", "syntax", "is_dataset"), RDF_FORMATS)
def test_rapper_reads_every_triple(
    kg: KnowledgeGraph,
    store_kg: KnowledgeGraph,
    tmp_path: Path,
    name: str,
    parser: str,
    syntax: str | None,
    is_dataset: bool,
) -> None:
    if syntax is None:
        pytest.skip("rapper (Raptor) has no JSON-LD parser")
    rapper = require_program("rapper", "raptor2-utils")
    target = tmp_path / f"medkg.{name}"
    export_graph(store_kg, name, target)
    done = subprocess.run(
        [rapper, "-i", syntax, "-c", str(target)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"returned {len(kg.graph)} triples" in done.stderr


def test_trig_names_one_graph_per_file_as_the_stores_do(kg: KnowledgeGraph, tmp_path: Path) -> None:
    target = tmp_path / "medkg.trig"
    export_graph(kg, "trig", target)
    dataset = Dataset()
    dataset.parse(target, format="trig")
    sizes = {
        str(g.identifier): len(g)
        for g in dataset.graphs()
        if g.identifier != DATASET_DEFAULT_GRAPH_ID
    }
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    assert sizes == {str(g): int(str(n)) for g, n in kg.query(per_graph).rows}
    assert sorted(sizes) == sorted([SCHEMA_GRAPH, medkg.export.NAMED_GRAPH])
    assert sum(sizes.values()) == len(kg.graph)


@pytest.mark.parametrize("alias", ["ttl", "TTL", "json-ld"])
def test_aliases(kg: KnowledgeGraph, alias: str) -> None:
    text = export_graph(kg, alias, None)
    assert text is not None
    parser = "json-ld" if "json" in alias else "turtle"
    assert isomorphic(Graph().parse(data=text, format=parser), kg.graph)


def test_unknown_format_lists_the_known_names(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        export_graph(kg, "docx", None)
    assert all(name in str(caught.value) for name in FORMATS)


# ---------------------------------------------------------------- network formats


def test_graphml_reads_back_with_the_same_counts(kg: KnowledgeGraph, tmp_path: Path) -> None:
    nx = pytest.importorskip("networkx")
    target = tmp_path / "medkg.graphml"
    export_graph(kg, "graphml", target)
    # Without force_multigraph, networkx returns a DiGraph and drops the edge keys.
    back = nx.read_graphml(target, force_multigraph=True)
    network = kg.to_networkx()
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    leg_cramp = back.nodes[str(KG.LegCramp)]
    assert leg_cramp["label"] == "leg cramp"
    assert "Charley horse" in leg_cramp["synonyms"].split("|")
    (edge,) = [
        d
        for d in back.get_edge_data(str(KG.BetaAgonists), str(KG.LegCramp)).values()
        if d["predicate"] == "medkg:mayTrigger"
    ]
    assert json.loads(edge["evidence"])[0]["source_curie"] == "kg:Young2015"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_folder_has_nodes_and_edges(kg: KnowledgeGraph, tmp_path: Path) -> None:
    """The Neo4j-format CSV (its header grammar and tools: tests/test_neo4j_csv.py)."""
    folder = tmp_path / "csv"
    export_graph(kg, "csv", folder)
    assert sorted(p.name for p in folder.iterdir()) == ["edges.csv", "nodes.csv"]
    nodes, edges = _rows(folder / "nodes.csv"), _rows(folder / "edges.csv")
    (affects,) = [
        e
        for e in edges
        if e[":TYPE"] == "affects" and e[":END_ID"] == "UBERON:0001388"  # gastrocnemius
    ]
    assert affects["supporting_text:string[]"] == (
        "Leg cramps occur in the gastrocnemius muscle- the muscle of the calf."
    )
    ids = {n["id:ID"] for n in nodes}
    assert all(e[":START_ID"] in ids and e[":END_ID"] in ids for e in edges)


def test_csv_needs_an_output_folder(kg: KnowledgeGraph) -> None:
    with pytest.raises(ExportError, match="give an output folder"):
        export_graph(kg, "csv", None)


# ---------------------------------------------------------------- atomic writes


def test_export_replaces_the_file_and_keeps_its_mode(kg: KnowledgeGraph, tmp_path: Path) -> None:
    target = tmp_path / "medkg.ttl"
    target.write_bytes(PREVIOUS)
    target.chmod(0o640)
    export_graph(kg, "turtle", target)
    assert target.read_bytes() != PREVIOUS
    assert target.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["medkg.ttl"]


def test_failing_serialiser_leaves_the_previous_file(
    kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "medkg.ttl"
    target.write_bytes(PREVIOUS)

    def half_then_fail(self: Graph, destination: IO[bytes], **_: Any) -> None:
        destination.write(b"@prefix kg: <https://w3id.org/medkg/entity/> .\nkg:LegCr")
        raise RuntimeError("serialiser broke midway")

    monkeypatch.setattr(Graph, "serialize", half_then_fail)
    with pytest.raises(RuntimeError, match="midway"):
        export_graph(kg, "turtle", target)
    assert target.read_bytes() == PREVIOUS
    assert os.listdir(tmp_path) == ["medkg.ttl"], "the temporary file was removed"


def test_failing_csv_export_leaves_the_previous_folder(
    kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "nodes.csv").write_bytes(PREVIOUS)
    (folder / "edges.csv").write_bytes(PREVIOUS)

    def nodes_then_fail(kg: KnowledgeGraph, staging: Path) -> None:
        (staging / "nodes.csv").write_text("id,label\n", encoding="utf-8")
        raise RuntimeError("writer broke between the two files")

    import dataclasses

    from medkg import formats

    csv = formats.resolve("csv")
    monkeypatch.setitem(
        formats._REGISTRY, "csv", dataclasses.replace(csv, folder_writer=nodes_then_fail)
    )
    with pytest.raises(RuntimeError, match="between"):
        export_graph(kg, "csv", folder)
    assert (folder / "nodes.csv").read_bytes() == PREVIOUS
    assert (folder / "edges.csv").read_bytes() == PREVIOUS
    assert os.listdir(tmp_path) == ["csv"], "the staging folder was removed"


_KILLED_EXPORT = textwrap.dedent(
    """
    import os, sys, time
    import medkg
    from medkg.export import export_graph

    def stall(fd):
        # The whole export is in the temporary file now; stop here until killed.
        print("writing", flush=True)
        time.sleep(120)

    os.fsync = stall
    export_graph(medkg.load(), "turtle", sys.argv[1])
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_killed_export_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "medkg.ttl"
    target.write_bytes(PREVIOUS)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_EXPORT, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip() == "writing", child.stderr.read() if child.stderr else ""
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    assert target.read_bytes() == PREVIOUS
    # The killed export was writing, but into a temporary file beside the target.
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert len(leftovers) == 1
    assert leftovers[0].read_text(encoding="utf-8").startswith("@prefix")


# ---------------------------------------------------------------- unwritable targets


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write to, even root (via the immutable flag) where possible."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    chattr = shutil.which("chattr")
    immutable = False
    if os.access(folder, os.W_OK):  # root ignores permission bits
        if chattr:
            done = subprocess.run([chattr, "+i", str(folder)], capture_output=True)
            immutable = done.returncode == 0
        if not immutable:
            folder.chmod(0o755)
            pytest.skip("running as root without chattr +i: cannot make a read-only folder")
    yield folder
    if immutable and chattr:
        subprocess.run([chattr, "-i", str(folder)], check=True)
    folder.chmod(0o755)


@pytest.fixture(params=["missing-folder", "read-only-folder"])
def unwritable(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "missing-folder":
        return tmp_path / "no-such-folder" / "medkg.ttl"
    folder: Path = request.getfixturevalue("read_only_folder")
    return folder / "medkg.ttl"


def test_unwritable_target_raises_export_error(kg: KnowledgeGraph, unwritable: Path) -> None:
    with pytest.raises(ExportError) as caught:
        export_graph(kg, "turtle", unwritable)
    message = str(caught.value)
    assert str(unwritable) in message
    assert "\n" not in message
    assert not unwritable.exists()


def test_cli_reports_an_unwritable_target_in_one_line(unwritable: Path) -> None:
    result = CliRunner().invoke(app, ["export", "--format", "turtle", "--output", str(unwritable)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(unwritable) in lines[0]
    assert "Traceback" not in result.output
    assert not unwritable.exists()


def test_cli_unknown_format_lists_the_known_names() -> None:
    result = CliRunner().invoke(app, ["export", "--format", "docx"])
    assert result.exit_code == 2, result.output
    assert "docx" in result.output
    assert all(name in result.output for name in FORMATS)
    assert "Traceback" not in result.output


def test_cli_exports_turtle_to_stdout(kg: KnowledgeGraph) -> None:
    result = CliRunner().invoke(app, ["export"])
    assert result.exit_code == 0, result.output
    assert isomorphic(Graph().parse(data=result.stdout, format="turtle"), kg.graph)


def test_cli_writes_a_file_and_says_where(kg: KnowledgeGraph, tmp_path: Path) -> None:
    target = tmp_path / "medkg.nt"
    result = CliRunner().invoke(app, ["export", "-F", "nt", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert str(target) in result.stderr
    assert isomorphic(Graph().parse(target, format="nt"), kg.graph)
