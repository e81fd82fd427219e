"""N-Triples and N-Quads for the memory store are read by pyoxigraph's linear parser.

The speed itself is measured side by side in benchmarks/ntriples_benchmark.py; here the
test shows which parser runs, so a regression to rdflib's quadratic one cannot go unseen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.plugins.parsers import ntriples

from medkg.rdfio import parse_file


@pytest.fixture()
def no_rdflib_ntriples(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("rdflib's N-Triples parser was used")

    monkeypatch.setattr(ntriples.W3CNTriplesParser, "parse", refuse)


def test_ntriples_are_parsed_by_pyoxigraph(no_rdflib_ntriples: None, tmp_path: Path) -> None:
    path = tmp_path / "long.nt"
    path.write_text(
        f'<http://example.org/s> <http://example.org/p> "{"x" * 4_000_000}" .\n', encoding="utf-8"
    )
    graph = Graph()
    parse_file(graph, path)
    assert len(graph) == 1
    assert len(str(next(iter(graph.objects())))) == 4_000_000


def test_nquads_keep_their_graphs(no_rdflib_ntriples: None, tmp_path: Path) -> None:
    path = tmp_path / "two.nq"
    path.write_text(
        '<http://example.org/s> <http://example.org/p> "a" <http://example.org/g> .\n'
        '<http://example.org/s> <http://example.org/p> "b" .\n',
        encoding="utf-8",
    )
    dataset = Dataset()
    parse_file(dataset, path)
    assert len(list(dataset.quads((None, None, None, None)))) == 2
    merged = Graph()
    parse_file(merged, path)
    assert len(merged) == 2


def test_a_term_beyond_oxigraphs_buffer_still_loads_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.nt"
    path.write_text(
        f'<http://example.org/s> <http://example.org/p> "{"x" * (17 * 1024 * 1024)}" .\n',
        encoding="utf-8",
    )
    graph = Graph()
    parse_file(graph, path)  # falls back to rdflib's parser: slow, but the data loads
    assert len(graph) == 1
