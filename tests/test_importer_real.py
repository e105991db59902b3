"""`oj importera` on files shaped like the ones analysts really have (issue 20).

Each test builds its file in code, shaped like a real export: Kolada's `geo,year,u35538` (lower-case
KPI id) with and without `gender`, a researcher's R CSV in Mac Roman with `NA`, a statistics-portal
table with metadata lines above, footnotes below, years as columns and "0114 Upplands Väsby"
cells, English long files. Every value must land once and right, with no hand edits and no
`--omrade` where the catalogue knows the KPI.
"""

from __future__ import annotations

import csv
import io
import json
import random

import openpyxl
import pandas as pd
import pytest

from ojlib.base import paths
from ojlib.cli import main
from ojlib.data import catalog, dataset, geo
from ojlib.data.importer import cells
from ojlib.data.source_lines import source_line

KOMMUNER = geo.kommuner()
TITEL = "Brukarbedömning missbruksvård IFO - få kontakt, andel (%)"  # U35538 in the catalogue


def _values(df: pd.DataFrame) -> dict:
    return {(r.kpi, r.kod, int(r.ar), r.kon): (None if pd.isna(r.varde) else float(r.varde),
                                               None if pd.isna(r.status) else r.status)
            for r in df.itertuples()}


def _expected(rng: random.Random, codes, years, kons=("T",), kpi="U35538", missing_every: int = 0):
    """{(kpi, kod, år, kön): value or None} with one decimal, a missing value every n-th cell."""
    out, i = {}, 0
    for kod in codes:
        for ar in years:
            for kon in kons:
                i += 1
                out[(kpi, kod, ar, kon)] = None if missing_every and i % missing_every == 0 \
                    else round(rng.uniform(20, 99), 1)
    return out


def _csv(rows, delimiter=",", quoting=csv.QUOTE_MINIMAL) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=quoting)
    w.writerows(rows)
    return buf.getvalue()


def _as_loaded(expected: dict) -> dict:
    return {k: (v, None) if v is not None else (None, "saknas") for k, v in expected.items()}


# ---- Kolada exports ---------------------------------------------------------------------------

def test_kolada_export_with_lower_case_kpi_id(ojhome, tmp_path, capsys):
    codes = ["0000", "0006", *KOMMUNER.kommun_kod[:40]]
    exp = _expected(random.Random(1), codes, [2022, 2023, 2024], missing_every=17)
    rows = [["geo", "year", "u35538"]] + [[k[1], k[2], "" if v is None else str(v)] for k, v in exp.items()]
    path = tmp_path / "kolada_u35538.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    assert main(["importera", str(path)]) == 0  # no --omrade: the catalogue knows U35538
    df = dataset.load_dataset("egen").df
    got = _values(df)
    assert got == {k: v if v[0] is not None or k[1] in ("0000", "0006") or True else v
                   for k, v in _as_loaded(exp).items()}
    assert not any(i.kpi.startswith("egen_") for i in catalog.load_catalogue())
    assert (df.niva[df.kod == "0006"] == "lan").all() and (df.niva[df.kod == "0000"] == "riket").all()


def test_kolada_export_split_by_gender(ojhome, tmp_path, capsys):
    codes = list(KOMMUNER.kommun_kod[:60])
    exp = _expected(random.Random(2), codes, [2023, 2024], kons=("T", "K", "M"), missing_every=23)
    rows = [["geo", "year", "gender", "u35538"]] + [[k[1], k[2], k[3], "" if v is None else v]
                                                    for k, v in exp.items()]
    path = tmp_path / "kolada_kon.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    assert main(["importera", str(path), "--visa"]) == 0
    out = capsys.readouterr().out
    assert "U35538 (via id)" in out and "Fel" not in out
    assert main(["importera", str(path)]) == 0
    assert _values(dataset.load_dataset("egen").df) == _as_loaded(exp)


@pytest.mark.parametrize("words", [("municipality", "year", "sex", "value", "kpi", "women", "men", "total"),
                                   ("kommun", "år", "kön", "värde", "kpi", "Kvinnor", "Män", "Totalt")])
def test_long_file_with_english_or_swedish_headers_and_names(ojhome, tmp_path, words):
    unit, year, sex, value, kpi, women, men, total = words
    names = list(KOMMUNER.kommun_namn[100:130])
    codes = list(KOMMUNER.kommun_kod[100:130])
    exp = _expected(random.Random(3), codes, [2024], kons=("T", "K", "M"))
    word = {"T": total, "K": women, "M": men}
    by_code = dict(zip(codes, names, strict=True))
    rows = [[kpi, unit, year, sex, value]] + [["u35538", by_code[k[1]], k[2], word[k[3]], str(v).replace(".", ",")]
                                              for k, v in exp.items()]
    path = tmp_path / "long.csv"
    path.write_text(_csv(rows, ";"), encoding="utf-8")
    assert main(["importera", str(path)]) == 0
    assert _values(dataset.load_dataset("egen").df) == _as_loaded(exp)


# ---- a researcher's CSV: R's write.csv, Mac Roman, NA ----------------------------------------

def _r_csv(exp: dict, header: str = "andel_hemtjanst") -> str:
    """What R's write.csv writes: quoted row names in a first unnamed column, NA for missing."""
    name = dict(zip(KOMMUNER.kommun_kod, KOMMUNER.kommun_namn, strict=True))
    rows = [["", "kommun", "ar", header]]
    for i, (k, v) in enumerate(exp.items(), start=1):
        rows.append([str(i), name[k[1]], k[2], "NA" if v is None else v])
    return _csv(rows, quoting=csv.QUOTE_NONNUMERIC).replace('"NA"', "NA")


def test_mac_roman_r_csv_with_na_finds_its_encoding_and_every_kommun(ojhome, tmp_path, capsys):
    exp = _expected(random.Random(4), list(KOMMUNER.kommun_kod), [2022, 2023, 2024, 2025], kpi="egen_andel_hemtjanst",
                    missing_every=11)
    path = tmp_path / "hemtjanst.csv"
    path.write_bytes(_r_csv(exp).encode("mac_roman"))
    assert main(["importera", str(path), "--visa", "--omrade", "funktionsnedsattning"]) == 0
    out = capsys.readouterr().out
    assert "Teckenkodning: Mac Roman: under den känns flest kommun- och länsnamn igen (290 olika;" in out
    assert "'NA' " in out and "0 riket, 0 län, 1160 kommuner" in out
    assert main(["importera", str(path), "--omrade", "funktionsnedsattning"]) == 0
    df = dataset.load_dataset("egen").df
    assert _values(df) == _as_loaded(exp)  # all 290 kommuner × 4 years, every value once
    ind = catalog.load_catalogue()["egen_andel_hemtjanst"]
    assert ind.typ == "andel" and ind.utgivare == "egen"  # 0–100 and "andel" in the header: a share
    manifest = dataset.read_manifest("egen")
    assert manifest["tecken"]["egen_andel_hemtjanst"]["NA"] == sum(v is None for v in exp.values())
    assert manifest["tecken_betydelse"]["NA"] == dataset.STATUS_TEXT["saknas"]
    assert manifest["filer"][0]["teckenkodning"] == "mac_roman"


def test_wrong_encoding_given_lists_the_closest_names_and_refuses(ojhome, tmp_path, capsys):
    no_aa = KOMMUNER[~KOMMUNER.kommun_namn.str.contains("Å")]  # Mac Roman's Å is no cp1252 character
    exp = _expected(random.Random(5), list(no_aa.kommun_kod), [2024], kpi="x")
    path = tmp_path / "hemtjanst.csv"
    path.write_bytes(_r_csv(exp).encode("mac_roman"))
    assert main(["importera", str(path), "--omrade", "funktionsnedsattning", "--kodning", "utf-8"]) == 2
    assert "hemtjanst.csv går inte att läsa som UTF-8 (byte " in capsys.readouterr().err
    args = ["importera", str(path), "--omrade", "funktionsnedsattning", "--kodning", "cp1252"]
    assert main([*args, "--visa"]) == 1  # --visa says the import would be refused, in its exit code
    out = capsys.readouterr().out
    assert "angiven med --kodning" in out and "JŠrfŠlla (okänt namn; liknar Järfälla)" in out
    assert "VŠrmdš (okänt namn; liknar Värmdö)" in out and "Skulle vägras: " in out
    before = sorted(p.name for p in ojhome.rglob("*"))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "liknar kommuner men matchar ingen" in err and "--inte-kommuner" in err
    assert sorted(p.name for p in ojhome.rglob("*")) == before


def test_rows_named_as_not_kommuner_are_let_through(ojhome, tmp_path, capsys):
    path = tmp_path / "med_ovrigt.csv"
    path.write_text("Kommun;Andel hemtjänst (%)\nAneby;41\nGnosjö;38\nAnebyy;12\n", encoding="utf-8")
    assert main(["importera", str(path), "--omrade", "funktionsnedsattning", "--ar", "2024"]) == 2
    assert "'Anebyy' (närmast: Aneby)" in capsys.readouterr().err
    assert main(["importera", str(path), "--omrade", "funktionsnedsattning", "--ar", "2024",
                 "--inte-kommuner", "Anebyy"]) == 0
    assert set(dataset.load_dataset("egen").df.kod) == {"0604", "0617"}


@pytest.mark.parametrize("token", ["NA", "NaN", "null", "N/A", "n/a", "#N/A"])
def test_missing_tokens_of_statistics_programs(token):
    c = cells.parse_cell(token)
    assert (c.kind, c.status, c.token) == ("missing", "saknas", token)


# ---- statistics-portal tables: metadata above, footnotes below, years as columns ----------------

def _portal_rows(exp: dict, years, title: str) -> list[list]:
    name = dict(zip(KOMMUNER.kommun_kod, KOMMUNER.kommun_namn, strict=True))
    rows = [[title], ["Enhet: procent"], [], ["region", *map(str, years)]]
    for kod in dict.fromkeys(k[1] for k in exp):
        cells_ = []
        for y in years:
            v = exp[("U35538", kod, y, "T")]
            cells_.append(".." if v is None else str(v).replace(".", ","))
        rows.append([f"{kod} {name[kod]}", *cells_])
    rows += [[], ["Fotnoter:"], ["..: uppgift saknas eller för få svar"], ["Källa: SKR, brukarbedömning"]]
    return rows


def test_portal_csv_with_metadata_years_as_columns_and_code_name_cells(ojhome, tmp_path, capsys):
    years = [2021, 2022, 2023, 2024]
    exp = _expected(random.Random(6), list(KOMMUNER.kommun_kod[:120]), years, missing_every=9)
    path = tmp_path / "px_export.csv"
    path.write_bytes(_csv(_portal_rows(exp, years, f"{TITEL} efter region och år"), ";",
                          csv.QUOTE_ALL).encode("cp1252"))
    assert main(["importera", str(path), "--visa"]) == 0
    out = capsys.readouterr().out
    assert "år: ett per kolumn" in out and "U35538 (via titel)" in out and "textrader (fotnoter, källor): 3" in out
    assert "indikatorer: 1 kända, 0 nya" in out  # one indicator, its four years as columns
    assert main(["importera", str(path)]) == 0
    want = {k: (v, None) if v is not None else (None, "sekretess") for k, v in exp.items()}
    assert _values(dataset.load_dataset("egen").df) == want


def test_portal_workbook_with_years_as_columns(ojhome, tmp_path):
    years = [2023, 2024]
    exp = _expected(random.Random(7), list(KOMMUNER.kommun_kod[200:260]), years)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Tabell 1"
    for row in _portal_rows(exp, years, f"Tabell 1: {TITEL} efter kommun och år"):
        ws.append([int(c) if c.isdigit() and len(c) == 4 and c.startswith("20") else c for c in row])
    path = tmp_path / "portal.xlsx"
    book.save(path)
    assert main(["importera", str(path)]) == 0
    assert _values(dataset.load_dataset("egen").df) == _as_loaded(exp)


def test_kolada_kpi_outside_the_catalogue_is_typed_and_titled_from_kolada(ojhome, tmp_path, capsys):
    """A Kolada export of a KPI the catalogue lacks (N04159 is in Kolada's 2026-03 list, not in
    params/indikatorer.yml): whole numbers 3–60 alone would make it a count; Kolada's title
    ("…, andel (%)") makes it a share, named in Kolada's words and credited to Kolada."""
    kpi = "N04159"
    ref = pd.read_csv(paths.reference_dir() / "kolada_kpi_catalogue_2026-03.csv", dtype=str)
    title = ref.set_index("id").at[kpi, "title"]
    assert "andel" in title and kpi not in catalog.load_catalogue()
    rng = random.Random(7)
    codes = list(KOMMUNER.kommun_kod[:50])
    exp = {(kod, ar): rng.randint(3, 60) for kod in codes for ar in (2023, 2024)}
    path = tmp_path / "kolada_n04159.csv"
    path.write_text(_csv([["geo", "year", kpi.lower()]] + [[k, a, str(v)] for (k, a), v in exp.items()]),
                    encoding="utf-8")
    assert main(["importera", str(path), "--omrade", "missbruk"]) == 0
    ind = catalog.load_catalogue()[kpi]  # Kolada's id kept, in Kolada's upper case
    assert ind.typ == "andel" and ind.titel == title and ind.utgivare == "kolada", ind
    assert not any(i.kpi.startswith("egen_") for i in catalog.load_catalogue())
    df = dataset.load_dataset("egen").df
    assert {(r.kod, int(r.ar)): r.varde for r in df[df.kpi == kpi].itertuples()} == exp
    # the same column under a header of its own words, with no Kolada id, stays a count
    other = tmp_path / "egen_siffror.csv"
    other.write_text(_csv([["geo", "year", "Köp av vård"]] + [[k, a, str(v)] for (k, a), v in exp.items()]),
                     encoding="utf-8")
    assert main(["importera", str(other), "--omrade", "missbruk"]) == 0
    assert [i.typ for i in catalog.load_catalogue() if i.kpi.startswith("egen_")] == ["antal"]
    assert catalog.load_catalogue()[kpi].typ == "andel"


# ---- credit: the file, or what the workbook or the user says ---------------------------------

def test_own_file_is_credited_by_its_name_and_oj_only_when_said(ojhome, tmp_path, capsys):
    path = tmp_path / "hemtjanst.csv"
    path.write_text("Kommun;Andel hemtjänst (%)\nAneby;41\nGnosjö;38\n", encoding="utf-8")
    assert main(["importera", str(path), "--omrade", "funktionsnedsattning", "--ar", "2024"]) == 0
    assert source_line("egen") == "Källa: egen fil hemtjanst.csv"
    assert catalog.load_catalogue()["egen_andel_hemtjanst"].utgivare == "egen"
    # a workbook whose title says Öppna jämförelser 2025 is Socialstyrelsen's
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Öppna jämförelser 2025 – missbruks- och beroendevården"])
    ws.append([])
    ws.append(["Kommun", "Stödprogram för närstående"])
    ws.append(["Habo", "Ja"])
    oj = tmp_path / "oj_missbruk.xlsx"
    book.save(oj)
    assert main(["importera", str(oj)]) == 0
    assert source_line("egen") == ("Källa: egen fil hemtjanst.csv; Socialstyrelsen, Öppna jämförelser 2025 "
                                   "(importerad fil oj_missbruk.xlsx)")
    # the user's word, and a later import of the same file replaces its credit
    assert main(["importera", str(path), "--omrade", "funktionsnedsattning", "--ar", "2024",
                 "--utgivare", "Region Jönköpings län, hemtjänstenkät 2024"]) == 0
    line = source_line("egen")
    assert "Region Jönköpings län, hemtjänstenkät 2024 (importerad fil hemtjanst.csv)" in line
    assert "egen fil hemtjanst.csv" not in line
    manifest = ojhome / "data" / "processed" / "egen.json"
    assert json.loads(manifest.read_text())["filer"][-1]["kalla_fran"] == "--utgivare"
    # --kalla, the option's earlier name, still works (not shown in --help)
    assert main(["importera", str(path), "--omrade", "funktionsnedsattning", "--ar", "2024",
                 "--kalla", "Region Jönköpings län, hemtjänstenkät 2023"]) == 0
    assert "hemtjänstenkät 2023 (importerad fil hemtjanst.csv)" in source_line("egen")
    assert json.loads(manifest.read_text())["filer"][-1]["kalla_fran"] == "--utgivare"
    capsys.readouterr()
    assert main(["importera", str(path), "--kalla", "A", "--utgivare", "B"]) == 2
    assert "ange bara --utgivare" in capsys.readouterr().err
    assert main(["importera", "--help"]) == 0
    help_text = capsys.readouterr().out
    assert "--utgivare" in help_text and "--kalla" not in help_text
    # an import file that still says kalla: loads, and the next import writes it as utgivare:
    extra = catalog.import_path()
    extra.write_text(extra.read_text(encoding="utf-8").replace("utgivare:", "kalla:"), encoding="utf-8")
    assert "kalla: egen" in extra.read_text(encoding="utf-8")
    assert catalog.load_catalogue()["egen_andel_hemtjanst"].utgivare == "egen"
    other = tmp_path / "matdistribution.csv"
    other.write_text("Kommun;Andel med matdistribution (%)\nAneby;12\nGnosjö;9\n", encoding="utf-8")
    assert main(["importera", str(other), "--omrade", "funktionsnedsattning", "--ar", "2024"]) == 0
    text = extra.read_text(encoding="utf-8")
    assert "kalla:" not in text and text.count("utgivare: egen") == 2, text
