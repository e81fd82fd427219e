"""Any SPARQL 1.1 server as the store: queries over the SPARQL 1.1 Protocol, read-only.

The store reads one named graph of the endpoint (by default the one ``medkg push`` writes,
:data:`medkg.export.NAMED_GRAPH`), passed as the protocol's ``default-graph-uri`` so that
the server's other graphs (Virtuoso keeps system data in its own) never mix into answers.
Queries are checked with rdflib's parser first, so a malformed query gives the same
line:column error on every store; the server sees the query with medkg's prefixes declared.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import BNode, Identifier, Literal, URIRef

from medkg.errors import EndpointError, StoreError
from medkg.namespaces import PREFIXES
from medkg.query import QueryResult, run_query
from medkg.stores.base import (
    SerializingStore,
    check_serialize_format,
    has_dataset_clause,
    new_graph,
    query_form,
    with_values,
)
from medkg.stores.http import Response, http_request

__all__ = ["SparqlStore"]

_RESULTS_JSON = "application/sparql-results+json"
#: rdflib parser names for the media types servers answer CONSTRUCT and DESCRIBE with.
_GRAPH_MEDIA = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/ntriples": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


class SparqlStore(SerializingStore):
    """A remote SPARQL 1.1 endpoint behind the :class:`~medkg.stores.Store` interface.

    Credentials come from ``MEDKG_SPARQL_USER`` / ``MEDKG_SPARQL_PASSWORD``.

    :param url: the query endpoint, ``http://`` or ``https://``.
    :param graph: the named graph to read.
    :param timeout: seconds to wait for each answer.
    :raises StoreError: *url* is not an HTTP(S) URL.
    """

    kind = "sparql"
    persistent = True

    def __init__(self, url: str, *, graph: str, timeout: float = 60.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise StoreError(f"--store sparql:{url}: the endpoint must be an http(s):// URL")
        self.url = url
        self.graph = graph
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<SparqlStore {self.url} graph <{self.graph}>>"

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Send *sparql* to the endpoint; see :meth:`medkg.stores.Store.query`.

        The dataset is the store's one graph, as default graph and as the only named graph.
        The query's ``FROM`` / ``FROM NAMED`` (or *default_graphs* / *named_graphs*) select
        from it, and are sent as the protocol's parameters, so that an IRI outside the
        dataset (another graph on the server, a URL) reads nothing.

        :raises EndpointError: the endpoint cannot be reached or refuses the query.
        """
        prepared = _check_syntax(sparql, source)
        if default_graphs is None and named_graphs is None:
            clause = prepared.algebra.get("datasetClause") or []
            if clause:
                default_graphs = [str(d.default) for d in clause if d.get("default")]
                named_graphs = [str(d.named) for d in clause if d.get("named")]
        dataset = {"default-graph-uri": [self.graph], "named-graph-uri": [self.graph]}
        if default_graphs is not None or named_graphs is not None:
            dataset = {
                "default-graph-uri": [g for g in default_graphs or () if g == self.graph]
                or [_NO_GRAPH],
                "named-graph-uri": [g for g in named_graphs or () if g == self.graph]
                or [_NO_GRAPH],
            }
        text = _PROLOGUE + with_values(_without_dataset_clause(sparql), bindings)
        form = query_form(sparql)
        accept = _RESULTS_JSON if form in ("SELECT", "ASK") else "application/n-triples"
        response = self._post(text, accept, dataset)
        if form in ("SELECT", "ASK"):
            return _parse_results(response.body, self.url)
        parser = _GRAPH_MEDIA.get(response.media_type)
        if parser is None:
            raise EndpointError(f"{self.url}: unexpected answer type {response.media_type}")
        graph = new_graph()
        graph.parse(data=response.body, format=parser)
        return QueryResult(form, graph=graph)

    def _post(self, text: str, accept: str, dataset: dict[str, list[str]]) -> Response:
        body = urlencode({"query": text, **dataset}, doseq=True).encode("ascii")
        return http_request(
            self.url,
            method="POST",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            timeout=self.timeout,
        )

    def add_file(
        self, path: str | Path, format: str | None = None, *, graph: str | None = None
    ) -> None:
        """Refuse: this store is read-only (``medkg push`` writes to an endpoint)."""
        raise self._read_only()

    def add_graph(self, graph: Graph) -> None:
        """Refuse: this store is read-only (``medkg push`` writes to an endpoint)."""
        raise self._read_only()

    def clear(self) -> None:
        """Refuse: this store is read-only (``medkg push`` replaces the graph)."""
        raise self._read_only()

    def _read_only(self) -> StoreError:
        return StoreError(
            f"--store sparql:{self.url} is read-only: upload files with "
            f"medkg --data FILE push {self.url}"
        )

    def graph_names(self) -> list[str]:
        """Return the dataset's one named graph."""
        return [self.graph]

    def __len__(self) -> int:
        """Return the number of triples in the graph."""
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0

    def write(self, format: str, stream: IO[bytes]) -> None:
        """Write the graph: fetched as N-Triples, then passed on without an rdflib copy.

        N-Triples go to *stream* as the server sent them; the other formats are written by
        pyoxigraph's serialisers as it parses the answer (rdflib's without pyoxigraph).

        :raises EndpointError: the endpoint sent fewer triples than it holds.
        """
        check_serialize_format(format)
        response = self._post(
            _PROLOGUE + "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            "application/n-triples",
            {"default-graph-uri": [self.graph]},
        )
        if _GRAPH_MEDIA.get(response.media_type) != "nt":
            _fallback_write(self.to_rdflib(), format, stream)
            return
        try:
            import pyoxigraph as ox

            from medkg.stores.oxigraph import write_quads
        except ImportError:
            _fallback_write(self.to_rdflib(), format, stream)
            return
        triples = list(ox.parse(response.body, format=ox.RdfFormat.N_TRIPLES))
        self._check_complete(len(triples))
        if format == "nt":
            stream.write(response.body)
        else:
            write_quads(triples, format, stream)

    def _check_complete(self, received: int) -> None:
        expected = len(self)
        if received < expected:
            raise EndpointError(
                f"{self.url}: sent {received} of {expected} triples; raise the server's "
                "result row limit (Virtuoso: ResultSetMaxRows)"
            )

    def to_rdflib(self) -> Graph:
        """Fetch every triple of the graph into an rdflib graph.

        :raises EndpointError: the endpoint sent fewer triples than it holds (a server-side
            row limit, such as Virtuoso's ``ResultSetMaxRows``).
        """
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        graph = result.graph if result.graph is not None else new_graph()
        self._check_complete(len(graph))
        return graph


def _fallback_write(graph: Graph, format: str, stream: IO[bytes]) -> None:
    from medkg.stores.memory import MemoryStore

    MemoryStore(graph).write(format, stream)


def _check_syntax(sparql: str, source: str | None) -> Any:
    """Raise the :class:`QueryError` rdflib's parser gives, so errors match the memory store."""
    try:
        return prepareQuery(sparql, initNs=PREFIXES)
    except Exception:
        # run_query turns every parser failure into a QueryError with line and column.
        run_query(Graph(), sparql, source=source)
        raise


_FROM_CLAUSE = re.compile(r"(?<![?$\w])FROM\s+(?:NAMED\s+)?(?:<[^<>\s]*>|[\w.\-]*:[\w.\-]*)", re.I)


def _without_dataset_clause(sparql: str) -> str:
    """Blank out FROM / FROM NAMED (same length): the protocol parameters say the dataset."""
    if not has_dataset_clause(sparql):
        return sparql
    return _FROM_CLAUSE.sub(lambda m: " " * len(m.group()), sparql)


#: A graph IRI no server holds: the dataset a query asked for is outside this store's.
_NO_GRAPH = "urn:medkg:no-graph"


def _parse_results(body: bytes, url: str) -> QueryResult:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise EndpointError(f"{url}: the answer is not SPARQL JSON results") from None
    if "boolean" in doc:
        return QueryResult("ASK", boolean=bool(doc["boolean"]))
    names = list(doc.get("head", {}).get("vars", []))
    rows = [
        tuple(_term(b[n]) if n in b else None for n in names)
        for b in doc.get("results", {}).get("bindings", [])
    ]
    return QueryResult("SELECT", names, rows)


def _term(value: dict[str, str]) -> Identifier:
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    # Some servers (Virtuoso) still say "typed-literal" and mark plain strings xsd:string.
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value["value"], datatype=URIRef(datatype))
    return Literal(value["value"])
