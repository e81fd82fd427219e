"""The default store: an rdflib graph in memory, quickest to start, every feature native."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO

from rdflib import Dataset, Graph
from rdflib.term import Identifier, URIRef

from medkg.namespaces import NAMED_GRAPH, PREFIXES
from medkg.query import QueryResult, run_query
from medkg.rdfio import parse_file
from medkg.stores.base import QUAD_FORMATS, SerializingStore, check_serialize_format, new_graph

__all__ = ["MemoryStore"]


class MemoryStore(SerializingStore):
    """An rdflib :class:`~rdflib.Graph` behind the :class:`~medkg.stores.Store` interface.

    >>> store = MemoryStore()
    >>> len(store)
    0

    :param graph: the graph to wrap (used as is, not copied); a new one by default.
    """

    kind = "memory"
    persistent = False

    def __init__(self, graph: Graph | None = None) -> None:
        self.graph = graph if graph is not None else new_graph()

    def __repr__(self) -> str:
        return f"<MemoryStore {len(self)} triples>"

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str | None = None,
    ) -> QueryResult:
        """Run *sparql* with rdflib's engine; see :meth:`medkg.stores.Store.query`."""
        return run_query(self.graph, sparql, bindings=bindings, source=source)

    def add_file(self, path: str | Path, format: str | None = None) -> None:
        """Parse an RDF file into the graph; see :func:`medkg.rdfio.parse_file`."""
        parse_file(self.graph, path, format)

    def add_graph(self, graph: Graph) -> None:
        """Add every triple of *graph*."""
        self.graph += graph

    def clear(self) -> None:
        """Remove every triple."""
        self.graph.remove((None, None, None))

    def __len__(self) -> int:
        """Return the number of triples."""
        return len(self.graph)

    def write(self, format: str, stream: IO[bytes]) -> None:
        """Write the graph in one of :data:`SERIALIZE_FORMATS` with rdflib's serialisers."""
        check_serialize_format(format)
        if format in QUAD_FORMATS:
            dataset = Dataset()
            for prefix, namespace in PREFIXES.items():
                dataset.bind(prefix, namespace, override=True, replace=True)
            named = dataset.graph(URIRef(NAMED_GRAPH))
            named += self.graph
            dataset.serialize(destination=stream, format=format, encoding="utf-8")
        elif format == "jsonld":
            self.graph.serialize(
                destination=stream,
                format="json-ld",
                encoding="utf-8",
                context=dict(PREFIXES),
                indent=2,
            )
        else:
            self.graph.serialize(destination=stream, format=format, encoding="utf-8")

    def to_rdflib(self) -> Graph:
        """Return the store's own graph (no copy)."""
        return self.graph
