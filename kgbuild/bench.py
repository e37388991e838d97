"""Benchmarks: load rate, peak memory and saved-query latency at several sizes, per engine.

For each scale a synthetic graph of that size is generated (kgbuild.gen, seeded), then each
engine runs in a fresh subprocess of its own, so its peak RSS is its own:

- ``embedded``: the geokg store, loaded through ``kgbuild load``'s code path
  (kgbuild.store.load_file_into) and queried through kgbuild.queries.run_query;
- ``pyoxigraph-raw``: the reference, ``Store(dir).bulk_load(path=...)`` + ``flush()`` of the
  same file, queried with ``Store.query``;
- ``rdflib``: rdflib's in-memory Dataset (up to --rdflib-max, where it is still bearable);
- ``remote``: the SPARQL endpoint given with --endpoint (pushed with kgbuild.remote.push_file,
  queried with SPARQLWrapper; its memory is the server's and is not measured).

With ``nt`` on (the default) two more load-only rows, ``embedded (nt)`` and
``pyoxigraph-raw (nt)``, load the same statements as N-Triples: the issue's load bar.

Each query runs once to warm up (and to count rows), then `repeat` times; the median is kept.
A query that takes longer than `query_timeout` seconds is stopped (its worker is killed and a
new one goes on with the next query) and reported as timed out.
"""
from __future__ import annotations

import gc
import json
import math
import os
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GeokgError
from .gen import generate, parse_size, size_label
from .paths import data_dir

ENGINES = ("embedded", "pyoxigraph-raw", "rdflib", "remote")
TIMEOUT = "timeout"


@dataclass
class BenchRow:
    scale: str
    engine: str
    triples: int
    load_triples_per_s: float | None
    peak_rss_mb: float | None
    queries: dict[str, float | str | None] = field(default_factory=dict)
    rows: dict[str, int | None] = field(default_factory=dict)
    load_s: float | None = None
    ingest: dict | None = None  # one new article into this store: cold_s, warm_s, store_s

    def as_json(self) -> dict:
        return {"scale": self.scale, "engine": self.engine, "triples": self.triples,
                "load_triples_per_s": self.load_triples_per_s, "peak_rss_mb": self.peak_rss_mb,
                "queries": self.queries, "rows": self.rows, "load_s": self.load_s, "ingest": self.ingest}


@dataclass
class Remote:
    """Where and how to reach a remote store (see kgbuild.remote)."""
    endpoint: str
    update_endpoint: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    auth: str = "basic"
    default_graph: str | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def saved_query_params(samples: dict) -> dict[str, dict[str, str]]:
    """Values for every saved query's parameters: defaults, or required ones from the data."""
    from .queries import list_queries
    plan = {}
    for query in list_queries():
        values = {}
        for param in query.params:
            if param.default is None:
                if param.name not in samples:
                    break
                values[param.name] = samples[param.name]
        else:
            plan[query.name] = values
    return plan


def dataset_file(work: Path, triples: int, seed: int, fmt: str = "nq") -> tuple[Path, dict]:
    """The generated file for a scale (made once, then reused), and its metadata."""
    path = work / f"geokg-{size_label(triples)}-seed{seed}.{fmt}"
    meta_path = path.with_suffix(path.suffix + ".json")
    if not (path.exists() and meta_path.exists()):
        report = generate(path, triples=triples, seed=seed, fmt=fmt)
        meta_path.write_text(json.dumps({"quads": report.quads, "documents": report.documents,
                                         "claims": report.claims, "derived_edges": report.derived_edges,
                                         "samples": report.samples}, indent=1))
    return path, json.loads(meta_path.read_text())


# ----------------------------------------------------------------------------- the worker

def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _emit(**fields) -> None:
    fields["peak_rss_mb"] = _peak_mb()
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def _worker(spec: dict) -> None:
    """Runs in its own process: load (or reopen) one engine, then time the queries."""
    from .queries import get_query
    engine, file, store_dir = spec["engine"], Path(spec["file"]), Path(spec["store"])
    started = time.perf_counter()
    run = None
    if engine in ("embedded", "pyoxigraph-raw"):
        import pyoxigraph as ox
        if not spec["reuse"]:
            if store_dir.exists():
                shutil.rmtree(store_dir)
            if engine == "embedded":
                from .store import load_file_into
                load_file_into(store_dir, file)
            else:
                fmt = ox.RdfFormat.N_TRIPLES if file.suffix == ".nt" else ox.RdfFormat.N_QUADS
                store = ox.Store(str(store_dir))
                store.bulk_load(path=str(file), format=fmt)
                store.flush()
                del store
        if engine == "embedded":
            from .queries import run_sparql
            from .store import open_store
            store = open_store(store_dir, read_only=True)
            run = lambda text: len(run_sparql(store, text).rows)
        else:
            store = ox.Store.read_only(str(store_dir))
            run = lambda text: sum(1 for _ in store.query(text))
    elif engine == "rdflib":
        import rdflib
        dataset = rdflib.Dataset()
        dataset.parse(str(file), format="nt" if file.suffix == ".nt" else "nquads")
        run = lambda text: sum(1 for _ in dataset.query(text))
    elif engine == "remote":
        from .remote import RemoteStore
        remote = RemoteStore(**spec["remote"])
        if not spec["reuse"]:
            remote.drop_pushed(file)
            remote.push_file(file, checkpoint=store_dir.with_suffix(".checkpoint.json"), fresh=True)
        run = lambda text: len(remote.sparql(text).rows)
    else:
        raise GeokgError(f"unknown engine {engine!r}")
    if not spec["reuse"]:
        _emit(event="load", seconds=time.perf_counter() - started)
    for name, params in spec["queries"]:
        text = get_query(name).bind(params)
        first = time.perf_counter()
        rows = run(text)
        first = time.perf_counter() - first
        times = [first]
        repeat = spec["repeat"] if first < 2 else 1
        for _ in range(repeat):
            t = time.perf_counter()
            run(text)
            times.append(time.perf_counter() - t)
        if repeat:
            times = times[1:]
        _emit(event="query", name=name, ms=round(statistics.median(times) * 1000, 3), rows=rows)
    if engine == "embedded" and spec.get("ingest"):
        run = store = None  # the ingest below opens the store for writing
        gc.collect()
        _emit(event="ingest", **_ingest_one_article(store_dir, Path(spec["ingest"])))
    _emit(event="done")


def _ingest_one_article(store_dir: Path, work: Path) -> dict:
    """A new article into the store, end to end: once as a fresh `kgbuild ingest` process (Python,
    spaCy and its model, the reference snapshot included), once more with all that loaded."""
    from .extract import load_pipeline
    from .ingest import ingest
    articles = sorted((data_dir() / "dev" / "articles").glob("*.txt"))[:2]
    data = work / "ingest-data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(data_dir() / "reference", data / "reference")
    cold = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kgbuild", "--store", str(store_dir), "ingest", "--silent",
                    "--data", str(data), str(articles[0])], check=True, capture_output=True)
    cold = time.perf_counter() - cold
    load_pipeline()
    warm = time.perf_counter()
    report = ingest([str(articles[1])], store=store_dir, data=data)
    warm = time.perf_counter() - warm
    if len(report.ingested) != 1:
        raise GeokgError(f"the benchmark article did not ingest: {report.failed}")
    return {"cold_s": round(cold, 3), "warm_s": round(warm, 3), "store_s": round(report.seconds_store, 3)}


def _run_worker(spec: dict, timeout_load: float, timeout_query: float, log) -> list[dict]:
    """Start a worker; collect its JSON lines; kill it if one step takes too long."""
    cmd = [sys.executable, "-m", "kgbuild.bench", json.dumps(spec)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout] + [lines.put(None)],
                     daemon=True).start()
    events: list[dict] = []
    waiting_for_load = not spec["reuse"]
    while True:
        try:
            line = lines.get(timeout=timeout_load if waiting_for_load else timeout_query)
        except queue.Empty:
            proc.kill()
            proc.wait()
            events.append({"event": TIMEOUT})
            return events
        if line is None:
            break
        event = json.loads(line)
        events.append(event)
        waiting_for_load = False
    proc.wait()
    if proc.returncode != 0:
        err = proc.stderr.read().strip().splitlines()
        raise GeokgError(f"the {spec['engine']} benchmark worker failed (exit {proc.returncode})"
                         + (f": {err[-1]}" if err else ""),
                         hint="\n".join(err[-6:]) if err else None)
    return events


def measure(engine: str, file: Path, triples: int, scale: str, plan: dict[str, dict[str, str]], *,
            work: Path, repeat: int, query_timeout: float, load_timeout: float,
            remote: Remote | None = None, log=None) -> BenchRow:
    """One engine at one scale, in fresh subprocesses."""
    label = engine + (" (nt)" if file.suffix == ".nt" else "")
    store_dir = work / f"store-{label.replace(' ', '').replace('(', '-').replace(')', '')}-{scale}"
    row = BenchRow(scale=scale, engine=label, triples=triples, load_triples_per_s=None, peak_rss_mb=None)
    pending = list(plan.items())
    reuse = False
    while True:
        spec = {"engine": engine, "file": str(file), "store": str(store_dir), "reuse": reuse,
                "queries": pending, "repeat": repeat, "remote": remote.as_dict() if remote else None,
                "ingest": str(work / f"ingest-{scale}") if engine == "embedded" and plan else None}
        events = _run_worker(spec, load_timeout, query_timeout, log)
        for event in events:
            if "peak_rss_mb" in event:
                row.peak_rss_mb = max(row.peak_rss_mb or 0, event["peak_rss_mb"])
            if event["event"] == "load":
                row.load_s = round(event["seconds"], 3)
                row.load_triples_per_s = round(triples / event["seconds"]) if event["seconds"] else None
            elif event["event"] == "ingest":
                row.ingest = {k: event[k] for k in ("cold_s", "warm_s", "store_s")}
            elif event["event"] == "query":
                row.queries[event["name"]] = event["ms"]
                row.rows[event["name"]] = event["rows"]
                pending = [p for p in pending if p[0] != event["name"]]
        if events and events[-1]["event"] == TIMEOUT:
            if not reuse and row.load_s is None:
                row.queries = {name: TIMEOUT for name, _ in pending}
                break
            name = pending.pop(0)[0]
            row.queries[name] = TIMEOUT
            row.rows[name] = None
            if log:
                log(f"  {label}: {name} took longer than {query_timeout:g} s; stopped")
            # A killed worker's memory is lost with it; what it reported so far is kept.
            reuse = engine != "rdflib"
            if not pending:
                break
            continue
        break
    if engine == "remote":
        row.peak_rss_mb = None  # the client's memory says nothing about the server's
    if engine != "remote":
        shutil.rmtree(store_dir, ignore_errors=True)
    return row


def run_bench(scales: list[str], *, work: Path, seed: int = 42, engines: tuple[str, ...] = ("embedded", "pyoxigraph-raw", "rdflib"),
              rdflib_max: int = 100_000, repeat: int = 5, query_timeout: float = 120,
              load_timeout: float = 7200, remote: Remote | None = None, nt: bool = True,
              log=None) -> list[BenchRow]:
    """Every engine at every scale; returns the rows (also what --json writes)."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    rows: list[BenchRow] = []
    engines = tuple(engines) + (("remote",) if remote and "remote" not in engines else ())
    for scale_text in scales:
        triples = parse_size(scale_text)
        scale = size_label(triples)
        if log:
            log(f"scale {scale}: generating ...")
        file, meta = dataset_file(work, triples, seed)
        plan = saved_query_params(meta.get("samples", {}))
        for engine in engines:
            if engine == "rdflib" and triples > rdflib_max:
                if log:
                    log(f"  rdflib: skipped above {size_label(rdflib_max)} (--rdflib-max)")
                continue
            if log:
                log(f"  {engine} ...")
            row = measure(engine, file, meta["quads"], scale, plan, work=work, repeat=repeat if engine != "rdflib" else min(repeat, 3),
                          query_timeout=query_timeout, load_timeout=load_timeout, remote=remote, log=log)
            rows.append(row)
        if nt:
            nt_file, nt_meta = dataset_file(work, triples, seed, fmt="nt")
            for engine in ("embedded", "pyoxigraph-raw"):
                if engine in engines:
                    if log:
                        log(f"  {engine} (nt) ...")
                    rows.append(measure(engine, nt_file, nt_meta["quads"], scale, {}, work=work, repeat=0,
                                        query_timeout=query_timeout, load_timeout=load_timeout, log=log))
        if log:
            for warning in row_count_mismatches([r for r in rows if r.scale == scale]):
                log("  warning: " + warning)
    return rows


def row_count_mismatches(rows: list[BenchRow]) -> list[str]:
    """Saved queries whose row counts differ between engines at one scale (a cross-check)."""
    out = []
    names = sorted({name for r in rows for name in r.rows})
    for name in names:
        counts = {r.engine: r.rows.get(name) for r in rows if r.rows.get(name) is not None}
        if len(set(counts.values())) > 1:
            out.append(f"{name}: rows differ between engines: "
                       + ", ".join(f"{e} {n}" for e, n in counts.items()))
    return out


# ----------------------------------------------------------------------------- the table

def _fmt_ms(value) -> str:
    if value is None:
        return "–"
    if value == TIMEOUT:
        return "timeout"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def comparisons(rows: list[BenchRow]) -> list[str]:
    """The bars of issue 6, as sentences, for each scale."""
    out = []
    for scale in dict.fromkeys(r.scale for r in rows):
        at = {r.engine: r for r in rows if r.scale == scale}
        for suffix in ("", " (nt)"):
            emb, raw = at.get("embedded" + suffix), at.get("pyoxigraph-raw" + suffix)
            if emb and raw and emb.load_triples_per_s and raw.load_triples_per_s:
                out.append(f"{scale}: kgbuild load{suffix or ' (nq)'} at {emb.load_triples_per_s / raw.load_triples_per_s:.2f}× "
                           f"pyoxigraph bulk_load ({emb.load_triples_per_s:,.0f} vs {raw.load_triples_per_s:,.0f} triples/s)")
        emb, ref = at.get("embedded"), at.get("rdflib")
        if emb and ref:
            pairs = [(name, ref.queries[name], emb.queries.get(name)) for name in ref.queries]
            ratios = []
            slower = []
            for name, r_ms, e_ms in pairs:
                if isinstance(e_ms, (int, float)) and r_ms == TIMEOUT:
                    continue
                if isinstance(e_ms, (int, float)) and isinstance(r_ms, (int, float)) and e_ms > 0:
                    ratios.append(r_ms / e_ms)
                    if e_ms > r_ms:
                        slower.append(name)
            if ratios:
                out.append(f"{scale}: embedded vs rdflib: {geometric_mean(ratios):.0f}× faster in geometric mean over "
                           f"{len(ratios)} saved queries (min {min(ratios):.1f}×, max {max(ratios):,.0f}×); "
                           + (f"slower on {', '.join(slower)}" if slower else "no saved query slower"))
        if emb and emb.ingest:
            out.append(f"{scale}: one new article into the store, end to end: {emb.ingest['cold_s']:.2f} s as a fresh "
                       f"'kgbuild ingest' process, {emb.ingest['warm_s']:.2f} s with the model loaded "
                       f"(of which the store update {emb.ingest['store_s']:.2f} s)")
        if emb:
            numbers = [v for v in emb.queries.values() if isinstance(v, (int, float))]
            timeouts = [k for k, v in emb.queries.items() if v == TIMEOUT]
            over = [k for k, v in emb.queries.items() if isinstance(v, (int, float)) and v >= 200]
            if numbers or timeouts:
                out.append(f"{scale}: embedded slowest saved query {max(numbers):,.0f} ms" if numbers else f"{scale}:")
                if over or timeouts:
                    out[-1] += f"; at or over 200 ms: {', '.join(over + timeouts)}"
    return out


def render_table(rows: list[BenchRow]) -> str:
    """Markdown: per scale, one column per engine; load, memory, then one line per saved query."""
    out = []
    for scale in dict.fromkeys(r.scale for r in rows):
        at = [r for r in rows if r.scale == scale]
        engines = [r.engine for r in at]
        out.append(f"### {scale} triples ({at[0].triples:,} quads)\n")
        out.append("| | " + " | ".join(engines) + " |")
        out.append("|---|" + "---:|" * len(engines))
        out.append("| load, triples/s | " + " | ".join(f"{r.load_triples_per_s:,.0f}" if r.load_triples_per_s else "–" for r in at) + " |")
        out.append("| load, s | " + " | ".join(f"{r.load_s:,.2f}" if r.load_s is not None else "–" for r in at) + " |")
        out.append("| peak RSS, MB | " + " | ".join(f"{r.peak_rss_mb:,.0f}" if r.peak_rss_mb else "–" for r in at) + " |")
        if any(r.ingest for r in at):
            for key, what in (("cold_s", "new article, fresh process"), ("warm_s", "new article, model loaded")):
                out.append(f"| {what}, s | " + " | ".join(f"{r.ingest[key]:.2f}" if r.ingest else "–" for r in at) + " |")
        names = list(dict.fromkeys(n for r in at for n in r.queries))
        for name in names:
            rows_seen = {r.rows.get(name) for r in at if r.rows.get(name) is not None}
            count = f" ({'/'.join(str(n) for n in sorted(rows_seen))} rows)" if rows_seen else ""
            out.append(f"| {name}{count}, ms | " + " | ".join(_fmt_ms(r.queries.get(name)) for r in at) + " |")
        out.append("")
    lines = comparisons(rows)
    if lines:
        out += ["- " + line for line in lines] + [""]
    return "\n".join(out)


if __name__ == "__main__":
    _worker(json.loads(sys.argv[1]))
