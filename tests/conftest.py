"""Shared fixtures: the bundled graph in every store, a real SPARQL server, a CLI runner."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

import medkg
from medkg.graph import KnowledgeGraph, fill_store
from medkg.stores import open_store
from system_tools import require_program
from virtuoso import Virtuoso, running_virtuoso

#: The stores every store-parametrised test runs on (``sparql`` is a real Virtuoso).
STORES = ["memory", "oxigraph", "oxigraph-disk", "sparql"]


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled leg-cramp graph (read-only: tests must not change it)."""
    return medkg.load()


@pytest.fixture()
def runner() -> CliRunner:
    """A CLI runner that keeps stderr apart from stdout."""
    return CliRunner()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso on free loopback ports, with its own database folder, for the session."""
    binary = require_program("virtuoso-t", "virtuoso-opensource")
    isql = require_program("isql-vt", "virtuoso-opensource")
    with running_virtuoso(binary, isql, tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="session")
def pushed_virtuoso(virtuoso: Virtuoso) -> Virtuoso:
    """The Virtuoso server holding the bundled graph, uploaded with ``medkg push``."""
    from medkg.cli import app

    result = CliRunner().invoke(app, ["push", virtuoso.sparql_url])
    assert result.exit_code == 0, result.output
    return virtuoso


@pytest.fixture(scope="session")
def oxigraph_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The ``--store`` value of an on-disk oxigraph store filled once with the bundled graph."""
    path = tmp_path_factory.mktemp("stores") / "kg"
    store = open_store(f"oxigraph:{path}", create=True)
    fill_store(store)
    del store
    gc.collect()  # closes the writable store, so that it can be opened again read-only
    return f"oxigraph:{path}"


def store_spec(request: pytest.FixtureRequest, name: str) -> str:
    """Return the ``--store`` value for one of :data:`STORES`, starting what it needs."""
    if name == "oxigraph-disk":
        return str(request.getfixturevalue("oxigraph_path"))
    if name == "sparql":
        return "sparql:" + request.getfixturevalue("pushed_virtuoso").sparql_url
    return name


@pytest.fixture(scope="session", params=STORES)
def store_kg(request: pytest.FixtureRequest) -> KnowledgeGraph:
    """The bundled graph, once per store in :data:`STORES` (read-only)."""
    return medkg.load(store=store_spec(request, request.param))
