"""The query worker: a separate process that holds the graph and answers jobs one at a time.

Queries run here, not in the web server, because rdflib cannot be interrupted: the server
gives each job a wall-clock limit and kills the worker when it is exceeded. A worker also
runs with an address-space limit (so a query that builds a huge answer fails with
``MemoryError`` instead of exhausting the machine), with network access disabled (except to
the ``sparql:URL`` endpoint it reads from), and dies with the server (``PR_SET_PDEATHSIG``).

Every store works the same way here: the worker opens it (``oxigraph:PATH`` read-only),
asks it through :meth:`medkg.graph.KnowledgeGraph.query`, and serialises the
:class:`~medkg.query.QueryResult`; entity pages and the explorer go through the public
functions of :mod:`medkg.cards` and :mod:`medkg.viz`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rdflib import Graph
from rdflib.term import URIRef

from medkg.errors import MedkgError, QueryError
from medkg.server.config import ServerConfig
from medkg.server.jobs import (
    Answer,
    AnswerHead,
    EntityJob,
    ExploreJob,
    Failure,
    Job,
    QueryJob,
    Reply,
    WorkbenchJob,
)
from medkg.server.negotiation import Choice
from medkg.sparql_guard import (
    GuardedQuery,
    ServiceRefusedError,
    UpdateRefusedError,
    check_query,
    disable_remote_access,
)

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph
    from medkg.query import QueryResult

__all__ = ["READY", "WorkerState", "handle", "worker_main"]

#: What a worker sends once its graph is loaded and it can take jobs.
READY = "ready"

#: Address space a worker needs on top of the loaded graph to evaluate a small query.
QUERY_HEADROOM = 64 * 1024**2

_GRAPH_KINDS = ("CONSTRUCT", "DESCRIBE")
_MIB = 1024**2


class _TooManyRows(Exception):
    """The answer has more rows (or triples) than the server's limit."""


@dataclass
class WorkerState:
    """What a worker keeps between jobs: the graph, the limits and what the graph costs."""

    kg: KnowledgeGraph
    max_rows: int
    explore: bool = False
    memory_limit: int = 0
    #: The worker's address space once the graph was loaded, in bytes (0: unknown).
    baseline: int = 0

    @classmethod
    def load(cls, config: ServerConfig) -> WorkerState:
        """Open the configured store and load the graph as ``medkg --data … query`` would.

        :raises DataFileError: a ``--data`` file is missing or malformed.
        :raises StoreError: the store cannot be opened.
        """
        from medkg.graph import load
        from medkg.namespaces import NAMED_GRAPH
        from medkg.server.explore import explorer_available
        from medkg.stores import open_store

        store = open_store(config.store, graph=config.sparql_graph or NAMED_GRAPH)
        kg = load(config.data, format=config.data_format, store=store)
        return cls(kg, config.max_rows, explorer_available(), config.memory_limit)

    def memory_message(self) -> str:
        """Say why a query ran out of memory, with the figures that explain it."""
        if not self.memory_limit:
            return "the query needed more memory than this machine could give it"
        limit = self.memory_limit // _MIB
        if self.baseline and self.memory_limit - self.baseline < QUERY_HEADROOM:
            return (
                f"the graph itself takes {self.baseline // _MIB} MiB of this worker's "
                f"{limit} MiB memory limit, leaving too little for any query; restart the "
                "server with a larger --memory-limit"
            )
        return (
            f"the query needed more memory than this server allows ({limit} MiB per worker); "
            "add a LIMIT or make the query more selective"
        )


def worker_main(conn: Connection, config: ServerConfig) -> None:
    """Run a worker: load the graph, say :data:`READY`, then answer jobs until the pipe closes.

    :param conn: this worker's end of the pipe to the server.
    :param config: the server's settings (store, data files, row and memory limits).
    """
    _die_with_parent()
    # Ctrl-C in the terminal reaches every process of the group; the server stops workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    disable_remote_access(allow=_endpoint_address(config.store))
    try:
        state = WorkerState.load(config)
    except MedkgError as exc:
        conn.send(Failure("startup", str(exc)))
        return
    _prepare_workbench(state)
    state.baseline = _address_space()
    too_small = _check_memory(config.memory_limit, state.baseline)
    if too_small is not None:
        conn.send(Failure("startup", too_small))
        return
    _limit_memory(config.memory_limit)
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return  # the server went away
        reply = handle(state, job)
        try:
            _send(conn, reply)
        except MemoryError:
            # Pickling a very large answer can itself exceed the limit.
            _send(conn, Failure("memory", state.memory_message(), recycle=True))


def _send(conn: Connection, reply: Reply) -> None:
    """Send a failure as one message, an answer as its head and then its raw body."""
    if isinstance(reply, Failure):
        conn.send(reply)
        return
    conn.send(AnswerHead(reply.media_type, len(reply.body)))
    conn.send_bytes(reply.body)


def _die_with_parent() -> None:
    """Make the kernel kill this process when the server dies (even by ``kill -9``)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    else:
        # Elsewhere, a watcher thread checks that the parent is still there.
        def watch() -> None:
            while os.getppid() == parent:
                threading.Event().wait(1.0)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="medkg-parent-watch").start()
    if os.getppid() != parent:  # the server died before prctl took effect
        os._exit(1)


def _endpoint_address(store: str) -> tuple[str, int] | None:
    """Return the one host and port a ``sparql:URL`` worker may reach (None: nowhere)."""
    kind, _, url = store.partition(":")
    if kind != "sparql" or not url:
        return None
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return (parts.hostname or "", parts.port or default)


def _address_space() -> int:
    """Return the address space in bytes (what ``RLIMIT_AS`` counts); 0 if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _check_memory(limit: int, baseline: int) -> str | None:
    """Say why *limit* cannot work for a worker whose graph takes *baseline* bytes."""
    if not limit or not baseline or limit - baseline >= QUERY_HEADROOM:
        return None
    needed = (baseline + QUERY_HEADROOM + _MIB - 1) // _MIB
    return (
        f"--memory-limit {limit // _MIB} MiB is too small: a worker needs {needed} MiB "
        f"to hold this graph ({baseline // _MIB} MiB) and answer queries"
    )


def handle(state: WorkerState, job: Job) -> Reply:
    """Answer one job; never raises for anything the job's content could cause.

    :param state: the worker's graph and limits.
    :param job: a query or an entity lookup.
    :returns: an answer, or a failure that names its reason.
    """
    try:
        if isinstance(job, QueryJob):
            return _answer_query(state, job)
        if isinstance(job, ExploreJob):
            return _answer_explore(state, job)
        if isinstance(job, WorkbenchJob):
            return _answer_workbench(state, job)
        return _answer_entity(state, job)
    except MemoryError:
        return Failure("memory", state.memory_message(), recycle=True)
    except RecursionError:
        return Failure("bad-query", "the query is nested too deeply to evaluate")
    except Exception as exc:  # engines' and serialisers' errors have no common base class
        return Failure("bad-query", f"query: evaluation failed: {exc}")


def _limit_memory(limit: int) -> None:
    if limit <= 0:
        return
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@lru_cache(maxsize=256)
def _parse(sparql: str) -> GuardedQuery:
    # Parsing is most of the cost of a small query, and clients repeat queries. Refusals
    # raise, so they are never cached.
    return check_query(sparql)


def _guard(sparql: str) -> GuardedQuery | Failure:
    """Check a query before evaluation: the parsed query, or the failure that refuses it."""
    try:
        return _parse(sparql)
    except UpdateRefusedError as exc:
        return Failure("update", exc.message)
    except ServiceRefusedError as exc:
        return Failure("service", exc.message)
    except QueryError as exc:
        return Failure("bad-query", str(exc))


def _answer_query(state: WorkerState, job: QueryJob) -> Reply:
    guarded = _guard(job.sparql)
    if isinstance(guarded, Failure):
        return guarded
    choice = {"ASK": job.boolean_type, "SELECT": job.result_type}.get(guarded.kind, job.graph_type)
    if choice is None:
        return Failure("not-acceptable", _not_acceptable(guarded.kind))
    try:
        result = state.kg.query(
            job.sparql, default_graphs=job.default_graphs, named_graphs=job.named_graphs
        )
        body = _serialize(result, choice, state.max_rows)
    except _TooManyRows:
        return Failure(
            "rows",
            f"the answer has more than {state.max_rows} rows, this server's limit; "
            "add a LIMIT (and OFFSET to page through it)",
        )
    except QueryError as exc:
        # The stores turn every evaluation error into a QueryError; running out of memory
        # or stack is not the query's fault, and must say so.
        if _caused_by(exc, MemoryError):
            raise MemoryError from None
        if _caused_by(exc, ServiceRefusedError):
            return Failure("service", str(exc))
        return Failure("bad-query", str(exc))
    return Answer(f"{choice.media_type}; charset=utf-8", body)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _not_acceptable(kind: str) -> str:
    from medkg.server.negotiation import BOOLEAN_TYPES, GRAPH_TYPES, RESULT_TYPES

    offers = {"ASK": BOOLEAN_TYPES, "SELECT": RESULT_TYPES}.get(kind, GRAPH_TYPES)
    article = "an" if kind == "ASK" else "a"
    return f"{article} {kind} answer can be sent as: " + ", ".join(o.media_type for o in offers)


def _serialize(result: QueryResult, choice: Choice, max_rows: int) -> bytes:
    if result.graph is not None:
        if len(result.graph) > max_rows:
            raise _TooManyRows
        return _graph_bytes(result.graph, choice.format)
    if len(result.rows) > max_rows:
        raise _TooManyRows
    return result.serialize(choice.format).encode()


def _graph_bytes(graph: Graph, format: str) -> bytes:
    from medkg.namespaces import PREFIXES

    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    if format == "json-ld":
        return graph.serialize(format="json-ld", context=_used_prefixes(graph), encoding="utf-8")
    return graph.serialize(format=format, encoding="utf-8")


def _used_prefixes(graph: Graph) -> dict[str, str]:
    """Return medkg's prefixes that some IRI of *graph* uses: a JSON-LD context without noise."""
    from medkg.namespaces import PREFIXES

    iris = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def _answer_entity(state: WorkerState, job: EntityJob) -> Reply:
    from medkg.server.linked_data import entity_exists, entity_graph, entity_iri

    iri = entity_iri(job.name)
    if iri is None or not entity_exists(state.kg, iri):
        return Failure("not-found", f"no entity kg:{job.name} in this graph")
    if job.media.format == "html":
        return Answer("text/html; charset=utf-8", _entity_html(state, iri).encode())
    body = _graph_bytes(entity_graph(state.kg, iri), job.media.format)
    return Answer(f"{job.media.media_type}; charset=utf-8", body)


def _entity_html(state: WorkerState, iri: URIRef) -> str:
    from medkg.cards import entity_card
    from medkg.server.linked_data import entity_graph
    from medkg.server.pages import entity_page

    card = entity_card(state.kg, state.kg.entity(str(iri)))
    jsonld = _graph_bytes(entity_graph(state.kg, iri), "json-ld").decode("utf-8")
    return entity_page(card, explore=state.explore, jsonld=jsonld)


def _answer_explore(state: WorkerState, job: ExploreJob) -> Reply:
    from medkg.viz import visualize

    if not state.explore:
        return Failure("not-found", "the explorer is not installed: pip install 'medkg[viz]'")
    if job.sparql is not None:
        guarded = _guard(job.sparql)
        if isinstance(guarded, Failure):
            return guarded
        if guarded.kind == "ASK":
            return Failure("bad-query", "an ASK query has no entities to draw")
    try:
        page = visualize(state.kg, query=job.sparql)
    except MedkgError as exc:
        return Failure("bad-query", str(exc))
    return Answer("text/html; charset=utf-8", page.html.encode())


def _prepare_workbench(state: WorkerState) -> None:
    # The query page's vocabulary and lint index take a second or two to build: build them
    # before the worker says it is ready, not within the first request's timeout.
    from medkg.server.workbench import prepare

    prepare(state.kg)


def _answer_workbench(state: WorkerState, job: WorkbenchJob) -> Reply:
    import json

    from medkg.server.workbench import lint, vocabulary

    data = vocabulary(state.kg) if job.kind == "vocabulary" else lint(state.kg, job.sparql)
    return Answer("application/json; charset=utf-8", json.dumps(data).encode())
