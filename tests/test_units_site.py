"""The units chapter on a site: a län report whose område has units gets a page of its own for the chapter
(tables, charts, notes), its place in the report keeps the heading, a true summary and a link; a single
file keeps the chapter inline. The page goes when the units data goes, and is carried over by an
incremental build that has nothing to rebuild."""

from __future__ import annotations

import html
import re
from collections import Counter

import nbformat

from ojlib.cli import main
from ojlib.data import dataset, enheter
from ojlib.publish import site
from ojlib.render import html_export
from ojlib.render.notebook import PART_MIMETYPE, PLOTLY_MIMETYPE
from ojlib.report import build, request

REPORT = "lansanalys-06-funktionsnedsattning.html"
UNITS = "enheter-06-funktionsnedsattning.html"
RUN = ["rapporter", "--lan", "06", "--omrade", "funktionsnedsattning", "--ut"]
BUILT = re.compile(r"(\d+) sidor byggda")
NAV = re.compile(r'<nav class="topp".*?</nav>', re.DOTALL)


def _titles(text: str) -> list[str]:
    return [str((f.get("layout") or {}).get("title", {}).get("text", ""))
            for f in html_export.page_figures(text).values()]


def test_a_lan_report_with_units_links_its_units_page_which_holds_every_unit(home, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "webb"
    printed: list[str] = []

    def print_pdfs(pages, *args, **kwargs):  # Chromium's printing is test_pdf's; here: which pages, and the links
        printed.extend(p.name for p in pages)
        for p in pages:
            p.with_suffix(".pdf").write_bytes(b"%PDF-1.4")
        return [p.with_suffix(".pdf") for p in pages]

    monkeypatch.setattr(site.pdf_print, "write_pdfs", print_pdfs)
    assert main([*RUN, str(folder), "--pdf"]) == 0
    assert sorted(printed) == [UNITS, REPORT]  # the units page printed with its report, linked from its own nav
    assert re.search(r'<nav class="topp".*<a class="pdf" href="enheter-06-funktionsnedsattning\.pdf">',
                     (folder / UNITS).read_text(encoding="utf-8"), re.DOTALL)
    capsys.readouterr()
    report = (folder / REPORT).read_text(encoding="utf-8")
    units = (folder / UNITS).read_text(encoding="utf-8")
    (section,) = build.lansrapport(request.parse({"lan": "06", "omrade": "funktionsnedsattning"}),
                                   dataset.load_dataset("exempeldata")).of_kind("enheter")
    kapitel = section.data["kapitel"]

    # the summary's numbers are the chapter's: units per type as the counts table's län row, kommuner with units
    types = [c for c in kapitel.counts.columns if c not in ("kommunkod", "kommun")]
    assert all(f"{t}: {int(kapitel.counts[t].sum())}" in kapitel.summary() for t in types) and len(types) == 3
    assert f"Kapitlet visar {int(kapitel.counts[types].to_numpy().sum())} enheter i alla länets 13 kommuner" \
        in kapitel.summary()

    # the report: the chapter's heading, its summary and a link, no unit chart or unit table left
    assert re.search(r'<h2 id="avsnitt-\d+">Enheter</h2>\s*<p>' + re.escape(html.escape(kapitel.summary())), report)
    assert f'<a class="egen-sida" href="{UNITS}">' in report and f'class="enheter" href="{UNITS}"' in report
    assert not [t for t in _titles(report) if t.startswith("<b>Enheter: ")]
    assert "<div class='oj-enheter'>" not in report and "<caption>Antal enheter per kommun</caption>" not in report
    assert html_export.page_metadata(report)["enheter_sida"] == UNITS

    # the units page: every unit row the chapter has, a chart per indicator, the marks of a page of the site
    rows = Counter((html.unescape(k), html.unescape(e))
                   for k, e in re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", units))
    want = Counter((r.kommun, r.enhet) for _, rader in kapitel.by_type()
                   for r in rader.drop_duplicates("ou").itertuples(index=False))
    assert rows == want and len(want) > 20
    assert len([t for t in _titles(units) if t.startswith("<b>Enheter: ")]) == len(kapitel.kpis)
    assert "<caption>Antal enheter per kommun</caption>" in units and html.escape(kapitel.summary()) in units
    assert "Exempeldata – inte verkliga resultat" in units and '<script src="plotly.min.js"></script>' in units
    assert html_export.page_metadata(units) is None  # not a report of the index
    assert re.search(rf'<nav class="topp"[^>]*>.*<a href="{REPORT}">Länsanalys Jönköpings län[^<]*</a>.*'
                     r'<span aria-current="page">Enheter</span>', units, re.DOTALL)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", units)
    assert UNITS not in (folder / "index.html").read_text(encoding="utf-8")

    # an incremental build that rebuilds no report (only the index map changes): the page is carried over,
    # in the new generation's navigation
    assert main([*RUN, str(folder), "--karta", kapitel.kpis[0]]) == 0
    assert BUILT.search(capsys.readouterr().out).group(1) == "0"
    again = (folder / UNITS).read_text(encoding="utf-8")
    build_id = re.search(r'data-bygge="([^"]+)"', again).group(1)
    assert build_id != re.search(r'data-bygge="([^"]+)"', units).group(1)
    assert f'data-bygge="{build_id}"' in (folder / REPORT).read_text(encoding="utf-8")
    assert NAV.sub("", again) == NAV.sub("", units) and (folder / UNITS).with_suffix(".pdf").is_file()

    # the units data gone: the report is built again, without the chapter, and the page goes with it
    enheter.path("exempeldata").unlink()
    assert main([*RUN, str(folder)]) == 0
    assert BUILT.search(capsys.readouterr().out).group(1) == "1"  # the units data is in the fingerprint
    assert not (folder / UNITS).exists() and not (folder / UNITS).with_suffix(".pdf").exists()
    assert not (folder / REPORT).with_suffix(".pdf").exists()  # rebuilt without --pdf: its old PDF goes too
    report = (folder / REPORT).read_text(encoding="utf-8")
    assert "enheter-06" not in report and ">Enheter</h2>" not in report


def _notebook() -> nbformat.NotebookNode:
    fig = {"data": [{"type": "bar", "x": [1], "y": ["a"]}], "layout": {"title": {"text": "Enheter: X"}}}

    def out(data: dict) -> dict:
        return nbformat.v4.new_output("display_data", data=data)

    cells = [nbformat.v4.new_markdown_cell("# Rapport"),
             nbformat.v4.new_code_cell(outputs=[
                 out({"text/html": "<p>före</p>"}),
                 out({PART_MIMETYPE: {"typ": "enheter", "rubrik": "Enheter", "sammanfattning": "3 enheter <i>."},
                      "text/plain": ""}),
                 out({"text/html": "<p>enhetstabell</p>"}), out({PLOTLY_MIMETYPE: fig, "text/plain": ""}),
                 out({PART_MIMETYPE: {"typ": "enheter", "slut": True}, "text/plain": ""}),
                 out({"text/html": "<p>efter</p>"})])]
    return nbformat.v4.new_notebook(cells=cells)


def test_a_single_file_keeps_the_chapter_and_a_site_splits_it_at_its_marks():
    nb = _notebook()
    meta = {"titel": "Länsanalys X", "datakalla": "exempeldata"}
    whole = html_export.render_page(nb, meta)
    assert all(t in whole for t in ("före", "enhetstabell", "efter")) and _titles(whole) == ["Enheter: X"]
    assert "egen sida" not in whole and "3 enheter" not in whole
    page, units = html_export.render_site_pages(nb, meta, "lansanalys-x.html")
    assert "före" in page and "efter" in page and "enhetstabell" not in page and _titles(page) == []
    assert "3 enheter &lt;i&gt;." in page and 'href="enheter-x.html"' in page
    assert "enhetstabell" in units and _titles(units) == ["Enheter: X"] and "före" not in units
    assert html_export.PART_MARK in units and "Exempeldata" in units
    assert html_export.render_site_pages(nbformat.v4.new_notebook(cells=nb.cells[:1]), meta, "a.html")[1] is None
