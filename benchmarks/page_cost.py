"""Kernel-side CPU seconds per report page: this checkout against a baseline commit, in one run.

What a batch kernel spends on one page once it is warm: the template's code cells run in one
IPython shell, as in a pooled kernel (``OJLIB_BATCH=1``, so figures are published as their plotly
JSON mime bundle; every display bundle is JSON-encoded as the kernel's session would), one
page after another, the first page not counted (it fills the per-process caches that a batch
shares). Kernel start, papermill and the HTML export are not in it (see benchmarks/batch.py).

Baseline, named: ``--baseline REV`` (default 8031c89, main before figures were built in one step),
its ``ojlib`` and ``notebooks`` taken with ``git archive`` into a temporary folder and run on the
same data (OJLIB_HOME is this checkout), same machine, same run. Both sides run in their own
subprocess; the CPU time is that process's own (``time.process_time``).

Also prints the bytes each page displayed (figures, tables, text) on both sides.

Measured 2026-12-01 00:30 UTC on the shared 2-core machine (load average 5-6, a site build running
beside it; the ratios are the reliable part), 3 pages per template and side, against 8031c89:
  kommunprofil: 1.91 -> 0.97 CPU-s per page (0.50x); 241 -> 238 kB shown
  lansanalys:   3.55 -> 2.64 CPU-s per page (0.75x); 444 -> 356 kB shown
  (figures built in one step; the peer table once per profile; Kolada's peer groups indexed once;
  trend_table's national levels once per batch, which these three different områden hardly use.)
In a real batch (`OJLIB_TIDER=1 oj rapporter`, kernels' CPU including their start): 63 län reports
104.8 CPU-s (1.66 per page), 49 kommun profiles of län 14 39.0 CPU-s (0.80 per page); largest page
Västra Götaland barn och unga 395 kB (504 kB before), every län page <= 400 kB.
Measured 2026-12-04 01:24–01:34 UTC on the shared 2-core machine (load average 4.3–6.2, four developers'
tests beside it; the ratios are the reliable part), 4 pages per template and side, against 48eb51f (main
before the län pages' lighter markup and computations; 19c828e and f580aea cannot read today's catalogue):
  lansanalys:   2.60 -> 2.60 CPU-s/page (1.00×) with lighter tables only; 2.91 -> 2.31 (0.79×) and
                2.88 -> 2.32 (0.81×) once the answer matrix read each kommun's answers once and the answer
                distributions became a fact of the report model; 693 -> 662 kB shown (the kernel's side;
                the figures are made smaller when the page is written, in oj rapporter's own process)
  kommunprofil: 1.22–1.29 -> 1.09–1.31 CPU-s/page (0.89–1.01×, noise at this load); 429 -> 428 kB shown
Warm kernel pages one by one (the template's cells in one IPython shell, as above), same machine:
missbruk 03/04/05/14/12 at 19c828e 1.21/1.18/1.36/1.83/1.55 s, at f580aea 1.09/1.11/1.22/1.81/1.58 s,
now 1.05/1.03/1.04/1.38/1.17 s; funktionsnedsättning 03/04/05/14 at 19c828e 2.00/1.41/1.29/1.81 s (26
indicators then), at f580aea 3.77/2.02/2.32/3.26 s, now 3.70/1.72/1.92/2.79 s (47 indicators, 21 of them
also per unit; the first page of an område fills the per-process caches of its indicators' levels).

Measured 2026-12-04 02:03–02:06 UTC (load average 1.9–3.0), 3 pages per template and side, against 22849e2
(main before batch kernels sent ojlib's figure template by name, notebook.drop_template):
  kommunprofil: 429 -> 382 kB shown per page (0.89×: 92 figures, 0,5 kB of template each), 1.02 -> 0.99 CPU-s
  lansanalys:   667 -> 644 kB shown per page, 2.44 -> 2.36 CPU-s (0.97×; the kernel's CPU hardly moves).
  In oj rapporter's own process (a one-off measurement, not this script) Jönköping's profile, a fresh kernel's
  outputs with the templates named or whole (the page the same byte for byte), cost 45.7 -> 43.5 ms to decode
  and export (median of 7): about 2 ms a page of the 0,21 CPU-s a page the main process spends
  (benchmarks/batch_main.py), where the per-message overhead of jupyter_client/nbclient dominates.

The baseline runs on its own ``params`` and its own example data (built with its code into the temporary
folder), since the catalogue grew after 8031c89/19c828e and an older catalogue refuses today's fields.

Measured 2026-12-04 00:55-01:36 UTC on the shared 2-core machine (load average 3.5-5, other sessions'
tests beside it), --baseline 19c828e --mall kommunprofil, 3 profiles (1480, 0180, 2580 after 0680):
  at f580aea:             0.54 -> 1.04 CPU-s per page (1.92x); 239 -> 464 kB shown (load 3.5)
  lighter figures (ranked bars hover from y/text/class, value column without the names again, trend hover
  template):              0.60 -> 1.21 (2.02x, load 3.2-4.0); 424 kB shown
  + trends in 4.2 ms instead of 8.7 (geo.area_names once per process, no cross merge, each indicator's
  levels kept with each unit's rows), a report's year and missing indicators once per dataset:
                          0.77 -> 1.04 (1.35x, load 4.8-5.0); 424 kB shown
  The profile has more to show than at 19c828e (funktionsnedsättning 26 -> 47 indicators, bakgrundsmått,
  units, delregion column): the kernel still spends about a third more per page. A Gnosjö profile warm,
  timed by part (load 3.5): build 0.37-0.45 s (46 trends 0.16-0.2 s, coloured profile and peer table the
  rest), peer-group charts 0.24 s, trend charts 0.11 s (plotly's validation in go.Figure most of both).
  Pages written by `oj rapport --kommun K --omrade alla` (not this script; the page writes what its figures
  share once, html_export.Page): Gnosjö 577 -> 334 kB, Stockholm 419 -> 296 kB, Göteborg 420 -> 297 kB.

Usage: .venv/bin/python benchmarks/page_cost.py [--baseline REV] [--sidor N] [--mall kommunprofil]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ["0680", "1480", "0180", "2580", "1283", "0617", "2480", "0114"]
LAN = [("06", "missbruk"), ("14", "barn_och_unga"), ("01", "funktionsnedsattning"), ("12", "missbruk"),
       ("14", "missbruk"), ("25", "funktionsnedsattning"), ("03", "barn_och_unga"), ("14", "funktionsnedsattning")]


def worker(notebooks: Path, kind: str, n: int) -> None:
    """Run n + 1 pages of one template in this process; print CPU s per page (the first not counted)."""
    os.environ["OJLIB_BATCH"] = "1"
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    shown = []

    class Publisher(DisplayPublisher):  # what a kernel does with a display: encode it as JSON
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            shown.append(len(json.dumps({"data": data, "metadata": metadata or {}}, default=str)))

    shell = InteractiveShell.instance()
    shell.display_pub = Publisher(shell=shell)
    shell.display_formatter.formatters["text/plain"].enabled = True
    os.chdir(notebooks)
    name = {"profil": "kommunprofil.ipynb", "lan": "lansanalys.ipynb"}[kind]
    nb = json.loads((notebooks / name).read_text(encoding="utf-8"))
    params = ([{"kommun": k} for k in PROFILES] if kind == "profil" else
              [{"lan": lan, "omrade": o} for lan, o in LAN])[: n + 1]
    shell.run_cell("import pandas, plotly.graph_objects, IPython.display, ojlib.render.notebook, ojlib.report.request, "
                   "ojlib.analysis.colours, ojlib.render.figures, ojlib.render.tables, ojlib.analysis.summary, "
                   "ojlib.data.shared")

    def page(values: dict) -> None:
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            code = "".join(cell["source"])
            if "parameters" in cell["metadata"].get("tags", []):
                code += "\n" + "\n".join(f"{k} = {v!r}" for k, v in values.items())
            result = shell.run_cell(code, silent=False, store_history=False)
            if not result.success:
                raise SystemExit(f"{kind} {values}: {result.error_in_exec or result.error_before_exec}")
        shell.run_line_magic("reset", "-f")

    page(params[0])
    shown.clear()
    t0 = time.process_time()
    for values in params[1:]:
        page(values)
    cpu = (time.process_time() - t0) / len(params[1:])
    import ojlib

    print(json.dumps({"cpu": cpu, "bytes": sum(shown) / len(params[1:]), "ojlib": ojlib.__file__}))


def measure(src: Path, kind: str, n: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src), "OJLIB_HOME": str(src),
           "OJLIB_REFERENS": str(ROOT / "data" / "raw" / "referens")}
    if not (src / "data" / "processed" / "exempeldata.parquet").exists():  # the baseline's own example data
        subprocess.run([sys.executable, "-m", "ojlib", "exempeldata"], env=env, cwd=src, check=True,
                       capture_output=True)
    code = (f"import sys; sys.path.insert(0, {str(src)!r}); sys.path.insert(1, {str(ROOT / 'benchmarks')!r}); "
            f"import page_cost; page_cost.worker(__import__('pathlib').Path({str(src / 'notebooks')!r}), "
            f"{kind!r}, {n})")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=src)
    if proc.returncode != 0:
        sys.exit(f"{src} {kind}: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="8031c89", help="git revision to compare against")
    ap.add_argument("--sidor", type=int, default=4, help="pages per template and side (after one warm-up page)")
    ap.add_argument("--mall", choices=["kommunprofil", "lansanalys"], action="append",
                    help="only this template (can be repeated; default both)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ojlib-page-cost-") as tmp:
        base = Path(tmp)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "ojlib", "notebooks",
                                  "params"],
                                 capture_output=True, check=True).stdout
        archive_path = base / "baseline.tar"
        archive_path.write_bytes(archive)
        with tarfile.open(archive_path) as tar:
            tar.extractall(base, filter="data")
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {args.sidor} pages per template "
              f"and side after one warm-up page", flush=True)
        for kind, label in (("profil", "kommunprofil"), ("lan", "lansanalys")):
            if args.mall and label not in args.mall:
                continue
            before = measure(base, kind, args.sidor)
            now = measure(ROOT, kind, args.sidor)
            if not before["ojlib"].startswith(str(base)):
                sys.exit(f"The baseline ran {before['ojlib']}, not the archived copy.")
            print(f"{label:13s} baseline {args.baseline}: {before['cpu']:.2f} CPU-s/page, "
                  f"{before['bytes'] / 1024:.0f} kB shown | now: {now['cpu']:.2f} CPU-s/page, "
                  f"{now['bytes'] / 1024:.0f} kB shown | ratio {now['cpu'] / before['cpu']:.2f}×")
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
