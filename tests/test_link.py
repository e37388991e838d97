"""Linking against the reference snapshot, and the refresh from a local SPARQL endpoint."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from kgbuild.annotate import _linker_for, load_pipeline
from kgbuild.link import Snapshot, refresh, usable_name
from kgbuild.reference import read_reference
from kgbuild.paths import data_dir


@pytest.fixture(scope="module")
def linker():
    return _linker_for(Snapshot.load(), load_pipeline())


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


SAMPLE = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
wd:Q183 wdt:P31 wd:Q3624078 ; rdfs:label "Germany"@en ; wdt:P6 wd:Q99990001 .
wd:Q99990001 rdfs:label "Testa Kanzler"@en .
wd:Q159 wdt:P31 wd:Q3624078 ; rdfs:label "Russia"@en ; wdt:P35 wd:Q7747 .
wd:Q7747 rdfs:label "Vladimir Putin"@en .
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def endpoint(tmp_path):
    """A local SPARQL endpoint (oxigraph's server) holding a small Wikidata-shaped sample."""
    import shutil
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(exe).exists():
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    (tmp_path / "sample.ttl").write_text(SAMPLE, encoding="utf-8")
    subprocess.run([exe, "load", "--location", str(tmp_path / "db"), "--file", str(tmp_path / "sample.ttl")],
                   check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/query"
    proc.terminate()
    proc.wait(timeout=10)


def test_refresh_from_local_sparql_endpoint(endpoint, tmp_path):
    folder = tmp_path / "reference"
    folder.mkdir()
    for name in ("entities.yaml", "world.yaml"):
        (folder / name).write_bytes((data_dir() / "reference" / name).read_bytes())
    out = folder / "world-wikidata.yaml"
    n = refresh(endpoint, out)
    people = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert n == 1  # Putin (Q7747) is already in entities.yaml
    assert people[0]["label"] == "Testa Kanzler" and people[0]["country"] == "germany"
    assert people[0]["wikidata"] == "Q99990001"
    Snapshot.load(folder)  # the refreshed snapshot still reads


def test_refresh_unreachable_endpoint_is_a_clear_error(tmp_path):
    from kgbuild.errors import GeokgError
    with pytest.raises(GeokgError, match="did not answer"):
        refresh(f"http://127.0.0.1:{_free_port()}/query", tmp_path / "x.yaml", timeout=3)
