"""Slide decks for network meetings: a PowerPoint file with native, editable charts.

``lan_deck``/``kommun_deck`` decide what the deck holds (a :class:`Deck`: slides as plain data,
built from :mod:`ojlib.analysis.ranking`, :mod:`ojlib.analysis.colours` and :mod:`ojlib.analysis.summary` — the same
numbers, colours and labels as the HTML report); ``render`` turns it into a
``pptx.Presentation`` and ``write`` saves it atomically. Charts are PowerPoint charts with an
embedded workbook (Redigera data in PowerPoint), never pictures.

The deck follows the länsrapport: a title slide, a läsanvisning, per kvalitetsområde a matrix
of the Ja/Nej and scale answers (coloured by level) and one slide per chosen numeric indicator
(the kommuner ranked, länet and riket as reference lines, and the trend over comparable
years), the sammanfattande bild per kommun, förbättringsområden, the indicators without a
slide of their own, and the sources. Every slide has a source line with the year, the written
sentences behind it in the notes, and the exempeldata mark when it applies.

Which numeric indicators get a slide (``URVALSREGLER``): marked ones first (the analyst's
``indikatorer`` list), then by the largest distance to riket or the largest change since the
previous comparable year, both measured in riket's spread between kommuner (standard
deviation), at most ``per_kvalitetsomrade`` per kvalitetsområde and never more slides than
``max_bilder``. Indicators the catalogue marks as discontinued (``upphord`` before the year)
get no slide of their own. Nothing is dropped silently: every indicator without a slide is
named, with its values, on the slide "Övriga indikatorer".
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ojlib import EXEMPELDATA_MARK, __version__
from ojlib.analysis import aggregate, colours, findings, formatting, levels, ranking, summary
from ojlib.base.errors import OjError
from ojlib.base.storage import atomic_path
from ojlib.data import dataset, geo
from ojlib.data.catalog import OMRADEN, RIKTNINGAR
from ojlib.data.source_lines import source_line
from ojlib.data.sources import registry
from ojlib.render import figures, notebook, tables, views
from ojlib.report import build, request
from ojlib.report.model import Report

MAX_BILDER = 30            # default cap on slides per deck
PER_KVALITETSOMRADE = 2    # default: numeric indicator slides per kvalitetsområde
RADER_PER_BILD = 25        # kommuner per matrix / summary slide at most (a larger län continues on the next)
BAKGRUND_RADER = 18        # kommuner per bakgrundsmått slide (a table of text rows: länet and riket under them)
KOLUMNER_PER_BILD = 8      # indicators per matrix slide
OVRIGA_PER_BILD = 14      # rows of the "Övriga indikatorer" table per slide
FORBATTRING_RADER = 10     # rows on the förbättringsområden slide (the rest go to the notes)
NUMERISKA = ("andel", "kr_per_inv", "antal")
SVAR = ("ja_nej", "skala")

URVALSREGLER = (
    "Indikatorer med egen bild väljs i tur och ordning: 1) de som analytikern markerat (parametern "
    "indikatorer), 2) störst avstånd till riket eller störst förändring sedan föregående jämförbara år, "
    "mätt i rikets spridning mellan kommunerna (standardavvikelse). Högst {per} per kvalitetsområde och "
    "högst {max} bilder totalt. Indikatorer som katalogen anger som upphörda får ingen egen bild. "
    "Övriga indikatorer visas med sina värden på bilden \"Övriga indikatorer\"."
)
# Layout of a 16:9 slide (inches).
W, H = 13.333, 7.5
MARGIN = 0.45
CONTENT_TOP = 1.35
CONTENT_BOTTOM = 6.75
SAKNAS_FARG = colours.PALETTER["standard"]["saknas"]


# ---------------------------------------------------------------- the plan (plain data)

@dataclass
class Bild:
    """One slide: kind, title, source line (with year), notes, and what it shows."""

    typ: str
    rubrik: str
    kallrad: str  # the credit line under the slide (source and years), not the data source choice
    anteckningar: list[str]
    underrubrik: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class Deck:
    """The whole deck as data: what ``render`` draws and what tests can check without pptx."""

    titel: str
    undertitel: str
    exempeldata: bool
    palett: str
    max_bilder: int
    bilder: list[Bild] = field(default_factory=list)
    utan_egen_bild: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.bilder)


@dataclass(frozen=True)
class Val:
    """The deck's settings, read from a checked request (:meth:`of`); never checked again here."""

    max_bilder: int = MAX_BILDER
    per_kvalitetsomrade: int = PER_KVALITETSOMRADE
    fargstrategi: str = "rang_kvartil"
    palett: str = "standard"
    indikatorer: tuple[str, ...] = ()

    @classmethod
    def of(cls, req: request.Request) -> Val:
        """The settings of a request that :func:`ojlib.report.request.parse` checked (None: the deck's default)."""
        return cls(max_bilder=MAX_BILDER if req.max_bilder is None else req.max_bilder,
                   per_kvalitetsomrade=PER_KVALITETSOMRADE if req.per_kvalitetsomrade is None
                   else req.per_kvalitetsomrade,
                   fargstrategi=req.fargstrategi, palett=req.palett, indikatorer=req.indikatorer)


def _fmt(value, ind, aggregate: bool = False) -> str:
    return formatting.format_value(value, ind, aggregate)


def _sd(values: pd.Series) -> float:
    v = pd.Series(values, dtype=float).dropna()
    return float(v.std(ddof=0)) if len(v) > 1 else float("nan")


def _level_group(ind, value) -> str:
    """Which end of the answer scale a kommun's answer is: "topp" (Ja, the best level), "botten"
    (Nej, the worst level), "mitten" (the levels between) or "saknas"; for counting per kommun."""
    if value is None or pd.isna(value):
        return "saknas"
    levels = sorted(ind.nivaer)
    best, worst = (levels[0], levels[-1]) if ind.riktning == "lagre_battre" else (levels[-1], levels[0])
    v = int(round(float(value)))
    return "topp" if v == best else ("botten" if v == worst else "mitten")


class _Context:
    """What every slide of one deck shares: the report it renders, the data, the tables and the words.

    A län's deck renders the län's :class:`~ojlib.report.model.Report` (its tables, trends, ranking,
    summary, sammanfattande bild and förbättringsområden); a kommun's deck the same report with the
    kommun's own ranking (the same rules, for the kommun)."""

    def __init__(self, report: Report, val: Val, kommun: str | None = None):
        ds = report.ds
        self.report = report
        self.ds = ds
        self.lan = report.request.lan
        self.kommun = kommun
        self.omraden = list(report.request.omraden)
        self.ar = report.request.ar
        self.val = val
        self.pal = colours.check_palette(val.palett)
        self.lan_namn = report.request.lan_namn
        self.kommun_namn = (geo.kommuner().set_index("kommun_kod").at[kommun, "kommun_namn"] if kommun else None)
        # The frames' attrs (provenance) are kept aside: pandas deep-copies attrs on every
        # filter, which made a deck several times slower.
        self.full, self.tables, self.trends = {}, {}, {}
        for o, f in report.omraden.items():
            full = ranking.kommun_table(ds, o, self.ar).copy()  # shared (ojlib.data.shared): attrs not ours to clear
            full.attrs = {}
            self.full[o] = full
            for frames, frame in ((self.tables, f.tabell), (self.trends, f.trender)):
                frames[o] = frame.copy(deep=False)
                frames[o].attrs = {}
        # the one ranking per område: the report's for the län, the same rules for a kommun
        self.rankings = {o: f.rangordning if kommun is None else
                         findings.rank(ds, self.tables[o], self.trends[o], kommun) for o, f in report.omraden.items()}
        self.years = sorted({int(y) for t in self.tables.values() for y in t["år"].unique()})

    @property
    def year_text(self) -> str:
        y = self.years
        return str(y[0]) if len(y) == 1 else f"{y[0]}–{y[-1]}"

    def kallrad(self, years=None, derived: bool = True, kpis=None) -> str:
        """The slide's source line: every source that gave values to its indicators and years, and the years."""
        ys = sorted({int(y) for y in (years if years is not None else self.years)})
        when = str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"
        if kpis is None:
            kpis = [k for t in self.tables.values() for k in dict.fromkeys(t.kpi)]
        used = self.ds.kallor_used(kpis, ys)
        line = source_line(",".join(used), derived=derived, infos=self.ds.manifests())
        if not line.startswith(("Källa", "Bearbetning")):  # example data alone: its mark is the source
            line = f"Källa: {line}"
        return f"{line}. År {when}."

    @property
    def enhet(self) -> str:
        return self.kommun_namn if self.kommun else "länet"


# ---------------------------------------------------------------- choosing indicators

def _scores(ctx: _Context, omrade: str) -> pd.DataFrame:
    """Per numeric indicator: distance to riket and change, in riket's spread (for the choice)."""
    full, t, tt = ctx.full[omrade], ctx.tables[omrade], ctx.trends[omrade]
    rows = []
    for kpi, part in t.groupby("kpi", sort=False):
        first = part.iloc[0]
        if first.typ not in NUMERISKA:
            continue
        sd = _sd(full.loc[full.kpi == kpi, "värde"])
        if ctx.kommun:
            own = part.loc[part.kommunkod == ctx.kommun, "värde"]
            value = float(own.iloc[0]) if len(own) else np.nan
            niva, kod = "kommun", ctx.kommun
        else:
            value, niva, kod = first["länet"], "län", geo.region_kod(ctx.lan)
        change = tt.loc[(tt.kpi == kpi) & (tt["nivå"] == niva) & (tt.kod == kod), "förändring"]
        change = float(change.iloc[0]) if len(change) and pd.notna(change.iloc[0]) else np.nan
        gap = value - first.riket if pd.notna(value) and pd.notna(first.riket) else np.nan
        z_gap = abs(gap) / sd if sd and pd.notna(gap) else 0.0
        z_change = abs(change) / sd if sd and pd.notna(change) else 0.0
        rows.append({"kpi": kpi, "värde": value, "skillnad": gap, "förändring": change, "sd": sd,
                     "poäng": max(z_gap, z_change), "har_värde": part["värde"].notna().any()})
    return pd.DataFrame(rows, columns=["kpi", "värde", "skillnad", "förändring", "sd", "poäng", "har_värde"])


def _discontinued(ind, year: int) -> bool:
    """The catalogue marks the indicator as no longer published before the deck's year."""
    return ind.upphord is not None and int(ind.upphord) < int(year)


# ---------------------------------------------------------------- slides

def _title_slide(ctx: _Context, titel: str, undertitel: str, notes: list[str]) -> Bild:
    return Bild("titel", titel, ctx.kallrad(derived=False), notes, undertitel,
                {"datum": _data_date(ctx.ds)})


def _data_date(ds) -> str:

    return notebook.data_date(ds)


def _reading_slide(ctx: _Context) -> Bild:
    avser = sorted({a for t in ctx.tables.values() for a in set(t["länet_avser"]) | set(t["riket_avser"])})
    names = colours.FARGNAMN[ctx.val.palett]
    punkter = [
        f"Ja/Nej-frågor och skalor färgas efter svaret, lika i varje kolumn och inte efter rang: Ja "
        f"{names['bast']}, Nej {names['samst']}; skalor efter sina nivåer från sämsta ({names['samst']}) till "
        f"bästa ({names['bast']}), så Delvis är {names['mitten']}. Grått betyder att värde saknas.",
        "Länet och riket visas för Ja/Nej-frågor och skalor som fördelningen av kommunernas svar (t.ex. "
        "\"9 av 13 kommuner Ja, 4 Nej\") och andelen kommuner med bästa svaret, aldrig som ett medelvärde av "
        "svarskoder.",
        "Medelvärden anges med vad de avser: " + "; ".join(avser) + ". Ovägt medel är medelvärdet av "
        "kommunernas värden (den typiska kommunen); publicerade värden är vägda efter befolkning.",
        f"Staplarna färgas efter färgstrategin: {colours.STRATEGIER[ctx.val.fargstrategi]} "
        + colours.FORKLARING,
        "Trender visar bara år som indikatorkatalogen anger som jämförbara. " + aggregate.TOLERANS_TEXT,
        URVALSREGLER.format(per=ctx.val.per_kvalitetsomrade, max=ctx.val.max_bilder),
    ]
    notes = [colours.describe(ctx.val.fargstrategi, ctx.val.palett), *punkter]
    return Bild("lasanvisning", "Läsanvisning", ctx.kallrad(), notes, data={"punkter": punkter})


def _chunks(items: list, most: int) -> list[list]:
    """Split into the fewest parts of at most ``most`` items, as even as possible (26 → 13 + 13)."""
    n = max(1, math.ceil(len(items) / most))
    size = math.ceil(len(items) / n)
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _matrix_slides(ctx: _Context, omrade: str, titel: str, inds: list) -> list[Bild]:
    """Kommuner × Ja/Nej and scale indicators, coloured by level, with länet and riket distributions."""
    t = ctx.tables[omrade]
    kommuner = t.drop_duplicates("kommunkod")[["kommunkod", "kommun"]].values.tolist()
    cell = {(k, kod): (v, text, colour) for k, kod, v, text, colour in
            zip(t.kpi, t.kommunkod, t["värde"], t["värde_text"], t["färg"], strict=True)}
    sd = ctx.report.omraden[omrade].stadsdelar  # each under its kommun, its answers coloured as the kommuner's
    sd = sd[sd.kpi.isin([i.kpi for i in inds])] if not sd.empty else sd
    if not sd.empty:
        fill = {(k, v): c for k, v, c in zip(t.kpi, t["värde"], t["färg"], strict=True) if v == v}
        for r in sd.itertuples(index=False):
            cell[(r.kpi, r.kod)] = (r.värde, r.värde_text, fill.get((r.kpi, r.värde), "#FFFFFF") if r.värde == r.värde
                                    else ctx.pal["saknas"])
    under = {kod: [[k, f"{tables.STADSDEL_MARK}{n}"] for k, n in sd.loc[sd.kommunkod == kod, ["kod", "stadsdel"]]
                   .drop_duplicates("kod").values.tolist()] for kod, _ in kommuner} if not sd.empty else {}
    slides = []
    col_chunks = [inds[i:i + KOLUMNER_PER_BILD] for i in range(0, len(inds), KOLUMNER_PER_BILD)]
    row_chunks = _chunks(kommuner, RADER_PER_BILD)
    for ci, cols in enumerate(col_chunks):
        headers, years, agg_rows, notes = [], set(), {"Länet": [], "Riket": []}, []
        for ind in cols:
            part = t[t.kpi == ind.kpi]
            first = part.iloc[0]
            year = int(first["år"])
            years.add(year)
            headers.append(f"{ind.namn} ({year})")
            lan_text = f"{first['länet_fördelning']} ({first['länet_text']})"
            rik_text = f"{first['riket_fördelning']} ({first['riket_text']})"
            agg_rows["Länet"].append(lan_text)
            agg_rows["Riket"].append(rik_text)
            notes.append(f"{ind.namn} ({year}): i länet {lan_text}; i riket {rik_text}.")
        if not sd.empty:
            notes.append(tables.STADSDEL_NOTE)
        for ri, rows in enumerate(row_chunks):
            cells = []
            for kod, namn in [r for kommun in rows for r in [kommun, *under.get(kommun[0], [])]]:
                row = []
                for ind in cols:
                    value, value_text, colour = cell.get((ind.kpi, kod), (None, "–", "#FFFFFF"))
                    text = value_text if pd.notna(value) or value_text == "–" else f"Saknas ({value_text})"
                    row.append((text, str(colour)))
                cells.append((namn, kod == ctx.kommun, row))
            suffix = ""
            if len(col_chunks) > 1 or len(row_chunks) > 1:
                suffix = f" ({ci * len(row_chunks) + ri + 1} av {len(col_chunks) * len(row_chunks)})"
            slides.append(Bild(
                "matris", f"{titel}: svar per kommun{suffix}", ctx.kallrad(years, kpis=[i.kpi for i in cols]), notes,
                f"{OMRADEN[omrade]} · Ja/Nej-frågor och skalor, färg efter svar"
                + (" · ↳ stadsdel, räknas inte i länet" if any(c[0].startswith(tables.STADSDEL_MARK)
                                                                          for c in cells) else ""),
                {"kolumner": headers, "kpi": [i.kpi for i in cols], "rader": cells, "aggregat": agg_rows},
            ))
    return slides


def _indicator_slide(ctx: _Context, omrade: str, kvo_titel: str, ind) -> Bild:
    """The kommuner ranked (best first) with länet and riket lines, and the comparable trend."""
    t = ctx.tables[omrade]
    part = t[t.kpi == ind.kpi]
    first = part.iloc[0]
    year = int(first["år"])
    have = part[part["värde"].notna()]
    ascending = ind.riktning == "lagre_battre"
    if ind.riktning is None:
        ascending = False
    have = have.sort_values(["värde", "kommun"], ascending=[ascending, True], kind="mergesort")
    missing = part[part["värde"].isna()].sort_values("kommun")
    ordered = pd.concat([have, missing])
    bars = {
        "kategorier": list(ordered.kommun),
        "koder": list(ordered.kommunkod),
        "värden": [None if pd.isna(v) else float(v) for v in ordered["värde"]],
        "färger": [str(c) for c in ordered["färg"]],
        "länet": None if pd.isna(first["länet"]) else float(first["länet"]),
        "riket": None if pd.isna(first["riket"]) else float(first["riket"]),
        "länet_namn": f"Länet {_fmt(first['länet'], ind, True)} ({first['länet_avser']}"
                      + (f"; {aggregate.lan_underlag(first)})" if aggregate.lan_underlag(first) else ")"),
        "riket_namn": f"Riket {_fmt(first['riket'], ind, True)} ({first['riket_avser']})",
        "format": _number_format(ind),
        "färgregel": str(first["färgregel"]),
        "saknas": [f"{r.kommun} ({r['värde_text']})" for _, r in missing.iterrows()],
    }
    # The trend: länet, riket (and the kommun) over the years comparable with the shown one.
    tr = levels.trend(ctx.ds, ind.kpi, kommun=ctx.kommun, lan=ctx.lan).copy()
    tr.attrs = {}
    tr = tr[tr["jämförbar"] & (tr["år"] <= year)]
    have_years = sorted(int(y) for y in tr.loc[tr["värde"].notna(), "år"].unique())
    series = []
    for niva, kod in ([("kommun", ctx.kommun)] if ctx.kommun else []) + [("län", geo.region_kod(ctx.lan)),
                                                                          ("riket", geo.RIKET)]:
        s = tr[(tr["nivå"] == niva) & (tr.kod == kod)].set_index("år")
        name = s["namn"].iloc[0] if len(s) else kod
        if niva != "kommun" and len(s) and isinstance(s["avser"].dropna().iloc[0] if s["avser"].notna().any()
                                                       else None, str):
            name = f"{name} ({s['avser'].dropna().iloc[0]})"
        series.append((name, [None if pd.isna(s["värde"].get(y)) else float(s["värde"].get(y)) for y in have_years]))
    trend = {"år": [str(y) for y in have_years], "serier": series, "format": _number_format(ind),
             "brott": ind.jamforbar_fran if ind.jamforbar_fran and ind.jamforbar_fran > ind.ar_fran else None}

    unit = ctx.kommun_namn if ctx.kommun else "Länet"
    notes = [f"{ind.namn} ({ind.kpi}), {year}: {RIKTNINGAR[ind.riktning].lower()}."]
    if ctx.kommun:
        own = part[part.kommunkod == ctx.kommun].iloc[0]
        rank = own["rang_i_länet"]
        notes.append(f"{ctx.kommun_namn}: {own['värde_text']}" + (
            f", plats {int(rank)} av {int(own['antal_med_värde_i_länet'])} i länet ({own['rang_avser']})."
            if pd.notna(rank) else "."))
    few = aggregate.lan_underlag(first)
    notes.append(f"Länet {_fmt(first['länet'], ind, True)} ({first['länet_avser']}{'; ' + few if few else ''}), riket "
                 f"{_fmt(first['riket'], ind, True)} ({first['riket_avser']}).")
    if len(have):
        top, bottom = have.iloc[0], have.iloc[-1]
        word = "Högst" if not ascending else "Lägst"
        notes.append(f"{word} i länet: {top.kommun} ({top['värde_text']}); "
                     f"{'lägst' if word == 'Högst' else 'högst'}: {bottom.kommun} ({bottom['värde_text']}).")
    if bars["saknas"]:
        notes.append("Värde saknas för " + ", ".join(bars["saknas"]) + ".")
    tt = ctx.trends[omrade]
    niva, kod = ("kommun", ctx.kommun) if ctx.kommun else ("län", geo.region_kod(ctx.lan))
    ch = tt[(tt.kpi == ind.kpi) & (tt["nivå"] == niva) & (tt.kod == kod)]
    if len(ch):
        c = ch.iloc[0]
        if pd.notna(c["jämfört_med_år"]):
            notes.append(f"{unit}: {c['värde_då_text']} {int(c['jämfört_med_år'])} och {c['värde_text']} {year} "
                         f"({c['bedömning']}).")
        elif c["kommentar"]:
            notes.append(str(c["kommentar"]))
    if trend["brott"]:
        notes.append(f"Definitionsändring {trend['brott']}: trenden visar bara åren från {trend['brott']}.")
    sub = f"{kvo_titel} · {year} · {RIKTNINGAR[ind.riktning].lower()}"
    return Bild("indikator", ind.namn, ctx.kallrad(sorted({year, *have_years}), kpis=[ind.kpi]), notes, sub,
                {"kpi": ind.kpi, "omrade": omrade, "staplar": bars, "trend": trend, "markera": ctx.kommun,
                 "typ": ind.typ})


# Number formats in Swedish: [$-41D] is the format's locale (sv-SE), so an office suite in any language
# writes a decimal comma and a space between thousands (84,8; 12 345), as PowerPoint in Swedish does.
SWEDISH = "[$-41D]"


def _number_format(ind) -> str:
    return SWEDISH + {"andel": '0.0', "ja_nej": '0', "kr_per_inv": '#,##0', "skala": '0.00'}.get(ind.typ, '0.0')


def _kommun_summary_slides(ctx: _Context) -> list[Bild]:
    """Per kommun: answers by level (a stacked chart), Ja of answered, changes with arrows."""

    base = next(iter(ctx.tables.values())).drop_duplicates("kommunkod")
    kommuner = list(zip(base.kommunkod, base.kommun, strict=True))
    t = pd.concat(ctx.tables.values(), ignore_index=True)
    # Ja of answered, scales at their best level, changes: the länsrapport's own numbers (one core).
    cols = ["ja", "ja_med_svar", "topp", "topp_med_svar", "svar_upp", "svar_ned", "tal_upp", "tal_ned"]
    report = pd.concat([s.data["kommuner"] for s in ctx.report.of_kind("sammanfattande_bild")], ignore_index=True)
    report = report.groupby("kommunkod", sort=False)[cols].sum()
    rows = []
    for kod, namn in kommuner:
        mine = t[t.kommunkod == kod]
        svar = mine[mine.typ.isin(SVAR)]
        counts = {"topp_antal": 0, "mitten": 0, "botten": 0, "saknas": 0}
        for kpi, value in zip(svar.kpi, svar["värde"], strict=True):
            group = _level_group(ctx.ds.cat[kpi], value)
            counts["topp_antal" if group == "topp" else group] += 1
        num = mine[mine.typ.isin(NUMERISKA) & mine.riktning.notna() & mine["värde"].notna() & mine.riket.notna()]
        side = [_side(v, r, typ, rikt) for v, r, typ, rikt in zip(num["värde"], num.riket, num.typ, num.riktning,
                                                                    strict=True)]
        r = report.loc[kod]
        rows.append({"kod": kod, "kommun": namn, **counts, "ja": int(r.ja), "besvarade": int(r.ja_med_svar),
                     "skala_topp": int(r.topp), "skala_besvarade": int(r.topp_med_svar),
                     "upp": int(r.svar_upp + r.tal_upp), "ned": int(r.svar_ned + r.tal_ned),
                     "bättre": side.count("bättre"), "sämre": side.count("sämre"), "numeriska": len(num)})
    slides = []
    chunks = _chunks(rows, RADER_PER_BILD)
    for n, chunk in enumerate(chunks, start=1):
        suffix = f" ({n} av {len(chunks)})" if len(chunks) > 1 else ""
        notes = [f"{r['kommun']}: Ja på {r['ja']} av {r['besvarade']} besvarade Ja/Nej-frågor; "
                 f"{r['upp']} förbättringar och {r['ned']} försämringar sedan föregående jämförbara år; "
                 f"bättre än riket på {r['bättre']} och sämre på {r['sämre']} av {r['numeriska']} mätvärden."
                 for r in chunk]
        slides.append(Bild("kommuner", f"Sammanfattande bild per kommun{suffix}", ctx.kallrad(), notes,
                           "Svar efter nivå, förändring sedan föregående jämförbara år och läget mot riket",
                           {"rader": chunk, "markera": ctx.kommun}))
    return slides


def _bakgrund_slides(ctx: _Context) -> list[Bild]:
    """The report's bakgrundsmått per område (``lansrapport.bakgrund``): the kommuner (at most
    ``BAKGRUND_RADER`` a slide), länet and riket, plain numbers never coloured or ranked; a kommun's deck
    marks its kommun. An indicator without values is named in the notes."""
    from ojlib.data import omraden  # a parameter elsewhere in this module is called omraden

    slides = []
    for s in ctx.report.of_kind("bakgrund"):
        rader = s.data.get("rader")
        if rader is None or rader.empty:
            continue
        shown = rader[rader["nivå"].notna()]
        gone = rader[rader["nivå"].isna()].drop_duplicates("kpi")
        notes = [views.BAKGRUND_NOT] + [f"Utan värden i datakällan: {r.indikator} ({r.kpi})."
                                        for r in gone.itertuples(index=False)]
        if shown.empty:
            continue
        order = list(dict.fromkeys(shown.kpi))
        heads = shown.drop_duplicates("kpi").set_index("kpi")
        marked = set(shown["avser"]) & set(views.BERAKNADE)
        computed = bool(marked)
        if computed:
            notes.append(views.beraknat_text(marked))
        kolumner = [f"{heads.at[k, 'indikator']} ({int(heads.at[k, 'år'])}), {heads.at[k, 'enhet']}" for k in order]
        cells = {(r.kod, r.kpi): r for r in shown.itertuples(index=False)}

        def row(kod, namn, niva, order=order, cells=cells):
            texts = []
            for k in order:
                r = cells.get((kod, k))
                mark = views.BERAKNAT if r is not None and r.avser in views.BERAKNADE else ""
                texts.append("–" if r is None or pd.isna(r.värde) else f"{r.värde_text}{mark}")
            return {"kod": kod, "namn": namn, "nivå": niva, "värden": texts}

        units = shown.drop_duplicates("kod")
        kommuner = [row(u.kod, u.namn, u.nivå) for u in units.itertuples(index=False) if u.nivå == "kommun"]
        jmf = [row(u.kod, "Länet" if u.nivå == "län" else "Riket", u.nivå)
               for u in units.itertuples(index=False) if u.nivå != "kommun"]
        titel = "Bakgrundsmått" + (f" · {omraden.get(s.omrade).kort}" if len(ctx.omraden) > 1 else "")
        chunks = _chunks(kommuner, BAKGRUND_RADER)
        years = sorted({int(y) for y in heads["år"]})
        for n, chunk in enumerate(chunks, start=1):
            suffix = f" ({n} av {len(chunks)})" if len(chunks) > 1 else ""
            slides.append(Bild("bakgrund", f"{titel}{suffix}", ctx.kallrad(years, derived=computed, kpis=order), notes,
                               "Sammanhang före jämförelsen: färgas inte och rangordnas inte"
                               + (f" · {views.BERAKNAT} beräknat ur kommunerna" if computed else ""),
                               {"kolumner": kolumner, "rader": chunk + jmf, "markera": ctx.kommun}))
    return slides


def _improvement_slide(ctx: _Context) -> Bild:
    """The förbättringsområden of the län (or the kommun): the head of the one ranking per område, as
    the report lists them (``findings.improvement_areas``), with the ranking's "Störst …" in the notes."""
    from ojlib.data import omraden  # a parameter elsewhere in this module is called omraden

    regel = {"under_riket": "Långt under riket", "forsamring": "Försämrad"}
    found, tops = [], []
    for o in ctx.omraden:
        rang = ctx.rankings[o]
        prefix = f"{omraden.get(o).kort}: " if len(ctx.omraden) > 1 else ""
        found += [{"kpi": r.kpi, "indikator": prefix + r.indikator, "år": int(r["år"]), "plats": int(r.plats),
                   "regel": regel.get(r.regel, r.regel), "text": r.text}
                  for _, r in findings.improvement_areas(rang).iterrows()]
        tops += [prefix + t for t in findings.top_sentences(rang).values()]
    shown, rest = found[:FORBATTRING_RADER], found[FORBATTRING_RADER:]
    rules = " ".join(findings.regler(kommun=bool(ctx.kommun)))
    notes = [rules] + [f"{r['indikator']} ({r['år']}, {r['regel'].lower()}): {r['text']}" for r in found]
    empty = "Ingen indikator uppfyller reglerna för förbättringsområden."
    if not found:
        notes.append(empty)
    notes += tops
    years = sorted({r["år"] for r in found}) or ctx.years
    sub = ("Där länet ligger längst under riket eller har försämrats mest (samma regler som rapporten)"
           if not ctx.kommun else f"Där {ctx.kommun_namn} ligger längst under riket eller har försämrats mest")
    return Bild("forbattring", "Förbättringsområden", ctx.kallrad(years, kpis=[r["kpi"] for r in found] or None),
                notes, sub,
                {"rader": shown, "alla": found, "fler": [r["indikator"] for r in rest], "regel": rules, "tom": empty,
                 "kolumner": ["Indikator", "År", "Regel", "Siffrorna"], "bredder": (3.6, 0.8, 1.8, 6.23),
                 "celler": [[r["indikator"], str(r["år"]), r["regel"], r["text"]] for r in shown]})


def _side(value, riket, typ: str, riktning) -> str:
    """"bättre", "sämre" or "som riket" (within the core's one stated tolerance); "" if one is missing."""
    where = aggregate.compare_to(value, riket, typ)
    if not where or where == "lika":
        return "som riket" if where else ""
    return "bättre" if (where == "högre") == (riktning != "lagre_battre") else "sämre"


def _others_slide(ctx: _Context, others: list[tuple[str, object]]) -> list[Bild]:
    """Numeric indicators without a slide of their own: named, with their values."""
    if not others:
        return []
    rows = []
    for omrade, ind in others:
        t = ctx.tables[omrade]
        part = t[t.kpi == ind.kpi]
        first = part.iloc[0]
        own = ""
        if ctx.kommun:
            own = part.loc[part.kommunkod == ctx.kommun, "värde_text"].iloc[0]
        rows.append({"indikator": ind.namn, "år": int(first["år"]), "kommun": own,
                     "länet": _fmt(first["länet"], ind, True), "riket": _fmt(first["riket"], ind, True)})
    notes = [f"{r['indikator']} ({r['år']}): " + (f"{ctx.kommun_namn} {r['kommun']}, " if ctx.kommun else "")
             + f"länet {r['länet']}, riket {r['riket']}." for r in rows]
    notes.append(URVALSREGLER.format(per=ctx.val.per_kvalitetsomrade, max=ctx.val.max_bilder))
    chunks = _chunks(rows, OVRIGA_PER_BILD)
    out = []
    for n, chunk in enumerate(chunks, start=1):
        suffix = f" ({n} av {len(chunks)})" if len(chunks) > 1 else ""
        years = sorted({r["år"] for r in chunk})
        out.append(Bild("ovriga", f"Övriga indikatorer{suffix}", ctx.kallrad(years), notes,
                        "Mätvärden utan egen bild i presentationen (se urvalsreglerna)", {"rader": chunk}))
    return out


def _sources_slide(ctx: _Context, utan_egen_bild: list[str]) -> Bild:
    from ojlib.data import omraden

    punkter = [
        f"Data: {source_line(ctx.ds.kalla, False, ctx.ds.manifests())} ({_data_date(ctx.ds)}).",
        "Beräkningar (andelar, medelvärden, rangordningar, förändringar): "
        f"{source_line(ctx.ds.kalla, True, ctx.ds.manifests())}.",
        f"Indikatorkatalog: {len(ctx.ds.cat)} indikatorer, {ctx.ds.cat.source.name if ctx.ds.cat.source else ''}.",
        f"År i presentationen: {ctx.year_text}.",
    ]
    shown = [ctx.ds.cat[k] for t in ctx.tables.values() for k in dict.fromkeys(t.kpi)]
    counts = {registry.publisher(k).label: sum(1 for i in shown if i.utgivare == k)
              for k in dict.fromkeys(i.utgivare for i in shown)}
    punkter.append("Var värdena publiceras enligt indikatorkatalogen: " +
                   ", ".join(f"{name} ({n} indikatorer)" for name, n in counts.items()) + ".")
    discontinued = sorted({i.namn for i in shown if _discontinued(i, max(ctx.years))})
    if discontinued:
        punkter.append(f"Publiceras inte längre (katalogens upphord, före {max(ctx.years)}); visas med sitt senaste "
                       "år: " + ", ".join(discontinued) + ".")
    for o in ctx.omraden:  # what the chosen sources lack: named, with where it can be found
        missing = ctx.ds.missing_indicators(o, ctx.ar)
        if missing:
            punkter.append(f"Saknas i datakällan ({omraden.get(o).kort}): " + "; ".join(
                f"{i.namn} ({i.kpi}, finns i {registry.publisher(i.utgivare).short})" for i in missing) + ".")
    punkter.append(f"Skapad med ojlib {__version__} (oj presentation).")
    return Bild("kallor", "Källor", ctx.kallrad(derived=False), punkter + ([
        "Utan egen bild: " + ", ".join(utan_egen_bild) + "."] if utan_egen_bild else []),
        data={"punkter": punkter})


def _build(ctx: _Context, titel: str, undertitel: str, summary_points: list[str]) -> Deck:
    from ojlib.data import omraden

    val = ctx.val
    fixed_front = [_title_slide(ctx, titel, undertitel, summary_points), _reading_slide(ctx), *_bakgrund_slides(ctx)]
    sections = []  # (matrix slides, [(score, omrade, kvo title, ind)])
    candidates = []
    for omrade in ctx.omraden:
        t = ctx.tables[omrade]
        scores = _scores(ctx, omrade).set_index("kpi")
        for _key, kvo_titel, kpis in ctx.report.omraden[omrade].kapitel:
            inds = [ctx.ds.cat[k] for k in kpis]
            title = kvo_titel if len(ctx.omraden) == 1 else f"{omraden.get(omrade).kort} · {kvo_titel}"
            svar = [i for i in inds if i.typ in SVAR]
            matrices = _matrix_slides(ctx, omrade, title, svar) if svar else []
            numeric = [i for i in inds if i.typ in NUMERISKA]
            ranked = []
            for ind in numeric:
                s = scores.loc[ind.kpi] if ind.kpi in scores.index else None
                marked = ind.kpi in val.indikatorer
                usable = s is not None and bool(s["har_värde"]) and not _discontinued(ind, int(
                    t.loc[t.kpi == ind.kpi, "år"].iloc[0]))
                ranked.append((marked, float(s["poäng"]) if s is not None else 0.0, usable, ind))
            ranked.sort(key=lambda x: (not x[0], -x[1], x[3].kpi))
            section = {"matriser": matrices, "kandidater": [], "omrade": omrade, "titel": title}
            for n, (marked, score, usable, ind) in enumerate(ranked):
                if usable and (marked or n < val.per_kvalitetsomrade):
                    candidates.append((not marked, -score, len(sections), ind))
                    section["kandidater"].append(ind)
            section["numeriska"] = numeric
            sections.append(section)
    summaries = _kommun_summary_slides(ctx)
    back = summaries + [_improvement_slide(ctx)]
    n_numeric = sum(len(s["numeriska"]) for s in sections)  # at worst all of them on "Övriga indikatorer"
    mandatory = (len(fixed_front) + sum(len(s["matriser"]) for s in sections) + len(back)
                 + math.ceil(n_numeric / OVRIGA_PER_BILD) + 1)  # + källor
    if mandatory > val.max_bilder:
        raise OjError(f"Taket på {val.max_bilder} bilder räcker inte för presentationens fasta delar "
                      f"({mandatory} bilder); höj --max-bilder (max_bilder i en parameterfil) till minst "
                      f"{mandatory} eller välj ett område.")
    room = val.max_bilder - mandatory
    chosen = {id(c[3]) for c in sorted(candidates, key=lambda c: (c[0], c[1], c[3].kpi))[:room]}
    slides = list(fixed_front)
    others: list[tuple[str, object]] = []
    for s in sections:
        slides += s["matriser"]
        for ind in s["numeriska"]:
            if id(ind) in chosen:
                slides.append(_indicator_slide(ctx, s["omrade"], s["titel"], ind))
            else:
                others.append((s["omrade"], ind))
    slides += back
    slides += _others_slide(ctx, others)
    utan = [ind.namn for _, ind in others]
    slides.append(_sources_slide(ctx, utan))
    return Deck(titel, undertitel, ctx.ds.is_example, val.palett, val.max_bilder, slides, utan)


# What of the report a deck draws (the rest it shows its own way: matrices, indicator slides).
DECK_SECTIONS = ("bakgrund", "sammanfattning", "sammanfattande_bild", "forbattringsomraden")


def _summary_points(report: Report) -> list[str]:
    """The report's summary for the title slide's notes: one summary over all its områden."""
    r = report.request
    facts = {o: (f.tabell, f.trender, f.rangordning) for o, f in report.omraden.items()}
    omr = list(r.omraden) if len(r.omraden) > 1 else r.omraden[0]
    return summary.lan_summary(report.ds, r.lan, omr, r.ar, facts=facts).punkter


def _lan_report(ds, req: request.Request) -> Report:
    """The län's report the deck renders: the request's län, områden and colours on the data given
    (``ar`` None: each indicator's latest year; a year is checked against the data)."""
    ar = None if req.ar is None else ds.check_year(req.ar, list(req.omraden))
    lan_req = replace(req, mall="lansanalys", kommun=None, kommun_namn=None, ar=ar, datakalla=ds.kalla)
    return build.lansrapport(lan_req, ds, kinds=DECK_SECTIONS, palett=req.palett)


def lan_deck(ds, req: request.Request, report: Report | None = None) -> Deck:
    """The deck of a län's request (checked by :func:`ojlib.report.request.parse`, e.g.
    ``request.parse({"lan": "06", "omrade": "missbruk"}, deck=True)``) for one or several områden:
    it renders the län's report (``report``, or the one made with the request's colours)."""
    if report is None:
        report = _lan_report(ds, req)
    ctx = _Context(report, Val.of(req))
    omr_text = req.omrade_text
    titel = f"Öppna jämförelser {ctx.year_text}: {ctx.lan_namn}"
    undertitel = f"{omr_text} · länets {len(geo.kommuner_i_lan(req.lan))} kommuner jämförda med länet och riket"
    return _build(ctx, titel, undertitel, _summary_points(report))


def kommun_deck(ds, req: request.Request) -> Deck:
    """The deck of a kommun's request (checked by :func:`ojlib.report.request.parse`): its län's report
    with the kommun in focus (trends, its own ranking and förbättringsområden by the same rules)."""
    report = _lan_report(ds, req)
    ctx = _Context(report, Val.of(req), kommun=req.kommun)
    omr_text = req.omrade_text
    titel = f"Öppna jämförelser {ctx.year_text}: {ctx.kommun_namn}"
    undertitel = f"{omr_text} · {ctx.kommun_namn} jämförd med övriga kommuner i {ctx.lan_namn} och riket"
    return _build(ctx, titel, undertitel, _summary_points(report))


# ---------------------------------------------------------------- drawing (python-pptx)

def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _text(frame, text: str, size: float = 14, bold: bool = False, colour: str = "222222", first: bool = True,
          align=None):
    """Write a paragraph in Swedish (language set, for spell checking) into a text frame."""
    from pptx.enum.lang import MSO_LANGUAGE_ID
    from pptx.util import Pt

    p = frame.paragraphs[0] if first else frame.add_paragraph()
    run = p.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)
    run.font.language_id = MSO_LANGUAGE_ID.SWEDISH
    if align is not None:
        p.alignment = _align(align)
    return p


def _align(name: str):
    from pptx.enum.text import PP_ALIGN

    return {"left": PP_ALIGN.LEFT, "centre": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[name]


def _box(slide, name: str, x: float, y: float, w: float, h: float, text: str = "", size: float = 14,
         bold: bool = False, colour: str = "222222"):
    from pptx.util import Inches

    shape = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    shape.name = name
    tf = shape.text_frame
    tf.word_wrap = True
    if text:
        _text(tf, text, size, bold, colour)
    return shape


def _frame(slide, bild: Bild, deck: Deck, number: int) -> None:
    """Title, subtitle, source line, slide number and (example data) the mark: on every slide."""
    from pptx.util import Inches, Pt

    if bild.typ != "titel":
        title = slide.shapes.title
        title.left, title.top, title.width, title.height = Inches(MARGIN), Inches(0.25), Inches(9.9), Inches(0.75)
        title.text_frame.clear()
        title.text_frame.word_wrap = True
        n = len(bild.rubrik)
        _text(title.text_frame, bild.rubrik, 26 if n <= 40 else 22 if n <= 52 else 18, True, "1F3864", align="left")
        if bild.underrubrik:
            _box(slide, "Underrubrik", MARGIN, 0.95, 10.2, 0.4, bild.underrubrik, 13, colour="555555")
    _box(slide, "Källa", MARGIN, 6.95, 10.5, 0.35, bild.kallrad, 10, colour="555555")
    num = _box(slide, "Bildnummer", W - MARGIN - 1.2, 6.95, 1.2, 0.35, f"{number} / {len(deck)}", 10,
               colour="777777")
    num.text_frame.paragraphs[0].alignment = _align("right")
    if deck.exempeldata:
        mark = _box(slide, "Exempeldata", W - MARGIN - 2.55, 0.28, 2.55, 0.5, EXEMPELDATA_MARK, 11, True, "B00020")
        mark.fill.solid()
        mark.fill.fore_color.rgb = _rgb("FFF3F3")
        mark.line.color.rgb = _rgb("B00020")
        mark.line.width = Pt(1.25)
        mark.text_frame.paragraphs[0].alignment = _align("centre")
    notes = slide.notes_slide.notes_text_frame
    notes.text = "\n".join(bild.anteckningar + ([EXEMPELDATA_MARK + "."] if deck.exempeldata else []))


def _draw_title(slide, bild: Bild, deck: Deck) -> None:
    from pptx.util import Inches

    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.9), Inches(1.9), Inches(11.5), Inches(1.5)
    title.text_frame.clear()
    title.text_frame.word_wrap = True
    _text(title.text_frame, bild.rubrik, 36, True, "1F3864", align="left")
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.9), Inches(3.5), Inches(11.5), Inches(2.2)
    sub.text_frame.clear()
    _text(sub.text_frame, bild.underrubrik, 20, colour="333333", align="left")
    _text(sub.text_frame, f"Data: {bild.data['datum']}", 14, colour="555555", first=False, align="left")
    if deck.exempeldata:
        _text(sub.text_frame, EXEMPELDATA_MARK + ": värdena är genererade för att visa verktyget.", 16, True,
              "B00020", first=False, align="left")


def _draw_bullets(slide, bild: Bild, points: list[str], size: float = 15) -> None:
    from pptx.util import Pt

    box = _box(slide, "Text", MARGIN, CONTENT_TOP + 0.1, W - 2 * MARGIN, CONTENT_BOTTOM - CONTENT_TOP)
    tf = box.text_frame
    for n, p in enumerate(points):
        para = _text(tf, "• " + p, size, first=n == 0)
        para.space_after = Pt(8)


def _table(slide, name: str, rows: int, cols: int, x: float, y: float, w: float, h: float):
    from pptx.util import Inches

    shape = slide.shapes.add_table(rows, cols, Inches(x), Inches(y), Inches(w), Inches(h))
    shape.name = name
    return shape.table


def _cell(cell, text: str, size: float = 10, bold: bool = False, fill: str | None = None,
          colour: str | None = None) -> None:
    from pptx.enum.text import MSO_ANCHOR
    from pptx.util import Pt

    cell.text_frame.clear()
    cell.text_frame.word_wrap = True
    if fill:
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(fill)
        colour = colour or colours.text_colour(fill).lstrip("#")
    _text(cell.text_frame, text, size, bold, (colour or "222222").lstrip("#"))
    cell.margin_left = cell.margin_right = Pt(3)
    cell.margin_top = cell.margin_bottom = Pt(1)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE


def _draw_matrix(slide, bild: Bild) -> None:
    from pptx.util import Inches

    d = bild.data
    n_rows = len(d["rader"]) + len(d["aggregat"]) + 1
    n_cols = len(d["kolumner"]) + 1
    top = CONTENT_TOP + 0.1
    head = 0.6
    n_agg = len(d["aggregat"])
    agg_h = 0.5 if n_cols > 5 else 0.36  # the distributions take two or three lines in narrow columns
    row_h = min(0.34, (CONTENT_BOTTOM - top - 0.1 - head - n_agg * agg_h) / max(1, len(d["rader"])))
    small = n_rows > 18
    col_w = min(2.3, (W - 2 * MARGIN - 2.0) / max(1, n_cols - 1))
    table = _table(slide, "Matris", n_rows, n_cols, MARGIN, top, 2.0 + col_w * (n_cols - 1),
                   head + row_h * len(d["rader"]) + n_agg * agg_h)
    table.rows[0].height = Inches(head)
    for i in range(1, n_rows):
        table.rows[i].height = Inches(row_h if i <= len(d["rader"]) else agg_h)
    table.columns[0].width = Inches(2.0)
    for j in range(1, n_cols):
        table.columns[j].width = Inches(col_w)
    size = 7 if small else 10
    _cell(table.cell(0, 0), "Kommun", 9, True, "1F3864")
    for j, text in enumerate(d["kolumner"], start=1):
        _cell(table.cell(0, j), text, 8 if n_cols > 5 else 9, True, "1F3864")
    for i, (namn, chosen, row) in enumerate(d["rader"], start=1):
        _cell(table.cell(i, 0), namn, size, chosen, "FFFFFF")
        for j, (text, fill) in enumerate(row, start=1):
            _cell(table.cell(i, j), text, size - 1, chosen, fill)
    for i, (label, texts) in enumerate(d["aggregat"].items(), start=len(d["rader"]) + 1):
        _cell(table.cell(i, 0), label, size, True, "F2F2F2")
        for j, text in enumerate(texts, start=1):
            _cell(table.cell(i, j), text, 7 if small or n_cols > 5 else 8, False, "F2F2F2")


def _xml(chart_or_axis):
    """The XML element behind a python-pptx chart (``c:chartSpace``) or axis (``c:catAx``/``c:valAx``).

    python-pptx has no API for three things the deck needs: reference lines over bars in one chart
    (:func:`_lines_from_bars`), the chart's language (:func:`_swedish_chart`) and rotated tick labels
    (:func:`_style_axis_labels`), so they edit the chart's XML, and every such edit reaches it here. The
    library keeps the chart's root as the private ``Chart._chartSpace``; the same element is reached through
    the public ``element`` of its proxies: the chart's own, and for an axis (not a proxy itself) the one of
    its ``format``, which wraps the axis element.
    """
    proxy = chart_or_axis.format if not hasattr(chart_or_axis, "element") else chart_or_axis
    return proxy.element


def _legend_below(chart, title: str | None = None) -> None:
    """The legend under the plot (9 pt, outside the plot area) and, given one, the chart's title (11 pt)."""
    from pptx.enum.chart import XL_LEGEND_POSITION
    from pptx.util import Pt

    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(9)
    if title:
        chart.has_title = True
        chart.chart_title.text_frame.text = title
        chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(11)


def _style_axis_labels(axis, size: float = 9, rotate: bool = False) -> None:
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    axis.tick_labels.font.size = Pt(size)
    if rotate:
        body = _xml(axis).find(qn("c:txPr")).find(qn("a:bodyPr"))
        body.set("rot", "-2700000")
        body.set("vert", "horz")


def _lines_from_bars(chart, keep: int) -> None:
    """Move the bar chart's series after the first ``keep`` into a line chart on the same axes.

    python-pptx writes one chart type per chart; a reference line (länet, riket) is a line
    series over the kommun categories, so the series move into a ``c:lineChart`` sharing the
    bar chart's axes. The embedded workbook is unchanged, so Redigera data edits them too.
    """
    from lxml import etree
    from pptx.oxml.ns import qn

    plot_area = _xml(chart).chart.plotArea
    bar = plot_area.find(qn("c:barChart"))
    moved = bar.findall(qn("c:ser"))[keep:]
    line = etree.Element(qn("c:lineChart"))
    etree.SubElement(line, qn("c:grouping")).set("val", "standard")
    etree.SubElement(line, qn("c:varyColors")).set("val", "0")
    for ser in moved:
        bar.remove(ser)
        for tag in ("c:invertIfNegative", "c:shape"):
            for el in ser.findall(qn(tag)):
                ser.remove(el)
        marker = etree.Element(qn("c:marker"))
        etree.SubElement(marker, qn("c:symbol")).set("val", "none")
        anchor = ser.find(qn("c:spPr"))
        (anchor if anchor is not None else ser.find(qn("c:tx"))).addnext(marker)
        smooth = etree.Element(qn("c:smooth"))
        smooth.set("val", "0")
        ser.find(qn("c:val")).addnext(smooth)
        line.append(ser)
    etree.SubElement(line, qn("c:marker")).set("val", "1")
    for ax in bar.findall(qn("c:axId")):
        etree.SubElement(line, qn("c:axId")).set("val", ax.get("val"))
    bar.addnext(line)


def _chart(slide, name: str, kind, data, x: float, y: float, w: float, h: float):
    from pptx.util import Inches, Pt

    frame = slide.shapes.add_chart(kind, Inches(x), Inches(y), Inches(w), Inches(h), data)
    frame.name = name
    chart = frame.chart
    chart.font.size = Pt(10)
    chart.font.name = "Calibri"
    _swedish_chart(chart)
    return chart


def _swedish_chart(chart) -> None:
    """Mark the chart's language as Swedish (c:lang), and its value axis's numbers too (LibreOffice reads
    only the number format's own locale: without it an axis said 0.5 and 1,000 in English)."""
    from lxml import etree
    from pptx.oxml.ns import qn

    with contextlib.suppress(ValueError):  # a chart without a value axis
        labels = chart.value_axis.tick_labels
        labels.number_format = SWEDISH + "General"
        labels.number_format_is_linked = False
    space = _xml(chart)
    if space.find(qn("c:lang")) is None:
        lang = etree.Element(qn("c:lang"))
        lang.set("val", "sv-SE")
        date = space.find(qn("c:date1904"))
        if date is not None:
            date.addnext(lang)
        else:
            space.insert(0, lang)


NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def axis_maximum(values, percent: bool = False) -> float | None:
    """The top of a value axis: a rounded number a little above the largest value (1, 1.2, 1.5, 2, 2.5,
    3, 4, 5, 6 or 8 times a power of ten), never more than twice it; 100 for a share whose data reach
    above 50 %. None without a positive value (the office suite then chooses)."""
    have = [float(v) for v in values if v is not None and v == v]
    top = max(have, default=0.0)
    if top <= 0:
        return None
    if percent and top > 50:
        return 100.0
    power = 10.0 ** math.floor(math.log10(top))
    want = top * 1.04  # room above the tallest bar for its label
    return round(next(step * power for step in NICE_STEPS if step * power >= want - 1e-12), 10)


def _scale_to_data(axis, values, percent: bool = False, ticks: int = 5) -> None:
    """A value axis from zero to ``axis_maximum`` of the values shown, with about ``ticks`` gridlines, its
    numbers in Swedish with the step's decimals."""
    top = axis_maximum(values, percent)
    if min((v for v in values if v is not None and v == v), default=0) >= 0:
        axis.minimum_scale = 0.0
    if top is not None:
        axis.maximum_scale = top
        steps = [s * 10.0 ** math.floor(math.log10(top / ticks)) for s in (1, 2, 2.5, 5, 10)]
        axis.major_unit = round(next(s for s in steps if top / s <= ticks + 0.01), 10)
        decimals = next(d for d in range(11) if abs(round(axis.major_unit, d) - axis.major_unit) < 1e-9)
        axis.tick_labels.number_format = SWEDISH + "#,##0" + ("." + "0" * decimals if decimals else "")
        axis.tick_labels.number_format_is_linked = False  # as many decimals as the step has (2 500; 0,5)


def _outlined(fmt, colour: str = "7F7F7F", width: float = 0.75) -> None:
    """A thin outline, so that a light fill (a pale class colour) stays visible on white."""
    from pptx.util import Pt

    fmt.line.color.rgb = _rgb(colour)
    fmt.line.width = Pt(width)


def _draw_indicator(slide, bild: Bild, deck: Deck) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_MARKER_STYLE
    from pptx.enum.dml import MSO_LINE
    from pptx.util import Pt


    b, tr = bild.data["staplar"], bild.data["trend"]
    data = CategoryChartData(number_format=b["format"])
    data.categories = b["kategorier"]
    data.add_series("Kommunerna (färg efter klass, se nedan)", b["värden"])
    lines = [(b["länet_namn"], b["länet"], figures.FARG_LAN), (b["riket_namn"], b["riket"], figures.FARG_RIKET)]
    lines = [x for x in lines if x[1] is not None]
    for name, value, _ in lines:
        data.add_series(name, [value] * len(b["kategorier"]))
    left_w = 8.1
    chart = _chart(slide, "Diagram: kommunerna rangordnade", XL_CHART_TYPE.COLUMN_CLUSTERED, data,
                   MARGIN, CONTENT_TOP, left_w, 4.75)
    chart.plots[0].gap_width = 40
    if lines:
        _lines_from_bars(chart, 1)
    bars = chart.plots[0].series[0]
    bars.format.fill.solid()
    bars.format.fill.fore_color.rgb = _rgb("A6A6A6")  # the legend's swatch; every bar has its class colour
    for i, colour in enumerate(b["färger"]):
        pt = bars.points[i]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = _rgb(colour)
        if b["koder"][i] == bild.data.get("markera"):
            _outlined(pt.format, "000000", 2)
        else:
            _outlined(pt.format)
    if len(chart.plots) > 1:
        for ser, (_, _, colour) in zip(chart.plots[1].series, lines, strict=True):
            ser.format.line.color.rgb = _rgb(colour)
            ser.format.line.width = Pt(2.25)
            ser.format.line.dash_style = MSO_LINE.DASH
            ser.smooth = False
    _legend_below(chart)
    _style_axis_labels(chart.category_axis, 8 if len(b["kategorier"]) > 20 else 9, rotate=True)
    percent = bild.data.get("typ") == "andel"
    _scale_to_data(chart.value_axis, [*b["värden"], *(v for _, v, _ in lines)], percent)
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = _rgb("E5E5E5")
    chart.value_axis.tick_labels.font.size = Pt(9)
    rule = b["färgregel"] + " " + colours.FORKLARING
    if b["saknas"]:
        rule += " Värde saknas: " + ", ".join(b["saknas"]) + "."
    _box(slide, "Färgregel", MARGIN, CONTENT_TOP + 4.8, left_w, 0.75, rule, 9, colour="444444")

    if tr["år"]:
        tdata = CategoryChartData(number_format=tr["format"])
        tdata.categories = tr["år"]
        for name, values in tr["serier"]:
            tdata.add_series(name, values)
        tchart = _chart(slide, "Diagram: utveckling över tid", XL_CHART_TYPE.LINE_MARKERS, tdata,
                        MARGIN + left_w + 0.2, CONTENT_TOP, W - 2 * MARGIN - left_w - 0.2, 4.75)
        palette = ([figures.FARG_KOMMUN] if len(tr["serier"]) == 3 else []) + [figures.FARG_LAN, figures.FARG_RIKET]
        for ser, colour in zip(tchart.plots[0].series, palette, strict=False):
            ser.format.line.color.rgb = _rgb(colour)
            ser.format.line.width = Pt(2.25)
            ser.smooth = False
            ser.marker.style = XL_MARKER_STYLE.CIRCLE
            ser.marker.format.fill.solid()
            ser.marker.format.fill.fore_color.rgb = _rgb(colour)
        _legend_below(tchart, "Utveckling, jämförbara år")
        _style_axis_labels(tchart.category_axis, 9)
        _scale_to_data(tchart.value_axis, [v for _, vs in tr["serier"] for v in vs], percent)
        tchart.value_axis.tick_labels.font.size = Pt(9)
        note = "Bara år som är jämförbara med " + tr["år"][-1] + "."
        if tr["brott"]:
            note += f" Definitionsändring {tr['brott']}: tidigare år visas inte."
        _box(slide, "Trendnot", MARGIN + left_w + 0.2, CONTENT_TOP + 4.8, W - 2 * MARGIN - left_w - 0.2, 0.6,
             note, 9, colour="444444")


def _draw_kommuner(slide, bild: Bild, deck: Deck) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Pt

    pal = colours.PALETTER[deck.palett]
    names = colours.FARGNAMN[deck.palett]
    rows = bild.data["rader"]
    data = CategoryChartData(number_format=SWEDISH + "0")
    data.categories = [r["kommun"] for r in rows]
    series = [("topp_antal", "bast", f"Ja / bästa nivån ({names['bast']})"),
              ("mitten", "mitten", "Delvis / nivåerna mellan"),
              ("botten", "samst", f"Nej / sämsta nivån ({names['samst']})"), ("saknas", "saknas", "Saknas (grå)")]
    for key, _, label in series:
        data.add_series(label, [r[key] for r in rows])
    chart = _chart(slide, "Diagram: svar per kommun", XL_CHART_TYPE.BAR_STACKED, data, MARGIN, CONTENT_TOP,
                   5.0, 5.3)
    for ser, (_, colour, _) in zip(chart.plots[0].series, series, strict=True):
        ser.format.fill.solid()
        ser.format.fill.fore_color.rgb = _rgb(pal[colour])
        _outlined(ser.format, "FFFFFF", 0.5)  # stacked: a white seam between the levels
    chart.plots[0].gap_width = 40
    chart.plots[0].overlap = 100
    chart.category_axis.reverse_order = True
    _legend_below(chart, "Antal svar per nivå (Ja/Nej-frågor och skalor)")
    _style_axis_labels(chart.category_axis, 9)
    chart.value_axis.tick_labels.font.size = Pt(9)
    _scale_to_data(chart.value_axis, [sum(r[key] for key, _, _ in series) for r in rows])  # the stacked totals

    x = MARGIN + 5.2
    scales = any(r["skala_besvarade"] for r in rows)
    heads = ["Kommun", "Ja av besvarade Ja/Nej-frågor"] + (["Skalor: bästa nivån"] if scales else []) + \
        ["Sedan föregående jämförbara år (▲ bättre, ▼ sämre)", "Mätvärden mot riket (bättre / sämre av)"]
    table = _table(slide, "Sammanfattning per kommun", len(rows) + 1, len(heads), x, CONTENT_TOP,
                   W - MARGIN - x, min(5.3, 0.33 * (len(rows) + 1) + 0.3))
    for j, h in enumerate(heads):
        _cell(table.cell(0, j), h, 9, True, "1F3864")
    for i, r in enumerate(rows, start=1):
        chosen = r["kod"] == bild.data.get("markera")
        texts = [r["kommun"], f"{r['ja']} av {r['besvarade']}"]
        if scales:
            texts.append(f"{r['skala_topp']} av {r['skala_besvarade']}")
        texts += [f"▲ {r['upp']}   ▼ {r['ned']}", f"{r['bättre']} / {r['sämre']} av {r['numeriska']}"]
        for j, text in enumerate(texts):
            _cell(table.cell(i, j), text, 9, chosen)


def _draw_improvements(slide, bild: Bild) -> None:
    from pptx.util import Inches

    d = bild.data
    rows = d["celler"]
    if not rows:
        _draw_bullets(slide, bild, [d["tom"], d["regel"]])
        return
    table = _table(slide, "Förbättringsområden", len(rows) + 1, len(d["kolumner"]), MARGIN, CONTENT_TOP + 0.05,
                   W - 2 * MARGIN, 0.4 * (len(rows) + 1))
    for j, w in enumerate(d["bredder"]):
        table.columns[j].width = Inches(w)
    size = 10 if len(rows) <= 8 else 9
    for j, h in enumerate(d["kolumner"]):
        _cell(table.cell(0, j), h, 10, True, "1F3864")
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            _cell(table.cell(i, j), text, size)
    text = d["regel"]
    if d["fler"]:
        text += " Fler (i anteckningarna): " + ", ".join(d["fler"]) + "."
    _box(slide, "Regel", MARGIN, min(CONTENT_BOTTOM - 0.9, CONTENT_TOP + 0.2 + 0.4 * (len(rows) + 1)),
         W - 2 * MARGIN, 0.9, text, 9 if len(text) > 400 else 10, colour="444444")


def _draw_others(slide, bild: Bild) -> None:
    rows = bild.data["rader"]
    has_kommun = any(r["kommun"] for r in rows)
    heads = ["Indikator", "År"] + (["Kommunen"] if has_kommun else []) + ["Länet", "Riket"]
    keys = ["indikator", "år"] + (["kommun"] if has_kommun else []) + ["länet", "riket"]
    table = _table(slide, "Övriga indikatorer", len(rows) + 1, len(heads), MARGIN, CONTENT_TOP + 0.05,
                   W - 2 * MARGIN, min(5.2, 0.34 * (len(rows) + 1)))
    for j, h in enumerate(heads):
        _cell(table.cell(0, j), h, 10, True, "1F3864")
    size = 10 if len(rows) <= 12 else 8
    for i, r in enumerate(rows, start=1):
        for j, key in enumerate(keys):
            _cell(table.cell(i, j), str(r[key]), size)


def _draw_bakgrund(slide, bild: Bild) -> None:
    rows = bild.data["rader"]
    heads = ["Kommun", *bild.data["kolumner"]]
    table = _table(slide, "Bakgrundsmått", len(rows) + 1, len(heads), MARGIN, CONTENT_TOP + 0.05,
                   W - 2 * MARGIN, min(5.3, 0.3 * (len(rows) + 1) + 0.3))
    for j, h in enumerate(heads):
        _cell(table.cell(0, j), h, 10, True, "1F3864")
    size = 10 if len(rows) <= 16 else 9
    for i, r in enumerate(rows, start=1):
        fill = "FFFFFF" if r["nivå"] == "kommun" else "F2F2F2"  # länet and riket set apart, never a verdict
        bold = r["kod"] == bild.data.get("markera")
        for j, text in enumerate([r["namn"], *r["värden"]]):
            _cell(table.cell(i, j), text, size, bold, fill)


def render(deck: Deck):
    """The deck as a ``pptx.Presentation`` (16:9, Swedish, native charts and tables)."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(W), Inches(H)
    prs.core_properties.title = deck.titel
    prs.core_properties.subject = deck.undertitel
    prs.core_properties.language = "sv-SE"
    prs.core_properties.keywords = EXEMPELDATA_MARK if deck.exempeldata else "Öppna jämförelser"
    for number, bild in enumerate(deck.bilder, start=1):
        layout = prs.slide_layouts[0 if bild.typ == "titel" else 5]
        slide = prs.slides.add_slide(layout)
        if bild.typ == "titel":
            _draw_title(slide, bild, deck)
        elif bild.typ in ("lasanvisning", "kallor"):
            _draw_bullets(slide, bild, bild.data["punkter"], 15 if bild.typ == "lasanvisning" else 14)
        elif bild.typ == "matris":
            _draw_matrix(slide, bild)
        elif bild.typ == "indikator":
            _draw_indicator(slide, bild, deck)
        elif bild.typ == "kommuner":
            _draw_kommuner(slide, bild, deck)
        elif bild.typ == "forbattring":
            _draw_improvements(slide, bild)
        elif bild.typ == "ovriga":
            _draw_others(slide, bild)
        elif bild.typ == "bakgrund":
            _draw_bakgrund(slide, bild)
        _frame(slide, bild, deck, number)
    return prs


def write(deck: Deck, path) -> Path:
    """Save the deck atomically: the file is whole or not there (no half-written .pptx)."""

    path = Path(path)
    if path.suffix.lower() != ".pptx":
        raise OjError(f"Presentationen ska sparas som .pptx, inte '{path.name}'; ange t.ex. --ut presentation.pptx.")
    prs = render(deck)
    with atomic_path(path) as tmp:
        prs.save(str(tmp))
    return path


# ---------------------------------------------------------------- parameters

def from_request(req: request.Request, ds=None) -> tuple[Deck, str]:
    """The deck of a checked request (:func:`ojlib.report.request.parse`: the CLI's, a parameter
    file's or a report's) and its file name.

    ``ds`` reuses a loaded dataset (a batch makes many decks from one); it must be the
    request's ``datakalla``.
    """
    if ds is None or ds.kalla != req.datakalla:
        ds = dataset.load_selection(req.datakalla, omrade=list(req.omraden))  # the deck's områden, read with polars
    name = default_name(req.lan if req.kommun is None else None, req.kommun, req.omraden, req.ar)
    if req.kommun:
        return kommun_deck(ds, req), name
    return lan_deck(ds, req), name


def write_for_report(kind: str, params: dict, target: Path, datasets: dict | None = None) -> Path | None:
    """The deck of a report (``kind`` lansanalys or kommunprofil, its template parameters), written
    to ``target``; a custom template gets no deck (None).

    Used by ``oj rapporter --presentation`` to put ``<sida>.pptx`` beside ``<sida>.html``. The
    parameters are read as the report's request (:func:`ojlib.report.request.parse`). ``datasets``
    caches loaded datasets by source across a batch.
    """
    if kind not in request.TEMPLATES:
        return None
    req = request.parse({**params, "mall": kind})
    cache = datasets if datasets is not None else {}
    if req.datakalla not in cache:
        cache[req.datakalla] = dataset.load_dataset(req.datakalla)
    deck, _ = from_request(req, cache[req.datakalla])
    return write(deck, target)


def write_reports(items, options) -> list[Path]:
    """The ``pptx`` format (:mod:`ojlib.render.formats`): each report's deck beside its page."""
    written = []
    for item in items:
        path = write_for_report(item.kind, item.params, item.target, options.datasets)
        if path is not None:
            written.append(path)
            if options.on_done:
                options.on_done(path)
    return written


def default_name(lan: str | None = None, kommun: str | None = None, omraden=None, ar=None) -> str:
    """A file name like ``presentation-06-missbruk.pptx`` (the report's naming, with .pptx)."""
    bits = ["presentation", kommun or lan]
    om = list(omraden or [])
    if om and len(om) < len(OMRADEN):
        bits += om
    elif om:
        bits.append("alla")
    if ar is not None:
        bits.append(str(ar))
    return "-".join(str(b) for b in bits if b) + ".pptx"
