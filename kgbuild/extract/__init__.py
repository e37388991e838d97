"""The extract stage: English news text -> an annotation mapping (docs/annotations.md).

`annotate(text, document_id=..., meta=..., nlp=..., reference=...)` parses the text
(`parse`), links its mentions (`kgbuild.link`), finds the analyst relations (`rules`, and the
frames of `lexicons/frames.yaml` through `frames`), then decides for every claim who says it,
how sure it is and when (attribution, status, time). Word lists, cues and frames are data in
`lexicons/*.yaml`. Method and limits: docs/extraction.md.
"""
from .dates import resolve_date
from .parse import DEFAULT_PIPELINE, PIPELINE_ENV, load_pipeline, prepare
from .rules import EXTRACTOR, EXTRACTOR_VERSION, annotate, linker_for

__all__ = ["annotate", "load_pipeline", "prepare", "linker_for", "resolve_date", "EXTRACTOR", "EXTRACTOR_VERSION",
           "DEFAULT_PIPELINE", "PIPELINE_ENV"]
