"""A län value resting on fewer than half of the län's kommuner is said plainly (issue 20 item 6).

Real Kolada values showed "länet 92,5" against riket in Jönköping's missbruk summary when only 2
of 13 kommuner had a value. Here the example data are saved as a Kolada dataset with exactly that:
one brukarbedömning share with values for 2 of Jönköping's 13 kommuner and a published län value
of 92,5. The län value must carry "2 av 13 kommuner" and make no claim against riket.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ojlib.analysis import aggregate, findings, ranking, summary, trends
from ojlib.data import dataset, geo
from ojlib.report import lansrapport, request

KPI = "U35538"  # Brukarbedömning missbruksvård IFO - få kontakt, andel (%)


@pytest.fixture
def sparse_ds(ojhome, example_home):
    df = pd.read_parquet(example_home / "data" / "processed" / "exempeldata.parquet").assign(kalla="kolada")
    year = int(df.loc[df.kpi == KPI, "ar"].max())
    jkp = geo.kommuner_i_lan("06")
    this = (df.kpi == KPI) & (df.ar == year)
    gone = this & df.kod.isin(jkp[2:])
    df.loc[gone, "varde"] = np.nan
    df.loc[gone, "status"] = "saknas"
    df.loc[df.niva != "kommun", "status"] = None  # Kolada's own län and riket values
    df.loc[this & (df.kod == "0006") & (df.kon == "T"), "varde"] = 92.5
    dataset.save_dataset(df, "kolada", {"hamtad": "2026-03-01"})
    return dataset.load_dataset("kolada")


def test_the_rule():
    assert aggregate.sparse(2, 13) and aggregate.sparse(6, 13) and not aggregate.sparse(7, 13)
    assert not aggregate.sparse(0, 0) and aggregate.underlag_text(2, 13) == "2 av 13 kommuner"
    assert list(aggregate.sparse(np.array([1, 5]), np.array([4, 10]))) == [True, False]
    assert aggregate.GLES_REGEL in findings.regler() and aggregate.GLES_REGEL not in findings.regler(kommun=True)


def test_sparse_lan_value_is_marked_and_held_against_nothing(sparse_ds):
    t = ranking.lan_table(sparse_ds, "06", "missbruk")
    row = t[t.kpi == KPI].iloc[0]
    assert row["länet"] == 92.5 and bool(row["länet_glest"])
    assert row["länet_text"].endswith("(2 av 13 kommuner)")
    assert not t.loc[t.kpi != KPI, "länet_glest"].any()  # the other indicators have their kommuner
    other = ranking.lan_table(sparse_ds, "07", "missbruk")
    assert not other["länet_glest"].any()
    tt = trends.trend_table(sparse_ds, lan="06", omrade="missbruk")
    rang = findings.rank(sparse_ds, t, tt)
    assert (KPI, row["indikator"], "2 av 13 kommuner") in rang.glesa
    assert KPI not in {i.kpi for i in rang.mot_riket} | {i.kpi for i in rang.forandring}
    assert KPI not in set(lansrapport.improvement_areas(sparse_ds, t, rang).kpi)
    s = summary.lan_summary(sparse_ds, "06", "missbruk")
    text = s.text
    assert (f"Länets värde bygger på färre än hälften av kommunerna för ”{row['indikator']}” (2 av 13 kommuner); "
            "det jämförs inte med riket.") in text
    assert "92,5" not in text  # no "länet 92,5 … riket …" anywhere in the summary
    assert aggregate.GLES_REGEL in text and s.fakta["glesa"] == {KPI: "2 av 13 kommuner"}


def test_figure_and_deck_say_how_few_kommuner(sparse_ds, example_home, monkeypatch):
    from ojlib.analysis import levels
    from ojlib.render import figures, presentation

    # over time: only the sparse year of the län says so (its point label in the over-time panels)
    tr = levels.trend(sparse_ds, KPI, lan="06")
    lan = tr[tr["nivå"] == "län"].set_index("år")
    last = int(lan.index.max())
    assert lan.at[last, "värde_text"].endswith("(2 av 13 kommuner)") and "92,5" in lan.at[last, "värde_text"]
    assert not lan.loc[lan.index < last, "värde_text"].str.contains("av 13 kommuner").any()
    assert not tr.loc[tr["nivå"] == "riket", "värde_text"].str.contains("kommuner").any()

    t = ranking.lan_table(sparse_ds, "06", "missbruk")
    fig = figures.ranked_bars(t, KPI)
    names = [d.name for d in fig.data if d.name and d.name.startswith("Länet")]
    assert names and all("2 av 13 kommuner" in n for n in names)
    row = t[t.kpi == KPI].iloc[0]
    assert aggregate.lan_underlag(row) == "2 av 13 kommuner"
    assert aggregate.lan_underlag(t[t.kpi != KPI].iloc[0]) is None
    monkeypatch.setenv("OJLIB_HOME", str(example_home))  # the request is checked where data exists
    req = request.parse({"lan": "06", "omrade": "missbruk", "indikatorer": KPI}, deck=True)
    deck = presentation.lan_deck(sparse_ds, req)
    slide = next(b for b in deck.bilder if b.typ == "indikator" and b.data["kpi"] == KPI)
    assert "2 av 13 kommuner" in slide.data["staplar"]["länet_namn"]
    assert any("2 av 13 kommuner" in n for n in slide.anteckningar)
    assert not any(KPI in str(b.data) for b in deck.bilder if b.typ == "forbattring")
