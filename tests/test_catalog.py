"""The indicator catalogue: the shipped file is complete, and a broken file is a clear error."""

import csv
from pathlib import Path

import pytest
import yaml

from ojlib.base import paths
from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.data import catalog

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_catalogue_covers_three_areas_and_all_types():
    cat = catalog.load_catalogue(ROOT / "params" / "indikatorer.yml")
    assert len(cat) >= 45
    for omrade in catalog.OMRADEN:
        inds = cat.for_omrade(omrade)
        assert len(inds) >= 15, omrade
        assert {i.typ for i in inds} >= {"ja_nej", "skala", "andel", "kr_per_inv"}, omrade
    nybesok = cat["U35537"]
    assert nybesok.typ == "skala" and nybesok.nivaer[3] == "Inom 3 dagar" and nybesok.label(2.0) == "4-7 dagar"
    assert cat["U35519"].jamforbara_ar[0] == 2019 and cat["U35519"].ar[0] == 2018
    assert cat["N35001"].riktning is None and cat["U33401"].riktning == "lagre_battre"
    assert any(i.kon for i in cat) and any(not i.kon for i in cat)


def test_catalogue_titles_are_koladas_own_text():
    cat = catalog.load_catalogue(ROOT / "params" / "indikatorer.yml")
    with open(paths.reference_dir() / "kolada_kpi_catalogue_2026-03.csv", encoding="utf-8") as fh:
        kolada = {r["id"]: {**r, "katalog": "2026-03"} for r in csv.DictReader(fh)}
    with open(paths.reference_dir() / "kolada_kpi_urval.csv", encoding="utf-8") as fh:
        kolada |= {r["id"]: r for r in csv.DictReader(fh)}  # the urval also holds 2024-04 rows Kolada dropped
    assert set(cat.ids) <= set(kolada)
    for ind in cat:
        assert ind.titel == " ".join(kolada[ind.kpi]["title"].split()), ind.kpi
        assert ind.katalog == f"Kolada {kolada[ind.kpi]['katalog']}"
    from_2024 = [i for i in cat if i.katalog == "Kolada 2024-04" and i.typ == "ja_nej"]
    assert len(from_2024) >= 10  # ÖJ Ja/Nej survey KPIs later removed from Kolada


def _write_catalogue(tmp_path, rows) -> Path:
    p = tmp_path / "indikatorer.yml"
    p.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    return p


def _rows():
    return yaml.safe_load((ROOT / "params" / "indikatorer.yml").read_text(encoding="utf-8"))[:3]


def test_unknown_type_names_the_row(tmp_path):
    rows = _rows()
    rows[1]["typ"] = "procent"
    with pytest.raises(OjError, match=r"post 2 \(U35518\): okänd typ 'procent'"):
        catalog.load_catalogue(_write_catalogue(tmp_path, rows))


def test_duplicate_id_names_both_rows(tmp_path):
    rows = _rows()
    rows[2]["kpi"] = rows[0]["kpi"]
    with pytest.raises(OjError, match=r"post 3 \(U35519\): KPI:n finns redan i post 1"):
        catalog.load_catalogue(_write_catalogue(tmp_path, rows))


def test_missing_field_names_the_field(tmp_path):
    rows = _rows()
    del rows[0]["riktning"]
    with pytest.raises(OjError, match=r"post 1 \(U35519\): fältet riktning saknas"):
        catalog.load_catalogue(_write_catalogue(tmp_path, rows))


@pytest.mark.parametrize("field,value,message", [
    ("omrade", "aldreomsorg", "okänt område 'aldreomsorg'"),
    ("kpi", "X1", "KPI-id 'X1'"),
    ("ar_fran", 2030, "ar_fran är senare än ar_till"),
    ("kon", "ja", "kon ska vara true eller false"),
])
def test_other_bad_fields(tmp_path, field, value, message):
    rows = _rows()
    rows[0][field] = value
    with pytest.raises(OjError, match=message):
        catalog.load_catalogue(_write_catalogue(tmp_path, rows))


def test_invalid_yaml_is_a_clear_error(tmp_path):
    p = tmp_path / "indikatorer.yml"
    p.write_text("- kpi: U35519\n  namn: [oavslutad\n", encoding="utf-8")
    with pytest.raises(OjError, match="inte giltig YAML på rad"):
        catalog.load_catalogue(p)


def test_older_files_that_say_kalla_still_load(tmp_path):
    """The publisher field was called kalla; users' catalogues and import files still say so."""
    rows = _rows()
    for r in rows:
        r["kalla"] = r.pop("utgivare")
    path = _write_catalogue(tmp_path, rows)
    own = {"kpi": "egen_andel_x", "omrade": "missbruk", "namn": "X", "titel": "X", "beskrivning": "Importerad.",
           "typ": "andel", "riktning": None, "enhet": "%", "ar_fran": 2024, "ar_till": 2024, "kon": False,
           "katalog": "import x.csv", "kalla": "egen"}
    catalog.import_path(path).write_text(yaml.safe_dump([own], allow_unicode=True), encoding="utf-8")
    cat = catalog.load_catalogue(path)
    assert [cat[r["kpi"]].utgivare for r in rows] == [r["kalla"] for r in rows]
    assert "socialstyrelsen" in [r["kalla"] for r in rows] and cat["egen_andel_x"].utgivare == "egen"
    assert "utgivare" in cat.to_frame().columns and "kalla" not in cat.to_frame().columns
    rows[0]["utgivare"] = "kolada"  # both names in one entry: which one counts is not guessed
    with pytest.raises(OjError, match=r"post 1 \(U35519\): fälten kalla och utgivare betyder samma sak"):
        catalog.load_catalogue(_write_catalogue(tmp_path, rows))
    rows[0].pop("kalla")
    rows[0]["utgivare"] = "scb"
    with pytest.raises(OjError, match=r"post 1 \(U35519\): okänd utgivare 'scb'; tillåtna är kolada"):
        catalog.load_catalogue(_write_catalogue(tmp_path, rows))


def test_cli_reports_bad_catalogue_and_exits_nonzero(ojhome, tmp_path, capsys, monkeypatch):
    rows = _rows()
    rows[0]["typ"] = "okand"
    monkeypatch.setenv("OJLIB_KATALOG", str(_write_catalogue(tmp_path, rows)))
    assert main(["indikatorer"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fel: Indikatorkatalogen indikatorer.yml, post 1 (U35519)") and "okänd typ 'okand'" in err
    assert "Traceback" not in err


def test_cli_indikatorer_filters_by_omrade(ojhome, capsys):
    assert main(["indikatorer", "--omrade", "missbruk"]) == 0
    out = capsys.readouterr().out
    n = len(catalog.load_catalogue().for_omrade("missbruk"))
    assert "U35519" in out and "U33552" not in out and f"{n} indikatorer" in out
    assert "socialstyrelsen" in out and "kvalitetsomrade" in out  # where values come from, and the chapter
    assert main(["indikatorer", "--omrade", "okänt"]) == 2
    err = capsys.readouterr().err
    assert "Okänt område 'okänt'" in err and err.count("\n") == 1


def test_unit_fields_follow_koladas_catalogue():
    """``enheter: true`` exactly for the KPIs Kolada's 2026-03 catalogue marks with unit data
    (has_ou_data); at least 20 of funktionsnedsättning's name their unit type."""
    cat = catalog.load_catalogue(ROOT / "params" / "indikatorer.yml")
    with open(paths.reference_dir() / "kolada_kpi_catalogue_2026-03.csv", encoding="utf-8") as fh:
        marked = {r["id"] for r in csv.DictReader(fh) if r["has_ou_data"] == "True"}
    assert {i.kpi for i in cat if i.enheter} == {i.kpi for i in cat if i.kpi in marked}
    typed = [i for i in cat.for_omrade("funktionsnedsattning") if i.enheter and i.enhetstyp]
    assert len(typed) >= 20
    assert {t for i in typed for t in i.enhetstyp} == {"V26E", "V29E", "V30E"}
    assert cat["U28518"].enhetstyp == ("V29E",) and "gruppbostad" in cat["U28518"].titel


@pytest.mark.parametrize("fields,message", [
    ({"enheter": "ja"}, "enheter ska vara true eller false"),
    ({"enheter": True, "enhetstyp": ["gruppbostad"]}, "enhetstyp ska vara en lista med Koladas enhetstyper"),
    ({"enhetstyp": ["V29E"]}, "enhetstyp kräver enheter: true"),
])
def test_bad_unit_fields(tmp_path, fields, message):
    rows = _rows()
    rows[0].update(fields)
    with pytest.raises(OjError, match=message):
        catalog.load_catalogue(_write_catalogue(tmp_path, rows))
