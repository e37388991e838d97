"""Namespaces of the geokg model (docs/model.md). IRIs are minted only through these."""
from __future__ import annotations

GK = "https://w3id.org/geokg/ontology#"
ID = "https://w3id.org/geokg/id/"
DOC = "https://w3id.org/geokg/doc/"
CLAIM = "https://w3id.org/geokg/claim/"
EVENT = "https://w3id.org/geokg/event/"
DERIVED = "https://w3id.org/geokg/derived/"
RULE = "https://w3id.org/geokg/rule/"
WD = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"

PREFIXES = {
    "gk": GK,
    "gkid": ID,
    "gkdoc": DOC,
    "gkc": CLAIM,
    "gkev": EVENT,
    "gkd": DERIVED,
    "gkr": RULE,
    "cameo": "https://w3id.org/geokg/cameo/",
    "plover": "https://w3id.org/geokg/plover/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "wd": WD,
    "wdt": "http://www.wikidata.org/prop/direct/",
    "gn": "http://www.geonames.org/ontology#",
    "dbr": "http://dbpedia.org/resource/",
}


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def compact(iri: str) -> str:
    """A prefixed name for display when a known namespace fits, else the IRI."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = iri[len(PREFIXES[best]):]
        if local and all(c.isalnum() or c in "-_./" for c in local):
            return f"{best}:{local}"
    return iri
