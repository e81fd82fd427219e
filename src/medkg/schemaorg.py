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
from typing import IO, TYPE_CHECKING, Any

from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node, URIRef

from medkg.entities import all_entities, describe, sort_terms
from medkg.namespaces import MEDKG, SCHEMA

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["condition_document", "schemaorg_document", "write_schemaorg"]

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


def _name(graph: Graph, iri: Node) -> str:
    return describe(graph, iri).label if isinstance(iri, URIRef) else str(iri)


def _codes(graph: Graph, iri: URIRef) -> list[dict[str, str]]:
    codes = []
    for target in sort_terms(graph.objects(iri, SKOS.exactMatch)):
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


def _thing(graph: Graph, iri: Node, schema_type: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"@type": schema_type, "name": _name(graph, iri)}
    if isinstance(iri, URIRef):
        doc["@id"] = str(iri)
        synonyms = describe(graph, iri).synonyms
        if synonyms:
            doc["alternateName"] = synonyms
        codes = _codes(graph, iri)
        if codes:
            doc["code"] = codes
    return doc


def _drug(graph: Graph, iri: Node, drug_class: Node) -> dict[str, Any]:
    doc = _thing(graph, iri, "Drug")
    doc["nonProprietaryName"] = doc["name"]
    brands = sorted(str(b) for b in graph.objects(iri, MEDKG.brandName))
    if brands:
        doc["proprietaryName"] = brands
    doc["drugClass"] = {"@type": "DrugClass", "name": _name(graph, drug_class)}
    return doc


def _source(graph: Graph, iri: Node) -> dict[str, Any]:
    scholarly = (iri, RDF.type, MEDKG.ScholarlyArticle) in graph
    doc: dict[str, Any] = {
        "@type": "ScholarlyArticle" if scholarly else "WebPage",
        "name": str(graph.value(iri, DCTERMS.title) or _name(graph, iri)),
    }
    url = graph.value(iri, SCHEMA.url)
    if url is not None:
        doc["url"] = str(url)
    same = [str(t) for t in sort_terms(graph.objects(iri, SKOS.exactMatch))]
    if same:
        doc["sameAs"] = same
    return doc


def condition_document(graph: Graph, condition: URIRef) -> dict[str, Any]:
    """Return the schema.org ``MedicalCondition`` of *condition* as a JSON-LD dict."""
    doc = _thing(graph, condition, "MedicalCondition")
    definition = describe(graph, condition).definition
    if definition:
        doc["description"] = definition
    sections = {
        "riskFactor": [
            _thing(graph, s, "MedicalRiskFactor")
            for s in sort_terms(graph.subjects(MEDKG.mayTrigger, condition))
        ],
        "signOrSymptom": [
            _thing(graph, o, "MedicalSignOrSymptom")
            for o in sort_terms(graph.objects(condition, MEDKG.hasSymptom))
        ],
        "associatedAnatomy": [
            _thing(graph, o, "Muscle") for o in sort_terms(graph.objects(condition, MEDKG.affects))
        ],
        "possibleTreatment": [
            _thing(graph, s, "MedicalTherapy")
            for s in sort_terms(
                {
                    *graph.subjects(MEDKG.treats, condition),
                    *graph.subjects(MEDKG.relieves, condition),
                }
            )
        ],
        "secondaryPrevention": [
            _thing(graph, s, "MedicalTherapy")
            for s in sort_terms(graph.subjects(MEDKG.prevents, condition))
        ],
    }
    treatments = {
        *graph.subjects(MEDKG.treats, condition),
        *graph.subjects(MEDKG.relieves, condition),
    }
    sections["drug"] = [
        _drug(graph, drug, drug_class)
        for drug_class in sort_terms(treatments)
        for drug in sort_terms(graph.subjects(MEDKG.memberOf, drug_class))
        if (drug, RDF.type, MEDKG.Drug) in graph
    ]
    records = [
        record
        for record in graph.subjects(RDF.type, MEDKG.Evidence)
        if condition in (graph.value(record, RDF.subject), graph.value(record, RDF.object))
    ]
    articles = []
    for article in sort_terms({a for r in records for a in graph.objects(r, MEDKG.quotedFrom)}):
        doc_of_article = _source(graph, article)
        cited = sort_terms(
            {
                ref
                for r in records
                if (r, MEDKG.quotedFrom, article) in graph
                for ref in graph.objects(r, MEDKG.citesReference)
            }
        )
        if cited:
            doc_of_article["citation"] = [_source(graph, ref) for ref in cited]
        articles.append(doc_of_article)
    sections["subjectOf"] = articles
    doc.update({key: value for key, value in sections.items() if value})
    return doc


def schemaorg_document(kg: KnowledgeGraph) -> dict[str, Any]:
    """Return the schema.org JSON-LD of each condition with risk factors, symptoms or treatments.

    >>> from medkg import load
    >>> doc = schemaorg_document(load())
    >>> doc["@type"], doc["name"], len(doc["riskFactor"])
    ('MedicalCondition', 'leg cramp', 19)
    """
    graph = kg.graph
    conditions = [
        iri
        for iri in all_entities(graph)
        if (iri, RDF.type, MEDKG.Condition) in graph
        and any(
            True
            for _ in (
                *graph.subjects(MEDKG.mayTrigger, iri),
                *graph.objects(iri, MEDKG.hasSymptom),
                *graph.subjects(MEDKG.treats, iri),
            )
        )
    ]
    documents = [condition_document(graph, iri) for iri in conditions]
    if len(documents) == 1:
        return {"@context": "https://schema.org", **documents[0]}
    return {"@context": "https://schema.org", "@graph": documents}


def write_schemaorg(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
    """Write :func:`schemaorg_document` as indented JSON-LD to a binary stream."""
    text = json.dumps(schemaorg_document(kg), indent=2, ensure_ascii=False) + "\n"
    stream.write(text.encode("utf-8"))
