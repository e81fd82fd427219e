"""What reaches the terminal: data printed literally, control characters made visible.

The hostile labels are checked on a real pseudo-terminal (the CLI runs as a subprocess whose
stdout and stderr are the pty), as well as through pipes.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medkg.cli import app

ESC = "\x1b"
HOSTILE = f"""
@prefix kg: <https://w3id.org/medkg/entity/> .
@prefix medkg: <https://w3id.org/medkg/schema/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
kg:Markup a medkg:Drug ;
    rdfs:label "closing [/bold] tag" ;
    skos:altLabel "[link=http://example.org/]click[/link]", "nice :thumbs_up: drug" ;
    medkg:mayTrigger kg:LegCramp .
kg:Escapes a medkg:Drug ;
    rdfs:label "title{ESC}]0;pwned\\u0007 clear{ESC}[2J link{ESC}]8;;http://x/{ESC}\\\\ here" ;
    medkg:mayTrigger kg:LegCramp .
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("terminal") / "hostile.ttl"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


def on_pty(*args: str, quiet: bool = True) -> str:
    """Run ``medkg ARGS`` with stdout and stderr on a pseudo-terminal; return what it wrote."""
    leader, follower = pty.openpty()
    code = "import sys; from medkg.cli import main; sys.argv[0] = 'medkg'; main()"
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-c", code, *(["--quiet"] if quiet else []), *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pty closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def strip_styles(text: str) -> str:
    """Remove rich's own SGR colour codes (ESC [ … m), leaving everything else."""
    import re

    return re.compile(r"\x1b\[[0-9;]*m").sub("", text)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["show", "kg:Escapes"],
        ["search", "title"],
        ["query", "SELECT ?l WHERE { kg:Escapes rdfs:label ?l }"],
        ["query", "SELECT ?l WHERE { kg:Escapes rdfs:label ?l }", "-F", "csv"],
        ["query", "SELECT ?l WHERE { kg:Escapes rdfs:label ?l }", "-F", "tsv"],
        ["query", "CONSTRUCT WHERE { kg:Escapes rdfs:label ?l }", "-F", "nt"],
        ["show", "no such \x1b]0;x\x07 thing"],
    ],
    ids=["show", "search", "table", "csv", "tsv", "nt", "error-line"],
)
def test_no_raw_escape_reaches_a_terminal(hostile: Path, args: list[str]) -> None:
    shown = strip_styles(on_pty("--data", str(hostile), *args))
    assert ESC not in shown, repr(shown)
    assert "\x07" not in shown
    assert "\\x1b" in shown


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "literals"),
    [
        (
            ["show", "kg:Markup"],
            [
                "closing [/bold] tag",
                "[link=http://example.org/]click[/link]",
                "nice :thumbs_up: drug",
            ],
        ),
        (["search", "closing"], ["closing [/bold] tag"]),
        (["query", 'SELECT ("[/x] :thumbs_up:" AS ?v) {}'], ["[/x] :thumbs_up:"]),
        (["show", "kg:Young2015"], ["dcterms:date:"]),
    ],
    ids=["show", "search", "query", "source-card"],
)
def test_markup_and_emoji_codes_are_printed_as_written(
    hostile: Path, args: list[str], literals: list[str]
) -> None:
    shown = strip_styles(on_pty("--data", str(hostile), *args))
    for literal in literals:
        assert literal in shown, shown
    assert "👍" not in shown and "📅" not in shown
    assert "\x1b]8;" not in shown  # no terminal hyperlink


def test_machine_formats_keep_the_data_exact_when_piped(hostile: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--data",
            str(hostile),
            "query",
            "SELECT ?l WHERE { kg:Escapes rdfs:label ?l }",
            "-F",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"title{ESC}]0;pwned\x07" in result.stdout


def test_human_output_shows_escapes_when_piped(hostile: Path) -> None:
    result = CliRunner().invoke(app, ["--data", str(hostile), "show", "kg:Escapes"])
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout
    assert "title\\x1b]0;pwned\\x07 clear\\x1b[2J" in result.stdout


def test_piped_tables_are_not_wrapped() -> None:
    result = CliRunner().invoke(
        app, ["query", "SELECT ?c WHERE { ?c a medkg:DrugClass } ORDER BY ?c"]
    )
    assert result.exit_code == 0, result.output
    assert any("kg:PotassiumSparingDiuretics" in line for line in result.stdout.splitlines())


@pytest.mark.parametrize(
    ("args", "caption"),
    [
        (["query", "SELECT ?b WHERE { kg:Baclofen medkg:brandName ?b }"], "1 row"),
        (["search", "lioresal", "--limit", "1"], "1 match"),
    ],
)
def test_counts_are_in_the_right_number(args: list[str], caption: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    last = [line.strip() for line in result.stdout.splitlines() if line.strip()][-1]
    assert last == caption


def test_incoming_relations_read_with_the_inverse_label() -> None:
    result = CliRunner().invoke(app, ["show", "leg cramp"])
    assert result.exit_code == 0, result.output
    assert "← may be triggered by" in result.stdout
    assert "← may trigger" not in result.stdout


@pytest.mark.slow
def test_progress_shows_on_a_terminal_only_and_not_with_quiet() -> None:
    assert "loading the graph" in on_pty("info", quiet=False)
    assert "loading the graph" not in on_pty("info", quiet=True)
    piped = CliRunner().invoke(app, ["info"])
    assert "loading the graph" not in piped.stderr + piped.stdout
