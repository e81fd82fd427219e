"""Finding entities by the names people use: label, synonym, brand name, CURIE or IRI."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Literal, Node, URIRef

from medkg.errors import AmbiguousEntityError, EntityNotFoundError
from medkg.namespaces import MEDKG, PREFIXES

__all__ = [
    "Entity",
    "all_entities",
    "compact",
    "describe",
    "normalise",
    "resolve",
    "sort_terms",
]

#: Properties whose values name an entity.
NAME_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, MEDKG.brandName)


T = TypeVar("T", bound=Node)


def sort_terms(terms: Iterable[T]) -> list[T]:
    """Sort RDF terms in a stable order (by kind, then text), for reproducible output."""
    return sorted(terms, key=lambda term: (type(term).__name__, str(term)))


@dataclass(frozen=True)
class Entity:
    """One entity of the graph, with the names and types people look it up by."""

    iri: URIRef
    curie: str
    label: str
    types: list[URIRef] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    brand_names: list[str] = field(default_factory=list)
    definition: str | None = None


def compact(iri: str) -> str:
    """Return *iri* as a CURIE with medkg's prefixes, or unchanged if none fits.

    >>> compact("https://w3id.org/medkg/entity/LegCramp")
    'kg:LegCramp'
    """
    best = ""
    best_prefix = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    local = iri[len(best) :]
    if best and re.fullmatch(r"[A-Za-z0-9_][\w.\-]*", local or "-"):
        return f"{best_prefix}:{local}"
    return iri


def normalise(text: str) -> str:
    """Fold a name for matching: case, hyphens, possessives, spacing and plural endings.

    >>> normalise("Charley-Horses")
    'charley horse'
    >>> normalise("Parkinson's Disease")
    'parkinson disease'
    """
    text = text.casefold().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w]+", " ", text).strip()
    words = [_singular(w) for w in text.split()]
    return " ".join(words)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def all_entities(graph: Graph) -> list[URIRef]:
    """Return every resource typed with medkg:Entity or one of its subclasses, sorted."""
    rows = graph.query(
        "SELECT DISTINCT ?e WHERE { ?c rdfs:subClassOf* medkg:Entity . ?e a ?c . "
        "FILTER(isIRI(?e)) }",
        initNs=PREFIXES,
    )
    return sorted(row[0] for row in rows if isinstance(row[0], URIRef))  # type: ignore[index]


def describe(graph: Graph, iri: URIRef) -> Entity:
    """Return the :class:`Entity` record of *iri*: label, types, synonyms, brand names."""
    label = graph.value(iri, RDFS.label) or graph.value(iri, SKOS.prefLabel) or compact(iri)
    brands = sorted(str(b) for b in graph.objects(iri, MEDKG.brandName))
    synonyms = sorted(
        {str(s) for p in (SKOS.altLabel, SKOS.hiddenLabel) for s in graph.objects(iri, p)}
        - set(brands)
    )
    definition = graph.value(iri, SKOS.definition)
    return Entity(
        iri=iri,
        curie=compact(str(iri)),
        label=str(label),
        types=sorted(t for t in graph.objects(iri, RDF.type) if isinstance(t, URIRef)),
        synonyms=synonyms,
        brand_names=brands,
        definition=str(definition) if definition is not None else None,
    )


def _names(graph: Graph) -> dict[str, set[URIRef]]:
    index: dict[str, set[URIRef]] = {}
    for iri in all_entities(graph):
        for prop in NAME_PROPERTIES:
            for name in graph.objects(iri, prop):
                if isinstance(name, Literal):
                    index.setdefault(normalise(str(name)), set()).add(iri)
    return index


def resolve(graph: Graph, name: str) -> Entity:
    """Return the one entity that *name* denotes.

    *name* may be an IRI, a CURIE (``kg:LegCramp``) or any label, synonym or brand name,
    matched without regard to case, hyphens, possessives or plural endings.

    :raises EntityNotFoundError: nothing matches; the error suggests close names.
    :raises AmbiguousEntityError: several entities match; the error lists them.
    """
    text = name.strip()
    entities = set(all_entities(graph))
    for candidate in _iri_candidates(text):
        if candidate in entities:
            return describe(graph, candidate)
    index = _names(graph)
    found = index.get(normalise(text), set())
    if len(found) == 1:
        return describe(graph, next(iter(found)))
    if found:
        cards = [describe(graph, iri) for iri in sorted(found)]
        raise AmbiguousEntityError(name, [(c.curie, c.label) for c in cards])
    close = difflib.get_close_matches(normalise(text), list(index), n=3, cutoff=0.75)
    labels = sorted({describe(graph, iri).label for key in close for iri in index[key]})
    raise EntityNotFoundError(name, labels)


def _iri_candidates(text: str) -> list[URIRef]:
    candidates = []
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if re.match(r"^[a-z][a-z0-9+.\-]*://", text, re.IGNORECASE):
        candidates.append(URIRef(text))
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and local:
        candidates.append(URIRef(PREFIXES[prefix] + local))
    return candidates
