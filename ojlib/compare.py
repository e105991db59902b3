"""Comparisons an ÖJ analyst makes: kommun against län, riket, kommungrupp and peers; ranks,
trends with verdicts, sex differences and data coverage.

Every function takes a :class:`~ojlib.dataset.Dataset` and returns a tidy pandas frame with
Swedish column names (users read them). The frame's ``attrs`` carry ``kalla`` (for source lines
and the exempeldata mark), ``omrade``, ``lan``/``kommun``, ``ar`` and ``medel``.

Semantics (see ``docs/design.md``):

* **Averages are labelled.** Each comparison value has an ``…_avser`` column: "andel kommuner
  med Ja (%)" for Ja/Nej (the share of kommuner answering Ja, among those that answered),
  "ovägt medel av kommunerna" (the mean of the kommuner with a value, every kommun counts once)
  or "publicerat värde (Kolada)" (the source's own, population-weighted län/riket value).
  ``medel="publicerat"`` uses the dataset's own län/riket rows where they exist (exempeldata's
  are themselves ovägt medel / andel Ja and say so); ``medel="ovagt"`` always computes from the
  kommuner. Kommungrupp and peer values are always computed (ovägt).
* **Ranks** use the "min" method (tied kommuner share the best place, the next place skips),
  count only kommuner with a value (``antal_med_värde_…`` says how many), and follow the desired
  direction: ``hogre_battre`` ranks the highest value 1, ``lagre_battre`` the lowest. Indicators
  without a direction (costs, volumes) are still ranked by size, highest = 1, which
  ``rang_avser`` states; they are never called better or worse (colours: neutral).
* **Year.** ``ar=None`` takes each indicator's latest year with kommun values; ``ar=2024`` takes
  each indicator's latest year up to 2024 (Ja/Nej questions that stopped in 2024 stay in a 2025
  table, with ``år`` saying so); ``exakt_ar=True`` only that year. A year with no values at all
  raises OjError.
* **Trends** only compare years the catalogue marks comparable (``jamforbar_fran``); across a
  definition break the verdict is "ej jämförbar" and figures leave a gap.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ojlib import geo, shared
from ojlib.catalog import Indicator
from ojlib.dataset import STATUS_TEXT, Dataset
from ojlib.errors import OjError

# Labels for what a comparison value is.
AVSER_ANDEL_JA = "andel kommuner med Ja (%)"
AVSER_OVAGT = "ovägt medel av kommunerna"


def avser_publicerat(kalla: str) -> str:
    """Label of a value the source published itself (Kolada's län/riket are weighted)."""
    return f"publicerat värde ({'Kolada' if kalla == 'kolada' else kalla})"


def avser_beraknat(typ: str) -> str:
    """Label of a value ojlib computed from the kommuner: share Ja, or the unweighted mean."""
    return AVSER_ANDEL_JA if typ == "ja_nej" else AVSER_OVAGT


RANG_AVSER = {
    "hogre_battre": "1 = högst värde (högre är bättre)",
    "lagre_battre": "1 = lägst värde (lägre är bättre)",
    None: "1 = högst värde (ingen önskvärd riktning)",
}

# Tolerance for "oförändrad" in trend verdicts (and "som riket" in the threshold colours):
# absolute for percentages and scale steps, relative (per cent of the earlier value) for
# kronor and counts. Kommun answers Ja/Nej or a scale level change or they do not.
TOLERANS = {
    "ja_nej": ("procentenheter", 1.0),   # län/riket share of kommuner with Ja
    "andel": ("procentenheter", 1.0),
    "skala": ("skalsteg", 0.05),         # län/riket mean level
    "kr_per_inv": ("procent", 2.0),
    "antal": ("procent", 2.0),
}
BEDOMNING_UPP = {"hogre_battre": "förbättring", "lagre_battre": "försämring", None: "ökning"}
BEDOMNING_NED = {"hogre_battre": "försämring", "lagre_battre": "förbättring", None: "minskning"}

NIVA_NAMN = {"kommun": "kommun", "lan": "län", "riket": "riket", "kommungrupp": "kommungrupp"}

KOMMUN_TABLE_COLUMNS = [
    "kpi", "indikator", "område", "typ", "riktning", "enhet", "år", "kön",
    "kommunkod", "kommun", "länskod", "län", "kommungruppkod", "kommungrupp_namn",
    "värde", "värde_text", "status", "saknas_orsak",
    "länet", "länet_avser", "riket", "riket_avser", "kommungrupp", "kommungrupp_avser",
    "rang_i_länet", "antal_med_värde_i_länet", "antal_kommuner_i_länet",
    "rang_i_riket", "antal_med_värde_i_riket",
    "rang_i_kommungruppen", "antal_med_värde_i_kommungruppen", "rang_avser",
]


# ---------------------------------------------------------------- formatting

def _num(x: float, decimals: int) -> str:
    """Swedish number: decimal comma, non-breaking space between thousands."""
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def format_number(value, typ: str, enhet: str = "") -> str:
    """A number in the indicator's unit, no level labels: "82,3 %", "12 345 kr", "1,85"."""
    if value is None or pd.isna(value):
        return "–"
    v = float(value)
    if typ == "ja_nej":
        return f"{_num(v, 0)}\u00a0%"
    if typ == "skala":
        return _num(v, 2).rstrip("0").rstrip(",")
    if typ == "andel":
        return f"{_num(v, 1)}\u00a0%"
    if typ == "kr_per_inv":
        return f"{_num(v, 0)}\u00a0kr"
    return f"{_num(v, 1)}\u00a0{enhet}" if enhet and enhet != "antal" else _num(v, 1)


def format_value(value, ind: Indicator, aggregate: bool = False) -> str:
    """A value as users read it: "Ja", "Inom 3 dagar", "82,3 %", "12 345 kr", "23,4 dagar".

    ``aggregate`` formats a län/riket/group value: the share Ja for Ja/Nej ("65 % Ja"), the mean
    level for a scale ("1,85").
    """
    if value is None or pd.isna(value):
        return "–"
    if ind.typ == "ja_nej":
        return f"{_num(float(value), 0)}\u00a0% Ja" if aggregate else (ind.label(value) or _num(float(value), 0))
    if ind.typ == "skala":
        return _num(float(value), 2) if aggregate else (ind.label(value) or _num(float(value), 0))
    return format_number(value, ind.typ, ind.enhet)


def _format_column(values: pd.Series, kpis: pd.Series, cat, aggregate: bool = False) -> pd.Series:
    """``format_value`` over a column, computed once per distinct value and way of formatting.

    Indicators that format alike (same type and unit, same level labels) share the work, so a
    table of thousands of indicators formats in a few passes.
    """
    out = np.full(len(values), "–", dtype=object)
    v = values.to_numpy(dtype=float)
    ok = ~np.isnan(v)
    if not ok.any():
        return pd.Series(out, index=values.index)
    style = {}
    for kpi in pd.unique(kpis[ok]):
        ind = cat[kpi]
        labels = tuple(sorted(ind.nivaer.items())) if ind.typ in ("ja_nej", "skala") else ()
        style[kpi] = style.setdefault((ind.typ, ind.enhet, labels), ind)
    reps = kpis.map(style).to_numpy(dtype=object)
    keys = np.array([id(r) for r in reps], dtype=np.int64)
    for key in np.unique(keys[ok]):
        idx = np.flatnonzero(ok & (keys == key))
        ind = reps[idx[0]]
        uniq, inverse = np.unique(v[idx], return_inverse=True)
        texts = np.array([format_value(u, ind, aggregate) for u in uniq], dtype=object)
        out[idx] = texts[inverse]
    return pd.Series(out, index=values.index)


# ---------------------------------------------------------------- helpers

def _indicators(ds: Dataset, omrade=None, kpi=None, kon: str = "T") -> list[Indicator]:
    if kpi is not None:
        kpis = [kpi] if isinstance(kpi, str) else list(kpi)
        inds = [ds.cat[k] for k in kpis]
    else:
        inds = ds.cat.for_omrade(omrade)
    if kon != "T":
        if kon not in ("K", "M"):
            raise OjError(f"Okänt kön '{kon}'; välj T (totalt), K (kvinnor) eller M (män).")
        inds = [i for i in inds if i.kon]
    if not inds:
        raise OjError("Inga indikatorer i katalogen passar urvalet; se `oj indikatorer`.")
    return inds


def _meta(inds: list[Indicator]) -> pd.DataFrame:
    return pd.DataFrame({
        "kpi": [i.kpi for i in inds],
        "indikator": [i.namn for i in inds],
        "område": [i.omrade for i in inds],
        "typ": [i.typ for i in inds],
        "riktning": [i.riktning for i in inds],
        "enhet": [i.enhet for i in inds],
        "_ordning": range(len(inds)),
        "_jf": [i.jamforbara_ar[0] for i in inds],
    })


def _rows(ds: Dataset, kpis: Iterable[str], kon) -> pd.DataFrame:
    """The dataset's rows of these KPIs and sex(es), all levels: one scan of the (large) table."""
    df = ds.df
    kons = [kon] if isinstance(kon, str) else list(kon)
    mask = df.kpi.isin(list(kpis))
    mask &= df.kon == kons[0] if len(kons) == 1 else df.kon.isin(kons)
    return df.loc[mask, ["kpi", "kod", "niva", "ar", "kon", "varde", "status"]]


def _kommun_rows(ds: Dataset, kpis: Iterable[str], kon, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    rows = _rows(ds, kpis, kon) if rows is None else rows
    return rows[rows.niva == "kommun"]


def _years(ds: Dataset, inds: list[Indicator], kom: pd.DataFrame, omrade, ar, exakt_ar: bool) -> pd.Series:
    """The year each indicator is shown for (index kpi); indicators without values dropped."""
    have = kom[kom.varde.notna()]
    if ar is not None:
        year = ds.check_year(ar, [i.omrade for i in inds] if omrade is None else omrade)
        have = have[have.ar == year] if exakt_ar else have[have.ar <= year]
    years = have.groupby("kpi").ar.max()
    if years.empty:
        raise OjError(f"Det finns inga kommunvärden för urvalet{f' år {ar}' if ar is not None else ''} "
                      f"i {ds.kalla}; välj ett annat år eller område.")
    return years.astype(int)


def _share_input(values: pd.Series, typ: pd.Series) -> pd.Series:
    """The number averaged over kommuner: 100 for Ja and 0 for Nej, the value otherwise."""
    jn = typ == "ja_nej"
    return values.where(~jn, (values == 1).astype(float).where(values.notna()) * 100.0)


def _aggregate(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Computed comparison value per group: mean of ``_in`` (share Ja / ovägt medel), count."""
    agg = frame.groupby(keys, observed=True, sort=False).agg(_medel=("_in", "mean"), _n=("_in", "count"))
    agg["_medel"] = agg["_medel"].round(2)
    return agg.reset_index()


def _published(rows: pd.DataFrame, niva: str) -> pd.DataFrame:
    """The source's own län or riket values among ``rows`` (from :func:`_rows`)."""
    return rows[(rows.niva == niva) & rows.varde.notna()]


def _avser_from_status(status: pd.Series, typ: pd.Series, kalla: str) -> pd.Series:
    """Label a published row: exempeldata's rows say themselves what they are."""
    computed = status.isin(["ovagt_medel", "andel_ja"])
    label = pd.Series(avser_publicerat(kalla), index=status.index, dtype=object)
    label[computed & (typ == "ja_nej")] = AVSER_ANDEL_JA
    label[computed & (typ != "ja_nej")] = AVSER_OVAGT
    return label


def _check_medel(medel: str) -> None:
    if medel not in ("publicerat", "ovagt"):
        raise OjError(f"Okänt val av medel '{medel}'; välj publicerat eller ovagt.")


def _attrs(frame: pd.DataFrame, ds: Dataset, **extra) -> pd.DataFrame:
    """Provenance for figures and tables: source, parameters, and the level labels of scales."""
    kpis = set(frame.kpi.unique()) if "kpi" in frame.columns else set()
    nivaer = {k: dict(ds.cat[k].nivaer) for k in sorted(kpis) if k in ds.cat and ds.cat[k].nivaer}
    frame.attrs = {"kalla": ds.kalla, "exempeldata": ds.is_example, **extra, "nivaer": nivaer}
    return frame


# ---------------------------------------------------------------- the län table

def kommun_table(ds: Dataset, omrade=None, ar=None, kon: str = "T", medel: str = "publicerat",
                 exakt_ar: bool = False, kpi=None) -> pd.DataFrame:
    """Every kommun in Sweden × indicator, with län, riket and kommungrupp values and ranks.

    One row per kommun and indicator (all 290 kommuner, also those without a value). Columns
    (``KOMMUN_TABLE_COLUMNS``): the indicator (kpi, indikator, område, typ, riktning, enhet),
    år, kön; the kommun (kommunkod, kommun, länskod, län, kommungruppkod, kommungrupp_namn);
    värde, värde_text (e.g. "Ja", "82,3 %"), status and saknas_orsak (why a value is missing);
    länet, riket, kommungrupp with their ``…_avser`` labels; rang_i_länet, rang_i_riket,
    rang_i_kommungruppen with the number of kommuner ranked (antal_med_värde_…), and
    antal_kommuner_i_länet; rang_avser says which end is 1.

    Computed once for all kommuner with vectorised group operations (a län table is a filter of
    this), so all län of an område cost about as much as one.
    """
    _check_medel(medel)
    inds = _indicators(ds, omrade, kpi, kon)
    meta = _meta(inds).set_index("kpi")
    rows = _rows(ds, meta.index, kon)
    kom = _kommun_rows(ds, meta.index, kon, rows)
    years = _years(ds, inds, kom, omrade, ar, exakt_ar)
    meta = meta.loc[meta.index.intersection(years.index)].sort_values("_ordning")
    dropped = [i.kpi for i in inds if i.kpi not in years.index]

    # Positional layout: row = indicator i (catalogue order) × kommun j (by code); no string joins.
    ref = geo.kommuner()
    n_k, n_i = len(ref), len(meta)
    n = n_k * n_i
    kpi_index = pd.Index(meta.index)
    year_of = years.loc[kpi_index].to_numpy()
    ki = np.repeat(np.arange(n_i), n_k)
    kj = np.tile(np.arange(n_k), n_i)
    varde = np.full(n, np.nan)
    status = np.full(n, None, dtype=object)
    rows_i = kpi_index.get_indexer(kom.kpi)
    rows_j = pd.Index(ref.kommun_kod).get_indexer(kom.kod)
    keep = (rows_i >= 0) & (rows_j >= 0)
    keep &= kom.ar.to_numpy() == np.where(keep, year_of[np.maximum(rows_i, 0)], -1)
    pos = rows_i[keep] * n_k + rows_j[keep]
    varde[pos] = kom.varde.to_numpy()[keep]
    status[pos] = kom.status.to_numpy(dtype=object)[keep]
    has = ~np.isnan(varde)
    status[~has & pd.isna(status)] = "saknas"
    status[has] = None

    typ_i = meta.typ.to_numpy(dtype=object)
    rikt_i = np.array([r if isinstance(r, str) else None for r in meta.riktning], dtype=object)
    typ, riktning = typ_i[ki], rikt_i[ki]
    score = np.where(riktning == "lagre_battre", -varde, varde)
    share_in = np.where(typ == "ja_nej", np.where(has, (varde == 1) * 100.0, np.nan), varde)

    lan_codes, lan_j = np.unique(ref.lan_kod.to_numpy(), return_inverse=True)
    grp_codes, grp_j = np.unique(ref.kommungrupp_kod.to_numpy(), return_inverse=True)
    region_of_lan = dict(zip(ref.lan_kod, ref.region_kod, strict=False))
    groups = {"länet": ki * len(lan_codes) + lan_j[kj], "riket": ki, "kommungruppen": ki * len(grp_codes) + grp_j[kj]}

    def group_mean(gid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean (rounded to 2 decimals, as the stored aggregates) and count per group, per row."""
        g = pd.Series(share_in).groupby(gid)
        mean = g.mean().round(2).to_numpy()
        count = g.count().to_numpy()
        return mean[gid], count[gid]  # every kommun × indicator is a row: ids run 0..k-1 densely

    ranks, means = {}, {}
    for name, gid in groups.items():
        mean, count = group_mean(gid)
        means[name] = mean
        ranks[f"rang_i_{name}"] = pd.Series(score).groupby(gid).rank(method="min", ascending=False).astype("Int64")
        ranks[f"antal_med_värde_i_{name}"] = count.astype("int64")
    ranks["antal_kommuner_i_länet"] = np.bincount(groups["länet"])[groups["länet"]].astype("int64")
    ranks = {k: ranks[k] for k in ("rang_i_länet", "antal_med_värde_i_länet", "antal_kommuner_i_länet",
                                   "rang_i_riket", "antal_med_värde_i_riket", "rang_i_kommungruppen",
                                   "antal_med_värde_i_kommungruppen")}

    computed_label = np.where(typ == "ja_nej", AVSER_ANDEL_JA, AVSER_OVAGT).astype(object)
    lan_v, lan_a = means["länet"].copy(), computed_label.copy()
    rik_v, rik_a = means["riket"].copy(), computed_label.copy()
    if medel == "publicerat":
        for level, values, labels in (("lan", lan_v, lan_a), ("riket", rik_v, rik_a)):
            pub = _published(rows, level)
            if pub.empty:
                continue
            pi = kpi_index.get_indexer(pub.kpi)
            ok = pi >= 0
            ok &= pub.ar.to_numpy() == np.where(ok, year_of[np.maximum(pi, 0)], -1)
            pub, pi = pub[ok], pi[ok]
            if pub.empty:
                continue
            label = _avser_from_status(pub.status, pd.Series(typ_i[pi], index=pub.index), ds.kalla).to_numpy()
            if level == "lan":
                lan_of_region = {r: i for i, r in enumerate(region_of_lan[c] for c in lan_codes)}
                li = pub.kod.map(lan_of_region).to_numpy()
                okl = ~pd.isna(li)
                slot = np.full(n_i * len(lan_codes), -1)
                slot[pi[okl] * len(lan_codes) + li[okl].astype(int)] = np.flatnonzero(okl)
                hit = slot[groups["länet"]]
            else:
                slot = np.full(n_i, -1)
                slot[pi] = np.arange(len(pi))
                hit = slot[groups["riket"]]
            found = hit >= 0
            values[found] = pub.varde.to_numpy()[hit[found]]
            labels[found] = label[hit[found]]

    names = ref.kommun_namn.to_numpy()
    out = pd.DataFrame({
        "kpi": kpi_index.to_numpy()[ki],
        "indikator": meta.indikator.to_numpy()[ki],
        "område": meta["område"].to_numpy()[ki],
        "typ": typ,
        "riktning": riktning,
        "enhet": meta.enhet.to_numpy()[ki],
        "år": year_of[ki].astype(int),
        "kön": kon,
        "kommunkod": ref.kommun_kod.to_numpy()[kj],
        "kommun": names[kj],
        "länskod": ref.lan_kod.to_numpy()[kj],
        "län": ref.lan_namn.to_numpy()[kj],
        "kommungruppkod": ref.kommungrupp_kod.to_numpy()[kj],
        "kommungrupp_namn": ref.kommungrupp_namn.to_numpy()[kj],
        "värde": varde,
        "värde_text": "",
        "status": status,
        "saknas_orsak": [STATUS_TEXT.get(x, x) if x else None for x in status],
        "länet": lan_v,
        "länet_avser": lan_a,
        "riket": rik_v,
        "riket_avser": rik_a,
        "kommungrupp": means["kommungruppen"],
        "kommungrupp_avser": computed_label + " i kommungruppen",
        **ranks,
        "rang_avser": [RANG_AVSER[r] for r in riktning],
    })
    text = _format_column(out["värde"], out.kpi, ds.cat).to_numpy(dtype=object)
    missing = ~has
    text[missing] = [str(x).replace("_", " ") for x in status[missing]]
    out["värde_text"] = text
    out = out[KOMMUN_TABLE_COLUMNS]
    return _attrs(out, ds, omrade=omrade, ar=ar, kon=kon, medel=medel, utan_varden=dropped)


def lan_table(ds: Dataset, lan, omrade=None, ar=None, kon: str = "T", medel: str = "publicerat",
              exakt_ar: bool = False, kpi=None) -> pd.DataFrame:
    """The län table: every kommun of the län × indicator (columns as in :func:`kommun_table`).

    Ranks in riket and the riket value need all kommuner, so this filters the national table.
    """
    lk = geo.normalise_lan(lan)
    full = kommun_table(ds, omrade, ar, kon, medel, exakt_ar, kpi)
    out = full[full["länskod"] == lk].reset_index(drop=True)
    out.attrs = {**full.attrs, "lan": lk}
    return out


def lan_tables(ds: Dataset, omrade=None, ar=None, kon: str = "T", medel: str = "publicerat",
               exakt_ar: bool = False) -> dict[str, pd.DataFrame]:
    """All 21 län tables of an område from one national computation (for batch reports)."""
    full = kommun_table(ds, omrade, ar, kon, medel, exakt_ar)
    out = {}
    for lk, part in full.groupby("länskod", sort=True):
        part = part.reset_index(drop=True)
        part.attrs = {**full.attrs, "lan": lk}
        out[lk] = part
    return out


# ---------------------------------------------------------------- shares and coverage

def ja_share(values: pd.Series) -> dict:
    """Share of kommuner answering Ja among those that answered (missing values excluded).

    Returns ``{"antal_ja", "antal_med_svar", "antal_saknas", "andel_ja"}`` with andel_ja in per
    cent (None when no kommun answered).
    """
    v = pd.Series(values, dtype="float64")
    answered = int(v.notna().sum())
    ja = int((v == 1).sum())
    return {"antal_ja": ja, "antal_med_svar": answered, "antal_saknas": int(v.isna().sum()),
            "andel_ja": round(100.0 * ja / answered, 2) if answered else None}


def coverage(ds: Dataset, lan=None, omrade=None, ar=None, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many kommuner have a value per indicator, and why the others do not.

    One row per indicator: kpi, indikator, år, antal_kommuner, med_värde, andel_med_värde (%),
    one column per reason (bortfall, sekretess, ej_tillämpligt, saknas) and utan_värde (the
    kommuner without a value, with the reason). ``lan=None`` covers all of Sweden. Pass an
    already computed kommun/län ``table`` to reuse it.
    """
    if table is None:
        table = lan_table(ds, lan, omrade, ar) if lan is not None else kommun_table(ds, omrade, ar)
    t = table
    reasons = {"bortfall": "bortfall", "sekretess": "sekretess", "ej_tillampligt": "ej_tillämpligt",
               "saknas": "saknas"}
    status = t.status.where(t.status.isin(list(reasons)) | t.status.isna(), "saknas")
    base = t.assign(_status=status, _har=t["värde"].notna())
    keys = ["kpi", "indikator", "år"]
    out = base.groupby(keys, sort=False).agg(antal_kommuner=("kommunkod", "size"), med_värde=("_har", "sum"))
    for code, col in reasons.items():
        out[col] = base.assign(_x=base._status == code).groupby(keys, sort=False)._x.sum()
    out["andel_med_värde"] = (100.0 * out.med_värde / out.antal_kommuner).round(1)
    missing = base[~base._har]
    text = missing.assign(_t=missing.kommun + " (" + missing._status.map(reasons).str.replace("_", " ") + ")")
    out["utan_värde"] = text.groupby(keys, sort=False)._t.agg(", ".join)
    out["utan_värde"] = out["utan_värde"].fillna("")
    out = out.reset_index()
    cols = keys + ["antal_kommuner", "med_värde", "andel_med_värde", *reasons.values(), "utan_värde"]
    out = out[cols]
    for c in ["antal_kommuner", "med_värde", *reasons.values()]:
        out[c] = out[c].astype(int)
    out.attrs = dict(t.attrs)
    return out


# ---------------------------------------------------------------- levels over years

def _levels(ds: Dataset, inds: list[Indicator], kon="T", medel: str = "publicerat",
            kommungrupp: bool = False) -> pd.DataFrame:
    """Long frame over all years: kommun, län, riket (and kommungrupp) values per indicator.

    Columns: kpi, ar, kon, niva, kod, varde, status, avser. Computed aggregates use the same
    rule as :func:`kommun_table`; published rows replace them when ``medel="publicerat"``.
    """
    _check_medel(medel)
    typ = {i.kpi: i.typ for i in inds}
    rows = _rows(ds, typ, kon)
    kom = _kommun_rows(ds, typ, kon, rows).copy()
    ref = geo.kommuner().set_index("kommun_kod")
    kom["region_kod"] = kom.kod.map(ref.region_kod)
    kom["kommungruppkod"] = kom.kod.map(ref.kommungrupp_kod)
    kom["_in"] = _share_input(kom.varde, kom.kpi.map(typ))
    parts = [kom.assign(niva="kommun", avser=None)[["kpi", "ar", "kon", "niva", "kod", "varde", "status", "avser"]]]
    specs = [("lan", ["region_kod"]), ("riket", [])] + ([("kommungrupp", ["kommungruppkod"])] if kommungrupp else [])
    for niva, key in specs:
        agg = _aggregate(kom, ["kpi", "ar", "kon", *key])
        agg = agg.rename(columns={"_medel": "varde", **({key[0]: "kod"} if key else {})})
        if not key:
            agg["kod"] = geo.RIKET
        agg["niva"] = niva
        agg["status"] = None
        agg["avser"] = agg.kpi.map(typ).map(avser_beraknat)
        if niva != "kommungrupp" and medel == "publicerat":
            pub = _published(rows, niva)
            if not pub.empty:
                pub = pub.assign(niva=niva, avser=_avser_from_status(pub.status, pub.kpi.map(typ), ds.kalla))
                k = ["kpi", "ar", "kon", "kod"]
                agg = pd.concat([pub[k + ["niva", "varde", "status", "avser"]],
                                 agg.merge(pub[k], on=k, how="left", indicator=True)
                                 .query("_merge == 'left_only'").drop(columns="_merge")], ignore_index=True)
        parts.append(agg[["kpi", "ar", "kon", "niva", "kod", "varde", "status", "avser"]])
    return pd.concat(parts, ignore_index=True)


def _unit_names(levels: pd.DataFrame) -> pd.Series:
    names = geo.area_names()
    return levels.kod.map(names).where(levels.niva != "kommungrupp",
                                       "Kommungrupp " + levels.kod.map(geo.KOMMUNGRUPPER).fillna(""))


def _wanted_units(kommun=None, lan=None, riket: bool = True) -> tuple[list[str], list[str]]:
    """Kommun codes and region codes to show: a kommun brings its own län when none is given."""
    kommuner = [] if kommun is None else [geo.normalise_kommun(k) for k in
                                          ([kommun] if isinstance(kommun, str | int) else kommun)]
    if lan is None:
        ref = geo.kommuner().set_index("kommun_kod")
        regions = sorted({ref.at[k, "region_kod"] for k in kommuner})
    else:
        regions = [geo.region_kod(x) for x in ([lan] if isinstance(lan, str | int) else lan)]
    return kommuner, regions + ([geo.RIKET] if riket else [])


def trend(ds: Dataset, kpi: str, kommun=None, lan=None, riket: bool = True, kon: str = "T",
          medel: str = "publicerat", kommungrupp: bool = False) -> pd.DataFrame:
    """An indicator over all its years for kommun(er), their län and riket (the trend figure).

    Columns: kpi, indikator, typ, riktning, enhet, nivå (kommun/län/riket/kommungrupp), kod,
    namn, år, värde, värde_text, status, avser, jämförbar (year on the comparable side of a
    definition break), serie (1 before a break, 2 from it; 1 without a break), brott_år (the
    break year, or None). Every year of the indicator appears for every unit, missing values
    included, so a figure can leave gaps.
    """
    ind = ds.cat[kpi]
    kommuner, regions = _wanted_units(kommun, lan, riket)
    if kommungrupp and not kommuner:
        raise OjError("Kommungruppens trend visas bara tillsammans med en kommun; ange kommun.")
    lv = shared.memo(("levels", shared.fingerprint(ds), ind.kpi, kon, medel, kommungrupp),  # once per batch
                     lambda: _levels(ds, [ind], kon, medel, kommungrupp))
    groups = []
    if kommungrupp:
        ref = geo.kommuner().set_index("kommun_kod")
        groups = sorted({ref.at[k, "kommungrupp_kod"] for k in kommuner})
    order = kommuner + groups + regions
    units = pd.DataFrame({"kod": order, "niva": ["kommun"] * len(kommuner) + ["kommungrupp"] * len(groups)
                          + ["riket" if r == geo.RIKET else "lan" for r in regions]})
    grid = units.merge(pd.DataFrame({"ar": ind.ar}), how="cross")
    lv = grid.merge(lv[lv.kon == kon], on=["kod", "niva", "ar"], how="left")
    brott = ind.jamforbar_fran if ind.jamforbar_fran and ind.jamforbar_fran > ind.ar_fran else None
    out = pd.DataFrame({
        "kpi": ind.kpi, "indikator": ind.namn, "typ": ind.typ, "riktning": ind.riktning, "enhet": ind.enhet,
        "nivå": lv.niva.map(NIVA_NAMN), "kod": lv.kod, "namn": _unit_names(lv), "år": lv.ar.astype(int),
        "värde": lv.varde,
        "värde_text": [format_value(v, ind, aggregate=n != "kommun") for v, n in zip(lv.varde, lv.niva, strict=True)],
        "status": lv.status.where(lv.varde.notna() | lv.status.notna(), "saknas"),
        "avser": lv.avser.where(lv.niva != "kommun", None),
        "jämförbar": lv.ar >= ind.jamforbara_ar[0],
        "serie": np.where(lv.ar >= (brott or 0), 2, 1) if brott else 1,
        "brott_år": brott,
    })
    out.loc[out["värde"].notna(), "status"] = None
    out = _attrs(out, ds, kpi=kpi, kon=kon, medel=medel)
    return out


def verdict(change: float, rel: float, typ: str, riktning, niva: str = "lan") -> str:
    """förbättring/försämring (by the desired direction), ökning/minskning (none), or oförändrad.

    ``change`` is the absolute change, ``rel`` the relative one in per cent; which one is held
    against the tolerance, and how large it is, comes from ``TOLERANS``.
    """
    kind, tol = TOLERANS[typ]
    if niva == "kommun" and typ in ("ja_nej", "skala"):
        kind, tol = "steg", 0.0
    size = abs(change)
    if kind == "procent":  # relative change; from zero any change counts
        size = abs(rel) if pd.notna(rel) else (0.0 if change == 0 else np.inf)
    if size <= tol + 1e-9:
        return "oförändrad"
    return (BEDOMNING_UPP if change > 0 else BEDOMNING_NED)[riktning]


def trend_table(ds: Dataset, lan=None, kommun=None, omrade=None, ar=None, kon: str = "T",
                medel: str = "publicerat", riket: bool = True, kpi=None) -> pd.DataFrame:
    """Change since the last comparable year, with a verdict that follows the desired direction.

    Units: ``lan`` gives its kommuner, the län and riket; ``kommun`` gives the kommun(er), their
    län and riket. The current year per indicator is chosen as in :func:`kommun_table`; the
    earlier year is the latest earlier year with a value on the same side of a definition break.

    Columns: kpi, indikator, typ, riktning, enhet, nivå, kod, namn, år, värde, värde_text,
    jämfört_med_år, värde_då, värde_då_text, förändring (absolute, in the indicator's unit:
    procentenheter for percentages and shares), förändring_procent (relative, for kronor and
    counts), bedömning and kommentar. bedömning is förbättring / försämring / oförändrad for
    indicators with a direction, ökning / minskning / oförändrad without one, "ej jämförbar"
    when the only earlier values lie before a definition break, "inget tidigare värde" or
    "värde saknas". oförändrad means within ``TOLERANS`` (1 procentenhet for shares and
    percentages, 0,05 steg for a mean scale level, 2 % for kronor and counts; a kommun's own
    Ja/Nej or scale answer changes or it does not).
    """
    inds = _indicators(ds, omrade, kpi, kon)
    kom_rows = _kommun_rows(ds, [i.kpi for i in inds], kon)
    years = _years(ds, inds, kom_rows, omrade, ar, exakt_ar=False)
    inds = [i for i in inds if i.kpi in years.index]
    if lan is not None and kommun is None:
        kommuner = geo.kommuner_i_lan(lan)
        _, regions = _wanted_units(None, lan, riket)
    else:
        kommuner, regions = _wanted_units(kommun, lan, riket)
    lv = _levels(ds, inds, kon, medel)
    lv = lv[lv.kod.isin(kommuner + regions) & (lv.kon == kon)]
    by = {i.kpi: i for i in inds}
    lv = lv.assign(_cur=lv.kpi.map(years), _jf=lv.kpi.map({k: i.jamforbara_ar[0] for k, i in by.items()}))
    units = pd.DataFrame({"kod": kommuner + regions,
                          "niva": ["kommun"] * len(kommuner) + ["riket" if r == geo.RIKET else "lan" for r in regions]})
    cur = units.merge(years.rename("ar").reset_index(), how="cross")
    cur = cur.merge(lv[["kpi", "kod", "ar", "varde", "status", "avser"]], on=["kpi", "kod", "ar"], how="left")
    earlier = lv[lv.varde.notna() & (lv.ar < lv._cur)]
    comparable = earlier[earlier.ar >= earlier._jf]
    prev = comparable.sort_values("ar").groupby(["kpi", "kod"]).tail(1)[["kpi", "kod", "ar", "varde"]]
    before_break = earlier[earlier.ar < earlier._jf].groupby(["kpi", "kod"]).ar.max().rename("fore")
    cur = cur.merge(prev.rename(columns={"ar": "jämfört_med_år", "varde": "värde_då"}), on=["kpi", "kod"], how="left")
    cur = cur.merge(before_break.reset_index(), on=["kpi", "kod"], how="left")

    rows = []
    for r in cur.itertuples(index=False):
        ind = by[r.kpi]
        change = r.varde - r.värde_då if pd.notna(r.varde) and pd.notna(r.värde_då) else np.nan
        rel = 100.0 * change / abs(r.värde_då) if pd.notna(change) and r.värde_då else np.nan
        if pd.isna(r.varde):
            result = "värde saknas"
            note = STATUS_TEXT.get(r.status, "Värde saknas") if isinstance(r.status, str) else "Värde saknas"
        elif pd.isna(r.värde_då):
            if pd.notna(r.fore):
                result = "ej jämförbar"
                note = (f"Definitionsändring {ind.jamforbara_ar[0]}: {r.ar} jämförs inte med "
                        f"{int(r.fore)} eller tidigare år.")
            else:
                result, note = "inget tidigare värde", ""
        else:
            result = verdict(change, rel, ind.typ, ind.riktning, r.niva)
            note = ""
        agg = r.niva != "kommun"
        kind = TOLERANS[ind.typ][0]
        rows.append({
            "kpi": r.kpi, "indikator": ind.namn, "typ": ind.typ, "riktning": ind.riktning, "enhet": ind.enhet,
            "nivå": NIVA_NAMN[r.niva], "kod": r.kod, "år": int(r.ar), "värde": r.varde,
            "värde_text": format_value(r.varde, ind, agg),
            "jämfört_med_år": None if pd.isna(r.jämfört_med_år) else int(r.jämfört_med_år),
            "värde_då": r.värde_då, "värde_då_text": format_value(r.värde_då, ind, agg),
            "förändring": None if pd.isna(change) else round(float(change), 2),
            "förändring_procent": None if pd.isna(rel) or kind != "procent" else round(float(rel), 1),
            "bedömning": result, "kommentar": note, "avser": r.avser if agg else None,
        })
    out = pd.DataFrame(rows)
    out.insert(7, "namn", out.kod.map(geo.area_names()))
    order = {i.kpi: n for n, i in enumerate(inds)}
    niv = {"kommun": 0, "län": 1, "riket": 2}
    out = out.sort_values(by=["kpi", "nivå", "kod"], key=lambda s: s.map(order) if s.name == "kpi" else
                          (s.map(niv) if s.name == "nivå" else s), kind="mergesort").reset_index(drop=True)
    out["jämfört_med_år"] = out["jämfört_med_år"].astype("Int64")
    for c in ("värde", "värde_då", "förändring", "förändring_procent"):
        out[c] = out[c].astype("float64")
    return _attrs(out, ds, omrade=omrade, ar=ar, kon=kon, medel=medel,
                  lan=None if lan is None else geo.normalise_lan(lan), kommun=kommun)


# ---------------------------------------------------------------- sex differences

def sex_differences(ds: Dataset, lan=None, kommun=None, omrade=None, ar=None,
                    medel: str = "publicerat") -> pd.DataFrame:
    """Kvinnor against män for indicators the source divides by sex.

    Units as in :func:`trend_table`. Columns: kpi, indikator, enhet, år, nivå, kod, namn,
    kvinnor, män, totalt, skillnad (kvinnor − män, in the indicator's unit: procentenheter for
    percentages), skillnad_avser, and avser for län/riket values.
    """
    inds = [i for i in _indicators(ds, omrade, None) if i.kon]
    if not inds:
        raise OjError("Inga indikatorer i området redovisas uppdelat på kön.")
    kom_rows = _kommun_rows(ds, [i.kpi for i in inds], ["K", "M"])
    years = _years(ds, inds, kom_rows, omrade, ar, exakt_ar=False)
    inds = [i for i in inds if i.kpi in years.index]
    if lan is not None and kommun is None:
        kommuner, (_, regions) = geo.kommuner_i_lan(lan), _wanted_units(None, lan)
    else:
        kommuner, regions = _wanted_units(kommun, lan)
    lv = _levels(ds, inds, ["T", "K", "M"], medel)
    lv = lv[lv.kod.isin(kommuner + regions) & (lv.ar == lv.kpi.map(years))]
    wide = lv.pivot_table(index=["kpi", "niva", "kod", "ar"], columns="kon", values="varde", aggfunc="first",
                          dropna=False)
    avser = lv[lv.kon == "T"].set_index(["kpi", "niva", "kod", "ar"]).avser
    wide = wide.reindex(columns=["K", "M", "T"]).reset_index()
    by = {i.kpi: i for i in inds}
    units = pd.DataFrame({"kod": kommuner + regions,
                          "niva": ["kommun"] * len(kommuner) + ["riket" if r == geo.RIKET else "lan" for r in regions]})
    base = units.merge(years.rename("ar").reset_index(), how="cross")
    wide = base.merge(wide, on=["kpi", "niva", "kod", "ar"], how="left")
    wide["avser"] = list(avser.reindex(pd.MultiIndex.from_frame(wide[["kpi", "niva", "kod", "ar"]])))
    order = {i.kpi: n for n, i in enumerate(inds)}
    wide = wide.assign(_o=wide.kpi.map(order), _n=wide.niva.map({"kommun": 0, "lan": 1, "riket": 2}))
    wide = wide.sort_values(["_o", "_n", "kod"], kind="mergesort").reset_index(drop=True)
    unit = {"andel": "procentenheter", "kr_per_inv": "kr", "skala": "skalsteg"}
    out = pd.DataFrame({
        "kpi": wide.kpi, "indikator": wide.kpi.map(lambda k: by[k].namn), "enhet": wide.kpi.map(lambda k: by[k].enhet),
        "år": wide.ar.astype(int), "nivå": wide.niva.map(NIVA_NAMN), "kod": wide.kod,
        "namn": wide.kod.map(geo.area_names()),
        "kvinnor": wide.K, "män": wide.M, "totalt": wide["T"], "skillnad": (wide.K - wide.M).round(2),
        "skillnad_avser": "kvinnor − män (" + wide.kpi.map(lambda k: unit.get(by[k].typ, by[k].enhet)) + ")",
        "avser": wide.avser.where(wide.niva != "kommun", None),
    })
    return _attrs(out, ds, omrade=omrade, ar=ar, medel=medel, lan=lan, kommun=kommun)


# ---------------------------------------------------------------- peers



def peer_members(kommun, peers="liknande", omrade=None) -> tuple[list[str], str]:
    """The kommun's peers (codes, the kommun itself excluded) and a Swedish label for them.

    ``peers``: "kommungrupp" (SKR kommungrupp 2023), "liknande" (Kolada's latest "Liknande
    kommuner" group made for the kommun, per område as params/omraden.yml names it (IFO for
    missbruk and barn_och_unga, LSS for funktionsnedsattning), "övergripande" for several), a
    Kolada group id ("G36538"), or a list of kommun codes or names.
    """
    kod = geo.normalise_kommun(kommun)
    ref = geo.kommuner().set_index("kommun_kod")
    name = ref.at[kod, "kommun_namn"]
    if isinstance(peers, str) and peers == "kommungrupp":
        grp = ref.at[kod, "kommungrupp_kod"]
        members = sorted(ref.index[ref.kommungrupp_kod == grp])
        label = f"Kommungrupp {ref.at[kod, 'kommungrupp_namn']} (SKR)"
    elif isinstance(peers, str) and peers == "liknande":
        from ojlib import omraden as omr
        from ojlib.catalog import parse_omraden

        titles = {omr.get(o).peer_group for o in parse_omraden(omrade)}
        title = titles.pop() if len(titles) == 1 else omr.OVERGRIPANDE
        groups = geo.peer_groups(kod, title)
        if title != omr.OVERGRIPANDE:  # "IFO" must not match "IFO-…" variants
            groups = groups[groups.group_title.str.startswith(title + ",")]
        if groups.empty:
            raise OjError(f"Kolada har ingen grupp '{title}' för {name}; välj peers='kommungrupp' "
                          "eller en egen lista med kommuner.")
        groups = groups.assign(_ar=groups.group_title.str.extract(r"(\d{4})$", expand=False))
        best = groups.sort_values(["_ar", "group_id"]).iloc[-1]
        members = geo.group_members(best.group_id)
        label = f"{best.group_title} (Kolada)"
    elif isinstance(peers, str) and peers.startswith("G") and peers[1:].isdigit():
        members = geo.group_members(peers)
        g = geo.kolada_groups()
        label = f"{g.loc[g.group_id == peers, 'group_title'].iloc[0]} (Kolada)"
    elif isinstance(peers, str):
        raise OjError(f"Okänd jämförelsegrupp '{peers}'; välj kommungrupp, liknande, ett Kolada-grupp-id "
                      "(t.ex. G36538) eller en lista med kommuner.")
    else:
        members = sorted({geo.normalise_kommun(p) for p in peers})
        label = f"Egen lista ({len([m for m in members if m != kod])} kommuner)"
    members = [m for m in members if m != kod]
    if not members:
        raise OjError(f"Jämförelsegruppen för {name} innehåller inga andra kommuner.")
    return members, label


def peer_table(ds: Dataset, kommun, omrade=None, ar=None, peers="liknande", kon: str = "T",
               medel: str = "publicerat") -> pd.DataFrame:
    """The kommun and its peers × indicator, with the peers' value and ranks among them.

    Rows: the chosen kommun (``vald`` True) first, then its peers, per indicator. Columns: those
    of :func:`kommun_table` plus vald, jämförelsegrupp (label), jämförelsegruppens_värde and
    jämförelsegrupp_avser (share Ja / ovägt medel of the peers, the kommun itself excluded),
    antal_jämförda_med_värde, rang_bland_jämförda (kommun and peers ranked together).
    """
    kod = geo.normalise_kommun(kommun)
    members, label = peer_members(kod, peers, omrade)
    full = kommun_table(ds, omrade, ar, kon, medel)
    t = full[full.kommunkod.isin([kod, *members])].copy()
    t["vald"] = t.kommunkod == kod
    t["_in"] = _share_input(t["värde"], t.typ)
    peers_only = t[~t.vald]
    agg = peers_only.groupby("kpi", sort=False)._in.agg(["mean", "count"])
    t["jämförelsegrupp"] = label
    t["jämförelsegruppens_värde"] = t.kpi.map(agg["mean"].round(2))
    t["jämförelsegrupp_avser"] = t.typ.map(avser_beraknat) + " i jämförelsegruppen"
    t["antal_jämförda_med_värde"] = t.groupby("kpi", sort=False)["värde"].transform("count").astype(int)
    score = t["värde"].where(t.riktning != "lagre_battre", -t["värde"])
    t["rang_bland_jämförda"] = score.groupby(t.kpi).rank(method="min", ascending=False).astype("Int64")
    t = t.assign(_o=~t.vald).sort_values(["kpi", "_o", "kommunkod"], key=lambda s: s.map(
        {k: n for n, k in enumerate(full.kpi.unique())}) if s.name == "kpi" else s, kind="mergesort")
    out = t.drop(columns=["_in", "_o"]).reset_index(drop=True)
    out.attrs = {**full.attrs, "kommun": kod, "jamforelsegrupp": label, "peers": members}
    return out


def kommun_profile(ds: Dataset, kommun, omrade=None, ar=None, peers="liknande", kon: str = "T",
                   medel: str = "publicerat") -> pd.DataFrame:
    """One kommun against its län, riket and peers: one row per indicator (the kommunprofil).

    Columns as in :func:`peer_table` (only the chosen kommun's rows).
    """
    t = peer_table(ds, kommun, omrade, ar, peers, kon, medel)
    out = t[t.vald].drop(columns="vald").reset_index(drop=True)
    out.attrs = dict(t.attrs)
    return out
