"""`medkg serve` answers GRAPH, FROM, FROM NAMED and the protocol's dataset parameters.

The answers must match the library's (the memory store) exactly; an IRI that is not a graph
of the dataset reads nothing. The server runs for real, on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from medkg.graph import KnowledgeGraph
from test_server import Server, start_server

SCHEMA_G = "https://w3id.org/medkg/graph/schema"
KNOWLEDGE_G = "https://w3id.org/medkg/graph/leg-cramps"
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    yield from start_server("serve", "--port", "0", "--workers", "1")


def ask(server: Server, query: str, method: str = "GET", **dataset: list[str]) -> dict[str, int]:
    params: list[tuple[str, str]] = [("query", query)]
    for name, values in dataset.items():
        params += [(name.replace("_", "-"), v) for v in values]
    accept = {"Accept": "application/sparql-results+json"}
    if method == "GET":
        response = httpx.get(server.url + "sparql", params=params, headers=accept, timeout=60)
    else:  # a form: every parameter in the body, repeated ones repeated
        response = httpx.post(
            server.url + "sparql",
            content=str(httpx.QueryParams(params)).encode("ascii"),
            headers={**accept, "Content-Type": "application/x-www-form-urlencoded"},
            timeout=60,
        )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    # rdflib answers an empty GROUP BY with one row of unbound values: not a count.
    return {row.get("g", {}).get("value", ""): int(row["n"]["value"]) for row in rows if row}


def library(kg: KnowledgeGraph, query: str, **dataset: list[str]) -> dict[str, int]:
    result = kg.query(query, **dataset)  # type: ignore[arg-type]
    names = result.variables
    return {
        str(row[names.index("g")]) if "g" in names else "": int(str(row[names.index("n")]))
        for row in result.rows
        if row[names.index("n")] is not None
    }


@pytest.mark.slow
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_graph_and_from_match_the_library(server: Server, kg: KnowledgeGraph, method: str) -> None:
    per_graph = ask(server, PER_GRAPH, method)
    assert per_graph == library(kg, PER_GRAPH)
    assert sorted(per_graph) == [KNOWLEDGE_G, SCHEMA_G]
    from_schema = f"SELECT (COUNT(*) AS ?n) FROM <{SCHEMA_G}> WHERE {{ ?s ?p ?o }}"
    assert ask(server, from_schema, method) == {"": per_graph[SCHEMA_G]}
    named = (
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{KNOWLEDGE_G}> "
        "{ GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    assert ask(server, named, method) == {KNOWLEDGE_G: per_graph[KNOWLEDGE_G]}
    assert ask(server, COUNT, method) == {"": len(kg)}


@pytest.mark.slow
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_protocol_dataset_matches_the_library(
    server: Server, kg: KnowledgeGraph, method: str
) -> None:
    for dataset in (
        {"default_graph_uri": [SCHEMA_G]},
        {"named_graph_uri": [KNOWLEDGE_G]},
        {"default_graph_uri": [SCHEMA_G, KNOWLEDGE_G], "named_graph_uri": [SCHEMA_G]},
    ):
        kwargs = {
            ("default_graphs" if k.startswith("default") else "named_graphs"): v
            for k, v in dataset.items()
        }
        for query in (COUNT, PER_GRAPH):
            assert ask(server, query, method, **dataset) == library(kg, query, **kwargs)
    # default-graph-uri wins over the query's FROM
    from_schema = f"SELECT (COUNT(*) AS ?n) FROM <{SCHEMA_G}> WHERE {{ ?s ?p ?o }}"
    assert ask(server, from_schema, method, default_graph_uri=[KNOWLEDGE_G]) == library(
        kg, COUNT, default_graphs=[KNOWLEDGE_G]
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "outside", ["https://w3id.org/medkg/graph/none", "file:///etc/passwd", "http://127.0.0.1:9/x"]
)
def test_an_iri_outside_the_dataset_reads_nothing(server: Server, outside: str) -> None:
    assert ask(server, f"SELECT (COUNT(*) AS ?n) FROM <{outside}> {{ ?s ?p ?o }}") == {"": 0}
    assert ask(server, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{outside}> {{ ?s ?p ?o }} }}") == {"": 0}
    assert ask(server, COUNT, default_graph_uri=[outside]) == {"": 0}
