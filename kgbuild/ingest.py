"""The ingest stage: plain-text articles -> article files + machine annotations -> the store.

`ingest(paths, store=..., data=...)` reads each article (a file, a folder of .txt files, or
'-' for stdin), with optional header lines

    Title: …
    Source: …
    Date: YYYY-MM-DD
    URL: …
    <blank line>
    body…

extracts its claims (kgbuild.extract), writes data/articles/<id>.txt, <id>.yaml (metadata)
and data/annotations/<id>.yaml (machine-made, correctable), stores the unlinked entities it
minted in data/reference/local.yaml, and adds the document to the store. Each article is
all-or-nothing: if any step fails, its files are removed and the store is left as it was.
The same text (SHA-256 of the body) is never ingested twice.

Crashes and concurrent runs: an ingest holds an exclusive lock on the data folder
(`.ingest.lock`), so two runs at once take turns and never pick the same document id. Before
an article's files are written, a journal entry (`.ingest-journal/<id>`) records it; the entry
is removed once the store has the document. A run killed in between leaves the entry, and the
next ingest completes that article's store update (or removes its partial files) before it
does anything else, and says so.
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import yaml

from .errors import GeokgError

MAX_BYTES = 2_000_000
PARSER_MAX_CHARS = 1_000_000   # spaCy's nlp.max_length: the parser's memory grows with the text
HEADER = re.compile(r"^(Title|Source|Date|URL|Url|Author)\s*:\s*(.*)$")
DATA_ENV = "KGBUILD_DATA"


@dataclass
class Article:
    origin: str            # the file (or "<stdin>") it came from
    text: str              # the body, as stored
    title: str | None = None
    source: str | None = None
    date: datetime.date | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    relations: Counter = field(default_factory=Counter)
    unlinked: Counter = field(default_factory=Counter)
    low_confidence: list[tuple[str, str, float, str]] = field(default_factory=list)
    without_claims: list[str] = field(default_factory=list)   # ingested, but no relation was found
    words: int = 0
    seconds_extract: float = 0.0
    seconds_store: float = 0.0
    store_method: str = ""
    recovered: list[str] = field(default_factory=list)   # finished after an interrupted run

    def summary(self, threshold: float) -> str:
        lines = [f"ingested {len(self.ingested)} article(s), {len(self.duplicates)} already present, "
                 f"{len(self.failed)} failed; {self.words} words"]
        if self.recovered:
            lines.append(f"completed {len(self.recovered)} article(s) an interrupted ingest had left out of the store: "
                         + ", ".join(self.recovered))
        if self.relations:
            lines.append("claims per relation: " + ", ".join(f"{r} {n}" for r, n in sorted(self.relations.items())))
        if self.without_claims:
            lines.append(f"no claims found in {len(self.without_claims)} article(s) (ingested as documents "
                         f"without claims): " + ", ".join(self.without_claims[:20]))
        if self.unlinked:
            lines.append(f"entities not linked ({len(self.unlinked)}): " +
                         ", ".join(f"{e} ×{n}" for e, n in self.unlinked.most_common(15)))
        if self.low_confidence:
            lines.append(f"claims below confidence {threshold} ({len(self.low_confidence)}):")
            for doc, cid, conf, text in self.low_confidence[:20]:
                lines.append(f"  {doc} {cid} {conf:.2f} {text[:90]!r}")
        for origin, why in self.duplicates:
            lines.append(f"already ingested: {origin} (same text as {why})")
        for origin, why in self.failed:
            lines.append(f"FAILED {origin}: {why}")
        return "\n".join(lines)


def data_folder(explicit: str | os.PathLike | None = None) -> Path:
    """--data, else $KGBUILD_DATA, else the project's data/."""
    from .paths import data_dir
    if explicit:
        return Path(explicit)
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else data_dir()


# ---------------------------------------------------------------------- reading
def decode(raw: bytes, origin: str) -> tuple[str, list[str]]:
    """UTF-8 text, or text in another encoding (with a warning); binary data is refused."""
    warnings = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:65536]:
        raise GeokgError("this is a binary file, not text (it contains NUL bytes)", path=origin)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        encoding = None
        try:
            from charset_normalizer import from_bytes
            best = from_bytes(raw).best()
            encoding = best.encoding if best is not None else None
        except ImportError:
            encoding = "cp1252"
        if not encoding:
            raise GeokgError(f"the file is not UTF-8 text and its encoding could not be recognised ({exc})",
                             path=origin) from exc
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc2:
            raise GeokgError(f"the file is not UTF-8 text and does not decode as {encoding}: {exc2}",
                             path=origin) from exc2
        warnings.append(f"{origin}: not UTF-8; decoded as {encoding} (stored as UTF-8)")
    controls = [i for i, ch in enumerate(text) if (ord(ch) < 32 and ch not in "\n\r\t\f") or ord(ch) == 127]
    if controls:
        # news text never holds control characters: a binary file, or a broken conversion
        first = controls[0]
        line = text.count("\n", 0, first) + 1
        column = first - (text.rfind("\n", 0, first) + 1) + 1
        raise GeokgError(f"the text holds {len(controls)} control character(s), the first U+{ord(text[first]):04X} "
                         f"at line {line}, column {column}: not plain text", path=origin,
                         hint="remove them (e.g. tr -d '\\000-\\010\\013\\016-\\037'), or convert the file to plain text")
    if len(text) > PARSER_MAX_CHARS:
        raise GeokgError(f"the article is {len(text):,} characters long, more than the {PARSER_MAX_CHARS:,} the parser "
                         f"reads at once", path=origin, hint="split it into articles")
    return text, warnings


def parse_article(text: str, origin: str, *, date: datetime.date | None = None, source: str | None = None) -> Article:
    """Split optional header lines from the body; --date and --source override the headers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    headers: dict[str, str] = {}
    body_start = 0
    if lines and HEADER.match(lines[0].strip()):
        for n, line in enumerate(lines):
            if not line.strip():
                body_start = n + 1
                break
            m = HEADER.match(line.strip())
            if not m:
                raise GeokgError(f"line {n + 1} is neither a header ('Title:', 'Source:', 'Date:', 'URL:') "
                                 "nor the blank line before the body", path=origin, line=n + 1,
                                 hint="put a blank line between the header lines and the body")
            headers[m.group(1).lower()] = m.group(2).strip()
        else:
            body_start = len(lines)
    body = "\n".join(lines[body_start:]).strip("\n")
    body = "\n".join(line.rstrip() for line in body.split("\n")).strip() + "\n"
    if not body.strip():
        raise GeokgError("the article is empty (no body text)", path=origin)
    article = Article(origin=origin, text=body, title=headers.get("title"), source=headers.get("source"),
                      url=headers.get("url"))
    if "date" in headers:
        value = headers["date"]
        try:
            article.date = datetime.date.fromisoformat(value)
        except ValueError:
            line = next(i + 1 for i, l in enumerate(lines) if l.strip().lower().startswith("date"))
            raise GeokgError(f"the Date header {value!r} is not a date (YYYY-MM-DD)", path=origin, line=line,
                             hint="write e.g. 'Date: 2019-03-24', or pass --date") from None
    if date:
        article.date = date
    if source:
        article.source = source
    return article


def read_inputs(paths: Iterable[str], *, max_bytes: int = MAX_BYTES, date=None, source=None,
                stdin=None) -> tuple[list[Article], list[tuple[str, str]], list[str]]:
    """Read every input; returns (articles, failures, warnings). Folders give their *.txt files."""
    files: list[str] = []
    for p in paths:
        if p == "-":
            files.append("-")
        elif Path(p).is_dir():
            files += [str(f) for f in sorted(Path(p).rglob("*.txt"))]
        else:
            files.append(p)
    articles, failures, warnings = [], [], []
    for f in files:
        try:
            if f == "-":
                raw = (stdin or sys.stdin.buffer).read(max_bytes + 1)
                origin = "<stdin>"
            else:
                origin = f
                path = Path(f)
                if not path.exists():
                    raise GeokgError("no such file", path=f)
                if path.stat().st_size > max_bytes:
                    raise GeokgError(f"the file is {path.stat().st_size:,} bytes, more than the limit of "
                                     f"{max_bytes:,} for one article", path=f,
                                     hint="split it into articles, or raise --max-bytes")
                raw = path.read_bytes()
            if len(raw) > max_bytes:
                raise GeokgError(f"the input is more than the limit of {max_bytes:,} bytes for one article",
                                 path=origin)
            if not raw.strip():
                raise GeokgError("the file is empty", path=origin)
            text, warn = decode(raw, origin)
            article = parse_article(text, origin, date=date, source=source)
            if f != "-":
                sidecar_metadata(article, Path(f).with_suffix(".yaml"))
            article.warnings += warn
            warnings += warn
            articles.append(article)
        except GeokgError as exc:
            failures.append((f if f != "-" else "<stdin>", str(exc)))
        except OSError as exc:
            failures.append((f, f"cannot read: {exc}"))
    return articles, failures, warnings


def sidecar_metadata(article: Article, path: Path) -> None:
    """An article laid out like data/articles (X.txt with its metadata in X.yaml) keeps its title,
    publisher, date and URL; header lines and --date/--source win over the file."""
    if not path.is_file():
        return
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        article.warnings.append(f"{path}: metadata not read ({exc.__class__.__name__})")
        return
    if not isinstance(meta, dict):
        return
    article.title = article.title or (str(meta["title"]) if meta.get("title") else None)
    article.source = article.source or (str(meta["publisher"]) if meta.get("publisher") else None)
    article.url = article.url or (str(meta["url"]) if meta.get("url") else None)
    if article.date is None and meta.get("date_published"):
        value = meta["date_published"]
        try:
            article.date = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
        except ValueError:
            article.warnings.append(f"{path}: date_published {value!r} is not a date (YYYY-MM-DD); ignored")


# ---------------------------------------------------------------------- writing
def known_hashes(data: Path) -> dict[str, str]:
    """text hash -> document id, over the articles already in the data folder."""
    out = {}
    for path in sorted((data / "articles").glob("*.txt")):
        out[hashlib.sha256(path.read_bytes()).hexdigest()] = path.stem
    return out


def document_id_for(article: Article, taken: set[str]) -> str:
    from .link import slug
    base = (article.date.isoformat() + "-" if article.date else "") + slug(article.title or article.text[:60])[:48]
    base = base.strip("-") or "article"
    eid, n = base, 2
    while eid in taken:
        eid, n = f"{base}-{n}", n + 1
    return eid


def _meta(article: Article, doc_id: str) -> dict:
    first = article.text.strip().split("\n", 1)[0].strip()
    # an undated article was published no later than the day it was ingested (docs/annotations.md)
    meta = {"id": doc_id, "title": article.title or first[:200], "publisher": article.source,
            "url": article.url, "date_published": article.date,
            "date_not_after": None if article.date else datetime.date.today(), "language": "en",
            "content_sha256": article.sha256, "ingested_from": article.origin,
            "ingested": datetime.date.today()}
    return {k: v for k, v in meta.items() if v is not None}


def ingest(paths: Iterable[str], *, store: Path, data: Path | None = None, pipeline: str | None = None,
           date: datetime.date | None = None, source: str | None = None, max_bytes: int = MAX_BYTES,
           threshold: float = 0.6, n_process: int = 1, update_store: bool = True, stdin=None,
           progress: Callable[[Iterable, int], Iterable] | None = None) -> IngestReport:
    """Ingest articles; see the module docstring. Raises GeokgError only for problems that stop
    everything (no pipeline, unreadable reference); problems of one article are in the report."""
    data = data_folder(data)
    report = IngestReport()
    articles, failures, warnings = read_inputs(paths, max_bytes=max_bytes, date=date, source=source, stdin=stdin)
    report.failed += failures
    report.warnings += warnings
    if not articles:
        return report
    data.mkdir(parents=True, exist_ok=True)
    with data_lock(data):
        if update_store:
            recover(store, data, report)
        return _ingest_locked(articles, report, store=store, data=data, pipeline=pipeline, threshold=threshold,
                              n_process=n_process, update_store=update_store, progress=progress)


@contextlib.contextmanager
def data_lock(data: Path):
    """An exclusive lock on the data folder for one ingest (waits for another run to finish)."""
    with open(data / ".ingest.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _journal(data: Path) -> Path:
    return data / ".ingest-journal"


def _article_files(data: Path, doc_id: str) -> list[Path]:
    """An article's three files: body, metadata, annotations."""
    return [data / "articles" / f"{doc_id}.txt", data / "articles" / f"{doc_id}.yaml",
            data / "annotations" / f"{doc_id}.yaml"]


def _write_atomic(path: Path, text: str) -> None:
    """A file is either absent or complete, never half-written."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def recover(store: Path, data: Path, report: "IngestReport") -> None:
    """Finish or undo the articles an interrupted ingest left in its journal."""
    journal = _journal(data)
    if not journal.is_dir():
        return
    for entry in sorted(journal.iterdir()):
        doc_id = entry.name
        files = _article_files(data, doc_id)
        if all(f.exists() for f in files):
            try:
                _update_store(store, data, doc_id, report)
            except GeokgError as exc:
                report.warnings.append(f"an interrupted ingest of {doc_id} could not be completed: {exc}")
                continue
            report.recovered.append(doc_id)
        else:
            for f in files:
                f.unlink(missing_ok=True)
            report.warnings.append(f"an interrupted ingest of {doc_id} was undone (its files were incomplete)")
        entry.unlink()


def _ingest_locked(articles, report, *, store, data, pipeline, threshold, n_process, update_store, progress):
    from .extract import load_pipeline
    from .link import Snapshot
    nlp = load_pipeline(pipeline)
    snapshot = Snapshot.load(data / "reference")
    for sub in ("articles", "annotations", "reference"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    hashes = known_hashes(data)
    taken = {p.stem for p in (data / "articles").glob("*.txt")} | {p.stem for p in (data / "annotations").glob("*.yaml")}
    todo = []
    for article in articles:
        if article.sha256 in hashes:
            report.duplicates.append((article.origin, hashes[article.sha256]))
            continue
        hashes[article.sha256] = "(this run)"
        todo.append(article)
    ann_dir = data / "annotations"
    jobs = []
    for article in todo:  # ids are chosen in input order, before the work is shared out
        doc_id = document_id_for(article, taken)
        taken.add(doc_id)
        jobs.append((doc_id, article.text, article.date, article.source, article.origin,
                     _meta(article, doc_id), str(ann_dir / f"{doc_id}.yaml")))
    local_path = data / "reference" / "local.yaml"
    local_ids = _local_ids(local_path)
    with _extraction(nlp, snapshot, n_process) as extract:
        iterator = zip(todo, extract(jobs))
        if progress is not None and len(todo) > 1:
            iterator = progress(iterator, len(todo))
        for article, (doc_id, outcome) in iterator:
            files = _article_files(data, doc_id)
            local_before = local_path.read_bytes() if local_path.exists() else None
            t0 = time.perf_counter()
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                result, local, meta_text, annotation_text = outcome
                entry = _journal(data) / doc_id
                if update_store:
                    entry.parent.mkdir(exist_ok=True)
                    entry.write_text(article.origin + "\n", encoding="utf-8")
                local_ids = _write_local(local_path, local, local_ids)
                _write_atomic(files[0], article.text)
                _write_atomic(files[1], meta_text)
                _write_atomic(files[2], annotation_text)
                report.seconds_extract += time.perf_counter() - t0
                t1 = time.perf_counter()
                if update_store:
                    _update_store(store, data, doc_id, report)
                    entry.unlink()
                report.seconds_store += time.perf_counter() - t1
            except Exception as exc:  # all-or-nothing: undo this article's files
                (_journal(data) / doc_id).unlink(missing_ok=True)
                for f in files:
                    if f.exists():
                        f.unlink()
                if local_before is None:
                    if local_path.exists():
                        local_path.unlink()
                else:
                    local_path.write_bytes(local_before)
                local_ids = _local_ids(local_path)
                message = str(exc) if isinstance(exc, (GeokgError, _ArticleFailed)) else f"{type(exc).__name__}: {exc}"
                report.failed.append((article.origin, message))
                continue
            report.ingested.append(doc_id)
            if not result["claims"]:
                report.without_claims.append(doc_id)
            report.words += article.words
            for claim in result["claims"]:
                report.relations[claim["relation"]] += 1
                if claim.get("confidence", 1.0) < threshold:
                    report.low_confidence.append((doc_id, claim["id"], claim["confidence"], claim["text"]))
            for eid in local:
                report.unlinked[local[eid]["label"]] += 1
    return report


# ---------------------------------------------------------------------- extraction workers
# Everything an article needs up to its file contents (parse, linking, rules, the annotation
# YAML and its checks) runs in worker processes; the main process only writes files and
# updates the store. Workers are forked after the pipeline and the snapshot are loaded, so they
# share them instead of loading them again.
_STATE: dict = {}


class _ArticleFailed(Exception):
    """An article's problem, carried back from a worker as text (GeokgError's message)."""


def _extract_batch(jobs):
    from .extract import prepare
    """Several articles: parsed together (nlp.pipe batches them, about 15% faster than one by
    one), then each extracted on its own. A batch that fails to parse is redone one by one."""
    try:
        docs = list(_STATE["nlp"].pipe([prepare(job[1]) for job in jobs], batch_size=len(jobs)))
    except Exception:  # noqa: BLE001 - each article then reports its own problem
        docs = [None] * len(jobs)
    return [_extract_one(job, doc) for job, doc in zip(jobs, docs)]


def _extract_one(job, doc=None):
    """One article -> (doc_id, (result, local entities, metadata YAML, annotation YAML)), or
    (doc_id, exception). Pure function of the article: the snapshot's minted local entities are
    reset first, so the outcome does not depend on which worker had which article."""
    from .extract import annotate
    doc_id, text, date, source, origin, meta, ann_path = job
    nlp, snapshot, known = _STATE["nlp"], _STATE["snapshot"], _STATE["entities"]
    try:
        snapshot.local.clear()
        result = annotate(text, document_id=doc_id, nlp=nlp, reference=snapshot, doc=doc,
                          meta={"date": date, "source": source})
        local = result.pop("local_entities")
        annotation_text = dump_annotations(result)
        check_annotations(Path(ann_path), result, text, known | set(snapshot.local))
        meta_text = "# Metadata written by kgbuild ingest.\n" + yaml.dump(
            meta, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True)
        return doc_id, (result, local, meta_text, annotation_text)
    except GeokgError as exc:
        return doc_id, GeokgError(str(exc))
    except Exception as exc:  # noqa: BLE001 - reported per article, as before
        return doc_id, _ArticleFailed(f"{type(exc).__name__}: {exc}")
    finally:
        snapshot.local.clear()


class _extraction:
    """`with _extraction(nlp, snapshot, n) as extract: extract(jobs)` yields outcomes in order,
    from n forked worker processes (n > 1) or in this process."""

    def __init__(self, nlp, snapshot, n_process: int):
        self.n = max(1, int(n_process or 1))
        self.pool = None
        _STATE.update(nlp=nlp, snapshot=snapshot, entities=frozenset(snapshot.items))

    def __enter__(self):
        import multiprocessing
        if self.n > 1:
            self.pool = multiprocessing.get_context("fork").Pool(self.n)
        return self.extract

    def extract(self, jobs):
        size = max(1, min(16, len(jobs) // (self.n * 4)))
        batches = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        if self.pool is None or len(batches) < 2:
            results = map(_extract_batch, batches)
        else:
            results = self.pool.imap(_extract_batch, batches)
        return (outcome for batch in results for outcome in batch)

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
        return False


def check_annotations(path: Path, raw: dict, text: str, entities: set[str]) -> None:
    """Run the annotation parser's checks (kgbuild.annotations) on the mapping just written,
    without parsing the YAML back (the round trip cost more than the extraction)."""
    from .annotations import _Checker, read_annotations
    if getattr(yaml, "__with_libyaml__", False):
        _Checker(Path(path), text, entities).document(raw)
    else:
        read_annotations(path, text=text, entities=entities)


def _local_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {str(i["id"]) for i in items if isinstance(i, dict) and i.get("id")}


def _write_local(path: Path, local: dict[str, dict], have: set[str] | None = None) -> set[str]:
    """Add newly minted unlinked entities to local.yaml; returns the ids it now holds. `have`
    (the ids already in the file) spares reading the file when nothing is new."""
    if have is None:
        have = _local_ids(path)
    if not local or all(eid in have for eid in local):
        return have
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    items = (yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []) if path.exists() else []
    have = {str(i["id"]) for i in items if isinstance(i, dict) and i.get("id")}
    added = False
    for eid, item in sorted(local.items()):
        if eid not in have:
            items.append({"id": eid, "type": item["type"], "label": item["label"], "linked": False,
                          "first_seen": item.get("first_seen")})
            have.add(eid)
            added = True
    if added or not path.exists():
        header = ("# Entities the extractor found but could not link to the reference snapshot (written by\n"
                  "# kgbuild ingest). Each has a local id, a type and a label, and `linked: false`.\n"
                  "# To link one, add it (with its Wikidata id) to world-curated.yaml and re-annotate.\n")
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        path.write_text(header + yaml.dump(items, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return have


def _update_store(store: Path, data: Path, doc_id: str, report: IngestReport) -> None:
    """Add the document to the store: incrementally (build.add_document) into an existing store,
    else a full build that creates it."""
    from . import build as build_module
    store = Path(store)
    exists = store.exists() and any(store.iterdir())
    if exists and hasattr(build_module, "add_document"):
        build_module.add_document(store, data=data, document_id=doc_id)
        report.store_method = "add_document"
    else:
        build_module.build(store, data=data, check=False)
        report.store_method = "build"


class _Flow(list):
    pass


def dump_annotations(result: dict) -> str:
    """The annotation mapping as YAML in the house layout (flow-style spans and mentions)."""
    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
        pass

    def flow_seq(dumper, value):
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)

    def flow_map(dumper, value):
        return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)

    class FlowMap(dict):
        pass

    Dumper.add_representer(_Flow, flow_seq)
    Dumper.add_representer(FlowMap, flow_map)
    out = dict(result)
    out["claims"] = [dict(c, span=_Flow(c["span"]), **({"not_confirmed_by": _Flow(c["not_confirmed_by"])}
                                                      if c.get("not_confirmed_by") else {}))
                     for c in result["claims"]]
    out["mentions"] = [FlowMap(entity=m["entity"], span=_Flow(m["span"]), text=m["text"]) for m in result["mentions"]]
    if not out.get("sources"):
        out.pop("sources", None)
    head = ("# Machine annotations written by kgbuild ingest (geokg-extractor). A person may correct\n"
            "# them (format: docs/annotations.md) and rebuild; set annotator: curated when checked.\n")
    return head + yaml.dump(out, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=140)


def _plain(value):
    """Dates as ISO strings: what the file holds after a YAML round trip."""
    return value


# ---------------------------------------------------------------------- benchmark
def _peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (the workers)."""
    import resource
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def make_bench_articles(folder: Path, count: int, seed: int = 7) -> int:
    """Write `count` wire-style articles recombined from the development set's paragraphs
    (different dates and orders), with header lines; returns the number of words."""
    import random
    from .paths import data_dir
    rng = random.Random(seed)
    paragraphs = []
    for path in sorted((data_dir() / "dev" / "articles").glob("*.txt")) + [data_dir() / "articles" / "article-001.txt"]:
        paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 8]
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for n in range(count):
        chosen = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(6, 10)))
        day = datetime.date(2019, 1, 1) + datetime.timedelta(days=n)
        body = "\n\n".join(chosen) + f"\n\n(Bench article {n}.)\n"
        words += len(body.split())
        (folder / f"bench-{n:04d}.txt").write_text(
            f"Title: Bench article {n}\nSource: geokg bench\nDate: {day.isoformat()}\n\n{body}", encoding="utf-8")
    return words


def run_bench(*, count: int = 500, n_process: int = 2, with_store: bool = False, pipeline: str | None = None) -> str:
    """`kgbuild bench-ingest`: ingest generated articles into a scratch data folder (a copy of the
    reference snapshot) and report words/s and peak memory."""
    import shutil
    import tempfile
    from .paths import data_dir
    with tempfile.TemporaryDirectory(prefix="geokg-bench-") as tmp:
        tmp = Path(tmp)
        inputs = tmp / "in"
        make_bench_articles(inputs, count)
        data = tmp / "data"
        shutil.copytree(data_dir() / "reference", data / "reference")
        (data / "reference" / "local.yaml").unlink(missing_ok=True)
        if with_store:
            shutil.copytree(data_dir() / "articles", data / "articles")
            shutil.copytree(data_dir() / "annotations", data / "annotations")
        cpu0 = _cpu_seconds()
        t0 = time.perf_counter()
        report = ingest([str(inputs)], store=tmp / "store", data=data, pipeline=pipeline, n_process=n_process,
                        update_store=with_store)
        seconds = time.perf_counter() - t0
        cpu = _cpu_seconds() - cpu0
        own, children = _peak_rss_mb()
        lines = [
            f"articles: {len(report.ingested)} ingested, {len(report.failed)} failed, {len(report.duplicates)} duplicates",
            f"words: {report.words}",
            f"wall time: {seconds:.1f} s (extraction and files {report.seconds_extract:.1f} s in the main process"
            + (f", store {report.seconds_store:.1f} s" if with_store else ", store not updated") + ")",
            f"throughput: {report.words / seconds:,.0f} words/s end to end with n_process={n_process}",
            f"CPU time: {cpu:.1f} s (main process and workers), {report.words / cpu:,.0f} words per CPU-second; "
            f"{cpu / seconds:.2f} cores busy on average (the rest of the machine's load takes the others)",
            f"peak RSS: main process {own:,.0f} MB, largest worker {children:,.0f} MB",
            "claims: " + ", ".join(f"{r} {n}" for r, n in sorted(report.relations.items())),
        ]
        for origin, why in report.failed[:5]:
            lines.append(f"failed: {origin}: {why}")
        return "\n".join(lines)
