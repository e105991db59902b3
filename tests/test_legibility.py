"""Reports that read at arm's length (issue 21), checked in a real Chromium and in the printed PDFs.

At 1400 px every text of a report — the page's HTML and the text plotly draws in its SVG — is at
least 11 px; a value label never overlaps a länet/riket line or another text of its chart; at most
three small charts stand in a row (two printed); the 49 kommuner of Västra Götaland get bars at least
14 px thick; plotly speaks Swedish (toolbar, decimal comma and space between thousands) and each
chart carries the exempeldata mark once. In the PDFs (Jönköping and Västra Götaland missbruk, the
Gnosjö profile) every text is at least 8 pt, and no page is a stray one: every page has at least
150 characters of body text (a page holding only a footnote, a heading or a Riket row fails).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ojlib import EXEMPELDATA_MARK
from ojlib.cli import main
from ojlib.render.pdf import FIGURES_DRAWN, Browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
REPORTS = {"06": ["--lan", "06", "--omrade", "missbruk"], "14": ["--lan", "14", "--omrade", "missbruk"],
           "0617": ["--kommun", "0617", "--delregioner"]}  # the profile with its delregion's column too


@pytest.fixture(scope="module")
def written(example_home, tmp_path_factory, chromium) -> dict[str, Path]:
    """The three reports of the issue as HTML pages with their PDFs, written by `oj rapport --pdf`."""
    if shutil.which("pdftotext") is None or shutil.which("pdftohtml") is None:
        pytest.fail("poppler-utils saknas (pdftotext, pdftohtml); .ci/run installerar det")
    mp = pytest.MonkeyPatch()
    mp.setenv("OJLIB_HOME", str(example_home))
    folder = tmp_path_factory.mktemp("lasbarhet")
    pages = {}
    try:
        for key, args in REPORTS.items():
            page = folder / f"rapport-{key}.html"
            assert main(["rapport", *args, "--ut", str(page), "--pdf", "--webblasare", str(chromium)]) == 0
            pages[key] = page
    finally:
        mp.undo()
    return pages


# Every text a reader sees, with its size: text nodes of the HTML (not in an SVG, not hidden) and the
# SVG texts plotly draws; the offending ones named.
TEXT_SIZES = """(() => {
  const small = [];
  let n = 0;
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || !el || el.closest('svg, script, style') || !visible(el)) continue;
    const r = document.createRange(); r.selectNodeContents(t);
    if (r.getBoundingClientRect().width === 0) continue;
    n++;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 10.95) small.push([px, t.textContent.trim().slice(0, 50), el.className || el.tagName]);
  }
  for (const el of document.querySelectorAll('.ojfig svg text')) {
    if (!el.textContent.trim() || !visible(el)) continue;
    n++;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 10.95) small.push([px, el.textContent.trim().slice(0, 50), el.closest('.ojfig').id]);
  }
  return {n, small};
})()"""

# Per chart: value labels (bar texts and the values column right of the bars) against the reference
# lines (traces named Länet/Riket/Jämförelsegruppen) and against every other text of the chart.
OVERLAPS = """(() => {
  const out = [];
  const box = el => el.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  let labels = 0, lines = 0;
  for (const fig of document.querySelectorAll('.ojfig')) {
    const values = [...fig.querySelectorAll('.bars .bartext, .y2tick text')].filter(t => t.textContent.trim());
    const others = [...fig.querySelectorAll('svg text')].filter(t => t.textContent.trim() && !values.includes(t));
    const refs = [...fig.querySelectorAll('.scatterlayer .trace')].filter(g => {
      const trace = (g.__data__ && g.__data__[0] && g.__data__[0].trace) || {};
      return /^(Länet|Riket|Jämförelsegruppen)/.test(trace.name || '');
    }).flatMap(g => [...g.querySelectorAll('path.js-line')]);
    labels += values.length; lines += refs.length;
    for (const v of values) {
      const b = box(v);
      if (!b.width) continue;
      for (const l of refs) if (hit(b, box(l))) out.push([fig.id, v.textContent, 'linje']);
      for (const o of values.concat(others)) {
        if (o !== v && hit(b, box(o))) out.push([fig.id, v.textContent, o.textContent]);
      }
    }
  }
  return {out, labels, lines};
})()"""

GRID_COLUMNS = """Math.max(0, ...[...document.querySelectorAll('.rutnat')].map(g =>
  new Set([...g.querySelectorAll(':scope > .halv')].map(h => Math.round(h.getBoundingClientRect().left))).size))"""

# The bars of horizontal bar charts whose categories are kommuner: their thickness in px.
BAR_HEIGHTS = """[...document.querySelectorAll('.ojfig')].filter(f => (f.data || []).some(t => t.type === 'bar'
    && t.orientation === 'h')).map(f => [f.id, (f.data.find(t => t.type === 'bar').y || []).length,
    Math.min(...[...f.querySelectorAll('.bars .point path')].map(p => p.getBoundingClientRect().height)
      .filter(h => h > 0))])"""

SWEDISH = """(() => {
  const figs = [...document.querySelectorAll('.ojfig')];
  const ticks = figs.flatMap(f => [...f.querySelectorAll('.xtick text, .ytick text, [class*="tick"] text')]
    .map(t => t.textContent));
  const marks = figs.map(f => [f.id, [...f.querySelectorAll('svg text')].filter(t =>
    t.textContent.includes(MARK)).length]);
  const titles = [...document.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'));
  return {separators: figs.map(f => f.layout.separators), ticks, marks, titles,
          locale: figs.map(f => f._context.locale)};
})()""".replace("MARK", repr(EXEMPELDATA_MARK))


def _open(browser: Browser, page: Path, width: int = 1400) -> None:
    browser.open(page, width=width, figures=False)
    assert browser.wait_for(FIGURES_DRAWN), f"figures on {page.name} were not drawn in time"


@pytest.mark.parametrize("key", ["06", "14"])
def test_every_text_at_1400_px_is_at_least_11_px(written, browser, key):
    _open(browser, written[key])
    sizes = browser.evaluate(TEXT_SIZES)
    assert sizes["n"] > 500, sizes["n"]  # the check saw the page's texts, the charts' among them
    assert sizes["small"] == [], sizes["small"][:20]
    if key == "06":
        browser.screenshot(ARTIFACTS / "lasbarhet-lansanalys-06-missbruk-1400.png", full_page=True)


@pytest.mark.parametrize("key", ["06", "14"])
def test_value_labels_overlap_no_line_and_no_other_text(written, browser, key):
    _open(browser, written[key])
    found = browser.evaluate(OVERLAPS)
    assert found["labels"] > 100 and found["lines"] > 10, found  # labels and lines were there to check
    assert found["out"] == [], found["out"][:10]


def test_overlap_check_sees_a_label_on_a_line(written, browser, tmp_path):
    """Control: values written on the bars (as before), the länet/riket lines cross them and the check says so."""
    page = written["06"]
    text = page.read_text(encoding="utf-8")
    copy = tmp_path / page.name
    shutil.copy(page.parent / "plotly.min.js", tmp_path / "plotly.min.js")
    copy.write_text(text.replace('"textposition":"none"', '"textposition":"outside"'), encoding="utf-8")
    _open(browser, copy)
    assert any(o[2] == "linje" for o in browser.evaluate(OVERLAPS)["out"])


def test_small_charts_three_to_a_row_on_screen_two_printed(written, browser):
    _open(browser, written["06"])
    assert 2 <= browser.evaluate(GRID_COLUMNS) <= 3
    browser.send("Emulation.setEmulatedMedia", media="print")
    try:
        browser.viewport(710)
        assert browser.wait_for(f"({GRID_COLUMNS}) === 2", timeout=10)
    finally:
        browser.send("Emulation.setEmulatedMedia", media="")


def test_49_kommuner_each_get_a_bar_of_14_px(written, browser):
    _open(browser, written["14"])
    bars = browser.evaluate(BAR_HEIGHTS)
    big = [b for b in bars if b[1] >= 49]
    assert big, bars  # Västra Götaland's ranked charts were measured
    assert all(b[2] >= 14 for b in big), [b for b in big if b[2] < 14]


def test_plotly_speaks_swedish_and_marks_example_data_once(written, browser):
    _open(browser, written["06"])
    state = browser.evaluate(SWEDISH)
    assert set(state["separators"]) == {", "} and set(state["locale"]) == {"sv"}
    decimals = [t for t in state["ticks"] if re.search(r"\d\.\d", t)]
    assert state["ticks"] and decimals == [], decimals
    titles = state["titles"]
    assert "Ladda ner diagrammet som PNG" in titles and not any(t.startswith(("Download", "Share")) for t in titles)
    assert state["marks"] and all(n == 1 for _, n in state["marks"]), [m for m in state["marks"] if m[1] != 1]


# ---------------------------------------------------------------- the PDFs

def _pdf(written, key) -> Path:
    return written[key].with_suffix(".pdf")


@pytest.mark.parametrize("key", list(REPORTS))
def test_pdf_text_is_at_least_8_pt(written, key):
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-zoom", "1", str(_pdf(written, key))],
                         capture_output=True, text=True, check=True).stdout
    sizes = {m.group(1): float(m.group(2)) for m in re.finditer(r'<fontspec id="(\d+)" size="([\d.]+)"', xml)}
    used = {m.group(1) for m in re.finditer(r'<text [^>]*font="(\d+)"[^>]*>(?!\s*</text>)', xml)}
    small = sorted({sizes[f] for f in used if sizes[f] < 8})
    examples = [re.sub(r"<[^>]+>", "", m.group(0))[:60]
                for m in re.finditer(r'<text [^>]*font="(\d+)"[^>]*>.*?</text>', xml) if sizes[m.group(1)] < 8][:10]
    assert used and small == [], (small, examples)


def _body_chars(page_text: str, title: str) -> int:
    """Characters of a printed page's body: without the running title, the exempeldata mark and source
    line at the foot, and the page number."""
    text = re.sub(r"Skapad med ojlib \S+", "", page_text.replace(title, "").replace(EXEMPELDATA_MARK, ""))
    text = re.sub(r"Sida \d+ av \d+", "", text)
    return len(re.sub(r"\s+", "", text))


@pytest.mark.parametrize("key", list(REPORTS))
def test_no_stray_pages(written, key):
    """No page with under 150 characters of body text: the Gnosjö profile had pages holding only a chart's
    footnote, Västra Götaland a page with a heading alone and one with only the Riket row of a table."""
    pdf = _pdf(written, key)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    title = re.search(r"<title>(.*?)</title>", written[key].read_text(encoding="utf-8")).group(1)
    pages = [p for p in text.split("\f") if p.strip()]
    counts = [_body_chars(p, title) for p in pages]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"pdf-sidor-{key}.txt").write_text(f"{len(pages)} sidor; tecken per sida: {counts}\n",
                                                    encoding="utf-8")
    stray = [n for n, c in enumerate(counts, start=1) if c < 150]
    assert len(pages) >= 3 and stray == [], f"{pdf.name}: sidor med under 150 tecken: {stray} ({counts})"


@pytest.mark.parametrize("key", ["06", "14"])
def test_lanet_and_riket_rows_never_open_a_page(written, key):
    """A table of kommuner that breaks over pages keeps its Länet and Riket rows with at least one kommun row:
    no page's first table row is Länet or Riket (Jönköping's development table left its Riket row alone on
    the next page, under the repeated header)."""
    from ojlib.data import geo

    kommuner = geo.kommuner()
    names = set(kommuner[kommuner.lan_kod == key].kommun_namn)
    text = subprocess.run(["pdftotext", "-layout", str(_pdf(written, key)), "-"], capture_output=True, text=True,
                          check=True).stdout
    alone = []
    for n, page in enumerate(text.split("\f"), start=1):
        for line in page.splitlines():
            first = re.match(r"\s*(\S+(?: \S+)*?)(?:\s{2,}|\s+(?=\d))", line)
            if first and first.group(1) in names:
                break  # a kommun row comes first
            if first and first.group(1) in ("Länet", "Riket") and re.search(r"\d", line):
                alone.append((n, line.strip()[:60]))
                break
    assert alone == [], f"Länet/Riket first on a page, cut off from its table: {alone}"


def _texts(pdf: Path, word: str) -> list[tuple[int, int, int]]:
    """(page, top, left) of each text piece that is exactly ``word`` in the PDF (pdftohtml's positions, pt)."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-zoom", "1", str(pdf)], capture_output=True,
                         text=True, check=True).stdout
    out = []
    for page in re.finditer(r'<page number="(\d+)".*?</page>', xml, re.DOTALL):
        for m in re.finditer(r'<text top="(\d+)" left="(\d+)"[^>]*>(?:<b>)?([^<]*)', page.group(0)):
            if m.group(3).strip() == word:
                out.append((int(page.group(1)), int(m.group(1)), int(m.group(2))))
    return out


def test_long_narrow_matrix_prints_in_two_columns(written):
    """Västra Götaland's chapter matrices (49 kommuner, one to three indicators) print their rows in two columns
    side by side, each under the table's header (full width they left two thirds of the paper empty)."""
    heads = _texts(_pdf(written, "14"), "Kommun")
    pairs = [(p, t) for p, t, left in heads for p2, t2, left2 in heads
             if p2 == p and abs(t2 - t) <= 6 and left2 - left > 200]
    assert len({p for p, _ in pairs}) >= 3, heads


def test_compact_trends_print_three_rows_to_a_page(written):
    """The profile's trends over time, two to a row, print three rows to an A4 page (they were 374 px high and
    left a third of every page empty): some page holds six of their titles."""
    text = subprocess.run(["pdftotext", str(_pdf(written, "0617")), "-"], capture_output=True, text=True,
                          check=True).stdout
    per_page = [len(re.findall(r"över\s+tid", page)) for page in text.split("\f")]
    assert max(per_page) >= 6, per_page


@pytest.mark.parametrize("key", ["06", "14"])
def test_printed_matrix_headers_break_only_between_words_or_at_soft_hyphens(written, key):
    """The answer matrix's headers on A4 (13 columns at 8 pt): a word breaks at a soft hyphen, where the
    page shows "Tillgäng-", never inside a syllable ("Bruka" / "rstyrd", as before)."""
    html = written[key].read_text(encoding="utf-8")
    heads = re.findall(r"<th scope='col'>(.*?)<", html) + re.findall(r"<th class='grupp'[^>]*>(.*?)</th>", html)
    words = {w for h in heads for w in re.findall(r"[\wÅÄÖåäö\u00ad]+", h)}
    whole = set(re.findall(r"[\wÅÄÖåäö]+", re.sub(r"<[^>]+>", " ", html.replace("\u00ad", ""))))
    text = subprocess.run(["pdftotext", str(_pdf(written, key)), "-"], capture_output=True, text=True,
                          check=True).stdout
    found = set(re.findall(r"[\wÅÄÖåäö]+[-‐]?", text.replace("\u00ad", "")))  # a hyphen where a word broke
    cut = set()
    for w in words:
        clean = w.replace("\u00ad", "")
        joints = {len(part) for part in (w[:i].replace("\u00ad", "") for i, c in enumerate(w) if c == "\u00ad")}
        cut |= {clean[:n] for n in range(3, len(clean)) if n not in joints and clean[:n] in found
                and clean[:n] not in whole}
    cut = sorted(cut)
    assert len(words) > 20 and any("\u00ad" in w for w in words), words  # long headers, hyphenation marked
    assert cut == [], f"matrix header words cut inside a syllable on paper: {cut}"


def test_profile_with_its_delregion_prints_whole_words(written):
    """Gnosjö's profile with the Värnamoregionen column: ten columns on A4, and still no header word cut
    ("Värnamo-regionen" breaks at its soft hyphen) and no year split over two lines."""
    page = written["0617"]
    html = page.read_text(encoding="utf-8")
    head = re.search(r"<table class='oj-profil'><thead><tr>(.*?)</tr></thead>", html).group(1)
    heads = [h.replace("\u00ad", "") for h in re.findall(r"<th>(.*?)</th>", head)]
    assert len(heads) == 10 and heads[3] == "Värnamoregionen (ovägt medel)"
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "4", str(page.with_suffix(".pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    whole = set(re.findall(r"[\wÅÄÖåäö]+", re.sub(r"<[^>]+>", " ", html)))
    found = set(re.findall(r"[\wÅÄÖåäö]+", text))
    words = {w for h in heads for w in re.findall(r"[\wÅÄÖåäö]+", h)}
    cut = [w[:n] for w in words if len(w) >= 7 for n in (len(w) - 1, len(w) - 2) if w[:n] in found and
           w[:n] not in whole]
    assert cut == [], f"header words cut on paper: {cut}"
    assert re.search("Värnamo\u00ad?[-\u2010]\n", text) and "(ovägt" in text  # broken at the soft hyphen
    assert not re.search(r"\b20[12]\n\d\b", text), "a year split over two lines"
