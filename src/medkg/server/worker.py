"""The query worker: a separate process that holds the graph and answers jobs one at a time.

Queries run here, not in the web server, because rdflib cannot be interrupted: the server
gives each job a wall-clock limit and kills the worker when it is exceeded. A worker also
runs with an address-space limit (so a query that builds a huge answer fails with
``MemoryError`` instead of exhausting the machine) and with network access disabled.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from rdflib import Graph
from rdflib.term import URIRef, Variable

from medkg.errors import MedkgError, QueryError
from medkg.server.config import ServerConfig
from medkg.server.jobs import (
    Answer,
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

__all__ = ["READY", "WorkerState", "handle", "worker_main"]

#: What a worker sends once its graph is loaded and it can take jobs.
READY = "ready"

_GRAPH_KINDS = ("CONSTRUCT", "DESCRIBE")

_MEMORY_MESSAGE = (
    "the query needed more memory than this server allows; "
    "add a LIMIT or make the query more selective"
)


class _TooManyRows(Exception):
    """The answer has more rows (or triples) than the server's limit."""


@dataclass
class WorkerState:
    """What a worker keeps between jobs: the graph, its entities and the limits."""

    kg: KnowledgeGraph
    entities: frozenset[URIRef]
    max_rows: int
    explore: bool = False

    @property
    def graph(self) -> Graph:
        """The rdflib graph the queries run on."""
        return self.kg.graph

    @classmethod
    def load(cls, config: ServerConfig) -> WorkerState:
        """Load the graph as ``medkg --data … query`` would.

        :raises DataFileError: a ``--data`` file is missing or malformed.
        """
        from medkg.entities import all_entities
        from medkg.graph import load
        from medkg.server.explore import explorer_available

        kg = load(config.data, format=config.data_format)
        entities = frozenset(all_entities(kg.graph))
        return cls(kg, entities, config.max_rows, explore=explorer_available())


def worker_main(conn: Connection, config: ServerConfig) -> None:
    """Run a worker: load the graph, say :data:`READY`, then answer jobs until the pipe closes.

    :param conn: this worker's end of the pipe to the server.
    :param config: the server's settings (data files, row and memory limits).
    """
    # Ctrl-C in the terminal reaches every process of the group; the server stops workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    disable_remote_access()
    try:
        state = WorkerState.load(config)
    except MedkgError as exc:
        conn.send(Failure("startup", str(exc)))
        return
    _prepare_workbench(state)
    _limit_memory(config.memory_limit)
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return  # the server went away
        reply = handle(state, job)
        try:
            conn.send(reply)
        except MemoryError:
            # Pickling a very large answer can itself exceed the limit.
            conn.send(Failure("memory", _MEMORY_MESSAGE, recycle=True))


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
        return Failure("memory", _MEMORY_MESSAGE, recycle=True)
    except RecursionError:
        return Failure("bad-query", "the query is nested too deeply to evaluate")


def _limit_memory(limit: int) -> None:
    if limit <= 0:
        return
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@lru_cache(maxsize=256)
def _parse(sparql: str) -> GuardedQuery:
    # Parsing is most of the cost of a small query, and clients repeat queries; rdflib's
    # parsed queries are reusable. Refusals raise, so they are never cached.
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
    choice = job.graph_type if guarded.kind in _GRAPH_KINDS else job.result_type
    if choice is None:
        return Failure("not-acceptable", _not_acceptable(guarded.kind))
    try:
        query = _with_dataset(guarded.query, job)
        body = _evaluate(state, query, guarded.kind, choice)
    except ServiceRefusedError as exc:
        return Failure("service", exc.message)
    except _TooManyRows:
        return Failure(
            "rows",
            f"the answer has more than {state.max_rows} rows, this server's limit; "
            "add a LIMIT (and OFFSET to page through it)",
        )
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # rdflib's evaluation errors have no common base class
        return Failure("bad-query", f"query: evaluation failed: {exc}")
    return Answer(f"{choice.media_type}; charset=utf-8", body)


def _not_acceptable(kind: str) -> str:
    from medkg.server.negotiation import GRAPH_TYPES, RESULT_TYPES

    offers = GRAPH_TYPES if kind in _GRAPH_KINDS else RESULT_TYPES
    return f"a {kind} answer can be sent as: " + ", ".join(o.media_type for o in offers)


def _with_dataset(query: Any, job: QueryJob) -> Any:
    """Return the parsed query with the protocol's dataset in place of its FROM clauses."""
    if job.default_graphs is None and job.named_graphs is None:
        return query
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Query

    from medkg.query import set_dataset

    # Parsed queries are cached and shared: change a copy of the algebra's top node only.
    changed = Query(query.prologue, CompValue(query.algebra.name, **query.algebra))
    set_dataset(changed, job.default_graphs, job.named_graphs)
    return changed


def _evaluate(state: WorkerState, query: Any, kind: str, choice: Choice) -> bytes:
    from rdflib.plugins.sparql.evaluate import evalQuery

    from medkg.query import uses_dataset

    # GRAPH and FROM need the named graphs (one per loaded file): the store's dataset.
    dataset = getattr(state.kg.store, "dataset", None)
    target = dataset() if dataset is not None and uses_dataset(query) else state.graph
    raw = evalQuery(target, query)
    if kind in _GRAPH_KINDS:
        triples = raw["graph"]
        if len(triples) > state.max_rows:
            raise _TooManyRows
        return _serialize_graph(triples, choice.format)
    return _serialize_result(raw, kind, choice.format, state.max_rows)


def _serialize_result(raw: Any, kind: str, format: str, max_rows: int) -> bytes:
    from medkg.query import QueryResult

    if kind == "ASK":
        return QueryResult("ASK", boolean=bool(raw["askAnswer"])).serialize(format).encode()
    names = [str(v) for v in raw["vars_"]]
    # The bindings are generated lazily: stop one past the limit instead of computing all.
    solutions = list(islice(raw["bindings"], max_rows + 1))
    if len(solutions) > max_rows:
        raise _TooManyRows
    rows = [tuple(s.get(Variable(n)) for n in names) for s in solutions]
    return QueryResult("SELECT", names, rows).serialize(format).encode()


def _serialize_graph(triples: Graph, format: str) -> bytes:
    from medkg.namespaces import PREFIXES

    out = Graph()
    for prefix, namespace in PREFIXES.items():
        out.bind(prefix, namespace, override=True, replace=True)
    for triple in triples:
        out.add(triple)
    return _graph_bytes(out, format)


def _graph_bytes(graph: Graph, format: str) -> bytes:
    if format == "json-ld":
        return graph.serialize(format="json-ld", context=_used_prefixes(graph), encoding="utf-8")
    return graph.serialize(format=format, encoding="utf-8")


def _used_prefixes(graph: Graph) -> dict[str, str]:
    """Return medkg's prefixes that some IRI of *graph* uses: a JSON-LD context without noise."""
    from medkg.namespaces import PREFIXES

    iris = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def _answer_entity(state: WorkerState, job: EntityJob) -> Reply:
    from medkg.server.linked_data import entity_graph, entity_iri

    iri = entity_iri(job.name)
    if iri is None or iri not in state.entities:
        return Failure("not-found", f"no entity kg:{job.name} in this graph")
    if job.media.format == "html":
        return Answer("text/html; charset=utf-8", _entity_html(state, iri).encode())
    body = _graph_bytes(entity_graph(state.graph, iri), job.media.format)
    return Answer(f"{job.media.media_type}; charset=utf-8", body)


def _entity_html(state: WorkerState, iri: URIRef) -> str:
    from medkg.cards import entity_card
    from medkg.entities import describe
    from medkg.server.linked_data import entity_graph
    from medkg.server.pages import entity_page

    card = entity_card(state.kg, describe(state.graph, iri))
    jsonld = _graph_bytes(entity_graph(state.graph, iri), "json-ld").decode("utf-8")
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
