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
from .reference import read_article, read_entities, read_reference  # noqa: F401
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
    entities = read_reference(data / "reference")
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


def stored_documents(store_path: Path) -> set[str]:
    """The ids of the documents an existing store holds (its evidence graphs); none if no store."""
    from .store import open_store
    from .vocab import DOC
    path = Path(store_path)
    if not path.is_dir() or not (path / "CURRENT").exists():
        return set()   # no store (yet), or a folder that is not one: replace_store refuses the latter
    store = open_store(path, read_only=True)
    return {g.value[len(DOC):] for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(DOC)}


def build(store_path: Path, *, data: Path | None = None, check: bool = True, allow_drop: bool = False) -> BuildReport:
    """Build the graph and swap it in as the store at `store_path`.

    With `check`, the graph must pass validation (HermiT consistency and SHACL) first;
    otherwise GeokgError is raised and the old store is left as it was. A build that would lose
    documents the store holds (built from another data folder, or after files were deleted) is
    refused unless `allow_drop`.
    """
    memory, report = build_graph(data)
    if not allow_drop:
        dropped = sorted(stored_documents(store_path) - set(report.documents))
        if dropped:
            raise GeokgError(
                f"the build would drop {len(dropped)} document(s) the store holds and the data folder "
                f"{Path(data) if data else data_dir()} does not ({', '.join(dropped[:5])}"
                f"{', …' if len(dropped) > 5 else ''}); the store was not changed", path=store_path,
                hint="build from the data folder that holds them (--data, $KGBUILD_DATA), or pass --allow-drop")
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


# --- incremental growth (issue 6): one document into an existing store -------------------

@dataclass
class DocumentUpdate:
    """What add_document changed."""
    document: str
    claims: int
    quads_written: int
    edges_touched: int
    seconds: float

    def summary(self) -> str:
        return (f"{self.document}: {self.claims} claims, {self.quads_written} quads written; "
                f"{self.edges_touched} derived edge(s) re-derived or dropped; {self.seconds:.2f} s")


def annotation_file_for(data: Path, document_id: str) -> Path:
    """The annotation file of one document: annotations/<id>.yaml, else the file that names it."""
    path = data / "annotations" / f"{document_id}.yaml"
    if path.is_file():
        return path
    for candidate in annotation_files(data):
        if _document_id(candidate) == document_id:
            return candidate
    raise GeokgError(f"no annotation file for document {document_id!r}", path=data / "annotations",
                     hint="annotate the article first (docs/annotations.md)")


def document_update_text(document_iri: str, quads: list[ox.Quad], affected_edges: list[str],
                         rules=None) -> str:
    """One SPARQL Update request (one transaction) that replaces a document in a store:

    1. the derivations from the document's claims go (prov:wasDerivedFrom, prov:qualifiedDerivation
       and the prov:Derivation nodes);
    2. its evidence graph, its events (gk:reportedIn it) and its metadata go;
    3. the new quads go in (the reference entities' quads among them, which are already there
       unless the document names a new entity);
    4. every rule runs with its `GRAPH ?doc` bound to this document, and the rule set's
       metadata is added as kgbuild.derive adds it;
    5. the derived edges that had a derivation from the document and now have none go,
       with their graph.
    """
    import re
    from .derive import read_rules
    from .vocab import GK
    rules = read_rules() if rules is None else rules
    doc = f"<{document_iri}>"
    prov = "http://www.w3.org/ns/prov#"
    ops = [
        "DELETE { ?edge prov:wasDerivedFrom ?claim ; prov:qualifiedDerivation ?d . ?d ?p ?o }\n"
        f"WHERE {{ GRAPH {doc} {{ ?claim a gk:Claim }} ?d prov:entity ?claim . "
        "?edge prov:qualifiedDerivation ?d . ?d ?p ?o }",
        f"DROP SILENT GRAPH {doc}",
        f"DELETE {{ ?event ?p ?o }} WHERE {{ ?event gk:reportedIn {doc} . ?event ?p ?o }}",
        f"DELETE WHERE {{ {doc} ?p ?o }}",
    ]
    # The rule set's metadata (rule nodes, the run, its prov:used links) exactly as derive() writes it.
    metadata = ox.Store()
    derive(metadata, rules)
    insert = ["INSERT DATA {\n"]
    for quad in list(quads) + list(metadata):
        line = f"{quad.subject} {quad.predicate} {quad.object}"
        if isinstance(quad.graph_name, ox.NamedNode):
            insert.append(f"GRAPH {quad.graph_name} {{ {line} }}\n")
        else:
            insert.append(line + " .\n")
    insert.append("}")
    ops.append("".join(insert))
    prefixes = {"gk": GK, "prov": prov}
    for rule in rules:
        text = re.sub(r"\?_rule\b", f"<{rule.iri}>", rule.query.text)
        # Oxigraph takes a prologue only at the start of a request: the rules' PREFIX lines move there.
        for name, iri in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):\s*<([^>]*)>\s*$", text):
            if prefixes.setdefault(name, iri) != iri:
                raise GeokgError(f"rule {rule.name} binds the prefix {name}: to another IRI", path=rule.query.path)
        text = re.sub(r"(?im)^\s*PREFIX\s+[\w-]*:\s*<[^>]*>\s*$", "", text)
        ops.append(re.sub(r"\?doc\b", doc, text))
    from .derive import ruleset_iri
    ops.append(f"INSERT {{ ?edge prov:wasGeneratedBy <{ruleset_iri(rules)}> }} "
               f"WHERE {{ GRAPH {doc} {{ ?claim a gk:Claim }} ?edge prov:wasDerivedFrom ?claim }}")
    if affected_edges:
        values = " ".join(f"<{e}>" for e in affected_edges)
        orphan = f"VALUES ?edge {{ {values} }} FILTER NOT EXISTS {{ ?edge prov:qualifiedDerivation ?any }}"
        ops.append(f"DELETE {{ GRAPH ?edge {{ ?s ?p ?o }} }} WHERE {{ {orphan} GRAPH ?edge {{ ?s ?p ?o }} }}")
        ops.append(f"DELETE {{ ?edge ?p ?o }} WHERE {{ {orphan} ?edge ?p ?o }}")
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())
    return prologue + " ;\n".join(ops)


def add_document(store_path: Path, data: Path | None = None, document_id: str | None = None) -> DocumentUpdate:
    """Put one article (new or changed) into an existing store without rebuilding the world.

    Only that document's evidence graph, its events and metadata, and the derived edges that
    depend on its claims are touched; everything happens in one SPARQL Update transaction, so
    a failure leaves the store as it was. The result is the store a full build would give
    (tests/test_incremental.py checks that), as long as the reference entities did not change.
    """
    import time
    from .store import open_store
    from .to_rdf import document_iri
    started = time.perf_counter()
    if not document_id:
        raise GeokgError("add_document needs a document id (e.g. article-002)")
    data = Path(data) if data else data_dir()
    quads, entity_quads, claims = document_quads(data, document_id)
    doc = document_iri(document_id).value
    store = open_store(Path(store_path))
    # Reference entities' quads already in the store are not sent again (they were, every time:
    # about 6,600 quads per article); the update never deletes them, so the result is the same.
    entity_quads = [q for q in entity_quads if isinstance(q.subject, ox.BlankNode)
                    or isinstance(q.object, ox.BlankNode) or q not in store]
    affected = [row["edge"].value for row in store.query(
        "PREFIX gk: <https://w3id.org/geokg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"SELECT DISTINCT ?edge WHERE {{ GRAPH <{doc}> {{ ?claim a gk:Claim }} ?edge prov:wasDerivedFrom ?claim }}")]
    try:
        store.update(document_update_text(doc, quads + entity_quads, affected))
    except (SyntaxError, OSError) as exc:
        raise GeokgError(f"could not update the store with {document_id}: {exc}; the store was not changed",
                         path=store_path) from exc
    store.flush()
    return DocumentUpdate(document=document_id, claims=claims, quads_written=len(quads),
                          edges_touched=len(affected), seconds=time.perf_counter() - started)


_REFERENCE_CACHE: dict[str, tuple] = {}


def _reference_cached(folder: Path):
    """read_reference(folder) and its quads, reused while no file of the folder changed (ingest
    adds documents one after another against the same reference data)."""
    folder = Path(folder)
    key = str(folder.resolve())
    stamp = tuple(sorted((str(p), st.st_mtime_ns, st.st_size) for p in folder.rglob("*") if p.is_file()
                         for st in [p.stat()]))
    hit = _REFERENCE_CACHE.get(key)
    if hit is None or hit[0] != stamp:
        entities = read_reference(folder)
        hit = (stamp, entities, frozenset(entities), list(entities_to_rdf(entities)))
        _REFERENCE_CACHE.clear()
        _REFERENCE_CACHE[key] = hit
    return hit[1], hit[2], hit[3]


def document_quads(data: Path, document_id: str) -> tuple[list[ox.Quad], list[ox.Quad], int]:
    """One document's quads as a build makes them (metadata, events, evidence graph), the
    reference entities' quads, and the number of claims; the reference data is read once per
    version of its files."""
    _, entity_ids, entity_quads = _reference_cached(data / "reference")
    path = annotation_file_for(data, document_id)
    article = read_article(data / "articles" / f"{document_id}.txt")
    annotations = read_annotations(path, text=article.text, entities=set(entity_ids))
    if annotations.document != document_id:
        raise GeokgError(f"the file names document {annotations.document!r}, not {document_id!r}", path=path)
    quads = list(article_to_rdf(article, sha256_text(article.text)))
    quads += list(annotations_to_rdf(annotations, article.text))
    return quads, list(entity_quads), len(annotations.claims)
