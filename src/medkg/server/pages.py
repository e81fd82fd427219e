"""HTML pages of the server: the query page and entity cards.

Every text that comes from the data (labels, quotes, IRIs) goes through :func:`html.escape`
here, and a link is only made from an ``http``/``https`` IRI or a medkg entity, so a label
such as ``<script>alert(1)</script>`` or an IRI such as ``javascript:alert(1)`` stays text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from html import escape
from importlib import resources
from string import Template

from medkg.cards import EntityCard, Relation
from medkg.entities import compact
from medkg.evidence import EvidenceItem, explain
from medkg.server.linked_data import entity_path

__all__ = ["entity_page", "index_page", "safe_href", "script_json"]


def safe_href(iri: str) -> str | None:
    """Return where a link to *iri* should point, or None if it must not be a link.

    >>> safe_href("kg:Baclofen")
    '/entity/Baclofen'
    >>> safe_href("javascript:alert(1)") is None
    True
    """
    local = entity_path(iri)
    if local is not None:
        return local
    if iri.startswith(("https://", "http://")):
        return iri
    return None


def script_json(value: object) -> str:
    r"""Return *value* as JSON that is safe inside a ``<script type="application/json">``.

    >>> print(script_json(["</script>"]))
    ["\u003c/script\u003e"]
    """
    return escape_script_json(json.dumps(value, ensure_ascii=False))


def escape_script_json(text: str) -> str:
    r"""Escape ``<``, ``>`` and ``&`` in JSON *text*; the JSON means the same.

    A ``</script>`` in the data then cannot end the ``<script>`` block the JSON sits in.

    >>> print(escape_script_json('{"a": "</script>"}'))
    {"a": "\u003c/script\u003e"}
    """
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def index_page(
    questions: Sequence[Mapping[str, object]],
    prefixes: Mapping[str, str],
    *,
    explore: bool,
    style_nonce: str = "",
) -> str:
    """Render the query page: editor, example questions, results area.

    :param questions: each bundled example: ``name``, ``question``, ``sparql`` (runnable, with
        its parameters bound to their defaults), ``body`` (the query without those bindings)
        and ``params`` (``{name: default}``), which the page shows as form fields.
    :param prefixes: the predeclared prefixes, shown in the editor.
    :param explore: whether the explorer is available (shows the "show as graph" button).
    :param style_nonce: the CSP nonce the editor puts on the ``<style>`` element it writes.
    :returns: the page's HTML.
    """
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    starter = (
        prologue + "\nSELECT ?muscle ?label WHERE {\n  kg:LegCramp medkg:affects ?muscle .\n"
        "  ?muscle rdfs:label ?label .\n}\n"
    )
    graph_button = (
        '<button type="button" id="graph" data-view="graph">Graph</button>' if explore else ""
    )
    body = _template("index.html").substitute(
        editor=escape(starter),
        examples=script_json(list(questions)),
        graph_button=graph_button,
        style_nonce=escape(style_nonce),
    )
    return _layout("medkg SPARQL", body, explore=explore)


#: The RDF forms of an entity page, as ``<link rel="alternate">`` announces them.
ALTERNATES = (
    ("text/turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "xml"),
    ("application/n-triples", "nt"),
)


def entity_page(card: EntityCard, *, explore: bool = False, jsonld: str | None = None) -> str:
    """Render an entity card: names, type, definition, identifiers, relations with evidence.

    The page's head links the entity's RDF forms (``<link rel="alternate">``) and, given
    *jsonld*, embeds it as ``<script type="application/ld+json">`` for crawlers and tools.

    :param card: the card, from :func:`medkg.cards.entity_card`.
    :param explore: whether to link the explorer page.
    :param jsonld: the entity's description as JSON-LD text (what ``?format=jsonld`` sends).
    :returns: the page's HTML.
    """
    entity = card.entity
    parts = [
        f"<h1>{escape(entity.label)}</h1>",
        f'<p class="curie"><code>{escape(entity.curie)}</code> · '
        f"<code>{escape(str(entity.iri))}</code></p>",
        _definition_list(
            [
                ("type", ", ".join(escape(compact(str(t))) for t in entity.types)),
                ("synonyms", escape(", ".join(entity.synonyms))),
                ("brand names", escape(", ".join(entity.brand_names))),
                ("definition", escape(entity.definition or "")),
            ]
        ),
        _external_ids(card),
        _facts(card),
        _relations("Relations", card.outgoing),
        _relations("Referred to by", card.incoming),
        '<p class="formats">This entity as '
        '<a href="?format=turtle">Turtle</a> · <a href="?format=json-ld">JSON-LD</a></p>',
    ]
    head = [
        f'<link rel="alternate" type="{media}" href="?format={name}">' for media, name in ALTERNATES
    ]
    if jsonld is not None:
        # A data block, never run (and so allowed by the page's CSP); "<" is escaped so that
        # a "</script>" inside a label cannot end it.
        safe = escape_script_json(jsonld)
        head.append(f'<script type="application/ld+json">{safe}</script>')
    body = "\n".join(p for p in parts if p)
    return _layout(entity.label, body, explore=explore, head="\n".join(head))


def _definition_list(rows: Iterable[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    return f"<dl>{items}</dl>" if items else ""


def _link(iri: str, text: str) -> str:
    href = safe_href(iri)
    if href is None:
        return escape(text)
    external = "" if href.startswith("/") else ' rel="noopener noreferrer"'
    return f'<a href="{escape(href)}"{external}>{escape(text)}</a>'


def _external_ids(card: EntityCard) -> str:
    if not card.external_ids:
        return ""
    items = "".join(
        f"<li>{escape(x.match)}: {_link(x.iri, x.curie)}</li>" for x in card.external_ids
    )
    return f"<h2>Identifiers</h2><ul>{items}</ul>"


def _facts(card: EntityCard) -> str:
    if not card.facts:
        return ""
    return "<h2>Facts</h2>" + _definition_list(
        (f.property_label, escape(f.value) + _hedges(f.qualifiers) + _evidence(f.evidence))
        for f in card.facts
    )


def _hedges(qualifiers: Sequence[str]) -> str:
    """Return the article's hedges to show next to the claim, e.g. "(typically)"."""
    if not qualifiers:
        return ""
    return f' <span class="qualifier">({escape(", ".join(qualifiers))})</span>'


def _relations(title: str, relations: Sequence[Relation]) -> str:
    if not relations:
        return ""
    rows = "".join(
        f"<tr><td>{escape(r.predicate_label)}{_hedges(r.qualifiers)}</td>"
        f"<td>{_link(r.other, r.other_label)}</td>"
        f"<td>{_evidence(r.evidence)}</td></tr>"
        for r in relations
    )
    return (
        f"<h2>{escape(title)}</h2><table><thead><tr><th>relation</th><th>entity</th>"
        f"<th>evidence</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _evidence(items: Sequence[EvidenceItem]) -> str:
    """Show each record as :func:`medkg.evidence.explain` says it, one paragraph a line."""
    blocks = []
    for item in items:
        first, *rest = explain(item)
        claim = f' <span class="claim">({escape(item["claim"])})</span>' if item["claim"] else ""
        details = "".join(f'<p class="evidence-detail">{escape(line)}</p>' for line in rest)
        links = [
            f"{label}: " + ", ".join(_link(r["iri"], r["label"] or r["curie"]) for r in refs)
            for label, refs in (("Cited here", item["cited"]), ("Checked", item["supported_by"]))
            if refs
        ]
        if item["source_iri"]:
            links.append("Quoted from: " + _link(item["source_iri"], item["source"] or "source"))
        details += f'<p class="meta">{" · ".join(links)}</p>' if links else ""
        blocks.append(f"<blockquote><p>{escape(first)}{claim}</p>{details}</blockquote>")
    return "".join(blocks)


def _layout(title: str, body: str, *, explore: bool, head: str = "") -> str:
    nav = '<a href="/">Query</a>' + (' · <a href="/explore">Explore</a>' if explore else "")
    return _template("layout.html").substitute(title=escape(title), nav=nav, body=body, head=head)


@cache
def _template(name: str) -> Template:
    text = resources.files("medkg").joinpath("templates", "server", name).read_text("utf-8")
    return Template(text)


def static_file(name: str) -> bytes:
    """Return one of the page's own assets (script, style) from the package.

    :raises FileNotFoundError: no such asset.
    """
    return resources.files("medkg").joinpath("templates", "server", "static", name).read_bytes()
