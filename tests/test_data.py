"""The curated content itself: ontology/medkg.ttl and ontology/leg-cramps.ttl.

In the spirit of bioregistry's tests/test_data.py: each test collects every problem before it
fails, and each message names the entity and says how to fix the entry in the Turtle file.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from medkg.entities import all_entities, compact
from medkg.graph import KnowledgeGraph
from medkg.namespaces import KG, MEDKG, SCHEMA
from medkg.resources import ontology_dir

SHARED = Path(__file__).resolve().parents[2] / "shared"
ARTICLE = SHARED / "sources" / "leg-cramps-article.txt"
IDENTIFIERS = SHARED / "reference" / "identifiers.tsv"

MAPPING_PROPERTIES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
MAX_QUOTE_LENGTH = 200

#: How an external IRI maps back to a row of identifiers.tsv: (regex, scheme, id template).
#: The id template uses the regex's groups; scheme names are spelled as in the TSV.
ID_SCHEMES: list[tuple[str, str, str]] = [
    (r"http://id\.nlm\.nih\.gov/mesh/([CD]\d+)", "MeSH", r"\1"),
    (r"http://purl\.obolibrary\.org/obo/HP_(\d+)", "HPO", r"HP:\1"),
    (r"http://purl\.obolibrary\.org/obo/(UBERON|MONDO|DOID|MAXO)_(\d+)", r"\1", r"\1:\2"),
    (r"http://purl\.obolibrary\.org/obo/CHEBI_(\d+)", "ChEBI", r"CHEBI:\1"),
    (r"http://www\.ebi\.ac\.uk/efo/EFO_(\d+)", "EFO", r"EFO:\1"),
    (r"http://purl\.org/sig/ont/fma/fma(\d+)", "FMA", r"FMA:\1"),
    (r"http://snomed\.info/id/(\d+)", "SNOMED CT", r"\1"),
    (r"https://uts\.nlm\.nih\.gov/uts/umls/concept/(C\d{7})", "UMLS", r"\1"),
    (r"https://icd\.who\.int/browse10/2019/en#/([A-Z]\d\d(?:\.\d+)?)", "ICD-10 (WHO)", r"\1"),
    (r"https://icd\.codes/icd10cm/([A-Z]\d\d(?:\.\w+)?)", "ICD-10-CM", r"\1"),
    (r"https://go\.drugbank\.com/drugs/(DB\d{5})", "DrugBank", r"\1"),
    (r"http://purl\.bioontology\.org/ontology/RXNORM/(\d+)", "RxNorm", r"\1"),
    (r"http://purl\.bioontology\.org/ontology/ATC/(\w+)", "ATC", r"\1"),
    (r"https://doi\.org/(10\..+)", "DOI", r"\1"),
    (r"https://pubmed\.ncbi\.nlm\.nih\.gov/(\d+)", "PMID", r"\1"),
]

#: The 16 etiologies the article lists under "Etiologies of Leg Cramps", in its order.
LISTED_ETIOLOGIES = {
    "Pregnancy",
    "ElectrolyteImbalance",
    "SaltDepletion",
    "AddisonDisease",
    "SevereExercise",
    "ParkinsonDisease",
    "RenalDialysis",
    "Polyneuropathy",
    "PeripheralVascularDisease",
    "PeripheralNerveInjury",
    "ThyroidProblems",
    "MotorNeuronDisease",
    "RupturedBakersCyst",
    "CertainDrugs",
    "Trauma",
    "DeepVeinThrombosis",
}
HOME_REMEDIES = {
    "WarmUp",
    "CalfStretch",
    "HeatApplication",
    "Analgesics",
    "FootFlexion",
    "Massage",
    "LegStretching",
}
CLINICAL_TREATMENTS = {"MuscleRelaxants", "RehydrationTherapy", "Physiotherapy"}
MUSCLES = {"Gastrocnemius", "Quadriceps", "Hamstrings", "FootMuscles"}
BRAND_NAMES = {"Baclofen": "Lioresal", "Carisoprodol": "Soma", "Metaxalone": "Skelaxin"}


def fail_with(problems: list[str], how_to_fix: str) -> None:
    """Fail listing every problem, then the fix, so one run shows the curator everything."""
    if problems:
        pytest.fail(f"{len(problems)} problem(s):\n  " + "\n  ".join(problems) + f"\n{how_to_fix}")


def local_names(nodes: Iterable[Node]) -> set[str]:
    return {str(n).removeprefix(str(KG)) for n in nodes}


def curie(node: object) -> str:
    return compact(str(node))


def entity_mappings(graph: Graph) -> Iterator[tuple[URIRef, URIRef, object]]:
    """Yield (entity, mapping property, value) for every external ID of every entity."""
    for entity in all_entities(graph):
        for prop in MAPPING_PROPERTIES:
            for value in graph.objects(entity, prop):
                yield entity, prop, value


# ---------------------------------------------------------------- labels


def test_every_entity_has_exactly_one_label(kg: KnowledgeGraph) -> None:
    problems = []
    for entity in all_entities(kg.graph):
        labels = sorted(str(x) for x in kg.graph.objects(entity, RDFS.label))
        if len(labels) != 1:
            problems.append(f"{curie(entity)} has {len(labels)} rdfs:label values {labels}")
    fail_with(
        problems,
        "Give each entity exactly one rdfs:label (its preferred name); put other names in "
        "skos:altLabel.",
    )


def test_labels_are_unique_across_entities(kg: KnowledgeGraph) -> None:
    by_label: dict[str, list[str]] = defaultdict(list)
    for entity in all_entities(kg.graph):
        for label in kg.graph.objects(entity, RDFS.label):
            by_label[str(label).casefold()].append(curie(entity))
    problems = [
        f"label {label!r} is shared by {', '.join(sorted(owners))}"
        for label, owners in sorted(by_label.items())
        if len(owners) > 1
    ]
    fail_with(
        problems,
        "Labels identify entities for people and for `medkg show`: make each one distinct "
        "(ignoring case), or merge the entities if they are the same thing.",
    )


# ---------------------------------------------------------------- evidence quotes


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.is_file():
        pytest.skip(f"the source article is not available at {ARTICLE}")
    return ARTICLE.read_text(encoding="utf-8")


def test_every_quote_is_verbatim_from_the_article(kg: KnowledgeGraph, article: str) -> None:
    problems = []
    for record, quote in sorted(kg.graph.subject_objects(MEDKG.quote)):
        if str(quote) not in article:
            problems.append(f"{curie(record)}: {str(quote)!r} does not occur in the article")
    fail_with(
        problems,
        f"Copy each medkg:quote character for character from {ARTICLE.name} (same apostrophes "
        "’ or ', same spacing and capitals); do not paraphrase.",
    )


def test_quotes_are_short(kg: KnowledgeGraph) -> None:
    problems = [
        f"{curie(record)}: quote has {len(str(quote))} characters"
        for record, quote in sorted(kg.graph.subject_objects(MEDKG.quote))
        if len(str(quote)) > MAX_QUOTE_LENGTH
    ]
    fail_with(
        problems,
        f"Quote at most {MAX_QUOTE_LENGTH} characters: the shortest passage that supports the "
        "statement.",
    )


# ---------------------------------------------------------------- external identifiers


def scheme_and_id(iri: str) -> tuple[str, str] | None:
    """Map an external IRI back to (scheme, id) as identifiers.tsv spells them."""
    for pattern, scheme, template in ID_SCHEMES:
        match = re.fullmatch(pattern, iri)
        if match:
            return match.expand(scheme), match.expand(template)
    return None


@pytest.fixture(scope="module")
def verified_ids() -> set[tuple[str, str]]:
    if not IDENTIFIERS.is_file():
        pytest.skip(f"the identifier reference table is not available at {IDENTIFIERS}")
    with IDENTIFIERS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {(row["scheme"], row["id"]) for row in rows if row["status"] == "VERIFIED"}


def test_every_external_id_is_verified(
    kg: KnowledgeGraph, verified_ids: set[tuple[str, str]]
) -> None:
    problems = []
    for entity, prop, value in entity_mappings(kg.graph):
        key = scheme_and_id(str(value))
        if key is None:
            problems.append(f"{curie(entity)} {curie(prop)} <{value}>: no known scheme")
        elif key not in verified_ids:
            problems.append(
                f"{curie(entity)} {curie(prop)} <{value}>: {key[0]} {key[1]} has no VERIFIED "
                "row in identifiers.tsv"
            )
    fail_with(
        problems,
        "Use only identifiers with a VERIFIED row in ../shared/reference/identifiers.tsv; an "
        "unverified ID is left out, not guessed.",
    )


def test_familial_muscle_cramps_is_never_used(kg: KnowledgeGraph) -> None:
    familial = "http://purl.obolibrary.org/obo/MONDO_0008022"
    uses = [
        f"{curie(s)} {curie(p)}"
        for s, p, o in kg.graph
        if familial in (str(s), str(o)) or "MONDO:0008022" in str(o)
    ]
    fail_with(
        uses,
        "MONDO:0008022 is 'muscle cramps, familial', a distinct inherited disease: do not map "
        "ordinary leg cramps to it.",
    )


# ---------------------------------------------------------------- the article's content


def test_sixteen_listed_etiologies(kg: KnowledgeGraph) -> None:
    rows = kg.query(
        """
        SELECT DISTINCT ?subject WHERE {
            ?e a medkg:Evidence ; medkg:claimType medkg:ListedEtiologyClaim ;
               rdf:subject ?subject ; rdf:predicate medkg:mayTrigger ; rdf:object kg:LegCramp .
            # The evidence and the direct triple both, with the role asserted.
            ?subject medkg:mayTrigger kg:LegCramp ; a medkg:RiskFactor .
            FILTER NOT EXISTS { ?subject medkg:memberOf kg:CertainDrugs }
        }
        """
    )
    found = local_names({s for s in rows.column("subject") if isinstance(s, URIRef)})
    assert found == LISTED_ETIOLOGIES, (
        f"missing: {sorted(LISTED_ETIOLOGIES - found)}, "
        f"unexpected: {sorted(found - LISTED_ETIOLOGIES)}. "
        "Each of the article's 16 listed etiologies needs a medkg:mayTrigger kg:LegCramp relation "
        "with an evidence record of claim type medkg:ListedEtiologyClaim."
    )
    drug_classes = local_names(set(kg.graph.subjects(MEDKG.memberOf, KG.CertainDrugs)))
    assert drug_classes == {"BetaAgonists", "PotassiumSparingDiuretics"}, (
        "The article's 'Certain drugs' item names beta-agonists and potassium-sparing "
        f"diuretics; found members {sorted(drug_classes)}."
    )


def test_four_muscles_are_affected(kg: KnowledgeGraph) -> None:
    affected = set(kg.graph.objects(KG.LegCramp, MEDKG.affects))
    assert local_names(affected) == MUSCLES, "kg:LegCramp medkg:affects the four muscles named"
    untyped = [curie(m) for m in affected if (m, RDF.type, MEDKG.Muscle) not in kg.graph]
    assert not untyped, f"type these as medkg:Muscle: {untyped}"


@pytest.mark.parametrize(("drug", "brand"), sorted(BRAND_NAMES.items()))
def test_brand_names(kg: KnowledgeGraph, drug: str, brand: str) -> None:
    iri = KG[drug]
    assert list(kg.graph.objects(iri, MEDKG.brandName)) == [Literal(brand)], (
        f"kg:{drug} should have exactly medkg:brandName {brand!r}"
    )
    assert Literal(brand) in set(kg.graph.objects(iri, SKOS.altLabel)), (
        f"add skos:altLabel {brand!r} to kg:{drug}, so a search by brand finds it"
    )
    assert (iri, MEDKG.memberOf, KG.MuscleRelaxants) in kg.graph


def test_seven_home_remedies(kg: KnowledgeGraph) -> None:
    found = local_names(set(kg.graph.subjects(RDF.type, MEDKG.HomeRemedy)))
    assert found == HOME_REMEDIES, (
        f"missing: {sorted(HOME_REMEDIES - found)}, unexpected: {sorted(found - HOME_REMEDIES)}"
    )


def test_three_clinical_treatments(kg: KnowledgeGraph) -> None:
    found = local_names(set(kg.graph.subjects(RDF.type, MEDKG.ClinicalTreatment)))
    assert found == CLINICAL_TREATMENTS
    untreated = [
        t for t in CLINICAL_TREATMENTS if (KG[t], MEDKG.treats, KG.LegCramp) not in kg.graph
    ]
    assert not untreated, f"add medkg:treats kg:LegCramp to: {untreated}"


def test_calf_stretch_is_held_15_to_30_seconds(kg: KnowledgeGraph) -> None:
    hold = kg.graph.value(KG.CalfStretch, MEDKG.holdDuration)
    assert hold is not None, "kg:CalfStretch needs a medkg:holdDuration quantity"
    assert kg.graph.value(hold, SCHEMA.minValue) == Literal(15)
    assert kg.graph.value(hold, SCHEMA.maxValue) == Literal(30)
    assert str(kg.graph.value(hold, SCHEMA.unitCode)) == "SEC", "UN/CEFACT code for seconds"


# ---------------------------------------------------------------- sources


def test_sources_carry_their_reference_numbers(kg: KnowledgeGraph) -> None:
    numbers = {
        int(str(number)): local_names({source}).pop()
        for source, number in kg.graph.subject_objects(MEDKG.referenceNumber)
    }
    assert numbers == {
        1: "Healthline2019",
        2: "Young2015",
        3: "Behringer2014",
        4: "MedlinePlusMuscleCramps",
    }, "the article's references 1-4, in its order, carry medkg:referenceNumber 1..4"


def test_behringer_has_doi_and_pmid(kg: KnowledgeGraph) -> None:
    matches = set(kg.graph.objects(KG.Behringer2014, SKOS.exactMatch))
    assert URIRef("https://doi.org/10.1371/journal.pone.0094910") in matches
    assert URIRef("https://pubmed.ncbi.nlm.nih.gov/24727897") in matches
    identifiers = {str(i) for i in kg.graph.objects(KG.Behringer2014, DCTERMS.identifier)}
    assert {"doi:10.1371/journal.pone.0094910", "pmid:24727897"} <= identifiers


# ---------------------------------------------------------------- ontology headers


@pytest.mark.parametrize("name", ["medkg.ttl", "leg-cramps.ttl"])
def test_ontology_header(name: str) -> None:
    graph = Graph().parse(ontology_dir() / name, format="turtle")
    headers = list(graph.subjects(RDF.type, OWL.Ontology))
    assert len(headers) == 1, f"{name} should declare exactly one owl:Ontology"
    header = headers[0]
    license_ = graph.value(header, DCTERMS.license)
    assert isinstance(license_, URIRef), f"{name}: dcterms:license must be an IRI, not a string"
    for prop in (OWL.versionInfo, DCTERMS.title, MEDKG.disclaimer):
        assert graph.value(header, prop) is not None, f"{name}: the header needs {curie(prop)}"


# ---------------------------------------------------------------- schema vs. namespace class


def test_namespace_class_matches_the_schema() -> None:
    schema = Graph().parse(ontology_dir() / "medkg.ttl", format="turtle")
    base = str(MEDKG._NS)
    labelled = {
        str(term).removeprefix(base)
        for term in schema.subjects(RDFS.label, None)
        if isinstance(term, URIRef) and str(term).startswith(base)
    }
    in_class = set(MEDKG.__annotations__)
    assert not in_class - labelled, (
        f"MEDKG in src/medkg/namespaces.py names terms medkg.ttl does not declare (with an "
        f"rdfs:label): {sorted(in_class - labelled)}"
    )
    assert not labelled - in_class, (
        f"medkg.ttl declares terms missing from MEDKG in src/medkg/namespaces.py: "
        f"{sorted(labelled - in_class)}; add them there so code can use them"
    )
