"""Content negotiation: which media type to answer with, given the client's Accept header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medkg import formats

__all__ = [
    "BOOLEAN_TYPES",
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "Choice",
    "choose",
    "format_choice",
    "named",
]


@dataclass(frozen=True)
class Choice:
    """The answer's media type (as sent in Content-Type) and the serialiser's format name."""

    media_type: str
    format: str


#: SELECT / ASK results, in the server's order of preference (the first is the default);
#: from the one format registry, :mod:`medkg.formats`.
RESULT_TYPES: tuple[Choice, ...] = tuple(Choice(m, f) for m, f in formats.offers("results"))

#: ASK results: the W3C CSV and TSV result formats have no form for a boolean.
BOOLEAN_TYPES: tuple[Choice, ...] = tuple(c for c in RESULT_TYPES if c.format in ("json", "xml"))

#: CONSTRUCT / DESCRIBE graphs and RDF documents, in order of preference.
GRAPH_TYPES: tuple[Choice, ...] = tuple(Choice(m, f) for m, f in formats.offers("graph"))


def named(name: str, purpose: str = "graph") -> Choice | None:
    """Return the offer for a format a client named (``?format=ttl``), by the registry's names.

    >>> named("ttl").media_type, named("json-ld").format, named("csv", "results").media_type
    ('text/turtle', 'json-ld', 'text/csv')
    >>> named("yaml") is None
    True
    """
    from medkg.errors import UnknownFormatError

    try:
        fmt = formats.resolve(name, purpose)
    except UnknownFormatError:
        return None
    key = fmt.name if purpose == "results" else (fmt.rdflib or fmt.name)
    offers = RESULT_TYPES if purpose == "results" else GRAPH_TYPES
    return next((c for c in offers if c.format == key), None)


def choose(accept: str | None, offers: Sequence[Choice]) -> Choice | None:
    """Pick the offer the client prefers; ties go to the server's order.

    >>> choose("text/csv, */*;q=0.1", RESULT_TYPES).media_type
    'text/csv'
    >>> choose(None, GRAPH_TYPES).media_type
    'text/turtle'
    >>> choose("image/png", RESULT_TYPES) is None
    True

    :param accept: the Accept header, or None when the client sent none (anything goes).
    :param offers: what the server can send, most preferred first.
    :returns: the chosen offer, or None when the client accepts none of them (406).
    """
    if accept is None or not accept.strip():
        return offers[0]
    ranges = _parse_accept(accept)
    best: Choice | None = None
    best_q = 0.0
    for offer in offers:
        q = _quality(offer.media_type, ranges)
        if q > best_q:
            best, best_q = offer, q
    return best


def _parse_accept(accept: str) -> list[tuple[str, str, float]]:
    """Split an Accept header into (type, subtype, q) triples; malformed parts are skipped."""
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media, _, sub = fields[0].lower().partition("/")
        if not media or not sub:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, sub, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    """Return the q of the most specific range that matches *media_type* (0 if none)."""
    media, _, sub = media_type.partition("/")
    best_specificity, q = -1, 0.0
    for r_media, r_sub, r_q in ranges:
        if r_media == media and r_sub == sub:
            specificity = 2
        elif r_media == media and r_sub == "*":
            specificity = 1
        elif r_media == "*" and r_sub == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, q = specificity, r_q
    return q


#: ``?format=`` names (Fuseki's and Virtuoso's): the result format, the graph format.
_FORMAT_NAMES: dict[str, tuple[Choice | None, Choice | None]] = {
    "json": (RESULT_TYPES[0], GRAPH_TYPES[2]),
    "xml": (RESULT_TYPES[1], GRAPH_TYPES[3]),
    "csv": (RESULT_TYPES[2], None),
    "tsv": (RESULT_TYPES[3], None),
    "turtle": (None, GRAPH_TYPES[0]),
    "ttl": (None, GRAPH_TYPES[0]),
    "nt": (None, GRAPH_TYPES[1]),
    "ntriples": (None, GRAPH_TYPES[1]),
    "n-triples": (None, GRAPH_TYPES[1]),
    "json-ld": (None, GRAPH_TYPES[2]),
    "jsonld": (None, GRAPH_TYPES[2]),
    "rdfxml": (None, GRAPH_TYPES[3]),
    "rdf": (None, GRAPH_TYPES[3]),
}


def format_choice(value: str) -> tuple[Choice | None, Choice | None, Choice | None] | None:
    """Read a ``format=`` parameter: a name (``csv``, ``json``, ``turtle`` …) or a media type.

    >>> [c.media_type for c in format_choice("csv") if c]
    ['text/csv']
    >>> format_choice("application/ld+json,application/x-json+ld")[1].format
    'json-ld'
    >>> format_choice("pdf") is None
    True

    :returns: the format for a SELECT, a graph and an ASK answer (each may be None: that
        kind of answer has no such format), or None for an unknown value.
    """
    name = value.strip().lower()
    if name in _FORMAT_NAMES:
        result, graph = _FORMAT_NAMES[name]
    elif "/" in name:
        # Media types, as clients such as SPARQLWrapper send them: read like an Accept header.
        result, graph = choose(name, RESULT_TYPES), choose(name, GRAPH_TYPES)
    else:
        return None
    if result is None and graph is None:
        return None
    boolean = choose(name, BOOLEAN_TYPES) if "/" in name else None
    return result, graph, boolean if "/" in name else (result if result in BOOLEAN_TYPES else None)
