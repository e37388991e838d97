"""Annotation files: the seam between text and graph (format: docs/annotations.md).

`read_annotations(path, text=..., entities=...)` parses one YAML file and checks every
reference, span and value, raising GeokgError with the file and line of the first problem.
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import GeokgError

FORMAT = "geokg-annotations/1"

RELATIONS = (
    "backs", "opposes", "recognizes", "sanctions", "lendsTo", "deploysTo", "leads",
    "headOfState", "headOfGovernment", "threatens", "criticizes", "confirms", "commentsOn",
    "fliesTo", "importsFrom", "memberOf", "partOf", "governmentOf", "holdsPosition", "denies",
)
STATUSES = ("asserted", "reported", "unconfirmed", "denied", "negated", "hypothetical")
CERTAINTIES = ("certain", "probable", "possible", "underspecified")
POLARITIES = ("affirmed", "denied", "negated")
TEMPORALITIES = ("current", "historical", "future")
SOURCE_TYPES = ("NewsReport", "SocialMediaPost", "AnonymousSource", "NewsArticle")

# Event field -> (ontology property local name, kind). Kinds: entity (a reference entity,
# source or event id; a list is allowed), event (an event id of this file), or an XSD datatype.
EVENT_FIELDS: dict[str, tuple[str, str]] = {
    "label": ("label", "string"),
    "note": ("note", "string"),
    "actor": ("actor", "entity"),
    "recipient": ("recipient", "entity"),
    "place": ("place", "entity"),
    "origin": ("origin", "entity"),
    "destination": ("destination", "entity"),
    "aircraft": ("aircraft", "entity"),
    "aircraft_model": ("aircraftModel", "entity"),
    "operator": ("operator", "entity"),
    "commander": ("commander", "entity"),
    "ordered_by": ("orderedBy", "entity"),
    "lender": ("lender", "entity"),
    "borrower": ("borrower", "entity"),
    "authority": ("sanctionAuthority", "entity"),
    "target": ("sanctionTarget", "entity"),
    "recognizer": ("recognizer", "entity"),
    "recognized": ("recognized", "entity"),
    "recognized_as": ("recognizedAs", "entity"),
    "holder": ("holder", "entity"),
    "position": ("position", "entity"),
    "according_to": ("accordingTo", "entity"),
    "part_of": ("partOfEvent", "event"),
    "concerning": ("concerning", "event"),
    "date": ("date", "date"),
    "start_date": ("startDate", "date"),
    "end_date": ("endDate", "date"),
    "personnel": ("personnelCount", "integer"),
    "cargo_tonnes": ("cargoTonnes", "decimal"),
    "approximate": ("approximateFigures", "boolean"),
    "cargo": ("cargoDescription", "string"),
    "purpose": ("purpose", "string"),
    "amount": ("amountText", "string"),
    "amount_minimum": ("amountMinimum", "decimal"),
    "currency": ("currency", "string"),
    "measure": ("measure", "string"),
    "commodity": ("commodity", "string"),
    "threatened_action": ("threatenedAction", "string"),
    "interim": ("interim", "boolean"),
    "cameo": ("eventType", "cameo"),
}
EVENT_TYPES = (
    "Flight", "MilitaryDeployment", "MilitaryOperation", "EconomicAid", "Loan", "Sanction",
    "Embargo", "DiplomaticRecognition", "Threat", "Criticism", "Opposition", "Support",
    "Statement", "Confirmation", "Trade", "PositionHolding", "Event",
)


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class Claim:
    id: str
    relation: str
    subject: str
    object: str
    span: Span
    status: str
    certainty: str
    polarity: str
    temporality: str
    confidence: float
    about: list[str] = field(default_factory=list)  # the events the claim describes
    attributed_to: str | None = None  # None: the article itself
    source: str | None = None         # a document-local source the claim came through
    quotes: str | None = None
    primary_source: str | None = None
    not_confirmed_by: list[str] = field(default_factory=list)
    note: str | None = None
    line: int | None = None


@dataclass
class Mention:
    entity: str
    span: Span


@dataclass
class Annotations:
    path: Path
    document: str
    text_sha256: str
    annotator: str
    annotated: str | None
    sources: dict[str, dict[str, Any]]
    events: dict[str, dict[str, Any]]
    claims: list[Claim]
    mentions: list[Mention]
    extractor_version: str | None = None


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping, for error messages."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_annotations(path: Path, *, text: str, entities: set[str]) -> Annotations:
    """Parse and check one annotation file against its article text and the known entity ids."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise GeokgError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                         line=mark.line + 1 if mark else None) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise GeokgError(f"cannot read the annotation file: {exc}", path=path) from exc
    check = _Checker(path, text, entities)
    return check.document(raw)


class _Checker:
    def __init__(self, path: Path, text: str, entities: set[str]):
        self.path, self.text, self.entities = path, text, entities
        self.sources: dict[str, dict] = {}
        self.events: dict[str, dict] = {}

    def fail(self, message: str, line: int | None = None, hint: str | None = None):
        raise GeokgError(message, path=self.path, line=line, hint=hint)

    def document(self, raw: Any) -> Annotations:
        if not isinstance(raw, dict):
            self.fail("an annotation file must be a YAML mapping with format, document and claims")
        line = raw.get("__line__")
        if raw.get("format") != FORMAT:
            self.fail(f"unknown format {raw.get('format')!r}; expected {FORMAT!r}", line)
        for key in ("document", "text_sha256", "annotator", "claims"):
            if key not in raw:
                self.fail(f"missing top-level key '{key}'", line)
        if raw["text_sha256"] != sha256_text(self.text):
            self.fail("the article text has changed since it was annotated (text_sha256 differs)", line,
                      hint="re-check the spans against the new text, then update text_sha256")
        # A time-bound fact may be "according to" the article itself.
        self.entities = self.entities | {str(raw["document"])}
        self.sources = self.mapping_of(raw.get("sources") or {}, "sources")
        for sid, source in self.sources.items():
            if source.get("type") not in SOURCE_TYPES:
                self.fail(f"source '{sid}': type must be one of {', '.join(SOURCE_TYPES)}",
                          source.get("__line__"))
        self.events = self.mapping_of(raw.get("events") or {}, "events")
        for eid, event in self.events.items():
            self.event(eid, event)
        for sid, source in self.sources.items():
            for key in ("publisher", "author", "affiliation"):
                if key in source:
                    self.entity_ref(source[key], f"source '{sid}' {key}", source.get("__line__"))
        claims = raw["claims"]
        if not isinstance(claims, list):
            self.fail("'claims' must be a list (empty when the article states no relation)", line)
        seen: set[str] = set()
        parsed = [self.claim(c, seen) for c in claims]
        mentions = [self.mention(m) for m in raw.get("mentions") or []]
        return Annotations(path=self.path, document=str(raw["document"]), text_sha256=raw["text_sha256"],
                           annotator=str(raw["annotator"]),
                           annotated=str(raw["annotated"]) if raw.get("annotated") else None,
                           sources=self.sources, events=self.events, claims=parsed, mentions=mentions,
                           extractor_version=raw.get("extractor_version"))

    def mapping_of(self, value: Any, name: str) -> dict[str, dict]:
        if not isinstance(value, dict):
            self.fail(f"'{name}' must be a mapping of id to fields")
        out = {}
        for key, fields in value.items():
            if key == "__line__":
                continue
            if not isinstance(fields, dict):
                self.fail(f"{name} '{key}' must be a mapping of fields", value.get("__line__"))
            out[str(key)] = fields
        return out

    def known_ids(self) -> set[str]:
        return self.entities | set(self.sources) | set(self.events)

    def entity_ref(self, value: Any, what: str, line: int | None, *, allow_events: bool = True) -> str:
        # membership first: the reference holds thousands of ids, so no set is built per reference
        if isinstance(value, str) and (value in self.entities or value in self.sources or
                                       allow_events and value in self.events):
            return value
        known = self.entities | set(self.sources) | (set(self.events) if allow_events else set())
        if not isinstance(value, str) or value not in known:
            close = difflib.get_close_matches(str(value), sorted(known), n=1)
            self.fail(f"{what}: unknown entity {value!r} (not a reference entity, source or event of this file)",
                      line, hint=f"did you mean '{close[0]}'?" if close else
                      "add it to data/reference/entities.yaml, or to this file's sources or events")
        return value

    def event(self, eid: str, event: dict) -> None:
        line = event.get("__line__")
        etype = event.get("type")
        if etype not in EVENT_TYPES:
            self.fail(f"event '{eid}': type {etype!r} is not one of {', '.join(EVENT_TYPES)}", line)
        for key, value in event.items():
            if key in ("type", "__line__"):
                continue
            if key not in EVENT_FIELDS:
                close = difflib.get_close_matches(key, EVENT_FIELDS, n=1)
                self.fail(f"event '{eid}': unknown field '{key}'", line,
                          hint=f"did you mean '{close[0]}'?" if close else None)
            kind = EVENT_FIELDS[key][1]
            values = value if isinstance(value, list) else [value]
            for item in values:
                if kind == "entity":
                    self.entity_ref(item, f"event '{eid}' {key}", line)
                elif kind == "event" and item not in self.events:
                    self.fail(f"event '{eid}' {key}: {item!r} is not an event of this file", line)
                elif kind == "date" and not _is_date(item):
                    self.fail(f"event '{eid}' {key}: {item!r} is not a date (YYYY-MM-DD)", line)
                elif kind in ("integer", "decimal") and not isinstance(item, (int, float)) or (
                        kind == "integer" and isinstance(item, float)):
                    self.fail(f"event '{eid}' {key}: {item!r} is not a number", line)
                elif kind == "boolean" and not isinstance(item, bool):
                    self.fail(f"event '{eid}' {key}: {item!r} must be true or false", line)

    def span(self, raw: Any, owner: str, line: int | None) -> Span:
        span, quoted = raw.get("span"), raw.get("text")
        if (not isinstance(span, list) or len(span) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in span)):
            self.fail(f"{owner}: 'span' must be [start, end] character offsets", line)
        start, end = span
        if not 0 <= start < end <= len(self.text):
            self.fail(f"{owner}: span [{start}, {end}] is outside the article (0..{len(self.text)}) or empty", line)
        if quoted is not None and self.text[start:end] != quoted:
            self.fail(f"{owner}: the text at span [{start}, {end}] is {self.text[start:end]!r}, "
                      f"not {quoted!r}", line, hint="fix the span or the text")
        return Span(start, end, self.text[start:end])

    def claim(self, raw: Any, seen: set[str]) -> Claim:
        if not isinstance(raw, dict):
            self.fail("every claim must be a mapping")
        line = raw.get("__line__")
        cid = raw.get("id")
        if not isinstance(cid, str) or not cid:
            self.fail("a claim has no 'id'", line)
        if cid in seen:
            self.fail(f"claim id '{cid}' is used twice", line)
        seen.add(cid)
        owner = f"claim {cid}"
        for key in ("relation", "subject", "object", "span", "status"):
            if key not in raw:
                self.fail(f"{owner}: missing '{key}'", line)
        if raw["relation"] not in RELATIONS:
            close = difflib.get_close_matches(str(raw["relation"]), RELATIONS, n=1)
            self.fail(f"{owner}: unknown relation {raw['relation']!r}", line,
                      hint=f"did you mean '{close[0]}'?" if close else "relations: " + ", ".join(RELATIONS))
        values = {}
        for key, allowed, default in (("status", STATUSES, None), ("certainty", CERTAINTIES, "underspecified"),
                                      ("polarity", POLARITIES, "affirmed"),
                                      ("temporality", TEMPORALITIES, "current")):
            value = raw.get(key, default)
            if value not in allowed:
                self.fail(f"{owner}: {key} {value!r} is not one of {', '.join(allowed)}", line)
            values[key] = value
        confidence = raw.get("confidence", 1.0)
        if not isinstance(confidence, (int, float)) or isinstance(confidence, bool) or not 0 <= confidence <= 1:
            self.fail(f"{owner}: confidence {confidence!r} must be a number from 0 to 1", line)
        about = raw.get("about") or []
        about = about if isinstance(about, list) else [about]
        for event in about:
            if event not in self.events:
                self.fail(f"{owner}: about {event!r} is not an event of this file", line)
        source = raw.get("source")
        if source is not None and source not in self.sources:
            self.fail(f"{owner}: source {source!r} is not a source of this file", line)
        not_confirmed = raw.get("not_confirmed_by") or []
        if not isinstance(not_confirmed, list):
            not_confirmed = [not_confirmed]
        return Claim(
            id=cid, relation=raw["relation"],
            subject=self.entity_ref(raw["subject"], f"{owner} subject", line),
            object=self.entity_ref(raw["object"], f"{owner} object", line),
            span=self.span(raw, owner, line), confidence=float(confidence), about=about,
            attributed_to=(self.entity_ref(raw["attributed_to"], f"{owner} attributed_to", line, allow_events=False)
                           if raw.get("attributed_to") else None),
            source=source,
            quotes=self.entity_ref(raw["quotes"], f"{owner} quotes", line, allow_events=False) if raw.get("quotes") else None,
            primary_source=(self.entity_ref(raw["primary_source"], f"{owner} primary_source", line, allow_events=False)
                            if raw.get("primary_source") else None),
            not_confirmed_by=[self.entity_ref(v, f"{owner} not_confirmed_by", line, allow_events=False)
                              for v in not_confirmed],
            note=raw.get("note"), line=line, **values)

    def mention(self, raw: Any) -> Mention:
        if not isinstance(raw, dict) or "entity" not in raw:
            self.fail("every mention needs 'entity' and 'span'")
        line = raw.get("__line__")
        entity = self.entity_ref(raw["entity"], "mention", line)
        return Mention(entity=entity, span=self.span(raw, f"mention of '{entity}'", line))


def _is_date(value: Any) -> bool:
    import datetime
    if isinstance(value, datetime.date):
        return True
    try:
        datetime.date.fromisoformat(str(value))
        return True
    except ValueError:
        return False
