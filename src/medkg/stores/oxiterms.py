"""Converting RDF terms between pyoxigraph and rdflib, both ways.

pyoxigraph gives every plain literal the datatype ``xsd:string`` and every tagged one
``rdf:langString``; rdflib leaves both without a datatype. The two are the same RDF 1.1
term, and rdflib's form is what the rest of medkg compares with, so it is used here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib.term import BNode, Identifier, Literal, Node, URIRef

__all__ = ["from_oxigraph", "to_oxigraph"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# Answers repeat the same terms (labels, classes, sources) row after row, and an rdflib
# Literal is costly to build; pyoxigraph terms hash by value, so a cache is safe.
@lru_cache(maxsize=65536)
def from_oxigraph(term: Any) -> Identifier:
    """Return the rdflib term for a pyoxigraph ``NamedNode``, ``BlankNode`` or ``Literal``.

    :param term: a pyoxigraph term.
    :returns: the equal rdflib term.
    :raises TypeError: an RDF-star triple term, which medkg does not use.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"medkg does not handle this RDF term: {term!r}")


def to_oxigraph(term: Node) -> Any:
    """Return the pyoxigraph term for an rdflib ``URIRef``, ``BNode`` or ``Literal``.

    :param term: an rdflib term.
    :returns: the equal pyoxigraph term.
    :raises TypeError: a variable or a quoted graph.
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term for a store: {term!r}")
