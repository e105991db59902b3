"""The site's stadsdel pages: one page per stadsdel (Stockholm) or socialförvaltning (Göteborg) that has values
in the site's data (imported workbooks, ``niva`` stadsdel), listing its values against its kommun, länet and
riket (``lansrapport.stadsdel_profile``, drawn by ``views.stadsdel_profile``).

Pages are made only for the kommuner the site covers (a kommun profile, or a län report of its län), and only
when stadsdel data exists; a page whose stadsdel no longer has values is removed at the next build. The site
(:mod:`ojlib.publish.site`) writes them into its new generation, gives each its navigation and links them
from the kommun's profile and the index. Every name is escaped where it is put into the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from ojlib.base.errors import OjError
from ojlib.data import dataset, geo, shared
from ojlib.render import html_export, tables, templating, views
from ojlib.report import lansrapport

PREFIX = "stadsdel-"
MARK = 'data-ojlib-sida="stadsdel"'  # in every page made here: an old page is removed only when it has it
NAV_RE = re.compile(r'<nav class="topp"[^>]*>.*?</nav>', re.DOTALL)


@dataclass
class StadsdelPages:
    """What a site build does with stadsdel pages: pages to write (name -> text), old ones to remove, and per
    kommun code its pages ((link text "Rinkeby-Kista (stadsdelsområde)", page), reference list order)."""

    write: dict[str, str] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    links: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # län -> row heading in its report -> page


def page_name(kod: str) -> str:
    return f"{PREFIX}{kod}.html"


def ours(path: Path, mark: str = MARK) -> bool:
    """Whether a page of the site is one the site made (it has ``mark``): only such a page is ever removed."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return mark in fh.read(1 << 20)
    except OSError:
        return False


def _kalla(metas: list[dict]) -> str | None:
    values = [str(m["datakalla"]) for m in metas if m.get("datakalla")]
    return max(sorted(set(values)), key=values.count) if values else None


def page(ds, kod: str, nav: str) -> str | None:
    """The page of one stadsdel (None when it has no value for an indicator of its län's tables)."""
    profile = lansrapport.stadsdel_profile(ds, kod)
    if profile.empty:
        return None
    sd = geo.stadsdelar().set_index("kod")
    namn, kommun = str(sd.at[kod, "namn"]), geo.area_names().get(str(sd.at[kod, "kommun_kod"]), "")
    typ = str(sd.at[kod, "typ"])
    title = f"{namn}, {kommun}"
    body = templating.render("stadsdel.html", mark=Markup(MARK), typ=typ.capitalize(), kommun=kommun,
                             profile=Markup(views.stadsdel_profile(profile, namn, kommun, ds.kalla).html))
    text = html_export.page_document(title, body, None, index_link=True, has_figures=False)
    return NAV_RE.sub(lambda _m: nav, text, count=1)


def site_pages(folder: Path, meta_pages: list[tuple[str, dict]], kommuner: set[str],
               nav: Callable[[str, str], str]) -> StadsdelPages:
    """The stadsdel pages of a site whose report pages are ``meta_pages`` (their most common data source),
    for the stadsdelar of ``kommuner`` (codes) with values. ``nav(kommun code, title)`` is a page's
    navigation. ``folder`` holds the current files: a stadsdel page not made again is removed."""
    out = StadsdelPages()
    old = sorted(p.name for p in Path(folder).glob(f"{PREFIX}*.html") if ours(p))
    kalla = _kalla([m for _, m in meta_pages])
    if kalla and kommuner:
        try:
            available = all(dataset.available(k) for k in dataset.parse_kallor(kalla))
        except OjError:
            available = False
        if available:
            ds = shared.dataset(kalla)
            sd = geo.stadsdelar().set_index("kod")
            for kod in lansrapport.stadsdelar_with_values(ds):
                kommun = str(sd.at[kod, "kommun_kod"])
                if kommun not in kommuner:
                    continue
                namn = str(sd.at[kod, "namn"])
                text = page(ds, kod, nav(kommun, f"{namn}, {geo.area_names().get(kommun, '')}"))
                if text is not None:
                    out.write[page_name(kod)] = text
                    out.links.setdefault(kommun, []).append((f"{namn} ({sd.at[kod, 'typ']})", page_name(kod)))
                    for label in (f"{tables.STADSDEL_MARK}{namn}", f"{tables.STADSDEL_MARK}{namn} ({kod})"):
                        for shown in {html.escape(label), html.escape(label, quote=False)}:
                            out.rows.setdefault(kommun[:2], {})[shown] = page_name(kod)
    out.remove = [n for n in old if n not in out.write]
    return out


def link_rows(text: str, rows: dict[str, str]) -> str:
    """A län report's page with each stadsdel's row heading (``rows``: heading as in the page -> stadsdel
    page) a link to its page, in every table that shows it."""
    if not rows:
        return text
    names = "|".join(re.escape(n) for n in sorted(rows, key=len, reverse=True))
    pattern = re.compile(rf"(<th[^>]*>)({names})(</th>)")
    return pattern.sub(lambda m: f'{m.group(1)}<a class="stadsdel" href="{html.escape(quote(rows[m.group(2)]))}">'
                                 f"{m.group(2)}</a>{m.group(3)}", text)
