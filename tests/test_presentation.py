"""`oj presentation`: the deck reopened with python-pptx, checked against the comparison tables,
and converted to PDF by a real LibreOffice (Debian's libreoffice-impress, installed by .ci/run).

Slide images of the LibreOffice rendering go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Emu

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import aggregate, colours, formatting, levels, ranking, summary
from ojlib.analysis.formatting import level_text
from ojlib.cli import main
from ojlib.data import geo
from ojlib.data.dataset import Dataset
from ojlib.render import presentation
from ojlib.report import request

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
PAL = colours.PALETTER["standard"]


def ask(**values) -> request.Request:
    """A deck's request, checked once as `oj presentation` checks it."""
    return request.parse(values, deck=True)


def _hex(colour) -> str:
    return "#" + str(colour).upper()


def _shape(slide, name):
    return next((s for s in slide.shapes if s.name == name), None)


def _nums(values) -> list[float]:
    """Chart values with gaps (None) as NaN, to compare with a frame's column."""
    return [float("nan") if v is None else v for v in values]


@pytest.fixture(scope="module")
def lan06(example_home, tmp_path_factory):
    """The deck of Jönköpings län, missbruk (example data), written and reopened."""
    mp = pytest.MonkeyPatch()
    mp.setenv("OJLIB_HOME", str(example_home))
    from ojlib.data import dataset

    ds = dataset.load_dataset("exempeldata")
    deck = presentation.lan_deck(ds, ask(lan="06", omrade="missbruk"))
    path = presentation.write(deck, tmp_path_factory.mktemp("deck") / "lan06.pptx")
    yield ds, deck, Presentation(str(path)), path
    mp.undo()


def test_slide_count_is_within_the_cap_and_follows_the_report(lan06):
    ds, deck, prs, _ = lan06
    assert len(prs.slides) == len(deck) <= presentation.MAX_BILDER
    kinds = [b.typ for b in deck.bilder]
    assert kinds[:3] == ["titel", "lasanvisning", "bakgrund"]
    assert kinds[-1] == "kallor"
    # the bakgrundsmått: the 13 kommuner, länet and riket in plain cells (white, länet and riket light grey)
    bak = deck.bilder[2]
    assert [r["namn"] for r in bak.data["rader"]][-2:] == ["Länet", "Riket"] and len(bak.data["rader"]) == 15
    table = next(s for s in prs.slides[2].shapes if s.name == "Bakgrundsmått").table
    fills = {str(c.fill.fore_color.rgb) for row in list(table.rows)[1:] for c in row.cells}
    assert fills == {"FFFFFF", "F2F2F2"}
    for kind in ("matris", "indikator", "kommuner", "forbattring"):
        assert kind in kinds
    assert prs.slide_width == Emu(int(13.333 * 914400)) and prs.slide_height == Emu(7.5 * 914400)  # 16:9


def test_the_cap_drops_indicator_slides_and_names_them(example_ds):
    full = presentation.lan_deck(example_ds, ask(lan="06", omrade="missbruk"))
    small = presentation.lan_deck(example_ds, ask(lan="06", omrade="missbruk", max_bilder=len(full) - 1))
    assert len(small) <= len(full) - 1  # one slide less, or two when the reserved "Övriga" room shifts
    dropped = {b.rubrik for b in full.bilder if b.typ == "indikator"} - {b.rubrik for b in small.bilder}
    assert 1 <= len(dropped) <= 2
    others = next(b for b in small.bilder if b.typ == "ovriga")
    assert dropped <= {r["indikator"] for r in others.data["rader"]}
    with pytest.raises(presentation.OjError, match="höj --max-bilder"):
        presentation.lan_deck(example_ds, ask(lan="06", omrade="missbruk", max_bilder=3))


def test_every_numeric_indicator_is_shown_somewhere(lan06):
    ds, deck, _, _ = lan06
    t = ranking.lan_table(ds, "06", "missbruk")
    numeric = {ds.cat[k].namn for k in t.kpi.unique() if ds.cat[k].typ in presentation.NUMERISKA}
    own = {b.rubrik for b in deck.bilder if b.typ == "indikator"}
    others = {r["indikator"] for b in deck.bilder if b.typ == "ovriga" for r in b.data["rader"]}
    assert numeric == own | others and not own & others


def test_ranked_charts_are_native_and_equal_the_comparison_table(lan06):
    ds, deck, prs, _ = lan06
    table = colours.coloured_lan_table(ds, "06", "missbruk")
    kommuner = set(geo.kommuner().query("lan_kod == '06'").kommun_namn)
    seen = 0
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        if bild.typ != "indikator":
            continue
        frame = _shape(slide, "Diagram: kommunerna rangordnade")
        assert frame is not None and frame.has_chart
        chart = frame.chart
        assert chart.part.chart_workbook.xlsx_part is not None  # Redigera data: the embedded workbook
        cats = list(chart.plots[0].categories)
        assert set(cats) == kommuner and len(cats) == len(kommuner)
        rows = table[table.kpi == bild.data["kpi"]].set_index("kommun")
        values = chart.plots[0].series[0].values
        for name, v in zip(cats, values, strict=True):
            expected = rows.at[name, "värde"]
            assert (v is None and expected != expected) or v == pytest.approx(expected)
        fills = [_hex(p.format.fill.fore_color.rgb) for p in chart.plots[0].series[0].points][:len(cats)]
        assert fills == [rows.at[n, "färg"].upper() for n in cats]
        lines = {s.name.split(" ")[0]: s.values for s in chart.plots[1].series}
        assert set(lines) == {"Länet", "Riket"}
        assert all(v == pytest.approx(rows["länet"].iloc[0]) for v in lines["Länet"])
        assert all(v == pytest.approx(rows["riket"].iloc[0]) for v in lines["Riket"])
        ordered = [v for v in values if v is not None]
        desc = ds.cat[bild.data["kpi"]].riktning != "lagre_battre"
        assert ordered == sorted(ordered, reverse=desc)  # ranked, best first
        seen += 1
    assert seen >= 2


def test_trend_charts_show_comparable_years_only(lan06):
    ds, deck, prs, _ = lan06
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        if bild.typ != "indikator":
            continue
        chart = _shape(slide, "Diagram: utveckling över tid").chart
        ind = ds.cat[bild.data["kpi"]]
        years = [int(c) for c in chart.plots[0].categories]
        assert min(years) >= ind.jamforbara_ar[0]
        tr = levels.trend(ds, ind.kpi, lan="06")
        for ser in chart.plots[0].series:
            niva = "län" if ser.name.startswith("Jönköpings län") else "riket"
            part = tr[tr["nivå"] == niva].set_index("år")
            assert _nums(ser.values) == pytest.approx([part.at[y, "värde"] for y in years], nan_ok=True)


def _chart_values(chart) -> list[float]:
    """What a chart shows on its value axis: every series' values, or for a stacked chart the totals."""
    from pptx.enum.chart import XL_CHART_TYPE

    if chart.chart_type == XL_CHART_TYPE.BAR_STACKED:
        series = [list(s.values) for s in chart.plots[0].series]
        return [sum(v or 0 for v in col) for col in zip(*series, strict=True)]
    return [v for plot in chart.plots for s in plot.series for v in s.values if v is not None]


@pytest.mark.parametrize("lan", ["06", "14"])
def test_value_axes_are_scaled_to_the_data(example_ds, lan):
    """Every chart of the Jönköping and Västra Götaland decks: the value axis starts at zero and ends at a
    rounded number at or above the largest value, at most twice it (or 100 for shares that reach above
    50 %) — a fixed 0–100 axis left "Vuxna i frivillig institutionsvård" (0,1–0,4 %) an empty chart."""
    deck = presentation.lan_deck(example_ds, ask(lan=lan, omrade="missbruk"))
    prs = presentation.render(deck)
    checked = 0
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        for shape in slide.shapes:
            if not shape.has_chart:
                continue
            chart = shape.chart
            values = _chart_values(chart)
            top, axis = max(values), chart.value_axis
            where = f"{bild.rubrik} / {shape.name}: största värde {top}, axel {axis.maximum_scale}"
            assert axis.minimum_scale == 0 and axis.maximum_scale is not None, where
            assert top <= axis.maximum_scale, where
            assert axis.maximum_scale <= 2 * top or (axis.maximum_scale == 100 and top > 50
                                                     and bild.data.get("typ") == "andel"), where
            checked += 1
    assert checked >= 10
    small = next(b for b in deck.bilder if b.rubrik == "Vuxna i frivillig institutionsvård")
    assert presentation.axis_maximum(small.data["staplar"]["värden"], percent=True) < 1


def test_axis_maximum_is_a_round_number_above_the_data():
    assert presentation.axis_maximum([0.12, 0.41, None], percent=True) == 0.5
    assert presentation.axis_maximum([2.1, 4.9], percent=True) == 6
    assert presentation.axis_maximum([48.0], percent=True) == 50
    assert presentation.axis_maximum([51.0, 80.0], percent=True) == 100
    assert presentation.axis_maximum([1712.0, 2332.0]) == 2500
    assert presentation.axis_maximum([13]) == 15
    assert presentation.axis_maximum([None, 0.0]) is None


def test_trend_leaves_out_years_before_a_definition_break(example_ds):
    deck = presentation.lan_deck(example_ds, ask(lan="06", omrade="missbruk"))
    # U35519 (Ja/Nej) breaks in 2019; check the rule on a numeric indicator with a break if the catalogue has one
    for b in deck.bilder:
        if b.typ == "indikator":
            ind = example_ds.cat[b.data["kpi"]]
            assert all(int(y) >= ind.jamforbara_ar[0] for y in b.data["trend"]["år"])


def test_matrix_cells_are_coloured_by_level(lan06):
    ds, deck, prs, _ = lan06
    t = ranking.lan_table(ds, "06", "missbruk")
    expected_fill = {"Ja": PAL["bast"], "Nej": PAL["samst"]}
    checked = {"Ja": 0, "Nej": 0, "Delvis": 0, "Saknas": 0}
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        if bild.typ != "matris":
            continue
        table = _shape(slide, "Matris").table
        kpis = bild.data["kpi"]
        for i, (name, _, _) in enumerate(bild.data["rader"], start=1):
            assert table.cell(i, 0).text == name
            for j, kpi in enumerate(kpis, start=1):
                ind = ds.cat[kpi]
                value = t[(t.kpi == kpi) & (t.kommun == name)]["värde"].iloc[0]
                fill = _hex(table.cell(i, j).fill.fore_color.rgb)
                if value != value:
                    assert fill == PAL["saknas"] and table.cell(i, j).text.startswith("Saknas")
                    checked["Saknas"] += 1
                elif ind.typ == "ja_nej":
                    label = "Ja" if value == 1 else "Nej"
                    assert table.cell(i, j).text == label and fill == expected_fill[label]
                    checked[label] += 1
                else:  # a scale: best level green, worst red, a middle level (Delvis) yellow, never by rank
                    levels = sorted(ind.nivaer)
                    assert table.cell(i, j).text == ind.nivaer[int(value)]
                    if value == levels[-1]:
                        assert fill == PAL["bast"]
                    elif value == levels[0]:
                        assert fill == PAL["samst"]
                    else:
                        assert fill not in (PAL["bast"], PAL["samst"], PAL["saknas"])
                        if len(levels) == 3:
                            assert fill == PAL["mitten"]
                            checked["Delvis"] += 1
        rows = len(bild.data["rader"])
        assert table.cell(rows + 1, 0).text == "Länet" and table.cell(rows + 2, 0).text == "Riket"
        for j, kpi in enumerate(kpis, start=1):  # distributions, never a mean of answer codes
            ind = ds.cat[kpi]
            values = t[t.kpi == kpi]["värde"].dropna()
            top = int((values == max(ind.nivaer)).sum())
            text = table.cell(rows + 1, j).text
            # the one aggregation core's distribution, as in the HTML report, and the share at the top level
            assert text.startswith(aggregate.distribution(t[t.kpi == kpi]["värde"], ind).text), text
            assert f"{round(100 * top / len(values))}\u00a0% {level_text(ind.nivaer[max(ind.nivaer)])}" in text, text
    assert all(checked.values()), checked


def test_colour_blind_palette(example_ds, tmp_path):
    deck = presentation.lan_deck(example_ds, ask(lan="06", omrade="missbruk", palett="fargblind"))
    prs = Presentation(str(presentation.write(deck, tmp_path / "fb.pptx")))
    fills = set()
    for slide in prs.slides:
        m = _shape(slide, "Matris")
        if m is not None:
            fills |= {_hex(c.fill.fore_color.rgb) for row in list(m.table.rows)[1:-2] for c in row.cells}
    blind = colours.PALETTER["fargblind"]
    assert {blind["bast"], blind["samst"]} <= fills
    assert not fills & {PAL["bast"], PAL["samst"]}


def test_every_slide_has_a_source_line_the_mark_and_notes(lan06):
    ds, deck, prs, _ = lan06
    for n, slide in enumerate(prs.slides, start=1):
        source = _shape(slide, "Källa")
        assert source is not None, n
        assert source.text.startswith("Källa: ") and " År 20" in source.text, source.text
        mark = _shape(slide, "Exempeldata")
        assert mark is not None and mark.text == EXEMPELDATA_MARK, n
        notes = slide.notes_slide.notes_text_frame.text
        assert len(notes) > 40 and EXEMPELDATA_MARK in notes, n


def test_notes_hold_the_summary(lan06):
    ds, deck, prs, _ = lan06
    points = summary.lan_summary(ds, "06", "missbruk").punkter
    title_notes = prs.slides[0].notes_slide.notes_text_frame.text
    for p in points:
        assert p in title_notes
    t = ranking.lan_table(ds, "06", "missbruk")
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        if bild.typ == "indikator":
            first = t[t.kpi == bild.data["kpi"]].iloc[0]
            ind = ds.cat[first.kpi]
            notes = slide.notes_slide.notes_text_frame.text
            assert f"Länet {formatting.format_value(first['länet'], ind, True)} ({first['länet_avser']})" in notes


def test_summary_slide_counts_per_kommun(lan06):
    ds, deck, prs, _ = lan06
    t = ranking.lan_table(ds, "06", "missbruk")
    svar = t[t.typ.isin(["ja_nej", "skala"])]
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        if bild.typ != "kommuner":
            continue
        chart = _shape(slide, "Diagram: svar per kommun").chart
        cats = list(chart.plots[0].categories)
        totals = [sum(s.values[i] for s in chart.plots[0].series) for i in range(len(cats))]
        for name, total in zip(cats, totals, strict=True):
            assert total == (svar.kommun == name).sum()
        ja = next(s for s in chart.plots[0].series if s.name.startswith("Ja"))
        for name, v in zip(cats, ja.values, strict=True):
            mine = svar[svar.kommun == name]
            top = sum(1 for _, r in mine.iterrows() if r["värde"] == max(ds.cat[r.kpi].nivaer))
            assert v == top


def test_summary_and_improvements_are_the_reports_own(lan06):
    """The sammanfattande bild and förbättringsområden come from ojlib.report.lansrapport, as in the HTML report."""
    from ojlib.report import lansrapport

    ds, deck, prs, _ = lan06
    table = colours.coloured_lan_table(ds, "06", "missbruk")
    report = lansrapport.kommun_summary(ds, table).set_index("kommun")
    areas = lansrapport.improvement_areas(ds, table)
    assert len(areas), "the example län needs förbättringsområden for this test to compare rows"
    seen = set()
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        seen.add(bild.typ)
        if bild.typ == "kommuner":
            t = _shape(slide, "Sammanfattning per kommun").table
            heads = [c.text for c in t.rows[0].cells]
            ja = heads.index("Ja av besvarade Ja/Nej-frågor")
            change = heads.index("Sedan föregående jämförbara år (▲ bättre, ▼ sämre)")
            for row in list(t.rows)[1:]:
                r = report.loc[row.cells[0].text]
                assert row.cells[ja].text == f"{r.ja} av {r.ja_med_svar}"
                assert row.cells[change].text == f"▲ {r.svar_upp + r.tal_upp}   ▼ {r.svar_ned + r.tal_ned}"
        if bild.typ == "forbattring":
            t = _shape(slide, "Förbättringsområden").table
            assert [row.cells[0].text for row in list(t.rows)[1:]] == list(areas.indikator)[:len(t.rows) - 1]
            assert [row.cells[3].text for row in list(t.rows)[1:]] == list(areas.text)[:len(t.rows) - 1]
            assert lansrapport.REGLER[0] in slide.notes_slide.notes_text_frame.text
    assert {"kommuner", "forbattring"} <= seen, seen


def test_real_data_deck_has_no_example_mark_and_names_what_is_missing(example_ds, tmp_path):
    df = example_ds.df[example_ds.df.kpi != "U35538"].assign(kalla="kolada")
    kolada = Dataset(df=df, kalla="kolada", info={"hamtad": "2026-03-01"})
    deck = presentation.lan_deck(kolada, ask(lan="06", omrade="missbruk"))
    prs = Presentation(str(presentation.write(deck, tmp_path / "k.pptx")))
    for slide in prs.slides:
        assert _shape(slide, "Exempeldata") is None
        assert _shape(slide, "Källa").text.startswith(("Källa: Kolada", "Bearbetning av data från Kolada"))
        assert EXEMPELDATA_MARK not in slide.notes_slide.notes_text_frame.text
    sources = _shape(prs.slides[-1], "Text").text
    assert "Saknas i datakällan (Missbruk): Brukarbedömning: få kontakt (U35538" in sources


def test_mixed_sources_name_each_and_keep_the_example_mark(example_ds, tmp_path):
    df = example_ds.df.copy()
    df["kalla"] = df.kalla.where(df.kpi.str.startswith("U"), "kolada")  # costs (N…) from "Kolada"
    mixed = Dataset(df=df, kalla="kolada,exempeldata", info={"kallor": {"kolada": {"hamtad": "2026-03-01"}}})
    deck = presentation.lan_deck(mixed, ask(lan="06", omrade="missbruk"))
    prs = Presentation(str(presentation.write(deck, tmp_path / "m.pptx")))
    seen = set()
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        assert _shape(slide, "Exempeldata") is not None
        line = _shape(slide, "Källa").text
        if bild.typ == "indikator":
            cost = bild.data["kpi"].startswith("N")
            assert ("Kolada" in line) == cost and (EXEMPELDATA_MARK in line) == (not cost), line
            seen.add(cost)
    assert seen == {True, False}


def test_kommun_deck(example_ds, tmp_path):
    deck = presentation.kommun_deck(example_ds, ask(kommun="0680", omrade="missbruk"))
    prs = Presentation(str(presentation.write(deck, tmp_path / "k.pptx")))
    assert "Jönköping" in prs.slides[0].shapes.title.text
    improvements = next(b for b in deck.bilder if b.typ == "forbattring")
    answers = [r for r in improvements.data["rader"] if example_ds.cat[r["kpi"]].typ in ("ja_nej", "skala")]
    assert answers, "the example kommun needs an answer among its förbättringsområden for this test"
    for r in answers:  # a kommun's own answer is named as an answer, never as a share or a difference of codes
        ind = example_ds.cat[r["kpi"]]
        labels = "|".join(re.escape(x) for x in ind.nivaer.values())
        assert re.match(rf"Jönköping (svarar ({labels});|: ({labels}) \(\d{{4}}\) → ({labels}) )", r["text"]), r
    rules = next(b for b in deck.bilder if b.typ == "forbattring").data["regel"]
    assert rules.startswith("Kommunen långt under riket")
    for slide, bild in zip(prs.slides, deck.bilder, strict=True):
        if bild.typ == "indikator":
            trend = _shape(slide, "Diagram: utveckling över tid").chart
            assert trend.plots[0].series[0].name == "Jönköping"
            tr = levels.trend(example_ds, bild.data["kpi"], kommun="0680")
            years = [int(c) for c in trend.plots[0].categories]
            own = tr[tr["nivå"] == "kommun"].set_index("år")
            assert _nums(trend.plots[0].series[0].values) == pytest.approx([own.at[y, "värde"] for y in years],
                                                                           nan_ok=True)


# ---------------------------------------------------------------- the command

def _run(args, capsys) -> tuple[int, str, str]:
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_writes_a_deck(example_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    target = tmp_path / "ut" / "lan.pptx"
    rc, out, err = _run(["presentation", "--lan", "06", "--omrade", "missbruk", "--ut", str(target),
                         "--max-bilder", "14", "--palett", "fargblind"], capsys)
    assert rc == 0, err  # 13 fixed slides since the bakgrundsmått slide: a cap of 14 leaves one to choose
    assert target.exists() and "högst 14" in out and EXEMPELDATA_MARK in out
    assert len(Presentation(str(target)).slides) <= 14
    rc, out, err = _run(["presentation", "-f", "lansanalys_jonkoping"], capsys)
    assert rc == 0, err
    assert (example_home / "utdata" / "presentation-06-missbruk.pptx").exists()
    (example_home / "utdata" / "presentation-06-missbruk.pptx").unlink()


@pytest.mark.parametrize("args", [
    ["--lan", "99"], ["--kommun", "9999"], ["--lan", "06", "--ar", "tjugo"], ["--kommun", "Narnia"],
    ["--lan", "06", "--datakalla", "kolada"],
])
def test_bad_input_gets_the_same_sentence_as_oj_rapport(args, example_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    target = tmp_path / "x.pptx"
    rc, _, err = _run(["presentation", *args, "--ut", str(target)], capsys)
    rc2, _, err2 = _run(["rapport", *args, "--ut", str(tmp_path / "x.html")], capsys)
    assert rc != 0 and rc2 != 0
    sentence = [line for line in err.splitlines() if line.startswith("Fel:")]
    assert sentence and sentence == [line for line in err2.splitlines() if line.startswith("Fel:")]
    assert not target.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize("args, text", [
    (["--lan", "06", "--omrade", "foo"], "Okänt område 'foo'"),
    (["--lan", "06", "--ar", "1990"], "Det finns inga värden för år 1990"),
    (["--lan", "06", "--palett", "rosa"], "Okänd färgpalett 'rosa'"),
    (["--lan", "06", "--max-bilder", "x"], "--max-bilder ska vara ett positivt heltal"),
    (["--lan", "06", "--ut", "deck.pdf"], "ska sparas som .pptx"),
    (["--lan", "06", "--ut", "/proc/ingen/deck.pptx"], "kan inte skapas"),
    (["--lan", "06", "--indikatorer", "U99999"], "KPI 'U99999' finns inte"),
    ([], "Ange --lan"),
])
def test_bad_input_is_one_swedish_sentence(args, text, example_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    monkeypatch.chdir(tmp_path)
    rc, _, err = _run(["presentation", *args], capsys)
    assert rc == 2 and err.count("Fel:") == 1 and text in err, err
    assert not list(tmp_path.iterdir())


def test_a_failed_write_leaves_the_old_file_and_no_debris(example_ds, tmp_path, monkeypatch):
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"old deck")
    deck = presentation.lan_deck(example_ds, ask(lan="06", omrade="missbruk"))

    def broken_save(self, path):
        Path(path).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr("pptx.presentation.Presentation.save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        presentation.write(deck, target)
    assert target.read_bytes() == b"old deck"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.pptx"]


# ---------------------------------------------------------------- LibreOffice

def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_libreoffice_converts_the_deck(lan06, tmp_path):
    """A real office suite reads the deck: one PDF page per slide; two slides saved as PNG."""
    if _soffice() is None:
        if os.environ.get("OJLIB_KRAV_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice (soffice) saknas; installera Debian-paketet libreoffice-impress.")
        pytest.skip("LibreOffice (soffice) saknas; .ci/run installerar libreoffice-impress")
    _, deck, _, path = lan06
    profile = tmp_path / "lo-profile"
    subprocess.run([_soffice(), "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=240, capture_output=True)
    pdf = tmp_path / (path.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == len(deck)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert text.count("Exempeldata – inte verkliga resultat") >= len(deck)
    # the axes' numbers in Swedish in LibreOffice too (its own language is English here): 0,5 and 2 500
    ticks = re.findall(r"^\s*(\d[\d\s.,]*)$", text, re.MULTILINE)
    assert any(re.fullmatch(r"\d+,\d+", t.strip()) for t in ticks), ticks
    assert any(re.fullmatch(r"\d{1,3}(\s\d{3})+", t.strip()) for t in ticks), ticks
    assert not any(re.fullmatch(r"\d+\.\d+|\d{1,3}(,\d{3})+", t.strip()) for t in ticks), ticks
    ARTIFACTS.mkdir(exist_ok=True)
    kinds = [b.typ for b in deck.bilder]
    # the matrix, and the indicator whose values are smallest (its axis scaled to them, not to 100)
    smallest = min((i for i, k in enumerate(kinds) if k == "indikator"),
                   key=lambda i: max(v for v in deck.bilder[i].data["staplar"]["värden"] if v is not None))
    for kind, page in (("matris", kinds.index("matris") + 1), ("indikator", smallest + 1)):
        stem = ARTIFACTS / f"presentation-06-missbruk-{kind}"
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                        str(stem)], check=True, timeout=120)
        assert stem.with_suffix(".png").stat().st_size > 10_000


# ---------------------------------------------------------------- oj rapporter --presentation

def test_batch_writes_a_deck_beside_each_report_and_the_site_links_it(example_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    out = tmp_path / "site"
    rc, stdout, err = _run(["rapporter", "--lan", "06", "--omrade", "missbruk", "--presentation", "--ut", str(out),
                            "--jobb", "1", "--format", "csv"], capsys)
    assert rc == 0, err
    page, deck = out / "lansanalys-06-missbruk.html", out / "lansanalys-06-missbruk.pptx"
    assert page.exists() and deck.exists() and "Presentationer (.pptx) bredvid rapporterna: 1." in stdout
    table = page.with_suffix(".csv")  # --format: the registry's other formats beside the site's pages
    assert f"CSV: {table.resolve()}" in stdout and "Jönköping" in table.read_text(encoding="utf-8-sig")
    prs = Presentation(str(deck))
    assert 0 < len(prs.slides) <= presentation.MAX_BILDER
    assert "Jönköpings län" in prs.slides[0].shapes.title.text
    assert _shape(prs.slides[0], "Exempeldata") is not None
    assert 'href="lansanalys-06-missbruk.pptx"' in (out / "index.html").read_text(encoding="utf-8")
    assert 'class="presentation" href="lansanalys-06-missbruk.pptx"' in page.read_text(encoding="utf-8")
    # an up-to-date page without its deck gets one, without running the report again
    deck.unlink()
    rc, stdout, err = _run(["rapporter", "--lan", "06", "--omrade", "missbruk", "--presentation", "--ut", str(out)],
                           capsys)
    assert rc == 0 and deck.exists() and "0 sidor byggda, 1 var redan aktuella" in stdout, stdout + err


def test_a_rebuilt_page_without_presentation_loses_its_old_deck(tmp_path):
    from types import SimpleNamespace

    from ojlib.publish import site

    (tmp_path / "a.pptx").write_bytes(b"old")
    (tmp_path / "b.pptx").write_bytes(b"kept")
    build = site.SiteBuild(tmp_path, results=[SimpleNamespace(ok=True, job=SimpleNamespace(name="a"))],
                           up_to_date=[SimpleNamespace(name="b")])
    assert site.write_decks(tmp_path, build, None) is True
    assert not (tmp_path / "a.pptx").exists() and (tmp_path / "b.pptx").exists()


def test_a_failing_deck_is_listed_and_the_page_stays(tmp_path):
    from types import SimpleNamespace

    from ojlib.base.errors import OjError
    from ojlib.publish import site

    def broken(job, target):
        raise OjError("Taket på 3 bilder räcker inte.")

    job = SimpleNamespace(name="a")
    build = site.SiteBuild(tmp_path, results=[SimpleNamespace(ok=True, job=job)])
    assert site.write_decks(tmp_path, build, broken) is False
    assert build.deck_failures == [(job, "Taket på 3 bilder räcker inte.")]
