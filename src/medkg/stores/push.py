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

Either way the triples are the store's own N-Triples export, read back from a temporary file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO
from urllib.parse import urlencode

from rdflib import Graph

from medkg.errors import StoreError
from medkg.stores.base import Store
from medkg.stores.http import http_request
from medkg.stores.memory import MemoryStore

__all__ = ["PUSH_METHODS", "push_graph", "update_endpoint"]

#: The upload protocols :func:`push_graph` speaks.
PUSH_METHODS = ("update", "gsp")

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
    source: Graph | Store,
    url: str,
    *,
    graph_iri: str,
    method: str = "update",
    batch_size: int = 2000,
    timeout: float = 300.0,
) -> int:
    """Replace the named graph *graph_iri* at *url* with the triples of *source*.

    The triples travel as the store's own N-Triples export, spooled to a temporary file and
    read back a batch at a time, so memory holds one batch (and the triples that mention
    blank nodes, which must travel together), never a second copy of the graph.

    :param source: what to upload: a store, or an rdflib graph (wrapped, not copied).
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
    store = MemoryStore(source) if isinstance(source, Graph) else source
    with tempfile.TemporaryFile() as export:
        store.write("nt", export)
        export.seek(0)
        if method == "gsp":
            body = export.read()
            target = url + ("&" if "?" in url else "?") + urlencode({"graph": graph_iri})
            http_request(
                target,
                method="PUT",
                body=body,
                headers={"Content-Type": "application/n-triples"},
                timeout=timeout,
            )
            return sum(1 for line in body.splitlines() if line.strip())
        _update(url, f"DROP SILENT GRAPH <{graph_iri}>", timeout)
        sent = 0
        for batch, blank in _batches(_lines(export), batch_size):
            triples = "\n".join(batch)
            block = f"GRAPH <{graph_iri}> {{\n{triples}\n}}"
            if blank:
                _update(url, f"INSERT {{ {block} }} WHERE {{ }}", timeout)
            else:
                _update(url, f"INSERT DATA {{ {block} }}", timeout)
            sent += len(batch)
    return sent


def _update(url: str, text: str, timeout: float) -> None:
    http_request(
        url,
        method="POST",
        body=urlencode({"update": text}).encode("utf-8"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=timeout,
    )


def _lines(export: IO[bytes]) -> Iterator[str]:
    """Yield the triples of an N-Triples export, one line each (a triple is valid SPARQL).

    A store's export holds each triple once, so nothing is kept to remove repeats.
    """
    for raw in export:
        line = raw.decode("utf-8").strip()
        if line and not line.startswith("#"):
            yield line


def _blank_nodes(line: str) -> list[str]:
    """Return the blank-node labels of one N-Triples line: its subject and its object."""
    subject, _, rest = line.partition(" ")
    _, _, value = rest.partition(" ")  # the predicate is an IRI, without spaces
    return [term for term in (subject, value.rsplit(" .", 1)[0]) if term.startswith("_:")]


def _batches(lines: Iterable[str], size: int) -> Iterator[tuple[list[str], bool]]:
    """Split the triples into batches that never separate two mentions of one blank node.

    Yields ``(lines, has_blank_nodes)``. Triples without blank nodes stream out in batches
    of *size*; the others are grouped by the blank nodes that link them and sent last, in
    batches of at most :data:`BLANK_BATCH` triples (unless one group is bigger): a template
    is compiled, and Virtuoso refuses to compile big ones.
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    linked: list[tuple[str, str]] = []
    plain: list[str] = []
    for line in lines:
        blanks = _blank_nodes(line)
        if not blanks:
            plain.append(line)
            if len(plain) == size:
                yield plain, False
                plain = []
            continue
        linked.append((blanks[0], line))
        if len(blanks) == 2:
            parent[find(blanks[0])] = find(blanks[1])
    if plain:
        yield plain, False
    by_root: dict[str, list[str]] = {}
    for blank, line in linked:
        by_root.setdefault(find(blank), []).append(line)
    batch: list[str] = []
    for group in by_root.values():
        if batch and len(batch) + len(group) > min(size, BLANK_BATCH):
            yield batch, True
            batch = []
        batch.extend(group)
    if batch:
        yield batch, True
