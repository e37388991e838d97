"""The phenomenon suite (tests/data/phenomena.yaml) through the real spaCy pipeline and the
real reference snapshot. A sentence marked `known_gap` is an expected failure (xfail, not
strict: when it starts passing, pytest reports XPASS and the mark should go)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kgbuild.extract import annotate, load_pipeline
from kgbuild.link import Snapshot

CASES = yaml.safe_load((Path(__file__).parent / "data" / "phenomena.yaml").read_text(encoding="utf-8"))


def _params():
    for phenomenon, items in CASES.items():
        for n, item in enumerate(items, 1):
            marks = [pytest.mark.xfail(reason=item["known_gap"], strict=False)] if item.get("known_gap") else []
            yield pytest.param(item, id=f"{phenomenon}-{n}", marks=marks)


@pytest.fixture(scope="module")
def reader():
    nlp, snapshot = load_pipeline(), Snapshot.load()

    def read(text):
        result = annotate(text, document_id="t-phenomenon", meta={"date": "2024-01-10"}, nlp=nlp, reference=snapshot)
        return {(c["relation"], c["subject"], c["object"], c["status"]) for c in result["claims"]}
    return read


def test_every_phenomenon_has_six_sentences():
    assert len(CASES) >= 8
    for phenomenon, items in CASES.items():
        assert len(items) >= 6, phenomenon
        assert all(item.get("expect") or item.get("absent") for item in items), phenomenon


@pytest.mark.parametrize("item", list(_params()))
def test_phenomenon(reader, item):
    got = reader(item["text"])
    missing = [tuple(e) for e in item.get("expect") or [] if tuple(e) not in got]
    assert not missing, f"missing {missing}; got {sorted(got)}"
    for claim in item.get("absent") or []:
        claim = tuple(claim)
        wrong = [g for g in got if g[:len(claim)] == claim]
        assert not wrong, f"must not come out: {wrong}"
