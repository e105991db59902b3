"""Data coverage: how many kommuner have a value per indicator, and why the others do not."""

from __future__ import annotations

import pandas as pd

from ojlib.analysis.ranking import kommun_table, lan_table
from ojlib.data.dataset import Dataset

REASONS = {"bortfall": "bortfall", "sekretess": "sekretess", "ej_tillampligt": "ej_tillämpligt", "saknas": "saknas"}


def coverage(ds: Dataset, lan=None, omrade=None, ar=None, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many kommuner have a value per indicator, and why the others do not.

    One row per indicator: kpi, indikator, år, antal_kommuner, med_värde, andel_med_värde (%),
    one column per reason (bortfall, sekretess, ej_tillämpligt, saknas) and utan_värde (the
    kommuner without a value, with the reason). ``lan=None`` covers all of Sweden. Pass an
    already computed kommun/län ``table`` to reuse it. For readers: ``tables.coverage_table``.
    """
    if table is None:

        table = lan_table(ds, lan, omrade, ar) if lan is not None else kommun_table(ds, omrade, ar)
    t = table
    status = t.status.where(t.status.isin(list(REASONS)) | t.status.isna(), "saknas")
    base = t.assign(_status=status, _har=t["värde"].notna())
    keys = ["kpi", "indikator", "år"]
    out = base.groupby(keys, sort=False).agg(antal_kommuner=("kommunkod", "size"), med_värde=("_har", "sum"))
    for code, col in REASONS.items():
        out[col] = base.assign(_x=base._status == code).groupby(keys, sort=False)._x.sum()
    out["andel_med_värde"] = (100.0 * out.med_värde / out.antal_kommuner).round(1)
    missing = base[~base._har]
    text = missing.assign(_t=missing.kommun + " (" + missing._status.map(REASONS).str.replace("_", " ") + ")")
    out["utan_värde"] = text.groupby(keys, sort=False)._t.agg(", ".join)
    out["utan_värde"] = out["utan_värde"].fillna("")
    out = out.reset_index()
    cols = keys + ["antal_kommuner", "med_värde", "andel_med_värde", *REASONS.values(), "utan_värde"]
    out = out[cols]
    for c in ["antal_kommuner", "med_värde", *REASONS.values()]:
        out[c] = out[c].astype(int)
    out.attrs = dict(t.attrs)
    return out
