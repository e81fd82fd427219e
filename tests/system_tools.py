"""Programs some tests need from the system (Java, rapper): skip here, fail in CI.

``.ci/run`` installs them and sets ``MEDKG_REQUIRE_SYSTEM_TOOLS=1``, so in CI a missing
program fails the run instead of silently skipping the checks it enables.
"""

from __future__ import annotations

import os
import shutil

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
