"""Remote SPARQL 1.1 stores: push the graph there, and ask it the saved queries.

Any store that speaks SPARQL 1.1 works (Oxigraph's server, Virtuoso, Fuseki, GraphDB, Neptune):

- queries go through SPARQLWrapper by GET (form POST when long), always with an Accept
  header for JSON results (Virtuoso answers HTML without one, and hangs on a direct POST);
  the answer is a kgbuild.queries.Result with pyoxigraph terms, so kgbuild.render prints it
  exactly as it prints a local answer;
- push sends the graph in batches through the Graph Store Protocol (POST ?graph=IRI, Turtle)
  when a graph-store URL is given, else as SPARQL Update INSERT DATA; named graphs are kept.
  After every batch the server accepted, a local checkpoint file records how far it got, so
  an interrupted push resumes after the last accepted batch; at the end every pushed graph is
  counted on the server and compared with what was sent.

Stores whose default graph is the union of all graphs (Virtuoso, Neptune) keep no triples of
their own in it: there the default graph's triples go to a named graph (`default_graph`,
chosen automatically for Virtuoso), which the union default graph then shows to queries.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote

import pyoxigraph as ox

from .errors import GeokgError
from .queries import Result, get_query

DEFAULT_GRAPH_IRI = "https://w3id.org/geokg/graph/default"
JSON_RESULTS = "application/sparql-results+json"
LONG_QUERY = 1800  # characters: longer queries go as a form POST, not in the URL


@dataclass
class PushReport:
    endpoint: str
    method: str
    triples: int = 0          # triples in the pushed dataset
    graphs: int = 0           # graphs in it (the default graph counts as one)
    batches: int = 0          # batches in the plan
    sent_batches: int = 0     # batches sent and accepted in this run
    sent_triples: int = 0     # triples in them
    resumed_at: int = 0       # batches already accepted by an earlier, interrupted run
    verified: bool = False
    remote_triples: int | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        where = f"{self.endpoint} ({self.method})"
        text = (f"pushed {self.triples} triples in {self.graphs} graph(s) to {where}: "
                f"{self.sent_batches} batch(es) sent now")
        if self.resumed_at:
            text += f", {self.resumed_at} accepted by an earlier run"
        if self.verified:
            text += f"; verified: the server holds {self.remote_triples} triples in those graphs"
        return "\n".join([text] + self.notes)


@dataclass
class _Batch:
    number: int
    first_graph: str | None    # None = the default graph
    graphs: list[tuple[str | None, list[str]]]  # (graph, N-Triples lines) in sending order

    def digest(self) -> bytes:
        h = hashlib.sha256()
        for graph, lines in self.graphs:
            h.update(f"G {graph or ''}\n".encode())
            h.update("".join(lines).encode())
        return h.digest()

    @property
    def size(self) -> int:
        return sum(len(lines) for _, lines in self.graphs)


class RemoteStore:
    """A SPARQL 1.1 store over HTTP, with optional Update and Graph Store endpoints."""

    def __init__(self, endpoint: str, *, update_endpoint: str | None = None, graph_store: str | None = None,
                 user: str | None = None, password: str | None = None, auth: str = "basic",
                 token: str | None = None, default_graph: str | None = None, timeout: float = 120):
        if not re.match(r"^https?://", endpoint or ""):
            raise GeokgError(f"not an http(s) URL: {endpoint!r}", hint="e.g. --endpoint http://127.0.0.1:7878/query")
        if auth not in ("basic", "digest"):
            raise GeokgError(f"unknown authentication scheme {auth!r}", hint="basic or digest")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.graph_store = graph_store
        self.user, self.password, self.auth, self.token = user, password, auth, token
        self.default_graph = default_graph
        self.timeout = timeout
        self._session = None
        self._server: str | None = None

    # ------------------------------------------------------------------ HTTP plumbing

    def _http(self):
        if self._session is None:
            import requests
            from requests.auth import HTTPBasicAuth, HTTPDigestAuth
            session = requests.Session()
            if self.user is not None:
                session.auth = (HTTPDigestAuth if self.auth == "digest" else HTTPBasicAuth)(self.user, self.password or "")
            if self.token:
                session.headers["Authorization"] = f"Bearer {self.token}"
            session.headers["User-Agent"] = "kgbuild (geokg)"
            self._session = session
        return self._session

    def _request(self, method: str, url: str, what: str, **kwargs):
        import requests
        try:
            response = self._http().request(method, url, timeout=kwargs.pop("timeout", self.timeout), **kwargs)
        except requests.exceptions.ConnectionError as exc:
            raise GeokgError(f"cannot reach {url} ({what}): {_reason(exc)}",
                             hint="is the server running, and are the host and port right?") from exc
        except requests.exceptions.Timeout as exc:
            raise GeokgError(f"no answer from {url} within {self.timeout:g} s ({what})",
                             hint="the server is busy or hung; try again, or a smaller --batch-size") from exc
        except requests.exceptions.RequestException as exc:
            raise GeokgError(f"the request to {url} failed ({what}): {exc}") from exc
        self._server = self._server or response.headers.get("Server", "")
        if response.status_code == 401:
            raise GeokgError(f"{url} refused the credentials (HTTP 401) ({what})", hint=self._auth_hint())
        if response.status_code == 403:
            raise GeokgError(f"{url} does not allow this (HTTP 403) ({what})",
                             hint="the user may not write there: a read-only server, or (Virtuoso) no SPARQL_UPDATE "
                                  "grant; use the -auth endpoints with --auth digest")
        return response

    def _auth_hint(self) -> str:
        if self.user is None and not self.token:
            return "the endpoint needs credentials: give --user and --password (or --token)"
        if self.user is not None and self.auth == "basic":
            return "check the user name and password; Virtuoso's -auth endpoints take only --auth digest"
        return "check the user name and password (or the token)"

    def default_checkpoint(self, source: Path) -> Path:
        """Where a push of `source` to this store keeps its progress: beside the source, one
        file per target, so that pushes of one store to two servers do not mix."""
        target = "|".join(str(x) for x in (self.endpoint, self.update_endpoint, self.graph_store, self.default_graph))
        digest = hashlib.sha256(target.encode()).hexdigest()[:10]
        source = Path(source)
        return source.with_name(f"{source.name}.push-{digest}.json")

    def probe(self) -> str:
        """Check the query endpoint answers (ASK {}); returns the server's name, e.g. 'Virtuoso/07.20'."""
        response = self._request("GET", self.endpoint, "checking the query endpoint",
                                 params={"query": "ASK {}"}, headers={"Accept": JSON_RESULTS})
        if response.status_code >= 400:
            raise GeokgError(f"{self.endpoint} does not answer SPARQL queries (HTTP {response.status_code})",
                             hint="--endpoint must be the store's query URL, e.g. http://127.0.0.1:7878/query "
                                  "(Oxigraph) or http://127.0.0.1:8890/sparql (Virtuoso)")
        return self._server or ""

    def is_union_default(self) -> bool:
        """True for stores whose default graph is the union of all graphs (Virtuoso)."""
        if self._server is None:
            self.probe()
        return "virtuoso" in (self._server or "").lower()

    # ------------------------------------------------------------------ queries

    def sparql(self, text: str) -> Result:
        """Run a SELECT or ASK query remotely; same Result as kgbuild.queries.run_sparql."""
        from SPARQLWrapper import DIGEST, BASIC, GET, JSON, POST, URLENCODED, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
        import urllib.error
        client = SPARQLWrapper(self.endpoint)
        # Whole-line comments go: SPARQLWrapper guesses the query type from words in them
        # (a '#+ description:' saying "loaded" made it a LOAD).
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        client.setQuery(text)
        if client.queryType not in ("SELECT", "ASK"):
            raise GeokgError("only SELECT and ASK queries give rows; use 'kgbuild export' for graphs")
        client.setReturnFormat(JSON)
        client.addCustomHttpHeader("Accept", JSON_RESULTS)
        client.setTimeout(int(self.timeout))
        if len(text) > LONG_QUERY:
            client.setMethod(POST)
            client.setRequestMethod(URLENCODED)
        else:
            client.setMethod(GET)
        if self.user is not None:
            client.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            client.setCredentials(self.user, self.password or "")
        if self.token:
            client.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
        try:
            response = client.query()
            data = response.convert()
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                raise GeokgError(f"{self.endpoint} refused the credentials (HTTP 401)", hint=self._auth_hint()) from exc
            raise GeokgError(f"the query failed on {self.endpoint}: HTTP {exc.code} {_body(exc)}") from exc
        except urllib.error.URLError as exc:
            raise GeokgError(f"cannot reach {self.endpoint}: {exc.reason}",
                             hint="is the server running, and are the host and port right?") from exc
        except SPARQLWrapperException as exc:
            message = str(exc).strip().splitlines()
            if "Unauthorized" in type(exc).__name__ or "401" in (message[0] if message else ""):
                raise GeokgError(f"{self.endpoint} refused the credentials (HTTP 401)", hint=self._auth_hint()) from exc
            raise GeokgError(f"the query failed on {self.endpoint}: {' '.join(message)[:600]}") from exc
        except (TimeoutError, OSError) as exc:
            raise GeokgError(f"no answer from {self.endpoint}: {exc}") from exc
        except ValueError as exc:  # not JSON: a server that ignored the Accept header
            raise GeokgError(f"{self.endpoint} did not answer with SPARQL JSON results: {exc}",
                             hint="is --endpoint the SPARQL query URL?") from exc
        if not isinstance(data, dict):
            raise GeokgError(f"{self.endpoint} did not answer with SPARQL JSON results",
                             hint="is --endpoint the SPARQL query URL?")
        if "boolean" in data:
            return Result(columns=["answer"], boolean=bool(data["boolean"]))
        columns = list(data.get("head", {}).get("vars", []))
        rows = [[_term(binding.get(c)) for c in columns] for binding in data.get("results", {}).get("bindings", [])]
        return Result(columns=columns, rows=rows)

    def query(self, name: str, params: dict[str, str] | None = None, directory: Path | None = None) -> Result:
        """Run a saved query by name remotely (the same text as locally, parameters bound)."""
        saved = get_query(name, directory)
        try:
            return self.sparql(saved.bind(params))
        except GeokgError as exc:
            if exc.path is None and saved.path is not None:
                exc.path = str(saved.path)
            raise

    def update(self, text: str, what: str = "update") -> None:
        response = self._request("POST", self.update_endpoint, what, data=text.encode("utf-8"),
                                 headers={"Content-Type": "application/sparql-update; charset=utf-8",
                                          "Accept": "*/*"})
        if response.status_code >= 400:
            raise GeokgError(f"{self.update_endpoint} rejected the {what} (HTTP {response.status_code}): "
                             f"{_snippet(response.text)}")

    # ------------------------------------------------------------------ push

    def push_store(self, store: ox.Store, *, batch_size: int = 10_000, checkpoint: Path | None = None,
                   fresh: bool = False, log: Callable[[str], None] | None = None,
                   source: str | None = None, after_batch: Callable[[int], None] | None = None) -> PushReport:
        """Push every graph of a pyoxigraph store. See the module docstring."""
        log = log or (lambda _m: None)
        self.probe()
        if self.default_graph is None and self.is_union_default():
            self.default_graph = DEFAULT_GRAPH_IRI
            log(f"{self.endpoint} is Virtuoso: its default graph is the union of all graphs, so the "
                f"default graph's triples go to the named graph <{DEFAULT_GRAPH_IRI}>")
        method = "Graph Store Protocol" if self.graph_store else "SPARQL Update"
        graphs = [None] + sorted((g.value for g in store.named_graphs()))
        local_counts = {g: _count(store, g) for g in graphs}
        graphs = [g for g in graphs if local_counts[g]]
        report = PushReport(endpoint=self.graph_store or self.update_endpoint, method=method,
                            triples=sum(local_counts.values()), graphs=len(graphs))
        plan_key = {"target": [self.endpoint, self.update_endpoint, self.graph_store, self.default_graph],
                    "method": method, "batch_size": batch_size, "source": source or "store"}
        # The batches already accepted are checked by their hash chain, so fixing a rejected
        # batch (or anything after it) and resuming is allowed; changing an accepted one is not.
        state = _Checkpoint(checkpoint, plan_key, fresh)
        report.resumed_at = state.done
        if state.done:
            log(f"resuming: {state.done} batch(es) ({state.triples_done} triples) were accepted by an earlier run "
                f"(checkpoint {checkpoint})")
        chain = b""
        number = 0
        for batch in self._batches(store, graphs, batch_size):
            number = batch.number
            chain = hashlib.sha256(chain + batch.digest()).digest()
            if number <= state.done:
                if number == state.done and chain.hex() != state.chain:
                    raise GeokgError("the data changed since the interrupted push: the batches the server "
                                     "already accepted are not the same any more",
                                     path=checkpoint, hint="start over with --restart")
                continue
            try:
                self._send(batch)
            except GeokgError as exc:
                accepted = state.done
                exc.message = (f"batch {number} ({batch.size} triples, graph {_name(batch.first_graph)}) was not "
                               f"loaded: {exc.message}\n{accepted} batch(es) ({state.triples_done} triples) are on the "
                               f"server and recorded in {checkpoint or 'no checkpoint file'}; nothing after them was loaded")
                exc.hint = ((exc.hint + "\n") if exc.hint else "") + (
                    "fix the cause and rerun the same command: it resumes at batch "
                    f"{number}" if checkpoint else "rerun with --checkpoint FILE to be able to resume")
                raise
            state.record(number, chain.hex(), batch.size)
            report.sent_batches += 1
            report.sent_triples += batch.size
            if after_batch:
                after_batch(number)
            if number % 50 == 0:
                log(f"  {number} batches, {state.triples_done} triples accepted")
        report.batches = number
        if state.done > number:
            raise GeokgError("the checkpoint records more batches than this push has", path=checkpoint,
                             hint="start over with --restart")
        self._verify(local_counts, report)
        state.finish()
        return report

    def push_file(self, file: Path, *, batch_size: int = 10_000, checkpoint: Path | None = None,
                  fresh: bool = False, log: Callable[[str], None] | None = None,
                  after_batch: Callable[[int], None] | None = None) -> PushReport:
        """Push an RDF file: it is parsed (and checked) locally first, so nothing is sent if it is bad."""
        from .store import format_for
        file = Path(file)
        if not file.is_file():
            raise GeokgError("no such file", path=file)
        store = ox.Store()
        try:
            store.bulk_load(path=str(file), format=format_for(file), base_iri=file.resolve().as_uri())
        except SyntaxError as exc:
            raise GeokgError(f"not valid RDF: {exc}; nothing was sent", path=file) from exc
        return self.push_store(store, batch_size=batch_size,
                               checkpoint=checkpoint or self.default_checkpoint(file), fresh=fresh,
                               log=log, source=str(file.resolve()),
                               after_batch=after_batch)

    def drop_graphs(self, graphs: Iterable[str | None]) -> None:
        """DROP SILENT each named graph (None = the default graph, or its stand-in)."""
        ops = []
        for graph in graphs:
            if graph is None:
                ops.append(f"DROP SILENT GRAPH <{self.default_graph}>" if self.default_graph else "DROP SILENT DEFAULT")
            else:
                ops.append(f"DROP SILENT GRAPH <{graph}>")
        for i in range(0, len(ops), 200):
            self.update(" ;\n".join(ops[i:i + 200]), what="drop")

    def drop_pushed(self, file: Path) -> None:
        """Drop every graph an RDF file names (for benchmarks on a scratch store)."""
        from .store import format_for
        self.probe()
        if self.default_graph is None and self.is_union_default():
            self.default_graph = DEFAULT_GRAPH_IRI
        graphs: set[str | None] = {None}
        for quad in ox.parse(path=str(file), format=format_for(Path(file))):
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs.add(quad.graph_name.value)
        self.drop_graphs(sorted(graphs, key=lambda g: g or ""))

    def _batches(self, store: ox.Store, graphs: list[str | None], batch_size: int) -> Iterator[_Batch]:
        """Deterministic batches of about batch_size triples, graph by graph in store order.

        With SPARQL Update small graphs share a batch (one INSERT DATA request); with the Graph
        Store Protocol a batch holds one graph. A graph's triples with blank nodes always travel
        together in one batch, so that their blank nodes stay the same nodes on the server.
        """
        number = 0
        pending: list[tuple[str | None, list[str]]] = []
        size = 0

        def take() -> _Batch:
            nonlocal number, pending, size
            number += 1
            batch = _Batch(number=number, first_graph=pending[0][0], graphs=pending)
            pending, size = [], 0
            return batch

        for graph in graphs:
            if self.graph_store and pending:
                yield take()
            target = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
            lines: list[str] = []
            blank: list[str] = []
            for quad in store.quads_for_pattern(None, None, None, target):
                line = f"{quad.subject} {quad.predicate} {quad.object} .\n"
                if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                    blank.append(line)
                    continue
                lines.append(line)
                if size + len(lines) >= batch_size:
                    pending.append((graph, lines))
                    size += len(lines)
                    lines = []
                    yield take()
            if lines:
                pending.append((graph, lines))
                size += len(lines)
            if blank:
                pending.append((graph, blank))
                size += len(blank)
            if pending and (self.graph_store or size >= batch_size):
                yield take()
        if pending:
            yield take()

    def _send(self, batch: _Batch) -> None:
        if self.graph_store:
            for graph, lines in batch.graphs:
                target = graph or self.default_graph
                params = f"graph={quote(target, safe='')}" if target else "default"
                url = self.graph_store + ("&" if "?" in self.graph_store else "?") + params
                response = self._request("POST", url, f"batch {batch.number}", data="".join(lines).encode("utf-8"),
                                         headers={"Content-Type": "text/turtle; charset=utf-8", "Accept": "*/*"})
                if response.status_code >= 400:
                    raise GeokgError(f"the server rejected it (HTTP {response.status_code}): {_snippet(response.text)}")
            return
        # Blank nodes are not allowed in INSERT DATA on Virtuoso ("constant clause"): a batch
        # with blank nodes goes as INSERT { ... } WHERE {}, where one solution keeps each
        # label one node (standard SPARQL 1.1, and what every store accepts).
        blank = any("_:" in line for _, lines in batch.graphs for line in lines if line.startswith("_:") or " _:" in line)
        parts = ["INSERT {\n" if blank else "INSERT DATA {\n"]
        for graph, lines in batch.graphs:
            target = graph or self.default_graph
            if target:
                parts.append(f"GRAPH <{target}> {{\n")
            parts.extend(lines)
            if target:
                parts.append("}\n")
        parts.append("} WHERE {}\n" if blank else "}\n")
        response = self._request("POST", self.update_endpoint, f"batch {batch.number}", data="".join(parts).encode("utf-8"),
                                 headers={"Content-Type": "application/sparql-update; charset=utf-8", "Accept": "*/*"})
        if response.status_code >= 400:
            raise GeokgError(f"the server rejected it (HTTP {response.status_code}): {_snippet(response.text)}")

    def remote_counts(self) -> dict[str | None, int]:
        """Triples per graph on the server (None = its default graph when that is not a union)."""
        counts: dict[str | None, int] = {}
        page, offset = 5000, 0
        while True:
            result = self.sparql("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g "
                                 f"ORDER BY ?g LIMIT {page} OFFSET {offset}")
            for g, n in result.rows:
                counts[g.value] = int(n.value)
            if len(result.rows) < page:
                break
            offset += page
        if not self.default_graph:
            result = self.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            counts[None] = int(result.rows[0][0].value)
        return counts

    def _verify(self, local: dict[str | None, int], report: PushReport) -> None:
        remote = self.remote_counts()
        short, extra, total = [], [], 0
        for graph, n in local.items():
            key = graph if graph is not None else self.default_graph
            have = remote.get(key, 0)
            total += have
            if have < n:
                short.append((graph, have, n))
            elif have > n:
                extra.append((graph, have, n))
        report.remote_triples = total
        if short:
            graph, have, n = short[0]
            raise GeokgError(f"verification failed: {len(short)} graph(s) on the server hold fewer triples than were "
                             f"pushed, e.g. {_name(graph)}: {have} of {n}",
                             hint="rerun the push with --restart; if it fails again the server drops or merges "
                                  "triples (e.g. literals it normalises)")
        report.verified = True
        if extra:
            graph, have, n = extra[0]
            report.notes.append(f"note: {len(extra)} graph(s) on the server hold more triples than were pushed "
                                f"(they had data before), e.g. {_name(graph)}: {have} for {n} pushed")


class _Checkpoint:
    """The local record of an interrupted push: which batches the server accepted."""

    def __init__(self, path: Path | None, plan: dict, fresh: bool):
        self.path = Path(path) if path else None
        self.plan = plan
        self.done, self.chain, self.triples_done = 0, "", 0
        if self.path and self.path.exists() and not fresh:
            try:
                saved = json.loads(self.path.read_text())
            except (OSError, ValueError) as exc:
                raise GeokgError(f"cannot read the push checkpoint: {exc}", path=self.path,
                                 hint="start over with --restart") from exc
            if saved.get("plan") != json.loads(json.dumps(plan)):
                raise GeokgError("the checkpoint belongs to another push (other endpoint, data or batch size)",
                                 path=self.path, hint="start over with --restart, or give another --checkpoint")
            self.done, self.chain, self.triples_done = saved["done"], saved["chain"], saved["triples_done"]

    def record(self, number: int, chain: str, size: int) -> None:
        self.done, self.chain = number, chain
        self.triples_done += size
        if self.path:
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps({"plan": self.plan, "done": self.done, "chain": self.chain,
                                       "triples_done": self.triples_done, "time": time.time()}))
            tmp.replace(self.path)

    def finish(self) -> None:
        if self.path and self.path.exists():
            self.path.unlink()


def _count(store: ox.Store, graph: str | None) -> int:
    target = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    return sum(1 for _ in store.quads_for_pattern(None, None, None, target))


def _term(cell: dict | None):
    """A SPARQL JSON results term as a pyoxigraph term (Virtuoso says 'typed-literal')."""
    if cell is None:
        return None
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", value) or None)
    if kind in ("literal", "typed-literal"):
        if cell.get("xml:lang"):
            return ox.Literal(value, language=cell["xml:lang"])
        if cell.get("datatype"):
            return ox.Literal(value, datatype=ox.NamedNode(cell["datatype"]))
        return ox.Literal(value)
    return ox.Literal(str(value))


def _name(graph: str | None) -> str:
    return f"<{graph}>" if graph else "the default graph"


def _snippet(text: str, limit: int = 400) -> str:
    text = re.sub(r"<[^>]+>", " ", text or "")
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "") if text else "(no message)"


def _body(exc) -> str:
    try:
        return _snippet(exc.read().decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - the body is only decoration for the message
        return ""


def _reason(exc) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    return text[:300]
