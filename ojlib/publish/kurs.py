"""The course as files: the notebooks, a learner's copy, solutions filled in, the teacher's page, HTML.

The notebooks in ``notebooks/kurs/`` are committed blank (no outputs): an exercise is a code
cell with the line ``svar = ...`` and a ``kontrollera("1a", svar)`` call. The teacher's page
(``LARARE.md`` beside them) is made from the notebooks themselves – title, time and aims from
the first cell, each exercise's question from its ``**Övning 1a.**`` paragraph – so it cannot
drift from them (a test compares the committed page with a fresh one).
"""

from __future__ import annotations

import copy
import html
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill as pm

from ojlib.base import paths
from ojlib.base.errors import OjError
from ojlib.base.storage import write_text_atomic
from ojlib.publish.site import copy_plotly_js
from ojlib.render.html_export import markdown, page_document, render_page
from ojlib.render.kurs import ovning

LARARSIDA = "LARARE.md"
BLANK = re.compile(r"^svar = \.\.\.\s*(#.*)?$", re.MULTILINE)
KONTROLL = re.compile(r"""kontrollera\(\s*["']([0-9][a-z])["']""")
QUESTION = re.compile(r"\*\*Övning ([0-9][a-z])\.\*\*\s*(.+?)(?:\n\n|$)", re.DOTALL)
KERNEL = "ojlib"


def kurs_dir() -> Path:
    return paths.notebooks_dir() / "kurs"


def notebooks(folder: Path | None = None) -> list[Path]:
    """The course's notebooks in order (``1_….ipynb`` … ``4_….ipynb``)."""
    return sorted(Path(folder or kurs_dir()).glob("[0-9]_*.ipynb"))


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def exercise_ids(nb) -> list[str]:
    """The exercises a notebook checks, in order (from its ``kontrollera("…", svar)`` calls)."""
    return [m.group(1) for c in nb.cells if c.cell_type == "code" for m in KONTROLL.finditer(c.source)]


def with_solutions(nb):
    """A copy of a blank course notebook with every ``svar = ...`` replaced by its exercise's solution."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        ids = KONTROLL.findall(cell.source)
        if not ids:
            continue
        if len(set(ids)) != 1 or len(BLANK.findall(cell.source)) != 1:
            raise OjError(f"Övningscellen för {', '.join(ids)} ska ha exakt en rad `svar = ...` och en övning.")
        solution = ovning(ids[0]).losning
        cell.source = BLANK.sub(lambda _m, s=solution: s, cell.source, count=1)
    return nb


@dataclass
class Beskrivning:
    """What the teacher's page says about one notebook."""

    fil: str
    titel: str
    tid: str
    mal: list[str] = field(default_factory=list)
    ovningar: list[tuple[str, str]] = field(default_factory=list)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def describe(path: Path) -> Beskrivning:
    """Title, time and aims (from the first Markdown cell) and exercises of a course notebook."""
    nb = _read(path)
    first = next(c.source for c in nb.cells if c.cell_type == "markdown")
    title = re.search(r"^# (.+)$", first, re.MULTILINE)
    tid = re.search(r"\*\*Tid:\*\*\s*(.+)", first)
    mal_block = re.search(r"\*\*Mål:\*\*.*?\n((?:\s*- .+\n?)+)", first)
    if not (title and tid and mal_block):
        raise OjError(f"Första cellen i {path.name} ska ha en rubrik (#), **Tid:** och **Mål:** med en punktlista.")
    mal = [_plain(line.strip()[2:]) for line in mal_block.group(1).strip().splitlines() if line.strip()]
    questions = {}
    for c in nb.cells:
        if c.cell_type == "markdown":
            for m in QUESTION.finditer(c.source):
                questions[m.group(1)] = _plain(m.group(2))
    ovningar = [(i, questions.get(i, "")) for i in exercise_ids(nb)]
    return Beskrivning(path.name, title.group(1).strip(), tid.group(1).strip(), mal, ovningar)


def teacher_page(folder: Path | None = None) -> str:
    """The teacher's page (Markdown): each notebook's aims, time and exercises, and how to run the course."""
    lines = ["# Lärarhandledning: kursen i Öppna jämförelser", "",
             "Fyra notebooks på exempeldata (Exempeldata – inte verkliga resultat), utan internet. Varje övning "
             "kontrolleras i notebooken: `kontrollera(\"2b\", svar)` svarar rätt, eller fel med ett tips som pekar "
             "på idén (aldrig på svaret); `visa_losning(\"2b\")` visar lösningen. De rätta svaren räknas fram ur "
             "samma data av ojlib, så de stämmer även när exempeldata ändras.", "",
             "**Så kör du kursen**", "",
             "- `oj kurs MAPP` (eller `make kurs`) kopierar kursen till en egen mapp för deltagaren, skapar "
             "exempeldata om den saknas och öppnar JupyterLab där. Filer som redan finns i mappen lämnas orörda.",
             "- `oj kurs MAPP --bara-kopiera` kopierar utan att öppna JupyterLab; `--losningar` ger en lärarkopia "
             "med lösningarna ifyllda.",
             "- `oj kurs --html MAPP [--losningar]` kör kursen och sparar den som HTML-sidor med figurerna "
             "(för utskrift eller för att dela), med den här sidan som index.html. Använd den i stället för "
             "JupyterLabs *Spara och exportera som HTML*: plotly-figurer sparas bara som data i notebooken, och "
             "den exporten tappar dem.", "",
             "Testerna kör varje notebook två gånger: tom (varje kontroll säger *inte besvarad än*) och med "
             "lösningarna ifyllda (varje kontroll säger *rätt*).", ""]
    total = 0
    for path in notebooks(folder):
        d = describe(path)
        total += len(d.ovningar)
        lines += [f"## {d.titel}", "", f"`{d.fil}` · **Tid:** {d.tid} · {len(d.ovningar)} övningar", "",
                  "**Mål**", ""]
        lines += [f"- {m}" for m in d.mal]
        lines += ["", "**Övningar**", "", "| övning | fråga |", "|---|---|"]
        lines += [f"| {i} | {q.replace('|', '&#124;')} |" for i, q in d.ovningar]
        lines.append("")
    lines += [f"Sammanlagt {total} övningar.", ""]
    return "\n".join(lines)


def copy_course(target: Path, solutions: bool = False) -> tuple[list[Path], list[Path]]:
    """Copy the course into ``target`` (made if missing): (copied, kept). A file the learner already
    has there is kept as it is, never overwritten."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise OjError(f"{target} är en fil; ange en mapp för kursen.")
    target.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for src in [*notebooks(), kurs_dir() / LARARSIDA]:
        dst = target / src.name
        if dst.exists():
            kept.append(dst)
            continue
        if src.suffix == ".ipynb" and solutions:
            nbformat.write(with_solutions(_read(src)), dst)
        else:
            shutil.copyfile(src, dst)
        copied.append(dst)
    return copied, kept


def run(path: Path, folder: Path, solutions: bool = False, timeout: int = 600):
    """Run a course notebook (blank, or with the solutions filled in) with papermill in ``folder``
    (files the exercises write land there); returns the executed notebook."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    nb = _read(path)
    src = folder / f".{path.stem}-indata.ipynb"
    nbformat.write(with_solutions(nb) if solutions else nb, src)
    out = folder / path.name
    try:
        pm.execute_notebook(str(src), str(out), kernel_name=KERNEL, progress_bar=False, cwd=str(folder),
                            execution_timeout=timeout)
    finally:
        src.unlink(missing_ok=True)
    return nbformat.read(out, as_version=4)


def _code_shown(nb):
    """A copy of an executed course notebook whose code shows on its page (a report page hides code;
    a course page is about the code): each code cell's source as a Python block before its outputs,
    and a link back to the course's index first."""
    nb = copy.deepcopy(nb)
    cells = [nbformat.v4.new_markdown_cell("[← Kursens innehåll och lärarhandledning](index.html)")]
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip():
            cells.append(nbformat.v4.new_markdown_cell(f"```python\n{cell.source.strip()}\n```"))
        cells.append(cell)
    nb.cells = cells
    return nb


def export_html(target: Path, solutions: bool = False, executed: dict | None = None) -> list[Path]:
    """The course as HTML pages with their figures (plotly.min.js beside them) and the teacher's page
    as index.html. ``executed`` (name → executed notebook) skips running the notebooks again."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    pages = []
    meta = {"exempeldata": True, "datakalla": "exempeldata"}
    with tempfile.TemporaryDirectory(prefix="ojkurs-") as work:  # the runs' own files (executed notebooks …)
        for path in notebooks():
            nb = (executed or {}).get(path.name) or run(path, Path(work), solutions)
            page = target / f"{path.stem}.html"
            write_text_atomic(page, render_page(_code_shown(nb), {**meta, "titel": describe(path).titel},
                                                index_link=False))
            pages.append(page)
    body = markdown(teacher_page(), trusted=True)
    for page in pages:  # the notebook names on the teacher's page link to their pages
        body = body.replace(f"<code>{page.stem}.ipynb</code>",
                            f'<a href="{html.escape(page.name)}"><code>{page.stem}.ipynb</code></a>')
    index = target / "index.html"
    write_text_atomic(index, page_document("Kursen i Öppna jämförelser", body, meta, has_figures=False))
    copy_plotly_js(target)
    return [index, *pages]


def spara_html(notebook_path, html_path) -> str:
    """Save an executed notebook as one HTML page without code, with plotly.min.js beside it (as
    `oj rapport` writes its pages). Returns the page's path."""
    src, target = Path(notebook_path), Path(html_path)
    if not src.is_file():
        raise OjError(f"Notebooken {src} finns inte; kör mallen först.")
    nb = nbformat.read(src, as_version=4)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, render_page(nb, index_link=False))
    copy_plotly_js(target.parent)
    return str(target)


if __name__ == "__main__":  # python -m ojlib.publish.kurs: rewrite the teacher's page after editing the course
    (kurs_dir() / LARARSIDA).write_text(teacher_page(), encoding="utf-8")
    print(kurs_dir() / LARARSIDA)
