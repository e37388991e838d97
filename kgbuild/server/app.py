"""The HTTP application: one route table, one JSON error shape, CORS for reads, metrics.

Every route is listed in `routes()`; handlers return a reply tuple (status, content type, body,
headers) or raise HttpError, and `_respond` turns both into a response.
"""
from __future__ import annotations

import json
import time
import uuid
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import GeokgError
from . import description, negotiation as neg
from .config import ServerConfig
from .gsp import PARSE_FORMATS
from .protocol import HttpError, authorise, media_type, read_operation, run_job, run_query, run_update
from .backend import make_backend
from .workers import error_reply

PACKAGE = Path(__file__).resolve().parent
STATIC = PACKAGE.parent / "static"
TEMPLATES = PACKAGE / "templates"
SPARQL_DIR = PACKAGE / "sparql"
LINKED_DATA_SPACES = ("id", "claim", "doc", "event", "derived", "rule")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]


class Metrics:
    """Request counts by route and status, latency histograms, timeouts (Prometheus text)."""
    BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

    def __init__(self):
        self.counts: dict[tuple[str, int], int] = {}
        self.hist: dict[str, list[int]] = {}
        self.sums: dict[str, float] = {}
        self.timeouts = 0
        self.rejected_service = 0

    def observe(self, route: str, status: int, seconds: float) -> None:
        self.counts[(route, status)] = self.counts.get((route, status), 0) + 1
        buckets = self.hist.setdefault(route, [0] * (len(self.BUCKETS) + 1))
        for i, bound in enumerate(self.BUCKETS):
            if seconds <= bound:
                buckets[i] += 1
        buckets[-1] += 1
        self.sums[route] = self.sums.get(route, 0.0) + seconds

    def text(self, backend, fast=None) -> str:
        out = ["# HELP geokg_requests_total HTTP requests by route and status.",
               "# TYPE geokg_requests_total counter"]
        out += [f'geokg_requests_total{{route="{r}",status="{s}"}} {n}' for (r, s), n in sorted(self.counts.items())]
        out += ["# HELP geokg_request_seconds Request latency.", "# TYPE geokg_request_seconds histogram"]
        for route, buckets in sorted(self.hist.items()):
            for bound, n in zip(self.BUCKETS, buckets):
                out.append(f'geokg_request_seconds_bucket{{route="{route}",le="{bound}"}} {n}')
            out.append(f'geokg_request_seconds_bucket{{route="{route}",le="+Inf"}} {buckets[-1]}')
            out.append(f'geokg_request_seconds_sum{{route="{route}"}} {self.sums[route]:.6f}')
            out.append(f'geokg_request_seconds_count{{route="{route}"}} {buckets[-1]}')
        out += ["# HELP geokg_query_timeouts_total Queries stopped at the time limit (worker killed).",
                "# TYPE geokg_query_timeouts_total counter", f"geokg_query_timeouts_total {self.timeouts}",
                "# HELP geokg_fast_path_total Lookups answered in the HTTP process.",
                "# TYPE geokg_fast_path_total counter", f"geokg_fast_path_total {fast.hits if fast else 0}"]
        out += backend.metrics()
        return "\n".join(out) + "\n"


class Server:
    """The state the handlers share: settings, the backend (local pools or a remote store), metrics."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self.backend = make_backend(config)
        self.metrics = Metrics()
        self.started = time.time()
        self.fast = None
        self._void_cache: tuple[int, dict] | None = None

    async def startup(self):
        await self.backend.start()
        if self.config.fast_path and not self.config.updates and not self.backend.remote:
            from .fastpath import FastPath
            self.fast = FastPath(self.config)

    async def shutdown(self):
        await self.backend.close()

    async def write(self, job: dict):
        return await run_job(self, job, write=True)

    def base(self, request: Request) -> str:
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        host = request.headers.get("host") or f"{self.config.host}:{self.config.port}"
        return f"{request.scope.get('scheme', 'http')}://{host}"

    async def stats(self) -> dict:
        gen = self.backend.generation
        if self._void_cache is None or self._void_cache[0] != gen:
            status, _, body, _ = await run_job(self, {"kind": "stats"})
            if status != 200:
                raise HttpError(503, "stats_failed", json.loads(body)["message"])
            self._void_cache = (gen, json.loads(body))
        return self._void_cache[1]


# ---------------------------------------------------------------- helpers

def _respond(reply, *, head: bool = False) -> Response:
    status, content_type, body, headers = reply
    response = Response(b"" if head else body, status_code=status, headers=headers,
                        media_type=content_type or None)
    if head:
        response.headers["content-length"] = str(len(body))
    return response


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HttpError(413, "too_large", f"the body ({declared} bytes) is larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpError(413, "too_large", f"the body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def handler(fn):
    """Wrap a handler: HttpError / GeokgError become the JSON error shape."""
    async def endpoint(request: Request) -> Response:
        server: Server = request.app.state.server
        try:
            return await fn(server, request)
        except HttpError as exc:
            return _respond(exc.reply())
        except GeokgError as exc:
            return _respond(error_reply(400, "bad_request", exc.message, exc.hint))
    endpoint.__name__ = fn.__name__
    return endpoint


def render_template(name: str, **values) -> bytes:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text.encode("utf-8")


# ---------------------------------------------------------------- SPARQL protocol

@handler
async def sparql(server: Server, request: Request) -> Response:
    cfg = server.config
    method = request.method
    body = await read_body(request, cfg.max_body) if method == "POST" else None
    if len(request.scope["query_string"]) > cfg.max_body:
        raise HttpError(414, "too_large", f"the URL is longer than the limit of {cfg.max_body} bytes")
    op = read_operation(method, request.scope["query_string"], request.headers.get("content-type"), body)
    base = server.base(request)
    endpoint = base + request.scope["path"]
    accept = request.headers.get("accept")
    if op.kind == "description":
        if neg.prefers_html(accept, neg.GRAPH):
            return await ui(server, request)
        fmt = _choose(accept, neg.GRAPH)
        body = description.service_description(endpoint, base, updates=cfg.updates,
                                               federation=bool(cfg.service_allow), fmt=fmt.name)
        return _respond((200, fmt.content_type, body, {"Vary": "Accept"}), head=method == "HEAD")
    if op.kind == "update":
        return _respond(await run_update(server, op, authorization=request.headers.get("authorization"),
                                         base=endpoint))
    if server.fast is not None:
        reply = server.fast.try_answer(op, accept, endpoint)
        if reply is not None:
            return _respond(reply, head=method == "HEAD")
    reply = await run_query(server, op, accept=accept, base=endpoint)
    return _respond(reply, head=method == "HEAD")


def _choose(accept, offered, explicit=None):
    try:
        return neg.choose(accept, offered, explicit=explicit)
    except neg.NotAcceptable as exc:
        raise HttpError(406, "not_acceptable", str(exc)) from None


# ---------------------------------------------------------------- Graph Store Protocol

@handler
async def graph_store(server: Server, request: Request) -> Response:
    cfg = server.config
    method = request.method
    if method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        raise HttpError(405, "method_not_allowed", f"{method} is not a Graph Store Protocol operation",
                        headers={"Allow": "GET, HEAD, PUT, POST, DELETE, OPTIONS"})
    from .protocol import parse_params
    params = dict(parse_params(request.scope["query_string"], "query string"))
    base = server.base(request)
    direct = request.path_params.get("path")
    if sum(bool(x) for x in (direct, "graph" in params, "default" in params)) > 1:
        raise HttpError(400, "ambiguous_graph", "name the graph once: ?graph=IRI, ?default, or the request URL")
    graph = base + request.url.path if direct else params.get("graph")
    job = {"kind": "gsp", "method": method, "graph": graph or None, "base": graph or base + "/graph-store"}
    if graph is not None and not graph.strip():
        raise HttpError(400, "bad_graph", "?graph= needs an IRI")
    if method in ("PUT", "POST", "DELETE"):
        authorise(server, request.headers.get("authorization"))
        if graph is None and "default" not in params:
            if method != "POST":
                raise HttpError(400, "no_graph", f"{method} needs ?graph=IRI or ?default")
            graph = f"{base}/graph-store/{uuid.uuid4().hex}"
            job.update(graph=graph, base=graph, created_location=graph)
        if method != "DELETE":
            job["parts"] = _rdf_parts(request.headers.get("content-type"), await read_body(request, cfg.max_body))
        return _respond(await server.write(job))
    accept = request.headers.get("accept")
    if graph is None and "default" not in params:
        fmt = _choose(accept, neg.DATASET)
        job["dataset"] = True
    else:
        fmt = _choose(accept, neg.GRAPH)
    job["format"] = (fmt.content_type, fmt.name)
    return _respond(await run_job(server, job), head=method == "HEAD")


def _rdf_parts(content_type: str | None, body: bytes) -> list[tuple[bytes, str]]:
    mtype, charset = media_type(content_type)
    known = ", ".join(sorted(PARSE_FORMATS))
    if mtype == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1")
                                                     + b"\r\n\r\n" + body)
        parts = []
        for part in message.iter_parts():
            ptype = part.get_content_type()
            if ptype not in PARSE_FORMATS:
                raise HttpError(415, "unsupported_media_type", f"a part is {ptype}; RDF parts can be {known}")
            parts.append((part.get_payload(decode=True) or b"", ptype))
        if not parts:
            raise HttpError(400, "empty_multipart", "the multipart body has no parts")
        return parts
    if mtype not in PARSE_FORMATS:
        raise HttpError(415, "unsupported_media_type",
                        f"cannot load a {mtype or 'body without Content-Type'}; send one of {known}")
    if charset and charset not in ("utf-8", "utf8"):
        raise HttpError(415, "unsupported_charset", f"RDF bodies must be UTF-8, not {charset}")
    return [(body, mtype)]


# ---------------------------------------------------------------- operations

@handler
async def healthz(server: Server, request: Request) -> Response:
    ok, detail = await server.backend.health()
    body = {"status": "ok" if ok else "degraded", **detail, "updates": server.config.updates,
            "uptime_s": round(time.time() - server.started, 1)}
    return Response(json.dumps(body), status_code=200 if ok else 503, media_type="application/json")


@handler
async def metrics(server: Server, request: Request) -> Response:
    return Response(server.metrics.text(server.backend, server.fast), media_type="text/plain; version=0.0.4")


@handler
async def void(server: Server, request: Request) -> Response:
    fmt = _choose(request.headers.get("accept"), neg.GRAPH)
    base = server.base(request)
    body = description.void_description(base, base + "/sparql", await server.stats(), fmt.name)
    return _respond((200, fmt.content_type, body, {"Vary": "Accept"}))


# ---------------------------------------------------------------- saved queries

@handler
async def list_saved(server: Server, request: Request) -> Response:
    from ..queries import list_queries
    base = server.base(request)
    out = [{"name": q.name, "title": q.title, "description": q.description, "url": f"{base}/queries/{q.name}",
            "params": [{"name": p.name, "type": p.type, "default": p.default, "help": p.help} for p in q.params]}
           for q in list_queries()]
    return Response(json.dumps(out, ensure_ascii=False, indent=1), media_type="application/json")


@handler
async def run_saved(server: Server, request: Request) -> Response:
    from ..queries import get_query
    from .protocol import Operation, parse_params
    from ..queries import list_queries
    name = request.path_params["name"]
    raw = name.endswith(".rq")
    name = name[:-3] if raw else name
    if name not in {q.name for q in list_queries()}:
        raise HttpError(404, "no_such_query", f"there is no saved query named '{name}'", hint="see /queries")
    saved = get_query(name)
    if raw:
        return Response(saved.text, media_type="application/sparql-query; charset=utf-8")
    params = dict(parse_params(request.scope["query_string"], "query string"))
    fmt = params.pop("format", None)
    text = saved.bind(params)
    base = server.base(request)
    accept = request.headers.get("accept") or ""
    if fmt is None and "text/html" in accept:
        # a browser: the answer as a page (it used to download SPARQL XML), every value escaped
        reply = await run_query(server, Operation("query", text), accept="application/sparql-results+json",
                                base=base + "/sparql")
        if reply[0] == 200:
            page = _saved_query_page(saved, text, json.loads(reply[2]), request)
            return Response(page, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
    reply = await run_query(server, Operation("query", text), accept=accept or None,
                            base=base + "/sparql", explicit_format=fmt)
    return _respond(reply, head=request.method == "HEAD")


def _saved_query_page(saved, text: str, results: dict, request: Request) -> str:
    import html
    from urllib.parse import urlencode

    def cell(term: dict) -> str:
        value = str(term.get("value", ""))
        if term.get("type") == "uri":
            if value.startswith("https://w3id.org/geokg/"):
                return f'<a href="{html.escape(value[len("https://w3id.org/geokg"):])}">{html.escape(value)}</a>'
            if value.lower().startswith(("http://", "https://")):
                return f'<a href="{html.escape(value)}">{html.escape(value)}</a>'
        return html.escape(value)

    if "boolean" in results:
        table = f"<p>answer: <b>{'true' if results['boolean'] else 'false'}</b></p>"
    else:
        columns = results["head"]["vars"]
        rows = "".join("<tr>" + "".join(f"<td>{cell(b[c]) if c in b else ''}</td>" for c in columns) + "</tr>"
                       for b in results["results"]["bindings"])
        table = ("<table><thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) +
                 f"</tr></thead><tbody>{rows}</tbody></table><p>{len(results['results']['bindings'])} rows</p>")
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    links = " · ".join(f'<a href="?{html.escape(urlencode(params + [("format", f)]))}">{f}</a>'
                       for f in ("json", "csv", "tsv", "xml"))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(saved.title)}</title>'
            f'<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse}}'
            f'td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}}</style></head><body>'
            f'<nav><a href="/">Query editor &amp; network</a> · <a href="/queries">Saved queries</a></nav>'
            f'<h1>{html.escape(saved.title)}</h1><p>{html.escape(saved.description or "")}</p>'
            f'<p>Also as {links}</p>{table}<details><summary>SPARQL</summary><pre>{html.escape(text)}</pre></details>'
            f'</body></html>')


# ---------------------------------------------------------------- UI and its data

@handler
async def ui_page(server: Server, request: Request) -> Response:
    return await ui(server, request)


async def ui(server: Server, request: Request) -> Response:
    from ..queries import list_queries
    tabs = []
    for q in list_queries():
        try:
            text = q.bind({})
        except GeokgError:
            text = q.text
        tabs.append({"name": q.name, "title": q.title, "query": text})
    from ..vocab import PREFIXES
    page = render_template("index.html", TABS=_script_json(tabs), PREFIXES=_script_json(PREFIXES))
    return Response(page, media_type="text/html; charset=utf-8")


def _script_json(value) -> str:
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


async def _internal_query(server: Server, name: str, bindings: dict[str, str] | None = None) -> Response:
    text = (SPARQL_DIR / f"{name}.rq").read_text(encoding="utf-8")
    for key, iri in (bindings or {}).items():
        text = text.replace(f"?_{key}", f"<{iri}>")
    from .protocol import Operation
    return _respond(await run_query(server, Operation("query", text), accept="application/sparql-results+json",
                                    base="https://w3id.org/geokg/"))


@handler
async def api_network(server: Server, request: Request) -> Response:
    return await _internal_query(server, "network")


@handler
async def api_edge(server: Server, request: Request) -> Response:
    edge = request.query_params.get("edge", "")
    if not edge.startswith("https://w3id.org/geokg/derived/") or any(c in edge for c in '<>"{}|^`\\ '):
        raise HttpError(400, "bad_edge", "?edge= must be a derived-edge IRI (https://w3id.org/geokg/derived/…)")
    return await _internal_query(server, "edge-evidence", {"edge": edge})


@handler
async def api_timeline(server: Server, request: Request) -> Response:
    return await _internal_query(server, "timeline")


# ---------------------------------------------------------------- Linked Data

@handler
async def resource(server: Server, request: Request) -> Response:
    from .linked_data import resource_response
    return await resource_response(server, request)


# ---------------------------------------------------------------- the application

def routes() -> list:
    """Every URL the server answers."""
    table = [
        Route("/", ui_page, methods=["GET"]),
        Route("/sparql", sparql, methods=ALL_METHODS),
        Route("/update", sparql, methods=ALL_METHODS),
        Route("/graph-store", graph_store, methods=ALL_METHODS),
        Route("/graph-store/{path:path}", graph_store, methods=ALL_METHODS),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/.well-known/void", void, methods=["GET"]),
        Route("/queries", list_saved, methods=["GET"]),
        Route("/queries/{name}", run_saved, methods=["GET"]),
        Route("/api/network", api_network, methods=["GET"]),
        Route("/api/edge", api_edge, methods=["GET"]),
        Route("/api/timeline", api_timeline, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    table += [Route(f"/{space}/{{rest:path}}", resource, methods=["GET"]) for space in LINKED_DATA_SPACES]
    return table


async def _http_exception(request: Request, exc: HTTPException) -> Response:
    return _respond(error_reply(exc.status_code, "not_found" if exc.status_code == 404 else "http_error",
                                exc.detail or "request failed"))


async def _server_error(request: Request, exc: Exception) -> Response:
    return _respond(error_reply(500, "internal_error", f"{type(exc).__name__}: {exc}"))


class Edge:
    """Outermost ASGI layer: CORS for reads, OPTIONS preflight, metrics, and, when several HTTP
    processes share the port, connection recycling.

    The processes share one listening socket and the first one awake accepts every pending
    connection, so a few keep-alive clients that connect at once can all land on one process
    while the other idles (seen with wrk's 4 connections: 4:0 once in ten starts). Closing a
    keep-alive connection after `recycle_after` requests (`Connection: close`) makes the client
    reconnect, and the idle process is the one waiting to accept it.
    """

    def __init__(self, app, server: Server):
        self.app, self.server = app, server
        self.recycle_after = server.config.recycle_after if server.config.http_workers > 1 else 0
        self.served: dict = {}  # (client host, port) -> requests answered on that connection

    def _last_on_connection(self, scope) -> bool:
        if not self.recycle_after or not scope.get("client"):
            return False
        key = tuple(scope["client"])
        count = self.served.get(key, 0) + 1
        if count >= self.recycle_after:
            self.served.pop(key, None)
            return True
        if len(self.served) > 10_000:  # connections that closed on their own leave entries behind
            self.served.clear()
        self.served[key] = count
        return False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        path = scope["path"]
        route = "/" + path.split("/", 2)[1] if path != "/" else "/"
        if scope["method"] == "OPTIONS":
            headers = [(b"access-control-allow-origin", b"*"),
                       (b"access-control-allow-methods", b"GET, POST, HEAD, OPTIONS"),
                       (b"access-control-allow-headers", b"Accept, Content-Type"),
                       (b"access-control-max-age", b"86400"), (b"content-length", b"0"),
                       (b"allow", b"GET, POST, HEAD, OPTIONS")]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            self.server.metrics.observe(route, 204, time.perf_counter() - started)
            return
        status = [500]
        closing = [(b"connection", b"close")] if self._last_on_connection(scope) else []

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + [
                    (b"access-control-allow-origin", b"*"),
                    (b"access-control-expose-headers", b"Location, X-Result-Truncated")] + closing
            await send(message)

        try:
            await self.app(scope, receive, send_with_cors)
        finally:
            self.server.metrics.observe(route, status[0], time.perf_counter() - started)


def create_app(config: ServerConfig):
    """The ASGI application for `config` (pools start with the app's lifespan)."""
    import contextlib
    server = Server(config)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await server.startup()
        try:
            yield
        finally:
            await server.shutdown()

    app = Starlette(routes=routes(), lifespan=lifespan,
                    exception_handlers={HTTPException: _http_exception, Exception: _server_error})
    app.state.server = server
    return Edge(app, server)


def app_from_env():
    """Factory for uvicorn's multi-process mode (settings come in $KGBUILD_SERVE_CONFIG)."""
    return create_app(ServerConfig.from_env())
