"""Hostile files against `oj importera` (issue 24): limits before reading, the whole plan checked
before writing, numbers and years range-checked where they enter, bounded sentences.

Every refusal keeps the promise of tests/test_hostile.py: exit code ≠ 0, one Swedish sentence (no
traceback, not the catch-all "oväntat fel"), and data/ and params/ byte-identical afterwards. The
files are built here by code. Cases that once took gigabytes run in a subprocess under an address
space limit (``resource.RLIMIT_AS``, MEMORY_CAP) and a time bound, so a regression fails the test
instead of the machine.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_hostile import assert_one_swedish_sentence, snapshot

from ojlib.cli import main
from ojlib.data.importer import grid
from ojlib.data.sources import files

MEMORY_CAP = 1 << 30  # bytes of address space for one `oj importera` (a normal run needs under 600 MB)
SECONDS = 60  # stated bound for a refusal in a subprocess (it takes 3–6 s; slack for a loaded machine)
HEADER = ["Kommun", "Handläggare med socionomexamen (U35548)"]  # an andel: any share 0–100


def _refused(capsys, home: Path, argv: list[str], *needles: str) -> str:
    before = snapshot(home / "data", home / "params")
    capsys.readouterr()
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc != 0, err
    line = assert_one_swedish_sentence(err, *needles)
    assert len(line) < 700, line  # one bounded sentence, whatever the file held
    assert snapshot(home / "data", home / "params") == before
    return line


def _limited(home: Path, args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`oj args` in a subprocess with at most MEMORY_CAP bytes of address space; (result, seconds)."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {k: v for k, v in os.environ.items() if not k.startswith("OJLIB_")}
    env["OJLIB_HOME"] = str(home)
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "ojlib.cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=SECONDS * 3, preexec_fn=cap)
    return r, time.monotonic() - start


def _refused_limited(home: Path, args: list[str], cwd: Path, *needles: str) -> str:
    before = snapshot(home / "data", home / "params")
    r, seconds = _limited(home, args, cwd)
    assert r.returncode != 0, (r.stdout, r.stderr)
    line = assert_one_swedish_sentence(r.stderr, *needles)
    assert "Minnet tog slut" not in line, line  # refused by the limit, not by running out of memory
    assert seconds < SECONDS, seconds
    assert snapshot(home / "data", home / "params") == before
    return line


def _table(ws, rows=(("Aneby", 71), ("Gnosjö", 64)), header=HEADER, top: int = 1) -> None:
    for j, h in enumerate(header, start=1):
        ws.cell(top, j, h)
    for i, row in enumerate(rows, start=top + 1):
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, v)


def _workbook(path: Path, fill=None, title: str = "Missbruk 2024", large: bool = False) -> Path:
    """The two-kommun table; ``large``: over ``grid.CALAMINE_FROM_BYTES`` (a second sheet of random text,
    no table), so that the workbook takes the scan-then-calamine way instead of the streaming reader."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    _table(ws)
    if fill:
        fill(ws)
    if large:
        filler = wb.create_sheet("Anteckningar")
        for i in range(1, 40_000):
            filler.cell(i, 1, os.urandom(24).hex())
    wb.save(path)
    assert (path.stat().st_size >= grid.CALAMINE_FROM_BYTES) == large
    return path


# ---------------------------------------------------------------- limits before reading

def test_ten_thousand_headers_write_nothing(ojhome, tmp_path, capsys):
    """Was: a 5.1 MB params/indikatorer_import.yml that then broke every command."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Missbruk 2024"
    ws.append(["Kommun", *[f"Fråga nummer {i} om samverkan" for i in range(10_000)]])
    ws.append(["Aneby", *[1] * 10_000])
    path = tmp_path / "rubriker.xlsx"
    wb.save(path)
    line = _refused_limited(ojhome, ["importera", str(path)], tmp_path, "fler kolumner med värden än de 2 000", "BXY")
    assert not (ojhome / "params" / "indikatorer_import.yml").exists(), line


def test_new_indicators_are_counted_before_anything_is_written(ojhome, tmp_path, capsys, monkeypatch):
    """Under the column limit but over the new-indicator limit: refused by the plan, nothing written."""
    from ojlib.data.importer import plan

    monkeypatch.setattr(plan, "MAX_NEW_INDICATORS", 20)
    header = ["Kommun", *[f"Egen fråga {i} om samverkan" for i in range(30)]]
    path = tmp_path / "nya.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Missbruk 2024"
    _table(wb.active, rows=[("Aneby", *[1] * 30)], header=header)
    wb.save(path)
    _refused(capsys, ojhome, ["importera", str(path)], "fler än 20 nya indikatorer", "inget sparades")
    monkeypatch.setattr(plan, "MAX_NEW_INDICATORS", 500)  # the same file under the real limit: imported
    assert main(["importera", str(path)]) == 0
    assert (ojhome / "params" / "indikatorer_import.yml").exists()


def test_the_indicator_file_is_checked_before_it_is_written(ojhome, tmp_path, capsys, monkeypatch):
    """The new params/indikatorer_import.yml is rendered and checked in memory; too big: nothing written."""
    path = tmp_path / "nya.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Missbruk 2024"
    _table(wb.active, rows=[("Aneby", 1, 0)], header=["Kommun", "Egen fråga A", "Egen fråga B"])
    wb.save(path)
    monkeypatch.setattr(files, "MAX_INDICATOR_FILE", 1_000)
    _refused(capsys, ojhome, ["importera", str(path)], "indikatorer_import.yml", "inget sparades")
    assert not (ojhome / "params" / "indikatorer_import.yml").exists()


@pytest.mark.parametrize("large", [False, True], ids=["strommande", "calamine"])
def test_one_cell_at_xfd1048576_is_refused_without_padding(ojhome, tmp_path, large):
    """Was: a 5 kB workbook that took over 5 GB in under two minutes and kept growing."""
    path = _workbook(tmp_path / "hornet.xlsx", lambda ws: ws.cell(1_048_576, 16_384, 1), large=large)
    assert large or path.stat().st_size < 10_000
    _refused_limited(ojhome, ["importera", str(path)], tmp_path, "XFD1048576", "1 048 576 rader")


def _patch_sheet(path: Path, change) -> Path:
    """Rewrite the first sheet's XML with ``change(text) -> text`` (what openpyxl cannot write cheaply)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"].decode()).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize("large", [False, True], ids=["strommande", "calamine"])
def test_a_merged_range_to_the_end_of_the_sheet_costs_nothing(ojhome, tmp_path, large):
    """Was: E10:XFD1048576 merged took over 5 GB. Merges are clipped to the used range; the table imports.
    (Written into the XML: openpyxl itself would make a cell object for each of the 17 billion cells.)"""
    path = _workbook(tmp_path / "sammanslagen.xlsx", lambda ws: ws.cell(10, 5, "Anteckning"), large=large)
    _patch_sheet(path, lambda x: x.replace("</sheetData>",
                                           '</sheetData><mergeCells count="1"><mergeCell ref="E10:XFD1048576"/>'
                                           "</mergeCells>"))
    assert b"XFD1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    r, seconds = _limited(ojhome, ["importera", str(path)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert seconds < SECONDS, seconds
    df = pd.read_parquet(ojhome / "data" / "processed" / "egen.parquet")
    assert sorted(zip(df.kod, df.varde, strict=True)) == [("0604", 71.0), ("0617", 64.0)]


def _bomb(path: Path, megabytes: int) -> Path:
    """A valid workbook plus one part of ``megabytes`` MB of zeros (deflated to about 1/1000)."""
    _workbook(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z, z.open("xl/media/fyllnad.bin", "w") as fh:
        chunk = bytes(1 << 20)
        for _ in range(megabytes):
            fh.write(chunk)
    return path


def test_a_zip_bomb_is_refused_from_the_zip_directory(ojhome, tmp_path):
    """Was: a 22 MB workbook that inflates to 5 GB took over 4 GB of memory."""
    path = _bomb(tmp_path / "bomb.xlsx", grid.MAX_UNPACKED // 1_000_000 + 20)
    assert path.stat().st_size < 2_000_000
    _refused_limited(ojhome, ["importera", str(path)], tmp_path, "packas upp till", "MB")


def test_limits_hold_for_csv_too(ojhome, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(grid, "MAX_CELLS", 1_000)
    f = tmp_path / "lang.csv"
    f.write_text("kpi,kod,ar,varde\n" + "U35519,0604,2024,1\n" * 300, encoding="utf-8")
    _refused(capsys, ojhome, ["importera", str(f)], "fler fält än de 1 000")
    monkeypatch.undo()
    wide = tmp_path / "bred.csv"
    wide.write_text(";".join(["Kommun", *[f"F{i}" for i in range(2_500)]]) + "\nAneby" + ";1" * 2_500 + "\n",
                    encoding="utf-8")
    _refused(capsys, ojhome, ["importera", str(wide)], "2 501 kolumner")


# ---------------------------------------------------------------- formulas without a saved value

def _with_formulas(path: Path, saved: bool, large: bool = False) -> Path:
    """Values as formulas (=70+1); ``saved`` adds the value Excel would store beside each formula."""
    def formulas(ws):
        ws["B2"], ws["B3"] = "=70+1", "=60+4"

    _workbook(path, formulas, large=large)
    if saved:
        _patch_sheet(path, lambda x: re.sub(r"<f>(\d+)\+(\d+)</f>(<v\s*/>|<v></v>)?",
                                            lambda m: f"<f>{m[1]}+{m[2]}</f><v>{int(m[1]) + int(m[2])}</v>", x))
    return path


@pytest.mark.parametrize("large", [False, True], ids=["strommande", "calamine"])
def test_formulas_without_a_saved_value_do_not_replace_values(ojhome, tmp_path, capsys, large):
    """Was: 4 own values replaced by "saknas", exit 0, no warning."""
    first = _workbook(tmp_path / "forst.xlsx")
    assert main(["importera", str(first)]) == 0
    bad = _with_formulas(tmp_path / "formler.xlsx", saved=False, large=large)
    _refused(capsys, ojhome, ["importera", str(bad)], "formelceller utan sparat värde", "B2", "spara den igen")
    capsys.readouterr()
    assert main(["importera", str(bad), "--visa"]) == 1  # --visa shows it and exits 1: the import would be refused
    assert "formelceller utan sparat värde" in capsys.readouterr().out
    good = _with_formulas(tmp_path / "formler_sparade.xlsx", saved=True, large=large)
    assert main(["importera", str(good)]) == 0
    df = pd.read_parquet(ojhome / "data" / "processed" / "egen.parquet")
    assert sorted(zip(df.kod, df.varde, strict=True)) == [("0604", 71.0), ("0617", 64.0)]


# ---------------------------------------------------------------- numbers and years at the boundary

@pytest.mark.parametrize("ar", ["99999999999999999999999", "-3000", "5000", "1989"])
def test_years_outside_the_range_are_refused(ojhome, tmp_path, capsys, ar):
    """Was: accepted (99999999999999999999999 stored as -2147483648)."""
    f = tmp_path / "egen.csv"
    f.write_text(f"kpi,kod,ar,varde\nU35519,0604,2024,1\nU35519,0617,{ar},2\n", encoding="utf-8")
    _refused(capsys, ojhome, ["importera", str(f)], "rad 3", "årtal mellan 1990 och 2100")


def test_a_year_column_outside_the_range_is_refused(ojhome, tmp_path, capsys):
    path = tmp_path / "ar.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Missbruk"
    _table(wb.active, rows=(("Aneby", 2024, 71), ("Gnosjö", 5000, 64)), header=["Kommun", "År", HEADER[1]])
    wb.save(path)
    _refused(capsys, ojhome, ["importera", str(path)], "rad 3", "årtal mellan 1990 och 2100")


@pytest.mark.parametrize("number", ["1.7E308", "9" * 400, "-2E15"])
def test_huge_numbers_in_a_workbook_are_refused(ojhome, tmp_path, capsys, number):
    """Was: "Ett oväntat fel" (1.7e308, then 300-digit labels; a 400-digit cell overflowed).
    The number is written into the XML as Excel stores it (openpyxl cannot write a 400-digit one)."""
    path = _patch_sheet(_workbook(tmp_path / "stor.xlsx"), lambda x: x.replace("<v>64</v>", f"<v>{number}</v>"))
    line = _refused(capsys, ojhome, ["importera", str(path)], "rad 3, kolumn B", "orimligt stort")
    assert "9" * 50 not in line


def test_huge_numbers_in_a_csv_are_refused(ojhome, tmp_path, capsys):
    f = tmp_path / "egen.csv"
    f.write_text("kpi,kod,ar,varde,antal\nU35519,0604,2024,1,3\nU35519,0617,2024," + "9" * 400 + ",3\n",
                 encoding="utf-8")
    line = _refused(capsys, ojhome, ["importera", str(f)], "rad 3", "orimligt stort")
    assert "9" * 50 not in line
    f.write_text("kpi,kod,ar,varde,antal\nU35519,0604,2024,1,3\nU35519,0617,2024,2," + "9" * 26 + "\n",
                 encoding="utf-8")
    _refused(capsys, ojhome, ["importera", str(f)], "rad 3", "antalet", "orimligt stort")
    f.write_text("kpi,kod,ar,varde,antal\nU35519,0604,2024,1,3\nU35519,0617,2024,1000000000000000,3\n",
                 encoding="utf-8")
    assert main(["importera", str(f)]) == 0  # 10^15 itself is allowed
    df = pd.read_parquet(ojhome / "data" / "processed" / "egen.parquet")
    assert df.varde.max() == 1e15 and df.antal.tolist() == [3, 3]


def test_a_huge_csv_field_is_one_sentence(ojhome, tmp_path, capsys):
    """Was: "Ett oväntat fel" (the csv module's field limit)."""
    f = tmp_path / "egen.csv"
    f.write_text("kpi,kod,ar,varde\nU35519,0604,2024,1\nU35519,0617,2024," + "x" * 200_000 + "\n", encoding="utf-8")
    _refused(capsys, ojhome, ["importera", str(f)], "rad 3", "10 000 tecken")


def test_an_unclosed_quote_is_one_short_sentence(ojhome, tmp_path, capsys):
    """Was: an error of 1 001 lines (the field ran to the end of the file and was quoted whole)."""
    f = tmp_path / "egen.csv"
    rows = "".join(f"U35519,{kod},2024,{n}\n" for n, kod in enumerate(["0604", "0617"] * 500))
    f.write_text('kpi,kod,ar,varde\nU35519,0604,2024,"1\n' + rows, encoding="utf-8")
    line = _refused(capsys, ojhome, ["importera", str(f)], "rad 2", "citattecken")
    assert line.count("U35519") <= 1


def test_long_texts_are_quoted_bounded(ojhome, tmp_path, capsys):
    f = tmp_path / "egen.csv"
    f.write_text("kpi,kod,ar,varde\nU35519,0604,2024,1\nU35519,0617,2024," + "många " * 1_500 + "\n",
                 encoding="utf-8")
    line = _refused(capsys, ojhome, ["importera", str(f)], "rad 3", "tecken)")
    assert line.count("många") < 20


# ---------------------------------------------------------------- --visa stays linear

def test_visa_with_repeated_keys_and_unknown_ids_is_fast(ojhome, tmp_path, capsys):
    """Was quadratic: 30 000 repeated keys took 93 s. Stated bound: 30 s for both files together."""
    rep = tmp_path / "upprepad.csv"
    rep.write_text("kpi,kod,ar,varde\n" + "U35519,0604,2024,1\n" * 30_000, encoding="utf-8")
    unknown = tmp_path / "okanda.csv"
    unknown.write_text("kpi,kod,ar,varde\n" + "".join(f"X{i},0604,2024,1\n" for i in range(15_000)),
                       encoding="utf-8")
    capsys.readouterr()
    start = time.monotonic()
    assert main(["importera", str(rep), "--visa"]) == 0
    assert main(["importera", str(unknown), "--visa"]) == 0
    seconds = time.monotonic() - start
    out = capsys.readouterr().out
    assert seconds < 30, seconds
    assert "Skulle läsas in: 1 rader" in out and "Skulle läsas in: 15000 rader" in out
    assert "… och 14800 kolumner till" in out and len(out.splitlines()) < 500


# ---------------------------------------------------------------- wording

def test_corrupt_own_data_advises_ersatt(ojhome, tmp_path, capsys):
    """Was: "kör `oj importera FIL`", which failed the same way for ever."""
    f = tmp_path / "egen.csv"
    f.write_text("kpi,kod,ar,varde\nU35519,0604,2024,1\n", encoding="utf-8")
    assert main(["importera", str(f)]) == 0
    (ojhome / "data" / "processed" / "egen.parquet").write_bytes(b"inte parquet")
    _refused(capsys, ojhome, ["importera", str(f)], "--ersatt")
    _refused(capsys, ojhome, ["export", "--lan", "06", "--omrade", "missbruk", "--datakalla", "egen"], "--ersatt")
    assert main(["importera", str(f), "--ersatt"]) == 0
    df = pd.read_parquet(ojhome / "data" / "processed" / "egen.parquet")
    assert df.varde.tolist() == [1.0]
