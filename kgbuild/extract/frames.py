"""Frames: relations found from trigger words and syntactic roles declared in lexicons/frames.yaml.

A frame says, for one analyst relation, which words can state it and where its two arguments
sit. The syntax is handled here once for every frame:

- verbs: `subject` is the doer (active subject, passive by-agent, the controller of "vowed to
  send", the noun a relative clause hangs on, or the agent of a reduced relative "sanctions
  imposed by the EU"); `patient` is the direct object, or the passive subject;
- light verbs: a verb with an event noun ("impose sanctions on", "voice support for",
  "was hit with asset freezes by"): the doer of the verb does the event, the prepositions of
  the noun or of the verb give the other argument;
- nouns: "X's support for Y", "US sanctions on Iran", "sanctions by the EU", and copular nouns
  ("X is an ally of Y", "X, a close ally of Y");
- coordination on both ends, through the extractor's noun-phrase reader.

Role names in the lexicon: `subject`, `patient`, `dative`, `poss`, `mod`, `copula`, `appos`,
`doer` (the subject of the verb whose object the noun is),
`clause` (the first fitting entity of a controlled clause: "threatened to cut ties with X"),
and `prep:<word>` (the object of that preposition on the trigger, its noun or its verb).

The frames add claims; the extractor's attribution, status and time layers then treat them like
every other claim. A frame never adds a claim that another rule already made in the same
sentence, nor the reverse of one.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..errors import GeokgError
from . import lexicon

RELATIVE_PRONOUNS = {"which", "that", "who", "whom"}
EACH_OTHER = "<each other>"
NON_STATE_ACTORS = {"PoliticalMovement", "Organization", "MilitaryUnit"}   # a reciprocal object: each subject towards the others


@dataclass
class Trigger:
    relation: str
    kind: str                      # verb | light | noun
    lemmas: frozenset[str]
    nouns: frozenset[str] = frozenset()
    subject: tuple[str, ...] = ()
    object: tuple[str, ...] = ()
    particle: str | None = None
    noun_role: str = "patient"     # light verbs: where the event noun sits
    requires_passive: bool = False
    confidence: float = 0.75
    subject_types: frozenset[str] = frozenset()
    object_types: frozenset[str] = frozenset()
    object_as_state: bool = False
    hypothetical: bool = False
    with_words: frozenset[str] = frozenset()     # some word of the trigger's phrase must be one of these
    clause_lemmas: frozenset[str] = frozenset()  # the trigger's clause must have one of these verbs
    troops: bool = False                         # the doer must be troops or a force
    aircraft: bool = False                       # the doer must be an aircraft
    mutual: bool = False                         # the relation holds both ways ("X's alliance with Y")
    without_words: frozenset[str] = frozenset()  # none of these may be in the trigger's phrase
    troops_object: bool = False                  # the verb's object must be troops or a force
    patron_backs_client: bool = False            # a non-state "ally" of a state is backed by it


@dataclass
class FrameSet:
    verbs: dict[str, list[Trigger]] = field(default_factory=dict)
    nouns: dict[str, list[Trigger]] = field(default_factory=dict)
    lights: dict[str, list[Trigger]] = field(default_factory=dict)
    words: frozenset[str] = frozenset()   # every lemma that can start a frame (sentence prefilter)


@functools.cache
def frame_set() -> FrameSet:
    raw = lexicon.load("frames")
    path = lexicon.FOLDER / "frames.yaml"
    groups = {k: frozenset(v) for k, v in (raw.get("type_groups") or {}).items()}

    def types(spec) -> frozenset[str]:
        out: set[str] = set()
        for name in spec or []:
            out |= groups.get(name, {name})
        return frozenset(out)

    fs = FrameSet()
    words: set[str] = set()
    for relation, frame in (raw.get("frames") or {}).items():
        if not isinstance(frame, dict):
            raise GeokgError(f"frame {relation!r} must be a mapping", path=path)
        base = dict(confidence=float(frame.get("confidence", 0.75)),
                    subject_types=types(frame.get("subject_types", ["actor"])),
                    object_types=types(frame.get("object_types", ["actor"])),
                    object_as_state=bool(frame.get("object_as_state", False)))
        for kind, index, default_subject in (("verb", fs.verbs, ("subject",)), ("noun", fs.nouns, ("poss", "mod", "prep:by")),
                                             ("light", fs.lights, ("subject",))):
            for entry in frame.get(kind + "s") or []:
                if not isinstance(entry, dict) or not (entry.get("lemmas") or entry.get("verbs")):
                    raise GeokgError(f"frame {relation!r}: a {kind} entry needs lemmas", path=path)
                lemmas = frozenset(str(w).lower() for w in (entry.get("verbs") if kind == "light" else entry["lemmas"]))
                trig = Trigger(relation=relation, kind=kind, lemmas=lemmas,
                               nouns=frozenset(str(w).lower() for w in entry.get("nouns") or []),
                               subject=tuple(entry.get("subject") or default_subject),
                               object=tuple(entry.get("object") or ("patient",)),
                               particle=entry.get("particle"), noun_role=entry.get("noun_role", "patient"),
                               requires_passive=bool(entry.get("passive", False)),
                               hypothetical=bool(entry.get("hypothetical", False)),
                               with_words=frozenset(str(w).lower() for w in entry.get("with_words") or []),
                               clause_lemmas=frozenset(str(w).lower() for w in entry.get("clause_lemmas") or []),
                               troops=bool(entry.get("troops", False)),
                               aircraft=bool(entry.get("aircraft", False)),
                               mutual=bool(entry.get("mutual", False)),
                               without_words=frozenset(str(w).lower() for w in entry.get("without_words") or []),
                               troops_object=bool(entry.get("troops_object", False)),
                               patron_backs_client=bool(entry.get("patron_backs_client", False)),
                               **{**base, **({"confidence": float(entry["confidence"])} if "confidence" in entry else {}),
                                  **{k: types(entry[k]) for k in ("subject_types", "object_types") if k in entry}})
                if kind == "light" and not trig.nouns:
                    raise GeokgError(f"frame {relation!r}: a light entry needs nouns", path=path)
                for lemma in lemmas:
                    index.setdefault(lemma, []).append(trig)
                words |= lemmas | trig.nouns
    fs.words = frozenset(words)
    return fs


class FrameReader:
    """Applies the frames to the sentences of one Extractor (kgbuild.extract.rules)."""

    def __init__(self, ex):
        self.ex = ex
        self.fs = frame_set()
        self.troop_nouns = lexicon.words("words", "troop_nouns")
        self.craft_nouns = lexicon.words("words", "craft_nouns")
        self.withdrawing_verbs = lexicon.words("words", "withdrawing_verbs")

    # ----------------------------------------------------------------- entry point
    def run(self) -> None:
        ex = self.ex
        for idx, sent in enumerate(ex.sents):
            if idx in ex.skip_sents or not (ex.sent_lemmas[idx] & self.fs.words):
                continue
            for tok in ex.sent_toks[idx]:
                lemma = tok.lemma_.lower()
                if tok.pos_ in ("VERB", "AUX"):
                    for trig in self.fs.verbs.get(lemma, ()):
                        self.verb_frame(trig, tok)
                    for trig in self.fs.lights.get(lemma, ()):
                        self.light_frame(trig, tok)
                if tok.pos_ in ("NOUN", "PROPN"):
                    for trig in self.fs.nouns.get(lemma, ()) or self.fs.nouns.get(tok.lower_, ()):
                        self.noun_frame(trig, tok)

    # ----------------------------------------------------------------- frames
    def conditions_hold(self, trig: Trigger, tok) -> bool:
        if trig.without_words and any(t.lemma_.lower() in trig.without_words or t.lower_ in trig.without_words
                                      for t in tok.subtree):
            return False
        if trig.with_words and not any(t.lemma_.lower() in trig.with_words or t.lower_ in trig.with_words
                                       for t in tok.subtree):
            return False
        if trig.clause_lemmas and not any(c.dep_ in ("xcomp", "ccomp") and c.lemma_.lower() in trig.clause_lemmas
                                          for c in tok.children):
            return False
        if trig.aircraft:
            doer = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not doer or not any(d.lemma_.lower() in self.craft_nouns or self.ex.etype(self.ex.ent(d)) in
                                   ("Aircraft", "AircraftModel") for d in doer):
                return False
        if trig.troops_object and not any(self.is_troops(c) for c in tok.children if c.dep_ in ("dobj", "nsubjpass")):
            return False
        if trig.troops:
            doer = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")] or (
                [tok.head] if tok.dep_ in ("acl", "relcl") else []) or ([tok] if tok.pos_ in ("NOUN", "PROPN") else [])
            if not doer or not any(self.is_troops(d) for d in doer):
                return False
        return True

    def is_troops(self, tok) -> bool:
        ex = self.ex
        if tok.lemma_.lower() in self.troop_nouns or tok.lower_ in self.troop_nouns:
            return True
        return ex.etype(ex.ent(tok)) in ("ArmedForces", "MilitaryUnit")

    def verb_frame(self, trig: Trigger, verb) -> None:
        if trig.particle and not any(c.dep_ == "prt" and c.lower_ == trig.particle for c in verb.children):
            return
        if trig.requires_passive and not self.passive(verb):
            return
        if not self.conditions_hold(trig, verb):
            return
        subjects = self.role(trig.subject, verb, verb)
        objects = self.role(trig.object, verb, verb)
        self.emit(trig, subjects, objects, verb, verb)

    def light_frame(self, trig: Trigger, verb) -> None:
        nouns = []
        for n in self.role_tokens(trig.noun_role, verb):
            # the small parser sometimes reads the event noun as a verb on its compound
            # ("asset freezes": freezes -> acl of asset); either token names the event
            following = [n.doc[n.i + 1]] if n.i + 1 < len(n.doc) and n.doc[n.i + 1].pos_ in ("NOUN", "VERB") else []
            for cand in (n, *[c for c in n.children if c.dep_ in ("acl", "compound", "conj") and c.i == n.i + 1], *following):
                if cand.lemma_.lower() in trig.nouns or cand.lower_ in trig.nouns:
                    nouns.append(cand)
                    break
        if not nouns:
            return
        for noun in nouns:
            # the noun's own owner is the doer when it has one: "pledged Tehran's support for Assad"
            owner = self.role(("poss",), noun, noun) if trig.subject == ("subject",) else []
            if not owner and trig.subject == ("subject",) and self.passive(verb):
                owner = self.role(("mod",), noun, noun)  # "were hit with U.S. sanctions"
            subjects = owner or self.role(trig.subject, verb, noun) or self.role(trig.subject, noun, noun)
            if not subjects and trig.subject == ("subject",):
                subjects = self.role(("mod",), noun, noun)
            objects = []
            for spec in trig.object:
                objects = self.role((spec,), noun, noun) or self.role((spec,), verb, noun)
                if objects:
                    break
            self.emit(trig, subjects, objects, verb, noun)

    def noun_frame(self, trig: Trigger, noun) -> None:
        # a noun under a light verb of the same relation is read by that light frame
        head = noun.head
        if head is not noun and any(t.relation == trig.relation and noun.lemma_.lower() in t.nouns
                                    for t in self.fs.lights.get(head.lemma_.lower(), ())):
            return
        if not self.conditions_hold(trig, noun):
            return
        if trig.relation in ("backs", "lendsTo") and noun.head.lemma_.lower() in self.withdrawing_verbs:
            return  # "U.S. assistance to Ethiopia was suspended", "cut support for": no longer support
        subjects = self.role(trig.subject, noun, noun)
        objects = self.role(trig.object, noun, noun)
        self.emit(trig, subjects, objects, noun, noun)

    # ----------------------------------------------------------------- roles
    @staticmethod
    def passive(verb) -> bool:
        return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
            verb.dep_ == "acl" and verb.tag_ == "VBN")

    def role_tokens(self, spec: str, tok) -> list:
        """The tokens that fill one role of a trigger token (before entity reading)."""
        children = list(tok.children)
        if spec == "patient":
            if self.passive(tok):
                out = [c for c in children if c.dep_ == "nsubjpass"]
                if not out and tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN"):
                    out = [tok.head]
                return out
            out = [c for c in children if c.dep_ in ("dobj", "attr", "oprd")]
            if out and out[0].lower_ in RELATIVE_PRONOUNS and tok.dep_ == "relcl":
                return [tok.head]
            return out
        if spec == "dative":
            return [c for c in children if c.dep_ == "dative" and c.pos_ in ("NOUN", "PROPN", "PRON")]
        if spec == "poss":
            return [c for c in children if c.dep_ == "poss"]
        if spec == "mod":
            return [c for c in children if c.dep_ in ("compound", "amod", "nmod") and c.i < tok.i]
        if spec == "of_owner":
            # "Washington's approval of a sale": the owner of the noun this one completes
            if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.pos_ == "NOUN":
                return [c for c in tok.head.head.children if c.dep_ == "poss"]
            return []
        if spec == "acl":
            return [g for c in children if c.dep_ in ("acl", "relcl") for g in c.children if g.dep_ == "dobj"]
        if spec.startswith("prep:"):
            words = spec[5:].split("_")
            out = []
            if tok.pos_ in ("VERB", "AUX"):
                # the parser often hangs the phrase on the object: "massed troops along the border"
                children = children + [g for c in children if c.dep_ == "dobj" for g in c.children]
            for c in children:
                if c.dep_ in ("prep", "agent", "dative") and c.lower_ == words[-1] and (
                        len(words) == 1 or c.i > 0 and tok.doc[c.i - 1].lower_ == words[0]):
                    out += [p for p in c.children if p.dep_ == "pobj"]
            return out
        return []

    def role(self, specs, tok, noun) -> list[str]:
        """The entities filling the first role of `specs` that has any."""
        ex = self.ex
        for spec in specs:
            if spec == "subject":
                found = [e for e in ex.subjects(tok) if e]
                if not found and tok.dep_ in ("acl", "relcl") and not self.passive(tok) and tok.head.pos_ in ("NOUN", "PROPN"):
                    found = ex.np_entities(tok.head)
            elif spec == "copula":
                found = []
                if noun.dep_ in ("attr", "conj") and noun.head.lemma_ == "be":
                    found = ex.subjects(noun.head)
                elif noun.dep_ == "pobj" and noun.head.lower_ == "among" and noun.head.head.lemma_ == "be":
                    found = ex.subjects(noun.head.head)   # "Pretoria has been among the critics of Israel"
            elif spec == "doer":
                # the doer of the verb whose object the noun is: "Turkey signed a defence pact with Somalia"
                found = [e for e in ex.subjects(noun.head) if e] if noun.dep_ == "dobj" else []
            elif spec == "appos":
                found = ex.np_entities(noun.head) if noun.dep_ == "appos" else []
            elif spec == "under":
                # "X has been under U.S. sanctions", "were made subject to full U.S. sanctions"
                found = []
                prep = tok.head if tok.dep_ == "pobj" else None
                if prep is not None and (prep.lower_ == "under" or prep.lower_ == "to" and prep.head.lower_ == "subject"):
                    gov = prep.head if prep.lower_ == "under" else prep.head.head
                    while gov.dep_ in ("acomp", "oprd", "prep", "advcl") and gov.head is not gov:
                        gov = gov.head
                    for c in gov.children:
                        if c.dep_ in ("nsubj", "nsubjpass"):
                            found = ex.np_entities(c)
                            break
            elif spec == "governor":
                found = []
                if tok.dep_ == "pobj" and tok.head.lower_ == "with" and tok.head.head.pos_ in ("VERB", "AUX"):
                    verb = tok.head.head
                    found = [e for e in ex.subjects(verb) if e]
                    if not found:  # "the strikes were carried out with support from ...": the strikes' doers
                        for c in verb.children:
                            if c.dep_ == "nsubjpass":
                                found = [e for e in ex.np_entities(c) if e]
            elif spec == "self":
                found = ex.np_entities(tok)
            elif spec == "named":
                # the name right after the noun: "its ally Hezbollah", "the group's leader Yahya Sinwar"
                nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
                m = ex.mention_at(nxt) if nxt is not None and nxt.pos_ == "PROPN" else None
                found = [m.entity] if m else []
            elif spec == "between":
                found = []
                holders = [tok] + ([tok.head] if tok.dep_ in ("nsubj", "nsubjpass") else [])
                for t in [p for h in holders for p in self.role_tokens("prep:between", h)]:
                    for e in ex.np_entities(t):
                        if e not in found:
                            found.append(e)
                if len(found) < 2:
                    found = []
            elif spec == "clause":
                found = self.clause_target(tok)
            elif spec == "mod":
                # a demonym or name before the event noun is its doer ("Swedish support for the YPG")
                found = []
                for t in self.role_tokens(spec, tok):
                    e = ex.ent(t)
                    if e and e not in found and ex.etype(e) not in ("AircraftModel", "Aircraft"):
                        found.append(e)
                    for c in t.conjuncts:  # "U.N. and U.S. sanctions"
                        e2 = ex.ent(c)
                        if e2 and e2 not in found:
                            found.append(e2)
            else:
                found = []
                for t in self.role_tokens(spec, tok):
                    if self.reciprocal(t):
                        return [EACH_OTHER]
                    found += [e for e in ex.np_entities(t) if e not in found]
                    # "the US, along with Britain,": a companion of a coordinated argument
                    for c in t.children:
                        if c.dep_ == "prep" and c.lower_ == "with" and c.i > 0 and tok.doc[c.i - 1].lower_ in ("along", "together"):
                            for p in c.children:
                                found += [e for e in ex.np_entities(p) if e not in found]
            if found:
                return found
        return []

    @staticmethod
    def reciprocal(t) -> bool:
        """'each other', 'one another'."""
        doc = t.doc
        nxt = doc[t.i + 1].lower_ if t.i + 1 < len(doc) else ""
        prev = doc[t.i - 1].lower_ if t.i > 0 else ""
        return (t.lower_ == "other" and prev == "each" or t.lower_ == "another" and prev == "one" or
                t.lower_ == "each" and nxt == "other" or t.lower_ == "one" and nxt == "another")

    def clause_target(self, tok) -> list[str]:
        """Whom a threat or warning is about, from its clause: the party of a condition ("warned
        that Tehran would respond if Israel acted") first, else the first object that is not the
        speaker's own side ("threatened to cut ties with Y")."""
        ex = self.ex
        own = {ex.snap.state_of(e) or e for e in ex.subjects(tok)}
        own |= {ex.heads_of.get(e) for e in own if e in ex.heads_of}
        for c in tok.children:
            if c.dep_ not in ("xcomp", "ccomp") or c.pos_ not in ("VERB", "AUX"):
                continue
            for t in c.subtree:
                if t.dep_ == "nsubj" and t.head.dep_ == "advcl" and any(
                        m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in t.head.children):
                    found = [e for e in ex.np_entities(t) if (ex.snap.state_of(e) or e) not in own]
                    if found:
                        return found
            # objects of the threatened act itself, not of a purpose clause under it ("threatened to
            # use force to reinstate Bazoum" is not a threat against Bazoum)
            stack = [t for t in c.children]
            while stack:
                t = stack.pop(0)
                if t.dep_ in ("dobj", "pobj") and t.i > c.i or t.dep_ == "nsubj":
                    # ("... US strikes will have consequences": whose act will be answered)
                    found = [e for e in ex.np_entities(t) if (ex.snap.state_of(e) or e) not in own]
                    if found:
                        return found
                if t.dep_ in ("dobj", "pobj", "prep", "dative", "npadvmod"):
                    stack.extend(t.children)
        return []

    # ----------------------------------------------------------------- claims
    def emit(self, trig: Trigger, subjects: list[str], objects: list[str], anchor, noun) -> None:
        ex = self.ex
        continued = False
        if not subjects and objects and trig.relation in self.continuing and self.passive(anchor):
            # an agentless passive continues the last actor of the same relation: "The EU imposed
            # sanctions on Belarus ... 78 officials were also hit with asset freezes"
            subjects = self.previous_actor(trig.relation, anchor)
            continued = bool(subjects)
        if not subjects or not objects:
            return
        sent_idx = ex.sent_index(anchor)
        existing = {(c.relation, c.subject, c.object) for c in ex.cands if c.sent_index == sent_idx}
        if trig.relation in ("fliesTo",) and any(c.relation in ("fliesTo", "deploysTo") and c.sent_index == sent_idx
                                                 for c in ex.cands):
            return  # one destination per flight sentence: the flight rule's (an airport) is more precise
        sent = anchor.sent
        reciprocal = objects == [EACH_OTHER]
        pairs = []
        for s in subjects:
            if trig.subject_types and (ex.etype(s) or "") not in trig.subject_types:
                continue
            # "Kyrgyzstan and Tajikistan accused each other": each subject towards the others
            pairs += [(s, o) for o in ([x for x in subjects if x != s] if reciprocal else objects)]
        for s, o in pairs:
            if trig.object_as_state:
                o = ex.to_state(o)
            if trig.patron_backs_client and ex.etype(s) in NON_STATE_ACTORS and \
                    ex.etype(o) in ("State", "Government", "DeFactoState"):
                s, o = o, s   # the state is the patron: it backs the group that is its ally
            if not o or s == o or (trig.object_types and (ex.etype(o) or "") not in trig.object_types):
                continue
            if trig.relation == "deploysTo" and (ex.snap.state_of(s) or s) == (ex.snap.state_of(o) or o):
                continue  # forces at home are not deployed abroad
            symmetric = trig.subject == ("between",) or trig.mutual or reciprocal
            if (trig.relation, s, o) in existing or (not symmetric and (trig.relation, o, s) in existing):
                continue
            start, end = self.evidence(anchor, noun, sent)
            cand = ex.add(trig.relation, s, o, start, end, trigger=anchor, confidence=trig.confidence)
            if cand is None:
                continue
            existing.add((trig.relation, s, o))
            if trig.mutual and (trig.relation, o, s) not in existing:
                back = ex.add(trig.relation, o, s, start, end, trigger=anchor, confidence=trig.confidence)
                if back is not None:
                    existing.add((trig.relation, o, s))
            if continued:
                cand.confidence = min(cand.confidence, 0.6)
                cand.note = "The actor is not named here; taken from the previous claim of this relation."
            if trig.hypothetical:
                cand.status, cand.certainty, cand.fixed_status = "hypothetical", "possible", True

    continuing = frozenset({"sanctions"})

    def previous_actor(self, relation: str, anchor) -> list[str]:
        idx = self.ex.sent_index(anchor)
        earlier = [c for c in self.ex.cands if c.relation == relation and idx - 3 <= c.sent_index <= idx
                   and c.start < anchor.idx]
        return [earlier[-1].subject] if earlier else []

    @staticmethod
    def evidence(anchor, noun, sent) -> tuple[int, int]:
        """From the clause's left edge (or the anchor's subtree) to the end of the anchor's subtree,
        within the sentence, without trailing punctuation."""
        toks = [t for t in anchor.subtree] + [t for t in noun.subtree]
        left = min(t.i for t in toks)
        for c in anchor.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                left = min(left, c.left_edge.i)
        right = max(t.i for t in toks)
        doc = anchor.doc
        left, right = max(left, sent.start), min(right, sent.end - 1)
        while right > left and (doc[right].is_punct or doc[right].is_space):
            right -= 1
        return doc[left].idx, doc[right].idx + len(doc[right].text)


def apply(ex) -> None:
    """Add the claims of every frame to the Extractor `ex`."""
    FrameReader(ex).run()
