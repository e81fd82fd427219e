"""The :class:`KnowledgeGraph`: the bundled ontology and knowledge, plus the user's files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph
from rdflib.term import Identifier

from medkg.datasets import GraphNamer
from medkg.errors import StoreError, naming_missing_extras
from medkg.namespaces import PREFIXES
from medkg.query import QueryResult
from medkg.resources import bundled_data_files
from medkg.stores import MemoryStore, Store, open_store

if TYPE_CHECKING:
    from medkg.entities import Entity
    from medkg.viz import Explorer

__all__ = ["KnowledgeGraph", "as_rdflib", "fill_store", "load"]


class KnowledgeGraph:
    """The loaded graph, the store it lives in, and what it was loaded from.

    Build one with :func:`load` (the bundled leg-cramp graph plus extra files, in any store)
    or :meth:`from_graph` (any rdflib graph). Everything else in medkg is a function that
    takes a ``KnowledgeGraph``.

    :param graph: an rdflib graph (wrapped in a memory store, not copied) or a store.
    :param files: the files the data was read from.
    :param inferred: whether RDFS / OWL-RL entailments were materialised.
    """

    def __init__(
        self, graph: Graph | Store, *, files: Sequence[Path] = (), inferred: bool = False
    ) -> None:
        #: Where the triples live; queries, counts and Turtle / N-Triples exports go here.
        self.store: Store = MemoryStore(graph) if isinstance(graph, Graph) else graph
        self._graph: Graph | None = graph if isinstance(graph, Graph) else None
        #: The files the graph was read from, in load order.
        self.files = list(files)
        #: Whether RDFS / OWL-RL entailments were materialised.
        self.inferred = inferred

    @property
    def graph(self) -> Graph:
        """The triples as an rdflib graph, for the features only rdflib has (SHACL, OWL-RL …).

        For the memory store this is the store itself; for the others a copy, made on first
        use and kept.
        """
        if self._graph is None:
            self._graph = self.store.to_rdflib()
        return self._graph

    @classmethod
    def from_graph(cls, graph: Graph) -> KnowledgeGraph:
        """Wrap an existing rdflib graph (bound to medkg's prefixes)."""
        _bind_prefixes(graph)
        return cls(graph)

    def __len__(self) -> int:
        """Return the number of triples."""
        return len(self.store)

    def __repr__(self) -> str:
        return (
            f"<KnowledgeGraph {len(self)} triples from {len(self.files)} files "
            f"in a {self.store.kind} store>"
        )

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query with medkg's prefixes predeclared, on the store's own engine.

        The default graph is every triple; ``GRAPH ?g`` ranges over one named graph per
        loaded file (see :mod:`medkg.datasets`).

        >>> kg = load()
        >>> kg.query("ASK { kg:LegCramp a medkg:Condition }").boolean
        True

        :param sparql: the query text.
        :param bindings: values for variables, set before evaluation. A variable with a
            ``VALUES ?name { … }`` line (a bundled question's default) gets the value there.
        :param source: the file the query came from, named in errors.
        :param default_graphs: as the protocol's ``default-graph-uri``: these graphs (their
            merge) are the default graph, in place of the query's ``FROM``.
        :param named_graphs: as ``named-graph-uri``: the graphs ``GRAPH`` ranges over.
        :raises QueryError: the query is malformed (with line and column) or fails.
        """
        from medkg.competency import set_parameters

        sparql, bindings = set_parameters(sparql, bindings or {})
        return self.store.query(
            sparql,
            bindings=bindings or None,
            source=source,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )

    def entity(self, name: str) -> Entity:
        """Resolve a label, synonym, brand name, CURIE or IRI to one entity.

        >>> load().entity("charley horse").label
        'leg cramp'

        :raises EntityNotFoundError: nothing matches.
        :raises AmbiguousEntityError: several entities match; the error lists them.
        """
        from medkg.entities import resolve

        return resolve(self, name)

    def to_networkx(self) -> Any:
        """Return the network view: entities as nodes, relations as edges (needs networkx).

        >>> network = load().to_networkx()
        >>> network.number_of_nodes() > 40
        True
        >>> network.nodes["https://w3id.org/medkg/entity/LegCramp"]["label"]
        'leg cramp'

        :returns: a ``networkx.MultiDiGraph``; see :func:`medkg.network.to_networkx`.
        """
        from medkg.network import to_networkx

        with naming_missing_extras():
            return to_networkx(self)

    def visualize(
        self,
        *,
        focus: str | None = None,
        depth: int | None = None,
        query: str | None = None,
        types: Sequence[str] | None = None,
        title: str | None = None,
    ) -> Explorer:
        """Draw the graph, or part of it, as a self-contained interactive HTML page.

        In Jupyter the result shows itself inline; ``.save("page.html")`` writes the page.
        Needs the ``viz`` extra (networkx, jinja2, pyvis).

        >>> page = load().visualize(focus="beta-agonists", depth=1)
        >>> page.node_count
        3

        :param focus: draw only the neighbourhood of this entity (label, synonym, CURIE, IRI).
        :param depth: how many hops around *focus*, in either direction (default 1).
        :param query: draw the entities of a CONSTRUCT / SELECT query (text or a ``.rq`` path).
        :param types: keep only entities of these types (``drug``, ``DrugClass`` …).
        :param title: the page's title.
        :returns: an :class:`~medkg.viz.Explorer`; see :func:`medkg.viz.visualize`.
        :raises MedkgError: an unknown focus entity, a malformed query, an unknown type.
        """
        with naming_missing_extras():
            from medkg.viz import visualize

            return visualize(self, focus=focus, depth=depth, query=query, types=types, title=title)


def load(
    extra: Iterable[str | Path] = (),
    *,
    infer: bool = False,
    format: str | None = None,
    bundled: bool = True,
    store: str | Store = "memory",
) -> KnowledgeGraph:
    """Load the bundled leg-cramp graph, merged with the user's RDF files, into a store.

    >>> load(store="oxigraph").query("ASK { kg:LegCramp a medkg:Condition }").boolean
    True

    :param extra: more RDF files to merge (Turtle, N-Triples, RDF/XML, JSON-LD, TriG, N-Quads).
    :param infer: materialise RDFS / OWL-RL entailments (needs the ``infer`` extra); done on
        an in-memory rdflib copy, so a store on disk or on a server is never changed.
    :param format: the parser for *extra*; by default each file's extension decides.
    :param bundled: include the bundled ontology and knowledge (``False`` loads only *extra*).
    :param store: ``memory``, ``oxigraph``, ``oxigraph:PATH``, ``sparql:URL`` (see
        :func:`medkg.stores.open_store`) or an open store. A persistent store is used as it
        is: it was filled by ``medkg load`` or ``medkg push``, and takes no *extra* files.
    :raises DataFileError: a file is missing or malformed; the message names file and line.
    :raises StoreError: the store cannot be opened, or *extra* was given for a persistent one.
    """
    target = open_store(store) if isinstance(store, str) else store
    extra_paths = [Path(p) for p in extra]
    files: list[Path] = []
    if target.persistent:
        if extra_paths:
            raise StoreError(
                f"--data cannot be merged into a persistent {target.kind} store at query "
                "time; add the files with medkg load (oxigraph:PATH) or medkg push (sparql:URL)"
            )
    elif store == "memory" and bundled:
        # The default store starts from the cached parse of the bundled files (medkg.cache).
        from medkg.cache import bundled_store

        target = bundled_store()
        files = [
            *bundled_data_files(),
            *fill_store(target, extra_paths, format=format, bundled=False),
        ]
    else:
        files = fill_store(target, extra_paths, format=format, bundled=bundled)
    if infer:
        from medkg.inference import materialise

        # A memory store hands over its own graph (entailed in place); any other, a copy.
        graph = _copy(target)
        with naming_missing_extras():
            materialise(graph)
        target = MemoryStore(graph)
    return KnowledgeGraph(target, files=files, inferred=infer)


def fill_store(
    store: Store,
    extra: Iterable[str | Path] = (),
    *,
    format: str | None = None,
    bundled: bool = True,
) -> list[Path]:
    """Parse the bundled files (unless *bundled* is false) and *extra* into *store*.

    :param store: a writable store.
    :param extra: the user's RDF files.
    :param format: the parser for *extra*; by default each file's extension decides.
    :param bundled: include the bundled ontology and knowledge.
    :returns: every file read, in load order.
    :raises DataFileError: a file is missing or malformed.
    """
    from medkg.progress import progress

    # Each file goes to its own named graph (see medkg.datasets); the union is the default.
    namer = GraphNamer()
    files = [*bundled_data_files()] if bundled else []
    extra_paths = [Path(p) for p in extra]
    with progress("loading files", total=len(files) + len(extra_paths)) as advance:
        for path in files:
            store.add_file(path, graph=namer.name(path, bundled=True))
            advance(1)
        for extra_path in extra_paths:
            store.add_file(extra_path, format, graph=namer.name(extra_path))
            files.append(extra_path)
            advance(1)
    return files


def as_rdflib(source: KnowledgeGraph | Graph) -> Graph:
    """Return the rdflib graph of *source*: functions take a ``KnowledgeGraph`` (or a graph).

    :raises TypeError: *source* is neither, named in one line.
    """
    if isinstance(source, KnowledgeGraph):
        return source.graph
    if isinstance(source, Graph):
        return source
    raise TypeError(f"expected a KnowledgeGraph (medkg.load()), not {type(source).__name__}")


def _copy(store: Store) -> Graph:
    graph = store.to_rdflib()
    _bind_prefixes(graph)
    return graph


def _bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
