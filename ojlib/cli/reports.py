"""Report commands: ``oj rapport`` (one report) and ``oj rapporter`` (all of them, as a site)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from ojlib import catalog, geo, html_export, outputs, paths, reports, site
from ojlib.cli import app
from ojlib.cli.progress import bar
from ojlib.errors import OjError
from ojlib.omraden import help_text as omraden_help
from ojlib.source_lines import EXEMPELDATA
from ojlib.sources import registry

HELP_OMRADE = f"Område: {omraden_help()}."
HELP_AR = "År (standard: senaste året med data)."
HELP_DATAKALLA = f"{registry.help_text()} (standard: mallens)."
HELP_PARAM = "Annan mallparameter som namn=värde, t.ex. -p fargstrategi=rang_kvartil (kan upprepas)."
HELP_FIL = "YAML-fil med parametrar (sökväg, eller ett namn i params/)."
HELP_MALL = "Notebookmall: lansanalys, kommunprofil eller sökväg till en egen .ipynb."
PARAMETER_OPTION = typer.Option(None, "--parameter", "-p", help=HELP_PARAM)  # a list: one shared default


def _year(text: str | None):
    if text is None or text.strip().lower() in ("", "senaste"):
        return None
    if not text.strip().isdigit():
        raise OjError(f"Året '{text}' är inte ett årtal; ange t.ex. --ar 2024 eller utelämna --ar för senaste året.")
    return int(text)


def _options(ar, datakalla, jamforelse, fargstrategi, parameter, mall) -> dict:
    """Parameters given as options (only those actually given)."""
    values = dict(reports.parse_assignment(p) for p in parameter or [])
    given = {"ar": _year(ar) if ar is not None else None, "datakalla": datakalla, "jamforelse": jamforelse,
             "fargstrategi": fargstrategi, "mall": mall}
    values.update({k: v for k, v in given.items() if v is not None})
    return values


def _prepared(jobs: list[reports.Job]) -> list[reports.Job]:
    logging.getLogger("papermill").setLevel(logging.ERROR)  # its warnings are checked here, in Swedish
    known: dict[Path, dict] = {}
    for job in jobs:
        path = job.template
        if path not in known:
            known[path] = reports.template_parameters(path)
        reports.prepare(job, known[path])
    return jobs


@app.command("rapport")
def rapport(
    lan: str = typer.Option(None, "--lan", "-l", help="Län för en länsanalys: kod eller namn, t.ex. 06."),
    kommun: str = typer.Option(None, "--kommun", "-k", help="Kommunkod eller kommunnamn för en kommunprofil."),
    omrade: str = typer.Option(None, "--omrade", "-o", help=HELP_OMRADE),
    ar: str = typer.Option(None, "--ar", help=HELP_AR),
    datakalla: str = typer.Option(None, "--datakalla", "-d", help=HELP_DATAKALLA),
    jamforelse: str = typer.Option(None, "--jamforelse", help="Jämförelse: riket eller kommungrupp."),
    fargstrategi: str = typer.Option(None, "--fargstrategi", help="Färgstrategi för tabellerna."),
    parameter: list[str] = PARAMETER_OPTION,
    fil: str = typer.Option(None, "--fil", "-f", help=HELP_FIL),
    mall: str = typer.Option(None, "--mall", help=HELP_MALL),
    ut: str = typer.Option(None, "--ut", help="Webbplatsens mapp (standard reports/) eller en .html-fil."),
) -> None:
    """Kör en rapport (länsanalys eller kommunprofil) och spara den som HTML utan kod.

    I en webbplatsmapp läggs sidan till och index.html byggs om; med en .html-fil skrivs bara den sidan
    (och plotly.min.js bredvid).
    """
    values: dict = {}
    if fil:
        sets = reports.load_params_file(fil)
        if len(sets) != 1:
            raise OjError(f"Filen {fil} innehåller {len(sets)} rapporter; kör den med `oj rapporter -f {fil}`.")
        values = sets[0]
    values.update({k: v for k, v in {"lan": lan, "kommun": kommun, "omrade": omrade}.items() if v is not None})
    values.update(_options(ar, datakalla, jamforelse, fargstrategi, parameter, mall))
    if values.get("lan") in (None, "") and values.get("kommun") in (None, "") and not values.get("mall"):
        raise OjError("Ange --lan (länsanalys), --kommun (kommunprofil) eller en parameterfil med -f.")
    target = Path(ut).expanduser() if ut else paths.reports_dir()
    if target.suffix == ".html":
        outputs.file_target(target, "Sidan")
    else:
        outputs.folder_target(target, "Webbplatsens mapp")
    job = _prepared([reports.make_job(values)])[0]
    typer.echo(f"Kör {job.describe()} …", err=True)
    result = site.add_report(job, target)
    if not result.ok:
        raise OjError(result.error or "Rapporten misslyckades.")
    typer.echo(f"Rapporten är klar ({result.seconds:.0f} s): {result.page.resolve()}")
    if target.suffix != ".html":
        typer.echo(f"Webbplatsen: {(target / site.INDEX).resolve()}")
    if html_export.is_example(result.meta):
        typer.echo(f"Obs: {EXEMPELDATA}.")


def _codes(text: str | None, all_codes: list[str], normalise) -> list[str]:
    if text is None:
        return []
    if text.strip().lower() == "alla":
        return list(all_codes)
    return [normalise(part) for part in text.split(",") if part.strip()]


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
        sets = reports.load_params_file(fil)
        if omrade is not None:
            options = {**options, "omrade": omrade}
        return [reports.make_job({**s, **options}) for s in sets]
    if lan is None and kommun is None:
        lan = "alla"
    lans = _codes(lan, list(geo.lan().lan_kod), geo.normalise_lan)
    kommuner = _codes(kommun, list(geo.kommuner().kommun_kod), geo.normalise_kommun)
    jobs = []
    lan_options = dict(options)
    kommun_options = {k: v for k, v in options.items() if k != "mall"}
    for lk in lans:
        for om in _omraden(omrade or "alla"):
            jobs.append(reports.make_job({**lan_options, "mall": options.get("mall") or "lansanalys",
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


@app.command("rapporter")
def rapporter(
    lan: str = typer.Option(None, "--lan", "-l", help="Län: alla (standard) eller koder/namn, t.ex. 06,07."),
    omrade: str = typer.Option(None, "--omrade", "-o",
                               help="Områden: alla (standard, en rapport per område) eller t.ex. missbruk."),
    kommun: str = typer.Option(None, "--kommun", "-k", help="Kommunprofiler också: koder (0680,0180) eller alla."),
    ar: str = typer.Option(None, "--ar", help=HELP_AR),
    datakalla: str = typer.Option(None, "--datakalla", "-d", help=HELP_DATAKALLA),
    jamforelse: str = typer.Option(None, "--jamforelse", help="Jämförelse: riket eller kommungrupp."),
    fargstrategi: str = typer.Option(None, "--fargstrategi", help="Färgstrategi för tabellerna."),
    parameter: list[str] = PARAMETER_OPTION,
    fil: str = typer.Option(None, "--fil", "-f", help="YAML-fil med en lista 'rapporter' (eller en rapport)."),
    mall: str = typer.Option(None, "--mall", help="Mall för länsrapporterna (standard lansanalys)."),
    jobb: str = typer.Option(None, "--jobb", "-j", help="Antal rapporter som körs samtidigt (standard: en per kärna)."),
    ut: str = typer.Option(None, "--ut", help="Webbplatsens mapp (standard reports/)."),
    karta: str = typer.Option(None, "--karta", help="Indikator (KPI) för översiktskartan i index.html."),
) -> None:
    """Kör alla rapporter parallellt och bygg webbplatsen (index.html, en sida per rapport, plotly.min.js).

    Webbplatsen byggs i en tillfällig mapp och flyttas på plats först när alla rapporter lyckats; misslyckas
    någon är den förra webbplatsen orörd.
    """
    options = _options(ar, datakalla, jamforelse, fargstrategi, parameter, mall)
    jobs = _prepared(plan(lan, kommun, omrade, fil, options))
    if not jobs:
        raise OjError("Det finns inga rapporter att köra; ange --lan, --kommun eller -f.")
    workers = min(_workers(jobb), len(jobs))
    folder = Path(ut).expanduser() if ut else paths.reports_dir()
    site.check_replaceable(folder.resolve())
    site.check_map_choice(karta)
    typer.echo(f"Kör {len(jobs)} rapporter, {workers} åt gången …", err=True)
    with bar(total=len(jobs), desc="Rapporter", unit="rapport") as progress:
        def done(result: reports.Result) -> None:
            progress.update(1)
            progress.set_postfix_str(result.job.name, refresh=False)

        build = site.build_site(jobs, folder, workers=workers, karta=karta, on_done=done)
    retried = [r for r in build.results if r.attempts > 1]
    if retried:
        typer.echo(f"{len(retried)} rapporter behövde fler än ett försök att starta Jupyter-kärnan.", err=True)
    if build.failed:
        n_ok = len(build.results) - len(build.failed)
        lines = ["Rapporter som misslyckades:", *_summary_of_failures(build.failed)]
        if n_ok:
            lines.append(f"De övriga {n_ok} rapporterna gick bra.")
        typer.echo("\n".join(lines), err=True)
        raise OjError(f"{len(build.failed)} av {len(build.results)} rapporter misslyckades, så webbplatsen i "
                      f"{build.folder} lämnades som den var; rätta felet och kör igen.")
    sizes = [r.size for r in build.results]
    typer.echo(f"Klart: {len(jobs)} rapporter på {build.seconds:.0f} s ({workers} samtidigt), "
               f"i snitt {sum(sizes) / len(sizes) / 1024:.0f} kB per sida.")
    typer.echo(f"Webbplatsen: {build.index}")
    if any(html_export.is_example(r.meta) for r in build.results):
        typer.echo(f"Obs: {EXEMPELDATA}.")
