"""Rows -> table | csv | tsv | json, shared by the CLI and the HTTP server."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable

import pyoxigraph as ox

from .queries import Result
from .vocab import compact

FORMATS = ("table", "csv", "tsv", "json")


def plain(term: object, *, short: bool = False) -> str | None:
    """A cell's text: an IRI, a literal's lexical form, or None when unbound."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return compact(term.value) if short else term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def json_value(term: object) -> object:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value.rsplit("#", 1)[-1]
        if dt in ("integer", "int", "long"):
            return int(term.value)
        if dt in ("decimal", "double", "float"):
            return float(term.value)
        if dt == "boolean":
            return term.value == "true"
    return plain(term)


def render(result: Result, fmt: str = "table") -> str:
    if result.boolean is not None:
        if fmt == "json":
            return json.dumps({"boolean": result.boolean}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "json":
        rows = [{c: json_value(v) for c, v in zip(result.columns, row)} for row in result.rows]
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(["" if v is None else plain(v) for v in row])
        return out.getvalue()
    return table(result.columns, ([plain(v, short=True) or "" for v in row] for row in result.rows))


def table(columns: list[str], rows: Iterable[list[str]], max_width: int = 60) -> str:
    rows = [[_clip(cell, max_width) for cell in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    line = lambda cells: "  ".join(cell.ljust(w) for cell, w in zip(cells, widths)).rstrip()
    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
