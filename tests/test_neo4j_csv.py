"""The Neo4j-format CSV export, loaded into Kùzu (Cypher) and DuckDB (SQL).

Neo4j itself is not installable from PyPI, so the header is checked against the grammar of
Neo4j's documented import header format ("Import header format" in the Operations Manual):
each field is ``<name>:<field_type>`` where the type is one of int, long, float, double,
boolean, byte, short, char, string, point, date, localtime, time, localdatetime, datetime,
duration, optionally with ``[]`` for an array; node files need an ``ID`` field and may have
``LABEL``; relationship files need ``START_ID``, ``END_ID`` and ``TYPE``; arrays and labels
are separated by ``;`` by default.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from medkg.export import export_graph
from medkg.graph import KnowledgeGraph

NEO4J_TYPES = (
    "int|long|float|double|boolean|byte|short|char|string|point|date|localtime|time"
    "|localdatetime|datetime|duration"
)
FIELD = re.compile(
    rf"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)?"
    rf"(:(?P<type>ID|LABEL|START_ID|END_ID|TYPE|IGNORE|(?:{NEO4J_TYPES})(?:\[\])?))?$"
)


@pytest.fixture(scope="module")
def folder(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("neo4j") / "csv"
    export_graph(kg, "csv", out)
    return out


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _fields(header: list[str]) -> list[tuple[str | None, str | None]]:
    parsed = []
    for field in header:
        match = FIELD.match(field)
        assert match, f"{field!r} is not <name>:<field_type> in Neo4j's header grammar"
        parsed.append((match["name"], match["type"]))
    return parsed


def test_headers_follow_neo4j_grammar(folder: Path) -> None:
    nodes, edges = _rows(folder / "nodes.csv"), _rows(folder / "edges.csv")
    node_fields, edge_fields = _fields(nodes[0]), _fields(edges[0])
    node_types = [t for _, t in node_fields]
    assert node_types.count("ID") == 1 and node_types.count("LABEL") == 1
    assert [t for _, t in edge_fields][:3] == ["START_ID", "END_ID", "TYPE"]
    names = [n for n, t in node_fields if n]
    assert len(set(names)) == len(names)
    assert ("synonym", "string[]") in node_fields and ("trade_name", "string[]") in node_fields
    assert ("description", None) in node_fields
    # every row has as many cells as the header
    assert {len(r) for r in nodes} == {len(nodes[0])}
    assert {len(r) for r in edges} == {len(edges[0])}


def test_brand_names_definitions_and_ids(folder: Path) -> None:
    nodes = _rows(folder / "nodes.csv")
    header = nodes[0]
    by_iri = {r[header.index("iri")]: dict(zip(header, r, strict=True)) for r in nodes[1:]}
    baclofen = by_iri["https://w3id.org/medkg/entity/Baclofen"]
    assert "Lioresal" in baclofen["trade_name:string[]"].split(";")
    assert by_iri["https://w3id.org/medkg/entity/LegCramp"]["description"]
    ids = [r[0] for r in nodes[1:]]
    assert len(set(ids)) == len(ids)
    edges = _rows(folder / "edges.csv")
    assert all(e[0] in ids and e[1] in ids for e in edges[1:])


def _kuzu_load(folder: Path, db_path: Path):  # type: ignore[no-untyped-def]
    import kuzu

    nodes, edges = _rows(folder / "nodes.csv"), _rows(folder / "edges.csv")
    connection = kuzu.Connection(kuzu.Database(str(db_path)))
    node_columns = [f"c{i} STRING" for i in range(len(nodes[0]))]
    connection.execute(f"CREATE NODE TABLE Entity({', '.join(node_columns)}, PRIMARY KEY(c0))")
    edge_columns = [f"c{i} STRING" for i in range(2, len(edges[0]))]
    connection.execute(f"CREATE REL TABLE Rel(FROM Entity TO Entity, {', '.join(edge_columns)})")
    connection.execute(f"COPY Entity FROM '{folder / 'nodes.csv'}' (HEADER=true)")
    connection.execute(f"COPY Rel FROM '{folder / 'edges.csv'}' (HEADER=true)")
    return connection, nodes, edges


def _competency_answer(kg: KnowledgeGraph) -> list[str]:
    """Which drugs or drug classes may trigger leg cramps? (triggering-drugs.rq), by SPARQL."""
    rows = kg.query(
        "SELECT DISTINCT ?label WHERE { ?d medkg:mayTrigger kg:LegCramp ;"
        " a medkg:DrugClass ; rdfs:label ?label }"
    ).rows
    return sorted(str(r[0]) for r in rows)


def test_kuzu_loads_every_row_and_answers_cypher(
    folder: Path, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    pytest.importorskip("kuzu")
    connection, nodes, edges = _kuzu_load(folder, tmp_path / "kuzu")
    assert connection.execute("MATCH (n:Entity) RETURN count(n)").get_next()[0] == len(nodes) - 1
    assert connection.execute("MATCH ()-[r:Rel]->() RETURN count(r)").get_next()[0] == (
        len(edges) - 1
    )
    name = nodes[0].index("name")
    labels = nodes[0].index(":LABEL")
    rel_type = edges[0].index(":TYPE")
    result = connection.execute(
        f"MATCH (d:Entity)-[r:Rel]->(c:Entity) WHERE r.c{rel_type} = 'mayTrigger'"
        f" AND c.c{name} = 'leg cramp' AND d.c{labels} CONTAINS 'ChemicalEntity'"
        f" RETURN DISTINCT d.c{name} ORDER BY d.c{name}"
    )
    answer = []
    while result.has_next():
        answer.append(result.get_next()[0])
    assert sorted(answer) == _competency_answer(kg)
    assert answer


def test_duckdb_reads_the_same_answer(folder: Path, kg: KnowledgeGraph) -> None:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    nodes = con.read_csv(str(folder / "nodes.csv"), header=True, all_varchar=True)
    edges = con.read_csv(str(folder / "edges.csv"), header=True, all_varchar=True)
    assert nodes.shape[0] == len(_rows(folder / "nodes.csv")) - 1
    assert edges.shape[0] == len(_rows(folder / "edges.csv")) - 1
    answer = con.sql(
        'SELECT DISTINCT d.name FROM edges e JOIN nodes d ON d."id:ID" = e.":START_ID"'
        ' JOIN nodes c ON c."id:ID" = e.":END_ID"'
        " WHERE e.\":TYPE\" = 'mayTrigger' AND c.name = 'leg cramp'"
        " AND list_contains(string_split(d.\":LABEL\", ';'), 'ChemicalEntity') ORDER BY 1"
    ).fetchall()
    assert sorted(r[0] for r in answer) == _competency_answer(kg)
