"""Confidence that means something: a claim of confidence 0.8 should be right about 80 % of the time.

The rules give each claim a raw confidence (how much they trust the pattern). `fit` measures,
on the curated development set, how often claims of each relation and raw confidence were
right, smoothed toward the pooled figure for that raw value (few claims per cell), and made
non-decreasing in the raw value; `kgbuild eval --calibrate` writes the table to
lexicons/calibration.yaml. `apply` maps a claim's raw confidence through it.
"""
from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import yaml

from . import lexicon

FILE = lexicon.FOLDER / "calibration.yaml"
SMOOTHING = 5.0   # pseudo-claims pulling a sparse cell toward its pooled figure


@functools.cache
def _table() -> dict:
    if not FILE.exists():
        return {}
    raw = lexicon.load("calibration")
    return {"pooled": {round(float(k), 2): float(v) for k, v in (raw.get("pooled") or {}).items()},
            "relations": {rel: {round(float(k), 2): float(v) for k, v in cells.items()}
                          for rel, cells in (raw.get("relations") or {}).items()}}


def calibrated(relation: str, raw: float) -> float:
    table = _table()
    if not table:
        return raw
    key = round(float(raw), 2)
    cells = table["relations"].get(relation, {})
    if key in cells:
        return cells[key]
    if key in table["pooled"]:
        return table["pooled"][key]
    return raw


def apply(claims: list[dict]) -> None:
    """Calibrate every claim, except those a rule already marked as doubtful with a note (a garbled
    sentence cross-checked, an argument taken from context): their low confidence is the rule's
    judgement on that one reading, not a pattern's track record."""
    for claim in claims:
        if "confidence" in claim and not claim.get("note"):
            claim["confidence"] = round(calibrated(claim["relation"], claim["confidence"]), 2)


def fit(observations: Iterable[tuple[str, float, bool]]) -> dict:
    """observations: (relation, raw confidence, matched a curated claim) per machine claim."""
    obs = [(r, round(float(c), 2), bool(ok)) for r, c, ok in observations]
    total = len(obs) or 1
    overall = sum(ok for _, _, ok in obs) / total
    by_raw: dict[float, list[bool]] = defaultdict(list)
    by_cell: dict[tuple[str, float], list[bool]] = defaultdict(list)
    for rel, raw, ok in obs:
        by_raw[raw].append(ok)
        by_cell[(rel, raw)].append(ok)
    pooled = {raw: (sum(v) + SMOOTHING * overall) / (len(v) + SMOOTHING) for raw, v in by_raw.items()}
    relations: dict[str, dict[float, float]] = defaultdict(dict)
    for (rel, raw), v in by_cell.items():
        relations[rel][raw] = (sum(v) + SMOOTHING * pooled[raw]) / (len(v) + SMOOTHING)
    def monotone(cells: dict[float, float]) -> dict[float, float]:
        out, best = {}, 0.0
        for raw in sorted(cells):
            best = max(best, cells[raw])
            out[raw] = round(best, 3)
        return out
    return {"pooled": monotone(pooled), "relations": {r: monotone(c) for r, c in sorted(relations.items())},
            "claims": len(obs), "overall_precision": round(overall, 3)}


def write(table: dict, *, fitted_on: str, path: Path = FILE) -> None:
    body = {"format": lexicon.FORMAT, "fitted": datetime.date.today().isoformat(), "fitted_on": fitted_on,
            "method": f"precision per relation and raw confidence, smoothed ({SMOOTHING:g} pseudo-claims) toward "
                      "the pooled precision of that raw value, then non-decreasing in it",
            **table}
    header = "# Written by `kgbuild eval --calibrate` (kgbuild/extract/calibrate.py); do not edit by hand.\n"
    path.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    _table.cache_clear()
    lexicon.load.cache_clear()
