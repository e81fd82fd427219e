"""What the web server asks a query worker to do, and what the worker answers.

These small records cross the process boundary (they are pickled), so they hold plain data
only. A :class:`Failure` names its reason; the web layer turns the reason into a status code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from medkg.server.negotiation import Choice

__all__ = [
    "Answer",
    "AnswerHead",
    "EntityJob",
    "ExploreJob",
    "Failure",
    "Job",
    "QueryJob",
    "Reason",
    "Reply",
    "WorkbenchJob",
]

#: Why a job failed: the web layer maps each reason to one HTTP status.
Reason = Literal[
    "bad-query",  # malformed or unevaluable query (400)
    "update",  # SPARQL Update refused (403)
    "service",  # SERVICE refused (403)
    "not-acceptable",  # no acceptable format for this kind of answer (406)
    "not-found",  # no such entity (404)
    "rows",  # more result rows than allowed (503)
    "memory",  # the worker ran out of its memory allowance (503)
    "timeout",  # the query ran longer than allowed (503)
    "crashed",  # the worker died while answering (503)
    "buffer",  # the server holds too many answer bytes for clients already (503)
    "startup",  # the worker could not load the graph
]


@dataclass(frozen=True)
class QueryJob:
    """Run one SPARQL query and serialise its answer.

    :param sparql: the query text (medkg's prefixes are predeclared).
    :param result_type: the format for a SELECT / ASK answer, None if the client accepts none.
    :param graph_type: the format for a CONSTRUCT / DESCRIBE answer, None likewise.
    :param boolean_type: the format for an ASK answer (CSV and TSV have none), None likewise.
    :param default_graphs: the protocol's ``default-graph-uri`` values, None if none given.
    :param named_graphs: the protocol's ``named-graph-uri`` values, None if none given.
    """

    sparql: str
    result_type: Choice | None
    graph_type: Choice | None
    boolean_type: Choice | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class EntityJob:
    """Describe one entity, as an HTML card or as RDF.

    :param name: the entity's local name: ``LegCramp`` for ``kg:LegCramp``.
    :param media: the answer's format; format ``html`` asks for the card.
    """

    name: str
    media: Choice


@dataclass(frozen=True)
class Answer:
    """A successful answer: the body and its Content-Type."""

    media_type: str
    body: bytes


@dataclass(frozen=True)
class AnswerHead:
    """What a worker sends before an answer's body (which follows as raw bytes).

    The server reads the body only if its buffer budget has room for *size* bytes.
    """

    media_type: str
    size: int


@dataclass(frozen=True)
class Failure:
    """A failed job: why, in a word and in a sentence.

    :param reason: the kind of failure.
    :param message: what a person should know, e.g. the parser's message with its position.
    :param recycle: the worker should be replaced (it hit its memory limit, or the pipe
        still holds an answer nobody will read).
    """

    reason: Reason
    message: str
    recycle: bool = False


Reply = Answer | Failure


@dataclass(frozen=True)
class ExploreJob:
    """Draw the explorer page: the whole graph, or the entities of one query.

    :param sparql: a CONSTRUCT / DESCRIBE / SELECT query whose entities to draw, or None.
    """

    sparql: str | None


@dataclass(frozen=True)
class WorkbenchJob:
    """Data for the query page's editor (see :mod:`medkg.server.workbench`).

    :param kind: ``vocabulary`` (terms to complete) or ``lint`` (diagnostics for *sparql*).
    :param sparql: the query to lint.
    """

    kind: Literal["vocabulary", "lint"]
    sparql: str = ""


Job = QueryJob | EntityJob | ExploreJob | WorkbenchJob
