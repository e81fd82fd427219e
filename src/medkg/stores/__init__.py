"""Where the triples live: one interface, three stores, chosen with ``--store``.

========================  ===========================================================
``memory``                rdflib in memory (the default: quickest to start)
``oxigraph``              pyoxigraph in memory (fast queries and exports on big graphs)
``oxigraph:PATH``         pyoxigraph on disk (RocksDB), filled once by ``medkg load``
``sparql:URL``            any SPARQL 1.1 endpoint, read-only (``medkg push`` fills it)
========================  ===========================================================

pyoxigraph and the HTTP client are imported only when such a store is opened.
"""

from __future__ import annotations

from pathlib import Path

from medkg.errors import StoreError
from medkg.namespaces import NAMED_GRAPH
from medkg.stores.base import SERIALIZE_FORMATS, Store
from medkg.stores.memory import MemoryStore

__all__ = ["SERIALIZE_FORMATS", "STORE_FORMS", "MemoryStore", "Store", "open_store"]

#: The valid ``--store`` forms, as the error for an unknown one lists them.
STORE_FORMS = ("memory", "oxigraph", "oxigraph:PATH", "sparql:URL")


def open_store(spec: str, *, create: bool = False, graph: str = NAMED_GRAPH) -> Store:
    """Open the store that a ``--store`` value names.

    >>> open_store("memory").kind
    'memory'
    >>> open_store("rdf4j")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    medkg.errors.StoreError: unknown store 'rdf4j'; use one of: memory, oxigraph, ...

    :param spec: one of :data:`STORE_FORMS`.
    :param create: for ``oxigraph:PATH``, create the store if it is missing (``medkg load``);
        otherwise it must exist and is opened read-only.
    :param graph: for ``sparql:URL``, the named graph to read.
    :returns: the open store, empty unless it is persistent.
    :raises StoreError: an unknown form, a missing folder, pyoxigraph not installed.
    """
    kind, _, where = spec.partition(":")
    if spec == "memory":
        return MemoryStore()
    if kind == "oxigraph":
        try:
            from medkg.stores.oxigraph import OxigraphStore
        except ImportError:
            raise StoreError(
                f"--store {spec} needs pyoxigraph: pip install 'medkg[oxigraph]'"
            ) from None

        if not where:
            return OxigraphStore()
        return OxigraphStore.open(Path(where).expanduser(), create=create)
    if kind == "sparql" and where:
        from medkg.stores.sparql import SparqlStore

        return SparqlStore(where, graph=graph)
    from medkg.suggest import did_you_mean

    hint = did_you_mean(kind, ["memory", "oxigraph", "sparql"])
    raise StoreError(f"unknown store {spec!r}{hint}; use one of: {', '.join(STORE_FORMS)}")
