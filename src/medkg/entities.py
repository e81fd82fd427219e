"""Finding entities by the names people use: label, synonym, brand name, CURIE or IRI.

Everything here reads the store with a few bounded SPARQL queries (``kg.query``): a CURIE
or IRI is one query about that IRI, a name is a look-up in the label index
(:mod:`medkg.labels`), and describing many entities is one ``VALUES`` query per batch.

What counts as an entity: any IRI with a name (``rdfs:label``, ``skos:prefLabel``,
``schema:name``, see :data:`LABEL_PROPERTIES`) or a type below ``medkg:Entity``, unless it is
a schema term (a class, a property, an ontology, a concept scheme, or any IRI of medkg's
schema), an evidence record, or a structured value (``schema:QuantitativeValue``). So the
user's own data in another vocabulary (MeSH, Hetionet, schema.org) is found like medkg's.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Identifier, Literal, Node, URIRef

from medkg.errors import AmbiguousEntityError, EntityNotFoundError
from medkg.namespaces import BASE, EV, MEDKG, PREFIXES, SCHEMA

if TYPE_CHECKING:
    from medkg.query import QueryResult

__all__ = [
    "Entity",
    "Queryable",
    "all_entities",
    "as_queryable",
    "compact",
    "describe",
    "describe_many",
    "entity_names",
    "entity_table",
    "normalise",
    "resolve",
    "sort_terms",
    "value_batches",
]

#: Properties whose values name an entity (what search and resolution match).
NAME_PROPERTIES = (
    RDFS.label,
    SKOS.prefLabel,
    SCHEMA.name,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    MEDKG.brandName,
)

#: Properties that make a labelled IRI an entity, and give its display label (in this order).
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SCHEMA.name)

#: Types of things that have labels but are not entities of the domain.
NOT_ENTITY_TYPES = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        RDFS.Datatype,
        RDF.Property,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.Ontology,
        SKOS.ConceptScheme,
        MEDKG.Evidence,
        MEDKG.Caveat,
        MEDKG.EvidenceCode,  # the ECO terms records cite (obo:ECO_0000304 …), labelled
        MEDKG.ClaimType,
        MEDKG.StudyType,
        SCHEMA.QuantitativeValue,
    }
)

#: IRI bases whose terms are never entities: medkg's schema and its evidence records.
NOT_ENTITY_BASES = (BASE + "schema/", str(EV))

#: Mapping properties whose objects identify the same (or nearly the same) concept.
EXTERNAL_ID_PROPERTIES = (SKOS.exactMatch, SKOS.closeMatch)

# What one describing query fetches about each IRI.
_DESCRIBED = (RDF.type, *NAME_PROPERTIES, SKOS.definition, *EXTERNAL_ID_PROPERTIES)
# IRIs per VALUES block: small enough for every engine's query-size limit.
_BATCH = 400


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
    #: IRIs of ``skos:exactMatch`` then ``skos:closeMatch`` (sorted within each).
    external_ids: list[str] = field(default_factory=list)


class Queryable(Protocol):
    """Anything that answers SPARQL like :meth:`medkg.KnowledgeGraph.query` (a store, a kg)."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query with medkg's prefixes predeclared."""
        ...


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


def as_queryable(graph: Queryable | Graph) -> Queryable:
    """Accept a knowledge graph, a store, or (for older callers) a bare rdflib graph.

    A bare graph is wrapped in a memory store (not copied), so it is queried the same way.
    """
    if isinstance(graph, Graph):
        from medkg.stores import MemoryStore

        return MemoryStore(graph)
    if not callable(getattr(graph, "query", None)):
        raise TypeError(f"expected a KnowledgeGraph (medkg.load()), not {type(graph).__name__}")
    return graph


# The classes below medkg:Entity, per store: a few dozen, asked once per process.
_ENTITY_CLASSES: weakref.WeakKeyDictionary[object, frozenset[URIRef]] = weakref.WeakKeyDictionary()


def entity_classes(kg: Queryable | Graph) -> frozenset[URIRef]:
    """Return ``medkg:Entity`` and every class below it."""
    source = as_queryable(kg)
    key = getattr(source, "store", source)
    try:
        return _ENTITY_CLASSES[key]
    except (KeyError, TypeError):
        pass
    rows = source.query("SELECT DISTINCT ?c WHERE { ?c rdfs:subClassOf* medkg:Entity }").rows
    classes = frozenset({MEDKG.Entity} | {r[0] for r in rows if isinstance(r[0], URIRef)})
    # An object that cannot be weakly referenced is asked again next time.
    with contextlib.suppress(TypeError):
        _ENTITY_CLASSES[key] = classes
    return classes


def _values(iris: Iterable[URIRef]) -> str:
    return " ".join(iri.n3() for iri in iris)


def value_batches(terms: Sequence[Node], size: int = _BATCH) -> Iterator[str]:
    """Yield the body of a ``VALUES`` block for each batch of *size* terms (each engine's limit).

    >>> list(value_batches([URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")], 2))
    ['<urn:a> <urn:b>', '<urn:c>']
    """
    for start in range(0, len(terms), size):
        yield " ".join(term.n3() for term in terms[start : start + size])


def _describe_rows(source: Queryable, iris: list[URIRef] | None) -> Iterable[tuple[Node, ...]]:
    """Yield (iri, property, value) for every describing triple of *iris* (all IRIs if None)."""
    props = f"VALUES ?p {{ {_values(_DESCRIBED)} }}"
    if iris is None:
        # VALUES first: rdflib then looks each property up instead of scanning every triple.
        yield from source.query(
            f"SELECT ?e ?p ?v WHERE {{ {props} ?e ?p ?v . FILTER(isIRI(?e)) }}"
        ).rows  # type: ignore[misc]
        return
    wanted = ", ".join(p.n3() for p in _DESCRIBED)
    for batch in value_batches(iris):
        # One VALUES block: rdflib then joins lazily, one index look-up per IRI (two VALUES
        # blocks make it scan every triple). The properties as a short IN list, so that a
        # hub's thousands of relations stay on the server (rdflib's parser is slow only on
        # long IN lists).
        yield from source.query(
            f"SELECT ?e ?p ?v WHERE {{ VALUES ?e {{ {batch} }} ?e ?p ?v FILTER(?p IN ({wanted})) }}"
        ).rows  # type: ignore[misc]


def _build(iri: URIRef, facts: dict[URIRef, list[Node]]) -> Entity:
    names = {p: [v for v in facts.get(p, []) if isinstance(v, Literal)] for p in NAME_PROPERTIES}
    label = next((_best_text(names[p]) for p in LABEL_PROPERTIES if names[p]), compact(iri))
    brands = sorted({str(b) for b in names[MEDKG.brandName]})
    synonyms = sorted(
        {str(s) for p in (SKOS.altLabel, SKOS.hiddenLabel) for s in names[p]} - set(brands)
    )
    definitions = [v for v in facts.get(SKOS.definition, []) if isinstance(v, Literal)]
    return Entity(
        iri=iri,
        curie=compact(str(iri)),
        label=label,
        types=sorted({t for t in facts.get(RDF.type, []) if isinstance(t, URIRef)}),
        synonyms=synonyms,
        brand_names=brands,
        definition=_best_text(definitions) if definitions else None,
        external_ids=[
            match
            for prop in EXTERNAL_ID_PROPERTIES
            for match in sorted({str(o) for o in facts.get(prop, []) if isinstance(o, URIRef)})
        ],
    )


def _best_text(literals: list[Literal]) -> str:
    """Pick one text among several: English or untagged first, then alphabetically."""
    return str(min(literals, key=lambda lbl: (lbl.language not in (None, "en"), str(lbl))))


def _is_entity(iri: URIRef, facts: dict[URIRef, list[Node]], classes: frozenset[URIRef]) -> bool:
    if str(iri).startswith(NOT_ENTITY_BASES):
        return False
    types = set(facts.get(RDF.type, []))
    if types & NOT_ENTITY_TYPES:
        return False
    if types & classes:
        return True
    return any(isinstance(v, Literal) for p in LABEL_PROPERTIES for v in facts.get(p, []))


def _entity_facts(
    source: Queryable, iris: list[URIRef] | None
) -> dict[URIRef, dict[URIRef, list[Node]]]:
    """Return the describing facts of the entities among *iris* (every entity if None)."""
    facts: dict[URIRef, dict[URIRef, list[Node]]] = {}
    for iri, prop, value in _describe_rows(source, iris):
        if isinstance(iri, URIRef) and isinstance(prop, URIRef) and value is not None:
            facts.setdefault(iri, {}).setdefault(prop, []).append(value)
    classes = entity_classes(source)
    return {iri: facts[iri] for iri in sorted(facts) if _is_entity(iri, facts[iri], classes)}


def _table(source: Queryable, iris: list[URIRef] | None) -> dict[URIRef, Entity]:
    return {iri: _build(iri, facts) for iri, facts in _entity_facts(source, iris).items()}


def entity_names(kg: Queryable | Graph) -> list[tuple[str, str]]:
    """Return ``(iri, name)`` for every name of every entity (what the label index holds)."""
    return sorted(
        {
            (str(iri), str(value))
            for iri, facts in _entity_facts(as_queryable(kg), None).items()
            for prop in NAME_PROPERTIES
            for value in facts.get(prop, [])
            if isinstance(value, Literal)
        }
    )


def entity_table(kg: Queryable | Graph) -> dict[URIRef, Entity]:
    """Return every entity of *kg*, described, keyed by IRI in sorted order (one bulk query).

    >>> from medkg import load
    >>> entity_table(load())[URIRef("https://w3id.org/medkg/entity/LegCramp")].label
    'leg cramp'
    """
    return _table(as_queryable(kg), None)


def describe_many(kg: Queryable | Graph, iris: Iterable[URIRef]) -> dict[URIRef, Entity]:
    """Describe the entities among *iris* (one query per 400); IRIs that are none are left out."""
    wanted = sorted({URIRef(str(i)) for i in iris})
    return _table(as_queryable(kg), wanted) if wanted else {}


def all_entities(kg: Queryable | Graph) -> list[URIRef]:
    """Return every entity's IRI, sorted (see the module docstring for what counts)."""
    return list(entity_table(kg))


def describe(kg: Queryable | Graph, iri: URIRef) -> Entity:
    """Return the :class:`Entity` record of *iri*: label, types, synonyms, brand names.

    An IRI the graph says nothing about gets its CURIE as its label.
    """
    source = as_queryable(kg)
    facts: dict[URIRef, list[Node]] = {}
    for _, prop, value in _describe_rows(source, [iri]):
        if isinstance(prop, URIRef) and value is not None:
            facts.setdefault(prop, []).append(value)
    return _build(iri, facts)


def resolve(kg: Queryable | Graph, name: str) -> Entity:
    """Return the one entity that *name* denotes.

    *name* may be an IRI, a CURIE (``kg:LegCramp``) or any label, synonym or brand name,
    matched without regard to case, hyphens, possessives or plural endings. An IRI or CURIE
    costs one query about that IRI; a name is looked up in the label index.

    :raises EntityNotFoundError: nothing matches; the error suggests close names.
    :raises AmbiguousEntityError: several entities match; the error lists them.
    """
    from medkg.labels import label_index

    source = as_queryable(kg)
    text = name.strip()
    candidates = _iri_candidates(text)
    if candidates:
        found = describe_many(source, candidates)
        for candidate in candidates:
            if candidate in found:
                return found[candidate]
    index = label_index(source)
    matches = describe_many(source, (URIRef(i) for i in index.exact(normalise(text))))
    if len(matches) == 1:
        return next(iter(matches.values()))
    if matches:
        raise AmbiguousEntityError(name, [(e.curie, e.label) for e in matches.values()])
    close = index.close(normalise(text), n=3)
    labels = sorted({e.label for e in describe_many(source, (URIRef(i) for i in close)).values()})
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
