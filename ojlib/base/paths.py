"""Where things live. No dependencies: every other module asks here.

The project root is the checkout (``pip install -e .``). ``OJLIB_HOME`` points elsewhere,
e.g. a test's temporary copy, so tests never touch the user's data.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # ojlib/


def root() -> Path:
    """The project directory that holds ``data/``, ``params/`` and ``notebooks/``."""
    env = os.environ.get("OJLIB_HOME")
    return Path(env).resolve() if env else PACKAGE_DIR.parent


def raw_dir() -> Path:
    return root() / "data" / "raw"


def reference_dir() -> Path:
    """Reference data shipped with the project (kommuner, Kolada lists); read only."""
    env = os.environ.get("OJLIB_REFERENS")
    return Path(env) if env else PACKAGE_DIR.parent / "data" / "raw" / "referens"


def processed_dir() -> Path:
    return root() / "data" / "processed"


def kolada_cache_dir() -> Path:
    return raw_dir() / "kolada"


def params_dir() -> Path:
    return root() / "params"


def catalogue_path() -> Path:
    """The indicator catalogue; ``OJLIB_KATALOG`` overrides it."""
    env = os.environ.get("OJLIB_KATALOG")
    return Path(env) if env else params_dir() / "indikatorer.yml"


def notebooks_dir() -> Path:
    return PACKAGE_DIR.parent / "notebooks"


def reports_dir() -> Path:
    return root() / "reports"
