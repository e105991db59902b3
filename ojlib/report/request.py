"""One validated report request, from CLI options, a parameter file or notebook parameters.

:func:`parse` reads a set of parameter values (a file's, merged with the options given on the
command line by :func:`merge`) and returns a :class:`Request`, or stops with one Swedish sentence
(:class:`~ojlib.base.errors.OjError`) before anything is made. The deck (``oj presentation`` and
the decks of ``oj rapporter --presentation``) reads its request here; the CLI reads the year here
(:func:`year`), so "--ar 20x4" says the same sentence everywhere.

One name per concept: ``omrade`` is the report's område choice (one, a list, or "alla"; ``omraden``
is the kommun profile template's name for the same choice), ``jamforelse`` is the reference line
of a län report's bar charts (riket or kommungrupp), ``jamforelsegrupp`` the kommun profile's peer
group (kommungrupp, liknande or kommun codes) – different things, never each other's alias.
"""

from __future__ import annotations

from dataclasses import dataclass

from ojlib.base import paths
from ojlib.base.errors import OjError
from ojlib.report import templates

# What a deck takes, and what only a report takes (accepted in a shared parameter file, not used).
DECK_KEYS = ("lan", "kommun", "omrade", "omraden", "ar", "datakalla", "fargstrategi", "palett", "max_bilder",
             "per_kvalitetsomrade", "indikatorer")
REPORT_ONLY = ("mall", "jamforelse", "jamforelsegrupp")


def year(value) -> int | None:
    """The year of ``--ar`` (or ``ar:`` in a file): None for the latest ("", "senaste"), or an int."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.lower() in ("", "senaste", "none"):
        return None
    if not text.isdigit():
        raise OjError(f"Året '{value}' är inte ett årtal; ange t.ex. --ar 2024 eller utelämna --ar för senaste året.")
    return int(text)


def positive_int(name: str, value) -> int | None:
    """An option that is a whole number ("--max-bilder 12"); None when not given."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not str(value).strip().isdigit():
        raise OjError(f"--{name.replace('_', '-')} ska vara ett positivt heltal, inte '{value}'.")
    return int(value)


def text_list(value) -> tuple[str, ...]:
    """"U35538,N35001" or a YAML list -> ("U35538", "N35001")."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(str(x).strip() for x in items if str(x).strip())


def merge(file_values: dict, given: dict) -> dict:
    """A parameter file's values with the options given on the command line on top.

    An option replaces what stands for the same thing in the file: ``--omrade`` the file's
    ``omrade`` or ``omraden``, ``--lan`` the file's ``kommun`` and ``--kommun`` its ``lan``.
    """
    values = {k: v for k, v in file_values.items() if v is not None}
    if given.get("omrade") is not None:
        values.pop("omraden", None)
    if given.get("lan") is not None:
        values.pop("kommun", None)
    if given.get("kommun") is not None:
        values.pop("lan", None)
    values.update({k: v for k, v in given.items() if v is not None})
    return values


def _report_parameters() -> set[str]:
    """The report templates' own parameters (e.g. kommentarer): accepted in a shared file, not used."""
    names: set[str] = set()
    for template in ("lansanalys.ipynb", "kommunprofil.ipynb"):
        path = paths.notebooks_dir() / template
        if path.exists():
            names |= set(templates.template_parameters(path))
    return names


@dataclass(frozen=True)
class Request:
    """A deck's request, checked: a län or a kommun, the område choice, year, source and options.

    ``None`` means the default (the deck's own: 30 slides, 2 per kvalitetsområde, rang_kvartil,
    the standard palette); ``omrade`` None is the first område for a län and all for a kommun."""

    lan: str | None
    kommun: str | None
    omrade: object
    ar: int | None
    datakalla: str
    fargstrategi: str | None = None
    palett: str | None = None
    max_bilder: int | None = None
    per_kvalitetsomrade: int | None = None
    indikatorer: tuple[str, ...] = ()


def parse(values: dict) -> Request:
    """The deck's request from a parameter set (a file's and the options merged)."""
    unknown = set(values) - set(DECK_KEYS) - set(REPORT_ONLY)
    if unknown:  # only then read the templates (a batch checks every deck's parameters)
        unknown = sorted(unknown - _report_parameters())
    if unknown:
        raise OjError(f"Presentationen har ingen parameter {', '.join(unknown)}; dess parametrar är "
                      f"{', '.join(DECK_KEYS)}.")
    if values.get("lan") in (None, "") and values.get("kommun") in (None, ""):
        raise OjError("Ange --lan (länets presentation), --kommun (kommunens) eller en parameterfil med -f.")
    if values.get("lan") not in (None, "") and values.get("kommun") not in (None, ""):
        raise OjError("Ange antingen --lan eller --kommun, inte båda.")
    return Request(
        lan=values.get("lan") or None, kommun=values.get("kommun") or None,
        omrade=values.get("omrade", values.get("omraden")), ar=year(values.get("ar")),
        datakalla=values.get("datakalla") or "exempeldata", fargstrategi=values.get("fargstrategi"),
        palett=values.get("palett"), max_bilder=positive_int("max_bilder", values.get("max_bilder")),
        per_kvalitetsomrade=positive_int("per_kvalitetsomrade", values.get("per_kvalitetsomrade")),
        indikatorer=text_list(values.get("indikatorer")))
