"""kgbuild.validate: a small hand-written graph in the three layers passes; broken variants fail
with a message that names the problem; HermiT (real, through owlready2) catches contradictions."""
from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
from decimal import Decimal

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from kgbuild.errors import GeokgError
from kgbuild.paths import ontology_dir
from kgbuild.validate import ValidationReport, check_consistency, validate

GK = Namespace("https://w3id.org/geokg/ontology#")
ID = Namespace("https://w3id.org/geokg/id/")
C = Namespace("https://w3id.org/geokg/claim/test-001/")
EV = Namespace("https://w3id.org/geokg/event/test-001/")
PROV = Namespace("http://www.w3.org/ns/prov#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DOC = URIRef("https://w3id.org/geokg/doc/test-001")
EDGE = URIRef("https://w3id.org/geokg/derived/backs/russia/venezuela")

TEXT = ("Russia has lent billions of dollars to Venezuela. "
        "Two Russian planes landed in Caracas on Saturday, Sputnik reported on Sunday.")
SENTENCE_1 = "Russia has lent billions of dollars to Venezuela."
SPAN_1 = "Russia has lent billions of dollars to Venezuela"
SENTENCE_2 = "Two Russian planes landed in Caracas on Saturday, Sputnik reported on Sunday."
SPAN_2 = "Two Russian planes landed in Caracas on Saturday"


def good_trig() -> str:
    s1, s2 = TEXT.index(SPAN_1), TEXT.index(SPAN_2)
    digest = hashlib.sha256(TEXT.encode()).hexdigest()
    return f"""
PREFIX gk:    <https://w3id.org/geokg/ontology#>
PREFIX gkid:  <https://w3id.org/geokg/id/>
PREFIX gkdoc: <https://w3id.org/geokg/doc/>
PREFIX gkc:   <https://w3id.org/geokg/claim/>
PREFIX gkev:  <https://w3id.org/geokg/event/>
PREFIX gkd:   <https://w3id.org/geokg/derived/>
PREFIX gkr:   <https://w3id.org/geokg/rule/>
PREFIX cameo: <https://w3id.org/geokg/cameo/>
PREFIX prov:  <http://www.w3.org/ns/prov#>
PREFIX rdfs:  <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:  <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd:   <http://www.w3.org/2001/XMLSchema#>
PREFIX wd:    <http://www.wikidata.org/entity/>

# ---- world layer: the default graph ---------------------------------------------------------
gkdoc:test-001 a gk:NewsArticle ;
    gk:title "Two Russian military planes land in Caracas" ;
    gk:dateNotBefore "2019-03-24"^^xsd:date ;
    gk:eventDate "2019-03-23"^^xsd:date ;
    gk:contentSha256 "{digest}" ;
    gk:language "en" ;
    gk:url <https://example.org/news/two-russian-planes> ;
    gk:publisher gkid:example-news .

gkid:example-news a gk:NewsOrganization ; rdfs:label "Example News"@en ; gk:linked false .
gkid:sputnik a gk:NewsAgency ; rdfs:label "Sputnik"@en ; gk:linked false .
gkid:russia a gk:State ; rdfs:label "Russia"@en ;
    gk:wikidataId "Q159" ; skos:exactMatch wd:Q159 ; gk:idVerifiedBy "test fixture" .
gkid:venezuela a gk:State ; rdfs:label "Venezuela"@en ;
    gk:wikidataId "Q717" ; skos:exactMatch wd:Q717 ; gk:idVerifiedBy "test fixture" ;
    gk:geonamesId "3625428" .
gkid:united-states a gk:State ; rdfs:label "United States"@en ;
    gk:wikidataId "Q30" ; skos:exactMatch wd:Q30 ; gk:idVerifiedBy "test fixture" .
gkid:nicolas-maduro a gk:Person ; rdfs:label "Nicolás Maduro"@en ;
    gk:wikidataId "Q58132" ; skos:exactMatch wd:Q58132 ; gk:idVerifiedBy "test fixture" .
gkid:juan-guaido a gk:Person ; rdfs:label "Juan Guaidó"@en ;
    gk:wikidataId "Q58833335" ; skos:exactMatch wd:Q58833335 ; gk:idVerifiedBy "test fixture" .
gkid:government-of-venezuela a gk:Government ; rdfs:label "Government of Venezuela"@en ;
    gk:linked false ; gk:governmentOf gkid:venezuela .
gkid:president-of-venezuela a gk:Position ; rdfs:label "President of Venezuela"@en ;
    gk:positionOf gkid:venezuela .
gkid:russian-aerospace-forces a gk:MilitaryUnit ; rdfs:label "Russian Aerospace Forces"@en ;
    gk:linked false .
gkid:caracas a gk:City ; rdfs:label "Caracas"@en ; gk:country gkid:venezuela .
gkid:antonov-an-124 a gk:AircraftModel ; rdfs:label "Antonov An-124"@en .

gkev:test-001/loan a gk:Loan ;
    rdfs:label "Russian loans to Venezuela"@en ;
    gk:lender gkid:russia ; gk:borrower gkid:venezuela ;
    gk:amountText "billions of dollars" ; gk:amountMinimum 1000000000.0 ; gk:currency "USD" ;
    gk:eventType cameo:071 ; gk:temporality gk:Current .

gkev:test-001/deployment a gk:MilitaryDeployment ;
    rdfs:label "Russian personnel flown to Caracas"@en ;
    gk:actor gkid:russia ; gk:recipient gkid:venezuela ; gk:place gkid:caracas ;
    gk:date "2019-03-23"^^xsd:date ; gk:personnelCount 100 ; gk:cargoTonnes 35.0 ;
    gk:eventType cameo:062 .

gkev:test-001/flight a gk:Flight ;
    rdfs:label "An-124 flight to Caracas"@en ;
    gk:partOfEvent gkev:test-001/deployment ;
    gk:aircraftModel gkid:antonov-an-124 ; gk:operator gkid:russian-aerospace-forces ;
    gk:destination gkid:caracas ; gk:date "2019-03-23"^^xsd:date .

gkev:test-001/sanctions a gk:Sanction ;
    rdfs:label "US sanctions on Maduro and his government"@en ;
    gk:sanctionAuthority gkid:united-states ;
    gk:sanctionTarget gkid:nicolas-maduro , gkid:government-of-venezuela ;
    gk:eventType cameo:163 .

gkev:test-001/recognition a gk:DiplomaticRecognition ;
    rdfs:label "US recognition of Guaidó as interim president"@en ;
    gk:recognizer gkid:united-states ; gk:recognized gkid:juan-guaido ;
    gk:recognizedAs gkid:president-of-venezuela ; gk:interim true ; gk:eventType cameo:054 .

# A contested office: one holding per view.
gkev:test-001/guaido-presidency a gk:PositionHolding ;
    rdfs:label "Juan Guaidó as interim president of Venezuela, according to the United States"@en ;
    gk:holder gkid:juan-guaido ; gk:position gkid:president-of-venezuela ; gk:interim true ;
    gk:startDate "2019-01-23"^^xsd:date ; gk:accordingTo gkid:united-states .
gkev:test-001/maduro-presidency a gk:PositionHolding ;
    rdfs:label "Nicolás Maduro as president of Venezuela, according to Russia"@en ;
    gk:holder gkid:nicolas-maduro ; gk:position gkid:president-of-venezuela ;
    gk:accordingTo gkid:russia .

# ---- analyst layer: the description of the derived edge --------------------------------------
gkd:backs/russia/venezuela a gk:DerivedEdge ;
    gk:edgeSubject gkid:russia ; gk:edgeRelation gk:backs ; gk:edgeObject gkid:venezuela ;
    prov:wasDerivedFrom gkc:test-001/c01 ;
    prov:qualifiedDerivation gkd:backs/russia/venezuela/from/c01 ;
    prov:wasGeneratedBy gkr:run/test .
gkd:backs/russia/venezuela/from/c01 a prov:Derivation ;
    prov:entity gkc:test-001/c01 ; prov:hadPlan gkr:backs-from-loans/1 .
gkr:backs-from-loans/1 a gk:DerivationRule ;
    rdfs:label "Lending is backing"@en ; gk:ruleVersion "1" ; gk:ruleName "backs-from-loans" .
gkr:run/test a prov:Activity ; rdfs:label "test rule run"@en ; prov:used gkr:backs-from-loans/1 .

gkd:backs/russia/venezuela {{ gkid:russia gk:backs gkid:venezuela . }}

# ---- evidence layer: the document's own graph ------------------------------------------------
gkdoc:test-001 {{
    gkc:test-001/c01 a gk:Claim ;
        gk:claimSubject gkid:russia ; gk:claimRelation gk:lendsTo ; gk:claimObject gkid:venezuela ;
        gk:about gkev:test-001/loan ;
        gk:statedIn gkdoc:test-001 ; gk:evidence gkc:test-001/c01/span ;
        gk:attributedTo gkdoc:test-001 ;
        gk:status gk:Asserted ; gk:certainty gk:Certain ; gk:polarity gk:Affirmed ;
        gk:temporality gk:Current ;
        gk:extractionConfidence 1.0 ; gk:annotatedBy "curated" .
    gkc:test-001/c01/span a gk:TextSpan ;
        gk:inDocument gkdoc:test-001 ;
        gk:startOffset {s1} ; gk:endOffset {s1 + len(SPAN_1)} ;
        gk:exact "{SPAN_1}" ; gk:sentence "{SENTENCE_1}" .

    gkc:test-001/c02 a gk:Claim ;
        gk:claimSubject gkid:russia ; gk:claimRelation gk:deploysTo ; gk:claimObject gkid:venezuela ;
        gk:about gkev:test-001/deployment ;
        gk:statedIn gkdoc:test-001 ; gk:evidence gkc:test-001/c02/span ;
        gk:attributedTo gkid:sputnik ; gk:citedSource gkc:test-001/source/sputnik-report ;
        gk:notConfirmedBy gkid:government-of-venezuela ;
        gk:status gk:Unconfirmed ; gk:certainty gk:Probable ; gk:polarity gk:Affirmed ;
        gk:extractionConfidence 0.9 ; gk:annotatedBy "curated" ;
        gk:note "Relayed from Sputnik; not confirmed by Caracas."@en .
    gkc:test-001/c02/span a gk:TextSpan ;
        gk:inDocument gkdoc:test-001 ;
        gk:startOffset {s2} ; gk:endOffset {s2 + len(SPAN_2)} ;
        gk:exact "{SPAN_2}" ; gk:sentence "{SENTENCE_2}" .

    gkc:test-001/source/sputnik-report a gk:NewsReport ;
        rdfs:label "Sputnik's report of the landing" ;
        gk:publisher gkid:sputnik ; gk:datePublished "2019-03-24"^^xsd:date ;
        gk:citedIn gkdoc:test-001 .
}}
"""


BASES = {"gkev": "https://w3id.org/geokg/event/", "gkc": "https://w3id.org/geokg/claim/",
         "gkd": "https://w3id.org/geokg/derived/", "gkr": "https://w3id.org/geokg/rule/"}


def expand_slashed_names(trig: str) -> str:
    """Turtle local names cannot contain '/': write gkc:test-001/c01 as a full IRI."""
    return re.sub(r"\b(gkev|gkc|gkd|gkr):([A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)+)",
                  lambda m: f"<{BASES[m.group(1)]}{m.group(2)}>", trig)


def good_dataset() -> Dataset:
    ds = Dataset()
    ds.parse(data=expand_slashed_names(good_trig()), format="trig")
    return ds


def variant(change) -> Dataset:
    ds = good_dataset()
    change(ds)
    return ds


def in_doc(ds: Dataset) -> Graph:
    return ds.graph(DOC)


def default(ds: Dataset) -> Graph:
    return ds.default_graph


def problems_of(ds, **kw) -> list[str]:
    report = validate(ds, reasoner=False, **kw)
    assert not report.conforms
    assert report.problems
    return report.problems


def mentions(problems: list[str], *fragments: str) -> bool:
    return any(all(f in p for f in fragments) for p in problems)


# --------------------------------------------------------------------------------------------
# The good graph
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def good_report() -> ValidationReport:
    return validate(good_dataset())  # real HermiT and real pySHACL


def test_good_graph_conforms_and_is_consistent(good_report):
    assert good_report.problems == []
    assert good_report.conforms is True
    assert good_report.consistent is True
    assert "conforms" in good_report.text() and "consistent" in good_report.text()


def test_plain_graph_union_is_accepted():
    union = Graph()
    for s, p, o, _ in good_dataset().quads((None, None, None, None)):
        union.add((s, p, o))
    report = validate(union, reasoner=False)
    assert report.conforms, report.text()
    assert report.consistent is None


def test_report_is_frozen(good_report):
    with pytest.raises(dataclasses.FrozenInstanceError):
        good_report.conforms = False  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Broken variants, each caught with a message naming the problem
# --------------------------------------------------------------------------------------------

def test_claim_without_span_fails():
    ds = variant(lambda ds: in_doc(ds).remove((C.c01, GK.evidence, None)))
    problems = problems_of(ds)
    assert mentions(problems, "gkc:test-001/c01", "gk:evidence", "exactly one gk:evidence")


def test_confidence_out_of_range_fails():
    def change(ds):
        in_doc(ds).set((C.c01, GK.extractionConfidence, Literal(Decimal("1.7"))))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkc:test-001/c01", "gk:extractionConfidence", "between 0 and 1", "1.7")


def test_span_start_after_end_fails():
    def change(ds):
        span = URIRef(str(C.c01) + "/span")
        in_doc(ds).set((span, GK.startOffset, Literal(60)))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkc:test-001/c01/span", "gk:startOffset", "less than its gk:endOffset")


def test_span_text_that_disagrees_with_offsets_fails():
    def change(ds):
        span = URIRef(str(C.c01) + "/span")
        in_doc(ds).set((span, GK.exact, Literal("Russia has lent")))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkc:test-001/c01/span", "gk:exact", "offsets and text disagree")


def test_bad_wikidata_id_fails():
    def change(ds):
        default(ds).set((ID["nicolas-maduro"], GK.wikidataId, Literal("Maduro")))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkid:nicolas-maduro", "gk:wikidataId", "Wikidata item id", "Maduro")
    assert mentions(problems, "gkid:nicolas-maduro", "skos:exactMatch", "must agree")


def test_unverified_wikidata_id_fails():
    ds = variant(lambda ds: default(ds).remove((ID["nicolas-maduro"], GK.idVerifiedBy, None)))
    assert mentions(problems_of(ds), "gkid:nicolas-maduro", "gk:idVerifiedBy")


def test_person_without_id_or_unlinked_mark_fails():
    def change(ds):
        for p in (GK.wikidataId, GK.idVerifiedBy):
            default(ds).remove((ID["juan-guaido"], p, None))
    assert mentions(problems_of(variant(change)), "gkid:juan-guaido", "gk:wikidataId", "gk:linked false")


def test_derived_edge_without_rule_fails():
    def change(ds):
        default(ds).remove((EDGE, PROV.qualifiedDerivation, None))
        default(ds).remove((EDGE, PROV.wasGeneratedBy, None))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkd:backs/russia/venezuela", "prov:qualifiedDerivation/prov:hadPlan",
                    "rule that derived it")
    assert mentions(problems, "gkd:backs/russia/venezuela", "gk:ruleVersion")
    assert mentions(problems, "gkd:backs/russia/venezuela", "prov:wasGeneratedBy", "rule run")


def test_derived_edge_graph_must_hold_one_triple():
    def change(ds):
        ds.graph(EDGE).add((ID.china, GK.backs, ID.venezuela))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkd:backs/russia/venezuela", "exactly one", "holds 2")


def test_claim_outside_its_document_graph_fails():
    def change(ds):
        for s, p, o in list(in_doc(ds).triples((C.c01, None, None))):
            in_doc(ds).remove((s, p, o))
            ds.graph(URIRef("https://w3id.org/geokg/doc/other")).add((s, p, o))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkc:test-001/c01", "gkdoc:other", "must be its document")


def test_position_holding_needs_a_view():
    ds = variant(lambda ds: default(ds).remove((EV["guaido-presidency"], GK.accordingTo, None)))
    assert mentions(problems_of(ds), "gkev:test-001/guaido-presidency", "gk:accordingTo", "in whose view")


def test_flight_needs_date_or_note_and_loan_needs_borrower():
    def change(ds):
        default(ds).remove((EV.flight, GK.date, None))
        default(ds).remove((EV.loan, GK.borrower, None))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkev:test-001/flight", "gk:date, or a gk:note")
    assert mentions(problems, "gkev:test-001/loan", "gk:borrower", "A loan needs a gk:borrower")


def test_document_needs_a_date_and_dates_are_xsd_date():
    def change(ds):
        default(ds).remove((DOC, GK.dateNotBefore, None))
        default(ds).set((EV.deployment, GK.date, Literal("23 March 2019")))
    problems = problems_of(variant(change))
    assert mentions(problems, "gkdoc:test-001", "gk:datePublished or")
    assert mentions(problems, "gkev:test-001/deployment", "gk:date", "xsd:date", "23 March 2019")


def test_unknown_term_and_wrong_value_kind_are_reported():
    def change(ds):
        in_doc(ds).remove((C.c01, GK.claimRelation, GK.lendsTo))
        in_doc(ds).add((C.c01, GK.claimRelation, GK.lendTo))
        default(ds).add((EV.loan, GK.lender, Literal("Russia")))
    problems = problems_of(variant(change))
    assert mentions(problems, "gk:lendTo", "not a term of the ontology", "did you mean gk:lendsTo?")
    assert mentions(problems, "gkev:test-001/loan", "gk:lender", "object property", '"Russia"')


def test_event_type_must_be_a_known_code():
    def change(ds):
        default(ds).set((EV.loan, GK.eventType, URIRef("https://w3id.org/geokg/cameo/999")))
    assert mentions(problems_of(variant(change)), "gkev:test-001/loan", "gk:eventType", "cameo:999")


def test_shacl_can_be_skipped():
    ds = variant(lambda ds: in_doc(ds).remove((C.c01, GK.evidence, None)))
    report = validate(ds, reasoner=False, shacl=False)
    assert report.conforms and report.consistent is None


# --------------------------------------------------------------------------------------------
# HermiT on data
# --------------------------------------------------------------------------------------------

def test_disjoint_types_make_the_graph_inconsistent():
    ds = variant(lambda ds: default(ds).add((ID["nicolas-maduro"], RDF.type, GK.Government)))
    report = validate(ds, shacl=False)
    assert report.consistent is False and not report.conforms
    assert mentions(report.problems, "HermiT", "gkid:nicolas-maduro", "gk:Organization", "gk:Person",
                    "disjoint")
    assert "INCONSISTENT" in report.text()


def test_a_value_from_the_wrong_value_set_is_inconsistent():
    """gk:Certain is a certainty, not a claim status: the range of gk:status is violated."""
    union = Graph()
    union.add((C.c01, RDF.type, GK.Claim))
    union.add((C.c01, GK.status, GK.Certain))
    ok, explanation = check_consistency(union)
    assert not ok
    assert "gk:Certain" in explanation and "gk:ClaimStatus" in explanation and "gk:Certainty" in explanation


def test_two_statuses_on_one_claim_are_inconsistent():
    union = Graph()
    union.add((C.c01, GK.status, GK.Asserted))
    union.add((C.c01, GK.status, GK.Denied))
    ok, explanation = check_consistency(union)
    assert not ok
    assert "functional property gk:status" in explanation


# --------------------------------------------------------------------------------------------
# The project's own seed graph, and failures of the check itself
# --------------------------------------------------------------------------------------------

def test_the_seed_graph_validates():
    """The real build of data/ (annotations + reference) must pass the full validation."""
    from kgbuild.build import build_graph
    store, _ = build_graph()
    report = validate(store)
    assert report.conforms, report.text()


def test_missing_ontology_file_is_a_clear_error(tmp_path):
    with pytest.raises(GeokgError) as err:
        validate(Graph(), ontology_dir=tmp_path)
    assert "geokg.ttl" in str(err.value) and "Hint:" in str(err.value)


def test_unparsable_ontology_names_the_file_and_line(tmp_path):
    for name in ("geokg.ttl", "event-codes.ttl", "shapes.ttl"):
        shutil.copy(ontology_dir() / name, tmp_path / name)
    text = (tmp_path / "shapes.ttl").read_text(encoding="utf-8").splitlines()
    text.insert(40, "gks:Broken a sh:NodeShape ;; ;; .")
    (tmp_path / "shapes.ttl").write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(GeokgError) as err:
        validate(good_dataset(), ontology_dir=tmp_path, reasoner=False)
    assert err.value.path and err.value.path.endswith("shapes.ttl")
    assert err.value.line == 41


def test_something_that_is_not_a_graph_is_refused():
    with pytest.raises(GeokgError):
        validate({"not": "a graph"}, reasoner=False)
