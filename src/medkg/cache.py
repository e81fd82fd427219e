"""A parsed copy of the bundled graph, kept between runs so that small commands start fast.

Parsing the bundled Turtle is most of a small command's start-up (``medkg info``); reading
back a pickled rdflib graph is about ten times faster. The copy lives in the user's cache
folder (``$XDG_CACHE_HOME/medkg``, else ``~/.cache/medkg``), under a name made of a hash of
the bundled files and of the Python and rdflib versions, so any change makes a new one.
It is written atomically and is only ever read by the user who wrote it; any problem reading
or writing it falls back to parsing. ``MEDKG_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import rdflib
from rdflib import Graph

from medkg.resources import bundled_data_files

if TYPE_CHECKING:
    from medkg.stores.memory import MemoryStore

__all__ = ["bundled_store"]

#: Bumped whenever what is pickled changes shape (2: the union graph and one graph per file).
_CACHE_FORMAT = 2


def _cache_file() -> Path | None:
    if os.environ.get("MEDKG_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.sha256(f"{_CACHE_FORMAT}|{sys.version}|{rdflib.__version__}".encode())
    for path in bundled_data_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return Path(base) / "medkg" / f"bundled-{digest.hexdigest()[:32]}.pickle"


def bundled_store() -> MemoryStore:
    """Return a memory store holding the bundled files, each in its own named graph.

    Read from the cache when a copy written by this user can be read; else filled by
    :func:`medkg.graph.fill_store` and cached.
    """
    from medkg.stores.memory import MemoryStore

    path = _cache_file()
    if path is not None and path.is_file() and path.stat().st_uid == os.getuid():
        with contextlib.suppress(Exception):  # a damaged or foreign file: parse instead
            with path.open("rb") as stream:
                cached = pickle.load(stream)  # noqa: S301 - our own file, same user
            graph, named = cached
            if isinstance(graph, Graph) and isinstance(named, dict):
                store = MemoryStore(graph)
                store.named = named
                return store
    from medkg.graph import fill_store

    store = MemoryStore()
    fill_store(store)
    if path is not None:
        with contextlib.suppress(OSError, pickle.PicklingError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, scratch = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as stream:
                pickle.dump((store.graph, store.named), stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(scratch, path)
    return store
