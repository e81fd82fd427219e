"""Reading RDF files into a graph, with errors that name the file and the line.

The parser is always chosen explicitly, from the file's extension or the caller's format
name, never guessed from content sent by a server.
"""

from __future__ import annotations

import json
import xml.sax
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from medkg.errors import DataFileError, UnknownFormatError

__all__ = ["INPUT_FORMATS", "guess_input_format", "parse_file"]

#: Input format names (as rdflib knows them) by file extension.
INPUT_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".n3": "n3",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".trig": "trig",
    ".nq": "nquads",
}

_FORMAT_ALIASES = {
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "xml",
    "rdf/xml": "xml",
    "jsonld": "json-ld",
    "nq": "nquads",
    "n-quads": "nquads",
}

_LINE_BASED = {"nt", "nquads"}


def guess_input_format(path: str | Path, format: str | None = None) -> str:
    """Return the rdflib parser name for *path*, from *format* or the file's extension.

    >>> guess_input_format("data/mine.ttl")
    'turtle'
    >>> guess_input_format("dump.txt", "ntriples")
    'nt'
    """
    known = sorted(set(INPUT_FORMATS.values()))
    if format:
        name = _FORMAT_ALIASES.get(format.lower(), format.lower())
        if name not in known:
            raise UnknownFormatError(format, known)
        return name
    suffix = Path(path).suffix.lower()
    if suffix not in INPUT_FORMATS:
        raise DataFileError(
            path,
            f"cannot tell the RDF format from the extension {suffix or '(none)'!r}; "
            f"use one of {', '.join(sorted(INPUT_FORMATS))} or give the format explicitly",
        )
    return INPUT_FORMATS[suffix]


def parse_file(target: Graph, path: str | Path, format: str | None = None) -> None:
    """Parse the RDF file at *path* into *target*.

    :param target: the graph (or dataset, for TriG and N-Quads) that receives the triples.
    :param path: a local file.
    :param format: a parser name; by default it follows the file's extension.
    :raises DataFileError: the file is missing, unreadable, not UTF-8 or malformed; the
        message names the file and, where the parser knows it, the line.
    """
    path = Path(path)
    fmt = guess_input_format(path, format)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataFileError(path, "no such file") from None
    except IsADirectoryError:
        raise DataFileError(path, "is a folder, not a file") from None
    except PermissionError:
        raise DataFileError(path, "permission denied") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataFileError(path, "is not UTF-8 text", line) from None
    # Parse into a scratch graph first, so a failure leaves *target* untouched.
    scratch: Graph = Dataset() if fmt in {"trig", "nquads"} else Graph()
    try:
        scratch.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        raise DataFileError(path, f"syntax error: {exc._why}", exc.lines + 1) from None
    except xml.sax.SAXParseException as exc:
        raise DataFileError(path, f"XML error: {exc.getMessage()}", exc.getLineNumber()) from None
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"JSON error: {exc.msg}", exc.lineno) from None
    except ParserError as exc:
        bad_line = _first_bad_line(text, fmt) if fmt in _LINE_BASED else None
        raise DataFileError(path, f"syntax error: {exc}", bad_line) from None
    except RecursionError:
        raise DataFileError(path, "nested too deeply to parse") from None
    except Exception as exc:  # rdflib's parsers raise many types; each is bad input here
        raise DataFileError(path, f"cannot parse as {fmt}: {exc}") from None
    if not isinstance(scratch, Dataset):
        target += scratch
    elif isinstance(target, Dataset):
        target.addN(scratch.quads((None, None, None, None)))  # type: ignore[arg-type]
    else:
        # A plain graph receives the triples of every named graph, merged.
        for s, p, o, _ in scratch.quads((None, None, None, None)):
            target.add((s, p, o))


def _first_bad_line(text: str, fmt: str) -> int | None:
    """Find the first line a line-based parser rejects (N-Triples errors carry no line)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        probe: Graph = Dataset() if fmt == "nquads" else Graph()
        try:
            probe.parse(data=line + "\n", format=fmt)
        except Exception:
            return number
    return None
