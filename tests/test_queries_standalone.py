"""Every bundled ``.rq`` runs unchanged on Oxigraph's own server, with the pinned answers.

``oxigraph serve`` (the ``oxigraph`` package from PyPI, installed by ``make tools`` into
``.tools/oxigraph``) is started here on 127.0.0.1 with the bundled files. Each query file is
sent as it is, byte for byte: no prefixes are predeclared and no parameter is bound, so a
missing PREFIX line or a parameter without its default in the file fails here. The answers
are checked by the very tests that pin them for the other stores (tests/test_competency.py,
imported below, run again with ``kg`` being the Oxigraph server).
"""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import pytest
from rdflib import Graph
from rdflib.term import Identifier

import medkg
from medkg.competency import list_questions, load_question, set_parameters
from medkg.graph import KnowledgeGraph
from medkg.namespaces import KG
from medkg.query import QueryResult
from medkg.resources import bundled_data_files
from medkg.stores.base import SerializingStore, with_values
from medkg.stores.sparql import _parse_results
from oxigraph_server import DIRECT, running_oxigraph
from system_tools import require_tool
from test_competency import *  # noqa: F403  (the pinned answers, asked of this module's kg)


class OxigraphServer(SerializingStore):
    """Just enough of a store to ask ``oxigraph serve`` a query exactly as the file says."""

    kind = "oxigraph-serve"
    persistent = True

    def __init__(self, url: str) -> None:
        self.url = url

    def post(self, sparql: str) -> bytes:
        request = urllib.request.Request(
            self.url,
            data=sparql.encode("utf-8"),
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
        )
        try:
            with DIRECT.open(request, timeout=120) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"oxigraph serve refused the query: {exc.read()!r}") from None

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        text, rest = set_parameters(sparql, bindings or {})
        return _parse_results(self.post(with_values(text, rest)), self.url)

    def add_file(
        self, path: str | Path, format: str | None = None, *, graph: str | None = None
    ) -> None:
        raise NotImplementedError

    def add_graph(self, graph: Graph) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def graph_names(self) -> list[str]:
        return []

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(str(rows[0][0]))

    def write(self, format: str, stream: IO[bytes]) -> None:
        raise NotImplementedError

    def to_rdflib(self) -> Graph:
        raise NotImplementedError


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    program = require_tool("oxigraph", "oxigraph")
    location = tmp_path_factory.mktemp("oxigraph-serve")
    files = [str(p) for p in bundled_data_files()]
    subprocess.run(
        [program, "load", "--location", str(location), "--file", *files],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with running_oxigraph(program, location) as url:
        yield OxigraphServer(url + "/query")


@pytest.fixture()
def kg(oxigraph_server: OxigraphServer) -> KnowledgeGraph:
    """The competency tests imported above ask this: the Oxigraph server."""
    return KnowledgeGraph(oxigraph_server)


def test_every_file_runs_unchanged_and_matches_the_library(
    oxigraph_server: OxigraphServer,
) -> None:
    library = medkg.load()
    assert len(KnowledgeGraph(oxigraph_server)) == len(library)
    for question in list_questions():
        text = question.path.read_text(encoding="utf-8")
        sent = _parse_results(oxigraph_server.post(text), oxigraph_server.url)
        assert sent.rows == library.query(text).rows, question.name


def test_a_parameter_has_its_default_in_the_file(oxigraph_server: OxigraphServer) -> None:
    text = load_question("treatments-for").path.read_text(encoding="utf-8")
    rows = _parse_results(oxigraph_server.post(text), oxigraph_server.url).rows
    # The pinned answer of tests/test_competency.py (rehydration has two hedges); unbound,
    # ?condition would also match what treats other things.
    assert len(rows) == 10
    condition = {"condition": KG.ResidualSoreness}
    replaced, rest = set_parameters(text, condition)
    assert rest == {}
    other = _parse_results(oxigraph_server.post(replaced), oxigraph_server.url).rows
    assert other == medkg.load().query(text, bindings=condition).rows
    assert other and other != rows


def test_every_parameter_is_a_values_line() -> None:
    for question in list_questions():
        for name, default in question.params.items():
            assert f"VALUES ?{name} {{ {default} }}" in question.sparql, question.name
