"""Län and riket values computed from kommun values, labelled for what they are.

Ja/Nej: the share of kommuner answering Ja (status ``andel_ja``); every other type: the
unweighted mean of the kommuner with a value (status ``ovagt_medel``). ``antal`` is the number
of kommuner that contributed. Published (population-weighted) values from Kolada are not this.
"""

from __future__ import annotations

import pandas as pd

from ojlib import geo
from ojlib.catalog import Catalogue


def aggregate_kommuner(df: pd.DataFrame, catalogue: Catalogue, kalla: str) -> pd.DataFrame:
    """Tidy län (``niva='lan'``, region codes) and riket rows from the kommun rows of ``df``."""
    k = df[(df.niva == "kommun") & df.varde.notna()]
    k = k.merge(geo.kommuner()[["kommun_kod", "region_kod"]], left_on="kod", right_on="kommun_kod")
    jn = {i.kpi for i in catalogue if i.typ == "ja_nej"}
    k = k.assign(_v=k.varde.where(~k.kpi.isin(jn), (k.varde == 1).astype(float) * 100.0))
    out = []
    for niva, key in (("lan", "region_kod"), ("riket", None)):
        groups = ["kpi", "ar", "kon"] + ([key] if key else [])
        agg = k.groupby(groups, as_index=False).agg(varde=("_v", "mean"), antal=("_v", "size"))
        agg["kod"] = agg[key] if key else geo.RIKET
        agg["niva"] = niva
        out.append(agg)
    res = pd.concat(out, ignore_index=True)
    res["varde"] = res.varde.round(2)
    res["status"] = res.kpi.map(lambda x: "andel_ja" if x in jn else "ovagt_medel")
    res["kalla"] = kalla
    return res[["kpi", "kod", "niva", "ar", "kon", "varde", "status", "antal", "kalla"]]
