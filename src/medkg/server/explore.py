"""The explorer page (:mod:`medkg.viz`) served by the server, when its extra is installed."""

from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec

__all__ = ["EXPLORE_CSP", "explorer_available"]

#: The explorer carries its own policy (its scripts allowed by hash, in a ``<meta>`` tag);
#: this header adds the server's rule on top: nothing may load from anywhere else.
EXPLORE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


@lru_cache(maxsize=1)
def explorer_available() -> bool:
    """Tell whether :mod:`medkg.viz` and the libraries it needs are installed."""
    return all(find_spec(name) is not None for name in ("medkg.viz", "networkx", "jinja2", "pyvis"))
