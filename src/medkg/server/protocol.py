"""The SPARQL 1.1 Protocol: reading a query from an HTTP request, and the service description.

A query arrives as ``GET /sparql?query=…``, as a form (``POST``, ``query=…``) or as the body of
a ``POST`` with ``Content-Type: application/sparql-query``. Anything that asks for an update
(``update=…``, ``application/sparql-update``) is refused with 403: the endpoint is read-only.
``default-graph-uri`` and ``named-graph-uri`` (in the URL, or in the form) choose the dataset
among the graphs the server holds, in place of the query's ``FROM`` / ``FROM NAMED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF
from starlette.requests import Request

from medkg.errors import MedkgError

__all__ = ["ProtocolError", "ProtocolQuery", "read_query", "service_description"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: The result formats the service description announces (see ``negotiation``).
ANNOUNCED_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)

_READ_ONLY = (
    "SPARQL Update is refused: this endpoint is read-only (send queries with "
    "query=… or Content-Type: application/sparql-query)"
)


class ProtocolError(MedkgError):
    """A request that breaks the protocol or the server's rules; carries its HTTP status.

    :param status: the status code to answer with.
    :param message: what the client should change.
    """

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class _Form:
    fields: dict[str, list[str]]

    def only(self, name: str) -> str | None:
        values = self.fields.get(name, [])
        if len(values) > 1:
            raise ProtocolError(400, f"give exactly one {name!r} parameter, not {len(values)}")
        return values[0] if values else None


@dataclass(frozen=True)
class ProtocolQuery:
    """A query as the protocol sent it: its text and the dataset parameters, if any.

    ``default_graphs`` / ``named_graphs`` are None when the request has no dataset parameter
    at all (the query's own ``FROM`` / ``FROM NAMED`` then apply).
    """

    text: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


def _with_dataset(text: str, *forms: _Form) -> ProtocolQuery:
    defaults = [g for f in forms for g in f.fields.get("default-graph-uri", [])]
    named = [g for f in forms for g in f.fields.get("named-graph-uri", [])]
    if not defaults and not named:
        return ProtocolQuery(text)
    return ProtocolQuery(text, tuple(defaults), tuple(named))


async def read_query(request: Request, max_body: int) -> ProtocolQuery | None:
    """Return the query of a protocol request, or None for a bare ``GET /sparql``.

    :param request: the HTTP request (GET, HEAD or POST).
    :param max_body: the largest body accepted, in bytes.
    :raises ProtocolError: an update (403), a body too large (413), an unsupported content
        type (415), several queries (400).
    """
    url_params = _Form(parse_qs(request.url.query, keep_blank_values=True))
    _check_params(url_params)
    if request.method in ("GET", "HEAD"):
        text = url_params.only("query")
        return None if text is None else _with_dataset(text, url_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/sparql-update":
        raise ProtocolError(403, _READ_ONLY)
    body = await _read_body(request, max_body)
    if content_type == "application/x-www-form-urlencoded":
        form = _Form(parse_qs(_decode(body), keep_blank_values=True))
        _check_params(form)
        query = form.only("query")
        if query is None:
            raise ProtocolError(400, "the form has no 'query' field")
        return _with_dataset(query, url_params, form)
    if content_type == "application/sparql-query":
        return _with_dataset(_decode(body), url_params)
    raise ProtocolError(
        415,
        "send the query as Content-Type: application/sparql-query, or as a form "
        "(application/x-www-form-urlencoded) with query=…",
    )


def _check_params(form: _Form) -> None:
    """Refuse updates (and their dataset parameters), wherever they appear."""
    if "update" in form.fields:
        raise ProtocolError(403, _READ_ONLY)
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if form.fields.get(name):
            raise ProtocolError(403, _READ_ONLY)


async def _read_body(request: Request, max_body: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body:
        raise ProtocolError(413, _too_large(max_body))
    chunks: list[bytes] = []
    size = 0
    # A chunked body has no length up front: count while reading, stop at the limit.
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise ProtocolError(413, _too_large(max_body))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_body: int) -> str:
    return f"the request body is larger than this server's limit of {max_body} bytes"


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not UTF-8 text") from None


def service_description(endpoint: str) -> Graph:
    """Describe the endpoint with the SPARQL 1.1 Service Description vocabulary.

    :param endpoint: the endpoint's absolute URL, as the client reached it.
    :returns: a small graph: the service, its language, result formats and dataset.
    """
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    graph.bind("dcterms", DCTERMS)
    service = BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in ANNOUNCED_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    graph.add(
        (
            service,
            DCTERMS.description,
            Literal(
                "medkg: a read-only SPARQL 1.1 endpoint over a curated medical knowledge "
                "graph. No SPARQL Update and no SERVICE (federated) queries.",
                lang="en",
            ),
        )
    )
    dataset, default_graph = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    return graph
