"""Whom a file's values are credited to: only what the file itself or the user says.

A workbook is credited to "Socialstyrelsen, Öppna jämförelser ÅÅÅÅ" only when its own title
lines or information sheet say "Öppna jämförelser ÅÅÅÅ" (Socialstyrelsen's publication), or
when the user says so with ``oj importera --utgivare "…"``. Anything else is credited by its file
name (``sources.registry``): a researcher's CSV or a Kolada export is never passed off as
Socialstyrelsen's.
"""

from __future__ import annotations

import re

from ojlib.data.importer.cells import clean_text

OJ = re.compile(r"öppna\s+jämförelser\D{0,30}?((?:199|20)\d\d)", re.IGNORECASE)
INFO_SHEET = re.compile(r"^(information|info|om\b|om statistiken|läsanvisning|beskrivning|om tabellerna|"
                        r"förklaring|about)", re.IGNORECASE)
TOP_ROWS = 12  # title lines sit above the table


def _texts(sheet, rows: int | None) -> list[str]:
    out = []
    for row in sheet.rows[: rows or len(sheet.rows)]:
        out += [clean_text(v) for v in row if isinstance(v, str) and v.strip()]
    return out


def from_workbook(sheets, plans=None) -> tuple[str | None, str | None]:
    """("Socialstyrelsen, Öppna jämförelser 2025", where it says so) or (None, None)."""
    for sheet in sheets:
        info = bool(INFO_SHEET.match(sheet.name.strip()))
        texts = _texts(sheet, None if info else TOP_ROWS)
        if not info:
            texts.append(sheet.name)
        for t in texts:
            m = OJ.search(t)
            if m:
                where = f"bladet {sheet.name}" if info else f"rubriken i bladet {sheet.name}"
                return f"Socialstyrelsen, Öppna jämförelser {m.group(1)}", where
    return None, None


def is_oj(text: str | None) -> bool:
    """True when a credit names Socialstyrelsen's Öppna jämförelser."""
    t = (text or "").lower()
    return "öppna jämförelser" in t or "socialstyrelsen" in t
