"""Reading the user's RDF files: every format, and errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from medkg.errors import DataFileError, UnknownFormatError
from medkg.graph import load
from medkg.rdfio import guess_input_format, parse_file

TRIPLE = URIRef("https://w3id.org/medkg/entity/X"), URIRef("http://e/p"), URIRef("http://e/o")

GOOD = {
    "ttl": "<https://w3id.org/medkg/entity/X> <http://e/p> <http://e/o> .\n",
    "nt": "<https://w3id.org/medkg/entity/X> <http://e/p> <http://e/o> .\n",
    "rdf": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:e="http://e/">\n<rdf:Description rdf:about="https://w3id.org/medkg/entity/X">'
        '<e:p rdf:resource="http://e/o"/></rdf:Description>\n</rdf:RDF>\n'
    ),
    "jsonld": '{"@id": "https://w3id.org/medkg/entity/X", "http://e/p": {"@id": "http://e/o"}}\n',
    "trig": "<http://e/g> { <https://w3id.org/medkg/entity/X> <http://e/p> <http://e/o> . }\n",
    "nq": "<https://w3id.org/medkg/entity/X> <http://e/p> <http://e/o> <http://e/g> .\n",
}


@pytest.mark.parametrize("suffix", sorted(GOOD))
def test_every_input_format_merges(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"mine.{suffix}"
    path.write_text(GOOD[suffix], encoding="utf-8")
    graph = Graph()
    parse_file(graph, path)
    assert set(graph) == {TRIPLE}


BAD = {
    "ttl": ('@prefix e: <http://e/> .\ne:a e:b e:c .\ne:a e:b "unterminated .\n', 3),
    "nt": ('<http://a> <http://b> <http://c> .\n\n<http://a> <http://b> "x .\n', 3),
    "rdf": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<oops>\n</rdf:RDF>\n',
        4,
    ),
    "jsonld": ('{"@id": "http://a",\n "http://b": }\n', 2),
    "trig": ("<http://e/g> {\n<http://a> <http://b> .\n}\n", 2),
    "nq": ("<http://a> <http://b> <http://c> <http://g> .\n<http://a> <http://b> .\n", 2),
}


@pytest.mark.parametrize("suffix", sorted(BAD))
def test_malformed_files_name_file_and_line(tmp_path: Path, suffix: str) -> None:
    text, line = BAD[suffix]
    path = tmp_path / f"bad.{suffix}"
    path.write_text(text, encoding="utf-8")
    graph = Graph()
    with pytest.raises(DataFileError) as info:
        parse_file(graph, path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert len(graph) == 0, "a failed parse must leave the target graph untouched"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file"):
        load([tmp_path / "absent.ttl"])


def test_non_utf8_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes(b'<http://a> <http://b> <http://c> .\n<http://a> <http://b> "caf\xe9" .\n')
    with pytest.raises(DataFileError) as info:
        parse_file(Graph(), path)
    assert (info.value.line, info.value.message) == (2, "is not UTF-8 text")


def test_format_names_and_extensions() -> None:
    assert guess_input_format("a.owl") == "xml"
    assert guess_input_format("a.data", "N-Triples") == "nt"
    with pytest.raises(DataFileError, match="cannot tell the RDF format"):
        guess_input_format("a.csv")
    with pytest.raises(UnknownFormatError, match="turtle"):
        guess_input_format("a.ttl", "yaml")


def test_extra_files_merge_into_the_bundled_graph(tmp_path: Path) -> None:
    path = tmp_path / "mine.ttl"
    path.write_text(GOOD["ttl"], encoding="utf-8")
    kg = load([path])
    assert TRIPLE in kg.graph
    assert len(kg) == len(load()) + 1
    assert kg.files[-1] == path
