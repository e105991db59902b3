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
from ojlib.data.importer.cells import ANSWERS, clean_text, parse_cell, strip_footnote
from ojlib.data.importer.grid import Sheet

# Header words of real exports: Swedish and English, as Kolada, SCB's and Socialstyrelsen's
# statistics portals and R/pandas write them (compared in lower case, "_" as a space).
CODE_HEADERS = re.compile(r"^(k-?kod|kod|kommunkod|kommun-?kod|länskod|lanskod|regionkod|områdeskod|omradeskod|"
                          r"kommun ?nr|kommunnummer|lkod|kkod|region-?id|geo|municipality ?id|municipality ?code|"
                          r"region ?code|county ?code|kommun ?id|code|id)$")
NAME_HEADERS = re.compile(r"^(kommun|kommunnamn|kommun/län|län/kommun|län|region|namn|område|omrade|enhet|"
                          r"kommun/stadsdel|kommun, stadsdel|kommun eller stadsdel|organisation|riket/län/kommun|"
                          r"municipality|municipality ?name|county|name|area|geo ?name|region ?name)$")
REGI_HEADERS = re.compile(r"^(regi|regiform|driftform|utförare|huvudman)$")
YEAR_HEADERS = re.compile(r"^(år|ar|mätår|undersökningsår|year|period|tid|time|mätperiod)$")
KON_HEADERS = re.compile(r"^(kön|kon|gender|sex)$")
META_HEADERS = re.compile(r"^(kommungrupp|kommuntyp|kommungruppsindelning|länsnamn|länskod|lan|kommungrupp ?\(skr\))$")
UNIT_ROW = re.compile(r"^\(?(ja\s*/\s*nej(\s*/\s*delvis)?|ja\s*=\s*1,?\s*nej\s*=\s*0|"
                      r"andel(\s*\(?%\)?|\s+i\s+procent|\s*\(procent\))?|%|procent|procentenheter|"
                      r"antal(\s*\(st\)|\s+st)?|st|kr|kronor|kr/inv(ånare)?|kronor per invånare|"
                      r"medelvärde|median|skala(\s*[0-9][-–0-9 ]*)?|värde|enhet|poäng|dagar|antal dagar)\)?$")


@dataclass
class Column:
    """A value column. ``year`` is set when the header is a year (years as columns): the
    indicator is then named by ``header`` taken from the group row or the title above."""

    index: int
    header: str
    group: str | None = None
    unit: str | None = None
    year: int | None = None

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
    title_lines: list[str] = field(default_factory=list)  # metadata lines above the table, in order
    unnamed_columns: list[int] = field(default_factory=list)
    other_unit_cols: list[int] = field(default_factory=list)  # e.g. Länskod/Län beside Kommunkod/Kommun


def _text(v) -> str:
    return clean_text(v) if v is not None else ""


def _hkey(v) -> str:
    return _text(v).lower().rstrip(":").replace("_", " ").strip()


def header_year(v) -> int | None:
    """The year a column header is (2023, "2023", "2023*", "År 2023"), or None."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    t = re.sub(r"^(år|year)\s+", "", strip_footnote(_text(v)).lower())
    return int(t) if t.isdigit() and len(t) == 4 and 1990 <= int(t) <= 2100 else None


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
    if best_name is not None and best_code is not None and not _agree(sheet, best_name, best_code):
        best_code = None  # numbers that happen to be kommun codes (R's row numbers 1001, 1002 …)
    return best_name, best_code


def _agree(sheet: Sheet, name_col: int, code_col: int) -> bool:
    """Do the code and the name column name the same units on most rows where both are known?"""
    same = both = 0
    for r in range(len(sheet.rows)):
        by_name = units.recognise(name=sheet.cell(r, name_col))
        if not by_name.known:
            continue
        by_code = units.recognise(code=sheet.cell(r, code_col))
        if by_code.known:
            both += 1
            same += by_code.kod == by_name.kod or by_name.kod[:4] == by_code.kod
    return both > 0 and same > both / 2  # a real code column names the units of the name column's rows


def _row_unit(sheet: Sheet, r: int, name_col, code_col) -> units.Unit:
    name = sheet.cell(r, name_col) if name_col is not None else None
    code = sheet.cell(r, code_col) if code_col is not None else None
    return units.recognise(code=code, name=name)


def year_row(values: list) -> bool:
    """A header row of years: at least two different years, and every other cell is text."""
    years = [header_year(v) for v in values]
    found = [y for y in years if y is not None]
    rest = [v for v, y in zip(values, years, strict=True) if y is None]
    return len(set(found)) >= 2 and len(set(found)) == len(found) and all(
        parse_cell(v).kind == "label" for v in rest)


NO_UNITS = "inga rader med kända kommuner, län eller riket"
YEARS_UNNAMED = ("åren står som kolumnrubriker men ingen rad ovanför tabellen namnger indikatorn; skriv "
                 "indikatorns namn (eller Kolada-id) på raden ovanför tabellen")
NO_HEADER = "ingen rubrikrad med indikatornamn ovanför raderna med kommuner, län eller riket"


_PORTAL_TAIL = re.compile(r"\s+(efter|by)\s+(region|kommun|län|municipality|county|år|year|kön|sex)\b.*$",
                          re.IGNORECASE)
_TABLE_PREFIX = re.compile(r"^(tabell|table)\s*[\d.:]*\s*[:.-]?\s*", re.IGNORECASE)


def indicator_title(lines: list[str]) -> str | None:
    """The indicator a statistics-portal table is about, from its title line: "Tabell 3: Andel … efter
    region och år" -> "Andel …". Lines that are sources, notes or dates are skipped."""
    for line in lines:
        low = line.lower()
        if re.match(r"^(källa|source|fotnot|not|anm|uttag|hämtad|publicerad|senast|enhet|unit)\b", low) \
                or re.match(r"^(socialstyrelsen\W*)?öppna jämförelser\W*(\d{4})?$", low):
            continue
        t = _PORTAL_TAIL.sub("", _TABLE_PREFIX.sub("", line)).strip(" .:")
        if re.search(r"[a-zåäö]{3,}", t.lower()):
            return t
    return None


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
        cells_ = [v for v in (sheet.cell(rr, c) for c in range(first_value_col, width)) if _nonempty(v)]
        if year_row(cells_):
            return False  # years as column headers (2019, 2020, …): a header row
        parsed = [parse_cell(v) for v in cells_]
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
    title_lines = [" ".join(_text(v) for v in sheet.rows[rr] if _nonempty(v)) for rr in range(0, header_rows[0])]
    title_lines = [t for t in title_lines if t]
    title_text = " ".join(title_lines)

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
                  title_text=f"{sheet.name} {title_text}", title_lines=title_lines)
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
    unnamed_years: list[int] = []
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
        year = header_year(sheet.filled(indicator_row, c))
        if year is not None and year_row([sheet.filled(indicator_row, cc) for cc in range(first_value_col, width)
                                          if _nonempty(sheet.filled(indicator_row, cc))]):
            # years as columns: the indicator is named above (a group row, else the title lines)
            default_name = re.fullmatch(r"(blad|sheet|ark|tabell|table|data)\s*\d*", sheet.name.strip().lower())
            header = group or indicator_title(title_lines) or ("" if default_name else sheet.name)
            group = None
            if not header:
                unnamed_years.append(c)
                continue
        else:
            year = None
        table.columns.append(Column(c, header, group, unit or None, year))
    if unnamed_years and not table.columns:
        return None, YEARS_UNNAMED
    table.unnamed_columns += unnamed_years
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
