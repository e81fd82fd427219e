"""Every output format of the graph, written atomically.

Formats (:data:`FORMATS`; aliases in :data:`ALIASES`; all registered in
:mod:`medkg.formats`, where a new one is added with one call):

========  =====================================================================
turtle    Turtle, with medkg's prefixes
nt        N-Triples
jsonld    JSON-LD, compacted with medkg's prefixes as its ``@context``
xml       RDF/XML
trig      TriG: one named graph per loaded file (see :mod:`medkg.datasets`)
nquads    N-Quads: the same named graphs
owl       OWL 2 DL in RDF/XML: evidence records as axiom annotations (see :mod:`medkg.owl`);
          ``schema_only`` writes the schema alone
graphml   GraphML of the network view (Gephi, Cytoscape, yEd, networkx)
csv       a folder with ``nodes.csv`` and ``edges.csv`` in Neo4j's import header format
          (see :mod:`medkg.neo4j_csv`)
kgx       a folder with KGX TSV ``nodes.tsv`` and ``edges.tsv`` (Biolink categories and
          predicates, for the Monarch / Translator tools; see :mod:`medkg.kgx`)
schemaorg a schema.org JSON-LD ``MedicalCondition`` a health web page can embed
          (see :mod:`medkg.schemaorg`); ``inline_context`` writes its ``@context`` inline
========  =====================================================================

The RDF formats carry every triple, so they round-trip without loss. Evidence stays
reified (``medkg:Evidence`` records with ``rdf:subject`` / ``rdf:predicate`` /
``rdf:object``) in every RDF format, TriG and N-Quads included: the named graph only says
where the data came from, so a quad store (GraphDB, Virtuoso) can load, replace or drop
medkg's data as one unit. GraphML and CSV are the network view (:mod:`medkg.network`):
lists are joined with ``|`` and GraphML's evidence is JSON text.

Writes are atomic (:mod:`medkg.atomicio`): a failed or killed export leaves the previous
file as it was.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rdflib import URIRef

from medkg import formats
from medkg.atomicio import atomic_folder, atomic_write, atomic_writer
from medkg.errors import ExportError, naming_missing_extras
from medkg.namespaces import NAMED_GRAPH

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = [
    "ALIASES",
    "FORMATS",
    "NAMED_GRAPH",
    "atomic_write",
    "atomic_writer",
    "export_graph",
    "resolve_format",
    "write_graphml",
]


#: Separator for list values in GraphML and CSV cells. Source titles may contain it
#: ("Muscle Spasms | Charley Horse | MedlinePlus"), so lists of sources hold IRIs.
LIST_SEPARATOR = "|"

#: Writes one format to a binary stream.
FileWriter = Callable[["KnowledgeGraph", IO[bytes]], None]
#: Writes one format as files inside an existing, empty folder.
FolderWriter = Callable[["KnowledgeGraph", Path], None]


# ---------------------------------------------------------------- writers


def _store_writer(format: str) -> FileWriter:
    """Make a writer that lets the store serialise itself (pyoxigraph's writer for oxigraph)."""

    def write(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
        kg.store.write(format, stream)

    return write


def write_graphml(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
    """Write the network view as GraphML that Gephi, Cytoscape, networkx and igraph read.

    Every edge has its own ``id`` (``e0``, ``e1`` …; Gephi drops edges whose id repeats),
    the relation is the ``predicate`` attribute. Numbers are typed (``int`` / ``double``).
    Each node carries the explorer's kind colour as ``color`` (``#rrggbb``) and as the plain
    ``r``, ``g``, ``b`` integer attributes, and its layout position as ``x`` and ``y``
    (doubles): the attribute names Gephi's GraphML importer reads; Cytoscape maps them with
    a style. Lists are joined with ``|``, evidence is JSON text, and durations and the quotes
    of literal facts come from the KGX rows (:mod:`medkg.kgx`).

    :param kg: the knowledge graph.
    :param stream: a binary stream that receives UTF-8 XML.
    """
    import networkx as nx

    from medkg.kgx import node_ids, node_row, store_graph
    from medkg.layout import layout
    from medkg.viz import KIND_STYLES, _style

    network = kg.to_networkx()
    positions = layout(network)
    graph = store_graph(kg)
    ids = node_ids(graph, [URIRef(n) for n in network.nodes])
    kinds = sorted({data["kind"] for _, data in network.nodes(data=True)} - set(KIND_STYLES))
    flat = nx.MultiDiGraph()
    for node, data in network.nodes(data=True):
        colour = _style(data["kind"], kinds).color
        row = node_row(graph, URIRef(node), ids[URIRef(node)])
        x, y = positions[node]
        flat.add_node(
            node,
            **_scalar_attributes(data),
            duration=row["duration_text"],
            fact_quotes=row["fact_quotes"],
            color=colour,
            r=int(colour[1:3], 16),
            g=int(colour[3:5], 16),
            b=int(colour[5:7], 16),
            x=float(x),
            y=float(y),
            degree=int(network.degree(node)),
        )
    for number, (source, target, data) in enumerate(network.edges(data=True)):
        flat.add_edge(
            source,
            target,
            key=f"e{number}",
            **_scalar_attributes(data),
            evidence_count=len(data.get("evidence") or []),
        )
    nx.write_graphml(flat, stream, encoding="utf-8")


def _scalar_attributes(data: dict[str, Any]) -> dict[str, Any]:
    """Turn attribute values into the strings GraphML can hold; drop missing ones."""
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            continue  # GraphML has no null; an absent attribute says the same
        if isinstance(value, bool | int | float):
            flat[name] = value  # GraphML types it: numbers stay numbers
        elif name == "evidence":
            flat[name] = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, list):
            flat[name] = LIST_SEPARATOR.join(str(v) for v in value)
        else:
            flat[name] = str(value)
    return flat


# ---------------------------------------------------------------- the writers by name
# The format registry (medkg.formats) names these as "medkg.export:write_…".

write_turtle = _store_writer("turtle")
write_ntriples = _store_writer("nt")
write_jsonld = _store_writer("jsonld")
write_rdfxml = _store_writer("xml")
write_trig = _store_writer("trig")
write_nquads = _store_writer("nquads")

#: Every export format name, in the order the documentation lists them.
FORMATS: tuple[str, ...] = tuple(formats.names("export"))

#: Other names people use for the same formats.
ALIASES: dict[str, str] = {
    alias: name for name in FORMATS for alias in formats.resolve(name).aliases
}


def resolve_format(name: str) -> str:
    """Return the canonical export format name for *name* (case-insensitive, aliases allowed).

    >>> resolve_format("TTL")
    'turtle'

    :param name: a format name or alias.
    :returns: the canonical name of a format that can export the graph.
    :raises UnknownFormatError: *name* is not a known format; the error lists the known ones.
    """
    return formats.resolve(name, "export", what="the whole graph").name


def export_graph(
    kg: KnowledgeGraph,
    format: str | None,
    output: str | os.PathLike[str] | None = None,
    *,
    schema_only: bool = False,
    inline_context: bool = False,
) -> str | Path:
    """Export *kg* in *format*, to *output* (atomically) or as text.

    >>> from medkg import load
    >>> export_graph(load(), "ttl", None).startswith("@prefix")
    True

    :param kg: the knowledge graph.
    :param format: a registered format name or alias; ``None`` takes it from *output*'s
        extension (Turtle when that says nothing).
    :param output: the file to write (for a folder format: the folder); ``None`` returns
        the text.
    :param schema_only: for ``owl``: the schema alone (the named graph of ``medkg.ttl``).
    :param inline_context: for ``schemaorg``: an inline ``@context`` instead of the remote
        ``"https://schema.org"``, so an offline JSON-LD processor can read it.
    :returns: the exported text when *output* is ``None``, else the path written (a
        symbolic link's target).
    :raises UnknownFormatError: the format is not known.
    :raises FormatClashError: *format* and *output*'s extension disagree.
    :raises ExportError: the output cannot be written (missing or read-only folder, a FIFO,
        a full disk …), or a folder format was asked for without an output folder. The
        previous output is untouched.
    """
    fmt = formats.choose_export_format(format, None if output is None else Path(output))
    writer = _writer(fmt)
    if schema_only:
        if fmt.name != "owl":
            raise ExportError(f"--schema-only is for --format owl, not {fmt.name}")
        from medkg.owl import write_owl_schema

        writer = write_owl_schema
    if inline_context:
        if fmt.name != "schemaorg":
            raise ExportError(f"--inline-context is for --format schemaorg, not {fmt.name}")
        from medkg.schemaorg import write_schemaorg_inline

        writer = write_schemaorg_inline
    if fmt.is_folder:
        if output is None:
            raise ExportError(
                f"the {fmt.name} export is a folder of files: give an output folder with --output"
            )
        with atomic_folder(Path(output)) as staging:
            writer(kg, staging)
        return Path(output)
    if output is None:
        buffer = io.BytesIO()
        writer(kg, buffer)
        return buffer.getvalue().decode("utf-8")
    with atomic_writer(Path(output)) as stream:
        writer(kg, stream)
    return Path(os.path.realpath(output))


def _writer(fmt: formats.Format) -> Callable[..., None]:
    """Return the format's writer; a writer's missing dependency names its extra when used."""
    writer = formats.get_writer(fmt)

    def write(kg: KnowledgeGraph, target: Any) -> None:
        with naming_missing_extras():
            writer(kg, target)

    return write
