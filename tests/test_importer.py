"""`oj importera`: workbooks of four generated layouts, Swedish CSV, round trip, refusals, --visa."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import workbooks as wb

from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.data import catalog, dataset
from ojlib.data.importer import cells, plan, units
from ojlib.data.sources import files


def _values(df: pd.DataFrame) -> dict:
    """(kpi, kod, ar, kon) -> (varde or None, status)."""
    return {(r.kpi, r.kod, int(r.ar), r.kon): (None if pd.isna(r.varde) else float(r.varde),
                                               None if pd.isna(r.status) else r.status)
            for r in df.itertuples()}


def _snapshot(home: Path) -> dict:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


# ---- cells and units ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw,kind,value,status", [
    ("45,5", "number", 45.5, None), ("1\u00a0234,5", "number", 1234.5, None), ("2 345", "number", 2345.0, None),
    ("12 %", "number", 12.0, None), ("12,5%", "number", 12.5, None), (7, "number", 7.0, None),
    ("Ja*", "label", None, None), ("nej¹", "label", None, None), ("DELVIS", "label", None, None),
    ("-", "missing", None, "bortfall"), ("\u2013", "missing", None, "bortfall"), ("..", "missing", None, "sekretess"),
    (".", "missing", None, "ej_tillampligt"), ("X", "missing", None, "sekretess"), (None, "missing", None, "saknas"),
    ("  ", "missing", None, "saknas"), ("Uppgift saknas", "missing", None, "saknas"),
    ("inf", "error", None, None), ("Infinity", "error", None, None), ("1e400", "error", None, None),
    (float("inf"), "error", None, None), ("12,3,4", "error", None, None), ("?", "error", None, None),
])
def test_cells(raw, kind, value, status):
    c = cells.parse_cell(raw)
    assert (c.kind, c.varde, c.status) == (kind, value, status)


def test_percent_formatted_excel_cell_is_a_percentage():
    assert cells.parse_cell(0.125, percent_format=True).varde == 12.5


@pytest.mark.parametrize("code,name,niva,kod", [
    (None, "Riket", "riket", "0000"), (None, "Hela riket", "riket", "0000"), ("00", None, "riket", "0000"),
    ("0000", None, "riket", "0000"), ("06", None, "lan", "0006"), ("0006", None, "lan", "0006"),
    (6, None, "lan", "0006"), (None, "JÖNKÖPINGS LÄN", "lan", "0006"), (None, "Region Stockholm", "lan", "0001"),
    ("0680", None, "kommun", "0680"), (680, None, "kommun", "0680"), (180.0, None, "kommun", "0180"),
    (None, "Stockholms stad", "kommun", "0180"), (None, "Göteborgs stad", "kommun", "1480"),
    (None, "Region Gotland", "kommun", "0980"), (None, "Malung Sälen", "kommun", "2023"),
    (None, "malung-sälen", "kommun", "2023"), (None, "Upplands-Väsby", "kommun", "0114"),
    (None, "Borås stad", "kommun", "1490"),
    (None, "Stockholm – Rinkeby-Kista", "stadsdel", "018001"), (None, "Göteborg, Nordost", "stadsdel", "148001"),
    ("0180", "Stockholm – Bromma", "stadsdel", "018004"),
    (None, "Göteborgs stad - Socialförvaltning Centrum", "stadsdel", "148002"),
    (None, "Jönköping, enskild regi", "regi", "0680"), (None, "Jönköping (offentlig regi)", "regi", "0680"),
    (None, "Summa Jönköpings län", "lan", "0006"),
    (None, "Atlantis", "okand", None), (None, "Stockholm – Atlantis", "okand", None),
    ("0180", "Stockholm – Atlantis", "okand", None), ("0680", "Gislaved", "okand", None), ("99", None, "okand", None),
])
def test_units(code, name, niva, kod):
    u = units.recognise(code=code, name=name, year=2025)
    assert (u.niva, u.kod) == (niva, kod)


def test_stadsdel_name_used_by_two_units_is_decided_by_year():
    assert units.recognise(name="Göteborg – Centrum", year=2019).kod == "148014"
    assert units.recognise(name="Göteborg – Centrum", year=2022).kod == "148002"


# ---- the four layouts --------------------------------------------------------------------------

def test_layout_a_titles_merged_group_and_unit_rows_stadsdelar_and_footnotes(ojhome, tmp_path):
    p = plan.build(wb.layout_a(tmp_path / "oj_missbruk.xlsx"))
    assert not p.errors and plan.refusal(p) is None
    info, sheet = p.sheets
    assert info.reason and "inga rader" in info.reason  # a text sheet is named, not silently dropped
    assert sheet.header_rows == [13, 14, 15] and sheet.year == 2025
    assert dict(sheet.counts) == {"riket": 1, "lan": 1, "kommun": 5, "stadsdel": 3}
    assert len(sheet.table.text_rows) == 3  # footnotes and source below the table
    by_col = {c.letter: c for c in sheet.columns}
    assert {k: by_col[k].match.kpi for k in by_col} == wb.A_KPI
    assert by_col["C"].group == "Helhetssyn och samordning" and by_col["D"].group == "Helhetssyn och samordning"
    assert by_col["F"].unit == "Andel (%)"
    assert by_col["D"].match.ny and by_col["D"].match.typ == "ja_nej"
    assert by_col["H"].match.typ == "skala" and by_col["H"].match.nivaer == {0: "Nej", 1: "Delvis", 2: "Ja"}
    v = _values(p.frame)
    assert set(p.frame.kod) == set(wb.A_UNITS)  # nothing invented
    assert len(p.frame) == len(wb.A_UNITS) * 6
    k = "U35513"
    assert v[(k, "0000", 2025, "T")] == (65.0, "andel_ja") and v[(k, "0006", 2025, "T")] == (84.6, "andel_ja")
    assert v[(k, "0680", 2025, "T")] == (1.0, None) and v[(k, "0604", 2025, "T")] == (0.0, None)
    assert v[(k, "0617", 2025, "T")] == (None, "bortfall")
    # Stockholm's own row and its stadsdelar are separate units with their own values
    assert v[(k, "0180", 2025, "T")] == (1.0, None)
    assert v[(k, "018001", 2025, "T")] == (0.0, None) and v[(k, "018008", 2025, "T")] == (1.0, None)
    assert v[(k, "1480", 2025, "T")] == (0.0, None) and v[(k, "148001", 2025, "T")] == (1.0, None)
    d = wb.A_KPI["D"]
    assert v[(d, "0000", 2025, "T")] == (42.0, "andel_ja")  # 0.42 formatted as % in Excel
    assert v[(d, "0680", 2025, "T")] == (0.0, None)  # "Nej*"
    assert v[(d, "0617", 2025, "T")] == (None, "sekretess")  # "X"
    e = "U35519"
    assert v[(e, "0006", 2025, "T")] == (None, "sekretess") and v[(e, "0617", 2025, "T")] == (None, "saknas")
    assert v[("U35548", "0680", 2025, "T")] == (81.2, None)
    assert v[("U35548", "0617", 2025, "T")] == (None, "ej_tillampligt")
    g = "U35537"  # scale labels read through the catalogue's levels
    assert [v[(g, kod, 2025, "T")][0] for kod in ("0680", "0604", "0180", "018008")] == [3.0, 2.0, 1.0, 0.0]
    assert v[(g, "0617", 2025, "T")] == (None, "saknas")
    h = wb.A_KPI["H"]
    assert [v[(h, kod, 2025, "T")][0] for kod in ("0680", "0604", "0617")] == [1.0, 2.0, 0.0]
    assert p.frame.loc[p.frame.kod.str.len() == 6, "niva"].eq("stadsdel").all()


def test_layout_b_names_only_headings_subtotal_regi_and_unknown_rows(ojhome, tmp_path):
    p = plan.build(wb.layout_b(tmp_path / "resultat.xlsx"))
    assert not p.errors
    (sheet,) = p.sheets
    assert sheet.year == 2024 and "bladnamnet" in sheet.year_from
    assert dict(sheet.counts) == {"riket": 1, "lan": 1, "kommun": 5, "stadsdel": 2, "regi": 1}
    assert len(sheet.table.heading_rows) == 3
    assert sheet.not_understood == ["rad 18: Atlantis (okänt namn)", "rad 19: Medelvärde (okänt namn)"]
    kpis = [c.match.kpi for c in sheet.columns]
    assert kpis[:2] == ["U35519", "U35538"] and [c.match.how for c in sheet.columns[:2]] == ["namn", "titel"]
    assert [c.match.typ for c in sheet.columns[2:]] == ["antal", "andel"]
    v = _values(p.frame)
    assert set(p.frame.kod) == set(wb.B_EXPECTED)  # no regi row, no Atlantis, no heading
    for kod, expected in wb.B_EXPECTED.items():
        assert tuple(v[(k, kod, 2024, "T")][0] for k in kpis) == expected, kod
    assert v[("U35519", "0000", 2024, "T")] == (65.0, "andel_ja")
    assert v[(kpis[3], "0114", 2024, "T")] == (None, "saknas")
    assert v[(kpis[2], "0980", 2024, "T")] == (None, "bortfall") and v[(kpis[3], "0980", 2024, "T")][1] == "sekretess"


def test_layout_c_numeric_codes_two_row_header_id_in_header_year_from_file_name(ojhome, tmp_path):
    p = plan.build(wb.layout_c(tmp_path / "oj_funktionsnedsattning_2023.xlsx"))
    assert not p.errors
    lss, enheter = p.sheets
    assert lss.header_rows == [5, 6] and (lss.year, lss.year_from) == (2023, "filnamnet")
    assert enheter.reason.endswith("bladet har tal men lästes inte in")  # a data sheet is never skipped silently
    assert [(c.match.kpi, c.match.how) for c in lss.columns[:2]] == [("U28500", "id"), ("U28563", "titel")]
    new = lss.columns[2].match
    assert new.ny and new.typ == "andel" and new.omrade == "funktionsnedsattning"
    v = _values(p.frame)
    assert set(p.frame.kod) == {"0000", "0006", "0680", "0604", "0180", "1480"}
    assert [v[("U28500", k, 2023, "T")][0] for k in ("0000", "0006", "0680", "0604", "0180", "1480")] == \
        [61.0, 76.9, 1.0, 0.0, 1.0, 0.0]
    assert v[("U28563", "0180", 2023, "T")] == (85.25, None) and v[("U28563", "0604", 2023, "T")] == (None, "sekretess")
    assert v[(new.kpi, "1480", 2023, "T")] == (None, "ej_tillampligt")
    assert p.new_entries[0]["omrade"] == "funktionsnedsattning"
    assert p.new_entries[0]["kvalitetsomrade"] == "brukarbedomning"


def test_layout_d_years_and_sex_per_row_repeated_header_and_named_sheet(ojhome, tmp_path):
    path = wb.layout_d(tmp_path / "barn.xlsx")
    p = plan.build(path, blad=["Data"])
    assert [s.name for s in p.sheets] == ["Data"]
    v = _values(p.frame)
    k = "U33575"
    assert v == {(k, "148014", 2019, "T"): (70.5, None), (k, "148014", 2019, "K"): (72.0, None),
                 (k, "148014", 2019, "M"): (69.0, None), (k, "148002", 2022, "T"): (74.0, None),
                 (k, "148004", 2022, "T"): (71.5, None), (k, "1480", 2022, "T"): (73.0, None)}
    with pytest.raises(OjError, match="Bladet 'Saknas' finns inte i barn.xlsx; bladen heter Data, Anteckningar"):
        plan.build(path, blad=["Saknas"])
    assert [s.name for s in plan.build(path, blad="Data,Anteckningar").sheets] == ["Data", "Anteckningar"]


def test_a_sheet_name_with_commas_is_one_sheet(ojhome, tmp_path, capsys):
    path = wb.layout_a(tmp_path / "a.xlsx")
    assert main(["importera", str(path), "--blad", "Kommun, län, riket", "--visa"]) == 0
    out = capsys.readouterr().out
    assert "Blad: Kommun, län, riket" in out and "Blad: Information" not in out


def test_cell_errors_name_sheet_row_column_and_text(ojhome, tmp_path):
    path = wb.wide(tmp_path / "fel.xlsx", ["Kommun", "Stödprogram för närstående", "Handläggare med socionomexamen"],
                   [("Jönköping", "Kanske", "ungefär 5"), ("Aneby", "Ja", "1e400"), ("Gnosjö", "Delvis", "50")])
    p = plan.build(path)
    assert p.errors == [
        "blad Blad1, rad 4, kolumn B: svaret 'Kanske' passar inte indikatorn U35519 (nivåerna Ja, Nej)",
        "blad Blad1, rad 6, kolumn B: svaret 'Delvis' passar inte indikatorn U35519 (nivåerna Ja, Nej)",
        "blad Blad1, rad 4, kolumn C: texten 'ungefär 5' är inget tal och ingen symbol för saknat värde",
        "blad Blad1, rad 5, kolumn C: texten '1e400' är inget tal och ingen symbol för saknat värde",
    ]
    assert main(["importera", str(path)]) == 2
    assert not dataset.dataset_path("egen").exists()


def test_year_must_be_given_when_nowhere_to_be_found(ojhome, tmp_path, capsys):
    path = wb.wide(tmp_path / "utan_ar.xlsx", ["Kommun", "Stödprogram för närstående"], [("Aneby", "Ja")], title=None)
    assert main(["importera", str(path)]) == 2
    assert capsys.readouterr().err == ("Fel: Året går inte att läsa ut ur utan_ar.xlsx (inte i bladnamn, rubriker "
                                       "eller filnamn); ange det med --ar, t.ex. --ar 2025.\n")
    assert main(["importera", str(path), "--ar", "2024"]) == 0
    assert _values(dataset.load_dataset("egen").df) == {("U35519", "0604", 2024, "T"): (1.0, None)}


# ---- importing: adds by key, --ersatt, new indicators, refusals, --visa --------------------------

def test_import_adds_by_key_and_new_indicators_join_the_catalogue(ojhome, tmp_path):
    assert main(["importera", str(wb.layout_b(tmp_path / "b.xlsx"))]) == 0
    first = dataset.load_dataset("egen").df
    assert main(["importera", str(wb.layout_a(tmp_path / "a.xlsx"))]) == 0
    both = dataset.load_dataset("egen").df
    assert len(both) == len(first) + 60 and set(both.ar) == {2024, 2025}
    assert dataset.read_manifest("egen")["fil"] == "b.xlsx, a.xlsx"  # the credit line names both files
    cat = catalog.load_catalogue()
    assert "egen_samverkan_med_polisen_i_enskilda_arenden" in cat and "egen_antal_placerade_personer" in cat
    assert cat["egen_arbetar_med_brukarundersokning"].nivaer == {0: "Nej", 1: "Delvis", 2: "Ja"}
    assert cat["egen_samverkan_med_polisen_i_enskilda_arenden"].kvalitetsomrade == "helhetssyn"
    # a later file replaces the same keys and keeps the rest
    later = wb.wide(tmp_path / "rattelse_2024.xlsx", ["Kommun", "Stödprogram för närstående"],
                    [("Stockholms stad", "Nej")], title="Rättelse 2024")
    assert main(["importera", str(later)]) == 0
    after = _values(dataset.load_dataset("egen").df)
    assert after[("U35519", "0180", 2024, "T")] == (0.0, None)
    assert len(after) == len(both)
    # the new indicator matches itself the next time (no second copy)
    assert main(["importera", str(tmp_path / "b.xlsx")]) == 0
    assert sum(1 for i in catalog.load_catalogue() if i.kpi.startswith("egen_antal_placerade")) == 1
    assert main(["importera", str(later), "--ersatt"]) == 0
    assert _values(dataset.load_dataset("egen").df) == {("U35519", "0180", 2024, "T"): (0.0, None)}
    assert dataset.read_manifest("egen")["fil"] == "rattelse_2024.xlsx"


def test_visa_writes_nothing(ojhome, tmp_path, capsys):
    assert main(["importera", str(wb.layout_c(tmp_path / "c_2023.xlsx"))]) == 0
    path = wb.layout_a(tmp_path / "a.xlsx")
    before = _snapshot(ojhome)
    capsys.readouterr()
    assert main(["importera", str(path), "--visa"]) == 0
    out = capsys.readouterr().out
    assert _snapshot(ojhome) == before
    assert "rubrikrader: 13, 14, 15" in out and "1 riket, 1 län, 5 kommuner, 3 stadsdelar" in out
    assert "indikatorer: 4 kända, 2 nya" in out and "U35513 (via titel)" in out
    assert "'NEJ¹' 1" in out and "'X' 1" in out and "Inget har sparats (--visa)." in out
    artifacts = Path(__file__).resolve().parents[1] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "importera_visa_layout_a.txt").write_text(out, encoding="utf-8")  # what a user sees


@pytest.mark.parametrize("content", [
    "Kommun;Stödprogram för närstående;Handläggare med socionomexamen\n",  # header only
    "Kommun;Stödprogram för närstående\nAneby;\nGnosjö;-\n",  # nothing but missing values
    "Kommun;Stödprogram för närstående\nAtlantis;Ja\nLemuria;Nej\nMu;Ja\nAneby;Ja\n",  # mostly rows not understood
    "kpi;kod;ar;varde\n",  # tidy, header only
    "",  # empty file
])
def test_unreadable_files_are_refused_and_earlier_data_stays_byte_identical(ojhome, tmp_path, capsys, content):
    assert main(["importera", str(wb.layout_b(tmp_path / "b.xlsx"))]) == 0
    before = _snapshot(ojhome)
    bad = tmp_path / "fel_2025.csv"
    bad.write_text(content, encoding="utf-8")
    assert main(["importera", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fel: Filen fel_2025.csv") and err.count("\n") == 1
    assert _snapshot(ojhome) == before


def test_all_unparseable_values_are_refused(ojhome, tmp_path, capsys):
    assert main(["importera", str(wb.layout_b(tmp_path / "b.xlsx"))]) == 0
    before = _snapshot(ojhome)
    bad = tmp_path / "skrap_2025.csv"
    bad.write_text("Kommun;Handläggare med socionomexamen\nAneby;mycket\nGnosjö;lite\n", encoding="utf-8")
    assert main(["importera", str(bad)]) == 2
    assert "rad 2, kolumn B: texten 'mycket'" in capsys.readouterr().err
    assert _snapshot(ojhome) == before


# ---- CSV dialects, tidy files and the export round trip ------------------------------------------

SWEDISH_CSV = ("Öppna jämförelser 2025\n\nKommun;Kod;Stödprogram för närstående;Handläggare med socionomexamen;"
               "Antal ärenden\nJönköping;0680;Ja;81,5;1 234\nGöteborg, Nordost;;Nej;66,7;\u00a0987\n"
               "Riket;0000;64,5%;77,25;..\n")
CSV_EXPECTED = {("U35519", "0680"): 1.0, ("U35548", "0680"): 81.5, ("U35519", "148001"): 0.0,
                ("U35548", "148001"): 66.7, ("U35519", "0000"): 64.5, ("U35548", "0000"): 77.25}


def _comma_separated(text: str) -> str:
    """The same file as Excel writes it with ',' as separator: fields with a comma are quoted."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", lineterminator="\n")
    for line in text.splitlines():
        writer.writerow(line.split(";") if line else [])
    return out.getvalue()


@pytest.mark.parametrize("encoding,sep", [("utf-8-sig", ";"), ("utf-8", ";"), ("cp1252", ";"), ("utf-8-sig", "\t"),
                                          ("cp1252", ",")])
def test_swedish_csv_imports_exact_values(ojhome, tmp_path, encoding, sep):
    path = tmp_path / "oj.csv"
    text = _comma_separated(SWEDISH_CSV) if sep == "," else SWEDISH_CSV.replace(";", sep)
    path.write_bytes(text.encode(encoding))
    assert main(["importera", str(path), "--omrade", "missbruk"]) == 0
    df = dataset.load_dataset("egen").df
    got = {(r.kpi, r.kod): r.varde for r in df.itertuples() if r.kpi in ("U35519", "U35548")}
    assert got == CSV_EXPECTED
    antal = df[df.kpi.str.startswith("egen_antal")].set_index("kod")
    assert antal.varde.to_dict() == pytest.approx({"0680": 1234.0, "148001": 987.0, "0000": math.nan}, nan_ok=True)
    assert antal.at["0000", "status"] == "sekretess"


def test_tidy_csv_with_decimal_comma_and_free_text_status(ojhome, tmp_path, capsys):
    good = tmp_path / "tidy.csv"
    good.write_bytes("kpi;kod;ar;varde;status;antal\nU35548;680;2023;81,5;;12\nU35548;0006;2023;;sekretess;\n"
                     "U35548;0000;2023;77,25;;\n".encode("cp1252"))
    assert main(["importera", str(good)]) == 0
    antal = dataset.load_dataset("egen").df.set_index("kod").antal
    assert antal["0680"] == 12 and antal[["0000", "0006"]].isna().all()
    assert _values(dataset.load_dataset("egen").df) == {
        ("U35548", "0680", 2023, "T"): (81.5, None), ("U35548", "0006", 2023, "T"): (None, "sekretess"),
        ("U35548", "0000", 2023, "T"): (77.25, None)}
    before = _snapshot(ojhome)
    for body, text in [("U35548;0680;2023;inf;", "'inf'"), ("U35548;0680;2023;1e400;", "'1e400'"),
                       ("U35548;0680;2023;Infinity;", "'Infinity'"),
                       ("U35548;0680;2023;;kommunen svarade sent", "statusen 'kommunen svarade sent' är okänd")]:
        bad = tmp_path / "bad.csv"
        bad.write_text("kpi;kod;ar;varde;status\n" + body + "\n", encoding="utf-8")
        assert main(["importera", str(bad)]) == 2
        assert text in capsys.readouterr().err
    assert _snapshot(ojhome) == before


def test_export_csv_round_trips_through_import(example_home, tmp_path, monkeypatch):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    out = tmp_path / "lan06.csv"
    assert main(["export", "--lan", "06", "--omrade", "missbruk", "--format", "csv", "--ut", str(out)]) == 0
    exported = pd.read_csv(out, sep=";", decimal=",", dtype={"kommunkod": str, "kpi": str}, encoding="utf-8-sig")
    ex = dataset.load_dataset("exempeldata").df
    home = tmp_path / "home"
    (home / "data" / "processed").mkdir(parents=True)
    import shutil

    shutil.copytree(example_home / "params", home / "params")
    monkeypatch.setenv("OJLIB_HOME", str(home))
    assert main(["importera", str(out)]) == 0
    got = dataset.load_dataset("egen").df
    assert len(got) == len(exported)
    key = ["kpi", "kod", "ar", "kon"]
    want = ex.merge(got[key], on=key)
    assert len(want) == len(got)
    merged = want.merge(got, on=key, suffixes=("_ex", "_imp"))
    assert (merged.varde_ex.isna() == merged.varde_imp.isna()).all()
    assert (merged.varde_ex.dropna().round(6) == merged.varde_imp.dropna().round(6)).all()
    assert (merged.status_ex.fillna("") == merged.status_imp.fillna("")).all()


def test_import_module_keeps_one_job_per_module():
    from ojlib.data import importer

    assert {m for m in ("grid", "layout", "units", "cells", "indicators", "year", "plan")
            if (Path(importer.__file__).parent / f"{m}.py").exists()} == \
        {"grid", "layout", "units", "cells", "indicators", "year", "plan"}


def test_files_api_matches_cli(ojhome, tmp_path):
    p = files.import_file(wb.layout_c(tmp_path / "c_2023.xlsx"))
    assert len(p.frame) == 18 and dataset.read_manifest("egen")["filer"][0]["fil"] == "c_2023.xlsx"


def test_a_lan_column_beside_the_kommun_column_does_not_become_the_unit(ojhome, tmp_path):
    path = wb.wide(tmp_path / "lan_kolumn.xlsx", ["Län", "Kommun", "Handläggare med socionomexamen"],
                   [("Jönköpings län", "Aneby", "81,5"), ("Jönköpings län", "Gnosjö", "70"),
                    ("Jönköpings län", "Jönköping", "..")])
    p = plan.build(path)
    assert _values(p.frame) == {("U35548", "0604", 2025, "T"): (81.5, None),
                                ("U35548", "0617", 2025, "T"): (70.0, None),
                                ("U35548", "0680", 2025, "T"): (None, "sekretess")}


def test_years_as_column_headers_without_an_indicator_name_are_not_read(ojhome, tmp_path):
    path = wb.wide(tmp_path / "trend.xlsx", ["Kommun", 2023, 2024], [("Aneby", "81,5", "80"), ("Gnosjö", "70", "71")])
    p = plan.build(path)
    assert p.sheets[0].reason.startswith("åren står som kolumnrubriker men ingen rad ovanför tabellen namnger "
                                         "indikatorn")
    assert plan.refusal(p).startswith("Filen trend.xlsx innehåller inga värden som kunde läsas")


def test_example_data_covers_indicators_made_by_the_import(ojhome, tmp_path):
    from ojlib.data import geo
    from ojlib.data.sources import example

    assert main(["importera", str(wb.layout_a(tmp_path / "a.xlsx"))]) == 0
    ind = catalog.load_catalogue()["egen_arbetar_med_brukarundersokning"]  # a scale with no example settings
    rows = example.generate_indicator(ind, geo.kommuner())
    assert set(rows.varde.dropna().unique()) == {0.0, 1.0, 2.0} and rows.varde.notna().sum() > 250


def test_status_names_stadsdelar_and_imported_files(ojhome, tmp_path, capsys):
    assert main(["importera", str(wb.layout_a(tmp_path / "a.xlsx"))]) == 0
    capsys.readouterr()
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "stadsdelar och socialförvaltningar: 3" in out and "inläst fil: a.xlsx (60 rader, år 2025–2025" in out


def test_layout_e_sex_as_column_groups(ojhome, tmp_path):
    p = plan.build(wb.layout_e(tmp_path / "kon.xlsx"))
    assert not p.errors and p.sheets[0].header_rows == [3, 4]
    k = "U35538"
    assert _values(p.frame) == {
        (k, "0604", 2024, "T"): (80.0, None), (k, "0604", 2024, "K"): (82.5, None),
        (k, "0604", 2024, "M"): (77.0, None),
        (k, "0617", 2024, "T"): (70.0, None), (k, "0617", 2024, "K"): (None, "sekretess"),
        (k, "0617", 2024, "M"): (71.0, None)}


@pytest.mark.parametrize("name,content,message", [
    ("gammal.xls", b"\xd0\xcf\x11\xe0", "gamla Excel-formatet .xls; öppna den i Excel eller LibreOffice"),
    ("trasig.xlsx", b"inte en zip-fil", "går inte att öppna som Excel-arbetsbok"),
    ("data.json", b"{}", "Filtypen .json stöds inte; använd .xlsx eller .csv"),
])
def test_files_that_are_not_tables_get_one_sentence(ojhome, tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["importera", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert main(["importera", str(tmp_path / "finns_inte.xlsx")]) == 2
    assert "finns inte" in capsys.readouterr().err


def test_an_alias_in_the_catalogue_maps_a_header_the_next_time(ojhome, tmp_path):
    import yaml

    path = wb.wide(tmp_path / "alias.xlsx", ["Kommun", "Andel socionomer bland handläggarna (%)"], [("Aneby", "81,5")])
    first = plan.build(path, omrade="missbruk")
    assert first.sheets[0].columns[0].match.ny
    cat_path = ojhome / "params" / "indikatorer.yml"
    rows = yaml.safe_load(cat_path.read_text(encoding="utf-8"))
    entry = next(r for r in rows if r["kpi"] == "U35548")
    entry["rubriker"] = [*(entry.get("rubriker") or []), "Andel socionomer bland handläggarna"]
    cat_path.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), encoding="utf-8")
    again = plan.build(path)
    m = again.sheets[0].columns[0].match
    assert (m.kpi, m.how, m.ny) == ("U35548", "rubrik", False)
    assert _values(again.frame) == {("U35548", "0604", 2025, "T"): (81.5, None)}


def test_layout_f_lan_rows_named_only_in_the_lan_columns(ojhome, tmp_path):
    p = plan.build(wb.layout_f(tmp_path / "ekonomi.xlsx"))
    assert not p.errors
    assert _values(p.frame) == {("N35001", "0000", 2024, "T"): (1250.0, None),
                                ("N35001", "0006", 2024, "T"): (1100.0, None),
                                ("N35001", "0604", 2024, "T"): (980.0, None),
                                ("N35001", "0680", 2024, "T"): (1310.5, None),
                                ("N35001", "0617", 2024, "T"): (1005.0, None),
                                ("N35001", "0643", 2024, "T"): (870.0, None)}
    assert p.sheets[0].table.name_col == 3 and p.sheets[0].table.other_unit_cols == [0, 1]


def test_tidy_file_with_a_kpi_outside_the_catalogue_says_so(ojhome, tmp_path, capsys):
    path = tmp_path / "okand_kpi.csv"
    path.write_text("kpi;kod;ar;varde\nU99999;0680;2024;5\nU35548;0680;2024;81,5\n", encoding="utf-8")
    assert main(["importera", str(path), "--visa"]) == 0
    out = capsys.readouterr().out
    assert "indikatorer: 1 kända, 0 nya, 1 utanför katalogen" in out
    assert "U99999 finns inte i katalogen" in out and "Handläggare med socionomexamen" in out
