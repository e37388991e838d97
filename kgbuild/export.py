"""Serialise the store: sorted N-Quads (byte-identical for the same graph), TriG, Turtle, JSON-LD."""
from __future__ import annotations

import pyoxigraph as ox

from .errors import GeokgError
from .store import sorted_nquads
from .vocab import PREFIXES

FORMATS = ("nquads", "trig", "turtle", "jsonld")


def export(store: ox.Store, fmt: str = "nquads") -> bytes:
    """The whole dataset in `fmt`. Turtle has no graphs: it carries the union of all graphs."""
    if fmt not in FORMATS:
        raise GeokgError(f"unknown export format {fmt!r}", hint="formats: " + ", ".join(FORMATS))
    nquads = sorted_nquads(store)
    if fmt == "nquads":
        return nquads
    import rdflib
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri, override=True, replace=True)
    if fmt == "turtle":
        union = rdflib.Graph()
        for prefix, iri in PREFIXES.items():
            union.bind(prefix, iri, override=True, replace=True)
        for triple in _all_triples(dataset):
            union.add(triple)
        return union.serialize(format="turtle").encode("utf-8")
    if fmt == "trig":
        return dataset.serialize(format="trig").encode("utf-8")
    return dataset.serialize(format="json-ld", indent=1).encode("utf-8")


def _all_triples(dataset):
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        yield s, p, o
