"""Län maps that name their kommuner (issue 21 item 4), checked where they are drawn: plotly in a real
headless Chromium, on screen at 1400 px and redrawn for print (690 px, as the PDF). No two labels on
the map touch (Västra Götaland's 49 kommuner crowd around Göteborg, Stockholm's around the city, Skåne
has 33), and every kommun is named: by its name on the map, or by a number on the map and the same
number with its name in the legend under the map."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import plotly
import pytest

from ojlib.analysis import colours
from ojlib.data import dataset, geo
from ojlib.render import figures, html_export, maplabels, notebook
from ojlib.render.pdf import FIGURES_DRAWN, Browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
LAN = {"14": "Västra Götaland", "01": "Stockholm", "12": "Skåne"}

# The map's labels (the scattergeo texts) with their boxes, and the legend's lines under it.
LABELS = """(() => {
  const fig = document.querySelector('.ojfig');
  const boxes = [...fig.querySelectorAll('.geolayer text, .scattergeo text')].filter(t => t.textContent.trim())
    .map(t => { const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.top, r.right, r.bottom]; });
  const over = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a[1] < b[3] && b[1] < a[3] && a[2] < b[4] && b[2] < a[4]) over.push([a[0], b[0]]);
  }
  const legend = [...fig.querySelectorAll('.annotation-text')].filter(t => /^\\d+ /.test(t.textContent))
    .flatMap(t => [...t.querySelectorAll('tspan.line')].map(l => l.textContent));
  const frame = fig.querySelector('.geo').getBoundingClientRect();
  return {labels: boxes.map(b => b[0]), over, legend, frame: [frame.width, frame.height],
          sizes: [...fig.querySelectorAll('.scattergeo text')].map(t => parseFloat(getComputedStyle(t).fontSize))};
})()"""


@pytest.fixture(scope="module")
def maps(example_home, tmp_path_factory) -> dict[str, dict]:
    mp = pytest.MonkeyPatch()
    mp.setenv("OJLIB_HOME", str(example_home))
    try:
        ds = dataset.load_dataset("exempeldata")
        out = {}
        for lan in LAN:
            table = colours.coloured_lan_table(ds, lan, "missbruk")
            out[lan] = figures.choropleth(table, kpi=notebook.map_indicator(table)).to_plotly_json()
    finally:
        mp.undo()
    return out


def _page(fig: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    js = folder / html_export.PLOTLY_JS
    if not js.exists():
        shutil.copy(Path(plotly.__file__).parent / "package_data" / html_export.PLOTLY_JS, js)
    page = html_export.Page()
    (folder / "karta.html").write_text(html_export.page_document("Karta", page.figure(fig), {}, page.templates),
                                       encoding="utf-8")
    return folder / "karta.html"


def _labels(browser: Browser, page: Path, printed: bool) -> dict:
    browser.open(page, width=1400, figures=False)
    assert browser.wait_for(FIGURES_DRAWN), "the map was not drawn in time"
    if printed:
        browser.viewport(730)
        browser.evaluate("window.ojlibForPrint(true).then(() => true)")
    return browser.evaluate(LABELS)


@pytest.mark.parametrize("lan", list(LAN))
@pytest.mark.parametrize("printed", [False, True], ids=["skarm-1400", "utskrift"])
def test_map_labels_touch_none_and_every_kommun_is_named(maps, browser, tmp_path, lan, printed):
    page = _page(maps[lan], tmp_path)
    found = _labels(browser, page, printed)
    kommuner = geo.kommuner().set_index("kommun_kod")
    names = {kommuner.at[k, "kommun_namn"] for k in geo.kommuner_i_lan(lan)}
    assert len(found["labels"]) == len(names), found["labels"]  # a label per kommun, all drawn
    assert found["over"] == [], found["over"]
    assert set(found["sizes"]) == {11.0}  # printed at 690 px: 8 pt
    assert found["frame"] == [maplabels.FRAME_PX, maplabels.FRAME_PX]  # the frame the placement was made for
    legend = dict(re.match(r"(\d+) (.+)", line).groups() for line in found["legend"])
    on_map = set(found["labels"])
    numbers = {t for t in on_map if t.isdigit()}
    assert set(legend) == numbers  # every number on the map is in the legend, and no other
    assert {t for t in on_map if not t.isdigit()} | set(legend.values()) == names
    if lan in ("14", "01"):
        assert numbers, "a crowded län shows numbers"
        browser.screenshot(ARTIFACTS / f"karta-{lan}-{'utskrift' if printed else '1400'}.png")


def test_the_check_sees_labels_that_overlap(maps, browser, tmp_path):
    """Control: every kommun named on the map at its label's place (as before numbers): labels overlap
    around Göteborg and the check says so."""
    fig = json.loads(json.dumps(maps["14"]))
    trace = next(t for t in fig["data"] if t.get("name") == "Kommunnamn")
    legend = {m.group(1): m.group(2) for note in fig["layout"]["annotations"] if note.get("name") == "kommunnummer"
              for m in re.finditer(r"<b>(\d+)</b> ([^<]+)", note["text"])}
    trace["text"] = [legend.get(t, t) for t in trace["text"]]
    found = _labels(browser, _page(fig, tmp_path), False)
    assert any("Göteborg" in pair for pair in found["over"]), found["over"]
