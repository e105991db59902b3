"""Outputs before and after a change: executed report pages (HTML) and decks (PowerPoint), compared.

    .venv/bin/python benchmarks/report_diff.py REF [--rapport 06:missbruk --rapport 14:barn_och_unga]
                                                   [--kommun 0680] [--behall MAPP]

REF is a git ref (a commit, a branch): its tree is checked out in a temporary worktree. Each side
(REF, and this checkout) builds its own example data in its own project home and makes, with its
own code (``PYTHONPATH``; the same venv), each län report page with ``oj rapport`` and each deck
with ``oj presentation`` (län, and the kommun decks). Then the outputs are compared as a reader
sees them: the page's text block by block (tags, scripts and styles dropped, element ids made
neutral), the deck's titles, texts, table cells, chart categories and values, and notes, slide by
slide. Every differing line is printed, grouped by the page section or slide it belongs to, so one
can see whether anything other than the corrected sentences changed.

Speed is not measured here; see benchmarks/batch.py.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "th", "td", "caption", "figcaption", "summary", "div", "tr",
          "title", "aside", "dt", "dd"}
IDS = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b[0-9a-f]{24,}\b")


class _Text(html.parser.HTMLParser):
    """The text of a page, one line per block element; scripts and styles left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.buf, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in BLOCKS or tag == "br":
            self._flush()

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self.skip:
            self.buf.append(data)

    def _flush(self):
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        if text:
            self.lines.append(IDS.sub("<id>", text))
        self.buf = []


def page_lines(path: Path) -> list[str]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    parser._flush()
    return parser.lines


def figure_lines(path: Path) -> list[str]:
    """The figures of a page as data: each plotly figure's trace and annotation names (ids neutral), read
    with ``html_export.page_figures``, which expands the parts a page's figures share (so a page that
    stores a repeated part once reads the same as one that writes it out)."""
    from ojlib.render import html_export

    out = []
    for fid, fig in html_export.page_figures(path.read_text(encoding="utf-8")).items():
        out.append(f"== {fid}")
        names = [t.get("name") for t in fig.get("data") or []]
        names += [a.get("name") for a in (fig.get("layout") or {}).get("annotations") or []]
        out += [f"spår: {IDS.sub('<id>', str(n))}" for n in names if n]
    return out


def deck_lines(path: Path) -> list[str]:
    """Every slide's title, texts, table cells, chart data and notes, one line each."""
    from pptx import Presentation

    lines = []
    for n, slide in enumerate(Presentation(str(path)).slides, start=1):
        lines.append(f"== bild {n}")
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                lines += [f"[{shape.name}] {t}" for t in shape.text_frame.text.splitlines() if t.strip()]
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    lines.append(f"[{shape.name}] | " + " | ".join(c.text for c in row.cells))
            if getattr(shape, "has_chart", False) and shape.has_chart:
                plot = shape.chart.plots[0]
                lines.append(f"[{shape.name}] kategorier: {list(plot.categories)}")
                for s in plot.series:
                    lines.append(f"[{shape.name}] {s.name}: {list(s.values)}")
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        lines += [f"[anteckning] {t}" for t in notes.splitlines() if t.strip()]
    return [IDS.sub("<id>", x) for x in lines]


def side(tree: Path, work: Path):
    """``oj`` run with the code in ``tree`` (``PYTHONPATH``) in a project home of its own under ``work``,
    with example data made by that code."""
    home = work / "home"
    (home / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (home / "data" / "raw").mkdir(parents=True, exist_ok=True)
    shutil.copytree(tree / "params", home / "params", dirs_exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "OJLIB_HOME": str(home)}

    def oj(*args):
        r = subprocess.run([sys.executable, "-m", "ojlib", *args], env=env, cwd=tree, capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(f"{tree.name}: oj {' '.join(args)} misslyckades:\n{r.stdout}\n{r.stderr}")

    oj("exempeldata")
    return oj


@contextlib.contextmanager
def checkout(ref: str, where: Path):
    """The tree of git ``ref`` in a temporary worktree at ``where`` (removed afterwards)."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), ref],
                   check=True, capture_output=True)
    try:
        yield where
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], capture_output=True)


def build(tree: Path, work: Path, rapporter: list[tuple[str, str]], kommuner: list[str]) -> dict[str, Path]:
    """Example data, report pages and decks made by the code in ``tree``; returns name -> file."""
    oj = side(tree, work)
    out = work / "ut"
    out.mkdir(exist_ok=True)
    files = {}
    for lan, omrade in rapporter:
        page = out / f"lansanalys-{lan}-{omrade}.html"
        oj("rapport", "--lan", lan, "--omrade", omrade, "--ut", str(page))
        deck = out / f"presentation-{lan}-{omrade}.pptx"
        oj("presentation", "--lan", lan, "--omrade", omrade, "--ut", str(deck))
        files[page.name], files[deck.name] = page, deck
    for kommun in kommuner:
        deck = out / f"presentation-{kommun}.pptx"
        oj("presentation", "--kommun", kommun, "--omrade", "missbruk", "--ut", str(deck))
        files[deck.name] = deck
    return files


def _where(lines: list[str], index: int, deck: bool) -> str:
    """The section heading (page) or slide number (deck) a line belongs to."""
    for line in reversed(lines[:index + 1]):
        if deck and line.startswith("== bild"):
            return line[3:]
        if not deck and re.match(r"^(Sammanfattning|Översikt|Inledning|Förbättringsområden|Sammanfattande bild|"
                                 r"Karta|Skillnader|Datatäckning|Saknas)", line):
            return line[:40]
    return "början"


def compare(name: str, before: list[str], after: list[str], deck: bool) -> int:
    """Print the differing lines with where they are; return how many lines differ."""
    n = 0
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        where = _where(after, b0, deck) if b1 > b0 else _where(before, a0, deck)
        print(f"\n--- {name}, {where}")
        for line in before[a0:a1]:
            print(f"  - {line}")
        for line in after[b0:b1]:
            print(f"  + {line}")
        n += max(a1 - a0, b1 - b0)
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref", help="git-ref att jämföra med (före)")
    ap.add_argument("--rapport", action="append", default=None, help="LAN:OMRADE, kan upprepas")
    ap.add_argument("--kommun", action="append", default=None, help="kommunkod för en kommunpresentation")
    ap.add_argument("--behall", help="spara utdata i denna mapp i stället för en tillfällig")
    args = ap.parse_args(argv)
    rapporter = [tuple(r.split(":")) for r in (args.rapport or ["06:missbruk", "14:barn_och_unga"])]
    kommuner = args.kommun or ["0680"]
    base = Path(args.behall) if args.behall else Path(tempfile.mkdtemp(prefix="report_diff-"))
    base.mkdir(parents=True, exist_ok=True)
    with checkout(args.ref, base / "fore-tree") as before_tree:
        (base / "fore").mkdir(exist_ok=True)
        (base / "efter").mkdir(exist_ok=True)
        before = build(before_tree, base / "fore", rapporter, kommuner)
        after = build(ROOT, base / "efter", rapporter, kommuner)
    total = 0
    for name in after:
        deck = name.endswith(".pptx")
        if deck:
            total += compare(name, deck_lines(before[name]), deck_lines(after[name]), True)
        else:
            b, a = page_lines(before[name]), page_lines(after[name])
            print(f"\n{name}: {len(a)} textrader")
            total += compare(name, b, a, False)
            total += compare(f"{name} (figurer)", figure_lines(before[name]), figure_lines(after[name]), False)
    print(f"\n{total} rader skiljer sig mellan {args.ref} och denna utcheckning ({len(after)} filer). "
          f"Utdata: {base}")
    if not args.behall:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
