"""Read a file into sheets of raw cells: every sheet of an .xlsx, or one CSV in any common dialect.

Cells keep their type (text, int, float, None). Excel cells formatted as % are flagged, because
Excel stores 45 % as 0.45. Merged ranges are kept so the layout step can fill header cells.
CSV: the encoding under which the most kommun names are recognised (``encoding``); separator
``;``, ``,`` or tab.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ojlib.base.errors import OjError
from ojlib.data.importer import encoding

EXCEL = (".xlsx", ".xlsm")
MAX_BYTES = 100_000_000  # an ÖJ workbook is well under 10 MB
CALAMINE_FROM_BYTES = 1_000_000  # from this size calamine reads the workbook (openpyxl takes seconds)
TEXT = (".csv", ".txt", ".tsv")


@dataclass
class Sheet:
    """One sheet: ``rows[r][c]`` (0-based), % formatted cells, merged ranges (r1, c1, r2, c2; inclusive)."""

    name: str
    rows: list[list]
    percent: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    encoding: str | None = None
    encoding_why: str | None = None
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


def read_sheets(path: Path, kodning: str | None = None) -> list[Sheet]:
    """All sheets of the file, in order. Raises OjError for a missing or unreadable file.

    ``kodning``: a CSV's text encoding, instead of finding it (``--kodning``)."""
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
        return [_read_csv(path, kodning)]
    if suffix == ".xls":
        raise OjError(f"Filen {path.name} är i det gamla Excel-formatet .xls; öppna den i Excel eller LibreOffice "
                      "och spara som .xlsx.")
    raise OjError(f"Filtypen {suffix or '(ingen)'} stöds inte; använd .xlsx eller .csv.")


def _read_excel(path: Path) -> list[Sheet]:
    """A large workbook through calamine (Rust, reads values ~10× faster than openpyxl), a small
    one through openpyxl; both give the same sheets (``benchmarks/importer.py`` measures it)."""
    if path.stat().st_size >= CALAMINE_FROM_BYTES:
        return _read_excel_calamine(path)
    return _read_excel_openpyxl(path)


def _read_excel_calamine(path: Path) -> list[Sheet]:
    """Values through python-calamine; % formats and merged ranges from the workbook's XML."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
        percent = _percent_cells(path)
    except Exception:
        raise OjError(f"Filen {path.name} går inte att öppna som Excel-arbetsbok; kontrollera att den är en "
                      ".xlsx-fil som inte är skadad eller lösenordsskyddad.") from None
    sheets = []
    for name in names:
        ws = wb.get_sheet_by_name(name)
        rows = [[None if v == "" else v for v in row] for row in ws.to_python(skip_empty_area=False)]
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        merged = [((r1, c1), (r2, c2)) for (r1, c1), (r2, c2) in (ws.merged_cell_ranges or [])]
        pct = {rc for rc in percent.get(name, set())
               if rc[0] < len(rows) and rc[1] < len(rows[rc[0]])
               and isinstance(rows[rc[0]][rc[1]], int | float) and not isinstance(rows[rc[0]][rc[1]], bool)}
        sheets.append(Sheet(name, rows, pct, [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in merged]))
    return sheets


_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def _percent_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name, the (row, col) of cells whose number format shows a percentage."""
    import zipfile
    from xml.etree import ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        files = set(z.namelist())
        if "xl/styles.xml" not in files:
            return {}
        styles = ET.fromstring(z.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")) for f in styles.iterfind("m:numFmts/m:numFmt", ns)
                  if "%" in (f.get("formatCode") or "")}
        xfs = [int(x.get("numFmtId") or 0) for x in styles.iterfind("m:cellXfs/m:xf", ns)]
        pct_styles = [str(i) for i, f in enumerate(xfs) if f in (9, 10) or f in custom]
        if not pct_styles:
            return {}
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        cell = re.compile(rb'<c r="([A-Z]{1,3}\d+)"[^>]*? s="(?:' + "|".join(pct_styles).encode() + rb')"')
        out = {}
        for sh in ET.fromstring(z.read("xl/workbook.xml")).iterfind("m:sheets/m:sheet", ns):
            target = rels.get(sh.get(rel_ns), "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if target not in files:
                continue
            found = set()
            for m in cell.finditer(z.read(target)):
                col, row = _CELL_REF.match(m.group(1).decode()).groups()
                found.add((int(row) - 1, column_index(col)))
            out[sh.get("name")] = found
        return out


def column_index(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _read_excel_openpyxl(path: Path) -> list[Sheet]:
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


def _read_csv(path: Path, kodning: str | None = None) -> Sheet:
    d = encoding.decode(path.read_bytes(), kodning, path.name)
    delim = sniff_delimiter(d.text)
    rows = [[v if v.strip() else None for v in row] for row in csv.reader(io.StringIO(d.text), delimiter=delim)]
    return Sheet(path.stem, rows, encoding=d.encoding, encoding_why=d.why, delimiter=delim)
