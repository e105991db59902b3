"""Figures are inspected as objects: traces, labels, source line, exempeldata mark, map extent."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest
import shapely

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import aggregate, colours, kon, levels
from ojlib.data import geo
from ojlib.data.catalog import Catalogue, Indicator
from ojlib.data.dataset import Dataset, validate
from ojlib.render import figures


def annotations(fig) -> dict[str, str]:
    return {a.name: a.text for a in fig.layout.annotations if a.name}


@pytest.fixture
def lan_table(example_ds):
    return colours.coloured_lan_table(example_ds, "06", "missbruk")


@pytest.fixture
def kolada_ds():
    ind = Indicator(kpi="U00001", omrade="missbruk", namn="Andel test", titel="t", beskrivning="b", typ="andel",
                    riktning="hogre_battre", enhet="procent", ar_fran=2023, ar_till=2024, kon=False, katalog="test")
    rows = [{"kpi": "U00001", "kod": k, "niva": "kommun", "ar": a, "kon": "T", "varde": v, "status": None,
             "antal": None, "kalla": "kolada"}
            for k, v in zip(geo.kommuner().kommun_kod, range(290), strict=True) for a in (2023, 2024)]
    rows += [{"kpi": "U00001", "kod": "0006", "niva": "lan", "ar": 2024, "kon": "T", "varde": 50.0, "status": None,
              "antal": None, "kalla": "kolada"}]
    return Dataset(df=validate(pd.DataFrame(rows)), kalla="kolada", catalogue=Catalogue([ind]))


def test_ranked_bars_show_the_lan_ranked_with_labelled_lines(example_ds, lan_table):
    fig = figures.ranked_bars(lan_table, "U35538")
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    assert len(bars) == 1 and len(bars[0].y) == 13
    rows = lan_table[lan_table.kpi == "U35538"]
    best = rows.sort_values("värde", ascending=False).iloc[0]
    assert bars[0].y[0] == best.kommun and bars[0].x[0] == best["värde"]
    # missing kommuner last, with their reason as the bar text
    n_missing = int(rows["värde"].isna().sum())
    assert n_missing and all(t in ("sekretess", "bortfall") for t in bars[0].text[-n_missing:])
    lines = {t.name.split(":")[0]: t.name for t in fig.data if isinstance(t, go.Scatter) and t.mode == "lines"}
    assert set(lines) == {"Länet", "Riket"}
    assert "ovägt medel av kommunerna" in lines["Länet"]
    # the values stand in a column right of the bars (a second axis over the same kommuner), not on the bars
    # where the länet and riket lines would cross them
    assert bars[0].textposition == "none"
    assert list(fig.layout.yaxis2.ticktext) == list(bars[0].text)
    # the second axis spans the bars' range, a tick per bar at its place (category i at i), not the names again
    assert list(fig.layout.yaxis2.tickvals) == list(range(len(bars[0].y)))
    assert list(fig.layout.yaxis2.range) == list(fig.layout.yaxis.range) == [len(bars[0].y) - 0.5, -0.5]
    assert "Brukarbedömning: få kontakt (2025)" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "Procent"
    notes = annotations(fig)
    # the source line of example data is the mark: shown once, red and bold, no second mark beside it
    assert notes["kalla"] == f"<b><span style='color:#B00020'>{EXEMPELDATA_MARK}</span></b>"
    assert "exempeldata" not in notes and sum(EXEMPELDATA_MARK in n for n in notes.values()) == 1
    assert fig.layout.separators == ", "  # decimal comma and space between thousands on axes and hovers
    assert colours.FORKLARING in notes["forklaring"].replace("<br>", " ")
    assert fig.layout.meta == {"kalla": "exempeldata", "exempeldata": True}
    assert list(bars[0].marker.color) == list(rows.set_index("kommun").loc[list(bars[0].y), "färg"])


def test_ranked_bars_ja_nej_and_kommungrupp_markers(lan_table):
    fig = figures.ranked_bars(lan_table, "U35519")
    rows = lan_table[lan_table.kpi == "U35519"]
    share = aggregate.ja_share(rows["värde"])
    assert f"{share['antal_ja']} av {share['antal_med_svar']} kommuner med svar har Ja" in fig.layout.title.text
    assert set(fig.data[0].text) <= {"Ja", "Nej", "bortfall"}
    fig = figures.ranked_bars(lan_table, "U35538", jamforelse="kommungrupp")
    assert any(t.name == "Kommungruppen (ovägt medel)" for t in fig.data)


def test_kolada_figures_credit_kolada_and_carry_no_example_mark(kolada_ds):
    fig = figures.ranked_bars(colours.coloured_lan_table(kolada_ds, "06"), "U00001")
    notes = annotations(fig)
    assert "exempeldata" not in notes
    assert notes["kalla"] == "Bearbetning av data från Kolada"
    assert any("publicerat värde (Kolada)" in (t.name or "") for t in fig.data)


def test_trend_leaves_a_gap_at_the_definition_break(example_ds):
    tr = levels.trend(example_ds, "U35519", kommun="0680")
    fig = figures.trend(tr)
    names = [t.name for t in fig.data]
    assert names[0].startswith("Jönköping") and names[1].startswith("Jönköpings län (andel kommuner med Ja")
    assert names[2].startswith("Riket")
    for t in fig.data:  # 2018 | gap | 2019–2024: the line never joins the two definitions
        assert list(t.x) == [2018, None, 2019, 2020, 2021, 2022, 2023, 2024]
        assert t.y[1] is None and t.connectgaps is False
        assert t.text[1] == "" and not any("None" in h for h in t.text)  # the gap has no label
        assert t.hovertemplate == f"{t.name.split(' (')[0]} %{{x}}: %{{text}}<extra></extra>"
    assert "Definitionsändring 2019" in annotations(fig)["brott"]
    assert fig.layout.xaxis.title.text == "År" and fig.layout.yaxis.title.text == "Andel kommuner med Ja (%)"
    kommun = fig.data[0]
    assert set(kommun.y[2:]) <= {0.0, 100.0} and set(kommun.text[2:]) <= {"Ja", "Nej", "–"}


def test_trend_of_a_scale_shows_the_share_at_its_top_level_not_a_mean_of_codes(example_ds):
    tr = levels.trend(example_ds, "U35537", lan="06")
    fig = figures.trend(tr)
    assert fig.layout.yaxis.title.text == "Andel kommuner med ”Inom 3 dagar” (%)"
    lan = tr[tr["nivå"] == "län"].dropna(subset=["värde"])
    assert lan["värde"].between(0, 100).all() and lan["värde_text"].str.endswith("% ”Inom 3 dagar”").all()
    assert "brott" not in annotations(fig)


def test_overview_heatmap(lan_table):
    fig = figures.overview(lan_table)
    heat = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heat) == 1
    z = heat[0].z
    n_kpi = lan_table.kpi.nunique()
    assert len(z) == 13 + 2 and len(z[0]) == n_kpi
    assert list(heat[0].y[-2:]) == ["Länet", "Riket"]
    legend = {t.name for t in fig.data if isinstance(t, go.Scatter)}
    assert {"Ja", "Nej", "Värde ≥ 75:e percentilen"} <= legend
    assert "Översikt: Jönköpings län" in fig.layout.title.text
    assert colours.FORKLARING in annotations(fig)["forklaring"].replace("<br>", " ")


def test_sweden_map_is_one_trace_with_290_kommuner(example_ds):
    nat = colours.coloured_kommun_table(example_ds, "missbruk")
    fig = figures.choropleth(nat, "U35538")
    assert len(fig.data) == 1
    trace = fig.data[0]
    assert isinstance(trace, go.Choropleth)
    assert len(trace.locations) == 290 and len(set(trace.locations)) == 290
    assert trace.featureidkey == "properties.kommun_kod"
    feats = trace.geojson["features"]
    assert len(feats) == 290 and {f["properties"]["kommun_kod"] for f in feats} == set(trace.locations)
    assert fig.layout.geo.projection.type == "mercator"
    assert fig.layout.geo.fitbounds == "locations" and fig.layout.geo.visible is False
    # stepped scale: one colour band per class, grey "Saknas" first
    assert list(trace.colorbar.ticktext) == ["Saknas", "Värde ≤ 25:e percentilen",
                                             "Mellan 25:e och 75:e percentilen", "Värde ≥ 75:e percentilen"]
    assert trace.zmin == 0 and trace.zmax == 4
    size = len(fig.to_json())
    assert size < 300_000, size
    assert EXEMPELDATA_MARK in annotations(fig)["kalla"]


def test_lan_map_holds_only_the_lans_kommuner(lan_table):
    fig = figures.choropleth(lan_table, "U35519")
    trace = fig.data[0]
    assert sorted(trace.locations) == geo.kommuner_i_lan("06")
    assert len(trace.geojson["features"]) == 13
    assert list(trace.colorbar.ticktext) == ["Saknas", "Nej", "Ja"]
    assert len(fig.to_json()) < 40_000


def test_map_rings_are_clockwise_for_d3():
    gj = figures.kommun_geojson(geo.kommuner_i_lan("06"))
    for f in gj["features"]:
        for poly in shapely.get_parts(shapely.geometry.shape(f["geometry"])):
            assert not shapely.is_ccw(poly.exterior)


def test_sex_differences_dumbbell(example_ds):
    s = kon.sex_differences(example_ds, lan="06", omrade="missbruk")
    fig = figures.sex_differences(s, "U35538")
    assert [t.name for t in fig.data] == ["Skillnad", "Kvinnor", "Män"]
    have = s[(s.kpi == "U35538") & s.kvinnor.notna() & s["män"].notna()]
    assert len(fig.data[1].x) == len(have)
    assert "Kvinnor och män" in fig.layout.title.text


def test_figures_are_deterministic(example_ds, lan_table):
    a = figures.ranked_bars(lan_table, "U35538").to_json()
    b = figures.ranked_bars(colours.coloured_lan_table(example_ds, "06", "missbruk"), "U35538").to_json()
    assert a == b
    assert '"uid"' not in a
    fig = json.loads(figures.choropleth(lan_table, "U35538").to_json())
    assert "uid" not in fig["data"][0]


def test_a_frame_without_source_is_refused():
    frame = pd.DataFrame({"kpi": ["X"]})
    with pytest.raises(ValueError, match="source"):
        figures.ranked_bars(frame, "X")


def test_hover_names_each_point_without_repeating_the_page(example_ds, lan_table):
    """Bars hover "Kommun: value (colour class)" from their own y and text; over-time panels hover
    each point with its own year, also after a definition break (a gap in the line)."""
    from ojlib.report import lansrapport

    bar = figures.ranked_bars(lan_table, "U35538").data[0]
    assert bar.hovertemplate == "%{y}: %{text} (%{customdata})<extra></extra>"
    rows = lan_table[lan_table.kpi == "U35538"].set_index("kommun")
    for name, text, klass in zip(bar.y, bar.text, bar.customdata, strict=True):
        assert text == rows.at[name, "värde_text"] and klass == rows.at[name, "färgklass"]
    fig = figures.over_time(lansrapport.answer_shares_over_time(example_ds, "06", ["U35519"]))
    gaps = 0
    for t in fig.data:
        assert len(t.text) == len(t.x)
        for x, y, text in zip(t.x, t.y, t.text, strict=True):
            gaps += x is None
            assert (text == "") == (x is None)
            assert x is None or y is None or text.endswith("% med Ja")
    assert gaps  # U35519 has a definition break in 2019


def test_the_marked_kommun_is_outlined_and_bold_in_its_hover(example_ds):
    """A kommun among its peers: its bar alone outlined (a width per bar, one colour), its name bold on the
    axis and so in its hover, which comes from the bar's own y, text and colour class like every other bar."""
    from ojlib.analysis import peers

    grupp = colours.classify(peers.peer_table(example_ds, "0680", "missbruk", None), inom="tabellen")
    kpi = grupp.loc[grupp.riktning.notna() & (grupp.typ == "andel"), "kpi"].iloc[0]
    bar = figures.ranked_bars(grupp, kpi=kpi, markera="0680", kompakt=True).data[0]
    assert bar.hovertemplate == "%{y}: %{text} (%{customdata})<extra></extra>" and bar.hovertext is None
    outlined = [y for y, w in zip(bar.y, bar.marker.line.width, strict=True) if w]
    assert outlined == ["<b>Jönköping</b>"] and bar.marker.line.color == "#000000"
    assert len(bar.y) == len(grupp[grupp.kpi == kpi]) > 2


def test_over_time_parts_each_fit_a_page_and_keep_every_panel_in_order(example_ds, lan_table):
    """Jönköping's 26 small panels were one 1 410 px figure, cut by the page when printed: now figures of at most
    four rows (16 panels at four to a row), each under 900 px, titled "(1 av 2)" …, holding together the panels
    of the one figure in the same order."""
    from ojlib.report import lansrapport

    answers, trends = lansrapport.over_time_frames(example_ds, "06", lan_table)
    whole = figures.over_time(answers, trends, title="Över tid", columns=6)
    parts = figures.over_time_parts(answers, trends, title="Över tid", columns=6)

    def panels(fig):
        return [a.text for a in fig.layout.annotations if a.text.startswith("<b>") and EXEMPELDATA_MARK not in a.text]

    assert len(panels(whole)) > 16 and len(parts) == -(-len(panels(whole)) // 16)
    assert [t for p in parts for t in panels(p)] == panels(whole)
    assert all(len(panels(p)) <= 16 and p.layout.height < 900 for p in parts), [p.layout.height for p in parts]
    assert [p.layout.title.text.split("</b>")[0] for p in parts] == [
        f"<b>Över tid ({n} av {len(parts)})" for n in range(1, len(parts) + 1)]
    assert sum(len(p.data) for p in parts) == len(whole.data)
    assert figures.over_time_parts(answers, None, title="Svar")[0].layout.title.text.startswith("<b>Svar</b>")


def test_compact_trend_names_its_definition_break_under_the_title_not_in_the_plot(example_ds):
    """Two to a row (the profile; printed 340 px wide, about 90 px of plot) the note "Definitionsändring 2019: …"
    inside the plot ran over the lines and the axis' top value: there it is two lines under the title, in the
    break's red, the figure 36 px taller so the plot keeps its height; the dotted line stays in the plot."""
    tr = levels.trend(example_ds, "U35519", kommun="0680")
    wide, small = figures.trend(tr), figures.trend(tr, kompakt=True)
    assert "Definitionsändring 2019" in annotations(wide)["brott"]
    assert "brott" not in annotations(small) and len(small.layout.shapes) == 1
    title = small.layout.title.text
    assert "┆ Definitionsändring 2019:</span><br><span style='color:#B00020'>tidigare år är inte jämförbara" in title
    plain = figures.trend(levels.trend(example_ds, "U35538", kommun="0680"), kompakt=True)
    assert "Definitionsändring" not in plain.layout.title.text
    rows = small.layout.height - small.layout.margin.t - small.layout.margin.b
    assert rows == plain.layout.height - plain.layout.margin.t - plain.layout.margin.b  # the same plot height
