"""One exception family for medkg, with the facts a person needs to act on a failure.

Each error also inherits the matching built-in (``ValueError``, ``LookupError``, ``OSError``)
so callers can catch what they already know. The CLI turns any :class:`MedkgError` into one
line on stderr and an exit code; library code never prints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = [
    "AmbiguousEntityError",
    "DataFileError",
    "DataWarning",
    "EndpointError",
    "EntityNotFoundError",
    "ExplorerError",
    "ExportError",
    "MedkgError",
    "MissingExtraError",
    "QueryError",
    "StoreBusyError",
    "StoreError",
    "UnknownFormatError",
    "ValidationError",
    "ValidatorUnavailableError",
    "naming_missing_extras",
]


class MedkgError(Exception):
    """Base class of every error medkg raises on purpose."""

    #: The exit code the CLI uses: 2 for bad input, 1 for a failed check.
    exit_code: int = 2


class DataFileError(MedkgError, ValueError):
    """An RDF file that cannot be read or parsed.

    :param path: the file.
    :param message: what is wrong, in words.
    :param line: the 1-based line of the problem, where the parser knows it.
    """

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class DataWarning(UserWarning, MedkgError):
    """Data that loads but is suspect: an ill-typed literal (``"abc"^^xsd:integer``).

    The message starts with the file and line. ``warnings.simplefilter("error",
    DataWarning)`` turns it into an error (what ``medkg --strict`` does).
    """


class QueryError(MedkgError, ValueError):
    """A SPARQL query that cannot be parsed or evaluated.

    :param message: the parser's or engine's message.
    :param line: 1-based line in the query text, where known.
    :param column: 1-based column in the query text, where known.
    :param source: the query's file name, if it came from one.
    """

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source or "query"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class EntityNotFoundError(MedkgError, LookupError):
    """No entity has this label, synonym, CURIE or IRI.

    :param name: what was asked for.
    :param suggestions: close labels, to help the person retry.
    """

    #: Nothing found, as ``medkg search`` with no hit: exit 1 (bad input is 2).
    exit_code = 1

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        super().__init__(str(self))

    def __str__(self) -> str:
        hint = f" (did you mean: {', '.join(self.suggestions)}?)" if self.suggestions else ""
        return f"no entity named {self.name!r}{hint}"


class AmbiguousEntityError(MedkgError, LookupError):
    """More than one entity answers to this name.

    :param name: what was asked for.
    :param candidates: ``(curie, label)`` pairs of every entity that matched.
    """

    def __init__(self, name: str, candidates: Sequence[tuple[str, str]]) -> None:
        self.name = name
        self.candidates = list(candidates)
        super().__init__(str(self))

    def __str__(self) -> str:
        listed = "; ".join(f"{curie} ({label})" for curie, label in self.candidates)
        return f"{self.name!r} is ambiguous: candidates are {listed}"


class UnknownFormatError(MedkgError, ValueError):
    """A format name medkg does not know.

    :param name: the name given.
    :param known: the names that would have worked.
    """

    def __init__(
        self,
        name: str,
        known: Sequence[str],
        *,
        suggestions: Sequence[str] = (),
        reason: str | None = None,
    ) -> None:
        self.name = name
        self.known = list(known)
        self.suggestions = list(suggestions)
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        head = self.reason or f"unknown format {self.name!r}"
        hint = f" (did you mean: {', '.join(self.suggestions)}?)" if self.suggestions else ""
        return f"{head}{hint}; choose one of: {', '.join(self.known)}"


class ExportError(MedkgError, OSError):
    """An export that could not be written; the previous file, if any, is left untouched."""


class ValidatorUnavailableError(MedkgError, RuntimeError):
    """A check cannot run here: pyshacl, owlready2 or Java is missing.

    The message says what to install.
    """


class ExplorerError(MedkgError, ValueError):
    """A view that cannot be drawn as asked: an unknown kind, a bad depth, a missing extra.

    :param message: what is wrong and how to fix it, in one line.
    """


class ValidationError(MedkgError):
    """The graph does not conform to its shapes or is logically inconsistent."""

    exit_code = 1


class StoreError(MedkgError, ValueError):
    """A store that cannot be opened or used as asked.

    An unknown ``--store`` form (the message lists the valid ones), a folder that does not
    exist, an empty on-disk store, pyoxigraph missing, or a write to a read-only store.

    :param message: what is wrong and how to fix it, in one line.
    """


class EndpointError(MedkgError, OSError):
    """A SPARQL endpoint that cannot be reached, refuses a request or answers nonsense.

    :param message: the endpoint's URL and what went wrong, in one line.
    """


class StoreBusyError(StoreError):
    """The store on disk is being loaded by another process; try again when it is done."""


#: Which extra installs each optional module (top-level import name → extra).
EXTRAS: dict[str, str] = {
    "pyshacl": "validate",
    "owlready2": "validate",
    "owlrl": "infer",
    "networkx": "network",
    "pyoxigraph": "oxigraph",
    "pyvis": "viz",
    "jinja2": "viz",
    "numpy": "viz",
    "starlette": "serve",
    "uvicorn": "serve",
    "pandas": "notebooks",
    "matplotlib": "notebooks",
}


class MissingExtraError(MedkgError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it.

    >>> str(MissingExtraError.for_module("networkx.algorithms"))
    "this needs networkx, which is not installed: pip install 'medkg[network]'"

    :param module: the module that could not be imported.
    :param extra: the medkg extra that installs it.
    """

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"this needs {self.module}, which is not installed: pip install 'medkg[{self.extra}]'"
        )

    @classmethod
    def for_module(cls, name: str) -> MissingExtraError | None:
        """Return the error for a missing module, or ``None`` if no extra provides it."""
        top = name.split(".")[0]
        extra = EXTRAS.get(top)
        return cls(top, extra) if extra is not None else None


@contextlib.contextmanager
def naming_missing_extras() -> Iterator[None]:
    """Turn a missing optional module into a :class:`MissingExtraError` naming the extra."""
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = MissingExtraError.for_module(exc.name or "")
        if missing is None:
            raise
        raise missing from None
