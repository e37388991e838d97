"""Where the project's contract files live, found from this package, never from the cwd."""
from __future__ import annotations

import os
from pathlib import Path


def _root() -> Path:
    """The repository checkout, or <prefix>/share/geokg for a non-editable install."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    import sys
    installed = Path(sys.prefix) / "share" / "geokg"
    return installed if (installed / "ontology").is_dir() else checkout


ROOT = _root()
DEFAULT_STORE = Path(".geokg") / "store"


def ontology_dir() -> Path:
    return ROOT / "ontology"


def queries_dir() -> Path:
    return ROOT / "queries"


def data_dir() -> Path:
    """The data folder: $KGBUILD_DATA, else the project's data/ (every command reads it here)."""
    env = os.environ.get("KGBUILD_DATA")
    return Path(env) if env else ROOT / "data"


def rules_dir() -> Path:
    return ontology_dir() / "rules"


def store_path(explicit: str | os.PathLike | None = None) -> Path:
    """The store folder: the explicit path, else $KGBUILD_STORE, else ./.geokg/store."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KGBUILD_STORE")
    return Path(env) if env else DEFAULT_STORE
