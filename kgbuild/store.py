"""The embedded store: every use of pyoxigraph's on-disk store goes through here.

A build never writes into the live store: it fills a sibling folder and swaps it in, so a
failed build leaves the last good store in place.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from .errors import GeokgError

FORMATS_BY_EXTENSION = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}


def format_for(path: Path) -> ox.RdfFormat:
    """The RDF format named by a file's extension."""
    fmt = FORMATS_BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS_BY_EXTENSION))
        raise GeokgError(f"cannot tell the RDF format of '{path.name}' from its extension",
                         path=path, hint=f"use one of {known}")
    return fmt


def open_store(path: Path, *, read_only: bool = False) -> ox.Store:
    """Open an existing store folder.

    Raises GeokgError when the folder is missing, is not a store, or cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise GeokgError("no store here", path=path,
                         hint="run 'kgbuild build' first, or point --store / KGBUILD_STORE at a store")
    if not path.is_dir():
        raise GeokgError("the store path is a file, not a store folder", path=path)
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        raise GeokgError(f"cannot open the store: {exc}", path=path,
                         hint="another process may hold it open for writing; "
                              "read-only commands can still use it") from exc


def open_or_create_store(path: Path) -> ox.Store:
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as exc:
        raise GeokgError(f"cannot create or open the store: {exc}", path=path) from exc


def replace_store(path: Path, nquads: bytes) -> int:
    """Write a whole new store from N-Quads beside `path`, then swap it in.

    Returns the number of quads in the new store. Whatever fails, the old store stays.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GeokgError(f"cannot create the store's parent folder: {exc}", path=path) from exc
    fresh = path.with_name(path.name + ".building")
    retired = path.with_name(path.name + ".previous")
    for leftover in (fresh, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        store = ox.Store(str(fresh))
        # parse + bulk_extend keeps blank node labels (load and bulk_load rename them)
        store.bulk_extend(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
        store.flush()
        count = len(store)
        del store
    except (OSError, SyntaxError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise GeokgError(f"cannot write the new store: {exc}", path=fresh) from exc
    if path.exists():
        path.rename(retired)
    fresh.rename(path)
    shutil.rmtree(retired, ignore_errors=True)
    return count


def load_file(store: ox.Store, file: Path, *, graph: str | None = None) -> int:
    """Add an RDF file to the store; returns how many quads the store gained.

    With `graph`, triples go into that named graph; otherwise into the file's own graphs
    (the default graph for triple formats). Nothing is added if the file does not parse.
    """
    file = Path(file)
    fmt = format_for(file)
    if not file.is_file():
        raise GeokgError("no such file", path=file)
    to_graph = ox.NamedNode(graph) if graph else None
    if to_graph is not None and fmt.supports_datasets:
        raise GeokgError(f"--graph cannot be used with a {fmt.name} file: it names its own graphs",
                         path=file)
    before = len(store)
    # Parse fully into memory first so that a syntax error half-way adds nothing.
    try:
        quads = list(ox.parse(path=str(file), format=fmt, base_iri=file.resolve().as_uri(),
                              rename_blank_nodes=True))
    except SyntaxError as exc:
        raise GeokgError(f"not valid {fmt.name}: {exc}", path=file) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise GeokgError(f"cannot read the file: {exc}", path=file) from exc
    if to_graph is not None:
        quads = [ox.Quad(q.subject, q.predicate, q.object, to_graph) for q in quads]
    store.extend(quads)
    store.flush()
    return len(store) - before


def sorted_nquads(store: ox.Store) -> bytes:
    """The whole store as N-Quads, one line per quad, sorted: byte-identical for equal stores."""
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    lines = sorted(set(line for line in data.split(b"\n") if line))
    return b"\n".join(lines) + b"\n" if lines else b""
