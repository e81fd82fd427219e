r"""Everything the CLI prints goes through here: tables, cards, result formats, error lines.

Terminal safety lives in this one module. Data is text, never instructions to the terminal:

* every value is printed literally: the consoles have markup, emoji codes and highlighting
  off, and styled output is built from :class:`rich.text.Text` pieces, so ``[/bold]``,
  ``[link=…]`` and ``:thumbs_up:`` in a label are shown as written;
* in human-readable output (tables, cards, paths, error lines) control characters — ESC and
  the rest of C0 and C1, DEL, and the bidirectional overrides — become visible escapes
  such as ``\x1b`` (:func:`visible`);
* machine formats (csv, tsv, json, xml, RDF) keep the data as it is, except that when
  stdout is a terminal their raw control characters are shown the same way
  (:func:`write_machine`), so a result piped to a file is exact and a result on screen
  cannot retitle the window or clear it.

When stdout is not a terminal, tables are printed at full width (never wrapped at 80
columns), so identifiers are never split across lines.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from medkg.errors import UnknownFormatError
from medkg.evidence import explain
from medkg.progress import Progress

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Identifier

    from medkg.cards import EntityCard
    from medkg.evidence import EvidenceItem
    from medkg.graph import KnowledgeGraph
    from medkg.paths import Path
    from medkg.query import QueryResult
    from medkg.search import SearchHit

    #: Where the table looks up labels: an rdflib graph, or labels fetched from any store.
    Labels = Graph | Mapping[Identifier, str]

__all__ = [
    "card_lines",
    "inverse_labels",
    "progress",
    "error_line",
    "fit_width",
    "fetch_labels",
    "make_console",
    "plural",
    "print_card",
    "print_hits",
    "print_paths",
    "print_result",
    "visible",
    "write_machine",
]

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional controls that
# reorder what follows them on screen.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# In machine output on a terminal tab, newline and carriage return (CSV's line end) stay.
_MACHINE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    r"""Return *text* with control characters replaced by visible escapes.

    >>> visible("title\x1b]0;pwned\x07 ok")
    'title\\x1b]0;pwned\\x07 ok'
    >>> visible("tab\tand\nnewline stay")
    'tab\tand\nnewline stay'
    """
    return _CONTROL.sub(_escape_char, str(text))


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """Return ``"1 row"``, ``"2 rows"``: the count with the noun in the right number.

    >>> plural(1, "match", "matches"), plural(3, "entity", "entities"), plural(0, "row")
    ('1 match', '3 entities', '0 rows')
    """
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def make_console(*, stderr: bool = False) -> Console:
    """Return a console that prints every string literally (no markup, emoji, highlighting)."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=True)


def error_line(console: Console, message: str, *, label: str = "error") -> None:
    """Print one ``error: …`` line, the message shown literally and with visible escapes."""
    one_line = " ".join(visible(message).splitlines()) or message
    console.print(Text.assemble((f"{label}:", "bold red"), " ", one_line))


def write_machine(text: str) -> None:
    """Write machine-format output to stdout, keeping the data exact unless stdout is a TTY.

    On a terminal, raw control characters (ESC above all) are shown as visible escapes.
    """
    stream = sys.stdout
    if stream.isatty():
        text = _MACHINE_CONTROL.sub(_escape_char, text)
    stream.write(text)
    stream.flush()


@contextlib.contextmanager
def progress(console: Console, what: str) -> Iterator[None]:
    """Show *what* is being done, with a spinner and the elapsed time, while the block runs.

    Shown only when *console* is a terminal and ``--quiet`` was not given; it disappears
    when the step is done, so piped output and logs stay clean.
    """
    if Progress.quiet or not console.is_terminal:
        yield
        return
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    with Bar(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        bar.add_task(visible(what), total=None)
        yield


def fit_width(console: Console) -> None:
    """Never wrap a table that goes to a pipe or a file: rows stay whole for grep and cut."""
    if not console.is_terminal:
        console.width = 1_000_000


def print_result(
    console: Console, result: QueryResult, format: str, labels: Labels | None = None
) -> None:
    """Print *result* in *format* (``table`` or a registered format name or alias).

    Every result form in every format either prints or raises one clear error: a graph
    (CONSTRUCT / DESCRIBE) prints as RDF (Turtle for ``table``), a SELECT / ASK as a table or
    a W3C result format.

    :param labels: a graph (or a mapping) to look up entity labels in, shown next to CURIEs
        in the table.
    :raises UnknownFormatError: the format is unknown, or cannot carry this result form.
    """
    from medkg import formats

    if result.kind in ("CONSTRUCT", "DESCRIBE"):
        name = "turtle" if format == "table" else format
        write_machine(result.serialize(name))
        return
    if format == "table":
        fit_width(console)
        console.print(_table(result, labels))
        return
    try:
        fmt = formats.resolve(
            format, "results", what=f"{'an' if result.kind == 'ASK' else 'a'} {result.kind} result"
        )
    except UnknownFormatError as exc:
        raise UnknownFormatError(
            format, ["table", *exc.known], suggestions=exc.suggestions, reason=exc.reason
        ) from None
    write_machine(result.serialize(fmt.name))


def fetch_labels(kg: KnowledgeGraph, result: QueryResult) -> dict[Identifier, str]:
    """Return the labels of the IRIs in a SELECT result, asked of the graph's own store.

    :param kg: the knowledge graph the result came from.
    :param result: a query result.
    :returns: ``{IRI: label}`` (``rdfs:label``, else ``skos:prefLabel``).
    """
    from rdflib.term import URIRef

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


def _cell(term: Identifier | None, labels: Labels | None) -> Text:
    from rdflib import Graph
    from rdflib.namespace import RDFS, SKOS
    from rdflib.term import Literal, URIRef

    from medkg.entities import compact

    if term is None:
        return Text("")
    if isinstance(term, URIRef):
        curie = compact(str(term))
        label: object = None
        if isinstance(labels, Graph):
            label = labels.value(term, RDFS.label) or labels.value(term, SKOS.prefLabel)
        elif labels is not None:
            label = labels.get(term)
        text = f"{curie} ({label})" if label is not None and str(label) != curie else curie
        return Text(visible(text))
    if isinstance(term, Literal):
        return Text(visible(term))
    return Text(visible(f"_:{term}"))


def _table(result: QueryResult, labels: Labels | None) -> Table | Text:
    if result.kind == "ASK":
        return Text("yes" if result.boolean else "no")
    table = Table(show_lines=False, caption=plural(len(result.rows), "row"))
    for name in result.variables:
        table.add_column(visible(name), overflow="fold")
    for row in result.rows:
        table.add_row(*(_cell(term, labels) for term in row))
    return table


def print_hits(console: Console, hits: list[SearchHit]) -> None:
    """Print search hits as a ranked table (or a line saying there are none)."""
    if not hits:
        console.print("no matching entity")
        return
    fit_width(console)
    table = Table(caption=plural(len(hits), "match", "matches"))
    for column in ("entity", "label", "type", "matched", "score"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(
            *(
                Text(visible(value))
                for value in (hit.curie, hit.label, ", ".join(hit.types), hit.matched)
            ),
            f"{hit.score:.2f}",
        )
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


def inverse_labels(kg: KnowledgeGraph) -> dict[str, str]:
    """Map each property CURIE to the label of its declared inverse, asked of the store.

    Incoming relations read forwards with these: ``← may be triggered by pregnancy``.
    """
    from medkg.entities import compact

    # The label inside each branch: joined after the UNION, the engine reads every label of
    # the graph first (0.6 s at 100,000 triples on oxigraph, for a dozen properties).
    rows = kg.query(
        "SELECT ?p ?q ?label WHERE { { ?p owl:inverseOf ?q . ?q rdfs:label ?label } "
        "UNION { ?q owl:inverseOf ?p . ?q rdfs:label ?label } "
        "FILTER(lang(?label) IN ('', 'en')) }"
    ).rows
    labels: dict[str, str] = {}
    for prop, _, label in sorted(rows, key=lambda row: tuple(str(t) for t in row)):
        if prop is not None and label is not None:
            labels.setdefault(compact(str(prop)), str(label))
    return labels


def card_lines(card: EntityCard, inverses: Mapping[str, str] | None = None) -> list[Text]:
    """Return an entity card as lines of text, every data value shown literally.

    :param inverses: property CURIE → its inverse's label (:func:`inverse_labels`), so
        incoming relations read forwards; without it they read "is … of".
    """
    from medkg.entities import compact

    entity = card.entity
    lines = [
        Text.assemble(
            (visible(entity.label), "bold"), f"  {visible(entity.curie)}  <{visible(entity.iri)}>"
        )
    ]
    types = [compact(str(t)) for t in entity.types if compact(str(t)) != "owl:NamedIndividual"]
    plain = ["type: " + ", ".join(types)]
    if entity.synonyms:
        plain.append("synonyms: " + ", ".join(entity.synonyms))
    if entity.brand_names:
        plain.append("brand names: " + ", ".join(entity.brand_names))
    if entity.definition:
        plain.append("definition: " + entity.definition)
    if card.external_ids:
        plain.append("identifiers:")
        plain += [f"  {x.match:7} {x.curie}  {x.iri}" for x in card.external_ids]
    if card.facts:
        plain.append("facts:")
        for f in card.facts:
            plain.append(f"  {f.property_label}: {f.value}{_hedged(f.qualifiers)}")
            plain += _evidence_lines(f.evidence)
    for rel in card.outgoing:
        if rel is card.outgoing[0]:
            plain.append("relations out:")
        plain.append(
            f"  → {rel.predicate_label} {rel.other_label} ({rel.other}){_hedged(rel.qualifiers)}"
        )
        plain += _evidence_lines(rel.evidence)
    for rel in card.incoming:
        if rel is card.incoming[0]:
            plain.append("relations in:")
        reading = (inverses or {}).get(rel.predicate) or f"is {rel.predicate_label} of"
        plain.append(f"  ← {reading} {rel.other_label} ({rel.other}){_hedged(rel.qualifiers)}")
        plain += _evidence_lines(rel.evidence)
    return lines + [Text(visible(line)) for line in plain]


def print_card(
    console: Console, card: EntityCard, inverses: Mapping[str, str] | None = None
) -> None:
    """Print an entity card: names, types, definition, IDs, facts and relations with evidence."""
    console.print(Text("\n").join(card_lines(card, inverses)))


def print_paths(console: Console, paths: list[Path]) -> None:
    """Print each path as a chain, then every hop with its source and quote."""
    for number, path in enumerate(paths, start=1):
        console.print(Text(f"{number}. {visible(path)}", style="bold"))
        for hop in path.hops:
            console.print(Text(f"   {visible(hop)}"))
            for line in _evidence_lines(hop.evidence):
                console.print(Text(visible(line)))
