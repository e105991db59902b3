"""Colour strategies for ÖJ tables, maps and figures: a choice, stated on screen, never a fact.

A strategy is chosen by name (``STRATEGIER``) and says how a kommun's value is placed against
a reference group (``inom``: all kommuner in riket, the kommuner of the län, or the rows of the
table itself). Cut-points are percentiles of the reference group's values (linear
interpolation), so ties get the same colour and the numbers can be printed:

* ``rang_kvartil`` (default, like Kolada): best quarter green, middle half yellow, worst
  quarter red: green if the value is at least as good as the 75th percentile (in the desired
  direction), red if at most as good as the 25th; a value that is both (no spread) is yellow.
* ``rang_tertil``: the same with thirds (33,3:e and 66,7:e percentilen).
* ``avstand_median`` (SKR style, five shades): "långt bättre/sämre" beyond the 90th/10th
  percentile, "nära medianen" within a third of the way from the median to those percentiles,
  "bättre/sämre" in between.
* ``troskel``: a fixed threshold. Ja/Nej: Ja green, Nej red. With a target (``mal={kpi: värde}``)
  green when the target is reached, red otherwise. Scales: top level green, lowest red. Other
  measures without a target: against riket's value, "som riket" within ``compare.TOLERANS``.
* ``neutral``: purple shades by size quarter (lowest to highest), no good/bad.

Whatever the strategy, Ja/Nej indicators use the Ja/Nej threshold (ranking a yes/no answer
says nothing), and indicators without a desired direction (costs, volumes) are neutral. Missing
values are grey with the reason. ``palett="fargblind"`` swaps green/red for blue/orange
(ColorBrewer RdYlBu, safe for the common colour-vision deficiencies). Every coloured output
carries ``FORKLARING``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ojlib import compare
from ojlib.errors import OjError, did_you_mean

FORKLARING = "Färgen visar läget jämfört med andra, inte om resultatet är bra."

STRATEGIER = {
    "rang_kvartil": "Kvartiler som i Kolada: bästa fjärdedelen grön, mittersta hälften gul, sämsta "
                    "fjärdedelen röd (gränser: 25:e och 75:e percentilen).",
    "rang_tertil": "Tertiler: bästa tredjedelen grön, mittersta gul, sämsta röd (gränser: 33,3:e och "
                   "66,7:e percentilen).",
    "avstand_median": "Avstånd till medianen i fem nyanser: mörkast bortom 10:e/90:e percentilen, gul "
                      "inom en tredjedel av avståndet från medianen till dessa percentiler.",
    "troskel": "Fast tröskel: Ja grön och Nej röd; med ett mål grön när målet nås; skalor: högsta nivån "
               "grön, lägsta röd; övriga mot rikets värde (gul: som riket inom toleransen).",
    "neutral": "Neutral: lila nyanser efter storlek (fjärdedelar), utan värdering.",
}
INOM = {"riket": "alla kommuner i riket", "lanet": "kommunerna i länet", "tabellen": "kommunerna i tabellen"}
NOTE_JA_NEJ = "Ja/Nej-indikatorer färgas alltid efter svaret (Ja/Nej), inte efter rang."
NOTE_NEUTRAL = "Indikatorer utan önskvärd riktning (t.ex. kostnader) färgas neutralt (lila)."

PALETTER = {
    "standard": {
        "bast": "#63BE7B", "mitten": "#FFEB84", "samst": "#F8696B",
        "bast2": "#63BE7B", "bast1": "#B1D580", "samst1": "#FBAA77", "samst2": "#F8696B",
        "n1": "#EFEDF5", "n2": "#CBC9E2", "n3": "#9E9AC8", "n4": "#756BB1", "saknas": "#D9D9D9",
    },
    "fargblind": {  # ColorBrewer RdYlBu: blue = better, orange = worse
        "bast": "#91BFDB", "mitten": "#FFFFBF", "samst": "#FC8D59",
        "bast2": "#74ADD1", "bast1": "#ABD9E9", "samst1": "#FDAE61", "samst2": "#F46D43",
        "n1": "#EFEDF5", "n2": "#CBC9E2", "n3": "#9E9AC8", "n4": "#756BB1", "saknas": "#D9D9D9",
    },
}
FARGNAMN = {"standard": {"bast": "grön", "mitten": "gul", "samst": "röd"},
            "fargblind": {"bast": "blå", "mitten": "ljusgul", "samst": "orange"}}

# Classes per effective strategy, worst/lowest first: (palette key, label). Code 0 is missing.
KLASSER = {
    "rang_kvartil": [("samst", "Bland de 25 % sämsta"), ("mitten", "Mittersta hälften"),
                     ("bast", "Bland de 25 % bästa")],
    "rang_tertil": [("samst", "Sämsta tredjedelen"), ("mitten", "Mittersta tredjedelen"),
                    ("bast", "Bästa tredjedelen")],
    "avstand_median": [("samst2", "Långt sämre än medianen"), ("samst1", "Sämre än medianen"),
                       ("mitten", "Nära medianen"), ("bast1", "Bättre än medianen"),
                       ("bast2", "Långt bättre än medianen")],
    "troskel_riket": [("samst", "Sämre än riket"), ("mitten", "Som riket"), ("bast", "Bättre än riket")],
    "troskel_mal": [("samst", "Når inte målet"), ("bast", "Når målet")],
    "troskel_skala": [("samst", "Lägsta nivån"), ("mitten", "Mellannivå"), ("bast", "Högsta nivån")],
    "ja_nej": [("samst", "Nej"), ("bast", "Ja")],
    "neutral": [("n1", "Lägsta fjärdedelen"), ("n2", "Näst lägsta fjärdedelen"),
                ("n3", "Näst högsta fjärdedelen"), ("n4", "Högsta fjärdedelen")],
    "neutral_ja_nej": [("n2", "Nej"), ("n4", "Ja")],
}
SAKNAS = "Saknas"
SCHEMANAMN = {
    "rang_kvartil": "Kvartiler (rang)", "rang_tertil": "Tertiler (rang)", "avstand_median": "Avstånd till medianen",
    "troskel_riket": "Tröskel: rikets värde", "troskel_mal": "Tröskel: mål", "troskel_skala": "Tröskel: skalans nivåer",
    "ja_nej": "Ja/Nej-indikatorer", "neutral": "Neutral (ingen önskvärd riktning)",
    "neutral_ja_nej": "Ja/Nej utan önskvärd riktning",
}
COLUMNS = ["färgstrategi", "färgklass", "färgkod", "färg", "färgregel"]


def check_strategy(strategi: str) -> str:
    """Validate a strategy name (OjError with the choices)."""
    if strategi not in STRATEGIER:
        raise OjError(f"Okänd färgstrategi '{strategi}'; {did_you_mean(strategi, list(STRATEGIER))}")
    return strategi


def check_palette(palett: str) -> dict:
    if palett not in PALETTER:
        raise OjError(f"Okänd färgpalett '{palett}'; {did_you_mean(palett, list(PALETTER))}")
    return PALETTER[palett]


def effective_strategy(strategi: str, typ: str, riktning, has_target: bool = False) -> str:
    """The class scheme an indicator actually gets under ``strategi`` (see module docstring).

    One of the ``KLASSER`` keys: the strategy itself, "ja_nej", "neutral"/"neutral_ja_nej", or
    for ``troskel`` "troskel_mal" (a target given), "troskel_skala" or "troskel_riket".
    """
    if riktning is None or (isinstance(riktning, float) and np.isnan(riktning)) or strategi == "neutral":
        return "neutral_ja_nej" if typ == "ja_nej" else "neutral"
    if typ == "ja_nej":
        return "ja_nej"
    if strategi == "troskel":
        return "troskel_mal" if has_target else ("troskel_skala" if typ == "skala" else "troskel_riket")
    return strategi


@dataclass(frozen=True)
class LegendEntry:
    kod: int
    namn: str
    farg: str


def legend(effective: str, palett: str = "standard", saknas: bool = True) -> list[LegendEntry]:
    """Legend of an effective strategy: code 0 "Saknas" (grey) then classes worst/lowest first."""
    pal = check_palette(palett)
    out = [LegendEntry(0, SAKNAS, pal["saknas"])] if saknas else []
    out += [LegendEntry(n, label, pal[key]) for n, (key, label) in enumerate(KLASSER[effective], start=1)]
    return out


def describe(strategi: str = "rang_kvartil", palett: str = "standard", inom: str = "riket") -> str:
    """The colour rule in Swedish: the strategy, its cut-points, the reference group, the sentence."""
    check_strategy(strategi)
    check_palette(palett)
    names = FARGNAMN[palett]
    text = STRATEGIER[strategi]
    if palett != "standard":
        text = (text.replace("grön", names["bast"]).replace("röd", names["samst"]).replace("gul", names["mitten"])
                + " Färgblindvänlig palett.")
    parts = [text, f"Jämförelsen görs mot {INOM[inom]}.", NOTE_JA_NEJ, NOTE_NEUTRAL,
             "Grått betyder att värde saknas; orsaken (bortfall, sekretess, ej tillämpligt) anges.", FORKLARING]
    if strategi == "neutral":
        parts.remove(NOTE_NEUTRAL)
    return " ".join(parts)


def text_colour(hex_colour: str) -> str:
    """Black or white text, whichever reads better on the background colour."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return "#000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "#FFFFFF"


# ---------------------------------------------------------------- classification

def _quantile(v: np.ndarray, q: float) -> float:
    return float(np.quantile(v, q)) if len(v) else np.nan


def _rank_classes(v, higher_better: bool, a: float):
    lo, hi = _quantile(v[~np.isnan(v)], a), _quantile(v[~np.isnan(v)], 1 - a)
    good = v >= hi if higher_better else v <= lo
    bad = v <= lo if higher_better else v >= hi
    code = np.where(good & ~bad, 3, np.where(bad & ~good, 1, 2))
    return code, lo, hi


def _median_classes(v, higher_better: bool):
    ok = v[~np.isnan(v)]
    p10, m, p90 = _quantile(ok, 0.1), _quantile(ok, 0.5), _quantile(ok, 0.9)
    s = v if higher_better else -v  # better is larger
    sm = m if higher_better else -m
    s_far_good, s_far_bad = (p90, p10) if higher_better else (-p10, -p90)
    code = np.full(len(v), 3)
    up, down = s > sm, s < sm
    code[up & (s - sm > (s_far_good - sm) / 3)] = 4
    code[up & (s >= s_far_good)] = 5
    code[down & (sm - s > (sm - s_far_bad) / 3)] = 2
    code[down & (s <= s_far_bad)] = 1
    return code, p10, m, p90


def _neutral_classes(v):
    ok = v[~np.isnan(v)]
    p25, p50, p75 = (_quantile(ok, q) for q in (0.25, 0.5, 0.75))
    code = np.where(v <= p25, 1, np.where(v <= p50, 2, np.where(v < p75, 3, 4)))
    return code, p25, p50, p75


def _group_rule(eff, v, typ, riktning, enhet, riket, mal, kpi, scale_levels, where):
    """Codes (1..k) for one indicator's values and the rule text with its numbers."""
    f = lambda x: compare.format_number(x, typ, enhet)  # noqa: E731
    hb = riktning != "lagre_battre"
    better, worse = ("högre", "lägre") if hb else ("lägre", "högre")
    if eff == "ja_nej":
        return np.where(v == 1, 2, 1), "Ja/Nej: Ja {bast}, Nej {samst} (fast tröskel)."
    if eff == "neutral_ja_nej":
        return np.where(v == 1, 2, 1), "Ja/Nej utan önskvärd riktning: neutrala nyanser."
    if eff in ("rang_kvartil", "rang_tertil"):
        a = 0.25 if eff == "rang_kvartil" else 1 / 3
        code, lo, hi = _rank_classes(v, hb, a)
        pl, ph = ("25:e", "75:e") if eff == "rang_kvartil" else ("33,3:e", "66,7:e")
        good, bad = (f"minst {f(hi)} ({ph} percentilen)", f"högst {f(lo)} ({pl} percentilen)") if hb else \
            (f"högst {f(lo)} ({pl} percentilen)", f"minst {f(hi)} ({ph} percentilen)")
        return code, f"{{Bast}} {good}, {{samst}} {bad}, övriga {{mitten}}, bland {where}; {better} värde är bättre."
    if eff == "avstand_median":
        code, p10, m, p90 = _median_classes(v, hb)
        return code, (f"Median {f(m)}, 10:e percentilen {f(p10)}, 90:e percentilen {f(p90)} bland {where}; "
                      f"{better} värde är bättre.")
    if eff == "neutral":
        code, p25, p50, p75 = _neutral_classes(v)
        return code, (f"Neutral efter storlek: gränser {f(p25)}, {f(p50)} och {f(p75)} (kvartiler bland "
                      f"{where}); ingen önskvärd riktning.")
    if eff == "troskel_mal":
        target = float(mal[kpi])
        reached = v >= target if hb else v <= target
        least = "minst" if hb else "högst"
        return np.where(reached, 2, 1), f"Mål {f(target)}: {{bast}} om {least} målet, annars {{samst}}."
    if eff == "troskel_skala":
        top, low = (max(scale_levels), min(scale_levels)) if scale_levels else (np.nan, np.nan)
        best, worst = (top, low) if hb else (low, top)
        code = np.where(v == best, 3, np.where(v == worst, 1, 2))
        return code, f"Skala: nivå {best} {{bast}}, nivå {worst} {{samst}}, övriga {{mitten}}."
    kind, tol = compare.TOLERANS[typ]
    diff = v - riket
    band = np.abs(diff) <= (tol if kind != "procent" else np.abs(riket) * tol / 100) + 1e-9
    up = diff > 0
    code = np.where(band, 2, np.where(up == hb, 3, 1))
    unit = {"procentenheter": "procentenhet" if tol == 1 else "procentenheter", "procent": "%"}.get(kind, kind)
    r0 = riket[~np.isnan(riket)]
    rtext = f(r0[0]) if len(r0) else "–"
    return code, f"Mot riket ({rtext}): {{mitten}} inom ±{compare._num(tol, 2).rstrip('0').rstrip(',')} {unit}, " \
                 f"{{bast}} om {better}, {{samst}} om {worse}."


def _check_population(table: pd.DataFrame, inom: str, keys: list[str]) -> None:
    col = {"riket": "antal_med_värde_i_riket", "lanet": "antal_med_värde_i_länet"}.get(inom)
    if col is None or col not in table.columns:
        return
    have = table.groupby(keys, sort=False)["värde"].transform("count")
    if (have != table[col]).any():
        raise ValueError(f"classify(inom={inom!r}) needs every kommun of the reference group in the table; "
                         "colour compare.kommun_table(...) and filter afterwards, or use coloured_lan_table().")


def classify(table: pd.DataFrame, strategi: str = "rang_kvartil", palett: str = "standard",
             inom: str = "riket", mal: dict | None = None, catalogue=None) -> pd.DataFrame:
    """Add colour columns to a comparison table (from :mod:`ojlib.compare`).

    Adds färgstrategi (the scheme the row actually got, see ``effective_strategy``),
    färgklass (Swedish class label, or "Saknas (bortfall)" etc.), färgkod (0 missing, 1…k from
    worst/lowest to best/highest), färg (hex) and färgregel (the cut-points with their numbers).
    The reference group (``inom``) must be complete in the table: "riket" needs all kommuner
    (use :func:`coloured_lan_table` for one län), "lanet" the län's, "tabellen" takes the rows
    as they are. ``attrs`` gain fargstrategi, palett, inom, forklaring (``FORKLARING``) and
    fargregel (``describe``).
    """
    check_strategy(strategi)
    pal = check_palette(palett)
    if inom not in INOM:
        raise OjError(f"Okänd jämförelsegrupp för färgen '{inom}'; {did_you_mean(inom, list(INOM))}")
    keys = [k for k in ("kpi", "år", "kön") if k in table.columns]
    if inom == "lanet":
        keys.append("länskod")
    if inom != "tabellen":
        _check_population(table, inom, keys)
    out = table.copy()
    n = len(out)
    eff_col = np.empty(n, dtype=object)
    code_col = np.zeros(n, dtype=int)
    rule_col = np.empty(n, dtype=object)
    values = out["värde"].to_numpy(dtype=float)
    riket = out["riket"].to_numpy(dtype=float) if "riket" in out.columns else np.full(n, np.nan)
    where = INOM[inom]
    names = FARGNAMN[palett]
    levels = {}
    if catalogue is not None:
        levels = {i.kpi: sorted(i.nivaer) for i in catalogue}
    for _, idx in out.groupby(keys, sort=False).indices.items():
        first = out.iloc[idx[0]]
        riktning = first.riktning if isinstance(first.riktning, str) else None
        eff = effective_strategy(strategi, first.typ, riktning, bool(mal) and first.kpi in mal)
        v = values[idx]
        lv = levels.get(first.kpi) or sorted({int(x) for x in v[~np.isnan(v)]})
        code, rule = _group_rule(eff, v, first.typ, riktning, first.enhet, riket[idx], mal, first.kpi, lv, where)
        rule = rule.format(**names, Bast=names["bast"].capitalize())
        code = np.where(np.isnan(v), 0, code)
        eff_col[idx] = eff
        code_col[idx] = code
        rule_col[idx] = rule
    out["färgstrategi"] = eff_col
    out["färgkod"] = code_col
    klass = np.empty(n, dtype=object)
    farg = np.empty(n, dtype=object)
    status = out["status"].to_numpy(dtype=object) if "status" in out.columns else np.full(n, None)
    for eff in set(eff_col):
        sel = eff_col == eff
        entries = {e.kod: e for e in legend(eff, palett)}
        klass[sel] = [entries[c].namn for c in code_col[sel]]
        farg[sel] = [entries[c].farg for c in code_col[sel]]
    missing = code_col == 0
    klass[missing] = [f"{SAKNAS} ({str(s or 'saknas').replace('_', ' ')})" for s in status[missing]]
    farg[missing] = pal["saknas"]
    out["färgklass"] = klass
    out["färg"] = farg
    out["färgregel"] = rule_col
    out.attrs = {**table.attrs, "fargstrategi": strategi, "palett": palett, "inom": inom,
                 "forklaring": FORKLARING, "fargregel": describe(strategi, palett, inom)}
    return out


def coloured_kommun_table(ds, omrade=None, ar=None, strategi: str = "rang_kvartil", palett: str = "standard",
                          inom: str = "riket", mal: dict | None = None, **kwargs) -> pd.DataFrame:
    """:func:`compare.kommun_table` (all kommuner) with colour columns (for the Sweden map)."""
    check_strategy(strategi)
    table = compare.kommun_table(ds, omrade, ar, **kwargs)
    return classify(table, strategi, palett, inom if inom != "tabellen" else "riket", mal, ds.cat)


def coloured_lan_table(ds, lan, omrade=None, ar=None, strategi: str = "rang_kvartil", palett: str = "standard",
                       inom: str = "riket", mal: dict | None = None, **kwargs) -> pd.DataFrame:
    """The län table with colour columns, placed against ``inom`` (default: all kommuner in riket).

    This is what the overview table, the heatmap and the län map take.
    """
    from ojlib import geo

    lk = geo.normalise_lan(lan)
    check_strategy(strategi)
    full = coloured_kommun_table(ds, omrade, ar, strategi, palett, inom, mal, **kwargs)
    out = full[full["länskod"] == lk].reset_index(drop=True)
    out.attrs = {**full.attrs, "lan": lk}
    return out
