"""A user's --data file whose labels try to inject markup into the explorer page."""

from __future__ import annotations

import json

XSS_LABEL = '<img src=x onerror="window.__xss=1">'
SCRIPT_LABEL = "</script><script>window.__xss=2</script>"
DEFINITION = "Tom & Jerry's <b>bold</b> claim"

HOSTILE_TURTLE = f"""
@prefix kg: <https://w3id.org/medkg/entity/> .
@prefix medkg: <https://w3id.org/medkg/schema/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
kg:Hostile a medkg:Drug ;
    rdfs:label {json.dumps(XSS_LABEL)}@en ;
    skos:altLabel {json.dumps(SCRIPT_LABEL)}@en ;
    skos:definition {json.dumps(DEFINITION)}@en ;
    medkg:mayTrigger kg:LegCramp .
"""
