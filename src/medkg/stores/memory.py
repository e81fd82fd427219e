"""The default store: an rdflib graph in memory, quickest to start, every feature native.

The store keeps every triple in one graph (the dataset's default graph, which most queries
read) and each loaded file's triples in its own named graph (see :mod:`medkg.datasets`); a
query with ``GRAPH``, ``FROM`` or the protocol's dataset parameters runs on an rdflib
``Dataset`` of those, built on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Identifier

from medkg.datasets import new_triples
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
        #: Each loaded file's triples, by graph IRI.
        self.named: dict[str, Graph] = {}
        self._dataset: Dataset | None = None

    def __repr__(self) -> str:
        return f"<MemoryStore {len(self)} triples>"

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run *sparql* with rdflib's engine; see :meth:`medkg.stores.Store.query`."""
        return run_query(
            self.graph,
            sparql,
            bindings=bindings,
            source=source,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            dataset=self.dataset,
        )

    def dataset(self) -> Dataset:
        """Return the named graphs as an rdflib ``Dataset`` whose default graph is their union.

        Triples that came from no file are in the dataset's own default context, so the
        union still holds every triple. Built on first use, rebuilt after a change.
        """
        if self._dataset is None:
            dataset = Dataset(default_union=True)
            for iri, named in self.named.items():
                # addN keeps only quads whose graph *is* this very graph object.
                context = dataset.graph(URIRef(iri))
                context.addN((s, p, o, context) for s, p, o in named)
            unnamed = dataset.default_graph
            for triple in self.graph:
                if not any(triple in named for named in self.named.values()):
                    unnamed.add(triple)
            self._dataset = dataset
        return self._dataset

    def graph_names(self) -> list[str]:
        """Return the IRIs of the named graphs, in load order."""
        return list(self.named)

    def add_file(
        self, path: str | Path, format: str | None = None, *, graph: str | None = None
    ) -> None:
        """Parse an RDF file into the store; see :func:`medkg.rdfio.parse_file`.

        :param graph: the named graph the file's triples go to (only those that the store
            does not already hold); none: the default graph.
        """
        scratch = Graph()
        parse_file(scratch, path, format)
        added = list(new_triples(scratch, self.graph))
        self.graph.addN((s, p, o, self.graph) for s, p, o in added)
        # A file whose every triple was known leaves no empty graph, on every store.
        if graph is not None and added:
            named = self.named.setdefault(graph, Graph())
            named.addN((s, p, o, named) for s, p, o in added)
        self._dataset = None

    def add_graph(self, graph: Graph) -> None:
        """Add every triple of *graph* (to the default graph)."""
        self.graph += graph
        self._dataset = None

    def clear(self) -> None:
        """Remove every triple."""
        self.graph.remove((None, None, None))
        self.named.clear()
        self._dataset = None

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
            # One named graph per loaded file, as the store holds them; triples that came
            # from no file (--infer's entailments, add_graph) go to NAMED_GRAPH.
            in_files: set[tuple[object, object, object]] = set()
            for iri, graph in self.named.items():
                context = dataset.graph(URIRef(iri))
                context.addN((s, p, o, context) for s, p, o in graph)
                in_files.update(graph)
            leftover = [t for t in self.graph if t not in in_files]
            if leftover:
                rest = dataset.graph(URIRef(NAMED_GRAPH))
                rest.addN((s, p, o, rest) for s, p, o in leftover)
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
