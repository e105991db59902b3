"""Numbers as Swedish readers read them: decimal comma, thin spacing of thousands, units.

One place for every number a person sees (tables, figures, summaries, exports):

* :func:`num` – a bare number: ``num(12345.67, 1)`` → "12 345,7" (non-breaking spaces).
* :func:`format_number` – a number in an indicator type's unit: "82,3 %", "12 345 kr", "23,4 dagar".
* :func:`format_value` – a kommun's value as users read it: "Ja", "Inom 3 dagar", "82,3 %".
* :func:`format_share` – a län/riket/group share of kommuner at a level: "69 % Ja".
* :func:`format_difference` – a signed difference: "+2,3 procentenheter", "−120 kr", "±0 procentenheter".
* :func:`format_percent_change` – a relative change: "+4,1 %".

Answer types (``ja_nej``, ``skala``) are never formatted as a mean of their codes: a
comparison value of an answer type is the share of kommuner at a level (see
:mod:`ojlib.analysis.aggregate`), formatted with :func:`format_share`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ojlib.data.answers import top_level

NBSP = "\u00a0"
MINUS = "\u2212"
DASH = "–"  # shown for a missing value

# Unit of a difference between two values of a type (län − riket, a change over time).
DIFFERENCE_UNIT = {"ja_nej": "procentenheter", "skala": "procentenheter", "andel": "procentenheter",
                   "kr_per_inv": "kr", "antal": ""}


def num(x: float, decimals: int = 1) -> str:
    """Swedish number: decimal comma, non-breaking space between thousands ("12 345,7")."""
    text = f"{float(x):,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def and_list(parts: list[str]) -> str:
    """Words in a Swedish list: "A", "A och B", "A, B och C"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]


def short_num(x: float, decimals: int = 2) -> str:
    """A number with at most ``decimals`` decimals and no trailing zeros ("0,05", "1", "2,5")."""
    text = num(x, decimals)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def format_number(value, typ: str, enhet: str = "") -> str:
    """A number in the unit of the indicator type: "82,3 %", "12 345 kr", "23,4 dagar", "1,5".

    For ``ja_nej`` and ``skala`` the number is a share of kommuner in per cent ("69 %"), the only
    number an answer type has at län/riket level.
    """
    if _missing(value):
        return DASH
    v = float(value)
    if typ in ("ja_nej", "skala"):
        return f"{num(v, 0)}{NBSP}%"
    if typ == "andel":
        return f"{num(v, 1)}{NBSP}%"
    if typ == "kr_per_inv":
        return f"{num(v, 0)}{NBSP}kr"
    return f"{num(v, 1)}{NBSP}{enhet}" if enhet and enhet != "antal" else num(v, 1)


def level_text(label: str) -> str:
    """An answer level inside a sentence: one word as it is ("Ja", "Delvis"), otherwise in quotes
    ("”Inom 3 dagar”", "”Ja, för alla”") so a list of levels and counts stays readable."""
    label = str(label)
    return label if re.fullmatch(r"[^\W\d_][\w-]*", label) else f"\u201d{label}\u201d"


def format_share(value, level_label: str = "Ja") -> str:
    """A share of kommuner (per cent) answering at a level: "69 % Ja", "23 % ”Inom 3 dagar”"."""
    if _missing(value):
        return DASH
    return f"{num(float(value), 0)}{NBSP}% {level_text(level_label)}"


def format_value(value, ind, aggregate: bool = False) -> str:
    """A value as users read it: "Ja", "Inom 3 dagar", "82,3 %", "12 345 kr", "23,4 dagar".

    ``aggregate`` formats a län/riket/group comparison value: for Ja/Nej and scales that is the
    share of kommuner at the top level ("69 % Ja", "23 % Inom 3 dagar"), never a mean of codes.
    """
    if _missing(value):
        return DASH
    if ind.typ in ("ja_nej", "skala"):
        if aggregate:
            return format_share(value, ind.nivaer.get(top_level(ind), "högsta nivån"))
        return ind.label(value) or num(float(value), 0)
    return format_number(value, ind.typ, ind.enhet)


def format_difference(x, typ: str, enhet: str = "", decimals: int = 1, short: bool = False) -> str:
    """A signed difference in the unit a difference of this type has.

    Shares and percentages differ in procentenheter ("+2,3 procentenheter", "−1 procentenhet"; with
    ``short`` "+2,3 pe", for a table cell whose legend says what pe is), kronor in kronor ("−120 kr"),
    other measures in their unit.
    """
    if _missing(x):
        return DASH
    x = float(x)
    unit = DIFFERENCE_UNIT.get(typ, enhet)
    if typ == "antal" and enhet and enhet != "antal":
        unit = enhet
    if typ == "kr_per_inv":
        decimals = 0
    rounded = round(abs(x), decimals)
    sign = "+" if x > 0 and rounded else (MINUS if x < 0 and rounded else "±")
    text = f"{sign}{num(abs(x), decimals)}"
    if unit == "procentenheter":
        unit = "pe" if short else "procentenhet" if rounded == 1 else "procentenheter"
    return f"{text}{NBSP}{unit}" if unit else text


def format_percent_change(x, decimals: int = 1) -> str:
    """A relative change in per cent: "+4,1 %", "−0,5 %"."""
    if _missing(x):
        return DASH
    x = float(x)
    rounded = round(abs(x), decimals)
    sign = "+" if x > 0 and rounded else (MINUS if x < 0 and rounded else "±")
    return f"{sign}{num(abs(x), decimals)}{NBSP}%"


def format_count(n: int, singular: str, plural: str) -> str:
    """"1 kommun", "13 kommuner"."""
    return f"{int(n)} {singular if int(n) == 1 else plural}"


def format_column(values: pd.Series, kpis: pd.Series, cat, aggregate: bool = False) -> pd.Series:
    """:func:`format_value` over a column, computed once per distinct value and way of formatting.

    Indicators that format alike (same type and unit, same level labels) share the work, so a
    table of thousands of indicators formats in a few passes.
    """
    out = np.full(len(values), DASH, dtype=object)
    v = values.to_numpy(dtype=float)
    ok = ~np.isnan(v)
    if not ok.any():
        return pd.Series(out, index=values.index)
    style = {}
    for kpi in pd.unique(kpis[ok]):
        ind = cat[kpi]
        labels = tuple(sorted(ind.nivaer.items())) if ind.typ in ("ja_nej", "skala") else ()
        style[kpi] = style.setdefault((ind.typ, ind.enhet, labels), ind)
    reps = kpis.map(style).to_numpy(dtype=object)
    keys = np.array([id(r) for r in reps], dtype=np.int64)
    for key in np.unique(keys[ok]):
        idx = np.flatnonzero(ok & (keys == key))
        ind = reps[idx[0]]
        uniq, inverse = np.unique(v[idx], return_inverse=True)
        texts = np.array([format_value(u, ind, aggregate) for u in uniq], dtype=object)
        out[idx] = texts[inverse]
    return pd.Series(out, index=values.index)
