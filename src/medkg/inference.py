"""RDFS / OWL-RL materialisation, so plain SPARQL sees what the schema entails."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import OWL

__all__ = ["materialise"]


def materialise(graph: Graph) -> int:
    """Add the OWL-RL closure of *graph* to it, in place, and return the number of new triples.

    Reflexive ``owl:sameAs`` triples, which OWL-RL adds for every resource, are dropped: they
    say nothing and would swamp every result.
    """
    import owlrl

    before = len(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    for s, _, o in list(graph.triples((None, OWL.sameAs, None))):
        if s == o:
            graph.remove((s, OWL.sameAs, o))
    return len(graph) - before
