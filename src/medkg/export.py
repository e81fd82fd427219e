"""Every output format of the graph, written atomically.

Formats (:data:`FORMATS`; aliases in :data:`ALIASES`):

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

Writes are atomic: the data goes to a temporary file in the target's folder, is flushed
to disk, then renamed onto the target. A failed or killed export leaves the previous file
as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rdflib import Dataset, URIRef

from medkg.errors import ExportError, UnknownFormatError
from medkg.kgx import write_kgx
from medkg.namespaces import NAMED_GRAPH, PREFIXES
from medkg.owl import write_owl, write_owl_schema
from medkg.schemaorg import write_schemaorg

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
    """Make a writer that serialises the store's dataset: one named graph per loaded file.

    Triples that came from no file (``--infer``'s entailments) go to :data:`NAMED_GRAPH`.
    """

    def write(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
        dataset = Dataset()
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace, override=True, replace=True)
        for name in kg.store.graph_names():
            named = dataset.graph(URIRef(name))
            triples = kg.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
            )
            named.addN((s, p, o, named) for s, p, o in triples.graph or ())
        leftover = kg.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
        if leftover.graph:
            named = dataset.graph(URIRef(NAMED_GRAPH))
            named.addN((s, p, o, named) for s, p, o in leftover.graph)
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


# ---------------------------------------------------------------- registry

_FILE_WRITERS: dict[str, FileWriter] = {
    "turtle": _store_writer("turtle"),
    "nt": _store_writer("nt"),
    "jsonld": _rdflib_writer("json-ld", context=dict(PREFIXES), indent=2),
    "xml": _rdflib_writer("xml"),
    "trig": _dataset_writer("trig"),
    "nquads": _dataset_writer("nquads"),
    "graphml": write_graphml,
    "owl": write_owl,
    "schemaorg": write_schemaorg,
}

_FOLDER_WRITERS: dict[str, FolderWriter] = {
    "csv": write_csv,
    "kgx": write_kgx,
}

#: Every format name, in the order the documentation lists them.
FORMATS: tuple[str, ...] = (*_FILE_WRITERS, *_FOLDER_WRITERS)

#: Other names people use for the same formats.
ALIASES: dict[str, str] = {
    "ttl": "turtle",
    "ntriples": "nt",
    "json-ld": "jsonld",
    "rdfxml": "xml",
    "nq": "nquads",
}


def resolve_format(name: str) -> str:
    """Return the canonical format name for *name* (case-insensitive, aliases allowed).

    >>> resolve_format("TTL")
    'turtle'

    :param name: a format name or alias.
    :returns: one of :data:`FORMATS`.
    :raises UnknownFormatError: *name* is not a known format; the error lists the known ones.
    """
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in FORMATS:
        raise UnknownFormatError(name, [*FORMATS, *ALIASES])
    return key


def export_graph(
    kg: KnowledgeGraph,
    format: str,
    output: str | os.PathLike[str] | None = None,
    *,
    schema_only: bool = False,
) -> str | None:
    """Export *kg* in *format*, to *output* (atomically) or as text.

    >>> from medkg import load
    >>> export_graph(load(), "ttl", None).startswith("@prefix")
    True

    :param kg: the knowledge graph.
    :param format: one of :data:`FORMATS` or :data:`ALIASES`.
    :param output: the file to write (for ``csv``: the folder); ``None`` returns the text.
    :param schema_only: for ``owl``: the schema alone (the named graph of ``medkg.ttl``).
    :returns: the exported text when *output* is ``None``, else ``None``.
    :raises UnknownFormatError: the format is not known.
    :raises ExportError: the output cannot be written (missing or read-only folder …), or
        ``csv`` was asked for without an output folder. The previous output is untouched.
    """
    name = resolve_format(format)
    if name in _FOLDER_WRITERS:
        if output is None:
            raise ExportError(
                f"the {name} export is a folder of files: give an output folder with --output"
            )
        folder_writer = _FOLDER_WRITERS[name]
        with atomic_folder(Path(output)) as staging:
            folder_writer(kg, staging)
        return None
    writer = _FILE_WRITERS[name]
    if schema_only:
        if name != "owl":
            raise ExportError(f"--schema-only is for --format owl, not {name}")
        writer = write_owl_schema
    if output is None:
        buffer = io.BytesIO()
        writer(kg, buffer)
        return buffer.getvalue().decode("utf-8")
    with atomic_writer(Path(output)) as stream:
        writer(kg, stream)
    return None


# ---------------------------------------------------------------- atomic writes


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at *path* with *data*, all or nothing.

    :param path: the target file; its folder must exist.
    :param data: the complete new content.
    :raises ExportError: the file cannot be written; the previous file is untouched.
    """
    with atomic_writer(Path(path)) as stream:
        stream.write(data)


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """Give a binary stream whose content replaces *path* only when the block succeeds.

    The stream is a temporary file in the target's folder (so the final rename stays on one
    file system and is atomic). On success it is flushed, fsync'd and renamed onto *path*;
    on any exception it is removed and the exception propagates, and the previous *path* is
    left as it was.

    :param path: the target file.
    :returns: a context manager yielding the writable binary stream.
    :raises ExportError: the folder is missing or not writable, the target is a folder, or
        the disk fails; the message names *path*.
    """
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder, not a file")
    mode = _file_mode(path)
    try:
        temp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, in every path
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise ExportError(_describe(path, exc)) from None
    temp_path = Path(temp.name)
    try:
        with temp:
            yield temp
            temp.flush()
            os.fsync(temp.fileno())
        # NamedTemporaryFile makes a 0600 file; give the export the mode a new file would get.
        os.chmod(temp_path, mode)
        os.replace(temp_path, path)
    except BaseException as exc:
        temp_path.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, ExportError):
            raise ExportError(_describe(path, exc)) from exc
        raise
    _fsync_folder(path.parent)


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Give an empty staging folder whose files land in *path* only when the block succeeds.

    The staging folder is a hidden sibling of *path*. A new *path* is created by renaming
    the whole staging folder; in an existing *path* each staged file replaces its namesake
    (each file atomically), and other files there are left alone.

    :param path: the target folder; its parent must exist.
    :returns: a context manager yielding the staging folder.
    :raises ExportError: *path* is a file, or its parent is missing or not writable.
    """
    if path.exists() and not path.is_dir():
        raise ExportError(f"cannot write {path}: it is a file, not a folder")
    try:
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    except OSError as exc:
        raise ExportError(_describe(path, exc)) from None
    try:
        yield staging
        _fsync_files(staging)
        _move_into_place(staging, path)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, ExportError):
            raise ExportError(_describe(path, exc)) from exc
        raise
    _fsync_folder(path.parent)


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the staged folder to *target*, or its files into an existing *target*."""
    if target.is_dir():
        for staged in sorted(staging.iterdir()):
            os.replace(staged, target / staged.name)
        staging.rmdir()
        _fsync_folder(target)
    else:
        # mkdtemp makes a 0700 folder; give the export the mode a new folder would get.
        os.chmod(staging, 0o777 & ~_umask())
        os.replace(staging, target)


def _file_mode(path: Path) -> int:
    """Return the permission bits the written file should have: the old file's, or the default."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _fsync_files(folder: Path) -> None:
    """Flush every file in *folder* to disk, so a crash after the rename finds whole files."""
    for staged in folder.iterdir():
        with staged.open("rb") as handle:
            os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, so the rename itself survives a crash."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some platforms (Windows) cannot open a folder; the rename is done anyway
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the data itself is already synced
    finally:
        os.close(descriptor)


def _describe(path: Path, exc: OSError) -> str:
    """Say in one line why *path* cannot be written."""
    if isinstance(exc, FileNotFoundError) and not path.parent.is_dir():
        return f"cannot write {path}: the folder {path.parent} does not exist"
    if isinstance(exc, PermissionError):
        return f"cannot write {path}: permission denied (is the folder read-only?)"
    if isinstance(exc, IsADirectoryError):
        return f"cannot write {path}: it is a folder, not a file"
    reason = exc.strerror or exc.__class__.__name__
    return f"cannot write {path}: {reason}"
