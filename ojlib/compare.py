"""Comparisons an ÖJ analyst makes – the façade over the focused modules.

``from ojlib import compare`` keeps working; new code may import the modules directly:

* :mod:`ojlib.formatting` – Swedish numbers (decimal comma, units, procentenheter).
* :mod:`ojlib.aggregate` – the one aggregation-and-ranking core: share of kommuner at the top
  answer and distributions for Ja/Nej and scales (never a mean of answer codes), ovägt medel,
  ranks, the stated tolerance for "higher/lower/unchanged".
* :mod:`ojlib.ranking` – :func:`kommun_table`, :func:`lan_table`, :func:`lan_tables`.
* :mod:`ojlib.coverage` – :func:`coverage`.
* :mod:`ojlib.levels` – :func:`trend` (values over the years).
* :mod:`ojlib.trends` – :func:`trend_table`, :func:`verdict`.
* :mod:`ojlib.kon` – :func:`sex_differences`.
* :mod:`ojlib.peers` – :func:`peer_members`, :func:`peer_table`, :func:`kommun_profile`.

Every function takes a :class:`~ojlib.dataset.Dataset` and returns a tidy pandas frame with
Swedish column names; ``attrs`` carry ``kalla`` (source lines, exempeldata mark), ``omrade``,
``lan``/``kommun``, ``ar`` and ``medel``.
"""

from __future__ import annotations

from ojlib.aggregate import (  # noqa: F401
    ANSWER_TYPES,
    AVSER_ANDEL_JA,
    AVSER_OVAGT,
    TOLERANS,
    TOLERANS_TEXT,
    Distribution,
    avser_beraknat,
    avser_publicerat,
    compare_to,
    distribution,
    is_answer,
    ja_share,
    top_level,
)
from ojlib.coverage import coverage  # noqa: F401
from ojlib.formatting import (  # noqa: F401
    format_column,
    format_difference,
    format_number,
    format_share,
    format_value,
    num,
)
from ojlib.kon import sex_differences  # noqa: F401
from ojlib.levels import trend  # noqa: F401
from ojlib.peers import kommun_profile, peer_members, peer_table, placement_text  # noqa: F401
from ojlib.ranking import KOMMUN_TABLE_COLUMNS, RANG_AVSER, kommun_table, lan_table, lan_tables, rang_avser  # noqa: F401
from ojlib.selection import NIVA_NAMN  # noqa: F401
from ojlib.trends import BEDOMNING_NED, BEDOMNING_UPP, trend_table, verdict  # noqa: F401


def _num(x: float, decimals: int) -> str:
    """Old private name of :func:`ojlib.formatting.num` (kept for code written against it)."""
    return num(x, decimals)
