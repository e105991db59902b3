"""Report commands: ``oj rapport`` (one report) and ``oj rapporter`` (all of them, as a site)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import typer

from ojlib.base import outputs, paths
from ojlib.base.errors import OjError
from ojlib.cli import app
from ojlib.cli.progress import bar
from ojlib.data import catalog, geo
from ojlib.data import delregioner as delregioner_file
from ojlib.data.omraden import help_text as omraden_help
from ojlib.data.source_lines import EXEMPELDATA
from ojlib.data.sources import registry
from ojlib.publish import reports, site
from ojlib.render import formats, html_export
from ojlib.report import request, templates

HELP_OMRADE = f"Område: {omraden_help()}."
HELP_AR = "År (standard: senaste året med data)."
HELP_DATAKALLA = f"{registry.help_text()} (standard: mallens)."
HELP_JAMFORELSE = "Länsanalysens jämförelselinje i stapeldiagrammen: riket eller kommungrupp."
HELP_JAMFORELSEGRUPP = "Kommunprofilens jämförelsegrupp: liknande, kommungrupp eller kommunkoder (0680,0180)."
HELP_PARAM = "Annan mallparameter som namn=värde, t.ex. -p fargstrategi=rang_kvartil (kan upprepas)."
HELP_FIL = "YAML-fil med parametrar (sökväg, eller ett namn i params/)."
HELP_MALL = "Notebookmall: lansanalys, kommunprofil eller sökväg till en egen .ipynb."
PARAMETER_OPTION = typer.Option(None, "--parameter", "-p", help=HELP_PARAM)  # a list: one shared default
HELP_DELREGIONER = ("Delregioner (params/delregioner.yml): en länsrapport grupperar länets kommuner efter delregion "
                    "med varje delregions ovägda medel, en kommunprofil jämförs också med kommunens delregion.")
DELREGIONER_OPTION = typer.Option(False, "--delregioner", help=HELP_DELREGIONER)
HELP_FORMAT = f"Fler format bredvid varje HTML-sida, med kommatecken: {formats.help_text(formats.beside())}."
HELP_PDF = (f"Skriv också {formats.FORMATS['pdf'].beskrivning}, bredvid varje HTML-sida (som --format pdf); "
            "webbplatsen länkar den.")
HELP_WEBBLASARE = "Sökväg till Chromium, Chrome eller Edge för --pdf (annars OJLIB_WEBBLASARE eller sökning)."


def _write_formats(chosen: list[formats.Format], written: list[tuple[str, dict, Path]], webblasare: str | None) -> None:
    """The chosen formats beside the (already written) HTML pages, ``written`` as (kind, parameters, page).
    A missing tool (no browser for pdf) is one Swedish sentence on what to install; the HTML stays."""
    options = formats.Options(webblasare)
    formats.check_tools(chosen, options)
    for fmt in chosen:
        items = formats.items_for(fmt, written)
        with bar(total=len(items), desc=fmt.name.upper(), unit="fil") as progress:
            options.on_done = lambda _path, progress=progress: progress.update(1)
            paths_ = fmt.write(items, options)
        for path in paths_:
            typer.echo(f"{fmt.name.upper()}: {path.resolve()}")


class _PdfProgress:
    """The pdf format in a site build (``site.Pdf``): the browser checked before any report runs, a bar
    while the PDFs print in the new generation."""

    def __init__(self, webblasare: str | None):
        formats.check_tools([formats.FORMATS["pdf"]], formats.Options(webblasare))  # one sentence, before the work
        self.progress = None
        self.options = site.Pdf(webblasare, on_done=self.done)

    def done(self, _path: Path, total: int) -> None:
        if self.progress is None:
            self.progress = bar(total=total, desc="PDF", unit="sida").__enter__()
        self.progress.update(1)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()


def _options(ar, datakalla, jamforelse, jamforelsegrupp, fargstrategi, parameter, mall) -> dict:
    """Parameters given as options (only those actually given; an option over the same ``-p``)."""
    values = dict(request.assignment(p) for p in parameter or [])
    given = {"ar": ar, "datakalla": datakalla, "jamforelse": jamforelse, "jamforelsegrupp": jamforelsegrupp,
             "fargstrategi": fargstrategi, "mall": mall}
    values.update({k: v for k, v in given.items() if v is not None})
    return values


def _for(kind: str, options: dict) -> dict:
    """A batch's options for one kind of report: a län report's reference line (jamforelse) is not a
    kommun profile's peer group (jamforelsegrupp), nor the other way round."""
    drop = {"jamforelse", "mall"} if kind == "kommunprofil" else {"jamforelsegrupp"}
    return {k: v for k, v in options.items() if k not in drop}


def _prepared(jobs: list[reports.Job]) -> list[reports.Job]:
    logging.getLogger("papermill").setLevel(logging.ERROR)  # its warnings are checked here, in Swedish
    known: dict[Path, dict] = {}
    for job in jobs:
        path = job.template
        if path not in known:
            known[path] = templates.template_parameters(path)
        reports.prepare(job, known[path])
    return jobs


@app.command("rapport")
def rapport(
    lan: str = typer.Option(None, "--lan", "-l", help="Län för en länsanalys: kod eller namn, t.ex. 06."),
    kommun: str = typer.Option(None, "--kommun", "-k", help="Kommunkod eller kommunnamn för en kommunprofil."),
    omrade: str = typer.Option(None, "--omrade", "-o", help=HELP_OMRADE),
    ar: str = typer.Option(None, "--ar", help=HELP_AR),
    datakalla: str = typer.Option(None, "--datakalla", "-d", help=HELP_DATAKALLA),
    jamforelse: str = typer.Option(None, "--jamforelse", help=HELP_JAMFORELSE),
    jamforelsegrupp: str = typer.Option(None, "--jamforelsegrupp", help=HELP_JAMFORELSEGRUPP),
    fargstrategi: str = typer.Option(None, "--fargstrategi", help="Färgstrategi för tabellerna."),
    parameter: list[str] = PARAMETER_OPTION,
    fil: str = typer.Option(None, "--fil", "-f", help=HELP_FIL),
    mall: str = typer.Option(None, "--mall", help=HELP_MALL),
    ut: str = typer.Option(None, "--ut", help="Webbplatsens mapp (standard reports/) eller en .html-fil."),
    delregioner: bool = DELREGIONER_OPTION,
    format: str = typer.Option(None, "--format", help=HELP_FORMAT),
    pdf: bool = typer.Option(False, "--pdf", help=HELP_PDF),
    webblasare: str = typer.Option(None, "--webblasare", help=HELP_WEBBLASARE),
) -> None:
    """Kör en rapport (länsanalys eller kommunprofil) och spara den som HTML utan kod.

    I en webbplatsmapp läggs sidan till och index.html byggs om; med en .html-fil skrivs bara den sidan
    (och plotly.min.js bredvid). Med --format skrivs fler format bredvid sidan, med sidans namn.
    """
    chosen = formats.parse(format, *(["pdf"] if pdf else []))  # an unknown format: one sentence before the work
    values = request.merge(request.read_one(fil, f"kör den med `oj rapporter -f {fil}`"),
                           {"lan": lan, "kommun": kommun, "omrade": omrade, "delregioner": delregioner or None,
                            **_options(ar, datakalla, jamforelse, jamforelsegrupp, fargstrategi, parameter, mall)})
    if values.get("lan") is None and values.get("kommun") is None and not values.get("mall"):
        raise OjError("Ange --lan (länsanalys), --kommun (kommunprofil) eller en parameterfil med -f.")
    target = Path(ut).expanduser() if ut else paths.reports_dir()
    if target.suffix == ".html":
        outputs.file_target(target, "Sidan")
    else:
        outputs.folder_target(target, "Webbplatsens mapp")
    job = _prepared([reports.make_job(values)])[0]
    formats.check_kind(chosen, job.kind, job.describe())
    in_site = target.suffix != ".html" and formats.FORMATS["pdf"] in chosen  # the site prints and links it
    printing = _PdfProgress(webblasare) if in_site else None
    chosen = [f for f in chosen if not (in_site and f is formats.FORMATS["pdf"])]
    typer.echo(f"Kör {job.describe()} …", err=True)
    try:
        result = site.add_report(job, target, pdf=printing.options if printing else None)
    finally:
        if printing:
            printing.close()
    if not result.ok:
        raise OjError(result.error or "Rapporten misslyckades.")
    typer.echo(f"Rapporten är klar ({result.seconds:.0f} s): {result.page.resolve()}")
    if target.suffix != ".html":
        typer.echo(f"Webbplatsen: {(target / site.INDEX).resolve()}")
    if html_export.is_example(result.meta):
        typer.echo(f"Obs: {EXEMPELDATA}.")
    if printing is not None and result.page.with_suffix(".pdf").is_file():
        typer.echo(f"PDF: {result.page.with_suffix('.pdf').resolve()}")
        units = result.meta.get("enheter_sida")  # the units chapter's page, printed with it
        if units and (result.page.parent / units).with_suffix(".pdf").is_file():
            typer.echo(f"PDF (enheter): {(result.page.parent / units).with_suffix('.pdf').resolve()}")
    if chosen:
        _write_formats(chosen, [(job.kind, {**job.defaults, **job.params}, result.page)], webblasare)


def _codes(text: str | None, all_codes: list[str], normalise) -> list[str]:
    if text is None:
        return []
    if text.strip().lower() == "alla":
        return list(all_codes)
    return [normalise(part) for part in text.split(",") if part.strip()]


def _kommun_codes(text: str | None) -> list[str]:
    """Kommun codes or names, ``alla``, or a län's kommuner as ``lan:06`` (parts separated by commas)."""
    if text is None:
        return []
    ref = geo.kommuner()
    if text.strip().lower() == "alla":
        return list(ref.kommun_kod)
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.lower().startswith(("lan:", "län:")):
            lan = geo.normalise_lan(part.split(":", 1)[1].strip())
            out += [k for k in ref.loc[ref.lan_kod == lan, "kommun_kod"] if k not in out]
        else:
            kod = geo.normalise_kommun(part)
            if kod not in out:
                out.append(kod)
    return out


def _omraden(text: str) -> list[str]:
    if text.strip().lower() == "alla":
        return list(catalog.OMRADEN)
    return catalog.parse_omraden([p.strip() for p in text.split(",") if p.strip()])


def _workers(text: str | None) -> int:
    if text is None:
        return reports.default_workers()
    if not text.strip().isdigit() or int(text) < 1:
        raise OjError(f"--jobb ska vara ett positivt heltal (antal rapporter som körs samtidigt), inte '{text}'.")
    return int(text)


def plan(lan: str | None, kommun: str | None, omrade: str | None, fil: str | None, options: dict) -> list[reports.Job]:
    """The jobs of a batch: from a parameter file, or län × område and kommun profiles."""
    if fil:
        if lan is not None or kommun is not None:
            raise OjError("Med -f bestämmer parameterfilen vilka rapporter som körs; ta bort --lan och --kommun.")
        if omrade is not None:
            options = {**options, "omrade": omrade}
        jobs = []
        for s in request.read_file(fil):
            kind = "kommunprofil" if s.get("kommun") is not None and s.get("mall") in (None, "kommunprofil") \
                else "lansanalys"
            jobs.append(reports.make_job(request.merge(s, _for(kind, options))))
        return jobs
    if lan is None and kommun is None:
        lan = "alla"
    lans = _codes(lan, list(geo.lan().lan_kod), geo.normalise_lan)
    kommuner = _kommun_codes(kommun)
    jobs = []
    lan_options, kommun_options = _for("lansanalys", options), _for("kommunprofil", options)
    for lk in lans:
        own = dict(lan_options)
        if own.get("delregioner") is True and not delregioner_file.for_lan(lk):
            del own["delregioner"]  # --delregioner groups the län that have delregioner; the others as usual
        for om in _omraden(omrade or "alla"):
            jobs.append(reports.make_job({**own, "mall": options.get("mall") or "lansanalys",
                                          "lan": lk, "omrade": om}))
    for kk in kommuner:
        extra = {"omrade": omrade} if omrade is not None else {}
        jobs.append(reports.make_job({**kommun_options, **extra, "mall": "kommunprofil", "kommun": kk}))
    return jobs


def _summary_of_failures(failed: list[reports.Result]) -> list[str]:
    """One line per distinct reason; reports that failed for the same reason share a line."""
    by_reason: dict[str, list[str]] = {}
    for r in failed:
        by_reason.setdefault(r.error or "okänt fel", []).append(r.job.describe())
    lines = []
    for reason, who in by_reason.items():
        names = ", ".join(who[:5]) + (f" och {len(who) - 5} till" if len(who) > 5 else "")
        lines.append(f"  - {names}: {reason}")
    return lines


TIMES_ENV = "OJLIB_TIDER"  # set: `oj rapporter` prints its stages' times and CPU seconds (benchmarks/batch.py)


def _print_times(build: site.SiteBuild) -> None:
    """One line on stderr: seconds per stage, this process's CPU seconds and its kernels'."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in build.stages.items())
    typer.echo(f"Tider: {stages or 'inget byggdes'}; CPU: huvudprocessen {me.ru_utime + me.ru_stime:.1f} s, "
               f"kärnorna {kids.ru_utime + kids.ru_stime:.1f} s", err=True)


@app.command("rapporter")
def rapporter(
    lan: str = typer.Option(None, "--lan", "-l", help="Län: alla (standard) eller koder/namn, t.ex. 06,07."),
    omrade: str = typer.Option(None, "--omrade", "-o",
                               help="Områden: alla (standard, en rapport per område) eller t.ex. missbruk."),
    kommun: str = typer.Option(None, "--kommun", "-k",
                               help="Kommunprofiler också: koder (0680,0180), alla, eller ett läns kommuner (lan:06)."),
    ar: str = typer.Option(None, "--ar", help=HELP_AR),
    datakalla: str = typer.Option(None, "--datakalla", "-d", help=HELP_DATAKALLA),
    jamforelse: str = typer.Option(None, "--jamforelse", help=HELP_JAMFORELSE),
    jamforelsegrupp: str = typer.Option(None, "--jamforelsegrupp", help=HELP_JAMFORELSEGRUPP),
    fargstrategi: str = typer.Option(None, "--fargstrategi", help="Färgstrategi för tabellerna."),
    parameter: list[str] = PARAMETER_OPTION,
    fil: str = typer.Option(None, "--fil", "-f", help="YAML-fil med en lista 'rapporter' (eller en rapport)."),
    mall: str = typer.Option(None, "--mall", help="Mall för länsrapporterna (standard lansanalys)."),
    jobb: str = typer.Option(None, "--jobb", "-j", help="Antal rapporter som körs samtidigt (standard: en per kärna)."),
    ut: str = typer.Option(None, "--ut", help="Webbplatsens mapp (standard reports/)."),
    karta: str = typer.Option(None, "--karta", help="Indikator (KPI) för översiktskartan i index.html."),
    alla_om: bool = typer.Option(False, "--alla-om", help="Bygg om alla sidor, även de som redan är aktuella."),
    presentation: bool = typer.Option(False, "--presentation",
                                      help=f"Skriv också {formats.FORMATS['pptx'].beskrivning} bredvid varje "
                                           "rapport (som --format pptx)."),
    delregioner: bool = DELREGIONER_OPTION,
    format: str = typer.Option(None, "--format", help=HELP_FORMAT),
    pdf: bool = typer.Option(False, "--pdf", help=HELP_PDF),
    webblasare: str = typer.Option(None, "--webblasare", help=HELP_WEBBLASARE),
) -> None:
    """Kör rapporterna parallellt och bygg webbplatsen (index.html, en sida per rapport, plotly.min.js).

    Bara sidor vars indata ändrats (mall, parametrar, data, indikatorkatalog, ojlib-version) byggs om; --alla-om
    bygger om alla. Den nya webbplatsen byggs färdig vid sidan av och ersätter den gamla i ett steg; en rapport
    som misslyckas behåller sin förra sida (märkt som inte uppdaterad). Andra filer i mappen följer med orörda.
    Med --format skrivs fler format bredvid varje sida (--presentation är --format pptx, --pdf är --format pdf).
    """
    chosen = formats.parse(format, *(["pdf"] if pdf else []), *(["pptx"] if presentation else []))
    deck_format = formats.FORMATS["pptx"] if formats.FORMATS["pptx"] in chosen else None  # linked from the site
    pdf_format = formats.FORMATS["pdf"] if formats.FORMATS["pdf"] in chosen else None  # printed in the build, linked
    beside = [f for f in chosen if f not in (deck_format, pdf_format)]  # written beside the published pages afterwards
    options = _options(ar, datakalla, jamforelse, jamforelsegrupp, fargstrategi, parameter, mall)
    if delregioner:
        options["delregioner"] = True
    jobs = _prepared(plan(lan, kommun, omrade, fil, options))
    if not jobs:
        raise OjError("Det finns inga rapporter att köra; ange --lan, --kommun eller -f.")
    workers = _workers(jobb)
    folder = Path(ut).expanduser() if ut else paths.reports_dir()
    site.check_map_choice(karta)
    printing = _PdfProgress(webblasare) if pdf_format is not None else None
    progress = None

    def planned(n_todo: int, n_current: int) -> None:
        nonlocal progress
        msg = f"{len(jobs)} rapporter: {n_todo} byggs"
        if n_current:
            msg += f", {n_current} är redan aktuella"
        if n_todo:
            msg += f" ({min(workers, n_todo)} åt gången)"
        typer.echo(msg + " …", err=True)
        if n_todo:
            progress = bar(total=n_todo, desc="Rapporter", unit="rapport").__enter__()

    def done(result: reports.Result) -> None:
        if progress is not None:
            progress.set_postfix_str(result.job.describe(), refresh=False)
            progress.update(1)

    decks = None
    if deck_format is not None:
        deck_options = formats.Options()

        def decks(job: reports.Job, target: Path) -> Path | None:
            item = formats.Item(job.kind, {**job.defaults, **job.params}, target.with_suffix(".html"), target)
            written = deck_format.write([item], deck_options) if deck_format.serves(job.kind) else []
            return written[0] if written else None

    try:
        build = site.build_site(jobs, folder, workers=workers, karta=karta, on_done=done, force=alla_om,
                                on_plan=planned, presentation=decks, pdf=printing.options if printing else None)
    finally:
        if progress is not None:
            progress.close()
        if printing is not None:
            printing.close()
    if os.environ.get(TIMES_ENV):
        _print_times(build)
    retried = [r for r in build.results if r.attempts > 1]
    if retried:
        typer.echo(f"{len(retried)} rapporter behövde fler än ett försök att starta Jupyter-kärnan.", err=True)
    n_built, n_current = len(build.built), len(build.up_to_date)
    if build.deck_failures:
        lines = ["Presentationer som misslyckades (rapportsidorna finns):",
                 *(f"  - {job.describe()}: {why}" for job, why in build.deck_failures)]
        typer.echo("\n".join(lines), err=True)
    if build.failed:
        lines = ["Rapporter som misslyckades:", *_summary_of_failures(build.failed)]
        if build.kept_previous:
            lines.append(f"{len(build.kept_previous)} av dem behåller sin förra sida, märkt som inte uppdaterad.")
        lines.append(f"{n_built} sidor byggdes och publicerades, {n_current} var redan aktuella.")
        typer.echo("\n".join(lines), err=True)
        raise OjError(f"{len(build.failed)} av {len(jobs)} rapporter misslyckades (se listan ovan och "
                      f"{build.index}); rätta felet och kör igen.")
    sizes = [r.size for r in build.built]
    text = f"Klart: {n_built} sidor byggda, {n_current} var redan aktuella, på {build.seconds:.0f} s"
    if sizes:
        text += f" ({min(workers, n_built)} samtidigt, i snitt {sum(sizes) / len(sizes) / 1024:.0f} kB per sida)"
    typer.echo(text + ".")
    typer.echo(f"Webbplatsen: {build.index}")
    if build.deck_failures:
        raise OjError(f"{len(build.deck_failures)} presentationer kunde inte skrivas (se listan ovan); rätta felet "
                      "och kör igen.")
    if deck_format is not None:
        typer.echo(f"Presentationer (.pptx) bredvid rapporterna: {len(list(build.folder.glob('*.pptx')))}.")
    metas = [r.meta for r in build.built] or [m for _, m in site.pages(build.folder)]
    if any(html_export.is_example(m) for m in metas):
        typer.echo(f"Obs: {EXEMPELDATA}.")
    if pdf_format is not None:
        typer.echo(f"PDF (A4) bredvid rapporterna, länkade från dem och från index.html: "
                   f"{len(list(build.folder.glob('*.pdf')))} ({len(build.pdfs)} nya).")
    if beside:  # every page of this run, also those that were already up to date
        written = [(r.job, r.page) for r in build.built if r.page is not None]
        written += [(j, p) for j, p in ((j, build.folder / f"{j.name}.html") for j in build.up_to_date) if p.is_file()]
        _write_formats(beside, [(j.kind, {**j.defaults, **j.params}, p) for j, p in written], webblasare)
