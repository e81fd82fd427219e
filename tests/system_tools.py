"""Programs some tests need from the system (Java, rapper): skip here, fail in CI.

``.ci/run`` installs them and sets ``MEDKG_REQUIRE_SYSTEM_TOOLS=1``, so in CI a missing
program fails the run instead of silently skipping the checks it enables.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def require_program(name: str, debian_package: str) -> str:
    """Return the path of *name*, or skip (fail under CI) naming the package to install."""
    path = shutil.which(name)
    if path:
        return path
    reason = f"{name} is not installed (Debian package {debian_package})"
    if os.environ.get("MEDKG_REQUIRE_SYSTEM_TOOLS"):
        pytest.fail(reason + ", but CI requires it")
    pytest.skip(reason)


#: Where ``make tools`` puts the third-party checkers (see tools/README.md).
TOOLS_DIR = Path(__file__).resolve().parents[1] / ".tools"
NPM_BIN = Path(__file__).resolve().parents[1] / "tools" / "npm" / "node_modules" / ".bin"


def require_tool(venv: str, program: str) -> str:
    """Return the path of *program* in ``.tools/<venv>/bin`` (or npm's bin when venv is "npm").

    Skips with the command to run when the tool is missing; fails under CI.
    """
    base = NPM_BIN if venv == "npm" else TOOLS_DIR / venv / "bin"
    path = base / program
    if path.exists():
        return str(path)
    reason = f"{program} is not installed in {base} (run `make tools`)"
    if os.environ.get("MEDKG_REQUIRE_SYSTEM_TOOLS"):
        pytest.fail(reason + ", but CI requires it")
    pytest.skip(reason)
