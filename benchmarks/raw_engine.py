"""The floor for engine_benchmark.py: each medkg command's job done with pyoxigraph alone.

Usage: ``python benchmarks/raw_engine.py COMMAND STORE [ARGS]`` where STORE is an on-disk
pyoxigraph folder or a SPARQL endpoint URL (``http://…/query``; the data in medkg's named
graph). The same queries a careful hand-written script would send, printed plainly; no
medkg import.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GRAPH = "https://w3id.org/medkg/graph/leg-cramps"
PREFIXES = """PREFIX kg: <https://w3id.org/medkg/entity/>
PREFIX medkg: <https://w3id.org/medkg/schema/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
Query = Callable[[str], list[list[str]]]


def _local(path: str) -> tuple[Query, Any]:
    import pyoxigraph as ox

    store = ox.Store.read_only(path)

    def run(sparql: str) -> list[list[str]]:
        return [[getattr(t, "value", "") for t in row] for row in store.query(PREFIXES + sparql)]

    return run, store


def _remote(url: str) -> tuple[Query, None]:
    def run(sparql: str) -> list[list[str]]:
        body = urllib.parse.urlencode({"query": PREFIXES + sparql, "default-graph-uri": GRAPH})
        request = urllib.request.Request(
            url,
            data=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback
            doc = json.load(answer)
        names = doc["head"]["vars"]
        return [[b.get(n, {}).get("value", "") for n in names] for b in doc["results"]["bindings"]]

    return run, None


def _neighbours(q: Query, nodes: list[str]) -> set[str]:
    values = " ".join(f"<{n}>" for n in nodes)
    rows = q(
        f"SELECT ?n WHERE {{ VALUES ?x {{ {values} }} ?p a owl:ObjectProperty . "
        "{ ?x ?p ?n } UNION { ?n ?p ?x } FILTER(isIRI(?n)) }"
    )
    return {r[0] for r in rows}


def _expand(curie: str) -> str:
    return "https://w3id.org/medkg/entity/" + curie.split(":", 1)[1]


def main() -> None:
    command, where, *args = sys.argv[1:]
    if command == "load":
        import pyoxigraph as ox

        store = ox.Store(where)
        store.clear()
        for path in [ROOT / "ontology" / "medkg.ttl", ROOT / "ontology" / "leg-cramps.ttl", *args]:
            store.bulk_load(
                path=str(path), format=ox.RdfFormat.from_extension(Path(path).suffix[1:])
            )
        store.flush()
        return
    q, store = _remote(where) if where.startswith("http") else _local(where)
    if command == "search":
        word = args[0].split()[0][:4].lower()
        rows = q(
            "SELECT ?e ?n WHERE { ?e rdfs:label|skos:altLabel ?n "
            f'FILTER(CONTAINS(LCASE(STR(?n)), "{word}")) }} LIMIT 200'
        )
        print(len(rows))
    elif command == "show":
        iri = _expand(args[0])
        out = q(f"SELECT ?p ?o ?l WHERE {{ <{iri}> ?p ?o OPTIONAL {{ ?o rdfs:label ?l }} }}")
        inc = q(f"SELECT ?s ?p ?l WHERE {{ ?s ?p <{iri}> OPTIONAL {{ ?s rdfs:label ?l }} }}")
        ev = q(
            f"SELECT ?r ?p ?v WHERE {{ {{ ?r rdf:subject <{iri}> }} "
            f"UNION {{ ?r rdf:object <{iri}> }} ?r ?p ?v }}"
        )
        print(len(out), len(inc), len(ev))
    elif command == "path":
        start, end = _expand(args[0]), _expand(args[1])
        seen_a, seen_b, front_a, front_b = {start}, {end}, [start], [end]
        while not seen_a & seen_b and front_a and front_b:
            if len(front_a) <= len(front_b):
                front_a = sorted(_neighbours(q, front_a) - seen_a)
                seen_a.update(front_a)
            else:
                front_b = sorted(_neighbours(q, front_b) - seen_b)
                seen_b.update(front_b)
        print(len(seen_a | seen_b))
    elif command == "viz":
        iri = _expand(args[0])
        nodes = sorted(_neighbours(q, [iri]) | {iri})
        values = " ".join(f"<{n}>" for n in nodes)
        labels = q(f"SELECT ?n ?l ?t WHERE {{ VALUES ?n {{ {values} }} ?n rdfs:label ?l ; a ?t }}")
        edges = q(
            f"SELECT ?s ?p ?o ?r WHERE {{ VALUES ?s {{ {values} }} VALUES ?o {{ {values} }} "
            "?s ?p ?o . OPTIONAL { ?r rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } }"
        )
        print(len(labels), len(edges))
    elif command == "export":
        import pyoxigraph as ox

        if store is not None:
            store.dump(args[0], format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        else:
            body = urllib.parse.urlencode(
                {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "default-graph-uri": GRAPH}
            )
            request = urllib.request.Request(
                where, data=body.encode(), headers={"Accept": "application/n-triples"}
            )
            with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback
                Path(args[0]).write_bytes(answer.read())
    elif command == "info":
        print(q("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        print(q("SELECT ?t (COUNT(?e) AS ?n) WHERE { ?e a ?t } GROUP BY ?t"))


if __name__ == "__main__":
    main()
