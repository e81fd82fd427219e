"""The explorer page, without a browser: self-containment, data, filters, escaping, CLI."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medkg import KnowledgeGraph, load
from medkg.cli import app
from medkg.errors import EntityNotFoundError, ExportError, MedkgError, QueryError
from medkg.namespaces import KG
from medkg.resources import bundled_data_files

pytest.importorskip("networkx")
pytest.importorskip("jinja2")
pytest.importorskip("pyvis")

from hostile_data import HOSTILE_TURTLE, SCRIPT_LABEL, XSS_LABEL  # noqa: E402
from medkg.layout import SPRING_LAYOUT_LIMIT  # noqa: E402 - after the skips
from medkg.viz import (  # noqa: E402 - after the skips: needs the viz extra
    Explorer,
    ExplorerError,
    explorer_from_networkx,
    visualize,
)


class _Collector(HTMLParser):
    """Collect every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


def embedded_data(page: str) -> dict[str, Any]:
    """Read the page's JSON the way its script does: the element's text, then JSON.parse."""
    for attrs, text in parse(page).scripts:
        if attrs.get("type") == "application/json" and attrs.get("id") == "medkg-data":
            return json.loads(text)  # type: ignore[no-any-return]
    raise AssertionError("no embedded data block")


def node_ids(page: Explorer) -> set[str]:
    return {node["id"] for node in embedded_data(page.html)["nodes"]}


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return load()


@pytest.fixture(scope="module")
def page(kg: KnowledgeGraph) -> Explorer:
    return visualize(kg)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "hostile.ttl"
    path.write_text(HOSTILE_TURTLE, encoding="utf-8")
    return path


# ------------------------------------------------------------------ self-contained page


def test_page_loads_nothing_from_anywhere(page: Explorer) -> None:
    for tag, attrs in parse(page.html).tags:
        for name in ("src", "href", "data", "action", "srcset"):
            value = attrs.get(name)
            assert value is None, f"<{tag} {name}={value!r}> would load or link something"
    assert not [tag for tag, _ in parse(page.html).tags if tag in ("link", "iframe", "img")]
    assert not re.search(r"<(script|link|img)[^>]+(src|href)\s*=\s*[\"']?https?:", page.html, re.I)


def test_page_inlines_vis_network_and_our_script(page: Explorer) -> None:
    scripts = [text for attrs, text in parse(page.html).scripts if "type" not in attrs]
    assert len(scripts) == 2
    assert "vis-network" in scripts[0]
    assert "medkgExplorer" in scripts[1]
    assert ".vis-network" in page.html  # vis' stylesheet, inlined


def test_content_security_policy_forbids_remote_loads(page: Explorer) -> None:
    metas = [a for t, a in parse(page.html).tags if t == "meta" and a.get("http-equiv")]
    assert len(metas) == 1 and metas[0]["http-equiv"] == "Content-Security-Policy"
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in str(metas[0]["content"]).split(";")
    )
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_csp_allows_exactly_the_inline_scripts(page: Explorer) -> None:
    # Chromium runs an inline script only if its hash is listed; a stray byte would block it.
    meta = next(a for t, a in parse(page.html).tags if t == "meta" and a.get("http-equiv"))
    allowed = re.findall(r"'(sha256-[^']+)'", str(meta["content"]))
    scripts = [text for attrs, text in parse(page.html).scripts if "type" not in attrs]
    digests = [
        "sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts
    ]
    assert digests == allowed


# ------------------------------------------------------------------ data


def test_embedded_data_has_the_network_views_counts(kg: KnowledgeGraph, page: Explorer) -> None:
    network = kg.to_networkx()
    data = embedded_data(page.html)
    assert len(data["nodes"]) == network.number_of_nodes() == page.node_count
    assert len(data["edges"]) == network.number_of_edges() == page.edge_count
    assert {n["id"] for n in data["nodes"]} == set(network.nodes)
    assert f"{page.node_count} entities" in page.html


def test_nodes_carry_their_card(page: Explorer) -> None:
    data = embedded_data(page.html)
    leg_cramp = next(n for n in data["nodes"] if n["id"] == str(KG.LegCramp))
    assert leg_cramp["label"] == "leg cramp"
    assert "Charley horse" in leg_cramp["synonyms"]
    assert leg_cramp["kind"] == "medkg:Condition"
    assert leg_cramp["definition"]
    assert all(url.startswith("http") for url in leg_cramp["external_ids"])
    baclofen = next(n for n in data["nodes"] if n["id"] == str(KG.Baclofen))
    assert baclofen["brand_names"] == ["Lioresal"]


def test_edges_carry_relation_direction_and_evidence(page: Explorer) -> None:
    data = embedded_data(page.html)
    edge = next(
        e
        for e in data["edges"]
        if e["from"] == str(KG.BetaAgonists) and e["to"] == str(KG.LegCramp)
    )
    assert edge["label"] == "may trigger"
    assert edge["predicate"] == "medkg:mayTrigger"
    assert edge["evidence"][0]["source_curie"] == "kg:Young2015"
    assert "beta-agonists" in edge["evidence"][0]["quote"]


def test_legend_lists_each_kind_present_once_with_its_count(page: Explorer) -> None:
    data = embedded_data(page.html)
    legend = {k["kind"]: k for k in data["kinds"]}
    kinds = [n["kind"] for n in data["nodes"]]
    assert set(legend) == set(kinds)
    assert all(legend[k]["count"] == kinds.count(k) for k in legend)
    assert legend["medkg:Drug"]["name"] == "drug"
    colours = [k["color"] for k in data["kinds"]]
    assert len(set(colours)) == len(colours), "every kind has a colour of its own"


def test_every_node_has_a_position_and_labels_do_not_pile_up(page: Explorer) -> None:
    data = embedded_data(page.html)
    positions = {(n["x"], n["y"]) for n in data["nodes"]}
    assert len(positions) == len(data["nodes"])


# ------------------------------------------------------------------ choosing what to draw


def test_focus_depth_one_is_the_direct_neighbourhood(kg: KnowledgeGraph) -> None:
    page = visualize(kg, focus="beta-agonists", depth=1)
    assert node_ids(page) == {str(KG.BetaAgonists), str(KG.LegCramp), str(KG.CertainDrugs)}
    data = embedded_data(page.html)
    assert data["focus"] == str(KG.BetaAgonists)
    assert "neighbourhood of beta-agonists" in page.html


def test_focus_depth_follows_relations_both_ways(kg: KnowledgeGraph) -> None:
    assert node_ids(visualize(kg, focus="beta agonists", depth=0)) == {str(KG.BetaAgonists)}
    two_hops = node_ids(visualize(kg, focus="kg:BetaAgonists", depth=2))
    # Leg cramp's other neighbours and certain drugs' other member are two hops away.
    assert {str(KG.PotassiumSparingDiuretics), str(KG.Gastrocnemius)} <= two_hops
    assert str(KG.Baclofen) not in two_hops  # three hops: baclofen → muscle relaxants → …


def test_focus_default_depth_is_one(kg: KnowledgeGraph) -> None:
    assert node_ids(visualize(kg, focus="Lioresal")) == {str(KG.Baclofen), str(KG.MuscleRelaxants)}


def test_types_keep_only_the_listed_kinds(kg: KnowledgeGraph) -> None:
    drugs = visualize(kg, types=["drug"])
    assert node_ids(drugs) == {str(KG.Baclofen), str(KG.Carisoprodol), str(KG.Metaxalone)}
    assert drugs.edge_count == 0
    classes = embedded_data(visualize(kg, types=["DrugClass", "medkg:Drug"]).html)
    assert {n["kind"] for n in classes["nodes"]} == {"medkg:Drug", "medkg:DrugClass"}
    assert classes["edges"], "relations among the kept entities stay"


def test_type_names_are_tolerant(kg: KnowledgeGraph) -> None:
    expected = node_ids(visualize(kg, types=["drug class"]))
    for name in ("Drug-Class", "DrugClass", "medkg:DrugClass", "DRUG CLASS"):
        assert node_ids(visualize(kg, types=[name])) == expected


def test_types_match_every_type_not_only_the_colour(kg: KnowledgeGraph) -> None:
    # Diseases are coloured as risk factors, yet --types disease finds them.
    ids = node_ids(visualize(kg, types=["disease"]))
    assert str(KG.AddisonDisease) in ids
    assert str(KG.Baclofen) not in ids


def test_types_with_focus_keep_the_focus(kg: KnowledgeGraph) -> None:
    ids = node_ids(visualize(kg, focus="muscle relaxants", depth=1, types=["drug"]))
    assert ids == {
        str(KG.MuscleRelaxants),
        str(KG.Baclofen),
        str(KG.Carisoprodol),
        str(KG.Metaxalone),
    }


def test_construct_query_draws_the_entities_of_its_triples(kg: KnowledgeGraph) -> None:
    page = visualize(
        kg,
        query="CONSTRUCT { ?d medkg:memberOf ?c } WHERE { ?d medkg:memberOf kg:MuscleRelaxants ."
        " BIND(kg:MuscleRelaxants AS ?c) }",
    )
    assert node_ids(page) == {
        str(KG.MuscleRelaxants),
        str(KG.Baclofen),
        str(KG.Carisoprodol),
        str(KG.Metaxalone),
    }
    assert page.edge_count == 3


def test_select_query_draws_every_bound_iri_with_relations_among_them(
    kg: KnowledgeGraph,
) -> None:
    page = visualize(kg, query="SELECT ?x ?y WHERE { ?x medkg:memberOf ?y . ?y a medkg:DrugClass }")
    ids = node_ids(page)
    assert {str(KG.BetaAgonists), str(KG.CertainDrugs), str(KG.Baclofen)} <= ids
    assert str(KG.LegCramp) not in ids
    assert page.edge_count >= 5


def test_query_from_an_rq_file(kg: KnowledgeGraph) -> None:
    rq = next(p for p in bundled_data_files()[0].parent.glob("queries/triggering-drugs.rq"))
    ids = node_ids(visualize(kg, query=str(rq)))
    assert str(KG.BetaAgonists) in ids and str(KG.PotassiumSparingDiuretics) in ids


def test_focus_must_be_among_the_query_entities(kg: KnowledgeGraph) -> None:
    with pytest.raises(ExplorerError, match="not among"):
        visualize(kg, query="SELECT ?x WHERE { ?x a medkg:Drug }", focus="leg cramp")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        pytest.param({"focus": "no such thing"}, EntityNotFoundError, "no entity", id="focus"),
        pytest.param({"types": ["drugz"]}, ExplorerError, "known types: .*drug class", id="type"),
        pytest.param({"query": "SELECT ?x WHERE { ?x ?y }"}, QueryError, "syntax", id="query"),
        pytest.param({"query": "ASK { ?s ?p ?o }"}, QueryError, "ASK", id="ask"),
        pytest.param({"query": "missing.rq"}, QueryError, "cannot read", id="rq-file"),
        pytest.param({"depth": 2}, ExplorerError, "needs --focus", id="depth-alone"),
        pytest.param(
            {"focus": "leg cramp", "depth": -1}, ExplorerError, "0 or more", id="negative-depth"
        ),
    ],
)
def test_bad_options_raise_medkg_errors(
    kg: KnowledgeGraph, options: dict[str, Any], error: type[MedkgError], message: str
) -> None:
    with pytest.raises(error, match=message):
        visualize(kg, **options)


def test_empty_selection_draws_an_empty_page(kg: KnowledgeGraph) -> None:
    page = visualize(kg, query="SELECT ?x WHERE { ?x a medkg:Nothing }")
    assert page.node_count == 0 and page.edge_count == 0
    assert "Nothing to draw" in page.html


# ------------------------------------------------------------------ escaping


def test_hostile_labels_are_escaped_in_the_raw_html(hostile: Path) -> None:
    kg = load([hostile])
    page = visualize(kg)
    assert page.node_count == 57
    assert "<img src=x onerror" not in page.html
    assert "window.__xss=2</script>" not in page.html
    assert "<b>bold</b>" not in page.html
    data = embedded_data(page.html)
    node = next(n for n in data["nodes"] if n["id"] == str(KG.Hostile))
    assert node["label"] == XSS_LABEL  # JSON.parse gives the text back unchanged
    assert node["synonyms"] == [SCRIPT_LABEL]
    assert node["definition"] == "Tom & Jerry's <b>bold</b> claim"


def test_hostile_label_in_the_title_is_escaped(hostile: Path) -> None:
    page = visualize(load([hostile]), focus="kg:Hostile")
    assert "<img src=x onerror" not in page.html
    title = page.html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "&lt;img src=x onerror=" in title
    assert XSS_LABEL in html.unescape(title)


def test_title_is_escaped(kg: KnowledgeGraph) -> None:
    page = visualize(kg, focus="leg cramp", title="<script>alert(1)</script>")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page.html


# ------------------------------------------------------------------ result object


def test_repr_html_is_a_sandboxed_iframe_with_the_escaped_page(page: Explorer) -> None:
    shown = page._repr_html_()
    match = re.fullmatch(r'<iframe sandbox="([^"]*)"[^>]*srcdoc="([^"]*)"></iframe>', shown)
    assert match, shown[:200]
    assert "allow-scripts" in match.group(1) and "allow-same-origin" not in match.group(1)
    assert html.unescape(match.group(2)) == page.html


def test_save_writes_the_page_atomically(page: Explorer, tmp_path: Path) -> None:
    target = tmp_path / "explorer.html"
    target.write_text("old")
    assert page.save(target) == target
    assert target.read_text(encoding="utf-8") == page.html
    assert [p.name for p in tmp_path.iterdir()] == ["explorer.html"], "no temporary file left"


def test_save_to_a_missing_folder_raises_export_error(page: Explorer, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        page.save(tmp_path / "missing" / "explorer.html")


def test_knowledge_graph_visualize_delegates(kg: KnowledgeGraph) -> None:
    page = kg.visualize(focus="beta-agonists", depth=1)
    assert isinstance(page, Explorer) and page.node_count == 3


# ------------------------------------------------------------------ large networks


def synthetic_network(size: int) -> Any:
    import networkx as nx

    kinds = ["medkg:RiskFactor", "medkg:Drug", "medkg:Symptom", "medkg:Condition"]
    network = nx.MultiDiGraph()
    for i in range(size):
        network.add_node(f"urn:n{i}", label=f"entity {i}", kind=kinds[i % 4], types=[kinds[i % 4]])
    for i in range(1, size):
        network.add_edge(
            f"urn:n{i}",
            f"urn:n{i // 3}",
            key="medkg:affects",
            predicate="medkg:affects",
            label="affects",
            evidence=[],
        )
    return network


def test_large_network_is_laid_out_without_physics(tmp_path: Path) -> None:
    network = synthetic_network(SPRING_LAYOUT_LIMIT + 200)
    page = explorer_from_networkx(network)
    data = embedded_data(page.html)
    assert data["large"] is True
    assert len(data["nodes"]) == network.number_of_nodes()
    assert len(data["edges"]) == network.number_of_edges()
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])


# ------------------------------------------------------------------ command line


def error_lines(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_cli_writes_the_page(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    result = runner.invoke(app, ["viz", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "56 entities" in result.stderr
    assert len(embedded_data(target.read_text(encoding="utf-8"))["nodes"]) == 56


def test_cli_focus_depth_and_types(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    result = runner.invoke(
        app,
        [
            "viz",
            "-o",
            str(target),
            "--focus",
            "leg cramp",
            "--depth",
            "1",
            "--types",
            "drug class, symptom",
        ],
    )
    assert result.exit_code == 0, result.output
    kinds = {n["kind"] for n in embedded_data(target.read_text(encoding="utf-8"))["nodes"]}
    assert kinds == {"medkg:Condition", "medkg:DrugClass", "medkg:Symptom"}


def test_cli_query_file(runner: CliRunner, tmp_path: Path) -> None:
    rq = tmp_path / "drugs.rq"
    rq.write_text("CONSTRUCT { ?d a medkg:Drug } WHERE { ?d a medkg:Drug }")
    target = tmp_path / "page.html"
    result = runner.invoke(app, ["viz", "-o", str(target), "--query", str(rq)])
    assert result.exit_code == 0, result.output
    assert len(embedded_data(target.read_text(encoding="utf-8"))["nodes"]) == 3


def test_cli_data_file_with_hostile_labels(
    runner: CliRunner, tmp_path: Path, hostile: Path
) -> None:
    target = tmp_path / "page.html"
    result = runner.invoke(app, ["--data", str(hostile), "viz", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "<img src=x onerror" not in target.read_text(encoding="utf-8")


def test_cli_unknown_focus_is_one_line_and_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    # Nothing found exits 1 (medkg.errors.EntityNotFoundError), as `medkg show` does.
    result = runner.invoke(app, ["viz", "--focus", "no such thing", "-o", str(tmp_path / "p.html")])
    assert result.exit_code == 1, result.output
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert "no entity named" in lines[0]
    assert not (tmp_path / "p.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--query", "SELECT ?x WHERE { ?x ?y }"], "query:1:", id="query"),
        pytest.param(["--types", "drug,drugz"], "known types:", id="type"),
        pytest.param(["--depth", "2"], "--depth needs --focus", id="depth"),
        pytest.param(["-o", "/nonexistent-folder/page.html"], "does not exist", id="output"),
    ],
)
def test_cli_bad_input_gives_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    if "-o" not in args:
        args = [*args, "-o", str(tmp_path / "page.html")]
    result = runner.invoke(app, ["viz", *args])
    # An unknown entity is "nothing found" (exit 1, as in show and search); the rest exit 2.
    assert result.exit_code == (1 if message == "no entity named" else 2), result.output
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert not (tmp_path / "page.html").exists()
