"""Running the server: bind the socket, start the workers, hand both to uvicorn."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

from medkg.errors import MedkgError
from medkg.server.config import ServerConfig

__all__ = ["header_timeout_protocol", "serve"]


def serve(
    config: ServerConfig,
    *,
    announce: Callable[[str], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> None:
    """Serve the graph over HTTP until interrupted (Ctrl-C).

    The socket is bound before the workers start, so a port in use fails at once, and port 0
    picks a free port whose URL *announce* receives.

    :param config: address, data files and limits.
    :param announce: called with the base URL once the server is ready to answer.
    :param warn: called with a warning (e.g. the server listens on every interface).
    :raises MedkgError: the address cannot be bound.
    :raises WorkerStartError: the graph cannot be loaded (e.g. a malformed ``--data`` file).
    """
    import uvicorn

    from medkg.server.app import create_app
    from medkg.server.pool import WorkerPool

    sock = _bind(config.host, config.port)
    if warn is not None and config.host in ("0.0.0.0", "::", ""):
        warn(
            f"listening on every network interface ({config.host}): any machine that can "
            "reach this one can query the server"
        )
    pool = WorkerPool(config)
    try:
        pool.start()
        app = create_app(config, pool)
        host, port = sock.getsockname()[:2]
        uv_config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on",
            server_header=False,
            http=header_timeout_protocol(config.header_timeout),
            # X-Forwarded-* are a client's word unless a proxy we trust wrote them.
            proxy_headers=config.behind_proxy,
            forwarded_allow_ips="*" if config.behind_proxy else None,
        )
        server = uvicorn.Server(uv_config)
        if announce is not None:
            announce(_url(host, port))
        server.run(sockets=[sock])
    finally:
        pool.close()
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY on accepted connections only then, and
    # without it Nagle's algorithm and delayed ACKs add 40 ms to every keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:  # OverflowError: a port outside 0-65535
        sock.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise MedkgError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def header_timeout_protocol(seconds: float) -> type[asyncio.Protocol]:
    """Return uvicorn's HTTP/1.1 protocol with a limit on the time to send request headers.

    uvicorn has a keep-alive timeout between requests but none while headers arrive, so a
    client that sends one header byte at a time (slowloris) keeps its socket for ever.
    Here a connection whose request headers are not complete *seconds* after it opened (or
    after its previous answer) is closed.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._watch_headers()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch_headers()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._watch_headers()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_watch()
            super().connection_lost(exc)

        def _watch_headers(self) -> None:
            # IDLE: the client has not finished sending a request's headers yet.
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                if self._header_timer is None:
                    self._header_timer = self.loop.call_later(seconds, self._too_slow)
            else:
                self._stop_watch()

        def _stop_watch(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return HeaderTimeoutProtocol
