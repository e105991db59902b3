"""Benchmark: the län table for all 21 län × 3 områden, ojlib against a straightforward baseline.

Two datasets in one run:

1. the example data (56 KPIs, 290 kommuner, 2018–2025), built in memory;
2. a synthetic dataset at Kolada's full size: about 6 000 KPIs spread over the three områden,
   290 kommuner plus 21 län and riket, ten years (2016–2025), seeded. Län and riket rows are
   "published" (population-weighted with synthetic weights) as Kolada's are. The default
   ``--skala 0.25`` (1 500 KPIs) keeps ``make bench`` at a couple of minutes; ``--skala 1`` is
   Kolada's full size (measured on 2 cores: ojlib 30 s, baseline 512 s, 17×; about 10 minutes and
   7 GB in all).

ojlib computes each område once for all kommuner with vectorised group operations
(``ranking.lan_tables``); the baseline loops over indicators and län and filters, as one would
write it by hand. Both results are checked to agree (values, län/riket values, ranks, counts)
before the times and the ratio are printed.

    .venv/bin/python benchmarks/compare.py [--skala 0.25] [--upprepa 1] [--bara-exempel]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ojlib.analysis import ranking
from ojlib.data import geo  # noqa: E402
from ojlib.data.catalog import OMRADEN, Catalogue, Indicator, load_catalogue  # noqa: E402
from ojlib.data.dataset import Dataset, validate  # noqa: E402
from ojlib.data.sources import example  # noqa: E402

CHECK = ["värde", "länet", "riket", "rang_i_länet", "rang_i_riket", "antal_med_värde_i_länet",
         "antal_med_värde_i_riket"]


# ---------------------------------------------------------------- data

def example_dataset() -> Dataset:
    cat = load_catalogue()
    return Dataset(df=validate(example.generate(cat)), kalla="exempeldata", catalogue=cat)


def synthetic_dataset(n_kpi: int, seed: int = 20260) -> Dataset:
    """~Kolada-sized data: n_kpi KPIs × 290 kommuner × 10 years, plus weighted län/riket rows."""
    rng = np.random.default_rng(seed)
    ref = geo.kommuner()
    years = np.arange(2016, 2026)
    n_k, n_y = len(ref), len(years)
    typ = rng.choice(["ja_nej", "andel", "kr_per_inv", "antal", "skala"], p=[0.3, 0.4, 0.15, 0.1, 0.05], size=n_kpi)
    riktning = np.where(typ == "kr_per_inv", None, np.where(typ == "antal", "lagre_battre", "hogre_battre"))
    riktning[rng.random(n_kpi) < 0.05] = None
    ar_till = np.where(rng.random(n_kpi) < 0.2, 2024, 2025)
    omraden = list(OMRADEN)
    kpis = np.array([f"{'U' if t != 'kr_per_inv' else 'N'}{10000 + i:05d}" for i, t in enumerate(typ)])
    inds = [Indicator(kpi=k, omrade=omraden[i % 3], namn=f"Syntetisk {k}", titel=k, beskrivning="", typ=t,
                      riktning=r, enhet={"andel": "procent", "kr_per_inv": "kr/invånare", "antal": "dagar"}.get(t, t),
                      ar_fran=2016, ar_till=int(a), kon=False, katalog="syntetisk",
                      nivaer={1: "Ja", 0: "Nej"} if t == "ja_nej" else ({3: "3", 2: "2", 1: "1", 0: "0"}
                                                                       if t == "skala" else {}))
            for i, (k, t, r, a) in enumerate(zip(kpis, typ, riktning, ar_till, strict=True))]

    z = rng.standard_normal((n_kpi, n_k, n_y), dtype=np.float32)
    v = np.empty(z.shape, dtype=np.float64)
    makers = {"ja_nej": lambda x: (x > 0.3).astype(float),
              "andel": lambda x: np.clip(np.round(70 + 10 * x, 1), 0, 100),
              "kr_per_inv": lambda x: np.round(np.exp(7 + 0.3 * x)),
              "antal": lambda x: np.round(20 + 5 * x, 1),
              "skala": lambda x: np.clip(np.round(1.5 + x), 0, 3)}
    for t, f in makers.items():
        sel = typ == t
        v[sel] = f(z[sel])
    del z
    v[rng.random(v.shape) < 0.03] = np.nan

    # published län/riket: weighted by a synthetic population
    w = rng.lognormal(10, 1, n_k)
    share = np.where((typ == "ja_nej")[:, None, None], (v == 1) * 100.0, v)
    share = np.where(np.isnan(v), np.nan, share)
    agg_rows = []
    for code, mask in [(r, (ref.region_kod == r).to_numpy()) for r in sorted(ref.region_kod.unique())] + \
                      [(geo.RIKET, np.ones(n_k, bool))]:
        part, ww = share[:, mask, :], w[mask][None, :, None]
        ok = ~np.isnan(part)
        num = np.where(ok, part, 0) * ww
        with np.errstate(invalid="ignore", divide="ignore"):
            agg = np.round(num.sum(axis=1) / np.where(ok, ww, 0).sum(axis=1), 2)
        agg_rows.append((code, agg))

    year_ok = (years[None, :] <= ar_till[:, None])                      # (kpi, year)
    kom_mask = np.broadcast_to(year_ok[:, None, :], v.shape).ravel()
    frames = [pd.DataFrame({
        "kpi": np.repeat(kpis, n_k * n_y)[kom_mask],
        "kod": np.tile(np.repeat(ref.kommun_kod.to_numpy(), n_y), n_kpi)[kom_mask],
        "niva": "kommun",
        "ar": np.tile(years, n_kpi * n_k)[kom_mask].astype("int32"),
        "varde": v.ravel()[kom_mask],
    })]
    del v, share
    frames[0]["status"] = np.where(np.isnan(frames[0].varde.to_numpy()), "bortfall", None)
    for code, agg in agg_rows:
        m = year_ok.ravel()
        frames.append(pd.DataFrame({
            "kpi": np.repeat(kpis, n_y)[m], "kod": code, "niva": "riket" if code == geo.RIKET else "lan",
            "ar": np.tile(years, n_kpi)[m].astype("int32"), "varde": agg.ravel()[m], "status": None}))
    df = pd.concat(frames, ignore_index=True)
    df["kon"] = "T"
    df["antal"] = pd.array([pd.NA] * len(df), dtype="Int64")
    df["kalla"] = "kolada"
    for col in ("kpi", "kod", "niva", "kon", "kalla"):
        df[col] = df[col].astype("str")
    df = df[["kpi", "kod", "niva", "ar", "kon", "varde", "status", "antal", "kalla"]]
    return Dataset(df=df, kalla="kolada", catalogue=Catalogue(inds))


# ---------------------------------------------------------------- the two implementations

def ojlib_tables(ds: Dataset) -> dict:
    return {omr: ranking.lan_tables(ds, omr) for omr in OMRADEN}


def baseline_tables(ds: Dataset) -> dict:
    """Per område, per indicator and per län: filter, average, rank (written as by hand)."""
    ref = geo.kommuner()
    lans = sorted(ref.lan_kod.unique())
    out = {}
    for omr in OMRADEN:
        inds = ds.cat.for_omrade(omr)
        kpis = [i.kpi for i in inds]
        df = ds.df[(ds.df.kon == "T") & ds.df.kpi.isin(kpis)]
        kom_all = df[df.niva == "kommun"]
        pub_all = df[df.niva != "kommun"]
        tables = {lk: [] for lk in lans}
        for ind in inds:
            d = kom_all[kom_all.kpi == ind.kpi]
            if not d.varde.notna().any():
                continue
            year = d.loc[d.varde.notna(), "ar"].max()
            d = d[d.ar == year]
            d = ref[["kommun_kod", "kommun_namn", "lan_kod", "region_kod"]].merge(
                d[["kod", "varde"]], left_on="kommun_kod", right_on="kod", how="left")
            answer = ind.typ in ("ja_nej", "skala")  # share at the top answer; answers are not ranked
            score = -d.varde if ind.riktning == "lagre_battre" else d.varde
            score = score * np.nan if answer else score
            top = 1 if ind.typ == "ja_nej" else (max(ind.nivaer) if ind.nivaer else 1)
            shares = (d.varde == top) * 100.0 if answer else d.varde
            shares = shares.where(d.varde.notna())
            pub = pub_all[(pub_all.kpi == ind.kpi) & (pub_all.ar == year) & pub_all.varde.notna()]
            pub = pub.iloc[0:0] if answer else pub  # answers: always the kommuner's distribution
            rik = pub[pub.kod == geo.RIKET].varde
            riket = rik.iloc[0] if len(rik) else round(shares.mean(), 2)
            rank_riket = score.rank(method="min", ascending=False)
            n_riket = int(d.varde.notna().sum())
            for lk in lans:
                m = d.lan_kod == lk
                s = d[m]
                region = s.region_kod.iloc[0]
                lp = pub[pub.kod == region].varde
                lanet = lp.iloc[0] if len(lp) else round(shares[m].mean(), 2)
                tables[lk].append(pd.DataFrame({
                    "kpi": ind.kpi, "kommunkod": s.kommun_kod, "år": year, "värde": s.varde,
                    "länet": lanet, "riket": riket,
                    "rang_i_länet": score[m].rank(method="min", ascending=False),
                    "rang_i_riket": rank_riket[m],
                    "antal_med_värde_i_länet": int(s.varde.notna().sum()), "antal_med_värde_i_riket": n_riket,
                }))
        out[omr] = {lk: pd.concat(parts, ignore_index=True) for lk, parts in tables.items()}
    return out


def check_same(a: dict, b: dict) -> int:
    """Assert both give the same numbers; returns the number of rows compared."""
    n = 0
    for omr in OMRADEN:
        for lk, t in a[omr].items():
            u = b[omr][lk]
            m = t.merge(u, on=["kpi", "kommunkod"], suffixes=("", "_b"), how="outer", indicator=True)
            assert (m._merge == "both").all(), f"rows differ for {omr} {lk}"
            for col in CHECK:
                x = pd.to_numeric(m[col], errors="coerce").to_numpy(dtype=float)
                y = pd.to_numeric(m[f"{col}_b"], errors="coerce").to_numpy(dtype=float)
                assert np.allclose(x, y, equal_nan=True), f"{col} differs for {omr} {lk}"
            n += len(m)
    return n


def _n(x: int) -> str:
    return f"{x:,}".replace(",", " ")


def timed(fn, ds, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn(ds)
        best = min(best, time.perf_counter() - t0)
    return best, result


def run(name: str, ds: Dataset, repeat: int) -> None:
    kom = ds.df[ds.df.niva == "kommun"]
    print(f"\n== {name}: {_n(len(ds.df))} rader, {_n(ds.df.kpi.nunique())} KPI:er, "
          f"{kom.kod.nunique()} kommuner, år {ds.df.ar.min()}–{ds.df.ar.max()}")
    t_oj, a = timed(ojlib_tables, ds, repeat)
    print(f"ojlib (ranking.lan_tables, 3 områden × 21 län): {t_oj:8.2f} s")
    t_base, b = timed(baseline_tables, ds, 1)
    print(f"baslinje (loop per indikator och län, filtrering): {t_base:8.2f} s")
    rows = check_same(a, b)
    print(f"samma siffror i båda: ja ({_n(rows)} kommunrader jämförda)")
    print(f"kvot baslinje / ojlib: {t_base / t_oj:6.1f}×")
    if name.startswith("Exempeldata"):
        t0 = time.perf_counter()
        for omr in OMRADEN:
            for lk in geo.lan().lan_kod:
                ranking.lan_table(ds, lk, omr)
        print(f"ojlib, 63 separata lan_table-anrop (som 63 notebooks): {time.perf_counter() - t0:8.2f} s")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--skala", type=float, default=0.25,
                   help="andel av Koladas 6 000 KPI:er i den syntetiska datan (0.25; 1 = full storlek)")
    p.add_argument("--upprepa", type=int, default=1, help="kör ojlib så många gånger och ta bästa tiden")
    p.add_argument("--bara-exempel", action="store_true", help="hoppa över den syntetiska datan")
    args = p.parse_args(argv)
    run("Exempeldata", example_dataset(), args.upprepa)
    if not args.bara_exempel:
        n = max(30, int(round(6000 * args.skala)))
        t0 = time.perf_counter()
        ds = synthetic_dataset(n)
        print(f"\n(syntetisk data med {n} KPI:er skapad på {time.perf_counter() - t0:.1f} s)")
        run(f"Syntetisk, Kolada-storlek × {args.skala}", ds, args.upprepa)


if __name__ == "__main__":
    main()
