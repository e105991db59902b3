"""`oj rapporter`'s own process (everything but the kernels): this checkout against a baseline commit, in one run.

What the batch costs outside its kernels: CPU seconds of the main process (planning, fingerprints, the
kernels' messages, the HTML export, the dashboard data, the index, the swap), per page, and the stages
after the reports that keep a core idle (navigering, utforska, index, byte), plus the wall time.

Baseline, named: ``--baseline REV`` (default 19c828e, the last quiet measurement in benchmarks/batch.py),
its ``ojlib`` and ``notebooks`` taken with ``git archive`` into a temporary folder and run by the same
Python (``PYTHONPATH``; the kernels inherit it, so they run the baseline's code and templates), each
side in its own temporary project home with the example data its own `oj exempeldata` makes (the
example data grew since 19c828e: more indicators, bigger pages; the kernels' side is not this
benchmark's subject). The sides alternate (baseline, this, baseline, this …) so a change in the
machine's load hits both. ``OJLIB_TIDER=1`` makes `oj rapporter` print its stages and CPU seconds.

Cases: ``lan`` (default): 21 län × missbruk; ``profiler``: the kommun profiles of --profil-lan (default
14, 49 pages) and that län's three reports; ``nationell``: the whole national site (353 pages, minutes
per side: run it rarely). Then for each side the same command again (0 pages built: planning and
fingerprints only).

``--samma-katalog``: this checkout runs on the (first) baseline's indicator catalogue (its
``params/indikatorer.yml``; a catalogue that still names the publisher ``kalla`` loads as ``utgivare``), and its
example data is made for that catalogue, so both sides build the same pages about the same indicators: the
code's cost for the same work, apart from what the code adds to every page (maps with labels, the dashboard and
the län pages' coloured development tables are there; bakgrundsmått and units need catalogue entries the old
catalogue lacks, so they are absent on this side too).

Usage: .venv/bin/python benchmarks/batch_main.py [--baseline REV[,REV]] [--fall lan,profiler] [--varv N]
                                                   [--samma-katalog]

Measured 2026-12-04 08:07-08:21 on the shared 2-core machine (load average 6-9: other sessions' tests; CPU
seconds are the comparable part), this checkout = main f67b6ca (figure compaction that builds each part's JSON
once, 8e29dc7; a batch kernel's displays sent as one message per cell, f67b6ca), baselines d2334a2 (this
session's start) and e903eb3 (main just before the bundling, with the compaction); pages byte for byte the same
as e903eb3's apart from the build id (län 03 with its 8 profiles, all områden, compared file by file):
  lan (21 län × missbruk, median of 2, baselines compiled first)   d2334a2   e903eb3   this   ÷ d2334a2  ÷ e903eb3
    main process CPU s                                                4.70      4.30   4.20    0.89×      0.98×
      per page                                                       0.224     0.205  0.200
    wall s                                                            38.3      33.4   33.9    0.88×      1.02×
    kernels CPU s                                                     21.7      22.4   22.6
  profiler (län 14: 49 profiles + 3 län reports, one round)        d2334a2   e903eb3   this
    main process CPU s                                                11.5      10.9    9.3    0.81×      0.85×
      per page                                                       0.221     0.210  0.179
    kernels CPU s                                                     63.7      67.0   65.2
    wall s                                                            81.9     107.1  101.6  (load 6 -> 9.6)
  The main process's fixed part (imports about 1 s, the dashboard data about 1.2 s an område, the index) is most
  of what is left in the lan case; per page, measured apart: the HTML export of 52 captured pages of län 14 41.3 ->
  28.9 ms a page (0.70×, the same bytes), the main thread handling a warm kommun profile's kernel messages 42 ->
  25 ms a page (0.59×, ~170 -> ~70 messages). Before this run the baselines' first round compiled their modules
  (a fresh git archive) inside the measured run: an earlier one-round lan run said d2334a2 7.4 s main CPU, 56.9 s
  wall, which was mostly that.

Measured 2026-12-04 08:21-08:38 at main ee52459 (the above plus other sessions' page changes), --fall nationell
--baseline d2334a2, one round, load average 3.6-9.2 (other sessions' tests; wall seconds move with it):
  nationell (353 pages)      d2334a2    this   this ÷ d2334a2
    wall s                     513.9   438.5   0.85×
    main process CPU s          43.4    34.8   0.80×   (per page 0.123 -> 0.099)
    kernels CPU s              401.2   394.9   0.98×   (per page 1.14 -> 1.12)
    page kB, mean                297     267   0.90×
    after the reports s          2.9     1.1   (navigering 1.5 -> 0.4)
    same command again s        2.69    1.19

Measured 2026-12-04 02:40-02:49 at e228c76 on a quiet machine (load average 0.1 at the start, nothing else
running), --fall nationell --samma-katalog (both sides on 19c828e's 80-indicator catalogue, one round):
  nationell (353 pages)      19c828e    this   this ÷ 19c828e
    wall s                     132.1   121.6   0.92×
    kernels CPU s              230.4   201.3   0.87×   (per page 0.65 -> 0.57)
    main process CPU s          23.8    28.3   1.19×   (per page 0.067 -> 0.080; the dashboard is new since 19c828e)
    CPU per page, both          0.72    0.65   0.90×
    page kB, mean                211     184   0.87×
    after the reports s          1.2     1.1   (3.6 s prepared during them)
    same command again s        0.68    1.23   (0 pages built either side)

Measured 2026-12-04 01:36-01:50 on the shared 2-core machine, one round per side, load average 3.5-5
(other sessions' tests; wall times and stage seconds move with it, CPU seconds less), at main 0b28412:
  21 län × missbruk          19c828e   f580aea   this   (this ÷ 19c828e, ÷ f580aea)
    wall s                     31.4      40.1    32.0   1.02×  0.80×
    main process CPU s          2.9       5.1     5.2   1.79×  1.02×   (per page 0.138 / 0.243 / 0.248)
    kernels CPU s              26.2      28.3    23.9   0.91×  0.84×
    after the reports s         2.0       5.5     0.9   0.45×  0.16×   (utforska 3.9 -> 0.3, index 1.4 -> 0.5)
    prepared during them s        -         -     4.9   (dataset, dashboard data, index map: side work)
    same command again s       1.06      1.65    1.72
  profiler (län 14: 49 profiles + 3 län reports, three områden' dashboard data)
    wall s                     54.0      69.6    49.5   0.92×  0.71×
    main process CPU s          5.5      11.8    12.3   2.24×  1.04×   (per page 0.106 / 0.227 / 0.237)
    kernels CPU s              44.8      77.4    65.2   1.46×  0.84×
    after the reports s         1.3       6.5     0.5   0.38×  0.08×
    page kB, mean               222       432     318
  Against 00f5cc3 (main with this session's three site commits reverted: same pages, same data):
    21 län: wall 26.7 -> 19.2 s (0.72×), main process CPU 6.5 -> 5.8 s (0.89×), kernels 27.7 -> 27.0 s, after
    the reports 2.6 -> 0.5 s (utforska 1.5 -> 0.2, index 1.1 -> 0.3), 2.6 s prepared during them.
    profiler: main process CPU 14.2 -> 13.4 s (0.94×); after the reports 9.7 -> 0.5 s (utforska 7.5 -> 0.1, index
    2.0 -> 0.3); same command again 2.3 -> 1.1 s (the load rose during this side's run: its wall and kernel
    seconds are not comparable).
  What the main process spends (thread CPU, 52 pages of län 14, OJLIB_TIDER run with accumulators): the
  kernels' messages 3.1-3.4 s (60-65 ms a profile page: ~150 messages each, jupyter_client/nbclient's own
  per-message cost; orjson for the messages was tried: 3.36 -> 3.12 s, not worth a dependency), the HTML
  export 1.8-2.0 s (35 ms a page; the figure compaction added this session is most of it), the dashboard
  data 4.5 s for three områden (colours.classify twice per year: the colour-blind palette's rule texts),
  imports and planning about 1.3 s. Versus 19c828e the main process does more per page because pages
  weigh 20-45 % more (the example data grew from 80 to 113 indicators) and are compacted, and it builds the
  dashboard (new since then); what it does after the reports, with a core idle, is now below 19c828e's.

Measured 2026-12-04 02:01-02:13, profiler case (52 pages of län 14), against 22849e2 (main before batch kernels
sent ojlib's figure template by name and the dashboard's colour-blind rule texts came from one classification;
pages and data files the same byte for byte): median of two rounds per side (load average 1.9-4.7), main
process CPU 11.35 -> 10.80 s (0.95×, 0.218 -> 0.208 s a page), the dashboard data and index map prepared
during the reports 7.7 -> 6.8 s, kernels 62.7 -> 62.6 s, wall 58.5 -> 57.0 s; a single round before it (load
3.2-4.1) said 11.0 -> 11.2 s and 7.5 -> 7.4 s: the gain (about 0,5 CPU-s a run) is of the order of this
machine's noise. Measured apart, in one process each: the dashboard data of three områden on the example data
3.47-3.52 -> 2.95-3.11 CPU-s (three runs per side, alternating), a profile page's decoding and export about
2 ms less (benchmarks/page_cost.py).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CASES = {
    "lan": lambda a: ["--lan", "alla", "--omrade", "missbruk"],
    "profiler": lambda a: ["--lan", a.profil_lan, "--omrade", "alla", "--kommun", f"lan:{a.profil_lan}"],
    "nationell": lambda a: ["--lan", "alla", "--omrade", "alla", "--kommun", "alla"],
}
TIMES = re.compile(r"Tider: (.*); CPU: huvudprocessen ([\d.]+) s, kärnorna ([\d.]+) s")
STAGE = re.compile(r"(\w+) ([\d.]+) s")
BUILT = re.compile(r"Klart: (\d+) sidor byggda")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def baseline_tree(rev: str, into: Path) -> Path:
    """The baseline's files (``git archive``), for PYTHONPATH."""
    archive = into / "base.tar"
    with open(archive, "wb") as fh:
        subprocess.run(["git", "archive", rev, "ojlib", "notebooks", "params", "data"], cwd=ROOT, stdout=fh, check=True)
    tree = into / "base"
    tree.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    # compiled now, not by the baseline's first measured run (this checkout's modules are compiled already)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "ojlib")], check=True)
    return tree


def side_env(name: str, code: Path | None, tmp: Path, catalogue: Path | None = None) -> dict:
    """A project home with its own example data, for one side (``catalogue``: another indicator catalogue)."""
    home = tmp / f"home-{name}"
    home.mkdir()
    shutil.copytree((code or ROOT) / "params", home / "params")
    if catalogue is not None:
        shutil.copyfile(catalogue, home / "params" / "indikatorer.yml")
    env = {**os.environ, "OJLIB_HOME": str(home), "OJLIB_TIDER": "1"}
    env.pop("PLOTLY_RENDERER", None)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    subprocess.run([sys.executable, "-m", "ojlib.cli", "exempeldata"], env=env, check=True, capture_output=True,
                   cwd=home)  # not this checkout: `python -m` puts the working directory first on the path
    return env


def run(env: dict, args: list[str], out: Path) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ojlib.cli", "rapporter", *args, "--ut", str(out)], env=env,
                          capture_output=True, text=True, cwd=env["OJLIB_HOME"])
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed: {args}\n{proc.stderr[-3000:]}")
    m = TIMES.search(proc.stderr)
    built = BUILT.search(proc.stdout)
    stages = {name: float(value) for name, value in STAGE.findall(m.group(1))} if m else {}
    return {"wall": wall, "main": float(m.group(2)) if m else float("nan"),
            "kernels": float(m.group(3)) if m else float("nan"), "pages": int(built.group(1)) if built else 0,
            "stages": stages, "bytes": sum(p.stat().st_size for p in out.glob("*.html"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="19c828e", help="one or more revisions, comma separated")
    ap.add_argument("--fall", default="lan", help="comma separated: lan, profiler, nationell")
    ap.add_argument("--varv", type=int, default=1, help="rounds per side (the sides alternate)")
    ap.add_argument("--profil-lan", default="14")
    ap.add_argument("--jobb", default=None)
    ap.add_argument("--samma-katalog", action="store_true",
                    help="this checkout on the (first) baseline's indicator catalogue: the same work on both sides")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ojlib-batch-main-"))
    try:
        envs, trees = {}, []
        for rev in args.baseline.split(","):
            folder = tmp / f"rev-{rev}"
            folder.mkdir()
            trees.append(baseline_tree(rev, folder))
            envs[rev] = side_env(rev, trees[-1], tmp)
        same = trees[0] / "params" / "indikatorer.yml" if args.samma_katalog else None
        envs["this"] = side_env("this", None, tmp, catalogue=same)
        print(f"baseline {args.baseline} vs this checkout"
              + (f" on {args.baseline.split(',')[0]}'s indicator catalogue" if same else "")
              + f"; {os.cpu_count()} cores, load average {load()}")
        jobb = ["--jobb", args.jobb] if args.jobb else []
        for case in args.fall.split(","):
            results: dict[str, list[dict]] = {k: [] for k in envs}
            again: dict[str, list[float]] = {k: [] for k in envs}
            for n in range(args.varv):
                for side, env in envs.items():
                    out = tmp / f"ut-{case}-{side}-{n}"
                    results[side].append(run(env, [*CASES[case](args), *jobb], out))
                    again[side].append(run(env, [*CASES[case](args), *jobb], out)["wall"])
                    shutil.rmtree(out)
            report(case, results, again)
            print(f"load average now {load()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def stage(name: str, r: dict) -> float:
    return r["stages"].get(name, 0.0)


def report(case: str, results: dict[str, list[dict]], again: dict[str, list[float]]) -> None:
    """A table: one column per side, this checkout last, then its ratio to each baseline."""
    def med(side: str, f) -> float:
        return statistics.median(f(r) for r in results[side])

    sides = list(results)
    after = ("navigering", "utforska", "index", "byte", "kopiera")
    rows = [
        ("pages", lambda r: r["pages"], "{:.0f}"),
        ("page kB, mean", lambda r: r["bytes"] / max(r["pages"], 1) / 1024, "{:.0f}"),
        ("wall s", lambda r: r["wall"], "{:.1f}"),
        ("main process CPU s", lambda r: r["main"], "{:.2f}"),
        ("  per page", lambda r: r["main"] / max(r["pages"], 1), "{:.3f}"),
        ("kernels CPU s", lambda r: r["kernels"], "{:.1f}"),
        ("  per page", lambda r: r["kernels"] / max(r["pages"], 1), "{:.2f}"),
        ("after the reports s", lambda r: sum(r["stages"].get(k, 0.0) for k in after), "{:.2f}"),
        *[(f"  {k} s", partial(stage, k), "{:.2f}") for k in ("navigering", "utforska", "index", "byte")],
        ("prepared during them s", lambda r: r["stages"].get("förbered", 0.0), "{:.2f}"),
        ("same command again, wall s", None, "{:.2f}"),
    ]
    head = "".join(f"{s:>11}" for s in sides) + "".join(f"{'÷ ' + s:>11}" for s in sides[:-1])
    print(f"\n{case + f' (median of {len(results[sides[0]])})':36}{head}")
    for label, f, fmt in rows:
        values = [statistics.median(again[s]) if f is None else med(s, f) for s in sides]
        ratios = "".join(f"{values[-1] / v:10.2f}×" if v else f"{'':11}" for v in values[:-1])
        print(f"{label:36}" + "".join(f"{fmt.format(v):>11}" for v in values) + ratios)


if __name__ == "__main__":
    main()
