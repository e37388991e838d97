"""The eval stage: machine annotations against curated ones (docs/extraction.md).

A machine claim matches a curated claim when relation, subject and object are the same
(direction matters). A claim whose object (or subject) is an event of its file is compared by
the event's type (`event:MilitaryDeployment`), since event ids are local to a file. Several
claims with the same key are paired one to one, preferring overlapping evidence spans.

Reported: precision, recall and F1 per relation and overall (micro), status accuracy on the
matched claims, linking accuracy on the curated mentions, and the number of reversed claims
(a machine claim whose subject and object are swapped against a curated claim), which must be 0.

>>> g = {"document": "d", "claims": [{"relation": "backs", "subject": "a", "object": "b", "span": [0, 5], "status": "asserted"}]}
>>> m = {"document": "d", "claims": [{"relation": "backs", "subject": "b", "object": "a", "span": [0, 5], "status": "asserted"}]}
>>> evaluate([(g, m)]).reversed
1
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from .errors import GeokgError


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class EvalReport:
    documents: list[str] = field(default_factory=list)
    per_relation: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    per_document: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    status_matched: int = 0
    status_correct: int = 0
    mentions_gold: int = 0
    mentions_found: int = 0
    mentions_correct: int = 0
    reversed: int = 0
    denied_as_fact: int = 0   # curated denied/negated, machine asserted, reported or unconfirmed
    calibration: list[tuple[float, bool]] = field(default_factory=list)  # (confidence, matched) per machine claim
    observations: list[tuple[str, float, bool]] = field(default_factory=list)  # (relation, confidence, matched)
    errors: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Counts:
        total = Counts()
        for counts in self.per_relation.values():
            total.add(counts)
        return total

    @property
    def status_accuracy(self) -> float:
        return self.status_correct / self.status_matched if self.status_matched else 0.0

    @property
    def linking_accuracy(self) -> float:
        """Curated mentions whose span the machine found and linked to the same entity."""
        return self.mentions_correct / self.mentions_gold if self.mentions_gold else 0.0

    @property
    def linking_accuracy_found(self) -> float:
        """The same, counting only the curated mentions the machine found a span for."""
        return self.mentions_correct / self.mentions_found if self.mentions_found else 0.0

    def to_dict(self) -> dict[str, Any]:
        o = self.overall
        return {
            "documents": self.documents,
            "overall": {"tp": o.tp, "fp": o.fp, "fn": o.fn, "precision": round(o.precision, 4),
                        "recall": round(o.recall, 4), "f1": round(o.f1, 4)},
            "per_relation": {r: {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": round(c.precision, 4),
                                 "recall": round(c.recall, 4), "f1": round(c.f1, 4)}
                             for r, c in sorted(self.per_relation.items())},
            "per_document": {d: {"tp": c.tp, "fp": c.fp, "fn": c.fn, "f1": round(c.f1, 4)}
                             for d, c in sorted(self.per_document.items())},
            "status_accuracy": round(self.status_accuracy, 4), "status_matched": self.status_matched,
            "linking_accuracy": round(self.linking_accuracy, 4),
            "linking_accuracy_found": round(self.linking_accuracy_found, 4),
            "mentions": {"gold": self.mentions_gold, "found": self.mentions_found, "correct": self.mentions_correct},
            "reversed": self.reversed,
            "denied_as_fact": self.denied_as_fact,
            "calibration": [{"from": lo, "to": hi, "claims": n, "correct": k,
                             "precision": round(k / n, 4) if n else None} for lo, hi, n, k in self.calibration_table()],
        }

    CALIBRATION_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)

    def calibration_table(self) -> list[tuple[float, float, int, int]]:
        """(from, to, machine claims, of which matched) per confidence bin: a claim of
        confidence c should be right about c of the time."""
        rows = []
        bins = self.CALIBRATION_BINS
        for lo, hi in zip(bins, bins[1:]):
            inside = [ok for conf, ok in self.calibration if lo <= conf < hi]
            rows.append((lo, min(hi, 1.0), len(inside), sum(inside)))
        return rows


def _norm(value: str, events: dict) -> str:
    if value in events:
        return "event:" + str((events[value] or {}).get("type", "Event"))
    return value


def _overlap(a: list[int], b: list[int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _key(claim: dict, events: dict) -> tuple[str, str, str]:
    return (claim["relation"], _norm(claim["subject"], events), _norm(claim["object"], events))


def compare(gold: dict, machine: dict, report: EvalReport) -> None:
    """Add one document's comparison to the report."""
    doc = str(gold.get("document"))
    report.documents.append(doc)
    gevents, mevents = gold.get("events") or {}, machine.get("events") or {}
    gold_by: dict[tuple, list[dict]] = defaultdict(list)
    machine_by: dict[tuple, list[dict]] = defaultdict(list)
    for claim in gold.get("claims") or []:
        gold_by[_key(claim, gevents)].append(claim)
    for claim in machine.get("claims") or []:
        machine_by[_key(claim, mevents)].append(claim)
    for key in set(gold_by) | set(machine_by):
        gs, ms = list(gold_by.get(key, [])), list(machine_by.get(key, []))
        pairs = sorted(((_overlap(g["span"], m["span"]), i, j) for i, g in enumerate(gs) for j, m in enumerate(ms)),
                       reverse=True)
        used_g, used_m = set(), set()
        for _, i, j in pairs:
            if i in used_g or j in used_m:
                continue
            used_g.add(i)
            used_m.add(j)
            report.status_matched += 1
            if gs[i].get("status") in ("denied", "negated") and ms[j].get("status") in ("asserted", "reported", "unconfirmed"):
                report.denied_as_fact += 1
                report.errors.append(f"{doc}: DENIED AS FACT {key}: curated {gs[i].get('status')}, machine {ms[j].get('status')}")
            if gs[i].get("status") == ms[j].get("status"):
                report.status_correct += 1
            else:
                report.errors.append(f"{doc}: status {key}: curated {gs[i].get('status')}, machine {ms[j].get('status')}")
        for j, m in enumerate(ms):
            report.calibration.append((float(m.get("confidence", 1.0)), j in used_m))
            report.observations.append((key[0], float(m.get("confidence", 1.0)), j in used_m))
        counts = Counts(tp=len(used_g), fp=len(ms) - len(used_m), fn=len(gs) - len(used_g))
        report.per_relation[key[0]].add(counts)
        report.per_document[doc].add(counts)
        for j, m in enumerate(ms):
            if j not in used_m:
                # reversed: the curated file reads the same statement (overlapping evidence) the
                # other way round; a reverse stated elsewhere in the article is another fact
                reverse = (key[0], key[2], key[1])
                is_reversed = key[1] != key[2] and any(_overlap(g["span"], m["span"]) > 0
                                                       for g in gold_by.get(reverse, []))
                if is_reversed:
                    report.reversed += 1
                report.errors.append(f"{doc}: {'REVERSED' if is_reversed else 'extra'} {key} "
                                     f"{m.get('text', '')[:90]!r}")
        for i, g in enumerate(gs):
            if i not in used_g:
                report.errors.append(f"{doc}: missed {key} {g.get('text', '')[:90]!r}")
    machine_mentions = machine.get("mentions") or []
    for gm in gold.get("mentions") or []:
        report.mentions_gold += 1
        best, best_overlap = None, 0
        for mm in machine_mentions:
            overlap = _overlap(gm["span"], mm["span"])
            if overlap > best_overlap:
                best, best_overlap = mm, overlap
        if best is None:
            report.errors.append(f"{doc}: mention not found {gm.get('text')!r} ({gm['entity']})")
            continue
        report.mentions_found += 1
        if best["entity"] == gm["entity"]:
            report.mentions_correct += 1
        else:
            report.errors.append(f"{doc}: mention {gm.get('text')!r} linked to {best['entity']}, "
                                 f"curated {gm['entity']}")


def evaluate(pairs: Iterable[tuple[dict, dict]]) -> EvalReport:
    """Compare (curated, machine) annotation mappings, one pair per document."""
    report = EvalReport()
    for gold, machine in pairs:
        compare(gold, machine, report)
    return report


def load_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GeokgError(f"cannot read the annotation file: {exc}", path=path) from exc
    if not isinstance(data, dict) or "claims" not in data:
        raise GeokgError("not an annotation file (no 'claims')", path=path)
    return data


def gold_files(folders: Iterable[Path]) -> list[Path]:
    """Curated annotation files (annotator: curated) in the folders."""
    out = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            if str(load_yaml(path).get("annotator")) == "curated":
                out.append(path)
    return out


def article_for(annotation_path: Path) -> Path:
    """data/.../annotations/<doc>.yaml -> data/.../articles/<doc>.txt"""
    doc = load_yaml(annotation_path).get("document") or annotation_path.stem
    return annotation_path.parent.parent / "articles" / f"{doc}.txt"


def render_report(report: EvalReport, title: str = "") -> str:
    lines = []
    if title:
        lines.append(f"== {title} ({len(report.documents)} documents)")
    lines.append(f"{'relation':<18}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>8}{'R':>8}{'F1':>8}")
    for relation, c in sorted(report.per_relation.items()):
        lines.append(f"{relation:<18}{c.tp:>5}{c.fp:>5}{c.fn:>5}{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}")
    o = report.overall
    lines.append(f"{'ALL (micro)':<18}{o.tp:>5}{o.fp:>5}{o.fn:>5}{o.precision:>8.3f}{o.recall:>8.3f}{o.f1:>8.3f}")
    lines.append(f"status accuracy (matched claims): {report.status_accuracy:.3f} "
                 f"({report.status_correct}/{report.status_matched})")
    lines.append(f"linking accuracy (curated mentions): {report.linking_accuracy:.3f} "
                 f"({report.mentions_correct}/{report.mentions_gold}); on found spans "
                 f"{report.linking_accuracy_found:.3f} ({report.mentions_correct}/{report.mentions_found})")
    lines.append(f"reversed claims: {report.reversed}")
    lines.append(f"denied or negated facts output as fact: {report.denied_as_fact}")
    lines.append("calibration (machine claims by confidence): " + "; ".join(
        f"[{lo:.1f},{hi:.1f}{']' if hi >= 1 else ')'} {k}/{n}" + (f" = {k / n:.2f}" if n else "")
        for lo, hi, n, k in report.calibration_table() if n))
    return "\n".join(lines) + "\n"


def run_eval(gold_folders: Iterable[Path], *, machine_folder: Path | None = None, pipeline: str | None = None,
             reference_folder: Path | None = None, calibrate: bool = True) -> dict[str, EvalReport]:
    """Evaluate the extractor on the curated files of each folder: run it on their articles (or
    read machine files of the same documents from `machine_folder`). Returns a report per folder
    and one for all of them ('all')."""
    gold_folders = [Path(f) for f in gold_folders]
    nlp = snapshot = None
    if machine_folder is None:
        from .extract import load_pipeline
        from .link import Snapshot
        nlp = load_pipeline(pipeline)
        snapshot = Snapshot.load(reference_folder)
    reports: dict[str, EvalReport] = {}
    everything = EvalReport()
    for folder in gold_folders:
        report = EvalReport()
        for path in gold_files([folder]):
            gold = load_yaml(path)
            if machine_folder is not None:
                mpath = Path(machine_folder) / f"{gold['document']}.yaml"
                if not mpath.exists():
                    raise GeokgError("no machine annotation for this curated file", path=mpath)
                machine = load_yaml(mpath)
            else:
                from .extract import annotate
                from .reference import read_article
                article = read_article(article_for(path))
                meta = {"date": article.date_published or article.date_not_before or article.event_date}
                machine = annotate(article.text, document_id=str(gold["document"]), meta=meta, nlp=nlp,
                                   reference=snapshot, calibrate=calibrate)
            compare(gold, machine, report)
            compare(gold, machine, everything)
        reports[str(folder)] = report
    reports["all"] = everything
    return reports


# ---------------------------------------------------------------------- blind batches
# A blind batch is scored once, before anyone reads its failures; its figures are recorded in
# data/dev/blind-batches.yaml and never recomputed (after it is folded into the dev set, a new
# run on it is an upper bound, like the rest of the dev set).

def blind_record(report: EvalReport, *, name: str, extractor: str, note: str = "") -> dict[str, Any]:
    import datetime
    o = report.overall
    return {
        "batch": name, "scored": datetime.date.today().isoformat(), "extractor": extractor,
        "documents": len(report.documents), "tp": o.tp, "fp": o.fp, "fn": o.fn,
        "precision": round(o.precision, 3), "recall": round(o.recall, 3), "f1": round(o.f1, 3),
        "status_accuracy": round(report.status_accuracy, 3), "reversed": report.reversed,
        "denied_as_fact": report.denied_as_fact,
        "per_relation": {r: [c.tp, c.fp, c.fn] for r, c in sorted(report.per_relation.items())},
        **({"note": note} if note else {}),
    }


def read_blind_records(path: Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(raw, list):
        raise GeokgError("the blind-batch record must be a list", path=path)
    return raw


def add_blind_record(path: Path, record: dict[str, Any]) -> None:
    """Append a batch's first score; a batch is scored once, so a second record is refused."""
    records = read_blind_records(path)
    if any(r.get("batch") == record["batch"] for r in records):
        raise GeokgError(f"{record['batch']!r} has already been scored; a blind batch is scored once", path=path)
    records.append(record)
    header = "# Blind batches, each scored once before its failures were read (kgbuild eval --record-blind).\n"
    Path(path).write_text(header + yaml.safe_dump(records, sort_keys=False, allow_unicode=True), encoding="utf-8")


def render_blind_records(records: list[dict[str, Any]]) -> str:
    if not records:
        return ""
    lines = ["== blind batches, as first scored (the measure of generalisation)",
             f"{'batch':<16}{'docs':>5}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>7}{'R':>7}{'F1':>7}{'status':>8}{'rev':>5}{'den':>5}  extractor"]
    for r in records:
        lines.append(f"{r['batch']:<16}{r['documents']:>5}{r['tp']:>5}{r['fp']:>5}{r['fn']:>5}{r['precision']:>7.3f}"
                     f"{r['recall']:>7.3f}{r['f1']:>7.3f}{r['status_accuracy']:>8.3f}{r['reversed']:>5}"
                     f"{r.get('denied_as_fact', 0):>5}  {r['extractor']}")
    return "\n".join(lines) + "\n"
