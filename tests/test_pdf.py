"""PDF from a report page with Debian's chromium: A4, every kommun and indicator name in its text,
the exempeldata mark on every page; and the Swedish sentence when no browser is found."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ojlib.analysis import ranking
from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.data import geo
from ojlib.data.dataset import load_dataset
from ojlib.render import html_export, pdf

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
MARK = "Exempeldata – inte verkliga resultat"


def _no_browser(monkeypatch):
    monkeypatch.delenv(pdf.ENV, raising=False)
    monkeypatch.setattr(pdf, "NAMES", ())
    monkeypatch.setattr(pdf, "_install_paths", lambda: [])


def test_no_browser_is_one_swedish_sentence(monkeypatch):
    _no_browser(monkeypatch)
    with pytest.raises(OjError) as err:
        pdf.find_browser()
    text = str(err.value)
    assert text.startswith("Ingen Chromium, Chrome eller Edge hittades") and "installera Chromium" in text
    assert not re.search(r"[.!?]\s+[A-ZÅÄÖ]", text) and "--webblasare" in text and pdf.ENV in text


def test_a_given_browser_that_does_not_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.ENV, str(tmp_path / "ingen-chrome"))
    with pytest.raises(OjError, match=r"Webbläsaren .*ingen-chrome \(från OJLIB_WEBBLASARE\) finns inte"):
        pdf.find_browser()
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    assert pdf.find_browser(str(fake)) == fake  # the option wins over the environment


def test_without_a_browser_the_html_is_still_written(monkeypatch, tmp_path, capsys):
    _no_browser(monkeypatch)
    page = tmp_path / "rapport.html"
    rc = main(["rapport", "--lan", "06", "--omrade", "missbruk", "--ut", str(page), "--pdf"])
    assert rc != 0
    err = capsys.readouterr().err
    assert "Ingen Chromium, Chrome eller Edge hittades" in err and "Traceback" not in err
    assert page.exists() and not page.with_suffix(".pdf").exists()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


needs_chromium = pytest.mark.skipif(
    (_chromium() is None or shutil.which("pdftotext") is None) and os.environ.get("OJLIB_KRAV_CHROMIUM") != "1",
    reason="chromium and poppler-utils are installed by .ci/run")


@pytest.fixture(scope="module")
def lan_pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    page = folder / "lansanalys-06-missbruk.html"
    assert main(["rapport", "--lan", "06", "--omrade", "missbruk", "--ut", str(page), "--pdf"]) == 0
    return page


@needs_chromium
def test_pdf_is_a4_and_holds_every_name(lan_pdf):
    target = lan_pdf.with_suffix(".pdf")
    assert target.exists() and target.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size.group(1)) - 595.3) < 2 and abs(float(size.group(2)) - 841.9) < 2, info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    html = lan_pdf.read_text(encoding="utf-8")
    kommuner = geo.kommuner()
    for name in kommuner[kommuner.lan_kod == "06"].kommun_namn:
        assert name in flat, f"kommun {name} is not in the PDF"
    indicators = set(re.findall(r"<li><strong>([^<]+)</strong> \(\d{4}\)", html))
    table = ranking.lan_table(load_dataset("exempeldata"), "06", "missbruk")
    assert {html_export.html.unescape(n) for n in indicators} == set(table.indikator)  # every indicator shown
    for name in indicators:
        assert html_export.html.unescape(name) in flat, f"indicator {name} is not in the PDF"
    per_page = text.split("\f")[:pages]
    assert len(per_page) == pages and all(MARK in p for p in per_page), "a page without the exempeldata mark"
    assert all(re.search(rf"Sida {n} av {pages}", p) for n, p in enumerate(per_page, start=1))


@needs_chromium
def test_pdf_page_screenshot(lan_pdf):
    """The first pages as PNG in test-artifacts/ to look at (pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is in poppler-utils")
    ARTIFACTS.mkdir(exist_ok=True)
    for n in (1, 3):
        out = ARTIFACTS / f"pdf-lansanalys-06-sida{n}"
        subprocess.run(["pdftoppm", "-f", str(n), "-l", str(n), "-r", "80", "-png", "-singlefile",
                        str(lan_pdf.with_suffix(".pdf")), str(out)], check=True)
        assert out.with_suffix(".png").stat().st_size > 10_000


# ---------------------------------------------------------------- the compact layout at 1400 px and narrow

GRID_LAYOUT = """(() => {
  const boxes = el => { const r = el.getBoundingClientRect(); return {l: r.left, r: r.right, t: r.top, b: r.bottom}; };
  const grids = [...document.querySelectorAll('.rutnat')].map(g => {
    const items = [...g.children].map(boxes);
    const halves = [...g.querySelectorAll(':scope > .halv')];
    const cols = new Set(halves.map(h => Math.round(h.getBoundingClientRect().left)));
    return {items, cols: cols.size, n: g.querySelectorAll(':scope > .halv').length, box: boxes(g)};
  });
  const clipped = [];
  const wide = document.documentElement.clientWidth >= 1200;
  for (const d of document.querySelectorAll(wide ? '.ojfig' : '.rutnat .ojfig')) {
    const r = d.getBoundingClientRect();
    for (const t of d.querySelectorAll('.gtitle, .annotation-text, .legendtext, .ytick text, .xtick text')) {
      const b = t.getBoundingClientRect();
      if (b.width && (b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1 || b.bottom > r.bottom + 1)) {
        clipped.push([d.id, t.textContent.slice(0, 40)]);
      }
    }
  }
  const gaps = [];  // a small figure's title running into its legend
  for (const d of document.querySelectorAll('.rutnat .ojfig')) {
    const t = d.querySelector('.gtitle'), l = d.querySelector('.legend');
    if (t && l && t.getBoundingClientRect().bottom > l.getBoundingClientRect().top + 1) { gaps.push(d.id); }
  }
  const ticks = [...document.querySelectorAll('.rutnat .ojfig')].map(d =>
    [d.id, d.querySelectorAll('.ytick').length, (d.layout.yaxis || {}).type]);
  const crowded = [];  // axis labels of a small figure running into each other
  for (const d of document.querySelectorAll('.rutnat .ojfig')) {
    const labels = [...d.querySelectorAll('.ytick text')].map(t => t.getBoundingClientRect()).filter(b => b.height);
    labels.sort((a, b) => a.top - b.top);
    for (let i = 1; i < labels.length; i++) {
      if (labels[i].top < labels[i - 1].bottom - 2) { crowded.push(d.id); break; }
    }
  }
  return {grids, clipped, gaps, ticks, crowded, width: document.documentElement.clientWidth,
          height: document.documentElement.scrollHeight};
})()"""


def _overlaps(items: list[dict]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(items) for j, b in enumerate(items) if i < j
            and min(a["r"], b["r"]) - max(a["l"], b["l"]) > 1 and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 1]


@needs_chromium
def test_small_figures_sit_side_by_side_at_1400_and_stack_when_narrow(lan_pdf):
    """At 1400 px the ranked bars and the K/M charts sit three to a row (a chapter with one or two of
    them: beside its list of indicators), none overlapping another, no text of a figure outside it,
    every kommun named on its axis (nor in any other figure); at 700 px they stack one or two to a row,
    still without overlap or text outside them."""
    with pdf.Browser() as browser:
        browser.open(lan_pdf, width=1400)
        wide = browser.evaluate(GRID_LAYOUT)
        ARTIFACTS.mkdir(exist_ok=True)
        browser.open(lan_pdf, width=700)
        narrow = browser.evaluate(GRID_LAYOUT)
    assert len(wide["grids"]) >= 3, "no grid of small figures on the page"
    assert max(g["cols"] for g in wide["grids"]) == 3, wide["grids"]  # at most three: each readable (issue 21)
    assert any(g["n"] < len(g["items"]) for g in wide["grids"]), "no chapter list beside its figures"
    for g in wide["grids"] + narrow["grids"]:
        assert _overlaps(g["items"]) == [], g
    for layout in (wide, narrow):
        assert layout["clipped"] == [], layout["clipped"]
        assert layout["gaps"] == [], layout["gaps"]
        assert layout["crowded"] == [], f"axis labels overlap in {layout['crowded']}"
        for g in layout["grids"]:
            assert g["box"]["r"] <= layout["width"] + 1, "a grid is wider than the window"
    assert max(g["cols"] for g in narrow["grids"]) <= 2
    kommuner = geo.kommuner()
    n = int((kommuner.lan_kod == "06").sum())
    for fig, ticks, kind in wide["ticks"]:
        if kind == "category":
            assert ticks >= n - 3, f"{fig}: only {ticks} of the kommuner are named on the axis"
    assert narrow["height"] > wide["height"]


@needs_chromium
def test_colour_limits_are_folded_on_screen_and_printed(lan_pdf):
    """Each overview table's colour limits per indicator are in a closed <details> on screen (the page
    is shorter) and in the PDF's text (printing opens them): every limit stays findable."""
    html = lan_pdf.read_text(encoding="utf-8")
    folded = re.findall(r"<details class='oj-fargregler'[^>]*>(.*?)</details>", html, re.DOTALL)
    assert folded and all("percentilen" in f for f in folded)
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(lan_pdf.with_suffix(".pdf")), "-"],
                                              capture_output=True, text=True, check=True).stdout)
    items = [re.sub(r"\s+", " ", html_export.html.unescape(x)) for f in folded
             for x in re.findall(r"<li>(.*?)</li>", f)]
    assert len(items) >= 10
    missing = [x for x in items if x not in text]  # the whole rule: name, limits and counts
    assert missing == [], f"colour limits missing from the printed report: {missing[:2]}"


@needs_chromium
def test_printing_leaves_the_browser_in_screen_layout(lan_pdf):
    """One browser prints many pages (``oj rapporter --pdf``) and measures pages (benchmarks): after a
    print the page and the next one opened are laid out for the screen again, folded lists closed."""
    with pdf.Browser() as browser:
        browser.open(lan_pdf, width=1400)
        screen = browser.height()
        browser.print_pdf()
        assert browser.evaluate("matchMedia('print').matches") is False
        assert browser.evaluate("[...document.querySelectorAll('details.oj-fargregler')].every(d => !d.open)")
        browser.open(lan_pdf, width=1400)
        assert browser.evaluate("matchMedia('print').matches") is False
        assert abs(browser.height() - screen) < 50



@needs_chromium
def test_printed_profile_table_breaks_no_header_word(tmp_path):
    """On A4 the kommun profile's four columns of answer distributions are equally wide, and its headers
    break between words or at a soft hyphen ("Kommun-gruppen"), never inside a word ("Placerin g")."""
    page = tmp_path / "kommunprofil-0680-missbruk.html"
    assert main(["rapport", "--kommun", "0680", "--omrade", "missbruk", "--ut", str(page), "--pdf"]) == 0
    html = page.read_text(encoding="utf-8")
    head = re.search(r"<table class='oj-profil'><thead><tr>(.*?)</tr></thead>", html).group(1)
    words = {w for th in re.findall(r"<th>(.*?)</th>", head) for w in th.replace("\u00ad", "").split()}
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "3", str(page.with_suffix(".pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    found = set(re.findall(r"[\wÅÄÖåäö]+-?", text))
    assert {"Kommunen", "Placering", "Länet", "Riket"} <= words
    whole = set(re.findall(r"[\wÅÄÖåäö]+", re.sub(r"<[^>]+>", " ", html)))  # words the page itself has
    cut = [w[:n] for w in words if len(w) >= 7 for n in (len(w) - 1, len(w) - 2)
           if w[:n] in found and w[:n] not in whole]
    assert cut == [], f"header words cut on paper: {cut}"
    with pdf.Browser() as browser:  # A4 between the margins is 710 px
        browser.open(page, width=710)
        browser.send("Emulation.setEmulatedMedia", media="print")
        widths = browser.evaluate("[...document.querySelectorAll('table.oj-profil thead th')]"
                                  ".slice(3, 7).map(th => th.getBoundingClientRect().width)")
    # länet, riket, kommungruppen, jämförelsegruppen: equally wide (left to the browser on paper, länet
    # and riket got 70 px and nine lines a cell while the mostly empty placement columns got as much)
    assert len(widths) == 4 and max(widths) - min(widths) < 2, widths


@needs_chromium
def test_site_with_pdfs_links_each_one_and_every_link_leads_to_a_file(tmp_path, capsys, monkeypatch):
    """`oj rapporter --pdf`: the PDFs are printed in the build's staging tree (published with their pages,
    never written into the live site afterwards), and the index and each page link the PDF exactly
    when it exists; a page rebuilt without --pdf loses its PDF and the links to it."""
    from test_site_build import FIXTURE, _links_resolve

    from ojlib.publish import site

    printed_in: list[Path] = []
    real = site.pdf_print.write_pdfs

    def watched(pages, *args, **kwargs):
        printed_in.extend(Path(p).parent for p in pages)
        return real(pages, *args, **kwargs)

    monkeypatch.setattr(site.pdf_print, "write_pdfs", watched)
    folder = tmp_path / "webbplats"
    batch = tmp_path / "batch.yml"
    batch.write_text("omrade: missbruk\nrapporter:\n  - lan: '06'\n  - lan: '07'\n", encoding="utf-8")
    args = ["rapporter", "--mall", str(FIXTURE), "-f", str(batch), "--ut", str(folder)]
    assert main([*args, "--pdf"]) == 0, capsys.readouterr().err
    assert printed_in and all(p != folder and p.name.startswith(".webbplats.ny-") for p in printed_in)
    names = sorted(p.stem for p in folder.glob("mini_lansanalys-*.html"))
    assert len(names) == 2 and sorted(p.stem for p in folder.glob("*.pdf")) == names
    index = (folder / "index.html").read_text(encoding="utf-8")
    for name, lan in zip(names, ("Jönköpings län", "Kronobergs län"), strict=True):
        target = folder / f"{name}.pdf"
        assert target.read_bytes()[:5] == b"%PDF-"
        text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
        assert lan in text and MARK in text  # the PDF prints this page
        page = (folder / f"{name}.html").read_text(encoding="utf-8")
        assert f'<a class="pdf" href="{name}.pdf">PDF (A4)</a>' in page
        assert index.count(f'href="{name}.pdf"') == 2  # the län × område matrix and the list of reports
    assert _links_resolve(folder) > 10

    # one page rebuilt without --pdf: its PDF (no longer this page) goes, with every link to it
    batch.write_text("omrade: missbruk\nrapporter:\n  - lan: '06'\n  - lan: '07'\n    jamforelse: kommungrupp\n",
                     encoding="utf-8")
    assert main(args) == 0, capsys.readouterr().err
    assert sorted(p.stem for p in folder.glob("*.pdf")) == [names[0]]
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert f'href="{names[1]}.pdf"' not in text, page.name
    assert f'href="{names[0]}.pdf"' in (folder / "index.html").read_text(encoding="utf-8")
    assert _links_resolve(folder) > 10

    # a site built without --pdf has no PDF and no link to one
    plain = tmp_path / "utan"
    assert main(["rapporter", "--mall", str(FIXTURE), "-f", str(batch), "--ut", str(plain)]) == 0
    assert not list(plain.glob("*.pdf"))
    assert not [p.name for p in plain.glob("*.html") if re.search(r'href="[^"]*\.pdf"', p.read_text(encoding="utf-8"))]
