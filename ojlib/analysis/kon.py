"""Kvinnor against män for the indicators the source divides by sex."""

from __future__ import annotations

import pandas as pd

from ojlib.analysis import selection
from ojlib.analysis.levels import levels, wanted_units
from ojlib.analysis.selection import NIVA_NAMN
from ojlib.base.errors import OjError
from ojlib.data import geo
from ojlib.data.dataset import Dataset

COLUMNS = ["kpi", "indikator", "enhet", "år", "nivå", "kod", "namn", "kvinnor", "män", "totalt", "skillnad",
           "skillnad_avser", "avser"]


def sex_differences(ds: Dataset, lan=None, kommun=None, omrade=None, ar=None,
                    medel: str = "publicerat") -> pd.DataFrame:
    """Kvinnor against män for indicators the source divides by sex.

    Units as in :func:`trend_table`. Columns: kpi, indikator, enhet, år, nivå, kod, namn,
    kvinnor, män, totalt, skillnad (kvinnor − män, in the indicator's unit: procentenheter for
    percentages), skillnad_avser, and avser for län/riket values.
    """
    inds = [i for i in selection.indicators(ds, omrade, None) if i.kon]
    if not inds:
        raise OjError("Inga indikatorer i området redovisas uppdelat på kön.")
    kom_rows = selection.kommun_rows(ds, [i.kpi for i in inds], ["K", "M"])
    if not kom_rows.varde.notna().any():  # the source has none of them by sex (e.g. an imported workbook)
        empty = pd.DataFrame(columns=COLUMNS)
        return selection.attrs(empty, ds, omrade=omrade, ar=ar, medel=medel, lan=lan, kommun=kommun)
    years = selection.years(ds, inds, kom_rows, omrade, ar, exakt_ar=False)
    inds = [i for i in inds if i.kpi in years.index]
    if lan is not None and kommun is None:
        kommuner, (_, regions) = geo.kommuner_i_lan(lan), wanted_units(None, lan)
    else:
        kommuner, regions = wanted_units(kommun, lan)
    lv = levels(ds, inds, ["T", "K", "M"], medel)
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
    return selection.attrs(out, ds, omrade=omrade, ar=ar, medel=medel, lan=lan, kommun=kommun)
