import yaml
from kgbuild.extract import annotate, load_pipeline
from kgbuild.link import Snapshot
nlp=load_pipeline(); snap=Snapshot.load()
data=yaml.safe_load(open('tests/data/phenomena.yaml'))
tot=ok=0
for ph, items in data.items():
    for it in items:
        r=annotate(it['text'],document_id='t',meta={'date':'2024-01-10'},nlp=nlp,reference=snap)
        got={(c['relation'],c['subject'],c['object'],c['status']) for c in r['claims']}
        got3={k[:3] for k in got}
        miss=[tuple(e) for e in it.get('expect',[]) if tuple(e) not in got]
        bad=[tuple(a) for a in it.get('absent',[]) if (tuple(a) in got if len(a)==4 else tuple(a) in got3)]
        tot+=1; ok+= not miss and not bad
        if miss or bad: print(ph,'|',it['text'][:70],'\n   miss',miss,'bad',bad,'\n   got',sorted(got))
print(ok,'/',tot)
