"""Unit data (enheter): one row per KPI x unit x year x sex, stored as Parquet per source.

Kolada publishes some KPIs per organisational unit (``/v3/oudata``): a gruppbostad, a daglig
verksamhet, a servicebostad. ``data/processed/<kalla>_enheter.parquet`` holds those rows with
the columns ``kpi, ou, kod, ar, kon, varde, status, titel, typ, kalla`` (``ou`` is Kolada's unit
id ``V`` + two digits + ``E`` + digits, ``kod`` the unit's kommun, ``typ`` the id's prefix such as
``V29E``); ``<kalla>_enheter.json`` beside it says where they came from. Saves are atomic.

Reading goes through polars: ``scan`` gives a lazy frame, and ``select`` pushes the filters on
kommun, län, område, KPI and year down into the Parquet scan, so opening one län reads only its
row groups and columns. ``to_pandas`` is left to the consumers that need pandas.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ojlib.base import paths
from ojlib.base.errors import OjError
from ojlib.base.storage import read_manifest as read_pair_manifest
from ojlib.base.storage import recover_pair, write_pair_atomic
from ojlib.data import geo
from ojlib.data.catalog import load_catalogue

COLUMNS = ["kpi", "ou", "kod", "ar", "kon", "varde", "status", "titel", "typ", "kalla"]
KEY = ["kpi", "ou", "ar", "kon"]
SCHEMA = {"kpi": pl.String, "ou": pl.String, "kod": pl.String, "ar": pl.Int32, "kon": pl.String,
          "varde": pl.Float64, "status": pl.String, "titel": pl.String, "typ": pl.String, "kalla": pl.String}
OU_RE = re.compile(r"^V\d{2}E\d+$")
TYPE_RE = re.compile(r"^V\d{2}E$")
# Kolada's unit types (the id's prefix), named as Kolada's documentation and clients name them
TYPER = {
    "V25E": "LSS bostad med särskild service",
    "V26E": "LSS daglig verksamhet",
    "V29E": "Gruppbostad LSS",
    "V30E": "Servicebostad LSS",
    "V31E": "SoL boendestöd",
    "V32E": "SoL boende med särskild service",
    "V34E": "SoL sysselsättning",
    "V45E": "Våld i nära relationer",
}


def unit_type(ou: str) -> str:
    """The type of a unit id: its prefix up to the E (``V29E`` for ``V29E068001``)."""
    return ou[:4]


def type_name(typ: str) -> str:
    return TYPER.get(typ, typ)


def path(kalla: str) -> Path:
    return paths.processed_dir() / f"{kalla}_enheter.parquet"


def manifest_path(kalla: str) -> Path:
    return paths.processed_dir() / f"{kalla}_enheter.json"


def available(kalla: str) -> bool:
    return any(path(k).exists() for k in _keys(kalla))


def _keys(kalla: str) -> list[str]:
    return [k.strip() for k in str(kalla).split(",") if k.strip()]


def validate(df: pl.DataFrame, what: str = "enhetsdatan") -> pl.DataFrame:
    """Check the unit table and return it with canonical types and row order.

    Raises OjError naming the first problem: a missing column, a unit id not of Kolada's form,
    a type that is not the id's prefix, an unknown kommun, ``kon`` outside T/K/M, a value that is
    not finite, or a duplicate key. A missing value without a status gets ``saknas``.
    """
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise OjError(f"{what} saknar kolumnen {', '.join(missing)}; kolumnerna ska vara {', '.join(COLUMNS)}.")
    try:
        out = df.select(COLUMNS).cast(SCHEMA)
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
        raise OjError(f"{what} har värden av fel typ (år ska vara heltal, varde tal).") from None
    for col in ("kpi", "ou", "kod", "ar", "kon", "typ", "kalla"):
        if out[col].null_count():
            raise OjError(f"{what} har tomma värden i kolumnen {col}; varje rad måste ha {col}.")
    bad = out.filter(~pl.col("ou").str.contains(r"^V\d{2}E\d+$"))
    if len(bad):
        raise OjError(f"{what} har enhets-id som inte har Koladas form V + två siffror + E + siffror "
                      f"(t.ex. '{bad['ou'][0]}').")
    bad = out.filter(pl.col("typ") != pl.col("ou").str.slice(0, 4))
    if len(bad):
        raise OjError(f"{what} har typen '{bad['typ'][0]}' för enheten {bad['ou'][0]}; typen är id:ts början.")
    kommuner = set(geo.kommuner().kommun_kod)
    bad = out.filter(~pl.col("kod").is_in(list(kommuner)))
    if len(bad):
        raise OjError(f"{what} har enheten {bad['ou'][0]} i den okända kommunen '{bad['kod'][0]}'.")
    bad = out.filter(~pl.col("kon").is_in(["T", "K", "M"]))
    if len(bad):
        raise OjError(f"{what} har okända värden i kolumnen kon ('{bad['kon'][0]}'); tillåtna är T, K och M.")
    if out.filter(pl.col("varde").is_infinite() | pl.col("varde").is_nan()).height:
        raise OjError(f"{what} har värden i kolumnen varde som inte är ändliga tal.")
    out = out.with_columns(
        pl.when(pl.col("varde").is_null() & (pl.col("status").is_null() | (pl.col("status") == "")))
        .then(pl.lit("saknas"))
        .when(pl.col("status") == "").then(None)
        .otherwise(pl.col("status")).alias("status"))
    dup = out.filter(out.select(KEY).is_duplicated())
    if len(dup):
        r = dup.row(0, named=True)
        raise OjError(f"{what} har {len(dup)} rader med samma nyckel, t.ex. kpi {r['kpi']}, enhet {r['ou']}, "
                      f"år {r['ar']}, kön {r['kon']}; varje kombination får bara finnas en gång.")
    return out.sort(["kod", "kpi", "ou", "ar", "kon"])


def save(df: pl.DataFrame, kalla: str, info: dict | None = None) -> Path:
    """Validate and write ``<kalla>_enheter.parquet`` and its manifest atomically."""
    df = validate(df)
    if len(df) and (df["kalla"] != kalla).any():
        raise OjError(f"Enhetsraderna har en annan kalla än {kalla}.")
    buf = io.BytesIO()
    # sorted by kommun: one län is a few row groups, which a filtered scan reads alone
    df.write_parquet(buf, compression="zstd", statistics=True, row_group_size=20_000)
    data = buf.getvalue()
    manifest = {
        "kalla": kalla,
        "byggd": datetime.now(UTC).isoformat(timespec="seconds"),
        "rader": len(df),
        "kpi": int(df["kpi"].n_unique()),
        "enheter": int(df["ou"].n_unique()),
        "kommuner": int(df["kod"].n_unique()),
        "typer": sorted(df["typ"].unique().to_list()),
        "ar": sorted(int(a) for a in df["ar"].unique().to_list()),
        **(info or {}),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    target = path(kalla)
    write_pair_atomic(target, data, manifest_path(kalla), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return target


def read_manifest(kalla: str) -> dict | None:
    """The manifest, or None when there is none or it does not describe the data file."""
    return read_pair_manifest(path(kalla), manifest_path(kalla))


def scan(kalla: str) -> pl.LazyFrame:
    """A lazy scan of the source's unit data (several sources: concatenated, first source first)."""
    frames = []
    for k in _keys(kalla):
        p = path(k)
        if p.exists():
            recover_pair(p, manifest_path(k))
            frames.append(pl.scan_parquet(p))
    if not frames:
        return pl.LazyFrame(schema=SCHEMA)
    return frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed").unique(
        KEY, keep="first", maintain_order=True)


def _as_list(value) -> list:
    return [value] if isinstance(value, str | int) else list(value)


def select(kalla: str, *, lan=None, kommun=None, omrade=None, kpi=None, ar=None, kon=None,
           catalogue=None) -> pl.DataFrame:
    """Unit rows of a län, kommun(er), område, KPI(s), year(s) and sex; the filters are pushed into
    the Parquet scan. Unknown codes raise the same Swedish errors as the kommun data."""
    lf = scan(kalla)
    if lan is not None or kommun is not None:
        codes: set[str] = set()
        for lk in _as_list(lan) if lan is not None else []:
            codes |= set(geo.kommuner_i_lan(lk))
        for k in _as_list(kommun) if kommun is not None else []:
            codes.add(geo.normalise_kommun(k))
        lf = lf.filter(pl.col("kod").is_in(sorted(codes)))
    kpis = None
    if omrade is not None:
        cat = catalogue or load_catalogue()
        kpis = [i.kpi for i in cat.for_omrade(omrade)]
    if kpi is not None:
        wanted = _as_list(kpi)
        kpis = wanted if kpis is None else [k for k in kpis if k in wanted]
    if kpis is not None:
        lf = lf.filter(pl.col("kpi").is_in(kpis))
    if ar is not None:
        lf = lf.filter(pl.col("ar").is_in([int(y) for y in _as_list(ar)]))
    if kon is not None:
        lf = lf.filter(pl.col("kon").is_in(_as_list(kon)))
    try:
        return lf.collect()
    except (pl.exceptions.ComputeError, OSError):
        raise OjError(f"Enhetsdatan för {kalla} går inte att läsa; hämta eller skapa den igen.") from None
