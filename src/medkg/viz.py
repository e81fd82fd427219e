"""The explorer: the network view as one self-contained, offline HTML page.

:func:`visualize` draws a :class:`~medkg.graph.KnowledgeGraph` (or a part of it: a
neighbourhood, the entities of a query, some kinds); :func:`explorer_from_networkx` draws any
network in the shape of :func:`medkg.network.to_networkx`. Both return an :class:`Explorer`,
which saves the page (atomically) and shows itself inline in Jupyter.

The page carries everything inline: vis-network's script and style (taken from the copy that
pyvis bundles), our own template, style and script, and the data. It makes no network request:
a Content-Security-Policy forbids every remote load and allows only the page's own scripts, by
hash. pyvis' own template is not used, because it loads Bootstrap and vis from CDNs and writes
data into the page as HTML. Here the data travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, and the page's
script puts every text from it into the DOM with ``textContent``, so a label such as
``<img src=x onerror=alert(1)>`` is shown as text and runs nothing.

Layout is computed here, not in the browser: a seeded spring layout for networks up to
:data:`SPRING_LAYOUT_LIMIT` nodes, and for larger ones a linear-time layout that groups nodes
by kind, so a 5,000-node page draws at once. Physics is off, so nothing drifts or needs to
settle.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib.term import URIRef

from medkg.entities import compact, describe_many, normalise
from medkg.errors import ExplorerError, QueryError
from medkg.evidence import EvidenceItem, explain, qualifiers_of
from medkg.layout import LABEL_WIDTH, SPRING_LAYOUT_LIMIT, layout, node_size
from medkg.network import network_neighbourhood

if TYPE_CHECKING:
    from markupsafe import Markup

    from medkg.graph import KnowledgeGraph

__all__ = [
    "KIND_STYLES",
    "Explorer",
    "ExplorerError",
    "KindStyle",
    "explorer_from_networkx",
    "select_view",
    "visualize",
]

#: The vis-network copy inside the pyvis package whose script and style are inlined.
VIS_ASSET_FOLDER = "lib/vis-9.1.2"

#: The page's policy: nothing may be loaded from anywhere; only the page's own scripts (their
#: hashes are appended) and inline styles run; images only from ``data:`` URLs (vis' CSS).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; script-src"
)


@dataclass(frozen=True)
class KindStyle:
    """How the page draws one kind of entity: legend name, fill colour, vis-network shape."""

    name: str
    color: str
    shape: str


#: Colour and shape per kind (a class CURIE, see :data:`medkg.network.KIND_PRECEDENCE`), in
#: legend order. Shapes repeat across kinds of one family (triangles for remedies, squares
#: for treatments and sources …) so the picture still reads for colour-blind students.
KIND_STYLES: dict[str, KindStyle] = {
    "medkg:Condition": KindStyle("condition", "#d62728", "star"),
    "medkg:Disease": KindStyle("disease", "#e377c2", "dot"),
    "medkg:PhysiologicalState": KindStyle("physiological state", "#f7b6d2", "dot"),
    "medkg:RiskFactor": KindStyle("risk factor", "#ff7f0e", "triangleDown"),
    "medkg:Activity": KindStyle("activity", "#ffbb78", "triangleDown"),
    "medkg:MedicalProcedure": KindStyle("medical procedure", "#c7a36b", "triangleDown"),
    "medkg:Symptom": KindStyle("symptom", "#9467bd", "diamond"),
    "medkg:Muscle": KindStyle("muscle", "#8c564b", "square"),
    "medkg:AnatomicalEntity": KindStyle("anatomical entity", "#c49c94", "square"),
    "medkg:Drug": KindStyle("drug", "#1f77b4", "dot"),
    "medkg:DrugClass": KindStyle("drug class", "#17becf", "hexagon"),
    "medkg:ClinicalTreatment": KindStyle("clinical treatment", "#2ca02c", "square"),
    "medkg:Treatment": KindStyle("treatment", "#98df8a", "square"),
    "medkg:HomeRemedy": KindStyle("home remedy", "#b5b800", "triangle"),
    "medkg:Technique": KindStyle("technique", "#5fa55a", "triangle"),
    "medkg:OccurrenceContext": KindStyle("occurrence context", "#7f7f7f", "diamond"),
    "medkg:Advice": KindStyle("advice", "#393b79", "star"),
    "medkg:ScholarlyArticle": KindStyle("scholarly article", "#6b6ecf", "square"),
    "medkg:WebPage": KindStyle("web page", "#9c9ede", "square"),
    "medkg:Source": KindStyle("source", "#5254a3", "square"),
    "medkg:Entity": KindStyle("entity", "#bdbdbd", "dot"),
}

#: Colours for kinds from a user's own extension of the schema, given out in sorted order.
EXTRA_KIND_COLORS = ("#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d")


# ------------------------------------------------------------------ the result


class Explorer:
    """One rendered explorer page: save it, or let Jupyter show it inline.

    :param html: the complete, self-contained page.
    :param node_count: how many entities the page draws.
    :param edge_count: how many relations the page draws.
    """

    def __init__(self, html: str, *, node_count: int, edge_count: int) -> None:
        self.html = html
        self.node_count = node_count
        self.edge_count = edge_count

    def __repr__(self) -> str:
        return f"<Explorer {self.node_count} entities, {self.edge_count} relations>"

    def save(self, path: str | Path) -> Path:
        """Write the page to *path*, all or nothing (temporary file, fsync, rename).

        :param path: the target file, usually ``….html``; its folder must exist.
        :returns: the path written.
        :raises ExportError: the file cannot be written; a previous file is left untouched.
        """
        from medkg.atomicio import atomic_write

        target = Path(path)
        atomic_write(target, self.html.encode("utf-8"))
        return target

    def _repr_html_(self) -> str:
        """Show the page in a notebook: a sandboxed iframe whose ``srcdoc`` is the page."""
        # The sandbox gives the page an opaque origin: its scripts run, but cannot touch the
        # notebook. Popups are allowed so that external-ID links open in a new tab.
        return (
            '<iframe sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
            'style="width:100%;height:640px;border:1px solid #ddd" '
            f'title="medkg explorer" srcdoc="{html.escape(self.html, quote=True)}"></iframe>'
        )


# ------------------------------------------------------------------ entry points


def visualize(
    kg: KnowledgeGraph,
    *,
    focus: str | None = None,
    depth: int | None = None,
    query: str | None = None,
    types: Sequence[str] | None = None,
    title: str | None = None,
) -> Explorer:
    """Draw *kg*, or the part of it that the options select, as an explorer page.

    >>> from medkg import load
    >>> page = visualize(load(), focus="beta-agonists", depth=1)
    >>> page.node_count
    3
    >>> "Content-Security-Policy" in page.html
    True

    :param kg: the knowledge graph.
    :param focus: draw only the neighbourhood of this entity (a label, synonym, CURIE or IRI).
    :param depth: how many hops around *focus*, following relations in either direction
        (default 1; needs *focus*).
    :param query: draw the entities of a SPARQL query: those in a CONSTRUCT / DESCRIBE result's
        triples, or every IRI bound in a SELECT result, with the relations among them. Query
        text, or the path of a ``.rq`` file.
    :param types: keep only entities of these types (class names such as ``drug class``,
        ``DrugClass`` or ``medkg:DrugClass``); the focus entity is always kept.
    :param title: the page's title; by default it says what is drawn.
    :returns: the page, ready to :meth:`~Explorer.save` or to show in a notebook.
    :raises EntityNotFoundError: *focus* names no entity.
    :raises AmbiguousEntityError: *focus* names several entities.
    :raises QueryError: *query* cannot be read, parsed or run, or is an ASK query.
    :raises ExplorerError: an unknown type, a negative depth, *depth* without *focus*, or a
        missing ``viz`` extra.
    """
    # Resolve the name once; select_view then finds the IRI without a second name search.
    focus_iri = str(kg.entity(focus).iri) if focus is not None else None
    network = _network_to_draw(kg, focus_iri, depth, query)
    view = select_view(kg, network, focus=focus_iri, depth=depth, query=query, types=types)
    return explorer_from_networkx(
        view, title=title or _default_title(view, focus_iri, depth, query, types), focus=focus_iri
    )


def _network_to_draw(
    kg: KnowledgeGraph, focus: str | None, depth: int | None, query: str | None
) -> Any:
    """Read from the store only the part of the network the page may draw.

    A query's entities, or a focus entity's neighbourhood, are read with queries bounded by
    them; only a page of the whole graph reads the whole network.
    """
    from medkg.network import neighbourhood, network_of, to_networkx

    if depth is not None and (focus is None or depth < 0):
        return None  # select_view says what is wrong with the options
    if query is not None:
        return network_of(kg, query_entities(kg, query))
    if focus is not None:
        described: dict[Any, Any] = {}
        around = neighbourhood(kg, focus, 1 if depth is None else depth, described=described)
        return network_of(kg, around, described=described)
    return to_networkx(kg)


def explorer_from_networkx(
    network: Any, *, title: str = "medkg explorer", focus: str | None = None
) -> Explorer:
    """Draw a network in the shape of :func:`medkg.network.to_networkx` as an explorer page.

    Time and page size grow linearly with the network above :data:`SPRING_LAYOUT_LIMIT` nodes.

    :param network: a ``networkx.MultiDiGraph`` (or a view of one) with medkg's node and edge
        attributes; missing attributes are tolerated.
    :param title: the page's title.
    :param focus: the IRI of a node to select when the page opens.
    :returns: the page.
    :raises ExplorerError: jinja2 or pyvis (the ``viz`` extra) is not installed.
    """
    positions = layout(network)
    data = page_data(network, positions, focus=focus)
    page = render_page(data, title=title)
    return Explorer(page, node_count=len(data["nodes"]), edge_count=len(data["edges"]))


# ------------------------------------------------------------------ choosing what to draw


def select_view(
    kg: KnowledgeGraph,
    network: Any,
    *,
    focus: str | None = None,
    depth: int | None = None,
    query: str | None = None,
    types: Sequence[str] | None = None,
) -> Any:
    """Return the part of *network* to draw: query first, then neighbourhood, then types.

    :param kg: the knowledge graph *network* was made from (for names, queries, classes).
    :param network: its network view, or the part of it that holds every node to draw.
    :param focus: see :func:`visualize`.
    :param depth: see :func:`visualize`.
    :param query: see :func:`visualize`.
    :param types: see :func:`visualize`.
    :returns: *network* itself, or a subgraph view of it.
    :raises EntityNotFoundError: *focus* names no entity.
    :raises AmbiguousEntityError: *focus* names several entities.
    :raises QueryError: the query cannot be read, parsed or run.
    :raises ExplorerError: an unknown type, a bad depth, or a focus outside the query result.
    """
    if depth is not None and focus is None:
        raise ExplorerError("--depth needs --focus: say whose neighbourhood to draw")
    if depth is not None and depth < 0:
        raise ExplorerError(f"depth must be 0 or more, not {depth}")
    centre = str(kg.entity(focus).iri) if focus is not None else None
    view = network
    if query is not None:
        view = view.subgraph(query_entities(kg, query, view))
    if centre is not None:
        if centre not in view:
            raise ExplorerError(f"{compact(centre)} is not among the entities the query selects")
        hops = 1 if depth is None else depth
        view = view.subgraph(network_neighbourhood(view, centre, hops))
    if types is not None:
        wanted = resolve_kinds(kg, types, view)
        keep = [
            node
            for node, data in view.nodes(data=True)
            if wanted & {data.get("kind"), *data.get("types", ())}
        ]
        if centre is not None:
            keep.append(centre)
        view = view.subgraph(keep)
    return view


def query_entities(kg: KnowledgeGraph, query: str, network: Any = None) -> set[str]:
    """Return the entities that a query's result mentions.

    :param kg: the knowledge graph to query.
    :param query: SPARQL text, or the path of a ``.rq`` / ``.sparql`` file.
    :param network: the network whose nodes count; by default, every entity of *kg* (asked
        of the store about the IRIs of the result only).
    :returns: IRIs of the entities in the result's triples (CONSTRUCT, DESCRIBE) or bound in
        its rows (SELECT).
    :raises QueryError: the query cannot be read, parsed or run, or is an ASK query.
    """
    text, source = read_query(query)
    result = kg.query(text, source=source)
    if result.kind == "ASK":
        raise QueryError(
            "an ASK query answers yes or no; draw a CONSTRUCT or SELECT", source=source
        )
    if result.graph is not None:
        terms: Iterable[Any] = (t for s, _, o in result.graph for t in (s, o))
    else:
        terms = (term for row in result.rows for term in row)
    iris = {t for t in terms if isinstance(t, URIRef)}
    if network is None:
        return {str(iri) for iri in describe_many(kg, iris)}
    return {str(iri) for iri in iris if str(iri) in network}


def read_query(query: str) -> tuple[str, str | None]:
    """Return the query text and the file it came from, if *query* names a query file.

    :param query: SPARQL text, or a path ending in ``.rq`` / ``.sparql`` (or any existing
        file).
    :returns: ``(text, file name or None)``.
    :raises QueryError: the file cannot be read.
    """
    stripped = query.strip()
    if not _looks_like_path(stripped):
        return query, None
    path = Path(stripped)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise QueryError(f"cannot read the query: {reason}", source=str(path)) from None


def _looks_like_path(text: str) -> bool:
    """Tell a query file's name from query text (which has spaces or braces)."""
    if not text or any(c in text for c in "{}\n"):
        return False
    if text.lower().endswith((".rq", ".sparql")):
        return True
    try:
        return Path(text).is_file()
    except OSError:  # a name too long for the file system is query text
        return False


def resolve_kinds(kg: KnowledgeGraph, names: Iterable[str], network: Any) -> set[str]:
    """Turn type names (``drug class``, ``DrugClass``, ``medkg:DrugClass``) into class CURIEs.

    :param kg: the knowledge graph, whose schema says which classes exist.
    :param names: the names given.
    :param network: the network, whose nodes' kinds and types are known too.
    :returns: the class CURIEs.
    :raises ExplorerError: a name matches no class; the message lists the known kinds.
    """
    known = known_kinds(kg, network)
    wanted = set()
    for name in names:
        curie = known.get(normalise(name)) or known.get(name.strip())
        if curie is None:
            from medkg.suggest import did_you_mean

            kinds = sorted({_kind_name(c) for c in known.values()})
            raise ExplorerError(
                f"unknown entity type {name!r}{did_you_mean(name, kinds)}; "
                f"known types: {', '.join(kinds)}"
            )
        wanted.add(curie)
    return wanted


def known_kinds(kg: KnowledgeGraph, network: Any) -> dict[str, str]:
    """Map every accepted spelling of a class name to its CURIE.

    :param kg: the knowledge graph (classes below ``medkg:Entity``).
    :param network: the network (kinds and types of its nodes).
    :returns: ``{normalised name, local name or CURIE: CURIE}``.
    """
    rows = kg.query("SELECT DISTINCT ?c WHERE { ?c rdfs:subClassOf* medkg:Entity }").rows
    curies = {compact(str(row[0])) for row in rows}
    curies |= set(KIND_STYLES)
    for _, data in network.nodes(data=True):
        curies.add(data.get("kind", "medkg:Entity"))
    known = {}
    for curie in curies:
        local = curie.rpartition(":")[2].rpartition("/")[2]
        for spelling in (curie, local, _kind_name(curie)):
            known[normalise(spelling)] = curie
            known[spelling] = curie
    return known


def _default_title(
    view: Any, focus: str | None, depth: int | None, query: str | None, types: Any
) -> str:
    """Say in the title what part of the graph the page draws."""
    parts = ["medkg explorer"]
    if focus is not None and focus in view:
        hops = 1 if depth is None else depth
        label = view.nodes[focus].get("label", focus)
        parts.append(f"{hops}-hop neighbourhood of {label}")
    if query is not None:
        parts.append("query result")
    if types is not None:
        parts.append("types: " + ", ".join(types))
    return " — ".join(parts)


# ------------------------------------------------------------------ the page's data


def page_data(
    network: Any, positions: dict[str, tuple[float, float]], *, focus: str | None = None
) -> dict[str, Any]:
    """Collect what the page's script needs, in one pass over nodes and one over edges.

    :param network: the network to draw.
    :param positions: a position for every node (see :func:`layout`).
    :param focus: the node to select when the page opens.
    :returns: a JSON-ready dict with ``nodes``, ``edges``, ``kinds`` (legend), ``large``,
        ``label_width`` (where node labels wrap, as the layout assumed) and ``focus``.
    """
    nodes = [
        _node_record(node, data, positions[node], network.degree(node))
        for node, data in network.nodes(data=True)
    ]
    edges = [
        _edge_record(index, source, target, key, data)
        for index, (source, target, key, data) in enumerate(network.edges(keys=True, data=True))
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "kinds": _legend(nodes),
        "large": len(nodes) > SPRING_LAYOUT_LIMIT,
        "label_width": LABEL_WIDTH,
        "focus": focus if focus is not None and focus in network else None,
    }


def _node_record(
    node: str, data: dict[str, Any], position: tuple[float, float], degree: int
) -> dict[str, Any]:
    """Return one node as the page's script reads it."""
    return {
        "id": node,
        "label": str(data.get("label", node)),
        "curie": data.get("curie", node),
        "kind": data.get("kind", "medkg:Entity"),
        "types": list(data.get("types", [])),
        "synonyms": list(data.get("synonyms", [])),
        "brand_names": list(data.get("brand_names", [])),
        "definition": data.get("definition"),
        "external_ids": list(data.get("external_ids", [])),
        "x": round(position[0], 1),
        "y": round(position[1], 1),
        "size": node_size(degree),
    }


def _edge_record(
    index: int, source: str, target: str, key: Any, data: dict[str, Any]
) -> dict[str, Any]:
    """Return one edge as the page's script reads it."""
    predicate = data.get("predicate", str(key))
    evidence: list[EvidenceItem] = list(data.get("evidence", []))
    return {
        "id": index,
        "from": source,
        "to": target,
        "predicate": predicate,
        "label": data.get("label", predicate),
        # Each record with its sentences for a student (medkg.evidence.explain) and the
        # article's hedges on the relation, which the page shows next to the claim.
        "evidence": [{**item, "explanation": explain(item)} for item in evidence],
        "qualifiers": qualifiers_of(evidence),
    }


def _legend(nodes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the legend: one entry per kind present, in :data:`KIND_STYLES` order."""
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node["kind"]] = counts.get(node["kind"], 0) + 1
    order = list(KIND_STYLES)
    extra = sorted(kind for kind in counts if kind not in KIND_STYLES)
    legend = []
    for kind in sorted(counts, key=lambda k: order.index(k) if k in KIND_STYLES else len(order)):
        style = _style(kind, extra)
        legend.append(
            {
                "kind": kind,
                "name": style.name,
                "color": style.color,
                "shape": style.shape,
                "count": counts[kind],
            }
        )
    return legend


def _style(kind: str, extra: Sequence[str]) -> KindStyle:
    """Return the style of *kind*; kinds from a user's extension get a colour of their own."""
    if kind in KIND_STYLES:
        return KIND_STYLES[kind]
    color = EXTRA_KIND_COLORS[extra.index(kind) % len(EXTRA_KIND_COLORS)]
    return KindStyle(_kind_name(kind), color, "dot")


def _kind_name(curie: str) -> str:
    """Return a readable name for a class CURIE: ``medkg:DrugClass`` → ``drug class``."""
    if curie in KIND_STYLES:
        return KIND_STYLES[curie].name
    local = curie.rpartition(":")[2].rpartition("/")[2].rpartition("#")[2]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower() or curie


# ------------------------------------------------------------------ rendering


def render_page(data: dict[str, Any], *, title: str) -> str:
    """Render the explorer template with the data embedded as JSON.

    :param data: see :func:`page_data`.
    :param title: the page's title (escaped like every other text).
    :returns: the complete HTML page.
    :raises ExplorerError: jinja2 or pyvis is not installed.
    """
    jinja2 = _import_extra("jinja2")
    from markupsafe import Markup

    vis_js, vis_css = vis_assets()
    explorer_js = _inline(_template_text("explorer.js"), "script")
    explorer_css = _inline(_template_text("explorer.css"), "style")
    scripts = (vis_js, explorer_js)
    environment = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    template = environment.from_string(_template_text("explorer.html.j2"))
    return str(
        template.render(
            title=title,
            csp=CONTENT_SECURITY_POLICY + "".join(f" '{_sha256(s)}'" for s in scripts),
            data_json=embed_json(data),
            vis_js=Markup(vis_js),
            vis_css=Markup(vis_css),
            explorer_js=Markup(explorer_js),
            explorer_css=Markup(explorer_css),
            node_count=len(data["nodes"]),
            edge_count=len(data["edges"]),
        )
    )


def embed_json(data: Any) -> Markup:
    r"""Return *data* as JSON that is safe inside a ``<script type="application/json">`` block.

    ``<``, ``>`` and ``&`` become ``\u003c``, ``\u003e`` and ``\u0026``, so no text in
    the data can close the block or open a tag; ``JSON.parse`` reads them back unchanged.

    >>> str(embed_json({"label": "</script><b>"}))
    '{"label": "\\u003c/script\\u003e\\u003cb\\u003e"}'

    :param data: anything :func:`json.dumps` accepts.
    :returns: markup that the template inserts as is.
    """
    from markupsafe import Markup

    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text)


def vis_assets() -> tuple[str, str]:
    """Return vis-network's script and style, from the copy bundled with pyvis.

    :returns: ``(javascript, css)``, made safe to inline.
    :raises ExplorerError: pyvis is not installed.
    """
    from importlib.resources import files

    _import_extra("pyvis")
    folder = files("pyvis").joinpath(VIS_ASSET_FOLDER)
    script = folder.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    style = folder.joinpath("vis-network.css").read_text(encoding="utf-8")
    return _inline(script, "script"), _inline(style, "style")


def _inline(text: str, tag: str) -> str:
    r"""Make *text* safe inside ``<tag>…</tag>``: no ``</tag`` can end the element early.

    ``<\/`` means ``</`` in JavaScript and CSS strings, the only places it can occur.
    """
    return re.sub(f"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def _sha256(script: str) -> str:
    """Return the CSP source expression that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _template_text(name: str) -> str:
    """Return one file of ``medkg/templates``."""
    from importlib.resources import files

    return files("medkg").joinpath("templates", name).read_text(encoding="utf-8")


def _import_extra(module: str) -> Any:
    """Import a module of the ``viz`` extra, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExplorerError(f"the explorer needs {module}: pip install 'medkg[viz]'") from None
