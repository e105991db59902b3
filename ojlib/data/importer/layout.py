"""Where the table is in a sheet: unit columns, header rows, value columns and data rows.

Nothing is hard-coded. The unit column is the one whose cells are recognised as riket, län,
kommun or stadsdel; the data start at the first such row that has values; the header rows are
the (at most three) rows right above it that have text over the value columns. Of these the last
row that is not a unit row ("Ja/Nej", "Andel (%)") holds the indicator names; rows above it are
group rows (e.g. a kvalitetsområde). Merged header cells count for every column they span.
Rows below the table without a unit and without values (footnotes, sources) are text rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from ojlib.data.importer import units
from ojlib.data.importer.cells import ANSWERS, clean_text, parse_cell
from ojlib.data.importer.grid import Sheet

CODE_HEADERS = re.compile(r"^(k-?kod|kod|kommunkod|kommun-?kod|länskod|lanskod|regionkod|områdeskod|omradeskod|"
                          r"kommun ?nr|kommunnummer|lkod|kkod|region-?id)$")
NAME_HEADERS = re.compile(r"^(kommun|kommunnamn|kommun/län|län/kommun|län|region|namn|område|omrade|enhet|"
                          r"kommun/stadsdel|kommun, stadsdel|kommun eller stadsdel|organisation|riket/län/kommun)$")
REGI_HEADERS = re.compile(r"^(regi|regiform|driftform|utförare|huvudman)$")
YEAR_HEADERS = re.compile(r"^(år|ar|mätår|undersökningsår|year)$")
KON_HEADERS = re.compile(r"^(kön|kon)$")
META_HEADERS = re.compile(r"^(kommungrupp|kommuntyp|kommungruppsindelning|länsnamn|länskod|lan|kommungrupp ?\(skr\))$")
UNIT_ROW = re.compile(r"^\(?(ja\s*/\s*nej(\s*/\s*delvis)?|ja\s*=\s*1,?\s*nej\s*=\s*0|"
                      r"andel(\s*\(?%\)?|\s+i\s+procent|\s*\(procent\))?|%|procent|procentenheter|"
                      r"antal(\s*\(st\)|\s+st)?|st|kr|kronor|kr/inv(ånare)?|kronor per invånare|"
                      r"medelvärde|median|skala(\s*[0-9][-–0-9 ]*)?|värde|enhet|poäng|dagar|antal dagar)\)?$")


@dataclass
class Column:
    index: int
    header: str
    group: str | None = None
    unit: str | None = None

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass
class Table:
    """A found table. Row numbers are 0-based indexes into ``sheet.rows`` (shown +1 to users)."""

    sheet: Sheet
    header_rows: list[int]
    indicator_row: int
    columns: list[Column]
    data_rows: list[int]
    name_col: int | None = None
    code_col: int | None = None
    regi_col: int | None = None
    year_col: int | None = None
    kon_col: int | None = None
    heading_rows: list[int] = field(default_factory=list)
    text_rows: list[int] = field(default_factory=list)
    title_text: str = ""
    unnamed_columns: list[int] = field(default_factory=list)
    other_unit_cols: list[int] = field(default_factory=list)  # e.g. Länskod/Län beside Kommunkod/Kommun


def _text(v) -> str:
    return clean_text(v) if v is not None else ""


def _hkey(v) -> str:
    return _text(v).lower().rstrip(":")


def _nonempty(v) -> bool:
    return v is not None and _text(v) != ""


def _unit_columns(sheet: Sheet, max_cols: int = 8) -> tuple[int | None, int | None]:
    """(name column, code column) by how many different units their cells name.

    Counting different units (not cells) keeps a "Län" column that repeats the län name on
    every kommun row from winning over the kommun column beside it.
    """
    n_rows = len(sheet.rows)
    best_name, best_name_hits = None, 0
    best_code, best_code_hits = None, 0
    for c in range(min(sheet.width, max_cols)):
        name_units: set = set()
        code_units: set = set()
        code_header = False
        for r in range(n_rows):
            v = sheet.cell(r, c)
            if not _nonempty(v):
                continue
            if CODE_HEADERS.match(_hkey(v)):
                code_header = True
            t = _text(v)
            if isinstance(v, str) and t.isdigit() and (len(t) in (4, 6) or code_header and len(t) == 2) \
                    or isinstance(v, int | float) and not isinstance(v, bool) and code_header:
                u = units.recognise(code=v)
                if u.known:
                    code_units.add(u.kod)
            elif isinstance(v, str) and not t.isdigit():
                u = units.recognise(name=v)
                if u.known:
                    name_units.add((u.kod, u.text))
        name_hits, code_hits = len(name_units), len(code_units)
        if name_hits > best_name_hits:
            best_name, best_name_hits = c, name_hits
        if code_hits > best_code_hits:
            best_code, best_code_hits = c, code_hits
    return best_name, best_code


def _row_unit(sheet: Sheet, r: int, name_col, code_col) -> units.Unit:
    name = sheet.cell(r, name_col) if name_col is not None else None
    code = sheet.cell(r, code_col) if code_col is not None else None
    return units.recognise(code=code, name=name)


NO_UNITS = "inga rader med kända kommuner, län eller riket"
NO_HEADER = "ingen rubrikrad med indikatornamn ovanför raderna med kommuner, län eller riket"


def find_table(sheet: Sheet) -> tuple[Table | None, str | None]:
    """(the table of a sheet, None), or (None, why there is none)."""
    name_col, code_col = _unit_columns(sheet)
    if name_col is None and code_col is None:
        return None, NO_UNITS
    first_value_col = max(c for c in (name_col, code_col) if c is not None) + 1
    width = sheet.width

    def has_values(r):
        return any(_nonempty(sheet.cell(r, c)) for c in range(first_value_col, width))

    hits = [r for r in range(len(sheet.rows)) if _row_unit(sheet, r, name_col, code_col).known and has_values(r)]
    if not hits:
        return None, NO_UNITS
    r0 = hits[0]
    # header rows: skip län headings right above the data, then up to three rows with text over the values
    r = r0 - 1
    while r >= 0 and not has_values(r) and _row_unit(sheet, r, name_col, code_col).known:
        r -= 1
    def data_like(rr):  # numbers and Ja/Nej answers are values, not header text
        parsed = [parse_cell(v) for v in (sheet.cell(rr, c) for c in range(first_value_col, width)) if _nonempty(v)]
        values = [p for p in parsed if p.kind == "number" or p.kind == "label" and p.label in ANSWERS.values()]
        return bool(parsed) and len(values) > len(parsed) / 2

    while r >= 0 and data_like(r) and not _row_unit(sheet, r, name_col, code_col).known:
        r -= 1  # rows with values but no known unit right above the first known one: reported as data rows later
    header_rows = []
    while (r >= 0 and len(header_rows) < 3 and not data_like(r)
           and any(_nonempty(sheet.filled(r, c)) for c in range(first_value_col, width))):
        if len({_text(sheet.filled(r, c)) for c in range(first_value_col, width)} - {""}) == 1 \
                and not _nonempty(sheet.cell(r, first_value_col)) and header_rows:
            break  # a one-cell title or legend line, not a header
        header_rows.insert(0, r)
        r -= 1
    if not header_rows:
        return None, NO_HEADER
    title_text = " ".join(_text(v) for rr in range(0, header_rows[0]) for v in sheet.rows[rr] if _nonempty(v))

    def is_unit_row(hr):
        cells = [_hkey(sheet.filled(hr, c)) for c in range(first_value_col, width)]
        cells = [x for x in cells if x]
        return bool(cells) and sum(bool(UNIT_ROW.match(x)) for x in cells) > len(cells) / 2

    unit_rows = [hr for hr in header_rows if is_unit_row(hr)]
    label_rows = [hr for hr in header_rows if hr not in unit_rows]
    if not label_rows:
        return None, NO_HEADER
    indicator_row = label_rows[-1]
    group_rows = label_rows[:-1]
    unit_row = unit_rows[-1] if unit_rows else None

    table = Table(sheet, header_rows, indicator_row, [], [], name_col=name_col, code_col=code_col,
                  title_text=f"{sheet.name} {title_text}")
    # left-hand columns with a meaning (regi, year, sex) may sit anywhere among the header cells
    for c in range(width):
        h = _hkey(sheet.filled(indicator_row, c))
        if c in (name_col, code_col):
            continue
        if REGI_HEADERS.match(h):
            table.regi_col = c
        elif YEAR_HEADERS.match(h):
            table.year_col = c
        elif KON_HEADERS.match(h):
            table.kon_col = c
    skip = {name_col, code_col, table.regi_col, table.year_col, table.kon_col}
    heads = {c: _hkey(sheet.filled(indicator_row, c)) for c in range(first_value_col)}
    table.other_unit_cols = [c for c, h in heads.items()
                             if c not in skip and (NAME_HEADERS.match(h) or CODE_HEADERS.match(h))]
    for c in range(first_value_col, width):
        if c in skip:
            continue
        header = _text(sheet.filled(indicator_row, c))
        h = header.lower()
        if NAME_HEADERS.match(h) or CODE_HEADERS.match(h) or META_HEADERS.match(h):
            continue
        col_has_data = any(_nonempty(sheet.cell(rr, c)) for rr in hits)
        if not header:
            if col_has_data:
                table.unnamed_columns.append(c)
            continue
        group = " / ".join(g for g in (_text(sheet.filled(gr, c)) for gr in group_rows) if g) or None
        unit = _text(sheet.filled(unit_row, c)) if unit_row is not None else None
        table.columns.append(Column(c, header, group, unit or None))
    # rows below the header: data, län headings, repeated headers, text (footnotes)
    header_texts = [_text(sheet.cell(indicator_row, c.index)) for c in table.columns]
    for rr in range(header_rows[-1] + 1, len(sheet.rows)):
        values = any(_nonempty(sheet.cell(rr, c.index)) for c in table.columns)
        unit = _row_unit(sheet, rr, name_col, code_col)
        if [_text(sheet.cell(rr, c.index)) for c in table.columns] == header_texts:
            table.text_rows.append(rr)
        elif unit.known and not values and unit.niva == "lan" and rr < hits[-1]:
            table.heading_rows.append(rr)
        elif unit.known or values:
            table.data_rows.append(rr)
        elif any(_nonempty(v) for v in sheet.rows[rr]):
            table.text_rows.append(rr)
    return table, None
