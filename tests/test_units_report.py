"""The units chapter of the funktionsnedsättning län report, on example data: the spread per kommun
checked against a hand-worked example for Jönköpings län, units named, missing values with reasons."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ojlib.analysis import ranking, units
from ojlib.render import figures, views
from ojlib.report import build, lansrapport, request


@pytest.fixture
def chapter(example_ds):
    table = ranking.lan_table(example_ds, "06", "funktionsnedsattning")
    return table, lansrapport.unit_chapter(example_ds, "06", table)


def test_spread_per_kommun_matches_the_hand_worked_example(chapter):
    """U28518 (gruppbostad: får bestämma om saker som är viktiga hemma), 2025, the example units:

    Jönköping has 7 gruppbostäder; 2 have no value (one bortfall, one sekretess); the other five,
    sorted: 73,4  83,6  85,8  89,3  100,0. Linear quartiles sit at positions (5 − 1) × 0,25 = 1, 2
    and 3: q1 = 83,6, median = 85,8, q3 = 89,3; min 73,4, max 100,0.
    Mullsjö: 93,7  93,8  94,8  98,7. Positions 0,75, 1,5 and 2,25: q1 = 93,7 + 0,75 × 0,1 = 93,775,
    median = (93,8 + 94,8) / 2 = 94,3, q3 = 94,8 + 0,25 × 3,9 = 95,775.
    Eksjö: one unit, bortfall: 1 unit, 0 values, no spread. Gislaved: no gruppbostad at all.
    """
    table, ch = chapter
    assert table[table.kpi == "U28518"]["år"].iloc[0] == 2025
    sp = ch.spread["U28518"].set_index("kommunkod")
    assert len(sp) == 13  # every kommun of the län, also those without units
    want = {"0680": (7, 5, 73.4, 83.6, 85.8, 89.3, 100.0), "0642": (4, 4, 93.7, 93.775, 94.3, 95.775, 98.7)}
    for kod, (n, med, lo, q1, median, q3, hi) in want.items():
        r = sp.loc[kod]
        assert (r.enheter, r["med_värde"]) == (n, med), kod
        for got, expected in zip((r["min"], r.q1, r["median"], r.q3, r["max"]), (lo, q1, median, q3, hi), strict=True):
            assert math.isclose(got, expected, abs_tol=1e-9), (kod, got, expected)
    assert (sp.loc["0686", "enheter"], sp.loc["0686", "med_värde"]) == (1, 0) and pd.isna(sp.loc["0686", "median"])
    assert (sp.loc["0662", "enheter"], sp.loc["0662", "med_värde"]) == (0, 0)


def test_units_are_named_and_missing_values_say_why(chapter):
    table, ch = chapter
    jkp = ch.values[(ch.values.kpi == "U28518") & (ch.values.kommunkod == "0680")].set_index("ou")
    assert jkp.at["V29E068001", "enhet"] == "Gruppbostad LSS 1, Jönköping (exempel)"
    assert jkp.at["V29E068001", "typ"] == "Gruppbostad LSS"
    assert jkp.at["V29E068004", "saknas_orsak"] == "Enheten deltog inte (bortfall)"
    assert jkp.at["V29E068007", "saknas_orsak"] == "För få svar för att redovisas (sekretess)"
    kommun = table[(table.kpi == "U28518") & (table.kommunkod == "0680")].iloc[0]
    assert jkp.at["V29E068001", "kommunens_värde"] == kommun["värde"] and jkp.at["V29E068001", "länet"] == kommun.länet
    assert units.reason("Något annat") == "Koladas status: Något annat"
    # units per kommun and type: Jönköping 7 gruppbostäder
    counts = ch.counts.set_index("kommunkod")
    assert counts.at["0680", "Gruppbostad LSS"] == 7 and counts.at["0662", "Gruppbostad LSS"] == 0
    assert len(ch.kpis) == 21 and {t for t, _ in ch.by_type()} == {"Gruppbostad LSS", "Servicebostad LSS",
                                                                    "LSS daglig verksamhet"}


def test_the_chapter_renders_a_sortable_table_and_a_figure_with_lan_and_riket(chapter):
    table, ch = chapter
    rows = dict(ch.by_type())["Gruppbostad LSS"]
    html = views.unit_matrix(rows, ch.kalla, title="Gruppbostad LSS").html
    assert "oj-sorterbar" in html and "Gruppbostad LSS 4, Jönköping (exempel)" in html
    assert "Enheten deltog inte" in html and "<tfoot>" in html and "Exempeldata – inte verkliga resultat" in html
    fig = figures.unit_spread(ch.spread["U28518"], ch.values, table, "U28518")
    names = [t.name for t in fig.data]
    boxes = [t for t in fig.data if t.type == "box"]
    assert len(boxes) == 1  # one trace, a box per kommun (its y category)
    per_kommun = {}
    for y, x in zip(boxes[0].y, boxes[0].x, strict=True):
        per_kommun.setdefault(y, []).append(x)
    assert len(per_kommun["Jönköping (5 av 7)"]) == 5
    assert "Eksjö (0 av 1)" not in per_kommun  # a kommun without values has no box
    head = table[table.kpi == "U28518"].iloc[0]
    assert sorted(s.x0 for s in fig.layout.shapes) == sorted([head.länet, head.riket])
    assert any(n.startswith("Länet ") for n in names) and any(n.startswith("Riket ") for n in names)
    text = " ".join(a.text for a in fig.layout.annotations)
    assert "Exempeldata – inte verkliga resultat" in text and "Eksjö" in fig.layout.title.text


SORTED = """(() => { const t = document.querySelector('table.oj-sorterbar');
  t.querySelectorAll('thead th')[COL].click();
  return [...t.tBodies[0].rows].map(r => r.cells[COL].textContent); })()"""


def test_a_click_on_a_heading_sorts_the_units_by_the_numbers_shown(chapter, browser, tmp_path):
    """The cells carry no sort key of their own (only where the text rounds the value): the page sorts by
    the number as shown, a unit without a value first, and by name in the name columns."""
    _, ch = chapter
    rows = dict(ch.by_type())["Gruppbostad LSS"]
    html = views.unit_matrix(rows, ch.kalla).html
    assert "data-v=" not in html.split("<tfoot>")[0]  # one decimal shown: the text is the key
    page = tmp_path / "enheter.html"
    page.write_text(f"<!doctype html><meta charset='utf-8'><body>{html}</body>", encoding="utf-8")
    browser.open(page, figures=False)
    shown = browser.evaluate(SORTED.replace("COL", "2"))
    missing = [t for t in shown if not t[0].isdigit()]
    numbers = [float(t.replace(",", ".")) for t in shown if t[0].isdigit()]
    assert missing and shown[:len(missing)] == missing and len(numbers) >= 20
    assert numbers == sorted(numbers)
    again = browser.evaluate(SORTED.replace("COL", "2"))
    assert [float(t.replace(",", ".")) for t in again if t[0].isdigit()] == sorted(numbers, reverse=True)
    names = browser.evaluate(SORTED.replace("COL", "0"))
    assert list(dict.fromkeys(names)) == sorted(set(names))  # Jönköpings län's names sort alike in Python


def test_no_units_chapter_without_unit_indicators(example_ds):
    table = ranking.lan_table(example_ds, "06", "missbruk")
    assert lansrapport.unit_chapter(example_ds, "06", table) is None


def test_the_report_model_has_a_units_section_for_funktionsnedsattning_only(example_ds):
    p, _ = request.notebook("lansanalys", lan="06", omrade="alla")
    report = build.lansrapport(p, example_ds)
    (section,) = report.of_kind("enheter")
    assert section.omrade == "funktionsnedsattning" and section.rubrik.startswith("Enheter")
    assert "unktionsneds" in section.rubrik  # three områden: the heading names the område
    assert "Gruppbostad LSS 1, Jönköping (exempel)" in set(section.data["kapitel"].values.enhet)
    assert section.rubrik in report.rubriker


def test_a_kommun_lists_its_units_beside_kommun_lan_and_riket(example_ds):
    values = lansrapport.kommun_units(example_ds, "Jönköping", "funktionsnedsattning")
    assert set(values.kommunkod) == {"0680"} and values.ou.nunique() == 20  # 7 + 5 + 8 units
    html = views.unit_matrix(values[values.typ == "Gruppbostad LSS"], example_ds.kalla).html
    assert "Kommunen (Jönköping)" in html and "Länet" in html and "Riket" in html
    assert lansrapport.kommun_units(example_ds, "0680", "missbruk").empty
