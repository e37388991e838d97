"""The synthetic generator: deterministic, sized, and shaped exactly like a real build."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kgbuild.cli import cli
from kgbuild.derive import derive
from kgbuild.errors import GeokgError
from kgbuild.gen import generate, parse_size, size_label
from kgbuild.queries import EVERY_ROW, get_query, list_queries, run_sparql
from kgbuild.store import sorted_nquads


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "g.nq"
    report = generate(path, triples=30_000, seed=7)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return path, report, store


def test_same_seed_same_bytes_other_seed_other_graph(tmp_path, small):
    path, report, _ = small
    again = generate(tmp_path / "again.nq", triples=30_000, seed=7)
    assert (tmp_path / "again.nq").read_bytes() == path.read_bytes()
    assert again.quads == report.quads
    generate(tmp_path / "other.nq", triples=30_000, seed=8)
    assert (tmp_path / "other.nq").read_bytes() != path.read_bytes()


def test_size_is_about_what_was_asked(small):
    path, report, store = small
    assert 30_000 <= report.quads < 31_000
    assert sum(1 for _ in path.open("rb")) == report.quads
    assert len(store) == report.quads  # no duplicate lines
    assert report.documents > 20 and report.claims > 100 and report.derived_edges > 50


def test_the_derived_edges_are_what_kgbuild_derive_makes(tmp_path, small):
    """Generate without derived edges, run the real rules: the same graph as the generator's."""
    _, report, store = small
    bare = tmp_path / "bare.nq"
    generate(bare, triples=30_000, seed=7, derived=False, documents=report.documents)
    derived = ox.Store()
    derived.bulk_load(path=str(bare), format=ox.RdfFormat.N_QUADS)
    assert len(derived) < len(store)
    derive(derived)

    def without_blank_nodes(s):  # the ontology's blank nodes get new labels on every load
        return [line for line in sorted_nquads(s).split(b"\n") if b"_:" not in line]
    assert without_blank_nodes(derived) == without_blank_nodes(store)
    assert len(derived) == len(store)


def test_every_saved_query_returns_rows(small):
    _, report, store = small
    for query in list_queries():
        params = {p.name: report.samples[p.name] for p in query.params if p.default is None}
        result = run_sparql(store, get_query(query.name).bind(params))
        assert result.rows, f"{query.name} returned no rows on the synthetic graph"


def test_graph_layout_is_the_model(small):
    _, _, store = small
    ask = lambda text: bool(store.query("PREFIX gk: <https://w3id.org/geokg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> " + text))
    assert ask("ASK { GRAPH <https://w3id.org/geokg/doc/synth-0000001> { ?c a gk:Claim ; gk:evidence ?s . ?s a gk:TextSpan } }")
    assert ask("ASK { ?d a gk:NewsArticle . ?e gk:reportedIn ?d ; a gk:Flight }")
    assert ask("ASK { GRAPH ?e { ?s gk:backs ?o } ?e a gk:DerivedEdge ; prov:qualifiedDerivation/prov:hadPlan ?r . ?r gk:ruleName ?n }")
    assert not ask("ASK { GRAPH ?g { ?c a gk:Flight } }")  # events live in the default graph
    assert not ask("ASK { ?c a gk:Claim }")  # claims live in their document's graph


def test_nt_output_drops_the_graphs(tmp_path):
    report = generate(tmp_path / "g.nt", triples=5_000, seed=1)
    store = ox.Store()
    store.bulk_load(path=str(tmp_path / "g.nt"), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == report.quads and not list(store.named_graphs())


def test_sizes():
    assert [parse_size(s) for s in ("10k", "1M", "2500", "1.5k", "10m")] == [10_000, 1_000_000, 2500, 1500, 10_000_000]
    assert [size_label(n) for n in (10_000, 1_000_000, 2500)] == ["10k", "1M", "2500"]
    with pytest.raises(GeokgError, match="not a size"):
        parse_size("lots")


def test_gen_command(tmp_path):
    out = tmp_path / "g.nq"
    result = CliRunner().invoke(cli, ["gen", "-n", "5k", "--seed", "3", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith(f"wrote {out}: ") and "(seed 3)" in result.stderr
    assert out.stat().st_size > 100_000
    result = CliRunner().invoke(cli, ["gen", "-n", "many", "-o", str(out)])
    assert result.exit_code == 1 and "not a size: 'many'" in result.output


PAGED = [q for q in list_queries() if q.row_limit() is not None]


def test_every_list_query_has_a_page_size():
    assert {"who-backs-whom", "who-opposes-whom", "analyst-edges", "claims", "claims-by-source", "timeline",
            "leaders", "military-flights", "deployments", "sanctions", "recognitions",
            "external-links"} <= {q.name for q in PAGED}


@pytest.mark.parametrize("query", PAGED, ids=lambda q: q.name)
def test_a_page_is_the_top_of_the_whole_answer(small, query):
    _, _, store = small
    whole = run_sparql(store, query.bind({"limit": EVERY_ROW}))
    page = run_sparql(store, query.bind({"limit": "4"}))
    assert len(whole.rows) > 4, f"{query.name}: the test graph is too small to page"
    assert len(page.rows) == 4
    everything = [tuple(map(str, row)) for row in whole.rows]
    assert all(tuple(map(str, row)) in everything for row in page.rows)


@pytest.mark.parametrize("name, rank", [("who-backs-whom", "support"), ("who-opposes-whom", "support"),
                                        ("analyst-edges", "claims"), ("external-links", "claims")])
def test_pages_rank_the_best_supported_first(small, name, rank):
    _, _, store = small
    query = get_query(name)
    whole = run_sparql(store, query.bind({"limit": EVERY_ROW}))
    page = run_sparql(store, query.bind({"limit": "10"}))
    ranks = [int(row[page.columns.index(rank)].value) for row in page.rows]
    left_out = [int(row[whole.columns.index(rank)].value) for row in whole.rows][len(page.rows):]
    assert ranks == sorted(ranks, reverse=True)
    assert min(ranks) >= max(left_out)


def test_the_claims_table_is_never_paged(small):
    from kgbuild.claims import claims_table
    _, report, store = small
    assert len(claims_table(store)) == report.claims
