"""Områden and kvalitetsområden: metadata read from ``params/omraden.yml``, not code.

An område is a field of the social services (missbruk, barn_och_unga, ...) with a Swedish
title, a short title and the Kolada "Liknande kommuner" peer group made for it. Kvalitetsområden
are the chapters of a länsrapport (ÖJ's quality areas). Adding an område = one entry in the
file plus its indicators in the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ojlib.base import paths, yamlfile
from ojlib.base.errors import OjError, did_you_mean

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# The kvalitetsområde of the bakgrundsmått: context for a reader (population, ekonomiskt bistånd,
# unemployment, cost per invånare), shown in its own table, never coloured, ranked or a chapter.
BAKGRUND = "bakgrund"
OVERGRIPANDE = "Liknande kommuner, övergripande"


@dataclass(frozen=True)
class Omrade:
    key: str
    titel: str
    kort: str
    liknande: str | None = None

    @property
    def peer_group(self) -> str:
        """Title of Kolada's "Liknande kommuner" group for this område."""
        return self.liknande or OVERGRIPANDE


@dataclass(frozen=True)
class Kvalitetsomrade:
    key: str
    titel: str


@dataclass(frozen=True)
class _Data:
    omraden: tuple[Omrade, ...]
    kvalitetsomraden: tuple[Kvalitetsomrade, ...]


def path() -> Path:
    """``params/omraden.yml`` of the project home; a home without one uses the shipped file."""
    own = paths.params_dir() / "omraden.yml"
    return own if own.exists() else paths.PACKAGE_DIR.parent / "params" / "omraden.yml"


def _err(p: Path, text: str) -> OjError:
    return OjError(f"Områdesfilen {p.name}: {text}")


def _entries(data: dict, name: str, fields: tuple[str, ...], optional: tuple[str, ...], p: Path) -> list[dict]:
    rows = data.get(name)
    if not isinstance(rows, list) or not rows:
        raise _err(p, f"listan {name} saknas eller är tom; se kommentaren överst i filen.")
    seen = set()
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise _err(p, f"{name} post {n} ska ha fälten {', '.join(fields)}.")
        missing = [f for f in fields if not row.get(f)]
        if missing:
            raise _err(p, f"{name} post {n} saknar fältet {', '.join(missing)}; lägg till det.")
        unknown = sorted(set(row) - set(fields) - set(optional))
        if unknown:
            raise _err(p, f"{name} post {n} har okänt fält {', '.join(unknown)}; tillåtna är "
                       f"{', '.join(fields + optional)}.")
        for f in fields:  # shown to readers as they are: "{'a': 1}" must not become a title
            if isinstance(row[f], dict | list | bool):
                raise _err(p, f"{name} post {n}: fältet {f} ska vara en text, inte en lista, tabell eller sant/falskt; "
                           f"skriv t.ex. {f}: Missbruk.")
        key = row["key"]
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise _err(p, f"{name} post {n}: nyckeln '{key}' ska vara små bokstäver, siffror och _.")
        if key in seen:
            raise _err(p, f"{name}: nyckeln '{key}' finns två gånger; ta bort dubbletten.")
        seen.add(key)
    return rows


@cache
def _load(p: Path, _mtime: int) -> _Data:
    if not p.exists():
        raise OjError(f"Områdesfilen {p} saknas; återställ den med `git checkout params/omraden.yml`.")
    data = yamlfile.load(p, "Områdesfilen")
    if not isinstance(data, dict):
        raise _err(p, "filen ska ha listorna omraden och kvalitetsomraden.")
    om = _entries(data, "omraden", ("key", "titel", "kort"), ("liknande",), p)
    kv = _entries(data, "kvalitetsomraden", ("key", "titel"), (), p)
    return _Data(
        tuple(Omrade(r["key"], str(r["titel"]), str(r["kort"]), r.get("liknande") or None) for r in om),
        tuple(Kvalitetsomrade(r["key"], str(r["titel"])) for r in kv),
    )


def _data() -> _Data:
    p = path().resolve()
    return _load(p, p.stat().st_mtime_ns if p.exists() else 0)


def all() -> list[Omrade]:  # noqa: A001 - the contract's name (omraden.all())
    """The områden in their order."""
    return list(_data().omraden)


def keys() -> list[str]:
    return [o.key for o in _data().omraden]


def titles() -> dict[str, str]:
    """key -> Swedish title, in order."""
    return {o.key: o.titel for o in _data().omraden}


def get(key: str) -> Omrade:
    """One område by key; an unknown key raises the Swedish error with the valid choices."""
    for o in _data().omraden:
        if o.key == key:
            return o
    raise OjError(f"Okänt område '{key}'; {did_you_mean(key, [*keys(), 'alla'])}")


def kvalitetsomraden() -> list[Kvalitetsomrade]:
    """The kvalitetsområden in chapter order."""
    return list(_data().kvalitetsomraden)


def kvalitetsomrade(key: str) -> Kvalitetsomrade:
    for k in _data().kvalitetsomraden:
        if k.key == key:
            return k
    raise OjError(f"Okänt kvalitetsområde '{key}'; "
                  f"{did_you_mean(key, [k.key for k in _data().kvalitetsomraden])}")


def help_text(alla: bool = True) -> str:
    """The områden for CLI help, e.g. "missbruk, barn_och_unga, funktionsnedsattning eller alla"."""
    try:
        names = keys()
    except OjError:
        names = ["(se params/omraden.yml)"]
    if alla:
        return ", ".join(names) + " eller alla"
    return ", ".join(names[:-1]) + (" eller " + names[-1] if len(names) > 1 else names[0])
