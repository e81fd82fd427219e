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

import rdflib
from rdflib import Graph

from medkg.resources import bundled_data_files

__all__ = ["bundled_graph"]


def _cache_file() -> Path | None:
    if os.environ.get("MEDKG_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.sha256(f"{sys.version}|{rdflib.__version__}".encode())
    for path in bundled_data_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return Path(base) / "medkg" / f"bundled-{digest.hexdigest()[:32]}.pickle"


def bundled_graph(parse: Graph) -> Graph:
    """Return the bundled graph: from the cache, or *parse* (already filled) then cached.

    :param parse: a graph into which the bundled files were parsed, used (and cached) when
        no cached copy can be read; pass an empty graph to have it filled here.
    """
    path = _cache_file()
    if path is not None and path.is_file() and path.stat().st_uid == os.getuid():
        with contextlib.suppress(Exception):  # a damaged or foreign file: parse instead
            with path.open("rb") as stream:
                cached = pickle.load(stream)  # noqa: S301 - our own file, same user
            if isinstance(cached, Graph):
                return cached
    from medkg.rdfio import parse_file

    if len(parse) == 0:
        for file in bundled_data_files():
            parse_file(parse, file)
    if path is not None:
        with contextlib.suppress(OSError, pickle.PicklingError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, scratch = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as stream:
                pickle.dump(parse, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(scratch, path)
    return parse
