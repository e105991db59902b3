"""The report model: one Report per report, its sections drawn by every renderer (issue 18)."""

from __future__ import annotations

from ojlib.analysis import colours
from ojlib.render import sections
from ojlib.report import build, lansrapport
from ojlib.report.model import SECTION_KINDS


def test_every_kind_of_section_has_a_drawing():
    assert set(sections.DRAW) == set(SECTION_KINDS)


def test_a_reports_sections_in_order_with_the_comment_files_headings(example_ds):
    report = build.lan_report(example_ds, "06", "missbruk")
    kinds = [s.typ for s in report.sections]
    assert kinds[:3] == ["saknas", "inledning", "sammanfattning"]
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
