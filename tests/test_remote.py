"""kgbuild push and remote queries against two real servers: Oxigraph's and Virtuoso."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kgbuild.cli import cli
from kgbuild.errors import GeokgError
from kgbuild.queries import list_queries
from kgbuild.remote import DEFAULT_GRAPH_IRI, RemoteStore
from kgbuild.store import open_store

from .triplestores import DBA, Oxigraph, free_port, oxigraph_server, virtuoso_server  # noqa: F401 (fixtures)

WHY = ["--param", "subject=united-states", "--param", "object=juan-guaido"]
BAD = ox.Quad(ox.NamedNode("https://w3id.org/geokg/id/x"), ox.NamedNode("https://w3id.org/geokg/ontology#personnelCount"),
              ox.Literal("abc", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
              ox.NamedNode("https://w3id.org/geokg/doc/article-001"))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def saved_queries():
    """Every saved query, with values for required parameters from the seed article."""
    out = []
    for query in list_queries():
        params = []
        for p in query.params:
            if p.default is None:
                params += {"subject": ["--param", "subject=united-states"],
                           "object": ["--param", "object=juan-guaido"]}[p.name]
            elif p.name == "limit":  # whole answers (stores may cut a page differently among equal
                params += ["--param", "limit=10000"]  # ranks); Virtuoso sorts at most 10 000 rows
        out.append((query.name, params))
    return out


def answers(store_args: list[str], endpoint_args: list[str], name: str, params: list[str]) -> list[dict]:
    result = run(*store_args, "query", name, *params, "--format", "json", *endpoint_args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def canonical(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def store_with(tmp_path: Path, built_store: Path, extra: list[ox.Quad]) -> Path:
    """A copy of the built store with some more quads."""
    path = tmp_path / "store"
    copy = ox.Store(str(path))
    copy.bulk_load(open_store(built_store, read_only=True).dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    copy.extend(extra)
    copy.flush()
    del copy
    return path


# ------------------------------------------------------------------ Oxigraph's server

@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_push_to_oxigraph_then_every_saved_query_answers_as_locally(oxigraph_server, built_store, protocol):
    oxigraph_server.clear()
    options = ["--update-endpoint", oxigraph_server.update]
    if protocol == "gsp":
        options += ["--graph-store", oxigraph_server.store]
    result = run("--store", str(built_store), "push", "--endpoint", oxigraph_server.query, *options,
                 "--batch-size", "300")
    assert result.exit_code == 0, result.output
    local = len(open_store(built_store, read_only=True))
    assert f"pushed {local} triples" in result.stderr and f"verified: the server holds {local} triples" in result.stderr
    # Named graphs kept: the same quads, graph for graph.
    remote = RemoteStore(oxigraph_server.query)
    counts = remote.remote_counts()
    assert sum(counts.values()) == local
    assert counts["https://w3id.org/geokg/doc/article-001"] > 100
    for name, params in saved_queries():
        here = answers(["--store", str(built_store)], [], name, params)
        there = answers([], ["--endpoint", oxigraph_server.query], name, params)
        assert canonical(there) == canonical(here), name
        assert here, f"{name} gives no rows on the seed article"


def test_remote_query_formats_match_local(oxigraph_server, built_store):
    oxigraph_server.clear()
    assert run("--store", str(built_store), "push", "--endpoint", oxigraph_server.query,
               "--update-endpoint", oxigraph_server.update).exit_code == 0
    for fmt in ("table", "csv", "tsv", "json"):
        here = run("--store", str(built_store), "query", "who-backs-whom", "--format", fmt)
        there = run("query", "who-backs-whom", "--format", fmt, "--endpoint", oxigraph_server.query)
        assert there.exit_code == 0 and there.output == here.output, fmt
    ask = run("sparql", "ASK { GRAPH ?g { ?s a <https://w3id.org/geokg/ontology#Claim> } }",
              "--endpoint", oxigraph_server.query)
    assert ask.exit_code == 0 and ask.output == "true\n"
    bad = run("sparql", "SELECT * WHERE { ?s ?p }", "--endpoint", oxigraph_server.query)
    assert bad.exit_code == 1 and "the query failed on" in bad.output


def test_push_resumes_after_the_server_stops_mid_push(tmp_path, built_store):
    server = Oxigraph(location=tmp_path / "db", port=free_port()).start()
    try:
        remote = RemoteStore(server.query, update_endpoint=server.update)
        store = open_store(built_store, read_only=True)
        checkpoint = tmp_path / "push.json"

        def stop_after_two(number):
            if number == 2:
                server.stop()

        with pytest.raises(GeokgError) as failure:
            remote.push_store(store, batch_size=250, checkpoint=checkpoint, after_batch=stop_after_two)
        message = str(failure.value)
        assert "batch 3 (" in message and "was not loaded: cannot reach" in message
        assert "connection refused" in message
        assert "2 batch(es) (500 triples) are on the server" in message
        assert "rerun the same command: it resumes at batch 3" in message
        assert json.loads(checkpoint.read_text())["done"] == 2
        server.start()
        # What the server holds is exactly what was reported: nothing more.
        assert sum(RemoteStore(server.query).remote_counts().values()) == 500
        # Another batch size is another push: refused, not mixed.
        with pytest.raises(GeokgError, match="the checkpoint belongs to another push"):
            remote.push_store(store, batch_size=100, checkpoint=checkpoint)
        report = remote.push_store(store, batch_size=250, checkpoint=checkpoint)
        assert report.resumed_at == 2 and report.sent_batches == report.batches - 2
        assert report.verified and report.remote_triples == len(store)
        assert not checkpoint.exists()
    finally:
        server.stop()


def test_unreachable_endpoint_is_a_clear_error(built_store):
    url = f"http://127.0.0.1:{free_port()}/query"
    result = run("--store", str(built_store), "push", "--endpoint", url)
    assert result.exit_code == 1
    assert f"cannot reach {url} (checking the query endpoint): connection refused" in result.output
    assert "is the server running" in result.output
    result = run("query", "who-backs-whom", "--endpoint", url)
    assert result.exit_code == 1 and f"cannot reach {url}" in result.output


def test_push_options_are_checked():
    assert run("push").exit_code == 2
    result = run("push", "--endpoint", "ftp://example.org/sparql")
    assert result.exit_code == 1 and "not an http(s) URL" in result.output
    result = run("query", "claims", "--endpoint", "http://127.0.0.1:1/q", "--user", "u")
    assert result.exit_code == 2 and "--user and --password together" in result.output


def test_push_of_a_bad_file_sends_nothing(tmp_path, oxigraph_server):
    oxigraph_server.clear()
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://e/s> <http://e/p> "o" .\n<http://e/s> <http://e/p> "unterminated .\n')
    result = run("push", "--endpoint", oxigraph_server.query, "--update-endpoint", oxigraph_server.update,
                 "--file", str(bad))
    assert result.exit_code == 1 and "nothing was sent" in result.output
    assert RemoteStore(oxigraph_server.query).remote_counts() == {None: 0}


# ------------------------------------------------------------------ Virtuoso

def virtuoso_args(server, protocol: str) -> list[str]:
    args = ["--endpoint", server.query, "--update-endpoint", server.update, "--user", DBA[0],
            "--password", DBA[1], "--auth", "digest"]
    return args + (["--graph-store", server.store] if protocol == "gsp" else [])


@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_push_to_virtuoso_then_every_saved_query_answers(virtuoso_server, built_store, protocol):
    local = open_store(built_store, read_only=True)
    graphs = [g.value for g in local.named_graphs()] + [DEFAULT_GRAPH_IRI]
    virtuoso_server.clear(graphs)
    result = run("--store", str(built_store), "push", *virtuoso_args(virtuoso_server, protocol), "--batch-size", "400")
    assert result.exit_code == 0, result.output
    assert "is Virtuoso: its default graph is the union of all graphs" in result.stderr
    assert f"verified: the server holds {len(local)} triples" in result.stderr
    counts = RemoteStore(virtuoso_server.query).remote_counts()
    assert counts[DEFAULT_GRAPH_IRI] == sum(1 for _ in local.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for name, params in saved_queries():
        here = answers(["--store", str(built_store)], [], name, params)
        there = answers([], ["--endpoint", virtuoso_server.query], name, params)
        assert there, f"{name}: no rows from Virtuoso"
        # Virtuoso's default graph is the union of all graphs, so a label that only a
        # document's graph gives can show up as a 'global' one too: compare what is answered
        # about (the IRIs), not every cell.
        assert iris(there) <= iris(here) and len(iris(there)) >= len(iris(here)) * 0.9, name


def iris(rows: list[dict]) -> set[str]:
    return {v for row in rows for v in row.values() if isinstance(v, str) and v.startswith("https://w3id.org/geokg/")}


def test_virtuoso_wrong_password_is_a_clear_error(virtuoso_server, built_store):
    result = run("--store", str(built_store), "push", "--endpoint", virtuoso_server.query, "--update-endpoint",
                 virtuoso_server.update, "--user", "dba", "--password", "wrong", "--auth", "digest")
    assert result.exit_code == 1
    assert f"{virtuoso_server.update} refused the credentials (HTTP 401)" in result.output
    assert "batch 1 (" in result.output and "0 batch(es) (0 triples) are on the server" in result.output
    # Basic auth on Virtuoso's digest-only endpoint: the hint says so.
    result = run("--store", str(built_store), "push", "--endpoint", virtuoso_server.query, "--graph-store",
                 virtuoso_server.store, "--user", "dba", "--password", "dba")
    assert result.exit_code == 1 and "refused the credentials (HTTP 401)" in result.output
    assert "take only --auth digest" in result.output


def test_virtuoso_rejects_a_batch_halfway_then_the_push_resumes(virtuoso_server, built_store, tmp_path):
    path = store_with(tmp_path, built_store, [BAD])
    local = open_store(path, read_only=True)
    graphs = [g.value for g in local.named_graphs()] + [DEFAULT_GRAPH_IRI]
    virtuoso_server.clear(graphs)
    checkpoint = tmp_path / "push.json"
    args = ["--store", str(path), "push", *virtuoso_args(virtuoso_server, "update"), "--batch-size", "100",
            "--checkpoint", str(checkpoint)]
    result = run(*args)
    assert result.exit_code == 1
    assert "was not loaded: " in result.output and "rejected" in result.output and "HTTP 400" in result.output
    assert "Invalid integer value converting 'abc'" in result.output
    done = json.loads(checkpoint.read_text())
    assert done["done"] >= 1 and f"{done['done']} batch(es) ({done['triples_done']} triples) are on the server" in result.output
    held = RemoteStore(virtuoso_server.query).remote_counts()
    assert sum(held.get(g, 0) for g in graphs) == done["triples_done"]  # nothing more than reported
    # Fix the data (the bad literal is in the rejected batch, so the accepted ones are unchanged).
    fixed = ox.Store(str(path))
    fixed.remove(BAD)
    fixed.flush()
    del fixed, local
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert f"{done['done']} accepted by an earlier run" in result.stderr and "verified" in result.stderr
    assert not checkpoint.exists()
