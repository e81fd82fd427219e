"""Every namespace and IRI base medkg uses, declared once.

The project's own schema terms live in a :class:`rdflib.namespace.DefinedNamespace`, so a
typo such as ``MEDKG.mayTriger`` raises instead of silently minting a new IRI.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

__all__ = [
    "BASE",
    "BIOLINK",
    "EV",
    "KG",
    "MEDKG",
    "NAMED_GRAPH",
    "PREFIXES",
    "SCHEMA",
]

#: The one base under which every medkg IRI is minted.
BASE = "https://w3id.org/medkg/"

#: Curated entities (conditions, muscles, drugs, sources …).
KG = Namespace(BASE + "entity/")
#: Evidence records, one per supported statement.
EV = Namespace(BASE + "evidence/")
#: The named graph that holds medkg's data in quad formats (TriG, N-Quads) and on a SPARQL
#: server (``medkg push``, ``--store sparql:URL``).
NAMED_GRAPH = BASE + "graph/leg-cramps"
SCHEMA = Namespace("https://schema.org/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")


class MEDKG(DefinedNamespace):
    """The medkg schema (``ontology/medkg.ttl``): classes, properties and claim types."""

    _NS = Namespace(BASE + "schema/")
    _fail = True

    # Classes
    Entity: URIRef
    Condition: URIRef
    Disease: URIRef
    PhysiologicalState: URIRef
    Activity: URIRef
    MedicalProcedure: URIRef
    Symptom: URIRef
    ConditionOrSymptom: URIRef
    AnatomicalEntity: URIRef
    Muscle: URIRef
    Drug: URIRef
    DrugClass: URIRef
    RiskFactor: URIRef
    Treatment: URIRef
    ClinicalTreatment: URIRef
    HomeRemedy: URIRef
    Technique: URIRef
    OccurrenceContext: URIRef
    Advice: URIRef
    Source: URIRef
    ScholarlyArticle: URIRef
    WebPage: URIRef
    Evidence: URIRef
    QuotedRecord: URIRef
    Caveat: URIRef
    EvidenceCode: URIRef
    Qualifier: URIRef
    FrequencyQualifier: URIRef
    CertaintyQualifier: URIRef
    ClaimType: URIRef
    StudyType: URIRef
    # Object properties
    mayTrigger: URIRef
    mayBeTriggeredBy: URIRef
    affects: URIRef
    affectedBy: URIRef
    hasSymptom: URIRef
    symptomOf: URIRef
    precedes: URIRef
    treats: URIRef
    treatedBy: URIRef
    relieves: URIRef
    relievedBy: URIRef
    prevents: URIRef
    preventedBy: URIRef
    memberOf: URIRef
    hasMember: URIRef
    includesTechnique: URIRef
    techniqueOf: URIRef
    occursDuring: URIRef
    adviceFor: URIRef
    supportedBy: URIRef
    citesReference: URIRef
    evidenceCode: URIRef
    frequency: URIRef
    certainty: URIRef
    caveat: URIRef
    about: URIRef
    quotedFrom: URIRef
    claimType: URIRef
    studyType: URIRef
    # Data properties
    brandName: URIRef
    quote: URIRef
    section: URIRef
    quoteStart: URIRef
    quoteEnd: URIRef
    knowledgeLevel: URIRef
    agentType: URIRef
    articleWording: URIRef
    negated: URIRef
    supportNote: URIRef
    lowerBoundWording: URIRef
    effect: URIRef
    instruction: URIRef
    method: URIRef
    indication: URIRef
    duration: URIRef
    holdDuration: URIRef
    canExceed: URIRef
    resolvesSpontaneously: URIRef
    usuallyHarmless: URIRef
    occursWithoutWarning: URIRef
    referenceNumber: URIRef
    disclaimer: URIRef
    # Claim types (what kind of statement an evidence record supports)
    DefinitionClaim: URIRef
    ListedEtiologyClaim: URIRef
    StatedCauseClaim: URIRef
    LocationClaim: URIRef
    SymptomClaim: URIRef
    CourseClaim: URIRef
    OccurrenceClaim: URIRef
    TreatmentOptionClaim: URIRef
    MembershipClaim: URIRef
    TechniqueClaim: URIRef
    PreventionClaim: URIRef
    ReliefClaim: URIRef
    AdviceClaim: URIRef
    # Concept schemes of the claim types and study types
    ClaimTypes: URIRef
    StudyTypes: URIRef
    Qualifiers: URIRef
    # Qualifiers: the source's hedges (frequency, certainty)
    Typically: URIRef
    Often: URIRef
    Usually: URIRef
    InMostCases: URIRef
    CanAlso: URIRef
    May: URIRef
    Might: URIRef
    WouldSurely: URIRef
    StudiesHaveShown: URIRef
    # Study types of sources
    PatientEducation: URIRef
    SystematicReview: URIRef
    RandomizedControlledTrial: URIRef


#: Prefixes bound on every graph and predeclared in every query, in display order.
PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "medkg": str(MEDKG),
    "ev": str(EV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "biolink": str(BIOLINK),
    "sh": "http://www.w3.org/ns/shacl#",
    "mesh": "http://id.nlm.nih.gov/mesh/",
    "obo": "http://purl.obolibrary.org/obo/",
    "efo": "http://www.ebi.ac.uk/efo/",
    "drugbank": "https://go.drugbank.com/drugs/",
    "rxnorm": "http://purl.bioontology.org/ontology/RXNORM/",
    "atc": "http://purl.bioontology.org/ontology/ATC/",
    "icd10": "https://icd.who.int/browse10/2019/en#/",
    "icd10cm": "http://purl.bioontology.org/ontology/ICD10CM/",
    "umls": "https://uts.nlm.nih.gov/uts/umls/concept/",
    "snomedct": "http://snomed.info/id/",
    "fma": "http://purl.org/sig/ont/fma/fma",
    "doi": "https://doi.org/",
    "pubmed": "https://pubmed.ncbi.nlm.nih.gov/",
}
