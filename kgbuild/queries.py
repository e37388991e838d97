"""Saved queries: one SPARQL file per question, with a `#+` comment header.

Header lines (before the query text):

    #+ title: Who backs whom
    #+ description: Analyst edges gk:backs with the claims behind them.
    #+ param: entity | iri | - | Only edges touching this entity (an id such as 'russia', a prefixed name or a full IRI)

A parameter line is `name | type | default | help`; type is iri, string, date, number or
integer; default `-` means required, anything else is the value used when none is given. In the
query text the parameter is the variable `?_name`, replaced by the RDF term of its value (so the
same text runs on any SPARQL 1.1 store). An integer is written bare, so it may also stand after
LIMIT or OFFSET.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from .errors import GeokgError
from .paths import queries_dir
from .vocab import PREFIXES

PARAM_TYPES = ("iri", "string", "date", "number", "integer")
# List queries take a `limit` (their page size); this value lists everything.
EVERY_ROW = "1000000000"
REQUIRED = "-"


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None  # None = required
    help: str


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def bind(self, values: dict[str, str] | None = None) -> str:
        """The query text with every parameter replaced by the RDF term of its value."""
        values = dict(values or {})
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise GeokgError(f"query '{self.name}' has no parameter {', '.join(unknown)}",
                             hint=f"its parameters: {known}")
        text = self.text
        for param in self.params:
            raw = values.get(param.name, param.default)
            if raw is None:
                raise GeokgError(f"query '{self.name}' needs the parameter '{param.name}'",
                                 hint=f"--param {param.name}=VALUE ({param.help})")
            term = term_for(param, raw)
            text = re.sub(r"[?$]_" + re.escape(param.name) + r"\b", lambda _m: term, text)
        return text

    def row_limit(self, values: dict[str, str] | None = None) -> int | None:
        """The `limit` this query runs with, when it has one (to tell a full page from a whole answer)."""
        for param in self.params:
            if param.name == "limit" and param.type == "integer":
                raw = (values or {}).get("limit", param.default)
                return int(raw) if raw is not None and raw.strip().isdigit() else None
        return None


@dataclass
class Result:
    """Rows of a SELECT (cells are pyoxigraph terms or None), or an ASK answer."""
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    boolean: bool | None = None


def parse_saved_query(path: Path) -> SavedQuery:
    """Read one .rq file and its header; raises GeokgError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeokgError(f"cannot read the query file: {exc}", path=path) from exc
    header: dict[str, str] = {}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            continue
        key, sep, value = line[2:].partition(":")
        key, value = key.strip(), value.strip()
        if not sep:
            raise GeokgError(f"header line is not 'key: value': {line!r}", path=path, line=number)
        if key == "param":
            parts = [part.strip() for part in value.split("|")]
            if len(parts) != 4 or parts[1] not in PARAM_TYPES or not re.fullmatch(r"[A-Za-z]\w*", parts[0]):
                raise GeokgError("a parameter line must be 'name | type | default | help' with type one of "
                                 + ", ".join(PARAM_TYPES), path=path, line=number)
            params.append(Param(parts[0], parts[1], None if parts[2] == REQUIRED else parts[2], parts[3]))
        else:
            header[key] = value
    if "title" not in header:
        raise GeokgError("the query has no '#+ title:' header line", path=path, line=1)
    return SavedQuery(name=path.stem, title=header["title"], description=header.get("description", ""),
                      params=tuple(params), text=text, path=path, headers=header)


def list_queries(directory: Path | None = None) -> list[SavedQuery]:
    """Every saved query in the folder, sorted by name."""
    directory = Path(directory) if directory else queries_dir()
    return [parse_saved_query(p) for p in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory: Path | None = None) -> SavedQuery:
    directory = Path(directory) if directory else queries_dir()
    path = directory / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*", name) or not path.is_file():
        names = ", ".join(q.name for q in list_queries(directory))
        raise GeokgError(f"no saved query named '{name}'", hint=f"saved queries: {names}")
    return parse_saved_query(path)


def term_for(param: Param, raw: str) -> str:
    """The SPARQL syntax of a parameter value, checked against the parameter's type."""
    if param.type == "iri":
        iri = expand_iri(raw)
        if not iri or re.search(r'[\s<>"{}|^`\\]', iri):
            raise GeokgError(f"parameter '{param.name}': {raw!r} is not an entity id or IRI")
        return f"<{iri}>"
    if param.type == "date":
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise GeokgError(f"parameter '{param.name}': {raw!r} is not a date (YYYY-MM-DD)") from None
        return f'"{raw}"^^<http://www.w3.org/2001/XMLSchema#date>'
    if param.type == "integer":
        if not re.fullmatch(r"\s*[0-9]{1,12}\s*", raw):
            raise GeokgError(f"parameter '{param.name}': {raw!r} is not a whole number (0 or more)")
        return str(int(raw))
    if param.type == "number":
        try:
            Decimal(raw)
        except InvalidOperation:
            raise GeokgError(f"parameter '{param.name}': {raw!r} is not a number") from None
        return str(Decimal(raw))
    return '"' + raw.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def expand_iri(value: str) -> str:
    """An entity id ('russia'), a prefixed name ('wd:Q159') or a full IRI, as a full IRI."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I) or value.startswith("urn:"):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return PREFIXES["gkid"] + value


def run_sparql(store: ox.Store, text: str) -> Result:
    """Run a SELECT or ASK query on the embedded store."""
    try:
        answer = store.query(text)
    except SyntaxError as exc:
        raise GeokgError(f"the query does not parse: {exc}") from exc
    except OSError as exc:
        raise GeokgError(f"the query failed: {exc}") from exc
    if isinstance(answer, ox.QueryBoolean):
        return Result(columns=["answer"], boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        columns = [v.value for v in answer.variables]
        return Result(columns=columns, rows=[[solution[c] for c in columns] for solution in answer])
    raise GeokgError("only SELECT and ASK queries give rows; use 'kgbuild export' for graphs")


def run_query(store: ox.Store, name: str, params: dict[str, str] | None = None,
              directory: Path | None = None) -> Result:
    """Run a saved query by name with parameter values."""
    query = get_query(name, directory)
    try:
        return run_sparql(store, query.bind(params))
    except GeokgError as exc:
        if exc.path is None and query.path is not None:
            exc.path = str(query.path)
        raise
