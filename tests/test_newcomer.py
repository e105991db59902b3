"""What a new user meets (issue 12): Swedish help, län names, where exports go, the CSV the help
promises, a route without make, and install metadata that keeps `pip install` quiet."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from ojlib.cli import app, main
from ojlib.data import geo

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ["Show this message", "Usage:", "Options", "Commands", "Arguments", "[default", "required]",
           "[OPTIONS]", "COMMAND", "<str>", "<int>", "<float>", "<list", "<bool>", "<path>"]


def _commands() -> list[str]:
    return sorted(c.name for c in app.registered_commands if not c.hidden)


def test_every_help_page_is_swedish(capsys):
    pages = {"oj": []} | {f"oj {c}": [c] for c in _commands()}
    assert len(pages) > 10
    for name, argv in pages.items():
        capsys.readouterr()
        assert main([*argv, "--help"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("Användning: "), (name, out[:80])
        assert "Visa den här hjälpen och avsluta." in out, name
        found = [w for w in ENGLISH if w in out]
        assert not found, (name, found)


@pytest.mark.parametrize(("text", "kod"), [("Jönköping", "06"), ("Jönköpings län", "06"), ("jönköpings", "06"),
                                          ("Skåne", "12"), ("Västra Götaland", "14"), ("Stockholm", "01"),
                                          ("Region Gävleborg", "21"), ("6", "06"), ("0006", "06")])
def test_lan_names_are_accepted(text, kod):
    assert geo.normalise_lan(text) == kod


def test_oj_lan_lists_every_code_and_name(capsys):
    assert main(["lan"]) == 0
    out = capsys.readouterr().out
    for r in geo.lan().itertuples():
        assert re.search(rf"^{r.lan_kod}\s+{re.escape(r.lan_namn)}\s+{r.antal_kommuner}$", out, re.M), r.lan_namn
    assert main(["status"]) == 0
    assert "`oj lan`" in capsys.readouterr().out


def test_unknown_lan_name_suggests_and_points_to_oj_lan(ojhome, capsys):
    assert main(["export", "--lan", "Jönkping", "--omrade", "missbruk"]) == 2
    err = capsys.readouterr().err
    assert "Okänt län 'Jönkping'" in err and "`oj lan`" in err and "Jönköpings län" in err


def test_export_by_lan_name_goes_to_the_ignored_output_folder(example_home, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    import shutil

    shutil.copytree(example_home, home)
    monkeypatch.setenv("OJLIB_HOME", str(home))
    assert main(["export", "--lan", "Jönköping", "--omrade", "missbruk"]) == 0
    assert list(tmp_path.iterdir()) == [home]  # nothing in the working directory
    out = home / "utdata" / "oj_06_missbruk_2024-2025.xlsx"
    assert out.exists() and str(out) in capsys.readouterr().out
    ignored = subprocess.run(["git", "check-ignore", "-q", "utdata/oj_06_missbruk_2024-2025.xlsx"], cwd=ROOT)
    assert ignored.returncode == 0, "utdata/ must be ignored by git"


def test_csv_export_is_the_long_table_the_help_promises(example_ds, tmp_path, capsys):
    assert main(["export", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "den långa tabellen, samma rader som bladet Tabell" in help_text and "CSV (lång tabell)" in help_text
    assert "en rad per kommun och indikator" in help_text
    xlsx, csvfile = tmp_path / "t.xlsx", tmp_path / "t.csv"
    assert main(["export", "--lan", "06", "--omrade", "missbruk", "--ut", str(xlsx)]) == 0
    assert main(["export", "--lan", "06", "--omrade", "missbruk", "--format", "csv", "--ut", str(csvfile)]) == 0
    with csvfile.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    pairs = [(r["kommunkod"], r["kpi"]) for r in rows]
    assert len(pairs) == len(set(pairs)) == 13 * len({r["kpi"] for r in rows})
    wt = load_workbook(xlsx)["Tabell"]
    assert wt.max_row - 1 == len(rows)
    assert [c.value for c in wt[1]][:5] == list(rows[0])[:5]


def test_environment_yml_is_generated_from_pyproject(tmp_path):
    """environment.yml is what `make environment` writes from pyproject.toml, and the check notices an edit."""
    r = subprocess.run([sys.executable, str(ROOT / ".ci" / "environment.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = {re.match(r"[A-Za-z0-9_.\-]+", d).group(0) for d in env["dependencies"] if isinstance(d, str)}
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert {"pandas", "polars", "papermill", "nbval", "jupyter_client"} <= names and "-e .[dev]" in pip
    copy = tmp_path / "proj"
    (copy / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "environment.py", copy / ".ci")
    shutil.copy(ROOT / "pyproject.toml", copy)
    edited = (ROOT / "environment.yml").read_text(encoding="utf-8").replace("pandas", "pandaz")
    (copy / "environment.yml").write_text(edited)
    r = subprocess.run([sys.executable, str(copy / ".ci" / "environment.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "make environment" in r.stderr


def test_install_metadata_keeps_pip_quiet():
    """setuptools warns (about 60 lines) for a license table, and for a meta path finder editable."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(data["project"]["license"], str)  # an SPDX expression, not {text = ...}
    assert any(r.startswith("setuptools>=77") for r in data["build-system"]["requires"])
    assert data["tool"]["setuptools"]["package-dir"] == {"": "."}
    assert "pip install --quiet -e ." in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_route_without_make_python_m_ojlib_demo(tmp_path):
    """What README's "Utan make" says, as CI runs it (there in a fresh venv): a small site."""
    home = tmp_path / "home"
    home.mkdir()
    import shutil

    shutil.copytree(ROOT / "params", home / "params")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OJLIB_")} | {"OJLIB_HOME": str(home)}
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "ojlib", "demo", "--lan", "Jönköping", "--omrade", "missbruk",
                        "--kommun", "0680", "--ut", str(site)], env=env, cwd=tmp_path, capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    pages = sorted(p.name for p in site.iterdir() if not p.name.startswith("."))
    assert pages == ["index.html", "kommunprofil-0680-missbruk.html", "lansanalys-06-missbruk.html", "plotly.min.js",
                     "utforska-missbruk.js", "utforska.html"]
    assert f"Klart. Öppna {site / 'index.html'}" in r.stdout
    assert "Exempeldata – inte verkliga resultat" in r.stdout
    assert (home / "data" / "processed" / "exempeldata.parquet").exists()
    assert "Makefile" in (ROOT / "Makefile").name and "python -m ojlib demo" in (ROOT / "Makefile").read_text()
