"""How medkg's tools start a real headless Chromium: the browser tests, screenshots, benchmarks.

Debian's ``chromium`` is driven by Playwright for Python; Playwright's own browser download is
never used (it cannot work on a machine without internet access). ``MEDKG_CHROMIUM=/path``
points at another binary.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["CHROMIUM_ARGS", "chromium_path", "launch_chromium"]

#: Headless, as root, with nothing of Chromium's own that would reach for the network.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_path() -> str:
    """Return the Chromium binary to drive: ``$MEDKG_CHROMIUM``, else Debian's."""
    return os.environ.get("MEDKG_CHROMIUM", "/usr/bin/chromium")


def launch_chromium(playwright: Any, executable: str | None = None) -> Any:
    """Launch headless Chromium through a started Playwright (``sync_playwright()``).

    :param playwright: the object ``sync_playwright()`` yields.
    :param executable: the binary; by default :func:`chromium_path`.
    :returns: a Playwright ``Browser``.
    """
    return playwright.chromium.launch(
        executable_path=executable or chromium_path(), args=list(CHROMIUM_ARGS)
    )
