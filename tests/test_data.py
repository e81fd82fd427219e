"""The curated content itself: ontology/medkg.ttl and ontology/leg-cramps.ttl.

In the spirit of bioregistry's tests/test_data.py: each test collects every problem before it
fails, and each message names the entity and says how to fix the entry in the Turtle file.
"""

from __future__ import annotations

import csv
import hashlib
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
from medkg.namespaces import BIOLINK, KG, MEDKG, SCHEMA
from medkg.resources import ontology_dir

#: Vendored copies (see tests/data/README.md for where they came from and their checksums).
SOURCES = Path(__file__).resolve().parent / "data" / "sources"
ARTICLE = SOURCES / "leg-cramps-article.txt"
IDENTIFIERS = SOURCES / "identifiers.tsv"
CHECKSUMS = {
    ARTICLE: "ef1ff32eb76710dae3a6ca5c214ff444b67b9d5e4147118d868de67bccc0939f",
    IDENTIFIERS: "d3cf5c5a55b9851bc23700e311d0b2aebac8c72d6faa1654a75921d46e7b1d13",
}

MAPPING_PROPERTIES = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)
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
    (r"http://purl\.bioontology\.org/ontology/ICD10CM/([A-Z]\d\d(?:\.\w+)?)", "ICD-10-CM", r"\1"),
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


@pytest.mark.parametrize("path", sorted(CHECKSUMS), ids=lambda p: p.name)
def test_vendored_sources_are_the_recorded_copies(path: Path) -> None:
    assert path.is_file(), f"{path} is missing: copy it as tests/data/README.md says"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == CHECKSUMS[path], (
        f"{path.name} changed (sha256 {digest}): re-check the offsets and IDs, then update the "
        "checksum here and in tests/data/README.md"
    )


@pytest.fixture(scope="module")
def article() -> str:
    # Vendored, so a missing file is an error in every run (never a skip).
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
        "Use only identifiers with a VERIFIED row in tests/data/sources/identifiers.tsv; an "
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


# ---------------------------------------------------------------- the evidence model
# Each record keeps apart what the article states (quote, section, offsets), what it cites there
# (citesReference) and support checked in a reference (supportedBy, none today).

#: The article's headings, verbatim (trailing spaces of the source line dropped).
HEADINGS = [
    "What is frequent leg cramp? What are its clinical treatments and home remedies?",
    "What is a leg cramp?",
    "Etiologies of Leg Cramps",
    "Symptoms of Leg Cramps",
    "Clinical Treatments of Leg Cramps",
    "Home Remedies for Leg Cramps Prevention",
    "Take Away Message",
]
#: The article's reference numbers and the sources they name.
REFERENCES = {
    1: KG.Healthline2019,
    2: KG.Young2015,
    3: KG.Behringer2014,
    4: KG.MedlinePlusMuscleCramps,
}
ECO_TRACEABLE = URIRef("http://purl.obolibrary.org/obo/ECO_0000304")
ECO_UNTRACEABLE = URIRef("http://purl.obolibrary.org/obo/ECO_0000303")


def quoted_records(kg: KnowledgeGraph) -> list[tuple[str, str, str, int, int, set[URIRef]]]:
    """(record, quote, section, start, end, cited references) of every quoted record."""
    rows = kg.query(
        """
        SELECT ?record ?quote ?section ?start ?end
               (GROUP_CONCAT(STR(?cited); separator=" ") AS ?cites) WHERE {
            ?record a/rdfs:subClassOf* medkg:QuotedRecord ; medkg:quote ?quote .
            OPTIONAL { ?record medkg:section ?section }
            OPTIONAL { ?record medkg:quoteStart ?start }
            OPTIONAL { ?record medkg:quoteEnd ?end }
            OPTIONAL { ?record medkg:citesReference ?cited }
        }
        GROUP BY ?record ?quote ?section ?start ?end ORDER BY ?record
        """
    )
    return [
        (
            curie(record),
            str(quote),
            str(section) if section is not None else "",
            int(str(start)) if start is not None else -1,
            int(str(end)) if end is not None else -1,
            {URIRef(iri) for iri in str(cites or "").split()},
        )
        for record, quote, section, start, end, cites in rows.rows
    ]


def heading_offsets(article: str) -> list[tuple[int, str]]:
    """Where each heading line starts in the article."""
    offsets, position = [], 0
    for line in article.splitlines(keepends=True):
        if line.strip() in HEADINGS:
            offsets.append((position, line.strip()))
        position += len(line)
    return offsets


def block_around(article: str, offset: int) -> str:
    """The paragraph or list (a run of non-blank lines) that contains *offset*."""
    begin = article.rfind("\n\n", 0, offset)
    end = article.find("\n\n", offset)
    return article[0 if begin < 0 else begin + 2 : len(article) if end < 0 else end]


def test_every_heading_is_a_line_of_the_article(article: str) -> None:
    assert [h for _, h in heading_offsets(article)] == HEADINGS


def test_offsets_give_exactly_the_quote(kg: KnowledgeGraph, article: str) -> None:
    records = quoted_records(kg)
    assert len(records) > 60, "every evidence and caveat record has a quote"
    problems = [
        f"{record}: text[{start}:{end}] is {article[start:end]!r}, not {quote!r}"
        for record, quote, _, start, end, _ in records
        if start < 0 or article[start:end] != quote
    ]
    fail_with(
        problems,
        "Set medkg:quoteStart to the 0-based character offset of the quote in "
        f"{ARTICLE.name} and medkg:quoteEnd to start + len(quote).",
    )


def test_section_is_the_heading_above_the_quote(kg: KnowledgeGraph, article: str) -> None:
    headings = heading_offsets(article)
    problems = []
    for record, _, section, start, _, _ in quoted_records(kg):
        above = [heading for position, heading in headings if position <= start]
        if not above or section != above[-1]:
            problems.append(f"{record}: section {section!r}, heading above: {above[-1:]}")
    fail_with(problems, "medkg:section is the heading the quote sits under, verbatim.")


def test_cited_reference_is_the_article_marker_at_that_point(
    kg: KnowledgeGraph, article: str
) -> None:
    """The article prints a reference number at the end of a paragraph or list ("paralyzed.1",
    "Deep Vein Thrombosis 2"); a record cites that reference exactly when its quote sits in it."""
    problems = []
    for record, _, _, start, _, cited in quoted_records(kg):
        marker = re.search(r"[a-z.] ?([1-4])$", block_around(article, start).rstrip())
        expected = {REFERENCES[int(marker.group(1))]} if marker else set()
        if cited != expected:
            problems.append(
                f"{record}: cites {sorted(map(curie, cited))}, the article "
                f"{'cites ' + curie(next(iter(expected))) if expected else 'cites nothing'} there"
            )
    fail_with(
        problems,
        "medkg:citesReference names the reference whose number ends the paragraph or list the "
        "quote is in, and nothing where no number is printed.",
    )


def test_every_marker_of_the_article_is_cited_by_some_record(kg: KnowledgeGraph) -> None:
    rows = kg.query("SELECT DISTINCT ?ref WHERE { ?record medkg:citesReference ?ref }")
    assert set(rows.column("ref")) == set(REFERENCES.values())


def test_no_record_claims_support_that_was_not_checked(kg: KnowledgeGraph) -> None:
    unchecked = kg.query(
        """
        SELECT ?record ?source WHERE {
            ?record medkg:supportedBy ?source .
            FILTER NOT EXISTS { ?record medkg:supportNote ?note }
        }
        """
    )
    assert not unchecked.rows, f"supportedBy without supportNote: {unchecked.rows}"
    # Nobody has read the references for these statements yet: no record may say they support it.
    assert not kg.query("SELECT * WHERE { ?record medkg:supportedBy ?source }").rows


def test_evidence_code_follows_the_citation(kg: KnowledgeGraph) -> None:
    rows = kg.query(
        """
        SELECT ?record ?code ?label ?cites WHERE {
            ?record a/rdfs:subClassOf* medkg:QuotedRecord .
            BIND (EXISTS { ?record medkg:citesReference ?r } AS ?cites)
            OPTIONAL { ?record medkg:evidenceCode ?code . OPTIONAL { ?code rdfs:label ?label } }
        }
        """
    )
    problems = []
    for record, code, label, cites in rows.rows:
        expected = ECO_TRACEABLE if str(cites) == "true" else ECO_UNTRACEABLE
        if code != expected or label is None:
            problems.append(
                f"{curie(record)}: evidence code {code} (label {label}), want {expected}"
            )
    fail_with(problems, "ECO:0000304 where the article cites a reference there, else ECO:0000303.")


@pytest.mark.parametrize(
    ("code", "label"),
    [
        (
            ECO_TRACEABLE,
            "author statement supported by traceable reference used in manual assertion",
        ),
        (ECO_UNTRACEABLE, "author statement without traceable support used in manual assertion"),
    ],
)
def test_eco_codes_carry_their_labels(kg: KnowledgeGraph, code: URIRef, label: str) -> None:
    rows = kg.query(
        "SELECT ?label WHERE { ?code a medkg:EvidenceCode ; rdfs:label ?label }",
        bindings={"code": code},
    )
    assert [str(x) for x in rows.column("label")] == [label]


def test_knowledge_level_and_agent_type_per_record(kg: KnowledgeGraph) -> None:
    rows = kg.query(
        """
        SELECT ?record ?level ?agent WHERE {
            ?record a/rdfs:subClassOf* medkg:QuotedRecord .
            OPTIONAL { ?record medkg:knowledgeLevel ?level }
            OPTIONAL { ?record medkg:agentType ?agent }
        }
        """
    )
    wrong = [
        curie(r)
        for r, level, agent in rows.rows
        if (str(level), str(agent)) != ("knowledge_assertion", "manual_agent")
    ]
    assert not wrong, f"records without Biolink knowledge level / agent type: {wrong}"


#: (qualifier, property, evidence record, the article's words in that record's quote)
HEDGES = [
    ("Typically", "frequency", "LegCramp-occursDuring-Night", "Typically"),
    ("Often", "frequency", "LegCramp-occursDuring-Rest", "often"),
    ("Often", "frequency", "LegCramp-occursDuring-Sleep", "often"),
    ("Usually", "frequency", "LegCramp-affects-Gastrocnemius-Usually", "usually"),
    ("InMostCases", "frequency", "LegCramp-resolvesSpontaneously-true", "In most of the cases"),
    ("InMostCases", "frequency", "Dehydration-mayTrigger-LegCramp", "Most of the muscle cramps"),
    ("CanAlso", "frequency", "LegCramp-occursDuring-Pregnancy", "can also"),
    ("CanAlso", "frequency", "LegCramp-affects-Quadriceps", "can also"),
    ("CanAlso", "frequency", "Analgesics-relieves-ResidualSoreness", "can also"),
    ("May", "certainty", "LegCramp-duration-LegCrampEpisodeDuration", "may"),
    ("Might", "certainty", "RehydrationTherapy-treats-LegCramp", "might"),
    ("Might", "certainty", "Physiotherapy-treats-LegCramp", "might"),
    ("WouldSurely", "certainty", "RehydrationTherapy-treats-LegCramp", "would surely"),
    ("StudiesHaveShown", "certainty", "WarmUp-prevents-LegCramp", "Studies have shown"),
]


@pytest.mark.parametrize(
    ("qualifier", "prop", "record", "words"), HEDGES, ids=[f"{h[0]}-{h[2]}" for h in HEDGES]
)
def test_hedge_is_data(
    kg: KnowledgeGraph, qualifier: str, prop: str, record: str, words: str
) -> None:
    rows = kg.query(
        f"""
        SELECT ?record ?quote ?label WHERE {{
            ?record medkg:{prop} ?qualifier ; medkg:quote ?quote .
            ?qualifier skos:inScheme medkg:Qualifiers ; rdfs:label ?label .
        }}
        """,
        bindings={"qualifier": MEDKG[qualifier]},
    )
    found = {curie(r): str(q) for r, q, _ in rows.rows}
    assert f"ev:{record}" in found, f"ev:{record} should carry medkg:{prop} medkg:{qualifier}"
    assert words in found[f"ev:{record}"], "the qualifier is the article's own word in the quote"


def caveat_targets(kg: KnowledgeGraph, caveat: str) -> set[str]:
    rows = kg.query(
        "SELECT ?record WHERE { ?record medkg:caveat ?caveat . ?caveat a medkg:Caveat }",
        bindings={"caveat": URIRef(f"https://w3id.org/medkg/evidence/{caveat}")},
    )
    return {curie(r) for r in rows.column("record")}


def test_little_is_known_is_attached_to_the_listed_etiologies(kg: KnowledgeGraph) -> None:
    rows = kg.query(
        """
        SELECT DISTINCT ?subject WHERE {
            ?record medkg:caveat ?caveat ; rdf:subject ?subject ;
                    medkg:claimType medkg:ListedEtiologyClaim .
            ?caveat medkg:quote "Very little is known about leg cramps and their etiologies."@en .
            FILTER NOT EXISTS { ?subject medkg:memberOf kg:CertainDrugs }
        }
        """
    )
    assert local_names(rows.column("subject")) == LISTED_ETIOLOGIES


def test_no_medication_specifically_treats_is_set_against_muscle_relaxants(
    kg: KnowledgeGraph,
) -> None:
    rows = kg.query(
        """
        SELECT ?quote ?negated WHERE {
            ?record rdf:subject kg:MuscleRelaxants ; rdf:predicate medkg:treats ;
                    medkg:caveat ?caveat .
            ?caveat medkg:quote ?quote ; medkg:negated ?negated ; medkg:about kg:MuscleRelaxants .
        }
        """
    )
    quotes = {str(q): str(n) for q, n in rows.rows}
    assert (
        quotes.get(
            "no medications are available to specifically treat frequently occurring muscle cramps"
        )
        == "true"
    )


@pytest.mark.parametrize(
    ("caveat", "words", "negated", "records"),
    [
        (
            "Caveat-NoNeedForMedicalTreatment",
            "Usually, there isn’t need for medical treatment",
            True,
            {
                "ev:MuscleRelaxants-treats-LegCramp",
                "ev:RehydrationTherapy-treats-LegCramp",
                "ev:Physiotherapy-treats-LegCramp",
            },
        ),
        (
            "Caveat-DoctorMightChoose",
            "he might choose",
            False,
            {
                "ev:MuscleRelaxants-treats-LegCramp",
                "ev:RehydrationTherapy-treats-LegCramp",
                "ev:Physiotherapy-treats-LegCramp",
            },
        ),
        (
            "Caveat-NoScientificReason",
            "no reasonable scientific reason",
            True,
            {"ev:Dehydration-mayTrigger-LegCramp", "ev:AddisonDisease-mayTrigger-LegCramp"},
        ),
    ],
)
def test_caveat_is_a_record_with_its_own_evidence(
    kg: KnowledgeGraph, caveat: str, words: str, negated: bool, records: set[str]
) -> None:
    rows = kg.query(
        """
        SELECT ?quote ?negated ?code WHERE {
            ?caveat a medkg:Caveat ; medkg:quote ?quote ; medkg:negated ?negated ;
                    medkg:evidenceCode ?code ; medkg:section ?section ; medkg:quoteStart ?start .
        }
        """,
        bindings={"caveat": URIRef(f"https://w3id.org/medkg/evidence/{caveat}")},
    )
    assert len(rows.rows) == 1, f"ev:{caveat} needs a quote, section, offsets and evidence code"
    quote, is_negated, _ = rows.rows[0]
    assert words in str(quote)
    assert str(is_negated) == str(negated).lower()
    assert records <= caveat_targets(kg, caveat)


@pytest.mark.parametrize(
    ("record", "wording"),
    [
        ("FootFlexion-relieves-LegCramp", "help prevent that cramp"),
        ("Massage-relieves-LegCramp", "help prevent that cramp"),
        ("LegStretching-relieves-LegCramp", "help prevent that cramp"),
        ("HeatApplication-relieves-LegCramp", "Home Remedies for Leg Cramps Prevention"),
    ],
)
def test_article_wording_where_the_relation_differs(
    kg: KnowledgeGraph, article: str, record: str, wording: str
) -> None:
    rows = kg.query(
        "SELECT ?wording ?note WHERE { ?record medkg:articleWording ?wording ; "
        "skos:editorialNote ?note }",
        bindings={"record": URIRef(f"https://w3id.org/medkg/evidence/{record}")},
    )
    assert [str(w) for w, _ in rows.rows] == [wording]
    assert wording in article, "the wording is the article's own"
    assert "medkg:relieves" in str(rows.rows[0][1]), "the note says how the curator read it"


# ---------------------------------------------------------------- data defects (issue 10)


def test_quadriceps_is_one_thigh_muscle_not_the_thigh_muscle(kg: KnowledgeGraph) -> None:
    synonyms = {str(s) for s in kg.graph.objects(KG.Quadriceps, SKOS.altLabel)}
    assert "thigh muscle" not in synonyms, "the article names the hamstrings as thigh muscles too"
    definition = str(kg.graph.value(KG.Quadriceps, SKOS.definition))
    assert not definition.startswith("The muscle of the thigh")


def test_every_precedes_edge_is_ordered_by_its_quote(kg: KnowledgeGraph) -> None:
    rows = kg.query(
        """
        SELECT ?s ?o ?quote WHERE {
            ?s medkg:precedes ?o .
            OPTIONAL { ?e rdf:subject ?s ; rdf:predicate medkg:precedes ; rdf:object ?o ;
                          medkg:quote ?quote }
        }
        """
    )
    assert {(curie(s), curie(o)) for s, o, _ in rows.rows} == {
        ("kg:MuscleTightening", "kg:ExcruciatingPain")
    }, "'Moreover, the tightness continues to increase' orders nothing"
    assert all("followed by" in str(q) for _, _, q in rows.rows)


def test_every_source_is_the_article_or_one_it_cites(kg: KnowledgeGraph) -> None:
    rows = kg.query(
        """
        SELECT ?source WHERE {
            ?source a/rdfs:subClassOf* medkg:Source .
            FILTER NOT EXISTS { ?source medkg:referenceNumber ?n }
            FILTER (?source != kg:LegCrampArticle)
        }
        """
    )
    assert not rows.rows, f"sources the article does not cite: {rows.column('source')}"


def test_a_couple_of_seconds_stays_as_the_article_says(kg: KnowledgeGraph, article: str) -> None:
    duration = KG.LegCrampEpisodeDuration
    assert kg.graph.value(duration, SCHEMA.minValue) is None, "the article gives no number"
    wording = str(kg.graph.value(duration, MEDKG.lowerBoundWording))
    assert wording == "a couple of seconds" and f"from {wording} to" in article


#: Match types the notes of identifiers.tsv call for: (entity, SKOS property, target IRI).
MATCH_TYPES = [
    ("PeripheralVascularDisease", SKOS.closeMatch, "http://purl.obolibrary.org/obo/DOID_341"),
    ("Polyneuropathy", SKOS.closeMatch, "http://snomed.info/id/42345000"),
    ("LegCramp", SKOS.narrowMatch, "http://purl.bioontology.org/ontology/ICD10CM/M62.831"),
    ("LegCramp", SKOS.relatedMatch, "http://purl.bioontology.org/ontology/ICD10CM/R25.2"),
    ("BetaAgonists", SKOS.narrowMatch, "http://purl.bioontology.org/ontology/ATC/R03AC"),
    ("MuscleRelaxants", SKOS.narrowMatch, "http://purl.bioontology.org/ontology/ATC/M03B"),
    ("DeepVeinThrombosis", SKOS.narrowMatch, "http://purl.bioontology.org/ontology/ICD10CM/I82.40"),
    (
        "ElectrolyteImbalance",
        SKOS.relatedMatch,
        "http://purl.bioontology.org/ontology/ICD10CM/E87.8",
    ),
    ("ElectrolyteImbalance", SKOS.relatedMatch, "https://icd.who.int/browse10/2019/en#/E87"),
    ("RenalDialysis", SKOS.relatedMatch, "http://purl.bioontology.org/ontology/ICD10CM/Z99.2"),
    ("RenalDialysis", SKOS.relatedMatch, "https://icd.who.int/browse10/2019/en#/Z99.2"),
    ("Pregnancy", SKOS.relatedMatch, "http://purl.bioontology.org/ontology/ICD10CM/Z33.1"),
    ("HeatApplication", SKOS.relatedMatch, "http://id.nlm.nih.gov/mesh/D006979"),
    ("SaltDepletion", SKOS.relatedMatch, "http://id.nlm.nih.gov/mesh/D007010"),
    ("SaltDepletion", SKOS.relatedMatch, "http://purl.obolibrary.org/obo/HP_0002902"),
]


@pytest.mark.parametrize(
    ("entity", "prop", "target"),
    MATCH_TYPES,
    ids=[f"{e}-{t.rsplit('/', 1)[-1]}" for e, _, t in MATCH_TYPES],
)
def test_match_type_follows_the_reference_notes(
    kg: KnowledgeGraph, entity: str, prop: URIRef, target: str
) -> None:
    props = set(kg.graph.predicates(KG[entity], URIRef(target)))
    assert props == {prop}, (
        f"kg:{entity} {curie(prop)} <{target}>, found {sorted(map(curie, props))}"
    )


def test_one_iri_form_per_vocabulary(kg: KnowledgeGraph) -> None:
    """The Bioregistry's BioPortal PURL form for ICD-10-CM, as already for ATC and RxNorm."""
    third_party = [
        f"{curie(e)} <{v}>" for e, _, v in entity_mappings(kg.graph) if "icd.codes" in str(v)
    ]
    assert not third_party


# ---------------------------------------------------------------- schema terms (issue 10)


def test_schema_has_no_term_that_does_not_exist_or_fit() -> None:
    schema = Graph().parse(ontology_dir() / "medkg.ttl", format="turtle")
    targets = {str(o) for o in schema.objects()}
    for gone in (
        "https://schema.org/indication",  # not in schema.org's current release
        # Not in Biolink 4.2.2 (tests/test_vocabularies.py checks every term with bmt); the
        # inverse of preventative_for_condition there is condition_prevented_by.
        "https://w3id.org/biolink/vocab/has_preventative_intervention",
        "https://schema.org/primaryPrevention",  # the remedies prevent recurrence
        "https://schema.org/MedicalGuidelineRecommendation",  # advice is not a guideline
    ):
        assert gone not in targets, gone
    assert (MEDKG.WebPage, SKOS.exactMatch, URIRef(str(BIOLINK) + "WebPage")) in schema
    assert (MEDKG.studyType, SKOS.closeMatch, URIRef(str(BIOLINK) + "has_evidence")) not in schema


def test_every_evidence_term_is_documented() -> None:
    """Each property has a label, a definition, a domain and range (object and datatype
    properties) and a mapping or a comment saying none exists."""
    schema = Graph().parse(ontology_dir() / "medkg.ttl", format="turtle")
    mappings = MAPPING_PROPERTIES
    problems = []
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in sorted(schema.subjects(RDF.type, kind)):
            if not str(prop).startswith(str(MEDKG._NS)):
                continue
            missing = [
                name
                for name, present in (
                    ("rdfs:label", schema.value(prop, RDFS.label)),
                    ("skos:definition", schema.value(prop, SKOS.definition)),
                    ("rdfs:domain", schema.value(prop, RDFS.domain)),
                    ("rdfs:range", schema.value(prop, RDFS.range)),
                    (
                        "a mapping or rdfs:comment",
                        any(schema.value(prop, m) for m in mappings)
                        or schema.value(prop, RDFS.comment),
                    ),
                )
                if not present
            ]
            # Inverses and sub-properties inherit the rest from their partner.
            inherited = schema.value(prop, RDFS.subPropertyOf) or any(
                schema.triples((None, OWL.inverseOf, prop))
            )
            # memberOf (a drug or a drug class) and occursDuring (a time, a circumstance or a
            # state such as pregnancy) have no single medkg class on that side.
            if prop in (MEDKG.memberOf, MEDKG.occursDuring):
                missing = [m for m in missing if m not in ("rdfs:domain", "rdfs:range")]
            if missing and not (inherited and set(missing) <= {"rdfs:domain", "rdfs:range"}):
                problems.append(f"{curie(prop)}: no {', '.join(missing)}")
    new_terms = [
        MEDKG.section,
        MEDKG.quoteStart,
        MEDKG.quoteEnd,
        MEDKG.citesReference,
        MEDKG.evidenceCode,
        MEDKG.knowledgeLevel,
        MEDKG.agentType,
        MEDKG.frequency,
        MEDKG.certainty,
        MEDKG.caveat,
        MEDKG.articleWording,
        MEDKG.negated,
        MEDKG.supportNote,
    ]
    declared = {
        p for k in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in schema.subjects(RDF.type, k)
    }
    problems += [f"{curie(p)} is not declared" for p in new_terms if p not in declared]
    for cls in (
        MEDKG.QuotedRecord,
        MEDKG.Caveat,
        MEDKG.EvidenceCode,
        MEDKG.Qualifier,
        MEDKG.FrequencyQualifier,
        MEDKG.CertaintyQualifier,
    ):
        if schema.value(cls, RDFS.label) is None or schema.value(cls, SKOS.definition) is None:
            problems.append(f"{curie(cls)}: no rdfs:label or skos:definition")
        if not (any(schema.value(cls, m) for m in mappings) or schema.value(cls, RDFS.comment)):
            problems.append(f"{curie(cls)}: no mapping and no rdfs:comment saying none exists")
    fail_with(problems, "Document each property and class of ontology/medkg.ttl.")
