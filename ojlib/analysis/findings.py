"""One ranking of a report's indicators: where the län (or a kommun) differs most from riket, and
where it changed most since the previous comparable year.

Every "largest" a reader is told — the summary's "Störst skillnad till länets nackdel/fördel",
"Störst försämring" and "Störst förbättring", the förbättringsområden of the report and of the
deck, and the deck's notes — reads the same :class:`Ranking`, so they cannot name different top
items. All indicators of the report with a desired direction take part:

* Ja/Nej and scales by the share of kommuner at the top level (Ja, the scale's best answer),
  counted from the kommuner; a kommun's own answer counts as 100 (at the top level) or 0;
* shares (``andel``) in procentenheter;
* kronor and counts relative to the value compared with (per cent).

A difference or change within the stated tolerance (:data:`ojlib.analysis.aggregate.TOLERANS`)
is no difference. Sizes are held against the rule's limit (:func:`limit`): a difference from riket
against the förbättringsområde limit (10 procentenheter for answers, 5 for shares, 10 % for other
measures), a change against the tolerance; the ratio (``poang``) orders the indicators, so a
förbättringsområde list is always the head of the ranking. Indicators whose sizes round to the
same number share a place (``plats``), and sentences say so ("tre indikatorer delar andraplatsen").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import groupby

import numpy as np
import pandas as pd

from ojlib.analysis.aggregate import (
    ANSWER_TYPES,
    GLES_REGEL,
    TOLERANS,
    compare_to,
    tolerance_text,
    top_level,
    underlag_text,
)
from ojlib.analysis.formatting import (
    and_list,
    format_difference,
    format_percent_change,
    format_value,
    level_text,
    num,
)
from ojlib.data import geo

# Förbättringsområden: the limits, stated in the report as written here.
GRANS_SVAR_PE = 10.0      # answers: the share at the top level this many procentenheter below riket
GRANS_ANDEL_PE = 5.0      # percentages: this many procentenheter worse than riket
GRANS_RELATIV = 10.0      # other measures with a direction: this many per cent worse than riket
MAX_PER_REGEL = 5
TOPP = 2                  # places named in a summary's "Störst …" sentence

TOLERANS_KORT = f"{tolerance_text('andel')} för andelar, {tolerance_text('kr_per_inv')} för kronor och antal"

_ANTAL = {2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio", 10: "tio",
          11: "elva", 12: "tolv"}
_PLATS = {1: "första", 2: "andra", 3: "tredje", 4: "fjärde", 5: "femte", 6: "sjätte", 7: "sjunde",
          8: "åttonde", 9: "nionde", 10: "tionde"}


def regler(kommun: bool = False) -> list[str]:
    """The rules of the förbättringsområden, in the words the report and the deck print."""
    if kommun:
        svar = ("för Ja/Nej- och skalfrågor har kommunen inte svarat Ja (högsta nivån) där minst "
                f"{GRANS_SVAR_PE:.0f} % av rikets kommuner har gjort det")
        fell = ("Kommunen har försämrats: kommunens svar har gått från Ja (högsta nivån) till ett annat svar, "
                "eller ett mått har blivit sämre sedan föregående jämförbara år, mer än toleransen för "
                f"oförändrat ({TOLERANS_KORT}).")
        enhet = "Kommunen"
    else:
        svar = ("för Ja/Nej- och skalfrågor är andelen kommuner med Ja (högsta nivån) minst "
                f"{GRANS_SVAR_PE:.0f} procentenheter lägre än i riket")
        fell = ("Länet har försämrats mest: indikatorer där länets värde (för Ja/Nej och skalor andelen kommuner "
                "med Ja eller högsta nivån) har blivit sämre sedan föregående jämförbara år, mer än toleransen "
                f"för oförändrat ({TOLERANS_KORT}).")
        enhet = "Länet"
    return [
        f"{enhet} långt under riket: {svar}; för andelar är värdet minst {GRANS_ANDEL_PE:.0f} procentenheter "
        f"sämre än rikets; för övriga mått med önskvärd riktning minst {GRANS_RELATIV:.0f} % sämre.",
        fell,
        "Ordning: skillnaden mot riket i förhållande till gränsen, förändringen i förhållande till toleransen "
        "(så kan procentenheter och procent jämföras), samma ordning som sammanfattningens ”Störst …”; samma "
        f"avrundade storlek delar plats. Högst {MAX_PER_REGEL} platser per lista.",
        "Indikatorer utan önskvärd riktning (t.ex. kostnader) väljs aldrig: där säger ett högre eller lägre värde "
        "inget om kvaliteten.",
        *([] if kommun else [GLES_REGEL]),
    ]


REGLER = regler()


def limit(typ: str, against_riket: bool) -> float:
    """The size that scores 1: the förbättringsområde limit against riket, the tolerance for a change."""
    if not against_riket:
        return TOLERANS[typ][1]
    if typ in ANSWER_TYPES:
        return GRANS_SVAR_PE
    return GRANS_ANDEL_PE if TOLERANS[typ][0] == "procentenheter" else GRANS_RELATIV


@dataclass(frozen=True)
class Item:
    """One indicator's difference from riket, or its change since an earlier year, for one unit."""

    kpi: str
    indikator: str
    typ: str
    ar: int
    varde: float             # the unit's number (answers: share at the top level, a kommun 100 or 0)
    mot: float               # riket's number, or the unit's earlier number
    mot_ar: int | None       # the earlier year (changes), None against riket
    skillnad: float          # varde − mot, in the indicator's unit (procentenheter for shares)
    relativ: float | None    # 100 · skillnad / |mot| for kronor and counts
    storlek: float           # the size the rule reads: procentenheter, or per cent for kronor and counts
    poang: float             # storlek / limit(): 1 or more is a förbättringsområde (against riket)
    battre: bool             # in the desired direction
    varde_text: str
    mot_text: str
    varde_avser: str = ""
    mot_avser: str = ""
    topp: str = "Ja"         # the top answer's label (answers)
    plats: int = 0           # 1 = the largest on its side; equal rounded sizes share a place

    @property
    def answer(self) -> bool:
        return self.typ in ANSWER_TYPES

    @property
    def procentenheter(self) -> bool:
        return TOLERANS[self.typ][0] == "procentenheter"

    def difference_text(self) -> str:
        """"−31,8 procentenheter" or "−12,5 %"."""
        if self.procentenheter:
            return format_difference(self.skillnad, "andel")
        return format_percent_change(self.relativ)


@dataclass(frozen=True)
class Ranking:
    """Every indicator of one område of a report, ranked for one unit (länet or a kommun).

    ``mot_riket`` and ``forandring`` hold the indicators beyond the tolerance, each side ordered
    largest first (ties by KPI id) with its place."""

    enhet: str                       # "länet" or the kommun's name
    kommun: str | None = None        # the kommun's code for a kommun's ranking
    mot_riket: tuple[Item, ...] = ()
    forandring: tuple[Item, ...] = ()
    utan_riktning: tuple[str, ...] = field(default=())
    glesa: tuple[tuple[str, str, str], ...] = ()  # (kpi, indikator, "2 av 13 kommuner"): not held against riket

    def samre_an_riket(self) -> list[Item]:
        return [i for i in self.mot_riket if not i.battre]

    def battre_an_riket(self) -> list[Item]:
        return [i for i in self.mot_riket if i.battre]

    def forsamrade(self) -> list[Item]:
        return [i for i in self.forandring if not i.battre]

    def forbattrade(self) -> list[Item]:
        return [i for i in self.forandring if i.battre]


def _score(size: float, typ: str, against_riket: bool) -> float:
    """The size as the reader sees it (one decimal) held against the rule's limit."""
    return round(size, 1) / limit(typ, against_riket)


def _placed(items: list[Item]) -> list[Item]:
    """Order largest first (ties by KPI id) and give each its place; equal rounded sizes share one."""
    def key(i: Item) -> float:
        return round(i.poang, 9)

    items = sorted(items, key=lambda i: (-key(i), i.kpi))
    out, place = [], 0
    for n, i in enumerate(items, start=1):
        if n == 1 or key(i) != key(items[n - 2]):
            place = n
        out.append(_with(i, plats=place))
    return out


def _with(item: Item, **changes) -> Item:
    return replace(item, **changes)


def _share(value, ind) -> float:
    """A kommun's answer as the share the ranking reads: 100 at the top level, 0 otherwise."""
    if value is None or pd.isna(value):
        return np.nan
    return 100.0 * (int(round(float(value))) == top_level(ind))


def rank(ds, table: pd.DataFrame, trends: pd.DataFrame, kommun: str | None = None) -> Ranking:
    """The ranking of one område's indicators for the län of ``table`` (or for ``kommun``).

    ``table`` is the län's comparison table (``ranking.lan_table``, coloured or not), ``trends`` the
    trend table of the same län, område and year (``trends.trend_table``; a kommun's own rows for a
    kommun's ranking).
    """
    heads = table.drop_duplicates("kpi")
    lan = str(table["länskod"].iloc[0]) if len(table) else None
    if kommun:
        enhet = geo.kommuner().set_index("kommun_kod").at[kommun, "kommun_namn"]
        own = table[table.kommunkod == kommun].set_index("kpi")
        niva, kod = "kommun", kommun
    else:
        enhet, own, niva, kod = "länet", None, "län", geo.region_kod(lan) if lan else None
    mine = trends[(trends["nivå"] == niva) & (trends.kod == kod)].drop_duplicates("kpi").set_index("kpi")
    riket_items, change_items, without, glesa = [], [], [], []
    for h in heads.itertuples(index=False):
        ind = ds.cat[h.kpi]
        if ind.bakgrund:  # context, never better or worse, not even "without direction"
            continue
        if not isinstance(h.riktning, str):
            without.append(h.kpi)
            continue
        answer = h.typ in ANSWER_TYPES
        hogre = h.riktning != "lagre_battre"
        topp = ind.nivaer.get(top_level(ind), "Ja") if answer and ind.nivaer else "Ja"
        base = {"kpi": h.kpi, "indikator": h.indikator, "typ": h.typ, "ar": int(h.år), "topp": topp}
        # against riket
        if kommun:
            raw = own.at[h.kpi, "värde"] if h.kpi in own.index else np.nan
            value = _share(raw, ind) if answer else raw
            value_text = own.at[h.kpi, "värde_text"] if h.kpi in own.index else "–"
            value_avser = ""
        else:
            value, value_text, value_avser = h.länet, format_value(h.länet, ind, True), h.länet_avser
        riket = h.riket
        if not kommun and getattr(h, "länet_glest", False):  # too few kommuner: no claim against riket
            glesa.append((h.kpi, h.indikator, underlag_text(h.antal_med_värde_i_länet, h.antal_kommuner_i_länet)))
            value = np.nan
        where = compare_to(value, riket, h.typ)
        if where in ("högre", "lägre") and (TOLERANS[h.typ][0] == "procentenheter" or riket):
            diff = float(value) - float(riket)
            rel = None if TOLERANS[h.typ][0] == "procentenheter" else 100.0 * diff / abs(float(riket))
            size = abs(diff) if rel is None else abs(rel)
            riket_items.append(Item(**base, varde=float(value), mot=float(riket), mot_ar=None, skillnad=diff,
                                    relativ=rel, storlek=size, poang=_score(size, h.typ, True),
                                    battre=(where == "högre") == hogre, varde_text=value_text,
                                    mot_text=format_value(riket, ind, True), varde_avser=value_avser,
                                    mot_avser=h.riket_avser))
        # since the previous comparable year (not for a län value resting on too few kommuner)
        if h.kpi not in mine.index or glesa and glesa[-1][0] == h.kpi:
            continue
        c = mine.loc[h.kpi]
        if c["bedömning"] not in ("förbättring", "försämring", "oförändrad") or pd.isna(c["jämfört_med_år"]):
            continue
        if kommun and answer:
            now, then = _share(c["värde"], ind), _share(c["värde_då"], ind)
            diff = now - then
            if not diff:
                continue  # a scale answer that moved below the top level: the top share did not change
            rel = None
        else:
            if c["bedömning"] == "oförändrad":
                continue
            now, then, diff = float(c["värde"]), float(c["värde_då"]), float(c["förändring"])
            rel = None if pd.isna(c["förändring_procent"]) else float(c["förändring_procent"])
        size = abs(diff) if rel is None else abs(rel)
        change_items.append(Item(**base, varde=now, mot=then, mot_ar=int(c["jämfört_med_år"]), skillnad=diff,
                                 relativ=rel, storlek=size, poang=_score(size, h.typ, False),
                                 battre=(diff > 0) == hogre, varde_text=str(c["värde_text"]),
                                 mot_text=str(c["värde_då_text"]),
                                 varde_avser=c["avser"] if isinstance(c["avser"], str) else ""))

    def sides(items):
        return tuple(_placed([i for i in items if not i.battre]) + _placed([i for i in items if i.battre]))

    return Ranking(enhet, kommun, sides(riket_items), sides(change_items), tuple(without), tuple(glesa))


# ---------------------------------------------------------------- sentences

def top(items: list[Item], places: int = TOPP) -> list[Item]:
    """The items on the first ``places`` places (all of a shared place)."""
    return [i for i in items if i.plats <= places]


def _and(parts: list[str]) -> str:
    return and_list(parts)


def _q(name: str) -> str:
    return f"\u201d{name}\u201d"


def riket_phrase(item: Item, enhet: str) -> str:
    """"”Överenskommelse med regionen” (länet 31 % Ja, riket 63 % Ja: −31,8 procentenheter)"."""
    return f"{_q(item.indikator)} ({enhet} {item.varde_text}, riket {item.mot_text}: {item.difference_text()})"


def change_phrase(item: Item) -> str:
    """"”Föräldrastöd” från 60,0 % till 54,3 % (−5,7 procentenheter, 2023–2024)"."""
    how = "" if item.answer and item.varde in (0.0, 100.0) and item.mot in (0.0, 100.0) and \
        abs(item.skillnad) == 100.0 and not item.varde_text.endswith("%") else f"{item.difference_text()}, "
    return f"{_q(item.indikator)} från {item.mot_text} till {item.varde_text} ({how}{item.mot_ar}–{item.ar})"


def top_sentence(rubrik: str, items: list[Item], phrase, places: int = TOPP) -> str | None:
    """"Rubrik: A (…); tre indikatorer delar andraplatsen: B (…), C (…) och D (…)." or None."""
    chosen = top(items, places)
    if not chosen:
        return None
    parts = []
    for place, group in groupby(chosen, key=lambda i: i.plats):
        group = list(group)
        texts = [phrase(i) for i in group]
        if len(group) == 1:
            parts.append(texts[0])
            continue
        n, ordinal = _ANTAL.get(len(group), str(len(group))), _PLATS.get(place, f"{place}:e ")
        shared = f"{n} indikatorer delar {ordinal}platsen"
        if place == 1:
            rubrik = f"{rubrik} ({shared})"
            parts.append(_and(texts))
        else:
            parts.append(f"{shared}: {_and(texts)}")
    return f"{rubrik}: " + "; ".join(parts) + "."


def top_sentences(r: Ranking) -> dict[str, str]:
    """The four "Störst …" sentences of a ranking that have something to name, keyed by what they rank."""
    own = "länets" if not r.kommun else (r.enhet if r.enhet[-1] in "sxz" else f"{r.enhet}s")
    out = {
        "battre_an_riket": top_sentence(f"Störst skillnad till {own} fördel mot riket", r.battre_an_riket(),
                                        lambda i: riket_phrase(i, r.enhet)),
        "samre_an_riket": top_sentence(f"Störst skillnad till {own} nackdel mot riket", r.samre_an_riket(),
                                       lambda i: riket_phrase(i, r.enhet)),
        "forbattrade": top_sentence("Störst förbättring", r.forbattrade(), change_phrase),
        "forsamrade": top_sentence("Störst försämring", r.forsamrade(), change_phrase),
    }
    return {k: v for k, v in out.items() if v}


# ---------------------------------------------------------------- förbättringsområden

def _under_text(i: Item, r: Ranking) -> str:
    what = "Ja" if i.typ == "ja_nej" else level_text(i.topp)
    if i.answer and r.kommun:
        return (f"{r.enhet} svarar {i.varde_text}; i riket har {num(i.mot, 0)} % av kommunerna med svar {what}.")
    if i.answer:
        return (f"{num(i.varde, 0)} % av länets kommuner med svar har {what}, mot {num(i.mot, 0)} % i riket "
                f"({num(i.storlek, 0)} procentenheter lägre).")
    unit = "Länet" if not r.kommun else r.enhet
    avser = f" ({i.varde_avser})" if i.varde_avser else ""
    diff = f"{num(i.storlek, 1)} procentenheter sämre" if i.procentenheter else f"{num(i.storlek, 0)} % sämre"
    return f"{unit} {i.varde_text}{avser}, riket {i.mot_text} ({i.mot_avser}): {diff}."


def _fell_text(i: Item, r: Ranking) -> str:
    what = "Ja" if i.typ == "ja_nej" else level_text(i.topp)
    if i.answer and r.kommun:
        return f"{r.enhet}: {i.mot_text} ({i.mot_ar}) → {i.varde_text} ({i.ar})."
    if i.answer:
        return (f"Andelen av länets kommuner med {what} föll från {num(i.mot, 0)} % ({i.mot_ar}) till "
                f"{num(i.varde, 0)} % ({i.ar}).")
    unit = "Länet" if not r.kommun else r.enhet
    return (f"{unit} {i.mot_text} ({i.mot_ar}) → {i.varde_text} ({i.ar})"
            + (f", {i.varde_avser}" if i.varde_avser else "") + ".")


FORBATTRING_KOLUMNER = ["regel", "kpi", "indikator", "år", "text", "storlek", "plats"]


def improvement_areas(r: Ranking) -> pd.DataFrame:
    """The förbättringsområden of a ranking: the head of its worse side against riket (poang ≥ 1) and
    of its worse changes, at most ``MAX_PER_REGEL`` places each.

    Columns: regel ("under_riket" or "forsamring"), kpi, indikator, år, text (one Swedish sentence
    with the numbers), storlek (procentenheter or per cent), plats (the place in the ranking).
    """
    rows = []
    for regel, items, text in (("under_riket", [i for i in r.samre_an_riket() if i.poang >= 1 - 1e-9], _under_text),
                               ("forsamring", r.forsamrade(), _fell_text)):
        for i in items:
            if i.plats > MAX_PER_REGEL:
                break
            rows.append({"regel": regel, "kpi": i.kpi, "indikator": i.indikator, "år": i.ar,
                         "text": text(i, r), "storlek": i.storlek, "plats": i.plats})
    return pd.DataFrame(rows, columns=FORBATTRING_KOLUMNER)
