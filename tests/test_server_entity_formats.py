"""Entity pages: the export's format names, <link rel="alternate">, the embedded JSON-LD."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from test_server import EVIL_TTL, Server, start_server

FORMATS = {  # ?format= value → (media type, rdflib parser), as medkg export names them
    "turtle": ("text/turtle", "turtle"),
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "ntriples": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "json-ld": ("application/ld+json", "json-ld"),
    "xml": ("application/rdf+xml", "xml"),
    "rdfxml": ("application/rdf+xml", "xml"),
}


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: list[dict[str, str]] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "link" and attributes.get("rel") == "alternate":
            self.alternates.append(attributes)
        self._in_jsonld = tag == "script" and attributes.get("type") == "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("entity") / "evil.ttl"
    data.write_text(EVIL_TTL, encoding="utf-8")
    yield from start_server("--data", str(data), "serve", "--port", "0", "--workers", "1")


def _rdf(server: Server, name: str, format: str) -> Graph:
    media, parser = FORMATS[format]
    response = server.get(f"entity/{name}", params={"format": format})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    return Graph().parse(data=response.content, format=parser)


@pytest.mark.slow
@pytest.mark.parametrize("format", FORMATS)
def test_every_export_format_name_works(server: Server, format: str) -> None:
    assert isomorphic(_rdf(server, "Baclofen", format), _rdf(server, "Baclofen", "turtle"))
    assert len(_rdf(server, "Baclofen", format)) > 10


@pytest.mark.slow
def test_the_page_links_its_rdf_forms_and_embeds_its_json_ld(server: Server) -> None:
    page = server.get("entity/Baclofen", headers={"Accept": "text/html"}).text
    head = _Head()
    head.feed(page.split("</head>")[0])
    linked = {(a["type"], a["href"]) for a in head.alternates}
    assert {t for t, _ in linked} == {
        "text/turtle",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-triples",
    }
    for media, href in linked:
        response = server.get("entity/Baclofen" + href)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
    assert len(head.jsonld) == 1
    embedded = Graph().parse(data=head.jsonld[0], format="json-ld")
    assert isomorphic(embedded, _rdf(server, "Baclofen", "jsonld"))


@pytest.mark.slow
def test_markup_in_the_data_cannot_end_the_embedded_json_ld(server: Server) -> None:
    page = server.get("entity/Evil", headers={"Accept": "text/html"}).text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None
    assert "<" not in block.group(1)
    assert "<script>alert(1)</script>" in json.dumps(json.loads(block.group(1)))
    embedded = Graph().parse(data=block.group(1), format="json-ld")
    assert isomorphic(embedded, _rdf(server, "Evil", "jsonld"))
