"""The national tables and levels computed with polars (``aggregate.group_stats``/``group_frame``) equal
the pandas computation they replaced: the pandas code is kept here as the reference, swapped in, and
every column of the national table, the levels behind the trends and the delregion means compared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ojlib.analysis import aggregate, delregion, levels, ranking
from ojlib.base import memo
from ojlib.data import shared
from ojlib.report import build, request


def pandas_group_stats(values, groups, score=None):
    """The pandas path as it was: ``groupby(gid).mean().round(2)``, ``count()``, ``rank(method="min")``."""
    out = {}
    for name, gid in groups.items():
        g = pd.Series(values).groupby(gid)
        mean, count = g.mean().round(2).to_numpy(), g.count().to_numpy()
        rank = (pd.Series(score).groupby(gid).rank(method="min", ascending=False).astype("Int64")
                if score is not None else None)
        out[name] = (mean[gid], count[gid].astype("int64"), rank)
    return out


def pandas_group_frame(frame, keys, column="_in"):
    agg = frame.groupby(keys, observed=True, sort=False).agg(_medel=(column, "mean"), _n=(column, "count"))
    agg["_medel"] = agg["_medel"].round(2)
    return agg.reset_index()


def _pandas_path(monkeypatch):
    memo.clear()
    monkeypatch.setattr(ranking, "group_stats", pandas_group_stats)
    monkeypatch.setattr(levels, "group_frame", pandas_group_frame)
    monkeypatch.setattr(delregion, "group_frame", pandas_group_frame)


@pytest.mark.parametrize("omrade", ["missbruk", "barn_och_unga", "funktionsnedsattning"])
@pytest.mark.parametrize("options", [{}, {"kon": "K", "medel": "ovagt"}, {"ar": 2022}])
def test_national_table_equals_the_pandas_path(example_ds, monkeypatch, omrade, options):
    memo.clear()
    new = ranking.kommun_table(example_ds, omrade, _shared=False, **options)
    with monkeypatch.context() as mp:
        _pandas_path(mp)
        old = ranking.kommun_table(example_ds, omrade, _shared=False, **options)
    pd.testing.assert_frame_equal(new, old)
    assert new.attrs == old.attrs
    assert new["rang_i_länet"].notna().sum() > 100 and new["länet"].notna().sum() > 1000  # not empty


def test_levels_and_delregion_means_equal_the_pandas_path(example_ds, monkeypatch):
    inds = example_ds.cat.for_omrade("funktionsnedsattning")
    new = levels.levels(example_ds, inds, kommungrupp=True)
    table = ranking.lan_table(example_ds, "14", "funktionsnedsattning")
    new_means = delregion.means(table, "14", example_ds.cat)
    with monkeypatch.context() as mp:
        _pandas_path(mp)
        old = levels.levels(example_ds, inds, kommungrupp=True)
        old_means = delregion.means(table, "14", example_ds.cat)
    pd.testing.assert_frame_equal(new, old)
    pd.testing.assert_frame_equal(new_means, old_means)
    assert set(new.niva) == {"kommun", "lan", "riket", "kommungrupp"}


def test_group_stats_skip_missing_values_and_share_tied_places():
    values = np.array([10.0, np.nan, 30.0, 30.0, 5.0, np.nan])
    gid = np.array([0, 0, 0, 0, 1, 1])
    (mean, count, rank), = aggregate.group_stats(values, {"g": gid}, score=values).values()
    assert mean.tolist() == [23.33] * 4 + [5.0] * 2 and count.tolist() == [3] * 4 + [1] * 2
    assert rank.tolist() == [3, pd.NA, 1, 1, 1, pd.NA]
    frame = pd.DataFrame({"k": ["b", "a", "b", None], "_in": [1.0, 2.0, np.nan, 4.0]})
    assert aggregate.group_frame(frame, ["k"]).to_dict("list") == {"k": ["b", "a"], "_medel": [1.0, 2.0], "_n": [1, 1]}


def test_a_lan_report_reads_only_its_omradens_rows_and_gets_the_same_table(example_ds):
    """request.load (a län report) loads its områden with polars (shared.dataset(…, omrade=…) → load_selection),
    once per process; the report's table on those rows equals the one on the whole dataset."""
    memo.clear()
    p, ds = request.notebook("lansanalys", lan="06", omrade="missbruk")
    kpis = {i.kpi for i in example_ds.cat.for_omrade("missbruk")}
    assert set(ds.df.kpi) <= kpis and len(ds.df) < len(example_ds.df) / 2
    expected = example_ds.select(omrade="missbruk")
    pd.testing.assert_frame_equal(ds.df, expected)
    _, again = request.notebook("lansanalys", lan="06", omrade="missbruk")
    assert memo.fingerprint(again) == memo.fingerprint(ds) and again.df is not ds.df  # cached, own view
    assert len(shared.dataset("exempeldata", omrade="alla").df) == len(example_ds.df)
    pd.testing.assert_frame_equal(build.facts(ds, "06", "missbruk", p.ar).tabell,
                                  build.facts(example_ds, "06", "missbruk", p.ar).tabell)
