"""Oxigraph's own SPARQL server (``oxigraph serve``), started by the tests that need one."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ports import free_port

#: Straight to 127.0.0.1, whatever proxy the environment names.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@contextmanager
def running_oxigraph(program: str, location: Path, *, read_only: bool = False) -> Iterator[str]:
    """Serve the store at *location*; yield its base URL once it answers; stop it after.

    It waits until the server answers or exits, never against a deadline; what the server
    writes goes to a log file beside the store (a pipe nobody reads could fill and stall it).

    :param program: the ``oxigraph`` command (see ``tools/oxigraph.txt``).
    :param location: a store written by ``oxigraph load``.
    :param read_only: ``serve-read-only`` instead of ``serve``.
    :returns: ``http://127.0.0.1:PORT`` (queries go to ``/query``).
    """
    command = "serve-read-only" if read_only else "serve"
    log_path = location.with_name(location.name + ".log")
    url = f"http://127.0.0.1:{free_port()}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [program, command, "--location", str(location), "--bind", url.split("//", 1)[1]],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            while not _answers(url):
                if process.poll() is not None:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"oxigraph {command} exited ({process.returncode}): {tail}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(30)


def _answers(url: str) -> bool:
    try:
        with DIRECT.open(url + "/query?query=ASK%7B%7D", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False
