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
    if path.exists() and not path.is_dir():
        raise GeokgError("the store path is a file, not a store folder; nothing was changed", path=path,
                         hint="point --store / KGBUILD_STORE at a folder (it is created if missing)")
    if path.is_dir() and any(path.iterdir()) and not (path / "CURRENT").exists():
        raise GeokgError("this folder is not a store (no CURRENT file); nothing was changed", path=path,
                         hint="point --store at an existing store or at a new or empty folder")
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


def _load_plan(file: Path, graph: str | None) -> tuple[Path, ox.RdfFormat, ox.NamedNode | None, str]:
    file = Path(file)
    fmt = format_for(file)
    if not file.is_file():
        raise GeokgError("no such file", path=file)
    to_graph = ox.NamedNode(graph) if graph else None
    if to_graph is not None and fmt.supports_datasets:
        raise GeokgError(f"--graph cannot be used with a {fmt.name} file: it names its own graphs",
                         path=file)
    return file, fmt, to_graph, file.resolve().as_uri()


def check_parses(file: Path, fmt: ox.RdfFormat, base_iri: str) -> int:
    """Parse the whole file and throw the quads away: raises GeokgError (with the parser's
    line and column) if it does not parse; returns how many quads it holds."""
    count = 0
    try:
        for _quad in ox.parse(path=str(file), format=fmt, base_iri=base_iri):
            count += 1
    except SyntaxError as exc:
        raise GeokgError(f"not valid {fmt.name}: {exc}", path=file) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise GeokgError(f"cannot read the file: {exc}", path=file) from exc
    return count


def load_file(store: ox.Store, file: Path, *, graph: str | None = None) -> int:
    """Add an RDF file to the store; returns how many quads the store gained.

    With `graph`, triples go into that named graph; otherwise into the file's own graphs
    (the default graph for triple formats). Nothing is added if the file does not parse:
    the file is parsed once to check it (about 1M quads/s, nothing kept in memory), then
    streamed into the store with pyoxigraph's bulk loader.
    """
    file, fmt, to_graph, base_iri = _load_plan(file, graph)
    check_parses(file, fmt, base_iri)
    before = len(store)
    try:
        store.bulk_load(path=str(file), format=fmt, base_iri=base_iri, to_graph=to_graph)
        store.flush()
    except SyntaxError as exc:  # the check above makes this unlikely
        raise GeokgError(f"not valid {fmt.name}: {exc}", path=file) from exc
    except OSError as exc:
        raise GeokgError(f"cannot load the file into the store: {exc}", path=file) from exc
    return len(store) - before


def load_file_into(path: Path, file: Path, graph: str | None = None) -> int:
    """Add an RDF file to the store folder at `path` (created if missing); returns how many
    quads the store gained. All or nothing.

    When there is no store yet, or it is empty, the file is bulk-loaded into a sibling folder
    that is swapped in only when the load has succeeded, so the load runs at pyoxigraph's own
    bulk_load rate with no separate check. Into a store that has data, it is checked first and
    then bulk-loaded (see load_file).
    """
    path = Path(path)
    file, fmt, to_graph, base_iri = _load_plan(file, graph)
    if path.exists():
        store = open_store(path)
        if next(iter(store.quads_for_pattern(None, None, None, None)), None) is not None:
            return load_file(store, file, graph=graph)
        del store
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GeokgError(f"cannot create the store's parent folder: {exc}", path=path) from exc
    fresh = path.with_name(path.name + ".loading")
    if fresh.exists():
        shutil.rmtree(fresh)
    try:
        store = ox.Store(str(fresh))
        store.bulk_load(path=str(file), format=fmt, base_iri=base_iri, to_graph=to_graph)
        store.flush()
        count = len(store)
        del store
    except SyntaxError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise GeokgError(f"not valid {fmt.name}: {exc}", path=file) from exc
    except (OSError, UnicodeDecodeError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise GeokgError(f"cannot load the file: {exc}", path=file) from exc
    if path.exists():
        shutil.rmtree(path)  # an empty store: nothing is lost
    fresh.rename(path)
    return count


def sorted_nquads(store: ox.Store) -> bytes:
    """The whole store as N-Quads, one line per quad, sorted: byte-identical for equal stores."""
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    lines = sorted(set(line for line in data.split(b"\n") if line))
    return b"\n".join(lines) + b"\n" if lines else b""
