"""Shared fixtures: the project's real data, built once into a temporary store."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kgbuild.paths import data_dir

ARTICLE = "article-001"


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The seed article built (without validation, which has its own tests) into a store."""
    from kgbuild.build import build
    path = tmp_path_factory.mktemp("store") / "store"
    build(path, check=False)
    return path


@pytest.fixture(scope="session")
def store(built_store):
    from kgbuild.store import open_store
    return open_store(built_store, read_only=True)


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target, ignore=shutil.ignore_patterns("dev", "*.pyc"))
    return target


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
