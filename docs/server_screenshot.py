"""Serve the bundled graph, run an example on the query page and save ``docs/server.png``.

The picture shows the example's answer and the editor completing a partial entity name.

Usage: ``python docs/server_screenshot.py [OUTPUT.png]``. Needs the ``serve`` extra, Playwright
for Python and Debian's Chromium (or ``MEDKG_CHROMIUM=/path``). Only the local server is
reached: every other request is aborted.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from medkg.browser import chromium_path, launch_chromium

CHROMIUM = chromium_path()

WIDTH, HEIGHT = 1200, 800


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not answer within {seconds} s")


def screenshot(output: Path) -> None:
    """Serve the bundled graph, run one example question and save the page as PNG."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("medkg")), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(base + "/")
        with sync_playwright() as p:
            browser = launch_chromium(p)
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(base) else route.abort()
                ),
            )
            page = context.new_page()
            page.goto(base + "/")
            page.wait_for_selector("body[data-ready=true]", state="attached")
            page.click("#examples button[title=treatments-for]")
            page.wait_for_selector("#results table")
            # Show the completion too: a partial entity name offers the entity's CURIE.
            page.locator(".cm-content").click()
            page.keyboard.press("Control+End")
            page.keyboard.type("VALUES ?condition { charl")
            page.wait_for_selector(".cm-tooltip-autocomplete li")
            page.screenshot(path=str(output), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    """Write the screenshot (default ``docs/server.png``)."""
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("server.png")
    if not Path(CHROMIUM).exists():
        sys.stderr.write(f"error: no Chromium at {CHROMIUM} (apt-get install chromium)\n")
        return 2
    screenshot(output)
    sys.stdout.write(f"wrote {output} ({output.stat().st_size // 1024} KB)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
