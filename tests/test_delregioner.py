"""Delregioner: the shipped file's groups (Västra Götaland's four hold its 49 kommuner), a broken file
named in one sentence, a län report grouped by delregion with each one's ovägt medel; and stadsdelar
from an imported workbook under their kommun in the län report."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest
import workbooks as wb
import yaml

from ojlib.analysis import delregion, ranking
from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.cli import reports as cli_reports
from ojlib.data import dataset, delregioner, geo
from ojlib.render import tables, views
from ojlib.report import build, request


def test_vastra_gotalands_four_delregioner_hold_its_49_kommuner(ojhome):
    groups = delregioner.for_lan("14")
    assert [d.titel for d in groups] == ["Göteborgsregionen", "Fyrbodal", "Skaraborg", "Sjuhärad"]
    members = [k for d in groups for k in d.kommuner]
    assert len(members) == len(set(members)) == 49 and set(members) == set(geo.kommuner_i_lan("14"))
    assert [len(d.kommuner) for d in groups] == [12, 14, 15, 8]
    assert "1480" in delregioner.of_kommun("Göteborg").kommuner and delregioner.of_kommun("1384") is None  # Kungsbacka
    jkp = delregioner.for_lan("Jönköping")
    assert [d.titel for d in jkp] == ["Höglandet", "Jönköpingsregionen", "Värnamoregionen"]
    assert sorted(k for d in jkp for k in d.kommuner) == sorted(geo.kommuner_i_lan("06"))
    assert all(d.kalla for d in groups + jkp)


@pytest.mark.parametrize("change,message", [
    (lambda rows: rows[0]["kommuner"].append("0680"), "kommunen '0680' ligger inte i län 14"),
    (lambda rows: rows[1]["kommuner"].append("1480"), "kommunen 1480 finns redan i delregionen goteborgsregionen"),
    (lambda rows: rows[1].update(key="goteborgsregionen"), "nyckeln finns redan"),
    (lambda rows: rows[0].pop("kalla"), "fältet kalla saknas"),
])
def test_a_broken_file_is_one_sentence_naming_the_row(ojhome, change, message):
    path = ojhome / "params" / "delregioner.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["delregioner"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OjError, match=message):
        delregioner.load()


def test_a_lan_without_delregioner_says_so(ojhome):
    with pytest.raises(OjError, match="inga delregioner för län 01"):
        delregioner.grouping("01")


def test_vg_report_grouped_by_delregion_with_ovagt_medel(example_ds):
    p, _ = request.notebook("lansanalys", lan="14", omrade="missbruk", datakalla="exempeldata")
    report = build.lansrapport(p, example_ds, delregioner=True)
    (section,) = report.of_kind("delregioner")
    members = section.data["kommuner"]
    assert list(dict.fromkeys(members.delregion)) == ["Göteborgsregionen", "Fyrbodal", "Skaraborg", "Sjuhärad"]
    assert len(members) == 49 and set(members.kommunkod) == set(geo.kommuner_i_lan("14"))
    means = section.data["medel"].set_index("kpi")
    table = report.omraden["missbruk"].tabell
    # a number: the plain mean of the delregion's kommuner's values
    numeric = table[~table.typ.isin(["ja_nej", "skala"])].kpi.iloc[0]
    fyrbodal = [k for d in delregioner.for_lan("14") if d.titel == "Fyrbodal" for k in d.kommuner]
    values = table[(table.kpi == numeric) & table.kommunkod.isin(fyrbodal)]["värde"].dropna()
    assert math.isclose(means.at[numeric, "Fyrbodal"], round(values.mean(), 2))
    assert means.at[numeric, "avser"] == "ovägt medel av kommunerna"
    assert means.at[numeric, "Fyrbodal (antal)"] == len(values)
    # Ja/Nej: the share of its kommuner that answered Ja, never a mean of codes labelled as one
    ja = table[table.typ == "ja_nej"].kpi.iloc[0]
    answers = table[(table.kpi == ja) & table.kommunkod.isin(fyrbodal)]["värde"].dropna()
    assert math.isclose(means.at[ja, "Fyrbodal"], round(100 * np.mean(answers == 1), 2))
    assert means.at[ja, "avser"] == "andel kommuner med Ja (%)"
    html = views.delregion_overview(section.data["medel"], members, example_ds.kalla).html
    assert "Göteborgsregionen (ovägt medel)" in html and "(12 kommuner)" in html and "Exempeldata" in html
    assert not build.lansrapport(p, example_ds).of_kind("delregioner")  # only when asked for


def test_delregion_means_match_a_direct_computation_for_jonkoping(example_ds):
    table = ranking.lan_table(example_ds, "06", "funktionsnedsattning")
    means = delregion.means(table, "06", example_ds.cat).set_index("kpi")
    row = table[(table.kpi == "U28518") & table.kommunkod.isin(["0642", "0643", "0680"])]
    assert math.isclose(means.at["U28518", "Jönköpingsregionen"], round(row["värde"].mean(), 2))


def test_stockholm_report_shows_imported_stadsdelar_under_their_kommun(ojhome, tmp_path):
    """A workbook with stadsdel rows (Rinkeby-Kista and Hässelby-Vällingby in Stockholm, Nordost in
    Göteborg): Stockholms län's report lists them under Stockholm, indented; VG's under Göteborg."""
    assert main(["importera", str(wb.layout_a(tmp_path / "oj_missbruk.xlsx"))]) == 0
    ds = dataset.load_dataset("egen")
    p, _ = request.notebook("lansanalys", lan="01", omrade="missbruk", datakalla="egen")
    report = build.lansrapport(p, ds, kinds=("stadsdelar",))
    (section,) = report.of_kind("stadsdelar")
    rows = section.data["rader"]
    assert set(rows.kod) == {"018001", "018008"} and set(rows.kommun) == {"Stockholm"}
    want = ds.df[(ds.df.kod == "018001") & (ds.df.kpi == "U35548")].varde.iloc[0]
    got = rows[(rows.kod == "018001") & (rows.kpi == "U35548")].iloc[0]
    assert got["värde"] == want and got["stadsdel"] == "Rinkeby-Kista"
    html = views.stadsdel_table(rows, "egen").html
    assert html.index(">Stockholm</th>") < html.index("↳ Rinkeby-Kista") and "padding-left" in html
    p14, _ = request.notebook("lansanalys", lan="14", omrade="missbruk", datakalla="egen")
    (vg,) = build.lansrapport(p14, ds, kinds=("stadsdelar",)).of_kind("stadsdelar")
    assert set(vg.data["rader"].kod) == {"148001"} and set(vg.data["rader"].kommun) == {"Göteborg"}
    p06, _ = request.notebook("lansanalys", lan="06", omrade="missbruk", datakalla="egen")
    assert not build.lansrapport(p06, ds, kinds=("stadsdelar",)).of_kind("stadsdelar")


def test_kommun_profile_compares_with_its_delregion(example_ds):
    """Gnosjö's profile with delregioner: a column for Värnamoregionen, its ovägt medel (for Ja/Nej the
    share of its kommuner with Ja), worked out here from the län table; without the option no column."""
    p, _ = request.notebook("kommunprofil", kommun="0617", omraden="funktionsnedsattning")
    profil = build.kommunprofil(p, example_ds, delregioner=True).omraden["funktionsnedsattning"].profil
    region = delregioner.of_kommun("0617")
    assert region.titel == "Värnamoregionen" and "0617" in region.kommuner
    assert profil.attrs["delregion"] == {"titel": "Värnamoregionen", "kommuner": len(region.kommuner)}
    lan = ranking.lan_table(example_ds, "06", "funktionsnedsattning")
    own = lan[lan.kommunkod.isin(region.kommuner)]
    row = profil.set_index("kpi")
    andel = own[own.kpi == "U28518"]["värde"].dropna()  # a share (%) per kommun: the plain mean
    assert len(andel) and math.isclose(row.at["U28518", "delregion"], round(andel.mean(), 2))
    assert row.at["U28518", "delregion_antal"] == len(andel)
    ja = profil[profil.typ == "ja_nej"].kpi.iloc[0]
    answers = own[own.kpi == ja]["värde"].dropna()
    assert math.isclose(row.at[ja, "delregion"], round(100 * np.mean(answers == 1), 2))
    assert row.at[ja, "delregion_text"].endswith("% Ja")
    frame = tables.profile_frame(profil)
    assert list(frame.columns[2:5]) == ["Kommunen", "Värnamoregionen (ovägt medel)", "Länet"]
    html = tables.profile(profil).html
    assert "Värnamoregionen: delregionen kommunen hör till (4 kommuner" in html
    plain = build.kommunprofil(p, example_ds).omraden["funktionsnedsattning"].profil
    assert "delregion" not in plain.columns and "Värnamoregionen" not in tables.profile(plain).html


def test_a_kommun_outside_every_delregion_says_so(example_ds):
    p, _ = request.notebook("kommunprofil", kommun="0180", omraden="missbruk")
    profil = build.kommunprofil(p, example_ds, delregioner=True).omraden["missbruk"].profil
    assert "delregion" not in profil.columns and profil.attrs["delregion"] is None
    assert "ovägt medel)" not in " ".join(tables.profile_frame(profil).columns)
    assert "Stockholm hör inte till någon delregion i params/delregioner.yml" in tables.profile(profil).html


def test_oj_rapport_delregioner_groups_vastra_gotaland_in_four(example_home, monkeypatch, tmp_path, capsys):
    """`oj rapport --lan 14 --delregioner`: the page lists four delregioner that together hold the län's
    49 kommuner, each once, with each one's ovägt medel as a column."""
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    page = tmp_path / "vg.html"
    assert main(["rapport", "--lan", "14", "--omrade", "missbruk", "--delregioner", "--ut", str(page)]) == 0, \
        capsys.readouterr()
    text = page.read_text(encoding="utf-8")
    box = text[text.index("<div class='oj-delregioner'>"):]
    groups = re.findall(r"<li><strong>([^<]+)</strong> \((\d+) kommuner\): ([^<]+)</li>", box[:box.index("</ul>")])
    assert [g for g, _, _ in groups] == ["Göteborgsregionen", "Fyrbodal", "Skaraborg", "Sjuhärad"]
    names = [html.unescape(n) for _, _, members in groups for n in members.split(", ")]
    assert [int(n) for _, n, _ in groups] == [12, 14, 15, 8]
    lan = geo.kommuner().query("lan_kod == '14'").kommun_namn
    assert len(names) == len(set(names)) == 49 and set(names) == set(lan)
    assert all(f"<th>{g} (ovägt medel)</th>" in box for g, _, _ in groups)


def test_oj_rapport_delregioner_for_a_lan_without_them_is_one_sentence(example_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    rc = main(["rapport", "--lan", "01", "--omrade", "missbruk", "--delregioner", "--ut", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert rc == OjError.exit_code and not (tmp_path / "s").exists()
    assert err.startswith("Fel: Det finns inga delregioner för län 01") and len(err.strip().splitlines()) == 1


def test_oj_rapporter_delregioner_groups_the_lan_that_have_them(example_home, monkeypatch):
    """`oj rapporter --delregioner`: Jönköping's and VG's reports are grouped, Stockholm's runs as usual
    (not a failed report), and every kommun profile gets the option (it says when a kommun is in none)."""
    monkeypatch.setenv("OJLIB_HOME", str(example_home))  # the requests are checked as the jobs are planned
    jobs = cli_reports.plan("01,06,14", "0180,0617", "missbruk", None, {"delregioner": True})
    by_lan = {j.params["lan"]: j.params for j in jobs if "lan" in j.params}
    assert by_lan["06"]["delregioner"] is True and by_lan["14"]["delregioner"] is True
    assert by_lan["01"]["delregioner"] is False
    assert all(j.params["delregioner"] is True for j in jobs if "kommun" in j.params)
