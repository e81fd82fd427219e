"""KGX TSV export: ``nodes.tsv`` and ``edges.tsv`` with Biolink categories and predicates.

The Biolink terms come from the schema's own SKOS mappings (``ontology/medkg.ttl``): a class
or property's ``skos:exactMatch``, else ``closeMatch``, else ``broadMatch`` into the Biolink
namespace. Where the schema has none, a node falls back to ``biolink:NamedThing`` and an
edge to ``biolink:related_to``, with the precise medkg property kept in ``relation``.
Multi-valued cells are joined with ``|``, as the KGX TSV format specifies.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node, URIRef

from medkg.entities import all_entities, compact, describe, sort_terms
from medkg.evidence import evidence_index
from medkg.namespaces import BIOLINK

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["EDGE_COLUMNS", "NODE_COLUMNS", "biolink_curie", "write_kgx"]

NODE_COLUMNS = ("id", "category", "name", "description", "synonym", "xref", "provided_by")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "relation",
    "category",
    "primary_knowledge_source",
    "knowledge_level",
    "agent_type",
    "publications",
    "supporting_text",
)

#: The information-resource id KGX tools expect for the knowledge source.
KNOWLEDGE_SOURCE = "infores:medkg"

_MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)

#: IRI bases of standard vocabularies → the CURIE prefixes Biolink and KGX use.
XREF_PREFIXES = {
    "http://id.nlm.nih.gov/mesh/": "MESH:",
    "http://purl.obolibrary.org/obo/HP_": "HP:",
    "http://purl.obolibrary.org/obo/UBERON_": "UBERON:",
    "http://purl.obolibrary.org/obo/MONDO_": "MONDO:",
    "http://purl.obolibrary.org/obo/DOID_": "DOID:",
    "http://purl.obolibrary.org/obo/CHEBI_": "CHEBI:",
    "http://purl.obolibrary.org/obo/MAXO_": "MAXO:",
    "http://www.ebi.ac.uk/efo/EFO_": "EFO:",
    "http://purl.org/sig/ont/fma/fma": "FMA:",
    "http://snomed.info/id/": "SNOMEDCT:",
    "https://uts.nlm.nih.gov/uts/umls/concept/": "UMLS:",
    "https://icd.who.int/browse10/2019/en#/": "ICD10:",
    "http://purl.bioontology.org/ontology/ICD10CM/": "ICD10CM:",
    "https://go.drugbank.com/drugs/": "DRUGBANK:",
    "http://purl.bioontology.org/ontology/RXNORM/": "RXNORM:",
    "http://purl.bioontology.org/ontology/ATC/": "ATC:",
    "https://pubmed.ncbi.nlm.nih.gov/": "PMID:",
    "https://doi.org/": "doi:",
}


def biolink_curie(graph: Graph, term: Node) -> str | None:
    """Return the Biolink CURIE the schema maps *term* to, strongest mapping first."""
    for prop in _MAPPINGS:
        for target in sort_terms(graph.objects(term, prop)):
            if isinstance(target, URIRef) and str(target).startswith(str(BIOLINK)):
                return "biolink:" + str(target)[len(str(BIOLINK)) :]
    return None


def _xref(iri: str) -> str | None:
    for base, prefix in XREF_PREFIXES.items():
        if iri.startswith(base):
            return prefix + iri[len(base) :]
    return None


def _joined(values: list[str]) -> str:
    return "|".join(dict.fromkeys(v for v in values if v))


def _node_row(graph: Graph, iri: URIRef) -> dict[str, str]:
    entity = describe(graph, iri)
    categories = [c for t in entity.types if (c := biolink_curie(graph, t))]
    xrefs = [
        x
        for prop in (SKOS.exactMatch, SKOS.closeMatch)
        for target in sort_terms(graph.objects(iri, prop))
        if (x := _xref(str(target)))
    ]
    return {
        "id": entity.curie,
        "category": _joined(sorted(categories) or ["biolink:NamedThing"]),
        "name": entity.label,
        "description": entity.definition or "",
        "synonym": _joined(entity.synonyms + entity.brand_names),
        "xref": _joined(xrefs),
        "provided_by": KNOWLEDGE_SOURCE,
    }


def _publications(graph: Graph, sources: list[str]) -> list[str]:
    """Name each source by its DOI / PMID where it has them, else by its own CURIE."""
    pubs = []
    for iri in sources:
        source = URIRef(iri)
        ids = [
            x for t in sort_terms(graph.objects(source, SKOS.exactMatch)) if (x := _xref(str(t)))
        ]
        pubs.extend(ids or [compact(iri)])
    return pubs


def write_kgx(kg: KnowledgeGraph, folder: Path) -> None:
    """Write ``nodes.tsv`` and ``edges.tsv`` in KGX TSV format into *folder* (which exists).

    :param kg: the knowledge graph.
    :param folder: an existing folder; the export module makes the write atomic.
    """
    graph = kg.graph
    entities = all_entities(graph)
    members = set(entities)
    with (folder / "nodes.tsv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, NODE_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for iri in entities:
            writer.writerow(_node_row(graph, iri))
    evidence = evidence_index(kg)
    with (folder / "edges.tsv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, EDGE_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for s, p, o in sorted(graph):
            if s not in members or o not in members or (p, RDF.type, _OBJECT_PROPERTY) not in graph:
                continue
            items = evidence.get((s, p, o), [])
            writer.writerow(
                {
                    "id": f"{compact(str(s))}-{compact(str(p))}-{compact(str(o))}",
                    "subject": compact(str(s)),
                    "predicate": biolink_curie(graph, p) or "biolink:related_to",
                    "object": compact(str(o)),
                    "relation": compact(str(p)),
                    "category": "biolink:Association",
                    "primary_knowledge_source": KNOWLEDGE_SOURCE,
                    "knowledge_level": "knowledge_assertion",
                    "agent_type": "manual_agent",
                    # Only a reference checked for the statement is its publication; one the
                    # article merely cites there is not (medkg.evidence: cited vs supported_by).
                    "publications": _joined(
                        _publications(graph, [r["iri"] for i in items for r in i["supported_by"]])
                    ),
                    "supporting_text": _joined(
                        [i["quote"].replace("|", "/") for i in items if i["quote"]]
                    ),
                }
            )


_OBJECT_PROPERTY = URIRef("http://www.w3.org/2002/07/owl#ObjectProperty")
