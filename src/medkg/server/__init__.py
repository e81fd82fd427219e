"""A read-only SPARQL 1.1 Protocol endpoint over the graph, with linked data and a web page.

>>> from medkg.server import ServerConfig
>>> ServerConfig().host
'127.0.0.1'

Start it with ``medkg serve`` or :func:`serve`; build the ASGI app with :func:`create_app`.
Queries run in worker processes (:mod:`medkg.server.pool`) with a timeout, a row limit and a
memory limit; :mod:`medkg.sparql_guard` refuses updates and federated queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medkg.server.config import ServerConfig

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from medkg.server.pool import WorkerPool

__all__ = ["ServerConfig", "create_app", "serve"]


def create_app(config: ServerConfig, pool: WorkerPool | None = None) -> Starlette:
    """Build the ASGI application; see :func:`medkg.server.app.create_app`."""
    from medkg.server.app import create_app as build

    return build(config, pool)


def serve(config: ServerConfig, **kwargs: Any) -> None:
    """Serve until interrupted; see :func:`medkg.server.runner.serve`."""
    from medkg.server.runner import serve as run

    run(config, **kwargs)
