"""Progress on stderr for long steps (load, export, the network view), only on a terminal.

One small helper that every command can use: on a terminal it draws a rich progress bar on
stderr; anywhere else (a pipe, a file, a test, a notebook) it draws nothing, so output that
is read by programs stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Progress", "progress"]


class Progress:
    """The one switch for every progress display (library and CLI)."""

    #: Set by ``medkg --quiet`` (or by a program that wants silence on its terminal).
    quiet = False


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Show the progress of one step; yield a function that advances it by *n* units.

    >>> with progress("indexing names", total=3) as advance:
    ...     for _ in range(3):
    ...         advance(1)

    :param description: what is being done, e.g. ``"loading files"``.
    :param total: how many units the step has; ``None`` for a spinner without an end.
    """
    if Progress.quiet or not sys.stderr.isatty():
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Bar(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)

        yield advance


def _nothing(n: int = 1) -> None:
    """Advance nothing: there is no terminal to draw on."""
