"""Synthetic graphs in medkg's own schema, for the store benchmarks.

Usage: ``python benchmarks/synthetic.py TRIPLES OUTPUT.nt [--seed 1]``

The graph is the bundled leg-cramp graph plus synthetic entities around it, until it holds
TRIPLES triples; the file holds the synthetic part (N-Triples), which medkg merges into the
bundled graph as it does any ``--data`` file. The synthetic part uses the same classes,
properties, evidence records and label patterns as the bundled graph:

- conditions (some also diseases), each with muscles it affects and symptoms it has;
- risk factors (diseases, physiological states or drug classes) that ``mayTrigger`` a
  condition; drugs that are ``memberOf`` a drug class, with brand names;
- home remedies that ``prevent`` or ``relieve``, clinical treatments that ``treat``;
- one ``medkg:Evidence`` record per relation (subject, predicate, object, claim type, quote,
  quoted-from, supported-by), as the bundled graph has;
- labels, synonyms (``skos:altLabel``), definitions and ``skos:exactMatch`` IDs.

Which condition a relation points at follows a power law (Zipf, s = 1.1): a few conditions
are hubs and most have a handful of relations. ``kg:LegCramp`` is the biggest hub, so the
bundled competency questions, which are about leg cramps, find synthetic entities too, and
their answers grow with the graph.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
from collections.abc import Iterator
from pathlib import Path

import medkg

KG = "https://w3id.org/medkg/entity/"
EV = "https://w3id.org/medkg/evidence/"
MEDKG = "https://w3id.org/medkg/schema/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
MESH = "http://id.nlm.nih.gov/mesh/"

SOURCES = ["Young2015", "Behringer2014", "Healthline2019", "MedlinePlusMuscleCramps"]
# Words for labels; tuples of words read better than long string literals split at runtime.
WORDS = ("acute", "chronic", "nocturnal", "idiopathic", "familial", "transient", "recurrent",
         "benign", "severe", "mild", "spinal", "cardiac", "renal", "hepatic", "thyroid",
         "neural", "muscular", "vascular", "metabolic", "autoimmune")  # fmt: skip
NOUNS = ("myopathy", "neuropathy", "syndrome", "deficiency", "disorder", "spasm", "fatigue",
         "imbalance", "atrophy", "inflammation", "dystonia", "weakness", "tremor", "stiffness",
         "pain")  # fmt: skip

# kind -> (types, relation from it, claim type, the kind it points at)
KINDS: dict[str, tuple[list[str], str, str, str]] = {
    "Factor": (["RiskFactor", "Disease"], "mayTrigger", "ListedEtiologyClaim", "Condition"),
    "State": (["RiskFactor", "PhysiologicalState"], "mayTrigger", "StatedCauseClaim", "Condition"),
    "DrugClass": (["RiskFactor", "DrugClass"], "mayTrigger", "ListedEtiologyClaim", "Condition"),
    "Drug": (["Drug"], "memberOf", "MembershipClaim", "DrugClass"),
    "Muscle": (["Muscle"], "affectedBy", "LocationClaim", "Condition"),
    "Symptom": (["Symptom"], "symptomOf", "SymptomClaim", "Condition"),
    "Remedy": (["HomeRemedy"], "prevents", "PreventionClaim", "Condition"),
    "Relief": (["HomeRemedy"], "relieves", "ReliefClaim", "Condition"),
    "Treatment": (["ClinicalTreatment"], "treats", "TreatmentOptionClaim", "Condition"),
}
# The bundled graph states the direction the other way round for these two.
FORWARD = {"affectedBy": "affects", "symptomOf": "hasSymptom"}
# How many entities of each kind per new condition.
MIX = {
    "Factor": 3, "State": 1, "DrugClass": 1, "Drug": 2, "Muscle": 1, "Symptom": 2,
    "Remedy": 1, "Relief": 1, "Treatment": 1,
}  # fmt: skip


def _iri(base: str, local: str) -> str:
    return f"<{base}{local}>"


def _lit(text: str, lang: str | None = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


class Zipf:
    """Draw ranks 0..n-1 with probability proportional to 1 / (rank + 1) ** s; n may grow."""

    def __init__(self, rng: random.Random, s: float = 1.1) -> None:
        self.rng, self.s, self.cumulative = rng, s, [0.0]

    def grow(self) -> None:
        n = len(self.cumulative)
        self.cumulative.append(self.cumulative[-1] + 1 / n**self.s)

    def draw(self) -> int:
        x = self.rng.random() * self.cumulative[-1]
        return max(0, bisect.bisect_left(self.cumulative, x) - 1)


def synthetic_triples(rng: random.Random) -> Iterator[list[str]]:
    """Yield N-Triples lines without end, one entity (with its relation) at a time."""
    conditions = [_iri(KG, "LegCramp")]
    drug_classes = [_iri(KG, "MuscleRelaxants")]
    pick_condition, pick_class = Zipf(rng), Zipf(rng)
    pick_condition.grow()
    pick_class.grow()
    for n in itertools.count(1):
        name = f"{rng.choice(WORDS)} {rng.choice(NOUNS)} {n}"
        condition = _iri(KG, f"SynCondition{n}")
        types = ["Condition", "Disease"] if n % 3 == 0 else ["Condition"]
        yield list(_entity(condition, types, name, n, rng))
        conditions.append(condition)
        pick_condition.grow()
        for kind, count in MIX.items():
            for k in range(count):
                yield list(_related(kind, n, k, rng, conditions, drug_classes, pick_condition,
                                    pick_class))  # fmt: skip
                if kind == "DrugClass":
                    drug_classes.append(_iri(KG, f"SynDrugClass{n}x{k}"))
                    pick_class.grow()


def _entity(iri: str, types: list[str], label: str, n: int, rng: random.Random) -> Iterator[str]:
    yield f"{iri} <{RDF}type> <{OWL}NamedIndividual> ."
    for t in types:
        yield f"{iri} <{RDF}type> <{MEDKG}{t}> ."
    yield f"{iri} <{RDFS}label> {_lit(label)} ."
    yield f"{iri} <{SKOS}altLabel> {_lit(label.replace(' ', '-') + ' variant')} ."
    if rng.random() < 0.5:
        definition = _lit(f"A synthetic entity, number {n}, for benchmarks.")
        yield f"{iri} <{SKOS}definition> {definition} ."
    if rng.random() < 0.5:
        yield f"{iri} <{SKOS}exactMatch> <{MESH}D9{n:06d}> ."


def _related(
    kind: str,
    n: int,
    k: int,
    rng: random.Random,
    conditions: list[str],
    drug_classes: list[str],
    pick_condition: Zipf,
    pick_class: Zipf,
) -> Iterator[str]:
    types, prop, claim, target_kind = KINDS[kind]
    iri = _iri(KG, f"Syn{kind}{n}x{k}")
    label = f"{rng.choice(WORDS)} {kind.lower()} {n}-{k}"
    yield from _entity(iri, types, label, n, rng)
    if kind == "Drug":
        yield f"{iri} <{MEDKG}brandName> {_lit(f'Synbrand{n}x{k}', None)} ."
        yield f"{iri} <{SKOS}altLabel> {_lit(f'Synbrand{n}x{k}', None)} ."
        target = drug_classes[pick_class.draw()]
    else:
        target = conditions[pick_condition.draw()]
    subject, predicate, obj = iri, prop, target
    if prop in FORWARD:  # the condition is the subject: "leg cramp affects the muscle"
        subject, predicate, obj = target, FORWARD[prop], iri
    yield f"{subject} <{MEDKG}{predicate}> {obj} ."
    record = _iri(EV, f"Syn{kind}{n}x{k}-{predicate}")
    yield f"{record} <{RDF}type> <{MEDKG}Evidence> ."
    yield f"{record} <{RDF}subject> {subject} ."
    yield f"{record} <{RDF}predicate> <{MEDKG}{predicate}> ."
    yield f"{record} <{RDF}object> {obj} ."
    yield f"{record} <{MEDKG}claimType> <{MEDKG}{claim}> ."
    yield f"{record} <{MEDKG}quote> {_lit(f'Synthetic statement {n}-{k} about {label}.')} ."
    yield f"{record} <{MEDKG}quotedFrom> <{KG}LegCrampArticle> ."
    yield f"{record} <{MEDKG}supportedBy> <{KG}{rng.choice(SOURCES)}> ."


def write_synthetic(triples: int, output: Path, *, seed: int = 1) -> int:
    """Write synthetic entities as N-Triples: with the bundled graph, about *triples* triples.

    ``medkg.load([output])`` (or ``medkg --data output.nt``) merges the file into the
    bundled graph, so the file holds only the synthetic part.

    :returns: the number of triples of bundled graph and file together.
    """
    rng = random.Random(seed)
    written = len(medkg.load())
    with output.open("w", encoding="utf-8") as handle:
        for block in synthetic_triples(rng):
            if written >= triples:
                break
            handle.write("\n".join(block) + "\n")
            written += len(block)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("triples", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count = write_synthetic(args.triples, args.output, seed=args.seed)
    print(f"wrote {args.output}: {count} triples with the bundled graph")


if __name__ == "__main__":
    main()
