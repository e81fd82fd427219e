"""N-Triples parsing for the memory store: rdflib's own parser vs medkg's (pyoxigraph-fed).

Usage::

    python benchmarks/ntriples_benchmark.py [--sizes 250000,1000000,4000000] [--repeat 3]

For each size, a file holds one triple whose literal has that many characters (the case
where rdflib's N-Triples parser is quadratic), plus 10,000 ordinary triples. Each parser
reads it into an rdflib graph: "rdflib" is ``Graph().parse(format="nt")``, "medkg" is
:func:`medkg.rdfio.parse_file` (what ``--data file.nt`` does on the memory store). The
report gives the median of ``--repeat`` runs and the ratio; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from medkg.rdfio import parse_file


def write_file(path: Path, length: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f'<http://example.org/big> <http://example.org/p> "{"x" * length}" .\n')
        for i in range(10_000):
            handle.write(f'<http://example.org/s{i}> <http://example.org/p> "value {i}" .\n')


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="250000,1000000,4000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| literal length | rdflib | medkg | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"big-{size}.nt"
            write_file(path, size)
            rdflib_times = [
                timed(lambda p=path: Graph().parse(p, format="nt")) for _ in range(args.repeat)
            ]
            medkg_times = [timed(lambda p=path: parse_file(Graph(), p)) for _ in range(args.repeat)]
            a, b = statistics.median(rdflib_times), statistics.median(medkg_times)
            print(f"| {size:,} | {a:.2f} s | {b:.2f} s | {a / b:.0f}× |", flush=True)


if __name__ == "__main__":
    main()
