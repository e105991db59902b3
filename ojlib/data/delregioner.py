"""Delregioner: groups of a län's kommuner that analysts in the län work in (``params/delregioner.yml``).

Västra Götaland's four kommunalförbund (Göteborgsregionen, Fyrbodal, Skaraborg, Sjuhärad) and
Jönköpings län's three länsdelar to start; the file is for editing. Loading validates every row
and names it in the error: a kommun must lie in the delregion's län and be in at most one
delregion of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ojlib.base import paths, yamlfile
from ojlib.base.errors import OjError
from ojlib.data import geo

FILE = "delregioner.yml"
KEY_RE = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class Delregion:
    key: str
    titel: str
    lan: str
    kommuner: tuple[str, ...]
    kalla: str


def path() -> Path:
    return paths.params_dir() / FILE


def _error(n: int, key, p: Path, text: str) -> OjError:
    who = f"post {n}" + (f" ({key})" if isinstance(key, str) else "")
    return OjError(f"Delregionsfilen {p.name}, {who}: {text}")


def load(p: Path | None = None) -> list[Delregion]:
    """Every delregion of the file, validated (an absent file: none)."""
    p = Path(p) if p else path()
    if not p.exists():
        return []
    data = yamlfile.load(p)
    rows = data.get("delregioner") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise OjError(f"Delregionsfilen {p.name} ska ha en lista under nyckeln delregioner.")
    out: list[Delregion] = []
    seen: dict[tuple[str, str], str] = {}
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise _error(n, None, p, "posten är inte en lista av fält (key: …, titel: …).")
        key = row.get("key")
        missing = [f for f in ("key", "titel", "lan", "kommuner", "kalla") if not row.get(f)]
        if missing:
            raise _error(n, key, p, f"fältet {', '.join(missing)} saknas; lägg till det.")
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise _error(n, key, p, f"nyckeln '{key}' ska vara små bokstäver, siffror och _.")
        if any(d.key == key for d in out):
            raise _error(n, key, p, "nyckeln finns redan; varje delregion behöver en egen.")
        try:
            lan = geo.normalise_lan(str(row["lan"]))
        except OjError as err:
            raise _error(n, key, p, str(err)) from None
        if not isinstance(row["kommuner"], list):
            raise _error(n, key, p, "kommuner ska vara en lista med kommunkoder.")
        in_lan = set(geo.kommuner_i_lan(lan))
        codes = []
        for k in row["kommuner"]:
            code = str(k).zfill(4) if isinstance(k, int) else str(k)
            if code not in in_lan:
                raise _error(n, key, p, f"kommunen '{k}' ligger inte i län {lan}; ange kommunkoder med fyra siffror "
                                        "inom citattecken.")
            if (lan, code) in seen:
                raise _error(n, key, p, f"kommunen {code} finns redan i delregionen {seen[(lan, code)]}.")
            seen[(lan, code)] = key
            codes.append(code)
        out.append(Delregion(key=key, titel=str(row["titel"]), lan=lan, kommuner=tuple(codes), kalla=str(row["kalla"])))
    return out


def for_lan(lan) -> list[Delregion]:
    """The delregioner of a län, in the file's order ([] when the file has none for it)."""
    lk = geo.normalise_lan(lan)
    return [d for d in load() if d.lan == lk]


def of_kommun(kommun) -> Delregion | None:
    """The delregion a kommun belongs to, or None."""
    code = geo.normalise_kommun(kommun)
    return next((d for d in load() if code in d.kommuner), None)


def grouping(lan) -> dict[str, str]:
    """kommunkod -> delregion title for a län; a kommun outside every delregion maps to "Övriga kommuner"."""
    groups = for_lan(lan)
    if not groups:
        raise OjError(f"Det finns inga delregioner för län {geo.normalise_lan(lan)} i {path()}; lägg till dem där "
                      "eller kör rapporten utan delregioner.")
    of = {k: d.titel for d in groups for k in d.kommuner}
    return {k: of.get(k, "Övriga kommuner") for k in geo.kommuner_i_lan(lan)}
