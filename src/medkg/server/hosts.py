"""DNS-rebinding protection: answer only requests addressed to a host this server is for.

A page on ``evil.example`` whose name is made to resolve to 127.0.0.1 can send requests to a
server on the user's machine, and read the answers, because the browser sees them as the
page's own origin. The ``Host`` header gives it away: it still says ``evil.example``. As
Jupyter and Vite do, the server accepts only loopback names (``localhost``,
``*.localhost``), IP addresses (a rebinding attack needs a domain name), the address it was
bound to, and the names given with ``--allowed-host``; anything else is 400.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["HostGuard", "host_allowed"]


def host_allowed(header: str, allowed: Iterable[str]) -> bool:
    """Tell whether a ``Host`` header names this server.

    >>> host_allowed("localhost:8000", [])
    True
    >>> host_allowed("[::1]:8000", [])
    True
    >>> host_allowed("evil.attacker.example", [])
    False
    >>> host_allowed("Medkg.Example.org:443", ["medkg.example.org"])
    True

    :param header: the header's value: a host and an optional port.
    :param allowed: the extra names (``--allowed-host``), compared without case.
    """
    host = _strip_port(header.strip()).lower().rstrip(".")
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host in {name.lower().rstrip(".") for name in allowed}
    return True


def _strip_port(value: str) -> str:
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    host, _, port = value.rpartition(":")
    return host if host and port.isdigit() else value


class HostGuard:
    """Refuse (400) every HTTP request whose ``Host`` header is not one of this server's.

    :param app: the application to wrap.
    :param allowed: extra host names (``--allowed-host``) and the bound address.
    """

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = tuple(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on if its host is allowed; answer 400 otherwise."""
        if scope["type"] == "http":
            values = [v for k, v in scope.get("headers", []) if k == b"host"]
            header = values[0].decode("latin-1") if len(values) == 1 else ""
            if not host_allowed(header, self.allowed):
                response = PlainTextResponse(
                    "this server does not answer for that Host header; start it with "
                    "--allowed-host NAME to serve under another name\n",
                    400,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
