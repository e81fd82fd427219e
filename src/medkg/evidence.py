"""Evidence records: what the article states, what it cites there, and what was checked.

Each record (``ev:…``, a ``medkg:Evidence``) keeps three things apart, and so does every item
this module returns:

1. What the article states: the verbatim ``quote``, the ``section`` heading it sits under and its
   ``start`` / ``end`` character offsets in the article text.
2. What the article cites at that point: ``cited`` references ("the article cites reference 2
   here"), which is not a claim that the reference supports the statement.
3. Support checked in a reference: ``supported_by`` with ``support_note``, only where someone read
   the reference for this statement (today: no record).

How the claim was made is data too: the ECO ``evidence_code``, the Biolink ``knowledge_level``
and ``agent_type``, the article's hedges (``frequency``, ``certainty``), its own wording where the
curator's relation differs (``article_wording`` + ``editorial_note``), and ``caveats``: passages of
the article that limit the claim, each with its own quote and place.

Everything is read with a few SPARQL queries through :meth:`medkg.KnowledgeGraph.query`, so any
store answers them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypedDict

from rdflib import Graph
from rdflib.namespace import RDF, RDFS
from rdflib.term import Identifier, Literal, Node, URIRef

from medkg.entities import compact, value_batches
from medkg.namespaces import MEDKG

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = [
    "CaveatItem",
    "EvidenceItem",
    "Reference",
    "Triple",
    "as_knowledge_graph",
    "describe",
    "describe_caveat",
    "evidence_index",
    "explain",
    "label_of",
    "qualifiers_of",
]

Triple = tuple[Node, Node, Node]


class Reference(TypedDict):
    """A source a record cites or was checked against: its number in the article and its name."""

    number: int | None
    label: str | None
    curie: str
    iri: str


class CaveatItem(TypedDict):
    """A passage of the article that limits a claim, with its own place and evidence code."""

    record: str
    quote: str | None
    section: str | None
    start: int | None
    end: int | None
    cited: list[Reference]
    evidence_code: str | None
    evidence_code_label: str | None
    frequency: list[str]
    certainty: list[str]
    negated: bool


class EvidenceItem(TypedDict):
    """One evidence record for a statement, its three parts kept apart.

    ``source`` / ``source_curie`` / ``source_iri`` name the source the quote is copied from (the
    article), never a reference it cites: those are in ``cited``.
    """

    record: str
    claim: str | None
    quote: str | None
    section: str | None
    start: int | None
    end: int | None
    source: str | None
    source_curie: str | None
    source_iri: str | None
    cited: list[Reference]
    supported_by: list[Reference]
    support_note: str | None
    evidence_code: str | None
    evidence_code_label: str | None
    knowledge_level: str | None
    agent_type: str | None
    frequency: list[str]
    certainty: list[str]
    article_wording: str | None
    editorial_note: str | None
    caveats: list[CaveatItem]


def label_of(graph: Graph, node: Node) -> str | None:
    """Return *node*'s rdfs:label, preferring English or untagged text, or None."""
    labels = [lbl for lbl in graph.objects(node, RDFS.label) if isinstance(lbl, Literal)]
    # Several labels in different languages would otherwise make the choice random.
    labels.sort(key=lambda lbl: (lbl.language not in (None, "en"), str(lbl)))
    return str(labels[0]) if labels else None


# Three small queries instead of one with OPTIONALs (far faster in rdflib): the record classes,
# every property of every record, and the labels and numbers of what records point to.
_RECORD_TYPES = """
SELECT ?type ?kind WHERE {
    # A constant end for each path: Virtuoso refuses a transitive path with neither end given.
    { ?type rdfs:subClassOf* medkg:Evidence BIND (medkg:Evidence AS ?kind) }
    UNION { ?type rdfs:subClassOf* medkg:Caveat BIND (medkg:Caveat AS ?kind) }
}
"""

_RECORDS = """
SELECT ?record ?type ?p ?o WHERE {
    VALUES ?type { %s }
    ?record a ?type ; ?p ?o .
}
"""

# Every property of chosen records only, the record types picked in Python from the rdf:type rows:
# one VALUES block first, so rdflib looks each record up instead of scanning (two make it scan),
# and no ?type column to repeat on every row of a remote answer.
_RECORDS_FOR_STATEMENTS = """
SELECT ?record ?p ?o WHERE {
    VALUES (?s ?q ?t) { %s }
    ?record rdf:subject ?s ; rdf:predicate ?q ; rdf:object ?t ; ?p ?o .
}
"""

_RECORDS_ABOUT = """
SELECT ?record ?p ?o WHERE {
    VALUES ?x { %s }
    # Each branch whole: a join after the UNION makes rdflib scan every triple (minutes).
    { ?record rdf:subject ?x ; ?p ?o } UNION { ?record rdf:object ?x ; ?p ?o }
}
"""

_RECORDS_NAMED = """
SELECT ?record ?p ?o WHERE {
    VALUES ?record { %s }
    ?record ?p ?o .
}
"""

#: The classes of what records point to by name: sources, claim types, ECO codes, hedges.
_NAMED_CLASSES = (
    MEDKG.Source,
    MEDKG.ScholarlyArticle,
    MEDKG.WebPage,
    MEDKG.ClaimType,
    MEDKG.EvidenceCode,
    MEDKG.FrequencyQualifier,
    MEDKG.CertaintyQualifier,
)

_NAMES = f"""
SELECT ?node ?label ?number WHERE {{
    VALUES ?class {{ {" ".join(c.n3() for c in _NAMED_CLASSES)} }}
    ?node a ?class ; rdfs:label ?label .
    OPTIONAL {{ ?node medkg:referenceNumber ?number }}
}}
"""

# The same for the nodes chosen records point to; the class is checked in Python (one VALUES).
_NAMES_OF = """
SELECT ?node ?class ?label ?number WHERE {
    VALUES ?node { %s }
    ?node a ?class ; rdfs:label ?label .
    OPTIONAL { ?node medkg:referenceNumber ?number }
}
"""

#: The record properties whose values are shown by name (see _evidence_item, _caveat_item).
_NAMED_PROPERTIES = frozenset(
    f"medkg:{name}"
    for name in (
        "claimType",
        "quotedFrom",
        "citesReference",
        "supportedBy",
        "evidenceCode",
        "frequency",
        "certainty",
    )
)

# Terms per VALUES block (a statement counts three): small enough for every engine's limit.
_BATCH = 400


class _Value(TypedDict):
    value: Identifier
    label: str | None
    number: int | None


class _Record(TypedDict):
    iri: str
    kind: str
    values: dict[str, list[_Value]]


def as_knowledge_graph(source: KnowledgeGraph | Graph) -> KnowledgeGraph:
    """Return *source* as a ``KnowledgeGraph``: an rdflib graph is wrapped, not copied.

    :raises TypeError: *source* is neither, named in one line.
    """
    from medkg.graph import KnowledgeGraph

    if isinstance(source, KnowledgeGraph):
        return source
    if isinstance(source, Graph):
        return KnowledgeGraph.from_graph(source)
    raise TypeError(f"expected a KnowledgeGraph (medkg.load()), not {type(source).__name__}")


def evidence_index(
    kg: KnowledgeGraph | Graph,
    statements: Iterable[Triple] | None = None,
    *,
    about: Iterable[Node] | None = None,
) -> dict[Triple, list[EvidenceItem]]:
    """Group the evidence records by the statement (subject, predicate, object) they are for.

    With neither *statements* nor *about*, every record of the graph is read. Otherwise only
    the records asked for, with queries bounded by them, so that drawing one neighbourhood
    or one card never reads the evidence of the whole graph:

    :param statements: the records of these statements (IRIs only: the network's edges).
    :param about: the records of every statement whose subject or object is one of these
        IRIs (an entity card: its relations and its facts, whatever their values).
    :returns: the same items as the whole index has for those statements.

    >>> from medkg import load
    >>> from medkg.namespaces import KG, MEDKG
    >>> index = evidence_index(load())
    >>> [item["quote"] for item in index[(KG.LegCramp, MEDKG.occursDuring, KG.Night)]]
    ['Typically, these cramps occur at night.']
    >>> (item,) = index[(KG.Baclofen, MEDKG.memberOf, KG.MuscleRelaxants)]
    >>> [ref["number"] for ref in item["cited"]], item["supported_by"]
    ([3], [])
    >>> bounded = evidence_index(load(), [(KG.Baclofen, MEDKG.memberOf, KG.MuscleRelaxants)])
    >>> bounded == {(KG.Baclofen, MEDKG.memberOf, KG.MuscleRelaxants): [item]}
    True
    """
    source = as_knowledge_graph(kg)
    if statements is None and about is None:
        records = _records(source, None)
    else:
        records = _records(source, _selections(statements, about))
    caveats = {
        iri: _caveat_item(record) for iri, record in records.items() if record["kind"] == "Caveat"
    }
    index: dict[Triple, list[EvidenceItem]] = defaultdict(list)
    for iri in sorted(records):
        record = records[iri]
        if record["kind"] != "Evidence":
            continue
        s, p, o = (_first(record, "rdf:" + part) for part in ("subject", "predicate", "object"))
        if s is None or p is None or o is None:
            continue  # a malformed record supports nothing; SHACL reports it
        index[(s, p, o)].append(_evidence_item(record, caveats))
    return dict(index)


def _selections(statements: Iterable[Triple] | None, about: Iterable[Node] | None) -> list[str]:
    """Return the record queries that pick the records of *statements* and *about*, batched."""
    queries: list[str] = []
    edges = sorted(
        {t for t in statements or () if all(isinstance(term, URIRef) for term in t)}, key=str
    )
    step = _BATCH // 3  # three terms a statement
    for start in range(0, len(edges), step):
        rows = (" ".join(term.n3() for term in edge) for edge in edges[start : start + step])
        queries.append(_RECORDS_FOR_STATEMENTS % " ".join(f"({row})" for row in rows))
    ends = sorted({n for n in about or () if isinstance(n, URIRef)})
    return queries + [_RECORDS_ABOUT % batch for batch in value_batches(ends)]


def _records(kg: KnowledgeGraph, selections: list[str] | None) -> dict[str, _Record]:
    """Read the records (all, or those the *selections* queries pick) and their caveats."""
    kinds: dict[Identifier, str] = {
        row[0]: compact(str(row[1]))[6:]
        for row in kg.query(_RECORD_TYPES).rows
        if isinstance(row[0], URIRef) and row[1] is not None
    }
    if not kinds:
        return {}
    if selections is None:
        typed = kg.query(_RECORDS % " ".join(f"<{k}>" for k in sorted(kinds))).rows
        kind_of: dict[str, str] = {}
        for record, kind, _, _ in typed:
            if record is not None and kind is not None:
                kind_of.setdefault(str(record), kinds[kind])
        rows: list[tuple[Identifier | None, ...]] = [(r, p, v) for r, _, p, v in typed]
        names = _node_names(kg.query(_NAMES).rows)
    else:
        rows = [row for query in selections for row in kg.query(query).rows]
        rows += _caveat_rows(kg, rows)
        kind_of = {}
        for record, prop, value in sorted(rows, key=lambda row: [str(term) for term in row]):
            if prop == RDF.type and value in kinds:
                kind_of.setdefault(str(record), kinds[value])
        rows = [row for row in rows if str(row[0]) in kind_of]
        names = _names_of(kg, rows)
    records: dict[str, _Record] = {}
    seen: set[tuple[str, str, Identifier]] = set()
    for record, prop, value in rows:
        if record is None or prop is None or value is None:
            continue
        key = (str(record), str(prop), value)
        if key in seen:
            continue
        seen.add(key)
        entry = records.setdefault(
            str(record), _Record(iri=str(record), kind=kind_of[str(record)], values={})
        )
        name, reference_number = names.get(value, (None, None))
        entry["values"].setdefault(compact(str(prop)), []).append(
            _Value(value=value, label=name, number=reference_number)
        )
    return records


_Rows = Sequence[tuple[Identifier | None, ...]]


def _caveat_rows(kg: KnowledgeGraph, rows: _Rows) -> _Rows:
    """Read the caveat records the chosen *rows* point to (they name no statement themselves)."""
    wanted = sorted({row[2] for row in rows if row[1] == MEDKG.caveat and row[2] is not None})
    return [row for batch in value_batches(wanted) for row in kg.query(_RECORDS_NAMED % batch).rows]


def _names_of(kg: KnowledgeGraph, rows: _Rows) -> dict[Identifier, tuple[str | None, int | None]]:
    """Name the nodes the chosen records point to by name (sources, claim types, hedges …)."""
    wanted = sorted(
        {
            row[2]
            for row in rows
            if isinstance(row[2], URIRef) and compact(str(row[1])) in _NAMED_PROPERTIES
        }
    )
    return _node_names(
        [
            (node, label, number)
            for batch in value_batches(wanted)
            for node, cls, label, number in kg.query(_NAMES_OF % batch).rows
            if cls in _NAMED_CLASSES
        ]
    )


def _node_names(rows: _Rows) -> dict[Identifier, tuple[str | None, int | None]]:
    """Map each node to its English (or untagged) label, the least of them, and its number."""
    names: dict[Identifier, tuple[str | None, int | None]] = {}
    for node, label, number in rows:
        if node is None:
            continue
        english = isinstance(label, Literal) and label.language in (None, "en")
        known = names.get(node, (None, None))[0]
        text = str(label) if english else None
        # A node with labels in several languages comes once per label: keep English, the least.
        best = min(x for x in (known, text) if x is not None) if (known or text) else None
        names[node] = (best, _number(number))
    return names


def qualifiers_of(items: Iterable[EvidenceItem]) -> list[str]:
    """Return the hedges of a statement's records ("typically", "might"), without repeats."""
    words: list[str] = []
    for item in items:
        for word in (*item["frequency"], *item["certainty"]):
            if word not in words:
                words.append(word)
    return words


def describe(item: EvidenceItem) -> str:
    """Say in one sentence what the article states, what it cites there and what was checked.

    >>> from medkg import load
    >>> from medkg.namespaces import KG, MEDKG
    >>> item = evidence_index(load())[(KG.Baclofen, MEDKG.memberOf, KG.MuscleRelaxants)][0]
    >>> print(describe(item))  # doctest: +NORMALIZE_WHITESPACE
    The article says “These muscle relaxants include Lioresal, Soma, and Skelaxin” (under
    “Clinical Treatments of Leg Cramps”), citing reference 3 (Behringer M et al. PLoS One
    2014;9(4):e94910); reference 3 was not checked for this.
    """
    text = f"The {_source_noun(item)} says “{item['quote'] or '…'}”"
    if item["section"]:
        text += f" (under “{item['section']}”)"
    text += ", " + _citation_clause(item["cited"], item["supported_by"])
    if item["supported_by"] and item["support_note"]:
        text += f" Checked: {item['support_note']}"
    return text


def explain(item: EvidenceItem) -> list[str]:
    """Return everything a reader needs about one record, one sentence a line.

    The :func:`describe` sentence first, then the article's own wording where the curator's
    relation differs from it, each caveat, and how the claim was made (ECO code, Biolink knowledge
    level and agent type). The card, ``medkg show`` / ``medkg path``, the explorer and the entity
    page all show these lines.
    """
    lines = [describe(item)]
    if item["article_wording"]:
        note = f" Curator's note: {item['editorial_note']}" if item["editorial_note"] else ""
        lines.append(f"The article's own words are “{item['article_wording']}”.{note}")
    lines += [describe_caveat(caveat) for caveat in item["caveats"]]
    if item["evidence_code"]:
        how = ", ".join(x for x in (item["knowledge_level"], item["agent_type"]) if x)
        # The ECO label is a name ("... supported by traceable reference ..." means a reference is
        # cited, not that it was checked), so it is quoted as one.
        label = f" “{item['evidence_code_label']}”" if item["evidence_code_label"] else ""
        how = f" ({how})." if how else "."
        lines.append(f"Evidence code {item['evidence_code']}{label}{how}")
    return lines


def describe_caveat(caveat: CaveatItem) -> str:
    """Say a caveat in one sentence: 'But the article also says “…” (under “…”), citing …'."""
    text = f"But the article also says “{caveat['quote'] or '…'}”"
    if caveat["section"]:
        text += f" (under “{caveat['section']}”)"
    return text + ", " + _citation_clause(caveat["cited"], [])


def _citation_clause(cited: Sequence[Reference], supported: Sequence[Reference]) -> str:
    checked = {ref["iri"] for ref in supported}
    if not cited:
        clause = "citing no reference at that point"
        return clause + ("." if not supported else f"; {_names(supported)} checked for this.")
    parts = []
    for ref in cited:
        parts.append(
            f"{_ref_name(ref)} was checked for this"
            if ref["iri"] in checked
            else f"{_ref_short(ref)} was not checked for this"
        )
    return f"citing {_names(cited)}; " + "; ".join(parts) + "."


def _names(refs: Sequence[Reference]) -> str:
    return ", ".join(_ref_name(ref) for ref in refs)


def _ref_name(ref: Reference) -> str:
    name = ref["label"] or ref["curie"]
    return f"reference {ref['number']} ({name})" if ref["number"] is not None else name


def _ref_short(ref: Reference) -> str:
    return (
        f"reference {ref['number']}"
        if ref["number"] is not None
        else (ref["label"] or ref["curie"])
    )


def _source_noun(item: EvidenceItem) -> str:
    return "article" if item["source_curie"] in (None, "kg:LegCrampArticle") else "source"


def _first(record: _Record, prop: str) -> Identifier | None:
    values = record["values"].get(prop, [])
    return min((v["value"] for v in values), key=str) if values else None


def _first_text(record: _Record, prop: str) -> str | None:
    value = _first(record, prop)
    return None if value is None else str(value)


def _first_label(record: _Record, prop: str) -> str | None:
    values = record["values"].get(prop, [])
    return values[0]["label"] if values else None


def _text(value: Identifier | None) -> str | None:
    return None if value is None else str(value)


def _number(value: Identifier | None) -> int | None:
    return None if value is None else int(str(value))


def _references(record: _Record, prop: str) -> list[Reference]:
    refs = [
        Reference(
            number=value["number"],
            label=value["label"],
            curie=compact(str(value["value"])),
            iri=str(value["value"]),
        )
        for value in record["values"].get(prop, [])
    ]
    return sorted(refs, key=lambda ref: (ref["number"] is None, ref["number"] or 0, ref["iri"]))


def _labels(record: _Record, prop: str) -> list[str]:
    return sorted(
        value["label"] or compact(str(value["value"])) for value in record["values"].get(prop, [])
    )


def _code(record: _Record) -> str | None:
    code = _first(record, "medkg:evidenceCode")
    return compact(str(code)).replace("obo:ECO_", "ECO:") if code is not None else None


def _caveat_item(record: _Record) -> CaveatItem:
    return CaveatItem(
        record=compact(record["iri"]),
        quote=_first_text(record, "medkg:quote"),
        section=_first_text(record, "medkg:section"),
        start=_number(_first(record, "medkg:quoteStart")),
        end=_number(_first(record, "medkg:quoteEnd")),
        cited=_references(record, "medkg:citesReference"),
        evidence_code=_code(record),
        evidence_code_label=_first_label(record, "medkg:evidenceCode"),
        frequency=_labels(record, "medkg:frequency"),
        certainty=_labels(record, "medkg:certainty"),
        # Virtuoso may hand back a stored xsd:boolean as 1 / 0.
        negated=_first_text(record, "medkg:negated") in ("true", "1"),
    )


def _evidence_item(record: _Record, caveats: dict[str, CaveatItem]) -> EvidenceItem:
    source = _first(record, "medkg:quotedFrom")
    claim = _first(record, "medkg:claimType")
    return EvidenceItem(
        record=compact(record["iri"]),
        claim=_first_label(record, "medkg:claimType") or (compact(str(claim)) if claim else None),
        quote=_first_text(record, "medkg:quote"),
        section=_first_text(record, "medkg:section"),
        start=_number(_first(record, "medkg:quoteStart")),
        end=_number(_first(record, "medkg:quoteEnd")),
        source=_first_label(record, "medkg:quotedFrom"),
        source_curie=compact(str(source)) if source is not None else None,
        source_iri=str(source) if source is not None else None,
        cited=_references(record, "medkg:citesReference"),
        supported_by=_references(record, "medkg:supportedBy"),
        support_note=_first_text(record, "medkg:supportNote"),
        evidence_code=_code(record),
        evidence_code_label=_first_label(record, "medkg:evidenceCode"),
        knowledge_level=_first_text(record, "medkg:knowledgeLevel"),
        agent_type=_first_text(record, "medkg:agentType"),
        frequency=_labels(record, "medkg:frequency"),
        certainty=_labels(record, "medkg:certainty"),
        article_wording=_first_text(record, "medkg:articleWording"),
        editorial_note=_first_text(record, "skos:editorialNote"),
        caveats=sorted(
            (
                caveats[str(value["value"])]
                for value in record["values"].get("medkg:caveat", [])
                if str(value["value"]) in caveats
            ),
            key=lambda caveat: caveat["record"],
        ),
    )
