"""SPARQL 1.1 Graph Store HTTP Protocol, the part that runs in a worker next to the store.

https://www.w3.org/TR/sparql11-http-rdf-update/ — GET/HEAD read a graph (or, with neither
`graph` nor `default`, the whole dataset as TriG/N-Quads); PUT replaces, POST adds, DELETE
removes. A named graph that does not exist is 404; PUT/POST that create one answer 201.
"""
from __future__ import annotations

import pyoxigraph as ox

from . import results
from .workers import error_reply

PARSE_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG,
}


def _target(job):
    return ox.DefaultGraph() if job["graph"] is None else ox.NamedNode(job["graph"])


def _exists(store: ox.Store, graph) -> bool:
    return isinstance(graph, ox.DefaultGraph) or store.contains_named_graph(graph)


def _parse(job, graph) -> list[ox.Quad]:
    quads = []
    for data, media_type in job["parts"]:
        fmt = PARSE_FORMATS[media_type]
        for quad in ox.parse(data, format=fmt, base_iri=job.get("base"), rename_blank_nodes=True):
            if fmt.supports_datasets and not isinstance(quad.graph_name, ox.DefaultGraph):
                raise ValueError("a graph-store request for one graph cannot carry quads in other graphs")
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    return quads


def run_gsp(store: ox.Store, job: dict) -> tuple:
    method = job["method"]
    if job.get("dataset"):
        content_type, name = job["format"]
        return (200, content_type, results.graph(store, name), {})
    graph = _target(job)
    existed = _exists(store, graph)
    if method in ("GET", "HEAD"):
        if not existed:
            return error_reply(404, "no_such_graph", f"there is no graph <{job['graph']}> in the store")
        content_type, name = job["format"]
        quads = store.quads_for_pattern(None, None, None, graph)
        if name in ("trig", "nquads"):
            body = results.graph(list(quads), name)
        else:
            body = results.graph([q.triple for q in quads], name)
        return (200, content_type, body, {})
    if method == "DELETE":
        if not existed:
            return error_reply(404, "no_such_graph", f"there is no graph <{job['graph']}> in the store")
        if isinstance(graph, ox.DefaultGraph):
            store.clear_graph(graph)
        else:
            store.remove_graph(graph)
        store.flush()
        return (204, "", b"", {})
    try:
        quads = _parse(job, graph)
    except SyntaxError as exc:
        return error_reply(400, "rdf_syntax_error", f"the request body does not parse: {exc}")
    if method == "PUT" and existed:
        store.clear_graph(graph)
    if not isinstance(graph, ox.DefaultGraph) and not existed:
        store.add_graph(graph)
    store.extend(quads)
    store.flush()
    if job.get("created_location"):
        return (201, "", b"", {"Location": job["created_location"]})
    return (204, "", b"", {}) if existed else (201, "", b"", {})
