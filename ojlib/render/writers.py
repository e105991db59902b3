"""Every spreadsheet file ojlib writes (.xlsx and CSV), formula-safe and ready to print.

What goes into the files is decided by ``ojlib.render.tables`` (the coloured län table, the indicator
rows, the notes); this module only writes them. Two promises hold for every cell of every sheet
and every CSV field written here:

- Text never becomes a formula. Text that a spreadsheet would read as a formula (it begins with
  ``=``, ``+``, ``-``, ``@``, a tab or a line break, also after spaces) gets a leading apostrophe,
  the usual spreadsheet sign for "this is text"; a plain negative number written as text
  ("-3,2 %") is left as it is. In .xlsx every text cell is also stored with the string type.
- Numbers stay numbers (negative ones too); a value that is not finite is refused.

The .xlsx sheets are set up for printing: A4 landscape, fit to the page width, header rows
repeated on every page, column widths that keep every header word whole, and a filter on the
tables. Files are written atomically (``storage.atomic_path``).
"""

from __future__ import annotations

import math
import re
from numbers import Number
from pathlib import Path

import pandas as pd

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import aggregate, colours
from ojlib.base.outputs import saving
from ojlib.base.storage import atomic_path
from ojlib.data import dataset
from ojlib.data.catalog import OMRADEN
from ojlib.data.source_lines import has_example, source_line
from ojlib.render import tables
from ojlib.report import lansrapport

FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")  # also the full-width = + - @
PLAIN_NEGATIVE = re.compile(r"-\d[\d\u00a0 ,.]*(?:\u00a0?(?:%|[^\W\d_]+))?")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in .xlsx XML


def safe_text(text: str) -> str:
    """``text`` as a spreadsheet shows it literally: a leading apostrophe if it could start a formula."""
    text = _ILLEGAL.sub("\ufffd", str(text))
    stripped = text.lstrip(" ")
    if stripped and stripped[0] in FORMULA_START and not PLAIN_NEGATIVE.fullmatch(stripped):
        return "'" + text
    return text


def safe_value(value):
    """A cell value: text made safe, numbers as Python numbers, missing as None."""
    if value is None:
        return None
    if isinstance(value, str):
        return safe_text(value)
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        value = value.item()  # numpy scalars
    if isinstance(value, bool):
        return value
    if isinstance(value, Number):
        if isinstance(value, float) and math.isnan(value):
            return None
        if not math.isfinite(value):
            raise ValueError(f"a value that is not finite ({value}) cannot be written to a spreadsheet")
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return safe_text(str(value))


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text (headers included) is formula-safe; numbers untouched."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(lambda v: safe_text(v) if isinstance(v, str) else v)
        elif pd.api.types.is_float_dtype(out[col]) and not out[col].dropna().map(math.isfinite).all():
            raise ValueError(f"column {col!r} holds values that are not finite")
    out.columns = [safe_text(str(c)) for c in out.columns]
    return out


# ------------------------------------------------------------------------------- CSV

def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as comma-separated text (``oj indikatorer --format csv``), formula-safe."""
    return safe_frame(frame).to_csv(index=False)


# a stadsdel row of the long table keeps its kommun's row's identity and the indicator's description; what
# is the kommun's own (its rank, colour, placement, länet/riket beside it) stays empty: a stadsdel is not ranked,
# coloured or counted in länet or riket
STADSDEL_KEEP = ["kpi", "indikator", "område", "typ", "riktning", "enhet", "år", "kön", "kommunkod", "kommun",
                 "länskod", "län"]


def long_table(table: pd.DataFrame, stadsdelar: pd.DataFrame | None = None) -> pd.DataFrame:
    """The long table (one row per kommun and indicator) with its columns nivå ("kommun") and, when
    ``stadsdelar`` (``lansrapport.stadsdel_rows``) has rows, each stadsdel's row right after its kommun's for
    the same indicator: nivå "stadsdel", its name and code in stadsdel and stadsdelkod, its value."""
    out = table.assign(nivå="kommun", stadsdel=None, stadsdelkod=None)
    if stadsdelar is None or stadsdelar.empty:
        return out
    own = out.reset_index(drop=True).assign(_ordning=range(len(out)), _sd=0)
    first = own.drop_duplicates(["kpi", "kommunkod"]).set_index(["kpi", "kommunkod"])
    sd = stadsdelar[stadsdelar.set_index(["kpi", "kommunkod"]).index.isin(first.index)]
    keys = list(zip(sd.kpi, sd.kommunkod, strict=True))
    rows = pd.DataFrame({c: first.loc[keys].reset_index()[c].to_numpy() for c in STADSDEL_KEEP},
                        columns=STADSDEL_KEEP)
    rows = rows.assign(värde=sd.värde.to_numpy(), värde_text=sd.värde_text.to_numpy(), nivå="stadsdel",
                       stadsdel=sd.stadsdel.to_numpy(), stadsdelkod=sd.kod.to_numpy(),
                       _ordning=first.loc[keys, "_ordning"].to_numpy(), _sd=range(1, len(sd) + 1))
    both = pd.concat([own, rows], ignore_index=True).sort_values(["_ordning", "_sd"], kind="mergesort")
    return both.drop(columns=["_ordning", "_sd"]).reset_index(drop=True)[list(out.columns)]


def to_csv(table: pd.DataFrame, path, stadsdelar: pd.DataFrame | None = None) -> Path:
    """Write the (coloured) long table as CSV for Swedish Excel: one row per kommun and
    indicator (the same rows as the sheet Tabell; with ``stadsdelar`` their rows too, marked in the column
    nivå), ``;`` separated, decimal comma, UTF-8 with BOM. A coloured table gets the column färgförklaring
    (``colours.FORKLARING``). Atomic."""
    path = Path(path)
    table = long_table(table, stadsdelar)
    if "färg" in table.columns:
        table = table.assign(färgförklaring=colours.FORKLARING)
    safe = safe_frame(table)
    with saving(path), atomic_path(path) as tmp:
        safe.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    return path


# ------------------------------------------------------------------------------ Excel

def put(ws, row: int, column: int, value, font=None, fill=None, alignment=None, number_format=None):
    """Write one cell; text is formula-safe and stored as text (never as a formula)."""
    cell = ws.cell(row=row, column=column)
    value = safe_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


PAGE_CHARS = 150  # characters of column width that fit across A4 landscape at a readable size (Tabell)


def print_setup(ws, title_rows: tuple[int, int] | None = None, area: str | None = None,
                pages_wide: int = 1) -> None:
    """A4 landscape, fit to ``pages_wide`` page widths (as many pages down as needed), header rows
    repeated on every page, printing ``area`` (e.g. "A1:S30") so text beside the table cannot widen it."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = max(1, pages_wide)
    ws.page_setup.fitToHeight = 0
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    if area:
        ws.print_area = area


def text_row(ws, row: int, text: str, last_column: int, width: float, font=None) -> None:
    """A line of prose across columns 1..``last_column`` (merged, wrapped, tall enough), so that
    it prints inside the table's width instead of running off to the right."""
    from openpyxl.styles import Alignment

    put(ws, row, 1, text, font=font, alignment=Alignment(wrap_text=True, vertical="top"))
    if last_column > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    size = getattr(font, "size", None) or 11
    lines = max(1, math.ceil(len(str(text)) * 1.1 * size / 11 / max(width - 2, 1)))
    ws.row_dimensions[row].height = lines * 15 * size / 11 + 2


def _widths(ws, n: int) -> float:
    from openpyxl.utils import get_column_letter

    return sum(ws.column_dimensions[get_column_letter(j)].width or 9 for j in range(1, n + 1))


def header_width(text: str, minimum: float = 9, maximum: float = 60) -> float:
    """A column width (in characters) that holds the longest word of ``text`` whole."""
    longest = max((len(w) for w in str(text).split()), default=0)
    return max(minimum, min(maximum, longest * 1.15 + 2))


def header_height(texts, widths, line_height: float = 15.0) -> float:
    """Row height (points) for wrapped header texts in columns of the given widths."""
    lines = 1
    for text, width in zip(texts, widths, strict=True):
        n, used = 1, 0
        for word in str(text).split():
            need = len(word) * 1.15 + (1 if used else 0)
            if used and used + need > width - 1:
                n, used = n + 1, len(word) * 1.15
            else:
                used += need
        lines = max(lines, n)
    return lines * line_height + 4


def _rgb(hex_colour: str) -> str:
    return "FF" + hex_colour.lstrip("#").upper()


def to_excel(table: pd.DataFrame, path, catalogue=None, title: str | None = None,
             stadsdelar: pd.DataFrame | None = None) -> Path:
    """Write the coloured län table to ``path`` (.xlsx): Översikt, Tabell and Förklaring sheets.

    The overview cells hold numbers (percentages, kronor, counts) or labels (Ja/Nej, scale
    levels) with the same fills as the HTML table; missing cells say why. ``stadsdelar``
    (``lansrapport.stadsdel_rows``): each stadsdel a row under its kommun, marked ↳ and not coloured, and
    in the long table marked in the column nivå. Written atomically.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    tables._require_colours(table)
    kalla = tables._kalla(table)
    path = Path(path)
    text, fill, klass, num, avser = tables.overview_frames(table)
    heads = table.drop_duplicates("kpi").set_index("kpi")
    typ_by_col = {name: heads.at[k, "typ"] for k, name in tables.column_names(heads).items()}
    lan = table["län"].iloc[0] if table["länskod"].nunique() == 1 else "Alla kommuner"
    omr = table.attrs.get("omrade")
    omr_text = OMRADEN.get(omr, "alla områden") if isinstance(omr, str) else "valda områden"
    title = title or f"Öppna jämförelser – {lan} – {omr_text}"
    bold = Font(bold=True)
    red = Font(bold=True, color="FFB00020")
    head_align = Alignment(wrap_text=True, vertical="bottom", horizontal="center")

    wb = Workbook()
    ws = wb.active
    ws.title = "Översikt"
    ncols = len(text.columns) + 1
    widths = [header_width(col, minimum=10, maximum=30) for col in text.columns]
    for j, w in enumerate(widths, start=2):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.column_dimensions["A"].width = max(16, min(40, max((len(str(n)) for n in text.index), default=8) * 1.1 + 2))
    total = _widths(ws, ncols)
    text_row(ws, 1, title, ncols, total, font=Font(bold=True, size=14))
    row = 2
    if has_example(kalla):
        text_row(ws, row, EXEMPELDATA_MARK, ncols, total, font=red)
        row += 1
    if source_line(kalla, derived=True) != EXEMPELDATA_MARK:
        text_row(ws, row, source_line(kalla, derived=True), ncols, total)
    header_row = row + 2
    put(ws, header_row, 1, tables.KOMMUN, font=bold, alignment=Alignment(vertical="bottom"))
    for j, col in enumerate(text.columns, start=2):
        put(ws, header_row, j, col, font=bold, alignment=head_align)
    ws.row_dimensions[header_row].height = header_height(text.columns, widths)
    formats = {"andel": '0.0" %"', "kr_per_inv": '# ##0" kr"', "antal": "0.0"}
    names = tables.column_names(heads)  # kpi -> its column
    kommun_kod = dict(zip(table.kommun, table.kommunkod, strict=False))
    under = {} if stadsdelar is None or stadsdelar.empty else {k: g for k, g in stadsdelar.groupby("kommunkod")}
    i = header_row
    for name in text.index:
        i += 1
        comparison = name in ("Länet", "Riket")
        put(ws, i, 1, name, font=bold if comparison else Font())
        for j, col in enumerate(text.columns, start=2):
            typ = typ_by_col[col]
            value = num.at[name, col]
            if pd.notna(value) and (typ in formats or comparison):
                share = comparison and typ in ("ja_nej", "skala")  # share of kommuner (%), never a mean of codes
                cell = put(ws, i, j, round(float(value), 2),
                           number_format='0" %"' if share else formats.get(typ, "0.00"))
            else:
                cell = put(ws, i, j, str(text.at[name, col]))
            if not comparison:
                cell.fill = PatternFill(fill_type="solid", fgColor=_rgb(fill.at[name, col]))
            else:
                cell.font = Font(italic=True)
            cell.alignment = Alignment(horizontal="center")
        for sd_name, sd in (under[kommun_kod[name]].groupby("stadsdel", sort=False)
                            if not comparison and kommun_kod.get(name) in under else []):
            i += 1  # a stadsdel under its kommun: its values, not coloured (it is not ranked among the kommuner)
            put(ws, i, 1, f"{tables.STADSDEL_MARK}{sd_name}", font=Font(italic=True))
            for k, value, shown in zip(sd.kpi, sd["värde"], sd["värde_text"], strict=True):
                col = names.get(k)
                if col not in text.columns:
                    continue
                j = list(text.columns).index(col) + 2
                typ = typ_by_col[col]
                cell = put(ws, i, j, round(float(value), 2), number_format=formats[typ]) \
                    if pd.notna(value) and typ in formats else put(ws, i, j, str(shown))
                cell.alignment = Alignment(horizontal="center")
        if not comparison:
            last_kommun = i
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(text.columns) + 1)}{last_kommun}"
    row = i + 2
    for line in ["Länet och riket: " + "; ".join(sorted(set(avser.stack()))), *tables.notes(table)]:
        if line == EXEMPELDATA_MARK:
            continue
        text_row(ws, row, line, ncols, total)
        row += 1
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    # as many pages across as keep the text readable (about 8 pt; fitted to one page, 27 indicators printed
    # at 3 pt), the kommun column and the header row on every page
    print_setup(ws, (header_row, header_row), f"A1:{get_column_letter(ncols)}{row - 1}",
                pages_wide=math.ceil(_widths(ws, ncols) / PAGE_CHARS))
    ws.print_title_cols = "A:A"

    # the long table, one row per kommun and indicator
    wt = wb.create_sheet("Tabell")
    long = long_table(table, stadsdelar)
    cols = [c for c in long.columns if c != "färgregel"] + ["färgregel"]
    tidy = long[cols]
    vcol = cols.index("värde") + 1
    fcol = cols.index("färg")
    for j, c in enumerate(cols, start=1):
        put(wt, 1, j, c, font=bold, alignment=Alignment(vertical="bottom"))
    for i, rec in enumerate(tidy.itertuples(index=False), start=2):
        for j, v in enumerate(rec, start=1):
            put(wt, i, j, None if not isinstance(v, str) and pd.isna(v) else v)
        if isinstance(rec[fcol], str):  # a stadsdel's row has no colour
            wt.cell(row=i, column=vcol).fill = PatternFill(fill_type="solid", fgColor=_rgb(rec[fcol]))
    for j, c in enumerate(cols, start=1):
        sample = tidy[c].head(200).map(lambda v: len(str(v)))
        longest = max(len(str(c)), int(sample.max()) if len(sample) else 0)
        wt.column_dimensions[get_column_letter(j)].width = max(8, min(30, longest * 1.1 + 2))
    wt.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(tidy) + 1}"
    wt.freeze_panes = "A2"
    wt.print_title_cols = "A:B"  # kpi and indikator on every page across
    print_setup(wt, (1, 1), wt.auto_filter.ref, pages_wide=min(3, math.ceil(_widths(wt, len(cols)) / PAGE_CHARS)))

    # the explanation
    we = wb.create_sheet("Förklaring")
    lines = [(title, Font(bold=True, size=14))]
    if has_example(kalla):
        lines.append((EXEMPELDATA_MARK, red))
    if source_line(kalla, derived=True) != EXEMPELDATA_MARK:
        lines.append((source_line(kalla, derived=True), None))
    lines += [
        ("", None),
        ("Färgregel", bold), (table.attrs.get("fargregel", ""), None), (colours.FORKLARING, bold), ("", None),
        ("Medelvärden", bold),
        (f"Länet och riket: {aggregate.AVSER_ANDEL_JA} för Ja/Nej-indikatorer och andel kommuner med skalans högsta "
         "nivå för skalor (av de kommuner som svarat; aldrig ett medel av svarskoder, se kolumnerna länet_fördelning "
         "och riket_fördelning för hur kommunerna svarat); "
         f"{aggregate.AVSER_OVAGT} (varje kommun väger lika) för övriga; ett publicerat värde från källan är "
         "befolkningsviktat. Kolumnerna länet_avser och riket_avser i bladet Tabell anger vilket.", None),
        ("Kommungruppen: beräknat av ojlib från kommunerna i samma SKR-kommungrupp (ovägt).", None), ("", None),
        ("Rangordning", bold),
        ("Rang 1 är bäst enligt önskvärd riktning (utan riktning: högst värde, för kostnader högst kostnad). Lika "
         "värden delar den bästa platsen; kommuner utan värde och svar på Ja/Nej- och skalfrågor rangordnas inte, "
         "antal_med_värde anger hur många som rangordnats.", None),
        ("", None), ("Färgklasser", bold),
    ]
    ind = tables.indicator_rows(table, catalogue)
    nind = len(ind.columns)
    for j, c in enumerate(ind.columns, start=1):
        longest = max([len(str(c))] + [len(str(v)) for v in ind[c]])
        we.column_dimensions[get_column_letter(j)].width = max(10, min(40 if c == "Beskrivning" else 24,
                                                                       longest * 1.1 + 2))
    we.column_dimensions["A"].width = max(we.column_dimensions["A"].width, 26)
    total = _widths(we, nind)
    r = 1
    for text_line, font in lines:
        if text_line:
            text_row(we, r, text_line, nind, total, font=font)
        r += 1
    palett = table.attrs.get("palett", "standard")
    grey = colours.PALETTER[palett]["saknas"]
    put(we, r, 1, "Saknas (orsaken anges)", fill=PatternFill(fill_type="solid", fgColor=_rgb(grey)))
    put(we, r, 2, "Alla indikatorer")
    r += 1
    for eff in dict.fromkeys(table["färgstrategi"]):
        for e in colours.legend(eff, palett, saknas=False):
            put(we, r, 1, e.namn, fill=PatternFill(fill_type="solid", fgColor=_rgb(e.farg)))
            put(we, r, 2, colours.SCHEMANAMN[eff])
            r += 1
    r += 1
    put(we, r, 1, "Indikatorer", font=bold)
    r += 1
    first = r
    wrap = Alignment(wrap_text=True, vertical="top")
    col_widths = [we.column_dimensions[get_column_letter(j)].width for j in range(1, nind + 1)]
    for j, c in enumerate(ind.columns, start=1):
        put(we, r, j, c, font=bold, alignment=Alignment(wrap_text=True, vertical="bottom"))
    we.row_dimensions[r].height = header_height(ind.columns, col_widths)
    for rec in ind.itertuples(index=False):
        r += 1
        for j, v in enumerate(rec, start=1):
            put(we, r, j, v, alignment=wrap)
        lines_needed = max(math.ceil(len(str(v)) * 1.1 / max(w - 2, 1)) for v, w in zip(rec, col_widths, strict=True))
        we.row_dimensions[r].height = max(1, lines_needed) * 15 + 2
    we.auto_filter.ref = f"A{first}:{get_column_letter(nind)}{r}"
    print_setup(we, (first, first), f"A1:{get_column_letter(nind)}{r}")

    with saving(path), atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def write_lan_tables(items, options, save) -> list[Path]:
    """The ``xlsx`` and ``csv`` formats (:mod:`ojlib.render.formats`): each län report's coloured län table
    (the one of its overview: its län, område, year, source, colour strategy and palette) saved beside its
    page by ``save(table, path, catalogue)``. Datasets are loaded once per run (``options.datasets``)."""
    written = []
    for item in items:
        p = item.params
        kalla = p.get("datakalla") or "exempeldata"
        if kalla not in options.datasets:
            options.datasets[kalla] = dataset.load_dataset(kalla)
        ds = options.datasets[kalla]
        table = colours.coloured_lan_table(ds, p["lan"], p.get("omrade"), p.get("ar"),
                                           p.get("fargstrategi") or "rang_kvartil", p.get("palett") or "standard")
        written.append(save(table, item.target, ds.cat, stadsdelar=lansrapport.stadsdel_rows(ds, table)))
        if options.on_done:
            options.on_done(item.target)
    return written
