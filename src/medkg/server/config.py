"""The settings of one ``medkg serve`` instance: address, limits and data files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ServerConfig"]


@dataclass(frozen=True)
class ServerConfig:
    """Everything that shapes a server: where it listens, what it loads, what it allows.

    The defaults are the safe ones: loopback only, no CORS, a 30 s query timeout.

    :param host: the address to bind; ``127.0.0.1`` unless told otherwise.
    :param port: the TCP port; 0 picks a free one.
    :param data: extra RDF files merged into the bundled graph (as ``medkg --data``).
    :param data_format: the parser for *data*; by default each file's extension decides.
    :param timeout: wall-clock seconds a query may run before its worker is replaced.
    :param max_rows: the most result rows (SELECT) or triples (CONSTRUCT / DESCRIBE) returned.
    :param cors_origin: the one origin allowed to read answers from a browser, or None.
    :param workers: query worker processes, each holding its own copy of the graph.
    :param max_pending: requests that may wait for a busy worker before the server says 429.
    :param max_body: the largest request body accepted, in bytes (larger: 413).
    :param memory_limit: the address-space limit of each worker, in bytes (0: no limit).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    data: tuple[Path, ...] = field(default_factory=tuple)
    data_format: str | None = None
    timeout: float = 30.0
    max_rows: int = 10_000
    cors_origin: str | None = None
    workers: int = 2
    max_pending: int = 8
    max_body: int = 64 * 1024
    memory_limit: int = 2 * 1024**3
