"""One engine for every feature: no command copies the store into rdflib, on any store.

Each command runs once on the memory store (the reference) and once on each other store
with the stores' ``to_rdflib`` made to fail, so a feature that reads around the store's
SPARQL engine is caught; the answers must be the same. A counting proxy between medkg and a
real Oxigraph server checks that what a command downloads is bounded by what it shows.
"""

from __future__ import annotations

import http.server
import shutil
import socketserver
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import IsomorphicGraph, to_isomorphic
from typer.testing import CliRunner

from conftest import STORES, store_spec
from medkg.cli import app
from medkg.namespaces import NAMED_GRAPH
from medkg.stores.oxigraph import OxigraphStore
from medkg.stores.sparql import SparqlStore
from oxigraph_server import running_oxigraph
from system_tools import require_tool

ROOT = Path(__file__).resolve().parents[1]

# Commands whose every read goes through kg.query.
COMMANDS = [
    pytest.param(["search", "charlie horse"], id="search"),
    pytest.param(["search", "baclofen"], id="search-brand"),
    pytest.param(["show", "kg:Baclofen"], id="show"),
    pytest.param(["show", "muscle relaxants"], id="show-caveats"),
    pytest.param(["path", "beta-agonists", "calf stretch"], id="path"),
    pytest.param(["export", "--format", "graphml"], id="export-graphml"),
    pytest.param(["export", "--format", "turtle"], id="export-turtle"),
    pytest.param(["export", "--format", "nt"], id="export-nt"),
    pytest.param(["export", "--format", "nquads"], id="export-nquads"),
    pytest.param(["export", "--format", "schemaorg"], id="export-schemaorg"),
]

RDF_EXPORTS = ("turtle", "nt", "nquads", "trig", "xml", "jsonld")


def _forbid_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object) -> None:
        raise AssertionError(f"{self!r} was copied into rdflib")

    monkeypatch.setattr(OxigraphStore, "to_rdflib", refuse)
    monkeypatch.setattr(SparqlStore, "to_rdflib", refuse)


def _run_everywhere(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    runner: CliRunner,
    store: str,
    command: list[str],
) -> None:
    spec = store_spec(request, store)
    expected = runner.invoke(app, command)
    assert expected.exit_code == 0, expected.output
    _forbid_copies(monkeypatch)
    got = runner.invoke(app, ["--store", spec, *command])
    assert got.exception is None or isinstance(got.exception, SystemExit), got.exception
    assert got.exit_code == 0, got.output
    if command[0] == "export" and command[-1] in RDF_EXPORTS:
        # Same triples; each engine writes them in its own order and layout.
        assert _triples(got.stdout, command[-1]) == _triples(expected.stdout, command[-1])
    else:
        assert got.stdout == expected.stdout


def _triples(text: str, format: str) -> IsomorphicGraph:
    dataset = Dataset()
    dataset.parse(data=text, format=format)
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    # Blank nodes (owl:unionOf lists) get new names in each export: compare up to renaming.
    return to_isomorphic(union)


@pytest.mark.parametrize("store", [s for s in STORES if s != "memory"])
@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_copies_the_store(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    runner: CliRunner,
    store: str,
    command: list[str],
) -> None:
    _run_everywhere(request, monkeypatch, runner, store, command)


def test_search_and_show_find_the_users_own_vocabulary(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "mesh.ttl"
    data.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix schema: <https://schema.org/> .\n"
        "<http://id.nlm.nih.gov/mesh/D009120> a skos:Concept ;\n"
        '    skos:prefLabel "Muscle Cramp"@en ; skos:altLabel "Muscle Spasm Cramp" .\n'
        '<http://example.org/drug/quinine> a schema:Drug ; schema:name "Quinine sulfate" .\n',
        encoding="utf-8",
    )
    store = f"oxigraph:{tmp_path / 'store'}"
    loaded = runner.invoke(app, ["--store", store, "load", str(data)])
    assert loaded.exit_code == 0, loaded.output
    assert (tmp_path / "store.labels.sqlite").is_file()  # the label index, beside the store
    found = runner.invoke(app, ["--store", store, "search", "quinine sulphate"])
    assert found.exit_code == 0, found.output
    assert "Quinine sulfate" in found.stdout
    shown = runner.invoke(app, ["--store", store, "search", "muscle spasm cramps"])
    assert "Muscle Cramp" in shown.stdout


def test_the_label_index_follows_the_store(runner: CliRunner, tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'store'}"
    assert runner.invoke(app, ["--store", store, "load"]).exit_code == 0
    missing = runner.invoke(app, ["--store", store, "search", "zebrafish cramp"])
    assert "zebrafish" not in missing.stdout.casefold()
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        '<http://example.org/Z> <http://www.w3.org/2000/01/rdf-schema#label> "zebrafish cramp" .\n',
        encoding="utf-8",
    )
    assert runner.invoke(app, ["--store", store, "load", str(extra)]).exit_code == 0
    found = runner.invoke(app, ["--store", store, "search", "zebrafish cramp"])
    assert "zebrafish cramp" in found.stdout


# ---------------------------------------------------------------- bounded remote use


class _CountingProxy(http.server.BaseHTTPRequestHandler):
    """Forward every request to the server, counting the bytes that come back."""

    target = ""
    received = 0

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = urllib.request.Request(
            type(self).target + self.path,
            data=body,
            headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 - loopback
            data = answer.read()
            status, headers = answer.status, answer.headers
        type(self).received += len(data)
        self.send_response(status)
        self.send_header("Content-Type", headers.get("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server holding the bundled graph plus 50,000 synthetic triples."""
    oxigraph = require_tool("oxigraph", "oxigraph")
    folder = tmp_path_factory.mktemp("oxigraph-server")
    synthetic = folder / "synthetic.nt"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), "50000", str(synthetic)],
        check=True,
    )
    triples = folder / "graph.nt"
    exported = CliRunner().invoke(
        app, ["--data", str(synthetic), "export", "--format", "nt", "--output", str(triples)]
    )
    assert exported.exit_code == 0, exported.output
    db = folder / "db"
    # All of it in the one graph the store reads, as `medkg push` leaves it (an N-Quads export
    # keeps each --data file in its own graph, which the store would not see).
    subprocess.run(
        [oxigraph, "load", "--location", str(db), "--file", str(triples), "--graph", NAMED_GRAPH],
        check=True,
    )
    try:
        with running_oxigraph(oxigraph, db, read_only=True) as url:
            yield url
    finally:
        shutil.rmtree(db, ignore_errors=True)


@pytest.fixture()
def proxy(oxigraph_server: str) -> Iterator[type[_CountingProxy]]:
    handler = type("Proxy", (_CountingProxy,), {"target": oxigraph_server, "received": 0})
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        handler.url = f"http://127.0.0.1:{server.server_address[1]}/query"  # type: ignore[attr-defined]
        yield handler
        server.shutdown()


# What each command shows on the 50,000-triple graph, and what it may download for it: a few
# kilobytes of JSON results per entity or relation shown, against 7 MB for the whole graph.
# kg:SynCondition18 is a synthetic condition with 24 relations (the issue's "entity with 20
# relations": its card must transfer < 100 KB).
REMOTE_COMMANDS = [
    pytest.param(["search", "baclofen"], ["baclofen"], 100_000, id="search"),
    pytest.param(["search", "charlie horse"], ["leg cramp"], 100_000, id="search-typo"),
    pytest.param(["show", "kg:Baclofen"], ["member of muscle relaxants"], 100_000, id="show"),
    pytest.param(
        ["show", "kg:SynCondition18"], ["recurrent imbalance 18"], 100_000, id="show-20-relations"
    ),
    pytest.param(
        ["path", "beta-agonists", "calf stretch"], ["prevented by"], 100_000, id="path-via-hub"
    ),
    pytest.param(
        ["viz", "--focus", "kg:Baclofen", "--depth", "1"], ["2 entities"], 100_000, id="viz"
    ),
    pytest.param(
        ["viz", "--focus", "kg:SynCondition18", "--depth", "1"],
        ["25 entities, 24 relations"],
        200_000,
        id="viz-24-relations",
    ),
]


@pytest.mark.parametrize(("command", "shown", "bound"), REMOTE_COMMANDS)
def test_remote_commands_download_only_what_they_show(
    runner: CliRunner,
    proxy: type[_CountingProxy],
    tmp_path: Path,
    command: list[str],
    shown: list[str],
    bound: int,
) -> None:
    store = "sparql:" + proxy.url  # type: ignore[attr-defined]
    output = ["--output", str(tmp_path / "page.html")] if command[0] == "viz" else []
    got = runner.invoke(app, ["--store", store, *command, *output])
    assert got.exit_code == 0, got.output
    for text in shown:
        assert text in got.output
    if command == ["show", "kg:SynCondition18"]:
        relations = [line for line in got.stdout.splitlines() if line.startswith(("  →", "  ←"))]
        assert len(relations) == 24, got.stdout
    assert 0 < proxy.received < bound, proxy.received
