"""The report model: one Report per report, its sections drawn by every renderer (issue 18)."""

from __future__ import annotations

from ojlib.analysis import colours
from ojlib.render import sections
from ojlib.report import build, lansrapport
from ojlib.report.model import SECTION_KINDS
from ojlib.report.request import Request


def test_every_kind_of_section_has_a_drawing():
    assert set(sections.DRAW) == set(SECTION_KINDS)


def test_a_reports_sections_in_order_with_the_comment_files_headings(example_ds):
    report = build.lan_report(example_ds, "06", "missbruk")
    kinds = [s.typ for s in report.sections]
    assert kinds[:4] == ["saknas", "inledning", "bakgrund", "sammanfattning"]
    assert kinds[-1] == "datatackning"
    tables = {"missbruk": colours.coloured_lan_table(example_ds, "06", "missbruk")}
    assert report.rubriker == lansrapport.section_titles(example_ds, tables)
    # the facts are computed once: the summary, the förbättringsområden and the deck read one ranking
    f = report.omraden["missbruk"]
    worst = [i.kpi for i in f.rangordning.samre_an_riket() if i.plats == 1]
    assert f.sammanfattning.fakta["storst_samre_an_riket"][:len(worst)] == worst
    # the deck's way in computes only what the deck draws, and lists every section all the same
    small = build.lan_report(example_ds, "06", "missbruk", kinds=("sammanfattning",))
    assert [s.rubrik for s in small.sections] == [s.rubrik for s in report.sections]
    assert small.of_kind("oversikt")[0].data == {} and report.of_kind("oversikt")[0].data["over_time"]


def test_bakgrundsmatt_for_jonkoping(example_ds):
    """The Bakgrundsmått section right after the inledning: the län's 13 kommuner, länet and riket, each
    indicator's latest year, the dataset's own values, plain cells (issue 21)."""
    import pandas as pd

    from ojlib.data.dataset import Dataset
    from ojlib.render import views

    report = build.lan_report(example_ds, "06", "missbruk")
    kinds = [s.typ for s in report.sections]
    assert kinds[kinds.index("inledning") + 1] == "bakgrund"
    rader = report.of_kind("bakgrund")[0].data["rader"]
    inds = example_ds.cat.bakgrund("missbruk")
    assert list(dict.fromkeys(rader.kpi)) == [i.kpi for i in inds]
    df = example_ds.df
    for ind in inds:
        mine = rader[rader.kpi == ind.kpi]
        assert list(mine["nivå"]) == ["kommun"] * 13 + ["län", "riket"]
        year = int(df[(df.kpi == ind.kpi) & (df.niva == "kommun") & df.varde.notna()].ar.max())
        assert set(mine["år"]) == {year}
        want = df[(df.kpi == ind.kpi) & (df.ar == year) & (df.kon == "T")].set_index("kod").varde
        for r in mine.itertuples():  # Jönköping, every other kommun, länet (0006) and riket as the data hold them
            assert (pd.isna(r.värde) and pd.isna(want[r.kod])) or r.värde == want[r.kod], (ind.kpi, r.kod)
    jkp = rader[(rader.kod == "0680") & (rader.kpi == "N01951")].iloc[0]
    assert jkp.namn == "Jönköping" and jkp.värde_text == lansrapport.bakgrund_text(jkp.värde, "antal")
    html = views.bakgrund_table(rader).html
    year = int(rader["år"].max())
    assert f"({year})" in html and "Jönköping" in html and ">Länet<" in html and ">Riket<" in html
    assert jkp.värde_text in html and "färgas inte och rangordnas inte" in html
    assert "background" not in html and "style=" not in html and "rang" not in html.lower().replace("rangordnas", "")
    assert "Exempeldata – inte verkliga resultat" in html and "ovägt medel" in html.lower() and "summan av" in html
    # from Kolada, as published: "Källa: Kolada" and no mark of a computed value
    kdf = df.copy()
    kdf["kalla"] = "kolada"
    kdf.loc[kdf.niva != "kommun", "status"] = None
    kolada = Dataset(df=kdf, kalla="kolada", catalogue=example_ds.cat)
    khtml = views.bakgrund_table(lansrapport.bakgrund(kolada, "06", "missbruk")).html
    assert "Källa: Kolada" in khtml and "beraknat" not in khtml and "Exempeldata" not in khtml
    # an indicator without values is named, the others still shown
    gone = Dataset(df=df[df.kpi != "N01951"], kalla="exempeldata", catalogue=example_ds.cat)
    ghtml = views.bakgrund_table(lansrapport.bakgrund(gone, "06", "missbruk")).html
    assert "Utan värden i datakällan: Invånare totalt (N01951)." in ghtml and "Arbetslösa" in ghtml
    # the kommun profile: the kommun beside länet and riket
    p = build.kommunprofil(_profil_request(example_ds), example_ds)
    prof = p.of_kind("bakgrund")[0].data["rader"]
    assert set(prof.loc[prof["nivå"] == "kommun", "kod"]) == {"0680"}
    assert list(prof[prof.kpi == "N01951"]["nivå"]) == ["kommun", "län", "riket"]


def _profil_request(ds):
    return Request("kommunprofil", "06", "Jönköpings län", "0680", "Jönköping", ("missbruk",), None, ds.kalla)
