"""A learner's answer read the way a Swedish analyst writes it, and the feedback shown under it.

No data here: :mod:`ojlib.render.kurs.ovningar` says what is right; this module reads the answer
(a number in Swedish or English form, a name, a letter of a choice), compares it and words
the feedback. Feedback is right, wrong with a hint, or "inte besvarad än" for the blank
``svar = ...`` a notebook ships with. A hint never contains the answer.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ojlib.analysis.formatting import short_num

RATT = "rätt"
FEL = "fel"
OBESVARAD = "inte besvarad"

RUBRIK = {RATT: "Rätt!", FEL: "Inte rätt än.", OBESVARAD: "Inte besvarad än."}
FARG = {RATT: ("#e6f4ea", "#1e7b34"), FEL: ("#fdecea", "#a50e0e"), OBESVARAD: ("#f1f3f4", "#555")}
SYMBOL = {RATT: "✔", FEL: "✘", OBESVARAD: "…"}


@dataclass(frozen=True)
class Aterkoppling:
    """What ``kontrollera`` shows: the outcome and one or two Swedish sentences."""

    ovning: str
    utfall: str          # RATT, FEL or OBESVARAD
    text: str = ""

    @property
    def ratt(self) -> bool:
        return self.utfall == RATT

    def __bool__(self) -> bool:
        return self.ratt

    def __str__(self) -> str:
        rest = f" {self.text}" if self.text else ""
        return f"Övning {self.ovning}: {RUBRIK[self.utfall]}{rest}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        bg, fg = FARG[self.utfall]
        rest = f" {html.escape(self.text)}" if self.text else ""
        rest = re.sub(r"`([^`]+)`", r"<code>\1</code>", rest)
        return (f'<div class="oj-kontroll oj-kontroll-{self.utfall.replace(" ", "-")}" role="status" '
                f'style="background:{bg};border-left:4px solid {fg};padding:6px 10px;margin:4px 0">'
                f'<strong style="color:{fg}">{SYMBOL[self.utfall]} Övning {html.escape(self.ovning)}: '
                f'{RUBRIK[self.utfall]}</strong>{rest}</div>')


def obesvarad(svar) -> bool:
    """The blank answer of a notebook as shipped (``svar = ...``), or nothing at all."""
    return svar is Ellipsis or svar is None or (isinstance(svar, str) and not svar.strip())


# --------------------------------------------------------------------------- numbers

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_UNITS = re.compile(r"(procentenheter|procentenhet|p\.?e\.?|%|kr/inv|kronor|kr|st|kommuner|år)\.?$", re.IGNORECASE)


def _one(value):
    """A single value out of a one-element Series, array, list or 1×1 table (else the value itself)."""
    if isinstance(value, pd.DataFrame) and value.shape == (1, 1):
        value = value.iloc[0, 0]
    elif isinstance(value, pd.Series) and len(value) == 1:
        value = value.iloc[0]
    elif isinstance(value, np.ndarray | list | tuple) and len(value) == 1:
        value = value[0]
    return value.item() if isinstance(value, np.generic) else value


def las_tal(svar) -> float | None:
    """A number from the learner's answer: 81.6, 81,6, "81,6 %", "1 234,5", "1,234.5", "−2,3".

    Swedish decimal comma and English decimal point are both read; a comma is a decimal sign
    unless a point follows it ("1,234.5"). Units and spaces are ignored. None when it is not a
    number (text, a table, True/False).
    """
    value = _one(svar)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(float(value)) else float(value)
    if not isinstance(value, str):
        return None
    text = _SPACES.sub("", value.strip()).replace("\u2212", "-").replace("–", "-")
    while True:
        stripped = _UNITS.sub("", text)
        if stripped == text:
            break
        text = stripped
    if "," in text and "." in text:
        english = text.rfind(",") < text.rfind(".")  # 1,234.5; otherwise Swedish with points: 1.234,5
        text = text.replace(",", "") if english else text.replace(".", "").replace(",", ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return None if math.isnan(number) else number


def tal_text(x: float, tolerans: float = 0.0) -> str:
    """A number for feedback in Swedish form ("81,6"), with as many decimals as the tolerance needs."""
    decimals = 0 if tolerans >= 1 or float(x).is_integer() and tolerans == 0 else 2
    return short_num(x, decimals)


def lika_tal(svar: float, facit: float, tolerans: float) -> bool:
    return abs(float(svar) - float(facit)) <= tolerans + 1e-9


# --------------------------------------------------------------------------- text and choices

def normalisera(text) -> str:
    """Text compared without case, surrounding quotes or extra spaces ("  jönköping " = "Jönköping")."""
    text = unicodedata.normalize("NFC", str(_one(text)))
    text = text.strip().strip("\"'”“„").strip()
    return re.sub(r"\s+", " ", text).casefold()


def las_val(svar, alternativ: dict[str, str]) -> str | None:
    """The key of the chosen alternative: a letter ("b", "B", "b)", "(b)") or an alternative's text."""
    value = _one(svar)
    if not isinstance(value, str):
        return None
    text = normalisera(value).strip("().: ")
    keys = {k.casefold(): k for k in alternativ}
    if text in keys:
        return keys[text]
    for key, label in alternativ.items():
        if normalisera(label) == normalisera(value):
            return key
    return None


def beskriv_typ(svar) -> str:
    """What the learner gave, in words, for a hint about the kind of answer ("en tabell", "text")."""
    value = _one(svar)
    if isinstance(value, pd.DataFrame):
        return f"en tabell med {len(value)} rader"
    if isinstance(value, pd.Series):
        return f"en kolumn med {len(value)} värden"
    if isinstance(value, bool):
        return "ett sanningsvärde (True/False)"
    if isinstance(value, int | float):
        return "ett tal"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple | set):
        return f"en lista med {len(value)} delar"
    return f"ett värde av typen {type(value).__name__}"
