"""Benchmark: kernel time of one explorer update (a menu change in 02_utforska), goal < 100 ms.

The example data (56 KPIs, 290 kommuner, 2018–2025) is built in memory. A fixed walk of menu
changes (län, indicator, kommun, område) is replayed:

* **ojlib** – ``Utforskare`` as the notebook uses it: the coloured national table and each
  trend are kept for the session (``ojlib.base.memo``), so a change filters and draws. Timed
  per change: ``update()`` (three figures, the table, the Output widget's new content) plus the
  JSON encoding of that content, which the kernel does when it sends the widget state. Shown
  for the first visit of each choice and for a second pass over the same walk (revisits).
* **baseline** – what the explorer did before: every change recomputes the coloured län table
  (``colours.coloured_lan_table``, i.e. the national table) and the trend with no session cache
  (``memo.clear()`` before each change), then draws the same figures.

Prints the median and worst time of each and the ratio baseline / ojlib (first visits).

    .venv/bin/python benchmarks/explore.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ojlib.analysis import colours, levels
from ojlib.base import memo
from ojlib.data.catalog import load_catalogue  # noqa: E402
from ojlib.data.dataset import Dataset, validate  # noqa: E402
from ojlib.data.sources import example  # noqa: E402
from ojlib.render import figures  # noqa: E402
from ojlib.render.explore import Utforskare, figure_bundle  # noqa: E402

WALK = [("lan", "08"), ("indikator", "U35519"), ("kommun", "0880"), ("lan", "14"), ("indikator", "U35544"),
        ("kommun", "1480"), ("omrade", "barn_och_unga"), ("lan", "01"), ("kommun", "0180"),
        ("indikator", "U33575"), ("lan", "25"), ("omrade", "missbruk"), ("lan", "06"), ("kommun", "0680")]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _walk(u: Utforskare) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for menu, value in WALK:
        start, start_cpu = time.perf_counter(), time.process_time()
        getattr(u, menu).value = value  # the observer runs update(), as a menu change does
        json.dumps(u.output.outputs)  # what the kernel encodes to send the new state
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def _baseline(ds: Dataset) -> tuple[list[float], list[float]]:
    """The same walk, drawn the old way: every change recomputes the tables it needs."""
    wall, cpu, choices = [], [], []
    v = Utforskare(ds, lan="06", omrade="missbruk", kpi="U35538", kommun="0680")
    for menu, value in WALK:
        v._updating = True  # only move the menus; the baseline draws below
        getattr(v, menu).value = value
        if menu == "omrade":
            v._fill_indicators()
        if menu == "lan":
            v._fill_kommuner()
        v._updating = False
        choices.append((v.lan.value, v.omrade.value, v.indikator.value, v.kommun.value or None))
    for lan, omrade, kpi, kommun in choices:
        memo.clear()  # no session caches: the old explorer recomputed on every change
        start, start_cpu = time.perf_counter(), time.process_time()
        table = colours.coloured_lan_table(ds, lan, omrade)
        rows = table[table.kpi == kpi]
        trend = levels.trend(ds, kpi, kommun=kommun, lan=lan, kommungrupp=kommun is not None)
        figs = [figures.ranked_bars(rows, kpi=kpi, markera=kommun), figures.trend(trend),
                figures.choropleth(rows, kpi=kpi)]
        json.dumps([figure_bundle(f) for f in figs])
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    cat = load_catalogue()
    ds = Dataset(df=validate(example.generate(cat)), kalla="exempeldata", catalogue=cat)
    memo.clear()
    u = Utforskare(ds, lan="06", omrade="missbruk", kpi="U35538", kommun="0680")
    start = time.perf_counter()
    u.update()
    print(f"first draw (national table and län map built): {_ms(time.perf_counter() - start)}")
    first = _walk(u)
    again = _walk(u)
    base = _baseline(ds)
    print(f"{len(WALK)} menu changes (län, indikator, kommun, område), time per change "
          "(wall clock; CPU time of this process, which a busy machine inflates less):")
    for name, (wall, cpu) in (("ojlib, first visit", first), ("ojlib, revisit", again),
                              ("baseline (recompute)", base)):
        print(f"  {name:22s} wall median {_ms(statistics.median(wall))} worst {_ms(max(wall))}"
              f"   CPU median {_ms(statistics.median(cpu))} worst {_ms(max(cpu))}")
    ratio = statistics.median(base[1]) / statistics.median(first[1])
    print(f"baseline / ojlib (CPU median, first visits): {ratio:.1f}x")
    goal = statistics.median(first[1]) < 0.100
    print(f"goal < 100 ms per change (CPU median, first visit): {'met' if goal else 'NOT met'}")


if __name__ == "__main__":
    main()
