"""SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/): requests in, operations out.

`read_operation` turns GET / form POST / direct POST into one Operation or raises HttpError
with the right 4xx; `run_query` and `run_update` check the policy (read-only, token, SERVICE
allow-list, sizes) and hand the work to the backend (backend.py).
"""
from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from . import negotiation as neg
from .sparql_text import DatasetConflict, add_using, allowed, analyse, service_refusal
from .workers import Busy, Timeout, error_reply

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


class HttpError(Exception):
    """A client error with its status, a short code and a readable message."""

    def __init__(self, status: int, error: str, message: str, hint: str | None = None, headers=None):
        super().__init__(message)
        self.status, self.error, self.message, self.hint = status, error, message, hint
        self.headers = headers or {}

    def reply(self):
        status, ctype, body, headers = error_reply(self.status, self.error, self.message, self.hint)
        return status, ctype, body, {**headers, **self.headers}


@dataclass
class Operation:
    kind: str                      # query | update | description
    text: str = ""
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    using: list[str] = field(default_factory=list)
    using_named: list[str] = field(default_factory=list)
    params: dict[str, list[str]] = field(default_factory=dict)


def parse_params(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("ascii", errors="strict"), keep_blank_values=True,
                         encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, UnicodeEncodeError, ValueError) as exc:
        raise HttpError(400, "bad_encoding", f"the {where} is not valid percent-encoded UTF-8: {exc}") from None


def media_type(header: str | None) -> tuple[str, str | None]:
    """('type/subtype', charset or None) of a Content-Type header."""
    if not header:
        return "", None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for p in parts[1:]:
        key, _, value = p.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _grouped(pairs) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def read_operation(method: str, query_string: bytes, content_type: str | None, body: bytes | None) -> Operation:
    url_params = _grouped(parse_params(query_string, "query string"))
    if method in ("GET", "HEAD"):
        if "update" in url_params or "using-graph-uri" in url_params or "using-named-graph-uri" in url_params:
            raise HttpError(400, "update_by_get", "an update is never run from a GET request",
                            hint=f"POST it with Content-Type: {UPDATE}, or as update=… in a {FORM} body")
        params = url_params
    elif method == "POST":
        mtype, charset = media_type(content_type)
        if charset and charset not in ("utf-8", "utf8"):
            raise HttpError(415, "unsupported_charset", f"the body must be UTF-8, not {charset}")
        if mtype == FORM:
            params = _grouped(list(parse_params(body or b"", "form body")) +
                              [(k, v) for k, vs in url_params.items() for v in vs])
        elif mtype in (QUERY, UPDATE):
            for name in ("query", "update"):
                if name in url_params:
                    raise HttpError(400, "two_operations",
                                    f"a direct POST carries the {'query' if mtype == QUERY else 'update'} in its "
                                    f"body; the URL must not also have {name}=")
            try:
                text = (body or b"").decode("utf-8")
            except UnicodeDecodeError:
                raise HttpError(415, "not_utf8", "the request body is not UTF-8") from None
            params = dict(url_params)
            params["query" if mtype == QUERY else "update"] = [text]
        elif not mtype:
            raise HttpError(415, "missing_media_type", "a POST needs a Content-Type",
                            hint=f"use {QUERY}, {UPDATE} or {FORM}")
        else:
            raise HttpError(415, "unsupported_media_type", f"cannot take a {mtype} body here",
                            hint=f"use {QUERY}, {UPDATE} or {FORM}")
    else:
        raise HttpError(405, "method_not_allowed", f"{method} is not a SPARQL protocol operation",
                        headers={"Allow": "GET, POST, HEAD, OPTIONS"})
    queries, updates = params.get("query", []), params.get("update", [])
    if len(queries) > 1 or len(updates) > 1:
        raise HttpError(400, "repeated_parameter", "give exactly one query= or one update= per request")
    if queries and updates:
        raise HttpError(400, "two_operations", "a request carries a query or an update, not both")
    graphs = {"default_graphs": params.get("default-graph-uri"), "named_graphs": params.get("named-graph-uri")}
    if queries:
        return Operation("query", queries[0], params=params, **graphs)
    if updates:
        return Operation("update", updates[0], using=params.get("using-graph-uri", []),
                         using_named=params.get("using-named-graph-uri", []), params=params)
    if method == "POST":
        raise HttpError(400, "missing_query", "the body has no query= or update= parameter")
    return Operation("description", params=params)


FORMS = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


@functools.lru_cache(maxsize=256)
def query_formats(form: str | None, accept: str | None, explicit: str | None = None) -> dict:
    """The negotiated (content type, name) for the answer kind of this query form.

    Cached: clients send the same Accept header again and again. The result is shared: never mutate it.
    """
    kinds = {"solutions": neg.SOLUTIONS, "boolean": neg.BOOLEAN, "graph": neg.GRAPH}
    wanted = FORMS.get(form or "")
    out = {}
    for kind, offered in kinds.items():
        try:
            fmt = neg.choose(accept, offered, explicit=explicit)
        except neg.NotAcceptable as exc:
            if kind == wanted:
                raise HttpError(406, "not_acceptable", str(exc)) from None
            fmt = offered[0]
        out[kind] = (fmt.content_type, fmt.name)
    return out


def check_size(text: str, limit: int) -> None:
    if len(text.encode("utf-8")) > limit:
        raise HttpError(413, "too_large", f"the request is larger than the limit of {limit} bytes")


def check_service(analysis, allow: tuple[str, ...]) -> None:
    refusal = service_refusal(analysis, allow)
    if refusal:
        raise HttpError(403, "service_not_allowed", refusal,
                        hint="start the server with --service-allow PREFIX to let queries reach a partner endpoint")


async def run_query(app, op: Operation, *, accept: str | None, base: str, explicit_format: str | None = None):
    cfg = app.config
    check_size(op.text, cfg.max_body)
    analysis = analyse(op.text, base)
    if analysis.form == "UPDATE":
        raise HttpError(400, "update_as_query", "this is an update, sent as a query",
                        hint=f"send it as update=… or with Content-Type: {UPDATE}")
    check_service(analysis, cfg.service_allow)
    formats = query_formats(analysis.form, accept, explicit_format)
    job = {"kind": "query", "query": op.text, "form": analysis.form, "base": base,
           "default_graphs": op.default_graphs, "named_graphs": op.named_graphs, "row_cap": cfg.max_rows,
           "formats": formats, "top_limit": analysis.top_limit}
    return await run_job(app, job)


async def run_job(app, job, *, write: bool = False):
    """Run a job on the server's backend (local worker pools or a remote store; see backend.py)."""
    try:
        if write:
            return await app.backend.write(job, app.config.timeout)
        return await app.backend.read(job, app.config.timeout)
    except Timeout:
        app.metrics.timeouts += 1
        raise HttpError(503, "timeout", f"stopped after the time limit of {app.config.timeout:g} s",
                        hint="narrow the query (a more specific pattern, a LIMIT), or ask the operator for a "
                             "longer --timeout") from None
    except Busy as exc:
        raise HttpError(503, "busy", str(exc), headers={"Retry-After": "1"}) from None
    except RuntimeError as exc:
        raise HttpError(503, "worker_died", f"the query worker stopped: {exc}") from None


def authorise(app, authorization: str | None) -> None:
    cfg = app.config
    if not cfg.updates:
        raise HttpError(403, "read_only", "this endpoint is read-only",
                        hint="start the server with --updates --token TOKEN to accept writes")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HttpError(401, "unauthorised", "writes need 'Authorization: Bearer TOKEN'",
                        headers={"WWW-Authenticate": 'Bearer realm="geokg"'})
    if not hmac.compare_digest(token.strip().encode(), (cfg.token or "").encode()):
        raise HttpError(403, "forbidden", "the bearer token is not the server's write token")


async def run_update(app, op: Operation, *, authorization: str | None, base: str):
    authorise(app, authorization)
    cfg = app.config
    check_size(op.text, cfg.max_body)
    analysis = analyse(op.text, base)
    for target in analysis.load_sources:
        if not allowed(target, cfg.service_allow):
            raise HttpError(403, "load_not_allowed", f"LOAD <{target}> is not allowed: the server fetches no URL "
                            "that is not on the allow-list", hint="--service-allow PREFIX")
    check_service(analysis, cfg.service_allow)
    try:
        text = add_using(op.text, op.using, op.using_named)
    except DatasetConflict as exc:
        raise HttpError(400, "dataset_conflict", str(exc)) from None
    return await app.write({"kind": "update", "update": text, "base": base})
