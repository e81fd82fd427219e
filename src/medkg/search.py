"""Ranked search over entity labels and synonyms, tolerant of case, hyphens, plurals and typos."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import OWL
from rdflib.term import URIRef

from medkg.entities import Queryable, as_queryable, compact, describe_many, normalise
from medkg.errors import MedkgError
from medkg.labels import label_index

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


def search(kg: Queryable | Graph, text: str, *, limit: int = 10) -> list[SearchHit]:
    """Return the entities whose label or synonym matches *text*, best first.

    Candidates come from the store's label index (:mod:`medkg.labels`), never from a scan
    of the graph; the few hits shown are then described in one query.

    >>> from medkg import load
    >>> [hit.curie for hit in search(load(), "charlie horse")][:1]
    ['kg:LegCramp']

    :param kg: the knowledge graph (or store) to search.
    :param text: what the person typed.
    :param limit: the most hits to return.
    :raises MedkgError: *text* has nothing to search for (empty, or only punctuation).
    """
    query = normalise(text)
    if not query:
        raise MedkgError(f"nothing to search for in {text!r}: give a name, a synonym or a brand")
    source = as_queryable(kg)
    best: dict[str, tuple[float, str]] = {}
    for iri, name in label_index(source).candidates(query):
        score = _score(query, normalise(name))
        current = best.get(iri)
        # Equal scores: the alphabetically first name, whatever order the index gave.
        if score > 0 and (current is None or (-score, name) < (-current[0], current[1])):
            best[iri] = (score, name)
    entities = describe_many(source, (URIRef(iri) for iri in best))
    hits = [
        SearchHit(
            iri,
            entity.curie,
            entity.label,
            sorted(compact(str(t)) for t in entity.types if t != OWL.NamedIndividual),
            best[str(iri)][1],
            round(best[str(iri)][0], 3),
        )
        for iri, entity in entities.items()
    ]
    hits.sort(key=lambda h: (-h.score, h.label.casefold(), str(h.iri)))
    return hits[:limit]
