"""Every output format of the graph, written atomically.

Formats (:data:`FORMATS`; aliases in :data:`ALIASES`; all registered in
:mod:`medkg.formats`, where a new one is added with one call):

========  =====================================================================
turtle    Turtle, with medkg's prefixes
nt        N-Triples
jsonld    JSON-LD, compacted with medkg's prefixes as its ``@context``
xml       RDF/XML
trig      TriG: the whole graph in one named graph, :data:`NAMED_GRAPH`
nquads    N-Quads: the whole graph in the named graph :data:`NAMED_GRAPH`
graphml   GraphML of the network view (Gephi, Cytoscape, yEd, networkx)
csv       a folder with ``nodes.csv`` and ``edges.csv`` (Neo4j, pandas)
kgx       a folder with KGX TSV ``nodes.tsv`` and ``edges.tsv`` (Biolink categories and
          predicates, for the Monarch / Translator tools; see :mod:`medkg.kgx`)
schemaorg a schema.org JSON-LD ``MedicalCondition`` a health web page can embed
          (see :mod:`medkg.schemaorg`)
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

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rdflib import Dataset, URIRef

from medkg import formats
from medkg.atomicio import atomic_folder, atomic_write, atomic_writer
from medkg.errors import ExportError, naming_missing_extras
from medkg.namespaces import NAMED_GRAPH, PREFIXES

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
    "write_csv",
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


def _rdflib_writer(rdflib_format: str, **options: Any) -> FileWriter:
    """Make a writer that serialises the graph's triples with one rdflib serialiser."""

    def write(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
        kg.graph.serialize(destination=stream, format=rdflib_format, encoding="utf-8", **options)

    return write


def _store_writer(format: str) -> FileWriter:
    """Make a writer that lets the store serialise itself (pyoxigraph's writer for oxigraph)."""

    def write(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
        kg.store.write(format, stream)

    return write


def _dataset_writer(rdflib_format: str) -> FileWriter:
    """Make a writer that serialises the graph as the named graph :data:`NAMED_GRAPH`."""

    def write(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
        dataset = Dataset()
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace, override=True, replace=True)
        named = dataset.graph(URIRef(NAMED_GRAPH))
        named += kg.graph
        dataset.serialize(destination=stream, format=rdflib_format, encoding="utf-8")

    return write


def write_graphml(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
    """Write the network view as GraphML; lists joined with ``|``, evidence as JSON text.

    :param kg: the knowledge graph.
    :param stream: a binary stream that receives UTF-8 XML.
    """
    import networkx as nx

    network = kg.to_networkx()
    flat = nx.MultiDiGraph()
    for node, data in network.nodes(data=True):
        flat.add_node(node, **_scalar_attributes(data))
    for source, target, key, data in network.edges(keys=True, data=True):
        flat.add_edge(source, target, key=key, **_scalar_attributes(data))
    nx.write_graphml(flat, stream, encoding="utf-8")


def _scalar_attributes(data: dict[str, Any]) -> dict[str, str]:
    """Turn attribute values into the strings GraphML can hold; drop missing ones."""
    flat = {}
    for name, value in data.items():
        if value is None:
            continue  # GraphML has no null; an absent attribute says the same
        if name == "evidence":
            flat[name] = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, list):
            flat[name] = LIST_SEPARATOR.join(str(v) for v in value)
        else:
            flat[name] = str(value)
    return flat


#: Column headers of the CSV export.
NODE_COLUMNS = ("id", "label", "kind", "types", "synonyms", "external_ids")
EDGE_COLUMNS = ("source", "target", "predicate", "label", "quotes", "sources")


def write_csv(kg: KnowledgeGraph, folder: Path) -> None:
    """Write ``nodes.csv`` and ``edges.csv`` of the network view into *folder*.

    Lists are joined with ``|``. Node ids are IRIs; ``edges.csv`` names its ends and its
    sources by those ids (a source is a node too, with its title as label), and the n-th
    quote and the n-th source belong to the same evidence item, so the two columns can be
    split and zipped.

    :param kg: the knowledge graph.
    :param folder: an existing folder.
    """
    network = kg.to_networkx()
    with (folder / "nodes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NODE_COLUMNS)
        for node, data in network.nodes(data=True):
            writer.writerow(
                [
                    node,
                    data["label"],
                    data["kind"],
                    _joined(data["types"]),
                    _joined(data["synonyms"]),
                    _joined(data["external_ids"]),
                ]
            )
    with (folder / "edges.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EDGE_COLUMNS)
        for source, target, data in network.edges(data=True):
            evidence = data["evidence"]
            writer.writerow(
                [
                    source,
                    target,
                    data["predicate"],
                    data["label"],
                    _joined(item["quote"] or "" for item in evidence),
                    _joined(item["source_iri"] or "" for item in evidence),
                ]
            )


def _joined(values: Any) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)


# ---------------------------------------------------------------- the writers by name
# The format registry (medkg.formats) names these as "medkg.export:write_…".

write_turtle = _store_writer("turtle")
write_ntriples = _store_writer("nt")
write_jsonld = _rdflib_writer("json-ld", context=dict(PREFIXES), indent=2)
write_rdfxml = _rdflib_writer("xml")
write_trig = _dataset_writer("trig")
write_nquads = _dataset_writer("nquads")

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
    kg: KnowledgeGraph, format: str | None, output: str | os.PathLike[str] | None = None
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
