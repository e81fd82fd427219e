"""medkg: a medical knowledge-graph toolkit.

>>> import medkg
>>> kg = medkg.load()
>>> kg.entity("Lioresal").label
'baclofen'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medkg.errors import (
    AmbiguousEntityError,
    DataFileError,
    DataWarning,
    EndpointError,
    EntityNotFoundError,
    ExportError,
    MedkgError,
    MissingExtraError,
    QueryError,
    StoreError,
    UnknownFormatError,
    ValidationError,
)

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph, load

__all__ = [
    "AmbiguousEntityError",
    "DataFileError",
    "DataWarning",
    "EndpointError",
    "EntityNotFoundError",
    "ExportError",
    "KnowledgeGraph",
    "MedkgError",
    "MissingExtraError",
    "QueryError",
    "StoreError",
    "UnknownFormatError",
    "ValidationError",
    "__version__",
    "load",
]

__version__ = "0.1.0"


def __dir__() -> list[str]:
    """List the public API, the lazily imported ``load`` and ``KnowledgeGraph`` included."""
    return sorted({*globals(), *__all__})


def __getattr__(name: str) -> Any:
    """Import the graph API on first use.

    ``medkg.errors`` (which every module imports) would otherwise pull in rdflib through
    this package, and ``medkg --help`` would wait for it.
    """
    if name in ("KnowledgeGraph", "load"):
        from medkg import graph

        return getattr(graph, name)
    raise AttributeError(f"module 'medkg' has no attribute {name!r}")
