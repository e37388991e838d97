"""Derive the analyst edges (backs, opposes, ...) with versioned SPARQL Update rules.

Rules are files in ontology/rules/*.ru with a `#+` header (title, description, version). Each
rule inserts one named graph per edge and says which claims it came from; this stage then
records which rule set produced every edge.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import GeokgError
from .paths import rules_dir
from .queries import SavedQuery, parse_saved_query
from .vocab import GK, PREFIXES, RULE

PROV = PREFIXES["prov"]


@dataclass(frozen=True)
class Rule:
    name: str
    version: str
    query: SavedQuery

    @property
    def iri(self) -> str:
        return f"{RULE}{self.name}/{self.version}"


def read_rules(directory: Path | None = None) -> list[Rule]:
    directory = Path(directory) if directory else rules_dir()
    rules = []
    for path in sorted(directory.glob("*.ru")):
        query = parse_saved_query(path)
        version = query.headers.get("version", "")
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", version):
            raise GeokgError("a rule needs a '#+ version: N' header line", path=path)
        rules.append(Rule(name=path.stem, version=version, query=query))
    return rules


def ruleset_iri(rules: list[Rule]) -> str:
    digest = hashlib.sha256("".join(r.query.text for r in rules).encode()).hexdigest()[:12]
    return f"{RULE}ruleset/{digest}"


def derive(store: ox.Store, rules: list[Rule] | None = None) -> int:
    """Run every rule on the store; returns the number of derived edges afterwards."""
    rules = read_rules() if rules is None else rules
    for rule in rules:
        text = re.sub(r"\?_rule\b", f"<{rule.iri}>", rule.query.text)
        try:
            store.update(text)
        except (SyntaxError, OSError) as exc:
            raise GeokgError(f"rule failed: {exc}", path=rule.query.path) from exc
    run = ox.NamedNode(ruleset_iri(rules))
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    label = ox.NamedNode(PREFIXES["rdfs"] + "label")
    quads = [
        ox.Quad(run, rdf_type, ox.NamedNode(PROV + "Activity")),
        ox.Quad(run, label, ox.Literal("geokg rule set run", language="en")),
    ]
    for rule in rules:
        node = ox.NamedNode(rule.iri)
        quads += [
            ox.Quad(node, rdf_type, ox.NamedNode(GK + "DerivationRule")),
            ox.Quad(node, label, ox.Literal(rule.query.title, language="en")),
            ox.Quad(node, ox.NamedNode(PREFIXES["rdfs"] + "comment"),
                    ox.Literal(rule.query.description, language="en")),
            ox.Quad(node, ox.NamedNode(GK + "ruleVersion"), ox.Literal(rule.version)),
            ox.Quad(node, ox.NamedNode(GK + "ruleName"), ox.Literal(rule.name)),
            ox.Quad(run, ox.NamedNode(PROV + "used"), node),
        ]
    store.extend(quads)
    store.update(f"""
        PREFIX gk: <{GK}>
        PREFIX prov: <{PROV}>
        INSERT {{ ?edge prov:wasGeneratedBy <{run.value}> }} WHERE {{ ?edge a gk:DerivedEdge }}""")
    return sum(1 for _ in store.query(f"SELECT ?e WHERE {{ ?e a <{GK}DerivedEdge> }}"))
