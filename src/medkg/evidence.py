"""Evidence records: which source supports a statement, with which verbatim quote."""

from __future__ import annotations

from collections import defaultdict
from typing import TypedDict

from rdflib import Graph
from rdflib.namespace import RDF, RDFS
from rdflib.term import Literal, Node

from medkg.entities import compact, sort_terms
from medkg.namespaces import MEDKG

__all__ = ["EvidenceItem", "Triple", "evidence_index", "label_of"]

Triple = tuple[Node, Node, Node]


class EvidenceItem(TypedDict):
    """One piece of evidence for a statement: a verbatim quote and the source that supports it."""

    quote: str | None
    source: str | None
    source_curie: str | None
    source_iri: str | None
    claim: str | None
    record: str


def label_of(graph: Graph, node: Node) -> str | None:
    """Return *node*'s rdfs:label, preferring English or untagged text, or None."""
    labels = [lbl for lbl in graph.objects(node, RDFS.label) if isinstance(lbl, Literal)]
    # Several labels in different languages would otherwise make the choice random.
    labels.sort(key=lambda lbl: (lbl.language not in (None, "en"), str(lbl)))
    return str(labels[0]) if labels else None


def evidence_index(graph: Graph) -> dict[Triple, list[EvidenceItem]]:
    """Group the evidence records by the statement (subject, predicate, object) they support.

    >>> from medkg import load
    >>> kg = load()
    >>> from medkg.namespaces import KG, MEDKG
    >>> index = evidence_index(kg.graph)
    >>> [e["source"] for e in index[(KG.Baclofen, MEDKG.memberOf, KG.MuscleRelaxants)]]
    ['Behringer M et al. PLoS One 2014;9(4):e94910']
    """
    index: dict[Triple, list[EvidenceItem]] = defaultdict(list)
    for record in sort_terms(graph.subjects(RDF.type, MEDKG.Evidence)):
        subject = graph.value(record, RDF.subject)
        predicate = graph.value(record, RDF.predicate)
        obj = graph.value(record, RDF.object)
        if subject is None or predicate is None or obj is None:
            continue  # a malformed record supports nothing; SHACL reports it
        index[(subject, predicate, obj)].extend(_evidence_items(graph, record))
    return dict(index)


def _evidence_items(graph: Graph, record: Node) -> list[EvidenceItem]:
    """Return one item per source that supports *record* (the quoted source if none is named)."""
    quote = graph.value(record, MEDKG.quote)
    claim = graph.value(record, MEDKG.claimType)
    sources: list[Node | None] = [
        *(
            sort_terms(graph.objects(record, MEDKG.supportedBy))
            or sort_terms(graph.objects(record, MEDKG.quotedFrom))
        )
    ]
    return [
        EvidenceItem(
            quote=str(quote) if quote is not None else None,
            source=label_of(graph, source) if source is not None else None,
            source_curie=compact(str(source)) if source is not None else None,
            source_iri=str(source) if source is not None else None,
            claim=(label_of(graph, claim) or compact(str(claim))) if claim is not None else None,
            record=compact(str(record)),
        )
        for source in (sources or [None])
    ]
