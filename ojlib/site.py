"""The shared HTML site: report pages, one ``plotly.min.js``, and ``index.html`` with a map and a table.

``build_site`` runs all reports into a temporary folder beside the target and moves it into
place only when every report succeeded, so a failed run leaves the previous site as it was.
``add_report`` puts one page into an existing site (``oj rapport``). The index is rebuilt from
the metadata each page carries, so it always lists exactly the pages in the folder.

A folder is only ever replaced if it is empty or a site made here (it holds ``MARKER``), so
``--ut`` pointing at the wrong folder cannot delete anyone's files.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ojlib import catalog, geo, html_export, reports
from ojlib.errors import OjError
from ojlib.source_lines import EXEMPELDATA
from ojlib.storage import atomic_path, write_text_atomic

MARKER = ".ojlib-webbplats.json"
INDEX = "index.html"
class _DatakallaText(dict):
    """Source label for the site ("Kolada", "Kolada + Egen import"), from the source registry."""

    def get(self, key, default=None):
        from ojlib.sources import registry

        keys = [k.strip() for k in str(key).split(",") if k.strip()]
        if not keys or not all(registry.known(k) for k in keys):
            return default
        return " + ".join(registry.get(k).label for k in keys)


DATAKALLA_TEXT = _DatakallaText()


# --------------------------------------------------------------------------- folder handling

def plotly_js_source() -> Path:
    """plotly.js as shipped in plotly's package data (works offline, matches the figures' version)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / html_export.PLOTLY_JS
    if not path.exists():  # pragma: no cover
        raise OjError("Filen plotly.min.js saknas i plotly-paketet; installera om plotly (make setup).")
    return path


def copy_plotly_js(folder: Path) -> Path:
    """Put the one shared plotly.min.js in ``folder`` (skipped when an identical copy is there)."""
    src, dst = plotly_js_source(), Path(folder) / html_export.PLOTLY_JS
    if dst.exists() and dst.stat().st_size == src.stat().st_size and dst.read_bytes() == src.read_bytes():
        return dst
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)
    return dst


def is_site(folder: Path) -> bool:
    return (Path(folder) / MARKER).is_file()


def check_replaceable(folder: Path) -> None:
    """Refuse to write a site over a folder that holds something else."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OjError(f"{folder} är en fil, inte en mapp; välj en mapp med --ut.")
    if folder.is_dir() and any(folder.iterdir()) and not is_site(folder):
        raise OjError(f"Mappen {folder} innehåller annat än en rapportwebbplats från oj; välj en tom eller ny "
                      "mapp med --ut.")


def read_settings(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def write_settings(folder: Path, settings: dict) -> None:
    text = json.dumps({"ojlib": "webbplats", **settings}, ensure_ascii=False, indent=2, sort_keys=True)
    write_text_atomic(Path(folder) / MARKER, text + "\n")


def share_permissions(path: Path) -> None:
    """Make the site readable by colleagues (temporary files start private): 644/755 minus umask."""
    umask = os.umask(0)
    os.umask(umask)
    path = Path(path)
    targets = [path, *path.rglob("*")] if path.is_dir() else [path]
    for p in targets:
        p.chmod((0o755 if p.is_dir() else 0o644) & ~umask)


def _swap_into_place(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with two renames on the same file system."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.gammal-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- the index

def pages(folder: Path) -> list[tuple[str, dict]]:
    """(file name, metadata) of every report page in the folder."""
    out = []
    for page in sorted(Path(folder).glob("*.html")):
        if page.name == INDEX:
            continue
        meta = html_export.read_page_metadata(page)
        if meta is not None:
            out.append((page.name, meta))
    return out


def _sort_key(item: tuple[str, dict]):
    _, m = item
    order = list(catalog.OMRADEN)
    omrade = str(m.get("omrade") or "")
    return (0 if m.get("typ") == "lansanalys" else 1 if m.get("typ") == "kommunprofil" else 2,
            str(m.get("lan") or ""), str(m.get("kommun") or ""),
            order.index(omrade) if omrade in order else len(order), str(m.get("ar") or ""))


def _omraden_of(meta: dict) -> list[str]:
    value = meta.get("omrade", meta.get("omraden"))
    try:
        return catalog.parse_omraden(value)
    except OjError:
        return list(catalog.OMRADEN)


def _choose_indicator(ds, metas: list[dict], kpi: str | None):
    """The map's indicator: the one asked for, else the first percentage indicator of the reports' områden."""
    if kpi:
        return ds.cat[kpi]
    wanted: list[str] = []
    for m in metas:
        wanted += [o for o in _omraden_of(m) if o not in wanted]
    candidates = ds.cat.for_omrade(wanted or None)
    have = set(ds.df.loc[(ds.df.niva == "kommun") & ds.df.varde.notna(), "kpi"])
    for pick in ([i for i in candidates if i.typ == "andel"], candidates):
        for ind in pick:
            if ind.kpi in have:
                return ind
    return None


def _link_for(meta_pages: list[tuple[str, dict]], lan: str, kommun: str | None, omrade: str) -> str | None:
    """The page a click on the map opens: the kommun's profile, else the län report for the område."""
    if kommun:
        for name, m in meta_pages:
            if m.get("typ") == "kommunprofil" and m.get("kommun") == kommun:
                return name
    best = None
    for name, m in meta_pages:
        if m.get("typ") == "lansanalys" and m.get("lan") == lan:
            if m.get("omrade") == omrade:
                return name
            if m.get("omrade") == "alla" or best is None:
                best = name
    return best


def overview_map(meta_pages: list[tuple[str, dict]], kpi: str | None = None):
    """The Sweden map by kommun for one indicator (a plotly figure as a dict), or (None, reason).

    Drawn by ``figures.choropleth`` from ``colours.coloured_kommun_table``, so it uses the same
    colour classes, source line and exempeldata mark as the reports. ``layout.meta.lankar`` maps
    each kommun to the page a click opens.
    """
    from ojlib import colours, dataset, figures

    metas = [m for _, m in meta_pages]
    kallor = [m.get("datakalla") for m in metas if m.get("datakalla")]
    kalla = max(sorted(set(kallor)), key=kallor.count) if kallor else "exempeldata"
    try:
        if not all(dataset.available(k) for k in dataset.parse_kallor(kalla)):
            raise OjError(kalla)
    except OjError:
        return None, f"Ingen karta: det finns ingen data från {kalla} på den här datorn."
    ds = dataset.load_dataset(kalla)
    ind = _choose_indicator(ds, metas, kpi)
    if ind is None:
        return None, "Ingen karta: rapporternas områden har inga kommunvärden."
    years = sorted({int(m["ar"]) for m in metas if str(m.get("ar", "")).isdigit()})
    have = set(ds.df.loc[(ds.df.kpi == ind.kpi) & ds.df.varde.notna() & (ds.df.niva == "kommun"), "ar"])
    year = max((y for y in years if y in have), default=None)
    try:
        table = colours.coloured_kommun_table(ds, omrade=ind.omrade, ar=year)
        fig = figures.choropleth(table, kpi=ind.kpi, kalla=kalla)
    except OjError as err:
        return None, f"Ingen karta: {err}"
    kommuner = geo.kommuner().set_index("kommun_kod")
    links = {}
    for kod in table.loc[table.kpi == ind.kpi, "kommunkod"]:
        link = _link_for(meta_pages, kommuner.at[kod, "lan_kod"], kod, ind.omrade)
        if link:
            links[kod] = quote(link)
    fig.update_layout(meta={**(fig.layout.meta or {}), "lankar": links})
    return json.loads(fig.to_json()), None


# Clicking a kommun on the index map opens its report (layout.meta.lankar: kommun code -> page).
MAP_CLICK_JS = """window.ojlibOnPlot = function (gd, spec) {
  if (!gd.classList.contains('oversikt')) { return; }
  gd.on('plotly_click', function (ev) {
    var point = ev && ev.points && ev.points[0];
    var links = (gd.layout.meta || {}).lankar || {};
    if (point && links[point.location]) { window.location.href = links[point.location]; }
  });
};"""


def _cell(value) -> str:
    return html.escape("" if value in (None, "") else str(value))


def index_html(folder: Path, karta: str | None = None) -> str:
    """The overview page: the exempeldata mark, data dates, the map and the table of reports."""
    meta_pages = sorted(pages(folder), key=_sort_key)
    metas = [m for _, m in meta_pages]
    example = any(html_export.is_example(m) for m in metas)
    body = []
    if example:
        body.append(f'<p class="exempeldata" role="note">{html.escape(EXEMPELDATA)}</p>')
    kallor = sorted({str(m.get("datakalla")) for m in metas if m.get("datakalla")})
    datum = sorted({str(m.get("data_datum")) for m in metas if m.get("data_datum")})
    facts = [f"{len(meta_pages)} {'rapport' if len(meta_pages) == 1 else 'rapporter'}"]
    if kallor:
        facts.append("datakälla: " + ", ".join(DATAKALLA_TEXT.get(k, k) for k in kallor))
    if datum:
        facts.append("data från: " + ", ".join(datum))
    body.append(f'<p class="meta">{html.escape(" · ".join(facts))}.</p>')

    templates: list[str] = []
    has_map = False
    if meta_pages:
        fig, reason = overview_map(meta_pages, karta)
        body.append('<h2 id="karta">Karta</h2>')
        if fig is None:
            body.append(f"<p>{html.escape(reason)}</p>")
        else:
            has_map = True
            page = html_export.Page()
            fig_html = page.figure(fig).replace('class="ojfig"', 'class="ojfig oversikt"', 1)
            templates = page.templates
            body.append("<p>Klicka på en kommun för att öppna dess rapport (kommunprofilen, annars länets).</p>")
            body.append(fig_html)

    body.append('<h2 id="rapporter">Rapporter</h2>')
    if not meta_pages:
        body.append("<p>Inga rapporter ännu. Skapa dem med <code>oj rapporter</code>.</p>")
    else:
        columns = [  # (heading, cell text) – a column is left out when it is empty for every report
            ("Typ", lambda m: reports.TYPE_TEXT.get(str(m.get("typ")), m.get("typ"))),
            ("Län", lambda m: m.get("lan_namn") or m.get("lan")),
            ("Kommun", lambda m: m.get("kommun_namn") or m.get("kommun")),
            ("Område", lambda m: html_export.omrade_text(m.get("omrade") or m.get("omraden") or "") or None),
            ("År", lambda m: m.get("ar")),
            ("Datakälla", lambda m: DATAKALLA_TEXT.get(str(m.get("datakalla")), m.get("datakalla"))),
        ]
        columns = [(h, f) for h, f in columns if any(f(m) not in (None, "") for m in metas)]
        num = {"År": ' class="tal"'}
        head = "".join(f"<th{num.get(h, '')}>{h}</th>" for h, _ in columns)
        rows = []
        for name, m in meta_pages:
            cells = "".join(f"<td{num.get(h, '')}>{_cell(f(m))}</td>" for h, f in columns)
            rows.append(f'<tr><td><a href="{html.escape(quote(name))}">{_cell(m.get("titel") or name)}</a></td>'
                        f"{cells}</tr>")
        body.append(f'<table class="rapporter"><thead><tr><th>Rapport</th>{head}</tr></thead><tbody>'
                    + "".join(rows) + "</tbody></table>")
    body.append('<h2 id="om">Om sidorna</h2>')
    body.append("<p>Sidorna fungerar utan server och utan internet: öppna filerna direkt från mappen. "
                "Alla sidor delar filen <code>plotly.min.js</code>, som måste ligga kvar i samma mapp.</p>")
    return html_export.page_document("Öppna jämförelser – rapporter", "\n".join(body), None, templates,
                                 has_figures=has_map, extra_js=MAP_CLICK_JS if has_map else "")


def build_index(folder: Path, karta: str | None = None) -> Path:
    """Write ``index.html`` for the pages in ``folder`` (the map's indicator defaults to the site's own)."""
    folder = Path(folder)
    karta = karta if karta is not None else read_settings(folder).get("karta")
    write_settings(folder, {"karta": karta})
    target = folder / INDEX
    write_text_atomic(target, index_html(folder, karta))
    return target


# --------------------------------------------------------------------------- building

@dataclass
class SiteBuild:
    """The outcome of ``build_site``: every result, and whether the site was replaced."""

    folder: Path
    results: list[reports.Result] = field(default_factory=list)
    replaced: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> list[reports.Result]:
        return [r for r in self.results if not r.ok]

    @property
    def index(self) -> Path:
        return self.folder / INDEX


def check_map_choice(karta: str | None) -> None:
    """An indicator asked for the index map must be in the catalogue."""
    if karta:
        catalog.load_catalogue()[karta]  # raises the Swedish error with suggestions


def build_site(jobs: list[reports.Job], folder: Path, workers: int | None = None, karta: str | None = None,
               kernel_name: str | None = None,
               on_done: Callable[[reports.Result], None] | None = None) -> SiteBuild:
    """Run every job and publish the site in ``folder`` only if all of them succeeded."""
    import time

    start = time.perf_counter()
    folder = Path(folder).resolve()
    check_replaceable(folder)
    check_map_choice(karta)
    previous = read_settings(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.ny-", dir=folder.parent))
    build = SiteBuild(folder)
    try:
        build.results = reports.run_jobs(jobs, tmp, workers=workers, kernel_name=kernel_name, on_done=on_done)
        if not build.failed:
            copy_plotly_js(tmp)
            build_index(tmp, karta if karta is not None else previous.get("karta"))
            share_permissions(tmp)
            _swap_into_place(tmp, folder)
            build.replaced = True
            build.results = [_moved(r, tmp, folder) for r in build.results]
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    build.seconds = time.perf_counter() - start
    return build


def _moved(result: reports.Result, old: Path, new: Path) -> reports.Result:
    if result.page is not None:
        result.page = new / result.page.relative_to(old)
    return result


def add_report(job: reports.Job, folder: Path, kernel_name: str | None = None) -> reports.Result:
    """Run one job into an existing (or new) site folder and rebuild its index; or to a single ``.html`` file."""
    folder = Path(folder)
    single = folder.suffix == ".html"
    site_dir = folder.parent if single else folder
    if not single:
        check_replaceable(site_dir)
    result = reports.run_job(job, folder, kernel_name=kernel_name, index_link=not single)
    if not result.ok:
        return result
    copy_plotly_js(site_dir)
    if not single:
        build_index(site_dir)
    for p in (result.page, site_dir / html_export.PLOTLY_JS, site_dir / INDEX, site_dir / MARKER):
        if p is not None and p.exists():
            share_permissions(p)
    return result
