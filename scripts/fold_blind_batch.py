#!/usr/bin/env python3
"""Fold a scored blind batch into the development set (docs/extraction.md, "blind batches").

Usage: python scripts/fold_blind_batch.py BATCH_DIR NAME
  BATCH_DIR  the author's room: articles/, annotations/, README.md, reference-additions.yaml
  NAME       the dev folder to create: data/dev/NAME (e.g. blind-7)

Run it only after `kgbuild eval --gold BATCH_DIR/annotations --record-blind ...` has recorded the
batch's first score. It copies the batch, then merges the entities the author added into
data/reference/world-dev.yaml: an addition whose label or alias names an entity the snapshot
already has is mapped to that id in the batch's annotation files instead; links that do not
point to an entity of the right type (a `country` that is not a State) are lifted to the
region's state or dropped, so the graph stays consistent with the ontology.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kgbuild.reference import ENTITY_TYPES, LINK_FIELDS, read_reference, reference_items  # noqa: E402

HEADER = ("# Entities the blind batches named that the snapshot lacked, added when each batch was folded into the\n"
          "# development set (scripts/fold_blind_batch.py); no QIDs (unverified).\n")


def main(batch: Path, name: str) -> None:
    ref = ROOT / "data" / "reference"
    target = ROOT / "data" / "dev" / name
    if target.exists():
        sys.exit(f"{target} exists already")
    target.mkdir(parents=True)
    for sub in ("articles", "annotations"):
        shutil.copytree(batch / sub, target / sub)
    for extra in ("README.md", "reference-additions.yaml"):
        if (batch / extra).exists():
            shutil.copy(batch / extra, target / extra)
    items = {i["id"]: i for i in reference_items(ref)}
    names: dict[str, str] = {}
    for eid, item in items.items():
        for n in [item.get("label"), *(item.get("aliases") or [])]:
            if n:
                names.setdefault(str(n).lower(), eid)
    dev_path = ref / "world-dev.yaml"
    dev = (yaml.safe_load(dev_path.read_text(encoding="utf-8")) or []) if dev_path.exists() else []
    dev_ids = {e["id"] for e in dev}
    additions = yaml.safe_load((batch / "reference-additions.yaml").read_text(encoding="utf-8")) or [] \
        if (batch / "reference-additions.yaml").exists() else []
    added_ids = {a["id"] for a in additions}
    mapping: dict[str, str] = {}
    for entry in additions:
        eid = entry["id"]
        if eid in items or eid in dev_ids:
            continue
        same = next((names[str(n).lower()] for n in [entry.get("label"), *(entry.get("aliases") or [])]
                     if n and str(n).lower() in names), None)
        if same:
            mapping[eid] = same
            continue
        if entry.get("type") not in ENTITY_TYPES:
            entry["type"] = "Organization"
        entry.pop("wikidata", None)
        entry.pop("wikidata_verified_by", None)
        entry["source"] = f"curated with data/dev/{name}"
        dev.append(entry)
        dev_ids.add(eid)
    known = {**{k: v.get("type") for k, v in items.items()}, **{e["id"]: e.get("type") for e in dev}}
    country_of = {**{k: v.get("country") for k, v in items.items()}, **{e["id"]: e.get("country") for e in dev}}
    for entry in dev:
        for key in LINK_FIELDS:
            value = entry.get(key)
            if not value:
                continue
            if value not in known and value not in added_ids:
                entry.pop(key)
            elif key in ("country", "government_of") and known.get(value) != "State":
                up = country_of.get(value)
                if up and known.get(up) == "State":
                    entry[key] = up
                else:
                    entry.pop(key)
        if entry.get("type") == "Government" and not entry.get("government_of"):
            entry["type"] = "Organization"
    dev_path.write_text(HEADER + yaml.safe_dump(dev, sort_keys=False, allow_unicode=True, default_flow_style=None,
                                                width=140), encoding="utf-8")
    for path in (target / "annotations").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for old, new in mapping.items():
            text = re.sub(r"(?<![\w-])" + re.escape(old) + r"(?![\w-])", new, text)
        path.write_text(text, encoding="utf-8")
    read_reference(ref)  # the snapshot must still load
    print(f"folded into {target}; {len(mapping)} ids mapped to existing entities; world-dev.yaml has {len(dev)}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2])
