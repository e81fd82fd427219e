"""Whole-process commands on every store, each beside a raw-pyoxigraph script doing the same job.

Usage::

    python benchmarks/engine_benchmark.py [--sizes 10000,100000] [--repeat 3]
                                          [--output benchmarks/ENGINE.md]

For each size, :mod:`synthetic` writes a graph; then

- ``memory``: ``medkg --data FILE COMMAND`` (parses everything on each run);
- ``oxigraph:PATH``: filled once by ``medkg load`` (which also builds the label index), then
  ``medkg --store oxigraph:PATH COMMAND``;
- ``sparql:URL``: the same data in Oxigraph's own server (``oxigraph serve-read-only``, from
  ``.tools/oxigraph``), ``medkg --store sparql:URL COMMAND``, through a counting proxy that
  reports the bytes downloaded;
- ``raw``: a pyoxigraph script (``raw_engine.py``) doing the same job on the same on-disk
  store (or over HTTP for the server): the floor medkg is measured against.

Each run is a fresh process, timed from start to exit, with its peak RSS (``wait4``). Wall
time is the median of ``--repeat`` runs. Nothing is asserted: this is a benchmark.
"""

from __future__ import annotations

import argparse
import http.server
import os
import platform
import shutil
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MEDKG = [str(Path(sys.executable).with_name("medkg"))]
RAW = [sys.executable, str(HERE / "raw_engine.py")]
OXIGRAPH = ROOT / ".tools" / "oxigraph" / "bin" / "oxigraph"
#: The named graph medkg's sparql store reads (medkg.namespaces.NAMED_GRAPH).
GRAPH = "https://w3id.org/medkg/graph/leg-cramps"

#: (name, medkg arguments, raw_engine.py arguments)
COMMANDS = [
    ("search charlie horse", ["search", "charlie horse"], ["search", "charlie horse"]),
    ("show kg:Baclofen", ["show", "kg:Baclofen"], ["show", "kg:Baclofen"]),
    ("show kg:LegCramp (hub)", ["show", "kg:LegCramp"], ["show", "kg:LegCramp"]),
    # A synthetic condition with a few dozen relations (24 at 50,000 triples).
    ("show kg:SynCondition18", ["show", "kg:SynCondition18"], ["show", "kg:SynCondition18"]),
    (
        "path Baclofen → calf stretching",
        ["path", "kg:Baclofen", "kg:CalfStretch"],
        ["path", "kg:Baclofen", "kg:CalfStretch"],
    ),
    (
        "viz --focus kg:Baclofen --depth 1",
        ["viz", "--focus", "kg:Baclofen", "--depth", "1", "--output", "{out}/page.html"],
        ["viz", "kg:Baclofen"],
    ),
    (
        "viz --focus kg:SynCondition18 --depth 1",
        ["viz", "--focus", "kg:SynCondition18", "--depth", "1", "--output", "{out}/page.html"],
        ["viz", "kg:SynCondition18"],
    ),
    ("export nt", ["export", "--format", "nt", "--output", "{out}/g.nt"], ["export", "{out}/r.nt"]),
    ("info", ["info"], ["info"]),
]


def _run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Run *argv*; return (seconds, peak RSS in MiB, exit status)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 and process.stderr is not None:
        sys.stderr.write(f"{' '.join(argv)}: {process.stderr.read().decode()[-400:]}\n")
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def _median(argv: list[str], repeat: int) -> tuple[float, float, int]:
    runs = [_run(argv) for _ in range(repeat)]
    return (
        statistics.median(r[0] for r in runs),
        max(r[1] for r in runs),
        max(r[2] for r in runs),
    )


class _Counter(http.server.BaseHTTPRequestHandler):
    target = ""
    received = 0

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = urllib.request.Request(
            type(self).target + self.path,
            data=body,
            headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=600) as answer:  # noqa: S310 - loopback
            data = answer.read()
            status, media = answer.status, answer.headers.get("Content-Type", "text/plain")
        type(self).received += len(data)
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_size(size: int, repeat: int, scratch: Path) -> list[str]:
    data = scratch / f"synthetic-{size}.nt"
    subprocess.run([sys.executable, str(HERE / "synthetic.py"), str(size), str(data)], check=True)
    store = scratch / f"store-{size}"
    load_time, load_rss, _ = _run([*MEDKG, "--store", f"oxigraph:{store}", "load", str(data)])
    raw_store = scratch / f"raw-{size}"
    raw_load, raw_load_rss, _ = _run([*RAW, "load", str(raw_store), str(data)])
    triples = scratch / f"graph-{size}.nt"
    _run([*MEDKG, "--store", f"oxigraph:{store}", "export", "--format", "nt", "-o", str(triples)])
    db = scratch / f"server-{size}"
    # Everything in the one graph medkg's sparql store reads (as `medkg push` leaves it): an
    # N-Quads export keeps each loaded file in its own graph, which the store never sees.
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(db), "--file", str(triples), "--graph", GRAPH],
        check=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [str(OXIGRAPH), "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    handler = type("Counter", (_Counter,), {"target": f"http://127.0.0.1:{port}", "received": 0})
    proxy = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{proxy.server_address[1]}/query"
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=5)  # noqa: S310
            break
        except OSError:
            time.sleep(0.1)
    lines = [
        f"### {size:,} triples",
        "",
        f"`medkg load`: {load_time:.2f} s, {load_rss:.0f} MiB; raw pyoxigraph bulk load: "
        f"{raw_load:.2f} s, {raw_load_rss:.0f} MiB ({load_time / raw_load:.2f}×).",
        "",
        "| command | memory (s) | oxigraph:PATH (s, MiB) | raw (s, MiB) | PATH ÷ raw "
        "| sparql:URL (s, MiB, KB down) | raw over HTTP (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    try:
        for name, args, raw_args in COMMANDS:
            out = str(scratch)
            argv = [a.replace("{out}", out) for a in args]
            raw_argv = [a.replace("{out}", out) for a in raw_args]
            memory = _median([*MEDKG, "--data", str(data), *argv], 1)
            disk = _median([*MEDKG, "--store", f"oxigraph:{store}", *argv], repeat)
            raw = _median([*RAW, *raw_argv[:1], str(raw_store), *raw_argv[1:]], repeat)
            handler.received = 0
            remote = _run([*MEDKG, "--store", f"sparql:{url}", *argv])
            down = handler.received / 1000
            raw_http = _run([*RAW, *raw_argv[:1], f"http://127.0.0.1:{port}/query", *raw_argv[1:]])
            lines.append(
                f"| `{name}` | {memory[0]:.2f} | {disk[0]:.2f}, {disk[1]:.0f} "
                f"| {raw[0]:.2f}, {raw[1]:.0f} | {disk[0] / raw[0]:.2f}× "
                f"| {remote[0]:.2f}, {remote[1]:.0f}, {down:,.0f} | {raw_http[0]:.2f} |"
                + ("" if max(memory[2], disk[2], remote[2]) == 0 else " (failed)")
            )
    finally:
        proxy.shutdown()
        server.terminate()
        server.wait()
    # Other work on the machine slows both columns; the ratios are what to read.
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return [*lines, "", f"Load average after this size (1 / 5 / 15 min): {load}.", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=HERE / "ENGINE.md")
    args = parser.parse_args()
    import pyoxigraph
    import rdflib

    scratch = Path(tempfile.mkdtemp(prefix="medkg-engine-bench-"))
    sizes = [int(s) for s in args.sizes.split(",")]
    report = [
        "# Engine benchmark: whole commands on every store",
        "",
        f"`python benchmarks/engine_benchmark.py --sizes {args.sizes} --repeat {args.repeat}` — "
        f"Python {platform.python_version()}, rdflib {rdflib.__version__}, pyoxigraph "
        f"{pyoxigraph.__version__}, Oxigraph server from `tools/oxigraph.txt`, "
        f"{os.cpu_count()} CPUs, {platform.machine()}. Wall time of a whole process "
        "(median; memory: one run), peak RSS, bytes downloaded from the server.",
        "",
    ]
    try:
        for size in sizes:
            report += bench_size(size, args.repeat, scratch)
            args.output.write_text("\n".join(report) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
