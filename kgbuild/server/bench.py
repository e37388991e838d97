"""`kgbuild bench-server`: our server beside Oxigraph's own server, same data, same run.

Bounded load from a second process on loopback: `wrk` when it is on PATH (Debian: apt-get
install wrk), else a small threaded Python client. Two requests: an IRI label lookup and the
saved query who-backs-whom, both as GET /sparql?query=… with Accept: SPARQL JSON.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from ..errors import GeokgError

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass
class Figure:
    server: str
    request: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    import urllib.request
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise GeokgError(f"the server exited ({process.returncode}) before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise GeokgError(f"no answer from {url} within {seconds:g} s")


def prepare(work: Path, triples: int, seed: int) -> tuple[Path, str]:
    """A store of about `triples` synthetic quads (kgbuild.gen), and one entity IRI to look up."""
    import pyoxigraph as ox

    from ..gen import generate
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"bench-{triples}-seed{seed}.nq"
    store_dir = work / f"store-{triples}-seed{seed}"
    if not store_dir.exists():
        generate(data, triples=triples, seed=seed)
        tmp = store_dir.with_name(store_dir.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        store = ox.Store(str(tmp))
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        tmp.rename(store_dir)
    store = ox.Store.read_only(str(store_dir))
    row = next(iter(store.query(
        "SELECT ?e WHERE { ?e a <https://w3id.org/geokg/ontology#State> ; <%s> ?l } LIMIT 1" % LABEL)))
    return store_dir, row["e"].value


def load(url: str, *, seconds: float, connections: int) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx) for GET url with `connections` keep-alive clients."""
    wrk = shutil.which("wrk")
    if wrk:
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text('wrk.headers["Accept"] = "application/sparql-results+json"\n')
        out = subprocess.run([wrk, "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds:g}s",
                              "--latency", "-s", str(script), url], capture_output=True, text=True).stdout
        script.unlink()
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))
        p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return rps, p50, p99, int(bad.group(1)) if bad else 0
    out = subprocess.run([sys.executable, "-m", "kgbuild.server.bench", url, str(seconds), str(connections)],
                         capture_output=True, text=True, check=True).stdout
    return tuple(json.loads(out))


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def python_client(url: str, seconds: float, connections: int) -> tuple[float, float, float, int]:
    """The fallback load generator: threads, one keep-alive connection each."""
    import http.client
    import threading
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path + "?" + parsed.query
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port)
        mine = []
        while time.monotonic() < stop:
            t = time.perf_counter()
            conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            r = conn.getresponse()
            r.read()
            mine.append(time.perf_counter() - t)
            if r.status >= 300:
                errors[0] += 1
        latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(latencies) / elapsed, pick(0.5), pick(0.99), errors[0]


def run(*, work: Path, triples: int, seed: int, seconds: float, connections: int, http_workers: int,
        query_workers: int) -> list[Figure]:
    from ..queries import get_query
    store_dir, entity = prepare(work, triples, seed)
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(oxigraph).exists():
        raise GeokgError("Oxigraph's server is not installed", hint="pip install oxigraph")
    requests = {
        "IRI label lookup": f"SELECT ?label WHERE {{ <{entity}> <{LABEL}> ?label }}",
        "who-backs-whom": get_query("who-backs-whom").bind({}),
    }
    ours_port, ox_port = _port(), _port()
    ours = subprocess.Popen([sys.executable, "-m", "kgbuild", "--store", str(store_dir), "serve", "--port",
                             str(ours_port), "--http-workers", str(http_workers), "--query-workers",
                             str(query_workers), "--timeout", "30", "--max-rows", "1000000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    theirs = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(store_dir), "--bind",
                               f"127.0.0.1:{ox_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures = []
    try:
        _wait(f"http://127.0.0.1:{ours_port}/healthz", ours)
        _wait(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D", theirs)
        for name, query in requests.items():
            q = urllib.parse.quote(query)
            pair = (("oxigraph serve-read-only", f"http://127.0.0.1:{ox_port}/query?query={q}"),
                    ("kgbuild serve", f"http://127.0.0.1:{ours_port}/sparql?query={q}"))
            runs: dict[str, list] = {}
            # A B B A, each half as long: other load on the machine then falls on both alike.
            for server, url in pair + pair[::-1]:
                load(url, seconds=1, connections=connections)  # warm-up
                runs.setdefault(server, []).append(load(url, seconds=seconds / 2, connections=connections))
            for server, _ in pair:
                (r1, a1, b1, e1), (r2, a2, b2, e2) = runs[server]
                figures.append(Figure(server, name, (r1 + r2) / 2, (a1 + a2) / 2, max(b1, b2), e1 + e2))
    finally:
        for process in (ours, theirs):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    return figures


def report(figures: list[Figure]) -> str:
    lines = ["request\tserver\treq/s\tp50 ms\tp99 ms\tnon-2xx\tratio to oxigraph"]
    base = {f.request: f.rps for f in figures if f.server.startswith("oxigraph")}
    for f in figures:
        lines.append(f"{f.request}\t{f.server}\t{f.rps:.0f}\t{f.p50_ms:.2f}\t{f.p99_ms:.2f}\t{f.errors}\t"
                     f"{f.rps / base[f.request]:.2f}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # the fallback client, run as a second process
    url, seconds, connections = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(python_client(url, seconds, connections)))
