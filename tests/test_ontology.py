"""The ontology files: they parse, every term is declared and documented, the design stays in
OWL 2 DL, HermiT finds the ontology consistent (and would notice a contradiction), and the
CAMEO/PLOVER schemes hang together."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kgbuild.paths import ontology_dir
from kgbuild.validate import check_consistency

ROOT = Path(__file__).resolve().parent.parent
GK = Namespace("https://w3id.org/geokg/ontology#")
CAMEO = Namespace("https://w3id.org/geokg/cameo/")
PLOVER = Namespace("https://w3id.org/geokg/plover/")
SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # a plain Namespace: pytest probes module globals
ONTOLOGY_IRI = URIRef("https://w3id.org/geokg/ontology")

DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                     OWL.NamedIndividual)
# The OWL 2 datatype map (what a DL reasoner must support); xsd:date is not in it.
OWL2_DATATYPES = {XSD[n] for n in (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long "
    "int short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string "
    "normalizedString token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
    "dateTime dateTimeStamp").split()} | {RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString,
                                          RDFS.Literal, OWL.real, OWL.rational}
ANALYST_RELATIONS = [
    "backs", "opposes", "recognizes", "sanctions", "lendsTo", "deploysTo", "leads", "headOfState",
    "headOfGovernment", "threatens", "criticizes", "confirms", "denies", "commentsOn", "fliesTo",
    "importsFrom", "memberOf", "partOf", "governmentOf", "holdsPosition",
]


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology_dir() / "geokg.ttl")


@pytest.fixture(scope="module")
def codes() -> Graph:
    return Graph().parse(ontology_dir() / "event-codes.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ontology_dir() / "shapes.ttl")


def declared(onto: Graph) -> dict[URIRef, set[URIRef]]:
    """gk: IRI -> the declaration types it has."""
    out: dict[URIRef, set[URIRef]] = {}
    for kind in DECLARATION_TYPES:
        for s in onto.subjects(RDF.type, kind):
            if isinstance(s, URIRef) and str(s).startswith(str(GK)):
                out.setdefault(s, set()).add(kind)
    return out


GK_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
TERM_PATTERNS = [
    re.compile(rf"\bgk:({GK_NAME})"),                          # prefixed names in Turtle, SPARQL, docs
    re.compile(rf"w3id\.org/geokg/ontology#({GK_NAME})"),      # full IRIs
    re.compile(rf"\bGK\s*\+\s*[\"']({GK_NAME})[\"']"),          # GK + "name" in Python
    re.compile(rf"\bGK\[[\"']({GK_NAME})[\"']\]"),              # GK["name"]
    re.compile(rf"\bGK\.({GK_NAME})\b"),                        # GK.name (rdflib Namespace)
    re.compile(rf"\bgk\([\"']({GK_NAME})[\"']\)"),              # gk("name") helper
]


def used_terms(paths) -> dict[str, set[str]]:
    """gk local name -> the files that use it."""
    found: dict[str, set[str]] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for pattern in TERM_PATTERNS:
            for name in pattern.findall(text):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


# --------------------------------------------------------------------------------------------
# Parsing and metadata
# --------------------------------------------------------------------------------------------

def test_the_three_files_parse(onto, codes, shapes):
    assert len(onto) > 1000 and len(codes) > 300 and len(shapes) > 500


def test_ontology_header(onto):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/geokg/ontology/0.1.0")
    assert str(onto.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert onto.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.created):
        assert onto.value(ONTOLOGY_IRI, prop) is not None, prop
    assert not list(onto.objects(None, OWL.imports)), "the ontology must not import remote ontologies"


# --------------------------------------------------------------------------------------------
# Every term declared and documented, in both directions
# --------------------------------------------------------------------------------------------

def test_every_term_used_in_the_project_is_declared(onto):
    files = ([*ontology_dir().glob("*.ttl"), *(ontology_dir() / "rules").glob("*.rq"),
              *(ontology_dir() / "rules").glob("*.ru"), *(ROOT / "queries").glob("*.rq"),
              *(ROOT / "kgbuild").glob("*.py"), ROOT / "docs" / "model.md"])
    names = {str(t)[len(str(GK)):] for t in declared(onto)}
    missing = {name: sorted(where) for name, where in used_terms(files).items() if name not in names}
    assert not missing, f"gk: terms used but not declared in geokg.ttl: {missing}"


def test_every_declared_term_is_on_the_model_page(onto):
    page = used_terms([ROOT / "docs" / "model.md"])
    absent = sorted(str(t)[len(str(GK)):] for t in declared(onto) if str(t)[len(str(GK)):] not in page)
    assert not absent, f"declared in geokg.ttl but missing from docs/model.md: {absent}"


def test_every_term_has_one_english_label_and_definition(onto):
    problems = []
    for term in sorted(declared(onto)):
        labels = [o for o in onto.objects(term, RDFS.label) if isinstance(o, Literal) and o.language == "en"]
        definitions = [o for o in onto.objects(term, SKOS.definition)
                       if isinstance(o, Literal) and o.language == "en" and len(str(o)) > 15]
        if len(labels) != 1:
            problems.append(f"{term}: {len(labels)} English labels")
        if len(definitions) != 1:
            problems.append(f"{term}: {len(definitions)} English definitions")
    assert not problems, problems


def test_model_terms_have_the_declared_kind(onto):
    kinds = declared(onto)
    expect = {
        OWL.Class: ["Actor", "State", "Person", "Organization", "Claim", "TextSpan", "PositionHolding",
                    "Flight", "Loan", "Sanction", "DiplomaticRecognition", "DerivedEdge", "DerivationRule"],
        OWL.ObjectProperty: [*ANALYST_RELATIONS, "accordingTo", "holder", "position", "evidence",
                             "statedIn", "attributedTo", "status", "certainty", "polarity", "eventType"],
        OWL.DatatypeProperty: ["date", "extractionConfidence", "startOffset", "endOffset", "wikidataId",
                               "goldsteinScore", "ruleVersion"],
        OWL.AnnotationProperty: ["claimRelation", "edgeRelation", "cameoCode", "ploverType"],
    }
    for kind, names in expect.items():
        for name in names:
            assert kind in kinds.get(GK[name], set()), f"gk:{name} should be a {kind}"


# --------------------------------------------------------------------------------------------
# OWL 2 DL hygiene
# --------------------------------------------------------------------------------------------

def test_no_punning_between_kinds(onto):
    clashes = {t: k for t, k in declared(onto).items() if len(k - {OWL.NamedIndividual}) > 1
               or (OWL.NamedIndividual in k and k & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                                                       OWL.AnnotationProperty})}
    assert not clashes, clashes


def test_every_iri_used_in_an_axiom_is_declared(onto):
    """Classes and properties used in OWL/RDFS axioms must be declared (external ones minimally)."""
    classes = set(onto.subjects(RDF.type, OWL.Class))
    properties = {s for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
                  for s in onto.subjects(RDF.type, kind)}
    problems = []
    for s, o in onto.subject_objects(RDFS.subClassOf):
        for c in (s, o):
            if isinstance(c, URIRef) and c not in classes:
                problems.append(f"class {c} not declared")
    for s, o in onto.subject_objects(RDFS.subPropertyOf):
        for p in (s, o):
            if p not in properties:
                problems.append(f"property {p} not declared")
    for prop in (RDFS.domain, RDFS.range):
        for s, o in onto.subject_objects(prop):
            if OWL.DatatypeProperty in set(onto.objects(s, RDF.type)):
                continue
            if isinstance(o, URIRef) and o not in classes:
                problems.append(f"{prop} of {s}: {o} not declared")
            if isinstance(o, BNode):
                for member in onto.items(onto.value(o, OWL.unionOf)):
                    if member not in classes:
                        problems.append(f"{prop} of {s}: union member {member} not declared")
    for node in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        for member in onto.items(onto.value(node, OWL.members)):
            if member not in classes:
                problems.append(f"disjoint member {member} not declared")
    for p in {p for _, p, _ in onto}:
        if str(p).startswith(str(GK)) and p not in properties:
            problems.append(f"predicate {p} not declared")
    assert not problems, problems


def test_data_property_ranges_are_in_the_owl2_datatype_map(onto):
    """xsd:date is not in the OWL 2 datatype map; date properties leave the range to SHACL."""
    for prop in onto.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in onto.objects(prop, RDFS.range):
            base = onto.value(rng, OWL.onDatatype) if isinstance(rng, BNode) else rng
            assert base in OWL2_DATATYPES, f"{prop} has range {base}"
    for s, p, o in onto:
        if p not in (DCTERMS.created,) and isinstance(o, Literal) and o.datatype is not None:
            assert o.datatype in OWL2_DATATYPES, (s, p, o)


def test_value_sets_are_closed_disjoint_and_different(onto):
    assert all((GK[c], RDFS.subClassOf, SKOS.Concept) in onto
               for c in ("ClaimStatus", "Certainty", "Polarity", "Temporality"))
    for cls, members in {
        "ClaimStatus": ["Asserted", "Reported", "Unconfirmed", "Denied", "Negated", "Hypothetical"],
        "Certainty": ["Certain", "Probable", "Possible", "Underspecified"],
        "Polarity": ["Affirmed", "DeniedPolarity", "NegatedPolarity"],
        "Temporality": ["Current", "Historical", "Future"],
    }.items():
        enumeration = onto.value(onto.value(GK[cls], OWL.equivalentClass), OWL.oneOf)
        assert sorted(onto.items(enumeration)) == sorted(GK[m] for m in members)
        different = [set(onto.items(onto.value(n, OWL.distinctMembers)))
                     for n in onto.subjects(RDF.type, OWL.AllDifferent)]
        assert {GK[m] for m in members} in different
        for m in members:
            assert (GK[m], RDF.type, GK[cls]) in onto
            assert onto.value(GK[m], SKOS.inScheme) == GK[cls + "Scheme"]
            assert onto.value(GK[m], GK.rank) is not None


def test_contested_offices_are_expressible(onto):
    """Who holds an office according to whom: PositionHolding + accordingTo, and no functional
    head-of-state property that would force two presidents to be one person."""
    assert onto.value(GK.accordingTo, RDFS.subPropertyOf) == URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/accordingTo")
    assert (GK.holder, RDFS.domain, GK.PositionHolding) in onto
    assert (GK.position, RDFS.range, GK.Position) in onto
    for prop in (GK.headOfState, GK.headOfGovernment, GK.holdsPosition, GK.accordingTo):
        assert (prop, RDF.type, OWL.FunctionalProperty) not in onto


def test_alignments(onto):
    prov = Namespace("http://www.w3.org/ns/prov#")
    wdt = Namespace("http://www.wikidata.org/prop/direct/")
    ftm = Namespace("https://schema.followthemoney.tech/#")
    sem = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
    assert (GK.Claim, RDFS.subClassOf, prov.Entity) in onto
    assert (GK.Actor, RDFS.subClassOf, prov.Agent) in onto
    assert (GK.DerivationRule, RDFS.subClassOf, prov.Plan) in onto
    assert (GK.attributedTo, RDFS.subPropertyOf, prov.wasAttributedTo) in onto
    assert (GK.primarySource, RDFS.subPropertyOf, prov.hadPrimarySource) in onto
    assert (GK.quotes, RDFS.subPropertyOf, prov.wasQuotedFrom) in onto
    assert (GK.Event, RDFS.subClassOf, sem.Event) in onto
    assert (GK.actor, RDFS.subPropertyOf, sem.hasActor) in onto
    assert (GK.headOfState, SKOS.exactMatch, wdt.P35) in onto
    assert (GK.headOfGovernment, SKOS.exactMatch, wdt.P6) in onto
    assert (GK.holdsPosition, SKOS.exactMatch, wdt.P39) in onto
    assert (GK.operator, SKOS.exactMatch, wdt.P137) in onto
    assert (GK.geonamesId, SKOS.closeMatch, wdt.P1566) in onto
    assert (GK.Sanction, SKOS.closeMatch, ftm.Sanction) in onto
    assert (GK.Loan, SKOS.closeMatch, ftm.Debt) in onto
    assert (GK.PositionHolding, SKOS.closeMatch, ftm.Occupancy) in onto
    assert (GK.Flight, SKOS.closeMatch, ftm.Trip) in onto
    assert (GK.TextSpan, SKOS.closeMatch, URIRef("http://www.w3.org/ns/oa#TextPositionSelector")) in onto
    # Wikidata is mapped with SKOS, never with OWL equivalences.
    for p in (OWL.equivalentProperty, OWL.equivalentClass, OWL.sameAs):
        for _, o in onto.subject_objects(p):
            assert "wikidata.org" not in str(o)


OWL_API_DL_CHECK = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
public class DLCheck {
  public static void main(String[] args) throws Exception {
    OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
    OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
    OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
    for (OWLProfileViolation v : report.getViolations()) System.out.println(v);
    System.out.println(report.isInProfile() ? "IN-PROFILE" : "NOT-IN-PROFILE");
  }
}
"""


def test_owl_api_says_owl2_dl(tmp_path):
    """The OWL API's OWL 2 DL profile checker (shipped inside owlready2's HermiT.jar) accepts the
    ontology. Needs a JDK (javac); skipped on a JRE-only machine."""
    import shutil
    import subprocess

    import owlready2.reasoning

    if not shutil.which("javac"):
        pytest.skip("javac not available")
    classpath = owlready2.reasoning._HERMIT_CLASSPATH
    (tmp_path / "DLCheck.java").write_text(OWL_API_DL_CHECK, encoding="utf-8")
    subprocess.run(["javac", "-nowarn", "-cp", classpath, "DLCheck.java"], cwd=tmp_path, check=True,
                   capture_output=True)
    result = subprocess.run(["java", "-cp", f"{classpath}:{tmp_path}", "DLCheck",
                             str(ontology_dir() / "geokg.ttl")], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("IN-PROFILE") and "NOT-IN-PROFILE" not in result.stdout, result.stdout


# --------------------------------------------------------------------------------------------
# HermiT
# --------------------------------------------------------------------------------------------

def test_hermit_finds_the_ontology_consistent():
    ok, explanation = check_consistency(Graph())
    assert ok, explanation


def test_hermit_notices_a_planted_contradiction():
    """Without this the consistency test above could never fail."""
    g = Graph()
    x = URIRef("https://w3id.org/geokg/id/both")
    g.add((x, RDF.type, GK.Journalist))
    g.add((x, RDF.type, GK.NewsAgency))
    ok, explanation = check_consistency(g)
    assert not ok
    assert "gkid:both" in explanation and "disjoint" in explanation
    assert "gk:Person" in explanation and "gk:Organization" in explanation


# --------------------------------------------------------------------------------------------
# CAMEO and PLOVER
# --------------------------------------------------------------------------------------------

def concepts(codes: Graph, scheme: URIRef) -> set[URIRef]:
    return set(codes.subjects(SKOS.inScheme, scheme))


def test_cameo_scheme(codes):
    scheme = URIRef(str(CAMEO))
    cameo = concepts(codes, scheme)
    roots = {CAMEO[f"{i:02d}"] for i in range(1, 21)}
    assert roots <= cameo
    assert set(codes.objects(scheme, SKOS.hasTopConcept)) == roots
    for code in ["010", "011", "036", "042", "043", "051", "052", "053", "054", "061", "062", "071",
                 "072", "111", "112", "130", "138", "154", "161", "163", "190", "192", "195"]:
        assert CAMEO[code] in cameo, code
    for c in cameo:
        notation = str(codes.value(c, SKOS.notation))
        assert str(c).endswith("/" + notation)
        assert codes.value(c, SKOS.prefLabel) is not None and codes.value(c, SKOS.definition) is not None
        score = codes.value(c, GK.goldsteinScore)
        assert score is not None and score.datatype == XSD.decimal and -10 <= score.toPython() <= 10
        node, seen = c, 0
        while node not in roots:  # every code reaches a root whose code is its prefix
            parent = codes.value(node, SKOS.broader)
            assert parent is not None and notation.startswith(str(codes.value(parent, SKOS.notation))), c
            node, seen = parent, seen + 1
            assert seen < 4
    # Spot checks against the GDELT tables the notes cite.
    assert codes.value(CAMEO["163"], GK.goldsteinScore).toPython() == -8
    assert float(codes.value(CAMEO["072"], GK.goldsteinScore).toPython()) == pytest.approx(8.3)
    assert str(codes.value(CAMEO["054"], SKOS.prefLabel)) == "Grant diplomatic recognition"


def test_plover_scheme_and_cameo_mappings(codes):
    plover = concepts(codes, URIRef(str(PLOVER)))
    types = {PLOVER[t] for t in ("AGREE CONSULT SUPPORT CONCEDE COOPERATE AID RETREAT REQUEST ACCUSE "
                                  "REJECT THREATEN PROTEST SANCTION MOBILIZE COERCE ASSAULT").split()}
    modes = {PLOVER[m] for m in ("historical", "future", "hypothetical", "negation")}
    assert set(codes.objects(URIRef(str(PLOVER)), SKOS.hasTopConcept)) == types
    assert types | modes == plover
    for c in plover:
        assert codes.value(c, SKOS.notation) is not None and codes.value(c, SKOS.definition) is not None
    for _, target in codes.subject_objects(SKOS.closeMatch):
        assert target in types, target
    assert (CAMEO["072"], SKOS.closeMatch, PLOVER.AID) in codes
    assert str(codes.value(CAMEO["072"], GK.ploverContext)) == "military"
    assert (CAMEO["163"], SKOS.closeMatch, PLOVER.SANCTION) in codes
    assert (CAMEO["054"], SKOS.closeMatch, PLOVER.SUPPORT) in codes


def test_event_classes_point_to_existing_codes(onto, codes):
    known = set(codes.subjects(RDF.type, SKOS.Concept))
    for prop in (GK.cameoCode, GK.ploverType):
        pairs = list(onto.subject_objects(prop))
        assert pairs
        for cls, code in pairs:
            assert code in known, f"{cls} {prop} {code}"
    for cls in ("MilitaryDeployment", "Loan", "Sanction", "DiplomaticRecognition", "Threat"):
        assert onto.value(GK[cls], GK.cameoCode) is not None, cls


# --------------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------------

def test_every_shape_speaks_plain_english(shapes):
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(shape, RDFS.label) is not None and shapes.value(shape, RDFS.comment) is not None, shape
    for shape in set(shapes.objects(None, SH.property)):
        assert shapes.value(shape, SH.name) is not None, shapes.value(shape, SH.path)
        assert shapes.value(shape, SH.message) is not None, shapes.value(shape, SH.path)


def test_shapes_name_only_declared_relations(onto, shapes):
    object_properties = set(onto.subjects(RDF.type, OWL.ObjectProperty))
    for lst in shapes.objects(None, SH["in"]):
        for item in shapes.items(lst):
            assert item in object_properties or (item, RDF.type, OWL.NamedIndividual) in onto, item
    relations = [next(shapes.items(lst)) for lst in shapes.objects(None, SH["in"])]
    assert GK.backs in relations
