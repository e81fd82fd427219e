"""The :class:`KnowledgeGraph`: the bundled ontology and knowledge, plus the user's files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph
from rdflib.term import Identifier

from medkg.namespaces import PREFIXES
from medkg.query import QueryResult, run_query
from medkg.rdfio import parse_file
from medkg.resources import bundled_data_files

if TYPE_CHECKING:
    from medkg.entities import Entity
    from medkg.viz import Explorer

__all__ = ["KnowledgeGraph", "load"]


class KnowledgeGraph:
    """The loaded graph and what it was loaded from.

    Build one with :func:`load` (the bundled leg-cramp graph plus extra files) or
    :meth:`from_graph` (any rdflib graph). Everything else in medkg is a function that
    takes a ``KnowledgeGraph``.
    """

    def __init__(self, graph: Graph, *, files: Sequence[Path] = (), inferred: bool = False) -> None:
        self.graph = graph
        #: The files the graph was read from, in load order.
        self.files = list(files)
        #: Whether RDFS / OWL-RL entailments were materialised.
        self.inferred = inferred

    @classmethod
    def from_graph(cls, graph: Graph) -> KnowledgeGraph:
        """Wrap an existing rdflib graph (bound to medkg's prefixes)."""
        _bind_prefixes(graph)
        return cls(graph)

    def __len__(self) -> int:
        """Return the number of triples."""
        return len(self.graph)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {len(self)} triples from {len(self.files)} files>"

    def query(
        self, sparql: str, *, bindings: Mapping[str, Identifier] | None = None
    ) -> QueryResult:
        """Run a SPARQL query with medkg's prefixes predeclared.

        >>> kg = load()
        >>> kg.query("ASK { kg:LegCramp a medkg:Condition }").boolean
        True
        """
        return run_query(self.graph, sparql, bindings=bindings)

    def entity(self, name: str) -> Entity:
        """Resolve a label, synonym, brand name, CURIE or IRI to one entity.

        >>> load().entity("charley horse").label
        'leg cramp'

        :raises EntityNotFoundError: nothing matches.
        :raises AmbiguousEntityError: several entities match; the error lists them.
        """
        from medkg.entities import resolve

        return resolve(self.graph, name)

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
        from medkg.viz import visualize

        return visualize(self, focus=focus, depth=depth, query=query, types=types, title=title)


def load(
    extra: Iterable[str | Path] = (),
    *,
    infer: bool = False,
    format: str | None = None,
    bundled: bool = True,
) -> KnowledgeGraph:
    """Load the bundled leg-cramp graph, merged with the user's RDF files.

    :param extra: more RDF files to merge (Turtle, N-Triples, RDF/XML, JSON-LD, TriG, N-Quads).
    :param infer: materialise RDFS / OWL-RL entailments (needs the ``infer`` extra).
    :param format: the parser for *extra*; by default each file's extension decides.
    :param bundled: include the bundled ontology and knowledge (``False`` loads only *extra*).
    :raises DataFileError: a file is missing or malformed; the message names file and line.
    """
    graph = Graph()
    _bind_prefixes(graph)
    files = [*bundled_data_files()] if bundled else []
    for path in files:
        parse_file(graph, path)
    for extra_path in extra:
        parse_file(graph, extra_path, format)
        files.append(Path(extra_path))
    if infer:
        from medkg.inference import materialise

        materialise(graph)
    return KnowledgeGraph(graph, files=files, inferred=infer)


def _bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
