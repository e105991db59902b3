"""The explorer (ojlib.render.explore) in the kernel: menus, redraws, saving, and the saved notebooks.

What a browser shows is tested in tests/test_jupyterlab.py; here the kernel side: each choice
replaces the Output widget's content with figures of that choice, the trend is levels.trend's,
the save button writes oj export's table, and a notebook executed without a frontend (as
``make notebooks`` does) holds the default figures and a Swedish hint instead of a widget line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from nbclient import NotebookClient

from ojlib.analysis import levels
from ojlib.base.errors import OjError
from ojlib.data import geo
from ojlib.data.catalog import OMRADEN
from ojlib.render import explore
from ojlib.render.explore import HINT, PLOTLY_MIME, Utforskare

ROOT = Path(__file__).resolve().parents[1]


def _titles(u: Utforskare) -> list[str]:
    return [o["data"]["text/plain"] for o in u.output.outputs if PLOTLY_MIME in o["data"]]


def test_menus_in_order_and_unambiguous(example_ds):
    u = Utforskare(example_ds, lan="25", omrade="missbruk")
    names = [n for n, code in u.kommun.options if code]
    assert u.kommun.options[0][1] == "" and len(names) == 14
    assert names == sorted(names, key=explore.sortkey_sv)
    assert names[-3:] == ["Älvsbyn", "Överkalix", "Övertorneå"]  # å ä ö last, as in Swedish
    lan_names = [n for n, _ in u.lan.options]
    assert lan_names[0] == "Blekinge län" and lan_names[-3:] == ["Västra Götalands län", "Örebro län",
                                                                 "Östergötlands län"]
    labels = []
    for omrade in OMRADEN:
        u.omrade.value = omrade
        labels += [n for n, _ in u.indikator.options]
    # unique across områden; every indicator but the bakgrundsmått (context, never coloured or ranked)
    compared = [i for i in example_ds.cat if not i.bakgrund]
    assert len(labels) == len(compared) == len(set(labels)) and len(compared) < len(example_ds.cat)
    assert sum("Brukarbedömning: få kontakt" in label for label in labels) == 2


def test_each_choice_redraws_the_output_area(example_ds):
    u = Utforskare(example_ds, lan="06", omrade="missbruk", kpi="U35538", kommun="0680")
    u.update()
    first = u.output.outputs
    assert len(first) == 4 and all(PLOTLY_MIME in o["data"] for o in first[:3])
    assert "Placering i länet" in first[3]["data"]["text/html"] and "Jönköping" in first[3]["data"]["text/plain"]
    bars, trend, karta = u.figures
    assert "<b>Jönköping</b>" in set(bars.data[0].y)  # the chosen kommun is highlighted
    widths = dict(zip(karta.data[0].locations, karta.data[0].marker.line.width, strict=True))
    assert widths["0680"] == 3.0 and {w for k, w in widths.items() if k != "0680"} == {0.5}
    lines = {t.name.split(" (")[0] for t in trend.data}
    assert {"Jönköping", "Jönköpings län", "Riket"} <= lines and any(n.startswith("Kommungrupp") for n in lines)
    assert all("missbruk" in t for t in _titles(u))  # every figure names its område

    u.lan.value = "08"  # Kalmar län: the kommun menu refills, nothing is marked
    assert u.kommun.value == "" and ("Kalmar", "0880") in u.kommun.options
    assert u.output.outputs != first
    assert set(u.figures[0].data[0].y) == set(geo.kommuner().query("lan_kod == '08'").kommun_namn)
    assert "Kalmar län" in _titles(u)[2]
    assert {t.name.split(" (")[0] for t in u.figures[1].data} == {"Kalmar län", "Riket"}

    u.indikator.value = "U35519"
    assert all("Stödprogram för närstående – missbruk" in t for t in _titles(u))
    u.kommun.value = "0880"
    assert "<b>Kalmar</b>" in set(u.figures[0].data[0].y)
    assert "Kalmar" in {t.name.split(" (")[0] for t in u.figures[1].data}

    u.omrade.value = "barn_och_unga"
    assert u.indikator.value == example_ds.cat.for_omrade("barn_och_unga")[0].kpi
    assert all("barn och unga" in t for t in _titles(u))
    for fig in u.figures:
        assert fig.layout.meta["exempeldata"] is True
        assert [a.name for a in fig.layout.annotations if "Exempeldata" in a.text] == ["kalla"]
    assert u.senaste_ms is not None and u.senaste_ms > 0
    assert "Kalmar län · Social barn- och ungdomsvård" in u.rubrik.value
    u.omrade.value = "missbruk"  # back to an earlier choice: the same drawing again
    u.indikator.value, u.lan.value, u.kommun.value = "U35519", "08", "0880"
    assert "<b>Kalmar</b>" in set(u.figures[0].data[0].y) and "Kalmar" in u.rubrik.value
    assert all("Stödprogram för närstående – missbruk" in t for t in _titles(u))


def test_trend_is_compare_trend(example_ds):
    u = Utforskare(example_ds)
    for kpi, kommun, lan in [("U35538", "0680", "06"), ("N35001", None, "08")]:
        expected = levels.trend(example_ds, kpi, kommun=kommun, lan=lan, kommungrupp=kommun is not None)
        pd.testing.assert_frame_equal(u.trend(kpi, kommun, lan), expected)


def test_texts_are_plain(example_ds):
    u = Utforskare(example_ds, kpi="U35538", kommun="0680")
    u.update()
    assert "<" not in u.describe() and "\u00a0" not in u.describe()
    for text in [*_titles(u), repr(u.tabell())]:
        assert "<b>" not in text and "\u00a0" not in text
    assert u.widget._repr_mimebundle_()["text/plain"] == HINT
    table = u.tabell()
    assert list(table.data.columns) == ["Placering i länet", "Kommun", "Värde", "Färgklass"]
    assert table.data["Kommun"].iloc[-1].startswith("Riket (")
    assert re.search(r"\d,\d %", " ".join(table.data["Värde"]))  # decimal comma and unit
    assert "Exempeldata – inte verkliga resultat" in table.rubrik and "Exempeldata" in table._repr_html_()
    assert "<td style='text-align:left'>&lt;b&gt;" not in table._repr_html_()
    hostile = explore.visa(pd.DataFrame({"Kommun": ["<b>x</b>", "=1+1"], "Värde": [1.25, None]}), "Test")
    assert "<b>x</b>" not in hostile._repr_html_() and "&lt;b&gt;x&lt;/b&gt;" in hostile._repr_html_()
    assert "1,25" in hostile._repr_html_() and "–" in repr(hostile)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_save_button_writes_the_lan_table(example_ds, tmp_path, fmt):
    u = Utforskare(example_ds, lan="08", omrade="missbruk", exportmapp=tmp_path)
    u.format.value = fmt
    u.spara_knapp.click()
    assert u.sparad is not None and u.sparad.parent == tmp_path and u.sparad.suffix == f".{fmt}"
    assert u.sparad.name.startswith("oj_08_missbruk_") and "Sparad" in u.meddelande.value
    kalmar = set(geo.kommuner().query("lan_kod == '08'").kommun_namn)
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(u.sparad)
        cells = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    else:
        cells = set(pd.read_csv(u.sparad, sep=";", dtype=str).stack())
    assert kalmar <= cells


def test_save_into_an_impossible_place_says_so(example_ds, tmp_path):
    blocker = tmp_path / "fil"
    blocker.write_text("x")
    u = Utforskare(example_ds, exportmapp=blocker / "under")
    u.spara_knapp.click()  # a click never raises into the log console
    assert u.sparad is None and "Kunde inte spara" in u.meddelande.value
    with pytest.raises(OjError, match="Kunde inte spara"):
        u.spara()


def test_not_live_outside_a_frontend():
    assert explore.live_frontend() is False


def _execute(path: Path, home: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    old = os.environ.get("OJLIB_HOME")
    os.environ["OJLIB_HOME"] = str(home)  # the kernel inherits it
    try:
        NotebookClient(nb, kernel_name="ojlib", timeout=600, resources={"metadata": {"path": str(path.parent)}}
                       ).execute()
    finally:
        if old is None:
            os.environ.pop("OJLIB_HOME", None)
        else:
            os.environ["OJLIB_HOME"] = old
    return nb


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_executed_explorer_notebook_shows_figures_and_a_hint(example_home):
    """As `make notebooks` runs it: no browser, so default figures and the hint, no widget line."""
    nb = _execute(ROOT / "notebooks" / "02_utforska.ipynb", example_home)
    outs = _outputs(nb)
    assert not [o for o in outs if o.output_type == "error"]
    figs = [o for o in outs if PLOTLY_MIME in o.get("data", {})]
    assert len(figs) == 3
    assert any("Placering i länet" in o.get("data", {}).get("text/html", "") for o in outs)
    for o in figs:
        layout = o["data"][PLOTLY_MIME]["layout"]
        assert "missbruk" in layout["title"]["text"] and layout["meta"]["exempeldata"] is True
    texts = json.dumps([o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outs], ensure_ascii=False)
    assert HINT in texts and "Jönköping" in texts
    assert "VBox(" not in texts and "widget-view" not in json.dumps(outs)
    assert "<b>" not in texts and "\\u00a0" not in texts and "\u00a0" not in texts


def test_executed_teaching_notebook_reads_like_the_product(example_home):
    nb = _execute(ROOT / "notebooks" / "01_introduktion.ipynb", example_home)
    outs = _outputs(nb)
    assert not [o for o in outs if o.output_type == "error"]
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outs)
    assert "värde_text" not in html and "76.92" not in html and "<th" in html
    assert "Placering i länet" in html and " %" in html
    figs = [o["data"][PLOTLY_MIME] for o in outs if PLOTLY_MIME in o.get("data", {})]
    assert figs and all("– missbruk" in f["layout"]["title"]["text"] for f in figs)
    # the bar chart shows the indicator the comparison table showed
    table_cell = next(c for c in nb.cells if "lan_lista(tabell" in c.source)
    figure_cell = next(c for c in nb.cells if "ranked_bars" in c.source and c.cell_type == "code")
    kpi = re.search(r'kpi="(\w+)"', table_cell.source).group(1)
    assert f'kpi="{kpi}"' in figure_cell.source
    assert "Brukarbedömning: få kontakt" in figs[0]["layout"]["title"]["text"]
