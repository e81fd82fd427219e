"""Search, name resolution and neighbourhoods in-process, after start-up, on an oxigraph:PATH.

Usage: ``python benchmarks/engine_inprocess.py TRIPLES [--store PATH]``

Writes a synthetic graph of TRIPLES triples (:mod:`synthetic`), fills ``oxigraph:PATH`` with
``medkg load`` (which builds the label index), then times each operation twice (first and
warm) with ``time.perf_counter``. Prints one line per operation; nothing is asserted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return 1000 * (time.perf_counter() - started), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("triples", type=int)
    parser.add_argument("--store", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="medkg-inprocess-"))
    store = args.store or folder / "store"
    data = folder / "synthetic.nt"
    subprocess.run(
        [sys.executable, str(HERE / "synthetic.py"), str(args.triples), str(data)], check=True
    )
    medkg = str(Path(sys.executable).with_name("medkg"))
    started = time.perf_counter()
    subprocess.run([medkg, "--store", f"oxigraph:{store}", "load", str(data)], check=True)
    print(f"medkg load: {time.perf_counter() - started:.1f} s")

    from medkg import load
    from medkg.network import neighbourhood
    from medkg.search import search

    kg = load(store=f"oxigraph:{store}")
    for text in ("charlie horse", "baclofen", "leg cramp"):
        first, _ = _timed(lambda text=text: search(kg, text))
        warm, hits = _timed(lambda text=text: search(kg, text))
        print(f"search {text!r}: first {first:.0f} ms, warm {warm:.0f} ms, top {hits[0].curie}")
    for name in ("kg:Baclofen", "muscle relaxants"):
        took, entity = _timed(lambda name=name: kg.entity(name))
        print(f"resolve {name!r}: {took:.0f} ms -> {entity.curie}")
    for centre in ("Baclofen", "LegCramp"):
        iri = "https://w3id.org/medkg/entity/" + centre
        took, nodes = _timed(lambda iri=iri: neighbourhood(kg, iri, 1))
        print(f"neighbourhood of kg:{centre}, depth 1: {took:.0f} ms, {len(nodes)} nodes")


if __name__ == "__main__":
    main()
