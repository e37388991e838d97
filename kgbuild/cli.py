"""The kgbuild command line: each command parses options, calls one stage, renders, exits.

Results go to stdout; progress, summaries and errors to stderr. Exit 0 ok, 1 a problem was
found (bad input, failed validation, failed query), 2 usage.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import GeokgError
from .paths import store_path


def fails_cleanly(command):
    """Turn a GeokgError into one clear message and exit 1."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GeokgError as exc:
            raise click.ClickException(str(exc)) from exc
    return wrapper


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--param takes NAME=VALUE, not {value!r}")
        params[key.strip()] = val
    return params


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store", type=click.Path(path_type=Path), default=None,
              help="Store folder (default: $KGBUILD_STORE, else ./.geokg/store).")
@click.version_option(__version__, prog_name="kgbuild")
@click.pass_context
def cli(ctx: click.Context, store: Path | None):
    """geokg: build a geopolitical knowledge graph from news and ask it questions."""
    ctx.obj = {"store": store_path(store)}


def _store(ctx: click.Context, *, read_only: bool = True):
    from .store import open_store
    return open_store(ctx.obj["store"], read_only=read_only)


@cli.command()
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Data folder with articles/, annotations/ and reference/ (default: the project's data/).")
@click.option("--no-check", is_flag=True, help="Skip validation (HermiT and SHACL) before swapping the store in.")
@click.pass_context
@fails_cleanly
def build(ctx, data, no_check):
    """Build the graph from annotations and reference data into the store.

    The new graph is built and validated aside; the store is replaced only if that succeeds.
    """
    from .build import build as run_build
    report = run_build(ctx.obj["store"], data=data, check=not no_check)
    click.echo(f"built {report.store}: {report.quads} quads from {len(report.documents)} document(s), "
               f"{report.claims} claims, {report.derived_edges} derived edges"
               + ("" if no_check else "; validation passed"), err=True)


@cli.command(name="queries")
@fails_cleanly
def list_saved_queries():
    """List the saved queries and their parameters."""
    from .queries import list_queries
    for query in list_queries():
        click.echo(f"{query.name}\t{query.title}")
        for param in query.params:
            default = "required" if param.default is None else f"default {param.default}"
            click.echo(f"    --param {param.name}=…  ({param.type}, {default}) {param.help}")


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
                             default="table", show_default=True, help="Output format.")


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Run a query file instead of a saved query.")
@FORMAT_OPTION
@click.pass_context
@fails_cleanly
def query(ctx, name, params, file, fmt):
    """Run a saved query by NAME (see 'kgbuild queries'), or a query --file."""
    from .queries import parse_saved_query, run_query, run_sparql
    from .render import render
    if bool(name) == bool(file):
        raise click.UsageError("give either a saved query NAME or --file FILE")
    values = parse_params(params)
    store = _store(ctx)
    if file:
        if not file.is_file():
            raise GeokgError("no such query file", path=file)
        saved = parse_saved_query(file) if file.read_text(encoding="utf-8", errors="replace").startswith("#+") else None
        text = saved.bind(values) if saved else file.read_text(encoding="utf-8")
        try:
            result = run_sparql(store, text)
        except GeokgError as exc:
            exc.path = exc.path or str(file)
            raise
    else:
        result = run_query(store, name, values)
    click.echo(render(result, fmt), nl=False)


@cli.command()
@click.argument("text")
@FORMAT_OPTION
@click.pass_context
@fails_cleanly
def sparql(ctx, text, fmt):
    """Run an ad-hoc SPARQL SELECT or ASK query (TEXT, or - to read it from stdin)."""
    from .queries import run_sparql
    from .render import render
    if text == "-":
        text = sys.stdin.read()
    click.echo(render(run_sparql(_store(ctx), text), fmt), nl=False)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--document", default=None, help="Only the claims of this document (id or IRI).")
@click.pass_context
@fails_cleanly
def claims(ctx, fmt, document):
    """Print the claims table: one row per claim with its evidence."""
    from .claims import claims_table, render_claims
    if document and ":" not in document:
        document = "gkdoc:" + document
    click.echo(render_claims(claims_table(_store(ctx), document), fmt), nl=False)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig", "turtle", "jsonld"]), default="nquads",
              show_default=True, help="nquads is sorted and byte-identical for the same graph.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of stdout.")
@click.pass_context
@fails_cleanly
def export(ctx, fmt, output):
    """Write the whole graph out (Turtle carries the union of all graphs)."""
    from .export import export as run_export
    data = run_export(_store(ctx), fmt)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@cli.command()
@click.pass_context
@fails_cleanly
def validate(ctx):
    """Check the store: HermiT consistency and SHACL shapes. Exit 1 with a report if it fails."""
    from .build import nquads_to_dataset
    from .store import sorted_nquads
    from .validate import validate as run_validate
    report = run_validate(nquads_to_dataset(sorted_nquads(_store(ctx))))
    click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--graph", default=None, help="Load into this named graph (triple formats only).")
@click.pass_context
@fails_cleanly
def load(ctx, file, graph):
    """Add an RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) to the store."""
    from .queries import expand_iri
    from .store import format_for, load_file, open_or_create_store
    format_for(file)  # refuse an unknown format before touching the store
    store = open_or_create_store(ctx.obj["store"])
    try:
        added = load_file(store, file, graph=expand_iri(graph) if graph else None)
    finally:
        del store  # release the store's lock even when the error keeps this frame alive
    click.echo(f"loaded {file}: {added} new quads", err=True)


# --- serve (issue 5): the server's commands go here ---

# --- gen, bench, push, remote queries (issue 6): their commands go here ---

# --- ingest, link, eval (issue 4): their commands go here ---


def main():
    cli(prog_name="kgbuild")
