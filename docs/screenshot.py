"""Render the explorer page of the bundled graph and save ``docs/explorer.png``.

Usage: ``python docs/screenshot.py [OUTPUT.png] [--select ENTITY]``. Needs the ``viz`` extra,
Playwright for Python (``pip install playwright``) and a Chromium (Debian: ``apt-get install
chromium``; another binary with ``MEDKG_CHROMIUM=/path``). Playwright's own browser download is
not used. The network is blocked while the page renders, like in the tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import medkg
from medkg.browser import chromium_path, launch_chromium

CHROMIUM = chromium_path()
WIDTH, HEIGHT = 1200, 800


def screenshot(output: Path, select: str | None) -> None:
    """Render the page in headless Chromium and save a PNG of the viewport."""
    from playwright.sync_api import sync_playwright

    page_html = medkg.load().visualize(title="medkg explorer — leg cramps").html
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "explorer.html"
        page_file.write_text(page_html, encoding="utf-8")
        with sync_playwright() as p:
            browser = launch_chromium(p)
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith("file://") else route.abort()
                ),
            )
            page = context.new_page()
            page.goto(page_file.as_uri())
            # A selector, not a JavaScript predicate: the page's CSP forbids Playwright's eval.
            page.wait_for_selector("body[data-ready=true]", state="attached")
            if select:
                page.fill("#search", select)
                page.press("#search", "Enter")
                page.wait_for_timeout(500)  # the focus animation lasts 300 ms
            # PNG palette quantisation is not available here; a viewport shot stays small.
            page.screenshot(path=str(output))
            browser.close()


def main() -> int:
    """Parse the arguments and write the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "output", nargs="?", type=Path, default=Path(__file__).with_name("explorer.png")
    )
    parser.add_argument("--select", help="search for this entity first, to show its card")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.stderr.write(f"error: no Chromium at {CHROMIUM} (apt-get install chromium)\n")
        return 2
    screenshot(args.output, args.select)
    sys.stdout.write(f"wrote {args.output} ({args.output.stat().st_size // 1024} KB)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
