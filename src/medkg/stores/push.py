"""Uploading the graph to a SPARQL server, replacing one named graph (``medkg push``).

Two ways, both idempotent (pushing twice leaves the same triples):

``update``
    SPARQL 1.1 Update: ``DROP SILENT GRAPH``, then ``INSERT DATA`` in batches. A blank node
    is local to one request, so every triple that mentions a blank node travels in the
    same batch as all the others that mention it, and such a batch is sent as
    ``INSERT { … } WHERE { }``: some servers (Virtuoso) refuse blank nodes in ``INSERT
    DATA``, and a template with one empty solution inserts exactly the same triples.
``gsp``
    SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT`` of the whole graph as N-Triples.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from rdflib import Graph
from rdflib.term import BNode, Node

from medkg.errors import StoreError
from medkg.stores.http import http_request

__all__ = ["PUSH_METHODS", "push_graph", "update_endpoint"]

#: The upload protocols :func:`push_graph` speaks.
PUSH_METHODS = ("update", "gsp")

Triple = tuple[Node, Node, Node]

#: The most triples in one batch that mentions blank nodes.
BLANK_BATCH = 100


def update_endpoint(explicit: str | None, update_url: str | None, store: str) -> str:
    """Choose where ``medkg push`` writes: the argument, ``--update-url``, or the sparql store.

    >>> update_endpoint(None, None, "sparql:http://127.0.0.1:8890/sparql")
    'http://127.0.0.1:8890/sparql'

    :raises StoreError: none of the three names an endpoint.
    """
    if explicit:
        return explicit
    if update_url:
        return update_url
    if store.startswith("sparql:"):
        return store[len("sparql:") :]
    raise StoreError(
        "medkg push needs an update endpoint: medkg push URL, "
        "or --store sparql:URL [--update-url URL] before the command"
    )


def push_graph(
    graph: Graph,
    url: str,
    *,
    graph_iri: str,
    method: str = "update",
    batch_size: int = 2000,
    timeout: float = 300.0,
) -> int:
    """Replace the named graph *graph_iri* at *url* with the triples of *graph*.

    :param graph: what to upload.
    :param url: the SPARQL Update endpoint (``update``) or Graph Store endpoint (``gsp``).
    :param graph_iri: the named graph to replace.
    :param method: one of :data:`PUSH_METHODS`.
    :param batch_size: triples per ``INSERT DATA`` request.
    :param timeout: seconds to wait for each request.
    :returns: the number of triples sent.
    :raises StoreError: an unknown method or a URL that is not http(s).
    :raises EndpointError: the server cannot be reached or refuses a request.
    """
    if method not in PUSH_METHODS:
        raise StoreError(
            f"unknown push method {method!r}; choose one of: {', '.join(PUSH_METHODS)}"
        )
    if not url.startswith(("http://", "https://")):
        raise StoreError(f"cannot push to {url!r}: the endpoint must be an http(s):// URL")
    if method == "gsp":
        body = graph.serialize(format="nt", encoding="utf-8")
        target = url + ("&" if "?" in url else "?") + urlencode({"graph": graph_iri})
        http_request(
            target,
            method="PUT",
            body=body,
            headers={"Content-Type": "application/n-triples"},
            timeout=timeout,
        )
        return len(graph)
    _update(url, f"DROP SILENT GRAPH <{graph_iri}>", timeout)
    for batch in _batches(graph, batch_size):
        lines = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in batch)
        block = f"GRAPH <{graph_iri}> {{\n{lines}\n}}"
        if any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in batch):
            _update(url, f"INSERT {{ {block} }} WHERE {{ }}", timeout)
        else:
            _update(url, f"INSERT DATA {{ {block} }}", timeout)
    return len(graph)


def _update(url: str, text: str, timeout: float) -> None:
    http_request(
        url,
        method="POST",
        body=urlencode({"update": text}).encode("utf-8"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=timeout,
    )


def _batches(graph: Graph, size: int) -> Iterator[list[Triple]]:
    """Split the triples into batches that never separate two mentions of one blank node.

    Batches with blank nodes hold at most :data:`BLANK_BATCH` triples (unless one group is
    bigger): a template is compiled, and Virtuoso refuses to compile big ones.
    """
    blank_groups, plain = _blank_node_groups(graph)
    yield from _pack(blank_groups, min(size, BLANK_BATCH))
    yield from _pack([[t] for t in plain], size)


def _pack(groups: list[list[Triple]], size: int) -> Iterator[list[Triple]]:
    batch: list[Triple] = []
    for group in groups:
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _blank_node_groups(graph: Graph) -> tuple[list[list[Triple]], list[Triple]]:
    """Return one group per set of blank nodes linked by triples, and the other triples."""
    parent: dict[Node, Node] = {}

    def find(node: Node) -> Node:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    plain: list[Triple] = []
    linked: list[Triple] = []
    for triple in graph:
        blanks = [t for t in (triple[0], triple[2]) if isinstance(t, BNode)]
        if not blanks:
            plain.append(triple)
            continue
        linked.append(triple)
        if len(blanks) == 2:
            parent[find(blanks[0])] = find(blanks[1])
    by_root: dict[Node, list[Triple]] = {}
    for triple in linked:
        blank = triple[0] if isinstance(triple[0], BNode) else triple[2]
        by_root.setdefault(find(blank), []).append(triple)
    return list(by_root.values()), plain
