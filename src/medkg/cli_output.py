"""How the CLI prints query results: a rich table, a W3C result format, or RDF."""

from __future__ import annotations

import sys

from rdflib import Graph
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Identifier, Literal, URIRef
from rich.console import Console
from rich.table import Table

from medkg.entities import compact
from medkg.errors import QueryError, UnknownFormatError
from medkg.query import RESULT_FORMATS, QueryResult

__all__ = ["GRAPH_FORMATS", "print_result"]

#: RDF formats for CONSTRUCT and DESCRIBE results (CLI name → rdflib serializer).
GRAPH_FORMATS = {
    "turtle": "turtle",
    "nt": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "xml": "xml",
}


def print_result(
    console: Console, result: QueryResult, format: str, labels: Graph | None = None
) -> None:
    """Print *result* in *format* (``table`` or a result / RDF format name).

    :param labels: a graph to look up entity labels in, shown next to CURIEs in the table.
    """
    if result.kind in ("CONSTRUCT", "DESCRIBE"):
        name = "turtle" if format == "table" else format
        if name not in GRAPH_FORMATS:
            raise QueryError(
                f"--format {format} is for SELECT and ASK; "
                f"a {result.kind} prints RDF: {', '.join(sorted(GRAPH_FORMATS))}"
            )
        graph = result.graph if result.graph is not None else Graph()
        sys.stdout.write(graph.serialize(format=GRAPH_FORMATS[name]))
        return
    if format == "table":
        console.print(_table(result, labels))
        return
    if format not in RESULT_FORMATS:
        raise UnknownFormatError(format, ["table", *RESULT_FORMATS])
    sys.stdout.write(result.serialize(format))


def _cell(term: Identifier | None, labels: Graph | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        curie = compact(str(term))
        label = None
        if labels is not None:
            label = labels.value(term, RDFS.label) or labels.value(term, SKOS.prefLabel)
        return f"{curie} ({label})" if label is not None and str(label) != curie else curie
    if isinstance(term, Literal):
        return str(term)
    return f"_:{term}"


def _table(result: QueryResult, labels: Graph | None) -> Table | str:
    if result.kind == "ASK":
        return "yes" if result.boolean else "no"
    table = Table(show_lines=False, caption=f"{len(result.rows)} rows")
    for name in result.variables:
        table.add_column(name, overflow="fold")
    for row in result.rows:
        table.add_row(*(_cell(term, labels) for term in row))
    return table
