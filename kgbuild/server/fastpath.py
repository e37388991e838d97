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

import re
import time

import pyoxigraph as ox

from .protocol import query_formats
from .sparql_text import analyse
from . import results
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


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def single_pattern(text: str):
    """(subject IRI, predicate IRI, variable, LIMIT or None) for `SELECT ?v|* [WHERE] { <s> <p> ?v [.] }
    [LIMIT n]` with absolute or prefixed IRIs; None for anything else.

    Most lookups have this shape (a label, the types of a node), and for them the SPARQL parser
    and planner cost three times the index read: they are answered from the index directly.
    """
    analysis = analyse(text)
    if analysis.form != "SELECT" or analysis.base:
        return None
    toks = analysis.toks
    i = 0
    while i < len(toks) and toks[i].keyword == "PREFIX":
        i += 3
    rest = [t.text if t.kind == "punct" else t for t in toks[i:]]

    def iri(tok):
        if not hasattr(tok, "kind"):
            return None
        if tok.kind == "iri" and re.match(r"^<[A-Za-z][A-Za-z0-9+.-]*:", tok.text) and "\\" not in tok.text:
            return tok.text[1:-1]
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in analysis.prefixes and not re.search(r"[\\%]", local):
                return analysis.prefixes[prefix] + local
        if tok.kind == "word" and tok.text == "a":
            return RDF_TYPE
        return None

    if len(rest) < 6 or getattr(rest[0], "keyword", "") != "SELECT":
        return None
    projected = rest[1]
    j = 2
    if getattr(rest[j], "keyword", "") == "WHERE":
        j += 1
    if rest[j:j + 1] != ["{"] or len(rest) < j + 5:
        return None
    subject, predicate, obj = iri(rest[j + 1]), iri(rest[j + 2]), rest[j + 3]
    if not (subject and predicate and getattr(obj, "kind", "") == "var"):
        return None
    variable = obj.text[1:]
    if not (projected == "*" or getattr(projected, "kind", "") == "var" and projected.text[1:] == variable):
        return None
    k = j + 4
    if rest[k:k + 1] == ["."]:
        k += 1
    if rest[k:k + 1] != ["}"]:
        return None
    tail = rest[k + 1:]
    if not tail:
        return subject, predicate, variable, None
    if len(tail) == 2 and getattr(tail[0], "keyword", "") == "LIMIT" and getattr(tail[1], "kind", "") == "number" \
            and tail[1].text.isdigit():
        return subject, predicate, variable, int(tail[1].text)
    return None


class FastPath:
    def __init__(self, config):
        self.config = config
        self.store = ox.Store.read_only(config.store)
        self.cache: dict[str, bool] = {}
        self.patterns: dict = {}
        self.hits = 0

    def _from_index(self, pattern, solution_format):
        subject, predicate, variable, limit = pattern
        cap = self.config.max_rows if limit is None else min(limit, self.config.max_rows)
        rows, headers = [], {}
        for quad in self.store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None,
                                                 ox.DefaultGraph()):
            if len(rows) == cap:
                if limit is None or limit > cap:
                    headers["X-Result-Truncated"] = f"true; rows={cap}"
                break
            rows.append([quad.object])
        content_type, name = solution_format
        return (200, content_type, results.solutions([variable], rows, name), headers)

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
        formats = query_formats(analyse(op.text).form, accept)
        pattern = None if (op.default_graphs or op.named_graphs) else self.patterns.get(op.text, False)
        if pattern is False:
            pattern = single_pattern(op.text)
            if len(self.patterns) < 10_000:
                self.patterns[op.text] = pattern
        if pattern:
            self.hits += 1
            return self._from_index(pattern, formats["solutions"])
        job = {"query": op.text, "base": endpoint, "default_graphs": op.default_graphs,
               "named_graphs": op.named_graphs, "row_cap": self.config.max_rows,
               "formats": formats,
               "deadline": time.monotonic() + self.config.timeout}
        try:
            reply = _query(self.store, job)
            self.hits += 1
            return reply
        except SyntaxError:
            return None  # let the pool give the engine's full error
        except (OSError, ValueError, TimeoutError):
            return None
