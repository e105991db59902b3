"""A report page's weight by chapter (h2): bytes, of which scripts and tables, this checkout against a baseline.

Builds one län page on both sides (``oj rapport --lan L --omrade O``) on this checkout's example data, the
baseline's ``ojlib``, ``notebooks`` and ``params`` taken with ``git archive`` into a temporary folder and run
with ``PYTHONPATH`` pointing there (its own example data built with its own code), then splits each page at
its ``<h2`` headings and prints, per chapter, the bytes (UTF-8) and those inside ``<script>`` and ``<table>``
elements, before -> after and the ratio. ``--sida FILE`` (repeatable) only breaks down pages already written.

Measured 2026-12-04 08:14 UTC (load average 8.7; bytes do not depend on load), VG (14) funktionsnedsättning,
baseline d2334a2 -> main at 8864c40 (kB = 1000 bytes):
  Översikt 289 -> 215 (development tables' change cells, figure grid's common fields), Brukarnas bedömning
  105 -> 93 (kommun names by place), Kostnader 21 -> 19, Sammanfattande bild 25 -> 16 (arrows without titles),
  Skillnader mellan kvinnor och män 109 -> 44 (dumbbell lines as {"ojpar"}, names by place), Karta 37 -> 36,
  Enheter 338 -> 258 (names by place only; the shared list holds 19 kB of names for it), whole page
  1046 -> 821 (0.78x); without Enheter and the shared entries only it uses 706 -> 544 (0.77x).

Measured 2026-12-04 08:29 UTC, the same page, baseline d2334a2 -> main at 248d459 (the units chapter on a page
of its own since e0f3eb4; a map's lines as steps since 248d459; report.css without comments since de17720):
  (sidhuvud) 17 -> 14, Översikt 289 -> 215, Brukarnas bedömning 105 -> 93, Kostnader 21 -> 19, Sammanfattande
  bild 25 -> 16, Karta 37 -> 23, Skillnader mellan kvinnor och män 109 -> 44, Datatäckning 27 -> 29 (the shared
  list grew by the kommun names the charts are written by place in); page 1046 -> 529 (0.51x), without Enheter
  706 -> 528 (0.75x).

Usage: .venv/bin/python benchmarks/page_weight.py [--baseline REV] [--lan 14] [--omrade funktionsnedsattning]
                                                  [--utan Enheter]
       .venv/bin/python benchmarks/page_weight.py --sida <site folder>/lansanalys-14-funktionsnedsattning.html
"""

from __future__ import annotations

import argparse
import json
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


SHARED = re.compile(r'<script type="application/json" id="ojlib-mallar">(.*?)</script>', re.S)
FIGURE = re.compile(r'<script type="application/json" id="fig-\d+">(.*?)</script>', re.S)
SHARED_ROW = "  varav delad lista för"


def breakdown(html: str) -> dict[str, tuple[int, int, int]]:
    """{chapter: (bytes, script bytes, table bytes)}; what comes before the first h2 is '(sidhuvud)'. The
    page's shared list of figure parts (ojlib-mallar) is written at its end, in its last chapter: the bytes
    of its entries that only one chapter's figures use are also shown as a row of their own under the last
    chapter ("varav delad lista för X"), not added to the sum."""
    cuts = [(0, "(sidhuvud)")] + [(m.start(), re.sub(r"<[^>]+>", "", m.group(1)).strip()) for m in H2.finditer(html)]
    parts = {}
    for (start, name), (end, _) in zip(cuts, cuts[1:] + [(len(html), "")], strict=True):
        chunk = html[start:end]
        parts[name] = (len(chunk.encode()), _inside(chunk, "script"), _inside(chunk, "table"))
    m = SHARED.search(html)
    if m:
        shared = json.loads(m.group(1))
        users: dict[int, set] = {}
        for f in FIGURE.finditer(html):
            chapter = [name for start, name in cuts if start <= f.start()][-1]
            for k in set(re.findall(r'"ojdel":(\d+)', f.group(1))):
                users.setdefault(int(k), set()).add(chapter)
        only: dict[str, int] = {}
        for k, value in enumerate(shared):
            if len(users.get(k, ())) == 1:
                (chapter,) = users[k]
                size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
                only[chapter] = only.get(chapter, 0) + size
        for chapter, size in sorted(only.items(), key=lambda kv: -kv[1]):
            if size >= 1000:
                parts[f"{SHARED_ROW} {chapter}"] = (size, size, 0)
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


def total_bytes(parts: dict) -> int:
    return sum(v[0] for n, v in parts.items() if not n.startswith(SHARED_ROW))


def without(parts: dict, chapters: list[str]) -> int:
    """The page's bytes without ``chapters`` and the shared list's entries only they use."""
    def left_out(name: str) -> bool:
        return name in chapters or (name.startswith(SHARED_ROW) and name[len(SHARED_ROW) + 1:] in chapters)

    return total_bytes(parts) - sum(v[0] for n, v in parts.items() if left_out(n))


def show(columns: list[tuple[str, dict]], utan: list[str] | None = None) -> None:
    names = list(dict.fromkeys(n for _, parts in columns for n in parts))
    head = "".join(f" | {label[:28]:>28s}" for label, _ in columns)
    print(f"{'kapitel':34s}{head}   (kB: hela / skript / tabeller)")
    for name in names + ["SUMMA"]:
        row = ""
        for _, parts in columns:
            total = tuple(map(sum, zip(*[v for n, v in parts.items() if not n.startswith(SHARED_ROW)],
                                       strict=True)))
            b, s, t = total if name == "SUMMA" else parts.get(name, (0, 0, 0))
            row += f" | {b / 1000:8.0f} {s / 1000:8.0f} {t / 1000:8.0f}  "
        if len(columns) == 2:
            before, after = (c[1].get(name, (0, 0, 0))[0] if name != "SUMMA" else total_bytes(c[1])
                             for c in columns)
            row += f"  {after / before:.2f}×" if before else ""
        print(f"{name[:34]:34s}{row}")
    if utan:
        sizes = [without(parts, utan) for _, parts in columns]
        print(f"{'SUMMA utan ' + ', '.join(utan):34s}" + "".join(f" | {b / 1000:8.0f}{'':20s}" for b in sizes)
              + (f"  {sizes[1] / sizes[0]:.2f}×" if len(sizes) == 2 else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="d2334a2", help="git revision to compare against")
    ap.add_argument("--lan", default="14")
    ap.add_argument("--omrade", default="funktionsnedsattning")
    ap.add_argument("--sida", action="append", type=Path, help="only break down this written page")
    ap.add_argument("--utan", action="append", help="also the sum without this chapter (h2 text; repeatable)")
    args = ap.parse_args()
    if args.sida:
        show([(p.name, breakdown(p.read_text(encoding="utf-8"))) for p in args.sida], args.utan)
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
              ("denna checkout", breakdown(after.read_text(encoding="utf-8")))], args.utan)


if __name__ == "__main__":
    main()
