"""Comparisons on small constructed datasets, with the answers worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ojlib.analysis import aggregate, coverage, formatting, kon, levels, peers, ranking, trends
from ojlib.base import memo
from ojlib.base.errors import OjError
from ojlib.data import geo
from ojlib.data.catalog import Catalogue, Indicator
from ojlib.data.dataset import Dataset, validate

# Län 06: Aneby 0604 (B4), Gnosjö 0617 (C7), Mullsjö 0642 (B4), Habo 0643 (B4), Gislaved 0662 (C8),
# Jönköping 0680 (B3). Län 01: Stockholm 0180 (A1), Upplands Väsby 0114 (A2).


def ind(kpi, typ="andel", riktning="hogre_battre", ar=(2020, 2024), jf=None, kon=False, omrade="missbruk",
        enhet="procent"):
    nivaer = {1: "Ja", 0: "Nej"} if typ == "ja_nej" else ({2: "Ja", 1: "Delvis", 0: "Nej"} if typ == "skala" else {})
    return Indicator(kpi=kpi, omrade=omrade, namn=f"Indikator {kpi}", titel=f"Titel {kpi}", beskrivning="b",
                     typ=typ, riktning=riktning, enhet=enhet, ar_fran=ar[0], ar_till=ar[1], kon=kon,
                     katalog="test", nivaer=nivaer, jamforbar_fran=jf)


def make_ds(rows, indicators, kalla="exempeldata") -> Dataset:
    """rows: (kpi, kod, ar, varde[, status[, kon]]); niva follows the code."""
    recs = []
    for r in rows:
        kpi, kod, ar, varde = r[:4]
        status = r[4] if len(r) > 4 else None
        kon = r[5] if len(r) > 5 else "T"
        niva = "riket" if kod == "0000" else ("lan" if kod.startswith("00") else "kommun")
        recs.append({"kpi": kpi, "kod": kod, "niva": niva, "ar": ar, "kon": kon, "varde": varde,
                     "status": status, "antal": None, "kalla": kalla})
    return Dataset(df=validate(pd.DataFrame(recs)), kalla=kalla, catalogue=Catalogue(indicators))


def row(table, kpi, kod):
    r = table[(table.kpi == kpi) & (table.kommunkod == kod)]
    assert len(r) == 1
    return r.iloc[0]


# ---------------------------------------------------------------- shares, averages, labels

def test_ja_share_counts_only_kommuner_that_answered():
    assert aggregate.ja_share(pd.Series([1, 1, 0, None, 1])) == {
        "antal_ja": 3, "antal_med_svar": 4, "antal_saknas": 1, "andel_ja": 75.0}
    assert aggregate.ja_share(pd.Series([None, None]))["andel_ja"] is None


def test_ja_nej_lan_and_riket_are_shares_of_kommuner_with_missing_excluded():
    ds = make_ds([
        ("U1", "0604", 2024, 1), ("U1", "0617", 2024, 1), ("U1", "0642", 2024, 0),
        ("U1", "0643", 2024, None, "bortfall"), ("U1", "0680", 2024, 1),
        ("U1", "0180", 2024, 0), ("U1", "0114", 2024, 0),
    ], [ind("U1", "ja_nej")])
    t = ranking.lan_table(ds, "06", medel="ovagt")
    assert len(t) == 13  # every kommun of the län, with or without a value
    r = row(t, "U1", "0604")
    assert r["länet"] == 75.0            # 3 Ja of 4 answers in län 06
    assert r["riket"] == 50.0            # 3 Ja of 6 answers in riket
    assert r["länet_avser"] == aggregate.AVSER_ANDEL_JA
    assert r["riket_avser"] == aggregate.AVSER_ANDEL_JA
    assert r["värde_text"] == "Ja"
    habo = row(t, "U1", "0643")
    assert pd.isna(habo["värde"]) and habo.status == "bortfall"
    assert habo.saknas_orsak.startswith("Bortfall")
    assert pd.isna(habo.rang_i_länet) and habo["värde_text"] == "bortfall"
    gnosjo = row(t, "U1", "0686")  # no row at all in the data
    assert gnosjo.status == "saknas"
    assert r["antal_med_värde_i_länet"] == 4 and r["antal_kommuner_i_länet"] == 13
    assert r["antal_med_värde_i_riket"] == 6


def test_kommungrupp_value_is_the_unweighted_mean_of_its_kommuner():
    # Aneby, Mullsjö and Habo are B4; Jönköping is B3 alone in the data
    ds = make_ds([("U2", "0604", 2024, 60.0), ("U2", "0642", 2024, 70.0), ("U2", "0643", 2024, None, "sekretess"),
                  ("U2", "0680", 2024, 90.0)], [ind("U2")])
    t = ranking.lan_table(ds, "06")
    assert row(t, "U2", "0604").kommungrupp == 65.0
    assert row(t, "U2", "0643").kommungrupp == 65.0  # its group's value even without its own
    assert row(t, "U2", "0680").kommungrupp == 90.0
    assert row(t, "U2", "0604").kommungrupp_avser == "ovägt medel av kommunerna i kommungruppen"
    assert row(t, "U2", "0604").rang_i_kommungruppen == 2
    assert row(t, "U2", "0604")["antal_med_värde_i_kommungruppen"] == 2


def test_published_weighted_values_are_used_and_labelled_unweighted_on_request():
    rows = [("U3", "0604", 2024, 60.0), ("U3", "0680", 2024, 90.0),
            ("U3", "0006", 2024, 84.0)]  # Kolada's weighted län value: Jönköping is large
    ds = make_ds(rows, [ind("U3")], kalla="kolada")
    pub = ranking.lan_table(ds, "06")
    r = row(pub, "U3", "0680")
    assert r["länet"] == 84.0 and r["länet_avser"] == "publicerat värde (Kolada)"
    # no published riket row: computed, and said so
    assert r["riket"] == 75.0 and r["riket_avser"] == aggregate.AVSER_OVAGT
    unw = ranking.lan_table(ds, "06", medel="ovagt")
    r = row(unw, "U3", "0680")
    assert r["länet"] == 75.0 and r["länet_avser"] == aggregate.AVSER_OVAGT
    with pytest.raises(OjError, match="medel"):
        ranking.lan_table(ds, "06", medel="vägt")


def test_exempeldata_aggregate_rows_say_what_they_are():
    ds = make_ds([("U4", "0604", 2024, 1), ("U4", "0680", 2024, 0), ("U4", "0006", 2024, 50.0, "andel_ja"),
                  ("U5", "0604", 2024, 10.0), ("U5", "0680", 2024, 20.0), ("U5", "0006", 2024, 15.0, "ovagt_medel")],
                 [ind("U4", "ja_nej"), ind("U5")])
    t = ranking.lan_table(ds, "06")
    assert row(t, "U4", "0604")["länet_avser"] == aggregate.AVSER_ANDEL_JA
    assert row(t, "U5", "0604")["länet_avser"] == aggregate.AVSER_OVAGT


def test_computed_values_agree_with_the_stored_example_aggregates(example_ds):
    pub = ranking.kommun_table(example_ds, "barn_och_unga")
    own = ranking.kommun_table(example_ds, "barn_och_unga", medel="ovagt")
    pd.testing.assert_series_equal(pub["länet"], own["länet"], check_names=False)
    pd.testing.assert_series_equal(pub["riket"], own["riket"], check_names=False)
    assert len(own) == 290 * pub.kpi.nunique()
    assert list(own.columns) == ranking.KOMMUN_TABLE_COLUMNS


# ---------------------------------------------------------------- ranks

RANK_ROWS = [("X", "0604", 2024, 80.0), ("X", "0617", 2024, 90.0), ("X", "0642", 2024, 80.0),
             ("X", "0643", 2024, 70.0), ("X", "0662", 2024, None, "sekretess"), ("X", "0180", 2024, 100.0)]


@pytest.mark.parametrize(("riktning", "expected_lan", "expected_riket"), [
    # higher is better: Gnosjö 90 first; Aneby and Mullsjö tie on 80 and share place 2; Habo 4th
    ("hogre_battre", {"0617": 1, "0604": 2, "0642": 2, "0643": 4}, {"0180": 1, "0617": 2, "0604": 3, "0643": 5}),
    # lower is better: Habo 70 first; the tie shares place 2; Gnosjö 90 last
    ("lagre_battre", {"0643": 1, "0604": 2, "0642": 2, "0617": 4}, {"0643": 1, "0604": 2, "0617": 4, "0180": 5}),
    # no direction: ranked by size, highest first (never called better)
    (None, {"0617": 1, "0604": 2, "0642": 2, "0643": 4}, {"0180": 1, "0617": 2, "0604": 3, "0643": 5}),
])
def test_ranks_handle_ties_direction_and_missing(riktning, expected_lan, expected_riket):
    ds = make_ds(RANK_ROWS, [ind("X", riktning=riktning)])
    t = ranking.kommun_table(ds)
    for kod, place in expected_lan.items():
        assert row(t, "X", kod).rang_i_länet == place
    for kod, place in expected_riket.items():
        assert row(t, "X", kod).rang_i_riket == place
    gislaved = row(t, "X", "0662")
    assert pd.isna(gislaved.rang_i_länet) and gislaved["antal_med_värde_i_länet"] == 4
    assert row(t, "X", "0180")["antal_med_värde_i_riket"] == 5
    assert row(t, "X", "0604").rang_avser == ranking.RANG_AVSER[riktning]


# ---------------------------------------------------------------- years

def test_year_is_each_indicators_latest_up_to_ar_and_a_year_without_data_is_an_error():
    ds = make_ds([("A", "0604", 2023, 1), ("A", "0604", 2024, 0), ("B", "0604", 2025, 5.0), ("B", "0604", 2023, 4.0)],
                 [ind("A", "ja_nej", ar=(2020, 2024)), ind("B", ar=(2020, 2025))])
    latest = ranking.lan_table(ds, "06")
    assert latest.groupby("kpi")["år"].first().to_dict() == {"A": 2024, "B": 2025}
    asof = ranking.lan_table(ds, "06", ar=2024)
    assert asof.groupby("kpi")["år"].first().to_dict() == {"A": 2024, "B": 2023}
    exact = ranking.lan_table(ds, "06", ar=2025, exakt_ar=True)
    assert set(exact.kpi) == {"B"} and exact.attrs["utan_varden"] == ["A"]
    with pytest.raises(OjError, match="inga värden för år 2019"):
        ranking.lan_table(ds, "06", ar=2019)
    with pytest.raises(OjError, match="Okänd länskod"):
        ranking.lan_table(ds, "77")
    with pytest.raises(OjError, match="Okänt område"):
        ranking.lan_table(ds, "06", omrade="missbrk")


def test_lan_tables_split_one_national_computation(example_ds):
    tables = ranking.lan_tables(example_ds, "missbruk")
    assert sorted(tables) == list(geo.lan().lan_kod)
    one = ranking.lan_table(example_ds, "06", "missbruk")
    pd.testing.assert_frame_equal(tables["06"], one)
    assert tables["06"].attrs["lan"] == "06" and tables["06"].attrs["kalla"] == "exempeldata"


# ---------------------------------------------------------------- trends

def trend_ds():
    rows = [
        # andel, higher better, definition break 2022: 2020–2021 are not comparable with later years
        ("T1", "0604", 2020, 50.0), ("T1", "0604", 2021, 55.0), ("T1", "0604", 2022, 70.0),
        ("T1", "0604", 2023, None, "bortfall"), ("T1", "0604", 2024, 72.0),
        ("T1", "0680", 2022, 80.0), ("T1", "0680", 2023, 80.0), ("T1", "0680", 2024, 80.5),
        # lower is better
        ("T2", "0604", 2023, 30.0), ("T2", "0604", 2024, 25.0), ("T2", "0680", 2023, 30.0), ("T2", "0680", 2024, 31.5),
        # cost without direction: relative tolerance 2 %
        ("T3", "0604", 2023, 1000.0), ("T3", "0604", 2024, 1015.0), ("T3", "0680", 2023, 1000.0),
        ("T3", "0680", 2024, 1030.0),
        # Ja/Nej: a kommun's answer changes or not
        ("T4", "0604", 2023, 0), ("T4", "0604", 2024, 1), ("T4", "0680", 2023, 1), ("T4", "0680", 2024, 1),
    ]
    inds = [ind("T1", jf=2022), ind("T2", "antal", "lagre_battre", enhet="dagar"),
            ind("T3", "kr_per_inv", None, enhet="kr/invånare"), ind("T4", "ja_nej")]
    return make_ds(rows, inds)


def verdicts(tt, niva="kommun"):
    sel = tt[tt["nivå"] == niva]
    return {(r.kpi, r.kod): r.bedömning for r in sel.itertuples()}


def test_trend_verdicts_follow_direction_and_tolerance():
    tt = trends.trend_table(trend_ds(), kommun=["0604", "0680"], ar=2024)
    v = verdicts(tt)
    assert v[("T1", "0604")] == "förbättring"   # 70 (2022, 2023 missing) -> 72: +2 pp
    assert v[("T1", "0680")] == "oförändrad"    # 80 -> 80.5: within 1 pp
    assert v[("T2", "0604")] == "förbättring"   # 30 -> 25 days, lower is better
    assert v[("T2", "0680")] == "försämring"    # 30 -> 31.5 days (+5 %)
    assert v[("T3", "0604")] == "oförändrad"    # +1.5 %, within 2 %
    assert v[("T3", "0680")] == "ökning"        # +3 %, no direction: not "försämring"
    assert v[("T4", "0604")] == "förbättring"   # Nej -> Ja
    assert v[("T4", "0680")] == "oförändrad"
    r = tt[(tt.kpi == "T1") & (tt.kod == "0604")].iloc[0]
    assert r["jämfört_med_år"] == 2022 and r["värde_då"] == 70.0 and r["förändring"] == 2.0
    r = tt[(tt.kpi == "T3") & (tt.kod == "0680")].iloc[0]
    assert r["förändring"] == 30.0 and r["förändring_procent"] == 3.0
    # län values: T4 share Ja 50 % -> 100 %
    lan = tt[(tt.kpi == "T4") & (tt["nivå"] == "län")].iloc[0]
    assert (lan["värde_då"], lan["värde"], lan.bedömning) == (50.0, 100.0, "förbättring")
    assert lan.avser == aggregate.AVSER_ANDEL_JA


def test_trend_verdict_is_not_bridged_across_a_definition_break():
    ds = trend_ds()
    tt = trends.trend_table(ds, kommun="0604", ar=2022, kpi="T1")
    r = tt[tt["nivå"] == "kommun"].iloc[0]
    assert r.bedömning == "ej jämförbar"         # 2021 and 2020 lie before the 2022 break
    assert pd.isna(r["förändring"]) and "Definitionsändring 2022" in r.kommentar
    tt = trends.trend_table(ds, kommun="0604", ar=2023, kpi="T1")
    assert tt[tt["nivå"] == "kommun"].iloc[0].bedömning == "värde saknas"


def test_trend_series_shows_the_break_as_a_new_series():
    tr = levels.trend(trend_ds(), "T1", kommun="0604")
    assert list(tr["nivå"].unique()) == ["kommun", "län", "riket"]
    k = tr[tr["nivå"] == "kommun"].set_index("år")
    assert list(k.index) == [2020, 2021, 2022, 2023, 2024]
    assert list(k["jämförbar"]) == [False, False, True, True, True]
    assert list(k.serie) == [1, 1, 2, 2, 2] and k["brott_år"].iloc[0] == 2022
    assert pd.isna(k.loc[2023, "värde"]) and k.loc[2023, "status"] == "bortfall"


@pytest.mark.parametrize(("change", "rel", "typ", "riktning", "niva", "expected"), [
    (1.0, math.nan, "andel", "hogre_battre", "lan", "oförändrad"),
    (1.01, math.nan, "andel", "hogre_battre", "lan", "förbättring"),
    (-1.5, math.nan, "ja_nej", "hogre_battre", "lan", "försämring"),
    (-1.5, math.nan, "andel", "lagre_battre", "lan", "förbättring"),
    (-1.5, math.nan, "andel", None, "lan", "minskning"),
    (0.03, math.nan, "skala", "hogre_battre", "lan", "oförändrad"),
    (1.0, math.nan, "skala", "hogre_battre", "kommun", "förbättring"),
    (50.0, 2.5, "kr_per_inv", None, "kommun", "ökning"),
    (10.0, math.nan, "antal", "lagre_battre", "kommun", "försämring"),  # from zero: any change counts
])
def test_verdict_rule(change, rel, typ, riktning, niva, expected):
    assert trends.verdict(change, rel, typ, riktning, niva) == expected


# ---------------------------------------------------------------- sex, coverage

def test_sex_differences_are_kvinnor_minus_man():
    rows = [("S", "0604", 2024, 70.0, None, "T"), ("S", "0604", 2024, 75.0, None, "K"),
            ("S", "0604", 2024, 65.0, None, "M"), ("S", "0680", 2024, 80.0, None, "T"),
            ("S", "0680", 2024, 78.0, None, "K"), ("S", "0680", 2024, 82.0, None, "M"),
            ("N", "0604", 2024, 1.0)]
    ds = make_ds(rows, [ind("S", kon=True), ind("N")])
    s = kon.sex_differences(ds, lan="06")
    assert set(s.kpi) == {"S"}
    k = s.set_index("kod")
    assert (k.loc["0604", "kvinnor"], k.loc["0604", "män"], k.loc["0604", "skillnad"]) == (75.0, 65.0, 10.0)
    assert k.loc["0680", "skillnad"] == -4.0
    assert k.loc["0006", "kvinnor"] == 76.5 and k.loc["0006", "skillnad"] == 3.0  # unweighted K 76.5, M 73.5
    assert pd.isna(k.loc["0617", "kvinnor"])
    assert s.skillnad_avser.iloc[0] == "kvinnor − män (procentenheter)"


def test_coverage_counts_why_values_are_missing():
    ds = make_ds([("C", "0604", 2024, 1.0), ("C", "0617", 2024, None, "bortfall"),
                  ("C", "0642", 2024, None, "sekretess"), ("C", "0643", 2024, None, "sekretess"),
                  ("C", "0662", 2024, None, "ej_tillampligt")], [ind("C")])
    c = coverage.coverage(ds, "06").iloc[0]
    assert (c.antal_kommuner, c["med_värde"], c.bortfall, c.sekretess, c["ej_tillämpligt"], c.saknas) == \
        (13, 1, 1, 2, 1, 8)  # 8 kommuner of län 06 have no row at all
    assert c["andel_med_värde"] == round(100 / 13, 1)
    assert "Gnosjö (bortfall)" in c["utan_värde"] and "Mullsjö (sekretess)" in c["utan_värde"]


# ---------------------------------------------------------------- peers

def test_peers_from_kolada_liknande_kommuner_group():
    members, label = peers.peer_members("0680", "liknande", "missbruk")
    # Kolada's "Liknande kommuner IFO, Jönköping, 2024" lists the peers, not Jönköping itself
    assert members == ["0126", "0581", "1281", "1380", "1880", "1980", "2480"]
    assert label == "Liknande kommuner IFO, Jönköping, 2024 (Kolada)"
    assert peers.peer_members("0680", "G36538")[0] == members
    lss, lss_label = peers.peer_members("Jönköping", "liknande", "funktionsnedsattning")
    assert "LSS" in lss_label and "0680" not in lss
    grp, grp_label = peers.peer_members("0680", "kommungrupp")
    assert "0581" in grp and "0680" not in grp and grp_label == "Kommungrupp Större stad (SKR)"
    own, own_label = peers.peer_members("0680", ["Habo", "0604", "0680"])
    assert own == ["0604", "0643"] and own_label == "Egen lista (2 kommuner)"
    with pytest.raises(OjError, match="Okänd jämförelsegrupp"):
        peers.peer_members("0680", "grannar")


def test_peer_table_value_excludes_the_kommun_itself():
    ds = make_ds([("P", "0680", 2024, 90.0), ("P", "0126", 2024, 60.0), ("P", "0581", 2024, 70.0),
                  ("P", "1281", 2024, None, "bortfall"), ("P", "0604", 2024, 10.0)], [ind("P")])
    t = peers.peer_table(ds, "0680", peers="G36538")
    assert t.iloc[0].kommunkod == "0680" and t.iloc[0].vald
    assert len(t) == 8
    r = t.iloc[0]
    assert r["jämförelsegruppens_värde"] == 65.0          # (60 + 70) / 2, Jönköping excluded
    assert r.rang_bland_jämförda == 1 and r["antal_jämförda_med_värde"] == 3
    assert r.jämförelsegrupp == "Liknande kommuner IFO, Jönköping, 2024 (Kolada)"
    prof = peers.kommun_profile(ds, "0680", peers="G36538")
    assert len(prof) == 1 and prof.iloc[0]["länet"] == 50.0  # Jönköping 90, Aneby 10


def test_formatting_is_swedish():
    i = ind("F", "kr_per_inv", None, enhet="kr/invånare")
    assert formatting.format_value(12345.4, i) == "12\u00a0345\u00a0kr"
    assert formatting.format_value(82.34, ind("F")) == "82,3\u00a0%"
    assert formatting.format_value(1, ind("F", "ja_nej")) == "Ja"
    assert formatting.format_value(64.79, ind("F", "ja_nej"), aggregate=True) == "65\u00a0% Ja"
    assert formatting.format_value(1, ind("F", "skala")) == "Delvis"
    assert formatting.format_value(None, ind("F")) == "–"


def test_peer_table_is_computed_once_per_report_and_each_caller_gets_its_own(example_ds):

    a = peers.peer_table(example_ds, "0680", "missbruk", peers="kommungrupp")
    a["värde"] = -1.0  # one caller changing its frame ...
    b = peers.peer_table(example_ds, "0680", "missbruk", peers="kommungrupp")
    assert (b["värde"] != -1.0).any()  # ... does not change the next caller's
    assert b.attrs["kommun"] == "0680" and b.vald.iloc[0]
    calls = []
    for n in range(20):  # only the last few results are kept
        memo.recent(("test", n), lambda n=n: calls.append(n) or n, keep=4)
    assert memo.recent(("test", 19), lambda: calls.append("again")) == 19 and "again" not in calls
    assert memo.recent(("test", 0), lambda: "again", keep=4) == "again"
