"""The build stage: annotations + reference data -> RDF -> derived edges -> checks -> store.

Nothing touches the live store until the new graph has been built and checked; then the new
store is swapped in whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .annotations import read_annotations, sha256_text
from .derive import derive
from .errors import GeokgError
from .paths import data_dir, ontology_dir
from .reference import read_article, read_entities
from .store import replace_store, sorted_nquads
from .to_rdf import annotations_to_rdf, article_to_rdf, entities_to_rdf

ONTOLOGY_GRAPH = "https://w3id.org/geokg/ontology"
NOT_IN_STORE = {"shapes.ttl"}  # shapes check data; they are not data


@dataclass
class BuildReport:
    store: Path | None
    quads: int
    documents: list[str] = field(default_factory=list)
    claims: int = 0
    derived_edges: int = 0
    validation: object | None = None


def annotation_files(data: Path) -> list[Path]:
    return sorted((data / "annotations").glob("*.yaml"))


def build_graph(data: Path | None = None) -> tuple[ox.Store, BuildReport]:
    """Build the whole graph in memory from a data folder (default: the project's data/)."""
    data = Path(data) if data else data_dir()
    entities = read_entities(data / "reference" / "entities.yaml")
    store = ox.Store()
    store.extend(ontology_quads())
    store.extend(list(entities_to_rdf(entities)))
    report = BuildReport(store=None, quads=0)
    files = annotation_files(data)
    if not files:
        raise GeokgError("no annotation files", path=data / "annotations",
                         hint="annotate an article first (docs/annotations.md)")
    for path in files:
        document = _document_id(path)
        article = read_article(data / "articles" / f"{document}.txt")
        annotations = read_annotations(path, text=article.text, entities=set(entities))
        if annotations.document != document:
            raise GeokgError(f"the file names document {annotations.document!r} but is named after {document!r}",
                             path=path)
        store.extend(list(article_to_rdf(article, sha256_text(article.text))))
        store.extend(list(annotations_to_rdf(annotations, article.text)))
        report.documents.append(document)
        report.claims += len(annotations.claims)
    report.derived_edges = derive(store)
    report.quads = len(store)
    return store, report


def ontology_quads() -> list[ox.Quad]:
    """The ontology files as quads in the ontology graph, with blank nodes labelled by content.

    OWL axioms need blank nodes; labelling them from what they describe keeps the build
    byte-for-byte repeatable.
    """
    quads: list[ox.Quad] = []
    target = ox.NamedNode(ONTOLOGY_GRAPH)
    for path in sorted(ontology_dir().glob("*.ttl")):
        if path.name in NOT_IN_STORE:
            continue
        try:
            triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise GeokgError(f"the ontology does not parse: {exc}", path=path) from exc
        quads += [ox.Quad(t.subject, t.predicate, t.object, target) for t in stable_blank_nodes(triples)]
    return quads


def stable_blank_nodes(triples: list) -> list:
    """Relabel blank nodes from their content and the triple that points at them.

    Works for the tree-shaped blank nodes of OWL's RDF mapping (lists, restrictions, unions).
    """
    import hashlib
    out_edges: dict[str, list] = {}
    parent: dict[str, tuple] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            out_edges.setdefault(t.subject.value, []).append(t)
        if isinstance(t.object, ox.BlankNode):
            parent[t.object.value] = (t.subject, t.predicate)
    content: dict[str, str] = {}

    def content_hash(node: str, depth: int = 0) -> str:
        if node not in content:
            if depth > 100:
                raise GeokgError("the ontology has a cycle of blank nodes")
            parts = sorted(f"{t.predicate} {content_hash(t.object.value, depth + 1) if isinstance(t.object, ox.BlankNode) else t.object}"
                           for t in out_edges.get(node, []))
            content[node] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return content[node]

    labels: dict[str, str] = {}

    def label(node: str, depth: int = 0) -> str:
        if node not in labels:
            subject, predicate = parent.get(node, (None, None))
            anchor = (label(subject.value, depth + 1) if isinstance(subject, ox.BlankNode) else str(subject)) \
                if depth < 100 else ""
            labels[node] = "b" + hashlib.sha256(f"{anchor} {predicate} {content_hash(node)}".encode()).hexdigest()[:24]
        return labels[node]

    def relabel(term):
        return ox.BlankNode(label(term.value)) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(relabel(t.subject), t.predicate, relabel(t.object)) for t in triples]


def _document_id(path: Path) -> str:
    import yaml
    try:
        head = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise GeokgError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                         line=mark.line + 1 if mark else None) from exc
    if not isinstance(head, dict) or not head.get("document"):
        raise GeokgError("the annotation file does not name its 'document'", path=path)
    return str(head["document"])


def build(store_path: Path, *, data: Path | None = None, check: bool = True) -> BuildReport:
    """Build the graph and swap it in as the store at `store_path`.

    With `check`, the graph must pass validation (HermiT consistency and SHACL) first;
    otherwise GeokgError is raised and the old store is left as it was.
    """
    memory, report = build_graph(data)
    nquads = sorted_nquads(memory)
    if check:
        from .validate import validate
        result = validate(nquads_to_dataset(nquads))
        report.validation = result
        if not result.conforms:
            raise GeokgError("the built graph does not pass validation; the store was not changed\n"
                             + result.text())
    report.quads = replace_store(Path(store_path), nquads)
    report.store = Path(store_path)
    return report


def nquads_to_dataset(nquads: bytes):
    import rdflib
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    return dataset
