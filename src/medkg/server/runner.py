"""Running the server: bind the socket, start the workers, hand both to uvicorn."""

from __future__ import annotations

import socket
from collections.abc import Callable

from medkg.errors import MedkgError
from medkg.server.config import ServerConfig

__all__ = ["serve"]


def serve(config: ServerConfig, *, announce: Callable[[str], None] | None = None) -> None:
    """Serve the graph over HTTP until interrupted (Ctrl-C).

    The socket is bound before the workers start, so a port in use fails at once, and port 0
    picks a free port whose URL *announce* receives.

    :param config: address, data files and limits.
    :param announce: called with the base URL once the server is ready to answer.
    :raises MedkgError: the address cannot be bound.
    :raises WorkerStartError: the graph cannot be loaded (e.g. a malformed ``--data`` file).
    """
    import uvicorn

    from medkg.server.app import create_app
    from medkg.server.pool import WorkerPool

    sock = _bind(config.host, config.port)
    pool = WorkerPool(config)
    try:
        pool.start()
        app = create_app(config, pool)
        host, port = sock.getsockname()[:2]
        uv_config = uvicorn.Config(app, log_level="warning", lifespan="on", server_header=False)
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
