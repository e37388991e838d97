import sys
from kgbuild.extract import annotate, load_pipeline
from kgbuild.link import Snapshot
nlp = load_pipeline(); snap = Snapshot.load()
for line in sys.stdin:
    line=line.strip()
    if not line: continue
    r = annotate(line, document_id="t", meta={"date": "2024-01-10"}, nlp=nlp, reference=snap)
    print(">>", line)
    for c in r["claims"]:
        print("   ", c["relation"], c["subject"], "->", c["object"], c["status"], c.get("attributed_to",""), c["confidence"])
