"""The stores side by side: memory (rdflib) vs oxigraph (pyoxigraph), and raw pyoxigraph.

Usage::

    python benchmarks/stores_benchmark.py [--sizes 10000,100000,1000000] [--quick]
                                          [--repeat 3] [--output benchmarks/RESULTS.md]

``--quick`` runs 10k and 100k triples only. For each size, :mod:`synthetic` writes a graph
(the bundled graph plus synthetic entities around it); then each store is measured in a
fresh subprocess, so that its peak memory (``ru_maxrss``: pyoxigraph's memory is Rust's,
which ``tracemalloc`` cannot see) is its own:

- load: ``medkg.load([file], store=...)`` (the bundled files + the synthetic file);
- every bundled competency question (``ontology/queries/*.rq``), parameters at defaults;
- the rdflib view (``kg.graph``: the memory store's own graph; a copy for oxigraph), which
  search, the network view and the explorer use; each of those is then timed warm;
- search, the network view, a focused explorer page (leg cramp, depth 1);
- Turtle and N-Triples export to a file.

"raw" is pyoxigraph alone on the same operations (same files, same query text, rows
materialised as tuples), so that medkg's own overhead shows. Wall time is the median of
``--repeat`` runs. Start-up is ``medkg --help`` against ``python -c "import rdflib"``.
Writes a Markdown report; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STORES = ("memory", "oxigraph", "raw")


def _median_seconds(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------- one store, in a subprocess


def measure_medkg(store: str, data: Path, repeat: int, scratch: Path) -> dict[str, float]:
    import medkg
    from medkg.competency import bind_parameters, list_questions
    from medkg.export import export_graph
    from medkg.search import search

    timings: dict[str, float] = {}
    timings["load"], kg = _median_seconds(lambda: medkg.load([data], store=store), repeat)
    timings["rss after load (MiB)"] = _rss_mib()
    for question in list_questions():
        bindings = bind_parameters(kg, question.params, {})
        timings[f"q: {question.name}"], _ = _median_seconds(
            lambda q=question, b=bindings: kg.query(q.sparql, bindings=b), repeat
        )

    def rdflib_view() -> Any:
        if kg.store.kind != "memory":
            kg._graph = None  # measure the copy itself, not the cached one
        return kg.graph

    timings["rdflib view (kg.graph)"], _ = _median_seconds(rdflib_view, repeat)
    timings["search"], _ = _median_seconds(lambda: search(kg.graph, "charlie horse"), repeat)
    timings["network view"], _ = _median_seconds(kg.to_networkx, repeat)
    timings["explorer page (focus)"], _ = _median_seconds(
        lambda: kg.visualize(focus="leg cramp", depth=1).html, repeat
    )
    for name, suffix in (("turtle", "ttl"), ("nt", "nt")):
        target = scratch / f"out-{store}.{suffix}"
        timings[f"export {name}"], _ = _median_seconds(
            lambda n=name, t=target: export_graph(kg, n, t), repeat
        )
    timings["peak rss (MiB)"] = _rss_mib()
    return timings


def measure_raw(data: Path, repeat: int, scratch: Path) -> dict[str, float]:
    import pyoxigraph as ox

    from medkg.competency import list_questions
    from medkg.graph import load
    from medkg.namespaces import PREFIXES
    from medkg.resources import bundled_data_files
    from medkg.stores.base import with_values

    def load_raw() -> Any:
        store = ox.Store()
        for path in [*bundled_data_files(), data]:
            fmt = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES
            store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri(),
                       to_graph=ox.DefaultGraph())  # fmt: skip
        return store

    timings: dict[str, float] = {}
    timings["load"], store = _median_seconds(load_raw, repeat)
    timings["rss after load (MiB)"] = _rss_mib()
    defaults = load()  # the parameters' defaults are entity names; resolve them once
    prefixes = dict(PREFIXES)
    for question in list_questions():
        bindings = {n: defaults.entity(v).iri for n, v in question.params.items()}
        text = with_values(question.sparql, bindings)

        def run(text: str = text) -> list[tuple[Any, ...]]:
            solutions = store.query(text, prefixes=prefixes)
            width = len(solutions.variables)
            return [tuple(s[i] for i in range(width)) for s in solutions]

        timings[f"q: {question.name}"], _ = _median_seconds(run, repeat)
    for name, fmt in (("turtle", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)):
        target = scratch / f"raw.{name}"
        timings[f"export {name}"], _ = _median_seconds(
            lambda f=fmt, t=target: store.dump(
                str(t), format=f, from_graph=ox.DefaultGraph(),
                prefixes=prefixes if f == ox.RdfFormat.TURTLE else None,
            ),
            repeat,
        )  # fmt: skip
    timings["peak rss (MiB)"] = _rss_mib()
    return timings


def worker(store: str, data: Path, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        if store == "raw":
            timings = measure_raw(data, repeat, Path(scratch))
        else:
            timings = measure_medkg(store, data, repeat, Path(scratch))
    print(json.dumps(timings))


def run_worker(store: str, data: Path, repeat: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--worker", store, "--file", str(data),
               "--repeat", str(repeat)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{store} on {data.name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------- start-up


def startup(repeat: int = 7) -> list[str]:
    medkg_bin = Path(sys.executable).with_name("medkg")
    commands = {
        '`python -c "import rdflib"`': [sys.executable, "-c", "import rdflib"],
        "`medkg --help`": [str(medkg_bin), "--help"],
        '`python -c "import medkg.cli"`': [sys.executable, "-c", "import medkg.cli"],
    }
    medians = {}
    for name, command in commands.items():
        subprocess.run(command, capture_output=True, check=True)  # warm the file cache
        medians[name], _ = _median_seconds(
            lambda c=command: subprocess.run(c, capture_output=True, check=True), repeat
        )
    base = medians['`python -c "import rdflib"`']
    lines = ["| command | wall (ms) | × import rdflib |", "| --- | ---: | ---: |"]
    for name, seconds in medians.items():
        lines.append(f"| {name} | {seconds * 1000:.0f} | {seconds / base:.2f} |")
    return lines


# ---------------------------------------------------------------- report


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if unit == "MiB" else f"{value * 1000:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.1f}×" if a / b >= 10 else f"{a / b:.2f}×"


def table(size: int, results: dict[str, dict[str, float]]) -> list[str]:
    memory, oxigraph, raw = (results.get(s, {}) for s in STORES)
    rows = list(memory or oxigraph)
    lines = [
        f"### {size:,} triples",
        "",
        "| operation | memory (ms) | oxigraph (ms) | memory ÷ oxigraph | raw pyoxigraph (ms) "
        "| oxigraph ÷ raw |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        unit = "MiB" if "MiB" in row else "ms"
        m, o, r = memory.get(row), oxigraph.get(row), raw.get(row)
        lines.append(
            f"| {row} | {_cell(m, unit)} | {_cell(o, unit)} | {_ratio(m, o)} "
            f"| {_cell(r, unit)} | {_ratio(o, r)} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--quick", action="store_true", help="10k and 100k triples only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the graphs here")
    parser.add_argument("--worker", choices=STORES, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.file, args.repeat)
        return
    sys.path.insert(0, str(HERE))
    from synthetic import write_synthetic

    sizes = [10_000, 100_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="medkg-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    import platform

    import pyoxigraph
    import rdflib

    report = [
        "# Stores benchmark",
        "",
        f"`python benchmarks/stores_benchmark.py --sizes {','.join(map(str, sizes))} "
        f"--repeat {args.repeat}` — Python {platform.python_version()}, rdflib "
        f"{rdflib.__version__}, pyoxigraph {pyoxigraph.__version__}, {os.cpu_count()} CPUs, "
        f"{platform.machine()}. Median of {args.repeat} runs; memory is peak RSS of a fresh "
        "process per store and size. Synthetic graphs: `benchmarks/synthetic.py`.",
        "",
        "## Start-up",
        "",
        *startup(),
        "",
        "## Operations",
        "",
    ]
    for size in sizes:
        data = data_dir / f"synthetic-{size}.nt"
        if not data.exists():
            write_synthetic(size, data)
        results = {}
        for store in STORES:
            started = time.perf_counter()
            results[store] = run_worker(store, data, args.repeat)
            print(f"{size}: {store} done in {time.perf_counter() - started:.0f} s", flush=True)
        report += table(size, results)
        args.output.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
