"""Check medkg's schema.org terms against the vendored schema.org release (tests/data/schemaorg).

Not a test module: :class:`SchemaOrg` reads ``schemaorg-current-https.ttl.gz`` (schema.org
release 30.0, see tests/data/README.md) and :func:`jsonld_problems` checks a schema.org JSON-LD
document the way a demanding consumer would: every ``@type`` is a class of the release, every
property key a property, each property used on a node whose type (or a superclass) is in the
property's ``schema:domainIncludes``, and each value's type (or a superclass; ``Text``, ``URL``,
``Number``, ``Boolean`` for literals) in its ``schema:rangeIncludes``. The terms named in
Turtle and SPARQL text are found by :func:`terms_in_text`, so a comment naming a term is held
to the same rule as the data.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

DATA = Path(__file__).resolve().parent / "data" / "schemaorg"
VOCABULARY = DATA / "schemaorg-current-https.ttl.gz"
OFFICIAL_CONTEXT = DATA / "schemaorgcontext.jsonld.gz"
SCHEMA = "https://schema.org/"
BIOLINK = "https://w3id.org/biolink/vocab/"

_PREFIX_LINE = re.compile(r"(?:@prefix|PREFIX)\s+([\w-]*):\s*<([^>]*)>", re.IGNORECASE)


def terms_in_text(text: str, namespace: str) -> set[str]:
    """Return the local names of *namespace* that *text* (Turtle or SPARQL) mentions.

    Full IRIs (``<https://schema.org/Drug>``) and prefixed names with any prefix the text
    declares for *namespace* (``schema:Drug``, in data, comments or literals alike). A text
    that mentions the conventional prefix (``schema:`` / ``biolink:``) without declaring it
    is read with the conventional meaning, so a comment cannot dodge the check.
    """
    prefixes = {name for name, iri in _PREFIX_LINE.findall(text) if iri == namespace}
    prefixes.add("schema" if namespace == SCHEMA else "biolink")
    found = set(re.findall(re.escape("<" + namespace) + r"([A-Za-z][\w-]*)>", text))
    for prefix in prefixes:
        pattern = r"(?<![\w/:.-])" + re.escape(prefix) + r":([A-Za-z][A-Za-z0-9_]*)"
        found.update(re.findall(pattern, text))
    return found


def official_context() -> dict[str, Any]:
    """Return schema.org 30.0's own JSON-LD context document (the vendored copy)."""
    with gzip.open(OFFICIAL_CONTEXT, "rt", encoding="utf-8") as stream:
        document: dict[str, Any] = json.load(stream)
    return document


class SchemaOrg:
    """The schema.org vocabulary of one release: its classes, properties, domains and ranges."""

    def __init__(self, path: Path = VOCABULARY) -> None:
        if not path.is_file():
            raise FileNotFoundError(f"the vendored schema.org vocabulary {path} is missing")
        with gzip.open(path, "rb") as stream:
            self.graph = Graph().parse(stream, format="turtle")

    def _iri(self, name: str) -> URIRef:
        return URIRef(name if name.startswith(SCHEMA) else SCHEMA + name)

    def _typed(self, rdf_type: URIRef) -> frozenset[str]:
        return frozenset(
            str(s)[len(SCHEMA) :]
            for s in self.graph.subjects(RDF.type, rdf_type)
            if str(s).startswith(SCHEMA)
        )

    @cached_property
    def classes(self) -> frozenset[str]:
        """Local names of every class (data types such as Text included)."""
        return self._typed(RDFS.Class)

    @cached_property
    def properties(self) -> frozenset[str]:
        """Local names of every property."""
        return self._typed(RDF.Property)

    def superseded(self, name: str) -> bool:
        """Whether the release marks *name* as superseded by another term."""
        return (self._iri(name), self._iri("supersededBy"), None) in self.graph

    def pending(self, name: str) -> bool:
        """Whether *name* is only a proposal (the ``pending`` section), not settled vocabulary."""
        return (self._iri(name), self._iri("isPartOf"), URIRef("https://pending.schema.org")) in (
            self.graph
        )

    def superclasses(self, name: str) -> set[str]:
        """*name* and every class above it (``rdfs:subClassOf``, transitively)."""
        return {
            str(c)[len(SCHEMA) :]
            for c in self.graph.transitive_objects(self._iri(name), RDFS.subClassOf)
            if str(c).startswith(SCHEMA)
        }

    def _local(self, prop: str, key: str) -> set[str]:
        return {str(o)[len(SCHEMA) :] for o in self.graph.objects(self._iri(prop), self._iri(key))}

    def domains(self, prop: str) -> set[str]:
        """The classes in *prop*'s ``schema:domainIncludes``."""
        return self._local(prop, "domainIncludes")

    def ranges(self, prop: str) -> set[str]:
        """The classes in *prop*'s ``schema:rangeIncludes``."""
        return self._local(prop, "rangeIncludes")

    def term_problem(self, name: str, kind: str = "term") -> str | None:
        """Say what is wrong with using *name* as a ``class``, ``property`` or any ``term``."""
        known = {
            "class": self.classes,
            "property": self.properties,
            "term": self.classes | self.properties,
        }[kind]
        if name not in known:
            other = (
                "property" if name in self.properties else "class" if name in self.classes else None
            )
            if other:
                return f"schema:{name} is a {other}, not a {kind}"
            return f"schema:{name} is not a {kind} of schema.org"
        if self.superseded(name):
            return f"schema:{name} is superseded in schema.org"
        if self.pending(name):
            return f"schema:{name} is only pending in schema.org"
        return None


def iri_valued_properties(context: dict[str, Any]) -> set[str]:
    """Return the terms a JSON-LD context maps with ``"@type": "@id"``."""
    return {
        term
        for term, definition in context.items()
        if isinstance(definition, dict) and definition.get("@type") == "@id"
    }


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type", [])
    return [value] if isinstance(value, str) else list(value)


def _literal_types(value: Any, iri_valued: bool) -> set[str]:
    if isinstance(value, bool):
        return {"Boolean"}
    if isinstance(value, int):
        return {"Integer"}
    if isinstance(value, float):
        return {"Number"}
    # A plain string is a Text literal; only an IRI-coerced property makes it a URL.
    return {"URL"} if iri_valued else {"Text"}


def _nodes(doc: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if "@graph" in doc:
        for index, node in enumerate(doc["@graph"]):
            yield from _nodes(node, f"{path}@graph[{index}]")
        return
    yield path, doc


def jsonld_problems(
    doc: dict[str, Any], vocab: SchemaOrg, iri_valued: set[str], path: str = "$"
) -> list[str]:
    """Return every schema.org term misuse in the JSON-LD *doc* (compact keys, ``@vocab`` terms).

    :param iri_valued: the properties whose string values are IRIs (see
        :func:`iri_valued_properties` of the official context).
    """
    problems: list[str] = []
    for where, node in _nodes(doc, path):
        types = _types(node)
        if not types:
            problems.append(f"{where}: a node without @type")
        above: set[str] = set()
        for schema_type in types:
            problem = vocab.term_problem(schema_type, "class")
            if problem:
                problems.append(f"{where}: @type {problem}")
            above |= vocab.superclasses(schema_type)
        for key, values in node.items():
            if key.startswith("@"):
                continue
            problem = vocab.term_problem(key, "property")
            if problem:
                problems.append(f"{where}.{key}: {problem}")
                continue
            if not above & vocab.domains(key):
                problems.append(
                    f"{where}.{key}: {key} on {'/'.join(types)}, outside its domain "
                    f"{sorted(vocab.domains(key))}"
                )
            ranges = vocab.ranges(key)
            for index, value in enumerate(values if isinstance(values, list) else [values]):
                at = f"{where}.{key}[{index}]"
                if isinstance(value, dict):
                    value_types = set().union(*(vocab.superclasses(t) for t in _types(value)))
                    problems.extend(jsonld_problems(value, vocab, iri_valued, at))
                else:
                    value_types = set().union(
                        *(vocab.superclasses(t) for t in _literal_types(value, key in iri_valued))
                    )
                if not value_types & ranges:
                    problems.append(
                        f"{at}: a {'/'.join(sorted(value_types)) or 'untyped'} value, outside "
                        f"{key}'s range {sorted(ranges)}"
                    )
    return problems


_CLASS_TYPES = {OWL.Class, RDFS.Class}
_PROPERTY_TYPES = {
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
}
_MAPPINGS = {SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch}


def _kind(graph: Graph, term: Node) -> str:
    types = set(graph.objects(term, RDF.type))
    if types & _CLASS_TYPES:
        return "class"
    if types & _PROPERTY_TYPES:
        return "property"
    return "term"


def iri_roles(graph: Graph, namespace: str) -> dict[str, set[str]]:
    """Return each local name of *namespace* in *graph* with the roles it is used in.

    A role is ``class`` (an ``rdf:type`` object, a class declaration, the object of
    ``rdfs:subClassOf`` / ``rdfs:domain`` / ``rdfs:range``, or a mapping of a class),
    ``property`` (a predicate, a property declaration, a mapping of a property) or ``term``
    (anything else, e.g. a mapping of an individual).
    """
    roles: dict[str, set[str]] = {}

    def add(term: Node, role: str) -> None:
        if isinstance(term, URIRef) and str(term).startswith(namespace):
            roles.setdefault(str(term)[len(namespace) :], set()).add(role)

    for s, p, o in graph:
        add(p, "property")
        if p == RDF.type:
            add(o, "class")
            add(s, _kind(graph, s))
        elif p in (RDFS.subClassOf, RDFS.domain, RDFS.range):
            add(o, "class")
            add(s, "property" if p != RDFS.subClassOf else "class")
        elif p == RDFS.subPropertyOf:
            add(o, "property")
        elif p in _MAPPINGS:
            add(o, _kind(graph, s))
        else:
            add(s, "term")
            add(o, "term")
    return roles


#: XSD datatypes → the schema.org data type of such a literal (anything else is Text).
_DATATYPES = {
    XSD.integer: "Integer",
    XSD.int: "Integer",
    XSD.nonNegativeInteger: "Integer",
    XSD.decimal: "Number",
    XSD.double: "Number",
    XSD.float: "Number",
    XSD.boolean: "Boolean",
    XSD.date: "Date",
    XSD.dateTime: "DateTime",
    XSD.anyURI: "URL",
}


def _schema_classes(graph: Graph, node: Node, vocab: SchemaOrg) -> set[str]:
    """The schema.org classes *node* belongs to: its own, or implied by the schema's mappings.

    A medkg class (or one of its superclasses) that is an exact or broad match of a schema.org
    class makes its instances members of that class; a close match implies nothing.
    """
    found: set[str] = set()
    for rdf_type in graph.objects(node, RDF.type):
        for cls in graph.transitive_objects(rdf_type, RDFS.subClassOf):
            for target in (
                cls,
                *graph.objects(cls, SKOS.exactMatch),
                *graph.objects(cls, SKOS.broadMatch),
            ):
                if str(target).startswith(SCHEMA):
                    found |= vocab.superclasses(str(target)[len(SCHEMA) :])
    return found


def graph_problems(graph: Graph, vocab: SchemaOrg) -> tuple[list[str], set[str]]:
    """Check the domain and range of every schema.org property used in the triples of *graph*.

    Returns the problems, and the properties accepted only under schema.org's conformance
    rule that a text string may stand where a ``Thing`` (a Person, an Organization …) is
    expected (docs/datamodel.html#conformance), so a caller can pin which ones those are.
    """
    problems: list[str] = []
    text_for_thing: set[str] = set()
    for s, p, o in sorted(graph):
        if not str(p).startswith(SCHEMA):
            continue
        name = str(p)[len(SCHEMA) :]
        if vocab.term_problem(name, "property"):
            continue  # reported by the existence check
        where = f"{s.n3(graph.namespace_manager)} schema:{name} {o.n3(graph.namespace_manager)}"
        subject_classes = _schema_classes(graph, s, vocab) or {"Thing"}
        if not subject_classes & vocab.domains(name):
            problems.append(f"{where}: subject {sorted(subject_classes)} outside the domain")
        ranges = vocab.ranges(name)
        if isinstance(o, Literal):
            datatype = _DATATYPES.get(o.datatype, "Text") if o.datatype else "Text"
            value_types = vocab.superclasses(datatype)
            if value_types & ranges:
                continue
            if all("Thing" in vocab.superclasses(r) for r in ranges):
                text_for_thing.add(name)
                continue
        else:
            value_types = _schema_classes(graph, o, vocab)
            # An IRI with no schema.org class is a URL, which schema.org accepts for any
            # property (same section); a typed node must have a class in the range.
            if not value_types or value_types & ranges or "URL" in ranges:
                continue
        problems.append(
            f"{where}: a {sorted(value_types)} value outside the range {sorted(ranges)}"
        )
    return problems, text_for_thing
