"""What one cell holds: a number, an answer label (Ja/Nej/Delvis, a scale label) or a missing token.

Swedish official statistics write missing values as symbols; each becomes a missing value with a
status and the raw token kept, so that nothing is read as zero and nothing is invented.
Anything that is none of these is an error the caller reports with sheet, row and column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from ojlib.base.errors import excerpt
from ojlib.data.dataset import LARGEST

# Missing-value tokens (after normalisation) -> status (keys of dataset.STATUS_TEXT)
MISSING = {
    "": "saknas",
    "-": "bortfall",
    "..": "sekretess",
    ".": "ej_tillampligt",
    "x": "sekretess",
    "uppgift saknas": "saknas",
    "saknas": "saknas",
    "ej tillämpligt": "ej_tillampligt",
    "bortfall": "bortfall",
    # what statistics programs and English exports write for a missing value (R, pandas, SQL, Excel)
    "na": "saknas",
    "nan": "saknas",
    "null": "saknas",
    "n/a": "saknas",
    "#n/a": "saknas",
}
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphens, en/em dash, minus sign
SPACES = "\u00a0\u2007\u2009\u202f\u200b"  # nbsp, figure space, thin spaces, zero width
FOOTNOTE_MARKS = "*¹²³⁴⁵⁶⁷⁸⁹⁰†‡§"
_FOOTNOTE_TAIL = re.compile(rf"(?:\s*(?:[{re.escape(FOOTNOTE_MARKS)}]+|\(\d\)|\d\)))+$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}( \d{3})+([.,]\d+)?$")
ANSWERS = {"ja": "Ja", "nej": "Nej", "delvis": "Delvis"}


@dataclass(frozen=True)
class Cell:
    """A parsed cell. ``kind`` is number, label, missing or error."""

    kind: str
    varde: float | None = None
    label: str | None = None  # answer/scale label as written (normalised case for Ja/Nej/Delvis)
    status: str | None = None  # for missing: bortfall, sekretess, ej_tillampligt, saknas
    token: str = ""  # the raw text, stripped
    percent: bool = False
    problem: str | None = None  # for error: what is wrong, when it is more than "not a number"

    @property
    def shown(self) -> str:
        """The raw text as quoted in a sentence (bounded: a 200 000-character cell is not repeated)."""
        return excerpt(self.token, 40)


_TRANSLATE = str.maketrans({**dict.fromkeys(SPACES, " "), **dict.fromkeys(DASHES, "-")})


def clean_text(value) -> str:
    """Text with non-breaking/thin spaces as spaces, dashes as '-', whitespace collapsed."""
    return " ".join(str(value).translate(_TRANSLATE).split())


def strip_footnote(text: str) -> str:
    """'Ja*' -> 'Ja', 'Nej¹' -> 'Nej', '45,2 (1)' -> '45,2'."""
    return _FOOTNOTE_TAIL.sub("", text).strip()


def parse_number(text: str) -> float | None:
    """A number written as text: decimal comma or point, %, space thousands separators; else None."""
    t = clean_text(text)
    if t.endswith("%"):
        t = t[:-1].strip()
    if _GROUPED.match(t):
        t = t.replace(" ", "")
    if not _NUMBER.match(t):
        return None
    return float(t.replace(",", "."))


def parse_cell(value, percent_format: bool = False) -> Cell:
    """Parse one cell as read from a sheet (str, int, float, None, ...).

    ``percent_format``: the spreadsheet cell is formatted as % (0.45 shown as 45 %), so the
    stored fraction is multiplied by 100.
    """
    if value is None:
        return Cell("missing", status="saknas", token="")
    if isinstance(value, bool):
        return Cell("error", token=str(value))
    if isinstance(value, datetime | date):
        return Cell("error", token=str(value))
    if isinstance(value, int | float):
        if isinstance(value, int) and abs(value) > LARGEST:  # float() of a 400-digit int overflows
            return _too_large(str(value))
        v = float(value)
        if not math.isfinite(v):
            return Cell("error", token=str(value))
        if abs(v) > LARGEST:
            return _too_large(str(value))
        if percent_format:
            v = round(v * 100, 10)
        return Cell("number", varde=v, token=str(value), percent=percent_format)
    raw = str(value).strip()
    text = clean_text(raw)
    base = strip_footnote(text)
    low = base.lower()
    if low in MISSING or text.lower() in MISSING:
        return Cell("missing", status=MISSING.get(low, MISSING.get(text.lower())), token=raw)
    if low in ANSWERS:
        return Cell("label", label=ANSWERS[low], token=raw)
    number = parse_number(base)
    if number is not None:
        if not math.isfinite(number) or abs(number) > LARGEST:  # a 400-digit text is inf as a float
            return _too_large(raw)
        return Cell("number", varde=number, token=raw, percent=base.endswith("%"))
    if re.search(r"[a-zåäöé]{2,}", low) and low.lstrip("+-") not in ("inf", "infinity"):
        # a scale label such as 'Inom 3 dagar'; the indicator decides whether it is one of its levels
        return Cell("label", label=base, token=raw)
    return Cell("error", token=raw)


def _too_large(token: str) -> Cell:
    return Cell("error", token=token, problem="talet är orimligt stort (över 10^15)")


def label_key(label: str) -> str:
    """Normalised form for comparing a label with a catalogue level."""
    return clean_text(strip_footnote(label)).lower()
