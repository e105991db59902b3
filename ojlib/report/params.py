"""Validated parameters for the notebook templates (and `oj rapport`).

A template calls ``lansanalys(...)`` or ``kommunprofil(...)`` right after its parameters cell.
Every bad value stops the run with one Swedish sentence (OjError) before any output is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from ojlib.analysis import colours
from ojlib.base.errors import OjError
from ojlib.data import geo, shared
from ojlib.data.catalog import OMRADEN, parse_omraden
from ojlib.data.dataset import Dataset, available, fix_hint, parse_kallor

JAMFORELSER = ("riket", "kommungrupp")


@dataclass(frozen=True)
class Lansanalys:
    lan: str
    lan_namn: str
    omraden: tuple[str, ...]
    ar: int
    jamforelse: str
    fargstrategi: str
    datakalla: str

    @property
    def omrade_text(self) -> str:
        return "alla områden" if len(self.omraden) > 1 else OMRADEN[self.omraden[0]]


@dataclass(frozen=True)
class Kommunprofil:
    kommun: str
    kommun_namn: str
    lan: str
    lan_namn: str
    omraden: tuple[str, ...]
    ar: int
    jamforelsegrupp: str
    datakalla: str

    @property
    def peers(self) -> str | list[str]:
        """The peer choice as ``peers.peer_members`` takes it: a name or a list of codes."""
        if self.jamforelsegrupp in ("kommungrupp", "liknande"):
            return self.jamforelsegrupp
        return self.jamforelsegrupp.split(",")


def _year(ds: Dataset, ar, omraden) -> int:
    return ds.latest_year(list(omraden)) if ar in (None, "", "senaste") else ds.check_year(ar, list(omraden))


def _colour_strategy(name: str) -> str:

    return colours.check_strategy(name)


def _datakalla(value) -> str:
    """"kolada", "kolada,egen", ["kolada", "egen"] or "alla" -> the validated sources, comma-joined
    in precedence order (an unknown source or one without data stops with one sentence)."""

    keys = parse_kallor(value)
    for k in keys:
        if not available(k):
            raise OjError(f"Det finns ingen data från {k} ännu; {fix_hint(k)}.")
    return ",".join(keys)


def _jamforelse(value: str) -> str:
    if value not in JAMFORELSER:
        raise OjError(f"Okänd jämförelse '{value}'; välj riket eller kommungrupp.")
    return value


def lansanalys(lan, omrade="alla", ar=None, jamforelse="riket", fargstrategi="rang_kvartil",
               datakalla="exempeldata") -> tuple[Lansanalys, Dataset]:
    """Validate the län analysis parameters and load the data they need."""
    lan_kod = geo.normalise_lan(lan)
    omraden = tuple(parse_omraden(omrade))
    jamforelse = _jamforelse(jamforelse)
    strategy = _colour_strategy(fargstrategi)
    datakalla = _datakalla(datakalla)
    ds = shared.dataset(datakalla, omrade=omraden)  # the områden's rows, read with polars
    year = _year(ds, ar, omraden)
    lan_namn = geo.lan().set_index("lan_kod").at[lan_kod, "lan_namn"]
    return Lansanalys(lan_kod, lan_namn, omraden, year, jamforelse, strategy, datakalla), ds


def kommunprofil(kommun, ar=None, omraden="alla", jamforelsegrupp="kommungrupp",
                 datakalla="exempeldata") -> tuple[Kommunprofil, Dataset]:
    """Validate the kommun profile parameters and load the data they need.

    ``jamforelsegrupp``: "kommungrupp" (SKR), "liknande" (Kolada's Liknande kommuner group that
    params/omraden.yml names for the område), or a list of kommun codes.
    """
    kod = geo.normalise_kommun(kommun)
    omr = tuple(parse_omraden(omraden))
    if isinstance(jamforelsegrupp, str) and jamforelsegrupp not in ("kommungrupp", "liknande"):
        raise OjError(f"Okänd jämförelsegrupp '{jamforelsegrupp}'; välj kommungrupp, liknande "
                      "eller en lista med kommunkoder.")
    if not isinstance(jamforelsegrupp, str):
        jamforelsegrupp = ",".join(geo.normalise_kommun(k) for k in jamforelsegrupp)
    datakalla = _datakalla(datakalla)
    ds = shared.dataset(datakalla)
    year = _year(ds, ar, omr)
    k = geo.kommuner().set_index("kommun_kod").loc[kod]
    return Kommunprofil(kod, k.kommun_namn, k.lan_kod, k.lan_namn, omr, year, jamforelsegrupp, datakalla), ds
