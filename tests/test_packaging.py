"""medkg works from an installed wheel, not only from a checkout."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (path,) = out.glob("medkg-*.whl")
    return path


def test_wheel_carries_the_ontology_and_queries(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "medkg/ontology/medkg.ttl",
        "medkg/ontology/leg-cramps.ttl",
        "medkg/ontology/shapes.ttl",
        "medkg/ontology/queries/triggering-drugs.rq",
        "medkg/py.typed",
        "medkg/templates/explorer.html.j2",
        "medkg/templates/explorer.js",
        "medkg/templates/server/index.html",
        "medkg/templates/server/layout.html",
        "medkg/templates/server/static/query.js",
        "medkg/templates/server/static/vendor/codemirror-sparql.js",
        "medkg/templates/server/static/vendor/codemirror-sparql-LICENSE.txt",
    ):
        assert required in names, f"{required} is missing from the wheel"


@pytest.mark.slow
def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    # Run from an empty folder, so nothing can be read from the checkout.
    info = subprocess.run(
        [str(env_dir / "bin" / "medkg"), "info"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "65 evidence records" in info.stdout
    where = subprocess.run(
        [str(python), "-c", "import medkg.resources as r; print(r.ontology_dir())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in where.stdout


def test_wheel_carries_the_licence_and_says_what_it_covers(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    text = archive.read(metadata).decode("utf-8")
    assert "License-Expression: MIT AND CC-BY-4.0" in text
    licence = next(n for n in archive.namelist() if n.endswith("licenses/LICENSE"))
    body = archive.read(licence).decode("utf-8")
    assert "MIT License" in body and "CC-BY-4.0" in body and "ontology/" in body


def test_long_description_has_no_link_that_breaks_on_pypi(wheel: Path, tmp_path: Path) -> None:
    """PyPI shows the README without the repository: a relative figure or link would break.

    Each becomes the file's name in the source distribution, and the test checks that the
    source distribution really holds it.
    """
    archive = zipfile.ZipFile(wheel)
    metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    description = archive.read(metadata).decode("utf-8").split("\n\n", 1)[1]
    relative = re.findall(r"\]\((?!https?:|#)([^)]+)\)", description)
    assert relative == [], f"relative links left in the long description: {relative}"
    assert "*Figure: The explorer: the leg-cramp graph coloured by kind" in description
    named = set(re.findall(r"`([^`]+)` in the source distribution", description))
    assert {"docs/explorer.png", "docs/server.png", "benchmarks/RESULTS.md"} <= named
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (sdist,) = tmp_path.glob("medkg-*.tar.gz")
    with tarfile.open(sdist) as tar:
        held = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert named <= held, f"named but not in the source distribution: {named - held}"
