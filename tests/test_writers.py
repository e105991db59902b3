"""ojlib.writers: text from data never becomes a formula in any sheet or CSV; numbers stay numbers;
the .xlsx is set up for printing."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from ojlib import colours, writers

HOSTILE = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)",
           " =1+1", "\t=1", "\uff1d1+1"]
FORMULA_START = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_text_neutralises_formulas(text):
    assert writers.safe_text(text).startswith("'")


@pytest.mark.parametrize("text", ["Aneby", "-3,2\u00a0%", "-12\u00a0345\u00a0kr", "-1,5 dagar", "–", "Ja"])
def test_safe_text_leaves_ordinary_text(text):
    assert writers.safe_text(text) == text


def hostile_table(example_ds):
    t = colours.coloured_lan_table(example_ds, "06", "missbruk")
    t.loc[t.kommunkod == "0604", "kommun"] = HOSTILE[0]
    t.loc[t.kommunkod == "0617", "kommun"] = HOSTILE[1]
    t.loc[t.kpi == t.kpi.iloc[0], "indikator"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    t["status"] = t["status"].astype(object)
    t.loc[t.index[:5], "status"] = "+HYPERLINK(\"http://x\")"
    num = t.typ.isin(["andel", "antal", "kr_per_inv"]) & t.värde.notna()
    first = t.index[num][:3]
    t.loc[first, "värde"] = -t.loc[first, "värde"] - 1
    return t, first


def text_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                yield ws.title, cell


def test_xlsx_and_csv_hold_no_formula_and_keep_negative_numbers(example_ds, tmp_path):
    t, negative_rows = hostile_table(example_ds)
    xlsx = writers.to_excel(t, tmp_path / "t.xlsx", example_ds.cat)
    wb = load_workbook(xlsx)
    seen = set()
    for sheet, cell in text_cells(wb):
        assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not cell.value.startswith(FORMULA_START), (sheet, cell.coordinate, cell.value)
            if "HYPERLINK" in cell.value or "calc" in cell.value:
                seen.add(sheet)
    assert seen == {"Översikt", "Tabell", "Förklaring"}
    wt = wb["Tabell"]
    header = [c.value for c in wt[1]]
    vcol = header.index("värde")
    values = [r[vcol].value for r in wt.iter_rows(min_row=2)]
    negatives = [v for v in values if isinstance(v, (int, float)) and v < 0]
    assert len(negatives) == 3 and all(isinstance(v, float) for v in negatives)

    path = writers.to_csv(t, tmp_path / "t.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert len(rows) == len(t) + 1
    for row in rows:
        for field in row:
            assert not field.startswith(FORMULA_START) or writers.PLAIN_NEGATIVE.fullmatch(field), field
    vcol = rows[0].index("värde")
    csv_values = [r[vcol] for r in rows[1:]]
    assert sum(v.startswith("-") for v in csv_values) == 3
    for v in csv_values:
        if v:
            float(v.replace(",", "."))  # a number, decimal comma


def test_xlsx_print_setup(example_ds, tmp_path):
    t = colours.coloured_lan_table(example_ds, "06", "missbruk")
    wb = load_workbook(writers.to_excel(t, tmp_path / "p.xlsx", example_ds.cat))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4)
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows and ws.auto_filter.ref
    ws = wb["Översikt"]
    head = int(ws.print_title_rows.split(":")[0].lstrip("$"))
    for cell in ws[head][1:]:
        width = ws.column_dimensions[cell.column_letter].width
        assert max(len(w) for w in cell.value.split()) <= width - 1, (cell.value, width)
    assert ws.row_dimensions[head].height >= 15
    assert ws.column_dimensions["A"].width >= 16
