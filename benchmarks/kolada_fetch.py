"""Benchmark: ojlib's Kolada fetch vs a naive client, against the fake Kolada with latency.

Both fetch every catalogue indicator for all areas over the catalogue's years from the same
local fake server (``tests/kolada_fake.py``), which waits a fixed time before every answer
like a distant API. The naive client sends one request per KPI and year, with no chunking;
ojlib plans ≤25 KPIs × ≤25 years per request and follows ``next_url``. Prints requests and
wall time for both and their ratios. Works in a temporary project home; nothing of the
user's data is touched.

    .venv/bin/python benchmarks/kolada_fetch.py [--latency-ms 20] [--page-size 5000]
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

import httpx

ROOT = Path(__file__).resolve().parents[1]

from ojlib.data import dataset  # noqa: E402
from ojlib.data.catalog import load_catalogue  # noqa: E402
from ojlib.data.sources import kolada  # noqa: E402


def naive_fetch(base: str, cat) -> tuple[int, int]:
    """One request per KPI and year (following next_url if ever needed), then the same
    normalisation and save as ojlib (no cache); returns (requests, rows)."""
    requests = 0
    answers = []
    with httpx.Client(timeout=60) as http:
        for ind in cat:
            for year in ind.ar:
                url = f"{base}/data/kpi/{ind.kpi}/year/{year}"
                while url:
                    page = http.get(url).raise_for_status().json()
                    requests += 1
                    answers.append(page["values"])
                    url = page.get("next_url")
    df = kolada.normalise(answers).df
    dataset.save_dataset(df, "kolada", info={"bas_url": base})
    return requests, len(df)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency-ms", type=float, default=20.0, help="fixed wait before every answer")
    ap.add_argument("--page-size", type=int, default=5000, help="the fake's maximum page size")
    ap.add_argument("--workers", type=int, default=4, help="ojlib's parallel requests")
    args = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="ojlib-bench-"))
    # The fake runs in its own process, like a remote API: its work does not share our GIL.
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "kolada_fake.py"),
                               "--latency-ms", str(args.latency_ms), "--page-size", str(args.page_size)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base = server.stdout.readline().strip()
        origin = base.rsplit("/v3", 1)[0]

        def served() -> int:
            return httpx.get(f"{origin}/_stats").json()["requests"]

        shutil.copytree(ROOT / "params", home / "params")
        os.environ["OJLIB_HOME"] = str(home)
        cat = load_catalogue()

        start = served()
        t0 = time.perf_counter()
        result = kolada.fetch(bas_url=base, utan_cache=True, catalogue=cat, workers=args.workers)
        t_oj = time.perf_counter() - t0
        n_oj = served() - start
        assert n_oj == result.http_requests

        start = served()
        t0 = time.perf_counter()
        n_naive, rows_naive = naive_fetch(base, cat)
        t_naive = time.perf_counter() - t0
        assert n_naive == served() - start

        print(f"Fake Kolada (own process): {args.latency_ms:g} ms per request, page size {args.page_size}; "
              f"{len(cat)} KPIs, all 312 areas, years {min(i.ar_fran for i in cat)}–{max(i.ar_till for i in cat)}")
        print(f"{'client':<8} {'requests':>9} {'seconds':>9} {'rows':>9}")
        print(f"{'ojlib':<8} {n_oj:>9} {t_oj:>9.2f} {result.rows:>9}   "
              f"({result.planned} planned requests, {args.workers} at a time; fetch, normalise, cache and save)")
        print(f"{'naive':<8} {n_naive:>9} {t_naive:>9.2f} {rows_naive:>9}   (one request per KPI and year; "
              "fetch, normalise and save)")
        print(f"ratio    {n_naive / n_oj:>8.1f}× fewer requests, {t_naive / t_oj:.1f}× less time")
    finally:
        server.stdin.close()
        server.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
