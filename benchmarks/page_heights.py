"""Page height of each report template at 1400 px: the templates at a baseline commit vs now.

For three län of different size (Västra Götaland 49 kommuner, Jönköping 13, Gotland 1) it builds
the län report (missbruk) and a kommun profile (missbruk) twice — with the package and templates
of the baseline commit (``git worktree`` of BASELINE, run with that code on PYTHONPATH) and with
the current working tree, both on the same example data and today's indicator catalogue — opens
every page in headless Chromium at 1400 px width once its
figures are drawn, and prints the heights and the ratio now/baseline, and for the län reports the
number of A4 pages when printed (``--pdf``, as ``oj rapport --pdf`` prints them).

    .venv/bin/python benchmarks/page_heights.py [--baseline a79c6a7]

Needs git, the example data (``oj exempeldata``) and a Chromium-family browser (ojlib.render.pdf).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ojlib.render import pdf  # noqa: E402

BASELINE = "a79c6a7"  # main before the compact länsrapport (issue 10)
CASES = [("lansanalys", "--lan", "14", "Västra Götalands län"), ("lansanalys", "--lan", "06", "Jönköpings län"),
         ("lansanalys", "--lan", "09", "Gotlands län"), ("kommunprofil", "--kommun", "1480", "Göteborg"),
         ("kommunprofil", "--kommun", "0680", "Jönköping"), ("kommunprofil", "--kommun", "0980", "Gotland")]


OLD_FIELDS = ("kpi", "omrade", "namn", "titel", "beskrivning", "typ", "riktning", "enhet", "ar_fran", "ar_till",
              "kon", "katalog", "nivaer", "jamforbar_fran", "anmarkning")


def same_catalogue(old: Path) -> None:
    """Both runs show the same indicators: today's catalogue, without the fields the baseline does not
    know (kalla, upphord, kvalitetsomrade, rubriker), replaces the baseline's own."""
    import yaml

    rows = yaml.safe_load((ROOT / "params" / "indikatorer.yml").read_text(encoding="utf-8"))
    rows = [{k: v for k, v in row.items() if k in OLD_FIELDS} for row in rows]
    (old / "params" / "indikatorer.yml").write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False),
                                                    encoding="utf-8")


def a4_pages(data: bytes) -> int:
    """Pages in a PDF written by Chromium (its page objects; /Pages is the tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def build(code_root: Path, out: Path, option: str, code: str) -> Path:
    """One report (missbruk) built with the ojlib package found in ``code_root``."""
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    page = out / f"{option.strip('-')}-{code}.html"
    cmd = [sys.executable, "-c", "import sys; from ojlib.cli import run; sys.argv[0] = 'oj'; run()",
           "rapport", option, code, "--omrade", "missbruk", "--ut", str(page)]
    subprocess.run(cmd, cwd=code_root, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    data = ROOT / "data" / "processed" / "exempeldata.parquet"
    if not data.exists():
        print("Exempeldata saknas: kör `oj exempeldata` först.")
        return 1
    work = Path(tempfile.mkdtemp(prefix="ojlib-sidhojd-"))
    old = work / "baslinje"
    try:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.baseline], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        (old / "data" / "processed").mkdir(parents=True, exist_ok=True)
        for f in (ROOT / "data" / "processed").glob("exempeldata*"):
            shutil.copy(f, old / "data" / "processed" / f.name)
        same_catalogue(old)
        rows = []
        with pdf.Browser() as browser:
            for mall, option, code, name in CASES:
                heights, pages = [], []
                for label, code_root in (("före", old), ("nu", ROOT)):
                    out = work / label
                    out.mkdir(exist_ok=True)
                    page = build(code_root, out, option, code)
                    browser.open(page, width=1400)
                    heights.append(browser.height())
                    if mall == "lansanalys":  # printed with the baseline's own print CSS and figure redraw
                        pages.append(a4_pages(browser.print_pdf()))
                        browser.send("Emulation.setEmulatedMedia", media="")  # the next page on screen again
                rows.append((mall, name, *heights))
                a4 = f"   A4-sidor före {pages[0]}, nu {pages[1]}" if pages else ""
                print(f"{mall:<13} {name:<22} före {heights[0]:>7} px   nu {heights[1]:>7} px   "
                      f"nu/före {heights[1] / heights[0]:.2f}{a4}", flush=True)
        total_before = sum(r[2] for r in rows if r[0] == "lansanalys")
        total_now = sum(r[3] for r in rows if r[0] == "lansanalys")
        print(f"Länsrapporterna sammanlagt: före {total_before} px, nu {total_now} px, "
              f"nu/före {total_now / total_before:.2f} (baslinje {args.baseline}, bredd 1400 px)")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
