"""SHACL validation and the OWL consistency check: the report a curator gets, API and CLI."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH
from typer.testing import CliRunner

from medkg.cli import app
from medkg.entities import all_entities
from medkg.errors import DataFileError, ValidationError
from medkg.graph import KnowledgeGraph, load
from medkg.namespaces import MEDKG
from medkg.validate import (
    ValidationReport,
    ValidatorUnavailableError,
    check_consistency,
    default_shapes_file,
    validate_graph,
)
from system_tools import require_program

DATA = Path(__file__).parent / "data"

# Each fixture adds one mistake to the bundled graph: (file, broken node, rule, message part).
BROKEN = [
    pytest.param(
        "two-labels.ttl",
        "kg:FixtureTwoLabels",
        "shape:Entity-label-single",
        "more than one rdfs:label",
        id="entity-with-two-labels",
    ),
    pytest.param(
        "relation-without-evidence.ttl",
        "kg:FixtureColdWeather",
        "shape:Relation-hasEvidence",
        # The message names the unsupported triple, as CURIEs.
        "kg:FixtureColdWeather medkg:mayTrigger kg:LegCramp has no evidence record",
        id="relation-without-evidence",
    ),
    pytest.param(
        "evidence-without-quote.ttl",
        "ev:FixtureUnquoted",
        "shape:Evidence-quote-required",
        "exactly one medkg:quote",
        id="evidence-without-quote",
    ),
    pytest.param(
        "bad-external-id.ttl",
        "kg:FixtureBadId",
        "shape:Entity-externalId-pattern",
        "not in an accepted form",
        id="external-id-wrong-pattern",
    ),
    pytest.param(
        "trigger-not-risk-factor.ttl",
        "kg:FixtureColdWeather",
        "shape:MayTrigger-subject-isRiskFactor",
        "not typed medkg:RiskFactor",
        id="trigger-not-risk-factor",
    ),
]


@pytest.fixture(scope="module")
def bundled_report(kg: KnowledgeGraph) -> ValidationReport:
    return validate_graph(kg)


def describe(report: ValidationReport) -> str:
    return "\n".join(f"{f.focus_node} {f.shape}: {f.message}" for f in report.findings)


# ---------------------------------------------------------------- SHACL, Python API


def test_bundled_graph_conforms(bundled_report: ValidationReport) -> None:
    assert bundled_report.conforms, describe(bundled_report)
    assert bundled_report.findings == []


def test_focus_count_covers_entities_and_evidence(
    kg: KnowledgeGraph, bundled_report: ValidationReport
) -> None:
    entities = len(all_entities(kg.graph))
    evidence = len(set(kg.graph.subjects(RDF.type, MEDKG.Evidence)))
    assert bundled_report.focus_count >= entities + evidence > 100


def test_validation_leaves_the_graph_unchanged() -> None:
    kg = load([DATA / "two-labels.ttl"])
    before = set(kg.graph)
    validate_graph(kg)
    assert set(kg.graph) == before


@pytest.mark.parametrize(("fixture", "node", "rule", "message"), BROKEN)
def test_each_broken_fixture_yields_one_finding_naming_node_and_rule(
    fixture: str, node: str, rule: str, message: str, bundled_report: ValidationReport
) -> None:
    report = validate_graph(load([DATA / fixture]))
    assert not report.conforms
    assert len(report.findings) == 1, describe(report)
    finding = report.findings[0]
    assert finding.severity == "Violation"
    assert finding.focus_node == node
    assert finding.shape.split()[0] == rule
    assert message in finding.message
    assert "https://w3id.org/medkg/" not in finding.message, "nodes are shown as CURIEs"
    # The fixture's new nodes are checked too: the count grows, it does not restart.
    assert report.focus_count > bundled_report.focus_count


def test_external_id_finding_shows_value_and_path() -> None:
    (finding,) = validate_graph(load([DATA / "bad-external-id.ttl"])).findings
    assert finding.value == "https://meshb.nlm.nih.gov/record/ui?ui=D009120"
    assert finding.path is not None and "skos:exactMatch" in finding.path.split("|")
    # A curator copies the accepted form from the message: it keeps full IRIs.
    assert "http://id.nlm.nih.gov/mesh/D009120" in finding.message


def test_well_formed_addition_conforms(bundled_report: ValidationReport) -> None:
    report = validate_graph(load([DATA / "valid-addition.ttl"]))
    assert report.conforms, describe(report)
    # One new entity and one new evidence record were checked.
    assert report.focus_count == bundled_report.focus_count + 2


def test_custom_shapes_file(tmp_path: Path) -> None:
    shapes = tmp_path / "definitions.ttl"
    shapes.write_text(
        """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix medkg: <https://w3id.org/medkg/schema/> .
        <urn:x:MuscleDefined> a sh:NodeShape ;
            sh:targetClass medkg:Disease ;
            sh:property [ sh:path skos:definition ; sh:minCount 1 ] .
        """,
        encoding="utf-8",
    )
    report = validate_graph(load(), shapes=shapes)
    assert not report.conforms
    assert "kg:AddisonDisease" in {f.focus_node for f in report.findings}
    assert {f.path for f in report.findings} == {"skos:definition"}


def test_malformed_shapes_file_is_a_data_file_error(tmp_path: Path) -> None:
    shapes = tmp_path / "broken-shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:x> sh:path .\n")
    with pytest.raises(DataFileError, match=r"broken-shapes\.ttl:2"):
        validate_graph(load(), shapes=shapes)


def test_shapes_file_is_valid_shacl() -> None:
    shapes = Graph().parse(default_shapes_file(), format="turtle")
    # meta_shacl checks the shapes against the W3C's SHACL-for-SHACL shapes first.
    conforms, _, text = pyshacl.validate(
        Graph(), shacl_graph=shapes, meta_shacl=True, advanced=True
    )
    assert conforms, text


def test_every_rule_tells_the_curator_what_to_do() -> None:
    shapes = Graph().parse(default_shapes_file(), format="turtle")
    value_shapes = set(shapes.objects(None, SH.node))  # their referrer's message is shown
    direct = (SH["class"], SH["or"], SH.datatype, SH.pattern, SH.minCount, SH.maxCount)
    rules = {
        *shapes.subjects(RDF.type, SH.PropertyShape),
        *shapes.objects(None, SH.sparql),
        *(
            s
            for p in direct
            for s in shapes.subjects(p, None)
            if (s, RDF.type, SH.NodeShape) in shapes
        ),
    }
    silent = sorted(
        str(rule)
        for rule in rules - value_shapes
        if not any(
            isinstance(m, Literal) and m.language == "en" for m in shapes.objects(rule, SH.message)
        )
    )
    assert not silent, f"add an English sh:message saying how to fix the data to: {silent}"


# ---------------------------------------------------------------- SHACL, command line


def test_cli_validate_good_data_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--data", str(DATA / "valid-addition.ttl"), "validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("conforms:")


@pytest.mark.parametrize(
    ("fixture", "node"),
    [
        ("two-labels.ttl", "kg:FixtureTwoLabels"),
        ("relation-without-evidence.ttl", "kg:FixtureColdWeather"),
    ],
)
def test_cli_validate_broken_data_exits_1_with_table(
    runner: CliRunner, fixture: str, node: str
) -> None:
    result = runner.invoke(app, ["--data", str(DATA / fixture), "validate"])
    assert result.exit_code == 1, result.output
    assert "SHACL: 1 problem" in result.stdout
    assert node in result.stdout
    assert "Traceback" not in result.output


def test_cli_validate_malformed_turtle_exits_2_with_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--data", str(DATA / "malformed.ttl"), "validate"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "malformed.ttl:4:" in lines[0]
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- OWL consistency (HermiT)


@pytest.fixture()
def java() -> str:
    return require_program("java", "default-jre-headless")


def test_bundled_graph_is_consistent(
    java: str, kg: KnowledgeGraph, capfd: pytest.CaptureFixture[str]
) -> None:
    check_consistency(kg)
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", ""), "owlready2 and HermiT must stay quiet"


def test_disjoint_types_are_inconsistent(java: str) -> None:
    with pytest.raises(ValidationError, match="inconsistent") as caught:
        check_consistency(load([DATA / "disjoint-types.ttl"]))
    message = str(caught.value)
    assert "\n" not in message
    assert "kg:FixtureParadox is both medkg:Drug and medkg:Muscle" in message


def test_missing_java_is_reported_not_crashed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(ValidatorUnavailableError, match="needs Java"):
        check_consistency(load())


def test_cli_reasoner_on_good_data_exits_0(java: str, runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "--reasoner"])
    assert result.exit_code == 0, result.output
    assert "consistent" in result.stdout


def test_cli_reasoner_on_inconsistent_data_exits_1(java: str, runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["--data", str(DATA / "disjoint-types.ttl"), "validate", "--reasoner"]
    )
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "kg:FixtureParadox" in lines[0], result.stderr
    assert "Traceback" not in result.output
