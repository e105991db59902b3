"""One ranking of a report's indicators: the summary's "Störst …", the förbättringsområden and the
deck's improvement slide name the same first items (issue 18)."""

from __future__ import annotations

import re

from ojlib.analysis import colours, findings, ranking, summary, trends
from ojlib.data import geo
from ojlib.render import presentation
from ojlib.report import build, lansrapport

OMRADEN = ("missbruk", "barn_och_unga", "funktionsnedsattning")


def _item(kpi, poang_pe, battre=False, typ="andel"):
    size = poang_pe * findings.limit(typ, True)
    return findings.Item(kpi=kpi, indikator=f"Indikator {kpi}", typ=typ, ar=2024, varde=50.0 - size, mot=50.0,
                         mot_ar=None, skillnad=-size, relativ=None, storlek=size, poang=round(size, 1) / 5.0,
                         battre=battre, varde_text="x", mot_text="y")


def test_ties_share_a_place_and_the_sentence_says_so():
    items = findings._placed([_item("A", 3.0), _item("B", 2.0), _item("C", 2.0), _item("D", 2.0), _item("E", 1.0)])
    assert [(i.kpi, i.plats) for i in items] == [("A", 1), ("B", 2), ("C", 2), ("D", 2), ("E", 5)]
    text = findings.top_sentence("Störst skillnad", items, lambda i: f"”{i.indikator}”")
    assert text == ("Störst skillnad: ”Indikator A”; tre indikatorer delar andraplatsen: ”Indikator B”, "
                    "”Indikator C” och ”Indikator D”.")
    first = findings._placed([_item("A", 3.0), _item("B", 3.0), _item("C", 1.0)])
    # two on the first place fill the two places a summary names: the third is not named
    assert findings.top_sentence("Störst", first, lambda i: i.kpi) == \
        "Störst (två indikatorer delar förstaplatsen): A och B."
    assert findings.top_sentence("Störst", first, lambda i: i.kpi, places=3).endswith(": A och B; C.")
    # sizes equal to the shown decimal are equal; the KPI id orders them, never the hidden decimals
    near = findings._placed([_item("B", 2.0 + 0.001 / 5), _item("A", 2.0)])
    assert [(i.kpi, i.plats) for i in near] == [("A", 1), ("B", 1)]


def test_improvement_areas_are_the_head_of_the_ranking(example_ds):
    table = colours.coloured_lan_table(example_ds, "06", "missbruk")
    areas = lansrapport.improvement_areas(example_ds, table)
    rang = build.lan_report(example_ds, "06", "missbruk", kinds=()).omraden["missbruk"].rangordning
    worse = [i for i in rang.samre_an_riket() if i.poang >= 1]
    under = areas[areas.regel == "under_riket"]
    assert list(under.kpi) == [i.kpi for i in worse if i.plats <= findings.MAX_PER_REGEL]
    assert all(i.poang < 1 for i in rang.samre_an_riket()[len(worse):]), "the rule's list is the ranking's head"
    fell = areas[areas.regel == "forsamring"]
    assert list(fell.kpi) == [i.kpi for i in rang.forsamrade() if i.plats <= findings.MAX_PER_REGEL]
    # Ja/Nej, scales and measures are all in the one ranking
    typer = {i.typ for i in rang.mot_riket + rang.forandring}
    assert {"ja_nej", "skala", "andel"} <= typer


def _first_names(sentence: str | None, rubrik: str) -> set[str] | None:
    """The indicator names a "Störst …" sentence puts on the first place (one, or all of a shared first)."""
    if sentence is None:
        return None
    head, body = sentence[len(rubrik):].split(": ", 1)
    first = body.split("; ")[0]
    names = re.findall(r"(?:^|, | och )”([^”]+)” (?:\(|från)", first)
    return set(names) if "delar förstaplatsen" in head else {names[0]}


def _sentence(points: list[str], rubrik: str) -> str | None:
    found = [p for p in points if p.startswith(rubrik)]
    assert len(found) <= 1
    return found[0] if found else None


def _first_listed(areas, rows, regel: str, where: str) -> set[str]:
    """The names on the first place of a förbättringsområde list, the same in the report and on the slide."""
    listed = areas[areas.regel == regel]
    on_slide = [r for r in rows if r["regel"] == {"under_riket": "Långt under riket", "forsamring": "Försämrad"}[regel]]
    report = set(listed.loc[listed.plats == 1, "indikator"])
    assert report == {r["indikator"] for r in on_slide if r["plats"] == 1}, where
    return report


def test_all_63_lan_reports_name_the_same_first_items(example_ds):
    """Every län × område: the summary's "Störst skillnad till länets nackdel", "Störst försämring" and
    "Störst förbättring" name the first items of förbättringsområden and of the deck's improvement
    slide (the notes for "Störst förbättring"), ties in either order. The report is built as the
    notebook builds it; the summary and the förbättringsområden are what the notebook shows, the slide
    is what the deck draws from the same report."""
    checked = {"nackdel": 0, "försämring": 0, "förbättring": 0, "delad": 0}
    for lan in geo.lan().lan_kod:
        for omr in OMRADEN:
            report = build.lan_report(example_ds, lan, omr, kinds=presentation.DECK_SECTIONS)
            s, areas = report.omraden[omr].sammanfattning, report.omraden[omr].forbattringsomraden
            ctx = presentation._Context(report, presentation.Val())
            slide = presentation._improvement_slide(ctx)
            rows = slide.data["alla"]  # the slide's table and the rows it names under it ("Fler")
            assert slide.data["rader"] == rows[:presentation.FORBATTRING_RADER]
            where = f"{lan} {omr}"
            # Störst skillnad till länets nackdel ↔ "Länet långt under riket"
            rubrik = "Störst skillnad till länets nackdel mot riket"
            named = _first_names(_sentence(s.punkter, rubrik), rubrik)
            under = _first_listed(areas, rows, "under_riket", where)
            if under:
                assert named == under, where
                checked["nackdel"] += 1
            elif named:  # the largest difference is below the förbättringsområde limit: none is listed
                worst = [k for k, p in s.fakta["platser"]["storst_samre_an_riket"].items() if p == 1]
                assert all(i.poang < 1 for i in ctx.rankings[omr].samre_an_riket() if i.kpi in worst), where
            # Störst försämring ↔ "Länet har försämrats mest"
            rubrik = "Störst försämring"
            named = _first_names(_sentence(s.punkter, rubrik), rubrik)
            assert named == (_first_listed(areas, rows, "forsamring", where) or None), where
            checked["försämring"] += bool(named)
            checked["delad"] += bool(named and len(named) > 1)
            # Störst förbättring ↔ the slide's notes name the same
            rubrik = "Störst förbättring"
            sentence = _sentence(s.punkter, rubrik)
            assert (sentence in slide.anteckningar) if sentence else not any(
                n.startswith(rubrik) for n in slide.anteckningar), where
            checked["förbättring"] += bool(sentence)
    assert checked["nackdel"] > 30 and checked["försämring"] > 30 and checked["förbättring"] > 30, checked
    assert checked["delad"] > 0, "no shared first place in 63 reports: the tie wording went untested"


def test_the_summary_alone_is_the_reports_summary(example_ds):
    """lan_summary without a report ranks the same way as the report's own summary (two län)."""
    for lan, omr in (("06", "missbruk"), ("14", "barn_och_unga")):
        report = build.lan_report(example_ds, lan, omr, kinds=())
        assert summary.lan_summary(example_ds, lan, omr).text == report.omraden[omr].sammanfattning.text
        table = colours.coloured_lan_table(example_ds, lan, omr)
        assert lansrapport.improvement_areas(example_ds, table).equals(report.omraden[omr].forbattringsomraden)


def test_bakgrundsmatt_are_never_compared(example_ds):
    """The bakgrundsmått (catalogue kvalitetsomrade bakgrund) are context: not in the coloured tables, the
    chapters, the trends, the ranking, the summary or the förbättringsområden (issue 21)."""
    for omrade in OMRADEN:
        bakgrund = {i.kpi for i in example_ds.cat.bakgrund(omrade)}
        names = {example_ds.cat[k].namn for k in bakgrund}
        assert len(bakgrund) >= 3, omrade
        f = build.lan_report(example_ds, "06", omrade, kinds=()).omraden[omrade]
        assert not bakgrund & set(f.tabell.kpi), omrade
        assert not bakgrund & set(f.trender.kpi), omrade
        assert not bakgrund & {k for _, _, kpis in f.kapitel for k in kpis}, omrade
        assert "bakgrund" not in {key for key, _, _ in f.kapitel}, omrade
        rang = f.rangordning
        assert not bakgrund & ({i.kpi for i in rang.mot_riket + rang.forandring} | set(rang.utan_riktning)), omrade
        assert not bakgrund & set(f.forbattringsomraden.kpi), omrade
        assert not any(n in f.sammanfattning.text for n in names), omrade
    # handed a table that holds them, the ranking still leaves them out (not even "utan riktning")
    kpis = [i.kpi for i in example_ds.cat.bakgrund("missbruk")] + ["N35001", "U35538"]
    table = ranking.lan_table(example_ds, "06", kpi=kpis)
    rang = findings.rank(example_ds, table, trends.trend_table(example_ds, lan="06", kpi=kpis))
    ranked = {i.kpi for i in rang.mot_riket + rang.forandring} | set(rang.utan_riktning)
    assert "N35001" in rang.utan_riktning and "U35538" in ranked
    assert not ranked & set(kpis[:-2])
