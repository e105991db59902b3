"""The written summary: every number in it comes from the data (worked out by hand here)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import aggregate, ranking, summary
from ojlib.base.errors import OjError
from ojlib.data.catalog import Catalogue, Indicator
from ojlib.data.dataset import Dataset, validate


def ind(kpi, typ="andel", riktning="hogre_battre", enhet="procent"):
    nivaer = {1: "Ja", 0: "Nej"} if typ == "ja_nej" else {}
    return Indicator(kpi=kpi, omrade="missbruk", namn=f"Indikator {kpi}", titel="t", beskrivning="b", typ=typ,
                     riktning=riktning, enhet=enhet, ar_fran=2023, ar_till=2024, kon=False, katalog="test",
                     nivaer=nivaer)


@pytest.fixture
def small_ds() -> Dataset:
    # län 06: Aneby 0604, Gnosjö 0617, Mullsjö 0642, Habo 0643, Gislaved 0662, Jönköping 0680
    # län 01: Stockholm 0180, Upplands Väsby 0114
    data = {
        ("J1", 2023): {"0604": 0, "0617": 1, "0642": 1, "0643": 0, "0662": 0, "0680": 1, "0180": 0, "0114": 1},
        ("J1", 2024): {"0604": 1, "0617": 1, "0642": 1, "0643": 0, "0662": None, "0680": 1, "0180": 0, "0114": 0},
        ("J2", 2023): {"0604": 0, "0617": 1, "0642": 1, "0643": 0, "0662": 0, "0680": 0, "0180": 1, "0114": 1},
        ("J2", 2024): {"0604": 0, "0617": 0, "0642": 1, "0643": 0, "0662": 0, "0680": 0, "0180": 1, "0114": 1},
        ("A1", 2023): {"0604": 80.0, "0680": 89.0, "0180": 70.0},
        ("A1", 2024): {"0604": 80.0, "0680": 90.0, "0180": 70.0},
        ("C1", 2024): {"0604": 1000.0, "0680": 2000.0, "0180": 3000.0},
    }
    rows = [{"kpi": k, "kod": kod, "niva": "kommun", "ar": a, "kon": "T", "varde": v,
             "status": None if v is not None else "bortfall", "antal": None, "kalla": "exempeldata"}
            for (k, a), vals in data.items() for kod, v in vals.items()]
    inds = [ind("J1", "ja_nej"), ind("J2", "ja_nej"), ind("A1"), ind("C1", "kr_per_inv", None, "kr/invånare")]
    return Dataset(df=validate(pd.DataFrame(rows)), kalla="exempeldata", catalogue=Catalogue(inds))


def test_summary_numbers_worked_out_by_hand(small_ds, monkeypatch):
    # the arithmetic, worked out by hand on a few of the län's kommuner; the rule that a län value
    # from fewer than half of its kommuner is not held against riket is off here (next test, test_sparse)
    monkeypatch.setattr(aggregate, "GLES_ANDEL", 0.0)
    s = summary.lan_summary(small_ds, "06", "missbruk")
    f = s.fakta
    # J1 2024: 4 Ja of 5 answers in the län (Gislaved bortfall) = 80 %; riket 4 of 7 = 57.14 %
    assert f["ja_nej"]["J1"] == {"antal_ja": 4, "antal_med_svar": 5, "andel_ja": 80.0, "lanet": 80.0,
                                 "riket": 57.14}
    # J2 2024: 1 of 6 = 16.67 %; riket 3 of 8 = 37.5 %
    assert f["ja_nej"]["J2"]["andel_ja"] == 16.67 and f["ja_nej"]["J2"]["riket"] == 37.5
    assert (f["ja_nej_over_riket"], f["ja_nej_under_riket"]) == (1, 1)
    # län: J1 50 -> 80 % (better), J2 33.3 -> 16.7 % (worse), A1 84.5 -> 85 (within 1 pp); C1 has no direction
    assert (f["forbattringar"], f["forsamringar"], f["oforandrade"]) == (1, 1, 1)
    assert f["storsta_forbattringar"] == ["J1"] and f["storsta_forsamringar"] == ["J2"]
    # Aneby went Nej -> Ja on J1, Gnosjö Ja -> Nej on J2 (Gislaved has no 2024 answer)
    assert (f["nej_till_ja"], f["ja_till_nej"]) == (1, 1)
    # against riket: J1 +22.9, A1 +5 (85 vs 80) in the län's favour; J2 −20.8 against
    assert f["storst_battre_an_riket"] == ["J1", "A1"] and f["storst_samre_an_riket"] == ["J2"]
    # 13 kommuner × 4 indicators; 37 without a value (1 bortfall, 36 without a row)
    assert (f["kommunvarden"], f["saknade_varden"]) == (52, 37)
    text = s.text
    assert "högre än rikets för 1 och lägre för 1 av områdets 2 Ja/Nej-indikatorer" in text
    assert "Flest kommuner svarar Ja på ”Indikator J1” (4 av 5 kommuner med svar, 80\u00a0%; riket 57\u00a0%, 2024)" \
        in text
    assert "Minst andel Ja har ”Indikator J2” (1 av 6 kommuner med svar, 17\u00a0%" in text
    assert "förbättrades länets värde för 1 indikatorer, försämrades för 1 och var oförändrat för 1" in text
    # the share of kommuner names its answer: "50 % Ja" (a scale's would name its top level)
    assert ("Störst förbättring: ”Indikator J1” från 50\u00a0% Ja till 80\u00a0% Ja (+30,0\u00a0procentenheter, "
            "2023–2024).") in text
    assert "från Nej till Ja i 1 fall och från Ja till Nej i 1 fall" in text
    assert "”Indikator A1” (länet 85,0\u00a0%, riket 80,0\u00a0%: +5,0\u00a0procentenheter)" in text
    assert ("”Indikator C1”: 1\u00a0500\u00a0kr i länet (ovägt medel av kommunerna) "
            "mot 2\u00a0000\u00a0kr i riket") in text
    assert "Värden saknas för 37 av 52 kommunvärden (1 bortfall, 36 saknas)" in text
    assert text.startswith("### Sammanfattning: Jönköpings län, missbruks- och beroendevård, 2024")
    assert f"**{EXEMPELDATA_MARK}**" in text and s._repr_markdown_() == text


def test_the_same_few_kommuner_make_no_claim_against_riket(small_ds):
    s = summary.lan_summary(small_ds, "06", "missbruk")
    f = s.fakta
    # J1 rests on 5, J2 on 6, A1 on 2 of Jönköping's 13 kommuner: fewer than half, so no verdict
    assert f["glesa"] == {"J1": "5 av 13 kommuner", "J2": "6 av 13 kommuner", "A1": "2 av 13 kommuner",
                          "C1": "2 av 13 kommuner"}
    assert (f["ja_nej_over_riket"], f["ja_nej_under_riket"]) == (0, 0)
    assert f["storst_battre_an_riket"] == [] and f["storst_samre_an_riket"] == []
    assert "Länets värde bygger på färre än hälften av kommunerna för ”Indikator J1” (5 av 13 kommuner)" in s.text
    assert "1\u00a0500\u00a0kr i länet (ovägt medel av kommunerna, 2 av 13 kommuner)" in s.text


def test_every_number_in_the_text_is_in_the_data(example_ds):
    s = summary.lan_summary(example_ds, "06", "missbruk")
    t = ranking.lan_table(example_ds, "06", "missbruk")
    for kpi, facts in s.fakta["ja_nej"].items():
        rows = t[t.kpi == kpi]
        assert facts["antal_ja"] == int((rows["värde"] == 1).sum())
        assert facts["antal_med_svar"] == int(rows["värde"].notna().sum())
    counts = [int(x) for x in re.findall(r"(\d+) av (\d+) kommuner med svar", s.text)[0]]
    assert counts[1] <= 13
    assert s.fakta["antal_kommuner"] == 13 and s.fakta["kommunvarden"] == 13 * t.kpi.nunique()


def test_summary_for_all_areas_has_one_section_each(example_ds):
    s = summary.lan_summary(example_ds, "25", "alla", ar=2023)
    assert list(s.avsnitt) == ["Missbruks- och beroendevård", "Social barn- och ungdomsvård",
                               "Stöd till personer med funktionsnedsättning"]
    assert "**Social barn- och ungdomsvård**" in s.text and "2023" in s.rubrik
    with pytest.raises(OjError):
        summary.lan_summary(example_ds, "25", "alla", ar=2010)
