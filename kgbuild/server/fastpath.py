"""The fast path: plain lookups answered in the HTTP process, without a round-trip to a worker.

A worker round-trip costs more than a lookup itself, so a query that can only be cheap runs
in-process on a read-only store handle. "Can only be cheap" is decided on tokens, strictly: a
SELECT or ASK whose WHERE is one basic graph pattern (no FILTER, OPTIONAL, UNION, GRAPH,
SERVICE, sub-query, property path, ORDER BY, GROUP BY, DISTINCT, function call) in which every
triple pattern has a constant subject or a constant object. Each pattern then matches at most
the fan-out of one node, rows stream, the row cap applies, and the time limit is checked
between rows. Anything else goes to the killable worker pool.
"""
from __future__ import annotations

import time

import pyoxigraph as ox

from .protocol import query_formats
from .sparql_text import analyse
from .workers import _query

ALLOWED_WORDS = {"PREFIX", "BASE", "SELECT", "ASK", "WHERE", "LIMIT", "A"}
ALLOWED_PUNCT = {"{", "}", ".", ";", ",", "*", "^^", "@"}


def lookup_shaped(text: str) -> bool:
    analysis = analyse(text)
    if analysis.form not in ("SELECT", "ASK"):
        return False
    toks = analysis.toks
    depth, body = 0, []
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.keyword not in ALLOWED_WORDS:
            if not (i > 0 and toks[i - 1].text == "@"):  # a language tag
                return False
        if tok.kind == "punct" and tok.text not in ALLOWED_PUNCT:
            return False
        if tok.kind in ("other", "blank"):
            return False
        if tok.text == "{":
            depth += 1
            if depth > 1:
                return False
            continue
        if tok.text == "}":
            depth -= 1
            continue
        if depth == 1:
            body.append(tok)
    return depth == 0 and bool(body) and _every_pattern_anchored(body)


def _constant(tok) -> bool:
    return tok.kind in ("iri", "pname", "string", "number")


def _every_pattern_anchored(body) -> bool:
    """Each triple pattern (s p o [; p o]* [, o]*) has a constant subject or constant objects."""
    terms = [t for t in body if not (t.text == "@" or (t.kind == "word" and t.keyword != "A"))]
    i = 0
    while i < len(terms):
        subject = terms[i]
        if subject.text in (".", ";", ","):
            return False
        i += 1
        objects_constant = True
        while i < len(terms) and terms[i].text != ".":
            if terms[i].text in (";", ","):
                i += 1
                continue
            # predicate then object(s)
            if i + 1 >= len(terms):
                return False
            i += 1  # skip predicate
            while i < len(terms):
                obj = terms[i]
                objects_constant &= _constant(obj) or obj.text == "^^"
                i += 1
                if i < len(terms) and terms[i].text == "^^":
                    i += 2  # datatype of a literal
                if i < len(terms) and terms[i].text == ",":
                    i += 1
                    continue
                break
        if not (_constant(subject) or objects_constant):
            return False
        i += 1  # the '.'
    return True


class FastPath:
    def __init__(self, config):
        self.config = config
        self.store = ox.Store.read_only(config.store)
        self.cache: dict[str, bool] = {}
        self.hits = 0

    def try_answer(self, op, accept, endpoint):
        """A reply, or None when the query is not lookup-shaped (or has a SERVICE policy question)."""
        shaped = self.cache.get(op.text)
        if shaped is None:
            if len(op.text) > 4000:
                return None
            shaped = lookup_shaped(op.text)
            if len(self.cache) < 10_000:
                self.cache[op.text] = shaped
        if not shaped:
            return None
        job = {"query": op.text, "base": endpoint, "default_graphs": op.default_graphs,
               "named_graphs": op.named_graphs, "row_cap": self.config.max_rows,
               "formats": query_formats(analyse(op.text).form, accept),
               "deadline": time.monotonic() + self.config.timeout}
        try:
            reply = _query(self.store, job)
            self.hits += 1
            return reply
        except SyntaxError:
            return None  # let the pool give the engine's full error
        except (OSError, ValueError, TimeoutError):
            return None
