"""What the server must know about a SPARQL request before the engine sees it.

A small lexer (SPARQL 1.1 terminals: IRIs, prefixed names, strings, comments, variables,
keywords, punctuation) is enough to answer: which query form is this, is it an update, which
SERVICE / LOAD IRIs does it name, and where do `using-graph-uri` clauses go. Working on tokens,
not on raw text, means a `SERVICE` inside a string or a comment is not mistaken for one, and
`<http://a#SERVICE>` is an IRI, not a keyword. The engine still parses the text itself; a
request it rejects gets a 400 with the engine's message.
"""
from __future__ import annotations

import functools

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[\w\-:%\u00B7\u00C0-\uFFFF\\]|\.(?=[\w\-:%]))*)
  | (?P<blank>_:[\w\-.]+)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{}()\[\].,;*=<>!+\-/|^?@])
  | (?P<other>.)
""", re.X | re.S)


@dataclass(frozen=True)
class Token:
    kind: str   # iri, string, var, pname, blank, number, word, punct, other
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str) -> list[Token]:
    """The significant tokens of a query or update (no whitespace, no comments)."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start(), m.end()))
    return out


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass
class Analysis:
    """What a request's text is: its form, its prefixes, the IRIs it asks the engine to fetch.

    Shared between requests by analyse()'s cache (clients repeat their queries): never mutate.
    """
    form: str | None                 # SELECT / ASK / CONSTRUCT / DESCRIBE / UPDATE / None
    prefixes: dict[str, str]
    base: str | None
    service_targets: list[str]       # IRIs (or '?var' / relative) named after SERVICE
    load_sources: list[str]          # IRIs named after LOAD
    toks: list[Token]

    @functools.cached_property
    def top_limit(self) -> int | None:
        """The query's own LIMIT (outside every group, so not a subquery's), if it has one."""
        depth, limit = 0, None
        for i, tok in enumerate(self.toks):
            if tok.text == "{":
                depth += 1
            elif tok.text == "}":
                depth -= 1
            elif depth == 0 and tok.keyword == "LIMIT" and i + 1 < len(self.toks) \
                    and self.toks[i + 1].kind == "number" and self.toks[i + 1].text.isdigit():
                limit = int(self.toks[i + 1].text)
        return limit


@functools.lru_cache(maxsize=1024)
def analyse(text: str, base: str | None = None) -> Analysis:
    toks = tokens(text)
    prefixes: dict[str, str] = {}
    form = None
    services: list[str] = []
    loads: list[str] = []
    depth = 0
    for i, tok in enumerate(toks):
        kw = tok.keyword
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        if kw == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = _resolve(base, toks[i + 1].text[1:-1])
        elif kw == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = _resolve(base, toks[i + 2].text[1:-1])
        elif form is None and depth == 0 and kw in QUERY_FORMS:
            form = kw
        elif form is None and depth == 0 and kw in UPDATE_WORDS:
            form = "UPDATE"
        if kw == "SERVICE":
            services.append(_target(toks, i + 1, prefixes, base))
        elif kw == "LOAD":
            loads.append(_target(toks, i + 1, prefixes, base))
    return Analysis(form, prefixes, base, services, loads, toks)


def _resolve(base: str | None, ref: str) -> str:
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", ref) or not base:
        return ref
    return urljoin(base, ref)


def _target(toks: list[Token], i: int, prefixes: dict[str, str], base: str | None) -> str:
    if i < len(toks) and toks[i].keyword == "SILENT":
        i += 1
    if i >= len(toks):
        return "?"
    tok = toks[i]
    if tok.kind == "iri":
        return _resolve(base, tok.text[1:-1])
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
        return tok.text
    return tok.text  # a variable: never allowed


def allowed(target: str, allow_list: tuple[str, ...]) -> bool:
    """Whether a SERVICE/LOAD target is on the allow-list of IRI prefixes."""
    if not re.match(r"^https?://", target):
        return False
    return any(target.startswith(prefix) for prefix in allow_list)


def service_refusal(analysis: "Analysis", allow_list: tuple[str, ...]) -> str | None:
    """Why a query may not run under the SERVICE allow-list (None: it may): the server answers 403
    with it, the CLI exits 1 with it."""
    for target in analysis.service_targets:
        if not allowed(target, allow_list):
            return (f"SERVICE <{target}> is not allowed: federated queries are off"
                    + (" for this endpoint" if not allow_list else "; allowed: " + ", ".join(allow_list)))
    return None


class DatasetConflict(ValueError):
    """using-graph-uri/using-named-graph-uri given for an update that has USING or WITH."""


def add_using(text: str, using: list[str], using_named: list[str]) -> str:
    """The update with USING / USING NAMED clauses added before each operation's WHERE.

    SPARQL 1.1 Protocol §2.2.3: the protocol dataset applies to every operation that has a
    WHERE clause; an update that has its own USING or WITH while the protocol names one is an
    error (DatasetConflict).
    """
    if not using and not using_named:
        return text
    toks = tokens(text)
    if any(t.keyword in ("USING", "WITH") for t in toks):
        raise DatasetConflict("the update has USING or WITH clauses and the request also gives "
                              "using-graph-uri / using-named-graph-uri: give the dataset only once")
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    depth = 0
    inserts = []
    prev = None
    for tok in toks:
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.keyword == "WHERE" and (prev is None or prev.keyword != "DELETE"):
            inserts.append(tok.start)
        prev = tok
    for pos in reversed(inserts):
        text = text[:pos] + clause + text[pos:]
    return text
