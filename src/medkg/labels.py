"""The label index: every entity's names, looked up without scanning the graph.

Search and name resolution ask the index for candidates, then rank them in Python. Which
index a store gets:

* ``oxigraph:PATH``: an SQLite database beside the store (``PATH.labels.sqlite``), built by
  ``medkg load`` (or on first use) and rebuilt when the store's files change.
* ``memory`` and ``oxigraph`` (in memory): the same SQLite index, in memory, built on first
  use and kept for the process.
* ``sparql:URL``: no copy at all; bounded SPARQL queries (``CONTAINS`` with a ``LIMIT``)
  fetch candidates from the server.

SQLite's FTS5 full-text engine with the ``trigram`` tokenizer (in Python's standard library)
finds substrings and shares trigrams with a mistyped name ("charlie horse") in milliseconds
at a million triples.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from rdflib.term import Literal, URIRef

from medkg.entities import NAME_PROPERTIES, Queryable, entity_names, normalise
from medkg.stores.index import data_version, label_index_file

__all__ = ["CANDIDATES", "LabelIndex", "SqliteLabelIndex", "build_label_index", "label_index"]

#: The most candidate names one look-up returns (per kind of match).
CANDIDATES = 200

# Increase when the table layout changes, so that old files are rebuilt.
_SCHEMA = "1"


class LabelIndex(Protocol):
    """Where the names of the entities can be looked up."""

    def exact(self, norm: str) -> set[str]:
        """Return the IRIs with a name that normalises to *norm*."""
        ...

    def candidates(self, norm: str) -> list[tuple[str, str]]:
        """Return ``(iri, name)`` pairs whose normalised name may match *norm*, typos included."""
        ...

    def close(self, norm: str, *, n: int) -> list[str]:
        """Return the IRIs of up to *n* names closest to *norm* (for "did you mean")."""
        ...


def _trigrams(norm: str) -> list[str]:
    return sorted({norm[i : i + 3] for i in range(len(norm) - 2)})


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class SqliteLabelIndex:
    """Entity names in SQLite: a B-tree on the normalised name, FTS5 trigrams for the rest.

    :param connection: an open database holding the tables :meth:`build` writes.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def build(
        cls, names: Iterable[tuple[str, str]], *, path: Path | None = None, version: str = ""
    ) -> SqliteLabelIndex:
        """Index ``(iri, name)`` pairs, in memory or (atomically) in the file *path*."""
        target = ":memory:"
        scratch = None
        if path is not None:
            fd, scratch = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
            os.close(fd)
            target = scratch
        db = sqlite3.connect(target)
        try:
            db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE names(iri TEXT NOT NULL, name TEXT NOT NULL, norm TEXT NOT NULL);"
                "CREATE VIRTUAL TABLE fts USING fts5(norm, content='names', "
                "content_rowid='rowid', tokenize='trigram');"
            )
            db.executemany(
                "INSERT INTO names(iri, name, norm) VALUES (?, ?, ?)",
                ((iri, name, normalise(name)) for iri, name in names),
            )
            db.executescript(
                "CREATE INDEX names_norm ON names(norm);INSERT INTO fts(fts) VALUES('rebuild');"
            )
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("schema", _SCHEMA), ("version", version)]
            )
            db.commit()
        except BaseException:
            db.close()
            if scratch is not None:
                os.unlink(scratch)
            raise
        if path is None or scratch is None:
            return cls(db)
        db.close()
        os.replace(scratch, path)
        return cls(sqlite3.connect(f"file:{path}?mode=ro", uri=True))

    @classmethod
    def open(cls, path: Path, version: str) -> SqliteLabelIndex | None:
        """Open the index file at *path* if it was built for *version* of the store."""
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            return None  # unreadable or half-written by an old version: rebuild it
        if meta.get("schema") != _SCHEMA or meta.get("version") != version:
            db.close()
            return None
        return cls(db)

    def exact(self, norm: str) -> set[str]:
        """Return the IRIs with a name that normalises to *norm*."""
        rows = self._db.execute("SELECT DISTINCT iri FROM names WHERE norm = ?", (norm,))
        return {row[0] for row in rows}

    def candidates(self, norm: str) -> list[tuple[str, str]]:
        """Return names equal to *norm*, containing it, or sharing its trigrams."""
        found = self._db.execute("SELECT iri, name FROM names WHERE norm = ?", (norm,)).fetchall()
        if len(norm) >= 3:
            # Shortest first: the ranking prefers the query as a larger part of the name.
            found += self._db.execute(
                "SELECT n.iri, n.name FROM fts JOIN names n ON n.rowid = fts.rowid "
                "WHERE fts MATCH ? ORDER BY length(n.norm) LIMIT ?",
                (_fts_phrase(norm), CANDIDATES),
            ).fetchall()
            found += self._fuzzy(norm, CANDIDATES)
        else:
            found += self._db.execute(
                "SELECT iri, name FROM names WHERE instr(norm, ?) > 0 "
                "ORDER BY length(norm) LIMIT ?",
                (norm, CANDIDATES),
            ).fetchall()
        return list(dict.fromkeys(found))

    def _fuzzy(self, norm: str, limit: int) -> list[tuple[str, str]]:
        """Names of a similar length sharing the most trigrams with *norm* (typo tolerance)."""
        grams = _trigrams(norm)
        if not grams:
            return []
        # A similarity ratio of 0.75 needs lengths within these bounds.
        low, high = int(len(norm) * 0.6), int(len(norm) / 0.6) + 1
        return self._db.execute(
            "SELECT n.iri, n.name FROM fts JOIN names n ON n.rowid = fts.rowid "
            "WHERE fts MATCH ? AND length(n.norm) BETWEEN ? AND ? ORDER BY fts.rank LIMIT ?",
            (" OR ".join(_fts_phrase(g) for g in grams), low, high, limit),
        ).fetchall()

    def close(self, norm: str, *, n: int) -> list[str]:
        """Return the IRIs of up to *n* names closest to *norm*."""
        return _closest(norm, self._fuzzy(norm, CANDIDATES) if len(norm) >= 3 else [], n)

    def __len__(self) -> int:
        """Return the number of names indexed."""
        return int(self._db.execute("SELECT COUNT(*) FROM names").fetchone()[0])


def _closest(norm: str, pairs: list[tuple[str, str]], n: int) -> list[str]:
    import difflib

    by_norm: dict[str, list[str]] = {}
    for iri, name in pairs:
        by_norm.setdefault(normalise(name), []).append(iri)
    close = difflib.get_close_matches(norm, list(by_norm), n=n, cutoff=0.75)
    return [iri for key in close for iri in by_norm[key]]


class RemoteLabelIndex:
    """Candidates asked of a SPARQL server, each answer bounded by a ``LIMIT``.

    The server cannot normalise names as medkg does, so it is asked for names containing
    the query's words (each cut to its first few letters, which tolerates plurals and a typo
    near the end of a word); the answers are then normalised and ranked here.

    :param source: the store or knowledge graph to ask.
    """

    def __init__(self, source: Queryable) -> None:
        self._source = source

    def _containing(self, fragments: Iterable[str]) -> list[tuple[str, str]]:
        props = " ".join(p.n3() for p in NAME_PROPERTIES)
        found: list[tuple[str, str]] = []
        for fragment in dict.fromkeys(fragments):
            text = Literal(fragment).n3()
            rows = self._source.query(
                f"SELECT ?e ?n WHERE {{ VALUES ?p {{ {props} }} ?e ?p ?n . "
                f"FILTER(isIRI(?e) && isLiteral(?n) && CONTAINS(LCASE(STR(?n)), {text})) }} "
                f"LIMIT {CANDIDATES}"
            ).rows
            found += [(str(e), str(n)) for e, n in rows if isinstance(e, URIRef)]
        return list(dict.fromkeys(found))

    @staticmethod
    def _fragments(norm: str) -> list[str]:
        words = [w for w in norm.split() if len(w) >= 3] or [norm]
        return [w[:4] if len(w) > 4 else w for w in sorted(words, key=len, reverse=True)]

    def exact(self, norm: str) -> set[str]:
        """Return the IRIs with a name that normalises to *norm*."""
        if not norm:
            return set()
        fragment = max(norm.split(), key=len)[:5]
        return {iri for iri, name in self._containing([fragment]) if normalise(name) == norm}

    def candidates(self, norm: str) -> list[tuple[str, str]]:
        """Return names containing the query's words (their first letters)."""
        return self._containing(self._fragments(norm)) if norm else []

    def close(self, norm: str, *, n: int) -> list[str]:
        """Return the IRIs of up to *n* names closest to *norm*."""
        return _closest(norm, self.candidates(norm), n)


# One index per open store and version of its data, for the life of the process.
_INDEXES: weakref.WeakKeyDictionary[object, tuple[str, LabelIndex]] = weakref.WeakKeyDictionary()


def build_label_index(source: Queryable) -> LabelIndex:
    """Build (or rebuild) the index of *source*'s store and keep it for later look-ups."""
    store = getattr(source, "store", source)
    version = data_version(store)
    if version is None:
        return RemoteLabelIndex(source)
    path = label_index_file(store)
    index: LabelIndex
    try:
        index = SqliteLabelIndex.build(entity_names(source), path=path, version=version)
    except OSError:
        # A store folder we may read but not write: keep the index in memory instead.
        index = SqliteLabelIndex.build(entity_names(source), version=version)
    _remember(store, version, index)
    return index


def label_index(source: Queryable) -> LabelIndex:
    """Return the label index of *source*'s store, building it if it is missing or stale."""
    store = getattr(source, "store", source)
    version = data_version(store)
    if version is None:
        return RemoteLabelIndex(source)
    try:
        cached = _INDEXES.get(store)
    except TypeError:
        cached = None
    if cached is not None and cached[0] == version:
        return cached[1]
    path = label_index_file(store)
    if path is not None:
        opened = SqliteLabelIndex.open(path, version)
        if opened is not None:
            _remember(store, version, opened)
            return opened
    return build_label_index(source)


def _remember(store: object, version: str, index: LabelIndex) -> None:
    with contextlib.suppress(TypeError):
        _INDEXES[store] = (version, index)
