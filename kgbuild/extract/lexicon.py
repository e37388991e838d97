"""Lexicons of the extractor: word classes, cues and frames kept as data (lexicons/*.yaml).

`load(name)` reads `kgbuild/extract/lexicons/<name>.yaml` once and checks its format line, so a
wording change is an edit of a YAML file, never of Python.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import GeokgError

FOLDER = Path(__file__).with_name("lexicons")
FORMAT = "geokg-lexicon/1"


@functools.cache
def load(name: str) -> dict[str, Any]:
    path = FOLDER / f"{name}.yaml"
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise GeokgError(f"cannot read the lexicon: {exc}", path=path) from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise GeokgError(f"not a lexicon file (format: {FORMAT} expected)", path=path)
    return raw


def words(name: str, key: str) -> set[str]:
    """A word class of a lexicon as a set of lower-case strings."""
    value = load(name).get(key)
    if not isinstance(value, list):
        raise GeokgError(f"lexicon {name}: {key!r} must be a list of words", path=FOLDER / f"{name}.yaml")
    return {str(v).lower() for v in value}


def phrases_regex(name: str, key: str) -> re.Pattern:
    """A list of phrases (or regular expressions) as one case-insensitive, word-bounded pattern."""
    value = load(name).get(key) or []
    return re.compile(r"\b(" + "|".join(str(v) for v in value) + r")\b", re.I)
