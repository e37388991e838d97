from __future__ import annotations

import pytest

from kgbuild.build import build
from kgbuild.errors import GeokgError
from kgbuild.queries import run_query
from kgbuild.render import plain
from kgbuild.store import open_store, sorted_nquads

from .conftest import ARTICLE, replace_in

ID = "https://w3id.org/geokg/id/"


def edges(store, relation):
    rows = store.query(f"""SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s <https://w3id.org/geokg/ontology#{relation}> ?o }}
                              ?g a <https://w3id.org/geokg/ontology#DerivedEdge> }}""")
    return {(r["s"].value.removeprefix(ID), r["o"].value.removeprefix(ID)) for r in rows}


def test_who_backs_whom_matches_the_article(store):
    backs = edges(store, "backs")
    assert {("russia", "government-of-venezuela"), ("china", "government-of-venezuela"),
            ("united-states", "juan-guaido")} <= backs
    assert not any(o == "juan-guaido" and s != "united-states" for s, o in backs)


def test_no_reversed_or_negated_edges(store):
    assert ("russia", "juan-guaido") not in edges(store, "recognizes")
    assert edges(store, "recognizes") == {("united-states", "juan-guaido")}
    assert ("russia", "united-states") in edges(store, "opposes")
    assert edges(store, "criticizes") == set()  # Trump "avoided criticizing" Putin
    assert edges(store, "confirms") == set()    # "no confirmation"


def test_every_derived_edge_says_where_it_came_from(store):
    rows = list(store.query("""
        PREFIX gk: <https://w3id.org/geokg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?edge (COUNT(?claim) AS ?n) (SAMPLE(?run) AS ?r) WHERE {
          ?edge a gk:DerivedEdge .
          OPTIONAL { ?edge prov:wasDerivedFrom ?claim . GRAPH ?doc { ?claim a gk:Claim } }
          OPTIONAL { ?edge prov:wasGeneratedBy ?run }
        } GROUP BY ?edge"""))
    assert len(rows) > 10
    assert all(int(r["n"].value) >= 1 and r["r"] is not None for r in rows)


def test_background_operations_are_historical_and_undated(store):
    rows = run_query(store, "deployments")
    cols = rows.columns
    syria = [dict(zip(cols, r)) for r in rows.rows if plain(r[cols.index("place")]) == "Syria"]
    assert syria and all(plain(r["temporality"]) == "historical" and r["date"] is None for r in syria)


def test_build_is_deterministic(tmp_path, built_store):
    again = tmp_path / "again"
    build(again, check=False)
    assert sorted_nquads(open_store(again, read_only=True)) == sorted_nquads(open_store(built_store, read_only=True))


def test_failed_build_leaves_the_last_good_store(tmp_path, data_copy):
    path = tmp_path / "store"
    build(path, data=data_copy, check=False)
    before = sorted_nquads(open_store(path, read_only=True))
    replace_in(data_copy / "annotations" / f"{ARTICLE}.yaml", "subject: china\n", "subject: atlantis\n")
    with pytest.raises(GeokgError, match="atlantis"):
        build(path, data=data_copy, check=False)
    assert sorted_nquads(open_store(path, read_only=True)) == before
    assert not (tmp_path / "store.building").exists()


def test_unknown_entity_in_reference_links_is_refused(data_copy, tmp_path):
    replace_in(data_copy / "reference" / "entities.yaml", "country: venezuela", "country: narnia")
    with pytest.raises(GeokgError, match="narnia"):
        build(tmp_path / "s", data=data_copy, check=False)


def test_a_state_acts_through_its_people_bodies_and_forces(data_copy):
    """ontology/rules/state-from-affiliation.ru: a person's, ministry's or force's claim also gives
    its state's edge (derived from the same claim); a movement based in a state does not, and a
    hypothetical claim gives nothing."""
    import hashlib

    import yaml

    from kgbuild.build import build_graph
    text = ("Joe Biden condemned Iran. The Pentagon threatened Syria. The Houthis condemned Israel. "
            "Russian troops could enter Georgia.")
    (data_copy / "articles" / "t-affil.txt").write_text(text, encoding="utf-8")
    (data_copy / "articles" / "t-affil.yaml").write_text(
        "id: t-affil\ntitle: affiliation test\ndate_published: 2024-01-10\n", encoding="utf-8")

    def claim(n, relation, s, o, phrase, status="asserted"):
        start = text.index(phrase)
        return {"id": f"c{n}", "relation": relation, "subject": s, "object": o, "span": [start, start + len(phrase)],
                "text": phrase, "status": status}
    annotation = {"format": "geokg-annotations/1", "document": "t-affil",
                  "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "annotator": "curated",
                  "claims": [claim(1, "criticizes", "joe-biden", "iran", "Joe Biden condemned Iran"),
                             claim(2, "threatens", "united-states-department-of-defense", "syria", "The Pentagon threatened Syria"),
                             claim(3, "criticizes", "houthis", "israel", "The Houthis condemned Israel"),
                             claim(4, "deploysTo", "russian-armed-forces", "georgia", "Russian troops could enter Georgia",
                                   status="hypothetical")]}
    (data_copy / "annotations" / "t-affil.yaml").write_text(yaml.safe_dump(annotation), encoding="utf-8")
    store, _ = build_graph(data_copy)
    assert ("united-states", "iran") in edges(store, "criticizes")
    assert ("joe-biden", "iran") in edges(store, "criticizes")
    assert ("united-states", "syria") in edges(store, "threatens")
    assert not any(s == "yemen" for s, _ in edges(store, "criticizes"))
    assert ("russia", "georgia") not in edges(store, "deploysTo")
    plans = {r["plan"].value for r in store.query("""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?plan WHERE { GRAPH ?g { <https://w3id.org/geokg/id/united-states> ?p <https://w3id.org/geokg/id/iran> }
                             ?g prov:qualifiedDerivation/prov:hadPlan ?plan }""")}
    assert any("state-from-affiliation" in p for p in plans), plans
