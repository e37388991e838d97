"""The reference snapshot against a Wikidata-style SPARQL endpoint: oxigraph's server on
127.0.0.1 holding small Wikidata-shaped samples (fictional Q9999… ids where the test plants
labels, so nothing here reads as a source for a real id)."""
from __future__ import annotations

import json

import pytest
import requests
import yaml
from click.testing import CliRunner

from kgbuild.cli import cli
from kgbuild.errors import GeokgError
from kgbuild.link import Snapshot
from kgbuild.paths import data_dir
from kgbuild.wikidata import check_ids, refresh

from .triplestores import Oxigraph, free_port

PREFIXES = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
"""
HEADS = PREFIXES + """
wd:Q183 wdt:P31 wd:Q3624078 ; rdfs:label "Germany"@en ; wdt:P6 wd:Q99990001 .
wd:Q99990001 rdfs:label "Testa Kanzler"@en .
wd:Q159 wdt:P31 wd:Q3624078 ; rdfs:label "Russia"@en ; wdt:P35 wd:Q7747 .
wd:Q7747 rdfs:label "Vladimir Putin"@en .
"""
LABELS = PREFIXES + """
wd:Q99990010 rdfs:label "Testland"@en ; rdfs:label "Testlandia"@de ; schema:description "a state"@en .
wd:Q99990011 rdfs:label "Someone Else"@en ; schema:description "wrong person"@en .
wd:Q99990012 rdfs:label "Señora Testa"@en .
wd:Q99990013 rdfs:label "Test Armed Forces of Testland"@en ; skos:altLabel "Testland military"@en .
wd:Q99990014 rdfs:label "Council of Testland"@en .
wd:Q99990020 rdfs:label "Unrelated Thing"@en .
wd:Q99990021 rdfs:label "Testa Minister"@en .
wd:Q99990031 rdfs:label "Testnik"@en ; schema:description "news agency"@en .
wd:Q99990030 rdfs:label "Testnik"@en ; schema:description "satellite"@en .
wd:Q99990032 rdfs:label "Testnik Radio"@en ; skos:altLabel "Testnik News"@en .
wd:Q99990033 rdfs:label "his agency"@en .
"""
REFERENCE = [
    {"id": "testland", "type": "State", "label": "Testland", "wikidata": "Q99990010", "wikidata_verified_by": "t"},
    {"id": "wrong-person", "type": "Person", "label": "Nicolás Testuro", "aliases": ["Testuro"],
     "wikidata": "Q99990011", "wikidata_verified_by": "t"},
    {"id": "accented", "type": "Person", "label": "Senora Testa", "wikidata": "Q99990012", "wikidata_verified_by": "t"},
    {"id": "testland-government", "type": "Government", "label": "Government of Testland", "wikidata": "Q99990014",
     "wikidata_label": "Council of Testland", "wikidata_verified_by": "t"},
    {"id": "testland-forces", "type": "ArmedForces", "label": "Armed Forces of Testland",
     "aliases": ["Testland military"], "wikidata": "Q99990013", "wikidata_verified_by": "t"},
    {"id": "ghost", "type": "Person", "label": "Ghost", "wikidata": "Q99990099", "wikidata_verified_by": "t"},
    {"id": "bad-candidate", "type": "Person", "label": "Testa Person",
     "wikidata_unverified": {"candidate": "Q99990020", "note": "recalled"}},
    {"id": "good-candidate", "type": "Person", "label": "Testa Minister",
     "wikidata_unverified": {"candidate": "Q99990021", "note": "recalled"}},
    {"id": "testnik", "type": "NewsAgency", "label": "Testnik", "aliases": ["Testnik News", "his agency"],
     "wikidata_unverified": {"candidate": None, "note": "not found offline"}},
    {"id": "nobody", "type": "Person", "label": "Nobody Known", "linked": False,
     "wikidata_unverified": {"candidate": None, "note": "not found offline"}},
    {"id": "no-ids", "type": "Place", "label": "Unlinked Place"},
]


@pytest.fixture()
def serve(tmp_path):
    """Start oxigraph's server on 127.0.0.1 over a Turtle sample; returns its query URL."""
    servers = []

    def start(turtle: str) -> str:
        server = Oxigraph(location=tmp_path / f"db{len(servers)}", port=free_port()).start()
        servers.append(server)
        requests.post(server.store + "?default", data=turtle.encode("utf-8"),
                      headers={"Content-Type": "text/turtle"}, timeout=30).raise_for_status()
        return server.query
    yield start
    for server in servers:
        server.stop()


@pytest.fixture()
def reference(tmp_path):
    folder = tmp_path / "data" / "reference"
    folder.mkdir(parents=True)
    (folder / "entities.yaml").write_text(yaml.safe_dump(REFERENCE, allow_unicode=True), encoding="utf-8")
    return folder


def test_refresh_from_local_sparql_endpoint(serve, tmp_path):
    endpoint = serve(HEADS)
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


def test_unreachable_endpoint_is_a_clear_error(tmp_path, reference):
    dead = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(GeokgError, match="did not answer"):
        refresh(dead, tmp_path / "x.yaml", timeout=3)
    with pytest.raises(GeokgError, match="did not answer"):
        check_ids(dead, reference, timeout=3)


def test_check_ids_reads_every_id_back_with_its_labels(serve, reference):
    checks = check_ids(serve(LABELS), reference)
    by_entity: dict[str, list] = {}
    for c in checks:
        by_entity.setdefault(c.entity, []).append(c)
    status = {e: [c.status for c in cs] for e, cs in by_entity.items()}
    assert status["testland"] == ["ok"]
    assert status["accented"] == ["ok"]          # 'Señora Testa' is our 'Senora Testa'
    assert status["testland-forces"] == ["ok"]   # matched on a Wikidata alias
    assert status["testland-government"] == ["ok"]  # matched on the wikidata_label we recorded
    assert status["wrong-person"] == ["differs"]
    assert by_entity["wrong-person"][0].wikidata_label == "Someone Else"
    assert status["ghost"] == ["missing"]
    assert status["bad-candidate"] == ["candidate-differs"]
    assert status["good-candidate"] == ["candidate-matches"]
    assert status["nobody"] == ["not-found"]
    assert "no-ids" not in status                # nothing to check
    # searched by label and name-like aliases ('his agency' is a description, not a name),
    # every item carrying one listed with its description, oldest id first
    found = [(c.qid, c.description) for c in by_entity["testnik"]]
    assert found == [("Q99990030", "satellite"), ("Q99990031", "news agency"), ("Q99990032", None)]
    assert {c.status for c in by_entity["testnik"]} == {"found"}


def test_check_ids_command_exits_1_on_a_wrong_id_and_0_when_all_check_out(serve, reference):
    endpoint = serve(LABELS)
    data = str(reference.parent)
    result = CliRunner().invoke(cli, ["link", "--check-ids", "--endpoint", endpoint, "--data", data,
                                      "--format", "jsonl"])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(r["entity"] == "wrong-person" and r["status"] == "differs" and r["qid"] == "Q99990011" for r in rows)
    assert not any(r["status"] == "ok" for r in rows)   # only what needs a look, without --all
    assert "1 differs" in result.stderr and "1 candidate-matches" in result.stderr

    good = [e for e in REFERENCE if e["id"] in ("testland", "accented", "testnik")]
    (reference / "entities.yaml").write_text(yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["link", "--check-ids", "--all", "--endpoint", endpoint, "--data", data])
    assert result.exit_code == 0, result.output
    assert "testland" in result.stdout and "Testnik" in result.stdout and "(5 rows)" in result.stdout


def test_a_malformed_id_is_named(serve, reference):
    (reference / "entities.yaml").write_text(yaml.safe_dump(
        [{"id": "x", "type": "Person", "label": "X", "wikidata": "Maduro", "wikidata_verified_by": "t"}]), encoding="utf-8")
    with pytest.raises(GeokgError, match="'x'.*not a Wikidata id"):
        check_ids(serve(LABELS), reference)
