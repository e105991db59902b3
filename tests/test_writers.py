"""ojlib.render.writers: text from data never becomes a formula in any sheet or CSV; numbers stay numbers;
the .xlsx is set up for printing."""

from __future__ import annotations

import csv
import re

import pytest
from openpyxl import load_workbook

from ojlib.analysis import colours
from ojlib.render import writers

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
        # fit to the page width; the long table (40+ columns) to at most three pages across, Översikt to as
        # many as keep its text readable (27 indicators: four), the kommun column repeated on each
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == (
            {"Tabell": 3, "Översikt": 4}.get(ws.title, 1))
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows and ws.auto_filter.ref
    ws = wb["Översikt"]
    head = int(ws.print_title_rows.split(":")[0].lstrip("$"))
    for cell in ws[head][1:]:
        width = ws.column_dimensions[cell.column_letter].width
        assert max(len(w) for w in cell.value.split()) <= width - 1, (cell.value, width)
    assert ws.row_dimensions[head].height >= 15
    assert ws.column_dimensions["A"].width >= 16


def test_libreoffice_prints_the_overview_readably_on_a4_landscape(example_ds, tmp_path):
    """A real office suite reads the .xlsx: Översikt prints on A4 landscape at least 8 pt, as many pages
    across as that takes (fitted to one page, 27 indicators printed at 3 pt), every page with the kommun
    column and the header row, every header word whole; the whole file a couple of dozen pages (it was
    60); page images saved in test-artifacts/."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    calc = Path("/usr/lib/libreoffice/program/scalc").exists() or shutil.which("localc")
    if soffice is None or not calc:
        if os.environ.get("OJLIB_KRAV_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice Calc saknas; installera Debian-paketet libreoffice-calc.")
        pytest.skip("LibreOffice Calc saknas; .ci/run installerar libreoffice-calc")
    t = colours.coloured_lan_table(example_ds, "06", "missbruk")
    path = writers.to_excel(t, tmp_path / "oj_06_missbruk.xlsx", example_ds.cat)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=240, capture_output=True)
    pdf = path.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    assert float(size[2]) > float(size[4]) and "A4" in info  # landscape A4
    assert pages <= 24, pages
    across = load_workbook(path)["Översikt"].page_setup.fitToWidth
    assert across >= 2  # 27 indicators do not fit one page width at a readable size

    def page(n: int) -> str:
        return subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout

    overview = [page(n) for n in range(1, across + 1)]
    assert "Öppna jämförelser" in overview[0] and "Riket" not in page(across + 1).split("\n")[0]
    for text in overview:  # the kommun column and Länet/Riket on every page across
        assert all(k in text for k in t.drop_duplicates("kommunkod").kommun) and "Riket" in text
    tokens = set(" ".join(overview).split())
    headers = t.drop_duplicates("kpi").apply(lambda r: f"{r.indikator} ({r['år']})", axis=1)
    for header in headers:  # every header word printed whole (no break mid-word)
        for word in header.split():
            assert word in tokens, (word, header)
    xml = subprocess.run(["pdftohtml", "-f", "1", "-l", str(across), "-xml", "-i", "-stdout", "-zoom", "1", str(pdf)],
                         check=True, capture_output=True, text=True).stdout
    sizes = [float(x) for x in re.findall(r'<fontspec id="\d+" size="([\d.]+)"', xml)]
    assert sizes and min(sizes) >= 8, sizes  # pt at zoom 1
    artifacts = Path(__file__).resolve().parents[1] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    stem = artifacts / "export-xlsx-oversikt"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True, timeout=120)
    assert stem.with_suffix(".png").stat().st_size > 10_000
