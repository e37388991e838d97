"""Linked Data: every geokg IRI dereferences through the server.

`https://w3id.org/geokg/id/russia` is served at `/id/russia` (likewise claim/, doc/, event/,
derived/, rule/). Direct content negotiation on the one URL (with `Vary: Accept`): an HTML page
for browsers (label, types, facts out and in with the graph each comes from and the evidence
sentences behind derived edges, claims that mention the resource, links to Wikidata / GeoNames /
DBpedia), and Turtle, JSON-LD, N-Triples, RDF/XML, TriG or N-Quads for RDF clients.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import pyoxigraph as ox

from ..vocab import CLAIM, DERIVED, DOC, GK, compact
from . import negotiation as neg
from . import results
from .workers import error_reply

ROOT = "https://w3id.org/geokg/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
EXACT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
CLOSE = ox.NamedNode("http://www.w3.org/2004/02/skos/core#closeMatch")
DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
TEMPLATE = Path(__file__).resolve().parent / "templates" / "resource.html"


def _n(local: str) -> ox.NamedNode:
    return ox.NamedNode(GK + local)


# ---------------------------------------------------------------- in the HTTP process

async def resource_response(server, request):
    from starlette.responses import Response

    from .app import _respond
    from .protocol import HttpError, run_job
    iri = ROOT + request.url.path.lstrip("/")
    if any(c in iri for c in '<>"{}|^`\\ '):
        raise HttpError(400, "bad_iri", "not a geokg IRI")
    accept = request.headers.get("accept")
    offered = (neg.HTML,) + neg.GRAPH if neg.prefers_html(accept, neg.GRAPH) else neg.GRAPH + (neg.HTML,)
    try:
        fmt = neg.choose(accept, offered, explicit=request.query_params.get("format"))
    except neg.NotAcceptable as exc:
        raise HttpError(406, "not_acceptable", str(exc)) from None
    job = {"kind": "describe", "iri": iri, "format": (fmt.content_type, fmt.name),
           "base": server.base(request)}
    reply = await run_job(server, job)
    status, ctype, body, headers = reply
    return _respond((status, ctype, body, {**headers, "Vary": "Accept"}))


# ---------------------------------------------------------------- in a worker

def describe(store: ox.Store, job: dict):
    node = ox.NamedNode(job["iri"])
    out = list(store.quads_for_pattern(node, None, None, None))
    inc = list(store.quads_for_pattern(None, None, node, None))
    in_graph = list(store.quads_for_pattern(None, None, None, node)) if job["iri"].startswith((DOC, DERIVED)) else []
    if not out and not inc and not in_graph:
        return error_reply(404, "not_found", f"nothing is known about <{job['iri']}>",
                           hint="IRIs look like /id/russia, /claim/article-001/c09, /doc/article-001")
    content_type, name = job["format"]
    if name != "html":
        quads = out + inc + in_graph
        if name in ("trig", "nquads"):
            return (200, content_type, results.graph(quads, name), {})
        seen = list(dict.fromkeys(q.triple for q in quads))
        return (200, content_type, results.graph(seen, name), {})
    return (200, content_type, Page(store, node, out, inc, job["base"]).render(), {})


class Page:
    def __init__(self, store, node, out, inc, base):
        self.store, self.node, self.out, self.inc, self.base = store, node, out, inc, base
        self._labels: dict[str, str] = {}

    def label(self, term) -> str:
        if not isinstance(term, ox.NamedNode):
            return term.value if isinstance(term, ox.Literal) else str(term)
        key = term.value
        if key not in self._labels:
            found = [q.object.value for q in self.store.quads_for_pattern(term, LABEL, None, None)]
            found = found or [q.object.value for q in self.store.quads_for_pattern(term, _n("title"), None, None)]
            self._labels[key] = found[0] if found else compact(key)
        return self._labels[key]

    def href(self, iri: str) -> str:
        return iri[len(ROOT) - 1:] if iri.startswith(ROOT) and not iri.startswith(GK) else iri

    def link(self, term) -> str:
        if isinstance(term, ox.NamedNode):
            return f'<a href="{html.escape(self.href(term.value))}" title="{html.escape(term.value)}">' \
                   f"{html.escape(self.label(term))}</a>"
        if isinstance(term, ox.Literal):
            return html.escape(term.value)
        return html.escape(str(term))

    def graph_cell(self, graph) -> str:
        if isinstance(graph, ox.DefaultGraph):
            return "world (default graph)"
        return self.link(graph)

    def evidence(self, graph) -> str:
        """Sentences behind a derived edge (its graph), or nothing."""
        if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(DERIVED):
            return ""
        items = []
        for q in self.store.quads_for_pattern(graph, DERIVED_FROM, None, None):
            items.append(self.claim_line(q.object))
        return "<ul class=evidence>" + "".join(items) + "</ul>" if items else ""

    def claim_line(self, claim) -> str:
        sentence, doc, status = "", None, None
        for q in self.store.quads_for_pattern(claim, None, None, None):
            if q.predicate == _n("evidence"):
                for s in self.store.quads_for_pattern(q.object, _n("sentence"), None, None):
                    sentence = s.object.value
            elif q.predicate == _n("statedIn"):
                doc = q.object
            elif q.predicate == _n("status"):
                status = q.object
        source = f" — {self.link(doc)}" if doc is not None else ""
        state = f" <span class=status>{html.escape(self.label(status))}</span>" if status is not None else ""
        return f"<li>“{html.escape(sentence)}”{source}{state} <small>({self.link(claim)})</small></li>"

    def render(self) -> bytes:
        node = self.node
        types = [q.object for q in self.out if q.predicate == RDF_TYPE]
        rows_out = "".join(
            f"<tr><td>{self.link(q.predicate)}</td><td>{self.link(q.object)}</td>"
            f"<td>{self.graph_cell(q.graph_name)}{self.evidence(q.graph_name)}</td></tr>"
            for q in sorted(self.out, key=lambda q: (q.predicate.value, str(q.object))) if q.predicate != RDF_TYPE)
        rows_in = "".join(
            f"<tr><td>{self.link(q.subject)}</td><td>{self.link(q.predicate)}</td>"
            f"<td>{self.graph_cell(q.graph_name)}{self.evidence(q.graph_name)}</td></tr>"
            for q in sorted(self.inc, key=lambda q: (q.predicate.value, q.subject.value))
            if q.predicate not in (_n("claimSubject"), _n("claimObject")))
        claims = [q.subject for q in self.inc if q.predicate in (_n("claimSubject"), _n("claimObject"))]
        if node.value.startswith(CLAIM) and not claims:
            claims = [node] if any(q.predicate == _n("evidence") for q in self.out) else []
        claim_items = "".join(self.claim_line(c) for c in dict.fromkeys(claims))
        links = []
        for q in self.out:
            if q.predicate in (EXACT, CLOSE) or q.predicate == _n("url"):
                target = q.object.value
                links.append(f'<li><a href="{html.escape(target)}" rel="external">{html.escape(target)}</a></li>')
            elif q.predicate == _n("wikidataId"):
                links.append(f'<li><a href="https://www.wikidata.org/wiki/{html.escape(q.object.value)}" '
                             f'rel="external">Wikidata {html.escape(q.object.value)}</a></li>')
        alternates = "".join(
            f'<a href="{html.escape(self.href(node.value))}?format={n}">{label}</a> '
            for n, label in (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"), ("trig", "TriG")))
        text = TEMPLATE.read_text(encoding="utf-8")
        values = {
            "LABEL": html.escape(self.label(node)),
            "IRI": html.escape(node.value),
            "TYPES": ", ".join(self.link(t) for t in types) or "—",
            "OUT": rows_out or "<tr><td colspan=3>none</td></tr>",
            "IN": rows_in or "<tr><td colspan=3>none</td></tr>",
            "CLAIMS": f"<ul class=evidence>{claim_items}</ul>" if claim_items else "<p>none</p>",
            "LINKS": f"<ul>{''.join(dict.fromkeys(links))}</ul>" if links else "<p>none</p>",
            "ALTERNATES": alternates,
            "JSONLD": json.dumps({"@id": node.value, "name": self.label(node)}).replace("<", "\\u003c"),
        }
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        return text.encode("utf-8")
