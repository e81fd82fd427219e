"""Parsing a user's file never fetches anything, and hostile input fails with a clear error.

Every reference a file could make to the outside points at a local HTTP listener, which must
see no request, or at a secret file in ``tmp_path``, whose content must appear nowhere. The
``*_payload_is_live`` tests prove the listener and the payloads work: plain rdflib (or expat
with external entities switched on) does fetch them, so the safety tests can fail.
"""

from __future__ import annotations

import http.server
import json
import sys
import threading
import time
import xml.sax
import xml.sax.handler
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL
from typer.testing import CliRunner

from medkg.cli import app
from medkg.errors import DataFileError
from medkg.rdfio import parse_file

#: Appears in everything the listener serves and in the secret file: never in a result.
MARKER = "FETCHED-7c1e"
SUBJECT, PREDICATE = URIRef("http://example.org/a"), URIRef("http://example.org/p")
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


class Listener:
    """A local HTTP server that records every request and answers with MARKER content."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 5  # a stuck client must not hang the test session

            def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
                listener.requests.append(self.path)
                if "ctx" in self.path:  # a JSON-LD context
                    body = json.dumps({"@context": {"@vocab": f"http://{MARKER}/"}})
                elif self.path.endswith(".ttl"):  # an ontology to import
                    body = f'<http://{MARKER}/s> <http://{MARKER}/p> "{MARKER}" .'
                else:  # an XML entity's replacement text
                    body = MARKER
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        # Only ever the loopback address, on a port the OS picks.
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join(timeout=5)


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    """A local file that would add MARKER triples if read as a JSON-LD context or entity."""
    path = tmp_path / "secret" / "context.jsonld"
    path.parent.mkdir()
    path.write_text(json.dumps({"@context": {"@vocab": f"http://{MARKER}/"}}), encoding="utf-8")
    return path


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _assert_nothing_leaked(listener: Listener, graph: Graph, message: str = "") -> None:
    assert listener.requests == []
    assert MARKER not in graph.serialize(format="nt")
    assert MARKER not in message


# --- JSON-LD contexts by reference --------------------------------------------------------


def _json_ld_cases(url: str, secret: Path) -> dict[str, tuple[object, int]]:
    """Documents that refer to a context, with the line the reference is on."""
    node = {"@id": str(SUBJECT), "p": "v"}
    return {
        "url": ({"@context": f"{url}/ctx", **node}, 2),
        "url in list": ({"@context": [{"x": "http://x/"}, f"{url}/ctx"], **node}, 6),
        "file uri": ({"@context": secret.as_uri(), **node}, 2),
        "relative path": ({"@context": "secret/context.jsonld", **node}, 2),
        "@import": ({"@context": {"@version": 1.1, "@import": f"{url}/ctx"}, **node}, 4),
        "in node object": ({"@id": str(SUBJECT), "http://q": {"@context": f"{url}/ctx"}}, 4),
        "scoped term": (
            {"@context": {"t": {"@id": "http://t", "@context": f"{url}/ctx"}}, "t": {"p": 1}},
            5,
        ),
        "in @graph": ({"@graph": [{"@context": [f"{url}/ctx"], **node}]}, 5),
        "nested list": ({"@context": [[f"{url}/ctx"]], **node}, 4),
        "context in context": ({"@context": [{"@context": f"{url}/ctx"}], **node}, 4),
    }


CASES = [
    "url", "url in list", "file uri", "relative path", "@import", "in node object",
    "scoped term", "in @graph", "nested list", "context in context",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_json_ld_context_reference_payload_is_live(
    tmp_path: Path, listener: Listener, secret: Path, case: str
) -> None:
    document, _ = _json_ld_cases(listener.url, secret)[case]
    path = _write(tmp_path, "doc.jsonld", json.dumps(document, indent=1))
    graph = Graph().parse(path, format="json-ld")  # plain rdflib, no protection
    assert listener.requests or MARKER in graph.serialize(format="nt")


@pytest.mark.parametrize("case", CASES)
def test_json_ld_context_reference_is_refused(
    tmp_path: Path, listener: Listener, secret: Path, case: str
) -> None:
    document, line = _json_ld_cases(listener.url, secret)[case]
    path = _write(tmp_path, "doc.jsonld", json.dumps(document, indent=1))
    graph = Graph()
    with pytest.raises(DataFileError) as info:
        parse_file(graph, path)
    assert "remote JSON-LD contexts are not fetched" in info.value.message
    assert (info.value.path, info.value.line) == (str(path), line)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert len(graph) == 0
    _assert_nothing_leaked(listener, graph, str(info.value))


def test_inline_json_ld_contexts_still_work(tmp_path: Path) -> None:
    document = {
        "@context": [
            None,
            {
                "ex": "http://example.org/",
                "p": "ex:p",
                "q": {"@id": "ex:q", "@context": {"r": "ex:r"}},
            },
        ],
        "@id": "ex:a",
        "p": "v",
        "q": {"@id": "ex:b", "r": "w"},
    }
    path = _write(tmp_path, "inline.jsonld", json.dumps(document))
    graph = Graph()
    parse_file(graph, path)
    ex = "http://example.org/"
    assert set(graph) == {
        (SUBJECT, PREDICATE, Literal("v")),
        (SUBJECT, URIRef(ex + "q"), URIRef(ex + "b")),
        (URIRef(ex + "b"), URIRef(ex + "r"), Literal("w")),
    }


# --- XML entities and DTDs ----------------------------------------------------------------


def _rdf_xml(doctype: str, value: str) -> str:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:e="http://example.org/">\n'
        f'<rdf:Description rdf:about="{SUBJECT}"><e:p>{value}</e:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


def _xml_cases(url: str, secret: Path) -> dict[str, tuple[str, str]]:
    """Hostile RDF/XML documents and the words their refusal must contain."""
    return {
        "entity by url": (
            _rdf_xml(f'<!DOCTYPE rdf:RDF [\n<!ENTITY x SYSTEM "{url}/xxe">\n]>', "&x;"),
            "XML entities are not supported",
        ),
        "entity by file": (
            _rdf_xml(f'<!DOCTYPE rdf:RDF [\n<!ENTITY x SYSTEM "{secret.as_uri()}">\n]>', "&x;"),
            "XML entities are not supported",
        ),
        "parameter entity": (
            _rdf_xml(f'<!DOCTYPE rdf:RDF [\n<!ENTITY % x SYSTEM "{url}/pe"> %x;\n]>', "v"),
            "XML entities are not supported",
        ),
        "external dtd": (
            _rdf_xml(f'<!DOCTYPE rdf:RDF\nSYSTEM "{url}/dtd">', "&x;"),
            "external DTD",
        ),
    }


@pytest.mark.parametrize("case", ["entity by url", "entity by file"])
def test_xml_external_entity_payload_is_live(
    tmp_path: Path, listener: Listener, secret: Path, case: str
) -> None:
    text, _ = _xml_cases(listener.url, secret)[case]
    seen = StringIO()

    class Collect(xml.sax.handler.ContentHandler):
        def characters(self, content: str) -> None:
            seen.write(content)

    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, True)  # what rdflib leaves off
    parser.setContentHandler(Collect())
    parser.parse(StringIO(text))
    assert listener.requests or MARKER in seen.getvalue()


@pytest.mark.parametrize(
    "case", ["entity by url", "entity by file", "parameter entity", "external dtd"]
)
def test_xml_external_references_are_refused(
    tmp_path: Path, listener: Listener, secret: Path, case: str
) -> None:
    text, words = _xml_cases(listener.url, secret)[case]
    path = _write(tmp_path, "doc.rdf", text)
    graph = Graph()
    with pytest.raises(DataFileError) as info:
        parse_file(graph, path)
    assert words in info.value.message
    assert info.value.line == 3  # the line of the declaration or the DTD's identifier
    assert str(info.value).startswith(f"{path}:{info.value.line}: ")
    assert len(graph) == 0
    _assert_nothing_leaked(listener, graph, str(info.value))


def test_xml_entity_expansion_bomb_is_refused_quickly(tmp_path: Path) -> None:
    # Nine levels of ten: a 10**10-character literal. Plain rdflib takes minutes on this.
    entities = '<!ENTITY a "aaaaaaaaaa">\n' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9)
    )
    path = _write(tmp_path, "laughs.rdf", _rdf_xml(f"<!DOCTYPE rdf:RDF [\n{entities}]>", "&j;"))
    started = time.perf_counter()
    with pytest.raises(DataFileError) as info:
        parse_file(Graph(), path)
    assert time.perf_counter() - started < 1
    assert "XML entities are not supported" in info.value.message
    assert info.value.line == 3


def test_xml_entity_is_refused_whatever_encoding_is_declared(tmp_path: Path) -> None:
    # rdflib has expat read the text as UTF-8 whatever the declaration says; a check that
    # honoured the declared UTF-16 would stumble on the first line and never see the entity.
    text = _rdf_xml('<!DOCTYPE rdf:RDF [\n<!ENTITY x "y">\n]>', "&x;")
    path = _write(tmp_path, "utf16.rdf", text.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>'))
    with pytest.raises(DataFileError) as info:
        parse_file(Graph(), path)
    assert (info.value.line, "XML entities are not supported" in info.value.message) == (3, True)


def test_unreadable_xml_prolog_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "prolog.rdf", _rdf_xml("<!DOCTYPE rdf:RDF [\n<!ELEMENT >\n]>", "v"))
    with pytest.raises(DataFileError) as info:
        parse_file(Graph(), path)
    assert (info.value.line, info.value.message) == (3, "XML error: syntax error")


def test_xml_without_doctype_or_entities_still_parses(tmp_path: Path) -> None:
    path = _write(tmp_path, "plain.rdf", _rdf_xml("<!-- <!ENTITY in a comment> -->", "v &amp; w"))
    graph = Graph()
    parse_file(graph, path)
    assert set(graph) == {(SUBJECT, PREDICATE, Literal("v & w"))}


# --- IRIs that name the listener are data, never fetched ----------------------------------


def _iri_cases(url: str) -> dict[str, str]:
    return {
        "ttl": f"@base <{url}/base/> .\n@prefix x: <{url}/prefix/> .\n<a> x:p <b> .\n"
        f"<a> <{OWL.imports}> <{url}/onto.ttl> .\n",
        "trig": f"@base <{url}/base/> .\n@prefix x: <{url}/prefix/> .\n"
        f"<g> {{ <a> x:p <b> . <a> <{OWL.imports}> <{url}/onto.ttl> . }}\n",
        "nt": f"<{url}/base/a> <{url}/prefix/p> <{url}/base/b> .\n"
        f"<{url}/base/a> <{OWL.imports}> <{url}/onto.ttl> .\n",
        "rdf": f'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:x="{url}/prefix/"'
        f' xmlns:owl="http://www.w3.org/2002/07/owl#" xml:base="{url}/base/">\n'
        f'<rdf:Description rdf:about="a"><x:p rdf:resource="b"/>'
        f'<owl:imports rdf:resource="{url}/onto.ttl"/></rdf:Description>\n</rdf:RDF>\n',
        "jsonld": json.dumps(
            {
                "@context": {"@base": f"{url}/base/", "x": f"{url}/prefix/"},
                "@id": "a",
                "x:p": {"@id": "b"},
                str(OWL.imports): {"@id": f"{url}/onto.ttl"},
            }
        ),
    }


@pytest.mark.parametrize("suffix", ["ttl", "trig", "nt", "rdf", "jsonld"])
def test_base_prefix_and_owl_imports_are_not_followed(
    tmp_path: Path, listener: Listener, suffix: str
) -> None:
    path = _write(tmp_path, f"doc.{suffix}", _iri_cases(listener.url)[suffix])
    graph = Graph()
    parse_file(graph, path)
    base, url = f"{listener.url}/base/", listener.url
    assert set(graph) == {
        (URIRef(base + "a"), URIRef(f"{url}/prefix/p"), URIRef(base + "b")),
        (URIRef(base + "a"), OWL.imports, URIRef(f"{url}/onto.ttl")),
    }
    _assert_nothing_leaked(listener, graph)


# --- deep nesting, encodings --------------------------------------------------------------

DEPTH = 5000

BNODES = "[ <http://p> " * DEPTH + "1" + " ]" * DEPTH
JSON_OBJECTS = '{"http://p": ' * DEPTH + "1" + "}" * DEPTH
DEEP = {
    "blank nodes.ttl": f"<http://a> <http://p> {BNODES} .\n",
    "lists.ttl": "<http://a> <http://p> " + "( " * DEPTH + ")" * DEPTH + " .\n",
    "graph.trig": f"<http://g> {{ <http://a> <http://p> {BNODES} . }}\n",
    "objects.jsonld": f'{{"@id": "http://a", "http://p": {JSON_OBJECTS}}}\n',
    "arrays.jsonld": '{"@id": "http://a", "http://p": ' + "[" * DEPTH + "1" + "]" * DEPTH + "}\n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_a_clear_error(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name.replace(" ", "-"), DEEP[name])
    limit = sys.getrecursionlimit()
    with pytest.raises(DataFileError) as info:
        parse_file(Graph(), path)
    # The message alone: the path holds this test's name, which says "nesting" too.
    assert "nest" in info.value.message
    assert info.value.path == str(path)
    assert sys.getrecursionlimit() == limit


def test_moderate_nesting_still_parses(tmp_path: Path) -> None:
    text = "<http://a> <http://p> " + "[ <http://p> " * 50 + "1" + " ]" * 50 + " .\n"
    path = _write(tmp_path, "fifty.ttl", text)
    graph = Graph()
    parse_file(graph, path)
    assert len(graph) == 51


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "rdf"])
def test_utf8_byte_order_mark_is_accepted(tmp_path: Path, suffix: str) -> None:
    text = {
        "ttl": f'<{SUBJECT}> <{PREDICATE}> "café" .\n',
        "jsonld": json.dumps({"@id": str(SUBJECT), str(PREDICATE): "café"}),
        "rdf": _rdf_xml("", "café"),
    }[suffix]
    path = tmp_path / f"bom.{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    graph = Graph()
    parse_file(graph, path)
    assert set(graph) == {(SUBJECT, PREDICATE, Literal("café"))}


# --- the command line ---------------------------------------------------------------------


def test_cli_refuses_remote_context_in_one_line(tmp_path: Path, listener: Listener) -> None:
    document = {"@context": f"{listener.url}/ctx", "@id": str(SUBJECT), "p": "v"}
    path = _write(tmp_path, "remote.jsonld", json.dumps(document, indent=1))
    result = CliRunner().invoke(app, ["--data", str(path), "info"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert f"{path}:2: " in lines[0]
    assert "Traceback" not in result.output
    assert listener.requests == []
