"""Områden and kvalitetsområden are metadata in params/omraden.yml, and the catalogue's new fields."""

from pathlib import Path

import pytest
import yaml

from ojlib.analysis import peers
from ojlib.base.errors import OjError
from ojlib.data import catalog, omraden

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_omraden_and_kvalitetsomraden(ojhome):
    assert [o.key for o in omraden.all()] == ["missbruk", "barn_och_unga", "funktionsnedsattning"]
    assert omraden.get("missbruk").titel == "Missbruks- och beroendevård"
    assert omraden.get("funktionsnedsattning").peer_group == "Liknande kommuner LSS"
    kv = [k.key for k in omraden.kvalitetsomraden()]
    assert kv[:5] == ["sjalvbestammande", "helhetssyn", "trygghet", "kunskapsbaserad", "tillganglighet"]
    assert {"brukarbedomning", "kostnader"} <= set(kv)
    assert catalog.OMRADEN["barn_och_unga"] == "Social barn- och ungdomsvård"  # the old name still works
    with pytest.raises(OjError, match="Okänt område 'missbrk'"):
        omraden.get("missbrk")


def test_every_catalogue_entry_states_source_discontinuation_and_kvalitetsomrade():
    raw = yaml.safe_load((ROOT / "params" / "indikatorer.yml").read_text(encoding="utf-8"))
    for row in raw:
        assert {"utgivare", "upphord", "kvalitetsomrade"} <= set(row), row["kpi"]
    cat = catalog.load_catalogue(ROOT / "params" / "indikatorer.yml")
    kv = {k.key for k in omraden.kvalitetsomraden()}
    for ind in cat:
        assert ind.utgivare in ("kolada", "socialstyrelsen") and ind.kvalitetsomrade in kv, ind.kpi
        if ind.utgivare == "socialstyrelsen":  # gone from Kolada: the year it was last published is stated
            assert ind.upphord is not None
    assert cat["U35519"].utgivare == "socialstyrelsen" and cat["U35519"].upphord == 2024
    assert cat["U35537"].utgivare == "kolada" and cat["U35537"].upphord is None
    # costs per invånare: the kostnader chapter, or context among the bakgrundsmått (never compared)
    assert {i.kvalitetsomrade for i in cat if i.typ == "kr_per_inv"} == {"kostnader", "bakgrund"}
    for o in [x.key for x in omraden.all()]:  # every område has its bakgrundsmått, none of them with a direction
        bakgrund = cat.bakgrund(o)
        assert len(bakgrund) >= 3 and all(i.riktning is None and i.utgivare == "kolada" for i in bakgrund), o
        assert not {i.kpi for i in bakgrund} & {i.kpi for i in cat.jamforda(o)}, o


def _add_omrade(home: Path, key="ekonomiskt_bistand", liknande="Liknande kommuner IFO"):
    p = home / "params" / "omraden.yml"
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["omraden"].append({"key": key, "titel": "Ekonomiskt bistånd", "kort": "Ek. bistånd", "liknande": liknande})
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_fourth_omrade_from_the_data_file(ojhome):
    with pytest.raises(OjError, match="okänt område 'ekonomiskt_bistand'"):
        rows = yaml.safe_load((ojhome / "params" / "indikatorer.yml").read_text(encoding="utf-8"))
        rows[0]["omrade"] = "ekonomiskt_bistand"
        (ojhome / "params" / "indikatorer.yml").write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
        catalog.load_catalogue()
    _add_omrade(ojhome)
    cat = catalog.load_catalogue()
    assert [i.kpi for i in cat.for_omrade("ekonomiskt_bistand")] == [rows[0]["kpi"]]
    assert catalog.parse_omraden("alla")[-1] == "ekonomiskt_bistand"
    assert catalog.OMRADEN["ekonomiskt_bistand"] == "Ekonomiskt bistånd"
    _, label = peers.peer_members("0680", "liknande", "ekonomiskt_bistand")
    assert label.startswith("Liknande kommuner IFO")


def test_broken_omraden_file_is_one_sentence(ojhome):
    p = ojhome / "params" / "omraden.yml"
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["omraden"][1]["key"] = "missbruk"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OjError, match="nyckeln 'missbruk' finns två gånger"):
        omraden.all()
    data["omraden"][1] = {"key": "barn"}
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OjError, match="saknar fältet titel, kort"):
        omraden.all()


def test_unknown_kvalitetsomrade_and_utgivare_name_the_row(tmp_path, ojhome):
    rows = yaml.safe_load((ROOT / "params" / "indikatorer.yml").read_text(encoding="utf-8"))[:2]
    rows[1]["kvalitetsomrade"] = "trygg"
    p = tmp_path / "k.yml"
    p.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OjError, match=r"post 2 \(U35518\): okänt kvalitetsomrade 'trygg'"):
        catalog.load_catalogue(p)
    rows[1]["kvalitetsomrade"] = "trygghet"
    rows[1]["utgivare"] = "scb"
    p.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OjError, match=r"okänd utgivare 'scb'"):
        catalog.load_catalogue(p)


def test_each_omrade_keeps_15_indicators_that_todays_kolada_serves():
    """Against Kolada's 2026-03 catalogue (data/raw/referens): present, not marked discontinued."""
    import csv
    import re

    from ojlib.base import paths

    with open(paths.reference_dir() / "kolada_kpi_catalogue_2026-03.csv", encoding="utf-8") as fh:
        kolada = {r["id"]: r["title"] for r in csv.DictReader(fh)}
    mark = re.compile(r"\(\s*-\s*\d{4}\s*\)")
    cat = catalog.load_catalogue(ROOT / "params" / "indikatorer.yml")
    for o in omraden.all():
        served = [i for i in cat.for_omrade(o.key) if i.kpi in kolada and not mark.search(kolada[i.kpi])]
        assert len(served) >= 15, o.key
        assert all(i.utgivare == "kolada" and i.upphord is None for i in served), o.key
    for i in cat:  # kalla and upphord agree with the 2026-03 catalogue
        if i.kpi not in kolada:
            assert i.utgivare == "socialstyrelsen" and i.upphord is not None, i.kpi
        elif m := mark.search(kolada[i.kpi]):
            assert i.upphord == int(m.group(0).strip("(- )")), i.kpi
    assert {"N33820", "N33821", "N33822", "N33823", "N33872", "N33873"} <= set(cat.ids)


def test_example_levels_cover_every_indicator_with_a_source_or_a_stated_assumption():
    from ojlib.data.sources import example

    conf = example.levels()["kpi"]
    cat = catalog.load_catalogue(ROOT / "params" / "indikatorer.yml")
    # an indicator without a row of its own gets its type's standard levels (a stated assumption)
    assert {i.typ for i in cat} <= set(example.levels()["standard"])
    for kpi, spec in conf.items():
        assert (spec.get("kalibrerad") and spec.get("kalla")) or spec.get("antagande"), kpi
