"""The facts of a länsrapport computed once (report.build) against the way the notebook computed them.

Baseline, named: what the lansanalys notebook's cells did before the report model, per län and
område: the coloured län table, ``summary.lan_summary`` (its own län table, trend table and
ranking), ``lansrapport.improvement_areas`` without a ranking (its own trend table and ranking),
the sammanfattande bild, the over-time frames and the kön differences. Against it:
``build.lansrapport``, which computes the trend table and the ranking once and hands them to the
summary and the förbättringsområden. Both run in one process on the same example data, after one
warm-up round (the national tables are computed once per process either way), alternating, and
the CPU seconds per report and their ratio are printed.

    .venv/bin/python benchmarks/report_build.py [--omrade missbruk] [--rundor 2]

Measured 2026-12-03 19:30 at fbffabc (load average 9–12, other sessions' tests running), one round:
  notebook cells (before) 0.838 CPU s per report, report.build (after) 0.701: 1.20× less CPU.
With benchmarks/batch.py --lan 01,05,06,10,14,20,25 --utan-nationell (same load): oj rapporter
  before the report model (0c1cc3d) 82.7 s wall / 30.1 CPU s (kernels 26.0), after (fbffabc)
  72.7 s / 28.5 CPU s (kernels 22.0; the main process now also writes the site's utforska page).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def old_way(ds, p) -> None:
    from ojlib.analysis import colours, kon, summary
    from ojlib.report import lansrapport

    tabeller = {o: colours.coloured_lan_table(ds, p.lan, o, p.ar, strategi=p.fargstrategi) for o in p.omraden}
    for o, tabell in tabeller.items():
        summary.lan_summary(ds, p.lan, o, p.ar)
        lansrapport.over_time_frames(ds, p.lan, tabell)
        lansrapport.kommun_summary(ds, tabell)
        lansrapport.improvement_areas(ds, tabell)
    kon.sex_differences(ds, lan=p.lan, omrade=list(p.omraden), ar=p.ar)


def new_way(ds, p) -> None:
    from ojlib.report import build

    build.lansrapport(p, ds, kinds=("saknas", "inledning", "sammanfattning", "oversikt", "kapitel",
                                    "sammanfattande_bild", "forbattringsomraden", "karta", "kon", "datatackning"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--omrade", default="missbruk")
    ap.add_argument("--rundor", type=int, default=2)
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ojlib-bench-build-"))
    shutil.copytree(ROOT / "params", home / "params")
    os.environ["OJLIB_HOME"] = str(home)
    subprocess.run([sys.executable, "-m", "ojlib", "exempeldata"], check=True, capture_output=True)
    sys.path.insert(0, str(ROOT))
    from ojlib.data import geo
    from ojlib.report import request

    requests = [request.load(request.parse({"lan": lan, "omrade": args.omrade})) for lan in geo.lan().lan_kod]
    ds = requests[0][1]
    print(f"{len(requests)} län × {args.omrade}, load average {os.getloadavg()[0]:.1f}")
    for p, _ in requests[:2]:  # warm-up: the national tables, once per process for both ways
        old_way(ds, p)
        new_way(ds, p)
    cpu = {"notebookens celler (före)": 0.0, "report.build (efter)": 0.0}
    for _ in range(args.rundor):
        for name, way in (("notebookens celler (före)", old_way), ("report.build (efter)", new_way)):
            t0 = time.process_time()
            for p, _ in requests:
                way(ds, p)
            cpu[name] += time.process_time() - t0
    n = len(requests) * args.rundor
    for name, c in cpu.items():
        print(f"{name:30}{c / n:8.3f} CPU s per rapport")
    before, after = cpu.values()
    print(f"före / efter: {before / after:.2f}×; load average now {os.getloadavg()[0]:.1f}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
