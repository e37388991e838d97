"""Real SPARQL servers for the remote tests: a private Oxigraph server and a private Virtuoso.

Each runs on a free loopback port with its own database in a temporary folder and is stopped
afterwards. Installed by scripts/setup.d/10-triplestores.sh (recipes: docs/deploy.md).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

DBA = ("dba", "dba")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, proc: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before answering")
        try:
            r = requests.get(url, params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"},
                             timeout=2)
            if r.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer at {url} within {seconds} s")


def stop(proc: subprocess.Popen, seconds: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Oxigraph:
    location: Path
    port: int
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"

    @property
    def store(self) -> str:
        return self.base + "/store"

    def start(self) -> "Oxigraph":
        exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
        if not exe:
            raise RuntimeError("the oxigraph server is not installed: run scripts/setup.d/10-triplestores.sh")
        self.proc = subprocess.Popen([exe, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_ready(self.query, self.proc, "oxigraph serve")
        return self

    def stop(self) -> None:
        if self.proc:
            stop(self.proc)
            self.proc = None

    def clear(self) -> None:
        requests.post(self.update, data="DROP SILENT ALL", headers={"Content-Type": "application/sparql-update"},
                      timeout=30).raise_for_status()


@dataclass
class Virtuoso:
    folder: Path
    port: int
    sql_port: int
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query(self) -> str:
        return self.base + "/sparql"

    @property
    def update(self) -> str:
        return self.base + "/sparql-auth"   # Digest auth (dba)

    @property
    def store(self) -> str:
        return self.base + "/sparql-graph-crud-auth"  # Digest auth (dba)

    def start(self) -> "Virtuoso":
        for tool in ("virtuoso-t", "isql-vt", "inifile"):
            if not shutil.which(tool):
                raise RuntimeError(f"{tool} is not installed: run scripts/setup.d/10-triplestores.sh")
        db = self.folder / "db"
        db.mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        shutil.copy("/usr/share/virtuoso-opensource-7/virtuoso.ini", ini)
        settings = [("Database", "DatabaseFile", db / "virtuoso.db"), ("Database", "ErrorLogFile", db / "virtuoso.log"),
                    ("Database", "LockFile", db / "virtuoso.lck"), ("Database", "TransactionFile", db / "virtuoso.trx"),
                    ("Database", "xa_persistent_file", db / "virtuoso.pxa"),
                    ("TempDatabase", "DatabaseFile", db / "virtuoso-temp.db"),
                    ("TempDatabase", "TransactionFile", db / "virtuoso-temp.trx"),
                    ("Parameters", "ServerPort", f"127.0.0.1:{self.sql_port}"),
                    ("Parameters", "DirsAllowed", f".,{self.folder}"),
                    ("HTTPServer", "ServerPort", f"127.0.0.1:{self.port}"),
                    ("URIQA", "DefaultHost", f"127.0.0.1:{self.port}"),
                    ("SPARQL", "ResultSetMaxRows", "1000000"),
                    ("SPARQL", "MaxQueryExecutionTime", "120")]
        for section, key, value in settings:
            subprocess.run(["inifile", "+inifile", str(ini), "+section", section, "+key", key, "+value", str(value)],
                           check=True)
        self.proc = subprocess.Popen(["virtuoso-t", "+configfile", str(ini), "+foreground"], cwd=self.folder,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_ready(self.query, self.proc, "virtuoso-t", seconds=90)
        return self

    def stop(self) -> None:
        if self.proc:
            stop(self.proc, 30)
            self.proc = None

    def clear(self, graphs: list[str]) -> None:
        from requests.auth import HTTPDigestAuth
        for i in range(0, len(graphs), 200):
            body = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs[i:i + 200])
            requests.post(self.update, data=body, headers={"Content-Type": "application/sparql-update"},
                          auth=HTTPDigestAuth(*DBA), timeout=60).raise_for_status()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    server = Oxigraph(location=tmp_path_factory.mktemp("oxigraph") / "db", port=free_port()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    server = Virtuoso(folder=tmp_path_factory.mktemp("virtuoso"), port=free_port(), sql_port=free_port()).start()
    yield server
    server.stop()
