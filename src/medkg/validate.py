"""Checking the graph: SHACL shapes (what well-formed data looks like) and OWL consistency.

:func:`validate_graph` runs ``ontology/shapes.ttl`` with pyshacl and returns the findings as
data (a :class:`ValidationReport`), so callers decide what a failure means. The CLI prints
them as a table and exits 1.

:func:`check_consistency` asks the HermiT OWL reasoner (bundled with owlready2, run with
Java) whether the schema and the data contradict each other, e.g. an individual typed in two
classes declared disjoint. It raises :class:`~medkg.errors.ValidationError` if they do.

pyshacl and owlready2 are optional (the ``validate`` extra) and imported inside the
functions, so importing medkg stays fast.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, Namespace
from rdflib.query import Result, ResultRow
from rdflib.term import BNode, Literal, Node, URIRef

from medkg.entities import compact
from medkg.errors import DataFileError, MedkgError, ValidationError, ValidatorUnavailableError
from medkg.graph import KnowledgeGraph
from medkg.namespaces import PREFIXES
from medkg.prepared_queries import reuse_parsed_queries
from medkg.rdfio import parse_file
from medkg.resources import ontology_dir

__all__ = [
    "Finding",
    "ValidationReport",
    "ValidatorUnavailableError",
    "check_consistency",
    "default_shapes_file",
    "validate_graph",
]

#: The namespace of the shapes in ``ontology/shapes.ttl`` (``shape:Entity`` …).
SHAPES = Namespace("https://w3id.org/medkg/shapes/")

#: Where an IRI ends inside a message: white space, a closing bracket or quote, or a final
#: punctuation mark before white space or the end.
_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"'()]+?(?=[.,;:]?(?:\s|$)|[<>\"'()])")


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result, with IRIs shown as CURIEs where a prefix fits.

    :ivar severity: ``"Violation"``, ``"Warning"`` or ``"Info"``.
    :ivar focus_node: the node that breaks the rule (``kg:LegCramp``).
    :ivar path: the property the rule is about (``rdfs:label``), if it is about one.
    :ivar shape: the rule: the shape's name and the constraint that failed
        (``shape:Entity-label-single (maxCount)``); the name is defined in ``shapes.ttl``.
    :ivar message: what is wrong and how to fix it.
    :ivar value: the offending value, where the rule is about a value.
    """

    severity: str
    focus_node: str
    path: str | None
    shape: str
    message: str
    value: str | None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate_graph`.

    :ivar conforms: ``True`` when the graph has no finding of any severity.
    :ivar findings: every finding, sorted by focus node, then rule.
    :ivar focus_count: how many distinct nodes the shapes selected for checking (entities,
        evidence records, sources, subjects of relations …), whether or not they passed.
    """

    conforms: bool
    findings: list[Finding]
    focus_count: int


def default_shapes_file() -> Path:
    """Return the bundled shapes file, ``ontology/shapes.ttl``."""
    return ontology_dir() / "shapes.ttl"


def validate_graph(kg: KnowledgeGraph | Graph, *, shapes: Path | None = None) -> ValidationReport:
    """Check *kg* against SHACL shapes and return every finding.

    Validation runs without inference: the data asserts roles (``a medkg:RiskFactor``), and
    class targets still reach subclasses through the schema's ``rdfs:subClassOf`` triples.
    The graph is not changed.

    >>> from medkg.graph import load
    >>> validate_graph(load()).conforms
    True

    :param kg: the graph to check; it should include the schema (``medkg.ttl``).
    :param shapes: a SHACL shapes file; by default the bundled ``ontology/shapes.ttl``.
    :returns: whether the graph conforms, the findings and the number of nodes checked.
    :raises DataFileError: the shapes file is missing, malformed or not usable as SHACL.
    :raises ValidatorUnavailableError: pyshacl is not installed.
    """
    if isinstance(kg, Graph):
        kg = KnowledgeGraph.from_graph(kg)
    try:
        import pyshacl
        from pyshacl.errors import ReportableRuntimeError
    except ImportError:
        raise ValidatorUnavailableError(
            "SHACL validation needs pyshacl: pip install 'medkg[validate]'"
        ) from None
    shapes_path = shapes or default_shapes_file()
    shapes_graph = Graph()
    parse_file(shapes_graph, shapes_path)
    try:
        # advanced=True enables the SPARQL-based targets (SHACL-AF) that shapes.ttl uses; in
        # that mode pyshacl validates a copy, so kg.graph is left untouched.
        with reuse_parsed_queries():  # pyshacl asks each SPARQL constraint once per node
            conforms, results, text = pyshacl.validate(
                kg.graph,
                shacl_graph=shapes_graph,
                inference="none",
                advanced=True,
                abort_on_first=False,
            )
    except ReportableRuntimeError as exc:
        raise DataFileError(shapes_path, f"not usable as SHACL shapes: {exc.message}") from None
    if not isinstance(results, Graph):
        # pyshacl reports a broken shape (e.g. a malformed SPARQL constraint) as a
        # ValidationFailure object instead of a results graph.
        raise DataFileError(shapes_path, f"not usable as SHACL shapes: {text}")
    prefixes = _prefixes()
    findings = sorted(
        (_finding(results, node, prefixes) for node in _results(results)),
        key=lambda f: (f.focus_node, f.shape, f.value or "", f.message),
    )
    return ValidationReport(
        conforms=bool(conforms),
        findings=findings,
        focus_count=len(_focus_nodes(kg.graph, shapes_graph)),
    )


def _results(report: Graph) -> Iterator[Node]:
    """Yield the report's top-level results (nested sh:detail results are not findings)."""
    for validation_report in report.subjects(RDF.type, SH.ValidationReport):
        yield from report.objects(validation_report, SH.result)


def _prefixes() -> dict[str, str]:
    """Return medkg's prefixes plus ``shape:`` for the names of the bundled shapes."""
    return {**PREFIXES, "shape": str(SHAPES)}


def _curie(iri: str, prefixes: Mapping[str, str]) -> str:
    short = compact(iri)
    if short != iri:
        return short
    for prefix, namespace in prefixes.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_][\w.\-]*", local or "-"):
            return f"{prefix}:{local}"
    return iri


def _show(node: Node, prefixes: Mapping[str, str]) -> str:
    """Render a node for people: a CURIE, an IRI, or a literal in Turtle-like form."""
    if isinstance(node, URIRef):
        return _curie(str(node), prefixes)
    if isinstance(node, Literal):
        if node.language:
            return f'"{node}"@{node.language}'
        if node.datatype is not None and node.datatype != URIRef(PREFIXES["xsd"] + "string"):
            return f'"{node}"^^{_curie(str(node.datatype), prefixes)}'
        return f'"{node}"'
    return f"_:{node}"


def _show_path(graph: Graph, path: Node, prefixes: Mapping[str, str]) -> str:
    """Render a SHACL property path in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return _show(path, prefixes)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_show_path(graph, p, prefixes) for p in Collection(graph, alternatives))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _show_path(graph, inverse, prefixes)
    for quantifier, mark in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, quantifier)
        if inner is not None:
            return f"({_show_path(graph, inner, prefixes)}){mark}"
    if graph.value(path, RDF.first) is not None:
        return "/".join(_show_path(graph, p, prefixes) for p in Collection(graph, path))
    return "(complex path)"


def _finding(report: Graph, result: Node, prefixes: Mapping[str, str]) -> Finding:
    severity = report.value(result, SH.resultSeverity)
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        focus_node=_show(focus, prefixes) if focus is not None else "",
        path=_show_path(report, path, prefixes) if path is not None else None,
        shape=_rule(report, result, prefixes),
        message=_message(report, result, prefixes),
        value=_show(value, prefixes) if value is not None else None,
    )


def _rule(report: Graph, result: Node, prefixes: Mapping[str, str]) -> str:
    """Name the rule: the SPARQL constraint or the shape, plus the failed constraint kind."""
    constraint = report.value(result, SH.sourceConstraint)
    shape = report.value(result, SH.sourceShape)
    named = constraint if isinstance(constraint, URIRef) else shape
    name = _show(named, prefixes) if isinstance(named, URIRef) else "(unnamed shape)"
    component = report.value(result, SH.sourceConstraintComponent)
    if component is None:
        return name
    # sh:MaxCountConstraintComponent -> maxCount, sh:SPARQLConstraintComponent -> sparql
    kind = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    kind = "sparql" if kind == "SPARQL" else kind[:1].lower() + kind[1:]
    return f"{name} ({kind})"


def _message(report: Graph, result: Node, prefixes: Mapping[str, str]) -> str:
    messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    english = [m for m in messages if m.language in (None, "en")]
    text = str((english or messages)[0]) if messages else "breaks a SHACL constraint"
    if report.value(result, SH.sourceConstraintComponent) != SH.SPARQLConstraintComponent:
        return text
    # pyshacl fills {$this} / {?value} of SPARQL-based messages with full IRIs; CURIEs are
    # what curators write. Other messages are left alone: their IRIs are examples to copy.
    return _IRI_IN_TEXT.sub(lambda match: _curie(match.group(0), prefixes), text)


def _focus_nodes(data: Graph, shapes: Graph) -> set[Node]:
    """Return the nodes the shapes' targets select in *data*.

    Covers the target kinds of SHACL Core (class with subclasses, node, subjects-of,
    objects-of) and SPARQL-based targets; focus nodes reached only through sh:node or
    sh:property references are values of these, not counted again.
    """
    found: set[Node] = set()
    for target_class in set(shapes.objects(None, SH.targetClass)):
        if not isinstance(target_class, URIRef):
            continue
        found.update(
            row[0]
            for row in _rows(
                data.query(
                    "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* ?class }",
                    initNs={"rdfs": RDFS},
                    initBindings={"class": target_class},
                )
            )
        )
    found.update(shapes.objects(None, SH.targetNode))
    for prop in set(shapes.objects(None, SH.targetSubjectsOf)):
        found.update(data.subjects(prop, None))
    for prop in set(shapes.objects(None, SH.targetObjectsOf)):
        found.update(data.objects(None, prop))
    for target in set(shapes.objects(None, SH.target)):
        select = shapes.value(target, SH.select)
        if select is not None:
            namespaces = _declared_prefixes(shapes, shapes.objects(target, SH.prefixes))
            found.update(row[0] for row in _rows(data.query(str(select), initNs=namespaces)))
    return found


def _rows(result: Result) -> Iterator[ResultRow]:
    """Yield the rows of a SELECT result (typed: rdflib's iterator also covers ASK)."""
    for row in result:
        if isinstance(row, ResultRow):
            yield row


def _declared_prefixes(shapes: Graph, sources: Iterable[Node]) -> dict[str, str]:
    """Collect the sh:declare prefix declarations that a SPARQL target points to."""
    declared: dict[str, str] = {}
    for source in sources:
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                declared[str(prefix)] = str(namespace)
    return declared


# ---------------------------------------------------------------- OWL consistency


def check_consistency(kg: KnowledgeGraph) -> None:
    """Check with the HermiT reasoner that the graph has no logical contradiction.

    The graph is written as RDF/XML to a temporary folder and loaded into its own owlready2
    ``World`` (so repeated checks do not share state); ``owl:imports`` are dropped first,
    because the imported schema is already part of the graph and must not be fetched.

    :param kg: the graph to check.
    :raises ValidationError: the graph is inconsistent; where an individual is typed in two
        classes declared disjoint, the message names it.
    :raises ValidatorUnavailableError: owlready2 or Java is not installed, or Java fails.
    :raises MedkgError: the graph cannot be handed to owlready2.
    """
    try:
        import owlready2
    except ImportError:
        raise ValidatorUnavailableError(
            "the consistency check needs owlready2: pip install 'medkg[validate]'"
        ) from None
    # owlready2 starts HermiT with the program named by owlready2.JAVA_EXE ("java" by default).
    if shutil.which(owlready2.JAVA_EXE) is None:
        raise ValidatorUnavailableError(
            "the consistency check runs the HermiT reasoner, which needs Java: install a Java "
            "runtime (Debian/Ubuntu: apt install default-jre-headless) and put `java` on PATH"
        )
    with tempfile.TemporaryDirectory(prefix="medkg-owl-") as folder:
        owl_file = Path(folder) / "graph.owl"
        _write_for_owlready(kg.graph, owl_file)
        try:
            _run_hermit(owlready2, owl_file)
        except owlready2.OwlReadyInconsistentOntologyError:
            raise ValidationError(_inconsistency_message(kg.graph)) from None
        except owlready2.OwlReadyJavaError as exc:
            raise ValidatorUnavailableError(
                f"the HermiT reasoner failed: {_first_line(str(exc), skip='Java error message')}"
            ) from None
        except owlready2.OwlReadyOntologyParsingError as exc:
            raise MedkgError(f"owlready2 cannot read the graph: {_first_line(str(exc))}") from None


def _write_for_owlready(graph: Graph, path: Path) -> None:
    copy = Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            copy.add(triple)
    try:
        copy.serialize(path, format="xml")
    except Exception as exc:  # rdflib raises several types for terms RDF/XML cannot express
        raise MedkgError(
            f"the graph cannot be written as RDF/XML for the reasoner: {exc}"
        ) from None


def _run_hermit(owlready2: Any, owl_file: Path) -> None:
    world = owlready2.World()
    # owlready2 and HermiT write progress and warnings to stdout/stderr; the library stays
    # quiet and reports through its return value and exceptions.
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            world.get_ontology(owl_file.as_uri()).load()
            owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    finally:
        world.close()


def _inconsistency_message(graph: Graph) -> str:
    message = "the graph is logically inconsistent: the HermiT reasoner found a contradiction"
    rows = graph.query(
        """
        SELECT DISTINCT ?x ?a ?b WHERE {
            ?a owl:disjointWith ?b .
            ?x a/rdfs:subClassOf* ?a .
            ?x a/rdfs:subClassOf* ?b .
        } ORDER BY ?x ?a ?b LIMIT 3
        """,
        initNs={"owl": OWL, "rdfs": RDFS},
    )
    clashes = [
        f"{compact(str(x))} is both {compact(str(a))} and {compact(str(b))}, declared disjoint"
        for x, a, b in _rows(rows)
        if not isinstance(x, BNode)
    ]
    if clashes:
        return f"{message}: {'; '.join(clashes)}"
    return f"{message} (check disjoint classes, functional properties and property ranges)"


def _first_line(text: str, skip: str | None = None) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if skip:
        lines = [line for line in lines if not line.startswith(skip)]
    return lines[0] if lines else "no details given"
