"""Batch reports: `oj rapporter` against the naive baseline, for all 21 län and one område.

Naive baseline, per län and in sequence: the `papermill` CLI, then `jupyter nbconvert --to html`,
both with PLOTLY_RENDERER=notebook so the figures survive the export (plotly 6+ otherwise stores
only JSON, which nbconvert drops). Prints wall time, total and per-report bytes for both, and
the ratios. Aim: at least 3x faster, and each report at most 1/8 of the naive report's size.

Runs against freshly built example data in a temporary project home (never the user's data).
Output in benchmarks/out/batch/. Usage: .venv/bin/python benchmarks/batch.py [--lan 06,07] [--jobb N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "benchmarks" / "out" / "batch"


def run(cmd: list[str], env: dict) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-3000:]}")


def sizes(files: list[Path]) -> tuple[int, float, int, int]:
    b = [f.stat().st_size for f in files]
    return sum(b), statistics.mean(b), min(b), max(b)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from ojlib import geo

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lan", default="alla", help="län codes (comma separated) or alla")
    ap.add_argument("--omrade", default="missbruk")
    ap.add_argument("--jobb", default=None, help="workers for oj rapporter (default: one per core)")
    ap.add_argument("--mall", default=str(ROOT / "notebooks" / "lansanalys.ipynb"))
    args = ap.parse_args()
    mall = Path(args.mall)
    if not mall.exists():
        mall = ROOT / "tests" / "fixtures" / "mini_lansanalys.ipynb"
        print(f"note: {args.mall} does not exist yet; using the fixture template {mall.name}")
    lans = list(geo.lan().lan_kod) if args.lan == "alla" else [geo.normalise_lan(x) for x in args.lan.split(",")]

    home = Path(tempfile.mkdtemp(prefix="ojlib-bench-home-"))
    shutil.copytree(ROOT / "params", home / "params")
    env = {**os.environ, "OJLIB_HOME": str(home)}
    env.pop("PLOTLY_RENDERER", None)
    run([str(BIN / "oj"), "exempeldata"], env)
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "naive").mkdir(parents=True)

    print(f"{len(lans)} län, område {args.omrade}, template {mall.relative_to(ROOT)}, {os.cpu_count()} cores")

    # --- oj rapporter
    cmd = [str(BIN / "oj"), "rapporter", "--lan", ",".join(lans), "--omrade", args.omrade, "--mall", str(mall),
           "--ut", str(OUT / "oj")]
    if args.jobb:
        cmd += ["--jobb", args.jobb]
    t0 = time.perf_counter()
    run(cmd, env)
    t_oj = time.perf_counter() - t0
    pages = sorted(p for p in (OUT / "oj").glob("*.html") if p.name != "index.html")
    shared = [OUT / "oj" / "plotly.min.js", OUT / "oj" / "index.html"]
    assert len(pages) == len(lans), pages

    # --- naive: papermill CLI, then nbconvert, per län, in sequence
    naive_env = {**env, "PLOTLY_RENDERER": "notebook"}
    t0 = time.perf_counter()
    for lk in lans:
        nb = OUT / "naive" / f"lansanalys-{lk}.ipynb"
        run([str(BIN / "papermill"), str(mall), str(nb), "-k", "ojlib", "-p", "lan", lk, "-p", "omrade", args.omrade,
             "--cwd", str(mall.parent), "--no-progress-bar", "--log-level", "WARNING"], naive_env)
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(nb), "--log-level", "WARN"], naive_env)
    t_naive = time.perf_counter() - t0
    naive = sorted((OUT / "naive").glob("*.html"))
    assert len(naive) == len(lans)
    plots_naive = sum(p.read_text(encoding="utf-8").count("Plotly.newPlot") for p in naive)
    plots_oj = sum(p.read_text(encoding="utf-8").count('class="ojfig"') for p in pages)

    tot_oj, mean_oj, min_oj, max_oj = sizes(pages)
    tot_sh = sum(f.stat().st_size for f in shared)
    tot_nv, mean_nv, min_nv, max_nv = sizes(naive)
    kb = 1024
    print()
    print(f"{'':28}{'oj rapporter':>16}{'naive':>16}")
    print(f"{'wall time (s)':28}{t_oj:16.1f}{t_naive:16.1f}")
    print(f"{'figures drawn in HTML':28}{plots_oj:16d}{plots_naive:16d}")
    print(f"{'report pages, total (kB)':28}{tot_oj / kb:16.0f}{tot_nv / kb:16.0f}")
    print(f"{'  + plotly.min.js, index':28}{tot_sh / kb:16.0f}{0:16.0f}")
    print(f"{'site total (kB)':28}{(tot_oj + tot_sh) / kb:16.0f}{tot_nv / kb:16.0f}")
    print(f"{'per report, mean (kB)':28}{mean_oj / kb:16.0f}{mean_nv / kb:16.0f}")
    print(f"{'per report, min–max (kB)':28}{f'{min_oj / kb:.0f}–{max_oj / kb:.0f}':>16}"
          f"{f'{min_nv / kb:.0f}–{max_nv / kb:.0f}':>16}")
    print()
    speed = t_naive / t_oj
    ratio = max_oj / min_nv
    print(f"speed-up: {speed:.1f}x (aim >= 3x)")
    print(f"largest report / smallest naive report: 1/{1 / ratio:.0f} (aim <= 1/8); "
          f"mean: 1/{mean_nv / mean_oj:.0f}; whole site / naive total: 1/{tot_nv / (tot_oj + tot_sh):.1f}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
