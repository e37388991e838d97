"""The analyst's loop does not lose data (issue 12): ingest survives being killed and being run
twice at once, and a build never silently drops documents the store holds. Real processes,
real spaCy pipeline, real store."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kgbuild.build import build, stored_documents
from kgbuild.errors import GeokgError
from kgbuild.ingest import ingest
from kgbuild.paths import data_dir

ARTICLE = """Title: {title}
Source: geokg test
Date: 2021-06-21

{body}
"""
BODIES = [
    "The European Union imposed sanctions on Belarus on Monday after the forced landing of a Ryanair flight.",
    "Canada and Britain also sanctioned Belarusian officials, and the United States said it backed the measures.",
    "Lithuania said it would send troops to its border with Belarus as migrant crossings rose.",
]


def workspace(root: Path) -> tuple[Path, Path]:
    data = root / "data"
    shutil.copytree(data_dir(), data, ignore=shutil.ignore_patterns("dev", "local.yaml"))
    store = root / "store"
    build(store, data=data, check=False)
    return data, store


def write_article(folder: Path, name: str, title: str, body: str) -> Path:
    path = folder / name
    path.write_text(ARTICLE.format(title=title, body=body), encoding="utf-8")
    return path


def kgbuild(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kgbuild", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_ingests_at_once_keep_both_articles(tmp_path):
    """Same date and title: without the data lock both picked the same document id."""
    data, store = workspace(tmp_path)
    a = write_article(tmp_path, "a.txt", "Sanctions on Belarus", BODIES[0])
    b = write_article(tmp_path, "b.txt", "Sanctions on Belarus", BODIES[1])
    procs = [kgbuild("--store", str(store), "ingest", "--data", str(data), "--silent", str(p)) for p in (a, b)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    ids = sorted(p.stem for p in (data / "articles").glob("2021-06-21-*.txt"))
    assert ids == ["2021-06-21-sanctions-on-belarus", "2021-06-21-sanctions-on-belarus-2"]
    texts = {(data / "articles" / f"{i}.txt").read_text(encoding="utf-8") for i in ids}
    assert len(texts) == 2
    assert set(ids) <= stored_documents(store)


def test_an_interrupted_ingest_is_completed_by_the_next(tmp_path):
    """The state a crash between writing the files and updating the store leaves: the files and
    the journal entry. The next ingest completes it and says so; nothing is skipped as 'already
    ingested' while missing from the store."""
    data, store = workspace(tmp_path)
    first = write_article(tmp_path, "first.txt", "EU sanctions Belarus", BODIES[0])
    ingest([str(first)], store=store, data=data, update_store=False)   # files only, as a crash leaves them
    doc = "2021-06-21-eu-sanctions-belarus"
    assert (data / "annotations" / f"{doc}.yaml").exists() and doc not in stored_documents(store)
    (data / ".ingest-journal").mkdir(exist_ok=True)
    (data / ".ingest-journal" / doc).write_text(str(first) + "\n", encoding="utf-8")
    second = write_article(tmp_path, "second.txt", "Lithuania border", BODIES[2])
    report = ingest([str(first), str(second)], store=store, data=data)
    assert report.recovered == [doc]
    assert "interrupted ingest" in report.summary(0.6)
    assert [d for _, d in report.duplicates] == [doc]
    assert {doc, "2021-06-21-lithuania-border"} <= stored_documents(store)
    assert not any((data / ".ingest-journal").iterdir())


def test_an_incomplete_interrupted_article_is_undone(tmp_path):
    data, store = workspace(tmp_path)
    doc = "2021-06-21-half-written"
    (data / "articles" / f"{doc}.txt").write_text("half", encoding="utf-8")
    (data / ".ingest-journal").mkdir()
    (data / ".ingest-journal" / doc).write_text("x\n", encoding="utf-8")
    article = write_article(tmp_path, "ok.txt", "Lithuania border", BODIES[2])
    report = ingest([str(article)], store=store, data=data)
    assert not (data / "articles" / f"{doc}.txt").exists()
    assert any("undone" in w for w in report.warnings)
    assert doc not in stored_documents(store) and "2021-06-21-lithuania-border" in stored_documents(store)


def test_ingest_killed_midway_loses_nothing(tmp_path):
    """SIGKILL as soon as an article's journal entry appears, then ingest again: every article
    whose files are in the data folder is in the store."""
    data, store = workspace(tmp_path)
    articles = [write_article(tmp_path, f"k{i}.txt", f"Belarus item {i}", body) for i, body in enumerate(BODIES)]
    proc = kgbuild("--store", str(store), "ingest", "--data", str(data), "--silent", *map(str, articles))
    journal = data / ".ingest-journal"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.is_dir() and any(journal.iterdir()):
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.communicate(timeout=60)
    again = kgbuild("--store", str(store), "ingest", "--data", str(data), "--silent", *map(str, articles))
    out, err = again.communicate(timeout=300)
    assert again.returncode in (0, 1), err
    on_disk = {p.stem for p in (data / "annotations").glob("2021-06-21-*.yaml")}
    assert len(on_disk) == 3, err
    assert on_disk <= stored_documents(store)
    assert not journal.exists() or not any(journal.iterdir())


def test_build_refuses_to_drop_documents(tmp_path):
    data, store = workspace(tmp_path)
    ingest([str(write_article(tmp_path, "x.txt", "Lithuania border", BODIES[2]))], store=store, data=data)
    before = stored_documents(store)
    other = tmp_path / "other"
    shutil.copytree(data_dir(), other, ignore=shutil.ignore_patterns("dev", "local.yaml"))
    with pytest.raises(GeokgError, match="would drop 1 document"):
        build(store, data=other, check=False)
    assert stored_documents(store) == before
    build(store, data=other, check=False, allow_drop=True)
    assert stored_documents(store) == before - {"2021-06-21-lithuania-border"}


def test_build_reads_kgbuild_data(tmp_path):
    """The build follows $KGBUILD_DATA like ingest does (it read the project's data/ instead)."""
    data, store = workspace(tmp_path)
    ingest([str(write_article(tmp_path, "x.txt", "Lithuania border", BODIES[2]))], store=store, data=data)
    env = dict(os.environ, KGBUILD_DATA=str(data), KGBUILD_STORE=str(store))
    done = subprocess.run([sys.executable, "-m", "kgbuild", "build", "--no-check"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "2021-06-21-lithuania-border" in stored_documents(store)
    env["KGBUILD_DATA"] = str(tmp_path / "nowhere")
    refused = subprocess.run([sys.executable, "-m", "kgbuild", "build", "--no-check"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "no annotation files" in refused.stderr
    assert "2021-06-21-lithuania-border" in stored_documents(store)


def test_ingest_then_build_validates_undated_and_laid_out_articles(tmp_path):
    """Issue 12: ingest then build passed no validation when an article had no date. An undated
    article is known to be published no later than the day it was ingested (gk:dateNotAfter);
    an article laid out like data/articles (X.txt beside X.yaml) keeps its metadata."""
    import datetime
    import yaml
    data, store = workspace(tmp_path)
    undated = tmp_path / "undated.txt"
    undated.write_text(BODIES[2] + "\n", encoding="utf-8")
    laid_out = tmp_path / "laid-out.txt"
    laid_out.write_text(BODIES[0] + "\n", encoding="utf-8")
    (tmp_path / "laid-out.yaml").write_text(
        "id: x\ntitle: EU sanctions Belarus after Ryanair diversion\npublisher: geokg test\n"
        "date_published: 2021-05-24\n", encoding="utf-8")
    report = ingest([str(undated), str(laid_out)], store=store, data=data)
    assert len(report.ingested) == 2, report.summary(0.6)
    metas = {i: yaml.safe_load((data / "articles" / f"{i}.yaml").read_text(encoding="utf-8")) for i in report.ingested}
    dated = [m for m in metas.values() if m.get("date_published")]
    assert [m["title"] for m in dated] == ["EU sanctions Belarus after Ryanair diversion"]
    assert str(dated[0]["date_published"]) == "2021-05-24" and dated[0]["publisher"] == "geokg test"
    undated_meta = next(m for m in metas.values() if not m.get("date_published"))
    assert str(undated_meta["date_not_after"]) == datetime.date.today().isoformat()
    result = build(store, data=data, check=True)
    assert result.validation.conforms


def test_ingesting_the_dev_articles_then_building_passes_validation(tmp_path):
    """Issue 12's first finding: ingest of the dev articles, then `kgbuild build`, ended with
    validation problems (de facto states as regions, deployments to a shoal as a recipient,
    undated flights). The articles include the recognition of the Donetsk and Luhansk
    'people's republics', Transnistria, Kashmir and the Second Thomas Shoal."""
    data, store = workspace(tmp_path)
    folders = [data_dir() / "dev" / "articles", data_dir() / "dev" / "blind-5" / "articles",
               data_dir() / "dev" / "blind-7" / "articles"]
    report = ingest([str(f) for f in folders], store=store, data=data)
    assert not report.failed and len(report.ingested) >= 30, report.summary(0.6)
    result = build(store, data=data, check=True)
    assert result.validation.conforms, result.validation.text()
