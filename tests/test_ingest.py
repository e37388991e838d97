"""kgbuild ingest end to end (real spaCy pipeline, real store), and its bad inputs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgbuild.cli import cli
from kgbuild.ingest import parse_article
from kgbuild.errors import GeokgError

NEW = """Title: Russia sends bombers to Venezuela
Source: geokg test
Date: 2018-12-11

Russia and Cuba are the closest allies of Venezuela. The United States imposed sanctions on Venezuela's state oil company last month.

Venezuelan President Nicolas Maduro has repeatedly denied that Russian troops are in the country.
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A data folder (the seed article + the reference snapshot) built into a store."""
    from kgbuild.build import build
    from kgbuild.paths import data_dir
    root = tmp_path_factory.mktemp("ingest")
    data = root / "data"
    shutil.copytree(data_dir(), data, ignore=shutil.ignore_patterns("dev", "local.yaml"))
    store = root / "store"
    build(store, data=data, check=False)
    return data, store


def run(workspace, *args, input=None):
    data, store = workspace
    return CliRunner().invoke(cli, ["--store", str(store), "ingest", "--data", str(data), "--silent", *args],
                              input=input)


def export(workspace) -> bytes:
    _, store = workspace
    result = CliRunner().invoke(cli, ["--store", str(store), "export"])
    assert result.exit_code == 0
    return result.stdout_bytes


def test_ingest_adds_claims_and_dedupes(workspace, tmp_path):
    data, store = workspace
    article = tmp_path / "new.txt"
    article.write_text(NEW, encoding="utf-8")
    result = run(workspace, str(article))
    assert result.exit_code == 0, result.output
    doc = "2018-12-11-russia-sends-bombers-to-venezuela"
    assert (data / "annotations" / f"{doc}.yaml").exists() and (data / "articles" / f"{doc}.txt").exists()
    assert "claims per relation" in result.output
    claims = CliRunner().invoke(cli, ["--store", str(store), "claims", "--document", doc])
    assert '"relation": "backs"' in claims.output and '/id/cuba"' in claims.output
    assert '"relation": "deploysTo"' in claims.output and '"denied"' in claims.output
    before = export(workspace)
    again = run(workspace, str(article))
    assert again.exit_code == 0 and "already ingested" in again.output
    assert export(workspace) == before


def test_stdin_and_date_override(workspace):
    text = "Germany will send tanks to Ukraine, Chancellor Olaf Scholz said on Wednesday.\n"
    result = run(workspace, "--date", "2023-01-25", "--source", "test", "-", input=text)
    assert result.exit_code == 0, result.output
    assert "2023-01-25-germany-will-send-tanks" in result.output


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02PNG\x00" * 50, "binary"),
    ("baddate.txt", b"Title: x\nDate: 24/03/2019\n\nRussia backs Venezuela.\n", "is not a date"),
    ("noblank.txt", b"Title: x\nRussia backs Venezuela.\n", "blank line"),
    # a few control bytes in otherwise readable text (they were accepted): named with their place
    ("controls.txt", b"Russia backs Venezuela.\nChina \x07backs Russia.\x1b\n", "U+0007 at line 2, column 7"),
    # under --max-bytes but more than the parser reads at once (a raw spaCy E088 before)
    ("long.txt", b"Russia backs Venezuela. " * 45000, "more than the 1,000,000 the parser reads"),
])
def test_bad_input_is_refused_and_the_store_unchanged(workspace, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = export(workspace)
    result = run(workspace, str(path))
    assert result.exit_code == 1
    assert name in result.output and message in result.output
    assert export(workspace) == before


def test_large_file_is_refused(workspace, tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"Russia backs Venezuela. " * (10 * 1024 * 1024 // 24))
    before = export(workspace)
    result = run(workspace, str(path))
    assert result.exit_code == 1 and "big.txt" in result.output and "limit" in result.output
    assert export(workspace) == before


def test_other_encoding_is_decoded_with_a_warning(workspace, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Title: Nicolás\n\nPresident Nicolás Maduro said Russia and China are the biggest allies "
                     "of Venezuela, according to the Venezuelan government. São Paulo café.\n".encode("cp1252"))
    result = run(workspace, str(path))
    assert "not UTF-8" in result.output and "latin.txt" in result.output
    assert result.exit_code == 0, result.output


def test_unknown_pipeline(workspace, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Russia and China are allies of Venezuela.\n", encoding="utf-8")
    before = export(workspace)
    result = run(workspace, "--pipeline", "en_no_such_model", str(path))
    assert result.exit_code == 1 and "en_no_such_model" in result.output
    assert export(workspace) == before


def test_parse_article_headers():
    article = parse_article("Title: T\nURL: http://x\nDate: 2020-01-02\n\nBody text.\n", "f.txt")
    assert article.title == "T" and article.url == "http://x" and str(article.date) == "2020-01-02"
    with pytest.raises(GeokgError, match="f.txt"):
        parse_article("Title: T\nDate: 2020-13-45\n\nBody\n", "f.txt")


def test_an_article_without_claims_is_a_document(workspace, tmp_path):
    """No relation found is not a failure: the article is ingested with zero claims (exit 0) and
    the summary says so."""
    data, store = workspace
    article = tmp_path / "weather.txt"
    article.write_text("Title: Rain in the capital\nDate: 2024-05-02\n\nIt rained for most of Thursday. "
                       "Forecasters expect a dry weekend.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--store", str(store), "ingest", "--data", str(data), str(article)])
    assert result.exit_code == 0, result.output
    assert "no claims found in 1 article(s)" in result.output
    doc = "2024-05-02-rain-in-the-capital"
    assert (data / "annotations" / f"{doc}.yaml").exists()
    titles = CliRunner().invoke(cli, ["--store", str(store), "sparql",
                                      "SELECT ?t WHERE { <https://w3id.org/geokg/doc/%s> "
                                      "<https://w3id.org/geokg/ontology#title> ?t }" % doc])
    assert "Rain in the capital" in titles.output, titles.output
