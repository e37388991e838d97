"""Starting the real server for the server tests: `kgbuild serve` as a subprocess on 127.0.0.1.

No tests here; the test_server*.py modules import these fixtures.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

SHARED = Path(__file__).resolve().parents[2] / "shared"
TOKEN = "test-token-5f2c"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """A `kgbuild serve` process and its base URL."""

    def __init__(self, store: Path, *args: str, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        cmd = [sys.executable, "-m", "kgbuild", "--store", str(store), "serve", "--port", str(self.port), *args]
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "wb"),
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited {self.process.returncode}: {log.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start: {log.read_text()}")

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def copy_store(built_store: Path, target: Path) -> Path:
    shutil.copytree(built_store, target)
    return target


@pytest.fixture(scope="session")
def server(built_store, tmp_path_factory):
    """Read-only server over the seed article, with the W3C fixture graphs loaded, 2 s time limit."""
    from kgbuild.store import load_file, open_store
    root = tmp_path_factory.mktemp("srv")
    store = copy_store(built_store, root / "store")
    if SHARED.exists():
        opened = open_store(store)
        for i in (1, 2, 3):
            load_file(opened, SHARED / f"sparql-protocol-tests/protocol/data{i}.nt",
                      graph=f"http://kasei.us/2009/09/sparql/data/data{i}.rdf")
        del opened
    running = Running(store, "--timeout", "2", "--max-rows", "500", "--max-body", "20000", log=root / "log")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def writable_server(built_store, tmp_path_factory):
    """A server with updates on (token TOKEN) over a scratch copy of the store."""
    root = tmp_path_factory.mktemp("srv-rw")
    store = copy_store(built_store, root / "store")
    running = Running(store, "--updates", "--token", TOKEN, log=root / "log")
    yield running
    running.stop()
