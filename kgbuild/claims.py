"""The claims table: one flat row per claim, for spreadsheets and for scoring the extractor."""
from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox

from .queries import EVERY_ROW, run_query
from .render import json_value, plain

CSV_COLUMNS = ("claim", "relation", "subject", "subject_label", "subject_wikidata", "object", "object_label",
               "object_wikidata", "status", "certainty", "polarity", "temporality", "source", "attributed_to",
               "attributed_to_label", "evidence", "span_start", "span_end", "quote", "confidence", "annotated_by")


def claims_table(store: ox.Store, document: str | None = None) -> list[dict]:
    """Every claim as a dict (see docs/annotations.md, 'The claims table')."""
    params = {"document": document} if document else {}
    result = run_query(store, "claims", {**params, "limit": EVERY_ROW})
    rows = []
    for values in result.rows:
        r = {c: json_value(v) for c, v in zip(result.columns, values)}
        rows.append({
            "claim": r["claim"],
            "relation": r["relation"],
            "subject": {"iri": r["subject"], "label": r["subjectLabel"], "wikidata": r["subjectWikidata"]},
            "object": {"iri": r["object"], "label": r["objectLabel"], "wikidata": r["objectWikidata"]},
            "status": r["status"],
            "certainty": r["certainty"],
            "polarity": r["polarity"],
            "temporality": r["temporality"],
            "source": r["source"],
            "attributed_to": {"iri": r["attributedTo"], "label": r["attributedToLabel"]},
            "evidence": r["evidence"],
            "span": {"start": r["start"], "end": r["end"]},
            "quote": r["quote"],
            "confidence": r["confidence"],
            "annotated_by": r["annotatedBy"],
        })
    return rows


def flatten(row: dict) -> dict:
    return {
        "claim": row["claim"], "relation": row["relation"],
        "subject": row["subject"]["iri"], "subject_label": row["subject"]["label"],
        "subject_wikidata": row["subject"]["wikidata"],
        "object": row["object"]["iri"], "object_label": row["object"]["label"],
        "object_wikidata": row["object"]["wikidata"],
        "status": row["status"], "certainty": row["certainty"], "polarity": row["polarity"],
        "temporality": row["temporality"], "source": row["source"],
        "attributed_to": row["attributed_to"]["iri"], "attributed_to_label": row["attributed_to"]["label"],
        "evidence": row["evidence"], "span_start": row["span"]["start"], "span_end": row["span"]["end"],
        "quote": row["quote"], "confidence": row["confidence"], "annotated_by": row["annotated_by"],
    }


def render_claims(rows: list[dict], fmt: str = "jsonl") -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in flatten(row).items()})
    return out.getvalue()


__all__ = ["claims_table", "render_claims", "plain"]
