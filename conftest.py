"""pytest setup for the whole project: notebooks run against example data in a temporary home.

nbval starts one kernel per notebook, and kernels inherit the environment, so OJLIB_HOME is set
here, before collection, to a temporary project home with freshly built example data. Unit
tests set their own homes with fixtures (tests/conftest.py) and never touch the user's data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# The course notebooks are committed blank and run by tests/test_kurs.py twice (blank, and with the
# solutions filled in) with papermill, which checks what every exercise says; nbval would only run
# the blank version a third time.
collect_ignore_glob = ["notebooks/kurs/*"]


def pytest_configure(config):
    if os.environ.get("OJLIB_TEST_HOME"):
        os.environ["OJLIB_HOME"] = os.environ["OJLIB_TEST_HOME"]
        return
    home = Path(tempfile.mkdtemp(prefix="ojlib-test-home-"))
    shutil.copytree(ROOT / "params", home / "params")
    os.environ["OJLIB_HOME"] = str(home)
    os.environ["OJLIB_TEST_HOME"] = str(home)  # subprocesses (papermill kernels, CLI runs) reuse it
    config._ojlib_home = home
    from ojlib.data import catalog
    from ojlib.data.sources import example

    example.build(catalog.load_catalogue(home / "params" / "indikatorer.yml"))


def pytest_unconfigure(config):
    home = getattr(config, "_ojlib_home", None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)
        os.environ.pop("OJLIB_TEST_HOME", None)
