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
from ports import free_port
from virtuoso import Virtuoso

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


# ---------------------------------------------------------------- named graphs (datasets)

SCHEMA_G = "https://w3id.org/medkg/graph/schema"
KNOWLEDGE_G = "https://w3id.org/medkg/graph/leg-cramps"


def _count(kg: KnowledgeGraph, sparql: str, **dataset: list[str]) -> int:
    rows = kg.query(sparql, **dataset).rows  # type: ignore[arg-type]
    return int(str(rows[0][0]))


def _graph_counts(kg: KnowledgeGraph, sparql: str, **dataset: list[str]) -> dict[str, int]:
    return {str(g): int(str(n)) for g, n in kg.query(sparql, **dataset).rows}  # type: ignore[arg-type]


def _dataset_of(store_kg: KnowledgeGraph) -> list[str]:
    # medkg push writes the whole graph into one named graph: that is a sparql store's dataset.
    return [NAMED_GRAPH] if store_kg.store.kind == "sparql" else [SCHEMA_G, KNOWLEDGE_G]


def test_graph_names_one_graph_per_file_and_the_union_is_the_default(
    kg: KnowledgeGraph, store_kg: KnowledgeGraph
) -> None:
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    counts = _graph_counts(store_kg, per_graph)
    assert sorted(counts) == sorted(_dataset_of(store_kg))
    assert sum(counts.values()) == _count(store_kg, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert sum(counts.values()) == len(kg)
    if store_kg.store.kind != "sparql":
        assert counts == _graph_counts(kg, per_graph)
        declared_in = "ASK {{ GRAPH <{}> {{ medkg:Condition a owl:Class }} }}"
        assert store_kg.query(declared_in.format(SCHEMA_G)).boolean is True
        assert store_kg.query(declared_in.format(KNOWLEDGE_G)).boolean is False


def test_from_and_from_named_choose_graphs_of_the_dataset(
    kg: KnowledgeGraph, store_kg: KnowledgeGraph
) -> None:
    first = _dataset_of(store_kg)[0]
    expected = _graph_counts(kg, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    size = expected[first] if store_kg.store.kind != "sparql" else len(kg)
    assert _count(store_kg, f"SELECT (COUNT(*) AS ?n) FROM <{first}> {{ ?s ?p ?o }}") == size
    named = _graph_counts(
        store_kg,
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{first}> "
        "{ GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    )
    assert named == {first: size}
    # FROM NAMED alone leaves the default graph empty; FROM alone leaves no named graphs.
    assert _count(store_kg, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{first}> {{ ?s ?p ?o }}") == 0
    from_only = f"SELECT (COUNT(*) AS ?n) FROM <{first}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _count(store_kg, from_only) == 0


@pytest.mark.parametrize(
    "outside",
    [
        "https://w3id.org/medkg/graph/no-such-graph",
        "file:///etc/passwd",
        "http://127.0.0.1:9/data.ttl",
        "http://www.openlinksw.com/schemas/virtrdf#",  # Virtuoso's own system graph
    ],
)
def test_an_iri_outside_the_dataset_reads_nothing(store_kg: KnowledgeGraph, outside: str) -> None:
    assert _count(store_kg, f"SELECT (COUNT(*) AS ?n) FROM <{outside}> {{ ?s ?p ?o }}") == 0
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{outside}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _count(store_kg, named) == 0


def test_graph_on_an_iri_outside_the_dataset_reads_nothing(store_kg: KnowledgeGraph) -> None:
    if store_kg.store.kind == "sparql":
        # Known gap: Virtuoso 7.2 answers GRAPH <constant IRI> outside the named-graph-uri
        # it was sent; the sparql store does not rewrite such patterns yet.
        pytest.xfail("Virtuoso ignores named-graph-uri for GRAPH <constant IRI>")
    for outside in ("https://w3id.org/medkg/graph/no-such-graph", "file:///etc/passwd"):
        query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{outside}> {{ ?s ?p ?o }} }}"
        assert _count(store_kg, query) == 0


def test_the_protocol_dataset_replaces_from(kg: KnowledgeGraph, store_kg: KnowledgeGraph) -> None:
    first = _dataset_of(store_kg)[0]
    everything = f"SELECT (COUNT(*) AS ?n) FROM <{first}> {{ ?s ?p ?o }}"
    size = _count(store_kg, everything)
    # default-graph-uri names a graph that is not there: it wins over the query's FROM.
    nothing = ["https://w3id.org/medkg/graph/no-such-graph"]
    assert _count(store_kg, everything, default_graphs=nothing) == 0
    union = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    assert _count(store_kg, union, default_graphs=[first]) == size
    per_graph = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    assert _graph_counts(store_kg, per_graph, named_graphs=[first]) == {first: size}
    assert _count(store_kg, union, named_graphs=[first]) == 0


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("format", ["turtle", "nt", "xml", "trig", "jsonld"])
def test_reimporting_an_export_does_not_grow_the_graph(
    kg: KnowledgeGraph, tmp_path: Path, store: str, format: str
) -> None:
    from medkg.export import export_graph

    exported = tmp_path / f"export.{ {'turtle': 'ttl', 'xml': 'rdf'}.get(format, format) }"
    export_graph(kg, format, exported)
    again = medkg.load([exported], store=store)
    assert len(again) == len(kg)
    assert isomorphic(again.graph, kg.graph)


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("size", ["smaller", "larger"])
def test_a_file_adds_only_the_triples_the_store_lacks(
    kg: KnowledgeGraph, tmp_path: Path, store: str, size: str
) -> None:
    # A file smaller than the store and one larger than it take different routes on
    # oxigraph (probing the store per new triple, or the store's triples in the file).
    from rdflib import BNode

    from medkg.graph import fill_store

    known = [t for t in sorted(kg.graph) if not any(isinstance(x, BNode) for x in t)][:3]
    fresh = [
        (
            f"<https://example.org/new/{i}>",
            "<http://www.w3.org/2000/01/rdf-schema#label>",
            f'"n{i}"',
        )
        for i in range(5 if size == "smaller" else 5000)
    ]
    lines = [f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in known]
    lines += [" ".join(t) + " ." for t in fresh]
    data = tmp_path / "extra.nt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = open_store(store)
    fill_store(target)
    before = len(target)
    target.add_file(data, graph="https://example.org/graph/extra")
    assert len(target) == before + len(fresh)
    answer = target.query(
        "SELECT (COUNT(*) AS ?n) { GRAPH <https://example.org/graph/extra> { ?s ?p ?o } }"
    )
    assert int(answer.rows[0][0]) == len(fresh)
    target.add_file(data, graph="https://example.org/graph/extra-again")
    assert len(target) == before + len(fresh)
    assert "https://example.org/graph/extra-again" not in target.graph_names()
