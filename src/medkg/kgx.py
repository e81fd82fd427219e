"""KGX TSV export: ``nodes.tsv``, ``edges.tsv`` and the prefix context kgx needs to read them.

The Biolink terms come from the schema's own SKOS mappings (``ontology/medkg.ttl``): a class
or property's ``skos:exactMatch``, else ``closeMatch``, else ``broadMatch`` into the Biolink
namespace. Where the schema has none, a node falls back to ``biolink:NamedThing`` and an
edge to ``biolink:related_to``, with the precise medkg property kept in ``original_predicate``.

Identifiers follow the KGX convention: a node's ``id`` is its best standard CURIE where the
graph has an *exact* match (in the order of the Biolink ``id_prefixes`` of its category),
with the medkg IRI kept in ``iri``; where there is none the id is ``MEDKG:<name>``, a prefix
this export declares in ``prefixes.jsonld`` (``MEDKG`` → ``https://w3id.org/medkg/entity/``)
so kgx and other JSON-LD tooling expand it to the medkg IRI. Edge ids are ``urn:uuid:`` UUIDs
derived from the statement, so they are stable across exports.

Exact matches become ``xref``; close, broad, narrow and related matches keep their match type
in their own columns (``close_match`` …). Multi-valued cells are joined with ``|``, as the
KGX TSV format specifies; a ``|`` inside a single value is replaced by ``/``.

What the article cites at a point (``medkg:citesReference``) is exported as
``cited_references``, never as ``publications``: ``publications`` lists only references that
were checked to support the statement (``medkg:supportedBy`` with a ``medkg:supportNote``).
"""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node, URIRef

from medkg.entities import all_entities, compact, describe, sort_terms
from medkg.evidence import label_of
from medkg.namespaces import BIOLINK, KG, MEDKG, SCHEMA

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = [
    "EDGE_COLUMNS",
    "LOCAL_PREFIX",
    "NODE_COLUMNS",
    "SINGLE_VALUED",
    "biolink_curie",
    "edge_rows",
    "node_ids",
    "node_row",
    "store_graph",
    "write_kgx",
]

NODE_COLUMNS = (
    "id",
    "category",
    "name",
    "description",
    "synonym",
    "trade_name",
    "iri",
    "xref",
    "skos_close_match",
    "skos_broad_match",
    "skos_narrow_match",
    "skos_related_match",
    "url",
    "authors",
    "creation_date",
    "publication_type",
    "duration_text",
    "fact_quotes",
    "provided_by",
)
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "original_predicate",
    "category",
    "primary_knowledge_source",
    "knowledge_level",
    "agent_type",
    "publications",
    "cited_references",
    "supporting_text",
    "qualifiers_text",
    "provided_by",
)
#: Columns that hold one value; every other column but the ids is a ``|``-joined list.
SINGLE_VALUED = frozenset(
    {
        "id",
        "name",
        "description",
        "iri",
        "url",
        "creation_date",
        "duration_text",
        "subject",
        "predicate",
        "object",
        "original_predicate",
        "primary_knowledge_source",
        "knowledge_level",
        "agent_type",
    }
)

#: The information-resource id KGX tools expect for the knowledge source.
KNOWLEDGE_SOURCE = "infores:medkg"
#: The CURIE prefix of medkg entities that have no exact standard identifier.
LOCAL_PREFIX = "MEDKG"
#: The prefixes this export declares (written to ``prefixes.jsonld``).
DECLARED_PREFIXES = {
    LOCAL_PREFIX: str(KG),
    "medkg": str(MEDKG),
    "infores": "https://w3id.org/information-resource/",
}

#: The evidence model's newer terms (the contract in medkg.evidence), looked up without
#: failing on a store whose schema predates them.
EVIDENCE = Namespace(str(MEDKG))

_MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
_MATCH_COLUMNS = {
    "skos_close_match": SKOS.closeMatch,
    "skos_broad_match": SKOS.broadMatch,
    "skos_narrow_match": SKOS.narrowMatch,
    "skos_related_match": SKOS.relatedMatch,
}

#: IRI bases of standard vocabularies → their prefix in Biolink's JSON-LD context (each is
#: checked against the vendored context in tests/test_kgx.py). Vocabularies whose IRI form
#: the context does not share (ICD-10-CM, ATC …) are written as full IRIs, never as a CURIE
#: kgx would expand to something else.
XREF_PREFIXES = {
    "http://id.nlm.nih.gov/mesh/": "MESH",
    "http://purl.obolibrary.org/obo/HP_": "HP",
    "http://purl.obolibrary.org/obo/UBERON_": "UBERON",
    "http://purl.obolibrary.org/obo/MONDO_": "MONDO",
    "http://purl.obolibrary.org/obo/DOID_": "DOID",
    "http://purl.obolibrary.org/obo/CHEBI_": "CHEBI",
    "http://purl.obolibrary.org/obo/MAXO_": "MAXO",
    "http://purl.obolibrary.org/obo/NCIT_": "NCIT",
    "http://www.ebi.ac.uk/efo/EFO_": "EFO",
    "http://purl.bioontology.org/ontology/RXNORM/": "RXNORM",
    "https://doi.org/": "doi",
}
#: Forms whose CURIE is standard though the Biolink context spells the IRI differently.
#: kgx expands these to its own IRI for the same identifier, so they are used as ids too.
EQUIVALENT_PREFIXES = {
    "https://pubmed.ncbi.nlm.nih.gov/": "PMID",
    "http://snomed.info/id/": "SNOMEDCT",
    "https://uts.nlm.nih.gov/uts/umls/concept/": "UMLS",
    "https://go.drugbank.com/drugs/": "DRUGBANK",
}

#: Biolink ``id_prefixes`` order (Biolink 4.2.2) per category, for choosing a node's id.
ID_PREFIX_ORDER = {
    "biolink:Disease": ("MONDO", "DOID", "EFO", "UMLS", "MESH", "NCIT", "SNOMEDCT"),
    "biolink:PhenotypicFeature": ("HP", "EFO", "NCIT", "UMLS", "SNOMEDCT"),
    "biolink:DiseaseOrPhenotypicFeature": ("MONDO", "HP", "DOID", "UMLS", "MESH", "SNOMEDCT"),
    "biolink:Drug": ("RXNORM", "UMLS", "CHEBI", "DRUGBANK", "MESH"),
    "biolink:ChemicalEntity": ("CHEBI", "DRUGBANK", "MESH"),
    "biolink:AnatomicalEntity": ("UBERON", "UMLS", "MESH", "NCIT"),
    "biolink:GrossAnatomicalStructure": ("UBERON", "UMLS", "MESH", "NCIT"),
    "biolink:Article": ("PMID",),
    "biolink:Publication": ("PMID", "doi"),
    "biolink:WebPage": ("PMID", "doi"),
}

#: How knowledge_level / agent_type are filled where a record does not say (Biolink enums).
DEFAULT_KNOWLEDGE_LEVEL = "knowledge_assertion"
DEFAULT_AGENT_TYPE = "manual_agent"


def store_graph(kg: KnowledgeGraph) -> Graph:
    """Return the store's triples as an rdflib graph, read with SPARQL through ``kg.query``.

    The exports read the store (oxigraph, a SPARQL endpoint …), not the rdflib copy, so a
    store that was changed after loading is exported as it is.
    """
    result = kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert result.graph is not None  # a CONSTRUCT always answers with a graph
    return result.graph


def biolink_curie(graph: Graph, term: Node) -> str | None:
    """Return the Biolink CURIE the schema maps *term* to, strongest mapping first."""
    for prop in _MAPPINGS:
        for target in sort_terms(graph.objects(term, prop)):
            if isinstance(target, URIRef) and str(target).startswith(str(BIOLINK)):
                return "biolink:" + str(target)[len(str(BIOLINK)) :]
    return None


def standard_curie(iri: str) -> str | None:
    """Return the Biolink-context CURIE of a standard identifier IRI, or None."""
    for base, prefix in (*XREF_PREFIXES.items(), *EQUIVALENT_PREFIXES.items()):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return None


def _xref(iri: str) -> str:
    """Return a CURIE where the Biolink context has the vocabulary, else the IRI itself."""
    return standard_curie(iri) or iri


def single(value: str) -> str:
    """Make *value* safe in a single-valued KGX cell: ``|`` would split it, tabs end it."""
    return " ".join(value.replace("|", "/").split())


def _joined(values: list[str]) -> str:
    return "|".join(dict.fromkeys(single(v) for v in values if v))


def node_ids(graph: Graph, entities: list[URIRef]) -> dict[URIRef, str]:
    """Choose each entity's KGX id: an exact standard CURIE by Biolink's order, else MEDKG."""
    ids: dict[URIRef, str] = {}
    taken: set[str] = set()
    for iri in entities:
        categories = _categories(graph, iri)
        exact = [
            c
            for t in sort_terms(graph.objects(iri, SKOS.exactMatch))
            if (c := standard_curie(str(t)))
        ]
        chosen = None
        for category in categories:
            for prefix in ID_PREFIX_ORDER.get(category, ()):
                chosen = chosen or next(
                    (c for c in exact if c.split(":", 1)[0] == prefix and c not in taken), None
                )
        if chosen is None:
            local = str(iri)[len(str(KG)) :] if str(iri).startswith(str(KG)) else None
            chosen = f"{LOCAL_PREFIX}:{local}" if local else str(iri)
        taken.add(chosen)
        ids[iri] = chosen
    return ids


def _categories(graph: Graph, iri: URIRef) -> list[str]:
    categories = {c for t in graph.objects(iri, RDF.type) if (c := biolink_curie(graph, t))}
    # A more general category adds nothing once a specific one is there.
    if len(categories) > 1:
        categories.discard("biolink:NamedThing")
    return sorted(categories) or ["biolink:NamedThing"]


def _duration(graph: Graph, iri: URIRef) -> str:
    """Say each duration of *iri* in words, from its schema:QuantitativeValue."""
    parts = []
    for prop in (EVIDENCE.duration, EVIDENCE.holdDuration):
        for value in sort_terms(graph.objects(iri, prop)):
            low = graph.value(value, SCHEMA.minValue)
            high = graph.value(value, SCHEMA.maxValue)
            over = graph.value(value, EVIDENCE.canExceed)
            unit = graph.value(value, SCHEMA.unitText) or graph.value(value, SCHEMA.unitCode)
            span = (
                f"{low} to {high}"
                if high is not None
                else f"{low} to more than {over}"
                if over is not None
                else f"at least {low}"
            )
            text = f"{label_of(graph, value) or compact(str(value))}: {span} {unit or ''}".strip()
            comment = graph.value(value, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))
            parts.append(f"{text} ({comment})" if comment is not None else text)
    return "; ".join(parts)


def _fact_quotes(graph: Graph, iri: URIRef) -> list[str]:
    """Return the evidence of *iri*'s literal-valued facts (definition, brand names …)."""
    quotes = []
    for record in sort_terms(graph.subjects(RDF.subject, iri)):
        obj = graph.value(record, RDF.object)
        quote = graph.value(record, EVIDENCE.quote)
        predicate = graph.value(record, RDF.predicate)
        if isinstance(obj, Literal) and quote is not None and predicate is not None:
            quotes.append(f'{compact(str(predicate))} "{obj}": "{quote}"')
    return quotes


def _source_properties(graph: Graph, iri: URIRef) -> dict[str, str]:
    """Bibliographic data of a source node: URL, authors, date, type."""
    url = graph.value(iri, SCHEMA.url)
    same = [str(t) for t in sort_terms(graph.objects(iri, SKOS.exactMatch))]
    date = graph.value(iri, DCTERMS.date) or graph.value(iri, SCHEMA.datePublished)
    kinds = [
        label_of(graph, k) or compact(str(k))
        for k in sort_terms(graph.objects(iri, EVIDENCE.studyType))
    ]
    return {
        "url": single(str(url) if url is not None else (same[0] if same else "")),
        "authors": _joined(sorted(str(a) for a in graph.objects(iri, SCHEMA.author))),
        "creation_date": single(str(date) if date is not None else ""),
        "publication_type": _joined(kinds),
    }


def node_row(graph: Graph, iri: URIRef, node_id: str) -> dict[str, str]:
    """Return the KGX node row of *iri* (every column of :data:`NODE_COLUMNS`)."""
    entity = describe(graph, iri)
    row = {
        "id": node_id,
        "category": _joined(_categories(graph, iri)),
        "name": single(entity.label),
        "description": single(entity.definition or ""),
        "synonym": _joined(entity.synonyms),
        "trade_name": _joined(entity.brand_names),
        "iri": str(iri),
        "xref": _joined([_xref(str(t)) for t in sort_terms(graph.objects(iri, SKOS.exactMatch))]),
        "duration_text": single(_duration(graph, iri)),
        "fact_quotes": _joined(_fact_quotes(graph, iri)),
        "provided_by": KNOWLEDGE_SOURCE,
        "url": "",
        "authors": "",
        "creation_date": "",
        "publication_type": "",
    }
    for column, prop in _MATCH_COLUMNS.items():
        row[column] = _joined([_xref(str(t)) for t in sort_terms(graph.objects(iri, prop))])
    if (iri, RDF.type, EVIDENCE.Source) in graph or any(
        (iri, RDF.type, t) in graph for t in (EVIDENCE.WebPage, EVIDENCE.ScholarlyArticle)
    ):
        row.update(_source_properties(graph, iri))
    return row


def _publication_id(graph: Graph, source: Node, ids: dict[URIRef, str]) -> str:
    """Name a source by PMID, DOI or URL; by its node id where it has none of them."""
    for target in sort_terms(graph.objects(source, SKOS.exactMatch)):
        curie = standard_curie(str(target))
        if curie and curie.split(":", 1)[0] in ("PMID", "doi"):
            return curie
    url = graph.value(source, SCHEMA.url)
    if url is not None:
        return str(url)
    return ids.get(source, str(source)) if isinstance(source, URIRef) else str(source)


def _record_value(graph: Graph, records: list[Node], prop: URIRef, default: str) -> str:
    values = sorted({str(v) for r in records for v in graph.objects(r, prop)})
    return "|".join(values) if values else default


def _qualifiers(graph: Graph, records: list[Node]) -> list[str]:
    texts = []
    for record in records:
        for prop in (EVIDENCE.frequency, EVIDENCE.certainty):
            for value in sort_terms(graph.objects(record, prop)):
                texts.append(label_of(graph, value) or compact(str(value)))
    return texts


def edge_rows(graph: Graph, ids: dict[URIRef, str]) -> list[dict[str, str]]:
    """One KGX edge per relation between two entities, with what its records say."""
    rows = []
    for s, p, o in sorted(graph):
        if s not in ids or o not in ids or (p, RDF.type, _OBJECT_PROPERTY) not in graph:
            continue
        records = sort_terms(
            r
            for r in graph.subjects(RDF.subject, s)
            if graph.value(r, RDF.predicate) == p and graph.value(r, RDF.object) == o
        )
        checked = [
            src
            for r in records
            if graph.value(r, EVIDENCE.supportNote) is not None
            for src in sort_terms(graph.objects(r, EVIDENCE.supportedBy))
        ]
        cited = [
            src for r in records for src in sort_terms(graph.objects(r, EVIDENCE.citesReference))
        ]
        rows.append(
            {
                "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{s} {p} {o}")),
                "subject": ids[s],  # type: ignore[index]
                "predicate": biolink_curie(graph, p) or "biolink:related_to",
                "object": ids[o],  # type: ignore[index]
                "original_predicate": compact(str(p)),
                "category": "biolink:Association",
                "primary_knowledge_source": KNOWLEDGE_SOURCE,
                "knowledge_level": _record_value(
                    graph, records, EVIDENCE.knowledgeLevel, DEFAULT_KNOWLEDGE_LEVEL
                ),
                "agent_type": _record_value(graph, records, EVIDENCE.agentType, DEFAULT_AGENT_TYPE),
                "publications": _joined([_publication_id(graph, c, ids) for c in checked]),
                "cited_references": _joined([_publication_id(graph, c, ids) for c in cited]),
                "supporting_text": _joined(
                    [str(q) for r in records if (q := graph.value(r, EVIDENCE.quote)) is not None]
                ),
                "qualifiers_text": _joined(_qualifiers(graph, records)),
                "provided_by": KNOWLEDGE_SOURCE,
            }
        )
    return rows


def write_kgx(kg: KnowledgeGraph, folder: Path) -> None:
    """Write ``nodes.tsv``, ``edges.tsv`` and ``prefixes.jsonld`` into *folder* (which exists).

    :param kg: the knowledge graph; read through its store with SPARQL.
    :param folder: an existing folder; the export module makes the write atomic.
    """
    graph = store_graph(kg)
    entities = all_entities(graph)
    ids = node_ids(graph, entities)
    with (folder / "nodes.tsv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, NODE_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for iri in entities:
            writer.writerow(node_row(graph, iri, ids[iri]))
    with (folder / "edges.tsv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, EDGE_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(edge_rows(graph, ids))
    context = {
        "@context": {
            name: {"@id": base, "@prefix": True} for name, base in DECLARED_PREFIXES.items()
        }
    }
    (folder / "prefixes.jsonld").write_text(json.dumps(context, indent=2) + "\n", encoding="utf-8")


_OBJECT_PROPERTY = URIRef("http://www.w3.org/2002/07/owl#ObjectProperty")
