#!/usr/bin/env bash
# The two SPARQL servers the remote tests (tests/test_remote.py) push to and query:
# Oxigraph's server from PyPI into the venv, and OpenLink Virtuoso from Debian.
# Idempotent: installs only what is missing. See docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/oxigraph" ]; then
  "$VENV/bin/python" -m pip install --quiet 'oxigraph>=0.5.13,<0.6'
fi
if ! command -v virtuoso-t >/dev/null 2>&1 || ! command -v isql-vt >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  # The package's postinst cannot start the system service in a container (policy-rc.d);
  # that is harmless: the tests run a private instance with their own database.
  $SUDO apt-get install -y -q --no-install-recommends virtuoso-opensource
fi
