"""One format registry for export, query, /sparql and /entity; the extension decides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from typer.testing import CliRunner

from medkg import formats
from medkg.cli import app
from medkg.errors import UnknownFormatError
from medkg.export import export_graph
from medkg.graph import KnowledgeGraph


@pytest.fixture()
def shout_format() -> Iterator[formats.Format]:
    def write(kg: KnowledgeGraph, stream: IO[bytes]) -> None:
        stream.write(f"{len(kg)} TRIPLES\n".encode())

    yield formats.register(
        formats.Format("shout", "a test format", extensions=(".shout",), writer=write)
    )
    formats.unregister("shout")


def test_registering_a_format_is_one_call(
    shout_format: formats.Format, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    target = tmp_path / "graph.shout"
    assert export_graph(kg, None, target) == target.resolve()
    assert target.read_text(encoding="utf-8") == f"{len(kg)} TRIPLES\n"


@pytest.mark.parametrize(
    ("name", "first_line"),
    [("guess.nt", "<"), ("guess.jsonld", "{"), ("guess.ttl", "@prefix"), ("guess.rdf", "<?xml")],
)
def test_the_extension_decides_when_format_is_absent(
    tmp_path: Path, name: str, first_line: str
) -> None:
    target = tmp_path / name
    result = CliRunner().invoke(app, ["export", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").lstrip().startswith(first_line)


def test_every_alias_names_the_same_format() -> None:
    assert formats.resolve("json-ld") is formats.resolve("jsonld") is formats.resolve("JSONLD")
    assert formats.resolve("ttl").name == "turtle"


def test_export_help_lists_every_export_format() -> None:
    result = CliRunner().invoke(app, ["export", "--help"])
    for name in formats.names("export"):
        assert name in result.stdout


@pytest.mark.parametrize("command", ["query", "export"])
def test_every_command_with_format_takes_f(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert "-F" in result.stdout


FORMS = {
    "SELECT": "SELECT ?b WHERE { kg:Baclofen medkg:brandName ?b }",
    "ASK": "ASK { kg:Baclofen a medkg:Drug }",
    "CONSTRUCT": "CONSTRUCT WHERE { kg:Baclofen medkg:brandName ?b }",
    "DESCRIBE": "DESCRIBE kg:Baclofen",
}


@pytest.mark.parametrize("form", list(FORMS))
def test_every_result_form_in_every_format_works_or_is_one_line(
    kg: KnowledgeGraph, form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from medkg.cli_output import make_console, print_result
    from medkg.errors import MedkgError

    result = kg.query(FORMS[form])
    for format in ["table", *formats.names()]:
        try:
            print_result(make_console(), result, format, labels=kg.graph)
        except MedkgError as exc:
            assert exc.exit_code == 2
            assert "\n" not in str(exc)
            assert "cannot write" in str(exc), (form, format, str(exc))
        else:
            assert capsys.readouterr().out.strip(), (form, format)


def test_unknown_format_suggests_the_closest() -> None:
    with pytest.raises(UnknownFormatError, match="did you mean: turtle"):
        formats.resolve("turtel")
