"""The interface every store implements, and helpers the stores share."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from rdflib import Graph
from rdflib.term import Identifier

from medkg.namespaces import PREFIXES
from medkg.query import QueryResult

__all__ = [
    "QUAD_FORMATS",
    "SERIALIZE_FORMATS",
    "SerializingStore",
    "Store",
    "check_serialize_format",
    "has_dataset_clause",
    "new_graph",
    "query_form",
    "with_values",
]

#: The formats :meth:`Store.write` writes with the store's own serialiser, streaming where
#: the engine can (pyoxigraph writes as it reads; no rdflib copy of the store is made).
SERIALIZE_FORMATS = ("turtle", "nt", "xml", "jsonld", "trig", "nquads")

#: The quad formats, in which the triples are written into the named graph
#: :data:`medkg.namespaces.NAMED_GRAPH`.
QUAD_FORMATS = ("trig", "nquads")


@runtime_checkable
class Store(Protocol):
    """Where the triples live: rdflib in memory, pyoxigraph, or a remote SPARQL endpoint.

    Every store answers SPARQL with medkg's prefixes predeclared and returns a
    :class:`~medkg.query.QueryResult` of rdflib terms, so callers never see the engine.
    """

    #: ``memory``, ``oxigraph`` or ``sparql``.
    kind: str
    #: Whether the data outlives the process (on disk, or on a server).
    persistent: bool

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query on the dataset (default graph: the union of all graphs).

        :param sparql: the query text; medkg's prefixes are predeclared.
        :param bindings: values for variables, set before evaluation.
        :param source: the file the query came from, named in errors.
        :param default_graphs: the protocol's ``default-graph-uri``: replaces ``FROM``.
        :param named_graphs: the protocol's ``named-graph-uri``: replaces ``FROM NAMED``.
        :returns: the answer, in rdflib terms.
        :raises QueryError: the query is malformed (with line and column) or fails.
        """
        ...

    def add_file(
        self, path: str | Path, format: str | None = None, *, graph: str | None = None
    ) -> None:
        """Parse an RDF file into the store.

        :param path: a local file.
        :param format: a parser name; by default the file's extension decides.
        :param graph: the named graph for the file's triples (those the store does not
            hold yet; see :func:`medkg.datasets.new_triples`); none: the default graph.
        :raises DataFileError: the file is missing or malformed (file and line named).
        :raises StoreError: the store is read-only.
        """
        ...

    def add_graph(self, graph: Graph) -> None:
        """Add every triple of an rdflib graph.

        :raises StoreError: the store is read-only.
        """
        ...

    def clear(self) -> None:
        """Remove every triple.

        :raises StoreError: the store is read-only.
        """
        ...

    def __len__(self) -> int:
        """Return the number of triples."""
        ...

    def graph_names(self) -> list[str]:
        """Return the IRIs of the dataset's named graphs."""
        ...

    def serialize(self, format: str) -> bytes:
        """Return every triple in one of :data:`SERIALIZE_FORMATS`, UTF-8 encoded."""
        ...

    def write(self, format: str, stream: IO[bytes]) -> None:
        """Write every triple in one of :data:`SERIALIZE_FORMATS` to a binary stream."""
        ...

    def to_rdflib(self) -> Graph:
        """Return the triples as an rdflib graph (the store's own graph, where it is one)."""
        ...


def check_serialize_format(format: str) -> None:
    """Refuse a format the stores cannot write natively (the export module offers the rest)."""
    if format not in SERIALIZE_FORMATS:
        raise ValueError(f"format {format!r} is not one of {SERIALIZE_FORMATS}")


class SerializingStore:
    """What every store shares: :meth:`serialize` in terms of the store's own ``write``."""

    def write(self, format: str, stream: IO[bytes]) -> None:
        """Write every triple to *stream*; each store implements this."""
        raise NotImplementedError

    def serialize(self, format: str) -> bytes:
        """Return every triple in one of :data:`SERIALIZE_FORMATS`, UTF-8 encoded."""
        buffer = io.BytesIO()
        self.write(format, buffer)
        return buffer.getvalue()


def new_graph() -> Graph:
    """Return an empty rdflib graph bound to medkg's prefixes."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


# Comments, IRIs and strings can hold any keyword; the prologue (BASE, PREFIX) comes first.
_NOISE = re.compile(r"#[^\n]*|<[^<>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(sparql: str) -> str:
    r"""Return the form of a query: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Engines that answer CONSTRUCT and DESCRIBE alike with triples do not say which it was.

    >>> query_form("PREFIX ex: <http://example.org/describe#> # ask me?\n DESCRIBE ex:a")
    'DESCRIBE'
    """
    match = _FORM.search(_NOISE.sub(" ", sparql))
    return match.group(1).upper() if match else "SELECT"


_FROM = re.compile(r"(?<![?$\w])FROM\b", re.IGNORECASE)


def has_dataset_clause(sparql: str) -> bool:
    """Tell whether a query names its dataset with ``FROM`` or ``FROM NAMED``.

    >>> has_dataset_clause('SELECT ?from FROM <http://example.org/g> WHERE { ?from ?p "FROM" }')
    True
    >>> has_dataset_clause('SELECT ?from WHERE { ?from ?p "FROM" }')
    False
    """
    return _FROM.search(_NOISE.sub(" ", sparql)) is not None


def with_values(sparql: str, bindings: Mapping[str, Identifier] | None) -> str:
    r"""Return *sparql* with a ``VALUES`` block that binds *bindings*, first in its pattern.

    A ``VALUES`` block at the start of the WHERE clause joins the bindings into everything
    that follows, as rdflib's ``initBindings`` does. Engines without a way to set variables
    from outside are sent this instead: the SPARQL Protocol has none, pyoxigraph's
    substitutions require the variable to be projected, and Virtuoso refuses a trailing
    (query-level) ``VALUES`` for a variable that is not.

    >>> from rdflib import URIRef
    >>> with_values("SELECT ?x WHERE { ?x a ?c }", {"c": URIRef("http://example.org/C")})
    'SELECT ?x WHERE { VALUES (?c) { (<http://example.org/C>) }  ?x a ?c }'

    :param sparql: the query.
    :param bindings: variable names (without ``?``) and their values.
    :returns: the query text to send.
    """
    if not bindings:
        return sparql
    names = list(bindings)
    row = " ".join(bindings[n].n3() for n in names)
    # One line: the query's own lines keep their numbers, so errors point at the right one.
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}"
    # Mask comments, IRIs and strings (same length), so that no brace inside them counts.
    masked = _NOISE.sub(lambda m: " " * len(m.group()), sparql)
    form = _FORM.search(masked)
    start = form.end() if form else 0
    if form and form.group(1).upper() == "CONSTRUCT":
        where = re.compile(r"\bWHERE\b", re.IGNORECASE).search(masked, start)
        start = where.end() if where else start
    brace = masked.find("{", start)
    if brace < 0:
        # e.g. DESCRIBE without WHERE: a query-level VALUES is all there is.
        return f"{sparql}\n{block}\n"
    return f"{sparql[: brace + 1]} {block} {sparql[brace + 1 :]}"
