"""kgbuild bench at a tiny scale: it runs, measures every engine and writes the JSON rows.
Speed is never asserted here (docs/benchmarks.md has the figures)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from kgbuild.bench import BenchRow, comparisons, render_table, row_count_mismatches
from kgbuild.cli import cli
from kgbuild.queries import list_queries

from .triplestores import oxigraph_server  # noqa: F401 (fixture)

KEYS = {"scale", "engine", "triples", "load_triples_per_s", "peak_rss_mb", "queries"}


def bench(tmp_path, *args):
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(cli, ["bench", "--scales", "2k", "--repeat", "0", "--work", str(tmp_path / "work"),
                                      "--json", str(out), *args])
    assert result.exit_code == 0, result.output
    return result, json.loads(out.read_text())


def test_bench_tiny_scale_oxigraph_engines(tmp_path, oxigraph_server):
    oxigraph_server.clear()
    result, rows = bench(tmp_path, "--engines", "embedded,pyoxigraph-raw", "--query-timeout", "120",
                         "--endpoint", oxigraph_server.query, "--update-endpoint", oxigraph_server.update)
    engines = [r["engine"] for r in rows]
    assert engines == ["embedded", "pyoxigraph-raw", "remote", "embedded (nt)", "pyoxigraph-raw (nt)"]
    names = {q.name for q in list_queries()}
    for row in rows:
        assert KEYS <= set(row) and row["scale"] == "2k" and row["triples"] >= 2000
        assert row["load_triples_per_s"] > 0
        if row["engine"] == "remote":
            assert row["peak_rss_mb"] is None
        else:
            assert row["peak_rss_mb"] > 10
        if "(nt)" not in row["engine"]:
            assert set(row["queries"]) == names
        else:
            assert row["queries"] == {}
    embedded, raw, remote = rows[0], rows[1], rows[2]
    # The same answers from every engine that shares Oxigraph's semantics.
    both = [n for n in names if all(isinstance(r["rows"].get(n), int) for r in (embedded, raw, remote))]
    assert len(both) >= len(names) - 3
    assert {n: embedded["rows"][n] for n in both} == {n: raw["rows"][n] for n in both} == {n: remote["rows"][n] for n in both}
    assert all(embedded["rows"][n] for n in both)
    # The table goes to stdout, progress to stderr.
    assert "### 2k triples" in result.stdout and "| load, triples/s |" in result.stdout
    assert "scale 2k: generating" in result.stderr and "scale 2k" not in result.stdout
    assert "kgbuild load (nt) at" in result.stdout
    # One new article into the embedded store, timed end to end (and only there).
    assert embedded["ingest"]["cold_s"] > embedded["ingest"]["warm_s"] > embedded["ingest"]["store_s"] > 0
    assert all(r["ingest"] is None for r in rows[1:])
    assert "2k: one new article into the store, end to end:" in result.stdout
    assert "| new article, model loaded, s |" in result.stdout


def test_bench_rdflib_row_and_timeouts(tmp_path):
    """rdflib is slow on these queries: a short timeout stops them and says so."""
    result, rows = bench(tmp_path, "--engines", "rdflib", "--no-nt", "--query-timeout", "2")
    assert [r["engine"] for r in rows] == ["rdflib"]
    row = rows[0]
    assert row["load_triples_per_s"] > 0 and row["peak_rss_mb"] > 10
    assert set(row["queries"]) == {q.name for q in list_queries()}
    assert all(isinstance(v, float) or v == "timeout" for v in row["queries"].values())
    timed_out = [n for n, v in row["queries"].items() if v == "timeout"]
    for name in timed_out:
        assert f"rdflib: {name} took longer than 2 s; stopped" in result.stderr


def test_table_and_comparisons_from_rows():
    rows = [BenchRow("1M", "embedded", 1_000_000, 150_000, 800, {"a": 2.0, "b": 10.0}, {"a": 5, "b": 7}),
            BenchRow("1M", "pyoxigraph-raw", 1_000_000, 160_000, 790, {"a": 2.1, "b": 9.0}, {"a": 5, "b": 7}),
            BenchRow("1M", "rdflib", 1_000_000, 20_000, 1900, {"a": 200.0, "b": "timeout"}, {"a": 5, "b": None})]
    table = render_table(rows)
    assert "| a (5 rows), ms | 2.0 | 2.1 | 200 |" in table and "| b (7 rows), ms | 10.0 | 9.0 | timeout |" in table
    lines = comparisons(rows)
    assert "1M: kgbuild load (nq) at 0.94× pyoxigraph bulk_load (150,000 vs 160,000 triples/s)" in lines
    assert any(line.startswith("1M: embedded vs rdflib: 100× faster") for line in lines)
    assert not row_count_mismatches(rows)
    rows[1].rows["a"] = 6
    assert row_count_mismatches(rows) == ["a: rows differ between engines: embedded 5, pyoxigraph-raw 6, rdflib 5"]


def test_bench_rejects_unknown_engines():
    result = CliRunner().invoke(cli, ["bench", "--engines", "embedded,blazegraph"])
    assert result.exit_code == 2 and "unknown engine(s) blazegraph" in result.output
