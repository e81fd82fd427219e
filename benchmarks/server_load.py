"""Load test of ``medkg serve``: a few thousand queries from a handful of clients, on loopback.

Starts the real server (``medkg serve --port 0``) in a subprocess, sends the bundled example
questions from N concurrent clients until the query budget or the time budget is spent, checks
every answer against ``medkg.load().query(...)``, and prints throughput and p50 / p99 latency
per question as a Markdown table. Exit status 1 if any answer was wrong or any request failed.

    python benchmarks/server_load.py [--queries 3000] [--clients 4] [--workers 2] [--seconds 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

import medkg
from medkg.competency import list_questions
from medkg.query import term_to_text


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    wrong: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def expected_answers() -> dict[str, tuple[str, list[list[str]]]]:
    """Each runnable question's text and its rows, as the library answers them."""
    kg = medkg.load()
    answers = {}
    for question in list_questions():
        if question.params:
            continue  # parameterised questions need bindings; the page covers them
        result = kg.query(question.sparql)
        rows = [[term_to_text(t) for t in row] for row in result.rows]
        answers[question.name] = (question.sparql, rows)
    return answers


def start_server(workers: int) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-c",
        "from medkg.cli import main; main()",
        "serve",
        "--port",
        "0",
        "--workers",
        str(workers),
        "--queue",
        "64",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "serving" not in line:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    url = line.split("serving ", 1)[1].split()[0]
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        raise SystemExit(f"refusing to load-test a non-loopback address: {url}")
    return process, url


def client(
    url: str,
    answers: dict[str, tuple[str, list[list[str]]]],
    budget: list[int],
    deadline: float,
    tally: Tally,
    offset: int,
) -> None:
    names = sorted(answers)
    index = offset
    with httpx.Client(base_url=url, timeout=60) as http:
        while time.monotonic() < deadline:
            with tally.lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            name = names[index % len(names)]
            index += 1
            sparql, rows = answers[name]
            started = time.perf_counter()
            response = http.post(
                "sparql",
                data={"query": sparql},
                headers={"Accept": "application/sparql-results+json"},
            )
            elapsed = time.perf_counter() - started
            problem = check(response, rows)
            with tally.lock:
                tally.latencies[name].append(elapsed)
                if problem:
                    tally.wrong.append(f"{name}: {problem}")


def check(response: httpx.Response, rows: list[list[str]]) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    doc = response.json()
    names = doc["head"]["vars"]
    got = [[b.get(n, {}).get("value", "") for n in names] for b in doc["results"]["bindings"]]
    # Compared as multisets: some questions ORDER BY keys that tie, so row order may vary.
    return None if sorted(got) == sorted(rows) else "answer differs from medkg.load().query()"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(tally: Tally, seconds: float, clients: int, workers: int) -> str:
    lines = [
        f"{sum(len(v) for v in tally.latencies.values())} queries, {clients} clients, "
        f"{workers} workers, {seconds:.1f} s on 127.0.0.1",
        "",
        "| question | queries | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    everything: list[float] = []
    for name in sorted(tally.latencies):
        values = tally.latencies[name]
        everything += values
        lines.append(
            f"| {name} | {len(values)} | {statistics.median(values) * 1000:.1f} | "
            f"{percentile(values, 0.99) * 1000:.1f} |"
        )
    lines.append(
        f"| **all** | {len(everything)} | {statistics.median(everything) * 1000:.1f} | "
        f"{percentile(everything, 0.99) * 1000:.1f} |"
    )
    lines += [
        "",
        f"throughput: {len(everything) / seconds:.0f} queries/s; "
        f"wrong or failed answers: {len(tally.wrong)}",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=50.0, help="stop after this long")
    args = parser.parse_args()
    answers = expected_answers()
    process, url = start_server(args.workers)
    try:
        tally = Tally()
        budget = [args.queries]
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=client, args=(url, answers, budget, deadline, tally, i))
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        process.terminate()
        process.wait(15)
    print(report(tally, elapsed, args.clients, args.workers))
    for problem in tally.wrong[:10]:
        print("wrong:", problem)
    return 1 if tally.wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
