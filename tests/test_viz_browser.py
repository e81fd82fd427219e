"""The explorer page in a real headless Chromium, with every network request blocked.

Needs Debian's Chromium (``apt-get install chromium``) and Playwright for Python (``pip install
playwright``; its own browser download is not used). Skipped when either is missing, except
under ``MEDKG_REQUIRE_SYSTEM_TOOLS`` (CI), where a missing one fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from medkg import load
from medkg.namespaces import KG
from system_tools import require_program

pytest.importorskip("networkx")
pytest.importorskip("pyvis")
if os.environ.get("MEDKG_REQUIRE_SYSTEM_TOOLS"):
    import playwright.sync_api as playwright_api
else:
    playwright_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright for Python is not installed (pip install playwright)",
    )

from medkg.browser import launch_chromium  # noqa: E402 - after the skips
from medkg.viz import explorer_from_networkx, visualize  # noqa: E402 - after the skips

pytestmark = pytest.mark.slow

from hostile_data import HOSTILE_TURTLE, SCRIPT_LABEL, XSS_LABEL  # noqa: E402


@dataclass
class Traffic:
    """What pages tried to do that they must not: requests, script errors, CSP refusals."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_program("chromium", "chromium")
    with playwright_api.sync_playwright() as p:
        browser = launch_chromium(p, chromium)
        yield browser
        browser.close()


@pytest.fixture()
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture()
def context(browser: Any, traffic: Traffic) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 800})

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            traffic.requests.append(url)
            route.abort()

    context.route("**/*", route)
    context.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:")) else traffic.requests.append(r.url),
    )
    yield context
    context.close()


def open_page(context: Any, traffic: Traffic, html: str, folder: Path) -> Any:
    """Write *html* to a file, open it from a file:// URL and wait until it has drawn."""
    path = folder / "explorer.html"
    path.write_text(html, encoding="utf-8")
    page = context.new_page()
    page.on("pageerror", lambda exc: traffic.errors.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: traffic.errors.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    page.goto(path.as_uri())
    # A selector, not a JavaScript predicate: the page's CSP forbids Playwright's eval.
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=10_000)
    return page


def assert_quiet(traffic: Traffic) -> None:
    assert traffic.requests == [], "the page tried to reach the network"
    assert traffic.errors == [], "script errors or CSP refusals"


def card_text(page: Any) -> str:
    return str(page.eval_on_selector("#card", "el => el.textContent"))


def click_node(page: Any, node_id: str) -> None:
    """Click a node where vis-network draws it."""
    x, y = page.evaluate(
        """id => {
            const net = window.medkgExplorer.network;
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            const box = document.getElementById("network").getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        node_id,
    )
    page.mouse.click(x, y)


@pytest.fixture(scope="module")
def bundled_html() -> str:
    return visualize(load()).html


def test_page_draws_every_node_and_edge_without_network(
    context: Any, traffic: Traffic, bundled_html: str, tmp_path: Path
) -> None:
    network = load().to_networkx()
    page = open_page(context, traffic, bundled_html, tmp_path)
    drawn = page.evaluate(
        """() => {
            const e = window.medkgExplorer;
            return {
                nodes: e.nodes.length, edges: e.edges.length,
                bodyNodes: Object.keys(e.network.body.nodes).length,
                bodyEdges: Object.keys(e.network.body.edges).length,
                visibleNodes: e.visibleNodeIds().length,
                legend: document.querySelectorAll("#kinds input[type=checkbox]").length,
            };
        }"""
    )
    assert (
        drawn["nodes"] == drawn["bodyNodes"] == drawn["visibleNodes"] == network.number_of_nodes()
    )
    assert drawn["edges"] == drawn["bodyEdges"] == network.number_of_edges()
    assert drawn["legend"] == len({k for _, k in network.nodes(data="kind")})
    assert_quiet(traffic)


def test_search_charley_horse_selects_leg_cramp_and_shows_its_card(
    context: Any, traffic: Traffic, bundled_html: str, tmp_path: Path
) -> None:
    page = open_page(context, traffic, bundled_html, tmp_path)
    page.fill("#search", "charley-horse")
    page.press("#search", "Enter")
    selected = page.evaluate("() => window.medkgExplorer.network.getSelectedNodes()")
    assert selected == [str(KG.LegCramp)]
    text = card_text(page)
    assert "leg cramp" in text and "Charley horse" in text
    page.fill("#search", "no such entity at all")
    page.press("#search", "Enter")
    assert "no entity matches" in str(page.text_content("#search-status"))
    assert_quiet(traffic)


def test_unticking_a_kind_hides_its_nodes_and_their_edges(
    context: Any, traffic: Traffic, bundled_html: str, tmp_path: Path
) -> None:
    page = open_page(context, traffic, bundled_html, tmp_path)
    drugs = [str(KG.Baclofen), str(KG.Carisoprodol), str(KG.Metaxalone)]
    page.uncheck('#kinds input[data-kind="medkg:Drug"]')
    state = page.evaluate(
        """ids => {
            const e = window.medkgExplorer;
            return {
                visible: e.visibleNodeIds(),
                hidden: ids.map(id => e.network.body.nodes[id].options.hidden),
                edgesVisible: e.visibleEdgeIds().length,
                edgesTotal: e.edges.length,
            };
        }""",
        drugs,
    )
    assert not set(drugs) & set(state["visible"])
    assert len(state["visible"]) == 55 - 3
    assert state["hidden"] == [True, True, True]
    assert state["edgesVisible"] == state["edgesTotal"] - 3  # each drug is a member of a class
    page.check('#kinds input[data-kind="medkg:Drug"]')
    assert len(page.evaluate("() => window.medkgExplorer.visibleNodeIds()")) == 55
    assert_quiet(traffic)


def test_clicking_a_node_shows_its_card(
    context: Any, traffic: Traffic, bundled_html: str, tmp_path: Path
) -> None:
    page = open_page(context, traffic, bundled_html, tmp_path)
    click_node(page, str(KG.Baclofen))
    text = card_text(page)
    assert "baclofen" in text and "Lioresal" in text and "drug" in text
    links = page.eval_on_selector_all(
        "#card a", "els => els.map(a => [a.getAttribute('href'), a.getAttribute('rel')])"
    )
    assert links and all(href.startswith(("http://", "https://")) for href, _ in links)
    assert all("noopener" in rel for _, rel in links)
    assert_quiet(traffic)


def click_edge(page: Any, a: str, b: str) -> None:
    """Click the middle of the edge between nodes *a* and *b*."""
    x, y = page.evaluate(
        """([a, b]) => {
            const net = window.medkgExplorer.network;
            const pos = net.getPositions([a, b]);
            const p = net.canvasToDOM({x: (pos[a].x + pos[b].x) / 2, y: (pos[a].y + pos[b].y) / 2});
            const box = document.getElementById("network").getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [a, b],
    )
    page.mouse.click(x, y)


def test_clicking_an_edge_shows_its_evidence(
    context: Any, traffic: Traffic, tmp_path: Path
) -> None:
    html = visualize(load(), focus="beta-agonists", depth=1).html
    page = open_page(context, traffic, html, tmp_path)
    click_edge(page, str(KG.BetaAgonists), str(KG.LegCramp))
    text = card_text(page)
    assert "may trigger" in text
    assert "Certain drugs (including beta-agonists and potassium-sparing diuretics)" in text
    assert "Young G. Leg cramps. BMJ Clin Evid 2015:1113" in text
    # What the article cites there is a citation, and the panel says nobody checked it.
    assert (
        "citing reference 2 (Young G. Leg cramps. BMJ Clin Evid 2015:1113); "
        "reference 2 was not checked for this." in text
    )
    assert "But the article also says “Very little is known about leg cramps" in text
    assert "was checked" not in text and "supported by reference" not in text
    assert_quiet(traffic)


def test_edge_panel_shows_the_article_hedge_next_to_the_claim(
    context: Any, traffic: Traffic, tmp_path: Path
) -> None:
    html = visualize(load(), focus="night", depth=1).html
    page = open_page(context, traffic, html, tmp_path)
    click_edge(page, str(KG.LegCramp), str(KG.Night))
    heading = str(page.eval_on_selector("#card h2", "el => el.textContent"))
    assert "occurs during (typically) →" in heading
    text = card_text(page)
    assert "The article hedges this: typically." in text
    assert "Typically, these cramps occur at night." in text
    # The node card's relation list carries the hedge too.
    click_node(page, str(KG.Night))
    assert "occurs during (typically) →" in card_text(page)
    assert_quiet(traffic)


def test_injected_markup_shows_as_text_and_runs_nothing(
    context: Any, traffic: Traffic, tmp_path: Path
) -> None:
    data = tmp_path / "hostile.ttl"
    data.write_text(HOSTILE_TURTLE, encoding="utf-8")
    html = visualize(load([data])).html
    page = open_page(context, traffic, html, tmp_path)
    page.fill("#search", "kg:Hostile")
    page.press("#search", "Enter")
    page.wait_for_timeout(300)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    text = card_text(page)
    assert XSS_LABEL in text and SCRIPT_LABEL in text
    assert page.evaluate("() => document.querySelectorAll('img, #card script').length") == 0
    assert page.evaluate("() => document.querySelectorAll('script').length") == 3
    assert_quiet(traffic)


def test_large_page_draws_with_physics_off(context: Any, traffic: Traffic, tmp_path: Path) -> None:
    import networkx as nx

    network = nx.MultiDiGraph()
    for i in range(1000):
        network.add_node(f"urn:n{i}", label=f"entity {i}", kind="medkg:Symptom")
    for i in range(1, 1000):
        network.add_edge(f"urn:n{i}", f"urn:n{i // 4}", key="medkg:precedes", label="precedes")
    page = open_page(context, traffic, explorer_from_networkx(network).html, tmp_path)
    drawn = page.evaluate(
        """() => {
            const net = window.medkgExplorer.network;
            return [Object.keys(net.body.nodes).length, Object.keys(net.body.edges).length,
                    net.physics.options.enabled];
        }"""
    )
    assert drawn == [1000, 999, False]
    assert_quiet(traffic)
