"""What an indicator's value means, by its type: the answer types and the number a kommun adds.

The answer types (``ja_nej``, ``skala``) are answers at a level, never numbers to average; a group
of kommuner has a *share of kommuner at the top level* (Ja, or a scale's highest labelled level).
These few rules belong to the catalogue's types, so the data sources (the example data's stored
län/riket rows) and the analysis (:mod:`ojlib.analysis.aggregate`) share them from here.
"""

from __future__ import annotations

import numpy as np

ANSWER_TYPES = ("ja_nej", "skala")
STATUS_ANDEL_TOPP = "andel_hogsta_niva"  # status of a stored share of kommuner at a scale's top level


def is_answer(typ) -> bool:
    """True for the answer types (Ja/Nej and ordinal scales)."""
    return typ in ANSWER_TYPES


def top_level(ind) -> int:
    """The level whose share of kommuner is an answer type's number: Ja (1), or the scale's top."""
    if ind.typ == "ja_nej":
        return 1
    return max(ind.nivaer) if ind.nivaer else 1


def share_input(values, typ, top=1):
    """The number averaged over kommuner: 100 at the top level and 0 at other levels for answer
    types, the value itself otherwise; missing stays missing.

    ``values``, ``typ`` and ``top`` are arrays of one length (or scalars for ``typ``/``top``).
    """
    v = np.asarray(values, dtype=float)
    typ = np.broadcast_to(np.asarray(typ, dtype=object), v.shape)
    top = np.broadcast_to(np.asarray(top, dtype=float), v.shape)
    answer = (typ == "ja_nej") | (typ == "skala")
    shares = np.where(np.isnan(v), np.nan, (v == top) * 100.0)
    return np.where(answer, shares, v)
