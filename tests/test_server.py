"""`kgbuild serve` against real clients: SPARQLWrapper, rdflib's SPARQLStore, plain HTTP.

Every test talks to a real server process on 127.0.0.1 (see test_server_support.py).
"""
from __future__ import annotations

import json
import threading
import time
import urllib.parse

import pyoxigraph as ox
import pytest
import rdflib
import requests
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from .test_server_support import TOKEN, Running, copy_store, server, writable_server  # noqa: F401

GKID = "https://w3id.org/geokg/id/"
RUSSIA = GKID + "russia"
LABEL_QUERY = f"SELECT ?label WHERE {{ <{RUSSIA}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
ERROR_KEYS = {"status", "error", "message"}


def get(server, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return requests.get(server.sparql, params={"query": query, **params}, headers=headers, timeout=10)


def assert_error(response, status):
    """The one JSON error shape: {"status", "error", "message"[, "hint"]}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"hint"}, body
    assert body["status"] == status and body["message"]
    return body


# ---------------------------------------------------------------- real clients

@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_ask_construct(server, method):
    client = SPARQLWrapper(server.sparql)
    client.setMethod(method)
    client.setReturnFormat(JSON)
    client.setQuery(LABEL_QUERY)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [r["label"]["value"] for r in rows] == ["Russia"]
    client.setQuery(f"ASK {{ <{RUSSIA}> a <https://w3id.org/geokg/ontology#State> }}")
    assert client.queryAndConvert()["boolean"] is True
    client.setQuery(f"CONSTRUCT {{ <{RUSSIA}> ?p ?o }} WHERE {{ <{RUSSIA}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert (rdflib.URIRef(RUSSIA), rdflib.RDFS.label, rdflib.Literal("Russia", lang="en")) in graph


def test_rdflib_sparqlstore(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    graph = rdflib.Graph(store=SPARQLStore(server.sparql))
    rows = list(graph.query(LABEL_QUERY))
    assert [str(r[0]) for r in rows] == ["Russia"]


# ---------------------------------------------------------------- protocol and negotiation

def test_no_accept_gives_json_and_q_values_are_honoured(server):
    r = requests.get(server.sparql, params={"query": LABEL_QUERY}, headers={"Accept": ""}, timeout=10)
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = get(server, LABEL_QUERY, "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1")
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    assert "<literal xml:lang=\"en\">Russia</literal>" in r.text
    r = get(server, LABEL_QUERY, "text/tab-separated-values")
    assert r.text == '?label\n"Russia"@en\n'
    r = get(server, LABEL_QUERY, "text/csv")
    assert r.text == "label\r\nRussia\r\n"
    assert_error(get(server, LABEL_QUERY, "image/png"), 406)


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML), ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/trig", ox.RdfFormat.TRIG), ("application/n-quads", ox.RdfFormat.N_QUADS)])
def test_construct_in_every_graph_format(server, accept, fmt):
    r = get(server, f"CONSTRUCT {{ <{RUSSIA}> ?p ?o }} WHERE {{ <{RUSSIA}> ?p ?o }}", accept)
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == accept
    quads = list(ox.parse(r.content, format=fmt))
    assert ox.Literal("Russia", language="en") in {q.object for q in quads}


def test_form_post_direct_post_and_protocol_dataset(server):
    r = requests.post(server.sparql, data={"query": LABEL_QUERY}, timeout=10)
    assert r.json()["results"]["bindings"][0]["label"]["value"] == "Russia"
    r = requests.post(server.sparql, data=LABEL_QUERY.encode(), timeout=10,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.json()["results"]["bindings"][0]["label"]["value"] == "Russia"
    # default-graph-uri replaces the default graph: Russia's label is in the world layer only.
    r = get(server, LABEL_QUERY, **{"default-graph-uri": "https://w3id.org/geokg/doc/article-001"})
    assert r.json()["results"]["bindings"] == []


def test_bad_requests_get_the_right_4xx(server):
    assert_error(get(server, "SELECT * WHERE {"), 400)
    assert_error(requests.put(server.sparql, params={"query": "ASK {}"}, timeout=10), 405)
    assert_error(requests.get(server.sparql + "?query=ASK%7B%7D&query=ASK%7B%7D", timeout=10), 400)
    assert_error(requests.post(server.sparql, data=b"ASK {}", headers={"Content-Type": "text/plain"}), 415)
    assert_error(requests.post(server.sparql, data=b"ASK {}"), 415)
    assert_error(requests.post(server.sparql, data="ASK {}".encode("utf-16"),
                               headers={"Content-Type": "application/sparql-query; charset=UTF-16"}), 415)
    assert_error(requests.post(server.sparql, data=b"ASK {\xff}",
                               headers={"Content-Type": "application/sparql-query"}), 415)
    body = assert_error(requests.get(server.sparql, params={"update": "CLEAR ALL"}, timeout=10), 400)
    assert body["error"] == "update_by_get"
    assert_error(requests.post(server.sparql, data=b"x" * 30000, timeout=10,
                               headers={"Content-Type": "application/sparql-query"}), 413)
    assert_error(requests.get(server.url + "/no/such/page", timeout=10), 404)


def test_read_only_refuses_updates_and_graph_store_writes(server):
    update = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
    body = assert_error(requests.post(server.sparql, data=update, timeout=10,
                                      headers={"Content-Type": "application/sparql-update"}), 403)
    assert body["error"] == "read_only"
    assert_error(requests.put(server.url + "/graph-store?graph=urn:x:g", data=b"<urn:a> <urn:b> <urn:c> .",
                              headers={"Content-Type": "application/n-triples"}, timeout=10), 403)
    assert get(server, "ASK { <urn:x:s> ?p ?o }").json()["boolean"] is False


def test_service_description_names_the_real_endpoint_and_void_counts(server):
    r = requests.get(server.sparql, headers={"Accept": "text/turtle"}, timeout=10)
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    endpoint = ox.NamedNode("http://www.w3.org/ns/sparql-service-description#endpoint")
    assert [t.object.value for t in triples if t.predicate == endpoint] == [server.sparql]
    r = requests.get(server.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=10)
    counts = [int(t.object.value) for t in ox.parse(r.content, format=ox.RdfFormat.TURTLE)
              if t.predicate.value == "http://rdfs.org/ns/void#triples"]
    assert max(counts) > 3000 and len(counts) > 20  # the dataset, each named graph, the default graph


def test_cors_on_reads(server):
    r = get(server, "ASK {}", Origin="http://analyst.example")
    assert r.headers["access-control-allow-origin"] == "*"
    r = requests.options(server.sparql, headers={"Origin": "http://analyst.example",
                                                 "Access-Control-Request-Method": "POST"}, timeout=10)
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"
    assert "Authorization" not in r.headers["access-control-allow-headers"]  # no cross-site writes


def test_row_cap_is_explicit(server):
    r = get(server, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(r.json()["results"]["bindings"]) == 500
    assert r.headers["x-result-truncated"] == "true; rows=500"
    assert "x-result-truncated" not in get(server, LABEL_QUERY).headers


# ---------------------------------------------------------------- safety: time limit, SERVICE

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_runaway_query_is_stopped_while_others_are_answered(server):
    outcome = {}

    def runaway():
        started = time.monotonic()
        outcome["response"] = get(server, RUNAWAY)
        outcome["seconds"] = time.monotonic() - started

    before = requests.get(server.url + "/metrics", timeout=5).text
    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    quick = []
    while thread.is_alive():
        started = time.monotonic()
        r = get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # an aggregate: goes to the pool
        quick.append((r.status_code, time.monotonic() - started))
        time.sleep(0.1)
    thread.join()
    body = assert_error(outcome["response"], 503)
    assert body["error"] == "timeout" and 1.9 < outcome["seconds"] < 6
    assert len(quick) >= 5 and all(status == 200 and seconds < 1.0 for status, seconds in quick), quick
    after = requests.get(server.url + "/metrics", timeout=5).text
    assert _metric(after, "geokg_query_timeouts_total") == _metric(before, "geokg_query_timeouts_total") + 1
    # The killed worker is replaced: the pool is back to full strength.
    deadline = time.monotonic() + 10
    while _metric(requests.get(server.url + "/metrics", timeout=5).text, "geokg_workers") < 2:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in metrics")


def test_service_reaches_another_server_only_when_allow_listed(server, built_store, tmp_path):
    target = server.sparql
    federated = (f"SELECT ?label WHERE {{ SERVICE <{target}> {{ <{RUSSIA}> "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?label } }")

    def sparql_requests_seen():
        text = requests.get(server.url + "/metrics", timeout=5).text
        return sum(float(line.split()[1]) for line in text.splitlines()
                   if line.startswith('geokg_requests_total{route="/sparql"'))

    closed = Running(copy_store(built_store, tmp_path / "a"), log=tmp_path / "a.log")
    try:
        seen = sparql_requests_seen()
        body = assert_error(get(closed, federated), 403)
        assert body["error"] == "service_not_allowed"
        # In a comment or a string SERVICE is not a keyword; as a variable it is always refused.
        assert get(closed, '# SERVICE <http://127.0.0.1:1/>\nSELECT ("SERVICE <x>" AS ?v) {}').status_code == 200
        assert_error(get(closed, "SELECT * { SERVICE ?s { ?a ?b ?c } }"), 403)
        assert sparql_requests_seen() == seen  # the target never heard from it
    finally:
        closed.stop()
    allowed = Running(copy_store(built_store, tmp_path / "b"), "--service-allow", server.url + "/",
                      log=tmp_path / "b.log")
    try:
        r = get(allowed, federated)
        assert r.status_code == 200, r.text
        assert [b["label"]["value"] for b in r.json()["results"]["bindings"]] == ["Russia"]
        other = "http://127.0.0.1:1/sparql"
        assert_error(get(allowed, federated.replace(target, other)), 403)
    finally:
        allowed.stop()


# ---------------------------------------------------------------- updates and the Graph Store

def test_updates_need_the_token_and_are_seen_by_later_queries(writable_server):
    s = writable_server
    update = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> \"v\" } }"
    headers = {"Content-Type": "application/sparql-update"}
    assert_error(requests.post(s.sparql, data=update, headers=headers, timeout=10), 401)
    assert_error(requests.post(s.sparql, data=update, timeout=10,
                               headers={**headers, "Authorization": "Bearer wrong"}), 403)
    assert_error(requests.get(s.sparql, params={"update": update}, timeout=10,
                              headers={"Authorization": f"Bearer {TOKEN}"}), 400)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = requests.post(s.sparql, data=update, headers={**headers, **auth}, timeout=10)
    assert r.status_code == 204, r.text
    assert get(s, "ASK { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> \"v\" } }").json()["boolean"] is True
    body = assert_error(requests.post(s.sparql, data="LOAD <http://127.0.0.1:1/data.ttl>", timeout=10,
                                      headers={**headers, **auth}), 403)
    assert body["error"] == "load_not_allowed"
    assert_error(requests.post(s.sparql, data="CLEAR XYZ", headers={**headers, **auth}, timeout=10), 400)


def test_graph_store_protocol(writable_server):
    s = writable_server
    auth = {"Authorization": f"Bearer {TOKEN}"}
    url = s.url + "/graph-store?graph=" + urllib.parse.quote("http://example.org/g1", safe="")
    data = b"<http://example.org/a> <http://example.org/b> \"c\" ."
    assert_error(requests.put(url, data=data, headers={"Content-Type": "application/n-triples"}), 401)
    r = requests.put(url, data=data, headers={"Content-Type": "application/n-triples", **auth})
    assert r.status_code == 201
    r = requests.put(url, data=data, headers={"Content-Type": "application/n-triples", **auth})
    assert r.status_code == 204
    r = requests.get(url, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and '"c"' in r.text
    head = requests.head(url)
    assert head.status_code == 200 and head.headers["content-type"].startswith("text/turtle")
    assert_error(requests.put(url, data=b"not turtle <", headers={"Content-Type": "text/turtle", **auth}), 400)
    assert_error(requests.put(url, data=data, headers={"Content-Type": "image/png", **auth}), 415)
    assert requests.delete(url, headers=auth).status_code == 204
    assert_error(requests.get(url), 404)


# ---------------------------------------------------------------- Linked Data, saved queries, UI data

def test_entity_iri_dereferences_to_html_and_rdf(server):
    page = requests.get(server.url + "/id/russia", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1 id=\"label\">Russia</h1>" in page.text
    assert "https://www.wikidata.org/wiki/Q159" in page.text and "sws.geonames.org/2017370" in page.text
    assert "Russia and China are the biggest allies" in page.text  # evidence behind gk:backs
    assert page.headers["vary"] == "Accept"
    ttl = requests.get(server.url + "/id/russia", headers={"Accept": "text/turtle"}, timeout=10)
    quads = list(ox.parse(ttl.content, format=ox.RdfFormat.TURTLE))
    assert ox.Triple(ox.NamedNode(RUSSIA), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Russia", language="en")) in {q.triple for q in quads}
    jsonld = requests.get(server.url + "/id/russia", headers={"Accept": "application/ld+json"}, timeout=10)
    assert any(node.get("@id") == RUSSIA for node in jsonld.json())
    claim = requests.get(server.url + "/claim/article-001/c09", headers={"Accept": "text/html"}, timeout=10)
    assert "Russia and China are the biggest allies" in claim.text
    assert_error(requests.get(server.url + "/id/atlantis", timeout=10), 404)


def test_saved_queries_over_http(server):
    listing = requests.get(server.url + "/queries", timeout=10).json()
    assert "who-backs-whom" in {q["name"] for q in listing}
    r = requests.get(server.url + "/queries/who-backs-whom", params={"entity": "russia", "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert "Russia,Government of Venezuela" in r.text
    r = requests.get(server.url + "/queries/who-backs-whom", params={"entity": "russia"},
                     headers={"Accept": "application/sparql-results+json"})
    assert {b["backer"]["value"] for b in r.json()["results"]["bindings"]} <= {"Russia", "China", "United States"}
    assert_error(requests.get(server.url + "/queries/who-backs-whom", params={"nope": "1"}), 400)
    assert_error(requests.get(server.url + "/queries/no-such-query"), 404)


def test_network_and_timeline_data(server):
    edges = requests.get(server.url + "/api/network", timeout=10).json()["results"]["bindings"]
    backs = [e for e in edges if e["relation"]["value"] == "backs" and e["source"]["value"] == RUSSIA]
    assert backs and all(int(e["sources"]["value"]) >= 1 and 0 <= int(e["certainty"]["value"]) <= 3 for e in backs)
    edge = "https://w3id.org/geokg/derived/backs/russia/venezuela"
    rows = requests.get(server.url + "/api/edge", params={"edge": edge}, timeout=10).json()["results"]["bindings"]
    assert any("biggest allies" in r["sentence"]["value"] for r in rows)
    assert_error(requests.get(server.url + "/api/edge", params={"edge": "> } DROP ALL"}), 400)
    events = requests.get(server.url + "/api/timeline", timeout=10).json()["results"]["bindings"]
    when = [(e.get("date") or e["knownBy"])["value"] for e in events]
    assert events and when == sorted(when)
    # undated events come with the date by which they had been reported (the seed: by 2019-03-31)
    undated = {e["label"]["value"]: e["knownBy"]["value"] for e in events if "date" not in e}
    assert undated["US ban on crude oil imports from Venezuela"] == "2019-03-31"


def test_lookups_take_the_fast_path_and_give_the_same_answer(server):
    before = _metric(requests.get(server.url + "/metrics", timeout=5).text, "geokg_fast_path_total")
    fast = get(server, LABEL_QUERY, "application/sparql-results+json")
    after = _metric(requests.get(server.url + "/metrics", timeout=5).text, "geokg_fast_path_total")
    assert after == before + 1
    # The same lookup with a FILTER goes to the pool, with the same answer.
    pooled = get(server, LABEL_QUERY.replace("?label }", "?label FILTER(true) }"), "application/sparql-results+json")
    assert _metric(requests.get(server.url + "/metrics", timeout=5).text, "geokg_fast_path_total") == after
    assert fast.json() == pooled.json()


def test_healthz_and_metrics(server):
    health = requests.get(server.url + "/healthz", timeout=5).json()
    assert health["status"] == "ok" and health["workers"] >= 2 and health["updates"] is False
    text = requests.get(server.url + "/metrics", timeout=5).text
    assert 'geokg_requests_total{route="/healthz",status="200"}' in text
    assert "geokg_request_seconds_bucket" in text


def test_serve_refuses_updates_without_token(built_store):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "kgbuild", "--store", str(built_store), "serve", "--updates"],
                            capture_output=True, text=True, timeout=30,
                            env={k: v for k, v in __import__("os").environ.items() if k != "KGBUILD_SERVE_TOKEN"})
    assert result.returncode == 1 and "--updates needs a token" in result.stderr
    result = subprocess.run([sys.executable, "-m", "kgbuild", "--store", "/nonexistent/store", "serve"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "no store here" in result.stderr


def test_error_shape_is_pinned(server):
    body = json.loads(get(server, "SELECT ?x WHERE { ?x ").content)
    assert list(body) in (["status", "error", "message"], ["status", "error", "message", "hint"])


# ---------------------------------------------------------------- several HTTP processes

def connection_headers(url: str, requests_on_one_connection: int) -> list[str | None]:
    """The Connection header of each answer on one keep-alive connection."""
    import http.client
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    seen = []
    for _ in range(requests_on_one_connection):
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        seen.append(response.getheader("connection"))
        if response.getheader("connection") == "close":
            break
    conn.close()
    return seen


def test_several_http_processes_answer_and_recycle_keep_alive_connections(built_store, tmp_path):
    running = Running(built_store, "--http-workers", "2", "--recycle-after", "5", log=tmp_path / "log")
    try:
        assert connection_headers(running.url, 20) == [None, None, None, None, "close"]
        r = requests.get(running.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert r.status_code == 200 and r.json()["boolean"] is True
    finally:
        running.stop()


def test_one_http_process_keeps_connections_open(server):
    assert connection_headers(server.url, 20) == [None] * 20


COUNT_MARKERS = "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://example.org/marker> ?o }"


def _markers(url: str) -> list[int]:
    """The count from every worker: as many requests as it takes to reach both."""
    out = []
    for _ in range(8):
        r = requests.get(url + "/sparql", params={"query": COUNT_MARKERS}, timeout=30)
        assert r.status_code == 200, r.text
        out.append(int(r.json()["results"]["bindings"][0]["n"]["value"]))
    return out


@pytest.mark.parametrize("workers", [["--query-workers", "2"], ["--http-workers", "2", "--query-workers", "1"]])
def test_a_running_server_follows_writes_and_rebuilds_of_its_store(built_store, tmp_path, workers):
    """Issue 12: a read-only server over a store that ingest and build change: every worker sees
    each change, and a rebuild (the folder swapped) never gives an IO error or a server path."""
    from kgbuild.build import build
    from kgbuild.paths import data_dir
    from kgbuild.store import open_store
    store_path = copy_store(built_store, tmp_path / "store")
    running = Running(store_path, *workers, log=tmp_path / "log")
    try:
        assert _markers(running.url) == [0] * 8
        for n in (1, 2):   # another process writes (as ingest and load do) while the server runs
            writer = open_store(store_path)
            writer.add(ox.Quad(ox.NamedNode(f"https://example.org/s{n}"), ox.NamedNode("https://example.org/marker"),
                               ox.Literal("x")))
            writer.flush()
            del writer
            assert _markers(running.url) == [n] * 8
        build(store_path, data=data_dir(), check=False, allow_drop=True)   # a rebuild swaps the folder
        replies = [requests.get(running.url + "/sparql", params={"query": COUNT_MARKERS}, timeout=30) for _ in range(10)]
        assert [r.status_code for r in replies] == [200] * 10, [r.text for r in replies]
        assert {r.json()["results"]["bindings"][0]["n"]["value"] for r in replies} == {"0"}
        assert str(tmp_path) not in "".join(r.text for r in replies)
    finally:
        running.stop()


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_saved_query_opened_in_a_browser_is_a_page(server):
    """Issue 12: /queries/NAME in a browser downloaded SPARQL XML; it is an HTML page now, and
    clients asking for results still get them."""
    r = requests.get(server.url + "/queries/who-backs-whom", headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<table>" in r.text and "Russia" in r.text and "Who backs whom" in r.text
    assert '<a href="/id/russia">' in r.text and "<script" not in r.text
    j = requests.get(server.url + "/queries/who-backs-whom",
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert j.headers["content-type"].startswith("application/sparql-results+json") and j.json()["results"]["bindings"]
    x = requests.get(server.url + "/queries/who-backs-whom?format=xml", headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert x.headers["content-type"].startswith("application/sparql-results+xml")
