"""The numbers behind a länsrapport's own sections, beyond the comparison tables.

* answer distributions (Ja/Nej and scales): how many kommuner gave each answer, in the län and
  in riket, and the share at the top level ("andel Ja", "andel 'Inom 3 dagar'") — never a mean of
  answer codes;
* those shares over the years, for the small-multiples chart (län against riket);
* chapters: the indicators grouped by ÖJ kvalitetsområde (catalogue field ``kvalitetsomrade``,
  order and titles from ``params/omraden.yml``);
* the sammanfattande bild per kommun (Ja of N answered, changes since the previous comparable
  year);
* förbättringsområden by stated rules (``REGLER``);
* the inledning's measurement period.

Every function returns a tidy pandas frame or plain values; :mod:`ojlib.render.views` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ojlib.analysis import findings, levels, ranking, trends, units
from ojlib.analysis.aggregate import ANSWER_TYPES, Distribution, distribution, top_level
from ojlib.analysis.formatting import and_list, format_column, format_number, num
from ojlib.base import memo
from ojlib.data import enheter, geo, omraden
from ojlib.data.catalog import OMRADEN
from ojlib.data.dataset import Dataset

OVRIGA = ("ovriga", "Övriga indikatorer")

# Förbättringsområden: the rules and limits live with the one ranking (ojlib.analysis.findings).
GRANS_SVAR_PE, GRANS_ANDEL_PE, GRANS_RELATIV = findings.GRANS_SVAR_PE, findings.GRANS_ANDEL_PE, findings.GRANS_RELATIV
MAX_PER_REGEL = findings.MAX_PER_REGEL
TOLERANS_KORT = findings.TOLERANS_KORT
REGLER = findings.REGLER


# ---------------------------------------------------------------- answers

def top_label(ind) -> str:
    """The label of an answer indicator's best answer ("Ja", "Inom 3 dagar")."""
    return ind.nivaer.get(top_level(ind), "Ja") if ind.nivaer else "Ja"


def _kommun_values(ds: Dataset, kpis, years=None) -> pd.DataFrame:
    """Kommun rows (total, kön T) of these KPIs: kpi, kod, ar, varde, with the kommun's län.

    National, so once per batch (a län report asks for each chapter; every län of an område too)."""

    key = ("kommun_values", memo.fingerprint(ds), tuple(kpis),
           None if years is None else tuple(sorted((str(k), int(v)) for k, v in years.items())))
    return memo.memo(key, lambda: _scan_kommun_values(ds, kpis, years)).copy(deep=False)


def _scan_kommun_values(ds: Dataset, kpis, years=None) -> pd.DataFrame:
    df = ds.df
    rows = df[(df.niva == "kommun") & (df.kon == "T") & df.kpi.isin(list(kpis))][["kpi", "kod", "ar", "varde"]]
    ref = geo.kommuner().set_index("kommun_kod")
    rows = rows[rows.kod.isin(ref.index)]
    rows = rows.assign(lan_kod=rows.kod.map(ref.lan_kod))
    if years is not None:
        rows = rows[rows.ar == rows.kpi.map(years)]
    return rows


def share_parts(dist: Distribution) -> list[str]:
    """Every level's share of the kommuner that answered: ["Inom 3 dagar: 18 %", "4-7 dagar: 56 %", …]."""
    n = dist.antal_med_svar
    if not n:
        return ["Inga kommuner har svarat"]
    return [f"{label}: {num(100.0 * c / n, 0)} %" for _, label, c in dist.nivaer]


def shares_text(dist: Distribution) -> str:
    """Every level's share of the kommuner that answered: "Inom 3 dagar: 18 %; 4-7 dagar: 56 %; …"."""
    return "; ".join(share_parts(dist))


def answer_distributions(ds: Dataset, table: pd.DataFrame) -> pd.DataFrame:
    """Per Ja/Nej or scale indicator of a län table: the län's and riket's answers as shares and counts.

    Columns: kpi, indikator, typ, år; länet_andel ("85 % Ja", the share at the top answer),
    länet_fördelning ("11 av 13 kommuner Ja, 2 Nej"), länet_text (both); riket_andel,
    riket_fördelning (Ja/Nej: "184 av 284 kommuner"; scales: every level's share), riket_text (both);
    länet_andel_topp, riket_andel_topp (numbers, per cent), topp (the top answer's label),
    länet_med_svar, riket_med_svar; länet_rader, riket_rader (the fördelning's parts, a line each in a
    table cell: a level's label may hold a comma, "Ja, för alla"). Counted from the kommuner's answers with
    :func:`ojlib.analysis.aggregate.distribution` — never a mean of answer codes.
    """
    t = table[table.typ.isin(ANSWER_TYPES)]
    heads = t.drop_duplicates("kpi")
    cols = ["kpi", "indikator", "typ", "år", "länet_andel", "länet_fördelning", "länet_text", "riket_andel",
            "riket_fördelning", "riket_text", "länet_andel_topp", "riket_andel_topp", "topp", "länet_med_svar",
            "riket_med_svar", "länet_rader", "riket_rader"]
    if heads.empty:
        return pd.DataFrame(columns=cols)
    years = heads.set_index("kpi")["år"]
    riket = _kommun_values(ds, years.index, years)
    rows = []
    for h in heads.itertuples(index=False):
        ind = ds.cat[h.kpi]
        d_lan = distribution(t.loc[t.kpi == h.kpi, "värde"], ind)
        d_rik = distribution(riket.loc[riket.kpi == h.kpi, "varde"], ind)
        rik_parts = ([f"{d_rik.antal_topp} av {d_rik.antal_med_svar} kommuner"] if ind.typ == "ja_nej"
                     else share_parts(d_rik))
        rik_f = "; ".join(rik_parts)
        rows.append({"kpi": h.kpi, "indikator": h.indikator, "typ": h.typ, "år": int(h.år),
                     "länet_andel": d_lan.andel_text, "länet_fördelning": d_lan.text,
                     "länet_text": f"{d_lan.andel_text} ({d_lan.text})",
                     "riket_andel": d_rik.andel_text, "riket_fördelning": rik_f,
                     "riket_text": f"{d_rik.andel_text} ({rik_f})",
                     "länet_andel_topp": d_lan.andel_topp, "riket_andel_topp": d_rik.andel_topp,
                     "topp": d_lan.topp_etikett, "länet_med_svar": d_lan.antal_med_svar,
                     "riket_med_svar": d_rik.antal_med_svar,
                     "länet_rader": tuple(d_lan.parts), "riket_rader": tuple(rik_parts)})
    return pd.DataFrame(rows, columns=cols)


def answer_shares_over_time(ds: Dataset, lan, kpis) -> pd.DataFrame:
    """The share of kommuner at the top level (Ja) per year, in the län and in riket.

    Columns: kpi, indikator, topp, nivå ("Länet"/"Riket"), namn, år, andel (per cent, None without
    answers), med_svar, serie (1 before a definition break, 2 from it), brott_år.
    """
    lk = geo.normalise_lan(lan)
    lan_namn = geo.lan().set_index("lan_kod").at[lk, "lan_namn"]
    kpis = [k for k in kpis if ds.cat[k].typ in ANSWER_TYPES]
    rows = _kommun_values(ds, kpis)
    out = []
    for kpi in kpis:
        ind = ds.cat[kpi]
        top = top_level(ind)
        brott = ind.jamforbar_fran if ind.jamforbar_fran and ind.jamforbar_fran > ind.ar_fran else None
        mine = rows[rows.kpi == kpi]
        for niva, namn, part in (("Länet", lan_namn, mine[mine.lan_kod == lk]), ("Riket", "Riket", mine)):
            for ar in ind.ar:
                v = part.loc[part.ar == ar, "varde"].dropna()
                out.append({"kpi": kpi, "indikator": ind.namn, "topp": top_label(ind), "nivå": niva, "namn": namn,
                            "år": ar, "andel": round(100.0 * float((v.round() == top).mean()), 1) if len(v) else None,
                            "med_svar": int(len(v)), "serie": 2 if brott and ar >= brott else 1,
                            "brott_år": brott})
    frame = pd.DataFrame(out)
    frame.attrs = {"kalla": ds.kalla, "exempeldata": ds.is_example, "lan": lk}
    return frame


def over_time_frames(ds: Dataset, lan, table: pd.DataFrame) -> tuple[pd.DataFrame | None, list[pd.DataFrame]]:
    """What ``figures.over_time`` draws for a län table: the answers' shares of kommuner over time
    (None without Ja/Nej or scale indicators) and one ``levels.trend`` frame per other indicator."""
    kpis = list(dict.fromkeys(table.kpi))
    svar = [k for k in kpis if ds.cat[k].typ in ANSWER_TYPES]
    trends = [levels.trend(ds, k, lan=lan) for k in kpis if k not in svar]
    return (answer_shares_over_time(ds, lan, svar) if svar else None), trends


# ---------------------------------------------------------------- chapters

def _kvalitetsomraden() -> list[tuple[str, str]]:
    """Ordered (key, title) of ÖJ's kvalitetsområden, from params/omraden.yml."""

    return [(k.key, k.titel) for k in omraden.kvalitetsomraden()]


def chapters(ds: Dataset, kpis) -> list[tuple[str, str, list[str]]]:
    """The indicators grouped by kvalitetsområde, in ÖJ's order: ``[(key, title, [kpi, …]), …]``.

    Indicators without a kvalitetsområde come last under "Övriga indikatorer"; empty chapters are
    left out. Within a chapter the catalogue order is kept.
    """
    known = _kvalitetsomraden()
    groups: dict[str, list[str]] = {}
    for kpi in kpis:
        key = getattr(ds.cat[kpi], "kvalitetsomrade", None) or OVRIGA[0]
        groups.setdefault(key, []).append(kpi)
    ordered = [(k, t, groups.pop(k)) for k, t in known if k in groups]
    titles = dict(known)
    ordered += [(k, titles.get(k, OVRIGA[1] if k == OVRIGA[0] else k), v) for k, v in groups.items()
                if k != OVRIGA[0]]
    if OVRIGA[0] in groups:
        ordered.append((OVRIGA[0], OVRIGA[1], groups[OVRIGA[0]]))
    return ordered


# ---------------------------------------------------------------- bakgrundsmått

BAKGRUND_COLUMNS = ["kpi", "indikator", "typ", "enhet", "år", "nivå", "kod", "namn", "värde", "värde_text", "avser"]


def bakgrund_text(value, typ: str) -> str:
    """A bakgrundsmått's value in its table, the unit stated in the column head: "12 345" (a count, whole
    from 100), "4,1 %", "7 782 kr"."""
    if pd.isna(value):
        return "–"
    if typ == "antal":
        return num(float(value), 0 if abs(float(value)) >= 100 else 1)
    return format_number(value, typ)


def bakgrund(ds: Dataset, lan, omrade: str, ar=None, kommun=None) -> pd.DataFrame:
    """The område's bakgrundsmått (catalogue ``kvalitetsomrade: bakgrund``) for the län's kommuner, or
    for ``kommun`` alone, then länet and riket: context for a reader, never coloured or ranked.

    Each indicator is shown for its latest year with kommun values (up to ``ar``). Tidy rows
    (``BAKGRUND_COLUMNS``): kpi, indikator, typ, enhet, år, nivå (kommun, län, riket), kod, namn,
    värde, värde_text (the value, or why it is missing), avser (for länet and riket: the source's own
    value or the ovägt medel of the kommuner). An indicator without kommun values has one row with
    ``år`` None and no nivå, so the table can name it. ``attrs``: kalla, exempeldata.
    """
    inds = ds.cat.bakgrund(omrade)
    df = ds.df
    have = df[(df.niva == "kommun") & df.kpi.isin([i.kpi for i in inds]) & df.varde.notna()]
    if ar is not None:
        have = have[have.ar <= int(ar)]
    with_values = [i.kpi for i in inds if i.kpi in set(have.kpi)]
    table = ranking.lan_table(ds, lan, ar=ar, kpi=with_values) if with_values else None
    if table is not None and kommun is not None:
        table = table[table.kommunkod == geo.normalise_kommun(kommun)]
    lk = geo.normalise_lan(lan)
    lan_namn = geo.lan().set_index("lan_kod").at[lk, "lan_namn"]
    rows = []
    for ind in inds:
        base = {"kpi": ind.kpi, "indikator": ind.namn, "typ": ind.typ, "enhet": ind.enhet}
        part = table[table.kpi == ind.kpi] if table is not None else None
        if part is None or part.empty:
            rows.append({**base, "år": None, "nivå": None, "kod": None, "namn": None, "värde": None,
                         "värde_text": "saknas", "avser": ""})
            continue
        year = int(part["år"].iloc[0])
        for r in part.itertuples(index=False):
            rows.append({**base, "år": year, "nivå": "kommun", "kod": r.kommunkod, "namn": r.kommun,
                         "värde": r.värde, "avser": "",
                         "värde_text": bakgrund_text(r.värde, ind.typ) if pd.notna(r.värde)
                         else (r.saknas_orsak or "saknas")})
        head = part.iloc[0]
        for niva, kod, namn, col in (("län", geo.region_kod(lk), lan_namn, "länet"), ("riket", geo.RIKET, "Riket",
                                                                                      "riket")):
            rows.append({**base, "år": year, "nivå": niva, "kod": kod, "namn": namn, "värde": head[col],
                         "värde_text": bakgrund_text(head[col], ind.typ), "avser": head[f"{col}_avser"] or ""})
    out = pd.DataFrame(rows, columns=BAKGRUND_COLUMNS)
    out.attrs = {"kalla": (table.attrs.get("kalla") if table is not None else None) or ds.kalla,
                 "exempeldata": ds.is_example}
    return out


# ---------------------------------------------------------------- sammanfattande bild

def kommun_summary(ds: Dataset, table: pd.DataFrame) -> pd.DataFrame:
    """Per kommun of a län table: answers now and changes since the previous comparable year.

    Columns: kommunkod, kommun, ja, ja_med_svar (Ja/Nej indicators), topp, topp_med_svar (scales
    at their top level), svar_upp, svar_ned, svar_lika (Ja/Nej and scale answers that went up, down
    or stayed, among indicators with an earlier comparable answer), tal_upp, tal_ned, tal_lika
    (measures with a desired direction: förbättring, försämring, oförändrad within the tolerance),
    jamfort_med (the earlier years compared with, e.g. "2024").
    """
    lk = table["länskod"].iloc[0]
    kpis = list(dict.fromkeys(table.kpi))
    tt = trends.trend_table(ds, lan=lk, kpi=kpis, ar=int(table["år"].max()))
    tt = tt[tt["nivå"] == "kommun"]
    year = table.drop_duplicates("kpi").set_index("kpi")["år"].astype(int)  # each indicator's year in the table
    tt = tt[tt["år"].astype(int).to_numpy() == tt.kpi.map(year).astype(int).to_numpy()]
    rows = []
    for kod, part in table.groupby("kommunkod", sort=False):
        jn = part[part.typ == "ja_nej"]
        sk = part[part.typ == "skala"]
        top = {k: top_level(ds.cat[k]) for k in sk.kpi}
        mine = tt[tt.kod == kod]
        ans = mine[mine.typ.isin(ANSWER_TYPES) & mine.riktning.notna()]
        num = mine[~mine.typ.isin(ANSWER_TYPES) & mine.riktning.notna()]
        years = mine.loc[mine["jämfört_med_år"].notna(), "jämfört_med_år"].astype(int)
        rows.append({
            "kommunkod": kod, "kommun": part.kommun.iloc[0],
            "ja": int((jn["värde"] == 1).sum()), "ja_med_svar": int(jn["värde"].notna().sum()),
            "topp": int(sum(1 for r in sk.itertuples() if pd.notna(r.värde) and round(r.värde) == top[r.kpi])),
            "topp_med_svar": int(sk["värde"].notna().sum()),
            "svar_upp": int((ans.bedömning == "förbättring").sum()),
            "svar_ned": int((ans.bedömning == "försämring").sum()),
            "svar_lika": int((ans.bedömning == "oförändrad").sum()),
            "tal_upp": int((num.bedömning == "förbättring").sum()),
            "tal_ned": int((num.bedömning == "försämring").sum()),
            "tal_lika": int((num.bedömning == "oförändrad").sum()),
            "jamfort_med": "–" if years.empty else ", ".join(str(y) for y in sorted(years.unique())),
        })
    out = pd.DataFrame(rows)
    out.attrs = dict(table.attrs)
    # the years the Ja counts are from (each indicator's latest year, often not the report's year)
    out.attrs["ja_år"] = sorted({int(y) for y in table.loc[table.typ == "ja_nej", "år"]})
    return out


# ---------------------------------------------------------------- förbättringsområden

def improvement_areas(ds: Dataset, table: pd.DataFrame, rang: findings.Ranking | None = None) -> pd.DataFrame:
    """Indicators chosen by ``REGLER``: the head of the one ranking (where the län is furthest below
    riket, and where it fell most), as :func:`ojlib.analysis.findings.improvement_areas` gives it.

    ``rang`` is the område's ranking when the report has it; otherwise it is computed from the table
    and the län's trend table. Columns: regel ("under_riket" or "forsamring"), kpi, indikator, år,
    text (one Swedish sentence with the numbers), storlek, plats.
    """
    if rang is None:
        lk = table["länskod"].iloc[0]
        if "omrade" in table.attrs:  # the same choice of years as the table
            tt = trends.trend_table(ds, lan=lk, omrade=table.attrs["omrade"], ar=table.attrs.get("ar"))
        else:
            tt = trends.trend_table(ds, lan=lk, kpi=list(dict.fromkeys(table.kpi)), ar=int(table["år"].max()))
        rang = findings.rank(ds, table, tt)
    out = findings.improvement_areas(rang)
    out.attrs = dict(table.attrs)
    return out


# ---------------------------------------------------------------- inledning

def period_text(table: pd.DataFrame) -> str:
    """The measurement period in words: "2025 (16 indikatorer) och 2024 (2 indikatorer)"."""
    years = table.drop_duplicates("kpi")["år"].value_counts().sort_index(ascending=False)
    parts = [f"{int(y)} ({n} indikator{'er' if n != 1 else ''})" for y, n in years.items()]
    return and_list(parts)


def year_span(ds: Dataset, kpis) -> tuple[int, int]:
    """First and last year of the indicators' series (for trends)."""
    inds = [ds.cat[k] for k in kpis]
    return int(np.min([i.ar_fran for i in inds])), int(np.max([i.ar_till for i in inds]))


# ---------------------------------------------------------------- sections

FASTA_AVSNITT_FORE = ["Inledning", "Bakgrundsmått", "Sammanfattning", "Översikt"]
FASTA_AVSNITT_EFTER = ["Sammanfattande bild", "Förbättringsområden", "Karta", "Skillnader mellan kvinnor och män",
                       "Datatäckning"]


def chapter_heading(title: str, omrade: str, n_omraden: int) -> str:
    """A chapter's heading: the kvalitetsområde, with the område when the report has several."""

    return title if n_omraden == 1 else f"{title} – {OMRADEN[omrade]}"


def section_titles(ds: Dataset, tables: dict) -> list[str]:
    """Every section of a länsrapport in order: what an analyst's comment file may use as headings."""
    chapter_titles = [chapter_heading(title, o, len(tables)) for o, t in tables.items()
                      for _, title, _ in chapters(ds, list(dict.fromkeys(t.kpi)))]
    return FASTA_AVSNITT_FORE + chapter_titles + FASTA_AVSNITT_EFTER


@dataclass
class UnitChapter:
    """The units chapter of one område in a län report: the KPIs with unit values in the year shown,
    units per kommun and type, each KPI's spread per kommun, and every unit's value (long)."""

    kpis: list[str]
    counts: pd.DataFrame
    spread: dict[str, pd.DataFrame]
    values: pd.DataFrame
    kalla: str

    def by_type(self) -> list[tuple[str, pd.DataFrame]]:
        """The unit values split by unit type (title, rows), in the order the KPIs come."""
        out = []
        for typ in dict.fromkeys(self.values.typ):
            out.append((typ, self.values[self.values.typ == typ]))
        return out

    def summary(self) -> str:
        """The chapter in one sentence: how many units in how many of the län's kommuner, of which types, and
        its indicators (also what a site's län page says where the chapter has a page of its own)."""
        units_ = self.values.drop_duplicates("ou")
        n, k, m, all_ = len(units_), units_.kommunkod.nunique(), len(self.kpis), len(self.counts)
        per_type = ", ".join(f"{typ}: {len(rows.drop_duplicates('ou'))}" for typ, rows in self.by_type())
        names = self.values.drop_duplicates("kpi").set_index("kpi").indikator
        groups: dict[str, int] = {}  # "Brukarbedömning gruppbostad: får …" -> "Brukarbedömning gruppbostad (7)"
        for kpi in self.kpis:
            groups[str(names[kpi]).split(":")[0]] = groups.get(str(names[kpi]).split(":")[0], 0) + 1
        where = f"alla länets {all_} kommuner" if k == all_ else f"{k} av länets {all_} kommuner"
        return (f"Kapitlet visar {n} {'enhet' if n == 1 else 'enheter'} i {where} ({per_type}) med deras resultat, "
                f"eller varför ett resultat saknas, för {m} {'indikator' if m == 1 else 'indikatorer'}: "
                f"{and_list([g if c == 1 else f'{g} ({c})' for g, c in groups.items()])}.")


def unit_chapter(ds: Dataset, lan, table: pd.DataFrame) -> UnitChapter | None:
    """The units chapter for a län table (one område), or None when no unit has a value for its KPIs in
    the years shown (e.g. an område without unit KPIs, or a source without unit data)."""
    data = enheter.select(ds.kalla, lan=lan, kpi=list(dict.fromkeys(table.kpi)), kon="T", catalogue=ds.cat)
    kpis = units.unit_kpis(table, ds.cat, data)
    if not kpis:
        return None
    values = units.unit_values(data, table, kpis)
    return UnitChapter(kpis=kpis, counts=units.counts(data, table, kpis),
                       spread={k: units.spread(data, table, k) for k in kpis}, values=values,
                       kalla=table.attrs.get("kalla") or ds.kalla)


def kommun_units(ds: Dataset, kommun, omrade, ar=None) -> pd.DataFrame:
    """A kommun's units with their values for the område's unit indicators (``units.unit_values``:
    each beside the kommun's, länet's and riket's value of the same year); empty when it has none."""
    kod = geo.normalise_kommun(kommun)
    lan = geo.kommuner().set_index("kommun_kod").at[kod, "lan_kod"]
    full = ranking.lan_table(ds, lan, omrade, ar)
    table = full[full.kommunkod == kod]
    data = enheter.select(ds.kalla, kommun=kod, kpi=list(dict.fromkeys(table.kpi)), kon="T", catalogue=ds.cat)
    return units.unit_values(data, table, units.unit_kpis(table, ds.cat, data))


STADSDEL_COLUMNS = ["kommunkod", "kommun", "kod", "stadsdel", "kpi", "indikator", "år", "värde", "värde_text",
                    "kommunens_text"]


def stadsdel_rows(ds: Dataset, table: pd.DataFrame) -> pd.DataFrame:
    """The stadsdelar (Stockholm) and socialförvaltningar (Göteborg) of the table's kommuner that have
    rows in the data (``niva`` stadsdel, from workbook imports), for the table's indicators in each
    indicator's year: kommun, stadsdel, indicator, the value as text (or why it is missing) and the
    kommun's own value text beside it. Empty when the data has none."""
    sd = geo.stadsdelar()
    sd = sd[sd.kommun_kod.isin(set(table.kommunkod))]
    heads = table.drop_duplicates("kpi").set_index("kpi")
    if sd.empty or heads.empty:
        return pd.DataFrame(columns=STADSDEL_COLUMNS)
    df = ds.df
    rows = df[(df.niva == "stadsdel") & df.kod.isin(set(sd.kod)) & (df.kon == "T") & df.kpi.isin(heads.index)]
    rows = rows[rows.ar.to_numpy() == heads["år"].reindex(rows.kpi).to_numpy()]
    if rows.empty:
        return pd.DataFrame(columns=STADSDEL_COLUMNS)
    names = sd.set_index("kod")
    kommun_text = table.set_index(["kpi", "kommunkod"])["värde_text"]
    text = format_column(rows.varde.reset_index(drop=True), rows.kpi.reset_index(drop=True), ds.cat)
    out = pd.DataFrame({
        "kommunkod": names.kommun_kod.reindex(rows.kod).to_numpy(),
        "kod": rows.kod.to_numpy(),
        "stadsdel": names.namn.reindex(rows.kod).to_numpy(),
        "kpi": rows.kpi.to_numpy(),
        "år": rows.ar.to_numpy().astype(int),
        "värde": rows.varde.to_numpy(),
        "värde_text": [t if v == v else str(st or "saknas").replace("_", " ")
                       for t, v, st in zip(text, rows.varde, rows.status, strict=True)],
    })
    out["kommun"] = out.kommunkod.map(table.drop_duplicates("kommunkod").set_index("kommunkod").kommun)
    codes = out.drop_duplicates("kod")
    same = set(codes.stadsdel[codes.duplicated(["kommunkod", "stadsdel"], keep=False)])
    if same:  # one name, two units (Göteborg's Centrum before and after 2021): the code tells them apart
        out["stadsdel"] = [f"{n} ({k})" if n in same else n for n, k in zip(out.stadsdel, out.kod, strict=True)]
    out["indikator"] = out.kpi.map(heads.indikator)
    out["kommunens_text"] = [kommun_text.get((k, m), "–") for k, m in zip(out.kpi, out.kommunkod, strict=True)]
    out["_ordning"] = out.kpi.map({k: n for n, k in enumerate(heads.index)})
    out = out.sort_values(["kommun", "stadsdel", "_ordning"], kind="mergesort")
    return out[STADSDEL_COLUMNS].reset_index(drop=True)


def stadsdel_summary(ds: Dataset, table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The sammanfattande bild's answer counts for the stadsdelar of ``rows`` (``stadsdel_rows``): per
    stadsdel kommunkod, stadsdel, ja, ja_med_svar, topp, topp_med_svar, counted as ``kommun_summary``
    counts a kommun's (no changes: a stadsdel's earlier years are not compared)."""
    cols = ["kommunkod", "stadsdel", "ja", "ja_med_svar", "topp", "topp_med_svar"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    typ = table.drop_duplicates("kpi").set_index("kpi").typ
    rows = rows[rows.kpi.map(typ).isin(ANSWER_TYPES)]
    out = []
    for (kod, name), part in rows.groupby(["kommunkod", "stadsdel"], sort=False):
        jn = part[part.kpi.map(typ) == "ja_nej"]
        sk = part[part.kpi.map(typ) == "skala"]
        out.append({"kommunkod": kod, "stadsdel": name, "ja": int((jn["värde"] == 1).sum()),
                    "ja_med_svar": int(jn["värde"].notna().sum()),
                    "topp": int(sum(1 for r in sk.itertuples() if pd.notna(r.värde)
                                    and round(r.värde) == top_level(ds.cat[r.kpi]))),
                    "topp_med_svar": int(sk["värde"].notna().sum())})
    return pd.DataFrame(out, columns=cols)


def stadsdelar_with_values(ds: Dataset) -> list[str]:
    """The codes of the stadsdelar and socialförvaltningar (reference list order) the data has a value for."""
    df = ds.df
    have = set(df.loc[(df.niva == "stadsdel") & df.varde.notna(), "kod"])
    return [k for k in geo.stadsdelar().kod if k in have]


STADSDEL_PROFILE_COLUMNS = ["område", "kpi", "indikator", "år", "stadsdel", "kommun", "länet", "riket",
                            "länet_avser", "riket_avser"]


def stadsdel_profile(ds: Dataset, kod: str) -> pd.DataFrame:
    """One stadsdel's values (``stadsdel_rows``: each indicator's year in its län's table), per område of the
    catalogue, beside its kommun's, länet's and riket's value as the län report shows them (texts), with
    what länet and riket are. Empty when it has no value for an indicator of the län table."""
    sd = geo.stadsdelar().set_index("kod")
    kommun = str(sd.at[kod, "kommun_kod"])
    lan = geo.kommuner().set_index("kommun_kod").at[kommun, "lan_kod"]
    kpis = set(ds.df.loc[(ds.df.niva == "stadsdel") & (ds.df.kod == kod), "kpi"])
    wanted = [o for o in OMRADEN if any(k in ds.cat and ds.cat[k].omrade == o for k in kpis)]
    parts = []
    for o in wanted:
        table = ranking.lan_table(ds, lan, o, None)
        rows = stadsdel_rows(ds, table)
        rows = rows[rows.kod == kod]
        if rows.empty:
            continue
        own = table[table.kommunkod == kommun].set_index("kpi")
        parts.append(pd.DataFrame({
            "område": o, "kpi": rows.kpi.to_numpy(), "indikator": rows.indikator.to_numpy(),
            "år": rows["år"].to_numpy(),
            "stadsdel": rows["värde_text"].to_numpy(), "kommun": rows.kommunens_text.to_numpy(),
            **{c: own[c].reindex(rows.kpi).to_numpy() for c in ("länet_text", "riket_text", "länet_avser",
                                                                 "riket_avser")}}))
    if not parts:
        return pd.DataFrame(columns=STADSDEL_PROFILE_COLUMNS)
    out = pd.concat(parts, ignore_index=True).rename(columns={"länet_text": "länet", "riket_text": "riket"})
    return out[STADSDEL_PROFILE_COLUMNS]
