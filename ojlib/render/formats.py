"""The output formats of a report, in one registry: a new format is one renderer module and one entry here.

Every report is first an HTML page: the executed notebook without code (``html``, written by the run
itself, :func:`ojlib.render.html_export.render_page`). The other formats are written beside the page,
with the page's name and their own suffix, from the page (``pdf``) or from the report's parameters
(``pptx``, ``xlsx``, ``csv``). The commands read this registry for their ``--format`` choices and help
texts (``oj rapport``, ``oj rapporter``, ``oj export``), and call :func:`write` to write the chosen ones.

A renderer is ``write(items, options) -> list[Path]``: ``items`` are :class:`Item`, one per report
(kind, parameters, its page, the file to write), ``options`` an :class:`Options`. Entries call their
renderer through a lambda, so that this module loads none of the renderers' heavy packages until a
format is written (``oj --help`` stays quick).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ojlib.base.errors import OjError
from ojlib.render import pdf, presentation, writers

LAN, KOMMUN = "lansanalys", "kommunprofil"  # the report kinds (templates) the built-in formats know
KIND_TEXT = {LAN: "länsanalyser", KOMMUN: "kommunprofiler"}


@dataclass(frozen=True)
class Item:
    """One report to write in a format: its kind (template), its parameters, its page and the target file."""

    kind: str
    params: dict
    page: Path
    target: Path


@dataclass
class Options:
    """What a run gives every renderer: the browser for printing, a callback per file written, and a
    cache of loaded datasets (by source) shared by the formats of one run."""

    webblasare: str | None = None
    on_done: Callable[[Path], None] | None = None
    datasets: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """How the site links a format's file beside a page: the page navigation's text and class, and the
    word before the report's name in the index ("PDF Jönköpings län, missbruk")."""

    text: str
    css: str
    label: str


@dataclass(frozen=True)
class Format:
    """An output format: the word users type, the file suffix, a Swedish description for help texts,
    the renderer (None for ``html``: the run itself writes the page), whether it needs a browser, and the
    report kinds it serves (None: every report, custom templates too)."""

    name: str
    suffix: str
    beskrivning: str
    write: Callable[[list[Item], Options], list[Path]] | None
    needs_browser: bool = False
    kinds: tuple[str, ...] | None = None
    check: Callable[[Options], None] | None = None  # before the work: a missing tool is one sentence at once
    table: Callable | None = None  # ``table(frame, path, catalogue)`` saves a coloured län table (``oj export``)
    link: Link | None = None  # the site writes the file in its build and links it from the page and the index

    def serves(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds

    def target(self, page: Path) -> Path:
        return Path(page).with_suffix(self.suffix)


def file_beside(page: str, fmt: str) -> str:
    """The file name of format ``fmt`` beside the page named ``page`` (``a.html`` -> ``a.pdf``)."""
    return page.removesuffix(FORMATS[PAGE].suffix) + FORMATS[fmt].suffix


def linked() -> list[Format]:
    """The formats the site writes beside its pages and links (registry order)."""
    return [f for f in FORMATS.values() if f.link is not None]


def _excel(table, path: Path, catalogue, stadsdelar=None) -> Path:
    return writers.to_excel(table, path, catalogue, stadsdelar=stadsdelar)


def _csv(table, path: Path, catalogue, stadsdelar=None) -> Path:
    return writers.to_csv(table, path, stadsdelar=stadsdelar)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("html", ".html", "rapportsidan, den körda notebooken som HTML utan kod; skrivs alltid", None),
    Format("pdf", ".pdf", "sidan som PDF i A4, utskriven med Chromium, Chrome eller Edge",
           lambda items, o: pdf.write_reports(items, o), needs_browser=True,
           check=lambda o: pdf.find_browser(o.webblasare), link=Link("PDF (A4)", "pdf", "PDF")),
    Format("pptx", ".pptx", "en PowerPoint-presentation i 16:9 med redigerbara diagram",
           lambda items, o: presentation.write_reports(items, o), kinds=(LAN, KOMMUN),
           link=Link("Presentation (PowerPoint)", "presentation", "Presentation")),
    Format("xlsx", ".xlsx", "länstabellen i Excel med färgad översikt, lång tabell och förklaring",
           lambda items, o: writers.write_lan_tables(items, o, _excel), kinds=(LAN,), table=_excel),
    Format("csv", ".csv", "länstabellen som CSV, en lång tabell med semikolon och decimalkomma",
           lambda items, o: writers.write_lan_tables(items, o, _csv), kinds=(LAN,), table=_csv),
)}

PAGE = "html"  # the format every report run writes first


def names(among: list[str] | None = None) -> list[str]:
    """The registered formats' names (or those of ``among``), in registry order."""
    return [n for n in FORMATS if among is None or n in among]


def beside() -> list[str]:
    """Formats written beside a report's page (every one but the page itself)."""
    return [n for n in FORMATS if n != PAGE]


def table_formats() -> list[str]:
    """Formats that write the coloured län table (``oj export --format``)."""
    return [n for n, f in FORMATS.items() if f.table is not None]


def help_text(among: list[str] | None = None, kinds: bool = True) -> str:
    """The formats for a help text: ``pdf: sidan som PDF …; xlsx: länstabellen … (bara länsanalyser)``;
    without the reports a format is limited to when ``kinds`` is false (a command for one kind)."""
    return "; ".join(f"{n}: {FORMATS[n].beskrivning}{_only(FORMATS[n]) if kinds else ''}" for n in names(among))


def _only(fmt: Format) -> str:
    kinds = [KIND_TEXT.get(k, k) for k in fmt.kinds or ()]
    return f" (bara {_join(kinds)})" if len(kinds) == 1 else ""


def _join(words) -> str:
    words = list(words)
    return ", ".join(words[:-1]) + f" eller {words[-1]}" if len(words) > 1 else "".join(words)


def get(name: str, among: list[str] | None = None) -> Format:
    """The format called ``name`` (case and a leading dot ignored); one Swedish sentence if there is none."""
    choices = names(among)
    key = str(name).strip().lower().lstrip(".")
    if key not in choices:
        raise OjError(f"Okänt format '{name}'; välj {_join(choices)}.")
    return FORMATS[key]


def parse(text: str | None, *also: str) -> list[Format]:
    """The formats of ``--format`` (names separated by commas) and of shorthand flags (``--pdf`` gives
    ``also=("pdf",)``), each once, in registry order, without ``html`` (the page is always written)."""
    wanted = [p for p in (text or "").split(",") if p.strip()] + list(also)
    chosen = {get(w).name for w in wanted}
    return [FORMATS[n] for n in FORMATS if n in chosen and n != PAGE]


def check_kind(chosen: list[Format], kind: str, what: str) -> None:
    """Before the work: a format that does not serve this kind of report is one sentence."""
    for fmt in chosen:
        if not fmt.serves(kind):
            kinds = _join(KIND_TEXT.get(k, k) for k in fmt.kinds or ())
            raise OjError(f"Formatet {fmt.name} ({fmt.beskrivning}) finns bara för {kinds}, inte för {what}; "
                          "ta bort det ur --format.")


def check_tools(chosen: list[Format], options: Options) -> None:
    """Each chosen format's own check (a browser for pdf): one Swedish sentence on what to install."""
    for fmt in chosen:
        if fmt.check is not None:
            fmt.check(options)


def items_for(fmt: Format, reports: list[tuple[str, dict, Path]]) -> list[Item]:
    """The items of ``fmt`` for reports given as (kind, parameters, page): those it serves, each with its
    target beside the page."""
    return [Item(kind, params, Path(page), fmt.target(page)) for kind, params, page in reports if fmt.serves(kind)]


def write(chosen: list[Format], reports: list[tuple[str, dict, Path]], options: Options | None = None
          ) -> dict[str, list[Path]]:
    """Write every chosen format beside the reports' pages; the files written, by format."""
    options = options or Options()
    check_tools(chosen, options)
    return {fmt.name: fmt.write(items_for(fmt, reports), options) for fmt in chosen}
