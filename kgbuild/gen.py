"""A synthetic geokg graph of any size, for benchmarks and scale tests.

It has the exact shape of a real build (kgbuild.to_rdf + kgbuild.derive): reference entities,
documents and their events in the default graph; one evidence graph per document with its
gk:Claim nodes, gk:TextSpan evidence, local sources and mentions; one named graph per derived
edge with its provenance (prov:qualifiedDerivation -> prov:Derivation -> claim and rule) and
the rule-set run. So every saved query returns rows at every scale.

Choices are Zipf-weighted (big states make most claims, few airports get most flights) and
drawn from `random.Random(seed)`: the same seed and size give a byte-identical file. Quads are
streamed to the file as they are made; only the reference entities and the set of derived
edges already written stay in memory, so 10M triples take a few hundred MB at most.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "g.nq"
>>> report = generate(out, triples=5_000, seed=1)
>>> report.quads >= 5_000 and report.documents > 0
True
"""
from __future__ import annotations

import bisect
import datetime
import hashlib
import io
import random
import re
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from .errors import GeokgError
from .vocab import CLAIM, DERIVED, DOC, EVENT, GEONAMES, GK, ID, PREFIXES, RULE, WD

RDF_TYPE = "<" + PREFIXES["rdf"] + "type>"
LABEL = "<" + PREFIXES["rdfs"] + "label>"
COMMENT = "<" + PREFIXES["rdfs"] + "comment>"
ALT = "<" + PREFIXES["skos"] + "altLabel>"
EXACT = "<" + PREFIXES["skos"] + "exactMatch>"
PROV = PREFIXES["prov"]
XSD = PREFIXES["xsd"]
ONTOLOGY_GRAPH = "https://w3id.org/geokg/ontology"

MIN_DOCUMENTS = 20  # even the smallest graph has some of everything
SIZE_UNITS = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '2500' -> 2500."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgG]?)\s*", str(text))
    if not match:
        raise GeokgError(f"not a size: {text!r}", hint="use a number with an optional k or M suffix, e.g. 10k, 1M")
    number = float(match.group(1)) * SIZE_UNITS.get(match.group(2).lower(), 1)
    if number < 1:
        raise GeokgError(f"the size must be at least 1, not {text!r}")
    return int(number)


def size_label(n: int) -> str:
    for unit, factor in (("M", 1_000_000), ("k", 1_000)):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{unit}"
    return str(n)


def gk(name: str) -> str:
    return f"<{GK}{name}>"


def iri(value: str) -> str:
    return f"<{value}>"


def lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def en(text: str) -> str:
    return lit(text) + "@en"


def typed(text: object, datatype: str) -> str:
    return f'"{text}"^^<{XSD}{datatype}>'


# Relations the rules turn into edges (ontology/rules/*.ru), and what each rule keeps.
RELATION_RULE = ("backs", "opposes", "recognizes", "sanctions", "lendsTo", "deploysTo", "leads",
                 "headOfState", "headOfGovernment", "threatens", "criticizes", "memberOf",
                 "importsFrom", "fliesTo")
RULES = {
    # rule name: (relations it reads, statuses it skips, relation of the edge it makes or None = same)
    "relation-from-claims": (set(RELATION_RULE), {"Denied", "Negated"}, None),
    "backs-from-loans": ({"lendsTo"}, {"Denied", "Negated", "Hypothetical"}, "backs"),
    "backs-from-recognition": ({"recognizes"}, {"Denied", "Negated", "Hypothetical"}, "backs"),
    "opposes-from-pressure": ({"sanctions", "threatens", "criticizes"}, {"Denied", "Negated"}, "opposes"),
    # subject replaced by the state it acts for (_World.acts_for): governments, forces, people
    "state-from-affiliation": ({"backs", "opposes", "recognizes", "sanctions", "lendsTo", "deploysTo", "threatens",
                                "criticizes"}, {"Denied", "Negated", "Hypothetical"}, None),
}
ACTING_FOR_STATE = {"state-from-affiliation"}

STATUSES = (("Asserted", 45), ("Reported", 25), ("Unconfirmed", 14), ("Denied", 6), ("Negated", 4),
            ("Hypothetical", 6))
CERTAINTIES = (("Certain", 40), ("Probable", 35), ("Possible", 20), ("Underspecified", 5))
POLARITY_OF = {"Denied": "DeniedPolarity", "Negated": "NegatedPolarity"}
TEMPORALITIES = (("Current", 80), ("Historical", 15), ("Future", 5))
ANNOTATORS = (("curated", 1), ("geokg-extractor 0.3.0", 3))

SYLLABLES = ("ka", "ro", "vi", "na", "tal", "mor", "sen", "du", "ra", "lia", "bel", "or", "an", "es", "tu",
             "mar", "zo", "kel", "ia", "po", "len", "dra", "vos", "nia", "gar", "ul", "sta", "ber", "is", "que")
FIRST = ("Ana", "Boris", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jorge", "Katya", "Luis",
         "Maria", "Nikolai", "Olga", "Pedro", "Rosa", "Sergei", "Tomás", "Ursula", "Viktor", "Wen", "Xavier",
         "Yara", "Zoltan", "Amira", "Bongani", "Chen", "Daniela", "Emeka")
LAST = ("Alvarez", "Borodin", "Castillo", "Dominguez", "Eriksen", "Fuentes", "Gromov", "Haddad", "Ibarra",
        "Jovanovic", "Kowalski", "Lindqvist", "Morales", "Nakamura", "Okafor", "Petrov", "Quintero", "Rahman",
        "Santos", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhukov", "Mendoza", "Novak", "Ortega",
        "Pereira")
MODELS = ("Antonov An-124 Ruslan", "Ilyushin Il-62", "Ilyushin Il-76", "Tupolev Tu-154", "Lockheed C-130 Hercules",
          "Boeing C-17 Globemaster III", "Airbus A400M Atlas", "Boeing 737", "Airbus A320", "Embraer C-390",
          "Antonov An-26", "Sukhoi Superjet 100", "Boeing 767", "Airbus A330 MRTT", "Xian Y-20")
CARGO = ("equipment", "personnel", "humanitarian aid", "medical supplies", "spare parts", "ammunition", "food")
MEASURES = ("asset freeze", "travel ban", "ban on crude oil imports", "arms embargo", "export controls",
            "visa restrictions", "ban on gold purchases")
COMMODITIES = ("crude oil", "gold", "wheat", "natural gas", "copper", "coffee")


class Zipf:
    """Weighted choice among n items by rank: item 0 is picked most often."""

    def __init__(self, n: int, s: float = 1.05):
        self.n = n
        self.cum = list(accumulate(1.0 / (rank + 1) ** s for rank in range(n)))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> int:
        return min(bisect.bisect_left(self.cum, rng.random() * self.total), self.n - 1)


def weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    total = sum(w for _, w in table)
    x = rng.random() * total
    for value, w in table:
        x -= w
        if x < 0:
            return value
    return table[-1][0]


@dataclass
class Ent:
    id: str
    label: str

    @property
    def ref(self) -> str:
        return f"<{ID}{self.id}>"


@dataclass
class GenReport:
    path: Path
    quads: int = 0
    documents: int = 0
    claims: int = 0
    events: int = 0
    derived_edges: int = 0
    seed: int = 0
    target: int = 0
    samples: dict = field(default_factory=dict)  # parameter values that match the data (for 'why')


class _Writer:
    def __init__(self, out: io.BufferedWriter, fmt: str):
        self.out = out
        self.triples_only = fmt == "nt"
        self.count = 0
        self.buffer: list[str] = []

    def q(self, s: str, p: str, o: str, g: str | None = None) -> None:
        if g is None or self.triples_only:
            self.buffer.append(f"{s} {p} {o} .\n")
        else:
            self.buffer.append(f"{s} {p} {o} {g} .\n")
        self.count += 1
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.out.write("".join(self.buffer).encode("utf-8"))
            self.buffer.clear()


class _World:
    """The reference entities: states and what hangs off them."""

    def __init__(self, rng: random.Random, target: int):
        self.rng = rng
        n_states = max(12, min(195, target // 500))
        used: set[str] = set()
        self.states = [self._state(i, used) for i in range(n_states)]
        self.governments = [Ent(f"government-of-{s.id}", f"Government of {s.label}") for s in self.states]
        self.presidencies = [Ent(f"president-of-{s.id}", f"President of {s.label}") for s in self.states]
        self.forces = [Ent(f"{s.id}-armed-forces", f"{s.label} Armed Forces") for s in self.states]
        self.air_forces = [Ent(f"{s.id}-air-force", f"{s.label} Air Force") for s in self.states]
        scale = max(1, target // 100_000)
        self.airports = []
        for i, s in enumerate(self.states):
            for k in range(1 + (3 if i < 20 else 1) * min(scale, 4)):
                self.airports.append((Ent(f"{s.id}-airport-{k + 1}", f"{s.label} {('International', 'Air Base', 'Regional')[k % 3]} Airport {k + 1}"), i))
        self.models = [Ent(re.sub(r"[^a-z0-9]+", "-", m.lower()).strip("-"), m) for m in MODELS]
        self.aircraft = []
        for i, s in enumerate(self.states[: max(10, len(self.states) // 3)]):
            for k in range(2 + min(scale, 6)):
                self.aircraft.append((Ent(f"{s.id}-aircraft-{k + 1}", f"{s.id[:2].upper()}-{rng.randrange(10000, 99999)}"),
                                      i, rng.randrange(len(self.models))))
        n_people = len(self.states) * (6 + min(scale, 10))
        self.people = [Ent(f"person-{i + 1:05d}", f"{rng.choice(FIRST)} {rng.choice(LAST)}") for i in range(n_people)]
        self.people_state = [i % len(self.states) for i in range(n_people)]
        self.news = [Ent(f"news-{i + 1:03d}", f"{rng.choice(('The', 'Daily', 'Radio', 'Agencia'))} "
                                              f"{self._name(set()).title()} {rng.choice(('Times', 'News', 'Post', 'Press', 'Herald'))}")
                     for i in range(max(10, min(400, target // 5_000)))]
        self.journalists = [Ent(f"journalist-{i + 1:04d}", f"{rng.choice(FIRST)} {rng.choice(LAST)}")
                            for i in range(len(self.news) * 3)]
        self.igos = [Ent(f"igo-{i + 1:02d}", f"{self._name(set()).title()} Union") for i in range(8)]
        self.state_zipf = Zipf(len(self.states))
        self.airport_zipf = Zipf(len(self.airports), 1.2)
        self.people_zipf = Zipf(len(self.people), 0.9)
        self.news_zipf = Zipf(len(self.news))
        # Heads of state over time: (state index, person index, start, end or None).
        self.terms: list[tuple[int, int, datetime.date, datetime.date | None]] = []
        self.leader_of: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = {}
        for si in range(len(self.states)):
            people = [pi for pi in range(si, n_people, len(self.states))]
            start = datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randrange(0, 2000))
            for pi in people[:5]:
                length = rng.randrange(800, 4000)
                end = start + datetime.timedelta(days=length)
                if end > datetime.date(2026, 6, 1):
                    end = None
                self.terms.append((si, pi, start, end))
                self.leader_of.setdefault(si, []).append((pi, start, end))
                if end is None:
                    break
                start = end + datetime.timedelta(days=1)

    def _name(self, used: set[str]) -> str:
        while True:
            name = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randrange(2, 4)))
            if name not in used and len(name) > 3:
                used.add(name)
                return name

    def _state(self, i: int, used: set[str]) -> Ent:
        name = self._name(used)
        return Ent(name, name.title() + self.rng.choice(("", "ia", "land", "stan", "a")))

    def state(self) -> int:
        return self.state_zipf.pick(self.rng)

    def leader(self, si: int, day: datetime.date) -> int:
        for pi, start, end in self.leader_of[si]:
            if start <= day and (end is None or day <= end):
                return pi
        return self.leader_of[si][-1][0]

    def quads(self, w: _Writer) -> None:
        rng = self.rng
        q = w.q
        for i, s in enumerate(self.states):
            r = s.ref
            q(r, RDF_TYPE, gk("State"))
            q(r, LABEL, en(s.label))
            q(r, ALT, en(s.label + "n"))
            q(r, COMMENT, en(f"Sovereign state number {i + 1} of the synthetic world."))
            qid = f"Q{100000 + i * 7}"
            q(r, gk("wikidataId"), lit(qid))
            q(r, EXACT, iri(WD + qid))
            q(r, gk("idVerifiedBy"), lit("synthetic: kgbuild.gen"))
            q(r, gk("geonamesId"), lit(str(3_000_000 + i * 13)))
            q(r, EXACT, iri(f"{GEONAMES}{3_000_000 + i * 13}/"))
            g = self.governments[i]
            q(g.ref, RDF_TYPE, gk("Government"))
            q(g.ref, LABEL, en(g.label))
            q(g.ref, gk("governmentOf"), r)
            q(g.ref, gk("linked"), typed("false", "boolean"))
            p = self.presidencies[i]
            q(p.ref, RDF_TYPE, gk("Position"))
            q(p.ref, LABEL, en(p.label))
            q(p.ref, gk("positionOf"), r)
            q(p.ref, gk("linked"), typed("false", "boolean"))
            for force, kind in ((self.forces[i], "ArmedForces"), (self.air_forces[i], "MilitaryUnit")):
                q(force.ref, RDF_TYPE, gk(kind))
                q(force.ref, LABEL, en(force.label))
                q(force.ref, gk("country"), r)
            q(self.air_forces[i].ref, gk("partOf"), self.forces[i].ref)
        for a, si in self.airports:
            q(a.ref, RDF_TYPE, gk("Airport"))
            q(a.ref, LABEL, en(a.label))
            q(a.ref, gk("country"), self.states[si].ref)
            q(a.ref, gk("linked"), typed("false", "boolean"))
        for m in self.models:
            q(m.ref, RDF_TYPE, gk("AircraftModel"))
            q(m.ref, LABEL, en(m.label))
        for a, si, mi in self.aircraft:
            q(a.ref, RDF_TYPE, gk("Aircraft"))
            q(a.ref, LABEL, en(a.label))
            q(a.ref, gk("operator"), self.air_forces[si].ref)
            q(a.ref, gk("aircraftModel"), self.models[mi].ref)
        for i, person in enumerate(self.people):
            q(person.ref, RDF_TYPE, gk("Person"))
            q(person.ref, LABEL, en(person.label))
            q(person.ref, gk("country"), self.states[self.people_state[i]].ref)
            qid = f"Q{5_000_000 + i * 3}"
            q(person.ref, gk("wikidataId"), lit(qid))
            q(person.ref, EXACT, iri(WD + qid))
        for n in self.news:
            q(n.ref, RDF_TYPE, gk(rng.choice(("NewsOrganization", "NewsAgency"))))
            q(n.ref, LABEL, en(n.label))
        for j, journalist in enumerate(self.journalists):
            q(journalist.ref, RDF_TYPE, gk("Journalist"))
            q(journalist.ref, LABEL, en(journalist.label))
            q(journalist.ref, gk("affiliation"), self.news[j % len(self.news)].ref)
        for igo in self.igos:
            q(igo.ref, RDF_TYPE, gk("IntergovernmentalOrganization"))
            q(igo.ref, LABEL, en(igo.label))
        wikidata = Ent("wikidata", "Wikidata")
        q(wikidata.ref, RDF_TYPE, gk("Organization"))
        q(wikidata.ref, LABEL, en(wikidata.label))
        for n, (si, pi, start, end) in enumerate(self.terms):
            node = iri(f"{EVENT}reference/{self.states[si].id}/head-of-state-{n + 1}")
            q(node, RDF_TYPE, gk("PositionHolding"))
            q(node, LABEL, en(f"{self.people[pi].label} as {self.presidencies[si].label}"))
            q(node, gk("holder"), self.people[pi].ref)
            q(node, gk("position"), self.presidencies[si].ref)
            q(node, gk("accordingTo"), wikidata.ref)
            q(node, gk("startDate"), typed(start.isoformat(), "date"))
            if end:
                q(node, gk("endDate"), typed(end.isoformat(), "date"))


def _rules_metadata(w: _Writer) -> tuple[str, dict[str, str]]:
    """The rule nodes and the rule-set run, exactly as kgbuild.derive writes them."""
    from .derive import read_rules, ruleset_iri
    rules = read_rules()
    unknown = sorted({r.name for r in rules} - set(RULES))
    if unknown:
        raise GeokgError(f"the generator does not know the rule(s) {', '.join(unknown)}",
                         hint="teach kgbuild/gen.py's RULES table what they derive")
    run = iri(ruleset_iri(rules))
    q = w.q
    q(run, RDF_TYPE, iri(PROV + "Activity"))
    q(run, LABEL, en("geokg rule set run"))
    rule_iris = {}
    for rule in rules:
        node = iri(rule.iri)
        rule_iris[rule.name] = rule.iri
        q(node, RDF_TYPE, gk("DerivationRule"))
        q(node, LABEL, en(rule.query.title))
        q(node, COMMENT, en(rule.query.description))
        q(node, gk("ruleVersion"), lit(rule.version))
        q(node, gk("ruleName"), lit(rule.name))
        q(run, iri(PROV + "used"), node)
    return run, rule_iris


def _ontology(w: _Writer) -> None:
    import pyoxigraph as ox
    from .paths import ontology_dir
    graph = iri(ONTOLOGY_GRAPH)
    for path in sorted(ontology_dir().glob("*.ttl")):
        if path.name == "shapes.ttl":
            continue
        labels: dict[str, str] = {}  # the parser's blank node ids are random: number them in order

        def term(t) -> str:
            if isinstance(t, ox.BlankNode):
                return labels.setdefault(t.value, f"_:onto{len(labels) + 1}")
            return str(t)
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            w.q(term(triple.subject), str(triple.predicate), term(triple.object), graph)


def generate(path: Path, *, triples: int = 100_000, seed: int = 42, fmt: str | None = None,
             derived: bool = True, documents: int | None = None) -> GenReport:
    """Write a synthetic geokg dataset of about `triples` quads to `path` (N-Quads, or N-Triples
    when the file ends in .nt or fmt='nt': the same statements with the graphs dropped).

    With derived=False the derived edges and rule metadata are left out, so that running
    kgbuild.derive.derive on the result gives back the derived=True file (a test of the shape).
    With `documents`, exactly that many documents are written (the size then only sets how big
    the reference world is).
    """
    path = Path(path)
    fmt = fmt or ("nt" if path.suffix == ".nt" else "nq")
    if fmt not in ("nq", "nt"):
        raise GeokgError(f"unknown format {fmt!r}", hint="nq or nt")
    rng = random.Random(seed)
    report = GenReport(path=path, seed=seed, target=triples)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "wb")
    except OSError as exc:
        raise GeokgError(f"cannot write the file: {exc}", path=path) from exc
    with handle:
        w = _Writer(handle, fmt)
        world = _World(rng, triples)
        # entity id -> the state it acts for (ontology/rules/state-from-affiliation.ru)
        w.acts_for = {ent.id: state for i, state in enumerate(world.states)
                      for ent in (world.governments[i], world.forces[i], world.air_forces[i])}
        w.acts_for.update({p.id: world.states[world.people_state[i]] for i, p in enumerate(world.people)})
        _ontology(w)
        world.quads(w)
        run, rule_iris = _rules_metadata(w) if derived else (None, {})
        edges: set[str] = set()
        doc_no = 0
        while (w.count < triples or doc_no < MIN_DOCUMENTS) if documents is None else (doc_no < documents):
            doc_no += 1
            _document(w, rng, world, doc_no, report, edges, run, rule_iris, derived)
        w.flush()
    report.quads = w.count
    report.documents = doc_no
    report.derived_edges = len(edges)
    return report


def _day(rng: random.Random) -> datetime.date:
    return datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(0, 9600))


def _document(w: _Writer, rng: random.Random, world: _World, n: int, report: GenReport,
              edges: set[str], run: str | None, rule_iris: dict[str, str], derived: bool) -> None:
    q = w.q
    doc_id = f"synth-{n:07d}"
    doc_iri = f"{DOC}{doc_id}"
    doc = iri(doc_iri)
    day = _day(rng)
    published = day + datetime.timedelta(days=rng.randrange(0, 3))
    focus = world.state()
    other = world.state()
    if other == focus:
        other = (focus + 1 + rng.randrange(len(world.states) - 1)) % len(world.states)
    fs, os_ = world.states[focus], world.states[other]
    title = f"{fs.label} and {os_.label}: {rng.choice(('talks', 'tensions', 'flights', 'sanctions', 'loans', 'recognition'))} on {day.isoformat()}"
    publisher = world.news[world.news_zipf.pick(rng)]
    q(doc, RDF_TYPE, gk("NewsArticle"))
    q(doc, gk("title"), lit(title))
    q(doc, LABEL, lit(title))
    q(doc, gk("contentSha256"), lit(hashlib.sha256(f"{n}-{rng.random()}".encode()).hexdigest()))
    q(doc, gk("language"), lit("en"))
    q(doc, gk("publisherName"), lit(publisher.label))
    q(doc, gk("url"), iri(f"https://news.example.org/{day.year}/{doc_id}"))
    q(doc, gk("datePublished"), typed(published.isoformat(), "date"))
    q(doc, gk("eventDate"), typed(day.isoformat(), "date"))

    # Local sources (evidence layer).
    sources = []
    for k in range(rng.randrange(0, 3)):
        sid = f"source-{k + 1}"
        node = iri(f"{CLAIM}{doc_id}/source/{sid}")
        kind = rng.choice(("NewsReport", "SocialMediaPost", "AnonymousSource"))
        q(node, RDF_TYPE, gk(kind), doc)
        q(node, LABEL, lit(f"{kind} cited in {doc_id}"), doc)
        q(node, gk("citedIn"), doc, doc)
        if kind == "NewsReport":
            q(node, gk("publisher"), world.news[world.news_zipf.pick(rng)].ref, doc)
        elif kind == "SocialMediaPost":
            q(node, gk("author"), rng.choice(world.journalists).ref, doc)
        else:
            q(node, gk("affiliation"), world.governments[focus].ref, doc)
        q(node, gk("datePublished"), typed(day.isoformat(), "date"), doc)
        sources.append(node)

    # Events (world layer) and the claims about them.
    claims: list[tuple] = []  # (relation, subject Ent-ref, subject id, object ref, object id, about, s label, o label)

    def event(kind: str, label: str, temporality: str = "Current") -> str:
        report.events += 1
        node = iri(f"{EVENT}{doc_id}/{kind.lower()}-{report.events}")
        q(node, RDF_TYPE, gk(kind))
        q(node, LABEL, en(label))
        q(node, gk("reportedIn"), doc)
        q(node, gk("temporality"), gk(temporality))
        return node

    topic = rng.random()
    if topic < 0.35:  # a deployment with flights
        force, recipient = world.forces[focus], world.states[other]
        commander = world.people[rng.randrange(len(world.people))]
        dep = event("MilitaryDeployment", f"{force.label} deployment to {recipient.label}")
        q(dep, gk("actor"), force.ref)
        q(dep, gk("recipient"), recipient.ref)
        q(dep, gk("date"), typed(day.isoformat(), "date"))
        q(dep, gk("personnelCount"), typed(rng.randrange(10, 2000), "integer"))
        q(dep, gk("commander"), commander.ref)
        q(dep, gk("eventType"), iri(PREFIXES["cameo"] + "062"))
        claims.append(("deploysTo", force, recipient, dep))
        for _ in range(rng.randrange(1, 5)):
            dest_i = world.airport_zipf.pick(rng)
            dest, dest_state = world.airports[dest_i]
            origin = world.airports[world.airport_zipf.pick(rng)][0]
            fl = event("Flight", f"{world.air_forces[focus].label} flight to {dest.label}")
            q(fl, gk("date"), typed((day + datetime.timedelta(days=rng.randrange(0, 4))).isoformat(), "date"))
            q(fl, gk("origin"), origin.ref)
            q(fl, gk("destination"), dest.ref)
            q(fl, gk("operator"), world.air_forces[focus].ref)
            if world.aircraft and rng.random() < 0.6:
                craft, _si, mi = rng.choice(world.aircraft)
                q(fl, gk("aircraft"), craft.ref)
                q(fl, gk("aircraftModel"), world.models[mi].ref)
            else:
                q(fl, gk("aircraftModel"), rng.choice(world.models).ref)
            q(fl, gk("cargoDescription"), lit(rng.choice(CARGO)))
            q(fl, gk("partOfEvent"), dep)
            claims.append(("fliesTo", world.air_forces[focus], dest, fl))
    elif topic < 0.55:  # a loan
        ev = event("Loan", f"{fs.label} loan to {os_.label}")
        amount = rng.randrange(1, 500) * 10_000_000
        q(ev, gk("lender"), fs.ref)
        q(ev, gk("borrower"), os_.ref)
        q(ev, gk("amountText"), lit(f"{amount // 1_000_000} million dollars"))
        q(ev, gk("amountMinimum"), typed(amount, "decimal"))
        q(ev, gk("currency"), lit("USD"))
        q(ev, gk("date"), typed(day.isoformat(), "date"))
        q(ev, gk("eventType"), iri(PREFIXES["cameo"] + "071"))
        claims.append(("lendsTo", fs, os_, ev))
        if rng.random() < 0.3:
            claims.append(("importsFrom", os_, fs, None))
    elif topic < 0.8:  # sanctions
        ev = event("Sanction" if rng.random() < 0.8 else "Embargo", f"{fs.label} sanctions on {os_.label}")
        target = rng.choice((os_, world.governments[other], world.people[world.leader(other, day)]))
        q(ev, gk("sanctionAuthority"), fs.ref)
        q(ev, gk("sanctionTarget"), target.ref)
        q(ev, gk("measure"), lit(rng.choice(MEASURES)))
        q(ev, gk("date"), typed(day.isoformat(), "date"))
        q(ev, gk("eventType"), iri(PREFIXES["cameo"] + "163"))
        if rng.random() < 0.3:
            q(ev, gk("commodity"), lit(rng.choice(COMMODITIES)))
        claims.append(("sanctions", fs, target, ev))
        if rng.random() < 0.4:
            thr = event("Threat", f"{fs.label} threatens {os_.label}", rng.choice(("Current", "Future")))
            q(thr, gk("actor"), fs.ref)
            q(thr, gk("recipient"), os_.ref)
            q(thr, gk("eventType"), iri(PREFIXES["cameo"] + "138"))
            claims.append(("threatens", fs, os_, thr))
    else:  # recognition and a head-of-state holding
        leader_i = world.leader(other, day)
        claimant = world.people[(leader_i + len(world.states)) % len(world.people)]
        ev = event("DiplomaticRecognition", f"{fs.label} recognises {claimant.label}")
        q(ev, gk("recognizer"), fs.ref)
        q(ev, gk("recognized"), claimant.ref)
        q(ev, gk("recognizedAs"), world.presidencies[other].ref)
        q(ev, gk("date"), typed(day.isoformat(), "date"))
        q(ev, gk("eventType"), iri(PREFIXES["cameo"] + "054"))
        claims.append(("recognizes", fs, claimant, ev))
        hold = event("PositionHolding", f"{world.people[leader_i].label} as {world.presidencies[other].label}")
        q(hold, gk("holder"), world.people[leader_i].ref)
        q(hold, gk("position"), world.presidencies[other].ref)
        q(hold, gk("accordingTo"), doc)
        q(hold, gk("startDate"), typed(day.isoformat(), "date"))
        claims.append(("headOfState", os_, world.people[leader_i], hold))
    # Standalone analyst claims: who backs, opposes, criticises whom.
    for _ in range(rng.randrange(2, 7)):
        a = world.states[world.state()]
        b_i = world.state()
        relation = weighted(rng, (("backs", 30), ("opposes", 15), ("criticizes", 15), ("commentsOn", 10),
                                  ("memberOf", 5), ("leads", 5)))
        if relation == "memberOf":
            claims.append((relation, a, rng.choice(world.igos), None))
        elif relation == "leads":
            claims.append((relation, world.people[world.leader(b_i, day)], world.states[b_i], None))
        elif relation == "commentsOn":
            claims.append((relation, world.governments[b_i], None, None))
        else:
            target = rng.choice((world.states[b_i], world.states[b_i], world.governments[b_i],
                                 world.people[world.leader(b_i, day)]))
            if target.id == a.id:
                continue
            claims.append((relation, a, target, None))

    offset = rng.randrange(0, 200)
    annotator = weighted(rng, ANNOTATORS)
    for c, (relation, subject, obj, about) in enumerate(claims, start=1):
        report.claims += 1
        node_iri = f"{CLAIM}{doc_id}/c{c:02d}"
        node = iri(node_iri)
        span = iri(node_iri + "/span")
        status = weighted(rng, STATUSES)
        certainty = weighted(rng, CERTAINTIES)
        temporality = weighted(rng, TEMPORALITIES)
        obj_ref = obj.ref if obj is not None else about
        obj_label = obj.label if obj is not None else "the events"
        q(node, RDF_TYPE, gk("Claim"), doc)
        q(node, gk("claimSubject"), subject.ref, doc)
        q(node, gk("claimRelation"), gk(relation), doc)
        q(node, gk("claimObject"), obj_ref if obj_ref else doc, doc)
        if about:
            q(node, gk("about"), about, doc)
        q(node, gk("statedIn"), doc, doc)
        q(node, gk("evidence"), span, doc)
        roll = rng.random()
        if sources and roll < 0.3:
            attributed = rng.choice(sources)
            q(node, gk("citedSource"), attributed, doc)
        elif roll < 0.6:
            attributed = rng.choice(world.journalists).ref
        else:
            attributed = doc
        q(node, gk("attributedTo"), attributed, doc)
        if rng.random() < 0.1:
            q(node, gk("notConfirmedBy"), world.governments[other].ref, doc)
        q(node, gk("status"), gk(status), doc)
        q(node, gk("certainty"), gk(certainty), doc)
        q(node, gk("polarity"), gk(POLARITY_OF.get(status, "Affirmed")), doc)
        q(node, gk("temporality"), gk(temporality), doc)
        confidence = "1.0" if annotator == "curated" else f"0.{rng.randrange(50, 99)}"
        q(node, gk("extractionConfidence"), typed(confidence, "decimal"), doc)
        q(node, gk("annotatedBy"), lit(annotator), doc)
        verb = {"backs": "backs", "opposes": "opposes", "criticizes": "criticised", "commentsOn": "commented on",
                "memberOf": "is a member of", "leads": "leads", "deploysTo": "sent troops to",
                "fliesTo": "flew to", "lendsTo": "lent billions to", "importsFrom": "imports oil from",
                "sanctions": "imposed sanctions on", "threatens": "threatened", "recognizes": "recognised",
                "headOfState": "is led by"}[relation]
        if status in ("Denied", "Negated"):
            verb = "never " + verb
        exact = f"{subject.label} {verb} {obj_label}"
        sentence = f"Officials said on {day.strftime('%A')} that {exact}, according to {publisher.label}."
        start = offset + sentence.index(exact)
        q(span, RDF_TYPE, gk("TextSpan"), doc)
        q(span, gk("inDocument"), doc, doc)
        q(span, gk("startOffset"), typed(start, "integer"), doc)
        q(span, gk("endOffset"), typed(start + len(exact), "integer"), doc)
        q(span, gk("exact"), lit(exact), doc)
        q(span, gk("sentence"), lit(sentence), doc)
        # Mentions of the claim's subject and object.
        for ent, at in ((subject, start), (obj, start + len(exact) - len(obj_label))):
            if ent is None:
                continue
            m = iri(f"{CLAIM}{doc_id}/mention/{at}-{at + len(ent.label)}")
            q(m, RDF_TYPE, gk("Mention"), doc)
            q(m, gk("refersTo"), ent.ref, doc)
            q(m, gk("inDocument"), doc, doc)
            q(m, gk("startOffset"), typed(at, "integer"), doc)
            q(m, gk("endOffset"), typed(at + len(ent.label), "integer"), doc)
            q(m, gk("exact"), lit(ent.label), doc)
        offset += len(sentence) + 1
        if derived and obj is not None:
            _derive(w, relation, status, subject, obj, node_iri, doc_id, c, edges, run, rule_iris)
            if "subject" not in report.samples and relation == "backs" and status not in ("Denied", "Negated"):
                report.samples.update(subject=subject.id, relation="gk:backs", object=obj.id)


def _derive(w: _Writer, relation: str, status: str, subject: Ent, obj: Ent, claim_iri: str, doc_id: str,
            c: int, edges: set[str], run: str, rule_iris: dict[str, str]) -> None:
    """What ontology/rules/*.ru and kgbuild.derive make of one claim."""
    q = w.q
    actor = subject
    for rule, (relations, skipped, makes) in RULES.items():
        if relation not in relations or status in skipped or rule not in rule_iris:
            continue
        subject = actor
        if rule in ACTING_FOR_STATE:
            subject = w.acts_for.get(actor.id)
            if subject is None or subject.id == obj.id:
                continue
        edge_relation = makes or relation
        edge_iri = f"{DERIVED}{edge_relation}/{subject.id}/{obj.id}"
        edge = iri(edge_iri)
        rule_iri = rule_iris[rule]
        derivation = iri(f"{edge_iri}/from/{doc_id}/c{c:02d}/by/{rule_iri[len(RULE):]}")
        if edge_iri not in edges:
            edges.add(edge_iri)
            q(subject.ref, gk(edge_relation), obj.ref, edge)
            q(edge, RDF_TYPE, gk("DerivedEdge"))
            q(edge, gk("edgeSubject"), subject.ref)
            q(edge, gk("edgeRelation"), gk(edge_relation))
            q(edge, gk("edgeObject"), obj.ref)
            q(edge, iri(PROV + "wasGeneratedBy"), run)
        q(edge, iri(PROV + "wasDerivedFrom"), iri(claim_iri))
        q(edge, iri(PROV + "qualifiedDerivation"), derivation)
        q(derivation, RDF_TYPE, iri(PROV + "Derivation"))
        q(derivation, iri(PROV + "entity"), iri(claim_iri))
        q(derivation, iri(PROV + "hadPlan"), iri(rule_iri))
