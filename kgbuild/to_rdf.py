"""Annotations + reference data -> RDF quads under the geokg ontology.

The only place that mints IRIs. Three layers (docs/model.md): reference entities, documents
and events go to the default graph; each document's claims, spans and local sources go to the
named graph of the document; derived edges are added later by `derive`.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Iterable

import pyoxigraph as ox

from .annotations import EVENT_FIELDS, Annotations, Claim
from .reference import ArticleMeta, Entity
from .vocab import CLAIM, DOC, EVENT, GEONAMES, GK, ID, PREFIXES, WD

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
RDFS_COMMENT = ox.NamedNode(PREFIXES["rdfs"] + "comment")
SKOS = PREFIXES["skos"]
XSD = PREFIXES["xsd"]
DEFAULT = ox.DefaultGraph()

STATUS = {"asserted": "Asserted", "reported": "Reported", "unconfirmed": "Unconfirmed",
          "denied": "Denied", "negated": "Negated", "hypothetical": "Hypothetical"}
CERTAINTY = {"certain": "Certain", "probable": "Probable", "possible": "Possible",
             "underspecified": "Underspecified"}
POLARITY = {"affirmed": "Affirmed", "denied": "DeniedPolarity", "negated": "NegatedPolarity"}
TEMPORALITY = {"current": "Current", "historical": "Historical", "future": "Future"}
SOURCE_CLASS = {"NewsReport": "NewsReport", "SocialMediaPost": "SocialMediaPost",
                "AnonymousSource": "AnonymousSource", "NewsArticle": "NewsArticle"}
SOURCE_LINKS = {"publisher": "publisher", "author": "author", "affiliation": "affiliation"}
ENTITY_LINKS = {"country": "country", "government_of": "governmentOf", "part_of": "partOf",
                "position_of": "positionOf", "affiliation": "affiliation", "member_of": "memberOf",
                "manufacturer": "manufacturer", "operator": "operator", "claimed_from": "claimedFrom"}


def gk(name: str) -> ox.NamedNode:
    return ox.NamedNode(GK + name)


def entity_iri(entity_id: str) -> ox.NamedNode:
    return ox.NamedNode(ID + entity_id)


def document_iri(doc_id: str) -> ox.NamedNode:
    return ox.NamedNode(DOC + doc_id)


def string(value: str) -> ox.Literal:
    return ox.Literal(str(value))


def typed(value: object, datatype: str) -> ox.Literal:
    if datatype == "date":
        text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    elif datatype == "decimal":
        text = _decimal_text(value)
    elif datatype == "boolean":
        text = "true" if value else "false"
    else:
        text = str(value)
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


def _decimal_text(value: object) -> str:
    number = Decimal(str(value))
    text = format(number.normalize(), "f")
    return text if "." in text else text + ".0"


def entities_to_rdf(entities: dict[str, Entity]) -> Iterable[ox.Quad]:
    for entity in entities.values():
        node = entity_iri(entity.id)
        yield ox.Quad(node, RDF_TYPE, gk(entity.type), DEFAULT)
        yield ox.Quad(node, RDFS_LABEL, ox.Literal(entity.label, language="en"), DEFAULT)
        for alias in entity.aliases:
            yield ox.Quad(node, ox.NamedNode(SKOS + "altLabel"), ox.Literal(alias, language="en"), DEFAULT)
        if entity.description:
            yield ox.Quad(node, RDFS_COMMENT, ox.Literal(entity.description, language="en"), DEFAULT)
        if entity.wikidata:
            yield ox.Quad(node, gk("wikidataId"), string(entity.wikidata), DEFAULT)
            yield ox.Quad(node, ox.NamedNode(SKOS + "exactMatch"), ox.NamedNode(WD + entity.wikidata), DEFAULT)
            yield ox.Quad(node, gk("idVerifiedBy"), string(entity.wikidata_verified_by), DEFAULT)
        else:
            yield ox.Quad(node, gk("linked"), typed(False, "boolean"), DEFAULT)
        if entity.geonames:
            yield ox.Quad(node, gk("geonamesId"), string(entity.geonames), DEFAULT)
            yield ox.Quad(node, ox.NamedNode(SKOS + "exactMatch"),
                          ox.NamedNode(f"{GEONAMES}{entity.geonames}/"), DEFAULT)
        if entity.dbpedia:
            yield ox.Quad(node, ox.NamedNode(SKOS + "closeMatch"), ox.NamedNode(entity.dbpedia), DEFAULT)
        for key, target in entity.links.items():
            yield ox.Quad(node, gk(ENTITY_LINKS[key]), entity_iri(target), DEFAULT)


def article_to_rdf(article: ArticleMeta, text_sha256: str) -> Iterable[ox.Quad]:
    doc = document_iri(article.id)
    yield ox.Quad(doc, RDF_TYPE, gk("NewsArticle"), DEFAULT)
    yield ox.Quad(doc, gk("title"), string(article.title), DEFAULT)
    yield ox.Quad(doc, RDFS_LABEL, string(article.title), DEFAULT)
    yield ox.Quad(doc, gk("contentSha256"), string(text_sha256), DEFAULT)
    yield ox.Quad(doc, gk("language"), string(article.language), DEFAULT)
    if article.publisher:
        yield ox.Quad(doc, gk("publisherName"), string(article.publisher), DEFAULT)
    if article.url:
        yield ox.Quad(doc, gk("url"), ox.NamedNode(article.url), DEFAULT)
    for prop, value in (("datePublished", article.date_published), ("dateNotBefore", article.date_not_before),
                        ("dateNotAfter", article.date_not_after), ("eventDate", article.event_date)):
        if value:
            yield ox.Quad(doc, gk(prop), typed(value, "date"), DEFAULT)


class _Minter:
    """IRIs for the things one annotation file names: entities, local sources and events."""

    def __init__(self, ann: Annotations):
        self.ann = ann
        self.doc = document_iri(ann.document)

    def source(self, source_id: str) -> ox.NamedNode:
        return ox.NamedNode(f"{CLAIM}{self.ann.document}/source/{source_id}")

    def event(self, event_id: str) -> ox.NamedNode:
        return ox.NamedNode(f"{EVENT}{self.ann.document}/{event_id}")

    def claim(self, claim_id: str) -> ox.NamedNode:
        return ox.NamedNode(f"{CLAIM}{self.ann.document}/{claim_id}")

    def ref(self, ref: str) -> ox.NamedNode:
        if ref == self.ann.document:
            return self.doc
        if ref in self.ann.sources:
            return self.source(ref)
        if ref in self.ann.events:
            return self.event(ref)
        return entity_iri(ref)


def annotations_to_rdf(ann: Annotations, text: str) -> Iterable[ox.Quad]:
    """The evidence graph of one document, and its events in the world layer."""
    mint = _Minter(ann)
    graph = mint.doc
    for source_id, source in sorted(ann.sources.items()):
        node = mint.source(source_id)
        yield ox.Quad(node, RDF_TYPE, gk(SOURCE_CLASS[source["type"]]), graph)
        yield ox.Quad(node, RDFS_LABEL, string(source.get("label") or source_id), graph)
        yield ox.Quad(node, gk("citedIn"), graph, graph)
        for key, prop in SOURCE_LINKS.items():
            if source.get(key):
                yield ox.Quad(node, gk(prop), mint.ref(source[key]), graph)
        if source.get("date"):
            yield ox.Quad(node, gk("datePublished"), typed(source["date"], "date"), graph)

    temporality = _event_temporality(ann.claims)
    for event_id, event in sorted(ann.events.items()):
        node = mint.event(event_id)
        yield ox.Quad(node, RDF_TYPE, gk(event["type"]), DEFAULT)
        yield ox.Quad(node, gk("reportedIn"), graph, DEFAULT)
        yield ox.Quad(node, gk("temporality"), gk(TEMPORALITY[temporality.get(event_id, "current")]), DEFAULT)
        for key, value in event.items():
            if key in ("type", "__line__"):
                continue
            prop, kind = EVENT_FIELDS[key]
            for item in value if isinstance(value, list) else [value]:
                if kind in ("entity", "event"):
                    obj = mint.ref(item)
                elif kind == "cameo":
                    obj = ox.NamedNode(PREFIXES["cameo"] + str(item))
                elif kind == "string":
                    obj = ox.Literal(str(item), language="en") if key in ("label", "note") else string(item)
                else:
                    obj = typed(item, kind)
                yield ox.Quad(node, RDFS_LABEL if key == "label" else gk(prop), obj, DEFAULT)

    for claim in ann.claims:
        yield from _claim_to_rdf(claim, ann, mint, text)

    for mention in ann.mentions:
        node = ox.NamedNode(f"{CLAIM}{ann.document}/mention/{mention.span.start}-{mention.span.end}")
        yield ox.Quad(node, RDF_TYPE, gk("Mention"), graph)
        yield ox.Quad(node, gk("refersTo"), mint.ref(mention.entity), graph)
        yield ox.Quad(node, gk("inDocument"), graph, graph)
        yield ox.Quad(node, gk("startOffset"), typed(mention.span.start, "integer"), graph)
        yield ox.Quad(node, gk("endOffset"), typed(mention.span.end, "integer"), graph)
        yield ox.Quad(node, gk("exact"), string(mention.span.text), graph)


def _claim_to_rdf(claim: Claim, ann: Annotations, mint: _Minter, text: str) -> Iterable[ox.Quad]:
    graph = mint.doc
    node = mint.claim(claim.id)
    span = ox.NamedNode(f"{node.value}/span")
    yield ox.Quad(node, RDF_TYPE, gk("Claim"), graph)
    yield ox.Quad(node, gk("claimSubject"), mint.ref(claim.subject), graph)
    yield ox.Quad(node, gk("claimRelation"), gk(claim.relation), graph)
    yield ox.Quad(node, gk("claimObject"), mint.ref(claim.object), graph)
    for event in claim.about:
        yield ox.Quad(node, gk("about"), mint.event(event), graph)
    yield ox.Quad(node, gk("statedIn"), graph, graph)
    yield ox.Quad(node, gk("evidence"), span, graph)
    yield ox.Quad(node, gk("attributedTo"), mint.ref(claim.attributed_to) if claim.attributed_to else graph, graph)
    if claim.source:
        yield ox.Quad(node, gk("citedSource"), mint.source(claim.source), graph)
    if claim.quotes:
        yield ox.Quad(node, gk("quotes"), mint.ref(claim.quotes), graph)
    if claim.primary_source:
        yield ox.Quad(node, gk("primarySource"), mint.ref(claim.primary_source), graph)
    for who in claim.not_confirmed_by:
        yield ox.Quad(node, gk("notConfirmedBy"), mint.ref(who), graph)
    yield ox.Quad(node, gk("status"), gk(STATUS[claim.status]), graph)
    yield ox.Quad(node, gk("certainty"), gk(CERTAINTY[claim.certainty]), graph)
    yield ox.Quad(node, gk("polarity"), gk(POLARITY[claim.polarity]), graph)
    yield ox.Quad(node, gk("temporality"), gk(TEMPORALITY[claim.temporality]), graph)
    yield ox.Quad(node, gk("extractionConfidence"), typed(claim.confidence, "decimal"), graph)
    annotator = ann.annotator if not ann.extractor_version else f"{ann.annotator} {ann.extractor_version}"
    yield ox.Quad(node, gk("annotatedBy"), string(annotator), graph)
    if claim.note:
        yield ox.Quad(node, gk("note"), ox.Literal(claim.note, language="en"), graph)
    yield ox.Quad(span, RDF_TYPE, gk("TextSpan"), graph)
    yield ox.Quad(span, gk("inDocument"), graph, graph)
    yield ox.Quad(span, gk("startOffset"), typed(claim.span.start, "integer"), graph)
    yield ox.Quad(span, gk("endOffset"), typed(claim.span.end, "integer"), graph)
    yield ox.Quad(span, gk("exact"), string(claim.span.text), graph)
    yield ox.Quad(span, gk("sentence"), string(sentence_around(text, claim.span.start, claim.span.end)), graph)


def _event_temporality(claims: list[Claim]) -> dict[str, str]:
    """An event is historical or future only when every claim about it says so."""
    seen: dict[str, set[str]] = {}
    for claim in claims:
        for event in claim.about:
            seen.setdefault(event, set()).add(claim.temporality)
    return {event: next(iter(values)) if len(values) == 1 else "current" for event, values in seen.items()}


_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’)]?\s+|\n\s*\n")


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence(s) holding text[start:end], verbatim, with surrounding white space trimmed."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    right = len(text)
    for match in _SENTENCE_END.finditer(text, max(end - 1, left)):
        if match.start() >= end - 1:
            right = match.start() + (1 if text[match.start()] in "”\"’)" else 0)
            break
    return text[left:right].strip()
