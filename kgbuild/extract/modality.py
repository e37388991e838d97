"""Modality: is a relation stated as a possibility rather than as something that happened?

Cues are data (lexicons/cues.yaml): modal verbs ("could send"), conditionals ("if Russia
invades"), and governing verbs and adjectives of plans, intentions, threats and forecasts
("plans to impose", "is expected to send", "threatened to cut ties", "ready to deploy").
"""
from __future__ import annotations

import functools

from . import lexicon

# how far up the tree a cue may sit: through these links the clause is still the relation's
_CLIMB = ("xcomp", "conj", "acl", "pobj", "dobj", "prep", "nsubjpass", "pcomp", "amod")


@functools.cache
def _cues() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    return (frozenset(lexicon.words("cues", "hypothetical_modals")),
            frozenset(lexicon.words("cues", "hypothetical_governors")),
            frozenset(lexicon.words("cues", "conditional_markers")))


def is_hypothetical(tok) -> bool:
    """True when the clause of the trigger `tok` is a possibility, a plan or a condition."""
    modals, governors, markers = _cues()
    node = tok
    for _ in range(5):
        if any(c.dep_ == "aux" and c.lower_ in modals for c in node.children):
            return True
        if node.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in markers for c in node.children):
            return True
        if node.dep_ == "xcomp" and node.head.lemma_.lower() in governors:
            return True
        if node.dep_ not in _CLIMB or node.head is node:
            return False
        node = node.head
    return False
