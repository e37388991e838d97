from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kgbuild.errors import GeokgError
from kgbuild.queries import get_query, list_queries, parse_saved_query, run_query, run_sparql
from kgbuild.render import plain, render

QUERIES = list_queries()
DUMMY = {"iri": "russia", "string": "x", "date": "2019-01-01", "number": "1"}


def test_there_are_saved_queries_for_the_analysts_questions():
    names = {q.name for q in QUERIES}
    assert {"who-backs-whom", "who-opposes-whom", "sanctions", "recognitions", "military-flights",
            "deployments", "leaders", "claims-by-source", "timeline", "external-links", "claims", "why"} <= names


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_every_saved_query_has_a_header_parses_and_runs(query, store):
    assert query.title and query.description
    values = {p.name: DUMMY[p.type] for p in query.params if p.default is None}
    text = query.bind(values)
    ox.Store().query(text)  # parses (raises SyntaxError otherwise)
    result = run_sparql(store, text)
    assert result.columns


def optionals_inside_variable_graphs(text: str) -> list[str]:
    """OPTIONALs written inside a `GRAPH ?var { … }` block, as their first line."""
    found, open_graphs, depth = [], [], 0
    for line in text.splitlines():
        code = re.sub(r'"[^"]*"|<[^>\s]*>', '""', line).split("#", 1)[0]  # strings and IRIs may hold '#'
        if open_graphs and "OPTIONAL" in code:
            found.append(line.strip())
        for token in re.findall(r"GRAPH\s+\?\w+\s*\{|[{}]", code):
            if token == "}":
                depth -= 1
                if open_graphs and open_graphs[-1] == depth:
                    open_graphs.pop()
            else:
                if token.startswith("GRAPH"):
                    open_graphs.append(depth)
                depth += 1
    return found


def test_the_checker_finds_an_optional_inside_a_variable_graph():
    text = "SELECT * WHERE {\n GRAPH ?g {\n ?s ?p ?o .\n OPTIONAL { ?s ?q ?x }\n }\n OPTIONAL { GRAPH ?g { ?o ?p ?s } }\n}"
    assert optionals_inside_variable_graphs(text) == ["OPTIONAL { ?s ?q ?x }"]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_no_optional_inside_a_variable_graph_block(query):
    # Oxigraph 0.5 evaluates such a block on its own, over every graph, before joining: 'why' took
    # 0.7 s at 1M quads for one row; written as OPTIONAL { GRAPH ?g { … } } after the block, 1 ms.
    assert optionals_inside_variable_graphs(query.text) == []


@pytest.mark.parametrize("name", ["who-backs-whom", "who-opposes-whom", "sanctions", "recognitions",
                                  "military-flights", "deployments", "leaders", "claims-by-source",
                                  "timeline", "external-links", "analyst-edges"])
def test_saved_queries_answer_on_the_seed_article(store, name):
    assert run_query(store, name).rows, f"{name} returned no rows"


def test_parameters_filter(store):
    result = run_query(store, "who-backs-whom", {"entity": "juan-guaido"})
    backers = {plain(r[result.columns.index("backer")]) for r in result.rows}
    assert backers == {"United States"}


def test_string_parameters_cannot_inject_sparql(store):
    result = run_query(store, "claims-by-source", {"status": 'x" || true || "'})
    assert result.rows == []


@pytest.mark.parametrize("params,message", [
    ({}, "needs the parameter 'subject'"),
    ({"subject": "russia", "object": "venezuela", "colour": "red"}, "has no parameter colour"),
    ({"subject": "russia", "object": "not an iri"}, "is not an entity id or IRI"),
])
def test_parameter_errors(params, message):
    with pytest.raises(GeokgError, match=message):
        get_query("why").bind(params)


def test_bad_date_parameter():
    with pytest.raises(GeokgError, match="is not a date"):
        get_query("timeline").bind({"from": "23/03/2019"})


def test_unknown_query_name_lists_the_known_ones():
    with pytest.raises(GeokgError) as info:
        get_query("who-funds-whom")
    assert "no saved query named 'who-funds-whom'" in str(info.value) and "who-backs-whom" in str(info.value)


def test_query_with_a_syntax_error_names_its_file(tmp_path, store):
    bad = tmp_path / "broken.rq"
    bad.write_text("#+ title: Broken\nSELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    with pytest.raises(GeokgError) as info:
        run_query(store, "broken", directory=tmp_path)
    assert "does not parse" in str(info.value) and "broken.rq" in str(info.value)


def test_header_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "q.rq"
    bad.write_text("#+ title: T\n#+ param: x | colour | - | help\nSELECT * {}\n", encoding="utf-8")
    with pytest.raises(GeokgError, match=r"q.rq:2"):
        parse_saved_query(bad)


def test_render_formats(store):
    result = run_query(store, "recognitions")
    assert render(result, "csv").splitlines()[0].startswith("recognizer,recognized")
    assert "\t" in render(result, "tsv").splitlines()[0]
    assert render(result, "json").lstrip().startswith("[")
    assert "United States" in render(result, "table")


def test_timeline_places_undated_events_by_when_they_were_reported(built_store, tmp_path):
    """A later document with one dated and one undated event: the undated one is placed by the
    document's publication date (knownBy), after what the seed article reported by 2019-03-31."""
    import shutil
    from kgbuild.store import open_store
    shutil.copytree(built_store, tmp_path / "store")
    store = open_store(tmp_path / "store")
    store.update("""
        PREFIX gk: <https://w3id.org/geokg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {
          <https://w3id.org/geokg/doc/test-002> a gk:NewsArticle ; gk:title "A later report" ;
              gk:datePublished "2019-04-05"^^xsd:date .
          <https://w3id.org/geokg/event/test-002/talks> a gk:Event ; rdfs:label "Undated talks" ;
              gk:reportedIn <https://w3id.org/geokg/doc/test-002> .
          <https://w3id.org/geokg/event/test-002/flight> a gk:Flight ; rdfs:label "Flight of 2 April" ;
              gk:date "2019-04-02"^^xsd:date ; gk:reportedIn <https://w3id.org/geokg/doc/test-002> .
        }""")

    def timeline(**params):
        result = run_query(store, "timeline", params)
        col = result.columns.index
        return [(plain(r[col("date")]), plain(r[col("knownBy")]), plain(r[col("event")])) for r in result.rows]

    rows = timeline()
    assert rows[0][0] == "2019-03-23"                                    # dated events first, in date order
    seed_undated = [r for r in rows if r[0] is None and r[1] == "2019-03-31"]
    assert seed_undated and "Russian military operations in Syria (background)" in {r[2] for r in seed_undated}
    assert rows[-2:] == [("2019-04-02", "2019-04-05", "Flight of 2 April"), (None, "2019-04-05", "Undated talks")]
    # from: the seed's undated events had been reported before 1 April, so they are left out
    assert timeline(**{"from": "2019-04-01"}) == rows[-2:]
    # from the Sunday of the report: current undated events may fall after it, background ones not
    since_sunday = {r[2] for r in timeline(**{"from": "2019-03-24"})}
    assert "US ban on crude oil imports from Venezuela" in since_sunday
    assert "Russian military operations in Syria (background)" not in since_sunday
    assert len(timeline(limit="5")) == 5


def test_external_links_lists_what_the_claims_name_and_all_on_request(store):
    def rows(**params):
        result = run_query(store, "external-links", params)
        col = result.columns.index
        return {plain(r[col("label")]): int(plain(r[col("claims")])) for r in result.rows}

    named = rows()
    assert named["Sputnik"] == 2 and named["Javier Mayorca"] == 2   # sources count: they are named as attributedTo
    assert named["Venezuela"] > 0 and min(named.values()) > 0
    everything = rows(all="true", limit="2000")
    assert set(named) < set(everything) and 0 in everything.values()


def test_analyst_edges_say_when_they_hold(store):
    result = run_query(store, "analyst-edges")
    col = result.columns.index
    when = {(plain(r[col("subject")]), plain(r[col("relation")]), plain(r[col("object")])): plain(r[col("temporality")])
            for r in result.rows}
    assert when[("Russia", "deploysTo", "Syria")] == "historical"        # "has a record of": background
    assert when[("United States", "importsFrom", "Venezuela")] == "historical"
    assert when[("Russia", "backs", "Venezuela")] == "current"
