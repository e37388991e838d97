"""`kgbuild serve --backend URL`: the same server in front of a real remote SPARQL store.

The built graph is pushed to a private Oxigraph server (tests/triplestores.py); `kgbuild serve
--backend` then runs as a subprocess on 127.0.0.1 and is compared with the local server over the
same graph. A small fake store checks the 502/504 errors; Virtuoso is checked for its quirks
(typed-literal JSON, union default graph, no direct-POST queries).
"""
from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
import rdflib
import requests
from click.testing import CliRunner
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from kgbuild.cli import cli
from kgbuild.queries import list_queries
from kgbuild.remote import DEFAULT_GRAPH_IRI
from kgbuild.store import open_store

from .test_server_support import TOKEN, Running
from .triplestores import DBA, free_port, oxigraph_server, virtuoso_server  # noqa: F401 (fixtures)

GKID = "https://w3id.org/geokg/id/"
RUSSIA = GKID + "russia"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABEL_QUERY = f"SELECT ?label WHERE {{ <{RUSSIA}> <{LABEL}> ?label }}"
ERROR_KEYS = {"status", "error", "message"}
REQUIRED = {"subject": "united-states", "object": "juan-guaido"}


def assert_error(response, status, error=None):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"hint"}, body
    assert body["status"] == status and body["message"]
    if error:
        assert body["error"] == error, body
    return body


def push(store, *args):
    result = CliRunner().invoke(cli, ["--store", str(store), "push", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def metric(server, name) -> float:
    for line in requests.get(server.url + "/metrics", timeout=5).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in metrics")


@pytest.fixture(scope="module")
def local(built_store, tmp_path_factory):
    running = Running(built_store, "--max-rows", "500", log=tmp_path_factory.mktemp("local") / "log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def remote(oxigraph_server, built_store, tmp_path_factory):
    """`kgbuild serve --backend` over Oxigraph's server holding the built graph (no local store at all)."""
    oxigraph_server.clear()
    push(built_store, "--endpoint", oxigraph_server.query, "--update-endpoint", oxigraph_server.update,
         "--graph-store", oxigraph_server.store)
    root = tmp_path_factory.mktemp("remote")
    running = Running(root / "no-store-here", "--backend", oxigraph_server.query, "--max-rows", "500",
                      "--timeout", "5", log=root / "log")
    yield running
    running.stop()


# ---------------------------------------------------------------- same answers as locally

def saved_params(query) -> dict:
    return {p.name: REQUIRED[p.name] for p in query.params if p.default is None}


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_saved_query_gives_the_same_rows_as_the_local_server(remote, local, query):
    params = saved_params(query)
    there = requests.get(f"{remote.url}/queries/{query.name}", params=params, timeout=30)
    here = requests.get(f"{local.url}/queries/{query.name}", params=params, timeout=30)
    assert there.status_code == here.status_code == 200, there.text
    there, here = there.json(), here.json()
    assert there["head"] == here["head"]
    rows = lambda r: sorted(json.dumps(b, sort_keys=True) for b in r["results"]["bindings"])  # noqa: E731
    assert rows(there) == rows(here)
    # and the other formats, negotiated on our side
    csv_there = requests.get(f"{remote.url}/queries/{query.name}", params={**params, "format": "csv"}, timeout=30)
    assert csv_there.headers["content-type"].startswith("text/csv")
    assert csv_there.text.splitlines()[0] == ",".join(here["head"]["vars"])


@pytest.mark.parametrize("path", ["/api/network", "/api/timeline",
                                  "/api/edge?edge=https://w3id.org/geokg/derived/backs/russia/venezuela"])
def test_ui_data_is_the_same(remote, local, path):
    there = requests.get(remote.url + path, timeout=30).json()
    here = requests.get(local.url + path, timeout=30).json()
    assert sorted(map(json.dumps, there["results"]["bindings"])) == sorted(map(json.dumps, here["results"]["bindings"]))
    assert requests.get(remote.url + "/", timeout=10).text == requests.get(local.url + "/", timeout=10).text


# ---------------------------------------------------------------- protocol, clients, negotiation

@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_ask_construct(remote, method):
    client = SPARQLWrapper(remote.sparql)
    client.setMethod(method)
    client.setReturnFormat(JSON)
    client.setQuery(LABEL_QUERY)
    assert [r["label"]["value"] for r in client.queryAndConvert()["results"]["bindings"]] == ["Russia"]
    client.setQuery(f"ASK {{ <{RUSSIA}> a <https://w3id.org/geokg/ontology#State> }}")
    assert client.queryAndConvert()["boolean"] is True
    client.setQuery(f"ASK {{ <{RUSSIA}> a <https://w3id.org/geokg/ontology#Person> }}")
    assert client.queryAndConvert()["boolean"] is False
    client.setQuery(f"CONSTRUCT {{ <{RUSSIA}> ?p ?o }} WHERE {{ <{RUSSIA}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert (rdflib.URIRef(RUSSIA), rdflib.RDFS.label, rdflib.Literal("Russia", lang="en")) in graph


def test_negotiation_and_caps_are_ours(remote, local):
    for accept in ("text/csv", "text/tab-separated-values", "application/sparql-results+xml", None):
        there = requests.get(remote.sparql, params={"query": LABEL_QUERY}, headers={"Accept": accept or ""}, timeout=10)
        here = requests.get(local.sparql, params={"query": LABEL_QUERY}, headers={"Accept": accept or ""}, timeout=10)
        assert there.headers["content-type"] == here.headers["content-type"] and there.text == here.text
    assert_error(requests.get(remote.sparql, params={"query": LABEL_QUERY}, headers={"Accept": "image/png"},
                              timeout=10), 406)
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    for accept in ("application/n-triples", "application/ld+json", "application/rdf+xml"):
        r = requests.get(remote.sparql, params={"query": construct}, headers={"Accept": accept}, timeout=30)
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
        assert r.headers["x-result-truncated"] == "true; triples=500"
    r = requests.get(remote.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
    assert len(r.json()["results"]["bindings"]) == 500 and r.headers["x-result-truncated"] == "true; rows=500"
    # a long query goes to the store as a form POST, not in the URL
    long = LABEL_QUERY + " " + "#" + "x" * 3000 + "\n"
    assert requests.post(remote.sparql, data={"query": long}, timeout=10).json()["results"]["bindings"]
    assert_error(requests.get(remote.sparql, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=10), 400,
                 "query_failed")
    assert_error(requests.post(remote.sparql, data={"query": "x" * 1_500_000}, timeout=10), 413)


def lines(page: str) -> list[str]:
    return sorted(page.replace("<li>", "\n<li>").replace("</li>", "</li>\n").splitlines())


def test_entity_pages_dereference_as_locally(remote, local):
    for path in ("/id/russia", "/doc/article-001", "/derived/backs/russia/venezuela", "/claim/article-001/c09"):
        there = requests.get(remote.url + path, headers={"Accept": "application/n-triples"}, timeout=30)
        here = requests.get(local.url + path, headers={"Accept": "application/n-triples"}, timeout=30)
        assert there.status_code == 200 and there.headers["vary"] == "Accept"
        assert sorted(there.text.splitlines()) == sorted(here.text.splitlines()), path
        page = requests.get(remote.url + path, headers={"Accept": "text/html"}, timeout=30)
        local_page = requests.get(local.url + path, headers={"Accept": "text/html"}, timeout=30).text
        assert page.headers["content-type"].startswith("text/html")
        # the same page; only the order of unsorted items (as each store lists them) may differ
        assert lines(page.text) == lines(local_page), path
    page = requests.get(remote.url + "/id/russia", headers={"Accept": "text/html"}, timeout=30).text
    assert "Russia and China are the biggest allies" in page and "Wikidata Q159" in page
    assert_error(requests.get(remote.url + "/id/no-such-thing", timeout=10), 404, "not_found")


def test_void_and_graph_store_reads(remote, local):
    there = rdflib.Graph().parse(data=requests.get(remote.url + "/.well-known/void", timeout=30).text, format="turtle")
    here = rdflib.Graph().parse(data=requests.get(local.url + "/.well-known/void", timeout=30).text, format="turtle")
    triples = rdflib.URIRef("http://rdfs.org/ns/void#triples")
    assert sorted(int(o) for o in there.objects(None, triples)) == sorted(int(o) for o in here.objects(None, triples))
    graph = "https://w3id.org/geokg/derived/backs/russia/venezuela"
    r = requests.get(remote.url + "/graph-store", params={"graph": graph}, headers={"Accept": "application/n-triples"},
                     timeout=10)
    assert r.status_code == 200 and "<https://w3id.org/geokg/ontology#backs>" in r.text
    assert_error(requests.get(remote.url + "/graph-store", params={"graph": "http://example.org/none"}, timeout=10),
                 404, "no_such_graph")


# ---------------------------------------------------------------- safety

def test_service_is_refused_before_the_store_sees_it(remote):
    before = metric(remote, "geokg_backend_requests_total")
    for query in ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                  "PREFIX e: <http://example.org/> SELECT * WHERE { SERVICE SILENT e:sparql { ?s ?p ?o } }",
                  "SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }"):
        assert_error(requests.get(remote.sparql, params={"query": query}, timeout=10), 403, "service_not_allowed")
    assert metric(remote, "geokg_backend_requests_total") == before


def test_read_only_by_default(remote, oxigraph_server):
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    assert_error(requests.post(remote.sparql, data={"update": insert}, timeout=10), 403, "read_only")
    assert_error(requests.put(remote.url + "/graph-store?graph=http://example.org/g", data="<a:a> <a:b> <a:c> .",
                              headers={"Content-Type": "text/turtle"}, timeout=10), 403, "read_only")
    ask = requests.get(oxigraph_server.query, params={"query": "ASK { <http://example.org/a> ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert ask.json()["boolean"] is False


def test_health_and_metrics(remote):
    health = requests.get(remote.url + "/healthz", timeout=10).json()
    assert health["status"] == "ok" and health["backend_status"] == "ok" and health["updates"] is False
    assert metric(remote, "geokg_backend_errors_total") >= 0
    assert 'geokg_requests_total{route="/sparql",status="200"}' in requests.get(remote.url + "/metrics", timeout=5).text


@pytest.mark.parametrize("graph_store", [False, True], ids=["update", "gsp"])
def test_updates_with_the_token_reach_the_store(oxigraph_server, tmp_path, graph_store):
    extra = ["--backend-graph-store", oxigraph_server.store] if graph_store else []
    server = Running(tmp_path / "none", "--backend", oxigraph_server.query, "--backend-update", oxigraph_server.update,
                     *extra, "--updates", "--token", TOKEN, log=tmp_path / "log")
    graph = f"http://example.org/scratch/{'gsp' if graph_store else 'update'}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        insert = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/a> <http://example.org/b> 1 }} }}"
        assert_error(requests.post(server.sparql, data={"update": insert}, timeout=10), 401)
        assert requests.post(server.sparql, data={"update": insert}, headers=auth, timeout=10).status_code == 204
        r = requests.put(server.url + "/graph-store", params={"graph": graph + "/2"}, headers={**auth,
                         "Content-Type": "text/turtle"}, data="<http://example.org/x> <http://example.org/y> 'z' .",
                         timeout=10)
        assert r.status_code == 201, r.text
        r = requests.get(server.url + "/graph-store", params={"graph": graph + "/2"},
                         headers={"Accept": "application/n-triples"}, timeout=10)
        assert r.text.strip() == '<http://example.org/x> <http://example.org/y> "z" .'
        ask = f"ASK {{ GRAPH <{graph}> {{ <http://example.org/a> <http://example.org/b> 1 }} }}"
        assert requests.get(server.sparql, params={"query": ask}, timeout=10).json()["boolean"] is True
        for g in (graph, graph + "/2"):
            assert requests.delete(server.url + "/graph-store", params={"graph": g}, headers=auth,
                                   timeout=10).status_code == 204
        assert_error(requests.delete(server.url + "/graph-store", params={"graph": graph}, headers=auth, timeout=10),
                     404)
    finally:
        server.stop()


# ---------------------------------------------------------------- a store that fails

def test_unreachable_backend_is_a_clear_error_at_startup(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/query"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "kgbuild", "--store", str(tmp_path / "none"), "serve", "--port",
                           str(free_port()), "--backend", url], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and time.monotonic() - started < 30
    assert f"cannot reach {url}" in proc.stderr and "Traceback" not in proc.stderr


class FakeStore(http.server.BaseHTTPRequestHandler):
    """Answers ASK {} (so the server starts); 'slow' queries hang, 'broken' ones fail, 'html' ones
    get a web page."""

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("query", [""])[0]
        if "slow" in query:
            time.sleep(4)
        if "broken" in query:
            return self._reply(500, "text/plain", b"Virtuoso 42000 Error: something broke")
        if "html" in query:
            return self._reply(200, "text/html", b"<html>hello</html>")
        self._reply(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')

    def _reply(self, status, ctype, body):
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def test_failing_store_gives_502_and_504_never_a_hang(tmp_path):
    fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeStore)
    thread = threading.Thread(target=fake.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{fake.server_address[1]}/sparql"
    server = Running(tmp_path / "none", "--backend", url, "--timeout", "1", log=tmp_path / "log")
    try:
        started = time.monotonic()
        body = assert_error(requests.get(server.sparql, params={"query": "ASK { ?slow ?p ?o }"}, timeout=10), 504,
                            "backend_timeout")
        assert time.monotonic() - started < 3 and "1 s" in body["message"]
        body = assert_error(requests.get(server.sparql, params={"query": "ASK { ?broken ?p ?o }"}, timeout=10), 502,
                            "backend_error")
        assert "HTTP 500" in body["message"] and "something broke" in body["message"]
        assert_error(requests.get(server.sparql, params={"query": "ASK { ?html ?p ?o }"}, timeout=10), 502,
                     "backend_bad_answer")
        assert_error(requests.get(server.url + "/id/russia", timeout=10), 502, "backend_bad_answer")
        fake.shutdown()
        fake.server_close()
        body = assert_error(requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=10), 502,
                            "backend_unreachable")
        assert url in body["message"]
        health = requests.get(server.url + "/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["status"] == "degraded"
    finally:
        server.stop()
        fake.server_close()


# ---------------------------------------------------------------- Virtuoso

def test_virtuoso_backend(virtuoso_server, built_store, local, tmp_path):
    """Virtuoso: typed-literal JSON, union default graph, queries never by direct POST."""
    store = open_store(built_store, read_only=True)
    virtuoso_server.clear([g.value for g in store.named_graphs()] + [DEFAULT_GRAPH_IRI])
    push(built_store, "--endpoint", virtuoso_server.query, "--update-endpoint", virtuoso_server.update,
         "--user", DBA[0], "--password", DBA[1], "--auth", "digest", "--batch-size", "400")
    server = Running(tmp_path / "none", "--backend", virtuoso_server.query, "--timeout", "20", "--max-rows", "500",
                     log=tmp_path / "log")
    try:
        r = requests.get(server.sparql, params={"query": LABEL_QUERY}, timeout=30)
        assert [b["label"] for b in r.json()["results"]["bindings"]] == \
            [{"type": "literal", "value": "Russia", "xml:lang": "en"}]
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/geokg/doc/article-001> { ?s ?p ?o } }"
        n = requests.get(server.sparql, params={"query": count}, timeout=30).json()["results"]["bindings"][0]["n"]
        assert n == {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                     "value": str(sum(1 for _ in store.quads_for_pattern(
                         None, None, None, next(g for g in store.named_graphs() if g.value.endswith("article-001")))))}
        client = SPARQLWrapper(server.sparql)
        client.setMethod(POST)
        client.setQuery(f"CONSTRUCT {{ <{RUSSIA}> ?p ?o }} WHERE {{ <{RUSSIA}> ?p ?o }}")
        client.setReturnFormat(TURTLE)
        graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")
        assert (rdflib.URIRef(RUSSIA), rdflib.RDFS.label, rdflib.Literal("Russia", lang="en")) in graph
        r = requests.get(f"{server.url}/queries/who-backs-whom", timeout=30)
        assert r.status_code == 200 and r.json()["results"]["bindings"]
        here = requests.get(local.url + "/id/russia", headers={"Accept": "application/n-triples"}, timeout=30).text
        there = requests.get(server.url + "/id/russia", headers={"Accept": "application/n-triples"}, timeout=30)
        assert there.status_code == 200
        # the union default graph: the same facts (the world layer comes back as the default graph)
        assert set(there.text.splitlines()) == set(here.splitlines())
        page = requests.get(server.url + "/id/russia", headers={"Accept": "text/html"}, timeout=30).text
        assert "Russia and China are the biggest allies" in page
        assert_error(requests.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30), 400)
    finally:
        server.stop()
