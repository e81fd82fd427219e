"""Parse each SPARQL text once while a library asks rdflib the same query many times.

pyshacl evaluates a SPARQL-based constraint once per focus node, handing rdflib the same
query text each time with ``$this`` in the initial bindings. rdflib parses and translates
the text on every call: validating the bundled graph parsed 6 constraint queries 218 times,
12 of the 18 seconds ``medkg validate`` took (cProfile, pyparsing at the top).

:func:`reuse_parsed_queries` makes rdflib's SPARQL processor keep the translated query of
each text for the duration of a ``with`` block. A translated query is what rdflib's own
``prepareQuery`` returns for running "many times with different initial bindings", so
reusing one changes no answer, only the time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

__all__ = ["reuse_parsed_queries"]

_lock = threading.RLock()


@contextmanager
def reuse_parsed_queries() -> Iterator[None]:
    """Within the block, rdflib translates each distinct query text once.

    The cache lives only as long as the block, so nothing outlives the job that needed it.

    >>> from rdflib import Graph, Literal, URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("urn:a"), URIRef("urn:p"), Literal(1)))
    >>> ask = "SELECT ?o WHERE { ?s ?p ?o }"
    >>> with reuse_parsed_queries():
    ...     first = len(g.query(ask, initBindings={"s": URIRef("urn:a")}))
    ...     second = len(g.query(ask, initBindings={"s": URIRef("urn:b")}))
    >>> first, second
    (1, 0)
    """
    translated: dict[tuple[str, str | None, frozenset[tuple[str, Any]]], Query] = {}
    original = processor.SPARQLProcessor.query

    def query(
        self: processor.SPARQLProcessor,
        strOrQuery: str | Query,  # noqa: N803 - rdflib's parameter names
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, frozenset((initNs or {}).items()))
            found = translated.get(key)
            if found is None:
                found = translateQuery(parseQuery(strOrQuery), base, initNs)
                translated[key] = found
            strOrQuery = found
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    # One block at a time: the processor class is shared by the whole process.
    with _lock:
        processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
        try:
            yield
        finally:
            processor.SPARQLProcessor.query = original  # type: ignore[method-assign]
