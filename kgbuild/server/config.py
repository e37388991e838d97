"""The server's settings, declared once: name, default, help (fed to the CLI and docs/server.md)."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

TOKEN_ENV = "KGBUILD_SERVE_TOKEN"
CONFIG_ENV = "KGBUILD_SERVE_CONFIG"


@dataclass(frozen=True)
class ServerConfig:
    store: str
    host: str = "127.0.0.1"
    port: int = 7878
    updates: bool = False
    token: str | None = field(default=None, repr=False)
    query_workers: int = 2          # killable query processes per HTTP process
    http_workers: int = 1           # HTTP processes sharing the port
    recycle_after: int = 1000       # with several: a keep-alive connection closes after this many requests
    timeout: float = 10.0           # seconds per query or update
    max_rows: int = 10_000          # SELECT rows / CONSTRUCT triples per answer
    max_body: int = 1_000_000       # bytes per request body (and query string)
    service_allow: tuple[str, ...] = ()   # IRI prefixes SERVICE / LOAD may reach
    public_url: str | None = None   # e.g. https://kg.example.org (else taken from the Host header)
    fast_path: bool = True          # answer plain lookups in the HTTP process (see docs/server.md)
    # --backend: a remote SPARQL 1.1 store instead of the local one (see backend.py)
    backend: str | None = None                 # its query endpoint
    backend_update: str | None = None          # its update endpoint (default: the query endpoint)
    backend_graph_store: str | None = None     # its Graph Store Protocol endpoint (else SPARQL Update)
    backend_user: str | None = None
    backend_password: str | None = field(default=None, repr=False)
    backend_auth: str = "basic"                # basic | digest
    backend_token: str | None = field(default=None, repr=False)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> "ServerConfig":
        data = json.loads(os.environ[CONFIG_ENV])
        data["service_allow"] = tuple(data.get("service_allow") or ())
        return cls(**data)
