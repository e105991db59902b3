"""A whole file read into tidy rows, with everything that was recognised on the way.

``build(path, ...)`` never writes anything. It returns an ``ImportPlan``: per sheet the header
rows, how many riket/län/kommun/stadsdel rows, which indicator each column is (matched or new),
the tokens met per column, rows not understood, and the tidy rows. ``describe`` prints it for
``oj importera --visa``; ``sources.files`` refuses or saves it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ojlib.base.errors import OjError, excerpt
from ojlib.data import catalog
from ojlib.data.dataset import COLUMNS, FIRST_YEAR, LAST_YEAR, STATUS_TEXT
from ojlib.data.importer import cells, credit, indicators, units
from ojlib.data.importer.grid import Sheet, read_sheets
from ojlib.data.importer.layout import Table, find_table
from ojlib.data.importer.year import find_year

NIVA_ORDER = ("riket", "lan", "kommun", "stadsdel", "regi")
KON = {"t": "T", "totalt": "T", "total": "T", "alla": "T", "samtliga": "T", "båda könen": "T", "both sexes": "T",
       "all": "T", "k": "K", "kvinnor": "K", "kvinna": "K", "flickor": "K", "women": "K", "woman": "K", "female": "K",
       "females": "K", "f": "K", "m": "M", "män": "M", "man": "M", "pojkar": "M", "men": "M", "male": "M",
       "males": "M"}
TIDY = {"kpi": ("kpi", "kpi-id", "kpi id", "nyckeltal", "nyckeltals-id"),
        "kod": ("kod", "kommunkod", "områdeskod", "municipality", "municipality id", "geo", "region",
                "kommun", "kommun id", "area"),
        "ar": ("ar", "år", "period", "year"), "varde": ("varde", "värde", "value"),
        "kon": ("kon", "kön", "gender", "sex"), "status": ("status",), "antal": ("antal", "count"),
        "niva": ("niva", "nivå")}
MAX_ERRORS_SHOWN = 5
MAX_NEW_INDICATORS = 500  # new indicators one import may add to params/indikatorer_import.yml
MAX_COLUMNS_SHOWN = 200  # column lines per sheet in --visa
MAX_KPI_ID = 40  # characters of an indicator id in a long file


@dataclass
class ColumnPlan:
    sheet: str
    letter: str
    header: str
    group: str | None
    unit: str | None
    match: indicators.Match | None = None
    tokens: Counter = field(default_factory=Counter)
    year: int | None = None  # the column's year when the years are columns


@dataclass
class SheetPlan:
    name: str
    table: Table | None = None
    reason: str | None = None  # why no table was read
    year: int | None = None
    year_from: str | None = None
    tidy: bool = False
    counts: Counter = field(default_factory=Counter)
    columns: list[ColumnPlan] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    values: int = 0

    @property
    def header_rows(self) -> list[int]:
        return [r + 1 for r in self.table.header_rows] if self.table else []


@dataclass
class ImportPlan:
    path: Path
    sheets: list[SheetPlan]
    frame: pd.DataFrame
    new_entries: list[dict]
    errors: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    encoding_why: str | None = None
    utgivare: str | None = None  # the credit the file or --utgivare gives ("Socialstyrelsen, Öppna jämförelser 2025")
    utgivare_from: str | None = None  # where it was read ("--utgivare", "bladet Information")
    suspects: list[str] = field(default_factory=list)  # rows that look like kommuner but match none
    not_kommuner: list[str] = field(default_factory=list)  # names the user said are not kommuner
    blocking: str | None = None  # a whole sentence why nothing of the file can be trusted

    @property
    def rows_understood(self) -> int:
        known = ("riket", "lan", "kommun", "stadsdel")
        return sum(v for s in self.sheets for k, v in s.counts.items() if k in known)

    @property
    def rows_not_understood(self) -> int:
        return sum(len(s.not_understood) for s in self.sheets)


def _where(sheet: str, r: int, letter: str) -> str:
    return f"blad {sheet}, rad {r + 1}, kolumn {letter}"


def _is_data_sheet(sheet: Sheet) -> bool:
    """Does a sheet without a recognised table still hold numbers (so skipping it must be said)?"""
    numbers = sum(1 for row in sheet.rows for v in row
                  if isinstance(v, int | float) and not isinstance(v, bool)
                  or isinstance(v, str) and cells.parse_number(v) is not None)
    return numbers >= 10


class _Builder:
    def __init__(self, path: Path, ar, omrade, cat: catalog.Catalogue, not_kommuner=()):
        self.not_kommuner = {units.key(n) for n in not_kommuner}
        self.suspects: list[str] = []
        self.path = path
        self.ar = ar
        self.omrade = omrade
        self.cat = cat
        self.matcher = indicators.Matcher(cat, omrade)
        self.rows: list[dict] = []
        self.where: dict[tuple, tuple[str, int]] = {}  # key -> (where, index into rows)
        self.errors: list[str] = []
        self.new: dict[str, dict] = {}  # normalised header -> pending new indicator
        self.tidy_columns: dict[str, dict[str, ColumnPlan]] = {}  # sheet -> kpi -> its column (long files)
        self.taken: set[str] = set()

    def error(self, text: str) -> None:
        self.errors.append(text)

    def add(self, kpi, unit: units.Unit, ar, kon, varde, status, where: str, antal: int | None = None) -> None:
        key = (kpi, unit.kod, int(ar), kon)
        if key in self.where:
            first, n = self.where[key]
            prev = self.rows[n]
            same = (prev["varde"] == varde or (prev["varde"] is None and varde is None)) and prev["status"] == status
            if not same:
                self.error(f"{where} och {first} ger olika värden för samma indikator ({kpi}), "
                           f"enhet ({excerpt(unit.text or unit.kod, 40)}) och år ({ar})")
            return
        self.where[key] = (where, len(self.rows))
        niva = unit.niva
        self.rows.append({"kpi": kpi, "kod": unit.kod, "niva": niva, "ar": int(ar), "kon": kon,
                          "varde": varde, "status": status, "antal": antal, "kalla": "egen"})

    # ---- wide sheets ---------------------------------------------------------------------------
    def wide(self, sp: SheetPlan, sheet: Sheet, table: Table) -> None:
        sp.table = table
        if table.year_col is None and not all(c.year for c in table.columns):
            sp.year, sp.year_from = find_year(self.ar, [(f"bladnamnet '{sheet.name}'", sheet.name),
                                                        ("rubriken ovanför tabellen", table.title_text)],
                                              self.path.name)
        for c in table.unnamed_columns:
            self.error(f"Blad {sheet.name}, kolumn {Column_letter(c)} har värden men ingen rubrik")
        row_units: dict[int, units.Unit] = {}
        row_years: dict[int, int] = {}
        row_kon: dict[int, str] = {}
        for r in table.data_rows:
            year = sp.year
            if table.year_col is not None:
                yv = sheet.cell(r, table.year_col)
                yn = cells.parse_cell(yv)
                if yn.kind != "number" or not yn.varde.is_integer() or not FIRST_YEAR <= yn.varde <= LAST_YEAR:
                    self.error(f"{_where(sheet.name, r, Column_letter(table.year_col))}: året '{excerpt(yv, 40)}' "
                               f"är inte ett årtal mellan {FIRST_YEAR} och {LAST_YEAR}")
                    continue
                year = int(yn.varde)
            code = sheet.cell(r, table.code_col) if table.code_col is not None else None
            name = sheet.cell(r, table.name_col) if table.name_col is not None else None
            if not cells.clean_text(code or "") and not cells.clean_text(name or ""):
                # a län or riket row may name itself only in other columns (Länskod, Län)
                for c in table.other_unit_cols:
                    v = sheet.cell(r, c)
                    if cells.clean_text(v or ""):
                        t = cells.clean_text(v)
                        code, name = (v, None) if t.isdigit() or isinstance(v, int | float) else (None, v)
                        break
            unit = units.recognise(code=code, name=name, year=year,
                                   regi=sheet.cell(r, table.regi_col) if table.regi_col is not None else None)
            if unit.kod == units.YEAR_DECIDES:
                unit = units.Unit("okand", None, unit.text, reason="namnet har använts av flera stadsdelar; ange --ar")
            if unit.niva == "okand":
                self.not_understood(sp, r, unit)
                continue
            sp.counts[unit.niva] += 1
            if unit.niva == "regi":
                continue
            kon = "T"
            if table.kon_col is not None:
                kv = units.key(sheet.cell(r, table.kon_col) or "T")
                if kv not in KON:
                    self.error(f"{_where(sheet.name, r, Column_letter(table.kon_col))}: okänt kön '{excerpt(kv, 40)}'")
                    continue
                kon = KON[kv]
            row_units[r], row_years[r], row_kon[r] = unit, year, kon
        if sp.year is None and row_years:
            sp.year_from = "rubrikerna (ett år per kolumn)" if all(c.year for c in table.columns) else "kolumnen År"
        for col in table.columns:
            cp = ColumnPlan(sheet.name, col.letter, col.header, col.group, col.unit, year=col.year)
            years = {r: col.year for r in row_units} if col.year else row_years
            sp.columns.append(cp)
            parsed = {r: cells.parse_cell(sheet.cell(r, col.index), (r, col.index) in sheet.percent) for r in row_units}
            for p in parsed.values():
                cp.tokens[p.token if p.kind in ("missing", "label") else "tal"] += 1
            cp.match = self.matcher.match(col.header, col.group, col.unit)
            if cp.match is None:
                cp.match = self.new_indicator(sp, sheet, col, parsed, years)
                if cp.match is None:
                    continue
            self.column_values(sp, sheet, col, cp.match, parsed, row_units, years, row_kon)

    def not_understood(self, sp: SheetPlan, r: int, unit: units.Unit, shown: str | None = None) -> None:
        """A row no unit was found for; one that looks like a kommun (a close name) is a suspect
        that refuses the import unless the user named it as not a kommun."""
        label = excerpt(unit.text, 60) or "(tom)"
        shown = excerpt(shown, 60) if shown else label
        near = [] if units.key(label) in self.not_kommuner else units.closest(label)
        if near:
            self.suspects.append(f"blad {sp.name} rad {r + 1}: '{label}' (närmast: {', '.join(near)})")
            sp.not_understood.append(f"rad {r + 1}: {shown} ({unit.reason}; liknar {', '.join(near)})")
        else:
            sp.not_understood.append(f"rad {r + 1}: {shown} ({unit.reason})")

    def new_indicator(self, sp, sheet, col, parsed, row_years) -> indicators.Match | None:
        labels = {p.label for p in parsed.values() if p.kind == "label"}
        numbers = [p.varde for p in parsed.values() if p.kind == "number"]
        percent = any(p.percent for p in parsed.values())
        ids = indicators.kolada_ids(col.header)
        kolada_title = indicators.kolada_title(ids[0]) if ids else None  # a Kolada KPI the catalogue lacks
        typ, nivaer = indicators.infer_type(labels, numbers, percent, kolada_title or col.header, col.unit)
        if typ is None:
            odd = sorted(labels - {"Ja", "Nej", "Delvis"})
            r = next(r for r, p in parsed.items() if p.kind == "label" and p.label in odd)
            self.error(f"{_where(sheet.name, r, col.letter)}: texten '{parsed[r].shown}' är inget tal, inget "
                       "Ja/Nej/Delvis och ingen symbol för saknat värde")
            return None
        key = indicators.norm(col.header)
        if key in self.new:
            pending = self.new[key]
            m = pending["match"]
            years = [y for y in row_years.values()] or [sp.year]
            pending["entry"]["ar_fran"] = min(pending["entry"]["ar_fran"], *years)
            pending["entry"]["ar_till"] = max(pending["entry"]["ar_till"], *years)
            return m
        omrade = self.omrade or indicators.omrade_from_text(f"{sheet.name} {sp.table.title_text if sp.table else ''}") \
            or indicators.omrade_from_text(self.path.stem)
        if omrade is None:
            matched = {c.match.indicator.omrade for c in sp.columns if c.match and c.match.indicator}
            omrade = matched.pop() if len(matched) == 1 else None
        if omrade is None:
            raise OjError(f"Kolumnen '{excerpt(col.header, 60)}' i blad {sheet.name} är en ny indikator och "
                          "området går inte att läsa ut; ange det med --omrade "
                          f"({', '.join(indicators.catalog_omraden())}).")
        if len(self.new) >= MAX_NEW_INDICATORS:
            raise OjError(f"Filen {self.path.name} skulle skapa fler än {MAX_NEW_INDICATORS} nya indikatorer (blad "
                          f"{sheet.name}, kolumn {col.letter} och framåt); inget sparades – kontrollera med "
                          f"`oj importera {self.path.name} --visa` att rubrikraden är rätt, eller dela upp filen.")
        kpi = self.matcher.new_id(col.header, self.taken)
        self.taken.add(kpi)
        m = indicators.Match(kpi, True, "ny", typ=typ, nivaer=nivaer, omrade=omrade)
        years = list(row_years.values()) or [sp.year]
        entry = indicators.entry(m, col.header, col.unit, col.group, min(years), self.path.name, sheet.name, col.letter)
        entry["ar_till"] = max(years)
        if kolada_title:  # Kolada's own words for its KPI, and Kolada as where its values come from
            entry.update(titel=kolada_title, namn=kolada_title[:80], utgivare="kolada")
        self.new[key] = {"match": m, "entry": entry}
        return m

    def column_values(self, sp, sheet, col, m: indicators.Match, parsed, row_units, row_years, row_kon) -> None:
        ind = m.indicator
        typ = ind.typ if ind else m.typ
        nivaer = ind.nivaer if ind else m.nivaer
        col_kon = column_kon(col)
        by_label = {cells.label_key(v): k for k, v in nivaer.items()}
        for r, p in parsed.items():
            unit = row_units[r]
            where = _where(sheet.name, r, col.letter)
            status = None
            if p.kind == "error":
                self.error(f"{where}: {_bad_cell(p)}")
                continue
            if p.kind == "missing":
                varde, status = None, p.status
            elif p.kind == "label":
                code = by_label.get(cells.label_key(p.label))
                if not nivaer:
                    self.error(f"{where}: {_bad_cell(p)}")
                    continue
                if code is None or unit.niva in ("lan", "riket"):
                    self.error(f"{where}: svaret '{p.shown}' passar inte indikatorn {m.kpi} "
                               f"(nivåerna {', '.join(nivaer.values())})")
                    continue
                varde = float(code)
            else:
                varde = p.varde
                if typ in ("ja_nej", "skala") and unit.niva in ("lan", "riket"):
                    status = "andel_ja" if typ == "ja_nej" else None
                elif typ in ("ja_nej", "skala") and nivaer and varde not in nivaer:
                    self.error(f"{where}: värdet {p.shown} är ingen av nivåerna för {m.kpi} "
                               f"({', '.join(f'{k}={v}' for k, v in nivaer.items())})")
                    continue
            sp.values += varde is not None
            self.add(m.kpi, unit, row_years[r], col_kon or row_kon[r], varde, status, where)

    # ---- tidy long files -----------------------------------------------------------------------
    def tidy(self, sp: SheetPlan, sheet: Sheet, header_row: int, cols: dict[str, int]) -> None:
        sp.tidy = True
        for r in range(header_row + 1, len(sheet.rows)):
            row = sheet.rows[r]
            if not any(v is not None and cells.clean_text(v) for v in row):
                continue
            def get(name, r=r):
                return sheet.cell(r, cols[name]) if name in cols else None

            kpi = cells.clean_text(get("kpi") or "")
            kpi = (indicators.kolada_ids(kpi) or [kpi])[0] if indicators.KOLADA_ID.fullmatch(kpi) else kpi
            unit = units.recognise(code=get("kod"))
            if unit.niva == "okand" and kpi:
                self.not_understood(sp, r, unit, f"kod '{cells.clean_text(get('kod') or '')}' kpi '{kpi}'")
                continue
            if unit.niva == "okand" or not kpi:
                sp.not_understood.append(f"rad {r + 1}: kod '{excerpt(cells.clean_text(get('kod') or ''), 40)}' "
                                         f"kpi '{excerpt(kpi, 40)}' ({unit.reason or 'kpi saknas'})")
                continue
            if len(kpi) > MAX_KPI_ID or " " in kpi:
                self.error(f"{_where(sheet.name, r, Column_letter(cols['kpi']))}: indikatorn '{excerpt(kpi, 40)}' är "
                           f"inget id (ett ord på högst {MAX_KPI_ID} tecken, t.ex. U35519)")
                continue
            if "niva" in cols and cells.clean_text(get("niva") or "") not in ("", unit.niva):
                self.error(f"{_where(sheet.name, r, Column_letter(cols['niva']))}: nivån "
                           f"'{excerpt(get('niva'), 40)}' passar inte koden {unit.kod} ({unit.niva})")
                continue
            sp.counts[unit.niva] += 1
            yv = cells.parse_cell(get("ar"))
            if yv.kind != "number" or not yv.varde.is_integer() or not FIRST_YEAR <= yv.varde <= LAST_YEAR:
                self.error(f"{_where(sheet.name, r, Column_letter(cols['ar']))}: året '{yv.shown}' är inte ett "
                           f"årtal mellan {FIRST_YEAR} och {LAST_YEAR}")
                continue
            kon = KON.get(units.key(get("kon") or "T"))
            if kon is None:
                self.error(f"{_where(sheet.name, r, Column_letter(cols['kon']))}: okänt kön "
                           f"'{excerpt(get('kon'), 40)}'")
                continue
            p = cells.parse_cell(get("varde"))
            letter = Column_letter(cols["varde"])
            st_raw = cells.clean_text(get("status") or "")
            if st_raw and st_raw not in STATUS_TEXT:
                self.error(f"{_where(sheet.name, r, Column_letter(cols['status']))}: statusen '{excerpt(st_raw, 40)}' "
                           "är okänd; "
                           f"tillåtna är {', '.join(STATUS_TEXT)}")
                continue
            if p.kind == "number":
                varde, status = p.varde, st_raw or None
            elif p.kind == "missing":
                varde, status = None, st_raw or p.status
            else:
                self.error(f"{_where(sheet.name, r, letter)}: värdet '{p.shown}' är "
                           f"{'inget ändligt tal' if p.problem is None else p.problem.replace('talet är ', '')}")
                continue
            antal = None
            if "antal" in cols:
                a = cells.parse_cell(get("antal"))
                if a.kind == "number" and a.varde.is_integer() and a.varde >= 0:
                    antal = int(a.varde)
                elif a.kind != "missing":
                    self.error(f"{_where(sheet.name, r, Column_letter(cols['antal']))}: antalet '{a.shown}' "
                               f"är {'inget heltal från 0' if a.problem is None else 'orimligt stort (över 10^15)'}")
                    continue
            sp.values += varde is not None
            cp = self._tidy_column(sp, kpi)
            cp.tokens[p.token if p.kind == "missing" else "tal"] += 1
            self.add(kpi, unit, int(yv.varde), kon, varde, status, _where(sheet.name, r, letter), antal)

    def _tidy_column(self, sp: SheetPlan, kpi: str) -> ColumnPlan:
        by_kpi = self.tidy_columns.setdefault(sp.name, {})
        if kpi in by_kpi:
            return by_kpi[kpi]
        known = kpi in self.cat
        cp = ColumnPlan(sp.name, "", self.cat[kpi].namn if known else kpi, None, None,
                        indicators.Match(kpi, False, "id", indicator=self.cat[kpi]) if known
                        else indicators.Match(kpi, False, "okand"))
        sp.columns.append(cp)
        by_kpi[kpi] = cp
        return cp


def _bad_cell(p: cells.Cell) -> str:
    """Why a cell that should hold a value cannot be read, with its text bounded."""
    if p.problem:
        return f"texten '{p.shown}' går inte att läsa in: {p.problem}"
    return f"texten '{p.shown}' är inget tal och ingen symbol för saknat värde"


def column_kon(col) -> str | None:
    """K or M when the column's group or unit header says Kvinnor/Män (sex as column groups)."""
    for text in (col.group, col.unit):
        if text and units.key(text) in KON:
            return KON[units.key(text)]
    return None


def Column_letter(c: int) -> str:  # noqa: N802 - mirrors openpyxl's name
    from openpyxl.utils import get_column_letter

    return get_column_letter(c + 1)


def _tidy_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    for r in range(min(len(sheet.rows), 30)):
        names = [cells.clean_text(v).lower().replace("_", " ") if v is not None else "" for v in sheet.rows[r]]
        cols = {}
        for field_, aliases in TIDY.items():
            for i, n in enumerate(names):
                if n in aliases and field_ not in cols:
                    cols[field_] = i
        if "kod" not in cols and "kommunkod" in names:
            cols["kod"] = names.index("kommunkod")
        if {"kpi", "kod", "ar", "varde"} <= set(cols):
            return r, cols
    return None


def build(path, ar=None, omrade=None, blad: str | list[str] | None = None,
          cat: catalog.Catalogue | None = None, kodning: str | None = None, utgivare: str | None = None,
          inte_kommuner=None) -> ImportPlan:
    """Read the file and return what would be imported. Writes nothing.

    ``blad``: sheet names as a list, or one text that is a sheet name ("Kommun, län, riket")
    or several names separated by commas. ``kodning``: a CSV's encoding (else found from the
    kommun names). ``utgivare``: the credit the user gives the values ("Socialstyrelsen, Öppna
    jämförelser 2025"); else the workbook's own words, else the file is named. ``inte_kommuner``:
    names (a list, or comma-separated) of rows that look like kommuner but are not.
    """
    path = Path(path)
    cat = cat or catalog.load_catalogue()
    if omrade is not None:
        catalog.parse_omraden(omrade)
    if isinstance(inte_kommuner, str):
        inte_kommuner = [n.strip() for n in inte_kommuner.split(",") if n.strip()]
    sheets = read_sheets(path, kodning)
    all_sheets = sheets
    if isinstance(blad, str):
        blad = [blad.strip()] if blad.strip() in [s.name for s in sheets] else \
            [b.strip() for b in blad.split(",") if b.strip()]
    if blad:
        names = [s.name for s in sheets]
        unknown = [b for b in blad if b not in names]
        if unknown:
            raise OjError(f"Bladet '{unknown[0]}' finns inte i {path.name}; bladen heter {', '.join(names)}.")
        sheets = [s for s in sheets if s.name in blad]
    b = _Builder(path, ar, omrade, cat, inte_kommuner or ())
    blocking = _unsaved_formulas(path, sheets)
    plans = []
    for sheet in sheets:
        sp = SheetPlan(sheet.name)
        plans.append(sp)
        tidy = _tidy_header(sheet)
        if tidy:
            b.tidy(sp, sheet, *tidy)
            continue
        table, why = find_table(sheet)
        if table is None or not table.columns:
            sp.reason = why or "inga indikatorkolumner"
            if blad or _is_data_sheet(sheet):
                sp.reason += " – bladet har tal men lästes inte in"
            continue
        b.wide(sp, sheet, table)
    frame = pd.DataFrame(b.rows, columns=COLUMNS)
    if utgivare is not None and not cells.clean_text(utgivare):
        raise OjError("--utgivare är tom; skriv vem som publicerat värdena, t.ex. --utgivare \"Socialstyrelsen, "
                      "Öppna jämförelser 2025\".")
    credit_text, credit_from = ((cells.clean_text(utgivare), "--utgivare") if utgivare
                                else credit.from_workbook(all_sheets, plans))
    entries = [v["entry"] for v in b.new.values()]
    for e in entries:  # who publishes the new indicators' values, for the catalogue
        if e.get("utgivare") != "kolada":
            e["utgivare"] = "socialstyrelsen" if credit.is_oj(credit_text) else "egen"
    return ImportPlan(path, plans, frame, entries, b.errors,
                      encoding=sheets[0].encoding if sheets else None,
                      delimiter=sheets[0].delimiter if sheets else None,
                      encoding_why=sheets[0].encoding_why if sheets else None,
                      utgivare=credit_text, utgivare_from=credit_from, suspects=b.suspects,
                      not_kommuner=list(inte_kommuner or []), blocking=blocking)



def _unsaved_formulas(path: Path, sheets: list[Sheet]) -> str | None:
    """The sentence refusing a workbook with formula cells whose value was never saved, or None.

    openpyxl (and any program that writes a workbook without calculating it) leaves formulas
    without a value; read as empty they would replace earlier values with "saknas".
    """
    found = [(s, rc) for s in sheets for rc in s.unsaved_formulas]
    if not found:
        return None
    sheet, (r, c) = found[0]
    return (f"Filen {path.name} lästes inte in: den har {len(found)} formelceller utan sparat värde (t.ex. blad "
            f"{sheet.name}, cell {Column_letter(c)}{r + 1}), som annars skulle läsas som saknade värden; öppna filen "
            "i Excel eller LibreOffice, spara den igen så att formlernas värden sparas, och försök igen.")


def refusal(plan: ImportPlan) -> str | None:
    """The Swedish sentence why this plan must not be imported, or None."""
    name = plan.path.name
    if plan.blocking:
        return plan.blocking
    if plan.errors:
        more = f" (och {len(plan.errors) - 1} fel till; se `oj importera {name} --visa`)" \
            if len(plan.errors) > 1 else ""
        return (f"Filen {name} lästes inte in: {plan.errors[0]}{more}; rätta cellen eller ta bort kolumnen "
                "och försök igen.")
    if plan.suspects:
        more = f" och {len(plan.suspects) - 3} till" if len(plan.suspects) > 3 else ""
        return (f"Filen {name} lästes inte in: {len(plan.suspects)} rader liknar kommuner men matchar ingen "
                f"({'; '.join(plan.suspects[:3])}{more}) – ange rätt teckenkodning med --kodning, rätta namnen, "
                "eller ange med --inte-kommuner \"Namn1,Namn2\" att de inte är kommuner.")
    n_values = int(plan.frame.varde.notna().sum()) if len(plan.frame) else 0
    if plan.frame.empty and plan.rows_not_understood:
        first = next(x for s in plan.sheets for x in s.not_understood)
        return (f"Filen {name} lästes inte in: ingen rad gick att tolka som riket, län, kommun eller stadsdel "
                f"(t.ex. {first}); kontrollera koderna och namnen med `oj importera {name} --visa`.")
    if plan.frame.empty or n_values == 0:
        skipped = [f"{s.name} ({s.reason})" for s in plan.sheets if s.reason]
        why = f" Bladen: {'; '.join(skipped)}." if skipped else ""
        return (f"Filen {name} innehåller inga värden som kunde läsas (bara rubriker eller tomma celler); "
                f"inget sparades – kontrollera filen med `oj importera {name} --visa`.{why}")
    if plan.rows_not_understood > plan.rows_understood:
        return (f"Filen {name} lästes inte in: {plan.rows_not_understood} rader gick inte att tolka men bara "
                f"{plan.rows_understood} gick; kontrollera filen med `oj importera {name} --visa`.")
    return None


def describe(plan: ImportPlan) -> str:
    """What was recognised, in Swedish, for ``--visa``."""
    sep = {";": "semikolon", ",": "komma", "\t": "tabb"}.get(plan.delimiter or "")
    out = [f"Fil: {plan.path.name}" + (f" (avgränsare {sep})" if sep else "")]
    if plan.encoding_why:
        out.append(f"Teckenkodning: {plan.encoding_why}.")
    out.append(f"Källa: {plan.utgivare} (från {plan.utgivare_from})" if plan.utgivare else
               f"Källa: filen {plan.path.name} (filen säger inte vem som publicerat värdena; ange --utgivare "
               "för att ange det)")
    if plan.not_kommuner:
        out.append(f"Inte kommuner (--inte-kommuner): {', '.join(plan.not_kommuner)}")
    for s in plan.sheets:
        out.append(f"\nBlad: {s.name}")
        if s.reason:
            out.append(f"  inte inläst: {s.reason}")
            continue
        if s.tidy:
            out.append("  format: långt (en rad per indikator, enhet och år)")
        else:
            t = s.table
            rows = f"; dataraderna {t.data_rows[0] + 1}–{t.data_rows[-1] + 1}" if t.data_rows else ""
            out.append(f"  rubrikrader: {', '.join(map(str, s.header_rows))} "
                       f"(indikatorer på rad {t.indicator_row + 1}){rows}")
            if t.heading_rows:
                out.append(f"  länsrubriker utan värden: {len(t.heading_rows)} rader")
            if t.text_rows:
                out.append(f"  textrader (fotnoter, källor): {len(t.text_rows)}")
        if s.year:
            out.append(f"  år: {s.year} (från {s.year_from})")
        elif s.table is not None and s.table.year_col is not None:
            out.append(f"  år: per rad, från kolumnen {Column_letter(s.table.year_col)}")
        elif s.table is not None and s.table.columns and all(c.year for c in s.table.columns):
            out.append("  år: ett per kolumn (årtalen är kolumnrubriker)")
        counts = ", ".join(f"{s.counts.get(n, 0)} {label}" for n, label in
                           (("riket", "riket"), ("lan", "län"), ("kommun", "kommuner"), ("stadsdel", "stadsdelar"),
                            ("regi", "regivarianter (offentlig/enskild, läses inte in)")))
        out.append(f"  rader: {counts}")
        # one indicator per KPI, also when its years are columns
        matched = {c.match.kpi for c in s.columns if c.match and not c.match.ny and c.match.how != "okand"}
        new = {c.match.kpi for c in s.columns if c.match and c.match.ny}
        outside = {c.match.kpi for c in s.columns if c.match and c.match.how == "okand"}
        out.append(f"  indikatorer: {len(matched)} kända, {len(new)} nya"
                   + (f", {len(outside)} utanför katalogen" if outside else ""))
        for c in s.columns[:MAX_COLUMNS_SHOWN]:
            m = c.match
            if m is None:
                what = "?"
            elif m.ny:
                what = f"ny → {m.kpi} ({m.typ}{', ' + str(m.omrade) if m.omrade else ''})"
            elif m.how == "okand":
                what = f"{m.kpi} finns inte i katalogen (läses in men visas inte i rapporter förrän den finns där)"
            else:
                what = f"{m.kpi} (via {m.how})"
            common = c.tokens.most_common(6)
            tokens = ", ".join(f"tal {v}" if k == "tal" else f"tom {v}" if k == "" else f"'{excerpt(k, 30)}' {v}"
                               for k, v in common) + (" …" if len(c.tokens) > len(common) else "")
            head = excerpt(c.header, 52) + (f" ({c.year})" if c.year else "")
            out.append(f"    {c.letter:>3} {head!s:<60} {what}; {tokens}")
        if len(s.columns) > MAX_COLUMNS_SHOWN:
            out.append(f"    … och {len(s.columns) - MAX_COLUMNS_SHOWN} kolumner till")
        if s.not_understood:
            out.append(f"  rader som inte gick att tolka ({len(s.not_understood)}):")
            out.extend(f"    {x}" for x in s.not_understood[:30])
            if len(s.not_understood) > 30:
                out.append(f"    … och {len(s.not_understood) - 30} till")
    if plan.errors:
        out.append(f"\nFel ({len(plan.errors)}):")
        out.extend(f"  {e}" for e in plan.errors[:MAX_ERRORS_SHOWN * 4])
    why = refusal(plan)
    n = int(plan.frame.varde.notna().sum()) if len(plan.frame) else 0
    out.append("")
    out.append(f"Skulle läsas in: {len(plan.frame)} rader, varav {n} med värde; "
               f"{len(plan.new_entries)} nya indikatorer." if why is None else f"Skulle vägras: {why}")
    out.append("Inget har sparats (--visa).")
    return "\n".join(out)


def tokens_by_kpi(plan: ImportPlan) -> dict[str, dict[str, int]]:
    """Raw missing-value tokens met per indicator, for the manifest (the raw token is kept there)."""
    out: dict[str, Counter] = {}
    for s in plan.sheets:
        for c in s.columns:
            if c.match is None:
                continue
            for tok, n in c.tokens.items():
                if tok != "tal" and cells.parse_cell(tok).kind == "missing" or tok == "":
                    out.setdefault(c.match.kpi, Counter())[tok] += n
    return {k: dict(v) for k, v in out.items()}



def token_meanings(plan: ImportPlan) -> dict[str, str]:
    """Each missing-value token met in the file and what it was read as ("NA" -> "Värde saknas i källan")."""
    out = {}
    for per_kpi in tokens_by_kpi(plan).values():
        for tok in per_kpi:
            status = cells.parse_cell(tok).status or "saknas"
            out[tok if tok else "(tom cell)"] = STATUS_TEXT.get(status, status)
    return dict(sorted(out.items()))
