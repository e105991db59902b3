"""Exempeldata: a deterministic generator of realistic values for the catalogue's indicators.

Exempeldata – inte verkliga resultat. Structure that analysts recognise: national levels
calibrated to published ÖJ figures where known (``exempeldata_nivaer.yml``), a kommungrupp
effect, a small län effect, persistence between years (AR(1)), K/M splits where the KPI is
divided by sex, and a few per cent missing values with a reason (bortfall, sekretess).

Each KPI draws from its own random stream (seed + KPI id), so editing one catalogue row does
not change the others, and the same version gives the same bytes on every run.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from ojlib.base import yamlfile
from ojlib.data import enheter, geo
from ojlib.data.answers import STATUS_ANDEL_TOPP, share_input, top_level
from ojlib.data.catalog import Catalogue, Indicator, load_catalogue
from ojlib.data.dataset import save_dataset

SEED = 20260
KALLA = "exempeldata"
LEVELS_FILE = Path(__file__).with_name("exempeldata_nivaer.yml")
RHO = 0.85  # year-to-year persistence of a kommun's position
# Relative standing of each SKR kommungrupp on a standardised scale (larger, urban kommuner
# tend to have more structures in place); multiplied by the KPI's gruppeffekt.
GROUP_PROFILE = {"A1": 1.2, "A2": 0.5, "B3": 0.9, "B4": 0.1, "B5": -0.2, "C6": 0.2,
                 "C7": -0.4, "C8": -0.9, "C9": -0.8}
BORTFALL = 0.025
SEKRETESS = {"C8": 0.30, "C9": 0.30, "C7": 0.12}  # small kommuner: too few answers in user surveys


@cache
def levels() -> dict:
    return yamlfile.load(LEVELS_FILE)


def settings(ind: Indicator) -> dict:
    """Defaults for the indicator's type, overridden by its own row in the levels file."""
    conf = levels()
    return {**conf["standard"].get(ind.typ, {}), **conf["kpi"].get(ind.kpi, {})}


def _by_year(spec, years: list[int]) -> np.ndarray:
    """Interpolate a {year: value} mapping (or a constant) over ``years``."""
    if not isinstance(spec, dict):
        return np.full(len(years), float(spec))
    xs = sorted(int(y) for y in spec)
    return np.interp(years, xs, [float(spec[x]) for x in xs])


def _distribution(spec: dict, years: list[int], nivaer: list[int]) -> np.ndarray:
    """Share per level (rows: years, columns: levels high→low), interpolated between years."""
    xs = sorted(int(y) for y in spec)
    cols = [np.interp(years, xs, [float(spec[x].get(lv, 0)) for x in xs]) for lv in nivaer]
    arr = np.column_stack(cols)
    return arr / arr.sum(axis=1, keepdims=True)


def _rng(kpi: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(kpi.encode())])


def _latent(rng, kom: pd.DataFrame, n_years: int, gruppeffekt: float) -> np.ndarray:
    """Standardised propensity per kommun (rows) and year (columns), persistent over years."""
    n = len(kom)
    group = kom.kommungrupp_kod.map(GROUP_PROFILE).to_numpy() * gruppeffekt
    lan_codes = sorted(kom.lan_kod.unique())
    lan_eff = dict(zip(lan_codes, rng.normal(0, 0.3, len(lan_codes)), strict=True))
    lan = kom.lan_kod.map(lan_eff).to_numpy()
    z = np.empty((n, n_years))
    z[:, 0] = rng.normal(size=n)
    for t in range(1, n_years):
        z[:, t] = RHO * z[:, t - 1] + np.sqrt(1 - RHO**2) * rng.normal(size=n)
    return group[:, None] + lan[:, None] + z


def _missing(rng, kom: pd.DataFrame, ind: Indicator, n_years: int, sekretess: bool = True,
             bortfall: bool = True) -> np.ndarray:
    """Status per kommun and year: None (value present), 'bortfall' or 'sekretess' (``sekretess=False``:
    a register count such as unemployment, never too few answers; ``bortfall=False``: a register every
    kommun is in, such as the population)."""
    status = np.full((len(kom), n_years), None, dtype=object)
    status[rng.random((len(kom), n_years)) < (BORTFALL if bortfall else 0.0)] = "bortfall"
    if ind.typ == "andel" and ind.kon and sekretess:  # user surveys: small kommuner get too few answers
        p = kom.kommungrupp_kod.map(SEKRETESS).fillna(0.02).to_numpy()[:, None]
        status[(rng.random((len(kom), n_years)) < p) & (status == None)] = "sekretess"  # noqa: E711
    return status


def generate_indicator(ind: Indicator, kom: pd.DataFrame) -> pd.DataFrame:
    """Tidy kommun rows (T, and K/M where divided by sex) for one indicator."""
    rng = _rng(ind.kpi)
    conf = settings(ind)
    years = ind.ar
    y = _latent(rng, kom, len(years), float(conf.get("gruppeffekt", 0.5)))
    status = _missing(rng, kom, ind, len(years), bool(conf.get("sekretess", True)), bool(conf.get("bortfall", True)))
    present = status == None  # noqa: E711
    values = np.full(y.shape, np.nan)
    for t in range(len(years)):
        col, ok = y[:, t], present[:, t]
        if ind.typ == "ja_nej":
            share = _by_year(conf["niva"], years)[t] / 100
            cut = np.quantile(col[ok], 1 - share) if ok.any() else 0
            values[:, t] = (col > cut).astype(float)
        elif ind.typ == "skala":
            nivaer = sorted(ind.nivaer, reverse=True)
            even = {years[0]: {lv: 100 / len(nivaer) for lv in nivaer}}  # e.g. a scale made by `oj importera`
            dist = _distribution(conf.get("fordelning") or even, years, nivaer)[t]
            order = np.argsort(-col[ok], kind="stable")
            counts = np.round(np.cumsum(dist) * ok.sum()).astype(int)
            assigned = np.empty(ok.sum())
            start = 0
            for lv, end in zip(nivaer, counts, strict=True):
                assigned[order[start:end]] = lv
                start = end
            values[ok, t] = assigned
        elif ind.typ == "andel":
            mean = _by_year(conf["niva"], years)[t] + conf.get("arlig_forandring", 0.0) * t
            values[:, t] = np.clip(mean + conf["spridning"] * (col - col[ok].mean()) / col[ok].std(), 0, 100)
        else:  # kr_per_inv, antal: log-normal around the level
            base = _by_year(conf["niva"], [years[0]])[0] * (1 + conf.get("okning", 0.01)) ** t
            values[:, t] = base * np.exp(conf["spridning"] * (col - col[ok].mean()) / col[ok].std()
                                         - conf["spridning"] ** 2 / 2)
    values[~present] = np.nan
    decimals = int(conf.get("decimaler", 0 if ind.typ in ("kr_per_inv", "ja_nej", "skala") else 1))
    values = np.round(values, decimals)
    frame = pd.DataFrame({
        "kpi": ind.kpi,
        "kod": np.repeat(kom.kommun_kod.to_numpy(), len(years)),
        "ar": np.tile(years, len(kom)),
        "kon": "T",
        "varde": values.ravel(),
        "status": status.ravel(),
    })
    parts = [frame]
    if ind.kon and ind.typ == "antal" and conf.get("summa"):
        # a count such as Invånare totalt: kvinnor and män add up to the total (about half each)
        total = frame.varde.to_numpy()
        women = np.round(total * rng.normal(0.5 + conf.get("konsskillnad", 0.0) / 100, 0.005, size=total.shape))
        for kon, part_values in (("K", women), ("M", total - women)):
            part = frame.copy()
            part["kon"] = kon
            part["varde"] = part_values
            parts.append(part)
    elif ind.kon:
        # kvinnor and män the same distance either side of the total, so the total lies between
        # them, also for län and riket means (a share stays within 0-100, a count or cost above 0)
        diff = rng.normal(conf.get("konsskillnad", 2.0), conf.get("konsspridning", 3.0), size=values.shape).ravel()
        high = 100 if ind.typ == "andel" else np.inf
        total = frame.varde.to_numpy()
        room = np.minimum(total, high - total)  # the same distance both ways: never clipped on one side only
        diff = np.sign(diff) * np.minimum(np.abs(diff), room)
        for kon, sign in (("K", 1), ("M", -1)):
            part = frame.copy()
            part["kon"] = kon
            part["varde"] = np.round(total + sign * diff, decimals)
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def generate(catalogue: Catalogue | None = None, progress=None) -> pd.DataFrame:
    """The whole example dataset: kommun rows plus computed län and riket rows."""
    catalogue = catalogue or load_catalogue()
    kom = geo.kommuner()
    indicators = list(catalogue)
    parts = []
    for ind in progress(indicators) if progress else indicators:
        parts.append(generate_indicator(ind, kom))
    df = pd.concat(parts, ignore_index=True)
    df["niva"] = "kommun"
    df["antal"] = pd.NA
    df["kalla"] = KALLA
    agg = aggregate_kommuner(df, catalogue, KALLA)
    return pd.concat([df, agg], ignore_index=True)


def build(catalogue: Catalogue | None = None, progress=None) -> Path:
    """Generate, validate and save ``data/processed/exempeldata.parquet`` and the example units
    (``exempeldata_enheter.parquet``)."""
    catalogue = catalogue or load_catalogue()
    df = generate(catalogue, progress=progress)
    info = {"seed": SEED, "katalog": str(catalogue.source.name if catalogue.source else ""),
            "markning": "Exempeldata – inte verkliga resultat"}
    units = generate_units(catalogue, geo.kommuner(), df[df.niva == "kommun"])
    if len(units):
        enheter.save(pl.from_pandas(units), KALLA, info)
    elif enheter.path(KALLA).exists():  # a catalogue without unit indicators: no stale units
        enheter.path(KALLA).unlink()
        enheter.manifest_path(KALLA).unlink(missing_ok=True)
    return save_dataset(df, KALLA, info)


def aggregate_kommuner(df: pd.DataFrame, catalogue, kalla: str) -> pd.DataFrame:
    """Tidy län (``niva='lan'``, region codes) and riket rows computed from the kommun rows of ``df``.

    The same rule as the comparison tables: Ja/Nej the share Ja (status ``andel_ja``), scales
    the share at the top level (status ``andel_hogsta_niva``), other types the ovägt medel (status
    ``ovagt_medel``); in the example data a count the levels file marks ``summa`` (the population) is the
    sum (status ``summa``). ``antal`` is the number of kommuner that contributed. This is what the
    example data stores as its län and riket values.
    """
    k = df[(df.niva == "kommun") & df.varde.notna()]
    k = k.merge(geo.kommuner()[["kommun_kod", "region_kod"]], left_on="kod", right_on="kommun_kod")
    by = {i.kpi: i for i in catalogue}
    sums = [kpi for kpi, i in by.items() if kalla == KALLA and i.typ == "antal" and settings(i).get("summa")]
    typ = k.kpi.map(lambda x: by[x].typ if x in by else "antal")
    top = k.kpi.map(lambda x: top_level(by[x]) if x in by else 1)
    k = k.assign(_v=share_input(k.varde.to_numpy(), typ.to_numpy(dtype=object), top.to_numpy(dtype=float)))
    out = []
    for niva, key in (("lan", "region_kod"), ("riket", None)):
        groups = ["kpi", "ar", "kon"] + ([key] if key else [])
        agg = k.groupby(groups, as_index=False).agg(varde=("_v", "mean"), antal=("_v", "size"),
                                                    _summa=("_v", "sum"))
        summed = agg.kpi.isin(sums)
        agg.loc[summed, "varde"] = agg.loc[summed, "_summa"]  # a count the kommuner add up to (a population)
        agg = agg.drop(columns="_summa")
        agg["kod"] = agg[key] if key else geo.RIKET
        agg["niva"] = niva
        out.append(agg)
    res = pd.concat(out, ignore_index=True)
    res["varde"] = res.varde.round(2)
    status = {"ja_nej": "andel_ja", "skala": STATUS_ANDEL_TOPP}
    res["status"] = res.kpi.map(lambda x: status.get(by[x].typ, "ovagt_medel") if x in by else "ovagt_medel")
    res.loc[res.kpi.isin(sums), "status"] = "summa"
    res["kalla"] = kalla
    return res[["kpi", "kod", "niva", "ar", "kon", "varde", "status", "antal", "kalla"]]


# -- units (enheter) -------------------------------------------------------------------------

# Units per kommun and unit type, by SKR kommungrupp: (fewest, most)
UNITS_PER_GROUP = {"A1": (8, 14), "A2": (2, 5), "B3": (4, 8), "B4": (1, 4), "B5": (1, 3), "C6": (2, 5),
                   "C7": (1, 3), "C8": (0, 2), "C9": (0, 2)}
UNIT_SPREAD = 9.0  # percentage points between the units of one kommun (standard deviation)
UNIT_SEKRETESS = 0.12  # share of unit values with too few answers to be published
UNIT_BORTFALL = 0.03  # share of units that did not take part a year


def unit_list(kom: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    """Example units: ``ou, kod, titel, typ`` for each kommun and unit type (seeded, same every run)."""
    rng = np.random.default_rng([SEED, zlib.crc32(b"enheter")])
    rows = []
    for kod, namn, grupp in kom[["kommun_kod", "kommun_namn", "kommungrupp_kod"]].itertuples(index=False):
        lo, hi = UNITS_PER_GROUP.get(grupp, (1, 3))
        for typ in sorted(types):
            for n in range(1, int(rng.integers(lo, hi + 1)) + 1):
                rows.append((f"{typ}{kod}{n:02d}", kod, f"{enheter.type_name(typ)} {n}, {namn} (exempel)", typ))
    return pd.DataFrame(rows, columns=["ou", "kod", "titel", "typ"])


def generate_units(catalogue: Catalogue, kom: pd.DataFrame, kommun_rows: pd.DataFrame) -> pd.DataFrame:
    """Unit values (kön T) for the indicators with unit data and known unit types: each unit's value
    scatters around its kommun's value (the national mean where the kommun has none); some are
    missing with a reason (sekretess: too few answers; bortfall: the unit did not take part)."""
    inds = [i for i in catalogue if i.enheter and i.enhetstyp and i.typ == "andel"]
    if not inds:
        return pd.DataFrame(columns=enheter.COLUMNS)
    units = unit_list(kom, sorted({t for i in inds for t in i.enhetstyp}))
    values = kommun_rows[kommun_rows.kon == "T"].set_index(["kpi", "kod", "ar"]).varde
    parts = []
    for ind in inds:
        rng = _rng(f"{ind.kpi}/enheter")
        u = units[units.typ.isin(ind.enhetstyp)]
        for ar in ind.ar:
            base = values.xs((ind.kpi, ar), level=("kpi", "ar")).reindex(u.kod).to_numpy()
            base = np.where(np.isnan(base), np.nanmean(base) if np.isfinite(base).any() else 75.0, base)
            varde = np.round(np.clip(base + rng.normal(0, UNIT_SPREAD, len(u)), 0, 100), 1)
            draw = rng.random(len(u))
            status = np.where(draw < UNIT_BORTFALL, "bortfall",
                              np.where(draw < UNIT_BORTFALL + UNIT_SEKRETESS, "sekretess", None))
            varde = np.where(status == None, varde, np.nan)  # noqa: E711
            parts.append(pd.DataFrame({"kpi": ind.kpi, "ou": u.ou.to_numpy(), "kod": u.kod.to_numpy(), "ar": ar,
                                       "kon": "T", "varde": varde, "status": status, "titel": u.titel.to_numpy(),
                                       "typ": u.typ.to_numpy(), "kalla": KALLA}))
    return pd.concat(parts, ignore_index=True)
