"""The länsrapport's own sections: answer distributions (never a mean of codes), colours by level,
chapters by kvalitetsområde, the sammanfattande bild, förbättringsområden by their rules, and the
views that show them."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ojlib.analysis import aggregate, colours, formatting, levels, ranking, trends
from ojlib.data import dataset, omraden
from ojlib.render import figures, views
from ojlib.report import lansrapport


@pytest.fixture
def lan06(example_ds):
    return colours.coloured_lan_table(example_ds, "06", "missbruk")


def test_distribution_counts_answers_and_share_at_top():
    class Ind:
        nivaer = {3: "Inom 3 dagar", 2: "4-7 dagar", 1: "8-14 dagar", 0: "mer än 15 dagar"}
        typ = "skala"

    d = aggregate.distribution([3, 3, 2, 0, None, 1, 3], Ind)
    assert d.antal_med_svar == 6 and d.antal_saknas == 1 and d.andel_topp == 50.0
    assert lansrapport.shares_text(d) == "Inom 3 dagar: 50 %; 4-7 dagar: 17 %; 8-14 dagar: 17 %; mer än 15 dagar: 17 %"


def test_answer_distributions_match_the_kommuner(example_ds, lan06):
    dist = lansrapport.answer_distributions(example_ds, lan06).set_index("kpi")
    assert set(dist.typ) == {"ja_nej", "skala"}
    full = ranking.kommun_table(example_ds, "missbruk")
    for kpi, row in dist.iterrows():
        mine = lan06[lan06.kpi == kpi]["värde"].dropna()
        d = aggregate.distribution(lan06[lan06.kpi == kpi]["värde"], example_ds.cat[kpi])
        assert row.länet_fördelning == d.text and row.länet_med_svar == len(mine)
        assert {code: n for code, _, n in d.nivaer if n} == mine.round().astype(int).value_counts().to_dict()
        everyone = full[(full.kpi == kpi)]["värde"].dropna()
        top = aggregate.top_level(example_ds.cat[kpi])
        assert row.riket_andel_topp == pytest.approx(100 * (everyone.round() == top).mean(), abs=0.05)
        assert row.riket_med_svar == len(everyone)


def test_no_mean_of_answer_codes_in_the_answer_views(example_ds, lan06):
    """A scale's län value is never shown as a decimal level (the mean of codes, e.g. "1,23")."""
    matrix = views.answer_matrix(example_ds, lan06).html
    intro = views.chapter_intro(example_ds, lan06, list(lan06.kpi.unique())).html
    for _kpi, rows in lan06[lan06.typ.isin(["ja_nej", "skala"])].groupby("kpi"):
        mean = rows["värde"].mean()  # the mean of the answer codes, e.g. 1,23
        for text in {f"{mean:.2f}".replace(".", ",")}:
            if abs(mean - round(mean)) > 0.005:
                assert re.search(rf"(?<![\d,]){re.escape(text)}(?![\d])", matrix + intro) is None, text
    assert "av 13 kommuner Ja" in matrix and "<strong>85\u00a0% Ja</strong>" in matrix


def test_answer_levels_with_a_comma_stay_whole_in_the_matrix(example_ds, lan06):
    """Länet's and riket's cells put each level on a line of its own; a level whose label holds a comma
    ("Ja, för alla") stays on one line: the lines are the distribution's parts, not its text split at commas."""
    matrix = views.answer_matrix(example_ds, lan06).html
    dist = lansrapport.answer_distributions(example_ds, lan06).set_index("kpi")
    scales = [k for k in dist.index if any("," in label for label in example_ds.cat[k].nivaer.values())]
    assert scales
    for kpi in scales:
        for col in ("länet", "riket"):
            lines = dist.at[kpi, f"{col}_rader"]
            assert (", " if col == "länet" else "; ").join(lines) == dist.at[kpi, f"{col}_fördelning"]
            assert "<br>".join(lines).replace('"', "&quot;") in matrix
        labels = [label for label in example_ds.cat[kpi].nivaer.values() if "," in label]
        assert any(f"\u201d{label}\u201d" in line for label in labels for line in dist.at[kpi, "länet_rader"])
        assert any(line.startswith(f"{label}: ") for label in labels for line in dist.at[kpi, "riket_rader"])
    assert "<br>för alla" not in matrix and "<br>men inte för vissa" not in matrix


def test_same_answer_same_colour_in_every_column(example_ds, lan06):
    html = views.answer_matrix(example_ds, lan06).html
    rules = dict(re.findall(r"\.oj-matris td\.(m[0-9A-F]{6})\{background:(#[0-9A-F]{6});color:#[0-9A-F]{6}\}", html))
    fills: dict[str, set[str]] = {}
    for klass, text in re.findall(r'<td class="(m[0-9A-F]{6})"[^>]*>([^<]*)</td>', html):
        fills.setdefault(text, set()).add(rules[klass])  # every class used has its rule
    assert "<td style=" not in html
    assert fills["Ja"] == {colours.PALETTER["standard"]["bast"]}
    assert fills["Nej"] == {colours.PALETTER["standard"]["samst"]}
    assert all(len(v) == 1 for v in fills.values()), fills
    three = {"Ja, för alla": "bast", "Ja, men inte för vissa": "mitten"}
    for label, key in three.items():
        if label in fills:
            assert fills[label] == {colours.PALETTER["standard"][key]}


def test_chapters_follow_the_kvalitetsomraden(example_ds, lan06):
    kpis = list(dict.fromkeys(lan06.kpi))
    chapters = lansrapport.chapters(example_ds, kpis)
    order = [k.key for k in omraden.kvalitetsomraden()]
    keys = [c[0] for c in chapters]
    assert keys == sorted(keys, key=order.index)
    assert sorted(k for c in chapters for k in c[2]) == sorted(kpis)  # every indicator in one chapter
    titles = dict((k.key, k.titel) for k in omraden.kvalitetsomraden())
    assert all(title == titles[key] for key, title, _ in chapters)


def test_kommun_summary_counts(example_ds, lan06):
    summary = lansrapport.kommun_summary(example_ds, lan06)
    assert len(summary) == lan06.kommunkod.nunique()
    tt = trends.trend_table(example_ds, lan="06", omrade="missbruk")
    for r in summary.itertuples():
        mine = lan06[(lan06.kommunkod == r.kommunkod) & (lan06.typ == "ja_nej")]
        assert r.ja == int((mine["värde"] == 1).sum()) and r.ja_med_svar == int(mine["värde"].notna().sum())
        answers = tt[(tt.kod == r.kommunkod) & tt.typ.isin(["ja_nej", "skala"]) & tt.riktning.notna()]
        assert r.svar_upp == int((answers.bedömning == "förbättring").sum())
        assert r.svar_ned == int((answers.bedömning == "försämring").sum())
    html = views.kommun_summary_table(summary).html
    assert "▲" in html and "▼" in html and "Jönköping" in html
    # each kommun's counts after their arrows, in their colours (the notes say what the arrows mean)
    for r in summary.itertuples():
        svar = (f"<td><i class=u>▲&nbsp;{r.svar_upp}</i> <i class=n>▼&nbsp;{r.svar_ned}</i> "
                f"<i class=l>●&nbsp;{r.svar_lika}</i></td>")
        assert f"<th scope='row'>{r.kommun}</th>" in html and svar in html.split(f"<th scope='row'>{r.kommun}</th>")[1]
    assert "▲ förbättring, ▼ försämring, ● oförändrad" in html and ".oj-sammanfattande i.n{color:#b42318}" in html
    # the Ja column is headed by the year the Ja/Nej answers are from, not the report's year
    ja_years = sorted({int(y) for y in lan06.loc[lan06.typ == "ja_nej", "år"]})
    assert summary.attrs["ja_år"] == ja_years
    assert f"Ja-svar {' och '.join(map(str, ja_years))}</th>" in html


def test_improvement_areas_follow_their_rules(example_ds, lan06):
    areas = lansrapport.improvement_areas(example_ds, lan06)
    assert set(areas.regel) <= {"under_riket", "forsamring"}
    assert (areas.groupby("regel").size() <= lansrapport.MAX_PER_REGEL).all()
    dist = lansrapport.answer_distributions(example_ds, lan06).set_index("kpi")
    heads = lan06.drop_duplicates("kpi").set_index("kpi")
    for r in areas[areas.regel == "under_riket"].itertuples():
        h = heads.loc[r.kpi]
        assert isinstance(h.riktning, str), "an indicator without a direction was chosen"
        if h.typ in lansrapport.ANSWER_TYPES:
            assert dist.at[r.kpi, "riket_andel_topp"] - dist.at[r.kpi, "länet_andel_topp"] >= lansrapport.GRANS_SVAR_PE
    # the rule is complete: every answer indicator far enough below riket is listed (up to the maximum)
    far = [k for k in dist.index if isinstance(heads.at[k, "riktning"], str)
           and dist.at[k, "riket_andel_topp"] - dist.at[k, "länet_andel_topp"] >= lansrapport.GRANS_SVAR_PE]
    listed = set(areas.loc[areas.regel == "under_riket", "kpi"])
    assert set(far) <= listed or len(listed) == lansrapport.MAX_PER_REGEL
    text = views.improvement_list(areas).html
    assert all(rule[:40] in text for rule in lansrapport.REGLER)


def test_answer_shares_over_time_are_shares_of_kommuner(example_ds):
    kpi = "U35537"  # a scale
    s = lansrapport.answer_shares_over_time(example_ds, "06", [kpi])
    assert set(s["nivå"]) == {"Länet", "Riket"}
    assert s.andel.dropna().between(0, 100).all()
    df = example_ds.df
    rows = df[(df.kpi == kpi) & (df.niva == "kommun") & (df.kon == "T") & (df.ar == 2025)]
    rows = rows[rows.kod.str.startswith("06")].varde.dropna()
    got = s[(s["nivå"] == "Länet") & (s["år"] == 2025)].andel.iloc[0]
    assert got == pytest.approx(100 * (rows == 3).mean(), abs=0.05)
    fig = figures.over_time(s, [levels.trend(example_ds, "U35538", lan="06")])
    assert len(fig.data) == 4 and fig.layout.meta["exempeldata"]
    assert "Exempeldata" in " ".join(a.text for a in fig.layout.annotations)


def test_overview_split_by_value_type_when_wide(example_ds):
    table = colours.coloured_lan_table(example_ds, "25", "barn_och_unga")
    numeric = table[~table.typ.isin(lansrapport.ANSWER_TYPES)]
    parts = views.numeric_overviews(table, title="Barn")
    if numeric.kpi.nunique() > views.WIDE:  # by type, each type in parts of at most WIDE columns
        per_type = numeric.drop_duplicates("kpi").typ.value_counts()
        assert len(parts) == sum(-(-n // views.WIDE) for n in per_type)
        assert all(0 < p.html.count("class=\"col_heading") <= views.WIDE for p in parts)
        assert len(parts) > 1
    else:
        assert len(parts) == 1
    shown = " ".join(p.html for p in parts)
    assert all(name in shown for name in numeric.indikator.unique())  # nothing dropped by the split


def test_views_escape_text_from_data(example_ds, lan06):
    t = lan06.copy()
    t["kommun"] = t["kommun"].where(t.kommunkod != "0680", "<b>Jönköping</b>")
    t.attrs = dict(lan06.attrs)
    html = views.answer_matrix(example_ds, t).html
    assert "<b>Jönköping</b>" not in html and "&lt;b&gt;Jönköping&lt;/b&gt;" in html


def test_coverage_names_every_indicator(example_ds, lan06):
    html = views.coverage_table(example_ds, lan06).html
    for name in lan06.indikator.unique():
        assert name in html
    assert "index" not in html and "100.0" not in html


def test_missing_indicators_are_named(example_ds, lan06):
    t = lan06[lan06.kpi != "U35519"]
    text = views.missing_indicators(example_ds, t, "missbruk")
    assert "Stödprogram för närstående (U35519)" in text
    assert views.missing_indicators(example_ds, lan06, "missbruk") == ""  # all 18 have values


def test_period_text():
    t = pd.DataFrame({"kpi": ["a", "b", "c"], "år": [2025, 2024, 2025]})
    assert lansrapport.period_text(t) == "2025 (2 indikatorer) och 2024 (1 indikator)"


def test_over_time_frames_split_answers_from_measures(example_ds, lan06):
    answers, trends = lansrapport.over_time_frames(example_ds, "06", lan06)
    kpis = list(dict.fromkeys(lan06.kpi))
    svar = [k for k in kpis if example_ds.cat[k].typ in lansrapport.ANSWER_TYPES]
    assert svar and list(dict.fromkeys(answers.kpi)) == svar
    assert [t.kpi.iloc[0] for t in trends] == [k for k in kpis if k not in svar]
    no_answers = lan06[~lan06.typ.isin(lansrapport.ANSWER_TYPES)]
    assert lansrapport.over_time_frames(example_ds, "06", no_answers)[0] is None


def test_development_tables_show_each_value_once_in_its_colour(example_ds):
    """The Översikt's development tables carry the coloured table's colours (its strategy and palette), so
    no second table repeats their values: each kommun's cell has the colour the kommun has there, länet and
    riket none, and the colour rule with every indicator's colour limits stands once, under the last part."""
    table = colours.coloured_lan_table(example_ds, "14", "missbruk", strategi="rang_tertil", palett="fargblind")
    trender = trends.trend_table(example_ds, lan="14", omrade="missbruk")
    numeric = [k for k in dict.fromkeys(table.kpi) if table.loc[table.kpi == k, "typ"].iloc[0]
               not in lansrapport.ANSWER_TYPES]
    parts = views.kommun_trend_tables(trender, numeric, title="Missbruk", coloured=table)
    assert len(parts) > 1
    rule = table.attrs["fargregel"]
    assert [rule in p.html for p in parts] == [False] * (len(parts) - 1) + [True]
    assert all("Färgerna förklaras under tabellen ”Missbruk (" in p.html for p in parts[:-1])
    heads = table.drop_duplicates("kpi").set_index("kpi")
    assert all(f"{heads.at[k, 'indikator']} ({heads.at[k, 'år']}): " in parts[-1].html for k in numeric)  # limits
    names = dict(zip(table.kommun, table.kommunkod, strict=True))
    seen = 0
    for p in parts:
        fill = dict(re.findall(r"\.(f\d+)\{background:(#[0-9A-Fa-f]{6});", p.html))
        head = re.search(r"<thead>.*?</thead>", p.html).group(0)
        order = [k for k in numeric if views.soft_hyphens(heads.at[k, "indikator"]) in head]
        for name, cells in re.findall(r"<tr><th scope='row'>([^<]+)</th>(.*?)</tr>", p.html):
            classes = re.findall(r"<td(?: class=(f\d+))?>", cells)
            assert len(classes) == len(order)
            if name in ("Länet", "Riket"):
                assert classes == [""] * len(order)
                continue
            want = table[table.kommunkod == names[name]].set_index("kpi")["färg"]
            assert [fill[c] for c in classes] == [want[k] for k in order]
            seen += len(order)
    assert seen == table.kommunkod.nunique() * len(numeric)  # every kommun's every value, once
    # a change of a share is in procentenheter (pe), never "%"; kronor in kronor; the legend says what pe is
    shown = "".join(p.html for p in parts)
    changes = re.findall(r"<i class=[unl]>[^<]*</i>", shown)
    shares = [k for k in numeric if example_ds.cat[k].typ == "andel"]
    assert shares and changes and not any("%" in c for c in changes)
    row = trender[(trender.kpi == shares[0]) & (trender["nivå"] == "kommun") & trender["förändring"].notna()].iloc[0]
    want = formatting.format_difference(row["förändring"], "andel", short=True)
    assert want.endswith("\u00a0pe") and re.search(f"\u00a0{re.escape(want)}( sedan\u00a0\\d{{4}})?</i>", shown)
    assert "En andels förändring står i procentenheter (pe)." in shown
    # each change once, in the cell of its kommun and indicator: its arrow (the bedömning, its colour by a
    # one-letter class), the difference, and the year it is counted from only where that is not the one
    # the column's heading names; no per-cell title (which would repeat the year and not print)
    assert "title=" not in "".join(re.findall(r"<tbody>.*?</tbody>", shown))
    arrows = {"förbättring": ("▲", "u"), "försämring": ("▼", "n"), "oförändrad": ("●", "l"), "ökning": ("↗", "l"),
              "minskning": ("↘", "l")}
    kommuner = trender[trender["nivå"] == "kommun"].set_index(["namn", "kpi"])
    own_year = checked = 0
    for p in parts:
        heads_html = re.findall(r"<th scope='col'>(.*?)</th>", re.search(r"<thead>.*?</thead>", p.html).group(0))[1:]
        order = [k for k in numeric if any(views.soft_hyphens(heads.at[k, "indikator"]) + " " in h for h in heads_html)]
        since = [re.search(r"förändring sedan (\d{4})\)", h) for h in heads_html]
        for name, cells in re.findall(r"<tr><th scope='row'>([^<]+)</th>(.*?)</tr>", p.html):
            if name in ("Länet", "Riket"):
                continue
            for k, head_year, td in zip(order, since, re.findall(r"<td[^>]*>(.*?)</td>", cells), strict=True):
                r = kommuner.loc[(name, k)]
                if pd.isna(r["förändring"]) or pd.isna(r["jämfört_med_år"]):
                    assert "<i" not in td
                    continue
                arrow, cls = arrows[r["bedömning"]]
                diff = formatting.format_difference(r["förändring"], r["typ"], r["enhet"], short=True)
                year = int(r["jämfört_med_år"])
                assert head_year is not None
                tail = "" if year == int(head_year.group(1)) else f" sedan\u00a0{year}"
                own_year += bool(tail)
                assert td == f"{r['värde_text']} <i class={cls}>{arrow}\u00a0{diff}{tail}</i>"
                checked += 1
    assert checked > 100 and own_year > 0
    # a missing value: the coloured table's short reason in its grey cell, the long text once under the table
    gone = table[table["värde"].isna() & table.kpi.isin(numeric)]
    assert not gone.empty
    shown = "".join(p.html for p in parts)
    for text, status in zip(gone["värde_text"], gone.status, strict=True):
        assert f">{text}</td>" in shown and "Saknade värden: " in shown
        assert f">{dataset.STATUS_TEXT[status]}</td>" not in shown and dataset.STATUS_TEXT[status] in shown
