"""A small Python API for notebooks: open the store, run saved queries, get rows back."""
from __future__ import annotations

from pathlib import Path

from .paths import store_path
from .queries import Result, list_queries, run_query, run_sparql
from .render import json_value


class Graph:
    """A geokg store opened read-only."""

    def __init__(self, path: str | Path | None = None):
        from .store import open_store
        self.path = store_path(path)
        self.store = open_store(self.path, read_only=True)

    def queries(self) -> list[str]:
        return [q.name for q in list_queries()]

    def query(self, name: str, **params: str):
        """Run a saved query; rows as a pandas DataFrame when pandas is installed, else a list of dicts."""
        return _rows(run_query(self.store, name, {k: str(v) for k, v in params.items()}))

    def sparql(self, text: str):
        return _rows(run_sparql(self.store, text))

    def claims(self, document: str | None = None) -> list[dict]:
        from .claims import claims_table
        return claims_table(self.store, document)


def open_graph(path: str | Path | None = None) -> Graph:
    return Graph(path)


def _rows(result: Result):
    if result.boolean is not None:
        return result.boolean
    rows = [{c: json_value(v) for c, v in zip(result.columns, row)} for row in result.rows]
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows, columns=result.columns)
