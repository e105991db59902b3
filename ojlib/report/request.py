"""One validated report request, from CLI options, a parameter file or notebook parameters.

The way in is the same for all three: a set of parameter values (a file's, read by :func:`read_file`,
with the command line's options on top by :func:`merge`, or the names of a template's
``parameters`` cell) goes to :func:`parse`, which returns a checked :class:`Request` or stops with
one Swedish sentence (:class:`~ojlib.base.errors.OjError`) before anything is made. :func:`load`
then loads the data and fixes the year (the only check that needs the data). The CLI turns the
request into the template's parameters (:meth:`Request.template_parameters`); the template's first
cell parses them again (:func:`notebook`) into an equal request.

One name per concept:

- ``omraden`` is the report's list of områden. A parameter set may give it as ``omrade`` (one
  område, or "alla": the län report's name and ``--omrade``) or as ``omraden`` (a list, or "alla":
  the kommun profile's name); giving both is an error, never one taken for the other.
- ``jamforelse`` is the reference line of a län report's bar charts (riket or kommungrupp);
  ``jamforelsegrupp`` the kommun profile's peer group (kommungrupp, liknande or kommun codes). A
  kommun profile has no jamforelse and a län report no jamforelsegrupp: giving one to the other
  is an error.
- ``datakalla`` is the choice of data sources (comma-joined keys, in precedence order).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cache
from pathlib import Path

from ojlib.analysis import colours
from ojlib.base import paths, yamlfile
from ojlib.base.errors import OjError
from ojlib.data import catalog, dataset, geo, shared
from ojlib.data import delregioner as delregion_file
from ojlib.report import comments

TEMPLATES = ("lansanalys", "kommunprofil")
# Each template's parameters (its notebook's ``parameters`` cell, in that order; tests/test_request.py
# checks that the cells name the same and default to DEFAULTS).
TEMPLATE_PARAMETERS = {
    "lansanalys": ("lan", "omrade", "ar", "jamforelse", "fargstrategi", "datakalla", "kommentarer", "delregioner"),
    "kommunprofil": ("kommun", "ar", "omraden", "jamforelsegrupp", "datakalla", "delregioner"),
}
DECK_PARAMETERS = ("lan", "kommun", "omrade", "omraden", "ar", "datakalla", "fargstrategi", "palett", "max_bilder",
                   "per_kvalitetsomrade", "indikatorer")
# Every name a parameter set may use (a shared file holds a report's and its deck's parameters).
NAMES = ("mall", *dict.fromkeys(TEMPLATE_PARAMETERS["lansanalys"] + TEMPLATE_PARAMETERS["kommunprofil"]
                               + DECK_PARAMETERS))
DEFAULTS = {"omrade": "missbruk", "omraden": "alla", "ar": None, "jamforelse": "riket",
            "jamforelsegrupp": "liknande", "fargstrategi": "rang_kvartil", "palett": "standard",
            "datakalla": "exempeldata", "kommentarer": None, "delregioner": False}
JAMFORELSER = ("riket", "kommungrupp")
JAMFORELSEGRUPPER = ("kommungrupp", "liknande")


# ---------------------------------------------------------------- reading values

def year(value) -> int | None:
    """The year of ``--ar`` (or ``ar:`` in a file): None for the latest ("", "senaste"), or an int."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.lower() in ("", "senaste", "none", "null", "~"):
        return None
    if not text.isdigit():
        raise OjError(f"Året '{value}' är inte ett årtal; ange t.ex. --ar 2024 eller utelämna --ar för senaste året.")
    return int(text)


def positive_int(name: str, value, least: int = 0) -> int | None:
    """An option that is a whole number of at least ``least`` ("--max-bilder 12"); None when not given."""
    if value is None:
        return None
    number = value if isinstance(value, int) and not isinstance(value, bool) else \
        int(str(value).strip()) if str(value).strip().isdigit() else None
    if number is None or number < least:
        raise OjError(f"--{name.replace('_', '-')} ska vara ett positivt heltal, inte '{value}'.")
    return number


def flag(name: str, value) -> bool:
    """A yes/no parameter (``delregioner: true``, ``-p delregioner=ja``)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "ja", "yes", "1"):
        return True
    if text in ("false", "nej", "no", "0", "", "none", "null"):
        return False
    raise OjError(f"{name} ska vara true eller false, inte '{value}'.")


def text_list(value) -> tuple[str, ...]:
    """"U35538,N35001" or a YAML list -> ("U35538", "N35001")."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(str(x).strip() for x in items if str(x).strip())


def _typed(value):
    """A custom template's own parameter read as text (a file's, ``-p namn=värde``), typed like YAML."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if value is None or not isinstance(value, str):
        return value
    text = value.strip()
    if text.lower() in ("null", "~", "none", ""):
        return None
    try:
        return yamlfile.loads(text, base=False)
    except OjError:
        return text


def _absent(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "~", "none"))


def assignment(text: str) -> tuple[str, object]:
    """``namn=värde`` from the command line (``-p``), read like a line of a parameter file."""
    if "=" not in text:
        raise OjError(f"Parametern '{text}' saknar '='; skriv namn=värde, t.ex. -p jamforelse=kommungrupp.")
    key, _, value = text.partition("=")
    key = key.strip()
    if not key.isidentifier():
        raise OjError(f"'{key}' är inte ett giltigt parameternamn; skriv namn=värde.")
    try:
        raw = yamlfile.loads(value, base=True)  # text, or a list of texts: codes keep their zeros
    except OjError:
        raw = value
    return key, None if _absent(raw) else raw


def find_file(name: str | Path) -> Path:
    """A parameter file as given, or by name in ``params/``."""
    path = Path(name).expanduser()
    for candidate in (path, paths.params_dir() / path, paths.params_dir() / f"{path}.yml"):
        if candidate.is_file():
            return candidate
    raise OjError(f"Parameterfilen {name} finns inte (sökte även i {paths.params_dir()}).")


def read_file(name: str | Path) -> list[dict]:
    """The parameter sets in a YAML file: one mapping, or shared keys plus a list ``rapporter``.

    Values are read as text (``lan: 06`` and ``kommun: 0114`` stay codes); :func:`parse` reads
    each as what it is.
    """
    path = find_file(name)
    raw = yamlfile.load(path, "Parameterfilen", base=True)
    if raw is None:
        raise OjError(f"Parameterfilen {path.name} är tom.")
    if not isinstance(raw, dict):
        raise OjError(f"Parameterfilen {path.name} ska innehålla namn: värde-par (eller en lista 'rapporter').")
    common = {k: None if _absent(v) else v for k, v in raw.items() if k != "rapporter"}
    sets = raw.get("rapporter")
    if sets is None:
        return [common]
    if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
        raise OjError(f"'rapporter' i {path.name} ska vara en lista med namn: värde-par.")
    return [{**common, **{k: None if _absent(v) else v for k, v in s.items()}} for s in sets]


def read_one(fil: str | None, what: str) -> dict:
    """The one parameter set of ``-f fil`` ({} without a file); ``what`` says where a batch file goes."""
    if not fil:
        return {}
    sets = read_file(fil)
    if len(sets) != 1:
        raise OjError(f"Filen {fil} innehåller {len(sets)} rapporter; {what}.")
    return sets[0]


def merge(file_values: dict, given: dict) -> dict:
    """A parameter file's values with the options given on the command line on top.

    An option replaces what stands for the same thing in the file: ``--omrade`` the file's
    ``omrade`` or ``omraden``, ``--lan`` the file's ``kommun`` (with its template and peer group)
    and ``--kommun`` its ``lan`` (with its template and comparison line).
    """
    values = {k: v for k, v in file_values.items() if not _absent(v)}
    if given.get("omrade") is not None or given.get("omraden") is not None:
        values.pop("omraden", None)
        values.pop("omrade", None)
    if given.get("lan") is not None and values.pop("kommun", None) is not None:  # a kommun's file, for a län
        values.pop("jamforelsegrupp", None)
        if values.get("mall") == "kommunprofil":
            values.pop("mall")
    if given.get("kommun") is not None and values.pop("lan", None) is not None:  # a län's file, for a kommun
        values.pop("jamforelse", None)
        if values.get("mall") == "lansanalys":
            values.pop("mall")
    values.update({k: v for k, v in given.items() if v is not None})
    return values


# ---------------------------------------------------------------- the request

@dataclass(frozen=True)
class Request:
    """A report's (or deck's) request, checked: a län or a kommun, its områden, year and options.

    ``ar`` None is the latest year (:func:`load` fixes it for a report; a deck shows each
    indicator's latest year). ``lan`` is a kommun's own län for a kommun profile. ``max_bilder``
    and ``per_kvalitetsomrade`` None are the deck's defaults.
    """

    mall: str
    lan: str
    lan_namn: str
    kommun: str | None
    kommun_namn: str | None
    omraden: tuple[str, ...]
    ar: int | None
    datakalla: str
    jamforelse: str = DEFAULTS["jamforelse"]
    jamforelsegrupp: str | tuple[str, ...] = DEFAULTS["jamforelsegrupp"]
    fargstrategi: str = DEFAULTS["fargstrategi"]
    palett: str = DEFAULTS["palett"]
    kommentarer: str | None = None
    delregioner: bool = False
    max_bilder: int | None = None
    per_kvalitetsomrade: int | None = None
    indikatorer: tuple[str, ...] = ()
    given: frozenset = field(default=frozenset(), compare=False)  # the names given (not defaults)

    @property
    def omrade_text(self) -> str:
        return "alla områden" if len(self.omraden) > 1 else catalog.OMRADEN[self.omraden[0]]

    @property
    def peers(self) -> str | list[str]:
        """The peer group as ``peers.peer_members`` takes it: a name or a list of kommun codes."""
        return self.jamforelsegrupp if isinstance(self.jamforelsegrupp, str) else list(self.jamforelsegrupp)

    def _omraden_value(self):
        if set(self.omraden) == set(catalog.OMRADEN):
            return "alla"
        return self.omraden[0] if len(self.omraden) == 1 else list(self.omraden)

    def template_parameters(self) -> dict:
        """The values of the template's ``parameters`` cell that make this request (for papermill)."""
        omraden = self._omraden_value()
        values = {"lan": self.lan, "kommun": self.kommun, "omrade": omraden, "omraden": omraden, "ar": self.ar,
                  "jamforelse": self.jamforelse, "jamforelsegrupp": self.peers, "fargstrategi": self.fargstrategi,
                  "datakalla": self.datakalla, "kommentarer": self.kommentarer, "delregioner": self.delregioner}
        return {k: values[k] for k in TEMPLATE_PARAMETERS[self.mall]}


@cache
def _lan_names() -> dict[str, str]:
    """län code -> name (the reference ships with ojlib: read once per process)."""
    return {str(k): str(n) for k, n in zip(geo.lan().lan_kod, geo.lan().lan_namn, strict=True)}


@cache
def _kommuner() -> dict[str, tuple[str, str]]:
    """kommun code -> (its län's code, its name)."""
    k = geo.kommuner()
    return {str(c): (str(lk), str(n)) for c, lk, n in zip(k.kommun_kod, k.lan_kod, k.kommun_namn, strict=True)}


def _sources(value) -> str:
    """"kolada", "kolada,egen", ["kolada", "egen"] or "alla" -> the validated sources, comma-joined
    in precedence order (an unknown source or one without data stops with one sentence)."""
    keys = dataset.parse_kallor(value)
    for k in keys:
        if not dataset.available(k):
            raise OjError(f"Det finns ingen data från {k} ännu; {dataset.fix_hint(k)}.")
    return ",".join(keys)


def _peer_group(value) -> str | tuple[str, ...]:
    if isinstance(value, str) and "," not in value:
        name = value.strip()
        if name not in JAMFORELSEGRUPPER:
            raise OjError(f"Okänd jämförelsegrupp '{value}'; välj kommungrupp, liknande eller en lista med "
                          "kommunkoder.")
        return name
    return tuple(geo.normalise_kommun(k) for k in text_list(value))


def _unknown(names: set, mall: str | None, deck: bool) -> None:
    unknown = sorted(names - set(NAMES))
    if not unknown:
        return
    if deck:
        raise OjError(f"Presentationen har ingen parameter {', '.join(unknown)}; dess parametrar är "
                      f"{', '.join(DECK_PARAMETERS)}.")
    raise OjError(f"Mallen {mall or 'lansanalys'}.ipynb har ingen parameter {', '.join(unknown)}; dess parametrar "
                  f"är {', '.join(TEMPLATE_PARAMETERS[mall or 'lansanalys'])}.")


def parse(values: dict, deck: bool = False) -> Request:
    """The request of a parameter set (a file's and the options merged, or a notebook's parameters).

    ``deck``: for ``oj presentation`` (its messages name the deck; a län deck's område defaults to
    the first). Everything that can be checked without the data is checked here, in one sentence.
    """
    given = {k: v for k, v in values.items() if not _absent(v)}
    mall = str(given["mall"]).strip() if "mall" in given else None
    if mall is not None and mall not in TEMPLATES:
        raise OjError(f"Mallen {mall} är ingen av ojlibs mallar ({', '.join(TEMPLATES)}); en egen mall "
                      "tar sina parametrar själv.")
    _unknown(set(given), mall or ("kommunprofil" if "kommun" in given else "lansanalys"), deck)
    if "lan" not in given and "kommun" not in given:
        if deck:
            raise OjError("Ange --lan (länets presentation), --kommun (kommunens) eller en parameterfil med -f.")
        raise OjError("Ange --lan (länsanalys), --kommun (kommunprofil) eller en parameterfil med -f.")
    if "lan" in given and "kommun" in given:
        raise OjError("Ange antingen --lan eller --kommun, inte båda.")
    kind = "kommunprofil" if "kommun" in given else "lansanalys"
    if mall is not None and mall != kind:
        raise OjError(f"Mallen {mall} gäller {'en kommun' if mall == 'kommunprofil' else 'ett län'}; ange "
                      f"{'--kommun' if mall == 'kommunprofil' else '--lan'} eller --mall {kind}.")
    if "omrade" in given and "omraden" in given:
        raise OjError("Ange antingen omrade (ett område eller alla) eller omraden (en lista), inte båda.")
    if kind == "kommunprofil" and "jamforelse" in given:
        raise OjError("En kommunprofil har ingen jämförelselinje (jamforelse); ange dess jämförelsegrupp med "
                      "--jamforelsegrupp (kommungrupp, liknande eller kommunkoder).")
    if kind == "lansanalys" and "jamforelsegrupp" in given:
        raise OjError("En länsanalys har ingen jämförelsegrupp (jamforelsegrupp); ange dess jämförelse med "
                      "--jamforelse (riket eller kommungrupp).")

    if kind == "lansanalys":
        lan = geo.normalise_lan(given["lan"])
        kommun = kommun_namn = None
    else:
        kommun = geo.normalise_kommun(given["kommun"])
        lan, kommun_namn = _kommuner()[kommun]
    lan_namn = _lan_names()[lan]
    choice = given.get("omrade", given.get("omraden"))
    if choice is None:
        choice = DEFAULTS["omrade"] if kind == "lansanalys" else DEFAULTS["omraden"]
    if isinstance(choice, str) and "," in choice:
        choice = list(text_list(choice))
    omraden = tuple(catalog.parse_omraden(choice if isinstance(choice, str | list) else list(choice)))
    jamforelse = str(given.get("jamforelse", DEFAULTS["jamforelse"])).strip()
    if jamforelse not in JAMFORELSER:
        raise OjError(f"Okänd jämförelse '{jamforelse}'; välj riket eller kommungrupp.")
    strategy = colours.check_strategy(str(given.get("fargstrategi", DEFAULTS["fargstrategi"])).strip())
    palett = str(given.get("palett", DEFAULTS["palett"])).strip()
    colours.check_palette(palett)
    indikatorer = text_list(given.get("indikatorer"))
    if indikatorer:
        cat = catalog.load_catalogue()
        for kpi in indikatorer:
            cat[kpi]  # an unknown KPI: the catalogue's Swedish sentence
    kommentarer = str(comments.find(given["kommentarer"])) if "kommentarer" in given else None
    grouped = flag("delregioner", given.get("delregioner", False))
    if grouped and kind == "lansanalys":
        delregion_file.grouping(lan)  # a län without delregioner: one sentence
    return Request(
        mall=kind, lan=lan, lan_namn=lan_namn, kommun=kommun, kommun_namn=kommun_namn, omraden=omraden,
        ar=year(given.get("ar")), datakalla=_sources(given.get("datakalla", DEFAULTS["datakalla"])),
        jamforelse=jamforelse, jamforelsegrupp=_peer_group(given.get("jamforelsegrupp", DEFAULTS["jamforelsegrupp"])),
        fargstrategi=strategy, palett=palett, kommentarer=kommentarer,
        delregioner=grouped,
        max_bilder=positive_int("max_bilder", given.get("max_bilder"), least=1),
        per_kvalitetsomrade=positive_int("per_kvalitetsomrade", given.get("per_kvalitetsomrade")),
        indikatorer=indikatorer, given=frozenset(given) - {"mall"})


def load(req: Request):
    """The request with its year fixed against the data (the latest with values when none was
    given; a year without values stops with one sentence), and the dataset."""
    omraden = list(req.omraden)
    # a län report reads only its områden's rows (polars); a kommun profile the whole dataset
    ds = shared.dataset(req.datakalla, omrade=omraden) if req.mall == "lansanalys" else shared.dataset(req.datakalla)
    ar = ds.latest_year(omraden) if req.ar is None else ds.check_year(req.ar, omraden)
    return replace(req, ar=ar), ds


def notebook(mall: str, **parameters):
    """A template's first cell: its ``parameters`` cell's values parsed (:func:`parse`) and loaded
    (:func:`load`); returns ``(request, dataset)``. Unknown names and bad values stop the run here."""
    if mall not in TEMPLATES:
        raise ValueError(f"unknown template {mall}")
    return load(parse({"mall": mall, **parameters}))


# ---------------------------------------------------------------- custom templates

# A custom template's parameters that are ojlib's: read as ojlib reads them; the others typed like YAML.
# (geo is loaded on first use, not at import: `oj --help` stays without pandas.)
_READERS = {"lan": lambda v: geo.normalise_lan(v), "kommun": lambda v: geo.normalise_kommun(v), "ar": year,
            "delregioner": lambda v: flag("delregioner", v),
            "max_bilder": lambda v: positive_int("max_bilder", v, least=1),
            "per_kvalitetsomrade": lambda v: positive_int("per_kvalitetsomrade", v)}
_TEXT = {"omrade", "omraden", "datakalla", "jamforelse", "jamforelsegrupp", "fargstrategi", "palett",
         "kommentarer", "indikatorer"}


def custom_parameters(values: dict) -> dict:
    """The parameters for a custom template (``--mall egen.ipynb``), read: codes as codes, ojlib's
    names as ojlib reads them, the template's own names typed like YAML. The template checks its
    own values when it runs; :func:`check_custom` what can be checked before."""
    params = {}
    for key, value in values.items():
        if key == "mall" or _absent(value):
            continue
        if key in _READERS:
            params[key] = _READERS[key](value)
        elif key in _TEXT:
            params[key] = [str(v) for v in value] if isinstance(value, list) else str(value).strip()
        else:
            params[key] = _typed(value)
    return params


def check_custom(params: dict, known: dict, template: Path) -> dict:
    """A custom template's parameters against its ``parameters`` cell (``known``): no unknown name,
    the comment file found, the data sources there."""
    unknown = sorted(set(params) - set(known))
    if known and unknown:
        raise OjError(f"Mallen {template.name} har ingen parameter {', '.join(unknown)}; "
                      f"dess parametrar är {', '.join(known)}.")
    if params.get("kommentarer"):  # the analyst's comment file: found from here, read by the kernel
        params["kommentarer"] = str(comments.find(params["kommentarer"]))
    kalla = params.get("datakalla", known.get("datakalla"))
    if isinstance(kalla, str | list):
        _sources(kalla)
    return params


def names() -> tuple[str, ...]:
    """The request's field names (for docs and tests)."""
    return tuple(f.name for f in fields(Request) if f.name != "given")
