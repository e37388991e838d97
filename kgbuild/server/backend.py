"""Where the server's jobs run: the local store's worker pools, or a remote SPARQL 1.1 store.

The HTTP side (protocol, policy, negotiation, routes) is the same for both; it builds a job
(a dict: query, update, gsp, describe, stats) and hands it to `server.backend.read(job, timeout)`
or `.write(job, timeout)`, which answer a reply (status, content type, body, headers).

- LocalBackend: killable pyoxigraph worker processes (workers.py), one writer with updates on.
- RemoteBackend (`kgbuild serve --backend URL`): each job becomes HTTP requests to the store.
  Queries go by GET, or form POST when long (never direct POST: Virtuoso hangs on it), always
  with an Accept header; the answer is parsed (pyoxigraph reads SPARQL JSON, including
  Virtuoso's "typed-literal", XML, CSV/TSV and the RDF formats) and re-serialised in the format
  the client negotiated, with our row cap. The time limit is ours: a request past it is
  abandoned (connection closed) and the client gets 504; an unreachable or failing store gives
  502. Linked Data pages fetch the resource's neighbourhood with a few SELECTs into an in-memory
  store and render it with the same code as locally.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import tempfile
import time
from urllib.parse import urlencode

import pyoxigraph as ox

from . import results
from .workers import Pool, error_reply

Reply = tuple

JSON_RESULTS = "application/sparql-results+json"
SOLUTIONS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.5"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.5"
LONG_QUERY = 1800      # characters of form data: longer requests go as a form POST
VALUES_CHUNK = 150     # IRIs per VALUES block in the Linked Data neighbourhood queries
# The named graph `kgbuild push` writes the default graph's triples to on stores whose default
# graph is the union of all graphs (Virtuoso, Neptune): shown as the default graph again.
DEFAULT_GRAPH_IRI = "https://w3id.org/geokg/graph/default"


def make_backend(config):
    return RemoteBackend(config) if config.backend else LocalBackend(config)


# ---------------------------------------------------------------- local: worker pools

class LocalBackend:
    """The embedded store, through killable worker processes (see workers.py)."""
    remote = False

    def __init__(self, config):
        self.config = config
        self.readers = Pool(config.store, config.query_workers)
        self.writer = Pool(config.store, 1, writable=True) if config.updates else None
        self.snapshots: str | None = None
        self.stamp = self.store_stamp()

    @property
    def pools(self):
        return [p for p in (self.readers, self.writer) if p is not None]

    @property
    def generation(self) -> int:
        return self.readers.generation

    async def start(self):
        if self.writer is not None:
            await self.writer.start()
        await self.readers.start()

    async def close(self):
        for pool in self.pools:
            await pool.close()
        if self.snapshots:
            shutil.rmtree(self.snapshots, ignore_errors=True)

    def store_stamp(self) -> tuple | None:
        """What changes when another process changes the store: a build swaps a new folder in
        (another inode), an ingest adds files (the folder's mtime) and a new manifest (CURRENT)."""
        try:
            folder = os.stat(self.config.store)
            current = os.stat(os.path.join(self.config.store, "CURRENT"))
        except OSError:
            return None
        return folder.st_ino, folder.st_mtime_ns, current.st_ino, current.st_mtime_ns

    def follow_store(self) -> None:
        """Without --updates the store is written by other processes (ingest, build, load): when
        it changed, the readers reopen it before their next job, so the endpoint never answers
        from a stale or deleted copy."""
        if self.writer is not None:
            return  # this server is the store's only writer; its readers follow its checkpoints
        stamp = self.store_stamp()
        if stamp != self.stamp:
            self.stamp = stamp
            self.readers.bump_generation()

    async def read(self, job: dict, timeout: float) -> Reply:
        self.follow_store()
        reply = await self.readers.run(job, timeout)
        if reply[0] >= 400 and self.writer is None and b"store_unavailable" in reply[2][:80]:
            # a build swapped the store while this job ran: reopen and answer once more
            await asyncio.sleep(0.2)
            self.stamp = self.store_stamp()
            self.readers.bump_generation()
            reply = await self.readers.run(job, timeout)
        return reply

    async def write(self, job: dict, timeout: float) -> Reply:
        """Run a write on the writer; readers then move to a fresh checkpoint of the store."""
        if self.snapshots is None:
            self.snapshots = tempfile.mkdtemp(prefix="kgbuild-snapshots-")
        generation = self.readers.generation + 1
        snapshot = os.path.join(self.snapshots, str(generation))
        reply = await self.writer.run(dict(job, snapshot=snapshot), timeout)
        if reply[0] < 300:
            self.readers.bump_generation(snapshot)
            for old in os.listdir(self.snapshots):
                if old.isdigit() and int(old) < generation - 2:
                    shutil.rmtree(os.path.join(self.snapshots, old), ignore_errors=True)
        return reply

    async def health(self) -> tuple[bool, dict]:
        alive = sum(len(p.workers) for p in self.pools)
        return alive > 0, {"workers": alive}

    def metrics(self) -> list[str]:
        return ["# TYPE geokg_worker_restarts_total counter",
                f"geokg_worker_restarts_total {sum(p.restarts for p in self.pools)}",
                "# TYPE geokg_workers gauge", f"geokg_workers {sum(len(p.workers) for p in self.pools)}"]


# ---------------------------------------------------------------- remote: a SPARQL 1.1 store

def _http_error(status: int, error: str, message: str, hint: str | None = None):
    from .protocol import HttpError
    return HttpError(status, error, message, hint=hint)


def _snippet(text: str, limit: int = 400) -> str:
    text = " ".join(re.sub(r"<[^>]+>", " ", text or "").split())
    return (text[:limit] + ("…" if len(text) > limit else "")) if text else "(no message)"


def _iri(value: str) -> str:
    return "<" + value + ">"


class RemoteBackend:
    """A remote SPARQL 1.1 store (query endpoint; optional update and Graph Store endpoints)."""
    remote = True

    def __init__(self, config):
        self.config = config
        self.endpoint = config.backend
        self.update_endpoint = config.backend_update or config.backend
        self.graph_store = config.backend_graph_store
        self.client = None
        self.generation = 0         # bumped after each write (VoID cache)
        self.errors = 0
        self.timeouts = 0
        self.requests = 0
        self._health: tuple[float, bool, str] | None = None
        # the answer we read from the store at most (the row cap applies after parsing)
        self.max_answer = max(64 << 20, config.max_rows * 4096)
        # quads a Linked Data page's neighbourhood or a Graph Store read may hold (locally: no cap)
        self.bulk_cap = max(config.max_rows, 100_000)

    async def start(self):
        import httpx
        auth = None
        if self.config.backend_user is not None:
            cls = httpx.DigestAuth if self.config.backend_auth == "digest" else httpx.BasicAuth
            auth = cls(self.config.backend_user, self.config.backend_password or "")
        headers = {"User-Agent": "kgbuild-serve (geokg)"}
        if self.config.backend_token:
            headers["Authorization"] = f"Bearer {self.config.backend_token}"
        connections = max(8, 4 * self.config.query_workers)
        self.client = httpx.AsyncClient(auth=auth, headers=headers, follow_redirects=False,
                                        timeout=httpx.Timeout(self.config.timeout),
                                        limits=httpx.Limits(max_connections=connections,
                                                            max_keepalive_connections=connections))

    async def close(self):
        if self.client is not None:
            await self.client.aclose()

    # ------------------------------------------------------------ the seam

    async def read(self, job: dict, timeout: float) -> Reply:
        return await self._bounded(self._read(job), timeout)

    async def write(self, job: dict, timeout: float) -> Reply:
        reply = await self._bounded(self._write(job), timeout)
        if reply[0] < 300:
            self.generation += 1
        return reply

    async def _bounded(self, work, timeout: float) -> Reply:
        try:
            return await asyncio.wait_for(work, timeout)
        except asyncio.TimeoutError:
            self.timeouts += 1
            raise _http_error(504, "backend_timeout",
                              f"the backend store at {self.endpoint} did not answer within the time limit of "
                              f"{timeout:g} s", hint="narrow the query (a more specific pattern, a LIMIT), or ask "
                              "the operator for a longer --timeout") from None

    async def _read(self, job: dict) -> Reply:
        kind = job["kind"]
        if kind == "query":
            return await self._query(job)
        if kind == "describe":
            return await self._describe(job)
        if kind == "stats":
            return await self._stats()
        if kind == "gsp":
            return await self._gsp_read(job)
        return error_reply(400, "bad_job", f"unknown job kind {kind!r}")

    async def _write(self, job: dict) -> Reply:
        if job["kind"] == "update":
            await self._update(job["update"], base=job.get("base"))
            return (204, "", b"", {})
        if job["kind"] == "gsp":
            return await self._gsp_write(job)
        return error_reply(400, "bad_job", f"unknown job kind {job['kind']!r}")

    async def health(self) -> tuple[bool, dict]:
        """The store answers ASK {} (an answer is trusted for 2 s, or until a request fails)."""
        now = time.monotonic()
        if self._health is None or not self._health[1] or now - self._health[0] > 2:
            try:
                await self._bounded(self._ask("ASK {}"), min(self.config.timeout, 5.0))
                self._health = (now, True, "ok")
            except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
                self._health = (now, False, getattr(exc, "message", str(exc)))
        _, ok, detail = self._health
        return ok, {"backend": self.endpoint, "backend_status": detail}

    def metrics(self) -> list[str]:
        return ["# HELP geokg_backend_requests_total Requests sent to the backend store.",
                "# TYPE geokg_backend_requests_total counter", f"geokg_backend_requests_total {self.requests}",
                "# HELP geokg_backend_errors_total Backend requests that failed (unreachable, HTTP error, bad answer).",
                "# TYPE geokg_backend_errors_total counter", f"geokg_backend_errors_total {self.errors}",
                "# TYPE geokg_backend_timeouts_total counter", f"geokg_backend_timeouts_total {self.timeouts}",
                "# TYPE geokg_workers gauge", "geokg_workers 0"]

    # ------------------------------------------------------------ HTTP

    async def _send(self, method: str, url: str, *, what: str, params=None, data=None, content=None,
                    headers=None) -> tuple[int, str, bytes, bool]:
        """(status, content type, body, cut) of one request; transport failures become 502.

        The body is read up to `max_answer` bytes; `cut` says it was cut there.
        """
        import httpx
        self.requests += 1
        try:
            request = self.client.build_request(method, url, params=params, data=data, content=content,
                                                headers=headers)
            response = await self.client.send(request, stream=True)
            try:
                chunks, size, cut = [], 0, False
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= self.max_answer:
                        cut = True
                        break
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            self.timeouts += 1
            raise _http_error(504, "backend_timeout", f"the backend store at {url} did not answer in time ({what})",
                              hint="narrow the query, or ask the operator for a longer --timeout") from None
        except httpx.HTTPError as exc:
            self.errors += 1
            self._health = None     # /healthz asks the store again
            reason = str(exc) or type(exc).__name__
            if "Connection refused" in reason or "connect" in type(exc).__name__.lower():
                reason = f"connection refused or failed ({reason})"
            raise _http_error(502, "backend_unreachable", f"cannot reach the backend store at {url} ({what}): "
                              f"{reason}", hint="is the store running, and is --backend its query URL?") from None
        body = b"".join(chunks)
        status = response.status_code
        if status in (401, 403):
            self.errors += 1
            raise _http_error(502, "backend_refused", f"the backend store refused the request (HTTP {status}) "
                              f"({what}): {_snippet(body.decode('utf-8', 'replace'))}",
                              hint="check --backend-user/--backend-password/--backend-auth or --backend-token, "
                                   "and that this user may do this there")
        if status == 400 and what in ("query", "update"):
            # The store's parser or checks rejected the client's text: a client error, as locally.
            raise _http_error(400, "query_failed" if what == "query" else "update_failed",
                              f"the backend store rejected the {what}: {_snippet(body.decode('utf-8', 'replace'))}")
        if status >= 300 and not (status == 404 and what.startswith("graph")):
            self.errors += 1
            raise _http_error(502, "backend_error", f"the backend store answered HTTP {status} ({what}): "
                              f"{_snippet(body.decode('utf-8', 'replace'))}")
        return status, response.headers.get("content-type", ""), body, cut

    async def _query_request(self, text: str, accept: str, *, default_graphs=None, named_graphs=None, what="query"):
        params = [("query", text)]
        params += [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        headers = {"Accept": accept}
        if len(urlencode(params)) > LONG_QUERY:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return await self._send("POST", self.endpoint, what=what, content=urlencode(params).encode("ascii"),
                                    headers=headers)
        return await self._send("GET", self.endpoint, what=what, params=params, headers=headers)

    def _solutions(self, ctype: str, body: bytes):
        mtype = ctype.split(";")[0].strip().lower()
        fmt = ox.QueryResultsFormat.from_media_type(mtype) if mtype else None
        if fmt is None:
            self.errors += 1
            raise _http_error(502, "backend_bad_answer", f"the backend store answered {mtype or 'no media type'}, "
                              "not SPARQL results", hint="is --backend the store's SPARQL query URL?")
        try:
            return ox.parse_query_results(body, format=fmt)
        except (SyntaxError, ValueError) as exc:
            self.errors += 1
            raise _http_error(502, "backend_bad_answer", f"the backend store's results do not parse: {exc}") from None

    def _triples(self, ctype: str, body: bytes, cap: int, cut: bool):
        mtype = ctype.split(";")[0].strip().lower()
        fmt = ox.RdfFormat.N_TRIPLES if mtype == "text/plain" else ox.RdfFormat.from_media_type(mtype) if mtype else None
        if fmt is None:
            self.errors += 1
            raise _http_error(502, "backend_bad_answer", f"the backend store answered {mtype or 'no media type'}, "
                              "not RDF", hint="is --backend the store's SPARQL query URL?")
        triples, truncated = [], cut
        try:
            for quad in ox.parse(body, format=fmt):
                if len(triples) == cap:
                    truncated = True
                    break
                triples.append(quad.triple)
        except (SyntaxError, ValueError) as exc:
            if not cut:
                self.errors += 1
                raise _http_error(502, "backend_bad_answer", f"the backend store's RDF does not parse: {exc}") from None
        return triples, truncated

    async def _select_rows(self, text: str) -> tuple[list[str], list[list]]:
        _, ctype, body, _ = await self._query_request(text, SOLUTIONS_ACCEPT, what="query")
        answer = self._solutions(ctype, body)
        if isinstance(answer, ox.QueryBoolean):
            raise _http_error(502, "backend_bad_answer", "the backend store answered a boolean to a SELECT")
        variables = [v.value for v in answer.variables]
        return variables, [[s[v] for v in variables] for s in answer]

    async def _ask(self, text: str) -> bool:
        _, ctype, body, _ = await self._query_request(text, SOLUTIONS_ACCEPT, what="query")
        answer = self._solutions(ctype, body)
        if not isinstance(answer, ox.QueryBoolean):
            raise _http_error(502, "backend_bad_answer", "the backend store did not answer ASK with a boolean")
        return bool(answer)

    async def _update(self, text: str, base: str | None = None) -> None:
        # Updates go by direct POST (Virtuoso takes those; only its direct-POST *queries* hang).
        await self._send("POST", self.update_endpoint, what="update", content=_with_base(text, base).encode("utf-8"),
                         headers={"Content-Type": "application/sparql-update; charset=utf-8", "Accept": "*/*"})

    # ------------------------------------------------------------ jobs

    async def _query(self, job: dict) -> Reply:
        cap, fmt = job["row_cap"], job["formats"]
        graph_form = job.get("form") in ("CONSTRUCT", "DESCRIBE")
        _, ctype, body, cut = await self._query_request(
            _with_base(job["query"], job.get("base")), GRAPH_ACCEPT if graph_form else SOLUTIONS_ACCEPT,
            default_graphs=job.get("default_graphs"), named_graphs=job.get("named_graphs"))
        headers = {}
        if graph_form:
            triples, truncated = self._triples(ctype, body, cap, cut)
            if truncated:
                headers["X-Result-Truncated"] = f"true; triples={len(triples)}"
            content_type, name = fmt["graph"]
            return (200, content_type, results.graph(triples, name), headers)
        answer = self._solutions(ctype, body)
        if isinstance(answer, ox.QueryBoolean):
            content_type, name = fmt["boolean"]
            return (200, content_type, results.boolean(bool(answer), name), headers)
        variables = [v.value for v in answer.variables]
        rows = []
        try:
            for solution in answer:
                if len(rows) == cap:
                    headers["X-Result-Truncated"] = f"true; rows={cap}"
                    break
                rows.append([solution[v] for v in variables])
        except (SyntaxError, ValueError) as exc:
            if not cut:
                self.errors += 1
                raise _http_error(502, "backend_bad_answer", f"the backend store's results do not parse: {exc}") \
                    from None
        if cut and "X-Result-Truncated" not in headers:
            headers["X-Result-Truncated"] = f"true; rows={len(rows)}"
        content_type, name = fmt["solutions"]
        return (200, content_type, results.solutions(variables, rows, name), headers)

    async def _stats(self) -> Reply:
        _, rows = await self._select_rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        graphs = {g.value: int(n.value) for g, n in rows if g is not None and n is not None}
        if DEFAULT_GRAPH_IRI in graphs:      # a union-default store: the world layer lives there
            default = graphs.pop(DEFAULT_GRAPH_IRI)
        else:
            _, rows = await self._select_rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            default = int(rows[0][0].value) if rows and rows[0][0] is not None else 0
        return (200, "application/json", json.dumps({"default": default, "graphs": graphs}).encode(), {})

    # Linked Data: the resource's neighbourhood, fetched into a small in-memory store.

    async def _quads(self, where: str, values: dict[str, list[str]] | None = None) -> list[ox.Quad]:
        """Quads ?s ?p ?o ?g matching `where` (which binds them) for each chunk of VALUES."""
        values = values or {}
        key = next(iter(values), None)
        chunks = [None] if key is None else [values[key][i:i + VALUES_CHUNK]
                                             for i in range(0, len(values[key]), VALUES_CHUNK)]
        out = []
        for chunk in chunks:
            blocks = []
            for name, iris in values.items():
                items = chunk if name == key else iris
                blocks.append(f"VALUES ?{name} {{ {' '.join(_iri(i) for i in items)} }}")
            text = f"SELECT ?s ?p ?o ?g WHERE {{ {' '.join(blocks)} {where} }} LIMIT {self.bulk_cap}"
            _, rows = await self._select_rows(text)
            for s, p, o, g in rows:
                if s is None or p is None or o is None or isinstance(p, ox.BlankNode):
                    continue
                graph = ox.DefaultGraph() if g is None or g.value == DEFAULT_GRAPH_IRI else g
                out.append(ox.Quad(s, p, o, graph))
        return out

    async def _around(self, values: dict[str, list[str]]) -> list[ox.Quad]:
        """Quads in named graphs, and default-graph triples no named graph holds (on a store whose
        default graph is the union of all graphs those are all in named graphs already)."""
        if not next(iter(values.values()), None):
            return []
        return await self._quads("{ GRAPH ?g { ?s ?p ?o } } UNION "
                                 "{ ?s ?p ?o FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } } }", values)

    async def _describe(self, job: dict) -> Reply:
        from ..vocab import CLAIM, DERIVED, DOC, GK
        from .linked_data import LABEL, describe
        iri = job["iri"]
        if not _safe_iri(iri):
            return error_reply(400, "bad_iri", "not a geokg IRI")
        label, title = LABEL.value, GK + "title"
        derived_from = "http://www.w3.org/ns/prov#wasDerivedFrom"
        rounds = [self._around({"s": [iri]}), self._around({"o": [iri]})]
        if iri.startswith((DOC, DERIVED)):
            rounds.append(self._quads("GRAPH ?g { ?s ?p ?o }", {"g": [iri]}))
        first = [q for part in await asyncio.gather(*rounds) for q in part]
        nodes = {t.value for q in first for t in (q.subject, q.predicate, q.object, q.graph_name)
                 if isinstance(t, ox.NamedNode) and _safe_iri(t.value)}
        derived = sorted(n for n in nodes if n.startswith(DERIVED))
        claims = {q.subject.value for q in first if q.object == ox.NamedNode(iri)
                  and q.predicate.value in (GK + "claimSubject", GK + "claimObject")}
        if iri.startswith(CLAIM):
            claims.add(iri)
        second = await asyncio.gather(
            self._around({"s": sorted(nodes), "p": [label, title]}),
            self._around({"s": derived, "p": [derived_from]}))
        second = [q for part in second for q in part]
        claims |= {q.object.value for q in second if q.predicate.value == derived_from
                   and isinstance(q.object, ox.NamedNode) and _safe_iri(q.object.value)}
        third = await self._around({"s": sorted(claims)})
        more = {q.object.value for q in third if isinstance(q.object, ox.NamedNode) and _safe_iri(q.object.value)
                and q.predicate.value in (GK + "evidence", GK + "statedIn", GK + "status")} | claims
        fourth = await self._around({"s": sorted(more), "p": [label, title, GK + "sentence"]})
        store = ox.Store()
        store.extend(first + second + third + fourth)
        return describe(store, job)

    # Graph Store Protocol: reads as CONSTRUCT / SELECT, writes through the store's Graph Store
    # endpoint (--backend-graph-store) or as SPARQL Update.

    async def _graph_exists(self, graph: str | None) -> bool:
        return graph is None or await self._ask(f"ASK {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}")

    async def _gsp_read(self, job: dict) -> Reply:
        content_type, name = job["format"]
        cap = self.bulk_cap
        if job.get("dataset"):
            quads = await self._quads("{ GRAPH ?g { ?s ?p ?o } } UNION "
                                      "{ ?s ?p ?o FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } } }")
            headers = {"X-Result-Truncated": f"true; quads={cap}"} if len(quads) >= cap else {}
            return (200, content_type, results.graph(quads, name), headers)
        graph = job["graph"]
        if graph is not None and not _safe_iri(graph):
            return error_reply(400, "bad_graph", "not an IRI")
        if not await self._graph_exists(graph):
            return error_reply(404, "no_such_graph", f"there is no graph <{graph}> in the store")
        where = "?s ?p ?o" if graph is None else f"GRAPH {_iri(graph)} {{ ?s ?p ?o }}"
        _, ctype, body, cut = await self._query_request(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}",
                                                        GRAPH_ACCEPT, what="query")
        triples, truncated = self._triples(ctype, body, cap, cut)
        headers = {"X-Result-Truncated": f"true; triples={len(triples)}"} if truncated else {}
        if name in ("trig", "nquads"):
            target = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
            return (200, content_type, results.graph([ox.Quad(t.subject, t.predicate, t.object, target)
                                                      for t in triples], name), headers)
        return (200, content_type, results.graph(triples, name), headers)

    async def _gsp_write(self, job: dict) -> Reply:
        from .gsp import PARSE_FORMATS
        method, graph = job["method"], job["graph"]
        if graph is not None and not _safe_iri(graph):
            return error_reply(400, "bad_graph", "not an IRI")
        existed = await self._graph_exists(graph)
        if method == "DELETE" and not existed:
            return error_reply(404, "no_such_graph", f"there is no graph <{graph}> in the store")
        triples = []
        if method != "DELETE":
            try:
                for data, media_type in job["parts"]:
                    fmt = PARSE_FORMATS[media_type]
                    for quad in ox.parse(data, format=fmt, base_iri=job.get("base"), rename_blank_nodes=True):
                        if fmt.supports_datasets and not isinstance(quad.graph_name, ox.DefaultGraph):
                            return error_reply(400, "rdf_syntax_error", "a graph-store request for one graph "
                                               "cannot carry quads in other graphs")
                        triples.append(quad.triple)
            except SyntaxError as exc:
                return error_reply(400, "rdf_syntax_error", f"the request body does not parse: {exc}")
        if self.graph_store:
            params = {"default": ""} if graph is None else {"graph": graph}
            url = self.graph_store + ("&" if "?" in self.graph_store else "?") + urlencode(params).replace("default=", "default")
            if method == "DELETE":
                await self._send("DELETE", url, what="graph delete", headers={"Accept": "*/*"})
            else:
                # N-Triples sent as Turtle: every store's Graph Store takes Turtle (Virtuoso refuses N-Quads).
                body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
                await self._send(method, url, what="graph write", content=body,
                                 headers={"Content-Type": "text/turtle; charset=utf-8", "Accept": "*/*"})
        else:
            target = "DEFAULT" if graph is None else f"GRAPH {_iri(graph)}"
            ops = []
            if method == "DELETE" or (method == "PUT" and existed):
                ops.append(f"{'CLEAR' if graph is None else 'DROP'} SILENT {target}")
            if method != "DELETE" and triples:
                lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
                inner = lines if graph is None else f"GRAPH {_iri(graph)} {{\n{lines}}}"
                blank = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                            for t in triples)
                ops.append(f"INSERT {{\n{inner}\n}} WHERE {{}}" if blank else f"INSERT DATA {{\n{inner}\n}}")
            elif method != "DELETE" and graph is not None and not existed:
                ops.append(f"CREATE SILENT {target}")
            if ops:
                await self._update(" ;\n".join(ops))
        if job.get("created_location"):
            return (201, "", b"", {"Location": job["created_location"]})
        return (204, "", b"", {}) if existed or method == "DELETE" else (201, "", b"", {})


def _safe_iri(value: str) -> bool:
    return bool(value) and not any(c in value for c in '<>"{}|^`\\ \n\r\t')


def _with_base(text: str, base: str | None) -> str:
    """The text with `BASE <base>` in front when it has relative IRIs (the local engine gets the
    base as a parameter; the SPARQL protocol has none)."""
    if not base:
        return text
    from .sparql_text import tokens
    if any(t.kind == "iri" and not re.match(r"^<[A-Za-z][A-Za-z0-9+.\-]*:", t.text) for t in tokens(text)):
        return f"BASE <{base}>\n{text}"
    return text
