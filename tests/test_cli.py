from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kgbuild.cli import cli


@pytest.fixture()
def run():
    def invoke(*args, env=None):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return invoke


def test_build_and_query_who_backs_whom(tmp_path, run):
    store = str(tmp_path / "store")
    result = run("--store", store, "build", "--no-check")
    assert result.exit_code == 0, result.output
    result = run("--store", store, "query", "who-backs-whom", "--format", "json")
    rows = json.loads(result.output)
    pairs = {(r["backer"], r["backed"]) for r in rows}
    assert ("Russia", "Government of Venezuela") in pairs and ("United States", "Juan Guaidó") in pairs
    assert all(r["sentence"] and r["attributedTo"] for r in rows)


def test_store_from_environment(tmp_path, run, built_store):
    result = run("query", "recognitions", "--format", "csv", env={"KGBUILD_STORE": str(built_store)})
    assert result.exit_code == 0 and "Juan Guaidó" in result.output


def test_queries_lists_names_and_parameters(run):
    result = run("queries")
    assert "who-backs-whom" in result.output and "--param entity=" in result.output


def test_query_errors_are_one_clear_message(run, built_store):
    result = run("--store", str(built_store), "query", "who-funds-whom")
    assert result.exit_code == 1 and "no saved query named 'who-funds-whom'" in result.output
    result = run("--store", str(built_store), "query", "why", "--param", "subject=russia")
    assert result.exit_code == 1 and "needs the parameter 'object'" in result.output
    result = run("--store", str(built_store), "query", "why", "--param", "subject")
    assert result.exit_code == 2 and "NAME=VALUE" in result.output


def test_query_file_and_sparql(tmp_path, run, built_store):
    q = tmp_path / "mine.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?c a <https://w3id.org/geokg/ontology#Claim> } }")
    result = run("--store", str(built_store), "query", "--file", str(q), "--format", "json")
    assert json.loads(result.output)[0]["n"] >= 25
    result = run("--store", str(built_store), "sparql", "ASK { ?s ?p ?o }")
    assert result.output.strip() == "true"
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x }")
    result = run("--store", str(built_store), "query", "--file", str(bad))
    assert result.exit_code == 1 and "bad.rq" in result.output and "does not parse" in result.output


def test_missing_and_unreadable_store(tmp_path, run):
    result = run("--store", str(tmp_path / "nowhere"), "query", "who-backs-whom")
    assert result.exit_code == 1 and "no store here" in result.output and "kgbuild build" in result.output
    afile = tmp_path / "file"
    afile.write_text("x")
    result = run("--store", str(afile), "query", "who-backs-whom")
    assert result.exit_code == 1 and "is a file" in result.output


def test_claims_command(run, built_store):
    result = run("--store", str(built_store), "claims")
    first = json.loads(result.output.splitlines()[0])
    assert first["relation"] and first["evidence"]
    result = run("--store", str(built_store), "claims", "--format", "csv", "--document", "article-001")
    assert result.output.startswith("claim,relation,subject")


@pytest.mark.parametrize("fmt,marker", [("nquads", "<https://w3id.org/geokg/doc/article-001> ."),
                                        ("trig", "gkdoc:article-001 {"), ("turtle", "gk:Claim"),
                                        ("jsonld", '"@graph"')])
def test_export_formats(run, built_store, fmt, marker):
    result = run("--store", str(built_store), "export", "--format", fmt)
    assert result.exit_code == 0 and marker in result.output


def test_load_adds_external_rdf_into_named_graph(tmp_path, run, built_store):
    import shutil
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    ttl = tmp_path / "wd.ttl"
    ttl.write_text('<http://www.wikidata.org/entity/Q717> <http://www.w3.org/2000/01/rdf-schema#label> "Venezuela"@es .\n')
    result = run("--store", str(store), "load", str(ttl), "--graph", "http://example.org/wikidata")
    assert result.exit_code == 0, result.output
    result = run("--store", str(store), "sparql", """SELECT ?l WHERE {
        <https://w3id.org/geokg/id/venezuela> <http://www.w3.org/2004/02/skos/core#exactMatch> ?wd .
        GRAPH <http://example.org/wikidata> { ?wd ?p ?l } }""", "--format", "csv")
    assert "Venezuela" in result.output
    nq = tmp_path / "x.nq"
    nq.write_text('<http://e/s> <http://e/p> "o" <http://e/g> .\n')
    assert run("--store", str(store), "load", str(nq)).exit_code == 0
    assert run("--store", str(store), "load", str(nq), "--graph", "http://e/h").exit_code == 1


def test_load_rejects_bad_files_and_adds_nothing(tmp_path, run, built_store):
    import shutil
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    before = run("--store", str(store), "export").output
    bad = tmp_path / "bad.ttl"
    bad.write_text('<http://e/a> <http://e/b> "ok" .\n<http://e/a> <http://e/b> "unclosed .\n')
    result = run("--store", str(store), "load", str(bad))
    assert result.exit_code == 1 and "bad.ttl" in result.output and "line 2" in result.output.lower()
    odd = tmp_path / "data.xlsx"
    odd.write_text("x")
    result = run("--store", str(store), "load", str(odd))
    assert result.exit_code == 1 and "cannot tell the RDF format" in result.output
    assert run("--store", str(store), "export").output == before


def test_python_dash_m_entry_point(built_store):
    out = subprocess.run([sys.executable, "-m", "kgbuild", "--store", str(built_store), "query", "sanctions",
                          "--format", "csv"], capture_output=True, text=True, check=True)
    assert "Embargo" in out.stdout


def test_a_full_page_says_how_to_see_more(run, built_store):
    result = run("--store", str(built_store), "query", "external-links", "--param", "limit=3", "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 3
    assert "the first 3 rows: more with --param limit=N" in result.stderr
    result = run("--store", str(built_store), "query", "who-backs-whom", "--format", "json")
    assert "more with --param limit" not in result.stderr


@pytest.mark.parametrize("value", ["ten", "-1", "2.5"])
def test_limit_must_be_a_whole_number(run, built_store, value):
    result = run("--store", str(built_store), "query", "claims", "--param", f"limit={value}")
    assert result.exit_code == 1
    assert f"parameter 'limit': '{value}' is not a whole number" in result.output


def test_cli_sparql_follows_the_servers_service_policy(built_store):
    """Issue 12: the CLI ran SERVICE calls to any host; it refuses them unless allowed, as the server does."""
    from click.testing import CliRunner
    from kgbuild.cli import cli
    query = "SELECT * WHERE { SERVICE <http://203.0.113.9/sparql> { ?s ?p ?o } }"
    result = CliRunner().invoke(cli, ["--store", str(built_store), "sparql", query])
    assert result.exit_code == 1 and "SERVICE <http://203.0.113.9/sparql> is not allowed" in result.output
    ok = CliRunner().invoke(cli, ["--store", str(built_store), "sparql", "ASK { ?s ?p ?o }"])
    assert ok.exit_code == 0


def test_build_never_replaces_a_file_or_a_foreign_folder(tmp_path):
    from click.testing import CliRunner
    from kgbuild.cli import cli
    target = tmp_path / "notes.txt"
    target.write_text("my notes", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--store", str(target), "build", "--no-check"])
    assert result.exit_code == 1 and "is a file, not a store folder" in result.output
    assert target.read_text(encoding="utf-8") == "my notes"
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"x")
    result = CliRunner().invoke(cli, ["--store", str(folder), "build", "--no-check"])
    assert result.exit_code == 1 and "not a store" in result.output and (folder / "a.jpg").exists()


def test_serve_on_a_port_in_use_fails_before_saying_serving(built_store):
    import socket
    import subprocess
    import sys
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "kgbuild", "--store", str(built_store), "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "serving" not in done.stderr
