"""HTTP for SPARQL endpoints: credentials from the environment, one clear error per failure."""

from __future__ import annotations

import ipaddress
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from medkg.errors import EndpointError

__all__ = ["PASSWORD_VARIABLE", "USER_VARIABLE", "Response", "http_request"]

#: Environment variables holding the endpoint's credentials (never a command-line option,
#: so they stay out of shell history and process listings).
USER_VARIABLE = "MEDKG_SPARQL_USER"
PASSWORD_VARIABLE = "MEDKG_SPARQL_PASSWORD"


@dataclass(frozen=True)
class Response:
    """An endpoint's answer: its status, media type (without parameters) and body."""

    status: int
    media_type: str
    body: bytes


def _opener(url: str) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    user = os.environ.get(USER_VARIABLE)
    if user:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, user, os.environ.get(PASSWORD_VARIABLE, ""))
        # Virtuoso's /sparql-auth asks for Digest; most other servers for Basic.
        handlers += [
            urllib.request.HTTPDigestAuthHandler(passwords),
            urllib.request.HTTPBasicAuthHandler(passwords),
        ]
    if _is_loopback(url):
        # A proxy from the environment must never see requests meant for this machine.
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Response:
    """Send one request; return the answer, or raise for anything but a 2xx status.

    :param url: the full URL, query string included.
    :param method: the HTTP method.
    :param body: the request body, if any.
    :param headers: request headers.
    :param timeout: seconds to wait for the server.
    :returns: the :class:`Response`.
    :raises EndpointError: the connection is refused or times out, or the server answers
        with an error status; the message names the URL and quotes the server's first line.
    """
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with _opener(url).open(request, timeout=timeout) as answer:
            media = answer.headers.get_content_type()
            return Response(answer.status, media, answer.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip().splitlines()
        first = detail[0] if detail else exc.reason
        raise EndpointError(f"{_bare(url)}: HTTP {exc.code}: {first}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason.strerror if isinstance(exc.reason, OSError) else exc.reason
        raise EndpointError(f"{_bare(url)}: cannot connect: {reason or exc.reason}") from None
    except TimeoutError:
        raise EndpointError(f"{_bare(url)}: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise EndpointError(f"{_bare(url)}: {exc}") from None


def _bare(url: str) -> str:
    """Return *url* without its query string, which may hold a whole SPARQL query."""
    return url.split("?", 1)[0]
