"""The validation stage: is the graph consistent with the ontology, and is it complete?

Three checks, all on the union of the dataset's graphs:

1. **Consistency** (OWL 2 DL, open world): HermiT, run through owlready2, reasons over
   ``ontology/geokg.ttl`` plus the data's class and object-property assertions. A contradiction
   (an individual that is both a gk:Person and a gk:Organization, a claim whose status is a
   certainty value, ...) makes the graph inconsistent.
2. **Shapes** (SHACL, closed world): pySHACL checks ``ontology/shapes.ttl`` (required values,
   counts, datatypes, patterns, span offsets), with the ontology and ``event-codes.ttl`` mixed in
   so that ``sh:class`` follows ``rdfs:subClassOf``.
3. **Terms, values and layers**: every gk: term the data uses is declared; object and data
   properties get the right kind of value; a span's text matches its offsets and occurs in its
   sentence; a Wikidata ``skos:exactMatch`` agrees with ``gk:wikidataId``; and, for a dataset
   with named graphs, each claim sits in the graph of the document it is stated in and each
   derived edge names a graph holding exactly one analyst triple.

This stage never prints; it returns a :class:`ValidationReport` and raises
:class:`~kgbuild.errors.GeokgError` only when the check itself cannot run (ontology file missing
or unparsable, Java missing).

>>> from rdflib import Graph
>>> validate(Graph(), reasoner=False).conforms
True
"""
from __future__ import annotations

import contextlib
import difflib
import functools
import re
import tempfile
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph, Dataset
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from .errors import GeokgError
from .paths import ontology_dir as _default_ontology_dir

__all__ = ["ValidationReport", "validate", "check_consistency"]

GK = "https://w3id.org/geokg/ontology#"
PROV = "http://www.w3.org/ns/prov#"
ONTOLOGY_FILE = "geokg.ttl"
EVENT_CODES_FILE = "event-codes.ttl"
SHAPES_FILE = "shapes.ttl"

# Prefixes used to shorten IRIs in problem lines (display only).
_DISPLAY_PREFIXES = (
    ("gk:", GK),
    ("gkid:", "https://w3id.org/geokg/id/"),
    ("gkdoc:", "https://w3id.org/geokg/doc/"),
    ("gkc:", "https://w3id.org/geokg/claim/"),
    ("gkev:", "https://w3id.org/geokg/event/"),
    ("gkd:", "https://w3id.org/geokg/derived/"),
    ("gkr:", "https://w3id.org/geokg/rule/"),
    ("cameo:", "https://w3id.org/geokg/cameo/"),
    ("plover:", "https://w3id.org/geokg/plover/"),
    ("prov:", PROV),
    ("skos:", "http://www.w3.org/2004/02/skos/core#"),
    ("rdfs:", str(RDFS)),
    ("rdf:", str(RDF)),
    ("xsd:", str(XSD)),
    ("wd:", "http://www.wikidata.org/entity/"),
)

# The datatypes HermiT accepts: the OWL 2 datatype map (OWL 2 Structural Specification, 4).
_OWL2_DATATYPES = {XSD[name] for name in (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int "
    "short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string "
    "normalizedString token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
    "dateTime dateTimeStamp").split()} | {
    RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal, OWL.real, OWL.rational}

_MAX_EXPLANATIONS = 10


# =============================================================================================
# Report
# =============================================================================================

@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate` found.

    ``conforms`` is True when nothing is wrong: no SHACL violation, no term or layer problem,
    and (when the reasoner ran) the graph is consistent. ``consistent`` is HermiT's verdict, or
    None when the reasoner was not run. ``problems`` holds one readable line per problem:
    the focus node, the property path, and what is wrong.
    """

    conforms: bool
    consistent: bool | None
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The report as plain text, for a terminal or a log."""
        verdict = "conforms" if self.conforms else f"does NOT conform ({len(self.problems)} problem" + (
            "s)" if len(self.problems) != 1 else ")")
        consistency = {True: "consistent", False: "INCONSISTENT", None: "not checked"}[self.consistent]
        lines = [f"geokg validation: the graph {verdict}",
                 f"OWL consistency (HermiT): {consistency}"]
        lines += [f"- {problem}" for problem in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


# =============================================================================================
# Public API
# =============================================================================================

def validate(dataset: object, *, ontology_dir: str | Path | None = None, reasoner: bool = True,
             shacl: bool = True) -> ValidationReport:
    """Validate a graph or dataset against the geokg ontology and shapes.

    :param dataset: an rdflib ``Dataset``/``ConjunctiveGraph`` (all graphs are validated
        together, and the layout of named graphs is checked), an rdflib ``Graph``, or a
        ``pyoxigraph.Store``.
    :param ontology_dir: folder holding geokg.ttl, event-codes.ttl and shapes.ttl; defaults to
        the project's ``ontology/``.
    :param reasoner: run HermiT for OWL consistency (needs Java; about a second).
    :param shacl: run the SHACL shapes.
    :raises GeokgError: when an ontology file is missing or unparsable, or Java cannot run.
    """
    directory = _resolve_dir(ontology_dir)
    quads = list(_quads(dataset))
    union = Graph()
    for s, p, o, _ in quads:
        union.add((s, p, o))

    problems = _term_problems(union, directory)
    if _has_named_graphs(dataset):
        problems += _layout_problems(quads)

    consistent: bool | None = None
    if reasoner:
        consistent, explanation = check_consistency(union, ontology_dir=directory)
        if not consistent:
            problems.append(explanation)

    if shacl:
        problems += _shacl_problems(union, directory)
        problems += _value_problems(union)

    return ValidationReport(conforms=not problems, consistent=consistent, problems=problems)


def check_consistency(graph: object, *, ontology_dir: str | Path | None = None) -> tuple[bool, str]:
    """Run HermiT on the ontology plus the graph's class and object-property assertions.

    Only ``rdf:type`` triples whose class is declared in the ontology, and triples whose
    predicate is a declared object property, are handed to the reasoner (IRIs only, sorted, so
    the input is small and deterministic); data-property values stay out, as HermiT rejects
    ``xsd:date``. Returns ``(True, "consistent")`` or ``(False, explanation)``, the explanation
    naming the individuals and classes involved where a simple cause can be found.

    :raises GeokgError: when Java or HermiT cannot run.
    """
    directory = _resolve_dir(ontology_dir)
    ontology = _load_graph(directory / ONTOLOGY_FILE)
    data = graph if isinstance(graph, Graph) and not isinstance(graph, ConjunctiveGraph) else None
    if data is None:
        data = Graph()
        for s, p, o, _ in _quads(graph):
            data.add((s, p, o))
    assertions = _reasoner_assertions(data, ontology)
    lines = sorted({_nt_line(t) for t in _owl2_safe(ontology)} | {_nt_line(t) for t in assertions})

    import owlready2  # imported here: loading it starts nothing, but keeps `import kgbuild` light

    with tempfile.TemporaryDirectory(prefix="geokg-hermit-") as tmp:
        path = Path(tmp) / "reasoner-input.nt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        world = owlready2.World()
        try:
            world.get_ontology(path.as_uri()).load()
            with _tempdir(tmp):  # owlready2 leaves its own temp file behind on inconsistency
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            unsatisfiable = sorted(_short(c.iri) for c in world.inconsistent_classes()
                                   if getattr(c, "iri", "").startswith(GK))
        except owlready2.OwlReadyInconsistentOntologyError:
            reasons = _explain_inconsistency(ontology, assertions)
            text = "HermiT: the data contradicts the ontology (OWL inconsistency)."
            if reasons:
                text += " " + " ".join(f"({i}) {r}" for i, r in enumerate(reasons, 1))
            else:
                text += (" No simple cause was found (disjoint classes, domains and ranges, value"
                         " sets); look for functional properties with two values and for"
                         " individuals used as two disjoint kinds of thing.")
            return False, text
        except owlready2.OwlReadyJavaError as exc:
            raise GeokgError(f"HermiT failed to run: {str(exc).strip()}",
                             hint="check the ontology with an OWL tool, or validate with reasoner=False") from exc
        except FileNotFoundError as exc:  # no java executable
            raise GeokgError("cannot run HermiT: Java was not found",
                             hint="install a Java runtime (11 or later), e.g. 'apt-get install "
                                  "default-jre-headless', or validate with reasoner=False") from exc
        finally:
            world.close()
    if unsatisfiable:
        return False, ("HermiT: these ontology classes can have no members (unsatisfiable): "
                       + ", ".join(unsatisfiable))
    return True, "consistent"


# =============================================================================================
# Loading
# =============================================================================================

def _resolve_dir(ontology_dir: str | Path | None) -> Path:
    directory = Path(ontology_dir) if ontology_dir is not None else _default_ontology_dir()
    for name in (ONTOLOGY_FILE, EVENT_CODES_FILE, SHAPES_FILE):
        if not (directory / name).is_file():
            raise GeokgError(f"ontology file not found: {name}", path=directory / name,
                             hint="pass ontology_dir= the folder holding geokg.ttl, "
                                  "event-codes.ttl and shapes.ttl")
    return directory


def _load_graph(path: Path) -> Graph:
    """The parsed file, cached by path and modification time. Callers must not modify it."""
    stat = path.stat()
    return _parse_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _parse_cached(path: str, mtime_ns: int, size: int) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several types; all are syntax errors here
        message = str(exc).strip()
        match = re.search(r"line (\d+)", message)
        raise GeokgError(f"cannot parse the ontology file: {message.splitlines()[0] if message else exc!r}",
                         path=path, line=int(match.group(1)) if match else None,
                         hint="fix the Turtle syntax at that line") from exc
    return graph


def _ontology_terms(directory: Path) -> dict[str, set[URIRef]]:
    ontology = _load_graph(directory / ONTOLOGY_FILE)
    kinds = {
        "class": OWL.Class, "object": OWL.ObjectProperty, "data": OWL.DatatypeProperty,
        "annotation": OWL.AnnotationProperty, "individual": OWL.NamedIndividual,
    }
    return {kind: {s for s in ontology.subjects(RDF.type, iri) if isinstance(s, URIRef)}
            for kind, iri in kinds.items()}


def _quads(data: object) -> Iterator[tuple]:
    """(s, p, o, graph) for every quad; graph is None for the default graph."""
    if isinstance(data, ConjunctiveGraph):
        default_ids = {DATASET_DEFAULT_GRAPH_ID}
        with warnings.catch_warnings():  # Dataset.default_context is deprecated in rdflib 7
            warnings.simplefilter("ignore", DeprecationWarning)
            default = data.default_graph if isinstance(data, Dataset) else data.default_context
        default_ids.add(default.identifier)
        for s, p, o, ctx in data.quads((None, None, None, None)):
            ident = getattr(ctx, "identifier", ctx)
            yield s, p, o, (None if ident in default_ids or ident is None else ident)
        return
    if isinstance(data, Graph):
        for s, p, o in data:
            yield s, p, o, None
        return
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - pyoxigraph is a dependency
        pyoxigraph = None
    if pyoxigraph is not None and isinstance(data, pyoxigraph.Store):
        for quad in data.quads_for_pattern(None, None, None, None):
            graph = None if isinstance(quad.graph_name, pyoxigraph.DefaultGraph) else _from_ox(quad.graph_name)
            yield _from_ox(quad.subject), _from_ox(quad.predicate), _from_ox(quad.object), graph
        return
    raise GeokgError(f"cannot validate a {type(data).__name__}",
                     hint="pass an rdflib Graph or Dataset, or a pyoxigraph Store")


def _from_ox(term):
    import pyoxigraph
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise GeokgError(f"unsupported RDF term in the store: {term!r}")


def _has_named_graphs(data: object) -> bool:
    if isinstance(data, ConjunctiveGraph):
        return True
    try:
        import pyoxigraph
        return isinstance(data, pyoxigraph.Store)
    except ImportError:  # pragma: no cover
        return False


# =============================================================================================
# Terms and layers
# =============================================================================================

def _term_problems(union: Graph, directory: Path) -> list[str]:
    terms = _ontology_terms(directory)
    declared = set().union(*terms.values())
    problems: set[str] = set()
    for s, p, o in union:
        for position, term in (("subject", s), ("property", p), ("value", o)):
            if isinstance(term, URIRef) and str(term).startswith(GK) and term not in declared:
                close = difflib.get_close_matches(str(term), [str(t) for t in declared], n=1)
                hint = f"; did you mean {_short(close[0])}?" if close else ""
                problems.add(f"{_short(term)}: not a term of the ontology (used as {position} "
                             f"of a triple on {_short(s)}){hint}")
        if p in terms["object"] and isinstance(o, Literal):
            problems.add(f"{_short(s)}: {_short(p)}: is an object property but has the literal "
                         f"value {_show_value(o)}; it needs an IRI")
        elif p in terms["data"] and not isinstance(o, Literal):
            problems.add(f"{_short(s)}: {_short(p)}: is a data property but has the node "
                         f"{_short(o)} as value; it needs a literal")
    return sorted(problems)


def _layout_problems(quads: list[tuple]) -> list[str]:
    """Named-graph checks of the three layers that OWL and SHACL cannot see."""
    problems: set[str] = set()
    by_graph: dict[object, list[tuple]] = defaultdict(list)
    for s, p, o, g in quads:
        by_graph[g].append((s, p, o))
    union_spo = [(s, p, o) for s, p, o, _ in quads]
    stated_in = defaultdict(set)
    derived_edges = set()
    analyst = {URIRef(GK + name) for name in _ANALYST_RELATIONS}
    for s, p, o in union_spo:
        if p == URIRef(GK + "statedIn"):
            stated_in[s].add(o)
        elif p == RDF.type and o == URIRef(GK + "DerivedEdge"):
            derived_edges.add(s)
    for graph, triples in by_graph.items():
        for s, p, o in triples:
            if p == RDF.type and o == URIRef(GK + "Claim"):
                if graph is None:
                    problems.add(f"{_short(s)}: a gk:Claim in the default graph; claims belong in "
                                 "the named graph of the document they are stated in")
                elif stated_in[s] and graph not in stated_in[s]:
                    docs = ", ".join(sorted(_short(d) for d in stated_in[s]))
                    problems.add(f"{_short(s)}: gk:statedIn: the claim is stated in {docs} but sits "
                                 f"in the graph {_short(graph)}; the graph must be its document")
    for edge in sorted(derived_edges):
        triples = by_graph.get(edge, [])
        if len(triples) != 1:
            problems.add(f"{_short(edge)}: a gk:DerivedEdge must name a graph holding exactly one "
                         f"analyst triple; that graph holds {len(triples)}")
        elif triples[0][1] not in analyst:
            problems.add(f"{_short(edge)}: the triple in this derived edge's graph uses "
                         f"{_short(triples[0][1])}, which is not an analyst relation")
    return sorted(problems)


_ANALYST_RELATIONS = (
    "backs", "opposes", "recognizes", "sanctions", "lendsTo", "deploysTo", "leads", "headOfState",
    "headOfGovernment", "threatens", "criticizes", "confirms", "denies", "commentsOn", "fliesTo",
    "importsFrom", "memberOf", "partOf", "governmentOf", "holdsPosition",
)


# =============================================================================================
# SHACL, and the cross-value checks kept out of SHACL for speed (see shapes.ttl header)
# =============================================================================================

def _value_problems(union: Graph) -> list[str]:
    problems = set()
    gk = lambda name: URIRef(GK + name)  # noqa: E731
    for span in set(union.subjects(gk("exact"), None)):
        exact = union.value(span, gk("exact"))
        start, end = union.value(span, gk("startOffset")), union.value(span, gk("endOffset"))
        sentence = union.value(span, gk("sentence"))
        try:
            width = int(end.toPython()) - int(start.toPython())
        except (AttributeError, TypeError, ValueError):
            width = None  # missing or not integers: the shapes report it
        if width is not None and width > 0 and len(str(exact)) != width:
            problems.add(f"{_short(span)}: gk:exact: the text is {len(str(exact))} characters long "
                         f"but the offsets cover {width}; offsets and text disagree "
                         f"(found {_show_value(exact)})")
        if sentence is not None and str(exact) not in str(sentence):
            problems.add(f"{_short(span)}: gk:sentence: the span's gk:exact text does not occur in "
                         f"its sentence (found {_show_value(sentence)})")
    wikidata = "http://www.wikidata.org/entity/"
    for entity, qid in union.subject_objects(gk("wikidataId")):
        for match in union.objects(entity, URIRef("http://www.w3.org/2004/02/skos/core#exactMatch")):
            if str(match).startswith(wikidata) and str(match)[len(wikidata):] != str(qid):
                problems.add(f"{_short(entity)}: skos:exactMatch: names Wikidata item "
                             f"{str(match)[len(wikidata):]} but gk:wikidataId is {qid}; the two must agree")
    return sorted(problems)


def _shacl_problems(union: Graph, directory: Path) -> list[str]:
    import pyshacl

    shapes = _load_graph(directory / SHAPES_FILE)
    # The ontology facts the shapes rely on are copied in by hand: rdfs:subClassOf (so that
    # sh:class and sh:targetClass see a gk:NewsAgency as a gk:Actor) and the typing of the value
    # sets and event codes. (pySHACL's own ont_graph mixing deep-copies named individuals and
    # does not terminate on the cyclic SKOS links between schemes and their concepts.)
    data = Graph()
    for triple in union:
        data.add(triple)
    for name in (ONTOLOGY_FILE, EVENT_CODES_FILE):
        source = _load_graph(directory / name)
        for s, p, o in source:
            if isinstance(s, URIRef) and isinstance(o, URIRef) and p in (RDFS.subClassOf, RDF.type):
                data.add((s, p, o))
    conforms, report, _ = pyshacl.validate(
        data_graph=data, shacl_graph=shapes, inference="none",
        abort_on_first=False, allow_infos=True, allow_warnings=True, meta_shacl=False,
        advanced=False, debug=False)
    if conforms:
        return []
    problems = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        problems.add(_format_result(report, result))
    return sorted(problems)


def _format_result(report: Graph, result) -> str:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    severity = report.value(result, SH.resultSeverity)
    # pySHACL puts the shape's own sh:message here when it has one (our shapes all do).
    messages = sorted({str(m) for m in report.objects(result, SH.resultMessage)})
    text = " ".join(messages) or "constraint violated"
    line = _short(focus)
    if path is not None:
        line += f": {_show_path(report, path)}"
    line += f": {text}"
    if value is not None and value != focus:
        line += f" (found {_show_value(value)})"
    if severity is not None and severity != SH.Violation:
        line = f"{str(severity).split('#')[-1]}: {line}"
    return line


def _show_path(graph: Graph, path) -> str:
    if isinstance(path, BNode):
        items = list(graph.items(path))
        if items:
            return "/".join(_short(i) for i in items)
    return _short(path)


# =============================================================================================
# Reasoner input and explanations
# =============================================================================================

def _reasoner_assertions(data: Graph, ontology: Graph) -> set[tuple]:
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    object_properties = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty)
                         if isinstance(p, URIRef)}
    # Never hand the reasoner a class or property IRI as an individual (no punning).
    schema_terms = classes | object_properties | {
        t for kind in (OWL.DatatypeProperty, OWL.AnnotationProperty)
        for t in ontology.subjects(RDF.type, kind)}
    out = set()
    for s, p, o in data:
        if not isinstance(s, URIRef) or s in schema_terms:
            continue
        if p == RDF.type:
            if o in classes:
                out.add((s, p, o))
        elif p in object_properties and isinstance(o, URIRef) and o not in schema_terms:
            out.add((s, p, o))
    return out


def _owl2_safe(graph: Graph) -> Iterable[tuple]:
    """The graph with literals of datatypes outside the OWL 2 datatype map made plain strings."""
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and o.datatype not in _OWL2_DATATYPES:
            o = Literal(str(o))
        yield s, p, o


def _nt_line(triple: tuple) -> str:
    return " ".join(term.n3() for term in triple) + " ."


@contextlib.contextmanager
def _tempdir(path: str) -> Iterator[None]:
    """Point tempfile at `path` for the duration (owlready2 names its own temp files)."""
    previous = tempfile.tempdir
    tempfile.tempdir = path
    try:
        yield
    finally:
        tempfile.tempdir = previous


def _explain_inconsistency(ontology: Graph, assertions: set[tuple]) -> list[str]:
    """Find simple causes of an inconsistency: an individual whose asserted or implied types
    (from rdfs:subClassOf, domains and ranges, rdfs:subPropertyOf) include two disjoint
    classes, or a functional property with two values declared different."""
    superclasses = _closure(ontology, RDFS.subClassOf)
    superproperties = _closure(ontology, RDFS.subPropertyOf)
    disjoint = _disjoint_pairs(ontology)
    domains = {p: _class_options(ontology, d) for p, d in ontology.subject_objects(RDFS.domain)}
    ranges = {p: _class_options(ontology, r) for p, r in ontology.subject_objects(RDFS.range)}

    types: dict[URIRef, dict[URIRef, str]] = defaultdict(dict)   # individual -> class -> why
    demands: list[tuple] = []   # (individual, classes it must be one of, why)

    def add_type(individual, cls, reason):
        for c in {cls} | superclasses.get(cls, set()):
            types[individual].setdefault(c, reason)

    for individual in sorted(ontology.subjects(RDF.type, OWL.NamedIndividual)):
        for cls in ontology.objects(individual, RDF.type):
            if isinstance(cls, URIRef) and cls != OWL.NamedIndividual:
                add_type(individual, cls, f"a {_short(cls)} in the ontology")

    for s, _, o in sorted(t for t in assertions if t[1] == RDF.type):  # asserted types first
        add_type(s, o, f"typed {_short(o)}")
    for s, p, o in sorted(assertions):
        if p == RDF.type:
            continue
        for prop in sorted({p} | superproperties.get(p, set())):
            for node, options, role in ((s, domains.get(prop), "domain"), (o, ranges.get(prop), "range")):
                if not options:
                    continue
                shown = " or ".join(_short(c) for c in options)
                where = (f"subject of {_short(p)}" if role == "domain"
                         else f"value of {_short(s)} {_short(p)}")
                reason = f"{where}, whose {role} is {shown}"
                if len(options) == 1:
                    add_type(node, options[0], reason)
                else:
                    demands.append((node, options, reason))

    def clash(individual, cls):
        """A type of the individual that is disjoint with cls, or None."""
        for c in {cls} | superclasses.get(cls, set()):
            for t in types[individual]:
                if tuple(sorted((c, t))) in disjoint:
                    return t
        return None

    reasons = []
    for individual in sorted(types):
        known = types[individual]
        for a, b in sorted(disjoint):
            if a in known and b in known:
                reasons.append(f"{_short(individual)} is both {_short(a)} ({known[a]}) and "
                               f"{_short(b)} ({known[b]}), which are disjoint")
                break
    for individual, options, reason in demands:
        conflicts = [clash(individual, c) for c in options]
        if types.get(individual) and all(conflicts):
            reasons.append(f"{_short(individual)} is {_short(conflicts[0])} "
                           f"({types[individual][conflicts[0]]}) but is the {reason}")
    functional = set(ontology.subjects(RDF.type, OWL.FunctionalProperty))
    different = _different_pairs(ontology)
    values = defaultdict(set)
    for s, p, o in assertions:
        if p in functional:
            values[(s, p)].add(o)
    for (s, p), objs in sorted(values.items()):
        objs = sorted(objs)
        if any(frozenset((x, y)) in different for i, x in enumerate(objs) for y in objs[i + 1:]):
            reasons.append(f"{_short(s)} has several values for the functional property {_short(p)}: "
                           + ", ".join(_short(v) for v in objs))
    return reasons[:_MAX_EXPLANATIONS]


def _class_options(graph: Graph, node) -> list:
    """A named class as [class]; an owl:unionOf of named classes as its members."""
    if isinstance(node, URIRef):
        return [node]
    members = graph.value(node, OWL.unionOf)
    if members is not None:
        return [m for m in graph.items(members) if isinstance(m, URIRef)]
    return []


def _closure(graph: Graph, predicate) -> dict:
    direct = defaultdict(set)
    for s, o in graph.subject_objects(predicate):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            direct[s].add(o)
    result = {}
    for start in list(direct):
        seen, todo = set(), list(direct[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(direct.get(node, ()))
        result[start] = seen
    return result


def _disjoint_pairs(graph: Graph) -> set[tuple]:
    pairs = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add(tuple(sorted((a, b))))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(graph.items(graph.value(node, OWL.members)))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add(tuple(sorted((a, b))))
    return {p for p in pairs if all(isinstance(c, URIRef) for c in p)}


def _different_pairs(graph: Graph) -> set[frozenset]:
    pairs = set()
    for node in graph.subjects(RDF.type, OWL.AllDifferent):
        members = list(graph.items(graph.value(node, OWL.distinctMembers)))
        pairs |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:]}
    return pairs


# =============================================================================================
# Display
# =============================================================================================

def _short(term) -> str:
    if term is None:
        return "?"
    text = str(term)
    if isinstance(term, BNode):
        return f"_:{text}"
    best = max((ns for _, ns in _DISPLAY_PREFIXES if text.startswith(ns)), key=len, default=None)
    if best is not None:
        prefix = next(p for p, ns in _DISPLAY_PREFIXES if ns == best)
        return prefix + text[len(best):]
    return f"<{text}>" if isinstance(term, URIRef) else text


def _show_value(value) -> str:
    if isinstance(value, Literal):
        text = str(value)
        if len(text) > 60:
            text = text[:57] + "..."
        shown = f'"{text}"'
        if value.language:
            return shown + f"@{value.language}"
        if value.datatype is not None and value.datatype != XSD.string:
            return shown + f"^^{_short(value.datatype)}"
        return shown
    return _short(value)
