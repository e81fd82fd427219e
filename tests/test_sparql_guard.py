"""Query safety: updates and SERVICE are refused before evaluation, and the evaluating process
cannot reach the network even if a SERVICE clause slipped through.

Network checks use a recording HTTP listener on 127.0.0.1 that must see no request.
"""

from __future__ import annotations

import http.server
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest

from medkg.errors import QueryError
from medkg.sparql_guard import (
    ServiceRefusedError,
    UpdateRefusedError,
    check_query,
    find_service_clauses,
)


class RecordingListener:
    """An HTTP server on 127.0.0.1 that records every request it receives (and answers 500)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                listener.requests.append(f"{self.command} {self.path}")
                self.send_response(500)
                self.end_headers()

            do_GET = do_POST = _record

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def listener() -> Iterator[RecordingListener]:
    recorder = RecordingListener()
    yield recorder
    recorder.close()


def service_queries(url: str) -> list[str]:
    """SERVICE in every place a query can hide it."""
    service = f"SERVICE <{url}> {{ ?s ?p ?o }}"
    return [
        f"SELECT * WHERE {{ {service} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {service} }} }} }}",
        f"SELECT * WHERE {{ ?s a medkg:Drug OPTIONAL {{ {service} }} }}",
        f"SELECT * WHERE {{ ?s a medkg:Drug FILTER EXISTS {{ {service} }} }}",
        f"SELECT * WHERE {{ ?s a medkg:Drug FILTER NOT EXISTS {{ {service} }} }}",
        f"SELECT * WHERE {{ {{ ?s a medkg:Drug }} UNION {{ {service} }} }}",
        f"SELECT * WHERE {{ ?s a medkg:Drug MINUS {{ {service} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ {service} }} }}",
        f"SELECT * WHERE {{ ?s a medkg:Drug BIND(EXISTS {{ {service} }} AS ?x) }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ ?s a medkg:Drug "
        f"FILTER EXISTS {{ OPTIONAL {{ {service} }} }} }} }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { BIND(<" + url + "> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        f"ASK {{ {service} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {service} }}",
        f"DESCRIBE ?s WHERE {{ {service} }}",
    ]


SERVICE_IDS = [
    "top",
    "sub-select",
    "optional",
    "filter-exists",
    "filter-not-exists",
    "union",
    "minus",
    "graph",
    "bind-exists",
    "deeply-nested",
    "silent",
    "variable",
    "ask",
    "construct",
    "describe",
]


@pytest.mark.parametrize("index", range(len(SERVICE_IDS)), ids=SERVICE_IDS)
def test_service_is_refused_before_evaluation(index: int) -> None:
    query = service_queries("http://127.0.0.1:9/sparql")[index]
    with pytest.raises(ServiceRefusedError, match="SERVICE .* is refused"):
        check_query(query)


def test_find_service_clauses_names_the_endpoint() -> None:
    from rdflib.plugins.sparql import prepareQuery

    query = prepareQuery(
        "SELECT * WHERE { OPTIONAL { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } } }"
    )
    assert list(find_service_clauses(query.algebra)) == ["http://127.0.0.1:9/x"]


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { kg:A kg:b kg:C }",
        "DELETE WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "CLEAR ALL",
        "CREATE GRAPH <urn:g>",
        "DROP ALL",
        "COPY DEFAULT TO <urn:g>",
        "MOVE DEFAULT TO <urn:g>",
        "ADD DEFAULT TO <urn:g>",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "PREFIX x: <urn:x#>\n# a comment\nINSERT DATA { x:a x:b x:c }",
        "INSERT DATA { kg:A kg:b }",  # malformed, but still an update
        "insert data { kg:A kg:b kg:C }",
    ],
)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(UpdateRefusedError, match="read-only"):
        check_query(update)


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("SELECT ?m WHERE { kg:LegCramp medkg:affects ?m }", "SELECT"),
        ("ASK { kg:LegCramp a medkg:Condition }", "ASK"),
        ("CONSTRUCT WHERE { kg:LegCramp medkg:affects ?m }", "CONSTRUCT"),
        ("DESCRIBE kg:LegCramp", "DESCRIBE"),
    ],
)
def test_queries_pass_with_their_kind(query: str, kind: str) -> None:
    assert check_query(query).kind == kind


def test_syntax_error_has_line_and_column() -> None:
    with pytest.raises(QueryError) as caught:
        check_query("SELECT ?x\nWHERE { ?x ?y }")
    assert (caught.value.line, caught.value.column) == (2, 9)
    assert not isinstance(caught.value, UpdateRefusedError)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { FILTER(" + "(" * 40 + "1" + ")" * 40 + ") }",
        "SELECT * WHERE " + "{" * 200 + " ?s ?p ?o " + "}" * 200,
    ],
    ids=["parentheses", "groups"],
)
def test_deep_nesting_is_a_query_error(query: str) -> None:
    with pytest.raises(QueryError, match="nested too deeply"):
        check_query(query)


def test_undeclared_prefix_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="nope"):
        check_query("SELECT * WHERE { ?s nope:x ?o }")


def test_disable_remote_access_stops_service_and_sockets(listener: RecordingListener) -> None:
    """Evaluation-time layer: even an unchecked SERVICE query sends nothing.

    Runs in a subprocess because the audit hook cannot be removed once installed.
    """
    # GRAPH needs a dataset; on a plain graph rdflib fails before reaching SERVICE.
    evaluable = [
        q
        for q, name in zip(service_queries(listener.url), SERVICE_IDS, strict=True)
        if name != "graph"
    ]
    script = textwrap.dedent(
        f"""
        import urllib.request
        import rdflib.plugins.sparql
        from rdflib import Graph
        from medkg.sparql_guard import ServiceRefusedError, disable_remote_access

        PREFIXES = {{"medkg": "https://w3id.org/medkg/schema/"}}
        disable_remote_access()
        assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False
        graph = Graph()
        # One drug, so that OPTIONAL, EXISTS and MINUS reach their SERVICE clause.
        graph.parse(data="<urn:d> a <https://w3id.org/medkg/schema/Drug> .", format="turtle")
        for query in {evaluable!r}:
            try:
                list(graph.query(query, initNs=PREFIXES))
            except ServiceRefusedError:
                pass
            else:
                raise SystemExit("not refused: " + query)
        try:
            urllib.request.urlopen({listener.url!r}, timeout=2)
        except PermissionError:
            print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert listener.requests == []
