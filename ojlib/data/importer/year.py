"""Which year a sheet holds: ``--ar``, else the sheet name or title text, else the file name."""

from __future__ import annotations

import re

from ojlib.base.errors import OjError

YEAR = re.compile(r"(?<!\d)(199\d|20\d\d)(?!\d)")
OJ_YEAR = re.compile(r"öppna jämförelser\D{0,20}(199\d|20\d\d)", re.IGNORECASE)


def years_in(text: str) -> list[int]:
    return sorted({int(y) for y in YEAR.findall(text or "")})


def find_year(ar, texts: list[tuple[str, str]], fil: str) -> tuple[int, str]:
    """(year, where it came from). ``texts``: (what, text) pairs tried in order, e.g. sheet name, title."""
    if ar is not None:
        try:
            year = int(ar)
        except (TypeError, ValueError):
            raise OjError(f"Året '{ar}' är inte ett årtal; ange --ar med fyra siffror, t.ex. --ar 2025.") from None
        if not 1990 <= year <= 2100:
            raise OjError(f"Året {year} är orimligt; ange --ar med fyra siffror, t.ex. --ar 2025.")
        return year, "--ar"
    for what, text in [*texts, ("filnamnet", fil)]:
        oj = {int(y) for y in OJ_YEAR.findall(text or "")}
        found = sorted(oj) if len(oj) == 1 else years_in(text)
        if len(found) == 1:
            return found[0], what
        if len(found) > 1:
            raise OjError(f"{what[0].upper() + what[1:]} nämner flera år ({', '.join(map(str, found))}); "
                          "ange vilket år värdena avser med --ar, t.ex. --ar " + str(found[-1]) + ".")
    raise OjError(f"Året går inte att läsa ut ur {fil} (inte i bladnamn, rubriker eller filnamn); "
                  "ange det med --ar, t.ex. --ar 2025.")
