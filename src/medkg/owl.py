"""The OWL export: the graph as an OWL 2 DL ontology in RDF/XML, evidence as axiom annotations.

OWL tools (the OWL API, hence Protégé; owlready2; pronto) read an ontology as axioms. An
evidence record reified with ``rdf:subject`` / ``rdf:predicate`` / ``rdf:object`` is no axiom
(the OWL API drops those triples), so here every ``medkg:Evidence`` record becomes what OBO
ontologies use: an ``owl:Axiom`` with ``owl:annotatedSource`` / ``owl:annotatedProperty`` /
``owl:annotatedTarget`` naming the statement, carrying each of the record's other fields as an
annotation (whatever fields a record has: quote, section, offsets, cited reference, evidence
code, qualifiers …), and ``rdfs:seeAlso`` the record's own IRI, so that records that point at
a record (a caveat) still resolve.

What changes for OWL 2 DL, here rather than in ``ontology/medkg.ttl`` (whose RDF form is
right for SPARQL): a property used on evidence records becomes an ``owl:AnnotationProperty``
(an axiom's annotations must use annotation properties; the property's object / datatype
characteristics do not apply to annotations), and one file holds one ontology, so an
ontology header that another one in the same file imports is merged away with its import.
"""

from __future__ import annotations

import warnings
from typing import IO, TYPE_CHECKING

from rdflib import BNode, Graph
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from medkg.namespaces import MEDKG
from medkg.stores.base import new_graph

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["owl_ontology", "write_owl", "write_owl_schema"]

#: The record fields that name the statement; they become the axiom's source/property/target.
_STATEMENT: dict[Node, Node] = {
    RDF.subject: OWL.annotatedSource,
    RDF.predicate: OWL.annotatedProperty,
    RDF.object: OWL.annotatedTarget,
}

#: What a property used as an annotation loses: kinds and characteristics that OWL 2 DL
#: allows only for object or data properties.
_PROPERTY_KINDS = {
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
}
_PROPERTY_AXIOMS = {OWL.inverseOf, OWL.propertyChainAxiom, OWL.propertyDisjointWith,
                    OWL.equivalentProperty}  # fmt: skip

_ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def owl_ontology(graph: Graph) -> Graph:
    """Return *graph* as an OWL 2 DL ontology, each evidence record an annotated axiom.

    >>> from medkg import load
    >>> owl = owl_ontology(load().graph)
    >>> from rdflib.namespace import OWL, RDF
    >>> len(list(owl.subjects(RDF.type, OWL.Axiom))) > 50
    True

    :param graph: the triples (schema and knowledge, or the schema alone).
    :returns: a new graph; *graph* is not changed.
    """
    out = new_graph()
    records = set(graph.subjects(RDF.type, MEDKG.Evidence))
    annotation_properties: set[Node] = set()
    for record in records:
        axiom = BNode()
        out.add((axiom, RDF.type, OWL.Axiom))
        out.add((axiom, RDFS.seeAlso, record))
        for predicate, value in graph.predicate_objects(record):
            if predicate == RDF.type and value == MEDKG.Evidence:
                continue
            out.add((axiom, _STATEMENT.get(predicate, predicate), value))
            if predicate not in _STATEMENT and predicate != RDF.type:
                annotation_properties.add(predicate)
    for triple in graph:
        # rdf:Statement is RDF's reification class, reserved vocabulary in OWL 2 DL; the
        # records it classifies are axioms here.
        if triple[0] not in records and RDF.Statement not in (triple[0], triple[2]):
            out.add(triple)
    _as_annotation_properties(out, annotation_properties)
    _one_ontology(out)
    return out


def _as_annotation_properties(graph: Graph, properties: set[Node]) -> None:
    for prop in properties:
        for kind in _PROPERTY_KINDS:
            graph.remove((prop, RDF.type, kind))
        for axiom in _PROPERTY_AXIOMS:
            graph.remove((prop, axiom, None))
            graph.remove((None, axiom, prop))
        # An annotation property's range is an IRI; a class expression (a blank node) is not.
        for range_ in list(graph.objects(prop, RDFS.range)):
            if isinstance(range_, BNode):
                graph.remove((prop, RDFS.range, range_))
        graph.add((prop, RDF.type, OWL.AnnotationProperty))


def _one_ontology(graph: Graph) -> None:
    """Merge ontology headers that another header in the same graph imports."""
    headers = set(graph.subjects(RDF.type, OWL.Ontology))
    for importer, imported in list(graph.subject_objects(OWL.imports)):
        if importer in headers and imported in headers and importer != imported:
            graph.remove((importer, OWL.imports, imported))
            graph.remove((imported, None, None))


def _write(graph: Graph, stream: IO[bytes]) -> None:
    # pretty-xml writes typed node elements (<owl:Class>, <owl:Axiom>) where it can: pronto
    # reads those, not rdf:Description nodes. It warns on every RDF list it writes as a
    # collection, whether or not anything is lost (the tests check nothing is).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Assertions on .* other than RDF.first", UserWarning)
        # max_depth=1: no resource is written nested inside another (pronto reads a property's
        # domain, range and parents only as rdf:resource references).
        owl_ontology(graph).serialize(
            destination=stream, format="pretty-xml", encoding="utf-8", max_depth=1
        )


def write_owl(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
    """Write the whole graph as an OWL 2 DL ontology in RDF/XML (``export --format owl``)."""
    result = kg.query(_ALL_TRIPLES)
    _write(result.graph if result.graph is not None else new_graph(), stream)


def write_owl_schema(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
    """Write the schema alone (the named graph of ``medkg.ttl``) as OWL in RDF/XML."""
    from medkg.datasets import SCHEMA_GRAPH

    result = kg.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{SCHEMA_GRAPH}> {{ ?s ?p ?o }} }}")
    _write(result.graph if result.graph is not None else new_graph(), stream)
