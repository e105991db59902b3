"""Own files: a tidy CSV or Excel file with the dataset's columns, imported as the source "egen".

The file needs the columns kpi, kod, ar, varde and optionally niva, kon, status, antal, kalla.
Missing ``niva`` is derived from the code, missing ``kon`` is T, missing ``kalla`` is the file
name. The whole file is validated before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ojlib import geo
from ojlib.dataset import COLUMNS, save_dataset, validate
from ojlib.errors import OjError

REQUIRED = ("kpi", "kod", "ar", "varde")


def read_tidy(path: Path | str) -> pd.DataFrame:
    """Read and validate a tidy file; raise OjError with one Swedish sentence on a problem."""
    path = Path(path)
    if not path.exists():
        raise OjError(f"Filen {path} finns inte; kontrollera sökvägen.")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype={"kod": str, "kpi": str})
        elif path.suffix.lower() in (".csv", ".txt"):
            raw = pd.read_csv(path, dtype={"kod": str, "kpi": str}, sep=None, engine="python")
        else:
            raise OjError(f"Filtypen {path.suffix or '(ingen)'} stöds inte; använd .csv eller .xlsx.")
    except OjError:
        raise
    except Exception:
        raise OjError(f"Filen {path.name} går inte att läsa som tabell; spara den som CSV (UTF-8) eller .xlsx.") \
            from None
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise OjError(f"Filen {path.name} saknar kolumnen {', '.join(missing)}; "
                      f"en tidy fil har kolumnerna {', '.join(COLUMNS)}.")
    df = raw.copy()
    df["kod"] = df.kod.astype(str).str.strip().str.zfill(4)
    if "niva" not in df:
        df["niva"] = df.kod.map(geo.areas().set_index("kod")["niva"]).fillna("kommun")
    for col, default in (("kon", "T"), ("status", None), ("antal", pd.NA), ("kalla", path.name)):
        if col not in df:
            df[col] = default
    return validate(df, what=f"Filen {path.name}")


def import_file(path: Path | str) -> Path:
    """Validate a tidy file and save it as the dataset ``egen`` (atomically)."""
    return save_dataset(read_tidy(path), "egen", {"fil": Path(path).name})
