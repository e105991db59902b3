"""A4 pages of the three PDFs handed to managers (issue 21): a baseline commit against this checkout.

Jönköping (06) missbruk, Västra Götaland (14) missbruk and the Gnosjö (0617) kommun profile with its
delregion (the reports of tests/test_legibility.py), each built and printed by `oj rapport --pdf` twice —
with the package of the baseline commit (a ``git worktree``, its code on PYTHONPATH) and with this
checkout — on the same example data; prints the pages of each and the page each chapter (h2) starts on.

    .venv/bin/python benchmarks/pdf_pages.py [--baseline d2334a2]

Needs git, the example data (``oj exempeldata``), Chromium and poppler-utils (pdftotext).

Measured (load 2-5, 2 cores), baseline d2334a2 (main when the session started) against main at 0fab191:

    Jönköping missbruk   26 -> 26 pages  the Översikt's 26 panels over time were one 1 410 px figure that the
                                         page cut through a row of titles: now two that fit a page each (+1
                                         page); the answer matrix on one page, its scale columns wider, where
                                         Tranås, Länet and Riket took a page of their own (-1)
    VG missbruk          42 -> 41 pages  the chapters' matrices of 49 kommuner in two columns (0,8 -> 0,5 page
                                         each; Brukarnas bedömning starts on page 23, was 24); others'
                                         landings meanwhile made the Översikt's development tables a page longer
    Gnosjö profile       47 -> 44 pages  the trends over time three rows to a page (pages 36-46 -> 36-43)
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from report_diff import checkout  # the baseline's tree in a temporary git worktree

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "d2334a2"  # main when this session started
CASES = [("Jönköping missbruk", ["--lan", "06", "--omrade", "missbruk"]),
         ("VG missbruk", ["--lan", "14", "--omrade", "missbruk"]),
         ("Gnosjö profil", ["--kommun", "0617", "--delregioner"])]


def build(code_root: Path, page: Path, args: list[str]) -> Path:
    """One report and its PDF, built with the ojlib package found in ``code_root``."""
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    cmd = [sys.executable, "-c", "import sys; from ojlib.cli import run; sys.argv[0] = 'oj'; run()",
           "rapport", *args, "--ut", str(page), "--pdf"]
    subprocess.run(cmd, cwd=code_root, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return page.with_suffix(".pdf")


def chapters(page: Path, pdf: Path) -> tuple[int, list[tuple[str, int]]]:
    """The PDF's pages and the page each h2 of the HTML page starts on (its line in pdftotext's text)."""
    heads = [html.unescape(h).strip() for h in re.findall(r"<h2[^>]*>([^<]*)", page.read_text(encoding="utf-8"))]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    starts, n = [], 0
    for head in heads:
        for i in range(n, len(pages)):
            if head in (line.strip() for line in pages[i].splitlines()):
                starts.append((head, i + 1))
                n = i
                break
    return len(pages), starts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    if not (ROOT / "data" / "processed" / "exempeldata.parquet").exists():
        print("Exempeldata saknas: kör `oj exempeldata` först.")
        return 1
    work = Path(tempfile.mkdtemp(prefix="ojlib-pdfsidor-"))
    try:
        with checkout(args.baseline, work / "baslinje") as old:
            (old / "data" / "processed").mkdir(parents=True, exist_ok=True)
            for f in (ROOT / "data" / "processed").glob("exempeldata*"):
                shutil.copy(f, old / "data" / "processed" / f.name)
            for name, report in CASES:
                result = []
                for label, code_root in (("före", old), ("nu", ROOT)):
                    page = work / label / f"{name.replace(' ', '-')}.html"
                    page.parent.mkdir(exist_ok=True)
                    result.append(chapters(page, build(code_root, page, report)))
                print(f"{name:<20} före {result[0][0]:>3} sidor   nu {result[1][0]:>3} sidor", flush=True)
                before = dict(result[0][1])
                for head, start in result[1][1]:
                    print(f"    {head:<42} börjar på sidan {before.get(head, '–'):>3} -> {start:>3}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
