"""SPARQL through medkg: predeclared prefixes, faithful result formats, errors with positions."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib.term import Literal, URIRef

from medkg.errors import QueryError, UnknownFormatError
from medkg.graph import KnowledgeGraph

LEG_CRAMP = URIRef("https://w3id.org/medkg/entity/LegCramp")


def test_prefixes_are_predeclared(kg: KnowledgeGraph) -> None:
    result = kg.query("SELECT ?label WHERE { kg:LegCramp rdfs:label ?label }")
    assert result.rows == [(Literal("leg cramp", lang="en"),)]


def test_ask_and_construct(kg: KnowledgeGraph) -> None:
    assert kg.query("ASK { kg:Baclofen medkg:memberOf kg:MuscleRelaxants }").boolean is True
    assert kg.query("ASK { kg:Baclofen medkg:memberOf kg:BetaAgonists }").boolean is False
    built = kg.query("CONSTRUCT { ?m schema:drugClass ?c } WHERE { ?m medkg:memberOf ?c }")
    assert built.kind == "CONSTRUCT" and built.graph is not None
    assert len(built.graph) == 5


def test_bindings_parameterise_a_query(kg: KnowledgeGraph) -> None:
    result = kg.query(
        "SELECT ?m WHERE { ?c medkg:affects ?m } ORDER BY ?m", bindings={"c": LEG_CRAMP}
    )
    assert len(result.rows) == 4


def test_rows_with_every_variable_unbound_are_kept(kg: KnowledgeGraph) -> None:
    # rdflib's result iteration drops such rows; the W3C formats keep them.
    result = kg.query("SELECT ?x WHERE { OPTIONAL { kg:LegCramp medkg:noSuchProperty ?x } }")
    assert result.rows == [(None,)]
    assert json.loads(result.serialize("json"))["results"]["bindings"] == [{}]
    assert list(csv.reader(io.StringIO(result.serialize("csv")))) == [["x"], [""]]
    assert result.serialize("tsv") == "?x\n\n"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(ET.fromstring(result.serialize("xml")).findall(".//r:result", ns)) == 1


@pytest.mark.parametrize(
    ("query", "line", "column"),
    [
        pytest.param("SELECT ?x WHERE { ?x ?y }", 1, 19, id="one-line"),
        pytest.param("SELECT ?x\nWHERE {\n  ?x a ?y\n  FILTER( }", 4, 3, id="multi-line"),
    ],
)
def test_syntax_errors_give_line_and_column(
    kg: KnowledgeGraph, query: str, line: int, column: int
) -> None:
    with pytest.raises(QueryError) as info:
        kg.query(query)
    assert (info.value.line, info.value.column) == (line, column)
    assert str(info.value).startswith(f"query:{line}:{column}: syntax error")


def test_unknown_prefix_is_a_query_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match="nope"):
        kg.query("SELECT ?x WHERE { ?x nope:thing ?y }")


SELECT_TWO = """SELECT ?drug ?brand WHERE { ?drug medkg:brandName ?brand }
                ORDER BY ?brand LIMIT 2"""


def test_csv_is_w3c_csv(kg: KnowledgeGraph) -> None:
    text = kg.query(SELECT_TWO).serialize("csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["drug", "brand"],
        ["https://w3id.org/medkg/entity/Baclofen", "Lioresal"],
        ["https://w3id.org/medkg/entity/Metaxalone", "Skelaxin"],
    ]


def test_tsv_writes_rdf_terms(kg: KnowledgeGraph) -> None:
    text = kg.query(SELECT_TWO).serialize("tsv")
    assert text.splitlines() == [
        "?drug\t?brand",
        '<https://w3id.org/medkg/entity/Baclofen>\t"Lioresal"',
        '<https://w3id.org/medkg/entity/Metaxalone>\t"Skelaxin"',
    ]


def test_json_is_sparql_results_json(kg: KnowledgeGraph) -> None:
    doc = json.loads(kg.query("SELECT ?l WHERE { kg:LegCramp rdfs:label ?l }").serialize("json"))
    assert doc == {
        "head": {"vars": ["l"]},
        "results": {
            "bindings": [{"l": {"type": "literal", "value": "leg cramp", "xml:lang": "en"}}]
        },
    }
    ask = json.loads(kg.query("ASK { kg:LegCramp a medkg:Condition }").serialize("json"))
    assert ask["boolean"] is True


def test_xml_is_sparql_results_xml(kg: KnowledgeGraph) -> None:
    text = kg.query(SELECT_TWO).serialize("xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(text)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["drug", "brand"]
    assert [e.text for e in root.findall(".//r:literal", ns)] == ["Lioresal", "Skelaxin"]


def test_result_formats_refuse_what_they_cannot_write(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownFormatError, match="xml, csv, tsv, json"):
        kg.query(SELECT_TWO).serialize("yaml")
    # A graph result in a table format is refused by the format registry, in one line.
    with pytest.raises(UnknownFormatError, match="csv cannot write a CONSTRUCT result"):
        kg.query("CONSTRUCT WHERE { ?s a medkg:Drug }").serialize("csv")
