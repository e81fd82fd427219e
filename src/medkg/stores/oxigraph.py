"""pyoxigraph as the store: its own SPARQL engine, parsers and serialisers, in memory or on disk.

Turtle and N-Triples files are bulk-loaded by pyoxigraph's parser (the hot path for big
files). Every other format goes through :func:`medkg.rdfio.parse_file`, so its safety rules
(no remote JSON-LD contexts, no XML entities) hold whatever the store.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from medkg.datasets import new_triples
from medkg.errors import (
    DataFileError,
    MedkgError,
    QueryError,
    StoreBusyError,
    StoreError,
)
from medkg.namespaces import NAMED_GRAPH, PREFIXES
from medkg.query import QueryResult
from medkg.rdfio import guess_input_format, parse_file, read_rdf_bytes
from medkg.stores.base import (
    QUAD_FORMATS,
    SerializingStore,
    check_serialize_format,
    has_dataset_clause,
    new_graph,
    query_form,
    with_values,
)
from medkg.stores.oxiterms import from_oxigraph, to_oxigraph

__all__ = ["OxigraphStore", "load_store"]

#: Formats pyoxigraph parses for us; the others keep rdflib's parser and medkg's checks.
_NATIVE_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
_PREFIXES = dict(PREFIXES)
#: Where a file is parsed when it has no graph of its own, or that graph already holds triples.
_STAGING = "urn:medkg:staging"
#: A graph no store holds (an empty dataset given by the protocol).
_NO_GRAPH = "urn:medkg:no-graph"

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

    Use :meth:`open` for a store on disk. Each file is loaded into its own named graph (see
    :mod:`medkg.datasets`); queries read the union of all graphs as their default graph,
    unless they say ``FROM`` / ``FROM NAMED`` or the protocol's dataset is given.

    :param path: ``None`` for a store in memory.
    :param read_only: open an on-disk store for reading only (several processes may).
    :raises StoreError: the store on disk cannot be opened.
    """

    kind = "oxigraph"

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.persistent = path is not None
        data = _data_folder(path) if path is not None else None
        try:
            if data is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(data))
            else:
                self._store = ox.Store(str(data))
        except (OSError, RuntimeError, ValueError) as exc:
            raise _open_error(path or Path("(memory)"), exc) from None

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> OxigraphStore:
        """Open the store on disk at *path*.

        :param path: the store's folder.
        :param create: make the store if it is missing; otherwise the store must exist and
            is opened read-only. To replace a store's content all or nothing, use
            :func:`load_store`.
        :raises StoreError: the folder (or, with *create*, its parent) does not exist, is a
            file, holds no store, holds other files, is damaged, or is being loaded.
        """
        if path.exists() and not path.is_dir():
            raise StoreError(f"--store oxigraph:{path}: this is a file, not a store folder")
        if create:
            if not path.parent.is_dir():
                raise StoreError(
                    f"--store oxigraph:{path}: the folder {path.parent} does not exist"
                )
            _refuse_foreign_folder(path)
            if _data_folder(path) == path and not _is_legacy_store(path):
                path.mkdir(exist_ok=True)
                generation = _new_generation(path)
                generation.mkdir()
                _point_current(path, generation)
            return cls(path)
        if not path.is_dir() or not any(path.iterdir()):
            raise StoreError(
                f"--store oxigraph:{path}: no store there; "
                f"create it with: medkg load --store oxigraph:{path} [FILE...]"
            )
        if _data_folder(path) == path and not _is_legacy_store(path):
            if _is_loading(path):
                raise StoreBusyError(
                    f"--store oxigraph:{path}: the store is being loaded; "
                    "try again when medkg load is done"
                )
            raise StoreError(
                f"--store oxigraph:{path}: this folder is not a medkg store; "
                f"create one with: medkg load --store oxigraph:{path} [FILE...]"
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
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run *sparql* with pyoxigraph's engine; see :meth:`medkg.stores.Store.query`."""
        options: dict[str, Any] = {}
        if default_graphs is not None or named_graphs is not None:
            # As the protocol says: these replace the query's FROM / FROM NAMED. An empty
            # list would mean "no override" to pyoxigraph, so name a graph that is not there.
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or [_NO_GRAPH]]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or [_NO_GRAPH]]
        elif not has_dataset_clause(sparql):
            # pyoxigraph ignores FROM when the union is asked for, so ask only without FROM.
            options["use_default_graph_as_union"] = True
        try:
            answer = self._store.query(with_values(sparql, bindings), prefixes=_PREFIXES, **options)
        except SyntaxError as exc:
            raise _query_error(str(exc), source) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise self._evaluation_error(exc, source) from None
        try:
            return _wrap(answer, sparql)
        except (OSError, RuntimeError, ValueError) as exc:
            # Solutions are computed lazily, so evaluation errors surface while iterating.
            raise self._evaluation_error(exc, source) from None

    def _evaluation_error(self, exc: Exception, source: str | None) -> MedkgError:
        """Say a store on disk is damaged; in memory, that the query failed."""
        if self.path is not None and isinstance(exc, OSError | RuntimeError):
            return _open_error(self.path, exc)
        return QueryError(f"evaluation failed: {exc}", source=source)

    def add_file(
        self, path: str | Path, format: str | None = None, *, graph: str | None = None
    ) -> None:
        """Parse an RDF file into the store; Turtle and N-Triples with pyoxigraph's parser.

        :param graph: the named graph for the triples the store does not hold yet.
        :raises DataFileError: the file is missing or malformed (file and line named).
        """
        path = Path(path)
        fmt = guess_input_format(path, format)
        landing = self._landing_graph(graph)
        if fmt not in _NATIVE_FORMATS:
            scratch = Graph()
            parse_file(scratch, path, fmt)
            self._store.extend(_quads(scratch, ox.NamedNode(landing)))
        else:
            data = read_rdf_bytes(path)
            try:
                # load() is one transaction: a malformed file leaves the store as it was.
                self._store.load(
                    data,
                    format=_NATIVE_FORMATS[fmt],
                    base_iri=path.resolve().as_uri(),
                    to_graph=ox.NamedNode(landing),
                )
            except SyntaxError as exc:
                message = _DATA_POSITION.sub("", str(exc.msg))
                raise DataFileError(path, f"syntax error: {message}", exc.lineno) from None
            except MemoryError:
                # pyoxigraph's parser holds one term in a buffer of at most 16 MiB.
                raise DataFileError(
                    path,
                    "a term (literal or IRI) is longer than the 16 MiB oxigraph can read; "
                    "use --store memory for this file",
                ) from None
        self._keep_new_triples(landing, graph)

    def _landing_graph(self, graph: str | None) -> str:
        """Where a file is parsed: its own graph while that is empty, else the staging graph.

        Parsing straight into the file's graph spares the copy out of staging, a SPARQL
        Update that wrote the triples a second time (most of a big first ``medkg load``).
        """
        if graph is not None and not self._count(f"GRAPH <{graph}> {{ ?s ?p ?o }}", limit=1):
            return graph
        return _STAGING

    def _keep_new_triples(self, landing: str, graph: str | None) -> None:
        """Keep in *landing* only the triples the store lacked; move staged ones to *graph*.

        Which triples count as known is :func:`medkg.datasets.new_triples`' rule.
        """
        here = f"<{landing}>"
        blank = "FILTER(isBlank(?s) || isBlank(?o))"
        outside = f"{{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {here}) }}"
        incoming = self._construct(f"GRAPH {here} {{ ?s ?p ?o {blank} }}")
        existing = self._construct(f"{{ {outside} }} {blank}")
        kept = set(new_triples(incoming, existing))
        self._remove_from(landing, (t for t in incoming if t not in kept))
        landed = self._count(f"GRAPH {here} {{ ?s ?p ?o }}")
        if self._count(outside, limit=landed + 1) <= landed:
            # A fresh or small store: look each of its few triples up in the landing graph.
            self._remove_from(landing, self._construct(outside))
        else:
            self._store.update(
                f"DELETE {{ GRAPH {here} {{ ?s ?p ?o }} }} "
                f"WHERE {{ GRAPH {here} {{ ?s ?p ?o }} {{ {outside} }} }}"
            )
        if landing == _STAGING:
            target = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
            self._store.update(
                f"INSERT {{ {target} }} WHERE {{ GRAPH {here} {{ ?s ?p ?o }} }}; "
                f"DROP SILENT GRAPH {here}"
            )
        elif not self._count(f"GRAPH {here} {{ ?s ?p ?o }}", limit=1):
            # Every triple was known: leave no empty graph behind, as a copy would not.
            self._store.update(f"DROP SILENT GRAPH {here}")

    def _count(self, pattern: str, *, limit: int | None = None) -> int:
        """Count the solutions of *pattern*, stopping at *limit* when one is given."""
        if limit is not None:
            pattern = f"{{ SELECT * WHERE {{ {pattern} }} LIMIT {limit} }}"
        answer = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        assert isinstance(answer, ox.QuerySolutions)
        return int(next(iter(answer))["n"].value)

    def _remove_from(self, graph: str, triples: Iterable[tuple[Any, Any, Any]]) -> None:
        """Remove *triples* (rdflib terms) from the named *graph* where it holds them."""
        name = ox.NamedNode(graph)
        for s, p, o in triples:
            quad = ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)
            if quad in self._store:
                self._store.remove(quad)

    def _construct(self, pattern: str) -> Graph:
        graph = Graph()
        answer = self._store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}")
        assert isinstance(answer, ox.QueryTriples)
        graph.addN(
            (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object), graph)
            for t in answer
        )
        return graph

    def add_graph(self, graph: Graph) -> None:
        """Add the triples of *graph* that the store does not hold yet, to the default graph."""
        self._store.extend(_quads(graph, ox.NamedNode(_STAGING)))
        self._keep_new_triples(_STAGING, None)

    def graph_names(self) -> list[str]:
        """Return the IRIs of the named graphs."""
        return sorted(str(g.value) for g in self._store.named_graphs())

    def clear(self) -> None:
        """Remove every triple (and every named graph)."""
        self._store.clear()

    def flush(self) -> None:
        """Write buffered data to disk (a no-op in memory)."""
        if self.persistent:
            self._store.flush()

    def __len__(self) -> int:
        """Return the number of triples."""
        try:
            return len(self._store)
        except (OSError, RuntimeError) as exc:
            if self.path is None:
                raise
            raise _open_error(self.path, exc) from None

    def write(self, format: str, stream: IO[bytes]) -> None:
        """Write every triple with pyoxigraph's serialisers, as they come from the store.

        The quad formats keep each file's named graph (see :mod:`medkg.datasets`); the
        triple formats write the union.
        """
        check_serialize_format(format)
        write_quads(self._store.quads_for_pattern(None, None, None), format, stream)

    def to_rdflib(self) -> Graph:
        """Return a copy of every triple (the union of the graphs) as an rdflib graph."""
        graph = new_graph()
        graph.addN(
            (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object), graph)
            for q in self._store.quads_for_pattern(None, None, None, None)
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
        # A quad of the default graph (or a bare triple) goes to NAMED_GRAPH.
        fallback = ox.NamedNode(NAMED_GRAPH)
        items: Iterable[Any] = (
            ox.Quad(q.subject, q.predicate, q.object, _graph_of(q, fallback)) for q in quads
        )
    else:
        items = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    prefixes = None if format in ("nt", "nquads") else _PREFIXES
    ox.serialize(items, stream, format=rdf_format, prefixes=prefixes)


def _graph_of(quad: Any, fallback: ox.NamedNode) -> Any:
    graph = getattr(quad, "graph_name", None)
    return graph if isinstance(graph, ox.NamedNode) else fallback


def _quads(graph: Graph, to: ox.NamedNode) -> Iterator[ox.Quad]:
    return (ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to) for s, p, o in graph)


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


# ---------------------------------------------------------------- stores on disk
# A medkg store folder holds a marker file, one or two generations (RocksDB folders) and a
# symbolic link "current" to the complete one. A load fills a new generation and, only when
# it is complete, moves the link: a reader opens a complete store or, before the first load
# has finished, is told the store is being loaded. Folders written by earlier medkg
# versions (RocksDB directly in PATH) are still opened.

_MARKER = "medkg-store"
_CURRENT = "current"
_LOCK = ".medkg-load.lock"
_GENERATION = re.compile(r"^generation-(\d+)$")


def _data_folder(path: Path) -> Path:
    current = path / _CURRENT
    return current.resolve() if current.is_symlink() else path


def _is_legacy_store(path: Path) -> bool:
    return (path / "CURRENT").is_file() and any(path.glob("MANIFEST-*"))


def _is_store(path: Path) -> bool:
    return (path / _MARKER).is_file() or _is_legacy_store(path)


def _refuse_foreign_folder(path: Path) -> None:
    if path.is_dir() and any(path.iterdir()) and not _is_store(path):
        raise StoreError(
            f"--store oxigraph:{path}: the folder holds files that are not a medkg store; "
            "give an empty or new folder"
        )


def _generations(path: Path) -> list[Path]:
    found = [(int(m.group(1)), p) for p in path.iterdir() if (m := _GENERATION.match(p.name))]
    return [p for _, p in sorted(found)]


def _new_generation(path: Path) -> Path:
    existing = _generations(path)
    number = int(_GENERATION.match(existing[-1].name).group(1)) + 1 if existing else 1  # type: ignore[union-attr]
    (path / _MARKER).write_text("a medkg store: fill it with medkg load\n", encoding="utf-8")
    return path / f"generation-{number}"


def _point_current(path: Path, generation: Path) -> None:
    """Move the ``current`` link to *generation* atomically (rename of a new link)."""
    staged = path / f".{_CURRENT}.{os.getpid()}"
    staged.unlink(missing_ok=True)
    staged.symlink_to(generation.name)
    os.replace(staged, path / _CURRENT)


def _is_loading(path: Path) -> bool:
    lock = path / _LOCK
    if not lock.exists():
        return False
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


@contextlib.contextmanager
def _load_lock(path: Path) -> Iterator[None]:
    with (path / _LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusyError(
                f"--store oxigraph:{path}: the store is being loaded by another medkg load"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_error(path: Path, exc: Exception) -> StoreError:
    text = " ".join(str(exc).split())
    if "lock" in text.lower():
        return StoreBusyError(
            f"--store oxigraph:{path}: the store is in use by another process ({text})"
        )
    return StoreError(
        f"--store oxigraph:{path}: the store is damaged or unreadable ({text[:200]}); "
        f"fill it again with: medkg load --store oxigraph:{path} [FILE...]"
    )


def load_store(path: Path, fill: Callable[[OxigraphStore], object]) -> int:
    """Replace the content of the store on disk at *path*, all or nothing.

    *fill* receives an empty store (a new generation in *path*) and adds the triples.
    Only when it returns are the data flushed and the store switched to them; if it
    raises (a bad file, a full disk, Ctrl-C), the new generation is removed and *path*
    holds the previous store, untouched. Readers meanwhile keep seeing the previous store.

    :param path: the store folder: new, empty, or a medkg store.
    :param fill: adds the triples, e.g. ``lambda s: fill_store(s, files)``.
    :returns: the number of triples in the new store.
    :raises StoreError: *path* holds other files, or its parent does not exist; a disk
        error while loading (the message says the previous store is unchanged).
    :raises StoreBusyError: another load of *path* is running.
    :raises DataFileError: a file is malformed (from *fill*).
    """
    if path.exists() and not path.is_dir():
        raise StoreError(f"--store oxigraph:{path}: this is a file, not a store folder")
    if not path.parent.is_dir():
        raise StoreError(f"--store oxigraph:{path}: the folder {path.parent} does not exist")
    _refuse_foreign_folder(path)
    path.mkdir(exist_ok=True)
    with _load_lock(path):
        previous = _data_folder(path) if (path / _CURRENT).is_symlink() else None
        generation = _new_generation(path)
        try:
            store = OxigraphStore.__new__(OxigraphStore)
            store.path, store.persistent = path, True
            store._store = ox.Store(str(generation))
            fill(store)
            store.flush()
            count = len(store._store)
            del store
            _point_current(path, generation)
        except BaseException as exc:
            shutil.rmtree(generation, ignore_errors=True)
            if isinstance(exc, OSError | RuntimeError) and not isinstance(exc, MedkgError):
                reason = (
                    "no space left on the device"
                    if getattr(exc, "errno", None) == errno.ENOSPC or "No space" in str(exc)
                    else " ".join(str(exc).split())[:200]
                )
                raise StoreError(
                    f"--store oxigraph:{path}: the load failed ({reason}); "
                    "the previous store is unchanged"
                ) from None
            raise
        # Older generations go; the one just replaced stays until the next load, so a
        # reader that opened it a moment ago can finish.
        for old in _generations(path):
            if old not in (generation, previous):
                shutil.rmtree(old, ignore_errors=True)
        if _is_legacy_store(path):
            _remove_legacy_files(path)
    return count


def _remove_legacy_files(path: Path) -> None:
    """Remove the RocksDB files an earlier medkg version wrote directly into *path*."""
    keep = {_MARKER, _CURRENT, _LOCK}
    for entry in path.iterdir():
        if entry.name in keep or _GENERATION.match(entry.name):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
