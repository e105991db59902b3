"""Which text encoding a CSV file is in: found from the kommun names it holds, not assumed.

Every candidate that decodes the bytes (UTF-8 with or without BOM, UTF-16, cp1252, latin-1,
Mac Roman) is tried, and the one under which the most cells are kommun or län names wins: a
Mac Roman file read as cp1252 turns "Alingsås" into "AlingsŒs", which matches no kommun. When
no name tells them apart (codes only, or names without å/ä/ö), UTF-8 wins if it decodes, else
cp1252 (what Excel on Windows writes). ``Decoded.why`` says in Swedish which and why, for
``oj importera --visa``; ``--kodning`` overrides the choice.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ojlib.base.errors import OjError
from ojlib.data.importer import units

# Tried in this order; on a tie in kommun names the earlier one wins.
CANDIDATES = ("utf-8", "utf-16", "cp1252", "mac_roman", "latin-1")
NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 med BOM", "utf-16": "UTF-16", "utf-16-le": "UTF-16 (LE)",
         "utf-16-be": "UTF-16 (BE)", "cp1252": "Windows-1252 (cp1252)", "mac_roman": "Mac Roman",
         "latin-1": "Latin-1 (ISO 8859-1)"}
SAMPLE_LINES = 20_000  # names are counted in the first lines; the whole file is decoded with the winner


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python codec name
    why: str  # Swedish: which encoding and why
    names: int = 0  # kommun/län names recognised under it


def label(encoding: str) -> str:
    return NAMES.get(encoding, encoding)


def _count_names(text: str) -> int:
    """How many different kommun and län names the first lines hold (also as "0114 Upplands Väsby")."""
    lines = text.splitlines()[:SAMPLE_LINES]
    known = units.name_keys()
    found = set()
    for line in lines:  # any separator: the encoding is chosen before the separator
        for v in re.split(r"[;,\t]", line):
            v = v.strip().strip('"').strip()
            if not v or v.isdigit() or len(v) > 80:
                continue
            both = units.split_code(v)
            k = units.key(both[1] if both else v)
            if k in known:
                found.add(k)
    return len(found)


def _bom(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) / 4 and even < odd / 10:
        return "utf-16-le"
    if even > len(sample) / 4 and odd < even / 10:
        return "utf-16-be"
    return None


def decode(data: bytes, kodning: str | None = None, fil: str = "filen") -> Decoded:
    """The text of a CSV file and how it was decoded (see the module docstring)."""
    if kodning:
        try:
            codec = codecs.lookup(kodning).name
        except LookupError:
            raise OjError(f"Teckenkodningen '{kodning}' är okänd; ange t.ex. --kodning utf-8, cp1252, "
                          "mac_roman eller latin-1.") from None
        if codec == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
            codec = "utf-8-sig"
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            raise OjError(f"{fil} går inte att läsa som {label(codec)} (byte {e.start + 1} på rad {line}); "
                          "ange en annan --kodning eller utelämna den så att kodningen provas fram.") from None
        return Decoded(text, codec, f"{label(codec)} (angiven med --kodning)")
    bom = _bom(data)
    if bom:
        text = data.decode(bom)
        return Decoded(text, bom, f"{label(bom)} (filen börjar med en BOM som anger kodningen)")
    tried: list[tuple[str, str]] = []
    wide = _utf16_without_bom(data)
    for enc in ((wide,) if wide else ()) + tuple(c for c in CANDIDATES if c != "utf-16"):
        try:
            tried.append((enc, data.decode(enc)))
        except UnicodeDecodeError:
            continue
    if not tried:  # latin-1 decodes any bytes, so this cannot happen
        raise OjError(f"{fil} går inte att läsa som text.")
    counts = {enc: _count_names(text) for enc, text in tried}
    best = max(tried, key=lambda t: counts[t[0]])  # max keeps the first of equals: the preferred order
    enc, text = best
    others = ", ".join(f"{label(e)} {counts[e]}" for e, _ in tried if e != enc)
    failed = [label(c) for c in CANDIDATES if c != "utf-16" and c not in counts]
    if counts[enc] and any(counts[e] < counts[enc] for e, _ in tried):
        why = (f"{label(enc)}: under den känns flest kommun- och länsnamn igen ({counts[enc]} olika; "
               f"{others})")
    elif enc.startswith("utf"):
        why = f"{label(enc)}: filen är giltig {label(enc)}" + (f" ({counts[enc]} olika kommun- och länsnamn känns igen)"
                                                           if counts[enc] else "")
    else:
        why = (f"{label(enc)}: inga kommunnamn skiljer kodningarna åt, så den vanligaste för svenska "
               "Excel-filer valdes; ange --kodning om å, ä och ö blir fel")
    if failed:
        why += f"; går inte att avkoda som {', '.join(failed)}"
    return Decoded(text, enc, why, counts[enc])
