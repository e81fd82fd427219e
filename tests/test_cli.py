"""The medkg command line: every command, and bad input as one clear line with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from medkg.cli import app
from medkg.graph import KnowledgeGraph

DATA = Path(__file__).parent / "data"


def run(runner: CliRunner, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=input)


def assert_one_line_error(result, *fragments: str, exit_code: int | None = None) -> None:  # type: ignore[no-untyped-def]
    # Nothing found exits 1 (as search without a hit); every other bad input exits 2.
    if exit_code is None:
        exit_code = 1 if any(f.startswith("no entity named") for f in fragments) else 2
    assert result.exit_code == exit_code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got: {result.stderr!r}"
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_info_counts(runner: CliRunner) -> None:
    result = run(runner, "info")
    assert result.exit_code == 0, result.output
    assert "medkg:RiskFactor" in result.stdout and "19" in result.stdout
    assert "Young G. Leg cramps. BMJ Clin Evid 2015:1113" in result.stdout
    assert "65 evidence records" in result.stdout


def test_query_table_shows_curies_with_labels(runner: CliRunner) -> None:
    result = run(runner, "query", "SELECT ?m WHERE { kg:LegCramp medkg:affects ?m }")
    assert result.exit_code == 0, result.output
    assert "kg:Gastrocnemius (gastrocnemius muscle)" in result.stdout
    assert "4 rows" in result.stdout


def test_query_json_from_stdin(runner: CliRunner) -> None:
    result = run(
        runner,
        "query",
        "-",
        "--format",
        "json",
        input="SELECT ?b WHERE { kg:Baclofen medkg:brandName ?b }",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["results"]["bindings"] == [{"b": {"type": "literal", "value": "Lioresal"}}]


def test_query_from_file_as_csv(runner: CliRunner, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?l WHERE { kg:Soma rdfs:label ?l }\n", encoding="utf-8")
    result = run(runner, "query", "-f", str(query), "--format", "csv")
    assert result.exit_code == 0
    # kg:Soma does not exist: the header alone, no rows.
    assert result.stdout.splitlines() == ["l"]


def test_query_example(runner: CliRunner) -> None:
    result = run(runner, "query", "--example", "triggering-drugs", "--format", "tsv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "?drug\t?label\t?quote"
    assert len(result.stdout.splitlines()) == 4


def test_construct_prints_turtle(runner: CliRunner) -> None:
    result = run(runner, "query", "CONSTRUCT { ?d a schema:Drug } WHERE { ?d a medkg:Drug }")
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert len(graph) == 3


def test_examples_and_prefixes(runner: CliRunner) -> None:
    result = run(runner, "examples")
    assert result.exit_code == 0
    assert "triggering-drugs" in result.stdout
    result = run(runner, "prefixes")
    assert "PREFIX kg: <https://w3id.org/medkg/entity/>" in result.stdout


def test_export_turtle_to_stdout_round_trips(runner: CliRunner, kg: KnowledgeGraph) -> None:
    result = run(runner, "export", "--format", "turtle")
    assert result.exit_code == 0, result.output
    assert isomorphic(Graph().parse(data=result.stdout, format="turtle"), kg.graph)


def test_data_option_merges_a_file(runner: CliRunner) -> None:
    result = run(
        runner,
        "--data",
        str(DATA / "ambiguous-synonym.ttl"),
        "query",
        "ASK { kg:TestHorseRiding a medkg:Activity }",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "yes"


def test_show_an_entity(runner: CliRunner) -> None:
    result = run(runner, "show", "Lioresal")
    assert result.exit_code == 0, result.output
    assert "baclofen" in result.stdout and "Lioresal" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        pytest.param(
            ["query", "SELECT ?x WHERE { ?x ?y }"],
            ["query:1:19", "syntax error"],
            id="malformed-sparql",
        ),
        pytest.param(["query", "SELECT ?x WHERE { ?x nope:p ?y }"], ["nope"], id="unknown-prefix"),
        pytest.param(
            ["query", "-f", "/no/such/query.rq"], ["/no/such/query.rq"], id="missing-query-file"
        ),
        pytest.param(["query"], ["give exactly one of"], id="no-query"),
        pytest.param(
            ["query", "--example", "nope"],
            ["no example named 'nope'", "triggering-drugs"],
            id="unknown-example",
        ),
        pytest.param(
            ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "yaml"],
            ["unknown format 'yaml'", "csv"],
            id="unknown-format",
        ),
        pytest.param(
            ["--data", "/no/such/file.ttl", "info"],
            ["/no/such/file.ttl", "no such file"],
            id="missing-data-file",
        ),
        pytest.param(
            ["--data", str(DATA / "malformed.ttl"), "info"],
            ["malformed.ttl:4:", "syntax error"],
            id="malformed-turtle",
        ),
        pytest.param(
            ["show", "charlie horse"],
            ["no entity named 'charlie horse'", "leg cramp"],
            id="unknown-entity",
        ),
        pytest.param(
            ["--data", str(DATA / "ambiguous-synonym.ttl"), "show", "charley horse"],
            ["ambiguous", "kg:LegCramp", "kg:TestHorseRiding"],
            id="ambiguous-entity",
        ),
        pytest.param(
            ["export", "--format", "yaml"],
            ["unknown format 'yaml'", "turtle"],
            id="unknown-export-format",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, args: list[str], fragments: list[str]
) -> None:
    assert_one_line_error(run(runner, *args), *fragments)


def test_search_ranks_and_tolerates_typos(runner: CliRunner) -> None:
    result = run(runner, "search", "charlie horse")
    assert result.exit_code == 0, result.output
    assert "kg:LegCramp" in result.stdout and "Charley horse" in result.stdout
    assert run(runner, "search", "xylophone").exit_code == 1


def test_show_prints_relations_with_evidence(runner: CliRunner) -> None:
    result = run(runner, "show", "kg:Baclofen")
    assert result.exit_code == 0, result.output
    assert "brand names: Lioresal" in result.stdout
    assert "member of muscle relaxants (kg:MuscleRelaxants)" in result.stdout
    assert "These muscle relaxants include Lioresal, Soma, and Skelaxin" in result.stdout
    assert "chebi" in result.stdout.lower()


def test_path_prints_chain_with_sources(runner: CliRunner) -> None:
    result = run(runner, "path", "beta-agonists", "calf stretch")
    assert result.exit_code == 0, result.output
    assert "beta-agonists —may trigger→ leg cramp —prevented by→ calf stretching" in result.stdout
    assert "Young G. Leg cramps. BMJ Clin Evid 2015:1113" in result.stdout


def test_parameterised_question_resolves_names(runner: CliRunner) -> None:
    result = run(
        runner,
        "query",
        "--example",
        "treatments-for",
        "--param",
        "condition=charley horse",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1 + 9
    result = run(
        runner,
        "query",
        "-e",
        "treatments-for",
        "-p",
        "condition=muscle soreness",
        "--format",
        "csv",
    )
    assert result.stdout.splitlines()[1:] == [
        "https://w3id.org/medkg/entity/Analgesics,analgesics,relieves"
    ]


def test_infer_changes_the_answer(runner: CliRunner) -> None:
    query = "SELECT ?x WHERE { kg:LegCramp medkg:mayBeTriggeredBy ?x }"
    plain = run(runner, "query", query, "--format", "csv")
    inferred = run(runner, "query", query, "--format", "csv", "--infer")
    assert plain.stdout.splitlines() == ["x"]
    assert len(inferred.stdout.splitlines()) == 1 + 19
    drugs = "SELECT ?d WHERE { ?d a medkg:Treatment }"
    assert len(run(runner, "query", drugs, "--format", "csv", "--infer").stdout.splitlines()) > 10


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        pytest.param(
            ["path", "leg cramp", "nothing-like-this"], ["no entity named"], id="path-unknown"
        ),
        pytest.param(
            ["path", "leg cramp", "charley horse"], ["both the start and the end"], id="path-same"
        ),
        pytest.param(["serve", "--port", "99999"], ["--port", "65535"], id="serve-bad-port"),
        pytest.param(
            ["query", "-e", "treatments-for", "-p", "foo=bar"],
            ["unknown parameter 'foo'", "condition"],
            id="param-undeclared",
        ),
        pytest.param(
            ["query", "-e", "treatments-for", "-p", "condition"],
            ["not NAME=ENTITY"],
            id="param-malformed",
        ),
        pytest.param(
            ["query", "-e", "treatments-for", "-p", "condition=zzzz"],
            ["no entity named 'zzzz'"],
            id="param-unknown-entity",
        ),
    ],
)
def test_more_bad_input(runner: CliRunner, args: list[str], fragments: list[str]) -> None:
    assert_one_line_error(run(runner, *args), *fragments)
