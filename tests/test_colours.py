"""Each colour strategy's cut-points on constructed tables, worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ojlib.analysis import colours
from ojlib.base.errors import OjError

RED, YELLOW, GREEN, GREY = "#F8696B", "#FFEB84", "#63BE7B", "#D9D9D9"


def frame(values, typ="andel", riktning="hogre_battre", kpi="K", riket=np.nan, lan=None, status=None,
          enhet="procent"):
    n = len(values)
    return pd.DataFrame({
        "kpi": kpi, "år": 2024, "kön": "T", "typ": typ, "riktning": riktning, "enhet": enhet,
        "kommunkod": [f"{i:04d}" for i in range(n)], "kommun": [f"K{i}" for i in range(n)],
        "länskod": lan if lan is not None else ["06"] * n,
        "värde": pd.Series(values, dtype="float64"),
        "status": status if status is not None else [None if pd.notna(v) else "bortfall" for v in values],
        "riket": riket,
    })


def codes(values, strategi, **kw):
    out = colours.classify(frame(values, **{k: v for k, v in kw.items() if k not in ("mal", "palett")}), strategi,
                           inom="tabellen", mal=kw.get("mal"), palett=kw.get("palett", "standard"))
    return list(out["färgkod"]), out


def test_rang_kvartil_cut_points_are_the_25th_and_75th_percentile():
    # 1..8: P25 = 2.75, P75 = 6.25 -> 1, 2 worst quarter (red); 7, 8 best quarter (green)
    c, out = codes(range(1, 9), "rang_kvartil")
    assert c == [1, 1, 2, 2, 2, 2, 3, 3]
    assert list(out["färg"][:1]) == [RED] and list(out["färg"][-1:]) == [GREEN] and out["färg"][3] == YELLOW
    assert out["färgklass"][7] == "Värde ≥ 75:e percentilen"
    assert "Grön: värde ≥ 6,2\u00a0% (75:e percentilen), 2 av 8 kommuner" in out["färgregel"][0]
    assert "röd: värde ≤ 2,8\u00a0% (25:e percentilen), 2 av 8 kommuner" in out["färgregel"][0]
    # lower is better: mirrored
    c, _ = codes(range(1, 9), "rang_kvartil", riktning="lagre_battre")
    assert c == [3, 3, 2, 2, 2, 2, 1, 1]


def test_rank_colours_give_ties_the_same_colour():
    # four kommuner share the worst value: P25 = 0, so all four are red; P75 = 10: 10, 10, 20 green
    c, _ = codes([0, 0, 0, 0, 5, 10, 10, 20], "rang_kvartil")
    assert c == [1, 1, 1, 1, 2, 3, 3, 3]
    # no spread at all: neither best nor worst
    c, _ = codes([4, 4, 4], "rang_kvartil")
    assert c == [2, 2, 2]


def test_rang_tertil_cut_points_are_thirds():
    # 1..9: P33.3 = 3.67, P66.7 = 6.33
    c, out = codes(range(1, 10), "rang_tertil")
    assert c == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert out["färgklass"][0] == "Värde ≤ 33,3:e percentilen"


def test_avstand_median_five_shades():
    # 0..10: P10 = 1, median 5, P90 = 9; "near" within a third of the way to P10/P90 (4/3)
    c, out = codes(range(0, 11), "avstand_median")
    assert c == [1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5]
    assert out["färgklass"][10] == "Långt bättre än medianen" and out["färgklass"][5] == "Nära medianen"
    assert "Median 5,0\u00a0%, 10:e percentilen 1,0\u00a0%, 90:e percentilen 9,0\u00a0%" in out["färgregel"][0]
    c, _ = codes(range(0, 11), "avstand_median", riktning="lagre_battre")
    assert c == [5, 5, 4, 4, 3, 3, 3, 2, 2, 1, 1]


def test_troskel_ja_nej_target_scale_and_riket():
    c, out = codes([1, 0, None], "troskel", typ="ja_nej")
    assert c == [2, 1, 0]
    assert list(out["färgklass"]) == ["Ja", "Nej", "Saknas (bortfall)"]
    assert list(out["färg"]) == [GREEN, RED, GREY]
    c, out = codes([60, 59.9, 75], "troskel", mal={"K": 60})
    assert c == [2, 1, 2] and out["färgklass"][0] == "Når målet"
    c, _ = codes([2, 1, 0, 2], "troskel", typ="skala")
    assert c == [3, 2, 1, 3]
    # against riket 50 with ±1 procentenhet: 50.5 and 49 as riket, 52 better, 48 worse
    c, out = codes([50.5, 52, 48, 49], "troskel", riket=50.0)
    assert c == [2, 3, 1, 2]
    assert out["färgklass"][1] == "Bättre än riket"
    assert "±1 procentenhet" in out["färgregel"][0]
    # counts, lower is better, relative tolerance 2 %: 101.5 as riket, 103 worse, 95 better
    c, _ = codes([101.5, 103, 95], "troskel", typ="antal", riktning="lagre_battre", riket=100.0, enhet="dagar")
    assert c == [2, 1, 3]


def test_neutral_quarters_and_no_direction_is_always_neutral():
    c, out = codes(range(1, 9), "neutral")
    assert c == [1, 1, 2, 2, 3, 3, 4, 4]
    assert set(out["färgstrategi"]) == {"neutral"}
    # a cost without direction stays neutral whatever strategy is asked for
    c, out = codes(range(1, 9), "rang_kvartil", riktning=None, typ="kr_per_inv", enhet="kr/invånare")
    assert set(out["färgstrategi"]) == {"neutral"} and c == [1, 1, 2, 2, 3, 3, 4, 4]
    assert out["färg"][7] == colours.PALETTER["standard"]["n4"]
    # Ja/Nej under a rank strategy is coloured by the answer, not by rank
    _, out = codes([1, 0, 1], "rang_kvartil", typ="ja_nej")
    assert set(out["färgstrategi"]) == {"ja_nej"}


def test_missing_is_grey_with_its_reason_and_every_output_carries_the_sentence():
    df = frame([1.0, None, None], status=[None, "sekretess", "ej_tillampligt"])
    out = colours.classify(df, "rang_kvartil", inom="tabellen")
    assert list(out["färgklass"][1:]) == ["Saknas (sekretess)", "Saknas (ej tillampligt)"]
    assert list(out["färg"][1:]) == [GREY, GREY] and list(out["färgkod"][1:]) == [0, 0]
    assert out.attrs["forklaring"] == colours.FORKLARING
    assert colours.FORKLARING == "Färgen visar läget jämfört med andra, inte om resultatet är bra."
    assert colours.FORKLARING in out.attrs["fargregel"]
    for name in colours.STRATEGIER:
        assert colours.FORKLARING in colours.describe(name)


def test_colour_blind_palette_swaps_green_and_red_for_blue_and_orange():
    c, out = codes(range(1, 9), "rang_kvartil", palett="fargblind")
    pal = colours.PALETTER["fargblind"]
    assert out["färg"][0] == pal["samst"] and out["färg"][7] == pal["bast"]
    assert GREEN not in set(out["färg"]) and RED not in set(out["färg"])
    assert "Blå: värde ≥" in out["färgregel"][0] and "orange: värde ≤" in out["färgregel"][0]
    assert "Färgblindvänlig" in colours.describe("rang_kvartil", "fargblind")


def test_reference_group_must_be_complete():
    df = frame([1.0, 2.0, 3.0]).assign(antal_med_värde_i_riket=250, antal_med_värde_i_länet=3)
    with pytest.raises(ValueError, match="kommun_table"):
        colours.classify(df, "rang_kvartil", inom="riket")
    out = colours.classify(df, "rang_kvartil", inom="lanet")
    assert list(out["färgkod"]) == [1, 2, 3]


def test_within_lan_groups_by_lan():
    df = frame([1, 2, 3, 10, 20, 30], lan=["06"] * 3 + ["01"] * 3)
    out = colours.classify(df, "rang_kvartil", inom="lanet")
    assert list(out["färgkod"]) == [1, 2, 3, 1, 2, 3]
    out = colours.classify(df, "rang_kvartil", inom="tabellen")
    assert list(out["färgkod"]) == [1, 1, 2, 2, 3, 3]


def test_names_are_checked_and_legends_start_with_missing():
    with pytest.raises(OjError, match="Okänd färgstrategi"):
        colours.check_strategy("kvartil")
    with pytest.raises(OjError, match="Okänd färgpalett"):
        colours.check_palette("regnbåge")
    entries = colours.legend("rang_kvartil")
    assert [e.kod for e in entries] == [0, 1, 2, 3]
    assert [e.farg for e in entries] == [GREY, RED, YELLOW, GREEN]
    assert colours.text_colour("#FFFFFF") == "#000000" and colours.text_colour("#000000") == "#FFFFFF"


def test_coloured_lan_table_places_kommuner_against_riket(example_ds):
    t = colours.coloured_lan_table(example_ds, "06", "missbruk", strategi="rang_kvartil")
    nat = colours.coloured_kommun_table(example_ds, "missbruk", strategi="rang_kvartil")
    assert t["länskod"].eq("06").all() and len(nat) == 290 * t.kpi.nunique()
    merged = t.merge(nat, on=["kpi", "kommunkod"], suffixes=("", "_n"))
    assert (merged["färgkod"] == merged["färgkod_n"]).all()
    assert t.attrs["forklaring"] == colours.FORKLARING and t.attrs["lan"] == "06"
    # costs have no direction in the catalogue: neutral
    assert set(t.loc[t.riktning.isna(), "färgstrategi"]) == {"neutral"}


@pytest.mark.parametrize("strategi", sorted(colours.STRATEGIER))
def test_another_palettes_rule_texts_are_that_palettes_own_without_classifying_again(example_ds, strategi):
    """classify(rule_palettes=...) gives each palette's rule texts beside the table's (the dashboard's
    colour-blind rules) from one classification: the same texts as classifying in that palette, whose
    classes are the ones of the standard palette."""
    std = colours.coloured_kommun_table(example_ds, "missbruk", strategi=strategi, rule_palettes=("fargblind",))
    fb = colours.coloured_kommun_table(example_ds, "missbruk", strategi=strategi, palett="fargblind")
    assert (std["färgkod"] == fb["färgkod"]).all()
    assert list(std["färgregel_fargblind"]) == list(fb["färgregel"])
    assert (list(std["färgregel_fargblind"]) != list(std["färgregel"])) == (strategi != "neutral")  # colours named
    assert list(std.drop(columns="färgregel_fargblind").columns) == list(fb.columns)
    with pytest.raises(OjError, match="färgpalett"):
        colours.classify(std, strategi, rule_palettes=("rosa",))
    # and in small tables each strategy's every kind of rule: Ja/Nej, a scale, a target, ties at both limits
    for values, kw in [([1, 0, 1, None], {"typ": "ja_nej"}), ([1, 2, 3, 2], {"typ": "skala"}),
                       ([5, 5, 5, 5], {}), ([1, 2, 2, 2, 2, 3], {}), ([1, 2, 3, 4], {"riktning": None}),
                       ([10, 20, 30], {"riket": 20.0})]:
        t = frame(values, **kw)
        one = colours.classify(t, strategi, inom="tabellen", rule_palettes=("fargblind", "standard"))
        other = colours.classify(t, strategi, palett="fargblind", inom="tabellen")
        assert list(one["färgregel_fargblind"]) == list(other["färgregel"])
        assert list(one["färgregel_standard"]) == list(one["färgregel"])
