"""The tidy dataset: one row per KPI x area x year x sex, stored as Parquet per source.

Columns (the contract, see docs): kpi, kod, niva, ar, kon, varde, status, antal, kalla.
``data/processed/<kalla>.parquet`` holds the rows; ``<kalla>.json`` beside it says where they
came from and when they were built. Every save and load validates, and saves are atomic.

Sources are listed in ``ojlib.data.sources.registry``. ``load_dataset("kolada,egen")`` combines
several: each row keeps its ``kalla``; when two sources give the same key (kpi, kod, ar, kon),
a row with a value beats a row without one, and between two values the source named first
wins (``alla`` = kolada, then egen).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ojlib.base import memo, paths, storage
from ojlib.base.errors import OjError, excerpt
from ojlib.base.storage import write_pair_atomic
from ojlib.data import geo
from ojlib.data.catalog import Catalogue, Indicator, load_catalogue
from ojlib.data.sources import registry

COLUMNS = ["kpi", "kod", "niva", "ar", "kon", "varde", "status", "antal", "kalla"]
ROW_GROUP = 16_384  # rows per Parquet row group: sorted by KPI, so a scan for one område skips the others
KEY = ["kpi", "kod", "ar", "kon"]
KON = ("T", "K", "M")
UNIT_LEVELS = ("kommun", "lan", "riket", "stadsdel", "grupp")  # the niva column; answer levels are Indicator.nivaer
KALLOR = registry.keys()  # datasets, in precedence order: kolada, egen (the user's imports), exempeldata
SCHEMA = pa.schema([
    ("kpi", pa.string()), ("kod", pa.string()), ("niva", pa.string()), ("ar", pa.int32()),
    ("kon", pa.string()), ("varde", pa.float64()), ("status", pa.string()), ("antal", pa.int64()),
    ("kalla", pa.string()),
])
# status values: why a value is missing, or what an aggregate is
STATUS_TEXT = {
    "bortfall": "Bortfall (kommunen har inte svarat)",
    "sekretess": "Sekretess (för få svar för att redovisas)",
    "ej_tillampligt": "Ej tillämpligt",
    "saknas": "Värde saknas i källan",
    "ovagt_medel": "Ovägt medel av kommunernas värden",
    "summa": "Summan av kommunernas värden",
    "andel_ja": "Andel kommuner som svarat Ja (%)",
    "andel_hogsta_niva": "Andel kommuner som svarat med skalans högsta nivå (%)",
}


def _short_list(values, n: int = 5) -> str:
    values = [excerpt(v, 40) for v in values]
    more = f" och {len(values) - n} till" if len(values) > n else ""
    return ", ".join(values[:n]) + more


FIRST_YEAR, LAST_YEAR = 1990, 2100  # the years a value may be for (the catalogue's ar_fran/ar_till rule too)
LARGEST = 1e15  # |varde| and antal above this are no statistic (kronor, counts and shares are far below)


def validate(df: pd.DataFrame, what: str = "datasetet", known_status: bool = False) -> pd.DataFrame:
    """Check the tidy table and return it with canonical types and row order.

    Raises OjError naming the first problem: missing columns, unknown area codes, a level that
    does not fit its code, ``kon`` outside T/K/M, a non-integer year, a ``varde`` that is text
    or not finite (inf, 1e400, Infinity), or a duplicate key. With ``known_status`` (a user's
    own file) ``status`` must be one of ``STATUS_TEXT``.
    """
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise OjError(f"{what} saknar kolumnen {', '.join(missing)}; kolumnerna ska vara {', '.join(COLUMNS)}.")
    out = df[COLUMNS].copy()
    for col in ("kpi", "kod", "niva", "kon", "kalla"):
        if out[col].isna().any():
            raise OjError(f"{what} har tomma värden i kolumnen {col}; varje rad måste ha {col}.")
        out[col] = out[col].astype(str)
    known = geo.units().set_index("kod")["niva"]
    unknown = sorted(set(out.kod.unique()) - set(known.index))
    if unknown:
        raise OjError(f"{what} innehåller okända områdeskoder ({_short_list(unknown)}); "
                      "koder ska vara kommunkoder, regionkoder (00 + länskod), 0000 för riket "
                      "eller stadsdelskoder från data/raw/referens/stadsdelar_stockholm_goteborg.csv.")
    expected = out.kod.map(known)
    wrong = out[(out.niva != expected) & ~(out.niva == "grupp")]
    if len(wrong):
        r = wrong.iloc[0]
        raise OjError(f"{what} har nivån '{r.niva}' för koden {r.kod}, som är {expected[wrong.index[0]]}; "
                      "rätta kolumnen niva.")
    bad_kon = sorted(set(out.kon.unique()) - set(KON))
    if bad_kon:
        raise OjError(f"{what} har okända värden i kolumnen kon ({_short_list(bad_kon)}); tillåtna är T, K och M.")
    ar = pd.to_numeric(out.ar, errors="coerce")
    if ar.isna().any() or (ar % 1 != 0).any():
        raise OjError(f"{what} har år som inte är heltal (t.ex. "
                      f"'{excerpt(out.ar[ar.isna() | (ar % 1 != 0)].iloc[0], 40)}').")
    odd_year = (ar < FIRST_YEAR) | (ar > LAST_YEAR)
    if odd_year.any():
        raise OjError(f"{what} har år utanför {FIRST_YEAR}–{LAST_YEAR} (t.ex. "
                      f"'{excerpt(out.ar[odd_year].iloc[0], 40)}'); "
                      "rätta året.")
    out["ar"] = ar.astype("int32")
    varde = pd.to_numeric(out.varde, errors="coerce").astype("float64")
    given = out.varde.notna() & (out.varde.astype(str).str.strip() != "")
    if (given & varde.isna()).any():
        raise OjError(f"{what} har värden i kolumnen varde som inte är tal (t.ex. "
                      f"'{excerpt(out.varde[given & varde.isna()].iloc[0], 40)}'); rätta dem eller lämna cellen tom.")
    if np.isinf(varde).any():
        raise OjError(f"{what} har värden i kolumnen varde som inte är ändliga tal (t.ex. "
                      f"'{excerpt(out.varde[np.isinf(varde)].iloc[0], 40)}'); rätta dem eller lämna cellen tom.")
    huge = varde.abs() > LARGEST
    if huge.any():
        raise OjError(f"{what} har värden i kolumnen varde som är orimligt stora (t.ex. "
                      f"'{excerpt(out.varde[huge].iloc[0], 40)}', större än 10^15); rätta dem eller lämna cellen tom.")
    out["varde"] = varde
    antal = pd.to_numeric(out.antal, errors="coerce")
    odd_antal = antal.notna() & ((antal < 0) | (antal > LARGEST) | (antal % 1 != 0))
    if odd_antal.any():
        raise OjError(f"{what} har antal som inte är heltal mellan 0 och 10^15 (t.ex. "
                      f"'{excerpt(out.antal[odd_antal].iloc[0], 40)}'); rätta dem eller lämna cellen tom.")
    out["antal"] = antal.astype("Int64")
    out["status"] = out.status.astype("object").where(out.status.notna() & (out.status != ""), None)
    if known_status:
        odd = sorted({str(x) for x in out.status.dropna().unique()} - set(STATUS_TEXT))
        if odd:
            raise OjError(f"{what} har okända värden i kolumnen status ({_short_list(odd)}); tillåtna är "
                          f"{', '.join(STATUS_TEXT)}, eller tomt.")
    no_reason = out.varde.isna() & out.status.isna()
    if no_reason.any():
        out.loc[no_reason, "status"] = "saknas"
    dup = out.duplicated(KEY, keep=False)
    if dup.any():
        r = out[dup].iloc[0]
        raise OjError(f"{what} har {int(dup.sum())} rader med samma nyckel, t.ex. kpi {r.kpi}, kod {r.kod}, "
                      f"år {r.ar}, kön {r.kon}; varje kombination får bara finnas en gång.")
    return out.sort_values(KEY, kind="mergesort").reset_index(drop=True)


def parquet_bytes(df: pd.DataFrame, kalla: str) -> bytes:
    """Deterministic Parquet bytes for a validated frame (same rows -> same bytes)."""
    table = pa.Table.from_pandas(df[COLUMNS], schema=SCHEMA, preserve_index=False)
    table = table.replace_schema_metadata({"ojlib.kalla": kalla, "ojlib.schema": "1"})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_statistics=True, row_group_size=ROW_GROUP)
    return buf.getvalue()


def dataset_path(kalla: str) -> Path:
    return paths.processed_dir() / f"{kalla}.parquet"


def manifest_path(kalla: str) -> Path:
    return paths.processed_dir() / f"{kalla}.json"


def save_dataset(df: pd.DataFrame, kalla: str, info: dict | None = None) -> Path:
    """Validate and write ``<kalla>.parquet`` and its manifest atomically.

    A failed validation raises before anything is written, so the previous file stays intact.
    """
    source = registry.get(kalla)  # "Okänd datakälla …"
    df = validate(df)
    if not source.file_rows and (df.kalla != kalla).any():
        raise OjError(f"Raderna har kalla {_short_list(sorted(set(df.kalla.unique())))}, men ska sparas som {kalla}.")
    data = parquet_bytes(df, kalla)
    manifest = {
        "kalla": kalla,
        "byggd": datetime.now(UTC).isoformat(timespec="seconds"),
        "rader": len(df),
        "kpi": int(df.kpi.nunique()),
        "kommuner": int(df.loc[df.niva == "kommun", "kod"].nunique()),
        "ar": sorted(int(a) for a in df.ar.unique()),
        **(info or {}),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    path = dataset_path(kalla)
    write_pair_atomic(path, data, manifest_path(kalla), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return path


def read_manifest(kalla: str) -> dict | None:
    """The manifest of a dataset, or None when there is none or it does not describe the data file."""
    return storage.read_manifest(dataset_path(kalla), manifest_path(kalla))


def fix_hint(kalla: str) -> str:
    """What to run when a source has no data (from the registry), e.g. "kör `oj hamta`"."""
    keys = [k.strip() for k in str(kalla).split(",") if k.strip()]
    hints = [registry.get(k).fix_hint for k in keys if registry.known(k)]
    return " eller ".join(dict.fromkeys(hints)) if hints else "kör `oj status`"


def _validate_saved(df: pd.DataFrame, kalla: str, path: Path) -> pd.DataFrame:
    """``validate`` for a saved dataset: its fix is to rebuild the file, not to edit cells (a file an
    older ojlib wrote may hold what the checks now refuse, e.g. a value of 1.7e308)."""
    try:
        return validate(df, what=f"Filen {path.name}")
    except OjError as err:
        what = excerpt(str(err).split("; ")[0].rstrip("."), 300)
        raise OjError(f"{what}; {rebuild_hint(kalla)}.") from None


def rebuild_hint(kalla: str) -> str:
    """What to run when a source's dataset file cannot be read, e.g. "kör `oj importera FIL --ersatt` …"."""
    if registry.known(kalla):
        src = registry.get(kalla)
        return src.rebuild_hint or f"{src.fix_hint} för att bygga om den"
    return "kör `oj status`"


def available(kalla: str) -> bool:
    """True when the source's processed dataset exists."""
    return dataset_path(kalla).exists()


def parse_kallor(spec) -> list[str]:
    """Validate a --datakalla value ("kolada", "kolada,egen", "alla") -> keys in precedence order."""
    return registry.parse(spec, available)


@dataclass
class Dataset:
    """A loaded, validated dataset with a small query API."""

    df: pd.DataFrame
    kalla: str
    info: dict = field(default_factory=dict)
    catalogue: Catalogue | None = None

    @property
    def kallor(self) -> list[str]:
        """The sources combined in this dataset, in precedence order."""
        return [k.strip() for k in self.kalla.split(",") if k.strip()]

    @property
    def is_example(self) -> bool:
        """True when example data is among the sources (its mark must be shown)."""
        return any(registry.is_example(k) for k in self.kallor)

    def manifests(self) -> dict[str, dict]:
        """Each source's manifest (where and when its data was made)."""
        if len(self.kallor) == 1:
            return {self.kalla: self.info}
        return dict(self.info.get("kallor", {}))

    def kallor_used(self, kpis=None, years=None) -> list[str]:
        """The sources that gave values to these KPIs and years, in precedence order."""
        if len(self.kallor) == 1:
            return list(self.kallor)
        df = self.df
        mask = df.varde.notna()
        if kpis is not None:
            mask &= df.kpi.isin(list(kpis))
        if years is not None:
            mask &= df.ar.isin([int(y) for y in years])
        present = set(df.loc[mask, "kalla"].unique())
        used = [k for k in self.kallor if k in present]
        return used + sorted(present - set(used)) if present else list(self.kallor)

    def missing_indicators(self, omrade=None, ar: int | None = None) -> list[Indicator]:
        """Catalogue indicators of the område(n) with no kommun value in these sources up to year
        ``ar`` (the latest year when None): what a report would otherwise drop silently."""
        inds = self.cat.for_omrade(omrade)
        span = self._kommun_years()
        return [i for i in inds if i.kpi not in span or (ar is not None and span[i.kpi][0] > int(ar))]

    def _kommun_years(self) -> dict[str, tuple[int, int]]:
        """kpi -> (first, last) year with a kommun value: once per dataset and process (a batch asks for every
        page's year and missing indicators, each a pass over all rows before)."""
        def span():
            d = self.df[self.df.varde.notna() & (self.df.niva == "kommun")]
            g = d.groupby("kpi", observed=True).ar.agg(["min", "max"])
            return {str(k): (int(lo), int(hi)) for k, lo, hi in zip(g.index, g["min"], g["max"], strict=True)}
        return memo.memo(("kommun_years", memo.fingerprint(self)), span)

    @property
    def cat(self) -> Catalogue:
        if self.catalogue is None:
            self.catalogue = load_catalogue()
        return self.catalogue

    @property
    def years(self) -> list[int]:
        return sorted(int(a) for a in self.df.ar.unique())

    def latest_year(self, omrade: str | list[str] | None = None) -> int:
        """The latest year with at least one kommun value in the område(n) (its compared indicators: a
        bakgrundsmått published earlier, such as the population, does not move the report's year)."""
        span = self._kommun_years()
        years = [span[i.kpi][1] for i in self.cat.jamforda(omrade) if i.kpi in span]
        if not years:
            raise OjError(f"Datakällan {self.kalla} har inga värden för området {omrade}; {fix_hint(self.kalla)}.")
        return max(years)

    def check_year(self, ar: int, omrade: str | list[str] | None = None) -> int:
        """Validate a year against the data of the område(n); return it as int."""
        try:
            year = int(ar)
        except (TypeError, ValueError):
            raise OjError(f"Året '{ar}' är inte ett årtal; ange t.ex. {self.years[-1]}.") from None
        kpis = [i.kpi for i in self.cat.for_omrade(omrade)]
        have = sorted(int(a) for a in self.df.loc[self.df.kpi.isin(kpis) & self.df.varde.notna(), "ar"].unique())
        if year not in have:
            span = f"{have[0]}–{have[-1]}" if have else "inga"
            raise OjError(f"Det finns inga värden för år {year} i {self.kalla}; tillgängliga år är {span}.")
        return year

    def select(self, omrade=None, lan=None, kommun=None, ar=None, kpi=None, kon=None,
               niva=None) -> pd.DataFrame:
        """Rows filtered by område, län (its kommuner and the län itself), kommun, year, KPI, sex, level.

        Each argument takes one value or a list; ``None`` means all. Unknown codes, områden or
        KPIs raise OjError with a Swedish message.
        """
        df = self.df
        mask = pd.Series(True, index=df.index)
        if omrade is not None:
            mask &= df.kpi.isin([i.kpi for i in self.cat.for_omrade(omrade)])
        if kpi is not None:
            kpis = [kpi] if isinstance(kpi, str) else list(kpi)
            for k in kpis:
                if k not in self.cat and k not in set(df.kpi.unique()):
                    self.cat[k]  # raises the Swedish error with suggestions
            mask &= df.kpi.isin(kpis)
        codes = _codes(lan, kommun)
        if codes is not None:
            mask &= df.kod.isin(codes)
        if ar is not None:
            years = [ar] if isinstance(ar, int | str) else list(ar)
            mask &= df.ar.isin([int(y) for y in years])
        if kon is not None:
            mask &= df.kon.isin([kon] if isinstance(kon, str) else list(kon))
        if niva is not None:
            mask &= df.niva.isin([niva] if isinstance(niva, str) else list(niva))
        return df[mask].reset_index(drop=True)

    def with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add the area name and the indicator's short name to a selection."""
        names = geo.area_names()
        out = frame.copy()
        out.insert(2, "namn", out.kod.map(names))
        out.insert(1, "indikator", out.kpi.map({i.kpi: i.namn for i in self.cat}))
        return out


def load_dataset(kalla: str = "exempeldata", path: Path | None = None) -> Dataset:
    """Load and validate the processed dataset of a source ("exempeldata", "kolada", "egen"), or
    several combined ("kolada,egen", "alla"; see the module docstring for the precedence)."""
    keys = parse_kallor(kalla)
    if len(keys) > 1:
        if path is not None:
            raise ValueError("path= works for one source only")
        return combine([load_dataset(k) for k in keys])
    kalla = keys[0]
    path = Path(path) if path else dataset_path(kalla)
    if not path.exists():
        raise OjError(f"Det finns ingen data från {kalla} ännu; {fix_hint(kalla)}.")
    try:
        table = pq.read_table(path)
    except Exception:
        raise OjError(f"Filen {path.name} går inte att läsa som Parquet; {rebuild_hint(kalla)}.") from None
    df = _validate_saved(table.to_pandas(), kalla, path)
    if registry.get(kalla).file_rows:  # rows keep a registry key; a file name in the column means this source
        df["kalla"] = df.kalla.where(df.kalla.isin(registry.keys()), kalla)
    return Dataset(df=df, kalla=kalla, info=read_manifest(kalla) or {})


def scan(kalla: str) -> pl.LazyFrame:
    """A lazy polars scan of one source's processed file: filters and column choices applied to it
    are pushed into the Parquet reader (rows are sorted by KPI in row groups of ``ROW_GROUP`` rows,
    so a filter on KPIs, i.e. on an område, skips whole row groups). Not validated: see ``load_selection``."""
    path = dataset_path(kalla)
    if not path.exists():
        raise OjError(f"Det finns ingen data från {kalla} ännu; {fix_hint(kalla)}.")
    return pl.scan_parquet(path)


def _codes(lan=None, kommun=None) -> list[str] | None:
    """The area codes ``Dataset.select`` keeps for a län (its kommuner and the län) and kommuner."""
    if lan is None and kommun is None:
        return None
    codes: set[str] = set()
    if lan is not None:
        for lk in [lan] if isinstance(lan, str | int) else lan:
            codes |= set(geo.kommuner_i_lan(lk)) | {geo.region_kod(lk)}
    if kommun is not None:
        codes |= {geo.normalise_kommun(k) for k in ([kommun] if isinstance(kommun, str | int) else kommun)}
    return sorted(codes)


def load_selection(kalla: str = "exempeldata", *, lan=None, kommun=None, omrade=None, ar=None,
                   catalogue: Catalogue | None = None) -> Dataset:
    """The rows of a län, kommun(er), område(n) and year(s), read with polars and validated; the same
    rows, types and order as ``load_dataset(kalla).select(...)``, without reading and validating the
    whole country. For one area's report, the explorer's first view, a benchmark; a national table
    needs every kommun, so leave ``lan`` and ``kommun`` out for it (``omrade`` alone still pays)."""
    keys = parse_kallor(kalla)
    if len(keys) > 1:
        return combine([load_selection(k, lan=lan, kommun=kommun, omrade=omrade, ar=ar, catalogue=catalogue)
                        for k in keys])
    kalla = keys[0]
    lf = scan(kalla)
    cat = catalogue or load_catalogue()
    if omrade is not None:
        lf = lf.filter(pl.col("kpi").is_in([i.kpi for i in cat.for_omrade(omrade)]))
    codes = _codes(lan, kommun)
    if codes is not None:
        lf = lf.filter(pl.col("kod").is_in(codes))
    if ar is not None:
        lf = lf.filter(pl.col("ar").is_in([int(y) for y in ([ar] if isinstance(ar, int | str) else ar)]))
    path = dataset_path(kalla)
    try:
        table = lf.collect().to_arrow().cast(SCHEMA)
    except (pl.exceptions.PolarsError, pa.ArrowInvalid, OSError):
        raise OjError(f"Filen {path.name} går inte att läsa som Parquet; {rebuild_hint(kalla)}.") from None
    df = _validate_saved(table.to_pandas(), kalla, path)
    if registry.get(kalla).file_rows:
        df["kalla"] = df.kalla.where(df.kalla.isin(registry.keys()), kalla)
    return Dataset(df=df, kalla=kalla, info=read_manifest(kalla) or {}, catalogue=cat)


def combine(parts: list[Dataset]) -> Dataset:
    """One dataset from several: a value beats a missing value, then the first source wins."""
    frames = []
    for rank, ds in enumerate(parts):
        frames.append(ds.df.assign(_har=ds.df.varde.isna().astype("int8"), _rang=rank))
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["_har", "_rang"], kind="mergesort").drop_duplicates(KEY, keep="first")
    df = df.drop(columns=["_har", "_rang"]).sort_values(KEY, kind="mergesort").reset_index(drop=True)
    kalla = ",".join(ds.kalla for ds in parts)
    info = {"kallor": {ds.kalla: ds.info for ds in parts}}
    return Dataset(df=df, kalla=kalla, info=info)

