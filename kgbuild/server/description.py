"""The W3C SPARQL service description and the VoID description of the dataset."""
from __future__ import annotations

import pyoxigraph as ox

from .. import __version__
from . import results

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads")
INPUT_FORMATS = ("Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads")


def _iri(value: str) -> str:
    return "<" + value.replace(">", "%3E") + ">"


def service_description(endpoint: str, base: str, *, updates: bool, federation: bool, fmt: str) -> bytes:
    languages = [SD + "SPARQL11Query"] + ([SD + "SPARQL11Update"] if updates else [])
    features = [SD + "BasicFederatedQuery"] if federation else []
    lines = [
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        f"{_iri(endpoint + '#service')} a sd:Service ;",
        f"  sd:endpoint {_iri(endpoint)} ;",
        f"  dcterms:title \"geokg SPARQL endpoint (kgbuild {__version__})\" ;",
        "  sd:supportedLanguage " + ", ".join(_iri(lang) for lang in languages) + " ;",
        "  sd:resultFormat " + ", ".join(_iri(FORMATS_NS + f) for f in RESULT_FORMATS) + " ;",
    ]
    if updates:
        lines.append("  sd:inputFormat " + ", ".join(_iri(FORMATS_NS + f) for f in INPUT_FORMATS) + " ;")
    if features:
        lines.append("  sd:feature " + ", ".join(_iri(f) for f in features) + " ;")
    lines += [
        f"  sd:defaultDataset {_iri(endpoint + '#dataset')} .",
        f"{_iri(endpoint + '#dataset')} a sd:Dataset ;",
        f"  sd:defaultGraph {_iri(endpoint + '#default-graph')} ;",
        f"  void:sparqlEndpoint {_iri(endpoint)} ;",
        f"  dcterms:description \"The default graph is the world layer; each source document, and each derived "
        f"edge, is a named graph (see {base}/.well-known/void).\" .",
        f"{_iri(endpoint + '#default-graph')} a sd:Graph .",
    ]
    return _reserialise("\n".join(lines) + "\n", fmt)


def void_description(base: str, endpoint: str, stats: dict, fmt: str) -> bytes:
    dataset = base + "/.well-known/void#geokg"
    total = stats["default"] + sum(stats["graphs"].values())
    lines = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        f"{_iri(dataset)} a void:Dataset ;",
        "  dcterms:title \"geokg: a geopolitical knowledge graph with evidence\" ;",
        f"  void:sparqlEndpoint {_iri(endpoint)} ;",
        "  void:uriSpace \"https://w3id.org/geokg/\" ;",
        f"  void:triples {total} ;",
        "  void:vocabulary <https://w3id.org/geokg/ontology#> .",
    ]
    for graph, count in sorted(stats["graphs"].items()):
        lines.append(f"{_iri(dataset)} void:subset [ a void:Dataset ; sd:name {_iri(graph)} ; void:triples {count} ] .")
    lines.append(f"{_iri(dataset)} void:subset [ a void:Dataset ; dcterms:title \"default graph (world layer)\" ; "
                 f"void:triples {stats['default']} ] .")
    return _reserialise("\n".join(lines) + "\n", fmt)


def _reserialise(turtle: str, fmt: str) -> bytes:
    if fmt == "turtle":
        return turtle.encode("utf-8")
    triples = [q.triple for q in ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
    return results.graph(triples, fmt)
