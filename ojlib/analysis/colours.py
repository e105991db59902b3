"""Colour strategies for ÖJ tables, maps and figures: a choice, stated on screen, never a fact.

A strategy is chosen by name (``STRATEGIER``) and says how a kommun's value is placed against
a reference group (``inom``: all kommuner in riket, the kommuner of the län, or the rows of the
table itself). Classes are decided on *values* – cut-points are percentiles of the reference
group's values (linear interpolation) – so equal values always share a class, and every label
says what is true of the value ("Värde ≥ 75:e percentilen"), never a share of kommuner it may
not have: with ties a class can hold more or fewer kommuner than a quarter, and the rule text
(``färgregel``) says how many it holds ("80 av 290 kommuner").

* ``rang_kvartil`` (default, like Kolada): green if the value is at least as good as the 75th
  percentile (in the desired direction), red if at most as good as the 25th, yellow otherwise;
  a value that is both (no spread) is yellow.
* ``rang_tertil``: the same with the 33,3:e and 66,7:e percentiles.
* ``avstand_median`` (SKR style, five shades): "långt bättre/sämre" beyond the 90th/10th
  percentile, "nära medianen" within a third of the way from the median to those percentiles,
  "bättre/sämre" in between.
* ``troskel``: a fixed threshold. With a target (``mal={kpi: värde}``) green when the target is
  reached, red otherwise; other numbers against riket's value, "som riket" within
  ``aggregate.TOLERANS``.
* ``neutral``: purple shades by value (quartile cut-points), no good/bad.

Whatever the strategy, **answer types are coloured by their answer**, the same way in every
column: Ja/Nej – Ja green, Nej red; ordinal scales by their labelled levels from worst to best
(three levels: red, yellow, green – so "Delvis" is always yellow; four: red, orange, light
green, green). Indicators without a desired direction (costs, volumes) are neutral. Missing
values are grey with the reason. ``palett="fargblind"`` swaps green/red for blue/orange
(ColorBrewer RdYlBu, safe for the common colour-vision deficiencies). Every coloured output
carries ``FORKLARING``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ojlib.analysis import ranking
from ojlib.analysis.aggregate import ANSWER_TYPES, TOLERANS
from ojlib.analysis.formatting import format_number, level_text, short_num
from ojlib.analysis.peers import kommun_profile
from ojlib.base.errors import OjError, did_you_mean
from ojlib.data import geo

FORKLARING = "Färgen visar läget jämfört med andra, inte om resultatet är bra."

STRATEGIER = {
    "rang_kvartil": "Kvartilgränser som i Kolada: grön om värdet är minst lika bra som 75:e percentilen (i "
                    "önskvärd riktning), röd om det är högst lika bra som 25:e percentilen, annars gul. Lika "
                    "värden får samma färg, så en färg kan gälla fler eller färre än en fjärdedel av kommunerna.",
    "rang_tertil": "Tertilgränser: grön om värdet är minst lika bra som 66,7:e percentilen (i önskvärd "
                   "riktning), röd om det är högst lika bra som 33,3:e percentilen, annars gul. Lika värden får "
                   "samma färg.",
    "avstand_median": "Avstånd till medianen i fem nyanser: mörkast bortom 10:e/90:e percentilen, gul "
                      "inom en tredjedel av avståndet från medianen till dessa percentiler.",
    "troskel": "Fast tröskel: med ett mål grön när målet nås, annars röd; övriga mot rikets värde "
               "(gul: som riket inom toleransen).",
    "neutral": "Neutral: lila nyanser efter värde (kvartilgränser), utan värdering.",
}
STRATEGINAMN = {"rang_kvartil": "kvartilgränser (25:e och 75:e percentilen)",
                "rang_tertil": "tertilgränser (33,3:e och 66,7:e percentilen)",
                "avstand_median": "avstånd till medianen", "troskel": "fast tröskel (mål eller rikets värde)",
                "neutral": "neutral, efter värde"}
INOM = {"riket": "alla kommuner i riket", "lanet": "kommunerna i länet", "tabellen": "kommunerna i tabellen"}
NOTE_SVAR = ("Ja/Nej- och skalindikatorer färgas efter svaret, lika i varje kolumn och inte efter rang: "
             "Ja grön, Nej röd; skalor efter sina nivåer från lägsta (röd) till högsta (grön), så Delvis är gul.")
NOTE_JA_NEJ = NOTE_SVAR  # old name
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
FARGNAMN = {"standard": {"bast": "grön", "mitten": "gul", "samst": "röd", "bast1": "ljusgrön", "samst1": "orange"},
            "fargblind": {"bast": "blå", "mitten": "ljusgul", "samst": "orange", "bast1": "ljusblå",
                          "samst1": "ljusorange"}}

_PCT = {"rang_kvartil": ("25:e", "75:e", 0.25), "rang_tertil": ("33,3:e", "66,7:e", 1 / 3)}

# Classes per effective strategy, worst/lowest first: (palette key, generic label). Code 0 is
# missing. Rank labels depend on the direction (see ``class_labels``); scales take their levels.
KLASSER = {
    "rang_kvartil": [("samst", "Värde ≤ 25:e percentilen"), ("mitten", "Mellan 25:e och 75:e percentilen"),
                     ("bast", "Värde ≥ 75:e percentilen")],
    "rang_tertil": [("samst", "Värde ≤ 33,3:e percentilen"), ("mitten", "Mellan 33,3:e och 66,7:e percentilen"),
                    ("bast", "Värde ≥ 66,7:e percentilen")],
    "avstand_median": [("samst2", "Långt sämre än medianen"), ("samst1", "Sämre än medianen"),
                       ("mitten", "Nära medianen"), ("bast1", "Bättre än medianen"),
                       ("bast2", "Långt bättre än medianen")],
    "troskel_riket": [("samst", "Sämre än riket"), ("mitten", "Som riket"), ("bast", "Bättre än riket")],
    "troskel_mal": [("samst", "Når inte målet"), ("bast", "Når målet")],
    "ja_nej": [("samst", "Nej"), ("bast", "Ja")],
    "skala": [("samst", "Lägsta nivån"), ("mitten", "Mellannivå"), ("bast", "Högsta nivån")],
    "neutral": [("n1", "Värde ≤ 25:e percentilen"), ("n2", "Över 25:e, högst 50:e percentilen"),
                ("n3", "Över 50:e, under 75:e percentilen"), ("n4", "Värde ≥ 75:e percentilen")],
    "neutral_ja_nej": [("n2", "Nej"), ("n4", "Ja")],
    "neutral_skala": [("n1", "Lägsta nivån"), ("n2", "Mellannivå"), ("n4", "Högsta nivån")],
}
SAKNAS = "Saknas"
SCHEMANAMN = {
    "rang_kvartil": "Kvartilgränser (percentiler)", "rang_tertil": "Tertilgränser (percentiler)",
    "avstand_median": "Avstånd till medianen",
    "troskel_riket": "Tröskel: rikets värde", "troskel_mal": "Tröskel: mål",
    "ja_nej": "Ja/Nej-indikatorer (efter svaret)", "skala": "Skalindikatorer (efter nivå)",
    "neutral": "Neutral (ingen önskvärd riktning)",
    "neutral_ja_nej": "Ja/Nej utan önskvärd riktning", "neutral_skala": "Skala utan önskvärd riktning",
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


def _no_direction(riktning) -> bool:
    return riktning is None or (isinstance(riktning, float) and np.isnan(riktning))


def effective_strategy(strategi: str, typ: str, riktning, has_target: bool = False) -> str:
    """The class scheme an indicator actually gets under ``strategi`` (see module docstring).

    One of the ``KLASSER`` keys: "ja_nej" or "skala" for answer types (by level, whatever the
    strategy), "neutral"/"neutral_ja_nej"/"neutral_skala" without a desired direction or under
    ``neutral``, for ``troskel`` "troskel_mal" (a target given) or "troskel_riket", otherwise
    the strategy itself.
    """
    if _no_direction(riktning) or strategi == "neutral":
        return {"ja_nej": "neutral_ja_nej", "skala": "neutral_skala"}.get(typ, "neutral")
    if typ in ANSWER_TYPES:
        return typ
    if strategi == "troskel":
        return "troskel_mal" if has_target else "troskel_riket"
    return strategi


def _scale_keys(n: int, neutral: bool = False) -> list[str]:
    """Palette keys of a scale's n levels, worst first: the ends are always red/green (or n1/n4)."""
    if neutral:
        keys = ["n1", "n2", "n3", "n4"]
        return [keys[round(i * 3 / max(n - 1, 1))] for i in range(n)]
    return {1: ["mitten"], 2: ["samst", "bast"], 3: ["samst", "mitten", "bast"],
            4: ["samst", "samst1", "bast1", "bast"],
            5: ["samst", "samst1", "mitten", "bast1", "bast"]}.get(
        n, ["samst"] + ["mitten"] * max(n - 2, 0) + ["bast"])


def _scale_levels(nivaer: dict, riktning) -> list[tuple[int, str]]:
    """A scale's (code, label), worst first (lowest code first unless lower is better)."""
    levels = sorted(nivaer.items())
    return levels[::-1] if riktning == "lagre_battre" else levels


def class_entries(effective: str, riktning=None, nivaer: dict | None = None) -> list[tuple[str, str]]:
    """(palette key, label) per class code 1..k, worst/lowest first, true for the direction."""
    if effective in ("skala", "neutral_skala") and nivaer:
        levels = _scale_levels(nivaer, riktning)
        keys = _scale_keys(len(levels), effective == "neutral_skala")
        return [(k, label) for k, (_, label) in zip(keys, levels, strict=True)]
    entries = KLASSER[effective]
    if effective in _PCT and riktning == "lagre_battre":  # best = lowest values
        return [(entries[0][0], entries[2][1]), entries[1], (entries[2][0], entries[0][1])]
    return entries


def class_labels(effective: str, riktning=None, nivaer: dict | None = None) -> list[str]:
    return [label for _, label in class_entries(effective, riktning, nivaer)]


@dataclass(frozen=True)
class LegendEntry:
    kod: int
    namn: str
    farg: str
    antal: int | None = None  # kommuner in this class among the rows the legend was made from


def legend(effective: str, palett: str = "standard", saknas: bool = True, riktning=None,
           nivaer: dict | None = None) -> list[LegendEntry]:
    """Legend of an effective strategy: code 0 "Saknas" (grey) then classes worst/lowest first."""
    pal = check_palette(palett)
    out = [LegendEntry(0, SAKNAS, pal["saknas"])] if saknas else []
    out += [LegendEntry(n, label, pal[key])
            for n, (key, label) in enumerate(class_entries(effective, riktning, nivaer), start=1)]
    return out


def legend_for(rows: pd.DataFrame, palett: str | None = None, saknas: bool = True) -> list[LegendEntry]:
    """The true legend of one indicator in a coloured table, with how many rows each class holds.

    ``rows``: the rows of one indicator (e.g. a län's kommuner) from :func:`classify`. Entries
    are the classes worst/lowest first with the label as classified (e.g. "Värde ≥ 75:e
    percentilen", "Delvis") and ``antal``; "Saknas" first when ``saknas``.
    """
    if rows.empty:
        return []
    palett = palett or rows.attrs.get("palett", "standard")
    pal = check_palette(palett)
    first = rows.iloc[0]
    riktning = first.riktning if isinstance(first.riktning, str) else None
    nivaer = rows.attrs.get("nivaer", {}).get(first.kpi)
    counts = rows["färgkod"].value_counts()
    out = [LegendEntry(0, SAKNAS, pal["saknas"], int(counts.get(0, 0)))] if saknas else []
    out += [LegendEntry(n, label, pal[key], int(counts.get(n, 0)))
            for n, (key, label) in enumerate(class_entries(first["färgstrategi"], riktning, nivaer), start=1)]
    return out


def describe(strategi: str = "rang_kvartil", palett: str = "standard", inom: str = "riket") -> str:
    """The colour rule in Swedish: the strategy, its cut-points, the reference group, the sentence."""
    check_strategy(strategi)
    check_palette(palett)
    text = _recolour(STRATEGIER[strategi], palett)
    parts = [text, f"Jämförelsen görs mot {INOM[inom]}.", _recolour(NOTE_SVAR, palett), NOTE_NEUTRAL,
             "Grått betyder att värde saknas; orsaken (bortfall, sekretess, ej tillämpligt) anges.", FORKLARING]
    if palett != "standard":
        parts.insert(1, "Färgblindvänlig palett.")
    if strategi == "neutral":
        parts.remove(NOTE_NEUTRAL)
    return " ".join(parts)


def _recolour(text: str, palett: str) -> str:
    if palett == "standard":
        return text
    names = FARGNAMN[palett]
    return text.replace("grön", "\0b").replace("röd", "\0s").replace("gul", "\0m") \
        .replace("\0b", names["bast"]).replace("\0s", names["samst"]).replace("\0m", names["mitten"])


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


def _count_text(code: np.ndarray, valid: np.ndarray, k: int) -> str:
    n = int(valid.sum())
    c = int(((code == k) & valid).sum())
    return f"{c} av {n} {'kommun' if n == 1 else 'kommuner'}"


def _group_rule(eff, v, typ, riktning, enhet, riket, mal, kpi, nivaer, where):
    """Codes (1..k) for one indicator's values and its rule text with their numbers and counts, the text as a
    function of a palette's colour names (``FARGNAMN[palett]``): the codes are the same for every palette."""
    f = lambda x: format_number(x, typ, enhet)  # noqa: E731
    hb = riktning != "lagre_battre"
    better, worse = ("högre", "lägre") if hb else ("lägre", "högre")
    valid = ~np.isnan(v)
    if eff in ("ja_nej", "neutral_ja_nej"):
        code = np.where(v == 1, 2, 1)
        if eff == "neutral_ja_nej":
            return code, lambda names: "Ja/Nej utan önskvärd riktning: neutrala nyanser efter svaret."
        yes, no = _count_text(code, valid, 2), _count_text(code, valid, 1)
        return code, lambda names: (f"Efter svaret: Ja {names['bast']} ({yes}), Nej {names['samst']} ({no}) "
                                    f"bland {where}.")
    if eff in ("skala", "neutral_skala"):
        levels = _scale_levels(nivaer or {int(x): short_num(x) for x in np.unique(v[valid])}, riktning)
        codes_of = {lv: n for n, (lv, _) in enumerate(levels, start=1)}
        code = np.array([codes_of.get(int(round(x)), 0) if not np.isnan(x) else 0 for x in v])
        if eff == "neutral_skala":
            return code, lambda names: "Skala utan önskvärd riktning: neutrala nyanser efter nivå."
        keys = _scale_keys(len(levels))
        parts = [(level_text(label), key, _count_text(code, valid, n))
                 for n, ((_, label), key) in enumerate(zip(levels, keys, strict=True), start=1)][::-1]
        return code, lambda names: (f"Efter svaret (skalans nivåer): "
                                    f"{', '.join(f'{t} {names.get(k, k)} ({c})' for t, k, c in parts)} bland {where}.")
    if eff in _PCT:
        pl, ph, a = _PCT[eff]
        code, lo, hi = _rank_classes(v, hb, a)
        if not valid.any():
            return code, lambda names: f"Inga värden bland {where}."
        if np.nanmin(v) == np.nanmax(v):
            return code, lambda names: (f"Alla {int(valid.sum())} kommuner har samma värde ({f(lo)}) bland {where}: "
                                        f"{names['mitten']}, ingen spridning att färga efter.")
        good, bad = (f"värde ≥ {f(hi)} ({ph} percentilen)", f"värde ≤ {f(lo)} ({pl} percentilen)") if hb else \
            (f"värde ≤ {f(lo)} ({pl} percentilen)", f"värde ≥ {f(hi)} ({ph} percentilen)")
        counts = [_count_text(code, valid, k) for k in (3, 2, 1)]

        def rank_rule(names):
            both = f" (värden lika med båda gränserna är {names['mitten']}a)" if lo == hi else ""
            return (f"{names['bast'].capitalize()}: {good}, {counts[0]}; {names['mitten']}: däremellan{both}, "
                    f"{counts[1]}; {names['samst']}: {bad}, {counts[2]} – bland {where}; "
                    f"{better} värde är bättre. Lika värden har samma färg.")
        return code, rank_rule
    if eff == "avstand_median":
        code, p10, m, p90 = _median_classes(v, hb)
        text = (f"Median {f(m)}, 10:e percentilen {f(p10)}, 90:e percentilen {f(p90)} bland {where}; "
                f"{better} värde är bättre. Lika värden har samma färg.")
        return code, lambda names: text
    if eff == "neutral":
        code, p25, p50, p75 = _neutral_classes(v)
        counts = ", ".join(_count_text(code, valid, k).split(" av ")[0] for k in (1, 2, 3, 4))
        text = (f"Neutral efter värde: gränser {f(p25)}, {f(p50)} och {f(p75)} (25:e, 50:e och 75:e "
                f"percentilen bland {where}); antal kommuner från lägsta till högsta nyans: {counts} av "
                f"{int(valid.sum())}; ingen önskvärd riktning.")
        return code, lambda names: text
    if eff == "troskel_mal":
        target = float(mal[kpi])
        reached = v >= target if hb else v <= target
        least = "minst" if hb else "högst"
        code = np.where(reached, 2, 1)
        count = _count_text(code, valid, 2)
        return code, lambda names: (f"Mål {f(target)}: {names['bast']} om {least} målet ({count}), "
                                    f"annars {names['samst']}.")
    kind, tol = TOLERANS[typ]
    diff = v - riket
    band = np.abs(diff) <= (tol if kind != "procent" else np.abs(riket) * tol / 100) + 1e-9
    up = diff > 0
    code = np.where(band, 2, np.where(up == hb, 3, 1))
    unit = {"procentenheter": "procentenhet" if tol == 1 else "procentenheter", "procent": "%"}.get(kind, kind)
    r0 = riket[~np.isnan(riket)]
    rtext = f(r0[0]) if len(r0) else "–"
    return code, lambda names: (f"Mot riket ({rtext}): {names['mitten']} inom ±{short_num(tol)} {unit}, "
                                f"{names['bast']} om {better}, {names['samst']} om {worse}.")


def _check_population(table: pd.DataFrame, inom: str, keys: list[str]) -> None:
    col = {"riket": "antal_med_värde_i_riket", "lanet": "antal_med_värde_i_länet"}.get(inom)
    if col is None or col not in table.columns:
        return
    have = table.groupby(keys, sort=False)["värde"].transform("count")
    if (have != table[col]).any():
        raise ValueError(f"classify(inom={inom!r}) needs every kommun of the reference group in the table; "
                         "colour ranking.kommun_table(...) and filter afterwards, or use coloured_lan_table().")


def classify(table: pd.DataFrame, strategi: str = "rang_kvartil", palett: str = "standard",
             inom: str = "riket", mal: dict | None = None, catalogue=None,
             rule_palettes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Add colour columns to a comparison table (from :mod:`ojlib.analysis.ranking`).

    Adds färgstrategi (the scheme the row actually got, see ``effective_strategy``),
    färgklass (Swedish class label, or "Saknas (bortfall)" etc.), färgkod (0 missing, 1…k from
    worst/lowest to best/highest), färg (hex) and färgregel (the cut-points with their numbers).
    The reference group (``inom``) must be complete in the table: "riket" needs all kommuner
    (use :func:`coloured_lan_table` for one län), "lanet" the län's, "tabellen" takes the rows
    as they are. ``attrs`` gain fargstrategi, palett, inom, forklaring (``FORKLARING``) and
    fargregel (``describe``). ``rule_palettes``: a column ``färgregel_<palett>`` each, the rule texts in
    that palette's colour names (the classes are the same in every palette).
    """
    check_strategy(strategi)
    pal = check_palette(palett)
    for p in rule_palettes:
        check_palette(p)
    other = {p: (FARGNAMN[p], np.empty(len(table), dtype=object)) for p in rule_palettes}
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
    levels = dict(table.attrs.get("nivaer", {}))
    if catalogue is not None:
        levels.update({i.kpi: dict(i.nivaer) for i in catalogue if i.nivaer})
    klass = np.empty(n, dtype=object)
    farg = np.empty(n, dtype=object)
    for _, idx in out.groupby(keys, sort=False).indices.items():
        first = out.iloc[idx[0]]
        riktning = first.riktning if isinstance(first.riktning, str) else None
        eff = effective_strategy(strategi, first.typ, riktning, bool(mal) and first.kpi in mal)
        v = values[idx]
        nivaer = levels.get(first.kpi) or {}
        code, rule = _group_rule(eff, v, first.typ, riktning, first.enhet, riket[idx], mal, first.kpi, nivaer,
                                 where)
        code = np.where(np.isnan(v), 0, code)
        eff_col[idx] = eff
        code_col[idx] = code
        rule_col[idx] = rule(names)
        for other_names, col in other.values():
            col[idx] = rule(other_names)
        entries = {e.kod: e for e in legend(eff, palett, riktning=riktning, nivaer=nivaer or None)}
        klass[idx] = [entries[c].namn for c in code]
        farg[idx] = [entries[c].farg for c in code]
    out["färgstrategi"] = eff_col
    out["färgkod"] = code_col
    status = out["status"].to_numpy(dtype=object) if "status" in out.columns else np.full(n, None)
    missing = code_col == 0
    klass[missing] = [f"{SAKNAS} ({str(s or 'saknas').replace('_', ' ')})" for s in status[missing]]
    farg[missing] = pal["saknas"]
    out["färgklass"] = klass
    out["färg"] = farg
    out["färgregel"] = rule_col
    for p, (_, col) in other.items():
        out[f"färgregel_{p}"] = col
    out.attrs = {**table.attrs, "fargstrategi": strategi, "palett": palett, "inom": inom,
                 "forklaring": FORKLARING, "fargregel": describe(strategi, palett, inom)}
    return out


def coloured_kommun_table(ds, omrade=None, ar=None, strategi: str = "rang_kvartil", palett: str = "standard",
                          inom: str = "riket", mal: dict | None = None, rule_palettes: tuple[str, ...] = (),
                          **kwargs) -> pd.DataFrame:
    """:func:`ranking.kommun_table` (all kommuner) with colour columns (for the Sweden map)."""
    check_strategy(strategi)
    table = ranking.kommun_table(ds, omrade, ar, **kwargs)
    return classify(table, strategi, palett, inom if inom != "tabellen" else "riket", mal, ds.cat, rule_palettes)


def coloured_lan_table(ds, lan, omrade=None, ar=None, strategi: str = "rang_kvartil", palett: str = "standard",
                       inom: str = "riket", mal: dict | None = None, **kwargs) -> pd.DataFrame:
    """The län table with colour columns, placed against ``inom`` (default: all kommuner in riket).

    This is what the overview table, the heatmap and the län map take.
    """

    lk = geo.normalise_lan(lan)
    check_strategy(strategi)
    full = coloured_kommun_table(ds, omrade, ar, strategi, palett, inom, mal, **kwargs)
    out = full[full["länskod"] == lk].reset_index(drop=True)
    out.attrs = {**full.attrs, "lan": lk}
    return out


def coloured_kommun_profile(ds, kommun, omrade=None, ar=None, peers="liknande", strategi: str = "rang_kvartil",
                            palett: str = "standard", inom: str = "riket", mal: dict | None = None,
                            **kwargs) -> pd.DataFrame:
    """:func:`peers.kommun_profile` with the kommun's colour columns as in the län overview.

    The colour is decided exactly as in :func:`coloured_lan_table` (against ``inom``, default all
    kommuner in riket), so a kommun has the same colour in its profile and in its län's overview.
    """

    kod = geo.normalise_kommun(kommun)
    prof = kommun_profile(ds, kod, omrade, ar, peers, **kwargs)
    full = coloured_kommun_table(ds, omrade, ar, strategi, palett, inom, mal, **kwargs)
    own = full[full.kommunkod == kod].set_index("kpi")[COLUMNS]
    out = prof.join(own, on="kpi")
    out.attrs = {**prof.attrs, **{k: full.attrs[k] for k in ("fargstrategi", "palett", "inom", "forklaring",
                                                               "fargregel")}}
    return out
