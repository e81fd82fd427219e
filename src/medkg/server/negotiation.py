"""Content negotiation: which media type to answer with, given the client's Accept header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medkg import formats

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "Choice",
    "choose",
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
