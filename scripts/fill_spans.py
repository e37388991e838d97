#!/usr/bin/env python3
"""Fill in character spans and text_sha256 of hand-written annotation files.

A curator writes a claim's `text:` (exact characters of the article) and leaves out `span:`;
mentions may be written `[entity, "text"]`, in the order they occur in the article.
This script finds each text in the article (claims: the first occurrence, or `occurrence: n`;
mentions: the next occurrence after the previous mention of the same text) and writes the spans.
Files that already have spans are only checked.

Usage: python scripts/fill_spans.py data/dev/annotations/dev-001.yaml [...]
(the article is ../articles/<document>.txt next to the annotations folder)
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import yaml


def find(text: str, needle: str, start: int = 0, occurrence: int = 1) -> int:
    """Position of the n-th whole-word occurrence of needle at or after start."""
    import re
    pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
    pos = start
    for _ in range(occurrence):
        match = pattern.search(text, pos)
        if not match:
            raise SystemExit(f"not found in the article: {needle!r}")
        pos = match.start() + 1
    return pos - 1


class FlowList(list):
    pass


def _flow(dumper, data):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


class FlowDict(dict):
    pass


def _flow_dict(dumper, data):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


yaml.SafeDumper.add_representer(FlowList, _flow)
yaml.SafeDumper.add_representer(FlowDict, _flow_dict)


def fill(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    article = path.parent.parent / "articles" / f"{raw['document']}.txt"
    text = article.read_text(encoding="utf-8")
    raw["text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for claim in raw["claims"]:
        if "span" not in claim:
            start = find(text, claim["text"], 0, claim.pop("occurrence", 1))
            claim["span"] = [start, start + len(claim["text"])]
        claim["span"] = FlowList(claim["span"])
        if isinstance(claim.get("not_confirmed_by"), list):
            claim["not_confirmed_by"] = FlowList(claim["not_confirmed_by"])
        order = ["id", "relation", "subject", "object", "about", "span", "text"]
        items = sorted(claim.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
        claim.clear()
        claim.update(items)
    mentions, cursor = [], {}
    for m in raw.get("mentions") or []:
        if isinstance(m, list):
            entity, needle = m[0], m[1]
            start = find(text, needle, cursor.get(needle, 0))
            cursor[needle] = start + 1
            m = {"entity": entity, "span": FlowList([start, start + len(needle)]), "text": needle}
        else:
            m["span"] = FlowList(m["span"])
        mentions.append(FlowDict(m))
    raw["mentions"] = mentions
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=160), encoding="utf-8")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        fill(Path(name))
        print("filled", name)
