"""How the CLI prints query results: a rich table, a W3C result format, or RDF."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rdflib import Graph
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Identifier, Literal, URIRef
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from medkg.cards import EntityCard
from medkg.entities import compact
from medkg.errors import QueryError, UnknownFormatError
from medkg.evidence import EvidenceItem, explain
from medkg.paths import Path
from medkg.query import RESULT_FORMATS, QueryResult
from medkg.search import SearchHit

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

#: Where the table looks up labels: an rdflib graph, or labels fetched from any store.
Labels = Graph | Mapping[Identifier, str]

__all__ = [
    "GRAPH_FORMATS",
    "fetch_labels",
    "print_card",
    "print_hits",
    "print_paths",
    "print_result",
]

#: RDF formats for CONSTRUCT and DESCRIBE results (CLI name → rdflib serializer).
GRAPH_FORMATS = {
    "turtle": "turtle",
    "nt": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "xml": "xml",
}


def print_result(
    console: Console, result: QueryResult, format: str, labels: Labels | None = None
) -> None:
    """Print *result* in *format* (``table`` or a result / RDF format name).

    :param labels: a graph (or a mapping) to look up entity labels in, shown next to CURIEs
        in the table.
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


def fetch_labels(kg: KnowledgeGraph, result: QueryResult) -> dict[Identifier, str]:
    """Return the labels of the IRIs in a SELECT result, asked of the graph's own store.

    :param kg: the knowledge graph the result came from.
    :param result: a query result.
    :returns: ``{IRI: label}`` (``rdfs:label``, else ``skos:prefLabel``).
    """
    iris = sorted({t for row in result.rows for t in row if isinstance(t, URIRef)})
    labels: dict[Identifier, str] = {}
    for start in range(0, len(iris), 500):
        values = " ".join(iri.n3() for iri in iris[start : start + 500])
        rows = kg.query(
            f"SELECT ?e ?label ?pref WHERE {{ VALUES ?e {{ {values} }} "
            "OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e skos:prefLabel ?pref } }"
        ).rows
        for iri, label, pref in rows:
            name = label if label is not None else pref
            if iri is not None and name is not None:
                labels.setdefault(iri, str(name))
    return labels


def _cell(term: Identifier | None, labels: Labels | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        curie = compact(str(term))
        label: object = None
        if isinstance(labels, Graph):
            label = labels.value(term, RDFS.label) or labels.value(term, SKOS.prefLabel)
        elif labels is not None:
            label = labels.get(term)
        return f"{curie} ({label})" if label is not None and str(label) != curie else curie
    if isinstance(term, Literal):
        return str(term)
    return f"_:{term}"


def _table(result: QueryResult, labels: Labels | None) -> Table | str:
    if result.kind == "ASK":
        return "yes" if result.boolean else "no"
    table = Table(show_lines=False, caption=f"{len(result.rows)} rows")
    for name in result.variables:
        table.add_column(name, overflow="fold")
    for row in result.rows:
        table.add_row(*(_cell(term, labels) for term in row))
    return table


def print_hits(console: Console, hits: list[SearchHit]) -> None:
    """Print search hits as a ranked table (or a line saying there are none)."""
    if not hits:
        console.print("no matching entity")
        return
    table = Table(caption=f"{len(hits)} matches")
    for column in ("entity", "label", "type", "matched", "score"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(hit.curie, hit.label, ", ".join(hit.types), hit.matched, f"{hit.score:.2f}")
    console.print(table)


def _evidence_lines(evidence: list[EvidenceItem]) -> list[str]:
    """Say each record as :func:`medkg.evidence.explain` does, indented under its relation."""
    lines = []
    for item in evidence:
        first, *rest = explain(item)
        lines.append(f"      {first}")
        lines += [f"        {line}" for line in rest]
    return lines


def _hedged(qualifiers: list[str]) -> str:
    """Return the article's hedges to print next to the claim: " [typically]"."""
    return f" [{', '.join(qualifiers)}]" if qualifiers else ""


def print_card(console: Console, card: EntityCard) -> None:
    """Print an entity card: names, types, definition, IDs, facts and relations with evidence."""
    entity = card.entity
    lines = [f"[bold]{escape(entity.label)}[/]  {entity.curie}  <{entity.iri}>"]
    types = [compact(str(t)) for t in entity.types if compact(str(t)) != "owl:NamedIndividual"]
    lines.append("type: " + ", ".join(types))
    if entity.synonyms:
        lines.append("synonyms: " + escape(", ".join(entity.synonyms)))
    if entity.brand_names:
        lines.append("brand names: " + escape(", ".join(entity.brand_names)))
    if entity.definition:
        lines.append("definition: " + escape(entity.definition))
    if card.external_ids:
        lines.append("identifiers:")
        lines += [f"  {x.match:7} {x.curie}  {x.iri}" for x in card.external_ids]
    if card.facts:
        lines.append("facts:")
        for f in card.facts:
            lines.append(f"  {f.property_label}: {escape(f.value)}{escape(_hedged(f.qualifiers))}")
            lines += [escape(line) for line in _evidence_lines(f.evidence)]
    for title, relations, arrow in (
        ("relations out", card.outgoing, "→"),
        ("relations in", card.incoming, "←"),
    ):
        if relations:
            lines.append(f"{title}:")
            for rel in relations:
                lines.append(
                    f"  {arrow} {rel.predicate_label} {escape(rel.other_label)} ({rel.other})"
                    + escape(_hedged(rel.qualifiers))
                )
                lines += [escape(line) for line in _evidence_lines(rel.evidence)]
    console.print("\n".join(lines))


def print_paths(console: Console, paths: list[Path]) -> None:
    """Print each path as a chain, then every hop with its source and quote."""
    for number, path in enumerate(paths, start=1):
        console.print(f"[bold]{number}. {escape(str(path))}[/]")
        for hop in path.hops:
            console.print(f"   {escape(str(hop))}")
            for line in _evidence_lines(hop.evidence):
                console.print(escape(line))
