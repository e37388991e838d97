"""Entity linking against the offline reference snapshot (data/reference/*.yaml).

`Snapshot.load(folder)` reads entities.yaml, world*.yaml and local.yaml (kgbuild.reference);
`Linker(snapshot, nlp).link(doc)` returns the mentions of a parsed article: names and aliases,
demonyms, metonyms ('the Kremlin', 'Washington' or 'Caracas' for a government, decided in
context), descriptive phrases ('this South American country', 'the bloc') resolved to an
entity named before, and pronouns with a clear antecedent. Names that match nothing become
unlinked local entities (`local-…`, with a type and a label).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


DETERMINERS = {"this", "that", "these", "those", "his", "her", "its", "their", "a", "an", "our", "my"}
FUNCTION_WORDS = {"of", "de", "the", "and", "for", "in", "on", "da", "del", "la", "le", "al", "bin", "von", "der", "van"}
PLACE_PREPS = {"in", "at", "to", "into", "from", "near", "over", "outside", "inside", "around", "toward", "towards"}
LITERAL_VERBS = {"arrive", "land", "fly", "travel", "visit", "base", "station", "deploy", "move", "return",
                 "disembark", "hold", "meet", "go", "come", "leave", "head", "reach", "stay", "live", "sign"}
REGION_WORDS = {
    "south american": "South America", "latin american": "South America", "central american": "Central America",
    "west african": "Western Africa", "east african": "Eastern Africa", "north african": "Northern Africa",
    "southern african": "Southern Africa", "central african": "Middle Africa", "european": "Europe",
    "asian": "Asia", "east asian": "Eastern Asia", "southeast asian": "South-eastern Asia",
    "central asian": "Central Asia", "middle eastern": "Western Asia", "gulf": "Western Asia",
    "caribbean": "Caribbean", "baltic": "Northern Europe", "balkan": "Southern Europe",
}
STATE_NOUNS = {"country", "nation", "state", "island", "republic", "kingdom", "monarchy", "emirate", "neighbour", "neighbor"}
GOV_NOUNS = {"government", "junta", "regime", "authorities", "administration", "cabinet", "leadership"}
IGO_NOUNS = {"bloc", "alliance", "lender", "fund", "organisation", "organization", "union", "body"}
ORG_NOUNS = {"company", "group", "firm", "contractor", "militia", "agency", "outfit"}
# the last word of an alias that names one body of a named state ("China's foreign ministry")
BODY_HEADS = {"ministry", "department", "office", "army", "navy", "military", "guard", "forces", "agency", "service",
              "parliament", "senate", "treasury", "court", "bank", "police"}
NER_TYPES = {"PERSON": "Person", "ORG": "Organization", "GPE": "Place", "LOC": "Region", "FAC": "Place"}
# Heads of organisation names that may start with a demonym: "the Syrian National Army", "the
# Sudanese Armed Forces", "the Tigray People's Liberation Front" are bodies, not their states.
ORG_NAME_HEADS = {"army", "forces", "force", "front", "council", "party", "movement", "coalition", "alliance",
                  "guard", "guards", "brigade", "brigades", "militia", "committee", "corps", "organisation",
                  "organization", "union", "league", "congress", "command", "service", "police", "navy"}


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def usable_name(alias: str) -> bool:
    """Is an alias a name (matched anywhere), not a description needing context ('the airport')?"""
    words = alias.replace("’", "'").split()
    if not words or words[0].lower() in DETERMINERS:
        return False
    if words[0].lower() == "the":
        words = words[1:]
    if not words:
        return False
    first = words[0]
    if not (first[:1].isupper() or first[:1].isdigit() or first.startswith("@")):
        return False
    caps = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
    content = [w for w in words if w.lower() not in FUNCTION_WORDS]
    if len(words) >= 2 and words[-1].lower() in BODY_HEADS and (first.endswith("'s") or caps >= 1):
        # "China's foreign ministry", "Chinese foreign ministry": a named state's own body
        return True
    return caps * 2 >= len(content)


@dataclass
class Mention:
    start: int            # character offsets into the article
    end: int
    entity: str
    text: str
    kind: str = "name"    # name | alias | metonym | description | pronoun | local
    tok_start: int = 0    # token offsets into the doc
    tok_end: int = 0
    literal: str | None = None   # for metonyms: the literal place it could also be
    confidence: float = 1.0


@dataclass
class Snapshot:
    """The reference entities with their linker data (aliases, metonyms, region, capital)."""
    items: dict[str, dict[str, Any]]
    folder: Path | None = None
    local: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | None = None) -> "Snapshot":
        from .paths import data_dir
        from .reference import reference_items, read_reference
        folder = Path(folder) if folder else data_dir() / "reference"
        read_reference(folder)  # validates ids, types, QIDs and links
        items = {str(i["id"]): i for i in reference_items(folder)}
        return cls(items=items, folder=folder)

    def type_of(self, eid: str) -> str | None:
        item = self.items.get(eid) or self.local.get(eid)
        return item.get("type") if item else None

    def get(self, eid: str, key: str, default=None):
        item = self.items.get(eid) or self.local.get(eid) or {}
        return item.get(key, default)

    def state_of(self, eid: str | None) -> str | None:
        """The state an entity belongs to: itself for a state, its government_of/country otherwise."""
        if not eid:
            return None
        if self.type_of(eid) in ("State", "DeFactoState"):
            return eid  # a de facto state acts for itself, not for the state that claims its territory
        return self.get(eid, "government_of") or self.get(eid, "country") or self.get(eid, "position_of")

    def _index(self) -> None:
        if getattr(self, "_govs", None) is None:
            self._govs, self._forces = {}, {}
            for eid, item in self.items.items():
                if item.get("type") == "Government" and item.get("government_of"):
                    self._govs.setdefault(item["government_of"], eid)
                if item.get("type") == "ArmedForces" and item.get("country"):
                    self._forces.setdefault(item["country"], eid)

    def government_of(self, state: str | None) -> str | None:
        if not state:
            return None
        if self.type_of(state) == "Government":
            return state
        self._index()
        return self._govs.get(self.state_of(state))

    def armed_forces_of(self, state: str | None) -> str | None:
        state = self.state_of(state)
        if not state:
            return None
        self._index()
        return self._forces.get(state)

    def local_entity(self, label: str, etype: str, document: str) -> str:
        eid = f"local-{slug(label)}"
        if eid in self.items and self.items[eid].get("type") != etype:
            eid = f"{eid}-{etype.lower()}"
        if eid not in self.items and eid not in self.local:
            self.local[eid] = {"id": eid, "type": etype, "label": label, "linked": False,
                               "first_seen": document}
        return eid


class Linker:
    """Finds and links the mentions of a parsed article."""

    def __init__(self, snapshot: Snapshot, nlp):
        from spacy.matcher import PhraseMatcher
        self.snapshot = snapshot
        self.nlp = nlp
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.caseless = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.metonym_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.names: dict[str, list[str]] = {}
        self.metonyms: dict[str, str] = {}
        exact, caseless, metonyms = [], [], []
        for eid, item in snapshot.items.items():
            names = [str(item.get("label") or eid)] + [str(a) for a in item.get("aliases") or []]
            for name in names:
                if not usable_name(name):
                    continue
                variants = {name, name.replace("'", "’")}
                variants |= {v[0].upper() + v[1:] for v in variants if v.startswith("the ")}
                for variant in variants:
                    key = variant
                    if key in self.names:
                        if eid not in self.names[key]:
                            self.names[key].append(eid)
                        continue
                    self.names[key] = [eid]
                    if item.get("type") in ("NewsAgency", "NewsOrganization") and len(variant) > 4:
                        caseless.append(variant)
                    exact.append(variant)
            for name in item.get("metonyms") or []:
                for variant in {name, name[0].upper() + name[1:]}:
                    self.metonyms[variant] = eid
                    metonyms.append(variant)
        self.exact.add("NAME", list(nlp.tokenizer.pipe(exact)))
        self.caseless.add("NAME", list(nlp.tokenizer.pipe(caseless)))
        self.metonym_matcher.add("METONYM", list(nlp.tokenizer.pipe(metonyms)))
        self.caseless_names = {n.lower(): n for n in caseless}

    # ------------------------------------------------------------------ names
    def _choose(self, key: str) -> str | None:
        ids = self.names.get(key) or []
        if not ids:
            return None
        if len(ids) == 1:
            return ids[0]
        order = {"State": 0, "Person": 1, "IntergovernmentalOrganization": 2, "Government": 3}
        return sorted(ids, key=lambda e: (order.get(self.snapshot.type_of(e), 5), e))[0]

    def link(self, doc, *, document: str = "doc") -> list[Mention]:
        spans: list[tuple[int, int, str, str]] = []  # tok_start, tok_end, entity, kind
        for _, s, e in self.exact(doc):
            eid = self._choose(doc[s:e].text)
            if eid:
                spans.append((s, e, eid, "name"))
        for _, s, e in self.caseless(doc):
            name = self.caseless_names.get(doc[s:e].text.lower())
            eid = self._choose(name) if name else None
            if eid:
                spans.append((s, e, eid, "name"))
        for _, s, e in self.metonym_matcher(doc):
            eid = self.metonyms.get(doc[s:e].text)
            name = self._choose(doc[s:e].text)
            if name and self.snapshot.type_of(name) == "State":
                continue  # 'the US' is the state's own name
            if eid:
                spans.append((s, e, eid, "metonym"))
        spans = self._drop_demonyms_in_names(doc, spans)
        # A government name beats a bare capital; a longer span beats a shorter one.
        spans.sort(key=lambda x: (-(x[1] - x[0]), x[3] != "metonym", x[0]))
        taken = [False] * len(doc)
        chosen: list[tuple[int, int, str, str]] = []
        for s, e, eid, kind in spans:
            if any(taken[s:e]):
                continue
            for i in range(s, e):
                taken[i] = True
            chosen.append((s, e, eid, kind))
        # Extend names over possessive government phrases: "Maduro government", "his government".
        mentions = [self._mention(doc, s, e, eid, kind) for s, e, eid, kind in chosen]
        mentions = [m for m in mentions if m]
        mentions += self._local_entities(doc, taken, document)
        mentions.sort(key=lambda m: m.start)
        mentions = self._contextual(doc, mentions)
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _drop_demonyms_in_names(self, doc, spans):
        """A demonym or state name inside a longer organisation name that the snapshot does not
        know ('the rebel Syrian National Army') is part of that name, not a mention of the state."""
        known = {(s, e) for s, e, _, _ in spans}
        drop = set()
        for ent in doc.ents:
            if ent.label_ not in ("ORG", "NORP", "FAC") or len(ent) < 2 or (ent.start, ent.end) in known:
                continue
            if doc[ent.end - 1].lower_ not in ORG_NAME_HEADS:
                continue
            for s, e, eid, kind in spans:
                if ent.start <= s and e <= ent.end and (s, e) != (ent.start, ent.end) and \
                        self.snapshot.type_of(eid) in ("State", "Government") and not any(
                            s2 <= ent.start and ent.end <= e2 and (s2, e2) != (s, e) for s2, e2, _, _ in spans):
                    drop.add((s, e, eid, kind))
        return [sp for sp in spans if sp not in drop]

    def _mention(self, doc, s: int, e: int, eid: str, kind: str) -> Mention | None:
        span = doc[s:e]
        literal = None
        if kind == "metonym":
            # A capital named as a place ('arrived in Caracas', 'Caracas, Venezuela') is the city.
            city = self._choose(span.text)
            if city and self.snapshot.type_of(city) in ("City", "Region", "Place"):
                literal = city
            if self._is_literal_place(span):
                if literal:
                    return Mention(span.start_char, span.end_char, literal, span.text, "name", s, e)
                return None
        return Mention(span.start_char, span.end_char, eid, span.text, kind, s, e, literal=literal)

    @staticmethod
    def _is_literal_place(span) -> bool:
        root = span.root
        if span.text.startswith(("the ", "The ")) and span.text.split()[-1] in ("Kremlin", "House"):
            if root.head.lemma_ in ("in", "at", "inside", "outside") and root.dep_ == "pobj":
                return root.head.head.lemma_ not in ("say", "tell")
            return False
        nxt = span.doc[span.end] if span.end < len(span.doc) else None
        if nxt is not None and nxt.text == "," and span.end + 1 < len(span.doc) and span.doc[span.end + 1].ent_type_ == "GPE":
            return True
        if root.dep_ == "pobj" and root.head.lower_ in PLACE_PREPS:
            governor = root.head.head
            if governor.lemma_ in LITERAL_VERBS or governor.pos_ in ("NOUN", "PROPN", "NUM"):
                return True
            if root.head.lower_ in ("in", "at", "near", "from", "over", "inside", "outside"):
                return True
        return False

    def _local_entities(self, doc, taken: list[bool], document: str) -> list[Mention]:
        out = []
        surnames: dict[str, str] = {}
        for ent in doc.ents:
            etype = NER_TYPES.get(ent.label_)
            if not etype or any(taken[ent.start:ent.end]):
                continue
            text = ent.text
            if text.lower().startswith("the "):
                text = text[4:]
            if len(text) < 3 or not text[:1].isupper() or text.endswith(("’s", "'s")) or \
                    text in ("North", "South", "East", "West", "Pacific", "Atlantic"):
                continue
            for i in range(ent.start, ent.end):
                taken[i] = True
            # A person named before by full name and now by surname ("Bashar al-Assad" ... "Assad")
            # is the same person; the first full name mints the local entity.
            eid = surnames.get(text) if etype == "Person" and " " not in text else None
            if eid is None:
                eid = self.snapshot.local_entity(text, etype, document)
                if etype == "Person" and " " in text:
                    last = text.split()[-1]
                    surnames.setdefault(last, eid)
                    if "-" in last:  # al-Assad -> Assad
                        surnames.setdefault(last.split("-", 1)[1], eid)
            out.append(Mention(ent.start_char + (len(ent.text) - len(text)), ent.end_char, eid, text, "local",
                               ent.start, ent.end, confidence=0.5))
        return out

    # ------------------------------------------------------------------ context
    def _contextual(self, doc, mentions: list[Mention]) -> list[Mention]:
        """Descriptions, government phrases and pronouns, resolved against what came before."""
        snap = self.snapshot
        by_token: dict[int, Mention] = {}
        for m in mentions:
            for i in range(m.tok_start, m.tok_end):
                by_token[i] = m
        out = list(mentions)
        self._by_token = by_token
        history: list[Mention] = []
        covered = set(by_token)
        i = 0
        while i < len(doc):
            tok = doc[i]
            m = by_token.get(i)
            if m is not None:
                # "<State|Person>'s government", "<Demonym> government/authorities", "government of <Person>"
                gov = self._government_phrase(doc, m)
                if gov:
                    out.append(gov)
                    for j in range(gov.tok_start, gov.tok_end):
                        covered.add(j)
                history.append(m)
                i = m.tok_end
                continue
            if i in covered:
                i += 1
                continue
            found = self._description(doc, i, history) or self._pronoun(doc, i, history)
            if found:
                out.append(found)
                history.append(found)
                for j in range(found.tok_start, found.tok_end):
                    covered.add(j)
                i = found.tok_end
                continue
            i += 1
        return out

    def _government_phrase(self, doc, m: Mention) -> Mention | None:
        snap = self.snapshot
        etype = snap.type_of(m.entity)
        e = m.tok_end
        if etype in ("State", "Person"):
            j = e
            if j < len(doc) and doc[j].text in ("'s", "’s"):
                j += 1
            if j < len(doc) and doc[j].lower_ in GOV_NOUNS and doc[j].lower_ not in ("leadership",):
                gov = snap.government_of(snap.state_of(m.entity))
                if gov:
                    s = m.tok_start
                    if s > 0 and doc[s - 1].lower_ == "the":
                        s -= 1
                    return Mention(doc[s].idx, doc[j].idx + len(doc[j].text), gov, doc[s:j + 1].text,
                                   "description", s, j + 1, confidence=0.9)
        if etype in ("Person", "State"):
            # "the government of President Nicolas Maduro", "the government of the Republic of Honduras"
            s = m.tok_start
            while s > 0 and (doc[s - 1].text[:1].isupper() and doc[s - 1].pos_ in ("PROPN", "NOUN")
                             or etype == "State" and doc[s - 1].lower_ in ("of", "the") and s - 2 >= 0
                             and doc[s - 2].text in ("Republic", "Kingdom", "State", "the", "of")):
                s -= 1
            if s >= 2 and doc[s - 1].lower_ == "of" and doc[s - 2].lower_ in GOV_NOUNS:
                gov = snap.government_of(snap.state_of(m.entity))
                if gov:
                    start = s - 2
                    if start > 0 and doc[start - 1].lower_ == "the":
                        start -= 1
                    return Mention(doc[start].idx, m.end, gov, doc[start:m.tok_end].text, "description",
                                   start, m.tok_end, confidence=0.9)
        return None

    def _recent(self, history: list[Mention], want, limit: int = 60) -> str | None:
        for m in reversed(history[-limit:]):
            value = want(m.entity)
            if value:
                return value
        return None

    def _description(self, doc, i: int, history: list[Mention]) -> Mention | None:
        snap = self.snapshot
        tok = doc[i]
        if tok.lower_ not in ("the", "this", "that"):
            return None
        # the longest run of modifiers up to a head noun
        j = i + 1
        while j < len(doc) and j < i + 8 and (doc[j].pos_ in ("ADJ", "PROPN", "NOUN", "ADV", "NUM", "PUNCT", "VERB")
                                               and doc[j].text not in (",", ".", "(", ")", "“", "”", '"')):
            if doc[j].lower_ in STATE_NOUNS | GOV_NOUNS | IGO_NOUNS | ORG_NOUNS and not (
                    j + 1 < len(doc) and doc[j + 1].pos_ in ("NOUN", "PROPN") and doc[j + 1].lower_ not in ("'s", "’s")):
                break
            if doc[j].text in ("'s", "’s"):
                break
            j += 1
        if j >= len(doc) or j == i + 1 and doc[j].lower_ not in STATE_NOUNS | IGO_NOUNS | GOV_NOUNS | {"north", "south"}:
            if not (j < len(doc) and doc[j].lower_ in ("north", "south")):
                return None
        if j in self._by_token or (j + 1 < len(doc) and j + 1 in self._by_token and doc[j + 1].pos_ in ("PROPN", "NOUN")
                                   and doc[j].pos_ == "PROPN"):
            return None  # a name ('the Venezuelan Authorities'), not a description
        head = doc[j].lower_
        words = doc[i + 1:j].text.lower().replace("-", " ")
        region = None
        for key, value in REGION_WORDS.items():
            if key in words:
                region = value
        if head in ("north", "south") and j == i + 1 and doc[j].text[0].isupper():
            prefix = doc[j].text + " "
            state = self._recent(history, lambda e: snap.state_of(e) if str(snap.get(snap.state_of(e) or "", "label", "")).startswith(prefix) else None)
            if state:
                return Mention(tok.idx, doc[j].idx + len(doc[j].text), state, doc[i:j + 1].text, "description", i, j + 1, confidence=0.8)
            return None
        if head in STATE_NOUNS and head not in ("neighbour", "neighbor"):
            if doc[j].dep_ == "pobj" and doc[j].head.lower_ == "of" and doc[j].head.head.lower_ in ("part", "rest"):
                return None
            if j + 1 < len(doc) and doc[j + 1].lower_ == "of":
                return None  # "the state of emergency", "the Republic of Honduras"
            sent_start = tok.sent.start
            modifiers = {m.entity for m in history if m.tok_start >= sent_start
                         and doc[m.tok_end - 1].dep_ in ("amod", "compound") and doc[m.tok_end - 1].pos_ == "ADJ"}

            def want(e):
                if e in modifiers:
                    return None  # 'Russian troops are in the country': not Russia
                state = snap.state_of(e)
                if not state or snap.type_of(state) != "State":
                    return None
                if region and region not in (snap.get(state, "subregion") or "", snap.get(state, "region") or ""):
                    return None
                return state
            state = self._recent(history, want)
            if state:
                if j + 2 < len(doc) and doc[j + 1].text in ("'s", "’s") and doc[j + 2].lower_ in GOV_NOUNS:
                    gov = snap.government_of(state)
                    if gov:
                        return Mention(tok.idx, doc[j + 2].idx + len(doc[j + 2].text), gov, doc[i:j + 3].text,
                                       "description", i, j + 3, confidence=0.7)
                return Mention(tok.idx, doc[j].idx + len(doc[j].text), state, doc[i:j + 1].text, "description", i, j + 1,
                               confidence=0.75)
            return None
        if head in GOV_NOUNS:
            demonym_state = None
            for k in range(i + 1, j):
                pass
            if j + 1 < len(doc) and doc[j + 1].lower_ == "of":
                return None
            # "the junta in Mali", "the government in Kabul": the place it governs says whose
            if j + 2 < len(doc) and doc[j + 1].lower_ == "in" and self._by_token.get(j + 2) is not None:
                place = self._by_token[j + 2]
                gov = snap.government_of(snap.state_of(place.entity))
                if gov and snap.type_of(place.entity) in ("State", "City", "Government"):
                    return Mention(tok.idx, place.end, gov, doc[i:place.tok_end].text, "description", i, place.tok_end,
                                   confidence=0.85)
            state = self._recent(history, lambda e: snap.state_of(e) if snap.type_of(snap.state_of(e) or "") == "State" else None, 8)
            gov = snap.government_of(state)
            if gov and tok.lower_ == "the":
                return Mention(tok.idx, doc[j].idx + len(doc[j].text), gov, doc[i:j + 1].text, "description", i, j + 1,
                               confidence=0.7)
            return None
        if head in IGO_NOUNS:
            org = self._recent(history, lambda e: e if snap.type_of(e) == "IntergovernmentalOrganization" else None)
            if org:
                return Mention(tok.idx, doc[j].idx + len(doc[j].text), org, doc[i:j + 1].text, "description", i, j + 1,
                               confidence=0.7)
            return None
        if head in ORG_NOUNS:
            org = self._recent(history, lambda e: e if snap.type_of(e) in ("Organization", "PoliticalMovement") else None)
            if org:
                return Mention(tok.idx, doc[j].idx + len(doc[j].text), org, doc[i:j + 1].text, "description", i, j + 1,
                               confidence=0.6)
        return None

    def _pronoun(self, doc, i: int, history: list[Mention]) -> Mention | None:
        snap = self.snapshot
        tok = doc[i]
        low = tok.lower_
        if low in ("he", "his", "him", "she", "her"):
            sent_start = tok.sent.start
            person = None
            for m in reversed(history[-12:]):
                if snap.type_of(m.entity) in ("Person", "Journalist", "MilitaryOfficer") and m.tok_start >= sent_start - 60:
                    person = m.entity
                    break
            if person:
                nxt = doc[i + 1] if i + 1 < len(doc) else None
                if low in ("his", "her") and nxt is not None and nxt.lower_ in GOV_NOUNS:
                    gov = snap.government_of(snap.state_of(person))
                    if gov:
                        return Mention(tok.idx, nxt.idx + len(nxt.text), gov, doc[i:i + 2].text, "pronoun", i, i + 2,
                                       confidence=0.8)
                if low in ("his", "her") and nxt is not None and nxt.lower_ in ("military", "army", "forces", "troops"):
                    forces = snap.armed_forces_of(snap.state_of(person))
                    if forces:
                        return Mention(tok.idx, nxt.idx + len(nxt.text), forces, doc[i:i + 2].text, "pronoun", i, i + 2,
                                       confidence=0.7)
                return Mention(tok.idx, tok.idx + len(tok.text), person, tok.text, "pronoun", i, i + 1, confidence=0.7)
        if low in ("it", "its") and tok.pos_ == "PRON":
            sent = tok.sent
            for m in reversed(history[-6:]):
                if m.tok_start < sent.start - 1 and low == "its":
                    break
                if snap.type_of(m.entity) in ("State", "Government", "IntergovernmentalOrganization", "NewsAgency",
                                              "NewsOrganization", "Organization") and m.kind != "description":
                    head = doc[m.tok_end - 1]
                    if head.dep_ in ("amod", "compound") or m.text.endswith(("an", "ese", "ish")) and m.tok_end - m.tok_start == 1 and head.pos_ == "ADJ":
                        continue
                    return Mention(tok.idx, tok.idx + len(tok.text), m.entity, tok.text, "pronoun", i, i + 1, confidence=0.6)
        return None
