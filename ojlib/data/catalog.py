"""The indicator catalogue: which Kolada KPIs the project uses and how to read them.

The catalogue is a YAML file analysts edit (``params/indikatorer.yml``). Loading validates every
row and names the row in the error, so a typo never turns into a silent wrong figure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from ojlib.base import paths, yamlfile
from ojlib.base.errors import OjError, did_you_mean
from ojlib.data import omraden as _omraden
from ojlib.data.sources import registry


class _OmradenTitles(Mapping):
    """``OMRADEN[key]`` -> Swedish title, read from params/omraden.yml on every use (kept for
    the modules and notebooks that use the old constant; new code calls ``ojlib.data.omraden``)."""

    def __getitem__(self, key):
        return _omraden.titles()[key]

    def __iter__(self):
        return iter(_omraden.titles())

    def __len__(self):
        return len(_omraden.titles())

    def __repr__(self):
        return repr(_omraden.titles())


OMRADEN = _OmradenTitles()
TYPER = {
    "ja_nej": "Ja/Nej (kommunen svarar Ja=1 eller Nej=0)",
    "skala": "Ordinalskala med etiketter",
    "andel": "Andel i procent",
    "kr_per_inv": "Kronor per invånare",
    "antal": "Antal eller medelvärde",
}
RIKTNINGAR = {"hogre_battre": "Högre värde är bättre", "lagre_battre": "Lägre värde är bättre",
              None: "Ingen önskvärd riktning"}
REQUIRED = ("kpi", "omrade", "namn", "titel", "beskrivning", "typ", "riktning", "enhet",
            "ar_fran", "ar_till", "kon", "katalog")
OPTIONAL = ("nivaer", "jamforbar_fran", "anmarkning", "utgivare", "upphord", "rubriker", "kvalitetsomrade",
            "enheter", "enhetstyp")
ENHETSTYP_RE = re.compile(r"^V\d{2}E$")  # Kolada's unit type: the prefix of a unit id (V29E: gruppbostad LSS)
IMPORT_FILE = "indikatorer_import.yml"  # indicators made by `oj importera`, beside the catalogue
IMPORT_KPI_RE = re.compile(r"^([NU]\d{5}|egen_[a-z0-9_]{1,60})$")
RENAMED = {"kalla": "utgivare"}  # a field's earlier name -> its name now (users' files still say kalla:)


@dataclass(frozen=True)
class Indicator:
    """One catalogue row. ``nivaer`` maps values to labels for ``ja_nej`` and ``skala``."""

    kpi: str
    omrade: str
    namn: str
    titel: str
    beskrivning: str
    typ: str
    riktning: str | None
    enhet: str
    ar_fran: int
    ar_till: int
    kon: bool
    katalog: str
    nivaer: dict[int, str] = field(default_factory=dict)
    jamforbar_fran: int | None = None
    anmarkning: str | None = None
    utgivare: str = "kolada"              # who publishes the values: kolada | socialstyrelsen | egen
    upphord: int | None = None            # last year published, None while still published
    rubriker: tuple[str, ...] = ()        # header aliases the workbook importer matches
    kvalitetsomrade: str | None = None    # key in params/omraden.yml (kvalitetsomraden)
    enheter: bool = False                 # Kolada also has the values per unit (has_ou_data): `oj hamta` fetches them
    enhetstyp: tuple[str, ...] = ()       # the unit types the values describe (id prefixes, e.g. V29E)

    @property
    def publiceras(self) -> bool:
        """True while the source still publishes the indicator."""
        return self.upphord is None

    @property
    def bakgrund(self) -> bool:
        """True for a bakgrundsmått (kvalitetsomrade ``bakgrund``): context, never compared as better/worse."""
        return self.kvalitetsomrade == _omraden.BAKGRUND

    @property
    def ar(self) -> list[int]:
        """The years the indicator has data for."""
        return list(range(self.ar_fran, self.ar_till + 1))

    @property
    def jamforbara_ar(self) -> list[int]:
        """The years comparable with the latest one (a definition break cuts the series)."""
        start = max(self.ar_fran, self.jamforbar_fran or self.ar_fran)
        return list(range(start, self.ar_till + 1))

    def label(self, value) -> str | None:
        """The level label of a ``ja_nej``/``skala`` value, e.g. 3 -> "Inom 3 dagar"."""
        if value is None or pd.isna(value) or not self.nivaer:
            return None
        return self.nivaer.get(int(round(float(value))))


class Catalogue:
    """The validated catalogue: lookup by KPI id, filter by område, as a table."""

    def __init__(self, indicators: list[Indicator], source: Path | None = None):
        self.indicators = list(indicators)
        self.source = source
        self._by_id = {i.kpi: i for i in self.indicators}

    def __len__(self) -> int:
        return len(self.indicators)

    def __iter__(self):
        return iter(self.indicators)

    def __contains__(self, kpi: str) -> bool:
        return kpi in self._by_id

    def __getitem__(self, kpi: str) -> Indicator:
        try:
            return self._by_id[kpi]
        except KeyError:
            raise OjError(f"KPI '{kpi}' finns inte i indikatorkatalogen (lista: `oj indikatorer`); "
                          f"{did_you_mean(kpi, list(self._by_id))}") from None

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def for_omrade(self, omrade: str | None = None) -> list[Indicator]:
        """Indicators of one område, or all for ``None``/"alla"."""
        wanted = set(parse_omraden(omrade))
        return [i for i in self.indicators if i.omrade in wanted]

    def jamforda(self, omrade: str | None = None) -> list[Indicator]:
        """The indicators a comparison (tables, colours, ranking, findings) uses: the område's without
        its bakgrundsmått."""
        return [i for i in self.for_omrade(omrade) if not i.bakgrund]

    def bakgrund(self, omrade: str | None = None) -> list[Indicator]:
        """The område's bakgrundsmått (kvalitetsomrade ``bakgrund``), in catalogue order."""
        return [i for i in self.for_omrade(omrade) if i.bakgrund]

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for i in self.indicators:
            rows.append({
                "kpi": i.kpi, "omrade": i.omrade, "namn": i.namn, "typ": i.typ,
                "riktning": i.riktning, "enhet": i.enhet, "ar_fran": i.ar_fran, "ar_till": i.ar_till,
                "jamforbar_fran": i.jamforbar_fran, "kon": i.kon, "katalog": i.katalog,
                "nivaer": "; ".join(f"{k}={v}" for k, v in i.nivaer.items()), "titel": i.titel,
                "utgivare": i.utgivare, "upphord": i.upphord, "kvalitetsomrade": i.kvalitetsomrade,
                "enheter": "; ".join(i.enhetstyp) or ("ja" if i.enheter else ""),
                "rubriker": "; ".join(i.rubriker),
            })
        return pd.DataFrame(rows)


def parse_omraden(omrade: str | list[str] | None) -> list[str]:
    """Validate an område (or a list, or "alla"/None) and return the list of områden."""
    if omrade is None or omrade == "alla" or omrade == ["alla"]:
        return _omraden.keys()
    values = [omrade] if isinstance(omrade, str) else list(omrade)
    for v in values:
        _omraden.get(v)  # raises "Okänt område …" with the choices
    return values


def _row_error(n: int, kpi, path: Path, text: str) -> OjError:
    who = f"post {n}" + (f" ({kpi})" if kpi else "")
    return OjError(f"Indikatorkatalogen {path.name}, {who}: {text}")


def current_names(row: dict, n: int = 0, path: Path | None = None) -> dict:
    """The row with its fields under today's names (``kalla:`` in a user's older file is read as
    ``utgivare:``); a row that gives both names is an error naming the entry."""
    out = dict(row)
    for old, new in RENAMED.items():
        if old in out:
            if new in out:
                raise _row_error(n, out.get("kpi"), path or paths.catalogue_path(),
                                 f"fälten {old} och {new} betyder samma sak; behåll bara {new}.")
            out = {(new if k == old else k): v for k, v in out.items()}
    return out


def _parse_row(n: int, row, path: Path, id_re: re.Pattern | None = None) -> Indicator:
    if not isinstance(row, dict):
        raise _row_error(n, None, path, "posten är inte en lista av fält (kpi: …, omrade: …).")
    row = current_names(row, n, path)
    kpi = row.get("kpi")
    missing = [f for f in REQUIRED if f not in row or (row[f] is None and f != "riktning")]
    if missing:
        raise _row_error(n, kpi, path, f"fältet {', '.join(missing)} saknas; lägg till det.")
    unknown = sorted(set(row) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _row_error(n, kpi, path, f"okänt fält {', '.join(unknown)}; tillåtna fält är "
                         f"{', '.join(REQUIRED + OPTIONAL)}.")
    for f in ("kpi", "omrade", "typ", "riktning", "namn", "titel", "beskrivning", "enhet", "katalog", "utgivare",
              "kvalitetsomrade"):
        if isinstance(row.get(f), dict | list):
            raise _row_error(n, kpi if isinstance(kpi, str) else None, path,
                             f"fältet {f} ska vara en text, inte en lista eller tabell.")
    omrade_keys = _omraden.keys()
    if row["omrade"] not in omrade_keys:
        raise _row_error(n, kpi, path, f"okänt område '{row['omrade']}'; tillåtna är "
                         f"{', '.join(omrade_keys)} (params/omraden.yml).")
    utgivare = row.get("utgivare", "kolada")
    known = {p.key: p for p in registry.publishers()}
    if utgivare not in known:
        raise _row_error(n, kpi, path, f"okänd utgivare '{utgivare}'; tillåtna är {', '.join(known)}.")
    if not isinstance(kpi, str) or not (id_re.match(kpi) if id_re else known[utgivare].valid_id(kpi)):
        raise _row_error(n, kpi, path, f"KPI-id '{kpi}' ska vara {known[utgivare].id_text}.")
    upphord = row.get("upphord")
    if upphord is not None and (not isinstance(upphord, int) or isinstance(upphord, bool)
                                or not 1990 <= upphord <= 2100):
        raise _row_error(n, kpi, path, f"upphord ska vara ett årtal eller null, inte '{upphord}'.")
    rubriker = row.get("rubriker") or []
    if not isinstance(rubriker, list) or not all(isinstance(r, str) and r.strip() for r in rubriker):
        raise _row_error(n, kpi, path, "rubriker ska vara en lista med rubriktexter, t.ex. [\"Stödprogram\"].")
    kvo = row.get("kvalitetsomrade")
    kv_keys = [k.key for k in _omraden.kvalitetsomraden()]
    if kvo is not None and kvo not in kv_keys:
        raise _row_error(n, kpi, path, f"okänt kvalitetsomrade '{kvo}'; tillåtna är {', '.join(kv_keys)}.")
    enheter = row.get("enheter", False)
    if not isinstance(enheter, bool):
        raise _row_error(n, kpi, path, f"enheter ska vara true eller false, inte '{enheter}'.")
    enhetstyp = row.get("enhetstyp") or []
    if not isinstance(enhetstyp, list) or not all(isinstance(t, str) and ENHETSTYP_RE.match(t) for t in enhetstyp):
        raise _row_error(n, kpi, path, "enhetstyp ska vara en lista med Koladas enhetstyper, t.ex. [V29E].")
    if enhetstyp and not enheter:
        raise _row_error(n, kpi, path, "enhetstyp kräver enheter: true (Kolada har värden per enhet).")
    if row["typ"] not in TYPER:
        raise _row_error(n, kpi, path, f"okänd typ '{row['typ']}'; tillåtna typer är {', '.join(TYPER)}.")
    if row["riktning"] not in RIKTNINGAR:
        raise _row_error(n, kpi, path, f"okänd riktning '{row['riktning']}'; tillåtna är hogre_battre, "
                         "lagre_battre eller null.")
    for f in ("ar_fran", "ar_till") + (("jamforbar_fran",) if row.get("jamforbar_fran") is not None else ()):
        if not isinstance(row[f], int) or isinstance(row[f], bool) or not 1990 <= row[f] <= 2100:
            raise _row_error(n, kpi, path, f"{f} ska vara ett årtal, inte '{row[f]}'.")
    if row["ar_fran"] > row["ar_till"]:
        raise _row_error(n, kpi, path, "ar_fran är senare än ar_till.")
    jf = row.get("jamforbar_fran")
    if jf is not None and not row["ar_fran"] <= jf <= row["ar_till"]:
        raise _row_error(n, kpi, path, "jamforbar_fran ska ligga mellan ar_fran och ar_till.")
    if not isinstance(row["kon"], bool):
        raise _row_error(n, kpi, path, f"kon ska vara true eller false, inte '{row['kon']}'.")
    nivaer = row.get("nivaer") or {}
    if row["typ"] in ("ja_nej", "skala") and not nivaer:
        raise _row_error(n, kpi, path, f"typen {row['typ']} kräver nivaer (värde: etikett).")
    try:
        nivaer = {int(k): str(v) for k, v in nivaer.items()}
    except (ValueError, AttributeError, TypeError):
        raise _row_error(n, kpi, path, "nivaer ska vara heltal med etiketter, t.ex. 1: Ja.") from None
    if row["typ"] == "ja_nej" and set(nivaer) != {0, 1}:
        raise _row_error(n, kpi, path, "ja_nej ska ha nivåerna 1 (Ja) och 0 (Nej).")
    fields = {f: row.get(f) for f in REQUIRED + OPTIONAL}
    fields["nivaer"] = nivaer
    fields.update(utgivare=utgivare, upphord=upphord, rubriker=tuple(str(r) for r in rubriker), kvalitetsomrade=kvo,
                  enheter=enheter, enhetstyp=tuple(enhetstyp))
    for f in ("namn", "titel", "beskrivning", "enhet", "katalog"):
        fields[f] = str(fields[f])
    return Indicator(**fields)


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Read and validate the catalogue (default ``params/indikatorer.yml``)."""
    path = Path(path) if path else paths.catalogue_path()
    om = _omraden.path()
    extra = import_path(path)
    return _load(path.resolve(), path.stat().st_mtime_ns if path.exists() else 0,
                 str(om.resolve()), om.stat().st_mtime_ns if om.exists() else 0,
                 extra.stat().st_mtime_ns if extra.exists() else 0)


def import_path(path: Path | str | None = None) -> Path:
    """The file of imported indicators that belongs to a catalogue file (beside it)."""
    return Path(path or paths.catalogue_path()).resolve().parent / IMPORT_FILE


@cache
def _load(path: Path, _mtime: int, _omraden_path: str = "", _omraden_mtime: int = 0,
          _import_mtime: int = 0) -> Catalogue:
    indicators = list(_main(path, _mtime, _omraden_path, _omraden_mtime))
    seen = {ind.kpi: n for n, ind in enumerate(indicators, start=1)}
    extra = import_path(path)
    if extra.exists():
        rows = yamlfile.load(extra, "Filen med importerade indikatorer") or []
        indicators += _imported(rows, extra, seen)
    return Catalogue(indicators, source=path)


@cache
def _main(path: Path, _mtime: int, _omraden_path: str = "", _omraden_mtime: int = 0) -> tuple[Indicator, ...]:
    """The entries of the main catalogue file (without the imported ones)."""
    if not path.exists():
        raise OjError(f"Indikatorkatalogen {path} saknas; återställ den med `git checkout params/`.")
    data = yamlfile.load(path, "Indikatorkatalogen")
    if not isinstance(data, list) or not data:
        raise OjError(f"Indikatorkatalogen {path.name} ska vara en lista med poster (- kpi: …).")
    seen: dict[str, int] = {}
    indicators = []
    for n, row in enumerate(data, start=1):
        ind = _parse_row(n, row, path)
        if ind.kpi in seen:
            raise _row_error(n, ind.kpi, path, f"KPI:n finns redan i post {seen[ind.kpi]}; ta bort dubbletten.")
        seen[ind.kpi] = n
        indicators.append(ind)
    return tuple(indicators)


def _imported(rows, extra: Path, seen: dict[str, int]) -> list[Indicator]:
    out = []
    for n, row in enumerate(rows if isinstance(rows, list) else [None], start=1):
        ind = _parse_row(n, row, extra, IMPORT_KPI_RE)
        if ind.kpi in seen:
            raise _row_error(n, ind.kpi, extra, "KPI:n finns redan i katalogen; ta bort dubbletten.")
        seen[ind.kpi] = n
        out.append(ind)
    return out


def check_imported(rows: list, path: Path | str | None = None) -> None:
    """Validate the rows of a new imported-indicators file as ``load_catalogue`` will read them,
    before it is written (raises the same OjError naming the entry)."""
    path = (Path(path) if path else paths.catalogue_path()).resolve()
    om = _omraden.path()
    main = _main(path, path.stat().st_mtime_ns if path.exists() else 0, str(om.resolve()),
                 om.stat().st_mtime_ns if om.exists() else 0)
    _imported(rows, import_path(path), {ind.kpi: n for n, ind in enumerate(main, start=1)})
