"""The one registry of output formats, used by ``export``, ``query``, ``/sparql`` and ``/entity``.

Every format has one canonical name, its aliases, the file extensions that imply it, the
media types it is served as, and what it can write:

* ``export``: the whole knowledge graph, to a stream (:attr:`Format.writer`) or, for a
  folder format, into a folder (:attr:`Format.folder_writer`);
* ``graph``: an rdflib graph (CONSTRUCT / DESCRIBE answers, entity pages), with the
  rdflib serialiser :attr:`Format.rdflib`;
* ``results``: SELECT / ASK answers (the W3C result formats).

Adding a format is one call, from the module that implements it::

    from medkg.formats import Format, register

    register(Format("owl", "OWL 2 DL in RDF/XML", extensions=(".owl",),
                    writer="medkg.owl:write_owl"))

A writer is a callable ``(kg, binary_stream) -> None`` (``(kg, folder) -> None`` for a
folder format), or a ``"module:function"`` string imported on first use, so a format's
dependencies are loaded only when it is written. Registering a name twice replaces the
earlier entry (so a module can refine a built-in). :func:`resolve` turns what a user typed
into a :class:`Format`, with "did you mean" for a typo; :func:`from_extension` picks one
from an output file name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medkg.errors import MedkgError, UnknownFormatError
from medkg.suggest import closest

__all__ = [
    "Format",
    "FormatClashError",
    "choose_export_format",
    "from_extension",
    "offers",
    "get_writer",
    "names",
    "register",
    "resolve",
    "unregister",
]

#: What a format can write; see the module docstring.
PURPOSES = ("export", "graph", "results")


@dataclass(frozen=True)
class Format:
    """One output format.

    :param name: the canonical name (what ``--help`` lists).
    :param description: one line for the documentation.
    :param aliases: other names people use (``ttl``, ``json-ld`` …), case-insensitive.
    :param extensions: output file extensions that imply this format (``.ttl``).
    :param also_written_to: extensions of another format that this one may be written to
        when ``--format`` names it, because its output is also that format (a schema.org
        document is JSON-LD, so ``--format schemaorg -o page.jsonld`` is no clash).
    :param media_types: the Content-Types it is served as (RDF), most preferred first.
    :param result_media_types: the Content-Types of its SELECT / ASK form, if it has one.
    :param writer: exports the whole graph to a binary stream (callable or ``"mod:func"``).
    :param folder_writer: exports the whole graph into a folder instead.
    :param rdflib: the rdflib serialiser that writes an rdflib graph in this format.
    :param results: whether it writes SELECT / ASK answers (the W3C result formats).
    """

    name: str
    description: str
    aliases: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    also_written_to: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ()
    result_media_types: tuple[str, ...] = ()
    writer: Callable[..., None] | str | None = None
    folder_writer: Callable[..., None] | str | None = None
    rdflib: str | None = None
    results: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def is_folder(self) -> bool:
        """Whether the export is a folder of files rather than one file."""
        return self.folder_writer is not None

    def serves(self, purpose: str) -> bool:
        """Whether this format can write *purpose* (``export``, ``graph`` or ``results``)."""
        if purpose == "export":
            return self.writer is not None or self.folder_writer is not None
        if purpose == "graph":
            return self.rdflib is not None
        return self.results


class FormatClashError(MedkgError, ValueError):
    """``--format`` and the output file's extension name different formats."""


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add *fmt* to the registry (replacing a format of the same name) and return it."""
    _REGISTRY[fmt.name] = fmt
    return fmt


def unregister(name: str) -> None:
    """Remove a format (tests use this to undo a registration)."""
    _REGISTRY.pop(name, None)


def names(purpose: str | None = None) -> list[str]:
    """Return the canonical names of every format that serves *purpose*, in registry order.

    >>> names("results")
    ['xml', 'csv', 'tsv', 'json']
    """
    return [f.name for f in _REGISTRY.values() if purpose is None or f.serves(purpose)]


def _lookup() -> dict[str, Format]:
    table: dict[str, Format] = {}
    for fmt in _REGISTRY.values():
        for key in (fmt.name, *fmt.aliases):
            table.setdefault(key.lower(), fmt)
    return table


def resolve(name: str, purpose: str | None = None, *, what: str | None = None) -> Format:
    """Return the format a user named (case-insensitive; aliases allowed).

    >>> resolve("TTL").name
    'turtle'
    >>> resolve("json-ld").name == resolve("jsonld").name
    True

    :param name: a format name or alias.
    :param purpose: ``export``, ``graph`` or ``results``: refuse a format that cannot do it.
    :param what: what the format is for, in words, for the error (``"a SELECT result"``).
    :raises UnknownFormatError: unknown name, or one that cannot serve *purpose*; the
        message has the closest names and lists the ones that work.
    """
    key = name.strip().lower()
    fmt = _lookup().get(key)
    valid = names(purpose)
    if fmt is not None and (purpose is None or fmt.serves(purpose)):
        return fmt
    if fmt is not None:
        raise UnknownFormatError(name, valid, reason=f"{fmt.name} cannot write {what or purpose}")
    everything = [key for f in _REGISTRY.values() for key in (f.name, *f.aliases)]
    raise UnknownFormatError(name, valid, suggestions=closest(key, everything))


#: The server's preference among SELECT / ASK formats (the first is its default).
_RESULT_PREFERENCE = ("json", "xml", "csv", "tsv")


def offers(purpose: str) -> list[tuple[str, str]]:
    """Return ``(media type, format)`` pairs the server offers, most preferred first.

    Each format's main media type comes first, then the other names for the same thing.
    For ``graph`` the format is the rdflib serialiser's name; for ``results`` medkg's.

    >>> offers("results")[:2]
    [('application/sparql-results+json', 'json'), ('application/sparql-results+xml', 'xml')]
    >>> offers("graph")[0]
    ('text/turtle', 'turtle')
    """
    chosen = [f for f in _REGISTRY.values() if f.serves(purpose)]
    if purpose == "results":
        rank = {name: i for i, name in enumerate(_RESULT_PREFERENCE)}
        chosen.sort(key=lambda f: rank.get(f.name, len(rank)))
    pairs: list[tuple[str, str]] = []
    for level in (0, 1):
        for fmt in chosen:
            types = fmt.result_media_types if purpose == "results" else fmt.media_types
            name = fmt.name if purpose == "results" else (fmt.rdflib or fmt.name)
            picked = types[:1] if level == 0 else types[1:]
            pairs += [(media, name) for media in picked]
    return pairs


def from_extension(path: str | Path) -> Format | None:
    """Return the export format an output file name implies, or ``None`` if none does.

    >>> from_extension("graph.nt").name
    'nt'
    >>> from_extension("notes.txt") is None
    True
    """
    lowered = Path(path).name.lower()
    best: Format | None = None
    best_len = 0
    for fmt in _REGISTRY.values():
        if not fmt.serves("export"):
            continue
        for ext in fmt.extensions:
            if lowered.endswith(ext) and len(ext) > best_len:
                best, best_len = fmt, len(ext)
    return best


def choose_export_format(format: str | None, output: str | Path | None) -> Format:
    """Pick the export format from ``--format`` and the output's extension, refusing a clash.

    >>> choose_export_format(None, "out.nt").name
    'nt'
    >>> choose_export_format("nt", "out.ttl")
    Traceback (most recent call last):
    ...
    medkg.formats.FormatClashError: --format nt but out.ttl has the extension of turtle; ...
    >>> choose_export_format("schemaorg", "page.jsonld").name
    'schemaorg'

    :param format: what ``--format`` said, or ``None``.
    :param output: the output file, or ``None`` for stdout.
    :returns: the format (Turtle when neither says anything).
    """
    implied = from_extension(output) if output is not None else None
    if format is None:
        return implied or resolve("turtle")
    chosen = resolve(format, "export")
    lowered = Path(output).name.lower() if output is not None else ""
    also = any(lowered.endswith(ext) for ext in chosen.also_written_to)
    if implied is not None and implied.name != chosen.name and not also:
        raise FormatClashError(
            f"--format {chosen.name} but {output} has the extension of {implied.name}; "
            "drop --format or rename the file"
        )
    return chosen


def get_writer(fmt: Format) -> Callable[..., None]:
    """Return the format's export writer (importing a ``"module:function"`` on first use)."""
    target = fmt.folder_writer if fmt.is_folder else fmt.writer
    if target is None:
        raise UnknownFormatError(fmt.name, names("export"), reason="not an export format")
    if isinstance(target, str):
        module, _, function = target.partition(":")
        writer: Callable[..., None] = getattr(importlib.import_module(module), function)
        return writer
    return target


# ---------------------------------------------------------------- the built-in formats
# Export writers live in medkg.export (and kgx / schemaorg), imported only when used.

for _fmt in (
    Format(
        "turtle",
        "Turtle, with medkg's prefixes",
        aliases=("ttl",),
        extensions=(".ttl", ".turtle"),
        media_types=("text/turtle", "application/turtle", "application/x-turtle"),
        writer="medkg.export:write_turtle",
        rdflib="turtle",
    ),
    Format(
        "nt",
        "N-Triples",
        aliases=("ntriples", "n-triples"),
        extensions=(".nt",),
        media_types=("application/n-triples", "text/plain"),
        writer="medkg.export:write_ntriples",
        rdflib="nt",
    ),
    Format(
        "jsonld",
        "JSON-LD, compacted with medkg's prefixes as its @context",
        aliases=("json-ld",),
        extensions=(".jsonld",),
        media_types=("application/ld+json",),
        writer="medkg.export:write_jsonld",
        rdflib="json-ld",
    ),
    Format(
        "xml",
        "RDF/XML (for SELECT / ASK: SPARQL XML results)",
        aliases=("rdfxml", "rdf/xml", "rdf"),
        extensions=(".rdf", ".xml"),
        media_types=("application/rdf+xml",),
        result_media_types=("application/sparql-results+xml", "application/xml", "text/xml"),
        writer="medkg.export:write_rdfxml",
        rdflib="xml",
        results=True,
    ),
    Format(
        "trig",
        "TriG: one named graph per loaded file",
        extensions=(".trig",),
        media_types=("application/trig",),
        writer="medkg.export:write_trig",
    ),
    Format(
        "owl",
        "OWL 2 DL in RDF/XML, evidence as axiom annotations (--schema-only: the schema)",
        extensions=(".owl",),
        writer="medkg.owl:write_owl",
    ),
    Format(
        "nquads",
        "N-Quads: one named graph per loaded file",
        aliases=("nq", "n-quads"),
        extensions=(".nq",),
        media_types=("application/n-quads",),
        writer="medkg.export:write_nquads",
    ),
    Format(
        "graphml",
        "GraphML of the network view (Gephi, Cytoscape, yEd, networkx)",
        extensions=(".graphml",),
        writer="medkg.export:write_graphml",
    ),
    Format(
        "schemaorg",
        "schema.org JSON-LD a health web page can embed",
        aliases=("schema.org",),
        extensions=(".schema.json",),
        also_written_to=(".jsonld", ".json"),
        writer="medkg.schemaorg:write_schemaorg",
    ),
    Format(
        "csv",
        "export: nodes.csv and edges.csv in Neo4j's import format; SELECT / ASK: SPARQL CSV",
        result_media_types=("text/csv",),
        folder_writer="medkg.neo4j_csv:write_neo4j_csv",
        results=True,
    ),
    Format(
        "kgx",
        "a folder with KGX TSV nodes.tsv and edges.tsv (Biolink)",
        folder_writer="medkg.kgx:write_kgx",
    ),
    Format(
        "tsv",
        "SPARQL TSV results",
        result_media_types=("text/tab-separated-values",),
        results=True,
    ),
    Format(
        "json",
        "SPARQL JSON results",
        result_media_types=("application/sparql-results+json", "application/json"),
        results=True,
    ),
):
    register(_fmt)
