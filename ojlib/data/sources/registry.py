"""The source registry: everything ojlib knows about a data source, in one entry.

A source is a dataset ``data/processed/<key>.parquet`` built by a loader. Each entry says how
users see it (label, credit line under figures and tables, how its date is described), how its
KPI ids look, what to run when its data is missing, and which function builds it. Adding a
source = one module with a loader + one ``register(Source(...))`` line below.

Several sources can be combined in one dataset (``--datakalla kolada,egen`` or ``alla``); see
:func:`parse` for the order and ``dataset.load_dataset`` for the precedence rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ojlib import __version__
from ojlib.base.errors import OjError, did_you_mean

EXEMPELDATA = "Exempeldata – inte verkliga resultat"
ALLA = "alla"


@dataclass(frozen=True)
class Source:
    """One data source.

    ``name(info)`` is the credited name (after "Källa: "), given the dataset's manifest;
    ``date(info)`` describes when and how the data was made. ``loader`` is "module:function"
    (imported only when called). ``example`` marks generated data: its credit line is always the
    exempeldata mark, and it is never part of ``alla``. ``file_rows`` marks a source whose rows may
    name the file they came from in their ``kalla`` column (own imports): each such row still
    belongs to this source.
    """

    key: str
    label: str
    name: Callable[[dict], str]
    date: Callable[[dict], str]
    id_pattern: str
    fix_hint: str
    loader: str
    example: bool = False
    file_rows: bool = False
    beskrivning: str = ""
    rebuild_hint: str = ""  # what rebuilds a dataset file that cannot be read (default: fix_hint)
    _re: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_re", re.compile(self.id_pattern))

    def credit(self, info: dict | None = None, derived: bool = False) -> str:
        """"Källa: …" for values as published, "Bearbetning av data från …" for own calculations."""
        if self.example:
            return EXEMPELDATA
        name = self.name(info or {})
        return f"Bearbetning av data från {name}" if derived else f"Källa: {name}"

    def matches_id(self, kpi: str) -> bool:
        return bool(self._re.match(str(kpi)))

    def load(self, *args, **kwargs):
        """Run the loader that builds this source's dataset."""
        import importlib

        module, func = self.loader.split(":")
        return getattr(importlib.import_module(module), func)(*args, **kwargs)


_REGISTRY: dict[str, Source] = {}


def register(source: Source) -> Source:
    if source.key in _REGISTRY:
        raise ValueError(f"source {source.key} is already registered")
    _REGISTRY[source.key] = source
    return source


def get(key: str) -> Source:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise OjError(f"Okänd datakälla '{key}'; {did_you_mean(key, [*_REGISTRY, ALLA])}") from None


def known(key: str) -> bool:
    return key in _REGISTRY


def is_example(key: str) -> bool:
    """True for a registered source of generated example data."""
    return key in _REGISTRY and _REGISTRY[key].example


def keys() -> tuple[str, ...]:
    """All source keys in precedence order (used for ``alla``)."""
    return tuple(_REGISTRY)


def sources() -> list[Source]:
    return list(_REGISTRY.values())


def labels(spec) -> str:
    """"kolada,egen" -> "Kolada + Egen import" (unknown names are kept as they are)."""
    keys = [k.strip() for k in (spec.split(",") if isinstance(spec, str) else spec or []) if str(k).strip()]
    return " + ".join(_REGISTRY[k].label if k in _REGISTRY else str(k) for k in keys)


def help_text() -> str:
    """CLI help: the keys and how to combine them."""
    return (f"Datakälla: {', '.join(_REGISTRY)}, flera med komma (t.ex. kolada,egen; den först nämnda "
            f"går före) eller {ALLA} (alla verkliga källor som har data)")


def parse(spec, available: Callable[[str], bool] | None = None) -> list[str]:
    """``"kolada,egen"`` / ``["kolada", "egen"]`` / ``"alla"`` -> validated keys in precedence order.

    The source named first goes first. ``alla`` is every non-example source for which
    ``available(key)`` is true, in registry order (kolada before egen); exempeldata is only used
    when named, so generated values never fill the gaps of a real report unasked.
    """
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        raise OjError(f"Ingen datakälla angiven; välj {', '.join(_REGISTRY)} eller {ALLA}.")
    parts = [p.strip() for p in spec.split(",")] if isinstance(spec, str) else [str(p).strip() for p in spec]
    parts = [p for p in parts if p]
    out: list[str] = []
    for p in parts:
        if p == ALLA:
            real = [k for k, s in _REGISTRY.items() if not s.example and (available is None or available(k))]
            if not real:
                raise OjError("Datakällan alla: det finns ingen verklig data ännu; kör `oj hamta` "
                              "eller `oj importera FIL` (eller välj exempeldata).")
            out += [k for k in real if k not in out]
        else:
            get(p)
            if p not in out:
                out.append(p)
    return out


def credit_line(keys_used, infos: dict[str, dict] | None = None, derived: bool = False) -> str:
    """One source line naming every source used, e.g.
    "Källa: Kolada; Socialstyrelsen, Öppna jämförelser 2024 (importerad fil oj_2024.xlsx)".

    Generated example data among them adds the exempeldata mark, so it stays visible wherever
    it is mixed in. Unknown names (a user's file name) are credited as they are.
    """
    infos = infos or {}
    names, example = [], False
    for k in keys_used:
        if k in _REGISTRY:
            s = _REGISTRY[k]
            if s.example:
                example = True
                continue
            names.append(s.name(infos.get(k) or {}))
        elif str(k).strip():
            names.append(str(k).strip())
    if not names and not example:
        raise ValueError("credit_line needs at least one source")
    parts = []
    if names:
        lead = "Bearbetning av data från " if derived else "Källa: "
        parts.append(lead + "; ".join(dict.fromkeys(names)))
    if example:
        parts.append(EXEMPELDATA)
    return "; ".join(parts)


# ---------------------------------------------------------------- the sources

def _kolada_date(info: dict) -> str:
    return f"hämtad från Kolada {info.get('hamtad', '(okänt datum)')}"


def _example_date(info: dict) -> str:

    return f"genererad av ojlib {__version__} (seed {info.get('seed', '?')})"


def _span(years) -> str:
    years = sorted({int(y) for y in years or []})
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def _egen_name(info: dict) -> str:
    """Own imports are credited by the files they came from, each with the credit the file itself
    (its title or information sheet) or the user (``oj importera --utgivare``) gave it:
    "Socialstyrelsen, Öppna jämförelser 2025 (importerad fil oj_2025.xlsx); egen fil hemtjanst.csv".
    Nothing is credited to a publisher the file does not name.
    """
    filer = [f for f in info.get("filer") or [] if isinstance(f, dict) and f.get("fil")]
    if not filer:
        fil = info.get("fil")
        return f"egen fil {fil}" if fil else "egen fil"
    parts = []
    for f in filer:
        text = f.get("kalla_text")
        parts.append(f"{text} (importerad fil {f['fil']})" if text else f"egen fil {f['fil']}")
    return "; ".join(dict.fromkeys(parts))


def _egen_date(info: dict) -> str:
    fil = info.get("fil") or "egen fil"
    byggd = str(info.get("byggd", ""))[:10]
    return f"inläst från {fil}" + (f" {byggd}" if byggd else "")


@dataclass(frozen=True)
class Publisher:
    """Where the catalogue says an indicator's values are published (the catalogue's ``utgivare``), and
    how a user gets them: read by the catalogue's check, "Saknas i datakällan" and the deck's sources."""

    key: str
    label: str  # "Kolada"
    how: str  # "hämtas från Kolada med `oj hamta`"
    short: str  # "Kolada (oj hamta)"
    ended: str  # for an indicator no longer published: "{how}, sista år {ar}"
    id_pattern: str = r"^[NU]\d{5}$"  # the ids its indicators have in the catalogue
    id_text: str = "N eller U följt av fem siffror"

    def where(self, upphord: int | None = None) -> str:
        return self.ended.format(how=self.how, ar=upphord) if upphord else self.how

    def valid_id(self, kpi: str) -> bool:
        return re.match(self.id_pattern, kpi) is not None


_PUBLISHERS: dict[str, Publisher] = {}


def register_publisher(publisher: Publisher) -> Publisher:
    _PUBLISHERS[publisher.key] = publisher
    return publisher


def publisher(key: str) -> Publisher:
    """The publisher of a catalogue ``utgivare`` value (an unknown one gives the Swedish sentence)."""
    if key not in _PUBLISHERS:
        raise OjError(f"Okänd utgivare '{key}' i indikatorkatalogen; tillåtna är {', '.join(_PUBLISHERS)}.")
    return _PUBLISHERS[key]


def publishers() -> list[Publisher]:
    return list(_PUBLISHERS.values())


register_publisher(Publisher(
    key="kolada", label="Kolada", how="hämtas från Kolada med `oj hamta`", short="Kolada (oj hamta)",
    ended="{how}, sista år {ar}",
))
register_publisher(Publisher(
    key="socialstyrelsen", label="Socialstyrelsens ÖJ (kommunenkät, arbetsböcker)",
    how="finns i Socialstyrelsens ÖJ-arbetsböcker (läs in med `oj importera FIL`)",
    short="Socialstyrelsens arbetsböcker (oj importera)",
    ended="finns i Socialstyrelsens ÖJ-arbetsböcker (Kolada slutade publicera dem {ar}; läs in med `oj importera FIL`)",
))

register_publisher(Publisher(
    key="egen", label="egna filer", how="kommer från egna filer (läs in dem igen med `oj importera FIL`)",
    short="egna filer (oj importera)", ended="{how}",
    id_pattern=r"^([NU]\d{5}|egen_[a-z0-9_]{1,60})$", id_text="N eller U följt av fem siffror, eller egen_…",
))


register(Source(
    key="kolada", label="Kolada", name=lambda info: "Kolada", date=_kolada_date,
    id_pattern=r"^[NU]\d{5}$", fix_hint="kör `oj hamta`", loader="ojlib.data.sources.kolada:fetch",
    beskrivning="Kolada API v3 (RKA): brukarbedömning, kostnader, registeruppgifter och de få frågor "
                "ur ÖJ:s kommunenkät som Kolada fortfarande har",
))
register(Source(
    key="egen", label="Egen import", name=_egen_name, date=_egen_date,
    id_pattern=r"^\S+$", fix_hint="kör `oj importera FIL`", loader="ojlib.data.sources.files:import_file",
    file_rows=True,
    rebuild_hint="kör `oj importera FIL --ersatt`, som bygger om den egna datan från FIL (läs sedan in dina "
                 "andra filer igen utan --ersatt)",
    beskrivning="Socialstyrelsens ÖJ-arbetsböcker och egna filer, inlästa med `oj importera`",
))
register(Source(
    key="exempeldata", label="Exempeldata", name=lambda info: EXEMPELDATA, date=_example_date,
    id_pattern=r"^[NU]\d{5}$", fix_hint="kör `oj exempeldata` (eller `make demo`)",
    loader="ojlib.data.sources.example:build", example=True,
    beskrivning="genererade värden för alla indikatorer i katalogen – inte verkliga resultat",
))
