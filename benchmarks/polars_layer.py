"""Benchmark: the polars data layer against today's pandas path, in one run.

1. Opening one län's data with its units (Jönköpings län, funktionsnedsättning):
   pandas: ``load_dataset`` (read and validate the whole country) + ``Dataset.select`` + the unit
   file read with pandas and filtered on the län's kommuner;
   polars: ``dataset.load_selection`` (a lazy scan with the filters pushed into the Parquet reader,
   only the selected rows validated) + ``enheter.select`` (a lazy scan of the unit file).
2. The national table of one område (every kommun with län, riket and ranks):
   pandas: ``load_dataset`` + ``ranking.kommun_table`` with the group means, counts and ranks computed
   by pandas as before (the reference in tests/test_polars_national.py swapped in); polars:
   ``load_selection(omrade=…)`` + ``ranking.kommun_table`` as it is (polars group statistics).
3. The national levels of one område (every year: kommun, län, riket, kommungrupp; behind the trends):
   ``levels.levels`` with pandas' groupby against polars' (on the same loaded rows).

Both paths are checked to give equal frames before the times are printed (best of ``--upprepa``).
The data is the example data built in a temporary home; ``--enheter-skala`` multiplies its units
(real unit data is 10–100 times the kommun table; the example has about a third of it).

    .venv/bin/python benchmarks/polars_layer.py [--upprepa 5] [--enheter-skala 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tests"))

from test_polars_national import pandas_group_frame, pandas_group_stats  # noqa: E402

from ojlib.analysis import levels, ranking  # noqa: E402
from ojlib.base import memo  # noqa: E402
from ojlib.data import dataset, enheter, geo  # noqa: E402
from ojlib.data.catalog import load_catalogue  # noqa: E402
from ojlib.data.sources import example  # noqa: E402

LAN = "06"
OMRADE = "funktionsnedsattning"


def home() -> Path:
    """A temporary project home with the example data and its units."""
    h = Path(tempfile.mkdtemp(prefix="oj-polars-"))
    shutil.copytree(ROOT / "params", h / "params")
    (h / "data" / "raw").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "raw" / "referens", h / "data" / "raw" / "referens")
    os.environ["OJLIB_HOME"] = str(h)
    example.build(load_catalogue())
    return h


def scale_units(factor: int) -> int:
    """Each example unit copied ``factor`` times under new ids (values unchanged); rows afterwards."""
    if factor <= 1:
        return pl.read_parquet(enheter.path("exempeldata")).height
    u = pl.read_parquet(enheter.path("exempeldata"))
    copies = [u.with_columns((pl.col("ou") + pl.lit(f"{n:02d}")).alias("ou")) for n in range(factor)]
    big = pl.concat(copies)
    enheter.save(big, "exempeldata", {"markning": "Exempeldata – inte verkliga resultat", "skala": factor})
    return big.height


def pandas_lan():
    ds = dataset.load_dataset("exempeldata")
    rows = ds.select(lan=LAN, omrade=OMRADE)
    kpis = [i.kpi for i in ds.cat.for_omrade(OMRADE)]
    u = pd.read_parquet(enheter.path("exempeldata"))
    u = u[u.kod.isin(geo.kommuner_i_lan(LAN)) & u.kpi.isin(kpis)]
    return rows, u


def polars_lan():
    ds = dataset.load_selection("exempeldata", lan=LAN, omrade=OMRADE)
    u = enheter.select("exempeldata", lan=LAN, omrade=OMRADE, catalogue=ds.cat)
    return ds.df, u


class pandas_groups:  # noqa: N801 - a context: the pandas group statistics swapped in, as before polars
    def __enter__(self):
        self.saved = ranking.group_stats, levels.group_frame
        ranking.group_stats, levels.group_frame = pandas_group_stats, pandas_group_frame
        memo.clear()

    def __exit__(self, *exc):
        ranking.group_stats, levels.group_frame = self.saved
        memo.clear()


def pandas_national():
    with pandas_groups():
        return ranking.kommun_table(dataset.load_dataset("exempeldata"), OMRADE, _shared=False)


def polars_national():
    memo.clear()
    return ranking.kommun_table(dataset.load_selection("exempeldata", omrade=OMRADE), OMRADE, _shared=False)


def national_levels(ds):
    memo.clear()
    return levels.levels(ds, ds.cat.for_omrade(OMRADE), kommungrupp=True)


def pandas_levels(ds):
    with pandas_groups():
        return levels.levels(ds, ds.cat.for_omrade(OMRADE), kommungrupp=True)


def best(fn, n: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upprepa", type=int, default=5)
    ap.add_argument("--enheter-skala", type=int, default=10)
    args = ap.parse_args(argv)
    h = home()
    try:
        n_units = scale_units(args.enheter_skala)
        n_rows = pl.scan_parquet(dataset.dataset_path("exempeldata")).select(pl.len()).collect().item()
        load_catalogue()  # read once, outside the timings
        print(f"Exempeldata: {n_rows} rader i kommuntabellen, {n_units} enhetsrader "
              f"(enheterna ×{args.enheter_skala}); bästa av {args.upprepa} körningar.")

        t_pd, (rows_pd, units_pd) = best(pandas_lan, args.upprepa)
        t_pl, (rows_pl, units_pl) = best(polars_lan, args.upprepa)
        pd.testing.assert_frame_equal(rows_pl, rows_pd)
        key = ["kpi", "ou", "ar", "kon"]
        a = units_pl.sort(key).to_pandas()
        b = units_pd.sort_values(key).reset_index(drop=True)[a.columns]
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
        print(f"Öppna län {LAN} ({OMRADE}) med enheter: pandas {t_pd * 1000:.0f} ms, polars {t_pl * 1000:.0f} ms, "
              f"{t_pd / t_pl:.1f}× ({len(rows_pl)} rader, {len(units_pl)} enhetsrader; lika)")

        t_pd, table_pd = best(pandas_national, args.upprepa)
        t_pl, table_pl = best(polars_national, args.upprepa)
        pd.testing.assert_frame_equal(table_pl, table_pd)
        assert table_pl.attrs == table_pd.attrs
        print(f"Nationell tabell ({OMRADE}, {len(table_pl)} rader): pandas {t_pd * 1000:.0f} ms, "
              f"polars {t_pl * 1000:.0f} ms, {t_pd / t_pl:.1f}× (lika)")

        ds = dataset.load_selection("exempeldata", omrade=OMRADE)
        t_pd, lv_pd = best(lambda: pandas_levels(ds), args.upprepa)
        t_pl, lv_pl = best(lambda: national_levels(ds), args.upprepa)
        pd.testing.assert_frame_equal(lv_pl, lv_pd)
        print(f"Nationella nivåer ({OMRADE}, alla år, {len(lv_pl)} rader): pandas {t_pd * 1000:.0f} ms, "
              f"polars {t_pl * 1000:.0f} ms, {t_pd / t_pl:.1f}× (lika)")
        print(f"Belastning (load average 1/5/15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(h, ignore_errors=True)


if __name__ == "__main__":
    main()
