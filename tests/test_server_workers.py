"""The query worker's two ways to write a SELECT answer give the same bytes, and the row cap holds."""
from __future__ import annotations

import json

import pytest

from kgbuild.queries import get_query
from kgbuild.server import results, workers
from kgbuild.server.negotiation import BY_NAME
from kgbuild.server.sparql_text import analyse
from kgbuild.store import open_store


@pytest.fixture(scope="module")
def store(built_store):
    return open_store(built_store, read_only=True)


def job(text: str, name: str, cap: int = 10_000) -> dict:
    return {"kind": "query", "query": text, "form": analyse(text).form, "top_limit": analyse(text).top_limit,
            "row_cap": cap, "formats": {"solutions": (BY_NAME[name].media_type, name)}}


def python_answer(store, text: str, name: str) -> bytes:
    answer = store.query(text)
    variables = [v.value for v in answer.variables]
    return results.solutions(variables, [[s[v] for v in variables] for s in answer], name)


@pytest.mark.parametrize("name", ["json", "csv"])
@pytest.mark.parametrize("query", ["who-backs-whom", "claims", "external-links", "timeline"])
def test_native_and_python_answers_are_the_same_bytes(store, query, name):
    text = get_query(query).bind({})
    native = workers._native_select(store, job(text, name))
    assert native is not None and native[0] == 200
    assert native[2] == python_answer(store, text, name)


def test_an_answer_over_the_cap_goes_the_capped_way(store):
    text = "SELECT ?s WHERE { ?s ?p ?o }"
    assert workers._native_select(store, job(text, "json", cap=50)) is None
    status, _, body, headers = workers._query(store, job(text, "json", cap=50))
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 50
    assert headers["X-Result-Truncated"] == "true; rows=50"


@pytest.mark.parametrize("text, rows", [
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 50", 50),                                   # own limit = the cap
    ("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 80 } } LIMIT 7", 7),    # a subquery's LIMIT is not the query's
    ("SELECT ?x WHERE { } VALUES ?x { 1 2 3 }", 3),                                  # LIMIT cannot follow VALUES
    ("SELECT ?s WHERE { ?s a <urn:none> } # LIMIT 999", 0),                          # a comment is not a LIMIT
])
def test_within_the_cap_nothing_is_marked_truncated(store, text, rows):
    status, _, body, headers = workers._query(store, job(text, "json", cap=50))
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == rows
    assert "X-Result-Truncated" not in headers


def test_a_limit_over_the_cap_is_still_capped(store):
    status, _, body, headers = workers._query(store, job("SELECT ?s WHERE { ?s ?p ?o } LIMIT 60", "csv", cap=50))
    assert body.count(b"\r\n") == 51 and headers["X-Result-Truncated"] == "true; rows=50"


# ---------------------------------------------------------------- lookups answered from the index

from kgbuild.server.fastpath import FastPath, single_pattern  # noqa: E402
from kgbuild.server.config import ServerConfig  # noqa: E402

RUSSIA = "https://w3id.org/geokg/id/russia"
LOOKUPS = [
    f"SELECT ?label WHERE {{ <{RUSSIA}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}",
    f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT * {{ <{RUSSIA}> rdfs:label ?l . }}",
    f"SELECT ?type {{ <{RUSSIA}> a ?type }}",
    f"SELECT ?type {{ <{RUSSIA}> a ?type }} LIMIT 2",
    f"SELECT ?alt {{ <{RUSSIA}> <http://www.w3.org/2004/02/skos/core#altLabel> ?alt }}",
    f"SELECT ?o {{ <{RUSSIA}> <https://w3id.org/geokg/ontology#noSuchProperty> ?o }}",
    "SELECT ?o { <https://w3id.org/geokg/id/no-such-entity> a ?o }",
]


@pytest.mark.parametrize("name", ["json", "csv", "tsv", "xml"])
@pytest.mark.parametrize("text", LOOKUPS)
def test_a_lookup_from_the_index_is_the_engines_answer(built_store, store, text, name):
    assert single_pattern(text) is not None
    fast = FastPath(ServerConfig(store=str(built_store)))
    formats = {"solutions": (BY_NAME[name].media_type, name)}
    status, _, body, headers = fast._from_index(single_pattern(text), formats["solutions"])
    assert status == 200 and headers == {}
    reference = workers._query(store, {**job(text, name), "form": None})  # the engine, rows through Python
    assert body == reference[2]


@pytest.mark.parametrize("text", [
    f"SELECT ?label WHERE {{ <{RUSSIA}> <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(true) }}",
    f"SELECT ?x WHERE {{ <{RUSSIA}> a ?type }}",                        # projects another variable
    "SELECT ?type { <russia> a ?type }",                                # a relative IRI needs the base
    f"BASE <http://b/> SELECT ?type {{ <{RUSSIA}> a ?type }}",
    f"SELECT ?type {{ <{RUSSIA}> a ?type }} ORDER BY ?type",
    f"SELECT ?type {{ <{RUSSIA}> a ?type ; a ?other }}",
    f"ASK {{ <{RUSSIA}> a ?type }}",
    f"SELECT ?type {{ <{RUSSIA}\\u0041> a ?type }}",                    # escapes: left to the engine
    "PREFIX x: <https://w3id.org/geokg/id/> SELECT ?t { x:r%C3%A9 a ?t }",
])
def test_other_shapes_are_left_to_the_engine(text):
    assert single_pattern(text) is None


def test_a_lookup_from_the_index_keeps_the_row_cap(built_store):
    fast = FastPath(ServerConfig(store=str(built_store), max_rows=2))
    alt = "<http://www.w3.org/2004/02/skos/core#altLabel>"  # Russia has three
    pattern = single_pattern(f"SELECT ?p {{ <{RUSSIA}> {alt} ?p }}")
    _, _, body, headers = fast._from_index(pattern, (BY_NAME["json"].media_type, "json"))
    assert len(json.loads(body)["results"]["bindings"]) == 2 and headers == {"X-Result-Truncated": "true; rows=2"}
    _, _, body, headers = fast._from_index(single_pattern(f"SELECT ?p {{ <{RUSSIA}> {alt} ?p }} LIMIT 2"),
                                           (BY_NAME["json"].media_type, "json"))
    assert len(json.loads(body)["results"]["bindings"]) == 2 and headers == {}
