"""The HTTP server, over real HTTP on 127.0.0.1: the SPARQL 1.1 Protocol, linked data, the page,
and every safety rule (read-only, no SERVICE, limits, CORS, escaping).

Two servers are started with ``medkg serve`` in subprocesses, on ephemeral ports, with a small
test configuration (1.5 s timeout, two workers, a short waiting line, 500 rows, 512 MiB).
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.query import Result

from medkg.graph import KnowledgeGraph
from medkg.namespaces import KG, MEDKG
from medkg.query import term_to_text
from test_sparql_guard import SERVICE_IDS, RecordingListener, service_queries

# SPARQLWrapper builds rdflib ConjunctiveGraphs when it converts CONSTRUCT answers.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

TIMEOUT = 1.5
MAX_ROWS = 500
ALLOWED_ORIGIN = "https://allowed.example"
# Counting a three-way cartesian product of ~1,600 triples takes hours: only the timeout ends it.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
AFFECTED = "SELECT ?m WHERE { kg:LegCramp medkg:affects ?m } ORDER BY ?m"


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]

    def sparql(
        self, query: str, *, accept: str | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        sent = {**(headers or {}), **({"Accept": accept} if accept else {})}
        return httpx.post(self.url + "sparql", data={"query": query}, headers=sent, timeout=30)

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path.lstrip("/"), timeout=30, **kwargs)


def start_server(*args: str) -> Iterator[Server]:
    """Run ``medkg [args] serve`` on a free port; yield it once it answers; stop it after."""
    command = [sys.executable, "-c", "from medkg.cli import main; main()", *args]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "medkg: serving http://127.0.0.1:PORT/ …"
        if "serving" not in line:
            raise RuntimeError(f"the server did not start: {line}{process.stderr.read()}")
        url = line.split("serving ", 1)[1].split()[0]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "sparql", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield Server(url, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    yield from start_server(
        "serve",
        "--port",
        "0",
        "--timeout",
        str(TIMEOUT),
        "--workers",
        "2",
        "--queue",
        "1",
        "--max-rows",
        str(MAX_ROWS),
        "--memory-limit",
        "512",
    )


EVIL_TTL = """
@prefix kg: <https://w3id.org/medkg/entity/> .
@prefix ev: <https://w3id.org/medkg/evidence/> .
@prefix medkg: <https://w3id.org/medkg/schema/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

kg:Evil a medkg:Drug, medkg:RiskFactor ;
    rdfs:label "<script>alert(1)</script>" ;
    skos:altLabel "<img src=x onerror=alert(2)>" ;
    skos:definition "\\"'><b>bold</b>" ;
    skos:exactMatch <javascript:alert(3)> ;
    medkg:mayTrigger kg:LegCramp .

ev:Evil-mayTrigger-LegCramp a medkg:Evidence, rdf:Statement ;
    rdf:subject kg:Evil ; rdf:predicate medkg:mayTrigger ; rdf:object kg:LegCramp ;
    medkg:quote "<script>alert(4)</script>" ;
    medkg:quotedFrom kg:LegCrampArticle .
"""


@pytest.fixture(scope="module")
def evil_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose data holds markup in labels and quotes, with one CORS origin allowed."""
    data = tmp_path_factory.mktemp("server") / "evil.ttl"
    data.write_text(EVIL_TTL, encoding="utf-8")
    yield from start_server(
        "--data",
        str(data),
        "serve",
        "--port",
        "0",
        "--workers",
        "1",
        "--cors",
        ALLOWED_ORIGIN,
    )


# --- SPARQLWrapper: the client researchers use -------------------------------------------


def wrapper(server: Server, query: str, return_format: str) -> object:
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(server.url + "sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client.query()


def expected_rows(kg: KnowledgeGraph, query: str) -> list[tuple[str, ...]]:
    return [tuple(term_to_text(t) for t in row) for row in kg.query(query).rows]


def test_sparqlwrapper_select_json_matches_the_library(server: Server, kg: KnowledgeGraph) -> None:
    from medkg.competency import load_question

    query = load_question("clinical-treatments").sparql
    doc = wrapper(server, query, "json").convert()  # type: ignore[attr-defined]
    names = doc["head"]["vars"]
    rows = [tuple(b.get(n, {}).get("value", "") for n in names) for b in doc["results"]["bindings"]]
    assert names == kg.query(query).variables
    assert rows == expected_rows(kg, query)


def test_sparqlwrapper_select_xml_matches_the_library(server: Server, kg: KnowledgeGraph) -> None:
    document = wrapper(server, AFFECTED, "xml").convert()  # type: ignore[attr-defined]
    parsed = Result.parse(io.StringIO(document.toxml()), format="xml")
    assert [(term_to_text(r[0]),) for r in parsed] == expected_rows(kg, AFFECTED)


def test_sparqlwrapper_select_csv_matches_the_library(server: Server, kg: KnowledgeGraph) -> None:
    raw = wrapper(server, AFFECTED, "csv").convert()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[0] == ["m"]
    assert [tuple(r) for r in rows[1:]] == expected_rows(kg, AFFECTED)


@pytest.mark.parametrize("return_format", ["json", "xml"])
def test_sparqlwrapper_ask(server: Server, return_format: str) -> None:
    result = wrapper(server, "ASK { kg:LegCramp a medkg:Condition }", return_format)
    converted = result.convert()  # type: ignore[attr-defined]
    if return_format == "json":
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("return_format", ["turtle", "json-ld", "xml"])
def test_sparqlwrapper_construct_matches_the_library(
    server: Server, kg: KnowledgeGraph, return_format: str
) -> None:
    query = (
        "CONSTRUCT { ?d medkg:memberOf ?c . ?d rdfs:label ?l } "
        "WHERE { ?d medkg:memberOf ?c ; rdfs:label ?l }"
    )
    converted = wrapper(server, query, return_format).convert()  # type: ignore[attr-defined]
    if isinstance(converted, Graph):
        graph = converted
    else:
        graph = Graph().parse(data=converted, format="turtle")
    expected = kg.query(query).graph
    assert expected is not None and len(expected) > 3
    assert isomorphic(graph, expected)


# --- the protocol, by hand ------------------------------------------------------------------


def test_get_and_both_posts_give_the_same_answer(server: Server) -> None:
    by_get = server.get("sparql", params={"query": AFFECTED})
    by_form = server.sparql(AFFECTED)
    by_body = httpx.post(
        server.url + "sparql",
        content=AFFECTED.encode(),
        timeout=30,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.json() == by_form.json() == by_body.json()
    assert by_get.headers["content-type"].startswith("application/sparql-results+json")


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
    ],
)
def test_select_content_negotiation(server: Server, accept: str | None, media_type: str) -> None:
    response = server.sparql(AFFECTED, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("accept", "media_type", "format"),
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_content_negotiation(
    server: Server, kg: KnowledgeGraph, accept: str | None, media_type: str, format: str
) -> None:
    query = "CONSTRUCT WHERE { kg:LegCramp medkg:affects ?m }"
    response = server.sparql(query, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = Graph().parse(data=response.text, format=format)
    expected = kg.query(query).graph
    assert expected is not None and isomorphic(graph, expected)


def test_describe_answers_turtle(server: Server) -> None:
    response = server.sparql("DESCRIBE kg:Baclofen")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert (KG.Baclofen, MEDKG.memberOf, KG.MuscleRelaxants) in graph


@pytest.mark.parametrize(
    ("query", "accept"),
    [(AFFECTED, "image/png"), (AFFECTED, "text/turtle"), ("DESCRIBE kg:Baclofen", "text/csv")],
)
def test_unacceptable_accept_is_406(server: Server, query: str, accept: str) -> None:
    response = server.sparql(query, accept=accept)
    assert response.status_code == 406
    assert "can be sent as" in response.text


def test_malformed_query_is_400_with_the_position(server: Server) -> None:
    response = server.sparql("SELECT ?x\nWHERE { ?x ?y }")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("query:2:9: syntax error")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { FILTER(" + "(" * 40 + "1" + ")" * 40 + ") }",
        "SELECT * WHERE " + "{" * 300 + " ?s ?p ?o " + "}" * 300,
    ],
    ids=["parentheses", "groups"],
)
def test_deeply_nested_query_is_400_not_500(server: Server, query: str) -> None:
    response = server.sparql(query)
    assert response.status_code == 400
    assert "nested too deeply" in response.text


def test_service_description(server: Server) -> None:
    response = server.get("sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    service = graph.value(predicate=RDF.type, object=URIRef(sd + "Service"))
    assert graph.value(service, URIRef(sd + "endpoint")) == URIRef(server.url + "sparql")
    assert (service, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in graph


def test_two_query_parameters_are_400(server: Server) -> None:
    response = server.get("sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400


def test_other_body_types_are_415(server: Server) -> None:
    response = httpx.post(
        server.url + "sparql", content=b"ASK {}", timeout=30, headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415


# --- safety ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    ["get-update", "form-update", "sparql-update", "query-insert", "query-load", "query-drop"],
)
def test_updates_are_403(server: Server, send: str) -> None:
    update = 'INSERT DATA { kg:LegCramp rdfs:label "changed" }'
    url = server.url + "sparql"
    if send == "get-update":
        response = httpx.get(url, params={"update": update}, timeout=30)
    elif send == "form-update":
        response = httpx.post(url, data={"update": update}, timeout=30)
    elif send == "sparql-update":
        response = httpx.post(
            url,
            content=update.encode(),
            timeout=30,
            headers={"Content-Type": "application/sparql-update"},
        )
    else:
        text = {
            "query-insert": update,
            "query-load": "LOAD <http://127.0.0.1:9/x.ttl>",
            "query-drop": "DROP ALL",
        }[send]
        response = server.sparql(text)
    assert response.status_code == 403
    assert "read-only" in response.text
    labels = server.sparql("SELECT ?l WHERE { kg:LegCramp rdfs:label ?l }").json()
    assert [b["l"]["value"] for b in labels["results"]["bindings"]] == ["leg cramp"]


@pytest.fixture(scope="module")
def listener() -> Iterator[RecordingListener]:
    recorder = RecordingListener()
    yield recorder
    recorder.close()


@pytest.mark.parametrize("index", range(len(SERVICE_IDS)), ids=SERVICE_IDS)
def test_service_is_refused_and_sends_nothing(
    server: Server, listener: RecordingListener, index: int
) -> None:
    response = server.sparql(service_queries(listener.url)[index])
    assert response.status_code == 403
    assert "SERVICE" in response.text and "refused" in response.text
    assert listener.requests == []


def test_timeout_answers_503_and_the_server_goes_on(server: Server, kg: KnowledgeGraph) -> None:
    started = time.monotonic()
    response = server.sparql(ENDLESS)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "longer than this server's limit" in response.text
    assert elapsed < TIMEOUT + 5
    after = server.sparql(AFFECTED, accept="text/csv")
    assert after.status_code == 200
    assert len(after.text.splitlines()) == len(expected_rows(kg, AFFECTED)) + 1


def test_row_limit_answers_503(server: Server) -> None:
    response = server.sparql("SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 503
    assert f"more than {MAX_ROWS} rows" in response.text
    limited = server.sparql(f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert limited.status_code == 200
    assert len(limited.json()["results"]["bindings"]) == MAX_ROWS


def test_memory_limit_answers_503_and_the_server_goes_on(server: Server) -> None:
    # Each BIND doubles a string: 8 bytes × 2**28 is 2 GiB, far above the 512 MiB limit.
    doublings = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(28))
    query = f'SELECT (STRLEN(?v28) AS ?n) WHERE {{ BIND("abcdefgh" AS ?v0) {doublings} }}'
    response = server.sparql(query)
    assert response.status_code == 503
    assert "memory" in response.text
    assert server.sparql("ASK { kg:LegCramp a medkg:Condition }").json()["boolean"] is True


def test_body_over_the_limit_is_413(server: Server) -> None:
    padding = "#" + "x" * (100 * 1024) + "\n"
    response = httpx.post(
        server.url + "sparql",
        content=(padding + "ASK {}").encode(),
        timeout=30,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413


def test_chunked_body_over_the_limit_is_413(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"#" + b"x" * 1023 + b"\n"

    response = httpx.post(
        server.url + "sparql",
        content=chunks(),
        timeout=30,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413


def test_too_many_concurrent_queries_get_429(server: Server) -> None:
    # Two workers and a line of one: of five slow queries at once, at least two are turned away.
    responses: list[httpx.Response] = []

    def ask() -> None:
        responses.append(server.sparql(ENDLESS))

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    busy = [r for r in responses if r.status_code == 429]
    assert len(busy) >= 2
    assert all(r.headers["retry-after"] == "1" for r in busy)
    assert server.sparql("ASK { kg:LegCramp a medkg:Condition }").status_code == 200


def test_binds_to_loopback_by_default(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")


def test_no_cors_header_by_default(server: Server) -> None:
    response = server.sparql(AFFECTED, headers={"Origin": ALLOWED_ORIGIN})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_exactly_the_given_origin(evil_server: Server) -> None:
    allowed = evil_server.sparql(AFFECTED, headers={"Origin": ALLOWED_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    other = evil_server.sparql(AFFECTED, headers={"Origin": "https://other.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(
        evil_server.url + "sparql",
        timeout=30,
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


# --- linked data ------------------------------------------------------------------------------


def test_entity_html_card(server: Server) -> None:
    response = server.get("entity/Baclofen", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for expected in (
        "<h1>baclofen</h1>",
        "Lioresal",
        "medkg:Drug",
        "A muscle relaxant",
        'href="http://id.nlm.nih.gov/mesh/D001418"',
        'href="/entity/MuscleRelaxants"',
        "These muscle relaxants include Lioresal",
        'href="/entity/Behringer2014"',
    ):
        assert expected in page


def test_entity_card_lists_incoming_relations(server: Server) -> None:
    page = server.get("entity/LegCramp", headers={"Accept": "text/html"}).text
    assert "Referred to by" in page and 'href="/entity/BetaAgonists"' in page


@pytest.mark.parametrize(
    ("accept", "format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("*/*", "turtle")],
)
def test_entity_rdf_has_its_triples_and_evidence(server: Server, accept: str, format: str) -> None:
    response = server.get("entity/Baclofen", headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format=format)
    assert (KG.Baclofen, MEDKG.memberOf, KG.MuscleRelaxants) in graph
    records = set(graph.subjects(RDF.subject, KG.Baclofen))
    assert records
    assert all(graph.value(record, MEDKG.quote) is not None for record in records)


def test_entity_format_parameter(server: Server) -> None:
    response = server.get(
        "entity/Baclofen", params={"format": "turtle"}, headers={"Accept": "text/html"}
    )
    assert response.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("path", ["entity/NoSuchThing", "entity/..%2Fsparql", "nowhere"])
def test_unknown_entity_is_404(server: Server, path: str) -> None:
    assert server.get(path, headers={"Accept": "text/html"}).status_code == 404


# --- escaping and the page ----------------------------------------------------------------


def test_data_text_is_escaped_in_entity_pages(evil_server: Server) -> None:
    for name in ("Evil", "LegCramp"):
        page = evil_server.get(f"entity/{name}", headers={"Accept": "text/html"}).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<b>bold" not in page and 'href="javascript' not in page
    evil = evil_server.get("entity/Evil", headers={"Accept": "text/html"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in evil
    assert "javascript:alert(3)</li>" in evil  # shown as text, not made a link


def test_query_page(server: Server) -> None:
    response = server.get("")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "http" not in policy
    page = response.text
    assert "PREFIX kg: &lt;https://w3id.org/medkg/entity/&gt;" in page
    assert 'src="/static/query.js"' in page and 'href="/static/medkg.css"' in page
    assert 'src="http' not in page and 'href="http' not in page
    examples = page.split('id="example-data">', 1)[1].split("</script>", 1)[0]
    names = {q["name"] for q in json.loads(examples)}
    assert {"triggering-drugs", "clinical-treatments"} <= names
    script = server.get("static/query.js")
    assert script.status_code == 200 and "textContent" in script.text
    assert "innerHTML" not in script.text


def test_example_questions_run_on_the_server(server: Server) -> None:
    page = server.get("").text
    examples = json.loads(page.split('id="example-data">', 1)[1].split("</script>", 1)[0])
    for example in examples:
        response = server.sparql(example["sparql"])
        assert response.status_code == 200, (example["name"], response.text)


def test_explore_page(server: Server, listener: RecordingListener) -> None:
    from medkg.server.explore import explorer_available

    if not explorer_available():
        pytest.skip("the viz extra is not installed")
    response = server.get("explore", params={"query": AFFECTED})
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    refused = server.get("explore", params={"query": service_queries(listener.url)[3]})
    assert refused.status_code == 403
    assert listener.requests == []


# --- the page in a real browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from system_tools import require_program

    if not os.environ.get("MEDKG_REQUIRE_SYSTEM_TOOLS"):
        pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    from playwright.sync_api import sync_playwright

    from medkg.browser import launch_chromium

    chromium = require_program("chromium", "chromium")
    with sync_playwright() as p:
        launched = launch_chromium(p, chromium)
        yield launched
        launched.close()


def open_page(browser: Any, server: Server, events: list[str]) -> Any:
    """Open the query page; record dialogs, script errors and requests that leave the server."""
    page = browser.new_page()
    page.on("dialog", lambda d: (events.append("dialog: " + d.message), d.dismiss()))
    page.on("pageerror", lambda e: events.append(f"error: {e}"))
    page.on("console", lambda m: events.append("console: " + m.text) if m.type == "error" else None)

    def guard(route: Any) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            events.append("request: " + route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(server.url)
    return page


@pytest.mark.slow
def test_page_runs_an_example_and_links_entities(browser: Any, server: Server) -> None:
    events: list[str] = []
    page = open_page(browser, server, events)
    page.get_by_role("button", name="Which drugs or drug classes may trigger leg cramps?").click()
    page.wait_for_selector("#results table tbody tr")
    assert "medkg:mayTrigger kg:LegCramp" in page.input_value("#query")
    link = page.locator('#results a[href="/entity/BetaAgonists"]')
    assert link.count() == 1
    link.click()
    page.wait_for_selector("h1")
    assert page.text_content("h1") == "beta-agonists"
    assert events == []


@pytest.mark.slow
def test_page_shows_hostile_labels_as_text(browser: Any, evil_server: Server) -> None:
    events: list[str] = []
    page = open_page(browser, evil_server, events)
    page.locator(".cm-content").click()  # the editor (CodeMirror): clear it, then paste
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.insert_text("SELECT ?label WHERE { kg:Evil rdfs:label|skos:altLabel ?label }")
    page.click("#run")
    page.wait_for_selector("#results table tbody tr")
    cells = page.locator("#results td").all_text_contents()
    assert sorted(cells) == ["<img src=x onerror=alert(2)>", "<script>alert(1)</script>"]
    assert page.locator("#results img, #results script").count() == 0
    page.goto(evil_server.url + "entity/Evil")
    assert page.text_content("h1") == "<script>alert(1)</script>"
    assert events == []
