"""The comparison table: every kommun × indicator with län, riket and kommungrupp values and ranks.

:func:`kommun_table` computes all 290 kommuner at once (a län table is a filter of it, so all
län of an område cost about as much as one). Comparison values, distributions and ranks come
from :mod:`ojlib.analysis.aggregate` (the one rule: share of kommuner at the top level and the
distribution of answers for Ja/Nej and scales, ovägt medel or the published value otherwise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ojlib.analysis import selection
from ojlib.analysis.aggregate import (
    ANSWER_TYPES,
    avser_beraknat,
    distribution_from_counts,
    group_stats,
    rank_scores,
    share_input,
    sparse,
    top_level,
    underlag_text,
)
from ojlib.analysis.formatting import format_column
from ojlib.base import memo
from ojlib.data import geo
from ojlib.data.dataset import STATUS_TEXT, Dataset

RANG_AVSER = {
    "hogre_battre": "1 = högst värde (högre är bättre)",
    "lagre_battre": "1 = lägst värde (lägre är bättre)",
    None: "1 = högst värde (ingen önskvärd riktning)",
}
RANG_AVSER_KOSTNAD = "1 = högst kostnad (ingen önskvärd riktning)"
RANG_AVSER_SVAR = "rangordnas inte (ett svar har ingen placering)"


def rang_avser(riktning, typ: str = "andel") -> str:
    """Which end is place 1, in words, for an indicator's direction and type."""
    if typ in ANSWER_TYPES:
        return RANG_AVSER_SVAR
    riktning = riktning if isinstance(riktning, str) else None
    if riktning is None and typ == "kr_per_inv":
        return RANG_AVSER_KOSTNAD
    return RANG_AVSER[riktning]


KOMMUN_TABLE_COLUMNS = [
    "kpi", "indikator", "område", "typ", "riktning", "enhet", "år", "kön",
    "kommunkod", "kommun", "länskod", "län", "kommungruppkod", "kommungrupp_namn",
    "värde", "värde_text", "status", "saknas_orsak",
    "länet", "länet_avser", "länet_text", "länet_fördelning", "länet_glest",
    "riket", "riket_avser", "riket_text", "riket_fördelning",
    "kommungrupp", "kommungrupp_avser", "kommungrupp_text", "kommungrupp_fördelning",
    "rang_i_länet", "antal_med_värde_i_länet", "antal_kommuner_i_länet",
    "rang_i_riket", "antal_med_värde_i_riket",
    "rang_i_kommungruppen", "antal_med_värde_i_kommungruppen", "rang_avser",
]


def _distribution_column(varde: np.ndarray, gid: np.ndarray, ki: np.ndarray, answer: np.ndarray,
                         inds: list) -> np.ndarray:
    """The distribution text of each row's group (answer types only; None for numbers).

    Counts per group and answer code in one pass (``np.add.at``); one text per group.
    """
    out = np.full(len(varde), None, dtype=object)
    sel = np.flatnonzero(answer)
    if not len(sel):
        return out
    g, v, i = gid[sel], varde[sel], ki[sel]
    has = ~np.isnan(v)
    codes = np.where(has, np.round(np.where(has, v, 0)), 0).astype(int)
    lo = int(codes.min())
    width = int(codes.max()) - lo + 1
    groups, inverse = np.unique(g, return_inverse=True)
    counts = np.zeros((len(groups), width), dtype=int)
    np.add.at(counts, (inverse[has], codes[has] - lo), 1)
    missing = np.bincount(inverse[~has], minlength=len(groups))
    ind_of = np.zeros(len(groups), dtype=int)
    ind_of[inverse] = i
    texts = np.array([distribution_from_counts({lo + c: n for c, n in enumerate(row) if n}, int(m), inds[k]).text
                      for row, m, k in zip(counts, missing, ind_of, strict=True)], dtype=object)
    out[sel] = texts[inverse]
    return out


def kommun_table(ds: Dataset, omrade=None, ar=None, kon: str = "T", medel: str = "publicerat",
                 exakt_ar: bool = False, kpi=None, _shared: bool = True) -> pd.DataFrame:
    """Every kommun in Sweden × indicator, with län, riket and kommungrupp values and ranks.

    One row per kommun and indicator (all 290 kommuner, also those without a value). Columns
    (``KOMMUN_TABLE_COLUMNS``): the indicator (kpi, indikator, område, typ, riktning, enhet),
    år, kön; the kommun (kommunkod, kommun, länskod, län, kommungruppkod, kommungrupp_namn);
    värde, värde_text (e.g. "Ja", "82,3 %"), status and saknas_orsak (why a value is missing);
    for länet, riket and kommungrupp: the value, ``…_avser`` (what it is), ``…_text`` (the value
    formatted for a reader, e.g. "69 % Ja" or "82,3 %") and ``…_fördelning`` (answer types: "9 av
    13 kommuner Ja, 2 Delvis, 2 Nej"; None for numbers); rang_i_länet, rang_i_riket,
    rang_i_kommungruppen with the number of kommuner ranked (antal_med_värde_…; answer types
    are not ranked), antal_kommuner_i_länet; rang_avser says which end is 1.

    For Ja/Nej and scales the länet/riket/kommungrupp value is the share (%) of the kommuner that
    answered which gave the top answer (Ja, or the scale's highest level), always computed from
    the kommuner. Numbers: with ``medel="publicerat"`` the source's own län/riket value where it
    exists, else (and with ``medel="ovagt"``) the ovägt medel of the kommuner.

    Computed once per dataset and arguments in a process (``ranking.national_table``): the reports of
    a batch kernel and the explorer share it.
    """
    if _shared:

        return national_table(ds, omrade, ar, kon=kon, medel=medel, exakt_ar=exakt_ar, kpi=kpi)
    selection.check_medel(medel)
    inds = selection.indicators(ds, omrade, kpi, kon)
    meta = selection.meta(inds).set_index("kpi")
    rows = selection.rows(ds, meta.index, kon)
    kom = selection.kommun_rows(ds, meta.index, kon, rows)
    years = selection.years(ds, inds, kom, omrade, ar, exakt_ar)
    meta = meta.loc[meta.index.intersection(years.index)].sort_values("_ordning")
    dropped = [i.kpi for i in inds if i.kpi not in years.index]
    shown = [ds.cat[k] for k in meta.index]

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
    top_i = np.array([top_level(i) for i in shown], dtype=float)
    typ, riktning = typ_i[ki], rikt_i[ki]
    answer = np.isin(typ, ANSWER_TYPES)
    score = np.where(answer, np.nan, rank_scores(varde, riktning))
    comparison_in = share_input(varde, typ, top_i[ki])

    lan_codes, lan_j = np.unique(ref.lan_kod.to_numpy(), return_inverse=True)
    grp_codes, grp_j = np.unique(ref.kommungrupp_kod.to_numpy(), return_inverse=True)
    region_of_lan = dict(zip(ref.lan_kod, ref.region_kod, strict=False))
    groups = {"länet": ki * len(lan_codes) + lan_j[kj], "riket": ki, "kommungruppen": ki * len(grp_codes) + grp_j[kj]}

    ranks, means, counts = {}, {}, {}
    for name, (mean, count, rank) in group_stats(comparison_in, groups, score).items():  # one polars pass
        means[name], counts[name] = mean, count
        ranks[f"rang_i_{name}"] = rank
        ranks[f"antal_med_värde_i_{name}"] = count
    ranks["antal_kommuner_i_länet"] = np.bincount(groups["länet"])[groups["länet"]].astype("int64")
    ranks = {k: ranks[k] for k in ("rang_i_länet", "antal_med_värde_i_länet", "antal_kommuner_i_länet",
                                   "rang_i_riket", "antal_med_värde_i_riket", "rang_i_kommungruppen",
                                   "antal_med_värde_i_kommungruppen")}

    computed_label = np.array([avser_beraknat(i.typ, i) for i in shown], dtype=object)[ki]
    lan_v, lan_a = means["länet"].copy(), computed_label.copy()
    rik_v, rik_a = means["riket"].copy(), computed_label.copy()
    if medel == "publicerat":
        answer_kpis = [i.kpi for i in shown if i.typ in ANSWER_TYPES]
        for level, values, labels in (("lan", lan_v, lan_a), ("riket", rik_v, rik_a)):
            pub = selection.published(rows, level, answer_kpis)
            if pub.empty:
                continue
            pi = kpi_index.get_indexer(pub.kpi)
            ok = pi >= 0
            ok &= pub.ar.to_numpy() == np.where(ok, year_of[np.maximum(pi, 0)], -1)
            pub, pi = pub[ok], pi[ok]
            if pub.empty:
                continue
            label = selection.avser_from_status(pub.status, pd.Series(typ_i[pi], index=pub.index),
                                                pub.kalla if "kalla" in pub.columns else ds.kalla).to_numpy()
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
    kpis = pd.Series(kpi_index.to_numpy()[ki])
    out = pd.DataFrame({
        "kpi": kpis,
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
        "länet_text": format_column(pd.Series(lan_v), kpis, ds.cat, aggregate=True).to_numpy(dtype=object),
        "länet_fördelning": _distribution_column(varde, groups["länet"], ki, answer, shown),
        "riket": rik_v,
        "riket_avser": rik_a,
        "riket_text": format_column(pd.Series(rik_v), kpis, ds.cat, aggregate=True).to_numpy(dtype=object),
        "riket_fördelning": _distribution_column(varde, groups["riket"], ki, answer, shown),
        "kommungrupp": means["kommungruppen"],
        "kommungrupp_avser": computed_label + " i kommungruppen",
        "kommungrupp_text": format_column(pd.Series(means["kommungruppen"]), kpis, ds.cat,
                                          aggregate=True).to_numpy(dtype=object),
        "kommungrupp_fördelning": _distribution_column(varde, groups["kommungruppen"], ki, answer, shown),
        **ranks,
        "rang_avser": [rang_avser(r, t) for r, t in zip(riktning, typ, strict=True)],
    })
    # a län value resting on fewer than half of its kommuner says on how many, wherever it is shown
    glest = sparse(out["antal_med_värde_i_länet"], out["antal_kommuner_i_länet"]) & out["länet"].notna().to_numpy()
    out["länet_glest"] = glest
    if glest.any():
        out.loc[glest, "länet_text"] = [f"{t} ({underlag_text(k, n)})" for t, k, n in zip(
            out.loc[glest, "länet_text"], out.loc[glest, "antal_med_värde_i_länet"],
            out.loc[glest, "antal_kommuner_i_länet"], strict=True)]
    text = format_column(out["värde"], out.kpi, ds.cat).to_numpy(dtype=object)
    missing = ~has
    text[missing] = [str(x).replace("_", " ") for x in status[missing]]
    out["värde_text"] = text
    out = out[KOMMUN_TABLE_COLUMNS]
    return selection.attrs(out, ds, omrade=omrade, ar=ar, kon=kon, medel=medel, utan_varden=dropped)


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


def national_table(ds, omrade=None, ar=None, **kwargs):
    """``compare.kommun_table`` (every kommun × indicator with län, riket, ranks), once per dataset,
    område and year in this process; each caller gets its own frame (copy-on-write)."""

    key = ("kommun_table", memo.fingerprint(ds), repr(omrade), repr(ar), repr(sorted(kwargs.items())))
    table = memo.memo(key, lambda: kommun_table(ds, omrade, ar, _shared=False, **kwargs))
    return table.copy(deep=False)
