"""Which unit a row is: riket, a län, a kommun, a stadsdel/socialförvaltning, or a regi variant.

Recognised by code (``0000``/``00`` riket, two-digit länskod or ``00LL``, four-digit kommun code
also when a spreadsheet dropped its leading zero, the stadsdel codes of the reference list) and by
name (any case, non-breaking spaces, hyphen or space, "Stockholms stad", "Region Gotland",
"Jönköpings län", "Stockholm – Rinkeby-Kista", "Göteborg, Nordost"). What cannot be identified is
returned as ``okand`` with the text, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ojlib.data import geo
from ojlib.data.importer.cells import clean_text, strip_footnote

RIKET_NAMES = {"riket", "hela riket", "sverige", "hela sverige", "hela landet", "riket totalt", "totalt riket",
               "riksnivå", "riket (samtliga kommuner)", "samtliga kommuner", "alla kommuner"}
KOMMUN_ALIASES = {"region gotland": "0980", "gotlands kommun": "0980"}
_REGI = re.compile(r"[\s,(\-:]*\(?\b(offentlig|enskild|privat|kommunal|kommunens egen)"
                   r"\s*(regi|utförare|drift)?\b\)?\s*$")
_TOTAL = re.compile(r"^(summa|totalt|samtliga kommuner i|alla kommuner i|hela)\s+|\s*[,-]?\s*(totalt|summa|samtliga)$")
_STADSDEL_WORDS = re.compile(r"\b(stadsdelsförvaltning(en)?|stadsdelsområde(t)?|stadsdelsnämnd(en)?|sdf|sdn|"
                             r"socialförvaltning(en)?|socialnämnd(en)?|sf)\b")
_PREFIX = re.compile(r"^(stockholms stad|stockholm stad|stockholm|göteborgs stad|göteborg stad|göteborg)"
                     r"\s*(?:\s-\s|,|:|/)\s*(.+)$")
STADSDEL_UNKNOWN = "okänd stadsdel eller socialförvaltning"
_CODE_AND_NAME = re.compile(r"^(\d{2}|\d{4}|\d{6})\s*[-–:]?\s+(\D.*)$|^(\D.*?)\s*\((\d{2}|\d{4}|\d{6})\)$")


@dataclass(frozen=True)
class Unit:
    """``niva``: riket, lan, kommun, stadsdel, regi (a variant of ``kod``) or okand."""

    niva: str
    kod: str | None = None
    text: str = ""
    regi: str | None = None
    reason: str | None = None

    @property
    def known(self) -> bool:
        return self.niva in ("riket", "lan", "kommun", "stadsdel")


def key(text) -> str:
    """Comparable form of a name: case, spaces, dashes, hyphen-or-space and footnote marks ignored."""
    t = clean_text(strip_footnote(clean_text(text))).lower()
    return " ".join(t.replace("-", " ").split())


@cache
def _kommun_keys() -> dict[str, str]:
    k = geo.kommuner()
    out = {key(n): c for c, n in zip(k.kommun_kod, k.kommun_namn, strict=True)}
    out.update({key(a): c for a, c in KOMMUN_ALIASES.items()})
    return out


@cache
def _lan_keys() -> dict[str, str]:
    k = geo._read_ref("kommuner_290_lan_kommungrupp2023.csv")  # has Kolada's region names
    out = {}
    for lk, namn, region in zip(k.lan_kod, k.lan_namn, k.kolada_region_namn, strict=True):
        out[key(namn)] = "00" + lk
        out[key("Region " + namn)] = "00" + lk
        if key(region) not in _kommun_keys():  # "Region Gotland" is the kommun
            out[key(region)] = "00" + lk
    return out


@cache
def _stadsdel_keys() -> list[tuple[str, str, str, int | None, int | None]]:
    """(key, kod, kommun_kod, giltig_fran, giltig_till) for every name and alias."""
    rows = []
    for r in geo.stadsdelar().itertuples():
        names = [r.namn, *[a for a in str(r.alias).split("|") if a]]
        for n in names:
            k = key(_STADSDEL_WORDS.sub(" ", key(n)))
            rows.append((k, r.kod, r.kommun_kod,
                         None if r.giltig_fran is None or str(r.giltig_fran) == "<NA>" else int(r.giltig_fran),
                         None if r.giltig_till is None or str(r.giltig_till) == "<NA>" else int(r.giltig_till)))
    return rows


YEAR_DECIDES = "?"  # a stadsdel name that two units have had in different years; the row's year decides


def _stadsdel(rest: str, kommun: str | None, year: int | None) -> str | None:
    k = key(_STADSDEL_WORDS.sub(" ", key(rest)))
    hits = [(kod, fr, to) for kk, kod, kom, fr, to in _stadsdel_keys() if kk == k and (kommun is None or kom == kommun)]
    if len({h[0] for h in hits}) > 1:
        if year is None:
            return YEAR_DECIDES
        hits = [h for h in hits if (h[1] is None or h[1] <= year) and (h[2] is None or year <= h[2])]
    codes = sorted({h[0] for h in hits})
    return codes[0] if len(codes) == 1 else None


@cache
def _codes() -> tuple[frozenset, frozenset, frozenset]:
    """(kommun codes, region codes 00LL, stadsdel codes)."""
    return (frozenset(geo.kommuner().kommun_kod), frozenset("00" + lk for lk in geo.lan().lan_kod),
            frozenset(geo.stadsdelar().kod))


def _code(value) -> Unit | None:
    """A unit from a code cell, or None when the cell holds no code."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if not text:
        return None
    if not text.isdigit():
        return None
    if set(text) == {"0"} and len(text) in (1, 2, 4):
        return Unit("riket", geo.RIKET, text)
    kommun_codes, lan_codes, stadsdel_codes = _codes()
    if len(text) <= 2:
        c = "00" + text.zfill(2)
        return Unit("lan", c, text) if c in lan_codes else Unit("okand", None, text, reason=f"okänd kod {text}")
    if len(text) == 4 and text.startswith("00"):
        return Unit("lan", text, text) if text in lan_codes else Unit("okand", None, text, reason=f"okänd kod {text}")
    if len(text) <= 4:
        c = text.zfill(4)
        if c in kommun_codes:
            return Unit("kommun", c, text)
        return Unit("okand", None, text, reason=f"okänd kommunkod {text}")
    if text in stadsdel_codes:
        return Unit("stadsdel", text, text)
    return Unit("okand", None, text, reason=f"okänd kod {text}")


def _name(value, year: int | None) -> Unit | None:
    if value is None:
        return None
    text = clean_text(strip_footnote(clean_text(value)))
    if not text:
        return None
    k = key(text)
    if k in RIKET_NAMES:
        return Unit("riket", geo.RIKET, text)
    m = _REGI.search(text.lower())
    if m and m.start() > 0:
        base = _name(text[: m.start()], year)
        if base is not None and base.niva in ("kommun", "stadsdel", "lan", "riket"):
            return Unit("regi", base.kod, text, regi=m.group(1))
        return Unit("okand", None, text, reason="regi utan känd kommun")
    if k in _kommun_keys():
        return Unit("kommun", _kommun_keys()[k], text)
    if k in _lan_keys():
        return Unit("lan", _lan_keys()[k], text)
    m = _PREFIX.match(text.lower())
    if m:
        kommun = "0180" if m.group(1).startswith("stockholm") else "1480"
        kod = _stadsdel(m.group(2), kommun, year)
        if kod:
            return Unit("stadsdel", kod, text)
        return Unit("okand", None, text, reason=STADSDEL_UNKNOWN)
    for suffix in (" kommun", " stad", " kommuns"):
        if k.endswith(suffix):
            stem = k[: -len(suffix)]
            for cand in (stem, stem[:-1] if stem.endswith("s") else None):
                if cand and cand in _kommun_keys():
                    return Unit("kommun", _kommun_keys()[cand], text)
    total = _TOTAL.sub("", k).strip()
    if total != k and total in _lan_keys():
        return Unit("lan", _lan_keys()[total], text)
    kod = _stadsdel(k, None, year)
    if kod:
        return Unit("stadsdel", kod, text)
    return Unit("okand", None, text, reason="okänt namn")


def split_code(value) -> tuple[str, str] | None:
    """"0114 Upplands Väsby" or "Upplands Väsby (0114)" -> ("0114", "Upplands Väsby"); else None."""
    if not isinstance(value, str):
        return None
    m = _CODE_AND_NAME.match(clean_text(value))
    if not m:
        return None
    return (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))


def closest(text, n: int = 3, cutoff: float = 0.75) -> list[str]:
    """The kommun (and län) names closest to a name that matches none, best first, e.g. for
    "AlingsŒs" (Mac Roman read as cp1252) ["Alingsås"]. Empty when nothing is close."""
    import difflib

    k = key(text)
    if not k or k.isdigit():
        return []
    names = _display_names()
    # a wrong encoding changes only the letters outside a-z: "VŠrmdš" keeps Värmdö's "vrmd"
    same = [names[m] for m in _skeletons().get(_skeleton(k), [])] if len(_skeleton(k)) >= 3 else []
    near = [names[m] for m in difflib.get_close_matches(k, list(names), n=n, cutoff=cutoff)]
    return list(dict.fromkeys(same + near))[:n]


def _skeleton(k: str) -> str:
    return re.sub(r"[^a-z]", "", k)


@cache
def _skeletons() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k in _display_names():
        if k != _skeleton(k).strip() and re.search(r"[^a-z \-]", k):  # only names with å, ä, ö … can be garbled
            out.setdefault(_skeleton(k), []).append(k)
    return out


@cache
def name_keys() -> frozenset[str]:
    """Keys of every kommun, län and riket name (for counting names, e.g. to choose an encoding)."""
    return frozenset(_kommun_keys()) | frozenset(_lan_keys()) | frozenset(key(n) for n in RIKET_NAMES)


@cache
def _display_names() -> dict[str, str]:
    out = {key(n): n for n in geo.kommuner().kommun_namn}
    out.update({key(n): n for n in geo.lan().lan_namn})
    return out


def recognise(code=None, name=None, year: int | None = None, regi=None) -> Unit:
    """The unit of a row from its code cell and/or name cell (and an optional regi cell).

    A cell may hold both, "0114 Upplands Väsby" (statistics portals write it so): code and name
    must then agree.
    """
    both = split_code(name) or split_code(code)
    if both:
        unit = recognise(code=both[0], name=both[1], year=year, regi=regi)
        other = code if split_code(name) else name  # a separate code (or name) cell must agree
        if other is not None and clean_text(other) and unit.known:
            o = recognise(code=other, year=year) if split_code(name) else recognise(name=other, year=year)
            if o.known and o.kod != unit.kod and unit.niva != "regi":
                return Unit("okand", None, unit.text,
                            reason=f"koden {clean_text(other)} och namnet {unit.text} stämmer inte överens")
        return unit
    by_code = _code(code)
    if by_code is None and code is not None and clean_text(code) and name is None:
        by_name_of_code = _name(code, year)  # a name in the code column
        by_code = by_name_of_code
    by_name = _name(name, year)
    text = clean_text(name) if name is not None and clean_text(name) else clean_text(code) if code is not None else ""
    if by_code is None and by_name is None:
        return Unit("okand", None, "", reason="tom rad")
    if by_code is None:
        unit = by_name
    elif by_name is not None and by_name.reason == STADSDEL_UNKNOWN:
        unit = by_name  # "Stockholm – X" with the kommun's code is not the kommun's own row
    elif by_name is None or by_name.niva == "okand" and by_code.known:
        unit = by_code
    elif by_code.niva == "okand":
        unit = by_code if by_name.niva == "okand" else Unit("okand", None, text, reason=by_code.reason)
    elif by_name.niva in ("stadsdel", "regi"):
        kommun = by_name.kod[:4] if by_name.kod else None
        ok = by_code.kod == by_name.kod or by_code.kod == kommun
        unit = by_name if ok else Unit("okand", None, text,
                                       reason=f"koden {clean_text(code)} och namnet {text} stämmer inte överens")
    elif by_code.kod == by_name.kod:
        unit = by_code
    else:
        unit = Unit("okand", None, text, reason=f"koden {clean_text(code)} och namnet {text} stämmer inte överens")
    if regi is not None and clean_text(regi) and unit.known:
        r = key(regi)
        if r not in ("", "alla", "totalt", "samtliga", "alla regiformer", "samtliga regiformer", "-"):
            return Unit("regi", unit.kod, text, regi=r)
    return Unit(unit.niva, unit.kod, text or unit.text, unit.regi, unit.reason)
