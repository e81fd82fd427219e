"""The ``medkg`` command line: a thin layer that parses arguments, calls the library and prints.

Heavy libraries (pyshacl, owlready2, networkx …) are imported inside the commands that need
them, so ``medkg --help`` and ``medkg query`` start fast.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from medkg import formats
from medkg.cli_output import (
    error_line,
    fit_width,
    make_console,
    plural,
    progress,
    visible,
)
from medkg.errors import MedkgError, MissingExtraError
from medkg.progress import Progress

if TYPE_CHECKING:
    from medkg.graph import KnowledgeGraph
    from medkg.stores import Store


class _OneLineErrors(TyperGroup):
    """Report a usage error (a bad option value, an unknown command) as one line, exit 2.

    Click prints the usage and a hint before the message; medkg's rule is one clear line.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; in standalone mode, turn Click's errors into one line."""
        run = functools.partial(
            super().main,
            args,
            prog_name,
            complete_var,
            standalone_mode=False,
            windows_expand_args=windows_expand_args,
            **extra,
        )
        if not standalone_mode:
            return run()
        try:
            code = run()
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        except BaseException as exc:  # noqa: BLE001 - the one place errors reach the user
            sys.exit(report_error(exc))
        sys.exit(code if isinstance(code, int) else 0)


#: Exit code of a failure medkg did not foresee (a bug): never a traceback, but told apart.
INTERNAL_ERROR = 3


def report_error(exc: BaseException) -> int:
    """Print one line for *exc* on stderr and return the exit code: the CLI's error handler.

    Every failure reaches the user as one ``error: …`` line, never a traceback: medkg's
    own errors with their exit code (2 bad input, 1 a failed check or nothing found), a
    missing optional dependency naming its extra, a full disk or closed pipe, Click's
    usage errors, and — as a last resort — anything unforeseen, as an internal error.
    """
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else 0
    if isinstance(exc, (KeyboardInterrupt, typer.Abort)):
        error_line(err, "interrupted")
        return 130
    if isinstance(exc, MedkgError):
        error_line(err, str(exc))
        return exc.exit_code
    if isinstance(exc, ModuleNotFoundError):
        missing = MissingExtraError.for_module(exc.name or "")
        if missing is not None:
            error_line(err, str(missing))
            return missing.exit_code
    if isinstance(exc, OSError) and exc.errno in (errno.EPIPE, errno.ENOSPC, errno.EIO):
        _silence_stdout()
        if exc.errno == errno.EPIPE:
            return 1  # the reader went away (| head): nothing to tell it
        error_line(err, f"cannot write the output: {exc.strerror or exc}")
        return 2
    # Click's errors (bundled inside typer in recent releases, the click package in older
    # ones) are recognised by what they carry, not by a private class path.
    message, exit_code = getattr(exc, "format_message", None), getattr(exc, "exit_code", None)
    if callable(message) and isinstance(exit_code, int):
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]  # the help text, not an error
        else:
            error_line(err, message())
        return exit_code
    if isinstance(exc, MemoryError):
        error_line(err, "out of memory")
        return 2
    error_line(
        err,
        f"internal error ({type(exc).__name__}: {exc}); this is a medkg bug, please report it",
    )
    return INTERNAL_ERROR


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so Python's final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


app = typer.Typer(
    cls=_OneLineErrors,
    name="medkg",
    help="Curated medical knowledge as a graph: query, validate, explore and export it.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    # Plain help: typer's rich help pulls in rich.markdown and markdown-it, which would
    # make `medkg --help` half again slower than importing rdflib.
    rich_markup_mode=None,
)

out = make_console()
err = make_console(stderr=True)


class _Options:
    """Global options, given before the command (``medkg --data mine.ttl query …``)."""

    data: list[Path] = []
    data_format: str | None = None
    store: str = "memory"
    sparql_graph: str | None = None
    update_url: str | None = None
    strict: bool = False


def _fail(exc: MedkgError) -> NoReturn:
    error_line(err, str(exc))
    raise typer.Exit(exc.exit_code)


def _load(*, infer: bool = False) -> KnowledgeGraph:
    from medkg.graph import load

    what = "loading the graph" + (" and materialising entailments" if infer else "")
    with progress(err, what):
        return load(
            _Options.data,
            infer=infer,
            format=_Options.data_format,
            store=_open_store(),
        )


def _route_warnings(strict: bool) -> None:
    """Show data warnings as one ``warning: …`` line each; with --strict, fail on them."""
    import warnings

    from medkg.errors import DataWarning

    default_show = warnings.showwarning

    def show(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(message, DataWarning):
            error_line(err, str(message), label="warning")
        else:
            default_show(message, category, *args, **kwargs)

    warnings.showwarning = show
    warnings.simplefilter("error" if strict else "always", DataWarning)


def _entity(kg: KnowledgeGraph, name: str) -> Any:
    """Resolve *name*, and when nothing matches suggest what ``medkg search`` would find."""
    from medkg.errors import EntityNotFoundError

    try:
        return kg.entity(name)
    except EntityNotFoundError as exc:
        if exc.suggestions:
            raise
        from medkg.search import search as run_search

        hits = run_search(kg, name, limit=5)
        labels = list(dict.fromkeys(hit.label for hit in hits))
        raise EntityNotFoundError(name, labels) from None


def _open_store(spec: str | None = None, *, create: bool = False) -> Store:
    from medkg.namespaces import NAMED_GRAPH
    from medkg.stores import open_store

    graph = _Options.sparql_graph or NAMED_GRAPH
    return open_store(spec or _Options.store, create=create, graph=graph)


@app.callback()
def main_options(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="FILE",
            help="Merge this RDF file into the bundled graph (repeatable).",
            show_default=False,
        ),
    ] = None,
    data_format: Annotated[
        str | None,
        typer.Option(
            metavar="FORMAT",
            help="Parser for --data files (turtle, nt, xml, json-ld, trig, nquads); "
            "by default each file's extension decides.",
        ),
    ] = None,
    store: Annotated[
        str,
        typer.Option(
            "--store",
            metavar="STORE",
            help="Where the triples live: memory (rdflib), oxigraph (in memory), "
            "oxigraph:PATH (on disk, filled by medkg load) or sparql:URL (any SPARQL 1.1 "
            "endpoint; credentials from MEDKG_SPARQL_USER / MEDKG_SPARQL_PASSWORD).",
        ),
    ] = "memory",
    sparql_graph: Annotated[
        str | None,
        typer.Option(
            metavar="IRI",
            help="The named graph a sparql:URL store reads  [default: medkg's, as pushed]",
            show_default=False,
        ),
    ] = None,
    update_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="The SPARQL Update endpoint of a sparql:URL store, where medkg push writes  "
            "[default: the store's URL]",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help='Refuse --data files with ill-typed literals ("abc"^^xsd:integer) '
            "instead of warning.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress display on stderr.")
    ] = False,
) -> None:
    """Curated medical knowledge as a graph: query, validate, explore and export it."""
    Progress.quiet = quiet
    _Options.strict = strict
    _route_warnings(strict)
    _Options.data = list(data or [])
    _Options.data_format = data_format
    _Options.store = store
    _Options.sparql_graph = sparql_graph
    _Options.update_url = update_url


@app.command()
def info() -> None:
    """Show what the graph holds: triples, entities per type, relations, sources."""
    from medkg.stats import graph_stats

    try:
        stats = graph_stats(_load())
    except MedkgError as exc:
        _fail(exc)
    out.print(
        Text.assemble(
            ("medkg", "bold"),
            f" — {plural(stats.triples, 'triple')}, "
            f"{plural(stats.entities, 'entity', 'entities')}, "
            f"{plural(stats.evidence_records, 'evidence record')}",
        )
    )
    out.print(Text(visible("files: " + ", ".join(str(f) for f in stats.files))))
    fit_width(out)
    table = Table(title="Entities per type")
    table.add_column("type")
    table.add_column("entities", justify="right")
    for name, count in stats.entities_per_type.items():
        table.add_row(Text(visible(name)), str(count))
    out.print(table)
    table = Table(title="Relations per property")
    table.add_column("property")
    table.add_column("relations", justify="right")
    for name, count in stats.relations_per_property.items():
        table.add_row(Text(visible(name)), str(count))
    out.print(table)
    table = Table(title="Sources")
    table.add_column("source")
    table.add_column("title")
    for curie, label in stats.sources:
        table.add_row(Text(visible(curie)), Text(visible(label)))
    out.print(table)


@app.command()
def query(
    sparql: Annotated[
        str | None,
        typer.Argument(
            help="The SPARQL query text, or - to read it from stdin.", show_default=False
        ),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from this file.")
    ] = None,
    example: Annotated[
        str | None, typer.Option("--example", "-e", help="Run a bundled competency question.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="Bind a variable to an entity: NAME=ENTITY (a label, synonym, CURIE or IRI). "
            "Repeatable.",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-F",
            help=f"table, {', '.join(formats.names('results'))} (SELECT / ASK); "
            f"{', '.join(formats.names('graph'))} (CONSTRUCT / DESCRIBE).",
        ),
    ] = "table",
    infer: Annotated[
        bool, typer.Option(help="Materialise RDFS / OWL-RL entailments first.")
    ] = False,
) -> None:
    """Run a SPARQL query; common prefixes (kg:, medkg:, rdfs:, skos:, schema: …) are set."""
    from medkg.cli_output import fetch_labels, print_result
    from medkg.competency import bind_parameters, load_question, parse_assignments
    from medkg.lint import unknown_terms

    try:
        question = load_question(example) if example is not None else None
        text, source = _query_text(sparql, file, question.sparql if question else None)
        if question is not None:
            source = str(question.path)
        kg = _load(infer=infer)
        declared = question.params if question else {}
        bindings = bind_parameters(kg, declared, parse_assignments(param or []))
        for warning in unknown_terms(kg, text):
            error_line(err, warning, label="warning")
        with progress(err, "running the query"):
            result = kg.query(text, bindings=bindings, source=source)
        # A table names the IRIs it shows: their labels are asked of the store, whichever it is.
        table = format == "table" and result.kind == "SELECT"
        print_result(out, result, format, labels=fetch_labels(kg, result) if table else None)
    except MedkgError as exc:
        _fail(exc)


def _query_text(
    sparql: str | None, file: Path | None, example_text: str | None
) -> tuple[str, str | None]:
    """Return the query text and where it came from, from exactly one of the three inputs."""
    from medkg.errors import QueryError

    given = [x for x in (sparql, file, example_text) if x is not None]
    if len(given) != 1:
        raise QueryError("give exactly one of: a query, -f FILE, or --example NAME")
    if example_text is not None:
        return example_text, None
    if file is not None:
        try:
            return file.read_text(encoding="utf-8"), str(file)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            raise QueryError(f"cannot read the query: {reason}", source=str(file)) from None
    if sparql == "-":
        return sys.stdin.read(), "stdin"
    return str(sparql), None


@app.command()
def examples() -> None:
    """List the bundled competency questions (run one with: medkg query --example NAME)."""
    from medkg.competency import list_questions

    fit_width(out)
    table = Table(title="Competency questions")
    table.add_column("name")
    table.add_column("question")
    for question in list_questions():
        table.add_row(Text(visible(question.name)), Text(visible(question.question)))
    out.print(table)


@app.command()
def prefixes() -> None:
    """List the prefixes predeclared in every query."""
    from medkg.namespaces import PREFIXES

    for prefix, namespace in PREFIXES.items():
        out.print(Text(f"PREFIX {prefix}: <{namespace}>"))


@app.command()
def export(
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-F",
            help=f"{', '.join(formats.names('export'))}  [default: from the --output "
            "extension, else turtle]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here (atomically) instead of stdout; a folder for csv and kgx.",
        ),
    ] = None,
    infer: Annotated[
        bool, typer.Option(help="Materialise RDFS / OWL-RL entailments first.")
    ] = False,
    schema_only: Annotated[
        bool, typer.Option("--schema-only", help="With --format owl: the schema alone.")
    ] = False,
    inline_context: Annotated[
        bool,
        typer.Option(
            "--inline-context",
            help="With --format schemaorg: an inline @context, readable offline.",
        ),
    ] = False,
) -> None:
    """Export the graph (Turtle by default) to a file or stdout; csv writes a folder."""
    from medkg.export import export_graph

    # Check the format (and its clash with the extension) before loading, so a typo fails
    # at once.
    chosen = formats.choose_export_format(format, output)
    kg = _load(infer=infer)
    with progress(err, f"writing {chosen.name}"):
        written = export_graph(
            kg, chosen.name, output, schema_only=schema_only, inline_context=inline_context
        )
    if isinstance(written, str):
        sys.stdout.write(written)
    else:
        err.print(Text(visible(f"wrote {written}")))


@app.command("load")
def load_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="RDF files to load with the bundled graph.", show_default=False),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="The store to fill: oxigraph:PATH (created if missing)  [default: the global "
            "--store]",
            show_default=False,
        ),
    ] = None,
    data_format: Annotated[
        str | None,
        typer.Option(help="Parser for FILES; by default each file's extension decides."),
    ] = None,
) -> None:
    """Fill a store on disk once (bundled graph + FILES), for fast starts later.

    Replaces what the store held. Later commands open it with --store oxigraph:PATH
    without parsing anything again.
    """
    from medkg.errors import StoreError
    from medkg.graph import fill_store

    spec = store or _Options.store
    kind, _, where = spec.partition(":")
    if kind != "oxigraph" or not where:
        raise StoreError(
            f"medkg load fills a store on disk (--store oxigraph:PATH), not {spec!r}; "
            "a SPARQL server is filled with medkg push"
        )
    try:
        from medkg.stores.oxigraph import load_store
    except ModuleNotFoundError as exc:
        raise MissingExtraError.for_module(exc.name or "pyoxigraph") or exc from None
    paths = [*_Options.data, *(files or [])]
    with progress(err, f"loading {plural(len(paths), 'file')} and the bundled graph"):
        count = load_store(
            Path(where).expanduser(), lambda target: fill_store(target, paths, format=data_format)
        )
    from medkg.labels import build_label_index

    with progress(err, "indexing the names"):
        build_label_index(_open_store(spec))
    err.print(Text(visible(f"loaded {plural(count, 'triple')} into {spec}")))


@app.command()
def push(
    url: Annotated[
        str | None,
        typer.Argument(
            help="The SPARQL Update endpoint (or Graph Store endpoint)  "
            "[default: --update-url, else the URL of --store sparql:URL]",
            show_default=False,
        ),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(help="The named graph to replace  [default: medkg's]", show_default=False),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            help="update: DROP SILENT GRAPH + INSERT DATA batches (SPARQL 1.1 Update); "
            "gsp: one PUT (SPARQL 1.1 Graph Store HTTP Protocol)."
        ),
    ] = "update",
) -> None:
    """Upload the graph (bundled + --data) to a SPARQL server, replacing one named graph.

    Pushing twice leaves the same triples. Credentials come from MEDKG_SPARQL_USER and
    MEDKG_SPARQL_PASSWORD. Query it afterwards with --store sparql:QUERY-URL.
    """
    from medkg.graph import load
    from medkg.namespaces import NAMED_GRAPH
    from medkg.stores.push import push_graph, update_endpoint

    target = graph or _Options.sparql_graph or NAMED_GRAPH
    try:
        endpoint = update_endpoint(url, _Options.update_url, _Options.store)
        # What is pushed is always the bundled graph and --data, never the target's content.
        kg = load(_Options.data, format=_Options.data_format, store=_open_store("memory"))
        with progress(err, f"pushing to {endpoint}"):
            count = push_graph(kg.store, endpoint, graph_iri=target, method=method)
    except MedkgError as exc:
        _fail(exc)
    err.print(Text(visible(f"pushed {plural(count, 'triple')} to <{target}> at {endpoint}")))


@app.command()
def validate(
    reasoner: Annotated[
        bool,
        typer.Option(
            help="Also check logical consistency with the HermiT OWL reasoner (needs Java)."
        ),
    ] = False,
) -> None:
    """Check the graph against its SHACL shapes; exit 1 with a report when it does not conform.

    Exit status: 0 when the graph conforms (and, with --reasoner, is consistent); 1 with a table
    of findings, or when the reasoner finds a contradiction; 2 for unreadable input or a
    missing tool.
    """
    from rich.text import Text

    from medkg.validate import check_consistency, validate_graph

    try:
        kg = _load()
        with progress(err, "checking the SHACL shapes"):
            report = validate_graph(kg)
    except MedkgError as exc:
        _fail(exc)
    if not report.conforms:
        problems = "1 problem" if len(report.findings) == 1 else f"{len(report.findings)} problems"
        table = Table(
            title=f"SHACL: {problems} among {report.focus_count} nodes checked", show_lines=True
        )
        # The node column never wraps, so a curator can search the report for the IRI; long
        # IRIs in the other columns fold instead of being cut short.
        table.add_column("node", no_wrap=True)
        table.add_column("rule", overflow="fold")
        table.add_column("message", overflow="fold")
        for f in report.findings:
            rule = f.shape if f.severity == "Violation" else f"{f.severity}: {f.shape}"
            message = f.message
            if f.value is not None and f.value not in message:
                message += f"\nvalue: {f.value}"
            # Text cells: data may contain [brackets] that rich would read as markup.
            table.add_row(Text(f.focus_node), Text(rule), Text(message))
        out.print(table)
        raise typer.Exit(1)
    out.print(f"conforms: {plural(report.focus_count, 'node')} checked against the SHACL shapes")
    if reasoner:
        try:
            with progress(err, "checking consistency with HermiT"):
                check_consistency(kg)
        except MedkgError as exc:
            _fail(exc)
        out.print("consistent: the HermiT reasoner found no contradiction")


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What to look for: a name, a synonym, a brand.")],
    limit: Annotated[int, typer.Option(help="The most hits to show.", min=1)] = 10,
) -> None:
    """Find entities by label or synonym (tolerant of case, hyphens, plurals and typos)."""
    from medkg.cli_output import print_hits
    from medkg.search import search as run_search

    try:
        hits = run_search(_load(), text, limit=limit)
    except MedkgError as exc:
        _fail(exc)
    print_hits(err if not hits else out, hits)
    if not hits:
        raise typer.Exit(1)


@app.command()
def show(
    entity: Annotated[str, typer.Argument(help="A label, synonym, brand name, CURIE or IRI.")],
) -> None:
    """Print an entity's card: names, type, definition, IDs, every relation with its evidence."""
    from medkg.cards import entity_card
    from medkg.cli_output import inverse_labels, print_card

    kg = _load()
    card = entity_card(kg, _entity(kg, entity))
    print_card(out, card, inverse_labels(kg))


@app.command()
def path(
    start: Annotated[str, typer.Argument(help="The entity to start from.")],
    end: Annotated[str, typer.Argument(help="The entity to reach.")],
    limit: Annotated[int, typer.Option(help="The most shortest paths to show.", min=1)] = 3,
) -> None:
    """Show the shortest connections between two entities, each hop with its source and quote."""
    from medkg.cli_output import print_paths
    from medkg.paths import shortest_paths

    try:
        kg = _load()
        paths = shortest_paths(kg, _entity(kg, start), _entity(kg, end), limit=limit)
    except MedkgError as exc:
        _fail(exc)
    print_paths(out, paths)


@app.command()
def viz(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The HTML file to write (atomically).")
    ] = Path("medkg-explorer.html"),
    focus: Annotated[
        str | None,
        typer.Option(help="Draw only the neighbourhood of this entity (label, synonym, CURIE)."),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option(
            help="How many hops around --focus, in either direction.  [default: 1]",
            show_default=False,
        ),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(help="Draw the entities of a CONSTRUCT or SELECT query (text or .rq file)."),
    ] = None,
    types: Annotated[
        str | None,
        typer.Option(help="Keep only these entity types, comma-separated (drug,drug class …)."),
    ] = None,
    open_page: Annotated[
        bool, typer.Option("--open", help="Open the page in the web browser when written.")
    ] = False,
) -> None:
    """Write the interactive explorer: one offline HTML page with search, legend and evidence."""
    from medkg.viz import visualize

    kinds = [t.strip() for t in types.split(",") if t.strip()] if types is not None else None
    try:
        kg = _load()
        with progress(err, "laying out the explorer page"):
            page = visualize(kg, focus=focus, depth=depth, query=query, types=kinds)
            page.save(output)
    except MedkgError as exc:
        _fail(exc)
    err.print(
        Text(
            visible(
                f"wrote {output} ({plural(page.node_count, 'entity', 'entities')}, "
                f"{plural(page.edge_count, 'relation')})"
            )
        )
    )
    if open_page:
        import webbrowser

        webbrowser.open(output.resolve().as_uri())


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="The address to listen on; other machines need 0.0.0.0.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="The TCP port (0 picks a free one).", min=0, max=65535)
    ] = 8000,
    timeout: Annotated[
        float, typer.Option(help="Seconds a query may run before it is stopped.", min=0.1)
    ] = 30.0,
    max_rows: Annotated[
        int, typer.Option(help="The most rows (or triples) one answer may have.", min=1)
    ] = 10_000,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ORIGIN",
            help="Let pages from this exact origin (https://example.org) read answers "
            "(repeatable; 'null' is refused).",
            show_default=False,
        ),
    ] = None,
    cors_any_origin: Annotated[
        bool,
        typer.Option(
            help="Let pages from every origin read answers (Access-Control-Allow-Origin: *); "
            "only for a public, read-only dataset."
        ),
    ] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME",
            help="Also answer requests addressed to this host name (repeatable); others get "
            "400 (DNS-rebinding protection). Loopback names and IP addresses always work.",
            show_default=False,
        ),
    ] = None,
    behind_proxy: Annotated[
        bool,
        typer.Option(help="Trust X-Forwarded-Proto / -For: the server sits behind a proxy."),
    ] = False,
    workers: Annotated[
        int, typer.Option(help="Query worker processes, each with a copy of the graph.", min=1)
    ] = 2,
    queue: Annotated[
        int, typer.Option(help="Requests that may wait for a worker before a 429.", min=0)
    ] = 8,
    per_client: Annotated[
        int,
        typer.Option(
            help="Requests one client address may have running or waiting "
            "(0: half of --workers plus --queue, at least 2).",
            min=0,
            show_default=False,
        ),
    ] = 0,
    memory_limit: Annotated[
        int, typer.Option(help="Memory limit of each worker, in MiB (0: none).", min=0)
    ] = 2048,
    buffer_limit: Annotated[
        int,
        typer.Option(help="Answer bytes the server may hold for clients at once, in MiB.", min=1),
    ] = 256,
    header_timeout: Annotated[
        float, typer.Option(help="Seconds a client may take to send its request headers.", min=0.1)
    ] = 10.0,
) -> None:
    """Serve a read-only SPARQL endpoint, entity pages and a query page over HTTP.

    /sparql speaks the SPARQL 1.1 Protocol; /entity/NAME dereferences kg:NAME (HTML or RDF);
    / is a query page. Updates and SERVICE queries are refused. Stop with Ctrl-C.
    """
    from medkg.server import ServerConfig
    from medkg.server import serve as run_server

    try:
        config = ServerConfig(
            host=host,
            port=port,
            data=tuple(_Options.data),
            data_format=_Options.data_format,
            store=_Options.store,
            sparql_graph=_Options.sparql_graph,
            timeout=timeout,
            max_rows=max_rows,
            cors_origins=tuple(cors or ()),
            cors_any_origin=cors_any_origin,
            allowed_hosts=tuple(allowed_host or ()),
            behind_proxy=behind_proxy,
            workers=workers,
            max_pending=queue,
            per_client=per_client,
            memory_limit=memory_limit * 1024**2,
            buffer_limit=buffer_limit * 1024**2,
            header_timeout=header_timeout,
        )
    except MedkgError as exc:
        _fail(exc)

    def announce(url: str) -> None:
        out.print(Text(f"medkg: serving {url} (SPARQL endpoint {url}sparql); Ctrl-C stops"))
        sys.stdout.flush()

    try:
        run_server(config, announce=announce, warn=lambda text: err.print(Text(f"warning: {text}")))
    except MedkgError as exc:
        _fail(exc)


def main() -> None:
    """Entry point of the ``medkg`` console script."""
    app()
