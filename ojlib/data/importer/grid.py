"""Read a file into sheets of raw cells: every sheet of an .xlsx, or one CSV in any common dialect.

Cells keep their type (text, int, float, None). Excel cells formatted as % are flagged, because
Excel stores 45 % as 0.45. Merged ranges are kept so the layout step can fill header cells.
CSV: the encoding under which the most kommun names are recognised (``encoding``); separator
``;``, ``,`` or tab.

Limits come before reading, so that a small hostile file cannot take the machine's memory: the
file size; for a workbook the uncompressed size of its parts (a zip bomb) read from the zip
directory; then each sheet's XML is scanned without building it: the cells with a value, the
used range (rows × columns that hold values: one cell at XFD1048576 is refused without padding a
million rows), the columns and the merged ranges (clipped to the used range). A small workbook is
read by that same streaming scan (openpyxl's sheet parser); a large one is scanned first (a regex
over the XML, the plain form Excel writes; anything else goes the streaming way) and then read by
calamine. A formula cell whose value was never saved is recorded: reading it as empty would
replace real values with "saknas", so the plan refuses it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ojlib.base.errors import OjError
from ojlib.data.importer import encoding

EXCEL = (".xlsx", ".xlsm")
MAX_BYTES = 100_000_000  # an ÖJ workbook is well under 10 MB
CALAMINE_FROM_BYTES = 1_000_000  # from this size calamine reads the workbook (openpyxl takes seconds)
MAX_UNPACKED = 400_000_000  # bytes of a workbook's parts uncompressed; a 10 MB ÖJ workbook is about 60 MB
MAX_SHARED_STRINGS = 100_000_000  # bytes of the shared strings part, which openpyxl holds in memory whole
MAX_CELLS = 3_000_000  # cells with a value, all sheets together (an ÖJ workbook: about 100 000)
MAX_AREA = 10_000_000  # rows × columns of one sheet's used range
MAX_COLUMNS = 2_000  # columns of one sheet's used range (an ÖJ sheet: under 300)
MAX_MERGED = 20_000  # merged ranges of one sheet
MAX_FIELD = 10_000  # characters of one CSV field (a header of an ÖJ question: under 500)
MAX_FIELD_LINES = 20  # line breaks inside one quoted CSV field; more is an unclosed quote
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
    unsaved_formulas: list[tuple[int, int]] = field(default_factory=list)  # formula cells without a saved value

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
    """A large workbook through calamine (Rust, reads values ~10× faster than openpyxl) once a scan of
    its XML has checked the limits, a small one (or one the scan cannot read) through the streaming
    reader, which checks them as it goes; both give the same sheets (``benchmarks/importer.py``)."""
    _check_zip(path)
    if path.stat().st_size >= CALAMINE_FROM_BYTES:
        scanned = _scan(path)
        if scanned is not None:
            return _read_excel_calamine(path, scanned)
    return _read_excel_streaming(path)


def _read_excel_calamine(path: Path, scanned: dict[str, list[tuple[int, int]]]) -> list[Sheet]:
    """Values through python-calamine; % formats and merged ranges from the workbook's XML.
    ``scanned``: per sheet name, its formula cells without a saved value (from ``_scan``)."""
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
        width = max((len(r) for r in rows), default=0)
        merged = [(r1, c1, min(r2, len(rows) - 1), min(c2, width - 1))
                  for (r1, c1), (r2, c2) in (ws.merged_cell_ranges or []) if r1 < len(rows) and c1 < width]
        if len(merged) > MAX_MERGED:
            raise _too_big(f"Bladet {name} i {path.name}", "sammanslagna cellområden", MAX_MERGED, _FIX)
        pct = {rc for rc in percent.get(name, set())
               if rc[0] < len(rows) and rc[1] < len(rows[rc[0]])
               and isinstance(rows[rc[0]][rc[1]], int | float) and not isinstance(rows[rc[0]][rc[1]], bool)}
        sheets.append(Sheet(name, rows, pct, merged, unsaved_formulas=scanned.get(name, [])))
    return sheets


_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def _sheet_parts(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, its part in the zip) for every worksheet, in the workbook's order."""
    from xml.etree import ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    files = set(z.namelist())
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    out = []
    for sh in ET.fromstring(z.read("xl/workbook.xml")).iterfind("m:sheets/m:sheet", ns):
        target = rels.get(sh.get(rel_ns), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if target in files:
            out.append((sh.get("name"), target))
    return out


def _percent_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name, the (row, col) of cells whose number format shows a percentage."""
    from xml.etree import ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        if "xl/styles.xml" not in set(z.namelist()):
            return {}
        styles = ET.fromstring(z.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")) for f in styles.iterfind("m:numFmts/m:numFmt", ns)
                  if "%" in (f.get("formatCode") or "")}
        xfs = [int(x.get("numFmtId") or 0) for x in styles.iterfind("m:cellXfs/m:xf", ns)]
        pct_styles = [str(i) for i, f in enumerate(xfs) if f in (9, 10) or f in custom]
        if not pct_styles:
            return {}
        cell = re.compile(rb'<c r="([A-Z]{1,3}\d+)"[^>]*? s="(?:' + "|".join(pct_styles).encode() + rb')"')
        out = {}
        for name, target in _sheet_parts(z):
            found = set()
            for m in cell.finditer(z.read(target)):
                col, row = _CELL_REF.match(m.group(1).decode()).groups()
                found.add((int(row) - 1, column_index(col)))
            out[name] = found
        return out


_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"([^>]*?)(?:/>|>(.*?)</c>)', re.S)


def _scan(path: Path) -> dict[str, list[tuple[int, int]]] | None:
    """Check a workbook's limits from its sheets' XML before calamine builds them; per sheet name
    the formula cells without a saved value. None: a sheet is not in the plain form this scan reads
    (cells without a leading ``r``, prefixed names) or has empty cells beyond its values that
    calamine might pad, so the streaming reader must read the workbook instead."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = _sheet_parts(z)
            out, total = {}, 0
            for name, target in parts:
                data = z.read(target)
                if b"<c>" in data or re.search(rb"<[A-Za-z_]\w*:c[\s>]", data):
                    return None
                seen = rows = cols = any_rows = any_cols = 0
                unsaved, index = [], {}
                for m in _CELL.finditer(data):
                    seen += 1
                    letters = m.group(1)
                    c = index.get(letters)
                    if c is None:
                        c = index[letters] = column_index(letters.decode())
                    r = int(m.group(2))
                    any_rows, any_cols = max(any_rows, r), max(any_cols, c + 1)
                    body = m.group(4)
                    if not body:
                        continue  # formatted but empty
                    saved = b"<v>" in body and b"<v></v>" not in body or b"<is>" in body \
                        or b"<v></v>" in body and b't="str"' in m.group(3)
                    if not saved and b"<f" not in body:
                        continue
                    if not saved:
                        unsaved.append((r - 1, c))
                    total += 1
                    rows, cols = max(rows, r), max(cols, c + 1)
                    _check_used(path, name, total, rows, cols)
                if seen != data.count(b"<c "):
                    return None
                if any_rows * any_cols > MAX_AREA or any_cols > MAX_COLUMNS:
                    return None  # empty cells far out: the streaming reader skips them
                out[name] = unsaved
            return out
    except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError):
        return None  # the streaming reader gives the sentence


def _check_used(path: Path, sheet: str, cells: int, rows: int, cols: int) -> None:
    """Refuse a sheet whose values reach past the limits (``cells`` counted over the whole workbook)."""
    what = f"Bladet {sheet} i {path.name}"
    if cells > MAX_CELLS:
        raise _too_big(f"Arbetsboken {path.name}", "celler med värden", MAX_CELLS, _FIX)
    if rows * cols > MAX_AREA or cols > MAX_COLUMNS:
        from openpyxl.utils import get_column_letter
    if rows * cols > MAX_AREA:
        raise OjError(f"{what} har värden ända till cell {get_column_letter(cols)}{rows} ({_n(rows)} rader × "
                      f"{_n(cols)} kolumner, mer än de {_n(MAX_AREA)} celler som importen läser); {_FIX}.")
    if cols > MAX_COLUMNS:
        raise _too_big(what, "kolumner med värden", MAX_COLUMNS, _FIX,
                       f"värden ända till kolumn {get_column_letter(cols)} och längre")


def column_index(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_FIX = ("ta bort överflödiga rader, kolumner och celler i Excel, eller kopiera tabellen till en ny arbetsbok, "
        "och försök igen")


def _n(n: float) -> str:
    """A count with Swedish thousands spaces: 10 000."""
    return f"{n:,.0f}".replace(",", " ")


def _too_big(name: str, what: str, limit: int, fix: str, seen: str | None = None) -> OjError:
    """"<name> har fler <what> än de <limit> som importen läser (<seen>); <fix>." """
    return OjError(f"{name} har fler {what} än de {_n(limit)} som importen läser"
                   + (f" ({seen})" if seen else "") + f"; {fix}.")


def _check_zip(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than ``MAX_UNPACKED`` bytes, before unpacking.

    The sizes come from the zip directory; Python's zip reader stops at the declared size (and
    fails the checksum), so a part cannot unpack to more than it declares.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl says it is not a workbook, in the sentence below
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise OjError(f"Arbetsboken {path.name} packas upp till {_n(total / 1e6)} MB, mer än de "
                      f"{_n(MAX_UNPACKED / 1e6)} MB som importen läser (en ÖJ-arbetsbok är under 100 MB "
                      "uppackad); kontrollera att det är rätt fil, eller spara bladen som CSV.")
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if strings > MAX_SHARED_STRINGS:
        raise OjError(f"Arbetsboken {path.name} har {strings / 1e6:.0f} MB text, mer än de "
                      f"{MAX_SHARED_STRINGS / 1e6:.0f} MB som importen läser; kontrollera att det är rätt fil.")


def _parser_class():
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        """openpyxl's streaming sheet parser that also marks formula cells without a saved value
        and keeps a number too long for Python's int as its text (the plan refuses it)."""

        def parse_cell(self, element):
            try:
                cell = super().parse_cell(element)
            except ValueError:  # e.g. a 5 000-digit number: int() refuses it
                from openpyxl.utils.cell import coordinate_to_tuple

                row, column = coordinate_to_tuple(element.get("r"))
                cell = {"row": row, "column": column, "value": element.findtext(VALUE_TAG), "style_id": 0}
            if cell["value"] is None and element.find(FORMULA_TAG) is not None \
                    and (element.find(VALUE_TAG) is None or element.get("t") != "str"):  # t="str": "" was saved
                cell["unsaved"] = True
            return cell

    return Parser


def _read_excel_streaming(path: Path) -> list[Sheet]:
    import openpyxl
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.utils.cell import range_boundaries

    bad = OjError(f"Filen {path.name} går inte att öppna som Excel-arbetsbok; kontrollera att den är en "
                  ".xlsx-fil som inte är skadad eller lösenordsskyddad.")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (MemoryError, RecursionError):
        raise
    except Exception:
        raise bad from None
    parser_class = _parser_class()

    def percent_style(style_id) -> bool:
        try:
            fmt_id = wb._cell_styles[style_id].numFmtId
            fmt = BUILTIN_FORMATS.get(fmt_id, "General") if fmt_id < BUILTIN_FORMATS_MAX_SIZE \
                else wb._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
        except (IndexError, KeyError, TypeError, AttributeError):
            return False
        return "%" in str(fmt)

    sheets, cells_total = [], 0
    try:
        for ws in wb.worksheets:
            found: dict[int, dict[int, object]] = {}
            percent_cells, unsaved = set(), []
            max_row = max_col = 0
            with ws._get_source() as src:
                parser = parser_class(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                      date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                for _, row in parser.parse():
                    for c in row:
                        v = c["value"]
                        if c.get("unsaved"):
                            unsaved.append((c["row"] - 1, c["column"] - 1))
                        elif v is None or isinstance(v, str) and not v.strip():
                            continue
                        r0, c0 = c["row"] - 1, c["column"] - 1
                        cells_total += 1
                        max_row, max_col = max(max_row, r0 + 1), max(max_col, c0 + 1)
                        _check_used(path, ws.title, cells_total, max_row, max_col)
                        if v is not None:
                            found.setdefault(r0, {})[c0] = v
                            if isinstance(v, int | float) and not isinstance(v, bool) and c.get("style_id") \
                                    and percent_style(c["style_id"]):
                                percent_cells.add((r0, c0))
                merges = list(parser.merged_cells.mergeCell) if parser.merged_cells else []
            if len(merges) > MAX_MERGED:
                raise _too_big(f"Bladet {ws.title} i {path.name}", "sammanslagna cellområden", MAX_MERGED, _FIX,
                               _n(len(merges)))
            rows = [[None] * (max(found[r]) + 1) if r in found else [] for r in range(max_row)]
            for r, cols in found.items():
                for c, v in cols.items():
                    rows[r][c] = v
            merged = []
            for m in merges:
                try:
                    c1, r1, c2, r2 = range_boundaries(m.ref)
                except (ValueError, TypeError):
                    continue
                if r1 <= max_row and c1 <= max_col:  # clipped to the used range: E10:XFD1048576 costs nothing
                    merged.append((r1 - 1, c1 - 1, min(r2, max_row) - 1, min(c2, max_col) - 1))
            sheets.append(Sheet(ws.title, rows, percent_cells, merged, unsaved_formulas=unsaved))
    except OjError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception:
        raise bad from None
    finally:
        wb.close()
    return sheets


def sniff_delimiter(text: str) -> str:
    """The separator (; , or tab) that splits the most lines into the same number of fields (> 1)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:60]
    best, best_score = ";", -1.0
    for delim in ("\t", ";", ","):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        except csv.Error:  # a field over the limit: the reader says so with the line
            continue
        modal, n = Counter(counts).most_common(1)[0] if counts else (1, 0)
        score = n + modal / 1000 if modal > 1 else -1
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(path: Path, kodning: str | None = None) -> Sheet:
    d = encoding.decode(path.read_bytes(), kodning, path.name)
    delim = sniff_delimiter(d.text)
    rows, cells = [], 0
    old_limit = csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(d.text), delimiter=delim)
    line = 1  # the line the next row starts on
    try:
        for row in reader:
            for v in row:
                if v.count("\n") > MAX_FIELD_LINES:
                    raise OjError(f"Filen {path.name}, rad {line}: ett citattecken (\") stängs aldrig, så resten "
                                  "av filen blev ett enda fält; lägg till det avslutande citattecknet och försök igen.")
            cells += len(row)
            if cells > MAX_CELLS:
                raise _too_big(f"Filen {path.name}", "fält", MAX_CELLS, "dela upp filen och läs in delarna var för sig")
            rows.append([v if v.strip() else None for v in row])
            line = reader.line_num + 1
    except csv.Error:
        raise OjError(f"Filen {path.name}, rad {line}: ett fält är längre än {_n(MAX_FIELD)} tecken, troligen "
                      "ett citattecken (\") som aldrig stängs; rätta raden och försök igen.") from None
    finally:
        csv.field_size_limit(old_limit)
    width = max((len(r) for r in rows), default=0)
    if width > MAX_COLUMNS:
        raise _too_big(f"Filen {path.name}", "kolumner", MAX_COLUMNS, "kontrollera avgränsaren och att det är rätt fil",
                       f"{_n(width)} kolumner")
    return Sheet(path.stem, rows, encoding=d.encoding, encoding_why=d.why, delimiter=delim)
