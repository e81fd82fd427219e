"""A schema.org JSON-LD document of each condition, ready to embed in a health web page.

The document is a ``MedicalCondition`` with its ``riskFactor``, ``signOrSymptom``,
``associatedAnatomy``, ``possibleTreatment``, ``secondaryPrevention`` (the remedies avoid future
cramps, a recurrence) and ``drug`` (with brand names as ``proprietaryName`` and the class as
``drugClass``). The article the facts are quoted from is ``subjectOf`` (a CreativeWork about the
condition), and the references it cites are that article's ``citation``: schema.org's
``citation`` belongs to a CreativeWork, not to a MedicalCondition.
Only standard codes that are exact matches become ``code``: a close or broad match would
misstate what the condition is.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from rdflib.namespace import SKOS
from rdflib.term import Node, URIRef

from medkg.entities import Entity, describe, entity_table, sort_terms
from medkg.namespaces import MEDKG, SCHEMA

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = [
    "IRI_VALUED_TERMS",
    "SCHEMAORG_VOCAB",
    "condition_document",
    "document_keys",
    "inline_context",
    "schemaorg_document",
    "write_schemaorg",
    "write_schemaorg_inline",
]

#: The vocabulary the context ``https://schema.org`` maps terms to. schema.org serves its
#: context with ``http://`` IRIs on purpose ("to maintain http compatibility", its generator
#: says), so an inline context must too, or the document would mean other triples offline.
SCHEMAORG_VOCAB = "http://schema.org/"
#: The terms this export writes whose values schema.org's own context coerces to IRIs
#: (``"@type": "@id"`` in data/releases/30.0/schemaorgcontext.jsonld); every other term
#: the export writes is a plain ``@vocab`` term there (tests/test_schemaorg.py checks both).
IRI_VALUED_TERMS = frozenset({"sameAs", "url"})

#: IRI bases of coding systems → the name schema.org's MedicalCode.codingSystem takes.
CODING_SYSTEMS = {
    "http://id.nlm.nih.gov/mesh/": "MeSH",
    "http://purl.bioontology.org/ontology/ICD10CM/": "ICD-10-CM",
    "https://icd.who.int/browse10/2019/en#/": "ICD-10",
    "http://snomed.info/id/": "SNOMED CT",
    "https://uts.nlm.nih.gov/uts/umls/concept/": "UMLS",
    "http://purl.obolibrary.org/obo/HP_": "HPO",
    "http://purl.obolibrary.org/obo/MONDO_": "MONDO",
    "http://purl.obolibrary.org/obo/DOID_": "DOID",
}

#: The relations the document is made of, and the classes it tells apart.
_RELATIONS = ("mayTrigger", "hasSymptom", "affects", "treats", "relieves", "prevents", "memberOf")
_CLASSES = ("Condition", "Drug", "ScholarlyArticle")
#: Values read per node: exact matches (codes, sameAs), a source's title and URL, brand names.
_VALUES = (SKOS.exactMatch, URIRef("http://purl.org/dc/terms/title"), SCHEMA.url, MEDKG.brandName)


@dataclass
class _Facts:
    """What the document needs from the store, read with a few bulk SPARQL queries."""

    kg: KnowledgeGraph
    entities: dict[URIRef, Entity]
    #: property → (subject, object) pairs; property → node → values; node → its classes.
    pairs: dict[URIRef, list[tuple[Node, Node]]] = field(default_factory=lambda: defaultdict(list))
    values: dict[URIRef, dict[Node, list[Node]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    types: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    #: Evidence records: (record, subject, object, article quoted from, reference cited or None).
    records: list[tuple[Node, Node | None, Node | None, Node, Node | None]] = field(
        default_factory=list
    )

    @classmethod
    def read(cls, kg: KnowledgeGraph) -> _Facts:
        """Read the relations, classes, values and evidence records the document is made of."""
        facts = cls(kg, entity_table(kg))
        relations = " ".join(f"medkg:{name}" for name in _RELATIONS)
        for s, p, o in kg.query(
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {relations} }} ?s ?p ?o }}"
        ).rows:
            if isinstance(p, URIRef) and s is not None and o is not None:
                facts.pairs[p].append((s, o))
        classes = " ".join(f"medkg:{name}" for name in _CLASSES)
        for s, t in kg.query(f"SELECT ?s ?t WHERE {{ VALUES ?t {{ {classes} }} ?s a ?t }}").rows:
            if s is not None and t is not None:
                facts.types[s].add(t)
        values = " ".join(f"<{prop}>" for prop in _VALUES)
        for s, p, o in kg.query(
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}"
        ).rows:
            if isinstance(p, URIRef) and s is not None and o is not None:
                facts.values[p][s].append(o)
        for r, s, o, article, ref in kg.query(
            "SELECT ?r ?s ?o ?article ?ref WHERE {"
            " ?r a medkg:Evidence ; medkg:quotedFrom ?article ."
            " OPTIONAL { ?r rdf:subject ?s } OPTIONAL { ?r rdf:object ?o }"
            " OPTIONAL { ?r medkg:citesReference ?ref } }"
        ).rows:
            if r is not None and article is not None:
                facts.records.append((r, s, o, article, ref))
        return facts

    def subjects(self, relation: str, obj: Node) -> list[Node]:
        """Return the subjects of ``?s medkg:<relation> obj``."""
        return [s for s, o in self.pairs[MEDKG[relation]] if o == obj]

    def objects(self, subject: Node, relation: str) -> list[Node]:
        """Return the objects of ``subject medkg:<relation> ?o``."""
        return [o for s, o in self.pairs[MEDKG[relation]] if s == subject]

    def value(self, node: Node, prop: URIRef) -> Node | None:
        """One value of *prop* on *node* (the first in a stable order), or None."""
        found = sort_terms(self.values[prop].get(node, []))
        return found[0] if found else None

    def describe(self, iri: URIRef) -> Entity:
        """Return the entity record of *iri*; an IRI that is no entity is asked about on its own."""
        return self.entities.get(iri) or describe(self.kg, iri)


def _name(facts: _Facts, iri: Node) -> str:
    return facts.describe(iri).label if isinstance(iri, URIRef) else str(iri)


def _codes(facts: _Facts, iri: URIRef) -> list[dict[str, str]]:
    codes = []
    for target in sort_terms(facts.values[SKOS.exactMatch].get(iri, [])):
        for base, system in CODING_SYSTEMS.items():
            if str(target).startswith(base):
                codes.append(
                    {
                        "@type": "MedicalCode",
                        "codeValue": str(target)[len(base) :],
                        "codingSystem": system,
                    }
                )
    return codes


def _thing(facts: _Facts, iri: Node, schema_type: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"@type": schema_type, "name": _name(facts, iri)}
    if isinstance(iri, URIRef):
        doc["@id"] = str(iri)
        synonyms = facts.describe(iri).synonyms
        if synonyms:
            doc["alternateName"] = synonyms
        codes = _codes(facts, iri)
        if codes:
            doc["code"] = codes
    return doc


def _drug(facts: _Facts, iri: Node, drug_class: Node) -> dict[str, Any]:
    doc = _thing(facts, iri, "Drug")
    doc["nonProprietaryName"] = doc["name"]
    brands = sorted(str(b) for b in facts.values[MEDKG.brandName].get(iri, []))
    if brands:
        doc["proprietaryName"] = brands
    doc["drugClass"] = {"@type": "DrugClass", "name": _name(facts, drug_class)}
    return doc


def _source(facts: _Facts, iri: Node) -> dict[str, Any]:
    scholarly = MEDKG.ScholarlyArticle in facts.types.get(iri, set())
    title = facts.value(iri, URIRef("http://purl.org/dc/terms/title"))
    doc: dict[str, Any] = {
        "@type": "ScholarlyArticle" if scholarly else "WebPage",
        "name": str(title or _name(facts, iri)),
    }
    url = facts.value(iri, SCHEMA.url)
    if url is not None:
        doc["url"] = str(url)
    same = [str(t) for t in sort_terms(facts.values[SKOS.exactMatch].get(iri, []))]
    if same:
        doc["sameAs"] = same
    return doc


def condition_document(kg: KnowledgeGraph, condition: URIRef) -> dict[str, Any]:
    """Return the schema.org ``MedicalCondition`` of *condition* as a JSON-LD dict."""
    return _condition_document(_Facts.read(kg), condition)


def _condition_document(facts: _Facts, condition: URIRef) -> dict[str, Any]:
    doc = _thing(facts, condition, "MedicalCondition")
    definition = facts.describe(condition).definition
    if definition:
        doc["description"] = definition
    treatments = {*facts.subjects("treats", condition), *facts.subjects("relieves", condition)}
    sections = {
        "riskFactor": [
            _thing(facts, s, "MedicalRiskFactor")
            for s in sort_terms(set(facts.subjects("mayTrigger", condition)))
        ],
        "signOrSymptom": [
            _thing(facts, o, "MedicalSignOrSymptom")
            for o in sort_terms(set(facts.objects(condition, "hasSymptom")))
        ],
        "associatedAnatomy": [
            _thing(facts, o, "Muscle") for o in sort_terms(set(facts.objects(condition, "affects")))
        ],
        "possibleTreatment": [_thing(facts, s, "MedicalTherapy") for s in sort_terms(treatments)],
        "secondaryPrevention": [
            _thing(facts, s, "MedicalTherapy")
            for s in sort_terms(set(facts.subjects("prevents", condition)))
        ],
    }
    sections["drug"] = [
        _drug(facts, drug, drug_class)
        for drug_class in sort_terms(treatments)
        for drug in sort_terms(set(facts.subjects("memberOf", drug_class)))
        if MEDKG.Drug in facts.types.get(drug, set())
    ]
    records = [row for row in facts.records if condition in (row[1], row[2])]
    articles = []
    for article in sort_terms({row[3] for row in records}):
        doc_of_article = _source(facts, article)
        cited = sort_terms({row[4] for row in records if row[3] == article and row[4] is not None})
        if cited:
            doc_of_article["citation"] = [_source(facts, ref) for ref in cited]
        articles.append(doc_of_article)
    sections["subjectOf"] = articles
    doc.update({key: value for key, value in sections.items() if value})
    return doc


def schemaorg_document(kg: KnowledgeGraph) -> dict[str, Any]:
    """Return the schema.org JSON-LD of each condition with risk factors, symptoms or treatments.

    The store is read with a few bulk SPARQL queries through ``kg.query`` (never the rdflib
    copy), so an oxigraph store or a SPARQL endpoint is exported as it is.

    >>> from medkg import load
    >>> doc = schemaorg_document(load())
    >>> doc["@type"], doc["name"], len(doc["riskFactor"])
    ('MedicalCondition', 'leg cramp', 19)
    """
    facts = _Facts.read(kg)
    conditions = [
        iri
        for iri in facts.entities
        if MEDKG.Condition in facts.types.get(iri, set())
        and (
            facts.subjects("mayTrigger", iri)
            or facts.objects(iri, "hasSymptom")
            or facts.subjects("treats", iri)
        )
    ]
    documents = [_condition_document(facts, iri) for iri in conditions]
    if len(documents) == 1:
        return {"@context": "https://schema.org", **documents[0]}
    return {"@context": "https://schema.org", "@graph": documents}


def document_keys(value: Any) -> set[str]:
    """Return every key of a JSON-LD document (a dict or list), nested ones included.

    >>> sorted(document_keys({"@type": "Drug", "drugClass": [{"name": "x"}]}))
    ['@type', 'drugClass', 'name']
    """
    if isinstance(value, list):
        return set().union(*(document_keys(v) for v in value))
    if isinstance(value, dict):
        return set(value).union(*(document_keys(v) for v in value.values()))
    return set()


def inline_context(document: dict[str, Any]) -> dict[str, Any]:
    """Return the smallest context that reads *document* as the context ``https://schema.org`` does.

    The schema.org vocabulary, and ``@id`` coercion for the IRI-valued terms the document uses.

    >>> inline_context({"@type": "WebPage", "name": "x", "url": "https://example.org/"})
    {'@vocab': 'http://schema.org/', 'url': {'@id': 'http://schema.org/url', '@type': '@id'}}
    """
    context: dict[str, Any] = {"@vocab": SCHEMAORG_VOCAB}
    for term in sorted(document_keys(document) & IRI_VALUED_TERMS):
        context[term] = {"@id": SCHEMAORG_VOCAB + term, "@type": "@id"}
    return context


def _write(document: dict[str, Any], stream: IO[bytes]) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    stream.write(text.encode("utf-8"))


def write_schemaorg(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
    """Write :func:`schemaorg_document` as indented JSON-LD to a binary stream."""
    _write(schemaorg_document(kg), stream)


def write_schemaorg_inline(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
    """Write :func:`schemaorg_document` with an inline ``@context`` (:func:`inline_context`).

    An offline JSON-LD processor reads it without fetching ``https://schema.org``.
    """
    document = schemaorg_document(kg)
    body = {key: value for key, value in document.items() if key != "@context"}
    _write({"@context": inline_context(body), **body}, stream)
