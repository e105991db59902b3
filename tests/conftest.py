"""Shared fixtures: every test works in its own project home (OJLIB_HOME), never the user's data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ojlib.data import catalog, dataset
from ojlib.data.sources import example

ROOT = Path(__file__).resolve().parents[1]


def _make_home(path: Path) -> Path:
    (path / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (path / "data" / "raw").mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "params", path / "params", dirs_exist_ok=True)
    return path


@pytest.fixture
def ojhome(tmp_path, monkeypatch) -> Path:
    """An empty project home (params copied, no processed data) as OJLIB_HOME."""
    home = _make_home(tmp_path / "home")
    monkeypatch.setenv("OJLIB_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def example_home(tmp_path_factory) -> Path:
    """A project home with the example dataset built once per test session (read only!)."""
    home = _make_home(tmp_path_factory.mktemp("example_home"))
    mp = pytest.MonkeyPatch()
    mp.setenv("OJLIB_HOME", str(home))
    try:
        example.build(catalog.load_catalogue(home / "params" / "indikatorer.yml"))
    finally:
        mp.undo()
    return home


@pytest.fixture
def home(example_home, tmp_path, monkeypatch) -> Path:
    """A writable copy of the example home as OJLIB_HOME, and an empty working directory (the hostile tests)."""
    h = tmp_path / "home"
    shutil.copytree(example_home, h)
    monkeypatch.setenv("OJLIB_HOME", str(h))
    monkeypatch.delenv("OJLIB_KOLADA_URL", raising=False)
    monkeypatch.delenv("OJLIB_DEBUG", raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return h


@pytest.fixture
def example_ds(example_home, monkeypatch) -> dataset.Dataset:
    """The example dataset, loaded, with OJLIB_HOME pointing at its home."""
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    return dataset.load_dataset("exempeldata")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The browser the browser tests drive (``pdf.find_browser``: Debian's chromium here). Without one
    the test is skipped; with OJLIB_KRAV_CHROMIUM=1 (.ci/run, which installs chromium) it fails."""
    from ojlib.base.errors import OjError
    from ojlib.render import pdf

    try:
        return pdf.find_browser()
    except OjError:
        if os.environ.get("OJLIB_KRAV_CHROMIUM") == "1":
            raise
        pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser(chromium):
    """One headless Chromium per test module, laid out 1400 px wide (the width the issues measure at).
    A module that needs other options (network watching, another width) defines its own."""
    from ojlib.render.pdf import Browser

    with Browser(chromium, window=(1400, 900)) as chrome:
        yield chrome


NOBODY = 65534


@pytest.fixture(scope="session")
def unprivileged() -> list[str]:
    """A command prefix that runs a program without root's power over files, for tests of read-only
    places: nothing when the tests do not run as root; as root, setpriv to the user nobody when nobody
    can run this Python and import ojlib where they lie, else root without the capabilities that
    override file permissions (CAP_DAC_OVERRIDE and the rest: the mode bits then hold for root too).
    The second serves a clone in a private folder (mode 700, or root's home), which nobody cannot
    reach. Skips, saying why, only when neither can run the interpreter."""
    import subprocess
    import sys

    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("the tests run as root and setpriv is missing: read-only places cannot be simulated")
    probe = [sys.executable, "-c", "import ojlib.cli"]
    why = []
    for prefix in ([setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"],
                   [setpriv, "--inh-caps=-all", "--bounding-set=-all", "--"]):
        run = subprocess.run([*prefix, *probe], capture_output=True, text=True, timeout=120, cwd="/")
        if run.returncode == 0:
            return prefix
        why.append(f"{' '.join(prefix[1:])}: {run.stderr.strip().splitlines()[-1:] or run.returncode}")
    pytest.skip(f"no unprivileged way to run {sys.executable} ({'; '.join(why)})")
