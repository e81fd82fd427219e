"""Every store gives the same data and the same answers; store errors are one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

import medkg
from conftest import STORES, store_spec
from medkg import KnowledgeGraph
from medkg.cli import app
from medkg.competency import list_questions
from medkg.errors import DataFileError, EndpointError, QueryError, StoreError
from medkg.namespaces import NAMED_GRAPH
from medkg.stores import open_store
from medkg.stores.push import push_graph
from virtuoso import Virtuoso, free_port

# ---------------------------------------------------------------- data and answers


def test_bundled_graph_is_the_same_triples_in_every_store(
    kg: KnowledgeGraph, store_kg: KnowledgeGraph
) -> None:
    exported = Graph().parse(data=store_kg.store.serialize("nt"), format="nt")
    assert len(store_kg) == len(kg) == len(exported)
    assert isomorphic(exported, kg.graph)


def test_memory_and_oxigraph_export_isomorphic_n_triples(kg: KnowledgeGraph) -> None:
    oxigraph = medkg.load(store="oxigraph")
    mine = Graph().parse(data=kg.store.serialize("nt"), format="nt")
    theirs = Graph().parse(data=oxigraph.store.serialize("nt"), format="nt")
    assert isomorphic(mine, theirs)
    assert isomorphic(oxigraph.graph, kg.graph)  # the lazily materialised rdflib copy too


@pytest.mark.parametrize("question", list_questions(), ids=lambda q: q.name)
def test_every_question_gets_the_same_rows(
    kg: KnowledgeGraph, store_kg: KnowledgeGraph, question: medkg.competency.CompetencyQuestion
) -> None:
    expected = kg.query(question.sparql).rows
    rows = store_kg.query(question.sparql).rows
    if store_kg.store.kind == "sparql":
        # Virtuoso 7.2 misorders some ORDER BY LCASE(STR(?x)); the rows themselves match.
        assert sorted(rows, key=repr) == sorted(expected, key=repr)
    else:
        assert rows == expected


def test_ask_construct_describe_and_bindings(kg: KnowledgeGraph, store_kg: KnowledgeGraph) -> None:
    assert store_kg.query("ASK { kg:LegCramp a medkg:Condition }").boolean is True
    construct = store_kg.query("CONSTRUCT { kg:LegCramp ?p ?o } WHERE { kg:LegCramp ?p ?o }")
    assert construct.kind == "CONSTRUCT"
    assert construct.graph is not None
    expected = kg.query("CONSTRUCT { kg:LegCramp ?p ?o } WHERE { kg:LegCramp ?p ?o }").graph
    assert expected is not None
    assert isomorphic(construct.graph, expected)
    assert store_kg.query("DESCRIBE kg:LegCramp").kind == "DESCRIBE"
    condition = kg.entity("muscle soreness").iri
    question = next(q for q in list_questions() if q.name == "treatments-for")
    rows = store_kg.query(question.sparql, bindings={"condition": condition}).rows
    assert [str(r[1]) for r in rows] == ["analgesics"]


# ---------------------------------------------------------------- every command, every store

COMMANDS = [
    pytest.param(["info"], id="info"),
    pytest.param(["query", "--example", "risk-factors-of", "--format", "csv"], id="query-csv"),
    pytest.param(
        ["query", "--example", "treatments-for", "--param", "condition=muscle soreness"],
        id="query-param-table",
    ),
    pytest.param(["search", "charlie horse"], id="search"),
    pytest.param(["show", "Lioresal"], id="show"),
    pytest.param(["path", "beta-agonists", "calf stretch"], id="path"),
    pytest.param(["export", "--format", "graphml"], id="export-graphml"),
    pytest.param(["validate"], id="validate"),
]


def _comparable(output: str) -> list[str]:
    # `info` names the files read; a store filled beforehand has read none at start-up.
    return [line for line in output.splitlines() if not line.startswith("files:")]


@pytest.mark.parametrize("store", [s for s in STORES if s != "memory"])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_answers_alike(
    request: pytest.FixtureRequest, runner: CliRunner, store: str, command: list[str]
) -> None:
    spec = store_spec(request, store)
    expected = runner.invoke(app, command)
    got = runner.invoke(app, ["--store", spec, *command])
    assert got.exit_code == expected.exit_code == 0, got.output
    if store == "sparql" and command[0] == "query":
        assert sorted(_comparable(got.stdout)) == sorted(_comparable(expected.stdout))
    else:
        assert _comparable(got.stdout) == _comparable(expected.stdout)


@pytest.mark.parametrize("store", [s for s in STORES if s != "memory"])
def test_viz_draws_the_same_page(
    request: pytest.FixtureRequest, runner: CliRunner, tmp_path: Path, store: str
) -> None:
    spec = store_spec(request, store)
    args = ["viz", "--focus", "leg cramp"]
    expected = runner.invoke(app, [*args, "--output", str(tmp_path / "memory.html")])
    got = runner.invoke(app, ["--store", spec, *args, "--output", str(tmp_path / "other.html")])
    assert got.exit_code == expected.exit_code == 0, got.output
    assert got.stderr.split("(")[1] == expected.stderr.split("(")[1]  # entity / relation counts


# ---------------------------------------------------------------- oxigraph specifics


def test_load_fills_a_store_on_disk_once(runner: CliRunner, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text("@prefix kg: <https://w3id.org/medkg/entity/> .\nkg:A kg:b kg:C .\n")
    spec = f"oxigraph:{tmp_path / 'kg'}"
    for _ in range(2):  # loading again replaces, it does not add
        done = runner.invoke(app, ["load", "--store", spec, str(extra)])
        assert done.exit_code == 0, done.output
    assert f"{len(medkg.load()) + 1} triples" in done.stderr
    ask = runner.invoke(app, ["--store", spec, "query", "ASK { kg:A kg:b kg:C }"])
    assert ask.stdout.strip() == "yes"


def test_oxigraph_parses_turtle_natively_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kg: <https://w3id.org/medkg/entity/> .\n\nkg:A kg:b kg:C ;\n  kg:d .\n")
    with pytest.raises(DataFileError, match=r"bad\.ttl:4: syntax error"):
        medkg.load([bad], store="oxigraph")


def test_oxigraph_keeps_the_json_ld_safety_rules(tmp_path: Path) -> None:
    remote = tmp_path / "remote.jsonld"
    remote.write_text('{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "x"}')
    with pytest.raises(DataFileError, match="remote JSON-LD contexts are not fetched"):
        medkg.load([remote], store="oxigraph")


def test_oxigraph_query_errors_give_line_and_column() -> None:
    kg = medkg.load(store="oxigraph")
    with pytest.raises(QueryError) as caught:
        kg.query("SELECT ?x WHERE {\n  ?x ?y }")
    assert caught.value.line == 2
    assert caught.value.column is not None


def test_inference_runs_on_an_in_memory_copy(oxigraph_path: str) -> None:
    kg = medkg.load(store=oxigraph_path, infer=True)
    assert kg.store.kind == "memory"
    answer = kg.query("ASK { kg:LegCramp medkg:mayBeTriggeredBy kg:BetaAgonists }")
    assert answer.boolean is True


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("rdf4j", "unknown store 'rdf4j'; use one of: memory, oxigraph, oxigraph:PATH, sparql:URL"),
        ("sparql:", "unknown store"),
        ("oxigraph:/nonexistent/dir", "no store there; create it with: medkg load"),
        ("sparql:ftp://127.0.0.1/x", "must be an http(s):// URL"),
    ],
)
def test_bad_store_is_one_line(runner: CliRunner, spec: str, message: str) -> None:
    done = runner.invoke(app, ["--store", spec, "info"])
    assert done.exit_code == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_load_refuses_a_missing_parent_and_a_memory_store(runner: CliRunner) -> None:
    done = runner.invoke(app, ["load", "--store", "oxigraph:/nonexistent/dir"])
    assert done.exit_code == 2
    assert "the folder /nonexistent does not exist" in done.stderr
    done = runner.invoke(app, ["load", "--store", "memory"])
    assert done.exit_code == 2
    assert "fills a store on disk" in done.stderr


def test_data_is_refused_for_a_persistent_store(oxigraph_path: str, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text("")
    with pytest.raises(StoreError, match="medkg load"):
        medkg.load([extra], store=oxigraph_path)


def test_refused_connection_is_one_line(runner: CliRunner) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with pytest.raises(EndpointError, match="cannot connect"):
        medkg.load(store=f"sparql:{url}").query("ASK {}")
    done = runner.invoke(app, ["--store", f"sparql:{url}", "info"])
    assert done.exit_code == 2
    assert done.stderr.startswith(f"error: {url}: cannot connect")


def test_sparql_store_is_read_only() -> None:
    store = open_store("sparql:http://127.0.0.1:9/sparql")
    with pytest.raises(StoreError, match="read-only"):
        store.add_graph(Graph())


def test_unknown_push_method(kg: KnowledgeGraph) -> None:
    with pytest.raises(StoreError, match="unknown push method"):
        push_graph(kg.graph, "http://127.0.0.1:9/", graph_iri=NAMED_GRAPH, method="ftp")


# ---------------------------------------------------------------- a real SPARQL server


def test_push_is_idempotent_and_replaces_the_graph(
    kg: KnowledgeGraph, virtuoso: Virtuoso, tmp_path: Path
) -> None:
    graph = "https://w3id.org/medkg/graph/push-test"
    for _ in range(2):
        push_graph(kg.graph, virtuoso.sparql_url, graph_iri=graph)
    remote = medkg.load(store=open_store(f"sparql:{virtuoso.sparql_url}", graph=graph))
    assert len(remote) == len(kg)
    assert isomorphic(remote.graph, kg.graph)
    smaller = Graph()
    smaller.add(next(iter(kg.graph)))
    push_graph(smaller, virtuoso.sparql_url, graph_iri=graph)
    assert len(remote) == 1


def test_push_with_graph_store_protocol(kg: KnowledgeGraph, virtuoso: Virtuoso) -> None:
    # Virtuoso's Graph Store endpoint needs a user: dba over digest authentication.
    crud = virtuoso.sparql_url.replace("/sparql", "/sparql-graph-crud-auth")
    graph = "https://w3id.org/medkg/graph/gsp-test"
    env = {"MEDKG_SPARQL_USER": "dba", "MEDKG_SPARQL_PASSWORD": "dba"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        for _ in range(2):
            push_graph(kg.graph, crud, graph_iri=graph, method="gsp")
    remote = medkg.load(store=open_store(f"sparql:{virtuoso.sparql_url}", graph=graph))
    assert isomorphic(remote.graph, kg.graph)


# ---------------------------------------------------------------- start-up


def test_help_imports_no_store_engine() -> None:
    code = (
        "import sys\nfrom medkg.cli import app\n"
        "heavy = {'pyoxigraph', 'networkx', 'pyvis', 'owlrl', 'pyshacl', 'starlette', 'uvicorn'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True
    )
    assert done.stdout.strip() == "[]"


def test_push_to_the_sparql_store_and_its_update_url(
    runner: CliRunner, kg: KnowledgeGraph, virtuoso: Virtuoso
) -> None:
    graph = "https://w3id.org/medkg/graph/cli-push-test"
    store = f"sparql:{virtuoso.sparql_url}"
    # No URL argument: --update-url names the endpoint (here the same one Virtuoso serves).
    result = runner.invoke(
        app,
        ["--store", store, "--sparql-graph", graph, "--update-url", virtuoso.sparql_url, "push"],
    )
    assert result.exit_code == 0, result.output
    assert f"pushed {len(kg)} triples to <{graph}>" in result.stderr
    # Pushing through the store again replaces, never doubles; what goes up is the bundled
    # graph, not what the server already holds.
    result = runner.invoke(app, ["--store", store, "--sparql-graph", graph, "push"])
    assert result.exit_code == 0, result.output
    remote = medkg.load(store=open_store(store, graph=graph))
    assert isomorphic(remote.graph, kg.graph)


def test_push_without_an_endpoint_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["push"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: medkg push needs an update endpoint")
