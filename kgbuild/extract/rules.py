"""Relation rules of the extractor (the first, hand-written generation): English news text -> an annotation mapping (docs/annotations.md).

`annotate(text, document_id=..., meta=..., nlp=..., reference=...)` parses the text with a
spaCy pipeline, links mentions (kgbuild.link) and applies rules built on dependency relations
and trigger lexicons to find the analyst relations, then decides for every claim who says it
(attribution), how sure it is (status, certainty), its polarity and its time (current or
background). The result has the shape of an annotation file, with `annotator: geokg-extractor`,
the extractor version and a confidence per claim. Method and limits: docs/extraction.md.

Principle: a wrong claim is worse than a missing one. When the parse and the article disagree
(a garbled sentence), the claim is cross-checked against the article's other claims and
dropped, or kept with a low confidence and a note; a reversed relation is never asserted.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from . import calibrate as calibration, frames, lexicon, modality
from .dates import as_date as _as_date, resolve_date
from .parse import load_pipeline, prepare

EXTRACTOR = "geokg-extractor"
EXTRACTOR_VERSION = "0.1.0"

# ---------------------------------------------------------------------- lexicons (data: lexicons/*.yaml)
REPORT_VERBS = lexicon.words("cues", "reporting_verbs")
DENY_VERBS = lexicon.words("cues", "denial_verbs")
NEG_VERBS = lexicon.words("cues", "negating_verbs")
HEDGES = lexicon.words("cues", "approximation_words")
HISTORICAL_CUES = lexicon.phrases_regex("cues", "historical_phrases")
SINCE_YEAR = re.compile(r"\bsince (19|20)\d\d\b")
UNCONFIRMED_CUES = lexicon.phrases_regex("cues", "unconfirmed_patterns")
HYPOTHETICAL_CUES = lexicon.phrases_regex("cues", "hypothetical_patterns")
TROOP_NOUNS = lexicon.words("words", "troop_nouns")
CRAFT_NOUNS = lexicon.words("words", "craft_nouns")
WEAPON_NOUNS = lexicon.words("words", "weapon_nouns")
ALLY_NOUNS = lexicon.words("words", "ally_nouns")
ACTION_NOUNS = lexicon.words("words", "action_nouns")
EVENT_NOUNS = dict(lexicon.load("words")["event_nouns"])
CRITICIZE_VERBS = lexicon.words("words", "criticize_verbs")
SUPPORT_VERBS = lexicon.words("words", "support_verbs")
SUPPLY_VERBS = lexicon.words("words", "supply_verbs")
DEPLOY_VERBS = lexicon.words("words", "deploy_verbs")
ARRIVE_VERBS = lexicon.words("words", "arrive_verbs")
INVADE_VERBS = lexicon.words("words", "invade_verbs")
THREAT_VERBS = lexicon.words("words", "threat_verbs")
LEND_VERBS = lexicon.words("words", "lend_verbs")
LOAN_NOUNS = lexicon.words("words", "loan_nouns")
SANCTION_NOUNS = lexicon.words("words", "sanction_nouns")
RECOGNIZE_VERBS = lexicon.words("words", "recognize_verbs")
TIE_NOUNS = lexicon.words("words", "tie_nouns")
HOS_TITLES = dict(lexicon.load("words")["head_titles"])
LEAD_TITLES = lexicon.words("words", "lead_titles")
TITLE_BLOCKERS = lexicon.words("words", "title_blockers")
PAST_TITLE_WORDS = lexicon.words("words", "past_title_words")
OFFICE_NOUNS = lexicon.words("words", "office_nouns")
SPEAKER_NOUNS = lexicon.words("words", "speaker_nouns")
HEARSAY_ADVERBS = lexicon.words("cues", "hearsay_adverbs")
OBJECT_CONTROL = lexicon.words("cues", "object_control_verbs")
ASSET_NOUNS = lexicon.words("words", "asset_nouns")
BACKED_PARTICIPLES = lexicon.words("words", "backed_participles")
CLAIM_NOUNS = lexicon.words("cues", "claim_nouns")
DISMISSIVE_ADJECTIVES = lexicon.words("cues", "dismissive_adjectives")
EVIDENCE_NOUNS = lexicon.words("cues", "evidence_nouns")
BORDER_NOUNS = lexicon.words("words", "border_nouns")
CONTESTED_STATES = lexicon.words("words", "contested_states")
PORTFOLIO_WORDS = lexicon.words("words", "portfolio_words")
POLITY_NOUNS = lexicon.words("words", "polity_nouns")
INTERSTATE_RELATIONS = {"backs", "opposes", "sanctions", "criticizes", "threatens", "lendsTo", "deploysTo", "recognizes"}
LINK_PARTICIPLES = lexicon.words("words", "link_participles")
ABUSE_NOUNS = lexicon.words("words", "abuse_nouns")
NEG_PHRASAL = {str(p).split()[0]: str(p).split()[1] for p in lexicon.load("cues").get("negating_phrasal_verbs") or []}
STATE_ACTS = {"recognizes", "sanctions", "lendsTo", "deploysTo", "importsFrom"}
EVENT_TYPES = {"deploysTo": "MilitaryDeployment", "fliesTo": "Flight", "lendsTo": "Loan", "sanctions": "Sanction",
               "recognizes": "DiplomaticRecognition", "backs": "Support", "opposes": "Opposition",
               "threatens": "Threat", "criticizes": "Criticism"}
CAMEO = {str(k): str(v) for k, v in lexicon.load("words")["cameo_codes"].items()}


@dataclass
class Cand:
    relation: str
    subject: str
    object: str
    start: int
    end: int
    trigger: Any = None
    status: str = "asserted"
    certainty: str = "certain"
    polarity: str = "affirmed"
    temporality: str = "current"
    confidence: float = 0.85
    attributed_to: str | None = None
    source: str | None = None
    quotes: str | None = None
    not_confirmed_by: list[str] = field(default_factory=list)
    note: str | None = None
    about: str | None = None
    sent_index: int = 0
    event: dict[str, Any] = field(default_factory=dict)
    fixed_status: bool = False


# ---------------------------------------------------------------------- the extractor

# Event type -> (field for the claim's subject, field for its object, label template).
EVENT_ROLES = {
    "MilitaryDeployment": ("actor", "recipient", "{s} deployment to {o}"),
    "Flight": ("operator", "destination", "{s} flight to {o}"),
    "Loan": ("lender", "borrower", "loan from {s} to {o}"),
    "Sanction": ("authority", "target", "sanctions by {s} on {o}"),
    "DiplomaticRecognition": ("recognizer", "recognized", "recognition of {o} by {s}"),
}
DEFAULT_EVENT_ROLES = ("actor", "recipient", "{type} by {s} towards {o}")

class Extractor:
    def __init__(self, doc, mentions, snapshot, *, document_id: str, meta: dict, text: str | None = None):
        self.doc, self.snap, self.document_id, self.meta = doc, snapshot, document_id, meta
        self.mentions = mentions
        self.tok2m: dict[int, Any] = {}
        for m in mentions:
            for i in range(m.tok_start, m.tok_end):
                self.tok2m.setdefault(i, m)
        self.sents = list(doc.sents)
        self.tokens = list(doc)
        self.sent_toks = [self.tokens[s.start:s.end] for s in self.sents]
        self.sent_lemmas = [{t.lemma_.lower() for t in toks} | {t.lower_ for t in toks} for toks in self.sent_toks]
        self._sent_of = {}
        for n, s_ in enumerate(self.sents):
            for i in range(s_.start, s_.end):
                self._sent_of[i] = n
        self.cands: list[Cand] = []
        self.sources: dict[str, dict] = {}
        self.heads_of: dict[str, str] = {}   # person -> state, from titles in this article
        self.date = _as_date(meta.get("date") or meta.get("date_published"))
        self.skip_sents: set[int] = set()
        # the article itself (the parser read it with datelines blanked); Doc.text joins every
        # token on each access, so it is read once
        text = self.text = text if text is not None and len(text) == len(doc.text) else doc.text
        self._ents = doc.ents
        first = self.sents[0] if self.sents else None
        if first is not None and len(self.sents) > 1:
            line = text[first.start_char:first.end_char]
            head = line.split("\n")[0].strip()
            rest = line[len(line.split("\n")[0]):]
            if head and head[-1] not in ".!?”\"'" and rest.strip() == "":
                self.skip_sents.add(0)  # a headline: its facts are repeated in the body
        # A headline line (no final punctuation, then a blank line) is never evidence, even when the
        # parser runs it into the next sentence (a blanked dateline between them)
        self.headline_end = 0
        first_line = text.split("\n", 1)[0]
        if len(self.sents) > 1 and first_line.strip() and first_line.rstrip()[-1] not in ".!?”\"'" and \
                text[len(first_line):len(first_line) + 2].startswith("\n") and "\n\n" in text[len(first_line):len(first_line) + 3]:
            self.headline_end = len(first_line)

    # ----------------------------------------------------------------- helpers
    def ents_in(self, span) -> list:
        """span.ents from the doc's entities read once (Doc.ents builds them on every access)."""
        return [e for e in self._ents if e.start >= span.start and e.end <= span.end]

    def ent(self, tok) -> str | None:
        m = self.tok2m.get(tok.i)
        return m.entity if m else None

    def mention_at(self, tok):
        return self.tok2m.get(tok.i)

    def etype(self, eid: str | None) -> str | None:
        return self.snap.type_of(eid) if eid else None

    def conjuncts(self, tok) -> list:
        out = [tok]
        for c in tok.conjuncts:
            if c.i > tok.i and c not in out:
                out.append(c)
        if len(out) > 1 and tok.dep_ not in ("nsubj", "nsubjpass"):
            # "sanctioned leaders, including X, and Washington, London and Brussels have also
            # targeted ...": the list after ", and" is the subject of a new clause the parser
            # hung on this object
            doc = tok.doc
            last = out[-1].right_edge.i
            if last + 1 < len(doc) and doc[last + 1].pos_ in ("AUX", "VERB"):
                for k in range(1, len(out)):
                    left = out[k].left_edge.i
                    if left >= 2 and doc[left - 1].lower_ in ("and", "but") and doc[left - 2].text == ",":
                        out = out[:k]
                        break
        return out

    def owner(self, tok) -> str | None:
        """The entity a noun belongs to: 'Russian soldiers', 'the US moves', 'China's plan'."""
        for child in tok.children:
            if child.dep_ in ("amod", "compound") and child.lower_ in LINK_PARTICIPLES and child.i >= 2 and \
                    self.doc[child.i - 1].text == "-":
                continue  # "Maduro-aligned officials", "Russian-backed separatists" are not Maduro's or Russia's own
            if child.i >= 2 and self.doc[child.i - 1].text == "-" and self.doc[child.i - 2].lower_ in ("pro", "anti"):
                continue  # "a pro-Russian party" is not Russia's party
            if child.dep_ in ("poss", "compound", "amod", "nmod", "npadvmod") and child.i < tok.i:
                e = self.ent(child)
                if e and self.etype(e) not in ("AircraftModel", "Aircraft"):  # a plane's model is not its owner
                    return e
                for gc in child.subtree:
                    e = self.ent(gc)
                    if e and gc.i < tok.i and self.etype(e) not in ("AircraftModel", "Aircraft"):
                        return e
        # "any act by President Castillo", "the seizure by the Taliban": the doer of an act named by a noun
        if tok.lemma_.lower() in ACTION_NOUNS or tok.lemma_.lower() in EVENT_NOUNS:
            for child in tok.children:
                e = self._pobj_entity(child) if child.dep_ == "prep" and child.lower_ == "by" else None
                if e:
                    return e
        # "the steps taken by Baku", "measures announced by the EU": the agent of a participle
        for child in tok.children:
            if child.dep_ == "acl" and child.tag_ == "VBN":
                for a in child.children:
                    e = self._pobj_entity(a) if a.dep_ == "agent" else None
                    if e:
                        return e
        # surface: "the US moves" when the parser made the noun a verb
        j = tok.i - 1
        while j >= max(0, tok.i - 4) and self.doc[j].pos_ in ("ADJ", "NUM") and not self.ent(self.doc[j]):
            j -= 1
        if j >= 0 and self.ent(self.doc[j]) and self.tok2m[j].tok_end == j + 1 and self.doc[j].dep_ != "pobj":
            return self.ent(self.doc[j])
        return None

    def np_entity(self, tok, *, role: str = "") -> str | None:
        m = self.mention_at(tok)
        if m:
            if self.etype(m.entity) == "State" and m.tok_end - m.tok_start == 1 and tok.pos_ == "ADJ" and tok.dep_ == "amod":
                return None
            return m.entity
        lemma = tok.lemma_.lower()
        # "the army's chief of staff, General X", "an M23 commander, Bernard Byamungu": the named person
        for child in tok.children:
            if child.dep_ == "appos" and child.pos_ == "PROPN":
                m2 = self.mention_at(child)
                if m2 and self.etype(m2.entity) in ("Person", "MilitaryOfficer"):
                    return m2.entity
        if lemma in TROOP_NOUNS or tok.lower_ in TROOP_NOUNS:
            own = self.owner(tok) or self._of_owner(tok) or self._loyal_to(tok)
            if own is None or own.startswith("local-"):
                return None
            if self.etype(own) in ("State", "Government"):
                return self.snap.armed_forces_of(own) or self.snap.state_of(own)
            return own
        if lemma in BORDER_NOUNS:  # "along the border with Kosovo": the neighbour
            for child in tok.children:
                if child.dep_ == "prep" and child.lower_ == "with":
                    for p in child.children:
                        if p.dep_ == "pobj":
                            return self.np_entity(p)
            return self.owner(tok)  # "near the Ukraine border", "on Poland's border"
        if lemma in OFFICE_NOUNS:  # "Iran's foreign minister", "a senior US official": the office's state
            return self._of_owner(tok) or self.owner(tok)
        if lemma in ASSET_NOUNS:
            # a state's targets and interests are the state's ("a strike on its embassy" after "Tehran")
            own = self.owner(tok)
            if own and self.etype(own) in ("Government", "ArmedForces", "MilitaryUnit") and \
                    self.etype(self.snap.state_of(own)) == "State":
                return self.snap.state_of(own)  # "Cambodian military targets" are Cambodia's
            return own
        if lemma in CRAFT_NOUNS or lemma in ACTION_NOUNS or any(c.dep_ == "poss" for c in tok.children):
            return self.owner(tok)
        return None

    def _pobj_entity(self, prep) -> str | None:
        """The entity a preposition's object names ('by the Taliban')."""
        for p in prep.children:
            e = self.ent(p) if p.dep_ == "pobj" else None
            if e:
                return e
        return None

    def _loyal_to(self, tok) -> str | None:
        """'soldiers loyal to Mamady Doumbouya', 'forces allied with Haftar': whose they are."""
        for child in tok.children:
            if child.dep_ in ("amod", "acl") and child.lemma_.lower() in ("loyal", "allied", "aligned", "answerable"):
                for prep in child.children:
                    e = self._pobj_entity(prep) if prep.dep_ == "prep" and prep.lower_ in ("to", "with") else None
                    if e:
                        return e
        return None

    def _of_owner(self, tok) -> str | None:
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ in ("from", "of", "at", "by"):
                for p in child.children:
                    if p.dep_ == "pobj":
                        e = self.np_entity(p)
                        if e:
                            return e
        return None

    LIST_TYPES = frozenset({"State", "Government", "IntergovernmentalOrganization", "Organization"})

    def surface_list(self, tok) -> list:
        """The heads of a list that continues after `tok`'s mention in the text when the parser
        broke it ("listed by Ankara, the European Union and the United States" read with the EU as
        an apposition of the subject). A list must close with "and"/"or" and hold only states and
        organisations; ", the EU said" is not one."""
        m = self.mention_at(tok)
        if m is None or self.etype(m.entity) not in self.LIST_TYPES:
            return []
        doc, i, found = self.doc, m.tok_end, []
        while i < len(doc) and len(found) < 12:
            closing = doc[i].lower_ in ("and", "or")
            if not closing and doc[i].text != ",":
                return []
            j = i + 1
            if not closing and j < len(doc) and doc[j].lower_ in ("and", "or"):
                closing, j = True, j + 1
            while j < len(doc) and doc[j].pos_ == "DET":
                j += 1
            nxt = self.tok2m.get(j)
            if nxt is None or nxt.tok_start != j or self.etype(nxt.entity) not in self.LIST_TYPES:
                return []
            found.append(doc[nxt.tok_end - 1])
            i = nxt.tok_end
            if closing:
                after = doc[i] if i < len(doc) else None
                # "..., Britain and France said": the list is the next clause's subject, not this one
                if after is not None and after.pos_ in ("VERB", "AUX") and after.dep_ != "punct":
                    return []
                return found
        return []

    APPOSED_NOUNS = frozenset({"region", "republic", "territory", "area", "enclave", "province", "group", "militia",
                               "party", "movement", "force", "faction", "administration", "government"})

    def surface_apposition(self, noun) -> list[str]:
        """The names right after a descriptive noun phrase that the parser did not hang on it:
        "two Russian-backed breakaway regions in eastern Ukraine, the Donetsk and Luhansk People's
        Republics". Only for nouns that name polities or groups, and only a closed list."""
        if noun.lemma_.lower() not in self.APPOSED_NOUNS:
            return []
        doc = self.doc
        i = noun.right_edge.i + 1
        if i >= len(doc) or doc[i].text != ",":
            return []
        j = i + 1
        while j < len(doc) and doc[j].pos_ == "DET":
            j += 1
        first = self.tok2m.get(j)
        if first is None or first.tok_start != j or self.etype(first.entity) in ("State", "City", "Person"):
            return []
        found = [first.entity]
        k = first.tok_end
        while k < len(doc) and doc[k].lower_ in ("and", ",", "or") and len(found) < 6:
            nxt = self.tok2m.get(k + 1)
            if nxt is None or nxt.tok_start != k + 1:
                break
            if nxt.entity not in found:
                found.append(nxt.entity)
            k = nxt.tok_end
        return found

    def np_entities(self, tok, role: str = "") -> list[str]:
        out = []
        heads = self.conjuncts(tok)
        if len(heads) == 1:
            heads.extend(h for h in self.surface_list(tok) if h not in heads)
        for h in list(heads):
            # "The United States, Britain, the European Union and Canada": a list of states that the
            # parser read as an apposition (a state is never another state's apposition)
            if self.etype(self.ent(h)) in ("State", "IntergovernmentalOrganization", "Government"):
                for c in h.children:
                    if c.dep_ == "appos" and self.etype(self.ent(c)) in ("State", "IntergovernmentalOrganization", "Government"):
                        heads.extend(x for x in self.conjuncts(c) if x not in heads)
        for h in heads:
            e = self.np_entity(h, role=role)
            if e is None and h.lower_ in ("they", "we", "it") and h.dep_ in ("nsubj", "nsubjpass") \
                    and h.head.dep_ == "ccomp" and h.head.head.lemma_.lower() in REPORT_VERBS:
                # "Italy, Germany and Austria said they would send": the speakers
                speakers = [x for x in self.subjects(h.head.head) if x]
                if speakers:
                    out.extend(x for x in speakers if x not in out)
                    continue
            if e is None and h.lower_ in ("both", "they", "all") and h.dep_ in ("nsubj", "nsubjpass"):
                out.extend(self.previous_subjects(h))
                continue
            if e is None:
                e = self.plural_reference(h)
                if isinstance(e, list):
                    out.extend(e)
                    continue
            if e and e not in out:
                out.append(e)
            if e is None:
                # "16 individuals and five entities, including the KGB": the named members
                for c in h.children:
                    if c.dep_ == "prep" and c.lower_ in ("including", "among"):
                        for p in c.children:
                            if p.dep_ == "pobj":
                                out.extend(x for x in self.np_entities(p) if x not in out)
        return out

    NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "2": 2, "3": 3, "4": 4, "5": 5}

    def counted_states(self, tok):
        """'the three countries', 'both governments', 'the same four states', 'the two sides': as many
        distinct states (or their governments) as the number says, the latest named in this and the
        two sentences before. Nothing unless exactly that many are found."""
        lemma = tok.lemma_.lower()
        if lemma not in POLITY_NOUNS or not tok.lower_.endswith("s") and lemma != "both":
            return None
        n = 0
        for c in tok.children:
            if c.lower_ in self.NUMBER_WORDS:
                n = self.NUMBER_WORDS[c.lower_]
            elif c.lower_ == "both":
                n = 2
        if n < 2:
            return None
        # the latest sentence (this one up to the noun, or one of the three before) that names
        # exactly that many states: "Saudi Arabia, Egypt and Bahrain met ... the three countries"
        here = self.sent_index(tok)
        for k in range(here, max(-1, here - 4), -1):
            sent = self.sents[k]
            found: list[str] = []
            for m in sorted(self.mentions, key=lambda m: m.tok_start):
                if not (sent.start <= m.tok_start and m.tok_end <= min(sent.end, tok.i)):
                    continue
                if self.etype(m.entity) not in ("State", "Government"):
                    continue
                state = self.snap.state_of(m.entity) or m.entity
                if self.etype(state) != "State":
                    continue
                eid = (self.snap.government_of(state) or state) if lemma in ("government", "administration") else state
                if eid not in found:
                    found.append(eid)
            if len(found) == n:
                return found
            if len(found) > n:
                return None
        return None

    def plural_reference(self, tok):
        """'the two regions', 'the area': the regions named just before; 'the three countries':
        counted_states."""
        if tok.lemma_.lower() in POLITY_NOUNS:
            return self.counted_states(tok)
        if tok.lemma_.lower() not in ("region", "area", "territory", "republic"):
            return None
        n = 1
        for c in tok.children:
            if c.like_num:
                n = {"two": 2, "three": 3, "2": 2, "3": 3}.get(c.lower_, 1)
        if tok.lower_.endswith("s") and n == 1 or tok.lower_ == "area":
            n = 2 if tok.lower_ == "area" else max(n, 2)
        found: list[str] = []
        for m in sorted((m for m in self.mentions if m.tok_end <= tok.i), key=lambda m: -m.tok_start):
            if self.etype(m.entity) in ("Region", "DeFactoState") and m.entity not in found:
                found.append(m.entity)
            if len(found) >= n:
                break
        return list(reversed(found)) or None

    def previous_subjects(self, tok) -> list[str]:
        sent = tok.sent
        idx = self.sent_index(tok)
        if idx == 0:
            return []
        prev = self.sents[idx - 1]
        for t in prev:
            if t.dep_ == "nsubj" and t.head.dep_ == "ROOT":
                ents = [e for e in self.np_entities(t) if e]
                if len(ents) > 1:
                    return ents
        return []

    def sent_index(self, tok) -> int:
        return self._sent_of.get(tok.i, 0)

    def subjects(self, verb, *, depth: int = 0, via: str = "") -> list[str]:
        """Who does the verb: its subject, the agent of a passive, or the controller of an
        infinitive/participle (climbing to the verb it depends on)."""
        if depth > 4:
            return []
        controlled = self.object_controller(verb)
        if controlled is not None:
            return controlled
        for child in verb.children:
            if child.dep_ == "agent":
                for p in child.children:
                    if p.dep_ == "pobj":
                        return self.np_entities(p)
        if verb.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
            # a passive whose by-phrase the parser hung lower ("was hit with sanctions in its
            # history by the European Union"): the first by-phrase of the clause naming an actor
            agent = self.clause_by_agent(verb)
            if agent:
                return agent
        for child in verb.children:
            if child.dep_ in ("nsubj", "csubj"):
                if child.lower_ in ("which", "who", "that") and verb.dep_ == "relcl":
                    return self.np_entities(verb.head)
                ents = self.np_entities(child)
                return ents
        if depth > 0 and via == "xcomp":
            # climbing from a controlled clause: "the EU is expected to impose", "X was asked to send"
            for child in verb.children:
                if child.dep_ == "nsubjpass":
                    return self.np_entities(child)
        if verb.dep_ == "relcl":
            return self.np_entities(verb.head)
        if verb.dep_ in ("xcomp", "advcl", "conj", "pcomp", "acl", "ccomp") or verb.dep_ == "pobj":
            head = verb.head
            if verb.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN"):
                own = self.owner(head)
                if own:
                    return [own]
                # "Trump signed a proclamation recognising ...", "issued an order imposing ...": the
                # document's author, the subject of the verb that made it
                if head.dep_ == "dobj" and head.head.pos_ in ("VERB", "AUX"):
                    return self.subjects(head.head, depth=depth + 1, via="acl")
                return []
            if head.pos_ == "ADP":
                head = head.head
                if head.pos_ in ("NOUN", "PROPN"):
                    head = head.head
            if verb.dep_ == "ccomp":
                return []
            return self.subjects(head, depth=depth + 1, via=verb.dep_)
        return []

    def clause_by_agent(self, verb) -> list[str]:
        """Actors of a 'by' phrase inside the verb's own clause (not in a subordinate clause)."""
        stack = [c for c in verb.children if c.dep_ not in ("advcl", "ccomp", "relcl", "xcomp", "conj", "parataxis")]
        while stack:
            t = stack.pop(0)
            if t.dep_ == "prep" and t.lower_ == "by" and not (t.head.lemma_.lower() in ACTION_NOUNS | ABUSE_NOUNS):
                # ("designated for violations by the police": the police did the violations)
                for p in t.children:
                    if p.dep_ == "pobj":
                        found = [e for e in self.np_entities(p) if self.etype(e) not in (None, "Region", "City", "Place")]
                        if found:
                            return found
            stack.extend(c for c in t.children if c.dep_ not in ("advcl", "ccomp", "relcl", "acl", "parataxis"))
        return []

    def object_controller(self, verb) -> list[str] | None:
        """Object control: in "accused X of backing Y" and "urged X to stop arming Y" the doer of
        the embedded verb is X, the object of the governing verb (None: not such a clause)."""
        head = verb.head
        if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.lower_ in ("of", "for") and \
                head.head.dep_ == "dobj" and head.head.head.lemma_.lower() in OBJECT_CONTROL:
            # "accused ECOWAS of imposing sanctions" with "of" hung on the object: the object acts
            return self.np_entities(head.head)
        if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.lower_ in ("of", "for"):
            governor = head.head
        elif verb.dep_ in ("xcomp", "ccomp") and any(c.dep_ == "dobj" for c in head.children):
            governor = head
        else:
            return None
        if governor.lemma_.lower() not in OBJECT_CONTROL:
            return None
        for c in governor.children:
            if c.dep_ == "dobj":
                return self.np_entities(c)
        return None

    def objects_via(self, tok, preps: tuple[str, ...], *, deep: bool = False) -> list[str]:
        out = []
        for child in tok.children:
            if child.dep_ in ("prep", "dative") and child.lower_ in preps:
                for p in child.children:
                    if p.dep_ == "pobj":
                        out += [e for e in self.np_entities(p) if e not in out]
            if child.dep_ == "dative" and child.pos_ in ("NOUN", "PROPN"):
                out += [e for e in self.np_entities(child) if e not in out]
            if deep and child.dep_ in ("dobj", "pobj", "attr", "prep") and child.lower_ not in ("from",):
                out += [e for e in self.objects_via(child, preps, deep=True) if e not in out]
        return out

    def dobj(self, verb) -> list:
        return [c for c in verb.children if c.dep_ in ("dobj", "attr", "oprd")]

    def to_state(self, eid: str | None) -> str | None:
        if not eid:
            return None
        t = self.etype(eid)
        if t in ("City", "Airport", "Place", "Region"):
            # a region that belongs to a state stands for it (Tigray -> Ethiopia); a contested
            # region without a state (the "people's republics") stays itself
            return self.snap.get(eid, "country") or eid
        return eid

    def person_state(self, eid: str) -> str:
        if self.etype(eid) in ("Person",) and eid in self.heads_of:
            return self.heads_of[eid]
        return eid

    def add(self, relation: str, subject: str | None, obj: str | None, start: int, end: int, trigger=None,
            **kw) -> Cand | None:
        if not subject or not obj or subject == obj:
            return None
        if relation in INTERSTATE_RELATIONS and self.etype(subject) in ("State", "Government") and \
                self.etype(obj) in ("State", "Government") and self.snap.state_of(subject) == self.snap.state_of(obj):
            return None  # a state does not sanction, back or oppose its own government: a linking slip
        anchor_at = trigger.idx if trigger is not None else start
        if anchor_at < self.headline_end:
            return None
        if self.sent_index(trigger if trigger is not None else self.doc.char_span(start, end, alignment_mode="expand")[0]) in self.skip_sents:
            return None
        cand = Cand(relation, subject, obj, start, end, trigger=trigger, **kw)
        cand.sent_index = self.sent_index(trigger) if trigger is not None else 0
        self.cands.append(cand)
        return cand

    def clause_span(self, tok) -> tuple[int, int]:
        sent = tok.sent
        return sent.start_char, sent.end_char

    # ----------------------------------------------------------------- rules
    def run(self) -> None:
        for idx, sent in enumerate(self.sents):
            if idx in self.skip_sents:
                continue
            self.rule_titles(sent)
        triggers = {
            self.rule_backs: SUPPORT_VERBS | SUPPLY_VERBS | ALLY_NOUNS | BACKED_PARTICIPLES | {"support", "backing"},
            self.rule_opposes: {"oppose", "against", "anti"},
            self.rule_criticizes: CRITICIZE_VERBS | {"call", "criticizing", "criticising"},
            self.rule_sanctions: SANCTION_NOUNS | {"sanction", "blacklist", "sanctions", "ban"},
            self.rule_lends: LEND_VERBS | LOAN_NOUNS,
            self.rule_deploys: DEPLOY_VERBS | ARRIVE_VERBS | INVADE_VERBS | {"invasion", "occupation", "have", "be"},
            self.rule_flights: None,
            self.rule_imports: {"buyer", "importer", "customer", "purchaser", "import", "buy", "purchase"},
            self.rule_recognizes: RECOGNIZE_VERBS | {"establish", "restore", "cut", "sever", "break", "end"},
            self.rule_threatens: THREAT_VERBS | {"warning", "threatening", "vowing"},
            self.rule_confirms_comments: {"confirmation", "comment", "say"},
        }
        for idx, sent in enumerate(self.sents):
            if idx in self.skip_sents:
                continue
            words = self.sent_lemmas[idx]
            for rule, trigger_words in triggers.items():
                if trigger_words is None or words & trigger_words:
                    rule(sent)
        frames.apply(self)
        self.finish()

    # titles: headOfState, headOfGovernment, leads
    def rule_titles(self, sent) -> None:
        doc = self.doc
        for m in [m for m in self.mentions if sent.start <= m.tok_start < sent.end]:
            if self.etype(m.entity) not in ("Person", "MilitaryOfficer", "Journalist"):
                continue
            j = m.tok_start - 1
            title_toks = []
            inner = [t for t in doc[m.tok_start:m.tok_end] if t.lower_ in ("president", "general", "prime", "minister",
                                                                             "chancellor", "king", "emir", "leader")
                     or (t.lower_ in ("russian", "us", "u.s.") and t.i == m.tok_start)]
            if inner:
                title_toks = [doc[k] for k in range(m.tok_start, inner[-1].i + 1)]
            while j >= sent.start and (doc[j].text[:1].isupper() or doc[j].lower_ in ("leader", "president", "minister", "head", "chief")
                                       or doc[j].text in ("-", "'s", "’s")) and doc[j].text not in (",", "“", '"'):
                if self.tok2m.get(j) and self.etype(self.tok2m[j].entity) in ("Person",):
                    break
                title_toks.insert(0, doc[j])
                j -= 1
            if doc[j].lower_ in ("opposition",) and j >= sent.start and not inner:
                title_toks.insert(0, doc[j])
            self._appositive_lead(m)  # "General X, head of the Y"
            self._appositive_title(m)  # "Iraq's caretaker prime minister, Adel Abdul Mahdi"
            if not title_toks:
                continue
            words = " ".join(t.lower_ for t in title_toks).replace(" - ", "-")
            if any(b in words.split() for b in TITLE_BLOCKERS) or "minister" in words and "prime minister" not in words:
                continue
            past = any(b in words.split() for b in PAST_TITLE_WORDS)  # "Former president Hamid Karzai"
            relation = None
            for title, rel in HOS_TITLES.items():
                if re.search(r"\b" + re.escape(title) + r"$", words):
                    relation = rel
            owner_state = None
            owner_org = None
            for t in title_toks:
                e = self.ent(t)
                if e:
                    if self.etype(e) == "State":
                        owner_state = e
                    elif self.etype(e) in ("IntergovernmentalOrganization", "Organization", "PoliticalMovement",
                                           "MilitaryUnit", "ArmedForces") and not (
                            e.startswith("local-") and sum(ch.isalpha() for ch in self.snap.get(e, "label", "")) < 3):
                        owner_org = e  # (not "H.E.", an honorific the NER took for a body)
            if re.search(r"supreme leader$", words):
                owner_org = None  # "Supreme Leader Ayatollah Ali Khamenei": a head of state's title, not a body
            start = title_toks[0].idx
            if title_toks[0].lower_ == "opposition" or owner_org:
                org = owner_org
                if org is None:
                    country = self.snap.state_of(m.entity)
                    org = next((eid for eid, it in self.snap.items.items() if it.get("type") == "PoliticalMovement"
                                and it.get("country") == country and "opposition" in str(it.get("label", "")).lower()
                                + " ".join(map(str, it.get("aliases") or [])).lower()), None)
                if org and re.search(r"(leader|head|chief|secretary-general|secretary general|chairman|president|director|commander)$", words) \
                        and not set(words.split()) & PORTFOLIO_WORDS:
                    c = self.add("leads", m.entity, org, start, m.end, trigger=doc[m.tok_start], confidence=0.9)
                continue
            if relation is None:
                continue
            if title_toks[-1].lower_ == "leader" and len(title_toks) > 1 and not owner_state:
                continue
            if not owner_state and title_toks[-1].lower_ == "leader" and not self.holds_head_office(m.entity):
                continue  # "leader Hassan Nasrallah": the leader of a movement, not of his state
            state = owner_state or self.snap.state_of(m.entity)
            if not state or self.etype(state) != "State":
                continue
            # not "recognized X as Venezuela's interim president"
            if not past:
                self.heads_of[m.entity] = state
            c = self.add(relation, state, m.entity, start, m.end, trigger=doc[m.tok_start],
                         confidence=0.9 if owner_state else 0.8)
            if c and past:
                c.temporality = "historical"

    def holds_head_office(self, person: str) -> bool:
        """Does the reference snapshot list a head-of-state or -government office for the person?
        (Used when the text's title alone, "leader X", does not say of what.)"""
        for pos in self.snap.get(person, "positions") or []:
            title = str((pos or {}).get("title", "")).lower() if isinstance(pos, dict) else str(pos).lower()
            if re.search(r"\b(president|prime minister|king|queen|emir|sultan|supreme leader|chancellor|premier|"
                         r"head of state|head of government)\b", title) and "vice" not in title and "deputy" not in title:
                return True
        return False

    def _appositive_title(self, m) -> None:
        """'<State>'s prime minister, <Name>', 'the country's president, <Name>': the title is the
        head of the apposition."""
        doc = self.doc
        head = doc[m.tok_end - 1]
        title = head.head
        if head.dep_ != "appos" or title.pos_ != "NOUN":
            return
        words = " ".join([c.lower_ for c in title.children if c.dep_ == "compound" and c.i < title.i] + [title.lower_])
        relation = next((rel for t, rel in HOS_TITLES.items() if re.search(r"\b" + re.escape(t) + r"$", words)), None)
        if title.lemma_.lower() in LEAD_TITLES | {"executive", "founder"}:
            # "Ryanair's chief executive, Michael O'Leary", "the group's leader, X": heads of bodies
            for c in title.children:
                e = self.ent(c) if c.dep_ in ("poss", "compound") and c.i < title.i else None
                if e and self.etype(e) not in ("State", "Government", None):
                    mods = {t.lower_ for t in doc[title.left_edge.i:title.i]}
                    rel = "memberOf" if mods & TITLE_BLOCKERS else "leads"
                    self.add(rel, m.entity, e, min(t.idx for t in title.subtree if t.i <= title.i), m.end,
                             trigger=title, confidence=0.8)
                    return
        if relation is None or title.lower_ == "leader":
            return
        mods = {c.lower_ for c in title.children if c.dep_ in ("amod", "compound", "advmod")}
        if mods & TITLE_BLOCKERS:
            return
        state = None
        for c in title.children:
            if c.dep_ in ("poss", "compound", "amod") and c.i < title.i:
                e = self.ent(c)
                st = self.snap.state_of(e) if e else None
                if st and self.etype(st) == "State":
                    state = st
        state = state or (self.snap.state_of(m.entity) if self.etype(self.snap.state_of(m.entity)) == "State" else None)
        if not state:
            return
        start = min(t.idx for t in title.subtree if t.i <= title.i)
        c = self.add(relation, state, m.entity, start, m.end, trigger=title, confidence=0.85)
        if c and mods & PAST_TITLE_WORDS:
            c.temporality = "historical"
        elif c:
            self.heads_of[m.entity] = state

    def _appositive_lead(self, m) -> None:
        doc = self.doc
        head = doc[m.tok_end - 1]
        for child in head.children:
            if child.dep_ == "appos" and child.lemma_.lower() in LEAD_TITLES | {"member"}:
                # "X, vice-president of Y", "X, a member of Y": a member, not the head
                lower = {t.lower_ for t in doc[child.left_edge.i:child.i]}
                relation = "memberOf" if lower & TITLE_BLOCKERS or child.lemma_.lower() == "member" else "leads"
                for prep in child.children:
                    if prep.dep_ == "prep" and prep.lower_ == "of":
                        for p in prep.children:
                            if p.dep_ == "pobj":
                                org = self.ent(p)
                                if org and self.etype(org) not in ("State",):
                                    end = max(t.idx + len(t.text) for t in p.subtree)
                                    self.add(relation, m.entity, org, m.start, end, trigger=child, confidence=0.8)

    def rule_backs(self, sent) -> None:
        doc = self.doc
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            # "Russian-backed regions"
            if tok.lower_ in BACKED_PARTICIPLES and tok.i >= 2 and doc[tok.i - 1].text == "-":
                backer = self.ent(doc[tok.i - 2])
                noun = tok.head if tok.head.pos_ in ("NOUN", "PROPN") else None
                if backer and noun is not None:
                    targets = []
                    for c in noun.children:
                        if c.dep_ == "appos":
                            targets += self._np_and_parts(c)
                    if self.ent(noun):
                        targets.append(self.ent(noun))
                    if not targets and noun.dep_ == "appos" and self.ent(noun.head):
                        targets.append(self.ent(noun.head))   # "Srpska Lista, the Belgrade-backed party"
                    if not targets:
                        targets = self.surface_apposition(noun)
                    for t in targets:
                        self.add("backs", self.snap.state_of(backer) if self.etype(backer) == "State" else backer, t,
                                 doc[tok.i - 2].idx, max(x.idx + len(x.text) for x in noun.subtree), trigger=tok,
                                 confidence=0.85)
            # "X and Y are the biggest allies of Z" / "reliable partners"
            if lemma in ALLY_NOUNS and tok.dep_ in ("attr", "conj") and tok.head.lemma_ in ("be",) or (
                    lemma in ALLY_NOUNS and tok.dep_ == "conj" and tok.head.dep_ == "attr"):
                verb = tok.head if tok.head.lemma_ == "be" else tok.head.head
                subjects = self.subjects(verb)
                objects = self.objects_via(tok, ("of", "to"))
                span = (sent.start_char, sent.end_char)
                if objects:
                    for s in subjects:
                        for o in objects:
                            self.add("backs", s, o, *span, trigger=tok, confidence=0.85)
                elif len(subjects) >= 2 and lemma in ("ally", "partner"):
                    start = min(c.idx for c in verb.subtree)
                    for s in subjects:
                        for o in subjects:
                            if s != o:
                                self.add("backs", s, o, start, tok.idx + len(tok.text), trigger=tok, confidence=0.7)
            # "X supports Y", "propping up the government of Z"
            if tok.pos_ == "VERB" and lemma in SUPPORT_VERBS and (lemma != "prop" or any(c.lower_ == "up" for c in tok.children)):
                objs = []
                for d in self.dobj(tok) + [c for c in tok.children if c.dep_ == "dative"]:
                    if d.i >= 2 and self.doc[d.i - 1].text == "-" and self.doc[d.i - 2].lower_ == "anti":
                        continue
                    objs += self.np_entities(d)
                subjects = self.subjects(tok)
                for s in subjects:
                    for o in objs:
                        if self.etype(o) in ("State", "Government", "Person", "PoliticalMovement", "Organization",
                                             "IntergovernmentalOrganization", "Region", "DeFactoState", "ArmedForces"):
                            start = min([x.idx for x in tok.subtree] + [tok.idx])
                            end = max(x.idx + len(x.text) for x in tok.subtree)
                            if tok.dep_ == "advcl":
                                start = sent.start_char
                            self.add("backs", s, o, start, end, trigger=tok, confidence=0.8)
            # arms and other support delivered: "send tanks to Ukraine", "supplied Russia with drones"
            if tok.pos_ in ("VERB", "AUX") and lemma in SUPPLY_VERBS:
                themes = [c for c in tok.children if c.dep_ in ("dobj",)]
                recipients = self.objects_via(tok, ("to", "for"))
                for d in themes:
                    recipients += [e for e in self.objects_via(d, ("to", "for")) if e not in recipients]
                with_theme = [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "with" for p in c.children if p.dep_ == "pobj"]
                theme_nouns = themes + with_theme
                weapon = any(self._is_weapon(t) for t in theme_nouns)
                if with_theme and any(self._is_weapon(t) for t in with_theme):
                    for d in themes:
                        recipients += [e for e in self.np_entities(d) if e not in recipients]
                for d in [c for c in tok.children if c.dep_ == "dative"]:
                    recipients += [e for e in self.np_entities(d) if e not in recipients]
                if not weapon:
                    continue
                for s in self.subjects(tok):
                    for o in recipients:
                        if self.etype(o) in ("State", "Government", "ArmedForces", "PoliticalMovement", "Organization", "Region", "DeFactoState"):
                            self.add("backs", self.person_state(s), o, *self._clause(tok, sent), trigger=tok, confidence=0.8)
            # "with the financial support of X" attached to a clause about Y
            first = tok
            while first.dep_ == "conj" and first.head.i != first.i:
                first = first.head
            if lemma in ("support", "backing") and tok.pos_ == "NOUN" and first.dep_ == "pobj" and first.head.lower_ == "with":
                backers = self.objects_via(tok, ("of",))
                verb = first.head.head
                while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
                    verb = verb.head
                backed = []
                for c in verb.children:
                    if c.dep_ in ("nsubjpass", "nsubj"):
                        backed += self.np_entities(c)
                for b in backers:
                    for o in backed:
                        start = tok.idx
                        for x in tok.subtree:
                            start = min(start, x.idx)
                        end = max(x.idx + len(x.text) for x in tok.subtree)
                        self.add("backs", b, o, start if doc[tok.i - 1].lower_ != "the" else doc[tok.i - 1].idx,
                                 end, trigger=tok, confidence=0.7)

    def _np_and_parts(self, tok) -> list[str]:
        out = []
        for t in tok.subtree:
            e = self.ent(t)
            if e and e not in out and self.etype(e) in ("State", "Region", "DeFactoState", "Government", "PoliticalMovement", "Organization"):
                out.append(e)
        return out

    def _is_weapon(self, tok) -> bool:
        lemma = tok.lemma_.lower()
        if lemma in WEAPON_NOUNS or tok.lower_ in WEAPON_NOUNS:
            if lemma in ("support", "aid", "assistance", "cover", "backing", "equipment", "system", "vehicle"):
                return any(c.lower_ in ("military", "diplomatic", "lethal", "defence", "defense", "air", "armoured", "weapons")
                           for c in tok.subtree) or lemma == "cover"
            return True
        m = self.mention_at(tok)
        if m and self.etype(m.entity) == "AircraftModel":
            return True
        for c in tok.children:
            if c.dep_ in ("conj", "compound") and self._is_weapon(c):
                return True
            if c.dep_ == "prep" and c.lower_ == "of" and tok.like_num | (tok.lemma_.lower() in ("hundred", "thousand", "dozen", "batch", "number", "shipment")):
                if any(self._is_weapon(p) for p in c.children if p.dep_ == "pobj"):
                    return True
        return False

    def _clause(self, tok, sent) -> tuple[int, int]:
        toks = list(tok.subtree)
        start = min(t.idx for t in toks)
        end = max(t.idx + len(t.text) for t in toks)
        return start, end

    def rule_opposes(self, sent) -> None:
        doc = self.doc
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            if lemma == "oppose" and tok.pos_ == "VERB":
                objs = []
                for d in self.dobj(tok):
                    objs += self.np_entities(d) or ([self.owner(d)] if self.owner(d) else [])
                for s in self.subjects(tok) or self._left_subject(tok, sent):
                    for o in objs:
                        self.add("opposes", s, o, sent.start_char if tok.dep_ == "advcl" else tok.idx,
                                 max(x.idx + len(x.text) for x in tok.subtree), trigger=tok, confidence=0.8)
            # "the US moves against Caracas"
            if tok.lower_ == "against" and tok.i > 0:
                noun = doc[tok.i - 1]
                if noun.lemma_.lower() in ACTION_NOUNS and noun.lemma_.lower() not in ("sanction",):
                    actor = self.owner(noun)
                    targets = []
                    for p in tok.children:
                        if p.dep_ == "pobj":
                            targets += self.np_entities(p)
                    for t in targets:
                        start = noun.idx
                        for x in noun.subtree:
                            if x.i < noun.i:
                                start = min(start, x.idx)
                        end = max(x.idx + len(x.text) for x in self._right_edge_clause(noun, sent))
                        self.add("opposes", actor, self._government_if_capital(t), start, end, trigger=tok, confidence=0.75)
            # "the anti-US government of X"
            if tok.lower_ == "anti" and tok.i + 2 < sent.end and doc[tok.i + 1].text == "-":
                against = self.ent(doc[tok.i + 2])
                holder = None
                for k in range(tok.i + 3, min(sent.end, tok.i + 10)):
                    m = self.tok2m.get(k)
                    if m and self.etype(m.entity) in ("Government", "State", "Person", "PoliticalMovement", "Organization"):
                        holder = m
                        break
                if against and holder:
                    self.add("opposes", holder.entity, against, doc[tok.i].idx - (4 if doc[tok.i - 1].lower_ == "the" else 0), holder.end,
                             trigger=tok, confidence=0.75)

    def _right_edge_clause(self, noun, sent):
        """The noun phrase and the verb phrase it is subject of."""
        head = noun.head if noun.dep_ in ("nsubj", "nsubjpass") else noun
        out = []
        for t in head.subtree:
            if t.text == "," and t.i > noun.i:
                break
            out.append(t)
        return out or [noun]

    def _left_subject(self, tok, sent) -> list[str]:
        for k in range(tok.i - 1, sent.start - 1, -1):
            m = self.tok2m.get(k)
            if m and self.etype(m.entity) in ("State", "Government", "Person", "IntergovernmentalOrganization"):
                return [m.entity]
        return []

    def _government_if_capital(self, eid: str) -> str:
        return eid

    def event_actor(self, noun, relation_hint: str | None = None) -> str | None:
        """The actor of 'the decision', 'the move', 'the deployment': the lede event of the article."""
        earlier = [c for c in self.cands if c.start < noun.idx and c.relation in
                   ("backs", "deploysTo", "recognizes", "sanctions", "lendsTo", "fliesTo", "opposes")]
        if relation_hint:
            typed = sorted((c for c in earlier if c.relation == relation_hint), key=lambda c: c.start)
            if typed:
                # the article's lede act of that kind; a person's or a force's act is its state's
                first = typed[0]
                if self.etype(first.subject) in ("Person", "ArmedForces", "MilitaryUnit"):
                    return self.snap.state_of(first.subject) or first.subject
                return first.subject
        if earlier:
            first = sorted(earlier, key=lambda c: c.start)[0]
            return first.subject
        return None

    def rule_criticizes(self, sent) -> None:
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            is_call = lemma == "call" and any(c.dep_ in ("oprd", "xcomp", "ccomp") for c in tok.children)
            if not (tok.pos_ == "VERB" and (lemma in CRITICIZE_VERBS or tok.lower_ in ("criticizing", "criticising") or is_call)):
                continue
            targets = []
            for d in self.dobj(tok):
                ents = self.np_entities(d)
                if not ents and d.lemma_.lower() in EVENT_NOUNS:
                    # "condemned the seizure by the Taliban", else the act named before
                    actor = self._of_owner(d) if any(c.lower_ == "by" for c in d.children) else None
                    actor = actor or self.event_actor(d, EVENT_NOUNS.get(d.lemma_.lower()))
                    ents = [actor] if actor else []
                elif is_call and d.lemma_.lower() not in EVENT_NOUNS:
                    continue
                targets += ents
            if lemma == "protest":
                targets += self.objects_via(tok, ("to", "against"))
            if is_call and not targets:
                continue
            subjects = self.subjects(tok)
            for s in subjects:
                for t in targets:
                    start, end = self._clause(tok, sent)
                    if tok.dep_ in ("ROOT",) or tok.dep_ == "conj":
                        start = min(start, min(x.idx for x in tok.head.subtree) if tok.dep_ == "conj" else start)
                    self.add("criticizes", s, t, start, end, trigger=tok, confidence=0.8 if not is_call else 0.65)

    def rule_sanctions(self, sent) -> None:
        doc = self.doc
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            if (tok.pos_ == "VERB" or tok.dep_ in ("advcl", "xcomp") and tok.i > 0 and doc[tok.i - 1].lower_ == "to") \
                    and tok.lemma_.lower() in ("sanction", "blacklist") and tok.lower_ != "sanctions" or (
                    tok.lower_ == "sanctions" and tok.pos_ == "VERB" and any(c.dep_ == "nsubj" for c in tok.children)):
                subjects = self._surface_actor(tok) or self.subjects(tok)
                objs = []
                for d in self.dobj(tok):
                    found = self.np_entities(d)
                    if not found:
                        found = self.objects_via(d, ("from", "on", "against", "in"), deep=True)
                    objs += found
                    # "sanction Maduro and his government" when the parser split the coordination
                    if d.i + 2 < len(doc) and doc[d.i + 1].lower_ == "and":
                        m2 = self.tok2m.get(d.i + 2) or self.tok2m.get(d.i + 3)
                        if m2 and self.etype(m2.entity) in ("Government", "Person") and m2.entity not in objs:
                            objs.append(m2.entity)
                for s in subjects:
                    for o in objs:
                        start, end = self._clause(tok, sent)
                        if subjects and self._surface_actor(tok):
                            start = min(start, self._surface_start(tok))
                        elif any(c.dep_ == "nsubj" for c in tok.children):
                            start = min(x.idx for x in tok.subtree)
                        self.add("sanctions", self.person_state(s), o, start, end, trigger=tok, confidence=0.8)
                continue
            if lemma in SANCTION_NOUNS and tok.pos_ in ("NOUN", "PROPN"):
                targets = self.objects_via(tok, ("against", "on", "in", "from"), deep=lemma == "ban")
                if not targets and lemma == "sanction" and tok.head.lemma_.lower() in SANCTION_NOUNS and tok.dep_ in ("nsubj", "compound"):
                    targets = self.objects_via(tok.head, ("against", "on", "in", "from"), deep=True)
                    if targets and self.owner(tok):
                        start = min(x.idx for x in tok.subtree)
                        for t in targets:
                            self.add("sanctions", self.owner(tok), t, start, sent.end_char, trigger=tok, confidence=0.7)
                    continue
                if lemma == "ban" and not targets:
                    continue
                actor = self.owner(tok)
                if actor and self.etype(actor) not in ("State", "Government", "IntergovernmentalOrganization", "Person"):
                    actor = None
                # "under ECOWAS sanctions": the clause subject is the target
                if tok.dep_ == "pobj" and tok.head.lower_ == "under" and actor:
                    verb = tok.head.head
                    targets = []
                    for c in verb.children:
                        if c.dep_ in ("nsubj", "nsubjpass"):
                            targets += self.np_entities(c)
                    start = min(x.idx for x in verb.subtree)
                    for t in targets:
                        self.add("sanctions", actor, t, start, tok.idx + len(tok.text), trigger=tok, confidence=0.8)
                    continue
                if not targets:
                    continue
                actors = [actor] if actor else []
                if not actors:
                    verb = tok.head
                    hops = 0
                    while verb.pos_ not in ("VERB",) and verb.head.i != verb.i and hops < 4:
                        verb = verb.head
                        hops += 1
                    if verb.pos_ == "VERB" and verb.lemma_.lower() in ("adopt", "impose", "announce", "approve", "slap",
                                                                      "introduce", "agree", "unveil", "extend", "tighten",
                                                                      "sign", "levy", "expand", "place", "put"):
                        actors = self.subjects(verb)
                        start = min(x.idx for x in verb.subtree)
                    else:
                        continue
                else:
                    start = min(x.idx for x in tok.subtree)
                end = max(x.idx + len(x.text) for x in tok.subtree)
                for a in actors:
                    for t in targets:
                        self.add("sanctions", self.person_state(a), t, start, end, trigger=tok, confidence=0.8)
            # "banning new investment and trade in the two regions"
            if lemma == "ban" and tok.pos_ == "VERB":
                targets = self.objects_via(tok, ("in", "from", "on", "with", "to"), deep=True)
                for d in self.dobj(tok):
                    targets += [e for e in self.objects_via(d, ("in", "from", "on", "with", "to"), deep=True) if e not in targets]
                actors = self.subjects(tok)
                if not actors and any(c.dep_ == "nsubj" and c.lemma_.lower() in ("measure", "sanction", "package", "rule")
                                      for c in tok.children):
                    prev = [c for c in self.cands if c.relation == "sanctions" and c.start < tok.idx]
                    actors = [prev[-1].subject] if prev else []
                for a in actors:
                    for t in targets:
                        verb = tok.head if tok.dep_ == "acl" else tok
                        start = min(x.idx for x in (verb.head.subtree if tok.dep_ == "acl" else tok.subtree))
                        self.add("sanctions", self.person_state(a), t, start, sent.end_char, trigger=tok, confidence=0.7)

    def _surface_actor(self, verb) -> list[str]:
        """'the US moves to sanction X': the parser often makes 'moves' the verb."""
        doc = self.doc
        if verb.i >= 3 and doc[verb.i - 1].lower_ == "to" and doc[verb.i - 2].lemma_.lower() in ACTION_NOUNS | {"moves"}:
            k = verb.i - 3
            m = self.tok2m.get(k)
            if m and k > 0 and (doc[m.tok_start - 1].lower_ in ("the", "a") or doc[m.tok_start].lower_ == "the") and self.etype(m.entity) in ("State", "Government",
                                                                                                     "IntergovernmentalOrganization"):
                return [m.entity]
        return []

    def _surface_start(self, verb) -> int:
        k = verb.i - 3
        m = self.tok2m.get(k)
        if not m:
            return verb.idx
        return self.doc[m.tok_start].idx if self.doc[m.tok_start].lower_ == "the" else self.doc[m.tok_start - 1].idx

    def rule_lends(self, sent) -> None:
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            if tok.pos_ == "VERB" and lemma in LEND_VERBS:
                borrowers = self.objects_via(tok, ("to",))
                lenders = self.subjects(tok)
                for s in lenders:
                    for o in borrowers:
                        start, end = self._clause(tok, sent)
                        end = self._cut_at_comma(tok, start, end)
                        c = self.add("lendsTo", self.person_state(s), o, start, end, trigger=tok, confidence=0.85)
                        if c:
                            self._amount(c, tok)
            if lemma in LOAN_NOUNS and tok.pos_ == "NOUN":
                borrowers = self.objects_via(tok, ("to", "for"))
                lenders = self.objects_via(tok, ("from",), deep=True)
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ == "of":
                        for p in c.children:
                            for conj in self.conjuncts(p):
                                lenders += [e for e in self.objects_via(conj, ("from",)) if e not in lenders]
                                borrowers += [e for e in self.objects_via(conj, ("to", "for")) if e not in borrowers]
                if not borrowers:
                    for t in tok.head.subtree if tok.head.pos_ == "VERB" else tok.subtree:
                        if t.dep_ == "pobj" and t.head.lower_ == "with":
                            own = self.np_entity(t) or self.owner(t)
                            if own and self.etype(own) in ("State",):
                                borrowers.append(own)
                if not borrowers:
                    continue
                own = self.owner(tok)
                if own and self.etype(own) in ("State", "IntergovernmentalOrganization", "Government"):
                    lenders = lenders or [own]
                verb = tok.head
                while verb.pos_ != "VERB" and verb.head.i != verb.i:
                    verb = verb.head
                if not lenders and verb.pos_ == "VERB":
                    lenders = self.subjects(verb)
                start = min(x.idx for x in verb.subtree) if verb.pos_ == "VERB" else tok.idx
                end = max(x.idx + len(x.text) for x in tok.subtree)
                for s in lenders:
                    for o in borrowers:
                        if s == o or self.etype(o) not in ("State", "Government", "Region", "DeFactoState"):
                            continue
                        c = self.add("lendsTo", self.person_state(s), o, start, end, trigger=tok, confidence=0.8)
                        if c:
                            self._amount(c, tok)

    def _cut_at_comma(self, tok, start, end) -> int:
        for t in tok.subtree:
            if t.i > tok.i and t.text == "," and t.head == tok:
                return t.idx
        return end

    def _amount(self, cand: Cand, tok) -> None:
        for ent in self.ents_in(tok.sent):
            if ent.label_ == "MONEY" and cand.start <= ent.start_char < cand.end:
                cand.event["amount"] = ent.text
                low = ent.text.lower()
                mult = 1e9 if "billion" in low else 1e6 if "million" in low else 1
                number = re.search(r"\d+(?:[.,]\d+)?", low)
                if number:
                    cand.event["amount_minimum"] = float(number.group().replace(",", "")) * mult
                elif "billions" in low:
                    cand.event["amount_minimum"] = 1e9
                if "$" in ent.text or "dollar" in low:
                    cand.event["currency"] = "USD"
                break

    def rule_deploys(self, sent) -> None:
        doc = self.doc
        military = any(t.lemma_.lower() in TROOP_NOUNS | {"military", "weapon", "equipment", "defence", "defense"}
                       for t in sent)
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            subjects: list[str] = []
            dests: list[str] = []
            trig = False
            if tok.pos_ == "VERB" and lemma in DEPLOY_VERBS:
                theme = [d for d in self.dobj(tok) if d.lemma_.lower() in TROOP_NOUNS or d.lower_ in TROOP_NOUNS]
                if theme:
                    subjects = self.subjects(tok)
                    dests = self.objects_via(tok, ("to", "into", "in"))
                    for d in theme:
                        dests += [e for e in self.objects_via(d, ("to", "into", "in"), deep=True) if e not in dests]
                    if not dests and lemma == "order":
                        dests = self._places_in(tok)
                    trig = True
                elif tok.dep_ in ("acl", "relcl") and tok.head.lemma_.lower() in TROOP_NOUNS and lemma in ("send", "deploy", "dispatch"):
                    subjects = self.np_entities(tok.head) or self._troop_owner(tok.head)
                    dests = self.objects_via(tok, ("to", "into", "in"))
                    trig = True
            if not trig and tok.pos_ == "VERB" and lemma in ARRIVE_VERBS | {"deploy"}:
                subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
                if subj and (subj[0].lemma_.lower() in TROOP_NOUNS or subj[0].lower_ in TROOP_NOUNS or
                             (subj[0].lemma_.lower() in CRAFT_NOUNS and military)):
                    subjects = self._troop_subjects(subj[0])
                    dests = self.objects_via(tok, ("to", "into", "in", "at"))
                    trig = True
            if not trig and tok.pos_ == "VERB" and lemma in ARRIVE_VERBS and tok.dep_ == "acl" and (
                    tok.head.lemma_.lower() in TROOP_NOUNS or tok.head.lower_ in TROOP_NOUNS):
                subjects = self._troop_subjects(tok.head)
                dests = self.objects_via(tok, ("to", "into", "in", "at"))
                trig = True
            if not trig and tok.pos_ == "VERB" and lemma in INVADE_VERBS:
                subjects = self.subjects(tok)
                for d in self.dobj(tok):
                    dests += self.np_entities(d)
                trig = bool(dests)
            if not trig and lemma in ("invasion", "occupation") and tok.pos_ == "NOUN":
                own = self.owner(tok)
                subjects = [own] if own else []
                dests = self.objects_via(tok, ("of",))
                trig = True
            if not trig and lemma in ("have", "be") and tok.pos_ in ("VERB", "AUX"):
                # "France, which has had troops in Mali", "Wagner mercenaries were in the country"
                theme = [d for d in self.dobj(tok) if d.lemma_.lower() in TROOP_NOUNS]
                subj = [c for c in tok.children if c.dep_ == "nsubj"]
                if theme and lemma == "have":
                    subjects = self.subjects(tok)
                    dests = self.objects_via(theme[0], ("in",)) + self.objects_via(tok, ("in",))
                    trig = True
                elif lemma == "be" and subj and (subj[0].lemma_.lower() in TROOP_NOUNS or subj[0].lower_ in TROOP_NOUNS):
                    subjects = self._troop_subjects(subj[0])
                    dests = self.objects_via(tok, ("in",))
                    trig = bool(dests)
            if not trig:
                continue
            if not subjects:
                continue
            dests = [self.to_state(d) for d in dests]
            dests = [d for d in dests if d and self.etype(d) in ("State", "Region", "DeFactoState")]
            context = False
            if not dests:
                prev = [c for c in self.cands if c.relation == "deploysTo" and c.start < tok.idx]
                if prev and tok.pos_ == "VERB":
                    dests = [prev[-1].object]
                    context = True
            for s in subjects:
                s = self.person_state(s) if self.etype(s) == "Person" else s
                if self.etype(s) == "Person":
                    s = self.snap.state_of(s) if s in self.heads_of or self.etype(self.snap.state_of(s)) == "State" else None
                if not s:
                    continue
                for d in dests:
                    if self.snap.state_of(s) == d:
                        continue
                    start, end = self._deploy_span(tok, sent)
                    c = self.add("deploysTo", s, d, start, end, trigger=tok, confidence=0.65 if context else 0.8)
                    if c:
                        self._deploy_details(c, tok, sent)

    def _deploy_span(self, tok, sent) -> tuple[int, int]:
        head = tok
        while head.dep_ in ("xcomp", "pcomp", "pobj", "prep") and head.head.i != head.i:
            head = head.head
        start = min(x.idx for x in head.subtree)
        if head.dep_ in ("relcl",):
            start = min(x.idx for x in head.head.subtree)
        end = max(x.idx + len(x.text) for x in tok.subtree)
        if tok.dep_ == "ROOT" or head.dep_ == "ROOT":
            start = min(start, sent.start_char)
            root = sent.root
            if root.lemma_.lower() in REPORT_VERBS and root.i != tok.i:
                end = sent.end_char
        if tok.dep_ == "ccomp" and tok.head.lemma_.lower() in REPORT_VERBS:
            start = min(x.idx for x in tok.head.subtree)
            end = max(end, max(x.idx + len(x.text) for x in tok.head.subtree))
        text = self.text
        while end > start and text[end - 1] in " ,":
            end -= 1
        return start, end

    def _deploy_details(self, cand: Cand, tok, sent) -> None:
        for ent in self.ents_in(sent):
            number = re.search(r"\d[\d,]*", ent.text)
            if ent.label_ == "CARDINAL" and number:
                nxt = self.doc[ent.end] if ent.end < len(self.doc) else None
                # '100 Russian soldiers': skip up to two nationalities or adjectives before the noun
                for _ in range(2):
                    if nxt is None or not (nxt.ent_type_ == "NORP" or nxt.pos_ == "ADJ"):
                        break
                    nxt = self.doc[nxt.i + 1] if nxt.i + 1 < len(self.doc) else None
                if nxt is not None and (nxt.lemma_.lower() in TROOP_NOUNS or nxt.lower_ in TROOP_NOUNS):
                    cand.event.setdefault("personnel", int(number.group().replace(",", "")))
                    self._hedged(cand, ent)
            if ent.label_ == "QUANTITY" and "ton" in ent.text:
                number = re.search(r"\d+(?:\.\d+)?", ent.text)
                if number:
                    cand.event.setdefault("cargo_tonnes", float(number.group()))
                    self._hedged(cand, ent)

    def _hedged(self, cand: Cand, ent) -> None:
        """'around 100', 'about 35 tons': the figure is approximate (spaCy puts the hedge in the
        entity or just before it)."""
        before = self.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        if HEDGES & ({t.lower_ for t in ent} | {before}):
            cand.event["approximate"] = True

    def _troop_owner(self, noun) -> list[str]:
        return self._troop_subjects(noun)

    def _troop_subjects(self, noun) -> list[str]:
        e = self.np_entity(noun)
        if e and self.etype(e) == "MilitaryUnit" and noun.lower_ in ("forces", "military", "army"):
            part = self.snap.get(e, "part_of")
            e = part if part and self.etype(part) == "ArmedForces" else self.snap.armed_forces_of(self.snap.state_of(e))
        if e:
            return [e]
        if noun.lemma_.lower() in TROOP_NOUNS or noun.lower_ in TROOP_NOUNS:
            for c in noun.children:
                if c.dep_ == "prep" and c.lower_ == "of":
                    for p in c.children:
                        if p.dep_ == "pobj":
                            r = self._troop_subjects(p)
                            if r:
                                return r
            prev = [c for c in self.cands if c.relation == "deploysTo" and c.start < noun.idx]
            if prev:
                owner = self.snap.state_of(prev[-1].subject) or prev[-1].subject
                return [self.snap.armed_forces_of(owner) or owner]
        return []

    def _places_in(self, tok) -> list[str]:
        out = []
        for t in tok.subtree:
            if t.dep_ == "pobj" and t.head.lower_ in ("in", "into", "to"):
                for e in self.np_entities(t):
                    if self.etype(self.to_state(e)) in ("State", "Region", "DeFactoState") and e not in out:
                        out.append(e)
        return out

    def rule_flights(self, sent) -> None:
        craft = [m for m in self.mentions if sent.start <= m.tok_start < sent.end and self.etype(m.entity) == "AircraftModel"]
        if not craft:
            return
        doc = self.doc
        verbs = {t.lemma_.lower() for t in sent if t.pos_ == "VERB"}
        destination = None
        for t in sent:
            if t.dep_ == "pobj" and t.head.lower_ in ("at", "to", "over", "in", "into") and t.i > craft[0].tok_start:
                e = self.ent(t) or self._definite_airport(t)
                if e and self.etype(e) in ("Airport", "Region", "DeFactoState", "City", "State"):
                    destination = e
                    break
        if not destination:
            return
        if not (verbs & {"fly", "land", "arrive", "touch"} or self.etype(destination) == "Airport"):
            return
        operator = None
        for idx, m in enumerate(craft):
            op = None
            for k in range(m.tok_start - 1, max(sent.start, m.tok_start - 5) - 1, -1):
                e = self.ent(doc[k])
                if e and self.etype(e) in ("MilitaryUnit", "ArmedForces"):
                    op = e
                    break
            if op is None:
                head = doc[m.tok_end - 1]
                while head.dep_ in ("compound", "nummod", "amod", "punct", "appos", "attr", "conj") and head.head.i != head.i:
                    head = head.head
                    if head.lemma_.lower() == "fly":
                        subs = self.subjects(head)
                        op = subs[0] if subs else None
                        break
            operator = op or operator
            if not operator:
                continue
            if idx == 0:
                start = sent.start_char
                for t in sent:
                    if t.dep_ == "nsubj" and t.head.lemma_.lower() in REPORT_VERBS:
                        start = min(x.idx for x in t.subtree)
                        break
                end = m.end
                for t in doc[m.tok_end:sent.end]:
                    if t.lower_ in ("and", "(", ",") or t.pos_ == "VERB":
                        break
                    end = t.idx + len(t.text)
                if len(craft) == 1:
                    end = sent.end_char
            else:
                start = m.start
                for k in range(m.tok_start - 1, sent.start, -1):
                    if doc[k].lower_ in ("and", ","):
                        start = doc[k + 1].idx
                        break
                end = sent.end_char
            c = self.add("fliesTo", operator, destination, start, end, trigger=doc[m.tok_start], confidence=0.7)
            if c:
                c.event["aircraft_model"] = m.entity

    def _definite_airport(self, tok) -> str | None:
        if tok.lower_ != "airport":
            return None
        state = None
        for c in reversed([c for c in self.cands if c.relation == "deploysTo" and c.start < tok.idx]):
            state = c.object
            break
        for eid, item in self.snap.items.items():
            if item.get("type") == "Airport" and item.get("country") == state:
                return eid
        return None

    def rule_imports(self, sent) -> None:
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            if lemma in ("buyer", "importer", "customer", "purchaser") and tok.pos_ == "NOUN":
                seller = None
                for c in tok.children:
                    if c.dep_ == "poss":
                        seller = self.np_entity(c)
                verb = tok.head
                buyers = []
                for c in verb.children:
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        buyers = self.np_entities(c)
                for b in buyers:
                    if seller:
                        self.add("importsFrom", b, seller, min(x.idx for x in verb.subtree),
                                 tok.idx + len(tok.text), trigger=tok, confidence=0.75)
            if tok.pos_ == "VERB" and lemma in ("import", "buy", "purchase"):
                sellers = self.objects_via(tok, ("from",), deep=True)
                for b in self.subjects(tok):
                    for s in sellers:
                        if self.etype(s) in ("State",):
                            self.add("importsFrom", b, s, *self._clause(tok, sent), trigger=tok, confidence=0.75)

    def rule_recognizes(self, sent) -> None:
        doc = self.doc
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            objs: list[str] = []
            negated = False
            if tok.pos_ == "VERB" and lemma in RECOGNIZE_VERBS:
                # the recognised: the object, or the subject of a passive ("Anez was recognised by ...")
                for d in self.dobj(tok) or [c for c in tok.children if c.dep_ == "nsubjpass"]:
                    objs += self.np_entities(d)
                    if not objs and d.lemma_.lower() in ("independence", "sovereignty", "annexation", "statehood"):
                        for t in d.subtree:
                            if t.dep_ == "appos":
                                objs += [e for e in self._np_and_parts(t) if self.etype(e) in ("State", "Region", "DeFactoState") and e not in objs]
                        own = self.owner(d)  # "recognising Israeli sovereignty over the Golan Heights"
                        if not objs and own and self.etype(own) in ("State", "Region", "DeFactoState"):
                            objs.append(own)
                if not objs:
                    for c in tok.children:
                        if c.dep_ == "ccomp":
                            for t in c.subtree:
                                e = self.ent(t)
                                if e and self.etype(e) in ("State",) and e not in objs:
                                    objs.append(e)
            elif tok.pos_ == "VERB" and lemma in ("establish", "restore", "cut", "sever", "break", "end"):
                ties = [d for d in self.dobj(tok) if d.lemma_.lower() in TIE_NOUNS and
                        (lemma != "establish" or any(c.lower_ == "diplomatic" for c in d.children))]
                if not ties:
                    continue
                for d in ties:
                    objs += self.objects_via(d, ("with",))
                objs += self.objects_via(tok, ("with",))
                negated = lemma in ("cut", "sever", "break", "end")
                if negated:
                    # breaking off relations is a move against the other state (CAMEO 161); it is a
                    # withdrawn recognition only of a state whose recognition is in question (Taiwan)
                    for s_ in self.subjects(tok):
                        for o in objs:
                            if o in CONTESTED_STATES:
                                continue
                            c = self.add("opposes", self.person_state(s_), o, *self._clause(tok, sent), trigger=tok,
                                         confidence=0.8)
                    objs = [o for o in objs if o in CONTESTED_STATES]
            else:
                continue
            subjects = self.subjects(tok)
            if not objs:
                continue
            start, end = self._clause(tok, sent)
            if tok.dep_ in ("ROOT", "conj") and subjects:
                for c in tok.children:
                    if c.dep_ == "nsubj":
                        start = min(start, min(x.idx for x in c.subtree))
            if tok.dep_ == "conj" and negated:
                start = tok.idx
            if tok.dep_ == "relcl":
                start = min(x.idx for x in tok.head.subtree)
                end = max(x.idx + len(x.text) for x in tok.subtree)
                while self.text[end - 1] in " ,":
                    end -= 1
            for o in objs:
                checked = self._check_recognizer(tok, subjects, o, sent)
                if checked is None:
                    continue
                recognizers, conf, note = checked
                for s in recognizers:  # "Canada and Brazil recognised X": one claim each
                    c = self.add("recognizes", self.person_state(s), o, start, end, trigger=tok, confidence=conf, note=note)
                    if c and negated:
                        c.status, c.polarity, c.fixed_status = "negated", "negated", True
                    if c and note:
                        # the evidence is the clause about the recognition itself
                        subj_tok = [x for x in tok.children if x.dep_ == "nsubj"]
                        if subj_tok:
                            c.start = min(x.idx for x in subj_tok[0].subtree)

    def _check_recognizer(self, verb, subjects, obj, sent):
        """Cross-check a recognition against the article: whoever backs the incumbent (or is the
        incumbent's government) does not recognise a rival as president of that state."""
        contested_state = None
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ == "as":
                for t in c.subtree:
                    e = self.ent(t)
                    if e and self.etype(e) == "State":
                        contested_state = e
        if contested_state is None or self.etype(obj) != "Person":
            return (list(subjects), 0.85, None) if subjects else None
        gov = self.snap.government_of(contested_state)
        backers = {c.subject for c in self.cands if c.relation == "backs" and c.object in (contested_state, gov)
                   and c.status == "asserted"}
        ok = [s for s in subjects if s not in (gov, contested_state) and self.snap.state_of(s) != contested_state
              and s not in backers]
        candidates = set(subjects)
        for k in range(sent.start, verb.i):
            m = self.tok2m.get(k)
            if m:
                candidates.add(m.entity)
        if ok and len(ok) == len(subjects):
            return ok, 0.85, None
        # the parse's subject fails: look for the actor of this sentence that sanctions or opposes the incumbent
        alternatives = {c.subject for c in self.cands if c.relation in ("sanctions",) and
                        sent.start_char <= c.start < sent.end_char and
                        (c.object == gov or self.snap.state_of(c.object) == contested_state)}
        alternatives = {a for a in alternatives if a not in backers and a not in (gov, contested_state)}
        if len(alternatives) == 1:
            alt = alternatives.pop()
            return ([alt], 0.55, "Garbled sentence: read literally, " + ", ".join(sorted(subjects)) +
                    " recognised; that contradicts the article (they back the incumbent), so the recogniser is "
                    "the actor of the same sentence that sanctions the incumbent. Check by hand.")
        return None

    def rule_threatens(self, sent) -> None:
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            if tok.lower_ in ("warning", "threatening", "vowing"):
                lemma = tok.lower_[:-3] if tok.lower_ != "warning" else "warn"
            if not (lemma in THREAT_VERBS and (tok.pos_ == "VERB" or tok.dep_ in ("pcomp", "acl", "advcl")
                                                and any(c.dep_ == "nsubj" for c in tok.children))):
                continue
            if lemma in ("vow", "pledge") and not any(t.lemma_.lower() in ("respond", "retaliate", "punish", "strike", "act")
                                                      for t in tok.subtree):
                continue
            targets = []
            for d in self.dobj(tok):
                targets += [e for e in self.np_entities(d) if self.etype(e) not in ("AircraftModel",)]
            for t in tok.subtree:
                if t.dep_ == "pobj" and t.head.lower_ in ("against", "by") and not t.head.head.lemma_.lower() in ("build",):
                    targets += [e for e in self.np_entities(t) if e not in targets]
            context = False
            if not targets:
                same = [c for c in self.cands if c.relation in ("opposes", "sanctions") and
                        sent.start_char <= c.start < sent.end_char]
                if same:
                    targets = [same[0].object]
                    context = True
            subjects = self.subjects(tok)
            for s in subjects:
                for t in targets:
                    if self.etype(s) == "Person" and self.snap.state_of(s) == t:
                        continue
                    start = tok.idx
                    for c in tok.children:
                        if c.dep_ == "nsubj":
                            start = min(x.idx for x in c.subtree)
                    end = max(x.idx + len(x.text) for x in tok.subtree)
                    if tok.dep_ == "ROOT" or tok.dep_ == "pcomp":
                        end = sent.end_char
                    c = self.add("threatens", s, t, start, end, trigger=tok, confidence=0.55 if context else 0.75)
                    if c:
                        if context:
                            c.note = "The threat names no target; the target is the one of the same sentence."

    def _report_named(self, heads) -> str | None:
        """The latest news report of this article, if one of `heads` is 'report' or 'story'."""
        if not any(h.lemma_.lower() in ("report", "story") for h in heads):
            return None
        reports = [sid for sid, source in self.sources.items() if source.get("type") == "NewsReport"]
        return reports[-1] if reports else None

    def rule_confirms_comments(self, sent) -> None:
        doc = self.doc
        for tok in self.sent_toks[self.sent_index(sent[0])]:
            lemma = tok.lemma_.lower()
            if lemma == "confirmation" and any(c.lower_ == "no" for c in tok.children):
                who = self.objects_via(tok, ("from", "by"))
                for w in who:
                    event = self._recent_event(tok, ("deploysTo", "fliesTo"))
                    if event:
                        start = tok.head.idx if tok.head.lemma_ == "be" else tok.idx
                        for x in tok.head.subtree:
                            if x.lower_ == "there" and x.i < tok.i:
                                start = x.idx
                        end = max(x.idx + len(x.text) for x in tok.subtree)
                        c = self.add("confirms", w, event, start, end, trigger=tok, confidence=0.8)
                        if c:
                            c.status, c.polarity, c.fixed_status = "negated", "negated", True
            if lemma in ("comment",) and tok.pos_ == "VERB" and tok.head.lemma_.lower() in NEG_VERBS:
                on = [p for c in tok.children if c.dep_ == "prep" and c.lower_ in ("on", "about") for p in c.children]
                # 'declined to comment on the report': the report itself, when the article has one
                event = self._report_named(on) or self._event_for_phrase(tok, on)
                subjects = self.subjects(tok)
                for s in subjects:
                    if event:
                        start = min(x.idx for c in tok.head.children if c.dep_ == "nsubj" for x in c.subtree) \
                            if any(c.dep_ == "nsubj" for c in tok.head.children) else tok.head.idx
                        end = max(x.idx + len(x.text) for x in tok.subtree)
                        c = self.add("commentsOn", s, event, start, end, trigger=tok, confidence=0.75)
                        if c:
                            c.status, c.polarity, c.fixed_status = "negated", "negated", True
            if lemma == "say" and tok.pos_ == "VERB" and tok.dep_ in ("acl", "xcomp", "advcl"):
                about = [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "about" for p in c.children]
                about += [p for c in tok.subtree if c.dep_ == "prep" and c.lower_ == "about" for p in c.children]
                if not about:
                    continue
                speaker = tok.head
                quoting = None
                if speaker.lemma_.lower() == "quote":
                    quoting = speaker
                    speaker = next((c for c in speaker.children if c.dep_ == "dobj"), speaker)
                who = self.np_entity(speaker)
                event = self._event_for_phrase(tok, about)
                if who and event:
                    start = sent.start_char
                    for t in sent:
                        if t.lower_ == "it" or (t.dep_ == "nsubj" and t.head == sent.root):
                            start = t.idx
                            break
                    c = self.add("commentsOn", who, event, start, sent.end_char, trigger=tok, confidence=0.6)
                    if c and quoting is not None:
                        reporter = self.subjects(quoting)
                        if reporter:
                            c.attributed_to = reporter[0]
                            c.status, c.certainty, c.fixed_status = "reported", "probable", True
                            if self.etype(reporter[0]) in ("NewsAgency", "NewsOrganization"):
                                sid = f"{reporter[0]}-report"
                                self.sources.setdefault(sid, {"type": "NewsReport", "publisher": reporter[0],
                                                              "label": f"report by {self.snap.get(reporter[0], 'label', reporter[0])}"})
                                c.source = sid
                            q = self._anonymous_speaker(quoting, noun=speaker)
                            if q:
                                c.quotes = q

    def _recent_event(self, tok, relations) -> str | None:
        for relation in relations:
            for c in reversed([c for c in self.cands if c.start < tok.idx]):
                if c.relation == relation:
                    return self.event_id(c)
        return None

    def _whole_event(self, c: Cand) -> str:
        """A flight reported beside a deployment is part of it: comments are on the deployment."""
        if c.relation == "fliesTo":
            deployments = [d for d in self.cands if d.relation == "deploysTo" and d.start < c.start + 2000]
            if deployments:
                return self.event_id(deployments[0])
        return self.event_id(c)

    def _event_for_phrase(self, tok, nouns) -> str | None:
        words = {t.lemma_.lower() for n in nouns for t in n.subtree}
        earlier = [c for c in self.cands if c.start < tok.idx and c.relation in EVENT_TYPES]
        if "report" in words:
            reported = [c for c in earlier if c.trigger is not None and
                        any(t.lemma_.lower() in REPORT_VERBS for t in c.trigger.sent)]
            if reported:
                return self._whole_event(reported[-1])
        if words & {"flight", "plane", "aircraft", "deployment", "troop", "soldier"}:
            typed = [c for c in earlier if c.relation in ("deploysTo", "fliesTo")]
            if typed:
                return self._whole_event(typed[0])
        for c in reversed(earlier):
            sentence_words = {t.lemma_.lower() for t in self.doc.char_span(c.start, c.end, alignment_mode="expand")}
            if words & sentence_words - {"the", "of", "a", "on"}:
                return self.event_id(c)
        return self.event_id(earlier[-1]) if earlier else None

    def event_id(self, c: Cand) -> str:
        """A stable event id for a claim: one event per (type, actor's state, recipient's state)."""
        if c.about:
            return c.about
        etype = EVENT_TYPES.get(c.relation, "Event")
        actor = self.snap.state_of(c.subject) or c.subject
        target = self.snap.state_of(c.object) or c.object
        if etype in ("MilitaryDeployment", "Flight"):
            eid = f"{etype.lower()}-{actor}-{target}"
            if etype == "Flight" and c.event.get("aircraft_model"):
                eid = f"flight-{c.event['aircraft_model']}"
        else:
            eid = f"{c.relation.lower()}-{actor}-{target}"
        c.about = eid
        return eid

    # ----------------------------------------------------------------- attribution, status, time
    def finish(self) -> None:
        doc = self.doc
        for c in self.cands:
            self._attribute(c)
            self._time(c)
            if c.trigger is not None and c.status in ("asserted", "reported") and \
                    c.relation not in ("headOfState", "headOfGovernment", "leads") and modality.is_hypothetical(c.trigger):
                c.status, c.certainty = "hypothetical", "possible"
            if c.trigger is not None and c.status in ("asserted", "reported", "hypothetical") and not c.fixed_status and \
                    self.negated_argument(c.trigger):
                c.status, c.polarity = "negated", "negated"  # "no U.S. troops would be deployed"
            elif c.trigger is not None and c.relation == "recognizes" and c.status == "negated" and \
                    modality.is_hypothetical(c.trigger):
                # "threatened to break off relations with X": an ending of ties that may come
                c.status, c.certainty = "hypothetical", "possible"
        self._discourse()
        # the person behind a state act is the state ("Putin recognised" -> Russia)
        for c in self.cands:
            if c.relation in STATE_ACTS and self.etype(c.subject) == "Person":
                # a head of state, or a minister or official the snapshot lists with offices of
                # the state ("Foreign Secretary Dominic Raab has announced sanctions"), acts for it
                state = self.heads_of.get(c.subject) or (
                    self.snap.get(c.subject, "country") if self.snap.get(c.subject, "positions") else None)
                if state and self.etype(state) == "State":
                    c.subject = state
            if c.relation == "deploysTo" and self.etype(c.object) != "State" and self.etype(c.object) not in ("Region", "DeFactoState"):
                c.object = self.to_state(c.object)
        seen = set()
        out = []
        for c in self.cands:
            key = (c.relation, c.subject, c.object, c.start, c.end)
            if key in seen or c.subject == c.object:
                continue
            seen.add(key)
            out.append(c)
        self.cands = out

    def _attribute(self, c: Cand) -> None:
        doc = self.doc
        tok = c.trigger
        if tok is None or c.relation in ("headOfState", "headOfGovernment", "leads"):
            return
        sent = tok.sent
        node = tok
        chain = []
        while node.head.i != node.i:
            chain.append(node)
            if node.dep_ == "relcl" and node.head.pos_ == "PROPN" and node.i >= 1 and any(
                    t.text == "," for t in self.doc[node.head.i + 1:node.left_edge.i + 1]):
                # "ECOWAS, which had imposed sanctions on Niger, ...": a non-restrictive relative
                # clause is the writer's own aside, outside the scope of any reporting verb above
                break
            node = node.head
        else:
            chain.append(node)
        aside = chain[-1].dep_ == "relcl" and chain[-1].head.i != chain[-1].i
        speaker_verb = None
        denier = None
        negated = any(ch.dep_ == "neg" for ch in tok.children) or any(
            ch.dep_ == "neg" for a in chain[1:3] if a.pos_ in ("AUX", "VERB") and a.dep_ in ("aux", "xcomp", "ccomp") for ch in a.children)
        if tok.dep_ == "xcomp" and any(ch.dep_ == "neg" for ch in tok.head.children):
            negated = True
        for a in chain[1:]:
            lemma = a.lemma_.lower()
            if lemma in DENY_VERBS and a.pos_ == "VERB":
                denier = a
                break
            if a.pos_ == "NOUN" and lemma in CLAIM_NOUNS and not c.fixed_status and \
                    any(ch.dep_ == "amod" and ch.lower_ in DISMISSIVE_ADJECTIVES for ch in a.children):
                # "unfounded accusations that Eritrea was arming Al-Shabaab": the writer denies it
                c.status, c.certainty, c.polarity, c.fixed_status = "denied", "probable", "denied", True
                break
            if a.pos_ == "NOUN" and lemma in EVIDENCE_NOUNS and not c.fixed_status and \
                    any(ch.dep_ == "det" and ch.lower_ == "no" for ch in a.children):
                # "found no evidence of Eritrean support for Al-Shabaab", "no sign that troops crossed"
                c.status, c.polarity, c.fixed_status = "negated", "negated", True
                break
            if a.pos_ == "NOUN" and lemma in CLAIM_NOUNS and chain[chain.index(a) - 1].dep_ in ("acl", "ccomp", "relcl") \
                    and not c.fixed_status and c.status == "asserted":
                # "allegations that the UAE supplied weapons", "reports that troops had crossed":
                # hearsay, whoever made it
                c.status = "reported"
            if (lemma in NEG_VERBS or lemma in NEG_PHRASAL and any(ch.dep_ == "prt" and ch.lower_ == NEG_PHRASAL[lemma]
                                                                    for ch in a.children)) \
                    and a.pos_ == "VERB" and c.relation not in ("commentsOn",) and chain.index(a) <= 2:
                negated = True
            if lemma in REPORT_VERBS and a.pos_ == "VERB":
                below = chain[chain.index(a) - 1]
                if below.dep_ in ("dobj", "nsubj", "nsubjpass") and lemma not in ("quote",):
                    break
                speaker_verb = a
                break
        if denier is None and speaker_verb is None:
            # "“…”, X reported" parsed with the reporting verb under the quoted clause
            on_chain = {a.i for a in chain}
            for t in sent:
                concessive = t.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("although", "though", "while", "whereas")
                                                      for m in t.children)  # "..., although Bamako says ...": not the source
                if aside or concessive:
                    continue
                if t.lemma_.lower() in REPORT_VERBS and t.pos_ == "VERB" and (t.dep_ in ("advcl", "parataxis", "ccomp") or (
                        # "X has sent troops to Y, South Korea's spy agency said": parsed as a conjunct
                        t.dep_ == "conj" and t.i >= 2 and any(d.text == "," for d in self.doc[max(0, t.left_edge.i - 2):t.left_edge.i + 1])
                        and not any(c_.dep_ == "cc" for c_ in t.head.children if c_.i < t.i and c_.i > tok.i))) \
                        and t.head.i in on_chain and t.i > tok.i and c.relation not in ("commentsOn",):
                    speaker_verb = t
                    break
        if denier is None and speaker_verb is None:
            # "“…”, X reported": the quote is a sibling clause of the root reporting verb
            root = sent.root
            if root.lemma_.lower() in REPORT_VERBS and root.i != tok.i and c.relation not in ("commentsOn",) and not aside:
                if not any(ch.dep_ in ("dobj", "nsubj") and tok.i in [x.i for x in ch.subtree] for ch in root.children):
                    speaker_verb = root
            for t in sent:
                if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
                    for p in doc[t.i + 1].children:
                        who = self.np_entity(p) or self._anonymous_speaker(None, noun=p)
                        if who:
                            c.attributed_to = who
                            c.status = "reported" if not c.fixed_status else c.status
                elif t.lower_ == "citing" and t.dep_ in ("advcl", "acl", "xcomp", "conj"):
                    # "..., Reuters reported, citing two officials": the source quoted
                    for p in t.children:
                        if p.dep_ == "dobj":
                            who = self.np_entity(p) or self._anonymous_speaker(None, noun=p)
                            if who and not c.attributed_to:
                                c.attributed_to = who
                                c.status = "reported" if not c.fixed_status else c.status
                elif t.lower_ in HEARSAY_ADVERBS and not c.fixed_status and c.status == "asserted":
                    c.status = "reported"  # "reportedly", "allegedly": said by someone unnamed
        if denier is not None:
            who = self.subjects(denier)
            c.status, c.polarity, c.certainty, c.fixed_status = "denied", "denied", "certain", True
            if who:
                c.attributed_to = who[0]
            return
        if speaker_verb is not None:
            who = self.subjects(speaker_verb)
            # coordinated speakers ("Italy, Germany and Austria said they would"): each speaks for itself
            speaker = c.subject if c.subject in who else (who[0] if who else None)
            if speaker is None:
                speaker = self._anonymous_speaker(speaker_verb)
            if speaker is None and not c.fixed_status:
                c.status = "reported"
            # an actor stating its own stance or action asserts it (docs/annotations.md)
            own = bool(speaker) and self.own_voice(speaker, c.subject)
            if speaker and speaker != c.subject or speaker and c.relation in ("backs", "deploysTo", "lendsTo", "sanctions") or own:
                c.attributed_to = speaker
                if speaker_verb.lemma_.lower() == "tweet":
                    sid = f"{speaker}-tweet"
                    self.sources.setdefault(sid, {"type": "SocialMediaPost", "label": f"post by {self.snap.get(speaker, 'label', speaker)}",
                                                  "author": speaker})
                    c.source = sid
                elif self.etype(speaker) in ("NewsAgency", "NewsOrganization"):
                    sid = f"{speaker}-report"
                    self.sources.setdefault(sid, {"type": "NewsReport", "label": f"report by {self.snap.get(speaker, 'label', speaker)}",
                                                  "publisher": speaker})
                    c.source = sid
                quoted = [ch for ch in speaker_verb.children if ch.dep_ == "dobj"]
                if speaker_verb.lemma_.lower() == "quote" and quoted:
                    q = self._anonymous_speaker(speaker_verb, noun=quoted[0])
                    if q and q in self.sources:
                        c.quotes = q
                if negated and (self.snap.state_of(speaker) == self.snap.state_of(c.subject) or speaker == c.subject):
                    c.status, c.polarity, c.fixed_status = "denied", "denied", True
                elif own and not c.fixed_status:
                    c.status = "asserted"
                elif not c.fixed_status:
                    c.status = "reported"
                    if speaker in self.sources and self.sources[speaker]["type"] == "AnonymousSource":
                        c.certainty = "probable"
        if negated and not c.fixed_status:
            c.status, c.polarity, c.fixed_status = "negated", "negated", True

    @staticmethod
    def negated_argument(tok) -> bool:
        """'no troops were sent', 'sent no weapons', 'no sanctions': a negative determiner on the
        trigger's subject or object (or on the trigger noun itself) negates the relation."""
        args = [tok] + [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
        return any(d.dep_ == "det" and d.lower_ in ("no", "neither") for a in args for d in a.children)

    def own_voice(self, speaker: str, subject: str) -> bool:
        """Does `speaker` speak for `subject`? The actor itself, its state's government or a
        body of it (a ministry), or a head of state or government titled in the article
        ("Germany will send tanks, Chancellor Olaf Scholz said"); not another body that merely
        belongs to the same state."""
        if speaker == subject:
            return True
        if speaker in self.sources:  # an unnamed official speaks for the body or state he belongs to
            speaker = self.sources[speaker].get("affiliation") or speaker
            if speaker == subject:
                return True
        if subject in (self.snap.get(speaker, "affiliation"), self.snap.get(speaker, "part_of")):
            return True  # the ECOWAS Commission's president, a ministry of the government
        state = self.snap.state_of(subject) if self.etype(subject) in ("State", "Government", "ArmedForces") else None
        if not state:
            return False
        gov = self.snap.government_of(state)
        if speaker in (state, gov):
            return True
        if self.etype(speaker) == "Person":
            return self.heads_of.get(speaker) == state or self.snap.get(speaker, "country") == state
        return self.etype(speaker) == "Organization" and self.snap.get(speaker, "part_of") == gov and gov is not None

    def _anonymous_speaker(self, verb, noun=None) -> str | None:
        if noun is None:
            subj = [ch for ch in verb.children if ch.dep_ == "nsubj"]
            if not subj:
                return None
            noun = subj[0]
        if noun.lemma_.lower() not in SPEAKER_NOUNS:
            return None
        aff = self._of_owner(noun) or self.owner(noun)
        if aff is None:
            for t in noun.subtree:
                e = self.ent(t)
                if e:
                    aff = e
                    break
        label = " ".join(t.text for t in noun.subtree)[:120]
        sid = "src-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:60]
        entry = {"type": "AnonymousSource", "label": label}
        if aff:
            entry["affiliation"] = aff
        self.sources.setdefault(sid, entry)
        return sid

    def _time(self, c: Cand) -> None:
        tok = c.trigger
        if tok is None:
            return
        sent_text = tok.sent.text
        if HISTORICAL_CUES.search(sent_text) or SINCE_YEAR.search(sent_text) and c.relation == "deploysTo":
            c.temporality = "historical"
        elif any(ch.lower_ in ("will", "would", "'ll") for ch in tok.children if ch.dep_ == "aux") or (
                tok.dep_ == "xcomp" and tok.head.lemma_.lower() in ("plan", "intend", "prepare")):
            c.temporality = "future"

    def _discourse(self) -> None:
        doc = self.doc
        # later denials of the same claim, or of "the accusations/reports" about an actor
        for later in self.cands:
            if later.status != "denied":
                continue
            for c in self.cands:
                if c is not later and c.start < later.start and (c.relation, c.subject, c.object) == (
                        later.relation, later.subject, later.object) and c.status in ("reported", "asserted", "unconfirmed"):
                    c.status, c.certainty = "denied", "probable"
                    c.note = c.note or "Reported, and denied later in the article."
        for sent in self.sents:
            for tok in self.sent_toks[self.sent_index(sent[0])]:
                if tok.lemma_.lower() in DENY_VERBS and tok.pos_ == "VERB":
                    objs = [d for d in self.dobj(tok) if d.lemma_.lower() in CLAIM_NOUNS]
                    if tok.dep_ == "relcl" and tok.head.lemma_.lower() in CLAIM_NOUNS:
                        # "accused North Korea of supplying Russia, charges both countries deny": the
                        # accusation of this very sentence is denied
                        for c in self.cands:
                            under_accusation = c.trigger is not None and any(
                                a.lemma_.lower() in REPORT_VERBS for a in c.trigger.ancestors)
                            if sent.start_char <= c.start < tok.idx and c.status == "reported" and under_accusation:
                                c.status, c.certainty = "denied", "probable"
                                c.note = c.note or f"Reported and denied in the same sentence: {sent.text.strip()[:80]}"
                        continue
                    if not objs:
                        continue
                    who = [w for w in self.subjects(tok) if w]
                    deniers = {self.snap.state_of(s) or s for s in who}
                    denied_now = []
                    for c in list(self.cands):
                        # the accused, or the other party of the reported act ("The Kremlin dismissed
                        # the report" that North Korea sent troops to Russia)
                        parties = {self.snap.state_of(c.subject) or c.subject, self.snap.state_of(c.object) or c.object}
                        if c.start < tok.idx and c.status in ("reported",) and parties & deniers \
                                and c.relation != "denies":
                            c.status, c.certainty = "denied", "probable"
                            c.note = c.note or f"Reported, then denied: {sent.text.strip()[:80]}"
                            denied_now.append(c)
                    if who and denied_now and denied_now[-1].relation in EVENT_TYPES:
                        # the denial itself, of the event the report described ("A Russian lawmaker
                        # dismissed the claim as fake")
                        start, end = self._clause(tok, sent)
                        d = Cand("denies", who[0], self.event_id(denied_now[-1]), start, end, trigger=tok,
                                 confidence=0.7, sent_index=self.sent_index(tok))
                        self.cands.append(d)
            m = UNCONFIRMED_CUES.search(sent.text)
            if m:
                who = []
                for tok in self.sent_toks[self.sent_index(sent[0])]:
                    if tok.lemma_.lower() == "confirmation":
                        who = self.objects_via(tok, ("from", "by"))
                for c in self.cands:
                    if c.start < sent.start_char and c.relation in ("deploysTo", "fliesTo") and c.status in ("reported", "asserted") \
                            and c.temporality != "historical":
                        c.status, c.certainty = "unconfirmed", "probable"
                        c.not_confirmed_by = [w for w in who if w]
        for c in self.cands:
            if c.status == "reported" and c.certainty == "certain" and c.attributed_to and c.attributed_to.startswith("src-"):
                c.certainty = "probable"

    # ----------------------------------------------------------------- output
    def result(self) -> dict[str, Any]:
        events: dict[str, dict] = {}
        claims = []
        for n, c in enumerate(sorted(self.cands, key=lambda c: (c.start, c.relation)), 1):
            about = None
            if c.relation in EVENT_TYPES and c.relation not in ("headOfState",):
                about = self.event_id(c)
                ev = events.setdefault(about, {"type": EVENT_TYPES[c.relation]})
                self._event_fields(ev, c)
            elif c.about:
                about = c.about
            # evidence never starts or ends in white space (a sentence's trailing newline is not
            # part of what it says, and the graph checks the span against its sentence)
            while c.end > c.start and self.text[c.end - 1].isspace():
                c.end -= 1
            while c.start < c.end and self.text[c.start].isspace():
                c.start += 1
            text = self.text[c.start:c.end]
            claim: dict[str, Any] = {"id": f"c{n:02d}", "relation": c.relation, "subject": c.subject, "object": c.object}
            if about and about in events or (about and c.relation in ("confirms", "commentsOn")):
                claim["about"] = about
            claim.update({"span": [c.start, c.end], "text": text, "status": c.status, "certainty": c.certainty})
            if c.polarity != "affirmed":
                claim["polarity"] = c.polarity
            if c.temporality != "current":
                claim["temporality"] = c.temporality
            for key in ("attributed_to", "source", "quotes"):
                if getattr(c, key):
                    claim[key] = getattr(c, key)
            if c.not_confirmed_by:
                claim["not_confirmed_by"] = list(c.not_confirmed_by)
            claim["confidence"] = round(c.confidence, 2)
            if c.note:
                claim["note"] = c.note
            claims.append(claim)
        # events referred to by confirms/commentsOn must exist (a news report of this article is
        # a source, not an event)
        for claim in claims:
            value = claim.get("object")
            if claim["relation"] in ("confirms", "commentsOn") and value and value not in events \
                    and value not in self.sources:
                events[value] = {"type": "Event", "label": value}
        claims = [c for c in claims if c["relation"] != "denies" or c["object"] in events]
        for claim in claims:
            if claim.get("about") and claim["about"] not in events:
                del claim["about"]
        mentions = [{"entity": m.entity, "span": [m.start, m.end], "text": m.text} for m in self.mentions]
        return {"sources": self.sources, "events": events, "claims": claims, "mentions": mentions}

    def _event_fields(self, ev: dict, c: Cand) -> None:
        etype = ev["type"]
        subject_role, object_role, label = EVENT_ROLES.get(etype, DEFAULT_EVENT_ROLES)
        ev.setdefault(subject_role, c.subject)
        ev.setdefault(object_role, c.object)
        ev.setdefault("label", label.format(type=etype, s=self.snap.get(c.subject, "label", c.subject),
                                            o=self.snap.get(c.object, "label", c.object)))
        for key, value in c.event.items():
            ev.setdefault(key, value)
        if c.relation in CAMEO:
            ev.setdefault("cameo", CAMEO[c.relation])
        if etype == "MilitaryDeployment" and ev.get("recipient") and \
                self.etype(ev["recipient"]) not in ("State", "DeFactoState", "Government") and \
                self.etype(ev["recipient"]) in ("Region", "City", "Place", "Airport"):
            # troops sent to a place that is not an actor (a shoal, a border line): where, not to whom
            ev["place"] = ev.pop("recipient")
        date = self._event_date(c)
        if date:
            ev.setdefault("date", date)
        elif etype == "Flight":
            ev.setdefault("note", "The article gives no date for this flight.")

    def _event_date(self, c: Cand) -> str | None:
        if not self.date or c.temporality == "historical":
            return None
        span = self.doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is None:
            return None
        for ent in self.ents_in(span.sent):
            if ent.label_ != "DATE":
                continue
            d = resolve_date(ent.text, self.date)
            if d:
                return d.isoformat()
        return None


# ---------------------------------------------------------------------- public API
def annotate(text: str, *, document_id: str, meta: dict | None = None, nlp=None, reference=None,
             doc=None, calibrate: bool = True) -> dict[str, Any]:
    """Annotate one article. Returns the annotation-file mapping (format geokg-annotations/1)
    plus `local_entities`: the unlinked entities it minted (the caller stores them).

    `nlp`: a loaded pipeline (default: load_pipeline()); `reference`: a kgbuild.link.Snapshot
    (default: the project's data/reference); `doc`: an already parsed Doc of `text` (nlp.pipe).
    """
    from ..annotations import FORMAT, sha256_text
    from ..link import Snapshot
    meta = dict(meta or {})
    nlp = nlp or load_pipeline()
    snapshot = reference or Snapshot.load()
    linker = linker_for(snapshot, nlp)
    if doc is None:
        doc = nlp(prepare(text))
    mentions = linker.link(doc, document=document_id)
    ex = Extractor(doc, mentions, snapshot, document_id=document_id, meta=meta, text=text)
    ex.run()
    body = ex.result()
    if calibrate:  # raw rule confidence -> measured precision (calibrate.py); off when fitting it
        calibration.apply(body["claims"])
    used = {m["entity"] for m in body["mentions"]} | {c["subject"] for c in body["claims"]} | \
           {c["object"] for c in body["claims"]}
    local = {eid: dict(item) for eid, item in snapshot.local.items() if eid in used}
    return {
        "format": FORMAT,
        "document": document_id,
        "text_sha256": sha256_text(text),
        "annotator": EXTRACTOR,
        "extractor_version": EXTRACTOR_VERSION,
        "annotated": datetime.date.today().isoformat(),
        **body,
        "local_entities": local,
    }


_LINKERS: dict[int, Any] = {}


def linker_for(snapshot, nlp):
    from ..link import Linker
    key = (id(snapshot), id(nlp))
    if key not in _LINKERS:
        _LINKERS[key] = Linker(snapshot, nlp)
    return _LINKERS[key]
