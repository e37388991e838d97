from __future__ import annotations

import pytest

from kgbuild.annotations import RELATIONS, read_annotations
from kgbuild.errors import GeokgError
from kgbuild.paths import data_dir
from kgbuild.reference import read_article, read_entities

from .conftest import ARTICLE, replace_in


def load(data):
    entities = read_entities(data / "reference" / "entities.yaml")
    article = read_article(data / "articles" / f"{ARTICLE}.txt")
    return read_annotations(data / "annotations" / f"{ARTICLE}.yaml", text=article.text, entities=set(entities))


def test_curated_seed_annotations_parse_and_every_span_is_verbatim():
    ann = load(data_dir())
    text = (data_dir() / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    assert len(ann.claims) >= 25
    for claim in ann.claims:
        assert text[claim.span.start:claim.span.end] == claim.span.text
        assert claim.relation in RELATIONS
    assert all(text[m.span.start:m.span.end] == m.span.text for m in ann.mentions)


def test_garbled_sentence_is_read_the_right_way_round():
    claims = {c.id: c for c in load(data_dir()).claims}
    recognitions = [c for c in claims.values() if c.relation == "recognizes"]
    assert [(c.subject, c.object) for c in recognitions] == [("united-states", "juan-guaido")]
    assert any(c.relation == "opposes" and c.subject == "russia" and c.object == "united-states"
               for c in claims.values())


def test_reported_speech_keeps_attribution_and_both_embassy_statements():
    claims = load(data_dir()).claims
    sputnik = [c for c in claims if c.attributed_to == "sputnik"]
    assert {c.status for c in sputnik} <= {"reported", "unconfirmed"}
    assert any(c.quotes == "embassy-official" for c in sputnik)
    embassy = [c for c in claims if c.subject == "russian-embassy-caracas" and c.relation == "commentsOn"]
    assert sorted(c.polarity for c in embassy) == ["affirmed", "negated"]
    assert any(c.relation == "confirms" and c.status == "negated" for c in claims)


def test_background_is_historical():
    claims = load(data_dir()).claims
    background = [c for c in claims if c.object in ("syria", "ukraine")]
    assert background and all(c.temporality == "historical" for c in background)


@pytest.mark.parametrize("old,new,message", [
    ("subject: russia\n    object: venezuela\n    about: deployment", "subject: rusia\n    object: venezuela\n    about: deployment",
     "unknown entity 'rusia'"),
    ("relation: deploysTo", "relation: deploysInto", "unknown relation 'deploysInto'"),
    ("status: unconfirmed", "status: rumoured", "status 'rumoured' is not one of"),
    ("span: [66, 251]", "span: [67, 251]", "the text at span [67, 251]"),
    ("span: [66, 251]", "span: [66, 99999]", "outside the article"),
    ("  - id: c02", "  - id: c01", "claim id 'c01' is used twice"),
    ("format: geokg-annotations/1", "format: geokg-annotations/9", "unknown format"),
    ("claims:\n", "claims:\n  - id: c00\n    relation: backs\n    subject: russia\n    object: venezuela\n"
                  "    span: [966, 1037]\n    status: asserted\n    confidence: 1.7\n", "confidence 1.7"),
    ("    type: Flight\n", "    type: Flight\n    wingspan: 73\n", "unknown field 'wingspan'"),
])
def test_bad_annotations_are_refused_with_file_line_and_reason(data_copy, old, new, message):
    path = data_copy / "annotations" / f"{ARTICLE}.yaml"
    replace_in(path, old, new)
    with pytest.raises(GeokgError) as info:
        load(data_copy)
    text = str(info.value)
    assert message in text
    assert f"{ARTICLE}.yaml:" in text  # file and line


def test_unknown_entity_gets_a_did_you_mean_hint(data_copy):
    replace_in(data_copy / "annotations" / f"{ARTICLE}.yaml", "subject: china\n", "subject: chna\n")
    with pytest.raises(GeokgError, match="did you mean 'china'"):
        load(data_copy)


def test_malformed_yaml_names_the_line(data_copy):
    path = data_copy / "annotations" / f"{ARTICLE}.yaml"
    replace_in(path, "  - id: c05\n", "  - id: c05\n   bad: [unclosed\n")
    with pytest.raises(GeokgError) as info:
        load(data_copy)
    assert "not valid YAML" in str(info.value) and f"{ARTICLE}.yaml:" in str(info.value)


def test_changed_article_text_is_detected(data_copy):
    replace_in(data_copy / "articles" / f"{ARTICLE}.txt", "Saturday", "Sunday")
    with pytest.raises(GeokgError, match="text has changed"):
        load(data_copy)
