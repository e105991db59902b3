"""Source lines (credits) under figures, tables and report pages.

Kolada's terms: unmodified values carry exactly "Källa: Kolada"; own processing must not name
Kolada as the source, so derived figures say "Bearbetning av data från Kolada". Example data
is never passed off as real and always carries its own mark.
"""

from __future__ import annotations

KALLA_KOLADA = "Källa: Kolada"
BEARBETNING_KOLADA = "Bearbetning av data från Kolada"
EXEMPELDATA = "Exempeldata – inte verkliga resultat"


def source_line(kalla: str, derived: bool = False) -> str:
    """The source line for data from ``kalla`` ("kolada", "exempeldata" or a user's file name).

    ``derived`` is True for anything computed from the values (averages, shares, ranks,
    differences); False for values shown as the source published them.
    """
    name = str(kalla).strip()
    if name == "exempeldata":
        return EXEMPELDATA
    if name == "kolada":
        return BEARBETNING_KOLADA if derived else KALLA_KOLADA
    if not name:
        raise ValueError("source_line needs a source name")
    return f"Bearbetning av data från {name}" if derived else f"Källa: {name}"
