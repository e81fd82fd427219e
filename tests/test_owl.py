"""The OWL export, checked by the OWL tools that receive it: the OWL API, owlready2, pronto."""

from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal
from tests.system_tools import require_program, require_tool
from typer.testing import CliRunner

from medkg import load
from medkg.cli import app
from medkg.export import export_graph
from medkg.namespaces import KG, MEDKG

CHECKER = Path(__file__).with_name("owlapi_check.py")
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
STATEMENT = ("subject", "predicate", "object")


@pytest.fixture(scope="module")
def kg() -> Any:
    return load()


@pytest.fixture(scope="module")
def owl_files(kg: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("owl")
    files = {"full": folder / "medkg.owl", "schema": folder / "medkg-schema.owl"}
    export_graph(kg, "owl", files["full"])
    export_graph(kg, "owl", files["schema"], schema_only=True)
    return files


def owl_api(path: Path) -> dict[str, Any]:
    python = require_tool("owlapi", "python")
    require_program("java", "default-jre-headless")
    done = subprocess.run(
        [python, str(CHECKER), str(path)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.fixture(scope="module")
def owl_api_reports(owl_files: dict[str, Path]) -> dict[str, dict[str, Any]]:
    return {name: owl_api(path) for name, path in owl_files.items()}


def evidence_fields(kg: Any) -> dict[str, int]:
    """Each evidence record's number of fields other than its type and its statement."""
    rows = kg.query(
        """SELECT ?record (COUNT(*) AS ?n) WHERE {
             ?record a medkg:Evidence ; ?field ?value .
             FILTER(?field NOT IN (rdf:type, rdf:subject, rdf:predicate, rdf:object))
           } GROUP BY ?record"""
    ).rows
    return {str(record): int(n) for record, n in rows}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["full", "schema"])
def test_the_owl_api_finds_owl2_dl_and_keeps_every_triple(
    owl_api_reports: dict[str, dict[str, Any]], name: str
) -> None:
    report = owl_api_reports[name]
    assert report["violations"] == []
    assert report["unparsed"] == []
    assert report["axioms"] > 400


@pytest.mark.slow
def test_the_owl_api_keeps_every_evidence_record_with_every_field(
    kg: Any, owl_api_reports: dict[str, dict[str, Any]]
) -> None:
    expected = evidence_fields(kg)
    kept: dict[str, int] = {}
    for axiom in owl_api_reports["full"]["annotated_axioms"]:
        records = [a.split(" ", 1)[1] for a in axiom["annotations"] if a.startswith(SEE_ALSO)]
        assert len(records) == 1, axiom
        # every field of the record, plus the rdfs:seeAlso that names it
        kept[records[0].strip("<>")] = len(axiom["annotations"]) - 1
    assert len(expected) > 50
    assert kept == expected


@pytest.mark.slow
def test_the_evidence_annotates_the_statement_it_supports(
    owl_api_reports: dict[str, dict[str, Any]],
) -> None:
    by_record = {
        next(a for a in axiom["annotations"] if a.startswith(SEE_ALSO))
        .split(" ", 1)[1]
        .strip("<>"): axiom["axiom"]
        for axiom in owl_api_reports["full"]["annotated_axioms"]
    }
    record = "https://w3id.org/medkg/evidence/Baclofen-memberOf-MuscleRelaxants"
    assert by_record[record] == (
        "ObjectPropertyAssertion(<https://w3id.org/medkg/schema/memberOf> "
        "<https://w3id.org/medkg/entity/Baclofen> <https://w3id.org/medkg/entity/MuscleRelaxants>)"
    )


def test_the_schema_alone_has_no_knowledge(owl_files: dict[str, Path]) -> None:
    graph = Graph().parse(owl_files["schema"], format="xml")
    assert len(graph) > 300
    assert not [s for s in graph.subjects() if str(s).startswith(str(KG))]
    full = Graph().parse(owl_files["full"], format="xml")
    assert (KG.LegCramp, None, None) in full


@pytest.mark.parametrize("name", ["full", "schema"])
def test_owlready2_loads_it(owl_files: dict[str, Path], name: str) -> None:
    import owlready2

    world = owlready2.World()
    ontology = world.get_ontology(owl_files[name].as_uri()).load()
    classes = {c.iri for c in ontology.classes()}
    assert "https://w3id.org/medkg/schema/Condition" in classes
    individuals = {i.iri for i in ontology.individuals()}
    assert (str(KG.LegCramp) in individuals) == (name == "full")


@pytest.mark.parametrize("name", ["full", "schema"])
def test_pronto_loads_it(owl_files: dict[str, Path], name: str) -> None:
    import pronto

    with warnings.catch_warnings():
        # pronto warns about every OWL construct OBO has no place for (unions, SKOS notes).
        warnings.simplefilter("ignore")
        ontology = pronto.Ontology(str(owl_files[name]))
    condition = ontology["https://w3id.org/medkg/schema/Condition"]
    assert condition.name == "condition"
    disease = ontology["https://w3id.org/medkg/schema/Disease"]
    assert condition in set(disease.superclasses(distance=1))
    assert "https://w3id.org/medkg/schema/mayTrigger" in ontology.relationships()


def test_schema_only_is_for_owl_only() -> None:
    result = CliRunner().invoke(app, ["export", "--format", "turtle", "--schema-only"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --schema-only is for --format owl, not turtle"
    ]
    assert "Traceback" not in result.output


def test_the_owl_export_keeps_the_quotes_verbatim(kg: Any, owl_files: dict[str, Path]) -> None:
    query = "SELECT ?q WHERE { ?r a medkg:Evidence ; medkg:quote ?q }"
    quotes = {str(q) for (q,) in kg.query(query).rows}
    graph = Graph().parse(owl_files["full"], format="xml")
    kept = {str(o) for o in graph.objects(None, MEDKG.quote) if isinstance(o, Literal)}
    assert quotes and quotes <= kept
