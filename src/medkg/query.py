"""Running SPARQL over a graph, with predeclared prefixes and errors that give a position."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph
from rdflib.query import Result
from rdflib.term import BNode, Identifier, Literal, URIRef, Variable

from medkg.errors import QueryError
from medkg.namespaces import PREFIXES
from medkg.sparql_guard import algebra_nodes

__all__ = [
    "RESULT_FORMATS",
    "QueryResult",
    "run_query",
    "set_dataset",
    "term_to_text",
    "uses_dataset",
]

#: Output formats for SELECT and ASK results (the W3C SPARQL 1.1 result formats).
RESULT_FORMATS = ("csv", "tsv", "json", "xml")


@dataclass(frozen=True)
class QueryResult:
    """The answer to one query.

    ``kind`` is ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``. A SELECT has ``variables``
    and ``rows`` (every row, including rows whose variables are all unbound); an ASK has
    ``boolean``; CONSTRUCT and DESCRIBE have ``graph``.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Identifier | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def __iter__(self) -> Iterator[Any]:
        """Iterate over the rows of a SELECT, the triples of a graph, or an ASK's one answer.

        >>> from medkg import load
        >>> result = load().query("SELECT ?b WHERE { kg:Baclofen medkg:brandName ?b }")
        >>> [str(b) for (b,) in result], len(result)
        (['Lioresal'], 1)
        """
        if self.kind == "SELECT":
            return iter(self.rows)
        if self.kind == "ASK":
            return iter([bool(self.boolean)])
        return iter(self.graph if self.graph is not None else ())

    def __len__(self) -> int:
        """Return the number of rows (SELECT), triples (CONSTRUCT / DESCRIBE), or 1 (ASK)."""
        if self.kind == "SELECT":
            return len(self.rows)
        if self.kind == "ASK":
            return 1
        return len(self.graph) if self.graph is not None else 0

    def column(self, name: str) -> list[Identifier | None]:
        """Return the values of one variable, in row order."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    def to_dataframe(self) -> Any:
        """Return a SELECT result as a :class:`pandas.DataFrame` of Python values (needs pandas).

        IRIs become strings, literals their Python values, unbound cells ``None``.
        """
        import pandas as pd

        if self.kind != "SELECT":
            raise QueryError(f"only a SELECT result is a table; this is a {self.kind}")
        rows = [[_python_value(term) for term in row] for row in self.rows]
        return pd.DataFrame(rows, columns=self.variables)

    def serialize(self, format: str) -> str:
        r"""Write the result as text: a W3C result format, or RDF for a graph result.

        A SELECT or ASK takes ``csv``, ``tsv``, ``json`` or ``xml``; a CONSTRUCT or DESCRIBE
        any graph format of :mod:`medkg.formats` (``turtle``, ``nt``, ``jsonld``, ``xml``).

        >>> from medkg import load
        >>> load().query("CONSTRUCT WHERE { kg:Baclofen a ?c }").serialize("nt").count("\n")
        2

        :raises UnknownFormatError: the format cannot carry this kind of result.
        """
        from medkg import formats

        if self.kind in ("CONSTRUCT", "DESCRIBE"):
            fmt = formats.resolve(format, "graph", what=f"a {self.kind} result (a graph)")
            graph = self.graph if self.graph is not None else Graph()
            options: dict[str, Any] = {}
            if fmt.rdflib == "json-ld":
                options = {"context": {p: str(n) for p, n in graph.namespaces()}, "indent": 2}
            text = graph.serialize(format=fmt.rdflib or fmt.name, **options)
            return text if isinstance(text, str) else text.decode("utf-8")
        format = formats.resolve(
            format, "results", what=f"{_article(self.kind)} {self.kind} result"
        ).name
        if format == "json":
            return _to_json(self)
        if format == "tsv":
            return _to_tsv(self)
        if format == "csv" and self.kind == "ASK":
            return _to_csv_ask(self)
        return _to_rdflib_format(self, format)


def run_query(
    graph: Graph,
    sparql: str,
    *,
    bindings: Mapping[str, Identifier] | None = None,
    source: str | None = None,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    dataset: Callable[[], Graph] | None = None,
) -> QueryResult:
    """Run *sparql* on *graph*, with the prefixes of :data:`medkg.namespaces.PREFIXES`.

    :param graph: the graph to query (its default graph: every triple).
    :param sparql: the query text.
    :param bindings: values for variables, set before evaluation (parameterised questions).
    :param source: the file the query came from, named in errors.
    :param default_graphs: the protocol's ``default-graph-uri`` values (see :func:`set_dataset`).
    :param named_graphs: the protocol's ``named-graph-uri`` values.
    :param dataset: returns the named graphs as an rdflib ``Dataset`` (default graph: their
        union), for a query that uses ``GRAPH``, ``FROM`` or the dataset parameters.
    :raises QueryError: the query is malformed (with line and column) or fails to evaluate.
    """
    # rdflib's SPARQL engine takes a third of medkg's import time; stores with their own
    # engine (oxigraph, a server) and `medkg --help` never need it.
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    sparql = expand_construct_where(sparql)
    try:
        prepared = prepareQuery(sparql, initNs=PREFIXES)
    except ParseException as exc:
        raise QueryError(f"syntax error: {exc.msg}", exc.lineno, exc.col, source) from None
    except RecursionError:
        raise QueryError("the query is nested too deeply to parse", source=source) from None
    except Exception as exc:  # e.g. an undeclared prefix raises a plain Exception in rdflib
        raise QueryError(str(exc), source=source) from None
    init: dict[str, Identifier] = dict(bindings or {})
    set_dataset(prepared, default_graphs, named_graphs)
    if dataset is not None and uses_dataset(prepared):
        graph = dataset()
    try:
        result = graph.query(prepared, initBindings=init)
        return _wrap(result)
    except QueryError:
        raise
    except Exception as exc:
        raise QueryError(f"evaluation failed: {exc}", source=source) from None


def set_dataset(
    prepared: Any, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
) -> None:
    """Replace a parsed query's ``FROM`` / ``FROM NAMED`` with the protocol's dataset.

    As the SPARQL 1.1 Protocol says, ``default-graph-uri`` and ``named-graph-uri`` take the
    place of the query's own dataset clause when either is given. rdflib then reads those
    graphs from the dataset (never from the web: ``SPARQL_LOAD_GRAPHS`` is off).
    """
    import rdflib.plugins.sparql
    from rdflib.plugins.sparql.parserutils import CompValue

    # A FROM graph the dataset lacks must read nothing, not a file or URL of that name.
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    if default_graphs is None and named_graphs is None:
        return
    prepared.algebra["datasetClause"] = [
        *(CompValue("DatasetClause", default=URIRef(g)) for g in default_graphs or ()),
        *(CompValue("DatasetClause", named=URIRef(g)) for g in named_graphs or ()),
    ] or [CompValue("DatasetClause", default=URIRef(_NO_GRAPH))]


#: A graph IRI no dataset holds: an empty dataset clause must still replace the query's.
_NO_GRAPH = "urn:medkg:no-graph"


def uses_dataset(prepared: Any) -> bool:
    """Tell whether a parsed query has ``FROM`` / ``FROM NAMED`` or a ``GRAPH`` pattern."""
    if prepared.algebra.get("datasetClause"):
        return True
    # "GraphGraphPattern" where it is left untranslated (inside FILTER EXISTS).
    return any(n.name in ("Graph", "GraphGraphPattern") for n in algebra_nodes(prepared.algebra))


_CONSTRUCT_WHERE = re.compile(r"\bCONSTRUCT\s+WHERE\s*\{", re.IGNORECASE)
# Comments, IRIs and strings can hold braces; they are masked (same length) before matching.
_NOISE = re.compile(r"#[^\n]*|<[^<>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")


def expand_construct_where(sparql: str) -> str:
    """Rewrite the short form ``CONSTRUCT WHERE { P }`` as ``CONSTRUCT { P } WHERE { P }``.

    rdflib fails on the short form followed by a solution modifier (``LIMIT 1``: "'NoneType'
    object is not iterable"); the long form means the same and works. Other queries are
    returned unchanged.

    >>> expand_construct_where("CONSTRUCT WHERE { ?s a ?o } LIMIT 1")
    'CONSTRUCT { ?s a ?o } WHERE { ?s a ?o } LIMIT 1'
    """
    masked = _NOISE.sub(lambda m: " " * len(m.group()), sparql)
    match = _CONSTRUCT_WHERE.search(masked)
    if match is None:
        return sparql
    depth, end = 0, -1
    for index in range(match.end() - 1, len(masked)):
        if masked[index] == "{":
            depth += 1
        elif masked[index] == "}":
            depth -= 1
            if depth == 0:
                end = index
                break
    if end < 0:
        return sparql  # unbalanced: let the parser report it
    body = sparql[match.end() - 1 : end + 1]
    return f"{sparql[: match.start()]}CONSTRUCT {body} WHERE {body}{sparql[end + 1 :]}"


def _wrap(result: Result) -> QueryResult:
    if result.type == "SELECT":
        names = [str(v) for v in (result.vars or [])]
        # result.bindings keeps rows whose variables are all unbound; iterating drops them.
        rows = [tuple(b.get(Variable(n)) for n in names) for b in result.bindings]
        return QueryResult("SELECT", names, rows)
    if result.type == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer))
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    for triple in result.graph or ():
        out.add(triple)
    kind = "DESCRIBE" if result.type == "DESCRIBE" else "CONSTRUCT"
    return QueryResult(kind, graph=out)


def _python_value(term: Identifier | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        return term.toPython()
    return str(term)


def term_to_text(term: Identifier | None) -> str:
    """Return a term as plain text: an IRI, a literal's lexical form, or ``""`` if unbound."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _rdflib_result(result: QueryResult) -> Result:
    res = Result(result.kind)
    if result.kind == "ASK":
        res.askAnswer = bool(result.boolean)
    else:
        res.vars = [Variable(v) for v in result.variables]
        res.bindings = [
            {Variable(v): t for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
    return res


def _to_rdflib_format(result: QueryResult, format: str) -> str:
    buffer = io.BytesIO()
    _rdflib_result(result).serialize(buffer, format=format, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if not isinstance(term, Literal):
        raise TypeError(f"not an RDF term: {term!r}")
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _json_row(
    variables: list[str], row: tuple[Identifier | None, ...]
) -> dict[str, dict[str, str]]:
    return {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}


def _to_json(result: QueryResult) -> str:
    doc: dict[str, Any]
    if result.kind == "ASK":
        doc = {"head": {}, "boolean": bool(result.boolean)}
    else:
        doc = {
            "head": {"vars": result.variables},
            "results": {"bindings": [_json_row(result.variables, row) for row in result.rows]},
        }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _to_csv_ask(result: QueryResult) -> str:
    # SPARQL CSV defines no ASK form; this is what Jena and Virtuoso write.
    return "_askResult\r\n" + ("true" if result.boolean else "false") + "\r\n"


def _to_tsv(result: QueryResult) -> str:
    if result.kind == "ASK":
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(_tsv_term(t) for t in row))
    return "\n".join(lines) + "\n"


def _tsv_term(term: Identifier | None) -> str:
    if term is None:
        return ""
    text: str = term.n3()
    # TSV forbids raw tabs and newlines in a cell; N-Triples escapes them.
    return text.replace("\t", "\\t").replace("\n", "\\n")


def _article(kind: str) -> str:
    return "an" if kind == "ASK" else "a"
