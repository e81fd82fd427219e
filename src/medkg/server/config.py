"""The settings of one ``medkg serve`` instance: address, limits, store and allowed origins."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from medkg.errors import MedkgError

__all__ = ["ServerConfig", "check_allowed_host", "check_cors_origin"]


@dataclass(frozen=True)
class ServerConfig:
    """Everything that shapes a server: where it listens, what it loads, what it allows.

    The defaults are the safe ones: loopback only, no CORS, a 30 s query timeout.

    :param host: the address to bind; ``127.0.0.1`` unless told otherwise.
    :param port: the TCP port; 0 picks a free one.
    :param data: extra RDF files merged into the bundled graph (as ``medkg --data``).
    :param data_format: the parser for *data*; by default each file's extension decides.
    :param store: where the workers find the triples: ``memory``, ``oxigraph``,
        ``oxigraph:PATH`` (opened read-only by every worker) or ``sparql:URL``.
    :param sparql_graph: for ``sparql:URL``, the named graph to read (None: medkg's).
    :param timeout: wall-clock seconds a query may run before its worker is replaced.
    :param max_rows: the most result rows (SELECT) or triples (CONSTRUCT / DESCRIBE) returned.
    :param cors_origins: the exact origins allowed to read answers from a browser.
    :param cors_any_origin: allow every origin (``Access-Control-Allow-Origin: *``).
    :param allowed_hosts: host names accepted in the ``Host`` header besides the loopback
        names and IP addresses (DNS-rebinding protection).
    :param behind_proxy: trust ``X-Forwarded-Proto`` / ``X-Forwarded-For`` from the peer.
    :param workers: query worker processes, each holding its own copy of the graph.
    :param max_pending: requests that may wait for a busy worker before the server says 429.
    :param per_client: the most requests one client address may have running or waiting
        (0: half of the workers plus the waiting line, and at least two where the capacity
        allows, see :attr:`client_share`).
    :param max_body: the largest request body accepted, in bytes (larger: 413).
    :param memory_limit: the address-space limit of each worker, in bytes (0: no limit).
    :param buffer_limit: the most answer bytes the server process holds for clients at once
        (an answer that would exceed it is 503).
    :param header_timeout: seconds a client may take to send its request headers.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    data: tuple[Path, ...] = field(default_factory=tuple)
    data_format: str | None = None
    store: str = "memory"
    sparql_graph: str | None = None
    timeout: float = 30.0
    max_rows: int = 10_000
    cors_origins: tuple[str, ...] = ()
    cors_any_origin: bool = False
    allowed_hosts: tuple[str, ...] = ()
    behind_proxy: bool = False
    workers: int = 2
    max_pending: int = 8
    per_client: int = 0
    max_body: int = 64 * 1024
    memory_limit: int = 2 * 1024**3
    buffer_limit: int = 256 * 1024**2
    header_timeout: float = 10.0

    def __post_init__(self) -> None:
        for origin in self.cors_origins:
            check_cors_origin(origin)
        for host in self.allowed_hosts:
            check_allowed_host(host)

    @property
    def client_share(self) -> int:
        """The most requests one client may hold: :attr:`per_client`, or half the capacity.

        The default is never below two while the capacity holds two: the query page sends one
        background request at a time (lint, completion), and a click on a result link opens
        an entity page while that request may still be running. A share of one would answer
        the user's own navigation with 429.

        >>> ServerConfig(workers=2, max_pending=1).client_share
        2
        >>> ServerConfig(workers=1, max_pending=0).client_share
        1
        >>> ServerConfig(workers=2, max_pending=8).client_share
        5
        """
        if self.per_client > 0:
            return self.per_client
        capacity = self.workers + self.max_pending
        return max(min(2, capacity), capacity // 2)


_HOST_NAME = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)


def check_cors_origin(origin: str) -> str:
    """Return *origin* if it is one exact web origin (``https://example.org[:port]``).

    >>> check_cors_origin("https://example.org:8443")
    'https://example.org:8443'
    >>> check_cors_origin("null")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    medkg.errors.MedkgError: --cors null: the "null" origin is shared by sandboxed pages ...

    :raises MedkgError: ``null``, ``*``, a list, a path, credentials, or not http(s).
    """
    where = f"--cors {origin}"
    if origin.strip().lower() == "null":
        raise MedkgError(
            f'{where}: the "null" origin is shared by sandboxed pages and local files, '
            "so it is refused"
        )
    if origin.strip() == "*":
        raise MedkgError(f"{where}: to let every origin read answers, use --cors-any-origin")
    if "," in origin or any(c.isspace() for c in origin):
        raise MedkgError(f"{where}: give one origin per --cors (repeat the option for more)")
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError as exc:
        raise MedkgError(f"{where}: not an origin ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise MedkgError(f"{where}: an origin starts with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise MedkgError(f"{where}: an origin has no user name or password")
    if parts.path or parts.query or parts.fragment or origin.endswith(("?", "#")):
        raise MedkgError(
            f"{where}: an origin is scheme, host and port only, e.g. https://example.org"
        )
    host = parts.hostname or ""
    if not (_is_ip(host) or _HOST_NAME.fullmatch(host)):
        raise MedkgError(f"{where}: {host!r} is not a host name")
    if port == 0:
        raise MedkgError(f"{where}: port 0 is not a port a page can come from")
    if origin != origin.lower() and origin.lower().startswith(("http://", "https://")):
        # Browsers send origins in lower case; a capital letter would never match.
        raise MedkgError(f"{where}: write the origin in lower case, as browsers send it")
    return origin


def check_allowed_host(host: str) -> str:
    """Return *host* if it is a host name (or IP address) a ``Host`` header may carry.

    >>> check_allowed_host("medkg.example.org")
    'medkg.example.org'

    :raises MedkgError: not a host name (a URL, a port, a wildcard …).
    """
    if not (_is_ip(host.strip("[]")) or _HOST_NAME.fullmatch(host)):
        raise MedkgError(
            f"--allowed-host {host}: give a host name such as medkg.example.org "
            "(no scheme, no port)"
        )
    return host


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
