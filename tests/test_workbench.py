"""The query page (the SPARQL workbench) in a real headless Chromium, against ``medkg serve``.

Every request that does not go to the test's own server on 127.0.0.1 is aborted and recorded,
and so are script errors and CSP refusals: each test ends by asserting there were none.
Needs Debian's Chromium and Playwright for Python (skipped without them, except in CI).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hostile_data import HOSTILE_TURTLE, SCRIPT_LABEL, XSS_LABEL
from medkg.entities import compact
from medkg.graph import KnowledgeGraph
from medkg.sparql_guard import check_query
from system_tools import require_program
from test_server import Server, start_server

if not os.environ.get("MEDKG_REQUIRE_SYSTEM_TOOLS"):
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = pytest.mark.slow

MUSCLES = "affected-muscles"
EXPECTED_STATUS = (
    "Failed to load resource: the server responded with a status of 400",
    "Failed to load resource: the server responded with a status of 403",
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    yield from start_server("serve", "--port", "0", "--workers", "2")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("workbench") / "hostile.ttl"
    data.write_text(HOSTILE_TURTLE, encoding="utf-8")
    yield from start_server("--data", str(data), "serve", "--port", "0", "--workers", "1")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from medkg.browser import launch_chromium

    chromium = require_program("chromium", "chromium")
    with sync_playwright() as p:
        launched = launch_chromium(p, chromium)
        yield launched
        launched.close()


class Workbench:
    """One open query page, with what it tried to do that it must not."""

    def __init__(self, browser: Any, server: Server, tmp_path: Path) -> None:
        self.server = server
        self.events: list[str] = []
        self.context = browser.new_context(accept_downloads=True)
        self.context.route("**/*", self._guard)
        # Every wait is for something the page will do; a loaded 2-core machine may take long.
        self.context.set_default_timeout(120_000)
        self.downloads = tmp_path

    def _guard(self, route: Any) -> None:
        if route.request.url.startswith(self.server.url):
            route.continue_()
        else:
            self.events.append("request: " + route.request.url)
            route.abort()

    def _console(self, message: Any) -> None:
        # Chromium logs every non-2xx answer; the page shows the refusals it expects.
        if message.type == "error" and not message.text.startswith(EXPECTED_STATUS):
            self.events.append("console: " + message.text)

    def open(self, path: str = "") -> Any:
        """Open the page at *path* (e.g. a shared link) and wait until its vocabulary is in."""
        page = self.context.new_page()
        page.on("pageerror", lambda e: self.events.append(f"error: {e}"))
        page.on("console", self._console)
        page.on("dialog", lambda d: (self.events.append("dialog: " + d.message), d.dismiss()))
        page.goto(self.server.url + path)
        page.wait_for_selector("body[data-ready=true]", state="attached")
        return page


@pytest.fixture()
def bench(browser: Any, server: Server, tmp_path: Path) -> Iterator[Workbench]:
    opened = Workbench(browser, server, tmp_path)
    yield opened
    opened.context.close()
    assert opened.events == [], "requests beyond the server, script errors or CSP refusals"


def editor_text(page: Any) -> str:
    return str(page.evaluate("() => document.getElementById('query').value"))


def set_query(page: Any, text: str, typed: str = "") -> None:
    """Replace the editor's text (as a paste would), then type *typed* at its end.

    The old text is deleted first with the editor's own command: Chromium's native editing
    of a selection of highlighted lines writes style attributes, which the page's CSP refuses.
    """
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.insert_text(text)
    if typed:
        page.keyboard.type(typed)


def run(page: Any) -> None:
    """Run the editor's query with Ctrl-Enter and wait until the answer is shown."""
    before = page.get_attribute("body", "data-ran") or ""
    page.locator(".cm-content").press("Control+Enter")
    page.wait_for_function(
        "before => (document.body.dataset.ran || '') !== before || "
        "document.querySelector('#results .error') !== null",
        arg=before,
    )


def completions(page: Any, typed: str) -> list[tuple[str, str]]:
    """The completions offered once the editor holds *typed* at its end, as (label, detail).

    Waits for the editor's own completion state to be settled for that text, so a list
    still showing the options of a shorter prefix is never read.
    """
    settled = """typed => {
        const state = window.medkgWorkbench.view().state;
        return state.doc.toString().endsWith(typed) && CM.completionStatus(state) === "active";
    }"""
    page.wait_for_function(settled, arg=typed)
    page.wait_for_selector(".cm-tooltip-autocomplete li")
    # CodeMirror ignores Enter on a list opened less than 75 ms ago (its interactionDelay,
    # so a fast typist's Enter is a newline): the list opened before this point, so after
    # 200 ms more an Enter always accepts. A fixed wait after an event, not a race.
    page.wait_for_timeout(200)
    options = page.evaluate(
        """() => CM.currentCompletions(window.medkgWorkbench.view().state)
                 .map(o => [o.label, o.detail || ""])"""
    )
    return [(label, detail) for label, detail in options]


def table_rows(page: Any) -> list[list[str]]:
    """Each shown row's cells: an IRI cell as "CURIE | label", any other cell as its text."""
    return page.eval_on_selector_all(
        "#results tbody tr",
        """rows => rows.map(r => [...r.cells].map(td => {
            const link = td.querySelector('a, span[title]');
            const label = td.querySelector('.label');
            return link ? link.textContent + ' | ' + (label ? label.textContent : '')
                        : td.textContent;
        }))""",
    )


def expected_rows(kg: KnowledgeGraph, sparql: str) -> list[list[str]]:
    """What the table must show for *sparql*: the library's rows, IRIs with their labels."""
    result = kg.query(sparql)
    rows = []
    for row in result.rows:
        cells = []
        for term in row:
            if term is None:
                cells.append("")
            elif term.__class__.__name__ == "URIRef":
                label = kg.query(f"SELECT ?l WHERE {{ <{term}> rdfs:label ?l }}").rows
                cells.append(f"{compact(str(term))} | {label[0][0] if label else ''}")
            else:
                cells.append(str(term))
        rows.append(cells)
    return rows


# --- the editor ---------------------------------------------------------------------------------


def test_prefix_completion(bench: Workbench, kg: KnowledgeGraph) -> None:
    page = bench.open()
    set_query(page, "PREFIX ", "sk")
    assert ("skos:", "http://www.w3.org/2004/02/skos/core#") in completions(page, "sk")
    page.keyboard.press("Enter")
    assert editor_text(page) == "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    set_query(page, "SELECT * WHERE { kg:LegCramp ", "medk")
    assert completions(page, "medk")[0] == ("medkg:", "https://w3id.org/medkg/schema/")
    page.keyboard.press("Enter")
    page.keyboard.type("aff")
    # A schema property, with its label as the hint and its definition as the info.
    label = str(kg.query("SELECT ?l WHERE { medkg:affects rdfs:label ?l }").rows[0][0])
    assert ("medkg:affects", label) in completions(page, "medkg:aff")


def test_partial_entity_name_completes_to_a_curie(bench: Workbench) -> None:
    page = bench.open()
    set_query(page, "SELECT ?m WHERE { ", "charl")
    offered = completions(page, "charl")
    assert offered[0] == ("Charley horse", "kg:LegCramp")
    page.keyboard.press("Enter")
    assert editor_text(page) == "SELECT ?m WHERE { kg:LegCramp"


def test_syntax_error_is_marked_at_its_line(bench: Workbench) -> None:
    query = "SELECT ?m WHERE {\n  kg:LegCramp medkg:affects ?m .\n  ?m rdfs:label ?l ))\n}\n"
    with pytest.raises(Exception) as parsed:
        check_query(query)
    line = parsed.value.line  # type: ignore[attr-defined]
    assert line == 3
    page = bench.open()
    set_query(page, query)
    page.wait_for_selector(".cm-lintRange-error")
    marked = page.eval_on_selector(
        ".cm-lintRange-error",
        "el => [...el.closest('.cm-content').children].indexOf(el.closest('.cm-line')) + 1",
    )
    assert marked == line
    assert page.locator("#diagnostics li.error").first.text_content().startswith("line 3,")
    run(page)
    assert "400" in page.text_content("#results .error")


def test_unknown_term_is_flagged_in_the_editor(bench: Workbench) -> None:
    page = bench.open()
    set_query(page, "SELECT ?m WHERE {\n  kg:LegCramp medkg:afects ?m\n}")
    page.wait_for_selector(".cm-lintRange-warning")
    assert page.locator(".cm-lintRange-warning").text_content() == "medkg:afects"
    messages = page.locator("#diagnostics li.warning").all_text_contents()
    assert messages == [
        "line 2, column 15: medkg:afects is not in the schema; did you mean medkg:affects?"
    ]


# --- results ------------------------------------------------------------------------------------


def test_example_shows_the_expected_rows_with_labels(bench: Workbench, kg: KnowledgeGraph) -> None:
    page = bench.open()
    page.fill("#example-filter", "muscles affect")
    assert page.locator("#examples button").count() == 1
    page.click(f"#examples button[title={MUSCLES}]")
    page.wait_for_selector("#results tbody tr")
    from medkg.competency import load_question

    rows = table_rows(page)
    assert rows == expected_rows(kg, load_question(MUSCLES).sparql)
    assert [r[0].split(" | ")[0] for r in rows] == [
        "kg:FootMuscles",
        "kg:Gastrocnemius",
        "kg:Hamstrings",
        "kg:Quadriceps",
    ]
    assert page.text_content("#summary").startswith("4 rows in ")
    assert page.get_attribute("#results tbody a >> nth=0", "href") == "/entity/FootMuscles"


def test_example_parameters_are_form_fields(bench: Workbench, kg: KnowledgeGraph) -> None:
    page = bench.open()
    page.click("#examples button[title=treatments-for]")
    page.wait_for_selector("#results tbody tr")
    shown = page.locator("#results tbody tr").count()
    field = page.locator("#params input[name=condition]")
    assert field.input_value() == "kg:LegCramp"
    assert editor_text(page).endswith("VALUES ?condition { kg:LegCramp }\n")
    # A name (as the CLI's --param takes) is resolved to the entity's CURIE and run.
    for name, curie, rows in (
        ("Addison's disease", "kg:AddisonDisease", 0),
        ("Charley horse", "kg:LegCramp", shown),
    ):
        before = page.get_attribute("body", "data-ran")
        field.fill(name)
        field.press("Enter")
        page.wait_for_function("b => document.body.dataset.ran !== b", arg=before)
        assert editor_text(page).endswith(f"VALUES ?condition {{ {curie} }}\n")
        assert page.text_content("#summary").startswith(f"{rows} rows in ")


def test_numbers_are_right_aligned_and_pages_split_a_long_answer(bench: Workbench) -> None:
    page = bench.open()
    set_query(page, "SELECT ?s ?n WHERE { ?s ?p ?o BIND (STRLEN(STR(?o)) AS ?n) } LIMIT 120")
    run(page)
    assert page.text_content("#summary").startswith("120 rows in ")
    assert page.text_content("#page-info") == "rows 1–50 of 120"
    assert page.locator("#results tbody tr").count() == 50
    cell = page.locator("#results tbody tr >> nth=0").locator("td >> nth=1")
    assert cell.get_attribute("class") == "num"
    assert cell.evaluate("td => getComputedStyle(td).textAlign") == "right"
    page.click("#next")
    page.wait_for_function("() => document.getElementById('page-info').textContent.includes('51')")
    assert page.text_content("#page-info") == "rows 51–100 of 120"


def test_label_and_number_answer_has_a_bar_chart(bench: Workbench) -> None:
    page = bench.open()
    set_query(
        page,
        "SELECT ?label (COUNT(?e) AS ?n) WHERE { ?e a ?type . ?type rdfs:label ?label }\n"
        "GROUP BY ?label ORDER BY DESC(?n) LIMIT 5",
    )
    run(page)
    page.click("[data-view=chart]")
    page.wait_for_selector("svg.chart rect")
    assert page.locator("svg.chart rect").count() == 5
    set_query(page, "SELECT ?m WHERE { kg:LegCramp medkg:affects ?m }")
    run(page)
    assert page.locator("[data-view=chart]").is_hidden()


def test_graph_view_draws_the_answer_in_the_explorer(bench: Workbench) -> None:
    from medkg.server.explore import explorer_available

    if not explorer_available():
        pytest.skip("the viz extra is not installed")
    page = bench.open()
    query = "SELECT ?m WHERE { kg:LegCramp medkg:affects ?m }"
    set_query(page, query)
    run(page)
    page.click("[data-view=graph]")
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert page.url.startswith(bench.server.url + "explore?query=")
    drawn = page.evaluate("() => window.medkgExplorer.visibleNodeIds()")
    assert "https://w3id.org/medkg/entity/Hamstrings" in drawn


# --- downloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "accept"),
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("json", "application/sparql-results+json"),
    ],
)
def test_select_downloads_are_the_endpoints_bytes(
    bench: Workbench, server: Server, button: str, accept: str
) -> None:
    query = (
        "SELECT ?m ?label WHERE { kg:LegCramp medkg:affects ?m . ?m rdfs:label ?label }\n"
        "ORDER BY ?m"
    )
    check_download(bench, server, query, button, accept)


def test_construct_downloads_turtle(bench: Workbench, server: Server) -> None:
    query = "CONSTRUCT { kg:LegCramp medkg:affects ?m } WHERE { kg:LegCramp medkg:affects ?m }"
    page = check_download(bench, server, query, "turtle", "text/turtle")
    assert page.locator("[data-download=csv]").is_hidden()


def check_download(bench: Workbench, server: Server, query: str, button: str, accept: str) -> Any:
    page = bench.open()
    set_query(page, query)
    run(page)
    with page.expect_download() as info:
        page.click(f"[data-download={button}]")
    saved = bench.downloads / f"download.{button}"
    info.value.save_as(saved)
    direct = httpx.post(
        server.url + "sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    assert direct.status_code == 200
    assert saved.read_bytes() == direct.content
    return page


# --- sharing and history ------------------------------------------------------------------------


def test_a_shared_link_reopens_the_query_and_its_answer(bench: Workbench) -> None:
    page = bench.open()
    query = (
        "SELECT ?m ?label WHERE {\n  kg:LegCramp medkg:affects ?m . ?m rdfs:label ?label\n}\n"
        "ORDER BY ?label"
    )
    set_query(page, query)
    run(page)
    link = page.url
    assert "#query=" in link
    shown = table_rows(page)
    other = bench.open(link.removeprefix(bench.server.url))
    other.wait_for_selector("#results tbody tr")
    assert editor_text(other) == query
    assert table_rows(other) == shown
    # The query is also kept in this browser's recent queries.
    assert other.locator("#recent button").first.get_attribute("title") == query


# --- refusals and hostile data ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "INSERT DATA { kg:A kg:b kg:C }",
    ],
    ids=["service", "update"],
)
def test_service_and_update_show_the_servers_refusal(
    bench: Workbench, server: Server, query: str
) -> None:
    refusal = server.sparql(query)
    assert refusal.status_code == 403
    page = bench.open()
    set_query(page, query)
    page.wait_for_selector(".cm-lintRange-error")
    run(page)
    shown = page.text_content("#results .error")
    assert shown == f"The server answered 403: {refusal.text.strip()}"


def test_hostile_labels_are_shown_as_text(
    browser: Any, hostile_server: Server, tmp_path: Path
) -> None:
    bench = Workbench(browser, hostile_server, tmp_path)
    try:
        page = bench.open()
        set_query(
            page,
            "SELECT ?e ?name WHERE { ?e rdfs:label|skos:altLabel ?name }\nVALUES ?e { kg:Hostile }",
        )
        run(page)
        rows = table_rows(page)
        assert sorted(rows) == sorted(
            [[f"kg:Hostile | {XSS_LABEL}", XSS_LABEL], [f"kg:Hostile | {XSS_LABEL}", SCRIPT_LABEL]]
        )
        set_query(page, "SELECT * WHERE { ", "onerror")
        assert (XSS_LABEL, "kg:Hostile") in completions(page, "onerror")
        assert page.locator("#results img, #results script, .cm-tooltip img").count() == 0
        assert page.evaluate("() => window.__xss") is None
        assert json.loads(page.text_content("#example-data"))  # the page still parses
    finally:
        bench.context.close()
    assert bench.events == []


# --- the page's JSON endpoints, over HTTP ------------------------------------------------------


def test_lint_endpoint_places_the_librarys_warnings(server: Server, kg: KnowledgeGraph) -> None:
    from medkg.lint import unknown_terms

    query = (
        "SELECT ?m WHERE {\n  # medkg:afects in a comment is not a use\n"
        "  kg:LegCrmp medkg:afects ?m .\n  ?m a <https://w3id.org/medkg/schema/Muscel>\n}"
    )
    response = httpx.post(
        server.url + "api/lint",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 200
    found = [(d["line"], d["column"], d["message"]) for d in response.json()]
    typo = "medkg:afects is not in the schema; did you mean medkg:affects?"
    iri = "<https://w3id.org/medkg/schema/Muscel> is not in the schema; did you mean medkg:Muscle?"
    assert sorted(unknown_terms(kg, query)) == sorted([typo, iri])  # the CLI's words
    assert found == [
        (3, 3, "kg:LegCrmp is not in the graph; did you mean kg:LegCramp?"),
        (3, 14, typo),
        (4, 8, iri),
    ]


def test_vocabulary_endpoint_lists_terms_with_labels(server: Server, kg: KnowledgeGraph) -> None:
    vocabulary = server.get("api/vocabulary").json()
    classes = {t["curie"]: t for t in vocabulary["classes"]}
    definition = kg.query("SELECT ?d WHERE { medkg:Muscle skos:definition ?d }").rows
    assert classes["medkg:Muscle"]["definition"] == (str(definition[0][0]) if definition else "")
    entities = {e["curie"]: e for e in vocabulary["entities"]}
    assert "Charley horse" in entities["kg:LegCramp"]["names"]
    assert vocabulary["prefixes"]["kg"] == "https://w3id.org/medkg/entity/"
