"""Benchmark: utforska.html, the site's dashboard – the data per område and the time of a menu change.

The example data (all 290 kommuner, 2018–2025) is built in a temporary project home. For each
område the data file the site writes is measured (bytes; the aim is ≤ 2 MB) against a baseline in
the same run: the same facts as plain JSON records, one per kommun × indikator × year with the
columns of the coloured national table (what a page would load without the compact layout). Also
the seconds to compute it (once per site build; an unchanged file is kept).

Then the page is opened in headless Chromium from a file URL with networking off, and a fixed walk
of menu changes (län, indikator, kommun, år, färger, område) is replayed three times; each change
is timed in the page (from the change to the three figures and the table drawn; the aim is
≤ 100 ms). Baseline in the same run: the same walk with every figure drawn from scratch
(``Plotly.newPlot``) instead of updated (``Plotly.react``). Wall-clock times on a shared machine
vary with its load (printed); the fastest pass is the closest to a quiet machine.

    .venv/bin/python benchmarks/utforska.py
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WALK = [("v-lan", "14"), ("v-indikator", "U35538"), ("v-kommun", "1480"), ("v-ar", "2021"), ("v-lan", "01"),
        ("v-palett", "fargblind"), ("v-indikator", "U35519"), ("v-omrade", "barn_och_unga"), ("v-lan", "25"),
        ("v-kommun", "2580"), ("v-omrade", "missbruk"), ("v-palett", "standard"), ("v-lan", "06"),
        ("v-kommun", "0680")]
START = "#omrade=missbruk&lan=06&kommun=0680&kpi=U35544"


def _home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="ojlib-bench-utforska-"))
    (home / "data" / "processed").mkdir(parents=True)
    shutil.copytree(ROOT / "params", home / "params")
    os.environ["OJLIB_HOME"] = str(home)
    return home


def _baseline_bytes(ds, omrade: str) -> int:
    """The same facts as plain JSON records: every kommun × indikator × year with the table's columns."""
    from ojlib.analysis import colours

    cols = ["kpi", "år", "kommunkod", "värde", "värde_text", "färgkod", "färgklass", "färg", "rang_i_länet",
            "länet", "länet_text", "länet_avser", "riket", "riket_text", "riket_avser", "kommungrupp",
            "kommungrupp_text", "kommungrupp_avser", "färgregel"]
    total = 0
    have = ds.df[(ds.df.niva == "kommun") & ds.df.varde.notna()]
    for year in sorted(int(y) for y in have.ar.unique()):
        try:
            table = colours.coloured_kommun_table(ds, omrade, year, exakt_ar=True)
        except Exception:  # noqa: BLE001 - a year without values in this område
            continue
        total += len(table[cols].to_json(orient="records", force_ascii=False).encode())
    return total


def _thread_time(browser) -> float:
    """CPU seconds of the page's main thread so far (DevTools Performance metrics)."""
    metrics = browser.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "ThreadTime")


def _walk(browser, naive: bool) -> tuple[list[float], list[float]]:
    """(wall ms in the page, main-thread CPU ms) per change of the walk."""
    browser.evaluate(f"ojlibUtforska.nyRitning = {json.dumps(naive)}")
    times, cpu = [], []
    for select, value in WALK:
        n = browser.evaluate("ojlibUtforska.ritningar")
        before = _thread_time(browser)
        browser.evaluate(f"(() => {{ const s = document.getElementById({json.dumps(select)}); "
                         f"s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change')); }})()")
        if not browser.wait_for(f"ojlibUtforska.ritningar > {n}", timeout=60, interval=0.02):
            raise SystemExit(f"no redraw after {select}={value}")
        cpu.append(1000 * (_thread_time(browser) - before))
        times.append(browser.evaluate("ojlibUtforska.senasteMs"))
    return times, cpu


def main() -> None:
    home = _home()
    from ojlib.data import catalog, shared
    from ojlib.data.sources import example
    from ojlib.render import dashboard, html_export
    from ojlib.render.pdf import Browser

    example.build(catalog.load_catalogue(home / "params" / "indikatorer.yml"))
    ds = shared.dataset("exempeldata")
    site = home / "site"
    site.mkdir()
    omraden = list(catalog.OMRADEN)
    metas = [(f"lansanalys-06-{o}.html", {"typ": "lansanalys", "lan": "06", "omrade": [o],
                                          "datakalla": "exempeldata"}) for o in omraden]
    start = time.perf_counter()
    files = dashboard.site_files(site, metas, {}, {}, "bench")
    build = time.perf_counter() - start
    for name, text in files.write.items():
        (site / name).write_text(text, encoding="utf-8")
    import plotly

    shutil.copy(Path(plotly.__file__).parent / "package_data" / html_export.PLOTLY_JS, site / html_export.PLOTLY_JS)
    print(f"Data per område ({len(geo_kommuner())} kommuner, år {ds.years[0]}–{ds.years[-1]}); aim ≤ 2 MB:")
    for o in omraden:
        size = (site / dashboard.data_name(o)).stat().st_size
        base = _baseline_bytes(ds, o)
        print(f"  {o:22s} {size / 1e6:5.2f} MB   baseline (JSON records) {base / 1e6:6.2f} MB   "
              f"ratio {base / size:4.1f}x   {'met' if size <= 2_000_000 else 'NOT met'}")
    print(f"  utforska.html {(site / dashboard.PAGE).stat().st_size / 1e6:.2f} MB (kommuner, län, boundaries, script)")
    print(f"Computing the data of {len(omraden)} områden: {build:.1f} s (once per site build; kept when unchanged)")
    start = time.perf_counter()
    again = dashboard.site_files(site, metas, {}, {}, "bench2")
    print(f"  again with unchanged inputs: {time.perf_counter() - start:.2f} s, kept {len(again.keep)} data files")

    with Browser(window=(1400, 900), watch_network=True) as browser:
        browser.open((site / dashboard.PAGE).resolve().as_uri() + START, figures=False)
        if not browser.wait_for("window.ojlibUtforska && ojlibUtforska.klar", timeout=60):
            raise SystemExit("the dashboard did not draw")
        print(f"first draw on opening: {browser.evaluate('ojlibUtforska.senasteMs'):.0f} ms")
        browser.send("Performance.enable", timeDomain="threadTicks")
        ours, base = [], []
        for _ in range(3):
            ours.append(_walk(browser, False))
            base.append(_walk(browser, True))
        errors = browser.console_errors()
    load = os.getloadavg()[0]
    print(f"{len(WALK)} menu changes, three passes each (machine load {load:.1f} on {os.cpu_count()} cores); "
          "per change: wall ms in the page from the change to the figures and the table drawn, and the CPU ms "
          "of the page's main thread (which a busy machine inflates less):")
    med = {}
    for name, runs in (("ojlib (Plotly.react)", ours), ("baseline (Plotly.newPlot)", base)):
        wall = [t for run in runs for t in run[0]]
        cpu = [t for run in runs for t in run[1]]
        med[name] = (statistics.median(wall), statistics.median(cpu))
        print(f"  {name:26s} wall median {med[name][0]:6.1f} worst {max(wall):6.1f}   "
              f"CPU median {med[name][1]:6.1f} worst {max(cpu):6.1f}")
    a, b = med["ojlib (Plotly.react)"], med["baseline (Plotly.newPlot)"]
    print(f"baseline / ojlib (median): wall {b[0] / a[0]:.1f}x, CPU {b[1] / a[1]:.1f}x")
    print(f"aim ≤ 100 ms per change (CPU median): {'met' if a[1] <= 100 else 'NOT met'}")
    print(f"console errors: {len(errors)}")
    shutil.rmtree(home, ignore_errors=True)


def geo_kommuner():
    from ojlib.data import geo

    return geo.kommuner()


if __name__ == "__main__":
    main()
