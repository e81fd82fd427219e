"""Query lint: a schema term that does not exist is named, with the closest one."""

from __future__ import annotations

from typer.testing import CliRunner

from medkg.cli import app
from medkg.graph import KnowledgeGraph
from medkg.lint import unknown_terms


def test_a_misspelt_property_is_named_with_the_closest(kg: KnowledgeGraph) -> None:
    assert unknown_terms(kg, "SELECT ?m { kg:LegCramp medkg:afects ?m . ?m medkg:afects ?x }") == [
        "medkg:afects is not in the schema; did you mean medkg:affects?"
    ]


def test_known_terms_strings_comments_and_other_prefixes_are_quiet(kg: KnowledgeGraph) -> None:
    query = """
    PREFIX ex: <http://example.org/>
    # medkg:nothing in a comment
    SELECT ?m WHERE { kg:LegCramp medkg:affects ?m ; ex:afects "medkg:afects" }
    """
    assert unknown_terms(kg, query) == []


def test_full_iris_and_redeclared_prefixes_are_checked(kg: KnowledgeGraph) -> None:
    query = "PREFIX m: <https://w3id.org/medkg/schema/> ASK { ?a m:mayTriger ?b }"
    assert unknown_terms(kg, query) == [
        "m:mayTriger is not in the schema; did you mean medkg:mayTrigger?"
    ]
    iri = "ASK { ?a <https://w3id.org/medkg/schema/Drugg> ?b }"
    assert unknown_terms(kg, iri)[0].startswith("<https://w3id.org/medkg/schema/Drugg> is not")


def test_the_cli_warns_once_on_stderr_and_still_answers() -> None:
    result = CliRunner().invoke(
        app, ["query", "SELECT ?m { kg:LegCramp medkg:afects ?m . ?m medkg:afects ?x }"]
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: medkg:afects is not in the schema; did you mean medkg:affects?"
    ]
    assert "0 rows" in result.stdout
