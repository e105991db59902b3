"""Units (enheter) beside their kommun, länet and riket: how many units each kommun has and how
far apart their results lie, and each unit's value or why it has none.

The unit rows come from ``ojlib.data.enheter`` (a polars frame); the kommun, län and riket values
from the län table (``ranking.lan_table``), so a unit is always shown against the same year and
the same comparison values as its kommun in the rest of the report.
"""

from __future__ import annotations

import pandas as pd
import polars as pl

from ojlib.data import enheter

# why a unit has no value (Kolada's status, as ``kolada.normalise`` maps it); other texts are shown as they are
UNIT_STATUS_TEXT = {
    "sekretess": "För få svar för att redovisas (sekretess)",
    "bortfall": "Enheten deltog inte (bortfall)",
    "ej_tillampligt": "Ej tillämpligt",
    "saknas": "Värde saknas i källan",
}
SPREAD_COLUMNS = ["kommunkod", "kommun", "enheter", "med_värde", "min", "q1", "median", "q3", "max"]


def reason(status) -> str | None:
    """The Swedish reason for a missing unit value (Kolada's own status text when it is not known)."""
    if status is None or (isinstance(status, float) and status != status):
        return None
    return UNIT_STATUS_TEXT.get(str(status), f"Koladas status: {status}")


def _frame(units) -> pl.DataFrame:
    return units if isinstance(units, pl.DataFrame) else pl.from_pandas(units)


def spread(units, table: pd.DataFrame, kpi: str, kon: str = "T") -> pd.DataFrame:
    """Per kommun of ``table`` (a län table): the number of units with a row for ``kpi`` in the
    table's year, how many of them have a value, and the spread of those values (min, quartiles
    with linear interpolation, median, max). Kommuner without units are kept with 0."""
    rows = table[table.kpi == kpi]
    if rows.empty:
        return pd.DataFrame(columns=SPREAD_COLUMNS)
    year = int(rows["år"].iloc[0])
    u = (_frame(units).lazy()
         .filter((pl.col("kpi") == kpi) & (pl.col("ar") == year) & (pl.col("kon") == kon))
         .group_by("kod")
         .agg(pl.len().alias("enheter"), pl.col("varde").count().alias("med_värde"),
              pl.col("varde").min().alias("min"),
              pl.col("varde").quantile(0.25, interpolation="linear").alias("q1"),
              pl.col("varde").median().alias("median"),
              pl.col("varde").quantile(0.75, interpolation="linear").alias("q3"),
              pl.col("varde").max().alias("max"))
         .collect().to_pandas().set_index("kod"))
    out = rows[["kommunkod", "kommun"]].drop_duplicates("kommunkod").reset_index(drop=True)
    out = out.join(u, on="kommunkod")
    out[["enheter", "med_värde"]] = out[["enheter", "med_värde"]].fillna(0).astype(int)
    return out[SPREAD_COLUMNS]


def unit_values(units, table: pd.DataFrame, kpis: list[str], kon: str = "T") -> pd.DataFrame:
    """One row per unit and KPI of ``kpis`` in the table's year for that KPI: kommun, unit (id, title,
    type), value, why it is missing, and the kommun's, länet's and riket's values beside it."""
    rows = table[table.kpi.isin(kpis)].drop_duplicates(["kpi", "kommunkod"])
    if rows.empty:
        return pd.DataFrame(columns=["kpi", "indikator", "år", "kommunkod", "kommun", "ou", "enhet", "typ",
                                     "värde", "saknas_orsak", "kommunens_värde", "länet", "riket"])
    years = rows.drop_duplicates("kpi").set_index("kpi")["år"].astype(int).to_dict()
    u = (_frame(units).lazy()
         .filter(pl.col("kon") == kon)
         .filter(pl.any_horizontal([(pl.col("kpi") == k) & (pl.col("ar") == y) for k, y in years.items()]))
         .select("kpi", "ou", "kod", "titel", "typ", "varde", "status")
         .collect().to_pandas())
    u = u[u.kod.isin(set(rows.kommunkod))]
    ctx = rows[["kpi", "indikator", "år", "kommunkod", "kommun", "värde", "länet", "riket"]].rename(
        columns={"värde": "kommunens_värde"})
    out = u.merge(ctx, left_on=["kpi", "kod"], right_on=["kpi", "kommunkod"], how="left")
    out = out.rename(columns={"titel": "enhet", "varde": "värde"})
    out["typ"] = out.typ.map(enheter.type_name)
    out["saknas_orsak"] = [None if v == v else reason(s) for v, s in zip(out["värde"], out.status, strict=True)]
    out = out.sort_values(["kommun", "enhet", "kpi"], kind="mergesort").reset_index(drop=True)
    return out[["kpi", "indikator", "år", "kommunkod", "kommun", "ou", "enhet", "typ", "värde", "saknas_orsak",
                "kommunens_värde", "länet", "riket"]]


def unit_kpis(table: pd.DataFrame, catalogue, units) -> list[str]:
    """The table's KPIs that have unit rows in their year, in the table's order."""
    u = _frame(units)
    if u.is_empty():
        return []
    have = set(u.select("kpi", "ar").unique().iter_rows())
    heads = table.drop_duplicates("kpi")
    return [k for k, y in zip(heads.kpi, heads["år"], strict=True)
            if k in catalogue and catalogue[k].enheter and (k, int(y)) in have]


def counts(units, table: pd.DataFrame, kpis: list[str]) -> pd.DataFrame:
    """Per kommun of the table: the number of units of each type with a row for one of ``kpis`` in
    that KPI's year (columns: kommunkod, kommun, then one per unit type named by ``enheter.type_name``)."""
    rows = table[table.kpi.isin(kpis)].drop_duplicates("kpi")
    years = dict(zip(rows.kpi, rows["år"].astype(int), strict=True))
    out = table[["kommunkod", "kommun"]].drop_duplicates("kommunkod").reset_index(drop=True)
    if not years:
        return out
    u = (_frame(units).lazy()
         .filter(pl.any_horizontal([(pl.col("kpi") == k) & (pl.col("ar") == y) for k, y in years.items()]))
         .group_by("kod", "typ").agg(pl.col("ou").n_unique().alias("n"))
         .collect().to_pandas())
    if u.empty:
        return out
    wide = u.pivot(index="kod", columns="typ", values="n")
    wide.columns = [enheter.type_name(t) for t in wide.columns]
    out = out.join(wide, on="kommunkod")
    out[list(wide.columns)] = out[list(wide.columns)].fillna(0).astype(int)
    return out
