"""'Every relation has evidence' needs SHACL-AF: pinned in both modes, as the README says."""

from __future__ import annotations

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import SH

import medkg
from medkg.resources import ontology_dir

UNSUPPORTED = """
@prefix kg: <https://w3id.org/medkg/entity/> .
@prefix medkg: <https://w3id.org/medkg/schema/> .
kg:Baclofen medkg:prevents kg:LegCramp .
"""


def _evidence_findings(advanced: bool) -> list[str]:
    """The focus nodes that the rule "relation has evidence" reports."""
    data = Graph()
    data += medkg.load().graph
    data.parse(data=UNSUPPORTED, format="turtle")
    shapes = Graph().parse(ontology_dir() / "shapes.ttl")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=advanced)
    rule = URIRef("https://w3id.org/medkg/shapes/Relation-evidenced")
    return sorted(
        str(results.value(r, SH.focusNode)) for r in results.subjects(SH.sourceShape, rule)
    )


def test_with_advanced_features_a_relation_without_evidence_is_reported() -> None:
    assert _evidence_findings(advanced=True) == ["https://w3id.org/medkg/entity/Baclofen"]


def test_a_shacl_core_validator_does_not_see_it() -> None:
    # What the README documents: without SHACL-AF the shape's target selects nothing.
    assert _evidence_findings(advanced=False) == []
