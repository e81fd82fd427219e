"""pyoxigraph as the store: its own SPARQL engine, parsers and serialisers, in memory or on disk.

Turtle and N-Triples files are bulk-loaded by pyoxigraph's parser (the hot path for big
files). Every other format goes through :func:`medkg.rdfio.parse_file`, so its safety rules
(no remote JSON-LD contexts, no XML entities) hold whatever the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from medkg.errors import DataFileError, QueryError, StoreError
from medkg.namespaces import NAMED_GRAPH, PREFIXES
from medkg.query import QueryResult
from medkg.rdfio import guess_input_format, parse_file, read_rdf_bytes
from medkg.stores.base import (
    QUAD_FORMATS,
    SerializingStore,
    check_serialize_format,
    new_graph,
    query_form,
    with_values,
)
from medkg.stores.oxiterms import from_oxigraph, to_oxigraph

__all__ = ["OxigraphStore"]

#: Formats pyoxigraph parses for us; the others keep rdflib's parser and medkg's checks.
_NATIVE_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
_PREFIXES = dict(PREFIXES)

# pyoxigraph reports query syntax errors as "error at LINE:COLUMN: message".
_QUERY_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")
# ... and data syntax errors as "Parser error at line N column C: message" (or "between").
_DATA_POSITION = re.compile(
    r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+):\s*"
)


class OxigraphStore(SerializingStore):
    """A pyoxigraph ``Store`` behind the :class:`~medkg.stores.Store` interface.

    >>> store = OxigraphStore()
    >>> store.add_file(__import__("medkg.resources").resources.bundled_data_files()[0])
    >>> store.query("ASK { medkg:Condition a owl:Class }").boolean
    True

    Use :meth:`open` for a store on disk. Triples live in the store's default graph.

    :param path: ``None`` for a store in memory.
    :param read_only: open an on-disk store for reading only (several processes may).
    :raises StoreError: the store on disk cannot be opened.
    """

    kind = "oxigraph"

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.persistent = path is not None
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                self._store = ox.Store(str(path))
        except OSError as exc:
            # e.g. another process holds the store's lock, or the folder is not a store.
            raise StoreError(f"--store oxigraph:{path}: cannot open the store: {exc}") from None

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> OxigraphStore:
        """Open the store on disk at *path*.

        :param path: the store's folder.
        :param create: make the folder if it is missing (``medkg load``); otherwise the store
            must exist and is opened read-only.
        :raises StoreError: the folder (or, with *create*, its parent) does not exist, or is
            a file, or holds no store.
        """
        if path.exists() and not path.is_dir():
            raise StoreError(f"--store oxigraph:{path}: this is a file, not a store folder")
        if create:
            if not path.parent.is_dir():
                raise StoreError(
                    f"--store oxigraph:{path}: the folder {path.parent} does not exist"
                )
            return cls(path)
        if not path.is_dir() or not any(path.iterdir()):
            raise StoreError(
                f"--store oxigraph:{path}: no store there; "
                f"create it with: medkg load --store oxigraph:{path} [FILE...]"
            )
        return cls(path, read_only=True)

    def __repr__(self) -> str:
        where = f" at {self.path}" if self.path else " in memory"
        return f"<OxigraphStore{where}>"

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str | None = None,
    ) -> QueryResult:
        """Run *sparql* with pyoxigraph's engine; see :meth:`medkg.stores.Store.query`."""
        try:
            answer = self._store.query(with_values(sparql, bindings), prefixes=_PREFIXES)
        except SyntaxError as exc:
            raise _query_error(str(exc), source) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"evaluation failed: {exc}", source=source) from None
        try:
            return _wrap(answer, sparql)
        except (OSError, RuntimeError, ValueError) as exc:
            # Solutions are computed lazily, so evaluation errors surface while iterating.
            raise QueryError(f"evaluation failed: {exc}", source=source) from None

    def add_file(self, path: str | Path, format: str | None = None) -> None:
        """Parse an RDF file into the store; Turtle and N-Triples with pyoxigraph's parser.

        :raises DataFileError: the file is missing or malformed (file and line named).
        """
        path = Path(path)
        fmt = guess_input_format(path, format)
        if fmt not in _NATIVE_FORMATS:
            scratch = Graph()
            parse_file(scratch, path, fmt)
            self.add_graph(scratch)
            return
        data = read_rdf_bytes(path)
        try:
            # load() is one transaction: a malformed file leaves the store as it was.
            self._store.load(
                data,
                format=_NATIVE_FORMATS[fmt],
                base_iri=path.resolve().as_uri(),
                to_graph=ox.DefaultGraph(),
            )
        except SyntaxError as exc:
            message = _DATA_POSITION.sub("", str(exc.msg))
            raise DataFileError(path, f"syntax error: {message}", exc.lineno) from None

    def add_graph(self, graph: Graph) -> None:
        """Add every triple of *graph*, in one transaction."""
        default = ox.DefaultGraph()
        self._store.extend(
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), default) for s, p, o in graph
        )

    def clear(self) -> None:
        """Remove every triple (and every named graph)."""
        self._store.clear()

    def flush(self) -> None:
        """Write buffered data to disk (a no-op in memory)."""
        if self.persistent:
            self._store.flush()

    def __len__(self) -> int:
        """Return the number of triples."""
        return len(self._store)

    def write(self, format: str, stream: IO[bytes]) -> None:
        """Write the default graph with pyoxigraph's serialisers, as it reads the store.

        The quad formats put the triples into :data:`~medkg.namespaces.NAMED_GRAPH`.
        """
        check_serialize_format(format)
        write_quads(
            self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()), format, stream
        )

    def to_rdflib(self) -> Graph:
        """Return a copy of the default graph as an rdflib graph."""
        graph = new_graph()
        graph.addN(
            (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object), graph)
            for q in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )
        return graph


_WRITE_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


def write_quads(quads: Iterable[ox.Quad], format: str, stream: IO[bytes]) -> None:
    """Serialise triples (the graph part of *quads* is ignored) as they come, to *stream*.

    :param quads: the triples to write, as pyoxigraph quads or triples.
    :param format: one of :data:`~medkg.stores.base.SERIALIZE_FORMATS`.
    :param stream: a binary stream.
    """
    rdf_format = _WRITE_FORMATS[format]
    if format in QUAD_FORMATS:
        graph = ox.NamedNode(NAMED_GRAPH)
        items: Iterable[Any] = (ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
    else:
        items = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    prefixes = None if format in ("nt", "nquads") else _PREFIXES
    ox.serialize(items, stream, format=rdf_format, prefixes=prefixes)


def _query_error(message: str, source: str | None) -> QueryError:
    match = _QUERY_POSITION.match(message)
    if match is None:
        return QueryError(f"syntax error: {message}", source=source)
    line, column = int(match.group(1)), int(match.group(2))
    return QueryError(f"syntax error: {message[match.end() :]}", line, column, source)


def _wrap(answer: Any, sparql: str) -> QueryResult:
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows = [
            tuple(
                None if (t := solution[i]) is None else from_oxigraph(t) for i in range(len(names))
            )
            for solution in answer
        ]
        return QueryResult("SELECT", names, rows)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(answer))
    graph = new_graph()
    graph.addN(
        (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object), graph)
        for t in answer
    )
    kind = "DESCRIBE" if query_form(sparql) == "DESCRIBE" else "CONSTRUCT"
    return QueryResult(kind, graph=graph)
