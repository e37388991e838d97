"""Linking against the reference snapshot."""
from __future__ import annotations


import pytest

from kgbuild.extract import linker_for, load_pipeline
from kgbuild.link import Snapshot, usable_name
from kgbuild.reference import read_reference
from kgbuild.paths import data_dir


@pytest.fixture(scope="module")
def linker():
    return linker_for(Snapshot.load(), load_pipeline())


def links(linker, text):
    doc = linker.nlp(text)
    return {(m.text, m.entity) for m in linker.link(doc)}


def test_names_demonyms_and_metonyms(linker):
    got = links(linker, "The Kremlin said Russian troops would stay. Washington criticised Beijing. "
                        "Planes landed in Caracas, Venezuela.")
    assert ("The Kremlin", "government-of-russia") in got
    assert ("Russian", "russia") in got
    assert ("Washington", "government-of-the-united-states") in got
    assert ("Beijing", "government-of-china") in got
    assert ("Caracas", "caracas") in got  # a place here, not the government


def test_descriptions_and_pronouns(linker):
    got = links(linker, "Russia and China are allies of Venezuela. Both lent money to the oil-rich South "
                        "American country. President Nicolas Maduro said his government was grateful.")
    assert ("the oil-rich South American country", "venezuela") in got
    assert ("his government", "government-of-venezuela") in got


def test_unlinked_names_get_local_ids(linker):
    doc = linker.nlp("Colonel Ivan Zorkinsky of the Vostok Battalion met reporters in Kharkiv.")
    mentions = linker.link(doc, document="t")
    local = [m for m in mentions if m.entity.startswith("local-")]
    assert local and all(linker.snapshot.local[m.entity]["linked"] is False for m in local)


def test_descriptive_aliases_are_not_names():
    assert not usable_name("the airport") and not usable_name("his government")
    assert usable_name("Russian Air force") and usable_name("the US")


def test_snapshot_is_broad_and_verified():
    entities = read_reference(data_dir() / "reference")
    states = [e for e in entities.values() if e.type == "State"]
    assert len(states) >= 190
    assert all(e.wikidata_verified_by for e in entities.values() if e.wikidata)
