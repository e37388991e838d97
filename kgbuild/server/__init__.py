"""`kgbuild serve`: a SPARQL 1.1 endpoint, Graph Store, Linked Data pages and an offline UI.

Modules: config (settings), protocol (SPARQL protocol requests), negotiation (Accept),
sparql_text (what a query names before the engine runs it), workers (killable query
processes), results (result formats), gsp (Graph Store Protocol), description (service
description, VoID), linked_data (IRI dereferencing), fastpath (plain lookups in-process),
backend (local worker pools or a remote store), app (the route table). See docs/server.md.
"""
from __future__ import annotations

from .config import CONFIG_ENV, TOKEN_ENV, ServerConfig

__all__ = ["ServerConfig", "serve", "create_app", "TOKEN_ENV"]


def create_app(config: ServerConfig):
    from .app import create_app as _create
    return _create(config)


def check_backend(config: ServerConfig) -> str:
    """Fail early, with a clear message, when the --backend store does not answer (or refuses us)."""
    from ..remote import RemoteStore
    remote = RemoteStore(config.backend, update_endpoint=config.backend_update, graph_store=config.backend_graph_store,
                         user=config.backend_user, password=config.backend_password, auth=config.backend_auth,
                         token=config.backend_token, timeout=max(config.timeout, 5.0))
    return remote.probe()


def serve(config: ServerConfig) -> None:
    """Run the server in the foreground until interrupted (uvicorn; uvloop/httptools if present)."""
    import os

    import uvicorn
    from ..errors import GeokgError
    from ..store import open_store

    if config.backend:
        check_backend(config)
    else:
        open_store(config.store, read_only=True)  # fail early, with the store's own message
    if config.updates and not config.token:
        raise GeokgError("--updates needs a token", hint=f"give --token TOKEN or set ${TOKEN_ENV}")
    options = dict(host=config.host, port=config.port, log_level="warning", access_log=False,
                   timeout_keep_alive=30, lifespan="on")
    if config.http_workers > 1:
        if config.updates:
            raise GeokgError("--http-workers > 1 cannot be combined with --updates",
                             hint="one HTTP process keeps the readers in step with the writer")
        os.environ[CONFIG_ENV] = config.to_env()
        uvicorn.run("kgbuild.server.app:app_from_env", factory=True, workers=config.http_workers, **options)
    else:
        uvicorn.run(create_app(config), **options)
