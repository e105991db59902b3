"""A report page's weight by chapter (h2): bytes, of which scripts and tables, this checkout against a baseline.

Builds one län page on both sides (``oj rapport --lan L --omrade O``) on this checkout's example data, the
baseline's ``ojlib``, ``notebooks`` and ``params`` taken with ``git archive`` into a temporary folder and run
with ``PYTHONPATH`` pointing there (its own example data built with its own code), then splits each page at
its ``<h2`` headings and prints, per chapter, the bytes (UTF-8) and those inside ``<script>`` and ``<table>``
elements, before -> after and the ratio. ``--sida FILE`` (repeatable) only breaks down pages already written.

Usage: .venv/bin/python benchmarks/page_weight.py [--baseline REV] [--lan 14] [--omrade funktionsnedsattning]
       .venv/bin/python benchmarks/page_weight.py --sida /tmp/x/site/lansanalys-14-funktionsnedsattning.html
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
H2 = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)


def _inside(text: str, tag: str) -> int:
    """Bytes of text inside <tag ...>...</tag> elements (outermost only)."""
    total, pos = 0, 0
    opening = re.compile(rf"<{tag}[\s>]", re.I)
    while (m := opening.search(text, pos)):
        end = text.find(f"</{tag}>", m.start())
        end = len(text) if end < 0 else end + len(tag) + 3
        total += len(text[m.start():end].encode())
        pos = end
    return total


def breakdown(html: str) -> dict[str, tuple[int, int, int]]:
    """{chapter: (bytes, script bytes, table bytes)}; what comes before the first h2 is '(sidhuvud)'."""
    cuts = [(0, "(sidhuvud)")] + [(m.start(), re.sub(r"<[^>]+>", "", m.group(1)).strip()) for m in H2.finditer(html)]
    parts = {}
    for (start, name), (end, _) in zip(cuts, cuts[1:] + [(len(html), "")], strict=True):
        chunk = html[start:end]
        parts[name] = (len(chunk.encode()), _inside(chunk, "script"), _inside(chunk, "table"))
    return parts


def build(src: Path, lan: str, omrade: str, out: Path) -> Path:
    env = {**os.environ, "PYTHONPATH": str(src), "OJLIB_HOME": str(src),
           "OJLIB_REFERENS": str(ROOT / "data" / "raw" / "referens")}
    if not (src / "data" / "processed" / "exempeldata.parquet").exists():
        subprocess.run([sys.executable, "-m", "ojlib", "exempeldata"], env=env, cwd=src, check=True,
                       capture_output=True)
    proc = subprocess.run([sys.executable, "-m", "ojlib", "rapport", "--lan", lan, "--omrade", omrade,
                           "--ut", str(out)], env=env, cwd=src, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{src}: {proc.stderr[-3000:]}")
    return out / f"lansanalys-{lan}-{omrade}.html"


def show(columns: list[tuple[str, dict]]) -> None:
    names = list(dict.fromkeys(n for _, parts in columns for n in parts))
    head = "".join(f" | {label[:28]:>28s}" for label, _ in columns)
    print(f"{'kapitel':34s}{head}   (kB: hela / skript / tabeller)")
    for name in names + ["SUMMA"]:
        row = ""
        for _, parts in columns:
            total = tuple(map(sum, zip(*parts.values(), strict=True)))
            b, s, t = total if name == "SUMMA" else parts.get(name, (0, 0, 0))
            row += f" | {b / 1000:8.0f} {s / 1000:8.0f} {t / 1000:8.0f}  "
        if len(columns) == 2:
            before, after = (c[1].get(name, (0, 0, 0))[0] if name != "SUMMA" else sum(v[0] for v in c[1].values())
                             for c in columns)
            row += f"  {after / before:.2f}×" if before else ""
        print(f"{name[:34]:34s}{row}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="d2334a2", help="git revision to compare against")
    ap.add_argument("--lan", default="14")
    ap.add_argument("--omrade", default="funktionsnedsattning")
    ap.add_argument("--sida", action="append", type=Path, help="only break down this written page")
    args = ap.parse_args()
    if args.sida:
        show([(p.name, breakdown(p.read_text(encoding="utf-8"))) for p in args.sida])
        return
    with tempfile.TemporaryDirectory(prefix="ojlib-page-weight-") as tmp:
        base = Path(tmp)
        archive = base / "baseline.tar"
        archive.write_bytes(subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "ojlib", "notebooks",
                                            "params"], capture_output=True, check=True).stdout)
        with tarfile.open(archive) as tar:
            tar.extractall(base, filter="data")
        before = build(base, args.lan, args.omrade, base / "site-baseline")
        after = build(ROOT, args.lan, args.omrade, base / "site-now")
        show([(f"baseline {args.baseline}", breakdown(before.read_text(encoding="utf-8"))),
              ("denna checkout", breakdown(after.read_text(encoding="utf-8")))])


if __name__ == "__main__":
    main()
