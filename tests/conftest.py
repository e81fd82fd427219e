"""Shared fixtures: the bundled graph, loaded once, and a CLI runner."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import medkg
from medkg.graph import KnowledgeGraph


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled leg-cramp graph (read-only: tests must not change it)."""
    return medkg.load()


@pytest.fixture()
def runner() -> CliRunner:
    """A CLI runner that keeps stderr apart from stdout."""
    return CliRunner()
