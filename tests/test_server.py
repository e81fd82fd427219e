"""The HTTP server, over real HTTP on 127.0.0.1: the SPARQL 1.1 Protocol, linked data, the page,
and every safety rule (read-only, no SERVICE, limits, CORS, escaping).

Servers are started with ``medkg serve`` in subprocesses, on ephemeral ports. Each limit is
tested on a server where every other limit is out of reach, so no test races two limits: the
timeout on a server without a memory limit, the memory, row, buffer and per-client limits on
servers whose timeout is an hour (their slow queries end when the test's client goes away).
Waiting for a server to reach a state is a loop with a generous deadline that only guards
against a hang; no assertion depends on how fast the machine is.
"""

from __future__ import annotations

import csv
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

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
NO_TIMEOUT = "3600"
MAX_ROWS = 500
ALLOWED_ORIGIN = "https://allowed.example"
OTHER_ORIGIN = "http://127.0.0.1:8765"
ALLOWED_HOST = "medkg.example.org"
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
        NO_TIMEOUT,
        "--workers",
        "2",
        "--queue",
        "1",
        "--max-rows",
        str(MAX_ROWS),
        "--memory-limit",
        "1024",
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
        "--cors",
        OTHER_ORIGIN,
        "--allowed-host",
        ALLOWED_HOST,
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


def test_row_limit_answers_503(server: Server) -> None:
    response = server.sparql("SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 503
    assert f"more than {MAX_ROWS} rows" in response.text
    limited = server.sparql(f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert limited.status_code == 200
    assert len(limited.json()["results"]["bindings"]) == MAX_ROWS


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
    second = evil_server.sparql(AFFECTED, headers={"Origin": OTHER_ORIGIN})
    assert second.headers["access-control-allow-origin"] == OTHER_ORIGIN


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("null", '"null" origin'),
        ("*", "--cors-any-origin"),
        ("https://a.example,https://b.example", "one origin per --cors"),
        ("https://a.example/path", "scheme, host and port only"),
        ("ftp://a.example", "http:// or https://"),
        ("not an origin", "one origin per --cors"),
        ("https://user:pw@a.example", "no user name"),
    ],
)
def test_bad_cors_origins_are_one_line_errors(runner: Any, origin: str, message: str) -> None:
    from medkg.cli import app

    result = runner.invoke(app, ["serve", "--port", "0", "--cors", origin])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output


# --- DNS rebinding, proxies, HEAD, format= --------------------------------------------------


@pytest.mark.parametrize("host", ["evil.attacker.example", "evil.attacker.example:80", ""])
def test_unknown_host_header_is_400(server: Server, host: str) -> None:
    response = server.get("sparql", params={"query": "ASK {}"}, headers={"Host": host})
    assert response.status_code == 400
    assert "Host" in response.text
    description = server.get("sparql", headers={"Host": host})
    assert description.status_code == 400
    assert "evil" not in description.text


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:{port}", "127.0.0.1:{port}", "a.localhost", "[::1]:{port}"]
)
def test_loopback_host_headers_are_answered(server: Server, host: str) -> None:
    port = server.url.rsplit(":", 1)[1].strip("/")
    sent = {"Host": host.format(port=port)}
    response = server.get("sparql", params={"query": "ASK {}"}, headers=sent)
    assert response.status_code == 200


def test_allowed_host_is_answered(evil_server: Server) -> None:
    response = evil_server.get("sparql", headers={"Host": ALLOWED_HOST})
    assert response.status_code == 200
    assert f"<http://{ALLOWED_HOST}/sparql>" in response.text
    assert evil_server.get("sparql", headers={"Host": "other.example"}).status_code == 400


def test_forwarded_proto_is_ignored_without_behind_proxy(server: Server) -> None:
    response = server.get("sparql", headers={"X-Forwarded-Proto": "https"})
    assert f"<{server.url}sparql>" in response.text
    assert "https://" not in response.text.split("sd:endpoint", 1)[1].split(";", 1)[0]


def test_forwarded_proto_is_trusted_behind_a_proxy(timeout_server: Server) -> None:
    response = timeout_server.get("sparql", headers={"X-Forwarded-Proto": "https"})
    assert "<https://127.0.0.1:" in response.text


def test_head_mirrors_get(server: Server) -> None:
    params = {"query": AFFECTED}
    got = server.get("sparql", params=params)
    head = httpx.head(server.url + "sparql", params=params, timeout=30)
    assert head.status_code == got.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.content == b""


@pytest.mark.parametrize(
    ("value", "media_type"),
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("xml", "application/sparql-results+xml"),
        ("json", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
    ],
)
def test_format_parameter_chooses_the_result_format(
    server: Server, value: str, media_type: str
) -> None:
    params = {"query": AFFECTED, "format": value}
    response = server.get("sparql", params=params, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)


def test_format_parameter_for_graphs_and_unknown_names(server: Server) -> None:
    construct = "CONSTRUCT { kg:LegCramp ?p ?o } WHERE { kg:LegCramp ?p ?o }"
    turtle = server.get("sparql", params={"query": construct, "format": "xml"})
    assert turtle.headers["content-type"].startswith("application/rdf+xml")
    unknown = server.get("sparql", params={"query": AFFECTED, "format": "pdf"})
    assert unknown.status_code == 400
    assert "csv" in unknown.text
    ask_csv = server.get("sparql", params={"query": "ASK {}", "format": "csv"})
    assert ask_csv.status_code == 406
    assert "an ASK answer can be sent as" in ask_csv.text


def test_long_flat_group_says_what_the_limit_is(server: Server) -> None:
    patterns = " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(2200))
    response = server.sparql(f"SELECT * WHERE {{ {patterns} }}")
    assert response.status_code == 400
    assert "per triple pattern within one group" in response.text
    assert "split a long group" in response.text


# --- limits, each on a server where the other limits cannot be reached -----------------------


@pytest.fixture(scope="module")
def timeout_server() -> Iterator[Server]:
    """A 1.5 s timeout and no memory limit (the slow query counts, it builds nothing up).

    It also trusts X-Forwarded-* (--behind-proxy) and allows every origin.
    """
    yield from start_server(
        "serve",
        "--port",
        "0",
        "--timeout",
        str(TIMEOUT),
        "--workers",
        "1",
        "--memory-limit",
        "0",
        "--behind-proxy",
        "--cors-any-origin",
    )


def test_timeout_answers_503_and_the_server_goes_on(
    timeout_server: Server, kg: KnowledgeGraph
) -> None:
    response = timeout_server.sparql(ENDLESS)
    assert response.status_code == 503
    assert "longer than this server's limit of 1.5 s" in response.text
    after = timeout_server.sparql(AFFECTED, accept="text/csv")
    assert after.status_code == 200
    assert len(after.text.splitlines()) == len(expected_rows(kg, AFFECTED)) + 1


def test_cors_any_origin_is_explicit(timeout_server: Server) -> None:
    response = timeout_server.sparql("ASK {}", headers={"Origin": "https://anyone.example"})
    assert response.headers["access-control-allow-origin"] == "*"


BUFFER_LIMIT_MIB = 48


@pytest.fixture(scope="module")
def limits_server() -> Iterator[Server]:
    """An hour's timeout: every other limit is reached long before it."""
    yield from start_server(
        "serve",
        "--port",
        "0",
        "--timeout",
        NO_TIMEOUT,
        "--workers",
        "2",
        "--queue",
        "0",
        "--per-client",
        "1",
        "--memory-limit",
        "512",
        "--buffer-limit",
        str(BUFFER_LIMIT_MIB),
        "--header-timeout",
        "1",
    )


def doubling_query(doublings: int) -> str:
    """A one-row SELECT whose value is 8 × 2**doublings characters long."""
    binds = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(doublings))
    return f'SELECT ?v{doublings} WHERE {{ BIND("abcdefgh" AS ?v0) {binds} }}'


def test_memory_limit_answers_503_and_the_server_goes_on(limits_server: Server) -> None:
    # 8 bytes × 2**28 is 2 GiB, far above the 512 MiB limit; the timeout is an hour away.
    query = doubling_query(28).replace("SELECT ?v28", "SELECT (STRLEN(?v28) AS ?n)")
    response = limits_server.sparql(query)
    assert response.status_code == 503
    assert "more memory than this server allows (512 MiB per worker)" in response.text
    assert limits_server.sparql("ASK { kg:LegCramp a medkg:Condition }").json()["boolean"] is True


def client(source: str) -> httpx.Client:
    """An HTTP client whose requests come from another loopback address (another client)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30)


def hold(server: Server, query: str, source: str) -> socket.socket:
    """Send *query* from *source* over a raw socket and read nothing: a client that waits.

    Its receive buffer is fixed at 64 KiB (no autotuning), so the kernel holds little of
    an answer it does not read.
    """
    host, port = server.url.split("//", 1)[1].strip("/").split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.settimeout(60)
    sock.bind((source, 0))
    sock.connect((host, int(port)))
    body = urlencode({"query": query})
    sock.sendall(
        (
            "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()
    )
    return sock


def hold_in_the_pool(server: Server, query: str, source: str) -> socket.socket:
    """Hold *query* from *source* until the pool has it (running or waiting for a worker).

    With one request per client (``--per-client 1``), a probe from the same address is
    refused with 429 exactly while the held request is in the pool. A held request that was
    itself refused (its answer arrives) is sent again.
    """
    deadline = time.monotonic() + 120
    with client(source) as probe:
        while time.monotonic() < deadline:
            sock = hold(server, query, source)
            while time.monotonic() < deadline:
                answered = probe.post(server.url + "sparql", data={"query": "ASK {}"})
                if answered.status_code == 429 and "per client" in answered.text:
                    return sock
                if select.select([sock], [], [], 0)[0]:  # the held request got an answer
                    sock.close()
                    break
                time.sleep(0.2)
    raise AssertionError(f"the server never took the query held from {source}")


def wait_for_status(
    http: httpx.Client, server: Server, status: int, query: str = "ASK {}"
) -> httpx.Response:
    """Ask until the server answers *status* (the deadline only guards against a hang)."""
    deadline = time.monotonic() + 120
    while True:
        response = http.post(server.url + "sparql", data={"query": query})
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_one_client_cannot_hold_every_slot(limits_server: Server) -> None:
    greedy = hold_in_the_pool(limits_server, ENDLESS, "127.0.0.2")
    try:
        with client("127.0.0.2") as same, client("127.0.0.3") as other:
            refused = wait_for_status(same, limits_server, 429)
            assert refused.status_code == 429
            assert "its limit per client" in refused.text
            assert refused.headers["retry-after"] == "1"
            # The greedy client holds one of the two workers; everyone else has the other.
            answered = other.post(limits_server.url + "sparql", data={"query": "ASK {}"})
            assert answered.status_code == 200
    finally:
        greedy.close()


def test_abandoned_requests_give_back_their_workers(limits_server: Server) -> None:
    # Two clients start endless queries (an hour's timeout) and go away; a third must get
    # both workers back. Without cancelling, it would get 429 for an hour.
    holders = [
        hold_in_the_pool(limits_server, ENDLESS, source) for source in ("127.0.0.4", "127.0.0.5")
    ]
    with client("127.0.0.6") as third:
        busy = wait_for_status(third, limits_server, 429)
        assert busy.status_code == 429
        assert "busy answering other queries" in busy.text
        for sock in holders:
            sock.close()
        assert wait_for_status(third, limits_server, 200).status_code == 200
        # Both workers answer again: two queries at once from two clients both succeed.
        with client("127.0.0.7") as fourth:
            results: list[int] = []
            threads = [
                threading.Thread(
                    target=lambda c=c: results.append(
                        c.post(limits_server.url + "sparql", data={"query": AFFECTED}).status_code
                    )
                )
                for c in (third, fourth)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert results == [200, 200]


def test_answers_held_for_slow_readers_are_bounded(limits_server: Server) -> None:
    # A 32 MiB answer (more than the kernel's socket buffers hold) to a client that reads
    # nothing stays in the server's budget of 48 MiB until it is sent: a second one does not fit.
    big = doubling_query(22)
    reader = hold(limits_server, big, "127.0.0.8")
    try:
        reader.settimeout(300)  # it may wait for a worker that is being replaced
        assert reader.recv(12).startswith(b"HTTP/1.1 200")
        with client("127.0.0.9") as second:
            refused = second.post(limits_server.url + "sparql", data={"query": big})
            assert refused.status_code == 503
            assert f"its limit of {BUFFER_LIMIT_MIB} MiB" in refused.text
            reader.close()
            answered = wait_for_status(second, limits_server, 200, big)
            assert answered.status_code == 200
            assert len(answered.content) > 32 * 1024**2
    finally:
        reader.close()


@pytest.mark.parametrize("sent", [b"", b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "])
def test_slow_headers_are_cut_off(limits_server: Server, sent: bytes) -> None:
    host, port = limits_server.url.split("//", 1)[1].strip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(sent)
        # The server closes the connection (a second after it opened); recv sees the end.
        assert sock.recv(1024) == b""


# --- start-up and shutdown ----------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from medkg.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_memory_limit_below_the_graph_is_a_start_up_error() -> None:
    done = run_cli("serve", "--port", "0", "--workers", "1", "--memory-limit", "40")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "--memory-limit 40 MiB is too small: a worker needs" in lines[0]
    assert "Traceback" not in done.stderr


def test_listening_on_every_interface_is_warned() -> None:
    # The workers cannot start (40 MiB), so the server ends right after binding.
    done = run_cli(
        "serve", "--host", "0.0.0.0", "--port", "0", "--workers", "1", "--memory-limit", "40"
    )
    assert "warning: listening on every network interface (0.0.0.0)" in done.stderr


def children(pid: int) -> list[int]:
    """Return the live worker processes whose parent is *pid*."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if int(fields[1]) == pid and b"multiprocessing" in command:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_server() -> None:
    servers = start_server("serve", "--port", "0", "--workers", "1", "--timeout", NO_TIMEOUT)
    server = next(servers)
    try:
        busy = hold(server, ENDLESS, "127.0.0.1")
        workers = children(server.process.pid)
        assert workers
        server.process.kill()
        server.process.wait()
        deadline = time.monotonic() + 60
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(w) for w in workers)
        busy.close()
    finally:
        servers.close()


# --- linked data -----------------------------------------------------------------------------


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
    page.close()
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
    page.close()
    assert events == []


# --- every store: serve --store memory|oxigraph|oxigraph:PATH|sparql:URL ----------------------

OTHER_STORES = ["oxigraph", "oxigraph-disk", "sparql"]
# A slow query no engine can shortcut (a plain COUNT of a product could be multiplied out).
ENDLESS_ANYWHERE = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
    "FILTER(STRLEN(STR(?c)) + STRLEN(STR(?f)) + STRLEN(STR(?i)) = 3) }"
)


def serve_store(request: pytest.FixtureRequest, *options: str) -> Iterator[Server]:
    from conftest import store_spec

    spec = store_spec(request, request.param)
    yield from start_server("--store", spec, "serve", "--port", "0", "--workers", "1", *options)


@pytest.fixture(scope="module", params=OTHER_STORES)
def store_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server on each store, with an hour's timeout and a 1 GiB memory limit."""
    yield from serve_store(request, "--timeout", NO_TIMEOUT, "--memory-limit", "1024")


@pytest.fixture(scope="module", params=OTHER_STORES)
def store_timeout_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server on each store with the 1.5 s timeout and no memory limit."""
    yield from serve_store(request, "--timeout", str(TIMEOUT), "--memory-limit", "0")


def test_every_store_answers_like_the_library(store_server: Server, kg: KnowledgeGraph) -> None:
    response = store_server.sparql(AFFECTED, accept="text/csv")
    assert response.status_code == 200
    rows = [tuple(r) for r in csv.reader(io.StringIO(response.text))]
    assert rows[1:] == expected_rows(kg, AFFECTED)
    ask = store_server.sparql("ASK { kg:LegCramp a medkg:Condition }").json()
    assert ask["boolean"] is True
    construct = "CONSTRUCT { kg:Baclofen ?p ?o } WHERE { kg:Baclofen ?p ?o }"
    graph = Graph().parse(data=store_server.sparql(construct).text, format="turtle")
    assert isomorphic(graph, kg.query(construct).graph)


def test_every_store_refuses_updates(store_server: Server) -> None:
    for update in ('INSERT DATA { kg:LegCramp rdfs:label "changed" }', "DROP ALL"):
        response = store_server.sparql(update)
        assert response.status_code == 403
    labels = store_server.sparql("SELECT ?l WHERE { kg:LegCramp rdfs:label ?l }").json()
    assert [b["l"]["value"] for b in labels["results"]["bindings"]] == ["leg cramp"]


def test_every_store_refuses_service(store_server: Server, listener: RecordingListener) -> None:
    for query in service_queries(listener.url):
        response = store_server.sparql(query)
        assert response.status_code == 403, query
    assert listener.requests == []


def test_every_store_reads_no_files_or_urls(
    store_server: Server, listener: RecordingListener, tmp_path: Any
) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:x:secret> <urn:x:is> 'the secret marker' .\n", encoding="utf-8")
    for source in (secret.as_uri(), listener.url + "data.ttl"):
        load = store_server.sparql(f"LOAD <{source}>")
        assert load.status_code == 403
        query = f"SELECT * FROM <{source}> WHERE {{ ?s ?p ?o }} LIMIT 5"
        response = store_server.sparql(query)
        assert "secret marker" not in response.text
    assert listener.requests == []


def test_every_store_serves_entity_pages(store_server: Server) -> None:
    page = store_server.get("entity/Baclofen", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<h1>baclofen</h1>" in page.text
    rdf = store_server.get("entity/Baclofen", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=rdf.text, format="turtle")
    assert (KG.Baclofen, MEDKG.memberOf, KG.MuscleRelaxants) in graph
    assert set(graph.subjects(RDF.subject, KG.Baclofen))
    assert store_server.get("entity/NoSuchThing").status_code == 404


def test_every_store_serves_the_explorer(store_server: Server) -> None:
    from medkg.server.explore import explorer_available

    if not explorer_available():
        pytest.skip("the viz extra is not installed")
    response = store_server.get("explore", params={"query": AFFECTED})
    assert response.status_code == 200
    assert "vis-network" in response.text or "vis.Network" in response.text


def test_every_store_keeps_the_timeout(store_timeout_server: Server) -> None:
    response = store_timeout_server.sparql(ENDLESS_ANYWHERE)
    assert response.status_code == 503
    assert "longer than this server's limit" in response.text
