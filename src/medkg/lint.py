"""Query lint: terms of medkg's schema that a query uses but the schema does not have.

A typo such as ``medkg:afects`` makes a query silently return nothing. :func:`unknown_terms`
finds such terms and names the closest real one; the CLI prints its warnings on stderr, the
server sends them in a response header and the query page shows them.

>>> from medkg import load
>>> unknown_terms(load(), "SELECT ?m WHERE { kg:LegCramp medkg:afects ?m }")
['medkg:afects is not in the schema; did you mean medkg:affects?']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from medkg.namespaces import MEDKG, PREFIXES
from medkg.suggest import closest

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph

__all__ = ["schema_terms", "unknown_terms"]

_SCHEMA = str(MEDKG)
# Comments and strings can hold anything; they are blanked before terms are looked for.
_NOISE = re.compile(
    r"#[^\n]*|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
)
_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.IGNORECASE)
_IRI = re.compile(r"<([^<>\s]*)>")
_PNAME = re.compile(r"(?<![\w:<?$])([A-Za-z][\w.-]*)?:([A-Za-z_][\w-]*)")


def schema_terms(kg: KnowledgeGraph) -> set[str]:
    """Return the local names of every schema term the graph declares or uses.

    Asked of the store with SPARQL: a term is known when something is said about it, or it
    is used as a property or a class.
    """
    rows = kg.query(
        "SELECT DISTINCT ?t WHERE { { ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s a ?t } "
        f'FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{_SCHEMA}")) }}'
    ).rows
    return {str(row[0])[len(_SCHEMA) :] for row in rows if row[0] is not None}


def unknown_terms(kg: KnowledgeGraph, sparql: str) -> list[str]:
    """Return one warning per schema term in *sparql* that the schema does not have.

    Terms are found as prefixed names (with medkg's predeclared prefixes or the query's
    own ``PREFIX`` lines) and as full IRIs in medkg's schema namespace. Each warning names
    the closest known term, when there is one.

    :param kg: the knowledge graph whose schema is checked against.
    :param sparql: the query text.
    :returns: warnings, in the order the terms first appear; empty when all is well.
    """
    text = _NOISE.sub(lambda m: " " * len(m.group()), sparql)
    prefixes = dict(PREFIXES)
    prefixes.update({(p or ""): ns for p, ns in _PREFIX_DECL.findall(text)})
    used: dict[str, str] = {}  # local name → how the query wrote it
    for iri in _IRI.findall(text):
        if iri.startswith(_SCHEMA) and iri != _SCHEMA:
            used.setdefault(iri[len(_SCHEMA) :], f"<{iri}>")
    masked = _IRI.sub(lambda m: " " * len(m.group()), text)
    for prefix, local in _PNAME.findall(masked):
        if prefixes.get(prefix or "") == _SCHEMA:
            used.setdefault(local, f"{prefix}:{local}")
    if not used:
        return []
    known = schema_terms(kg)
    warnings = []
    for local, written in used.items():
        if local in known:
            continue
        close = closest(local, known, limit=1)
        hint = f"; did you mean medkg:{close[0]}?" if close else ""
        warnings.append(f"{written} is not in the schema{hint}")
    return warnings
