"""Read a file into sheets of raw cells: every sheet of an .xlsx, or one CSV in any common dialect.

Cells keep their type (text, int, float, None). Excel cells formatted as % are flagged, because
Excel stores 45 % as 0.45. Merged ranges are kept so the layout step can fill header cells.
CSV: UTF-8 with or without BOM, UTF-16 with BOM, else cp1252; separator ``;``, ``,`` or tab.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ojlib.base.errors import OjError

EXCEL = (".xlsx", ".xlsm")
MAX_BYTES = 100_000_000  # an ÖJ workbook is well under 10 MB
TEXT = (".csv", ".txt", ".tsv")


@dataclass
class Sheet:
    """One sheet: ``rows[r][c]`` (0-based), % formatted cells, merged ranges (r1, c1, r2, c2; inclusive)."""

    name: str
    rows: list[list]
    percent: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, r: int, c: int):
        row = self.rows[r] if 0 <= r < len(self.rows) else []
        return row[c] if c < len(row) else None

    def filled(self, r: int, c: int):
        """The cell's value, or the value of the merged range it lies in."""
        v = self.cell(r, c)
        if v is not None and str(v).strip():
            return v
        for r1, c1, r2, c2 in self.merged:
            if r1 <= r <= r2 and c1 <= c <= c2:
                return self.cell(r1, c1)
        return v


def read_sheets(path: Path) -> list[Sheet]:
    """All sheets of the file, in order. Raises OjError for a missing or unreadable file."""
    path = Path(path)
    if not path.exists():
        raise OjError(f"Filen {path} finns inte; kontrollera sökvägen.")
    if path.is_dir():
        raise OjError(f"{path} är en mapp; ange en .xlsx- eller .csv-fil.")
    if path.stat().st_size > MAX_BYTES:
        raise OjError(f"Filen {path.name} är {path.stat().st_size / 1e6:.0f} MB, mer än de {MAX_BYTES / 1e6:.0f} MB "
                      "som importen läser; kontrollera att det är rätt fil.")
    suffix = path.suffix.lower()
    if suffix in EXCEL:
        return _read_excel(path)
    if suffix in TEXT:
        return [_read_csv(path)]
    if suffix == ".xls":
        raise OjError(f"Filen {path.name} är i det gamla Excel-formatet .xls; öppna den i Excel eller LibreOffice "
                      "och spara som .xlsx.")
    raise OjError(f"Filtypen {suffix or '(ingen)'} stöds inte; använd .xlsx eller .csv.")


def _read_excel(path: Path) -> list[Sheet]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception:
        raise OjError(f"Filen {path.name} går inte att öppna som Excel-arbetsbok; kontrollera att den är en "
                      ".xlsx-fil som inte är skadad eller lösenordsskyddad.") from None
    sheets = []
    for ws in wb.worksheets:
        rows, percent = [], set()
        for r, row in enumerate(ws.iter_rows()):
            values = []
            for c, cell in enumerate(row):
                v = cell.value
                if isinstance(v, int | float) and not isinstance(v, bool) and "%" in str(cell.number_format or ""):
                    percent.add((r, c))
                values.append(v)
            rows.append(values)
        merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        sheets.append(Sheet(ws.title, rows, percent, merged))
    return sheets


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (BOM or not), UTF-16 with BOM, else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """The separator (; , or tab) that splits the most lines into the same number of fields (> 1)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:60]
    best, best_score = ";", -1.0
    for delim in ("\t", ";", ","):
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        modal, n = Counter(counts).most_common(1)[0] if counts else (1, 0)
        score = n + modal / 1000 if modal > 1 else -1
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(path: Path) -> Sheet:
    text, encoding = decode(path.read_bytes())
    delim = sniff_delimiter(text)
    rows = [[v if v.strip() else None for v in row] for row in csv.reader(io.StringIO(text), delimiter=delim)]
    return Sheet(path.stem, rows, encoding=encoding, delimiter=delim)
