"""A throwaway Virtuoso (Debian's virtuoso-opensource) on 127.0.0.1, for the store tests.

Each server gets its own database folder and ``virtuoso.ini``, listens on free loopback
ports only, may read and write files in that folder only (``DirsAllowed``), and lets the
anonymous ``/sparql`` endpoint run SPARQL Update (``GRANT SPARQL_UPDATE TO "SPARQL"``)
so that ``medkg push`` can write. It is stopped afterwards, and killed if it hangs.
"""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ports import free_port

#: Seconds Virtuoso may take to create its database and answer HTTP.
START_TIMEOUT = 45.0

INI = """\
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 5
CheckpointInterval   = 0
O_DIRECT             = 0
CaseMode             = 2
AllowOSCalls         = 0
DirsAllowed          = {folder}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 5
ServerThreads        = 5
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryExecutionTime      = 60
MaxQueryCostEstimationTime = 0
DefaultQuery               = ASK {{}}
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running server: its SPARQL endpoint and its folder."""

    sparql_url: str
    folder: Path


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "?query=ASK%7B%7D", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_virtuoso(binary: str, isql: str, folder: Path) -> Iterator[Virtuoso]:
    """Start Virtuoso in *folder*; yield it once /sparql answers and updates are granted."""
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"Virtuoso did not start (exit {process.poll()}):\n{tail}")
            time.sleep(0.3)
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True,
            capture_output=True,
            timeout=30,
        )
        yield Virtuoso(url, folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()
