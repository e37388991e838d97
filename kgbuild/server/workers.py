"""Killable query workers: the only way to enforce a time limit on pyoxigraph.

pyoxigraph cannot cancel a running query, so every query runs in a worker process that holds
the store open (read-only: RocksDB lets many processes do that at once). When a query passes its
time limit the server kills that process and starts a fresh one; the other workers keep
answering. With updates on, one extra worker holds the store for writing; after each write the
readers reopen their read-only view (a read-only RocksDB handle is a snapshot).

A job is a plain dict; a reply is (status, content_type, body, headers). Workers never raise:
an engine error becomes a 400 reply with the engine's message.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import results

Reply = tuple  # (status: int, content_type: str, body: bytes, headers: dict)


def error_reply(status: int, error: str, message: str, hint: str | None = None) -> Reply:
    """The one JSON error shape of the server: {"status", "error", "message"[, "hint"]}."""
    body = {"status": status, "error": error, "message": message}
    if hint:
        body["hint"] = hint
    return (status, "application/json", json.dumps(body, ensure_ascii=False).encode("utf-8"), {})


# ---------------------------------------------------------------- running one job in a worker

class Engine:
    """The store as one worker sees it."""

    def __init__(self, path: str, writable: bool):
        self.path, self.writable = path, writable
        self.generation = -1
        self.store = None

    def ensure(self, generation: int, path: str | None = None) -> ox.Store:
        if self.store is None or (not self.writable and generation != self.generation):
            self.store = None
            self.store = ox.Store(self.path) if self.writable else ox.Store.read_only(path or self.path)
            self.generation = generation
        return self.store


def _graphs(iris):
    return None if iris is None else [ox.NamedNode(i) for i in iris]


def run_job(engine: Engine, job: dict) -> Reply:
    reply = _run_job(engine, job)
    if reply[0] < 300 and engine.writable and job.get("snapshot"):
        # Readers never open the live store while a writer works on it (its compactions delete
        # files a read-only handle still lists): they open a checkpoint (hard links) instead.
        engine.store.backup(job["snapshot"])
    return reply


def _run_job(engine: Engine, job: dict) -> Reply:
    try:
        store = engine.ensure(job.get("generation", 0), job.get("store_path"))
        kind = job["kind"]
        if kind == "query":
            return _query(store, job)
        if kind == "update":
            store.update(job["update"], base_iri=job.get("base"))
            store.flush()
            return (204, "", b"", {})
        if kind == "gsp":
            from .gsp import run_gsp
            return run_gsp(store, job)
        if kind == "describe":
            from .linked_data import describe
            return describe(store, job)
        if kind == "stats":
            return _stats(store)
        if kind == "sleep":  # used by tests of the time limit: a job that never ends on its own
            time.sleep(job["seconds"])
            return (200, "text/plain", b"slept", {})
        return error_reply(400, "bad_job", f"unknown job kind {kind!r}")
    except SyntaxError as exc:
        return error_reply(400, "syntax_error", str(exc))
    except (OSError, ValueError, RuntimeError) as exc:
        message = str(exc)
        if isinstance(exc, OSError) or message.startswith("IO error"):
            # the store's files, not the request: say so without the server's paths
            engine.store = None
            return error_reply(503, "store_unavailable", "the store could not be read (it may have just been "
                               "rebuilt); retry the request")
        return error_reply(400, "query_failed", message)


# Where pyoxigraph's own serialiser writes the same bytes as results.solutions (tested).
NATIVE_SOLUTIONS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV}


def _run(store: ox.Store, job: dict, text: str):
    return store.query(text, base_iri=job.get("base"), default_graph=_graphs(job.get("default_graphs")),
                       named_graphs=_graphs(job.get("named_graphs")),
                       use_default_graph_as_union=bool(job.get("union")))


def _count_rows(body: bytes, name: str) -> int:
    if name == "json":
        return len(json.loads(body)["results"]["bindings"])
    return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1


def _native_select(store: ox.Store, job: dict) -> Reply | None:
    """A SELECT answer serialised by the engine itself, when the row cap allows; else None.

    The row cap needs the rows one by one, which costs a third of a query's time in Python. When
    the query's own LIMIT is within the cap no row can be over it; otherwise the query runs with
    LIMIT cap+1 appended, and an answer longer than the cap goes the slow way after all.
    """
    if job.get("form") != "SELECT":
        return None
    content_type, name = job["formats"]["solutions"]
    cap, limit = job["row_cap"], job.get("top_limit")
    if name not in NATIVE_SOLUTIONS or (limit is not None and limit > cap):
        return None
    text = job["query"] if limit is not None else f"{job['query']}\nLIMIT {cap + 1}"
    try:
        answer = _run(store, job, text)
    except SyntaxError:
        return None  # e.g. a trailing VALUES block: the plain path reports any real error
    if not isinstance(answer, ox.QuerySolutions):
        return None
    body = answer.serialize(format=NATIVE_SOLUTIONS[name])
    if limit is None and _count_rows(body, name) > cap:
        return None
    return (200, content_type, body, {})


def _query(store: ox.Store, job: dict) -> Reply:
    cap = job["row_cap"]
    native = _native_select(store, job)
    if native is not None:
        return native
    answer = _run(store, job, job["query"])
    fmt = job["formats"]
    headers = {}
    if isinstance(answer, ox.QueryBoolean):
        content_type, name = fmt["boolean"]
        return (200, content_type, results.boolean(bool(answer), name), headers)
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = []
        deadline = job.get("deadline")
        for solution in answer:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError("the query passed its time limit")
            if len(rows) == cap:
                headers["X-Result-Truncated"] = f"true; rows={cap}"
                break
            rows.append([solution[v] for v in variables])
        content_type, name = fmt["solutions"]
        return (200, content_type, results.solutions(variables, rows, name), headers)
    triples = []
    for triple in answer:
        if len(triples) == cap:
            headers["X-Result-Truncated"] = f"true; triples={cap}"
            break
        triples.append(triple)
    content_type, name = fmt["graph"]
    return (200, content_type, results.graph(triples, name), headers)


def _stats(store: ox.Store) -> Reply:
    graphs = {}
    for sol in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graphs[sol["g"].value] = int(sol["n"].value)
    default = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    return (200, "application/json", json.dumps({"default": default, "graphs": graphs}).encode(), {})


def worker_main(conn, path: str, writable: bool) -> None:
    """A worker process: answer jobs from the pipe until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    engine = Engine(path, writable)
    try:
        engine.ensure(0)
    except OSError as exc:
        conn.send(error_reply(503, "store_unavailable", f"cannot open the store: {exc}"))
        return
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run_job(engine, job)
        except Exception as exc:  # a bug must not kill the worker silently: report it
            reply = error_reply(500, "internal_error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


# ---------------------------------------------------------------- the pool, in the server process

class Busy(Exception):
    """No worker became free in time, or too many requests are waiting."""


class Timeout(Exception):
    """The job ran past its time limit; its worker was killed and replaced."""


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    conn: object
    pending: asyncio.Future | None = None
    started: float = field(default_factory=time.monotonic)


class Pool:
    """N worker processes over one store; `await pool.run(job, timeout)` answers a job."""

    def __init__(self, path: str, size: int, *, writable: bool = False, max_waiting: int = 256):
        self.path, self.size, self.writable = str(path), size, writable
        self.max_waiting = max_waiting
        self.ctx = multiprocessing.get_context("spawn")
        self.idle: asyncio.Queue | None = None
        self.workers: set[_Worker] = set()
        self.waiting = 0
        self.generation = 0
        self.snapshot: str | None = None
        self.restarts = 0
        self.timeouts = 0

    async def start(self) -> None:
        self.idle = asyncio.Queue()
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))

    async def _spawn(self) -> None:
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(None, self._start_process)
        self.workers.add(worker)
        loop.add_reader(worker.conn.fileno(), self._readable, worker)
        # uvloop makes the descriptor non-blocking; Connection.recv/send need it blocking (a reply
        # larger than the pipe buffer arrives in several reads).
        os.set_blocking(worker.conn.fileno(), True)
        self.idle.put_nowait(worker)

    def _start_process(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=worker_main, args=(child, self.path, self.writable), daemon=True,
                                   name="kgbuild-query-worker")
        process.start()
        child.close()
        if not parent.poll(60):
            process.kill()
            raise RuntimeError("a query worker did not start within 60 s")
        hello = parent.recv()
        if hello != "ready":
            process.join(5)
            raise RuntimeError(json.loads(hello[2])["message"])
        return _Worker(process, parent)

    def _readable(self, worker: _Worker) -> None:
        try:
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._discard(worker)
            if worker.pending is not None and not worker.pending.done():
                worker.pending.set_exception(RuntimeError("the query worker died"))
            asyncio.get_running_loop().create_task(self._replace())
            return
        if worker.pending is not None and not worker.pending.done():
            worker.pending.set_result(reply)

    def _discard(self, worker: _Worker) -> None:
        if worker in self.workers:
            self.workers.discard(worker)
            try:
                asyncio.get_running_loop().remove_reader(worker.conn.fileno())
            except (ValueError, OSError):
                pass
            try:
                worker.process.kill()
            except (OSError, AttributeError):
                pass
            worker.conn.close()
            worker.process.join(0.5)

    async def _replace(self) -> None:
        self.restarts += 1
        try:
            await self._spawn()
        except (RuntimeError, OSError):
            await asyncio.sleep(1)
            asyncio.get_running_loop().create_task(self._replace())

    async def run(self, job: dict, timeout: float) -> Reply:
        if self.waiting >= self.max_waiting:
            raise Busy(f"{self.waiting} requests are already waiting for a query worker")
        deadline = time.monotonic() + timeout
        self.waiting += 1
        try:
            worker = await asyncio.wait_for(self.idle.get(), timeout)
        except asyncio.TimeoutError:
            raise Busy("no query worker became free within the time limit") from None
        finally:
            self.waiting -= 1
        job = dict(job, generation=self.generation, store_path=self.snapshot)
        future = asyncio.get_running_loop().create_future()
        worker.pending = future
        try:
            worker.conn.send(job)
            return await asyncio.wait_for(asyncio.shield(future), max(0.001, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            self.timeouts += 1
            self._discard(worker)
            asyncio.get_running_loop().create_task(self._replace())
            raise Timeout() from None
        except asyncio.CancelledError:
            # The client went away: the worker's answer is useless, and it may run long.
            self._discard(worker)
            asyncio.get_running_loop().create_task(self._replace())
            raise
        finally:
            worker.pending = None
            if worker in self.workers:
                self.idle.put_nowait(worker)

    def bump_generation(self, snapshot: str | None = None) -> None:
        """After a write: readers reopen the store (or its newest checkpoint) before their next job."""
        self.generation += 1
        if snapshot:
            self.snapshot = snapshot

    async def close(self) -> None:
        for worker in list(self.workers):
            self._discard(worker)

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self.workers]


def pool_size_default() -> int:
    return max(2, os.cpu_count() or 2)
