"""Which indicator a column is: the catalogue's by Kolada id or by header text, or a new one.

Headers are compared after normalisation (case, non-breaking spaces, line breaks, footnote marks
and a coding suffix such as "(Ja=1, Nej=0)" ignored) with each entry's ``titel``, ``namn`` and
``rubriker`` (aliases). An unmatched column becomes a new indicator in the editable file
``params/indikatorer_import.yml`` (loaded together with the catalogue): id from the header,
the header as ``titel``, the type read from the values, and its område.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from ojlib.base.errors import OjError
from ojlib.data import catalog, geo, omraden
from ojlib.data.importer.cells import clean_text, strip_footnote

KOLADA_ID = re.compile(r"(?<![A-Za-z0-9])([NUnu]\d{5})(?![0-9])")  # Kolada exports write u35538
_CODING = re.compile(r"\s*\([^()]*=\s*\d[^()]*\)\s*$")
JA_NEJ = {1: "Ja", 0: "Nej"}
JA_DELVIS_NEJ = {0: "Nej", 1: "Delvis", 2: "Ja"}
OMRADE_WORDS = {
    "missbruk": ("missbruk", "beroende"),
    "barn_och_unga": ("barn och unga", "barn_och_unga", "barn- och ungdom", "barn och ungdom", "ungdomsvård"),
    "funktionsnedsattning": ("funktionsnedsättning", "funktionsnedsattning", "lss", "socialpsykiatri"),
}


_UNIT_SUFFIX = re.compile(r"\s*,?\s*(andel\s*)?\((%|procent|antal|kr/inv|ja/nej)\)$|\s*,\s*(andel|antal|kr/inv)$")


def norm(text) -> str:
    """Header text as compared: lower case, single spaces, no footnote marks or coding suffix."""
    t = clean_text(text).lower().strip(" ,;:.")
    t = _CODING.sub("", t).strip(" ,;:.")
    return strip_footnote(t).strip(" ,;:.")


def bare(text) -> str:
    """``norm`` without a trailing unit such as ", andel (%)" or "(antal)"."""
    return _UNIT_SUFFIX.sub("", norm(text)).strip(" ,;:.")


def slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", norm(text)).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-z0-9]+", "_", t).strip("_")
    if len(t) > 40:
        t = t[:40].rsplit("_", 1)[0]
    return t or "kolumn"


@dataclass
class Match:
    """The indicator of a column: an existing entry (``ny`` False) or a new one to be written."""

    kpi: str
    ny: bool
    how: str  # "id", "titel", "namn", "rubrik" or "ny"
    typ: str | None = None
    nivaer: dict[int, str] = field(default_factory=dict)
    omrade: str | None = None
    indicator: catalog.Indicator | None = None


def kolada_ids(text) -> list[str]:
    """The Kolada KPI ids a text names, in upper case ("u35538" -> "U35538")."""
    return [k.upper() for k in KOLADA_ID.findall(str(text or ""))]


def kolada_title(kpi: str) -> str | None:
    """Kolada's own title of a KPI the catalogue lacks, from the reference list shipped in data/raw."""
    return _kolada_titles().get(kpi)


@cache
def _kolada_titles() -> dict[str, str]:
    try:
        ref = geo._read_ref("kolada_kpi_catalogue_2026-03.csv")
    except OjError:  # the reference list is an aid, not a requirement
        return {}
    return dict(zip(ref["id"], ref["title"], strict=True))


def _index(cat: catalog.Catalogue) -> dict[str, list[tuple[str, catalog.Indicator]]]:
    idx: dict[str, list] = {}
    for ind in cat:
        for how, texts in (("titel", [ind.titel]), ("namn", [ind.namn]),
                           ("rubrik", list(getattr(ind, "rubriker", None) or []))):
            for t in texts:
                for k in {norm(t), bare(t)}:
                    if k and all(i.kpi != ind.kpi for _, i in idx.get(k, [])):
                        idx.setdefault(k, []).append((how, ind))
    return idx


class Matcher:
    """Matches headers against one loaded catalogue (the main file plus imported indicators)."""

    def __init__(self, cat: catalog.Catalogue, omrade: str | None = None):
        self.cat = cat
        self.omrade = omrade
        self.idx = _index(cat)

    def match(self, *texts: str | None) -> Match | None:
        """The catalogue entry for a column, from its header (and group/unit texts for an id)."""
        for t in texts:
            for kpi in kolada_ids(t):
                if kpi in self.cat:
                    return Match(kpi, False, "id", indicator=self.cat[kpi])
        header = texts[0] if texts else None
        hits = self.idx.get(norm(header or ""), []) or self.idx.get(bare(header or ""), [])
        if len(hits) > 1 and self.omrade:
            hits = [h for h in hits if h[1].omrade == self.omrade] or hits
        if len(hits) > 1:
            raise OjError(f"Kolumnen '{clean_text(header)}' passar flera indikatorer i katalogen "
                          f"({', '.join(h[1].kpi for h in hits)}); ange --omrade eller lägg rubriken som alias "
                          "(rubriker) på rätt indikator.")
        if hits:
            how, ind = hits[0]
            return Match(ind.kpi, False, how, indicator=ind)
        return None

    def new_id(self, header: str, taken: set[str]) -> str:
        for kpi in kolada_ids(header):
            if kpi not in self.cat and kpi not in taken:
                return kpi
        base = "egen_" + slug(header)
        kpi, n = base, 2
        while kpi in self.cat or kpi in taken:
            kpi, n = f"{base}_{n}", n + 1
        return kpi


def infer_type(labels: set[str], numbers: list[float], percent: bool, header: str, unit: str | None):
    """(typ, nivaer) of a new indicator from what its cells hold."""
    hint = f"{norm(header)} {norm(unit or '')}".replace("_", " ")
    if labels:
        if labels <= {"Ja", "Nej"}:
            return "ja_nej", dict(JA_NEJ)
        if labels <= {"Ja", "Nej", "Delvis"}:
            return "skala", dict(JA_DELVIS_NEJ)
        return None, {}
    in_range = all(0 <= x <= 100 for x in numbers)
    if percent or in_range and re.search(r"\bandel|%|procent|\bpercent|\bshare\b|\bproportion", hint):
        return "andel", {}
    if re.search(r"ja\s*/\s*nej|ja\s*=\s*1", hint) and set(numbers) <= {0.0, 1.0}:
        return "ja_nej", dict(JA_NEJ)
    return "antal", {}


def omrade_from_text(text: str) -> str | None:
    """The område a sheet or title names, if exactly one."""
    t = clean_text(text).lower()
    found = {o for o, words in OMRADE_WORDS.items() if any(w in t for w in words) and o in catalog_omraden()}
    return found.pop() if len(found) == 1 else None


def catalog_omraden() -> list[str]:
    try:

        return [o.key for o in omraden.all()]
    except ImportError:
        return list(catalog.OMRADEN)


def kvalitetsomrade_from_text(text: str | None) -> str | None:
    """The key of the ÖJ kvalitetsområde a group header names, if the område list has one."""
    if not text:
        return None
    try:

        items = omraden.kvalitetsomraden()
    except (ImportError, AttributeError):
        return None
    t = norm(text)
    for k in items:
        key = getattr(k, "key", None)
        titel = getattr(k, "titel", None)
        if key and titel and (norm(titel) == t or norm(titel) in t):
            return key
    return None


def entry(m: Match, header: str, unit: str | None, group: str | None, year: int, fil: str, blad: str,
          kolumn: str) -> dict:
    """The YAML entry of a new indicator (only fields the catalogue knows are written)."""
    enhet = {"ja_nej": "Ja/Nej", "skala": "Nej/Delvis/Ja", "andel": "%", "antal": "antal"}.get(m.typ, "")
    row = {
        "kpi": m.kpi, "omrade": m.omrade, "namn": clean_text(header)[:80], "titel": clean_text(header),
        "beskrivning": f"Importerad från {fil}, blad {blad}, kolumn {kolumn}"
                       + (f" (grupp: {clean_text(group)})" if group else "")
                       + (f" (enhet: {clean_text(unit)})" if unit else "")
                       + ". Redigera fritt; koppla till en befintlig indikator genom att lägga rubriken "
                         "under dess rubriker.",
        "typ": m.typ, "riktning": None, "enhet": clean_text(unit) if unit and m.typ in ("andel", "antal") else enhet,
        "ar_fran": year, "ar_till": year, "kon": False, "katalog": f"import {fil}",
    }
    if m.nivaer:
        row["nivaer"] = dict(m.nivaer)
    known = {f.name for f in dataclasses.fields(catalog.Indicator)}
    if "utgivare" in known:
        row["utgivare"] = "egen"  # build() sets socialstyrelsen or kolada when the file says so
    if "rubriker" in known:
        row["rubriker"] = [clean_text(header)]
    if "kvalitetsomrade" in known:
        kq = kvalitetsomrade_from_text(group)
        if kq:
            row["kvalitetsomrade"] = kq
    return row
