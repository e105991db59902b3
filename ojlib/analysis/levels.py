"""Values over all years for kommuner, län, riket and kommungrupp: the series behind trends.

Computed län/riket/kommungrupp values follow :mod:`ojlib.analysis.aggregate` (share of kommuner at the
top level for Ja/Nej and scales, ovägt medel for numbers); published rows replace computed
ones for numbers when ``medel="publicerat"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ojlib.analysis import selection
from ojlib.analysis.aggregate import (
    ANSWER_TYPES,
    avser_beraknat,
    group_frame,
    share_input,
    sparse,
    top_level,
    underlag_text,
)
from ojlib.analysis.formatting import format_value
from ojlib.analysis.selection import NIVA_NAMN
from ojlib.base import memo
from ojlib.base.errors import OjError
from ojlib.data import geo
from ojlib.data.catalog import Indicator
from ojlib.data.dataset import Dataset

LEVEL_COLUMNS = ["kpi", "ar", "kon", "niva", "kod", "varde", "status", "avser", "antal_med_varde"]


def levels(ds: Dataset, inds: list[Indicator], kon="T", medel: str = "publicerat",
           kommungrupp: bool = False) -> pd.DataFrame:
    """Long frame over all years: kommun, län, riket (and kommungrupp) values per indicator.

    Columns: kpi, ar, kon, niva, kod, varde, status, avser, antal_med_varde (how many kommuner
    have a value behind a län, riket or kommungrupp value that year; also for a published one).
    """
    selection.check_medel(medel)
    by = {i.kpi: i for i in inds}
    rows = selection.rows(ds, by, kon)
    kom = selection.kommun_rows(ds, by, kon, rows).copy()
    ref = geo.kommuner().set_index("kommun_kod")
    kom["region_kod"] = kom.kod.map(ref.region_kod)
    kom["kommungruppkod"] = kom.kod.map(ref.kommungrupp_kod)
    typ, top = {k: i.typ for k, i in by.items()}, {k: top_level(i) for k, i in by.items()}
    kom["_in"] = share_input(kom.varde.to_numpy(), kom.kpi.map(typ).to_numpy(dtype=object),
                             kom.kpi.map(top).to_numpy(dtype=float))
    parts = [kom.assign(niva="kommun", avser=None, antal_med_varde=np.nan)[LEVEL_COLUMNS]]
    specs = [("lan", ["region_kod"]), ("riket", [])] + ([("kommungrupp", ["kommungruppkod"])] if kommungrupp else [])
    answer_kpis = [k for k, i in by.items() if i.typ in ANSWER_TYPES]
    for niva, key in specs:
        agg = group_frame(kom, ["kpi", "ar", "kon", *key])
        agg = agg.rename(columns={"_medel": "varde", **({key[0]: "kod"} if key else {})})
        if not key:
            agg["kod"] = geo.RIKET
        counts = agg[["kpi", "ar", "kon", "kod", "_n"]].rename(columns={"_n": "antal_med_varde"})
        agg["niva"] = niva
        agg["status"] = None
        agg["avser"] = agg.kpi.map(lambda k: avser_beraknat(by[k].typ, by[k]))
        if niva != "kommungrupp" and medel == "publicerat":
            pub = selection.published(rows, niva, answer_kpis)
            if not pub.empty:
                pub = pub.assign(niva=niva, avser=selection.avser_from_status(
                    pub.status, pub.kpi.map(lambda k: by[k].typ), pub.kalla if "kalla" in pub.columns else ds.kalla))
                k = ["kpi", "ar", "kon", "kod"]
                agg = pd.concat([pub[k + ["niva", "varde", "status", "avser"]],
                                 agg.merge(pub[k], on=k, how="left", indicator=True)
                                 .query("_merge == 'left_only'").drop(columns="_merge")], ignore_index=True)
        agg = agg.drop(columns=["_n", "antal_med_varde"], errors="ignore").merge(
            counts, on=["kpi", "ar", "kon", "kod"], how="left")
        agg["antal_med_varde"] = agg["antal_med_varde"].fillna(0)
        parts.append(agg[LEVEL_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def _texts(lv: pd.DataFrame, ind) -> list[str]:
    """Each value as a reader sees it (see :func:`value_text`)."""
    return [value_text(v, ind, niva, kod, k)
            for v, niva, kod, k in zip(lv.varde, lv.niva, lv.kod, lv.antal_med_varde, strict=True)]


def value_text(v, ind, niva: str, kod: str, antal_med_varde) -> str:
    """A value as a reader sees it; a län value from fewer than half of the län's kommuner that
    year says on how many ("92,5 % (2 av 13 kommuner)")."""
    text = format_value(v, ind, aggregate=niva != "kommun")
    n_lan = geo.kommuner_per_region()
    if niva == "lan" and pd.notna(v) and kod in n_lan:
        k = 0 if pd.isna(antal_med_varde) else antal_med_varde
        if sparse(k, n_lan[kod]):
            text += f" ({underlag_text(k, n_lan[kod])})"
    return text


def unit_names(lv: pd.DataFrame) -> pd.Series:
    """Each row's unit as a reader knows it (a kommungrupp: "Kommungrupp <name>"); NaN for an unknown code.
    In plain Python: a trend asks for a few dozen names, and pandas' map cost more than the rest of it."""
    names = geo.area_names()
    return pd.Series([f"Kommungrupp {geo.KOMMUNGRUPPER.get(k, '')}" if n == "kommungrupp" else names.get(k, np.nan)
                      for k, n in zip(lv.kod.tolist(), lv.niva.tolist(), strict=True)], index=lv.index)


def wanted_units(kommun=None, lan=None, riket: bool = True) -> tuple[list[str], list[str]]:
    """Kommun codes and region codes to show: a kommun brings its own län when none is given."""
    kommuner = [] if kommun is None else [geo.normalise_kommun(k) for k in
                                          ([kommun] if isinstance(kommun, str | int) else kommun)]
    if lan is None:
        ref = geo.kommuner().set_index("kommun_kod")
        regions = sorted({ref.at[k, "region_kod"] for k in kommuner})
    else:
        regions = [geo.region_kod(x) for x in ([lan] if isinstance(lan, str | int) else lan)]
    return kommuner, regions + ([geo.RIKET] if riket else [])


def _by_unit(lv: pd.DataFrame, kon: str) -> tuple[pd.DataFrame, dict]:
    """An indicator's levels of one kön, and the row positions of each unit code in them (a trend takes
    the few units it shows instead of merging with every kommun)."""
    lv = lv[lv.kon == kon].reset_index(drop=True)
    return lv, {k: np.asarray(v) for k, v in lv.groupby("kod", sort=False).indices.items()}


def trend(ds: Dataset, kpi: str, kommun=None, lan=None, riket: bool = True, kon: str = "T",
          medel: str = "publicerat", kommungrupp: bool = False) -> pd.DataFrame:
    """An indicator over all its years for kommun(er), their län and riket (the trend figure).

    Columns: kpi, indikator, typ, riktning, enhet, nivå (kommun/län/riket/kommungrupp), kod,
    namn, år, värde, värde_text, status, avser, jämförbar (year on the comparable side of a
    definition break), serie (1 before a break, 2 from it; 1 without a break), brott_år (the
    break year, or None). Every year of the indicator appears for every unit, missing values
    included, so a figure can leave gaps. For Ja/Nej and scales the län/riket value is the
    share (%) of kommuner at the top level (``avser`` says which level).
    """
    ind = ds.cat[kpi]
    kommuner, regions = wanted_units(kommun, lan, riket)
    if kommungrupp and not kommuner:
        raise OjError("Kommungruppens trend visas bara tillsammans med en kommun; ange kommun.")
    key = ("levels_by_unit", memo.fingerprint(ds), ind.kpi, kon, medel, kommungrupp)
    lv, rows_of = memo.memo(key, lambda: _by_unit(levels(ds, [ind], kon, medel, kommungrupp), kon))  # once per batch
    groups = []
    if kommungrupp:
        ref = geo.kommuner().set_index("kommun_kod")
        groups = sorted({ref.at[k, "kommungrupp_kod"] for k in kommuner})
    order = kommuner + groups + regions
    nivaer = ["kommun"] * len(kommuner) + ["kommungrupp"] * len(groups) + ["riket" if r == geo.RIKET else "lan"
                                                                          for r in regions]
    years = list(ind.ar)  # every unit × every year, unit by unit (a cross merge of two frames cost more)
    grid = pd.DataFrame({"kod": [k for k in order for _ in years], "niva": [n for n in nivaer for _ in years],
                         "ar": years * len(order)})
    wanted = [rows_of[k] for k in dict.fromkeys(order) if k in rows_of]
    lv = grid.merge(lv.take(np.concatenate(wanted)) if wanted else lv.iloc[:0], on=["kod", "niva", "ar"], how="left")
    brott = ind.jamforbar_fran if ind.jamforbar_fran and ind.jamforbar_fran > ind.ar_fran else None
    out = pd.DataFrame({
        "kpi": ind.kpi, "indikator": ind.namn, "typ": ind.typ, "riktning": ind.riktning, "enhet": ind.enhet,
        "nivå": lv.niva.map(NIVA_NAMN), "kod": lv.kod, "namn": unit_names(lv), "år": lv.ar.astype(int),
        "värde": lv.varde,
        "värde_text": _texts(lv, ind),
        "status": lv.status.where(lv.varde.notna() | lv.status.notna(), "saknas"),
        "avser": lv.avser.where(lv.niva != "kommun", None),
        "jämförbar": lv.ar >= ind.jamforbara_ar[0],
        "serie": np.where(lv.ar >= (brott or 0), 2, 1) if brott else 1,
        "brott_år": brott,
    })
    out.loc[out["värde"].notna(), "status"] = None
    return selection.attrs(out, ds, kpi=kpi, kon=kon, medel=medel)
