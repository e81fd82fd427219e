"""Reading RDF files into a graph, with errors that name the file and the line.

The parser is always chosen explicitly, from the file's extension or the caller's format
name, never guessed from content sent by a server.

Parsing reads the one file and nothing else: a user's file is untrusted input, and rdflib
would otherwise fetch JSON-LD contexts by URL or ``file:`` path. So JSON-LD contexts by
reference, XML entity declarations and external DTDs are refused with a clear error before
rdflib sees the data
(see :func:`_refuse_json_ld_references` and :func:`_refuse_xml_entities`). Nothing else
fetches: rdflib never follows ``owl:imports``, ``@base`` or ``@prefix`` IRIs while parsing,
and its RDF/XML reader leaves ``feature_external_ges`` off (``tests/test_rdfio_safety.py``
holds each of these to a local listener that must see no request).
"""

from __future__ import annotations

import codecs
import contextlib
import json
import logging
import re
import warnings
import xml.sax
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.parser import PythonInputSource
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Literal, URIRef

from medkg.errors import DataFileError, DataWarning, UnknownFormatError

__all__ = [
    "INPUT_FORMATS",
    "check_terms",
    "guess_input_format",
    "parse_file",
    "read_rdf_bytes",
]

# What an IRI may not hold (RFC 3987): spaces, controls and the delimiters N-Triples forbids.
_BAD_IRI_CHAR = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')

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
    :raises DataFileError: the file is missing, unreadable, not UTF-8, malformed, nested too
        deeply, or refers to content outside itself (a JSON-LD context by URL or path, an
        XML entity or external DTD), which is never fetched; the message names the file
        and, where the parser knows it, the line.
    """
    path = Path(path)
    fmt = guess_input_format(path, format)
    raw = read_rdf_bytes(path)
    text = raw.decode("utf-8")
    # Parse into a scratch graph first, so a failure leaves *target* untouched.
    scratch: Graph = Dataset() if fmt in {"trig", "nquads"} else Graph()
    base = path.resolve().as_uri()
    with _quiet_rdflib():
        if fmt in _LINE_BASED and _parse_line_based(scratch, raw, fmt, path, base):
            pass
        elif fmt == "nt":
            # N-Triples is a subset of Turtle, and rdflib's Turtle parser is linear where its
            # N-Triples parser is quadratic in the length of a term.
            _parse_with_rdflib(scratch, text, "turtle", path, base)
        else:
            _parse_with_rdflib(scratch, text, fmt, path, base)
        check_terms(scratch, text, path)
    if not isinstance(scratch, Dataset):
        target += scratch
    elif isinstance(target, Dataset):
        target.addN(scratch.quads((None, None, None, None)))  # type: ignore[arg-type]
    else:
        # A plain graph receives the triples of every named graph, merged.
        for s, p, o, _ in scratch.quads((None, None, None, None)):
            target.add((s, p, o))


@contextlib.contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's logged tracebacks for ill-typed literals (:func:`check_terms` tells)."""
    logger = logging.getLogger("rdflib.term")
    before = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = before


def _parse_line_based(scratch: Graph, raw: bytes, fmt: str, path: Path, base: str) -> bool:
    """Parse N-Triples / N-Quads with pyoxigraph's linear parser, if it is installed.

    rdflib's own N-Triples parser is quadratic in the length of a term (a 4 MB literal takes
    most of a minute). Returns ``False`` when pyoxigraph is missing or a term exceeds its
    16 MiB buffer, so that rdflib parses the file instead (N-Triples with its linear Turtle
    parser).
    """
    try:
        import pyoxigraph as ox

        from medkg.stores.oxiterms import from_oxigraph
    except ImportError:
        return False
    rdf_format = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.N_QUADS
    try:
        quads = list(ox.parse(raw, format=rdf_format, base_iri=base))
    except SyntaxError as exc:
        message = _OX_POSITION.sub("", str(exc.msg))
        raise DataFileError(path, f"syntax error: {message}", exc.lineno) from None
    except MemoryError:
        return False
    if isinstance(scratch, Dataset):
        default = scratch.default_graph
        for q in quads:
            graph = (
                default
                if isinstance(q.graph_name, ox.DefaultGraph)
                else scratch.graph(from_oxigraph(q.graph_name))
            )
            graph.add(
                (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
            )
    else:
        scratch.addN(
            (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object), scratch)
            for q in quads
        )
    return True


# pyoxigraph's "Parser error at line N column C: message" (or "between columns").
_OX_POSITION = re.compile(
    r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+):\s*"
)


def check_terms(graph: Graph, text: str, path: Path) -> None:
    """Refuse invalid IRIs and report ill-typed literals, each with the file and line.

    Both stores apply the same rule, so a file either loads everywhere or nowhere: an IRI
    with a space or a control character would load here and then break every export.

    :raises DataFileError: an IRI holds a character IRIs may not hold.
    :warns DataWarning: a literal is not valid for its datatype (``"abc"^^xsd:integer``);
        turn the warning into an error with ``warnings.simplefilter("error", DataWarning)``
        (``medkg --strict``).
    """
    seen: set[Literal] = set()
    for triple in graph.triples((None, None, None)):
        for term in triple:
            if isinstance(term, URIRef):
                bad = _BAD_IRI_CHAR.search(term)
                if bad is not None:
                    shown = json.dumps(str(term))[1:-1]
                    raise DataFileError(
                        path,
                        f"invalid IRI <{shown}>: {json.dumps(bad.group())} may not be in an IRI",
                        _line_of_iri(text, str(term)),
                    )
            elif isinstance(term, Literal) and term.ill_typed and term not in seen:
                seen.add(term)
                line = _line_of(text, json.dumps(str(term), ensure_ascii=False))
                where = f"{path}:{line}" if line else str(path)
                warnings.warn(
                    DataWarning(
                        f"{where}: ill-typed literal {json.dumps(str(term), ensure_ascii=False)}"
                        f" is not a valid {term.datatype}"
                    ),
                    stacklevel=2,
                )


def _line_of_iri(text: str, iri: str) -> int | None:
    """Find the line of an IRI, written in full or relative to the base."""
    line = _line_of(text, iri)
    if line is None:
        bad = _BAD_IRI_CHAR.search(iri)
        if bad is not None:
            # The part after the last slash before the bad character, as written in the file.
            start = iri.rfind("/", 0, bad.start()) + 1
            line = _line_of(text, iri[start : bad.end()])
    return line


def _parse_with_rdflib(scratch: Graph, text: str, fmt: str, path: Path, base: str) -> None:
    """Parse *text* with rdflib's parser for *fmt*, turning its errors into one line."""
    try:
        if fmt == "json-ld":
            # rdflib gets the very object that was checked, not the text to parse again.
            document = json.loads(text)
            _refuse_json_ld_references(document, text, path)
            _check_json_ld_shape(document, text, path)
            scratch.parse(PythonInputSource(document, base), publicID=base, format=fmt)
        else:
            if fmt == "xml":
                _refuse_xml_entities(text, path)
            scratch.parse(data=text, format=fmt, publicID=base)
    except DataFileError:
        raise
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
        # The JSON reader and rdflib's Turtle, TriG, N3 and JSON-LD parsers recurse once per
        # level of nesting ([ ], ( ), { }), so deep input exhausts the stack; the error
        # unwinds it fully and the recursion limit is never changed.
        raise DataFileError(path, "nested too deeply to parse") from None
    except Exception as exc:  # rdflib's parsers raise many types; each is bad input here
        if fmt == "json-ld":
            # rdflib's JSON-LD errors are its internals ("cannot access local variable …").
            raise DataFileError(
                path, "not valid JSON-LD (a value has a type JSON-LD does not allow there)"
            ) from None
        message = " ".join(str(exc).split())
        raise DataFileError(path, f"cannot parse as {fmt}: {message}") from None


# The JSON types JSON-LD allows as the value of each keyword (1.1, section 9).
_KEYWORD_TYPES: dict[str, tuple[type, ...]] = {
    "@id": (str,),
    "@type": (str, list),
    "@graph": (dict, list),
    "@context": (dict, list, str, type(None)),
    "@vocab": (str, type(None)),
    "@base": (str, type(None)),
    "@language": (str, type(None)),
    "@reverse": (dict, str),
    "@list": (list, dict, str, int, float, bool, type(None)),
}


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else "null"


def _check_json_ld_shape(document: Any, text: str, path: Path) -> None:
    """Refuse JSON that cannot be JSON-LD, with the line of the first offending value.

    The top level is a node object or a list of them; each keyword (``@id``, ``@type``,
    ``@graph``, ``@context`` …) has a value of the JSON type JSON-LD allows. rdflib would
    otherwise load such documents as nothing, silently, or fail with its internals.
    """
    items = document if isinstance(document, list) else [document]
    for item in items:
        if not isinstance(item, dict):
            raise DataFileError(
                path,
                f"not JSON-LD: the top level holds {_json_kind(item)} ({json.dumps(item)[:40]}), "
                "where a node object ({...}) is needed",
                _line_of(text, json.dumps(item)),
            )
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                allowed = _KEYWORD_TYPES.get(key)
                if allowed is not None and not isinstance(value, allowed):
                    raise DataFileError(
                        path,
                        f"not JSON-LD: {key} cannot be {_json_kind(value)} "
                        f"({json.dumps(value)[:40]})",
                        _line_of(text, f'"{key}"'),
                    )
                stack.append(value)


def read_rdf_bytes(path: Path) -> bytes:
    """Return the content of an RDF file, checked to be UTF-8, without a byte-order mark.

    :param path: a local file.
    :returns: the file's bytes.
    :raises DataFileError: the file is missing, a folder, unreadable or not UTF-8 (with the
        line of the first bad byte).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(path, "no such file") from None
    except IsADirectoryError:
        raise DataFileError(path, "is a folder, not a file") from None
    except PermissionError:
        raise DataFileError(path, "permission denied") from None
    # Editors on Windows often write a byte-order mark; it is not part of the RDF text.
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFileError(path, "is not UTF-8 text", line) from None
    return raw


def _refuse_json_ld_references(document: Any, text: str, path: Path) -> None:
    """Refuse a JSON-LD document that names a context by reference instead of inlining it.

    rdflib fetches, over HTTP or from disk, every string it finds in an ``@context`` value
    (alone or in lists, nested at any depth), wherever the ``@context`` is: at the top, in a
    node object, in a scoped term definition, inside another context. It also fetches every
    ``@import``. Refusing each such string keeps parsing to this one file; inline (object)
    contexts are untouched.
    """
    # Iterative, so nesting depth costs no stack; each value carries whether it sits under
    # @context or @import, through lists, until a dict (whose own keys are then checked).
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        node, is_reference = stack.pop()
        if isinstance(node, str) and is_reference:
            raise DataFileError(
                path,
                f"refers to the JSON-LD context {node!r}: remote JSON-LD contexts are not "
                "fetched; inline the context",
                _line_of(text, json.dumps(node, ensure_ascii=False)),
            )
        if isinstance(node, list):
            stack.extend((item, is_reference) for item in reversed(node))
        elif isinstance(node, dict):
            stack.extend(
                (value, key in {"@context", "@import"}) for key, value in reversed(node.items())
            )


class _PrologDone(Exception):
    """The root element has started: no DTD can follow it."""


def _refuse_xml_entities(text: str, path: Path) -> None:
    """Refuse an XML document whose DOCTYPE declares entities or points at an external DTD.

    rdflib's reader does not fetch external entities or DTDs, but it silently drops what
    they would have supplied. Internal entities cannot fetch anything, yet they expand
    exponentially ("billion laughs"): expat 2.5 stops that only after rdflib has spent
    minutes building the expanded text. RDF/XML needs neither, so any entity declaration
    or external DTD is refused. This pass reads only the prolog, before the root element.
    """
    # Configured and fed (a str, so expat reads UTF-8 whatever the XML declaration says) as
    # xml.sax does for rdflib, so this pass sees exactly the declarations rdflib would.
    parser = expat.ParserCreate("utf-8", " ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE)
    parser.ExternalEntityRefHandler = lambda *_: 1  # never load anything; just go on

    def on_doctype(name: str, system_id: str | None, public_id: str | None, _: bool) -> None:
        if system_id is not None or public_id is not None:
            raise DataFileError(
                path,
                f"the DOCTYPE refers to an external DTD ({system_id or public_id!r}), which "
                "is not fetched; remove the external identifier",
                parser.CurrentLineNumber,
            )

    def on_entity(name: str, is_parameter_entity: bool, *_: object) -> None:
        name = f"%{name}" if is_parameter_entity else name
        raise DataFileError(
            path,
            f"declares the XML entity {name!r}; XML entities are not supported (they can "
            "read other files or expand without bound), write the text out instead",
            parser.CurrentLineNumber,
        )

    def on_root(*_: object) -> None:
        raise _PrologDone

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_entity
    parser.StartElementHandler = on_root
    try:
        parser.Parse(text, True)
    except _PrologDone:
        pass
    except expat.ExpatError as exc:
        # Fail closed: a prolog this pass cannot read is never handed on to rdflib.
        raise DataFileError(path, f"XML error: {expat.ErrorString(exc.code)}", exc.lineno) from None


def _line_of(text: str, needle: str) -> int | None:
    """Return the 1-based line where *needle* first occurs in *text*, if it does."""
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


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
