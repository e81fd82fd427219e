"""How the explorer page scales: generation time in Python, time until usable in Chromium.

Usage: ``python benchmarks/viz_benchmark.py [--sizes 100,1000,10000] [--browser-sizes 1000,5000]``

(a) builds synthetic networks in the shape of :func:`medkg.network.to_networkx` (kinds, labels,
    synonyms, external IDs, edges with an evidence record each) and times
    :func:`medkg.viz.explorer_from_networkx` (layout + data + rendering), best of three runs.
(b) if Playwright for Python and a Chromium (``/usr/bin/chromium`` or ``MEDKG_CHROMIUM``) are
    present, opens the bundled graph's page and synthetic pages from file:// URLs with the
    network blocked, and times from navigation until the page has drawn its first frame
    (physics is off, so that is when it is usable), best of three.

Prints Markdown tables; ratios are against the smallest size. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import medkg
from medkg.browser import chromium_path, launch_chromium
from medkg.layout import SPRING_LAYOUT_LIMIT
from medkg.viz import explorer_from_networkx

KINDS = [
    "medkg:RiskFactor",
    "medkg:Symptom",
    "medkg:Drug",
    "medkg:DrugClass",
    "medkg:HomeRemedy",
    "medkg:Muscle",
    "medkg:ClinicalTreatment",
    "medkg:Condition",
]
PREDICATES = [
    ("medkg:mayTrigger", "may trigger"),
    ("medkg:hasSymptom", "has symptom"),
    ("medkg:treats", "treats"),
    ("medkg:memberOf", "member of"),
]
CHROMIUM = chromium_path()


def synthetic_network(size: int, seed: int = 1) -> Any:
    """Return a network of *size* entities and about 1.5 relations per entity, with hubs."""
    import networkx as nx

    rng = random.Random(seed)
    network = nx.MultiDiGraph()
    for i in range(size):
        kind = KINDS[i % len(KINDS)]
        network.add_node(
            f"https://w3id.org/medkg/entity/E{i}",
            label=f"entity number {i}",
            curie=f"kg:E{i}",
            kind=kind,
            types=["owl:NamedIndividual", kind],
            synonyms=[f"synonym {i}"],
            brand_names=[],
            definition=f"The definition of entity {i}, one sentence long." if i % 3 == 0 else None,
            external_ids=[f"http://purl.obolibrary.org/obo/HP_{i:07d}"],
        )
    for i in range(1, size):
        # Preferential attachment to the first nodes makes hubs, like leg cramp in the real graph.
        targets = {rng.randrange(i) if rng.random() < 0.7 else rng.randrange(min(i, 10))}
        if rng.random() < 0.5:
            targets.add(rng.randrange(i))
        for j in targets:
            predicate, label = rng.choice(PREDICATES)
            network.add_edge(
                f"https://w3id.org/medkg/entity/E{i}",
                f"https://w3id.org/medkg/entity/E{j}",
                key=predicate,
                predicate=predicate,
                label=label,
                evidence=[
                    {
                        "quote": f"Entity {i} relates to entity {j}.",
                        "source": "A source",
                        "source_curie": "kg:Source",
                        "claim": "listed etiology",
                        "record": f"ev:E{i}-E{j}",
                    }
                ],
            )
    return network


def best_of(runs: int, action: Callable[[], Any]) -> float:
    """Return the shortest wall time of *runs* calls of *action*, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def generation_table(sizes: list[int]) -> str:
    """Time page generation per size and return a Markdown table.

    The first row is an empty network: the fixed cost of reading and hashing vis-network's
    700 kB and rendering the template. Ratios compare each row with the one before it.
    """
    rows = [
        "| nodes | edges | layout | generation (s) | × nodes | × time | page (MB) |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    previous: tuple[int, float] | None = None
    for size in [0, *sizes]:
        network = synthetic_network(size)
        seconds = best_of(3, lambda n=network: explorer_from_networkx(n))
        html = explorer_from_networkx(network).html
        layout = "spring" if size <= SPRING_LAYOUT_LIMIT else "by kind (linear)"
        growth = "" if not previous or not previous[0] else f"{size / previous[0]:.0f}"
        ratio = "" if not previous or not previous[0] else f"{seconds / previous[1]:.1f}"
        rows.append(
            f"| {size:,} | {network.number_of_edges():,} | {layout if size else '(fixed cost)'} | "
            f"{seconds:.3f} | {growth} | {ratio} | {len(html.encode()) / 1e6:.2f} |"
        )
        previous = (size, seconds)
    return "\n".join(rows)


def browser_table(sizes: list[int]) -> str:
    """Time until each page is usable in headless Chromium and return a Markdown table."""
    from playwright.sync_api import sync_playwright

    pages = [("bundled leg-cramp graph", medkg.load().visualize().html, 56)]
    pages += [
        (f"synthetic {s:,}", explorer_from_networkx(synthetic_network(s)).html, s) for s in sizes
    ]
    rows = ["| page | nodes | until usable (s) |", "| --- | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        browser = launch_chromium(p)
        for name, html, nodes in pages:
            path = Path(folder) / "page.html"
            path.write_text(html, encoding="utf-8")
            seconds = best_of(3, lambda path=path: _open_until_ready(browser, path))
            rows.append(f"| {name} | {nodes:,} | {seconds:.2f} |")
        browser.close()
    return "\n".join(rows)


def _open_until_ready(browser: Any, path: Path) -> None:
    """Open *path* in a fresh context with the network blocked; return once it has drawn."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
    )
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="commit")
    # A selector, not a JavaScript predicate: the page's CSP forbids Playwright's eval.
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
    context.close()


def main() -> int:
    """Run both measurements and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--browser-sizes", default="1000,5000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("## Page generation (Python)\n")
    print(generation_table(sizes))
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("\n(browser timing skipped: pip install playwright)")
        return 0
    if not Path(CHROMIUM).exists():
        print(f"\n(browser timing skipped: no Chromium at {CHROMIUM})")
        return 0
    print("\n## Time until usable (headless Chromium, file:// URL, network blocked)\n")
    print(browser_table([int(s) for s in args.browser_sizes.split(",")]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
