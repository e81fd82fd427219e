"""Ranked search over entity labels and synonyms, tolerant of case, hyphens, plurals and typos."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Graph
from rdflib.namespace import OWL, RDF
from rdflib.term import Literal, URIRef

from medkg.entities import NAME_PROPERTIES, all_entities, compact, normalise
from medkg.errors import MedkgError
from medkg.evidence import label_of

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["SearchHit", "search"]

#: Below this similarity a name does not count as a match for a typo.
FUZZY_CUTOFF = 0.75


@dataclass(frozen=True)
class SearchHit:
    """One entity that matches a search, with the name that matched and how well (0–1)."""

    iri: URIRef
    curie: str
    label: str
    types: list[str]
    matched: str
    score: float


def _score(query: str, name: str) -> float:
    """Rate how well the normalised *name* answers the normalised *query*."""
    if not query or not name:
        return 0.0
    if query == name:
        return 1.0
    if f" {query} " in f" {name} ":
        # The query is a whole word or phrase of the name: shorter names rank higher.
        return 0.8 + 0.15 * len(query) / len(name)
    if query in name:
        return 0.6 + 0.15 * len(query) / len(name)
    ratio = difflib.SequenceMatcher(None, query, name).ratio()
    return 0.7 * ratio if ratio >= FUZZY_CUTOFF else 0.0


def search(graph: KnowledgeGraph | Graph, text: str, *, limit: int = 10) -> list[SearchHit]:
    """Return the entities whose label or synonym matches *text*, best first.

    >>> from medkg import load
    >>> [hit.curie for hit in search(load().graph, "charlie horse")][:1]
    ['kg:LegCramp']

    :param graph: the knowledge graph (or an rdflib graph) to search.
    :param text: what the person typed.
    :param limit: the most hits to return.
    :raises MedkgError: *text* has nothing to search for (empty, or only punctuation).
    """
    from medkg.graph import as_rdflib

    graph = as_rdflib(graph)
    query = normalise(text)
    if not query:
        raise MedkgError(f"nothing to search for in {text!r}: give a name, a synonym or a brand")
    hits: list[SearchHit] = []
    for iri in all_entities(graph):
        best, matched = 0.0, ""
        for prop in NAME_PROPERTIES:
            for name in graph.objects(iri, prop):
                if isinstance(name, Literal):
                    score = _score(query, normalise(str(name)))
                    if score > best:
                        best, matched = score, str(name)
        if best > 0:
            types = sorted(
                compact(str(t))
                for t in graph.objects(iri, RDF.type)
                if isinstance(t, URIRef) and t != OWL.NamedIndividual
            )
            label = label_of(graph, iri) or compact(str(iri))
            hits.append(SearchHit(iri, compact(str(iri)), label, types, matched, round(best, 3)))
    hits.sort(key=lambda h: (-h.score, h.label.casefold()))
    return hits[:limit]
