"""Query safety for a public endpoint: read-only, no federation, no remote loads.

Two layers, each enough on its own for the threat it names:

1. :func:`check_query` parses the text and refuses it *before evaluation*: SPARQL Update
   (whether sent as an update or disguised as a query) and any ``SERVICE`` clause, found by
   walking the whole translated algebra (sub-selects, ``OPTIONAL``, ``UNION``, ``MINUS``,
   ``GRAPH``, ``FILTER EXISTS`` …).
2. :func:`disable_remote_access` makes rdflib unable to reach the network in the process that
   evaluates queries: its ``SERVICE`` evaluation raises, ``FROM`` graphs are never fetched, and
   an audit hook refuses every outgoing socket connection and URL request. It is meant for a
   worker process that serves queries and nothing else, because audit hooks cannot be removed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from medkg.errors import QueryError
from medkg.namespaces import PREFIXES

__all__ = [
    "GuardedQuery",
    "QueryRefusedError",
    "ServiceRefusedError",
    "UpdateRefusedError",
    "check_query",
    "disable_remote_access",
    "find_service_clauses",
]

#: Words that start a SPARQL 1.1 Update operation (after any PREFIX / BASE lines).
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

#: Audit events that mean "this process is about to talk to the network".
_NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "urllib.Request"})


class QueryRefusedError(QueryError):
    """A well-formed request that this read-only endpoint refuses on purpose."""


class UpdateRefusedError(QueryRefusedError):
    """SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP …): the endpoint is read-only."""

    def __init__(self) -> None:
        super().__init__(
            "SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP …) is refused: "
            "this endpoint is read-only"
        )


class ServiceRefusedError(QueryRefusedError):
    """A federated query: ``SERVICE`` would make the server send requests elsewhere."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        named = ", ".join(targets) if targets else "a remote endpoint"
        super().__init__(
            f"SERVICE (federated query to {named}) is refused: this endpoint never sends "
            "requests to other servers"
        )


@dataclass(frozen=True)
class GuardedQuery:
    """A parsed query that passed every check, ready for evaluation.

    ``kind`` is ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; ``query`` is rdflib's
    :class:`rdflib.plugins.sparql.sparql.Query`.
    """

    kind: str
    query: Any


def check_query(text: str, *, prefixes: Mapping[str, str] = PREFIXES) -> GuardedQuery:
    """Parse *text* and refuse what a read-only, non-federating endpoint must not run.

    >>> check_query("SELECT ?m WHERE { kg:LegCramp medkg:affects ?m }").kind
    'SELECT'

    :param text: the query, with *prefixes* predeclared.
    :param prefixes: prefixes the query may use without declaring them.
    :returns: the parsed query and its kind.
    :raises UpdateRefusedError: the text is a SPARQL Update.
    :raises ServiceRefusedError: the query contains a ``SERVICE`` clause anywhere.
    :raises QueryError: the query is malformed (with line and column) or nested too deeply.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise UpdateRefusedError() from None
        raise QueryError(f"syntax error: {exc.msg}", exc.lineno, exc.col) from None
    except RecursionError:
        raise _too_deep() from None
    try:
        query = translateQuery(parsed, initNs=dict(prefixes))
        targets = list(find_service_clauses(query.algebra))
    except RecursionError:
        raise _too_deep() from None
    except Exception as exc:  # rdflib raises a plain Exception for an undeclared prefix
        raise QueryError(str(exc)) from None
    if targets:
        raise ServiceRefusedError(sorted(set(targets)))
    return GuardedQuery(_kind(query.algebra.name), query)


def find_service_clauses(node: object) -> Iterator[str]:
    """Yield the target of every ``SERVICE`` clause in a parsed or translated query.

    The walk visits every value of every algebra node, so a clause nested in a sub-select,
    an ``OPTIONAL``, a ``UNION`` branch, ``MINUS`` or a ``FILTER EXISTS`` expression is found.

    :param node: a query's algebra (or any part of it).
    :returns: the endpoint of each clause, as text (an IRI or a variable).
    """
    for part in algebra_nodes(node):
        if part.name == "ServiceGraphPattern":
            # CompValue.get's second argument is not a default; `term` is always set.
            yield str(part["term"])


def algebra_nodes(node: object) -> Iterator[Any]:
    """Yield every ``CompValue`` (algebra or parse-tree node) reachable from *node*, once.

    Iterative, so a deeply nested query cannot exhaust the interpreter's stack here.

    :param node: a query's algebra (or any part of it).
    """
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[object] = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)


def disable_remote_access(allow: tuple[str, int] | None = None) -> None:
    """Make this process unable to reach the network while evaluating SPARQL.

    rdflib evaluates ``SERVICE`` by sending HTTP requests and may fetch ``FROM`` graphs; both
    are switched off here, and an audit hook refuses any socket connection, name lookup or
    URL request the process attempts afterwards (for the rest of its life).

    :param allow: the one host and port the process may still reach: the endpoint of a
        ``sparql:URL`` store that a server worker reads from (queries reach it only after
        :func:`check_query` has refused SERVICE and updates).
    """
    import rdflib.plugins.sparql
    import rdflib.plugins.sparql.evaluate as evaluate

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    evaluate.evalServiceQuery = _refuse_service
    sys.addaudithook(_refuse_network if allow is None else _network_guard(allow))


def _refuse_service(ctx: object, part: Mapping[str, Any]) -> object:
    raise ServiceRefusedError([str(part.get("term", "?"))])


def _refuse_network(event: str, args: tuple[object, ...]) -> None:
    if event in _NETWORK_EVENTS:
        raise PermissionError(f"network access is disabled in this process ({event})")


def _network_guard(allow: tuple[str, int]) -> Any:
    """Return an audit hook that lets through only lookups and connections for *allow*."""
    import socket

    host, port = allow
    # The addresses the name resolves to now; later lookups of the same name are allowed.
    addresses = {info[4][0] for info in socket.getaddrinfo(host, port)} | {host}

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event not in _NETWORK_EVENTS:
            return
        if event == "socket.getaddrinfo" and args[:1] == (host,):
            return
        if event == "socket.connect":
            target = args[1]
            if isinstance(target, tuple) and target[:2] in {(a, port) for a in addresses}:
                return
        if event == "urllib.Request" and _url_host_port(str(args[0])) == (host, port):
            return
        _refuse_network(event, args)

    return hook


def _url_host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def _is_update(text: str) -> bool:
    """Tell whether *text* is (or tries to be) a SPARQL Update rather than a query."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except (ParseException, RecursionError):
        # A malformed update is still an update: look at its first keyword.
        return _first_keyword(text) in UPDATE_KEYWORDS
    return True


def _first_keyword(text: str) -> str:
    """Return the first word after comments and the PREFIX / BASE prologue, upper-cased."""
    without_comments = re.sub(r"#[^\n]*", " ", text)
    prologue = r"\s*(?:(?:PREFIX\s+[\w.\-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
    match = re.match(prologue + r"([A-Za-z]+)", without_comments, flags=re.IGNORECASE)
    return match.group(1).upper() if match else ""


def _kind(algebra_name: str) -> str:
    # The algebra names queries "SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery".
    return algebra_name.removesuffix("Query").upper()


def _too_deep() -> QueryError:
    # rdflib's parser recurses once per bracket, per nested group, and per triple pattern
    # of one group (each `.` nests the rest of the block), within Python's stack limit.
    return QueryError(
        "the query is nested too deeply to parse: the parser takes one level of nesting per "
        "bracket, per { } group, and per triple pattern within one group, and gives up "
        f"beyond about {_MAX_PATTERNS_PER_GROUP}; flatten brackets, or split a long group "
        "into several { … } { … } groups of fewer patterns"
    )


#: About the most triple patterns one group can hold before rdflib's parser runs out of
#: stack (measured: 85 at Python's default recursion limit).
_MAX_PATTERNS_PER_GROUP = 80
