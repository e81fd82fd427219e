"""CSV in the header format of ``neo4j-admin database import``: ``nodes.csv`` and ``edges.csv``.

The rows are the KGX rows (:mod:`medkg.kgx`: the same ids, categories, evidence columns),
with Neo4j's header grammar (``<name>:<field_type>``, see Neo4j's "Import header format"):

- ``nodes.csv``: ``id:ID`` (persisted as the ``id`` property), ``:LABEL`` (the Biolink
  categories without their ``biolink:`` prefix, ``;``-separated), then one column per
  property; list-valued ones are typed ``string[]``.
- ``edges.csv``: ``:START_ID``, ``:END_ID``, ``:TYPE`` (the medkg relation, e.g.
  ``mayTrigger``), then the properties.

Arrays use Neo4j's default array delimiter ``;``. An element that contains ``;`` itself
(a quote such as "…; …") cannot be written unchanged, since Neo4j has no escape for it:
such an element's ``;`` becomes ``,`` in the array column, and the single-valued
``supporting_text_json`` column keeps the verbatim quotes as JSON.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from medkg.entities import all_entities
from medkg.kgx import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    SINGLE_VALUED,
    edge_rows,
    node_ids,
    node_row,
    store_graph,
)

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["ARRAY_DELIMITER", "edge_header", "node_header", "write_neo4j_csv"]

#: Neo4j's default ``--array-delimiter``.
ARRAY_DELIMITER = ";"


def _typed(column: str) -> str:
    return column if column in SINGLE_VALUED else f"{column}:string[]"


def node_header() -> list[str]:
    """Return the header of ``nodes.csv``."""
    rest = [c for c in NODE_COLUMNS if c not in ("id", "category")]
    return ["id:ID", ":LABEL", *(_typed(c) for c in rest)]


def edge_header() -> list[str]:
    """Return the header of ``edges.csv``."""
    rest = [c for c in EDGE_COLUMNS if c not in ("subject", "object")]
    return [":START_ID", ":END_ID", ":TYPE", *(_typed(c) for c in rest), "supporting_text_json"]


def _array(cell: str) -> str:
    return ARRAY_DELIMITER.join(v.replace(ARRAY_DELIMITER, ",") for v in cell.split("|") if v)


def _cells(row: dict[str, str], columns: list[str]) -> list[str]:
    return [row.get(c, "") if c in SINGLE_VALUED else _array(row.get(c, "")) for c in columns]


def write_neo4j_csv(kg: KnowledgeGraph, folder: Path) -> None:
    """Write ``nodes.csv`` and ``edges.csv`` for ``neo4j-admin database import`` into *folder*.

    :param kg: the knowledge graph; read through its store with SPARQL.
    :param folder: an existing folder; the export module makes the write atomic.
    """
    graph = store_graph(kg)
    entities = all_entities(graph)
    ids = node_ids(graph, entities)
    node_props = [c for c in NODE_COLUMNS if c not in ("id", "category")]
    with (folder / "nodes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(node_header())
        for iri in entities:
            row = node_row(graph, iri, ids[iri])
            labels = ARRAY_DELIMITER.join(
                c.removeprefix("biolink:") for c in row["category"].split("|")
            )
            writer.writerow([row["id"], labels, *_cells(row, node_props)])
    edge_props = [c for c in EDGE_COLUMNS if c not in ("subject", "object")]
    with (folder / "edges.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(edge_header())
        for row in edge_rows(graph, ids):
            relation = row["original_predicate"].split(":", 1)[-1]
            quotes = [q for q in row["supporting_text"].split("|") if q]
            writer.writerow(
                [
                    row["subject"],
                    row["object"],
                    relation,
                    *_cells(row, edge_props),
                    json.dumps(quotes, ensure_ascii=False),
                ]
            )
