"""medkg: a medical knowledge-graph toolkit.

>>> import medkg
>>> kg = medkg.load()
>>> kg.entity("Lioresal").label
'baclofen'
"""

from __future__ import annotations

from medkg.errors import (
    AmbiguousEntityError,
    DataFileError,
    EntityNotFoundError,
    ExportError,
    MedkgError,
    QueryError,
    UnknownFormatError,
    ValidationError,
)
from medkg.graph import KnowledgeGraph, load

__all__ = [
    "AmbiguousEntityError",
    "DataFileError",
    "EntityNotFoundError",
    "ExportError",
    "KnowledgeGraph",
    "MedkgError",
    "QueryError",
    "UnknownFormatError",
    "ValidationError",
    "__version__",
    "load",
]

__version__ = "0.1.0"
