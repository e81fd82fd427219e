"""Named graphs: one per loaded file, their union as the default graph, the same on every store.

Every store holds an RDF dataset. Each file is loaded into its own named graph: the bundled
schema into :data:`SCHEMA_GRAPH`, the leg-cramp module into :data:`KNOWLEDGE_GRAPH`, a user's
``--data`` file into ``https://w3id.org/medkg/graph/data/<file name>``. Triples added without
a file (:meth:`~medkg.stores.Store.add_graph`, ``--infer``) sit in the store's default graph.
A query's default graph is the union of them all, so a query without ``GRAPH`` or ``FROM``
sees every triple, and ``GRAPH ?g`` names the file each triple came from. The TriG and
N-Quads exports name the same graphs.

A graph holds what its file *added*: a triple (or a blank-node structure such as an
``owl:unionOf`` list) that an earlier graph already holds is not added again, so loading an
export on top of the bundled data leaves the dataset as it was (:func:`new_triples`).

``FROM`` / ``FROM NAMED`` (and the protocol's ``default-graph-uri`` / ``named-graph-uri``)
select among the dataset's graphs only: an IRI that is not one of them reads nothing, never
a file or a URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph
from rdflib.term import BNode, Node

from medkg.namespaces import BASE, NAMED_GRAPH

__all__ = [
    "DATA_GRAPH_BASE",
    "GRAPH_BASE",
    "KNOWLEDGE_GRAPH",
    "SCHEMA_GRAPH",
    "GraphNamer",
    "new_triples",
]

#: Every graph medkg names lives under this IRI.
GRAPH_BASE = BASE + "graph/"
#: The named graph of the bundled schema (``ontology/medkg.ttl``).
SCHEMA_GRAPH = GRAPH_BASE + "schema"
#: The named graph of the bundled leg-cramp module (``ontology/leg-cramps.ttl``).
KNOWLEDGE_GRAPH = NAMED_GRAPH
#: Where the graphs of the user's ``--data`` files are named.
DATA_GRAPH_BASE = GRAPH_BASE + "data/"

_BUNDLED_GRAPHS = {"medkg.ttl": SCHEMA_GRAPH, "leg-cramps.ttl": KNOWLEDGE_GRAPH}

Triple = tuple[Node, Node, Node]


class GraphNamer:
    """Give each loaded file its graph IRI, unique within one dataset.

    >>> namer = GraphNamer()
    >>> namer.name(Path("ontology/medkg.ttl"), bundled=True)
    'https://w3id.org/medkg/graph/schema'
    >>> namer.name(Path("a/extra.ttl")), namer.name(Path("b/extra.ttl"))
    ('https://w3id.org/medkg/graph/data/extra.ttl', 'https://w3id.org/medkg/graph/data/extra.ttl-2')
    """

    def __init__(self) -> None:
        self._used: set[str] = set()

    def name(self, path: Path, *, bundled: bool = False) -> str:
        """Return the graph IRI for *path* (bundled files have fixed names)."""
        # The file's name, not its path: a server must not publish its folders.
        base = _BUNDLED_GRAPHS[path.name] if bundled else DATA_GRAPH_BASE + quote(path.name)
        iri, n = base, 1
        while iri in self._used:
            n += 1
            iri = f"{base}-{n}"
        self._used.add(iri)
        return iri


def new_triples(incoming: Graph, existing: Graph) -> Iterator[Triple]:
    """Yield the triples of *incoming* that *existing* does not already hold.

    Blank nodes are local to a file, so a re-read file's lists and structures get new ones:
    a blank-node tree of *incoming* (the triples reachable from a blank node that hangs off
    a named subject) is left out when *existing* has the same tree on the same subject and
    predicate.

    :param incoming: a freshly parsed file.
    :param existing: the triples already in the dataset (only those with blank nodes are
        looked at for the trees; membership is checked for the rest).
    """
    known = {_tree_key(existing, s, p, o) for s, p, o in _tree_roots(existing)}
    duplicate: set[Node] = set()
    for s, p, o in _tree_roots(incoming):
        if _tree_key(incoming, s, p, o) in known:
            duplicate.update(_tree_nodes(incoming, o))
    for triple in incoming:
        if triple[0] in duplicate or triple[2] in duplicate:
            continue
        if triple not in existing:
            yield triple


def _tree_roots(graph: Graph) -> Iterable[Triple]:
    for s, p, o in graph:
        if isinstance(o, BNode) and not isinstance(s, BNode):
            yield s, p, o


def _tree_key(graph: Graph, s: Node, p: Node, o: Node) -> tuple[Node, Node, object]:
    return (s, p, _shape(graph, o, 0))


def _shape(graph: Graph, node: Node, depth: int) -> object:
    """Describe a blank node by its triples, its blank nodes by their own descriptions."""
    if not isinstance(node, BNode):
        return node
    if depth > 50:  # a cycle of blank nodes: compare no deeper
        return None
    return frozenset((p, _shape(graph, o, depth + 1)) for p, o in graph.predicate_objects(node))


def _tree_nodes(graph: Graph, root: Node) -> set[Node]:
    seen: set[Node] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if node in seen or not isinstance(node, BNode):
            continue
        seen.add(node)
        todo.extend(graph.objects(node))
    return seen
