"""The ASGI application: routes, status codes, security headers and CORS.

Nothing here touches the graph: queries, entity cards and the explorer are jobs for the
worker pool (:mod:`medkg.server.pool`), which holds the graph and enforces the limits.

Status codes a client can meet:

==== ===================================================================================
200  the answer
400  a malformed query (text/plain: the parser's message with line and column), a query
     nested too deeply, several ``query`` parameters, ``default-graph-uri``, an unknown
     ``format=``, or a ``Host`` header this server is not for (DNS rebinding)
403  SPARQL Update (in any form) or a ``SERVICE`` clause: refused, never evaluated
404  an unknown entity or page
406  no format the client accepts fits this kind of answer
413  a request body over the size limit
415  a POST body that is neither a form nor ``application/sparql-query``
429  every worker is busy and the waiting line is full, or this client already holds its
     share of them (with ``Retry-After``)
503  the query hit a limit: the timeout, the row limit, the memory limit, or the server
     already holds too many answer bytes for other clients (the message says which); the
     server goes on answering other queries
==== ===================================================================================
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medkg.server.config import ServerConfig
from medkg.server.explore import EXPLORE_CSP, explorer_available
from medkg.server.hosts import HostGuard
from medkg.server.jobs import (
    Answer,
    EntityJob,
    ExploreJob,
    Failure,
    Job,
    QueryJob,
    WorkbenchJob,
)
from medkg.server.negotiation import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    RESULT_TYPES,
    Choice,
    choose,
    format_choice,
    named,
)
from medkg.server.pool import BufferBudget, PoolBusyError, WorkerPool
from medkg.server.protocol import ProtocolError, read_query, service_description

__all__ = ["PAGE_CSP", "STATUS", "SecurityHeaders", "create_app"]

#: The HTTP status of each kind of failure.
STATUS: Mapping[str, int] = {
    "bad-query": 400,
    "update": 403,
    "service": 403,
    "not-found": 404,
    "not-acceptable": 406,
    "rows": 503,
    "memory": 503,
    "timeout": 503,
    "crashed": 503,
    "buffer": 503,
    "startup": 503,
}

#: Every page loads only the server's own script and style; nothing from elsewhere.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

#: The entity's formats: HTML for a browser, RDF for a program. Ties (``*/*``) go to Turtle.
ENTITY_TYPES: tuple[Choice, ...] = (
    GRAPH_TYPES[0],
    Choice("text/html", "html"),
    Choice("application/xhtml+xml", "html"),
    *GRAPH_TYPES[1:],
)


_FORMAT_NAMES = ("json", "xml", "csv", "tsv", "turtle", "nt", "json-ld", "rdfxml")

_STATIC = {
    "query.js": "text/javascript",
    "medkg.css": "text/css",
    "vendor/codemirror-sparql.js": "text/javascript",
    "vendor/codemirror-sparql-LICENSE.txt": "text/plain",
}


def create_app(config: ServerConfig, pool: WorkerPool | None = None) -> Starlette:
    """Build the server's ASGI application.

    :param config: limits, CORS origins, allowed hosts and data files.
    :param pool: a started worker pool; by default one is started with the application.
    :returns: the Starlette application (run it with uvicorn).
    """
    from starlette.middleware.cors import CORSMiddleware

    holder = _PoolHolder(config, pool)
    routes = [
        Route("/", _index_handler(holder.explore), methods=["GET", "HEAD"]),
        Route("/sparql", _sparql_handler(holder, config), methods=["GET", "HEAD", "POST"]),
        Route("/entity/{name}", _entity_handler(holder), methods=["GET"]),
        Route("/static/{name:path}", _static, methods=["GET"]),
        Route("/api/vocabulary", _workbench_handler(holder, config), methods=["GET"]),
        Route("/api/lint", _workbench_handler(holder, config), methods=["POST"]),
    ]
    if holder.explore:
        routes.append(Route("/explore", _explore_handler(holder), methods=["GET", "HEAD"]))
    middleware = [
        Middleware(HostGuard, allowed=(*config.allowed_hosts, config.host)),
        Middleware(SecurityHeaders),
    ]
    origins = ["*"] if config.cors_any_origin else list(config.cors_origins)
    if origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["GET", "HEAD", "POST"],
                allow_headers=["Content-Type", "Accept"],
            )
        )
    return Starlette(routes=routes, middleware=middleware, lifespan=holder.lifespan)


class _PoolHolder:
    """The pool the handlers use, started with the application unless one was given."""

    def __init__(self, config: ServerConfig, pool: WorkerPool | None) -> None:
        self.config = config
        self.pool = pool or WorkerPool(config)
        self._owned = pool is None
        self.explore = explorer_available()

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        if self._owned:
            # In this thread: a worker dies with the thread that started it.
            self.pool.start()
        try:
            yield
        finally:
            self.pool.close()

    async def run(self, request: Request, job: Job) -> Response:
        """Run *job* and turn its reply (or the pool's refusal) into a response.

        If the client disconnects first, the job is cancelled (its worker replaced) and the
        response goes nowhere.
        """
        client = request.client.host if request.client else ""
        try:
            reply = await _unless_disconnected(request, self.pool.run(job, client))
        except PoolBusyError as exc:
            return PlainTextResponse(str(exc) + "\n", 429, headers={"Retry-After": "1"})
        if reply is None:
            return Response(b"", 499)  # nobody is listening any more
        if isinstance(reply, Failure):
            return _failure(reply)
        return _BudgetedResponse(reply, self.pool.budget)


async def _unless_disconnected(request: Request, job: Awaitable[Any]) -> Any:
    """Await *job*, or cancel it and return None as soon as the client disconnects."""
    task = asyncio.ensure_future(job)
    watch = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, watch}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watch.cancel()
    if task.done():
        return task.result()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    except Exception:
        pass  # the job failed while being cancelled: nobody is waiting for its answer
    return None


async def _disconnected(request: Request) -> None:
    # The request body has been read by now: the next message is the disconnect.
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


class _BudgetedResponse(Response):
    """An answer whose bytes count against the server's buffer until they are sent.

    The body goes out in chunks, each after the client has taken the previous ones (the
    server's flow control waits), so what counts is what the server still holds.
    """

    CHUNK = 64 * 1024

    def __init__(self, answer: Answer, budget: BufferBudget) -> None:
        super().__init__(answer.body, 200, media_type=answer.media_type)
        self._budget = budget
        self._size = len(answer.body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the answer; give its bytes back to the budget however the sending ends."""
        body, self.body = memoryview(self.body), b""
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            if scope.get("method") == "HEAD":
                await send({"type": "http.response.body", "body": b""})
                return
            for start in range(0, len(body), self.CHUNK):
                chunk = bytes(body[start : start + self.CHUNK])
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            self._budget.release(self._size)


def _failure(failure: Failure) -> Response:
    return PlainTextResponse(failure.message + "\n", STATUS.get(failure.reason, 500))


def _index_handler(explore: bool) -> Any:
    import secrets

    from medkg.server.pages import index_page

    examples, prefixes = _examples(), _prefixes()

    async def index(request: Request) -> Response:
        # The editor (CodeMirror) writes its own <style> element: a fresh nonce per page
        # lets exactly that one in, where 'unsafe-inline' would let any style in.
        nonce = secrets.token_urlsafe(18)
        page = index_page(examples, prefixes, explore=explore, style_nonce=nonce)
        policy = PAGE_CSP.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
        return HTMLResponse(page, headers={"Content-Security-Policy": policy})

    return index


def _prefixes() -> dict[str, str]:
    from medkg.namespaces import PREFIXES

    return dict(PREFIXES)


def _examples() -> list[dict[str, object]]:
    """Return the bundled questions, each runnable as is: parameters get their default."""
    from medkg.competency import list_questions

    examples: list[dict[str, object]] = []
    for question in list_questions():
        body = question.sparql.rstrip() + "\n"
        sparql = body
        for name, default in question.params.items():
            # A trailing VALUES block binds the parameter as `medkg query --example` does.
            if ":" in default and " " not in default:
                sparql += f"VALUES ?{name} {{ {default} }}\n"
        examples.append(
            {
                "name": question.name,
                "question": question.question,
                "sparql": sparql,
                "body": body,
                "params": dict(question.params),
            }
        )
    return examples


def _sparql_handler(holder: _PoolHolder, config: ServerConfig) -> Any:
    async def sparql(request: Request) -> Response:
        try:
            asked = await read_query(request, config.max_body)
        except ProtocolError as exc:
            return PlainTextResponse(exc.message + "\n", exc.status)
        accept = request.headers.get("accept")
        if asked is None:
            return _describe_service(request, accept)
        requested = request.query_params.get("format") or request.query_params.get("output")
        if requested is not None:
            # ?format= overrides Accept, as Fuseki and Virtuoso do (SPARQLWrapper sends it).
            choices = format_choice(requested)
            if choices is None:
                return PlainTextResponse(
                    f"unknown format {requested!r}; use one of: {', '.join(_FORMAT_NAMES)}, "
                    "or a media type\n",
                    400,
                )
            job = QueryJob(
                asked.text,
                *choices,
                default_graphs=asked.default_graphs,
                named_graphs=asked.named_graphs,
            )
        else:
            job = QueryJob(
                asked.text,
                choose(accept, RESULT_TYPES),
                choose(accept, GRAPH_TYPES),
                choose(accept, BOOLEAN_TYPES),
                default_graphs=asked.default_graphs,
                named_graphs=asked.named_graphs,
            )
        response = await holder.run(request, job)
        response.headers["Vary"] = "Accept"
        return response

    return sparql


def _describe_service(request: Request, accept: str | None) -> Response:
    choice = choose(accept, GRAPH_TYPES)
    if choice is None:
        offered = ", ".join(c.media_type for c in GRAPH_TYPES)
        return PlainTextResponse(f"the service description can be sent as: {offered}\n", 406)
    endpoint = str(request.url.replace(query="", fragment=""))
    body = service_description(endpoint).serialize(format=choice.format, encoding="utf-8")
    return Response(
        body, 200, media_type=f"{choice.media_type}; charset=utf-8", headers={"Vary": "Accept"}
    )


def _entity_handler(holder: _PoolHolder) -> Any:
    async def entity(request: Request) -> Response:
        requested = request.query_params.get("format")
        if requested is not None:
            # Format names come from the one registry (ttl, json-ld, jsonld … all work).
            choice = ENTITY_TYPES[1] if requested == "html" else named(requested)
        else:
            choice = choose(request.headers.get("accept"), ENTITY_TYPES)
        if choice is None:
            offered = ", ".join(c.media_type for c in ENTITY_TYPES)
            return PlainTextResponse(f"an entity can be sent as: {offered}\n", 406)
        response = await holder.run(request, EntityJob(request.path_params["name"], choice))
        response.headers["Vary"] = "Accept"
        return response

    return entity


def _workbench_handler(holder: _PoolHolder, config: ServerConfig) -> Any:
    """Answer the query page's ``GET /api/vocabulary`` and ``POST /api/lint`` (body: a query)."""

    async def workbench(request: Request) -> Response:
        if request.method == "GET":
            return await holder.run(request, WorkbenchJob("vocabulary"))
        try:
            asked = await read_query(request, config.max_body)
        except ProtocolError as exc:
            return PlainTextResponse(exc.message + "\n", exc.status)
        return await holder.run(request, WorkbenchJob("lint", asked.text if asked else ""))

    return workbench


def _explore_handler(holder: _PoolHolder) -> Any:
    async def explore(request: Request) -> Response:
        response = await holder.run(request, ExploreJob(request.query_params.get("query")))
        if response.status_code == 200:
            response.headers["Content-Security-Policy"] = EXPLORE_CSP
        return response

    return explore


async def _static(request: Request) -> Response:
    from medkg.server.pages import static_file

    name = request.path_params["name"]
    if name not in _STATIC:
        return PlainTextResponse("not found\n", 404)
    return Response(static_file(name), 200, media_type=f"{_STATIC[name]}; charset=utf-8")


class SecurityHeaders:
    """Add the page policy and hardening headers to every response that has none of its own.

    :param app: the application to wrap.
    """

    HEADERS = (
        (b"content-security-policy", PAGE_CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.HEADERS if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
