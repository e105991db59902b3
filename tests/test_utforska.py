"""utforska.html, the site's dashboard (ojlib.render.dashboard): its data against the länsrapport's
tables, and the page in a real browser (headless Chromium, file:// with networking off).

The data files are written by ``dashboard.site_files`` as the site writes them and read back from
disk. Every row of the Jönköping missbruk länsrapport's table (``colours.coloured_lan_table``, what
the report shows) is found in the data with the same text, colour class, colour, rank, län and riket
values and rule; scale answers' län values are shares of kommuner, not means of codes; the trend is
``compare.trend``'s. In the browser each menu is changed and the ranked chart, map and trend are read
back from plotly (kommuner, order, values, colours) and compared with ojlib's own figures and tables;
the address reopens the same view; the console stays clean. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from ojlib.analysis import colours, levels
from ojlib.analysis.formatting import num
from ojlib.data import geo, shared
from ojlib.render import dashboard, figures, html_export
from ojlib.render.pdf import Browser
from ojlib.report import build

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
OMRADEN = ["missbruk", "barn_och_unga", "funktionsnedsattning"]
LAN_REPORTS = {"06": {"missbruk": "lansanalys-06-missbruk.html"}}
PROFILES = {"0680": "kommunprofil-0680-missbruk.html"}


@pytest.fixture(scope="module")
def home(example_home):
    mp = pytest.MonkeyPatch()
    mp.setenv("OJLIB_HOME", str(example_home))
    yield example_home
    mp.undo()


@pytest.fixture(scope="module")
def ds(home):
    return shared.dataset("exempeldata")


@pytest.fixture(scope="module")
def folder(home, tmp_path_factory) -> Path:
    """The dashboard's files for a site of three områden, written as the site writes them, with the
    site's plotly.min.js and the two pages it links back to."""
    out = tmp_path_factory.mktemp("utforska")
    metas = [(f"lansanalys-06-{o}.html", {"typ": "lansanalys", "lan": "06", "omrade": [o],
                                          "datakalla": "exempeldata"}) for o in OMRADEN]
    files = dashboard.site_files(out, metas, LAN_REPORTS, PROFILES, "prov", nav="")
    assert files.reason is None and sorted(files.write) == sorted([dashboard.PAGE, *map(dashboard.data_name, OMRADEN)])
    for name, text in files.write.items():
        (out / name).write_text(text, encoding="utf-8")
    import plotly

    shutil.copy(Path(plotly.__file__).parent / "package_data" / html_export.PLOTLY_JS, out / html_export.PLOTLY_JS)
    for page in [*LAN_REPORTS["06"].values(), *PROFILES.values()]:
        (out / page).write_text("<!DOCTYPE html><title>rapport</title>", encoding="utf-8")
    return out


def _read(folder: Path, omrade: str) -> dict:
    """A data file as the page receives it: the argument of its one call."""
    text = (folder / dashboard.data_name(omrade)).read_text(encoding="utf-8")
    m = re.search(rf"window\.{dashboard.CALLBACK}\(\"{omrade}\", (.*)\);\s*$", text, re.DOTALL)
    assert m, "the data file is not one call"
    return json.loads(m.group(1))


def _shown(data: dict, kpi: str, rec: dict, i: int) -> str:
    """A kommun's value text as the page composes it from the data (the page's `cell`)."""
    ind = next(x for x in data["indikatorer"] if x["kpi"] == kpi)
    if ind["typ"] in ("ja_nej", "skala"):
        v = rec["v"][i]
        return (rec.get("m") or {}).get(str(i), "saknas") if v is None else ind["nivaer"][str(v)]
    t = rec["t"][i] if "t" in rec else (None if rec["n"][i] is None else num(rec["n"][i], rec["d"]))
    return (rec.get("m") or {}).get(str(i), "saknas") if t is None else t + ind["enhet"]


def test_every_value_of_the_lansrapport_table_is_in_the_data(folder, ds):
    """The Jönköping missbruk report's table (its report model's, as the lansanalys notebook builds it) row
    by row."""
    data = _read(folder, "missbruk")
    year = ds.latest_year("missbruk")
    table = build.facts(ds, "06", "missbruk", year).tabell
    index = {k: i for i, k in enumerate(geo.kommuner().kommun_kod)}
    li = list(geo.lan().lan_kod).index("06")
    assert len(table) == 13 * table.kpi.nunique() and table.kpi.nunique() >= 20
    # the bakgrundsmått are context, not a coloured map, and not "missing" either (issue 21)
    bakgrund = {i.kpi for i in ds.cat.bakgrund("missbruk")}
    assert bakgrund and not bakgrund & ({i["kpi"] for i in data["indikatorer"]} | {i["kpi"] for i in data["saknas"]})
    for row in table.itertuples(index=False):
        rec = data["varden"][row.kpi][str(row.år)]
        i = index[row.kommunkod]
        legend = data["legender"][rec["leg"]]
        assert _shown(data, row.kpi, rec, i) == row.värde_text, (row.kpi, row.kommun)
        code = int(rec["k"][i])
        assert code == row.färgkod, (row.kpi, row.kommun)
        assert legend[code][1][0] == row.färg
        if code:
            assert legend[code][0] == row.färgklass
        if "rl" in rec:
            assert rec["rl"][i] == (None if pd.isna(row.rang_i_länet) else int(row.rang_i_länet))
        assert rec["lt"][li] == row.länet_text and rec["rt"] == row.riket_text
        la = rec["la"] if isinstance(rec["la"], str) else rec["la"][li]
        assert la == row.länet_avser and rec["ra"] == row.riket_avser
        assert rec["regel"][0] == row.färgregel
        if row.typ in ("ja_nej", "skala"):
            assert rec["ld"][li] == row.länet_fördelning and rec["rd"] == row.riket_fördelning
    # the colour-blind palette: the same classes, the report's colours for that palette
    fb = colours.coloured_lan_table(ds, "06", "missbruk", year, palett="fargblind")
    for row in fb.itertuples(index=False):
        rec = data["varden"][row.kpi][str(row.år)]
        assert data["legender"][rec["leg"]][int(rec["k"][index[row.kommunkod]])][2][0] == row.färg
        assert rec["regel"][1] == row.färgregel


def test_a_scales_lan_value_is_the_share_of_kommuner_at_the_top_level_not_a_mean_of_codes(folder, ds):
    data = _read(folder, "missbruk")
    skala = next(i for i in data["indikatorer"] if i["typ"] == "skala")
    year = skala["ar"][-1]
    rec = data["varden"][skala["kpi"]][str(year)]
    df = ds.df
    kommuner = geo.kommuner()
    codes = set(kommuner.loc[kommuner.lan_kod == "06", "kommun_kod"])
    v = df[(df.kpi == skala["kpi"]) & (df.ar == year) & (df.niva == "kommun") & (df.kon == "T") & df.kod.isin(codes)
           & df.varde.notna()].varde
    top = max(int(k) for k in skala["nivaer"])
    li = list(geo.lan().lan_kod).index("06")
    share = 100.0 * (v.round() == top).mean()
    assert rec["lan"][li] == pytest.approx(share, abs=0.01)
    assert abs(rec["lan"][li] - v.mean()) > 1  # not the mean of the answer codes
    assert skala["nivaer"][str(top)] in rec["lt"][li] and "%" in rec["lt"][li]


def test_the_trend_is_compare_trend_with_its_kommungrupp(folder, ds):
    data = _read(folder, "missbruk")
    index = {k: i for i, k in enumerate(geo.kommuner().kommun_kod)}
    li = list(geo.lan().lan_kod).index("06")
    gi = sorted(geo.KOMMUNGRUPPER).index(geo.kommuner().set_index("kommun_kod").at["0680", "kommungrupp_kod"])
    checked = 0
    for ind in data["indikatorer"][:8]:
        frame = levels.trend(ds, ind["kpi"], kommun="0680", kommungrupp=True)
        for row in frame.itertuples(index=False):
            rec = data["varden"][ind["kpi"]].get(str(row.år))
            if rec is None:
                assert row.värde != row.värde or row.nivå != "kommun"  # no year record: no kommun value
                continue
            if row.nivå == "kommun":
                shown = _shown(data, ind["kpi"], rec, index["0680"])
                assert shown == row.värde_text or (pd.isna(row.värde) and shown in ("saknas", row.status)), row
            else:
                got = {"län": rec["lan"][li], "riket": rec["r"], "kommungrupp": rec["g"][gi]}[row.nivå]
                assert (got is None and row.värde != row.värde) or got == pytest.approx(row.värde), (ind["kpi"], row)
            checked += 1
    assert checked > 100


def test_data_per_omrade_is_at_most_2_mb_and_unchanged_inputs_keep_their_file(folder, home):
    for omrade in OMRADEN:
        size = (folder / dashboard.data_name(omrade)).stat().st_size
        assert 100_000 < size <= 2_000_000, (omrade, size)
    metas = [("lansanalys-06-missbruk.html", {"typ": "lansanalys", "lan": "06", "omrade": ["missbruk"],
                                              "datakalla": "exempeldata"})]
    again = dashboard.site_files(folder, metas, LAN_REPORTS, PROFILES, "prov2", nav="")
    assert again.keep == [dashboard.data_name("missbruk")] and sorted(again.write) == [dashboard.PAGE]
    assert sorted(again.remove) == sorted(dashboard.data_name(o) for o in OMRADEN[1:])


# --------------------------------------------------------------------------- in the browser

# The three figures and the table as plotly and the page hold them.
VIEW = """(() => {
  const gd = id => document.getElementById(id);
  const strip = s => String(s).replace(/<[^>]+>/g, '');
  const r = gd('rangordning'), k = gd('karta'), t = gd('trend');
  return {vy: ojlibUtforska.vy, hash: location.hash, ritningar: ojlibUtforska.ritningar,
    rang: {y: r.data[0].y.map(strip), x: r.data[0].x, text: r.data[0].text, farg: r.data[0].marker.color,
           bold: r.data[0].y.filter(y => y.startsWith('<b>')).map(strip), title: strip(r.layout.title.text),
           lines: r.data.slice(1).map(d => d.name)},
    karta: {locations: k.data[0].locations, z: k.data[0].z, paths: k.querySelectorAll('path.choroplethlocation').length,
            drawn: [...k.querySelectorAll('path.choroplethlocation')].filter(p => p.getBBox().width > 0).length},
    trend: {names: t.data.map(d => d.name), x: t.data[0].x, y: t.data.map(d => d.y), title: strip(t.layout.title.text)},
    tabell: ojlibUtforska.tabell, menus: Object.fromEntries([...document.querySelectorAll('#val select')].map(
      s => [s.id, s.value])),
    labels: [...document.querySelectorAll('#val select')].every(s => document.querySelector('label[for=' + s.id + ']')),
    text: document.body.innerText};
})()"""


VALUES = "[...document.querySelectorAll('#tabell tbody tr td:nth-child(2)')].map(td => td.textContent)"


def _change(browser: Browser, select: str, value: str) -> dict:
    n = browser.evaluate("ojlibUtforska.ritningar")
    browser.evaluate(f"(() => {{ const s = document.getElementById({json.dumps(select)}); "
                     f"s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change')); }})()")
    assert browser.wait_for(f"ojlibUtforska.ritningar > {n}", timeout=30), f"no redraw after {select}={value}"
    return browser.evaluate(VIEW)


def _expect(view: dict, ds, omrade: str, kpi: str, lan: str, kommun: str, ar: int, palett: str = "standard"):
    """The view's figures against ojlib's own: the report's ranked bars and map for the same table, and
    compare.trend for the kommun."""
    table = colours.coloured_lan_table(ds, lan, omrade, ar, palett=palett, exakt_ar=True)
    fig = figures.ranked_bars(table, kpi=kpi, markera=kommun)
    bars = fig.data[0]
    names = [re.sub(r"<[^>]+>", "", y) for y in bars.y]
    assert view["rang"]["y"] == names
    assert view["rang"]["text"] == list(bars.text)
    assert view["rang"]["farg"] == list(bars.marker.color)
    assert view["rang"]["x"] == pytest.approx([float(x) for x in bars.x], abs=1e-6)
    name = geo.kommuner().set_index("kommun_kod").at[kommun, "kommun_namn"]
    assert view["rang"]["bold"] == [name]
    assert str(ar) in view["rang"]["title"]
    rows = table[table.kpi == kpi].sort_values("kommun", key=lambda s: s.map(str.casefold))
    got = dict(zip(view["karta"]["locations"], view["karta"]["z"], strict=True))
    assert got == {k: c + 0.5 for k, c in zip(rows.kommunkod, rows["färgkod"], strict=True)}
    assert view["karta"]["drawn"] == len(rows) > 0  # every kommun of the län drawn offline
    trend = levels.trend(ds, kpi, kommun=kommun, kommungrupp=True)
    assert view["trend"]["names"][0].startswith(name)
    lan_name = geo.lan().set_index("lan_kod").at[lan, "lan_namn"]
    assert view["trend"]["names"][1].startswith(lan_name) and view["trend"]["names"][2].startswith("Riket")
    assert view["trend"]["names"][3].startswith("Kommungrupp")
    assert ar in view["trend"]["x"]
    by_unit = {n: trend[trend.nivå == n].set_index("år")["värde"] for n in ("län", "riket", "kommungrupp")}
    for j, unit in ((1, "län"), (2, "riket"), (3, "kommungrupp")):
        for x, y in zip(view["trend"]["x"], view["trend"]["y"][j], strict=True):
            want = by_unit[unit].get(x)
            assert (y is None and want != want) or y == pytest.approx(want), (unit, x)
    assert view["menus"] == {"v-omrade": omrade, "v-indikator": kpi, "v-lan": lan, "v-kommun": kommun,
                             "v-ar": str(ar), "v-palett": palett}
    assert view["tabell"] and set(view["tabell"]) == set(rows.kommunkod)


def _open(browser: Browser, page: Path, view: str) -> None:
    """Open the dashboard at a view (from another page first: a new #-part alone is no new page load)."""
    browser.open("about:blank", figures=False)
    browser.open(page.resolve().as_uri() + view, figures=False)
    assert browser.wait_for("window.ojlibUtforska && ojlibUtforska.klar", timeout=60)


@pytest.fixture(scope="module")
def browser(chromium):
    with Browser(chromium, window=(1400, 900), watch_network=True) as chrome:
        yield chrome


def test_dashboard_in_the_browser_every_menu_redraws_and_the_address_reopens_the_view(folder, ds, browser):
    _open(browser, folder / dashboard.PAGE, "#omrade=missbruk&lan=06&kommun=0680")
    view = browser.evaluate(VIEW)
    assert view["labels"], "a menu without a label"
    data = _read(folder, "missbruk")
    first = data["indikatorer"][0]
    _expect(view, ds, "missbruk", first["kpi"], "06", "0680", first["ar"][-1])
    assert "Exempeldata – inte verkliga resultat" in view["text"]
    browser.screenshot(ARTIFACTS / "utforska-start.png", full_page=True)

    numeric = next(i for i in data["indikatorer"] if i["typ"] == "andel" and len(i["ar"]) > 3)
    view = _change(browser, "v-indikator", numeric["kpi"])  # the year chosen stays when the indicator has it
    year = first["ar"][-1] if first["ar"][-1] in numeric["ar"] else numeric["ar"][-1]
    _expect(view, ds, "missbruk", numeric["kpi"], "06", "0680", year)
    assert any(line.startswith("Länet: ") for line in view["rang"]["lines"])
    assert any(line.startswith("Riket: ") for line in view["rang"]["lines"])
    view = _change(browser, "v-lan", "14")  # a new län: its first kommun by name
    kommun = view["menus"]["v-kommun"]
    assert geo.kommuner().set_index("kommun_kod").at[kommun, "lan_kod"] == "14"
    _expect(view, ds, "missbruk", numeric["kpi"], "14", kommun, year)
    view = _change(browser, "v-kommun", "1480")
    _expect(view, ds, "missbruk", numeric["kpi"], "14", "1480", year)
    year = numeric["ar"][-3]
    view = _change(browser, "v-ar", str(year))
    _expect(view, ds, "missbruk", numeric["kpi"], "14", "1480", year)
    view = _change(browser, "v-palett", "fargblind")
    _expect(view, ds, "missbruk", numeric["kpi"], "14", "1480", year, "fargblind")
    browser.screenshot(ARTIFACTS / "utforska-fargblind.png", full_page=True)
    view = _change(browser, "v-omrade", "barn_och_unga")  # loads its data file on demand
    other = _read(folder, "barn_och_unga")["indikatorer"][0]
    year = year if year in other["ar"] else other["ar"][-1]
    _expect(view, ds, "barn_och_unga", other["kpi"], "14", "1480", year, "fargblind")
    assert view["hash"] == f"#omrade=barn_och_unga&kpi={other['kpi']}&lan=14&kommun=1480&ar={year}&palett=fargblind"
    kronor = next(i for i in _read(folder, "barn_och_unga")["indikatorer"] if i["typ"] == "kr_per_inv")
    view = _change(browser, "v-indikator", kronor["kpi"])  # thousands spaced as the reports write them
    year = year if year in kronor["ar"] else kronor["ar"][-1]
    _expect(view, ds, "barn_och_unga", kronor["kpi"], "14", "1480", year, "fargblind")
    assert any(re.fullmatch(r"\d{1,3}\u00a0\d{3}\u00a0kr", t) for t in view["rang"]["text"]), view["rang"]["text"]

    # the address reopens the same view, drawn the same
    url = browser.evaluate("location.href")
    browser.open("about:blank", figures=False)
    browser.open(url, figures=False)
    assert browser.wait_for("window.ojlibUtforska && ojlibUtforska.klar", timeout=60)
    again = browser.evaluate(VIEW)
    for key in ("vy", "hash", "rang", "karta", "trend", "tabell", "menus"):
        assert again[key] == view[key], key
    assert browser.console_errors() == []
    outside = [u for u in browser.requested_urls() if urlparse(u).scheme not in ("file", "data", "blob")]
    assert outside == [] and browser.failed_loads() == []


def test_dashboard_keyboard_sorting_copying_and_links(folder, ds, browser):
    _open(browser, folder / dashboard.PAGE, "#omrade=missbruk&lan=06&kommun=0680&kpi=U35544")
    # keyboard: focus the kommun menu and press the down arrow; the next kommun is shown
    before = browser.evaluate(VIEW)
    browser.evaluate("document.getElementById('v-kommun').focus()")
    n = before["ritningar"]
    for kind in ("rawKeyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent", type=kind, key="ArrowDown", code="ArrowDown", windowsVirtualKeyCode=40)
    assert browser.wait_for(f"ojlibUtforska.ritningar > {n}", timeout=20)
    after = browser.evaluate(VIEW)
    options = browser.evaluate("[...document.getElementById('v-kommun').options].map(o => o.value)")
    assert after["menus"]["v-kommun"] == options[options.index("0680") + 1]
    # sorting by value (a button in the column header, so the keyboard reaches it), both ways
    browser.evaluate("document.querySelector('button[data-kol=varde]').click()")
    values = browser.evaluate(VALUES)
    nums = [float(v.replace("\u00a0", "").replace("%", "").replace(",", ".")) for v in values if v[0].isdigit()]
    assert nums == sorted(nums) and len(nums) > 5
    assert browser.evaluate("document.activeElement.getAttribute('data-kol')") == "varde"
    assert browser.evaluate("document.querySelector('th[aria-sort=ascending] button').dataset.kol") == "varde"
    browser.evaluate("document.querySelector('button[data-kol=varde]').click()")
    values = browser.evaluate(VALUES)
    nums = [float(v.replace("\u00a0", "").replace("%", "").replace(",", ".")) for v in values if v[0].isdigit()]
    assert nums == sorted(nums, reverse=True)
    # the copied text: a caption, a header row, the kommuner, länet and riket, the source and the mark
    text = browser.evaluate("ojlibUtforska.tableText()")
    lines = text.splitlines()
    assert lines[1].split("\t")[:3] == ["Kommun", "Värde", "Färgklass"]
    assert any(line.startswith("Länet\t") for line in lines) and any(line.startswith("Riket\t") for line in lines)
    assert "Exempeldata – inte verkliga resultat" in lines[-1]
    assert browser.evaluate("document.querySelectorAll('#tabell thead th[scope=col]').length") >= 4
    # links back: the län report and the kommun profile, both in the folder
    hrefs = browser.evaluate("[...document.querySelectorAll('#lankar a')].map(a => a.getAttribute('href'))")
    assert "lansanalys-06-missbruk.html" in hrefs
    assert all((folder / h).exists() for h in hrefs)
    browser.screenshot(ARTIFACTS / "utforska-tabell.png", full_page=True)
    assert browser.console_errors() == []


def test_the_dashboard_colours_with_the_strategy_its_reports_use(home, ds, tmp_path):
    metas = [("lansanalys-06-missbruk.html", {"typ": "lansanalys", "lan": "06", "omrade": ["missbruk"],
                                              "datakalla": "exempeldata", "fargstrategi": "rang_tertil"})]
    files = dashboard.site_files(tmp_path, metas, LAN_REPORTS, PROFILES, "prov", nav="")
    (tmp_path / dashboard.data_name("missbruk")).write_text(files.write[dashboard.data_name("missbruk")],
                                                            encoding="utf-8")
    data = _read(tmp_path, "missbruk")
    assert data["strategi"] == "rang_tertil"
    year = ds.latest_year("missbruk")
    table = colours.coloured_lan_table(ds, "06", "missbruk", year, strategi="rang_tertil")
    index = {k: i for i, k in enumerate(geo.kommuner().kommun_kod)}
    for row in table.itertuples(index=False):
        rec = data["varden"][row.kpi][str(row.år)]
        assert int(rec["k"][index[row.kommunkod]]) == row.färgkod and rec["regel"][0] == row.färgregel
    assert "tertilgränser" in files.write[dashboard.PAGE]


def test_prepare_computes_the_data_files_site_files_writes(home, ds, tmp_path, monkeypatch):
    """A batch prepares the dashboard's data while its last reports run (``dashboard.prepare``): publishing
    then writes exactly that, computing nothing again; a data file already current is not computed at all."""
    meta = {"typ": "lansanalys", "lan": "06", "omrade": ["barn_och_unga"], "datakalla": "exempeldata",
            "fargstrategi": "avstand_median"}
    dashboard.prepare(tmp_path, [meta, {"typ": "kommunprofil", "omrade": ["barn_och_unga"],
                                        "datakalla": "exempeldata"}])
    computed = []
    monkeypatch.setattr(dashboard, "omrade_data", lambda *a, **k: computed.append(a) or {})
    files = dashboard.site_files(tmp_path, [("lansanalys-06-barn_och_unga.html", meta)], LAN_REPORTS, PROFILES,
                                 "prov", nav="")
    assert computed == [] and files.reason is None
    (tmp_path / dashboard.data_name("barn_och_unga")).write_text(files.write[dashboard.data_name("barn_och_unga")],
                                                                 encoding="utf-8")
    assert _read(tmp_path, "barn_och_unga")["strategi"] == "avstand_median"
    dashboard.prepare(tmp_path, [{**meta, "fargstrategi": "neutral"}, meta, meta])
    assert computed == []  # the most common strategy's file is current: kept, not computed
