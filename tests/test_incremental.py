"""Incremental growth: one article into an existing store gives what a full build gives,
and touches nothing else."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgbuild.build import add_document, build
from kgbuild.errors import GeokgError
from kgbuild.gen import generate
from kgbuild.store import load_file_into, open_store, sorted_nquads

from .conftest import replace_in


def nquads(path: Path) -> bytes:
    return sorted_nquads(open_store(path, read_only=True))


def copy_article(data: Path, old: str, new: str) -> None:
    for src, dst in ((data / "articles" / f"{old}.txt", data / "articles" / f"{new}.txt"),
                     (data / "articles" / f"{old}.yaml", data / "articles" / f"{new}.yaml"),
                     (data / "annotations" / f"{old}.yaml", data / "annotations" / f"{new}.yaml")):
        dst.write_text(src.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_re_adding_an_unchanged_article_changes_nothing(tmp_path, built_store):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    report = add_document(store, None, "article-001")
    assert report.claims > 0 and report.edges_touched > 0
    assert nquads(store) == nquads(built_store)


def test_a_changed_article_gives_the_full_build(tmp_path, built_store, data_copy):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    annotations = data_copy / "annotations" / "article-001.yaml"
    replace_in(annotations, "status: asserted", "status: denied", count=4)  # edges lose their derivations
    full = tmp_path / "full"
    build(full, data=data_copy, check=False)
    assert nquads(full) != nquads(built_store)
    add_document(store, data_copy, "article-001")
    assert nquads(store) == nquads(full)


def test_a_new_article_gives_the_full_build(tmp_path, built_store, data_copy):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    copy_article(data_copy, "article-001", "article-002")
    replace_in(data_copy / "annotations" / "article-002.yaml", "status: asserted", "status: negated", count=2)
    full = tmp_path / "full"
    build(full, data=data_copy, check=False)
    add_document(store, data_copy, "article-002")
    assert nquads(store) == nquads(full)
    # and changing it back out again is the same as a build without it
    with pytest.raises(GeokgError, match="no annotation file for document 'article-003'"):
        add_document(store, data_copy, "article-003")


def test_only_the_article_and_its_edges_are_touched(tmp_path):
    """Into a synthetic store: every quad that was there stays."""
    file = tmp_path / "g.nq"
    generate(file, triples=20_000, seed=5)
    store = tmp_path / "store"
    load_file_into(store, file)
    before = set(nquads(store).split(b"\n"))
    add_document(store, None, "article-001")
    after = set(nquads(store).split(b"\n"))
    assert before < after
    added = after - before
    assert any(b"<https://w3id.org/geokg/doc/article-001> ." in q for q in added)
    assert any(b"/derived/backs/russia/" in q for q in added)
    assert not any(b"synth-" in q for q in added)


def test_a_bad_article_leaves_the_store_as_it_was(tmp_path, built_store, data_copy):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    replace_in(data_copy / "annotations" / "article-001.yaml", "document: article-001", "document: article-009")
    with pytest.raises(GeokgError):
        add_document(store, data_copy, "article-001")
    assert nquads(store) == nquads(built_store)
    assert isinstance(open_store(store), ox.Store)
