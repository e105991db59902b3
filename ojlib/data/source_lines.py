"""Source lines (credits) under figures, tables and report pages.

Kolada's terms: unmodified values carry exactly "Källa: Kolada"; own processing must not name
Kolada as the source, so derived figures say "Bearbetning av data från Kolada". Example data
is never passed off as real and always carries its own mark. The wording of every source comes
from the source registry (``ojlib.data.sources.registry``); a combined dataset ("kolada,egen")
gets one line naming each source used.
"""

from __future__ import annotations

from ojlib.data import dataset
from ojlib.data.sources import registry

KALLA_KOLADA = "Källa: Kolada"
BEARBETNING_KOLADA = "Bearbetning av data från Kolada"
EXEMPELDATA = registry.EXEMPELDATA


def split(kalla) -> list[str]:
    """``"kolada,egen"`` or a list -> ["kolada", "egen"]."""
    parts = kalla.split(",") if isinstance(kalla, str) else list(kalla or [])
    return [p.strip() for p in parts if str(p).strip()]


def has_example(kalla) -> bool:
    """True when example data is among the sources (the mark must then be shown)."""
    return any(registry.is_example(k) for k in split(kalla))


def _infos(keys) -> dict[str, dict]:

    return {k: dataset.read_manifest(k) or {} for k in keys if registry.known(k) and not registry.is_example(k)}


def source_line(kalla, derived: bool = False, infos: dict[str, dict] | None = None) -> str:
    """The source line for data from ``kalla``: a registry key ("kolada", "exempeldata", "egen"),
    several joined by commas ("kolada,egen"), or a user's file name.

    ``derived`` is True for anything computed from the values (averages, shares, ranks,
    differences); False for values shown as the source published them. ``infos`` are the
    sources' manifests (read from data/processed when not given).
    """
    keys = split(kalla)
    if not keys:
        raise ValueError("source_line needs a source name")
    return registry.credit_line(keys, _infos(keys) if infos is None else infos, derived)
