"""The bad-input corpus: every case gives one line, the right exit code, never a traceback.

The cases live in tests/data/bad-input/cases.tsv (issue #12). Each runs in-process through
the CLI's own error handler; a few that depend on the process itself (a full disk, a
missing optional module) run as real subprocesses below.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medkg.cli import app

CORPUS = Path(__file__).parent / "data" / "bad-input"


def _cases() -> list[pytest.ParameterSet]:
    cases = []
    for line in (CORPUS / "cases.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, code, expected, *args = line.split("\t")
        cases.append(pytest.param(int(code), expected, args, id=name))
    return cases


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The folders and files the cases refer to, made once."""
    base = tmp_path_factory.mktemp("bad-input")
    foreign = base / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("a user's own file\n", encoding="utf-8")
    damaged = base / "damaged"
    result = CliRunner().invoke(app, ["load", "--store", f"oxigraph:{damaged}"])
    assert result.exit_code == 0, result.output
    gc.collect()
    for manifest in damaged.rglob("MANIFEST-*"):
        manifest.write_bytes(manifest.read_bytes()[:10])
    big = base / "big.nt"
    big.write_text(
        '<https://w3id.org/medkg/entity/Big> <http://www.w3.org/2000/01/rdf-schema#comment> "'
        + "x" * (17 * 1024 * 1024)
        + '" .\n',
        encoding="utf-8",
    )
    return {
        "data": str(CORPUS),
        "foreign": str(foreign),
        "damaged": str(damaged),
        "big": str(big),
    }


def _fill(text: str, values: dict[str, str]) -> str:
    """Put the places into a case (str.format would trip on SPARQL's braces)."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


@pytest.mark.parametrize(("exit_code", "expected", "args"), _cases())
def test_bad_input_corpus(
    places: dict[str, str], tmp_path: Path, exit_code: int, expected: str, args: list[str]
) -> None:
    values = {**places, "tmp": str(tmp_path)}
    if "{tmp}/fifo" in args:
        os.mkfifo(tmp_path / "fifo")
    argv = [_fill(arg, values) for arg in args]
    result = CliRunner().invoke(app, argv)
    stderr = result.stderr
    assert "Traceback" not in stderr + result.stdout
    assert "internal error" not in stderr
    assert result.exit_code == exit_code, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    if exit_code:
        assert len(lines) == 1, stderr
    if expected:
        assert _fill(expected, values) in stderr, stderr
    if "{tmp}/fifo" in args:
        assert (tmp_path / "fifo").is_fifo()


def _command(*args: str, hide: str | None = None) -> list[str]:
    """The real ``medkg`` as a subprocess command, optionally with one module unimportable."""
    prelude = f"sys.modules[{hide!r}] = None; " if hide else ""
    code = f"import sys; {prelude}from medkg.cli import main; sys.argv[0] = 'medkg'; main()"
    return [sys.executable, "-c", code, *args]


def _medkg(*args: str, hide: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(*args, hide=hide), capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args", [["export"], ["query", "SELECT * { ?s ?p ?o }", "-F", "csv"]], ids=["export", "query"]
)
def test_a_full_disk_is_one_line(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            _command(*args), stdout=full, stderr=subprocess.PIPE, text=True, timeout=300
        )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: cannot write the output: No space left on device"
    ]


# What each optional module is needed for; hiding it must give one line naming the extra.
EXTRA_CASES = [
    ("networkx", "network", ["path", "leg cramp", "baclofen"]),
    ("networkx", "network", ["export", "-F", "graphml"]),
    ("pyvis", "viz", ["viz", "-o", "{tmp}/page.html"]),
    ("jinja2", "viz", ["viz", "-o", "{tmp}/page.html"]),
    ("numpy", "viz", ["viz", "-o", "{tmp}/page.html"]),
    ("owlrl", "infer", ["query", "--infer", "ASK {}"]),
    ("pyshacl", "validate", ["validate"]),
    ("uvicorn", "serve", ["serve", "--port", "0"]),
    ("starlette", "serve", ["serve", "--port", "0"]),
    ("pyoxigraph", "oxigraph", ["--store", "oxigraph", "info"]),
    ("pyoxigraph", "oxigraph", ["load", "--store", "oxigraph:{tmp}/store"]),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "extra", "args"),
    EXTRA_CASES,
    ids=[f"{m}-{a[0] if a[0] != '--store' else a[2]}" for m, _, a in EXTRA_CASES],
)
def test_a_missing_extra_is_one_line_naming_it(
    tmp_path: Path, module: str, extra: str, args: list[str]
) -> None:
    result = _medkg(*(_fill(a, {"tmp": str(tmp_path)}) for a in args), hide=module)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"pip install 'medkg[{extra}]'" in lines[0]


def test_to_networkx_without_networkx_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['networkx'] = None\n"
        "import medkg\n"
        "try:\n    medkg.load().to_networkx()\n"
        "except medkg.MissingExtraError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.stdout.strip() == (
        "this needs networkx, which is not installed: pip install 'medkg[network]'"
    )
