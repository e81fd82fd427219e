"""Run kgx's CLI, or a bmt check, offline: the Biolink files come from tests/data/biolink.

Run with the kgx tools venv's Python (``.tools/kgx/bin/python``), never imported by pytest:

    python tests/kgx_offline.py kgx validate -i tsv nodes.tsv edges.tsv
    python tests/kgx_offline.py bmt-edges edges.tsv     # domain/range of every edge, as JSON
    python tests/kgx_offline.py bmt-terms terms.json    # each Biolink term exists in its role

kgx 2.7 and bmt 1.4 download the Biolink model, its predicate map and three JSON-LD
contexts when they start (bmt's ``Toolkit()`` defaults are GitHub URLs, kgx's
``config.yml`` names the contexts by URL), and the predicate map is read with
``requests.get``, which cannot read a file. So before kgx is imported this script
(1) makes bmt's defaults the vendored files, (2) serves the one remaining URL from the
vendored copy and (3) refuses every socket to a host other than loopback, so an attempt to
reach the internet fails loudly instead of hanging or silently passing.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

BIOLINK = Path(__file__).resolve().parent / "data" / "biolink"
MODEL = BIOLINK / "biolink-model.yaml"
PREDICATE_MAP = BIOLINK / "predicate_mapping.yaml"
CONTEXTS = {
    "biolink": BIOLINK / "context-2.2.5.jsonld",
    "monarch_context": BIOLINK / "monarch_context.jsonld",
    "obo_context": BIOLINK / "obo_context.jsonld",
}
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _refuse_remote_sockets() -> None:
    original = socket.create_connection

    def guarded(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if address[0] not in _LOOPBACK:
            raise OSError(f"kgx_offline: refused a connection to {address[0]} (tests stay offline)")
        return original(address, *args, **kwargs)

    socket.create_connection = guarded  # type: ignore[assignment]


def _offline_biolink() -> None:
    for name, path in (("model", MODEL), ("predicate map", PREDICATE_MAP), *CONTEXTS.items()):
        if not path.is_file():
            sys.exit(f"kgx_offline: the vendored Biolink {name} {path} is missing")
    import bmt.toolkit
    import requests

    get = requests.get

    class _FileResponse:
        def __init__(self, text: str) -> None:
            self.text = text

        def json(self) -> Any:
            return json.loads(self.text)

    def local_get(url: Any, *args: Any, **kwargs: Any) -> Any:
        if str(url) == str(PREDICATE_MAP):
            return _FileResponse(PREDICATE_MAP.read_text(encoding="utf-8"))
        return get(url, *args, **kwargs)

    requests.get = local_get  # bmt reads the predicate map with requests.get
    bmt.toolkit.Toolkit.__init__.__defaults__ = (str(MODEL), str(PREDICATE_MAP))
    import kgx.config

    config = kgx.config.get_config()
    config["jsonld-context"] = {name: str(path) for name, path in CONTEXTS.items()}
    declared = os.environ.get("MEDKG_KGX_PREFIXES")
    if declared:
        # The prefixes an export declares (its prefixes.jsonld) join Biolink's context, the
        # one place kgx looks up CURIE prefixes for validation and IRI expansion.
        context = kgx.config.get_jsonld_context("biolink")
        context.update(json.loads(Path(declared).read_text(encoding="utf-8"))["@context"])


def _bmt_edges(edges_tsv: str, nodes_tsv: str) -> None:
    """Print, as JSON, each edge whose predicate is not a Biolink predicate or breaks its range."""
    from bmt import Toolkit

    toolkit = Toolkit()
    with open(nodes_tsv, encoding="utf-8", newline="") as stream:
        categories = {
            row["id"]: row["category"].split("|") for row in csv.DictReader(stream, delimiter="\t")
        }
    problems = []
    with open(edges_tsv, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream, delimiter="\t"):
            predicate = row["predicate"]
            element = toolkit.get_element(predicate)
            if element is None or not toolkit.is_predicate(predicate):
                problems.append({"edge": row["id"], "problem": f"{predicate} is not a predicate"})
                continue
            for end, slot in (("subject", element.domain), ("object", element.range)):
                if slot is None:
                    continue
                allowed = set(toolkit.get_descendants(slot, formatted=True, reflexive=True))
                if not allowed & set(categories[row[end]]):
                    problems.append(
                        {
                            "edge": row["id"],
                            "problem": f"{end} {row[end]} {categories[row[end]]} "
                            f"is not in {predicate}'s {'domain' if end == 'subject' else 'range'} "
                            f"{slot}",
                        }
                    )
    report = {"version": toolkit.get_model_version(), "problems": problems}
    sys.stdout.write(json.dumps(report) + "\n")


def _term_problem(toolkit: Any, use: dict[str, str]) -> str | None:
    """Say what is wrong with one use of a Biolink term, or None.

    bmt's ``get_element`` also answers for aliases and near spellings (``duration`` finds
    ``timepoint``), so a term only exists if the element found has exactly that CURIE.
    """
    from bmt.utils import format_element
    from linkml_runtime.linkml_model.meta import ClassDefinition, SlotDefinition

    role, name = use["role"], use["term"]
    curie = name if name.startswith("biolink:") else f"biolink:{name}"
    if role == "enum value":
        enum = toolkit.get_element(use["slot"]).range
        if not toolkit.is_permissible_value_of_enum(enum, name):
            return f"{name!r} is not a permissible value of {enum} (the range of {use['slot']})"
        return None
    element = toolkit.get_element(curie)
    if element is None or format_element(element) != curie:
        found = f" (bmt finds {format_element(element)})" if element is not None else ""
        return f"{curie} is not an element of the Biolink Model{found}"
    if getattr(element, "deprecated", None):
        return f"{curie} is deprecated"
    expected = {
        "class": ClassDefinition,
        "category": ClassDefinition,
        "association": ClassDefinition,
        "slot": SlotDefinition,
        "predicate": SlotDefinition,
    }.get(role)
    if expected is not None and not isinstance(element, expected):
        return f"{curie} is not a {role}"
    if role == "category" and not toolkit.is_category(curie):
        return f"{curie} is a class but not a category (a kind of biolink:NamedThing)"
    if role in ("category", "association") and (element.abstract or element.mixin):
        return f"{curie} is {'abstract' if element.abstract else 'a mixin'}: no node or edge is one"
    if role == "association" and not toolkit.is_association(curie):
        return f"{curie} is not an association (an edge category)"
    if role == "predicate" and not toolkit.is_predicate(curie):
        return f"{curie} is a slot but not a predicate"
    return None


def _bmt_terms(terms_json: str) -> None:
    """Print, as JSON, each use of a Biolink term (see :func:`_term_problem`) that is wrong."""
    from bmt import Toolkit

    toolkit = Toolkit()
    uses = json.loads(Path(terms_json).read_text(encoding="utf-8"))
    problems = [
        {**use, "problem": problem} for use in uses if (problem := _term_problem(toolkit, use))
    ]
    report = {"version": toolkit.get_model_version(), "checked": len(uses), "problems": problems}
    sys.stdout.write(json.dumps(report) + "\n")


def main(argv: list[str]) -> None:
    _refuse_remote_sockets()
    _offline_biolink()
    if argv[:1] == ["kgx"]:
        from kgx.cli import cli

        sys.argv = argv
        cli()
    elif argv[:1] == ["bmt-edges"]:
        _bmt_edges(argv[1], argv[2])
    elif argv[:1] == ["bmt-terms"]:
        _bmt_terms(argv[1])
    else:
        sys.exit(
            "usage: kgx_offline.py kgx ARGS… | bmt-edges EDGES.tsv NODES.tsv | bmt-terms TERMS.json"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
