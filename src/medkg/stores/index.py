"""What a side index (the label index) needs to know about a store: its file, its version.

The only place outside each store's own module that tells the stores apart, so that no
feature has to.
"""

from __future__ import annotations

from pathlib import Path

from medkg.stores.base import Store
from medkg.stores.memory import MemoryStore

__all__ = ["data_version", "label_index_file"]

# RocksDB's files that change when the data does; its LOG files change on every open.
_DATA_FILES = ("CURRENT", "MANIFEST-", "OPTIONS-")
_DATA_SUFFIXES = (".sst", ".log", ".blob")


def label_index_file(store: object) -> Path | None:
    """Return the file that holds the label index of an on-disk store (None for the others).

    The file sits beside the store's folder, so the folder stays pyoxigraph's alone.
    """
    path = getattr(store, "path", None)
    if getattr(store, "kind", None) == "oxigraph" and isinstance(path, Path):
        return path.with_name(path.name + ".labels.sqlite")
    return None


def data_version(store: object) -> str | None:
    """Return a text that changes whenever the store's triples do, or None for a remote store.

    A remote store (``sparql:URL``) keeps no local index: features ask the server instead.
    """
    if isinstance(store, MemoryStore):
        return f"memory:{id(store.graph)}:{len(store)}"
    if getattr(store, "kind", None) == "sparql":
        return None
    path = getattr(store, "path", None)
    if isinstance(path, Path) and path.is_dir():
        # medkg load writes each load into a new generation folder that "current" points at.
        current = path / "current"
        data = current.resolve() if current.is_symlink() else path
        # Names, sizes and times of the database files: cheap, and any write changes them.
        parts = sorted(
            f"{entry.name}:{entry.stat().st_size}:{entry.stat().st_mtime_ns}"
            for entry in data.iterdir()
            if entry.name.startswith(_DATA_FILES) or entry.name.endswith(_DATA_SUFFIXES)
        )
        return f"oxigraph-disk:{data.name}:" + ";".join(parts)
    if isinstance(store, Store):
        return f"{type(store).__name__}:{id(store)}:{len(store)}"
    return None
