from __future__ import annotations

import csv
import io
import json

from kgbuild.claims import claims_table, render_claims
from kgbuild.paths import data_dir

from .conftest import ARTICLE

TEXT = (data_dir() / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
STATUSES = {"asserted", "reported", "unconfirmed", "denied", "negated", "hypothetical"}


def test_claims_table_has_the_contracted_columns(store):
    rows = claims_table(store)
    assert len(rows) >= 25
    for row in rows:
        assert set(row) >= {"relation", "subject", "object", "status", "source", "attributed_to", "evidence",
                            "span", "confidence"}
        assert set(row["subject"]) == {"iri", "label", "wikidata"}
        assert row["status"] in STATUSES
        assert row["evidence"] in TEXT  # the sentence, verbatim
        assert TEXT[row["span"]["start"]:row["span"]["end"]] == row["quote"]
        assert 0 <= row["confidence"] <= 1


def test_sputnik_report_is_unconfirmed_and_attributed(store):
    rows = [r for r in claims_table(store) if r["attributed_to"]["label"] == "Sputnik"]
    deploy = [r for r in rows if r["relation"] == "deploysTo"]
    assert deploy and deploy[0]["status"] == "unconfirmed"
    assert deploy[0]["subject"]["wikidata"] == "Q159" and deploy[0]["object"]["wikidata"] == "Q717"


def test_jsonl_and_csv_renderings(store):
    rows = claims_table(store)
    lines = render_claims(rows, "jsonl").splitlines()
    assert len(lines) == len(rows) and json.loads(lines[0])["relation"]
    table = list(csv.DictReader(io.StringIO(render_claims(rows, "csv"))))
    assert len(table) == len(rows) and table[0]["span_start"].isdigit()
