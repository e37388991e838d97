"""The W3C SPARQL 1.1 Protocol / Graph Store / Service Description suite, via ../shared's runner.

Skipped when ../shared is not beside the checkout; tests/test_server.py keeps the project's own
tests of the same behaviours.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from .test_server_support import SHARED, TOKEN, Running, copy_store, server  # noqa: F401

RUNNER = SHARED / "tools" / "sparql_protocol_conformance.py"
pytestmark = pytest.mark.skipif(not RUNNER.exists(), reason="../shared (the conformance runner) is not here")


def run_suite(*args: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, str(RUNNER), *args], capture_output=True, text=True, timeout=150)
    return result.returncode, result.stdout


def test_read_only_endpoint_passes_all_that_applies(server):
    code, out = run_suite(server.sparql, "--extras")
    summary = out.strip().splitlines()[-1]
    assert code == 0 and summary == "42 passed, 0 failed, 20 skipped", out  # 30 W3C + 12 extras


def test_writable_endpoint_passes_all_fifty(built_store, tmp_path):
    scratch = Running(copy_store(built_store, tmp_path / "store"), "--updates", "--token", TOKEN,
                      log=tmp_path / "log")
    try:
        code, out = run_suite(scratch.sparql, "--extras", "--update-url", scratch.sparql,
                              "--gsp-url", scratch.url + "/graph-store", "--gsp-features", "indirect,direct,post-create",
                              "--write-header", f"Authorization: Bearer {TOKEN}")
    finally:
        scratch.stop()
    summary = out.strip().splitlines()[-1]
    # 50 W3C tests + 11 extras; the read-only extra does not apply to a writable endpoint.
    assert code == 0 and summary == "61 passed, 0 failed, 1 skipped", out
    w3c = [line for line in out.splitlines() if line.startswith("PASS ") and not line.startswith("PASS ext:")]
    assert len(w3c) == 50
