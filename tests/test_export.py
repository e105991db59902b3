"""`oj export` and the HTML overview: the .xlsx is reopened and checked; errors write nothing."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import colours
from ojlib.cli import main
from ojlib.render import tables


def _find(ws, value):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in sheet {ws.title}")


def _text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_oj_export_writes_an_xlsx_with_values_fills_and_explanation(example_ds, tmp_path, capsys):
    out = tmp_path / "jonkoping.xlsx"
    assert main(["export", "--lan", "06", "--omrade", "missbruk", "--ut", str(out)]) == 0
    assert "sparad i" in capsys.readouterr().out
    expected = colours.coloured_lan_table(example_ds, "06", "missbruk")
    wb = load_workbook(out)
    assert wb.sheetnames == ["Översikt", "Tabell", "Förklaring"]

    ws = wb["Översikt"]
    assert ws["A2"].value == EXEMPELDATA_MARK
    head = _find(ws, "Kommun")
    headers = {ws.cell(row=head.row, column=c).value: c for c in range(2, ws.max_column + 1)}
    rows = {ws.cell(row=r, column=1).value: r for r in range(head.row + 1, head.row + 16)}
    assert list(rows)[:13] == list(expected.drop_duplicates("kommunkod").kommun)
    assert list(rows)[13:] == ["Länet", "Riket"]
    for kpi in ("U35538", "U35519", "N35001"):
        e = expected[expected.kpi == kpi]
        col = headers[f"{e.iloc[0].indikator} ({e.iloc[0]['år']})"]
        for r in e.itertuples():
            cell = ws.cell(row=rows[r.kommun], column=col)
            if pd.isna(r.värde):
                assert cell.value == r.värde_text          # the reason: "bortfall", "sekretess"
            elif r.typ == "ja_nej":
                assert cell.value == r.värde_text          # "Ja" / "Nej"
            else:
                assert cell.value == pytest.approx(r.värde)
            assert cell.fill.fgColor.rgb == "FF" + r.färg.lstrip("#")
        assert ws.cell(row=rows["Riket"], column=col).value == pytest.approx(e.iloc[0].riket, abs=0.005)
    green = [c for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == "FF63BE7B"]
    grey = [c for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == "FFD9D9D9"]
    assert green and grey and all(isinstance(c.value, str) for c in grey)
    assert colours.FORKLARING in _text(ws)

    wt = wb["Tabell"]
    header = [c.value for c in wt[1]]
    assert header[:3] == ["kpi", "indikator", "område"] and "färgklass" in header and "länet_avser" in header
    assert wt.max_row == len(expected) + 1

    we = wb["Förklaring"]
    text = _text(we)
    assert EXEMPELDATA_MARK in text and colours.FORKLARING in text
    assert "Kvartilgränser som i Kolada" in text and "ovägt medel" in text and "Rangordning" in text
    for kpi in expected.kpi.unique():
        assert kpi in text
    legend = _find(we, "Värde ≥ 75:e percentilen")
    assert legend.fill.fgColor.rgb == "FF63BE7B"
    assert "Titel i Kolada" in text and "Beskrivning" in text


def test_oj_export_csv_with_colour_blind_palette(example_ds, tmp_path):
    out = tmp_path / "t.csv"
    assert main(["export", "--lan", "6", "--omrade", "barn_och_unga", "--format", "csv", "--palett", "fargblind",
                 "--fargstrategi", "rang_tertil", "--ut", str(out)]) == 0
    df = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"kommunkod": str, "länskod": str})
    assert set(df["länskod"]) == {"06"} and df.kommunkod.nunique() == 13
    assert set(df["färg"]) <= set(colours.PALETTER["fargblind"].values())
    assert "Värde ≥ 66,7:e percentilen" in set(df["färgklass"])
    assert set(df["färgförklaring"]) == {colours.FORKLARING}


@pytest.mark.parametrize(("args", "message"), [
    (["--lan", "99", "--omrade", "missbruk"], "Okänd länskod '99'"),
    (["--lan", "06", "--omrade", "missbrk"], "Okänt område 'missbrk'"),
    (["--lan", "06", "--omrade", "missbruk", "--ar", "2012"], "inga värden för år 2012"),
    (["--lan", "06", "--omrade", "missbruk", "--ar", "tjugo"], "inte ett årtal"),
    (["--lan", "06", "--omrade", "missbruk", "--fargstrategi", "kvartil"], "Okänd färgstrategi"),
    (["--lan", "06", "--omrade", "missbruk", "--format", "pdf"], "Okänt format"),
    (["--lan", "06", "--omrade", "missbruk", "--datakalla", "kolada"], "ingen data från kolada"),
])
def test_oj_export_errors_are_one_swedish_sentence_and_write_nothing(example_ds, tmp_path, capsys, args, message):
    out = tmp_path / "fel.xlsx"
    assert main(["export", *args, "--ut", str(out)]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("Fel: ") and message in err and "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_overview_html_is_escaped_and_carries_its_notes(example_ds):
    t = colours.coloured_lan_table(example_ds, "06", "missbruk")
    t.loc[t.kommunkod == "0604", "kommun"] = "<script>alert(1)</script>"
    page = tables.overview(t)
    html = page._repr_html_()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert colours.FORKLARING in html and EXEMPELDATA_MARK in html
    assert "background-color: #63BE7B" in html and "Länet" in html and "Riket" in html
    assert tables.overview(t).html == html  # ids derived from the content: stable notebook output
    assert re.search(r'id="T_ojoversikt_[0-9a-f]{10}"', html)
    # another table on the same page gets other ids, so its cell colours cannot paint this one's
    other = tables.overview(t[t.kpi != t.kpi.iloc[0]])._repr_html_()
    assert set(re.findall(r'id="(T_[^"]+)"', html)).isdisjoint(re.findall(r'id="(T_[^"]+)"', other))
