from __future__ import annotations

import kgbuild


def test_notebook_api_runs_saved_queries(built_store):
    graph = kgbuild.open_graph(built_store)
    assert "who-backs-whom" in graph.queries()
    rows = graph.query("who-backs-whom", entity="juan-guaido")
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else rows
    assert {r["backer"] for r in records} == {"United States"}
    assert graph.sparql("ASK { GRAPH ?g { ?s ?p ?o } }") is True
    assert len(graph.claims()) >= 25
