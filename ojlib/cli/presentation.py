"""``oj presentation``: a PowerPoint deck (16:9, native charts) for a län or a kommun."""

from __future__ import annotations

from pathlib import Path

import typer

from ojlib.base.errors import OjError
from ojlib.cli import app
from ojlib.data import omraden
from ojlib.data.sources import registry


@app.command("presentation")
def presentation_command(
    lan: str = typer.Option(None, "--lan", "-l", help="Län: kod eller namn, t.ex. 06 eller Jönköping."),
    kommun: str = typer.Option(None, "--kommun", "-k", help="Kommunkod eller kommunnamn, t.ex. 0680."),
    omrade: str = typer.Option(None, "--omrade", "-o",
                               help=f"Område: {omraden.help_text()} (standard: det första för ett län, "
                                    "alla för en kommun)."),
    ar: str = typer.Option(None, "--ar", help="År (standard: senaste året med data)."),
    datakalla: str = typer.Option(None, "--datakalla", "-d", help=f"{registry.help_text()} (standard: exempeldata)."),
    ut: str = typer.Option(None, "--ut", help="Filen som skrivs (.pptx); standard "
                                              "utdata/presentation-<kod>-<område>.pptx i projektmappen."),
    fil: str = typer.Option(None, "--fil", "-f", help="YAML-fil med parametrar (sökväg, eller ett namn i params/)."),
    fargstrategi: str = typer.Option(None, "--fargstrategi", help="Färgstrategi för staplarna (rang_kvartil)."),
    palett: str = typer.Option(None, "--palett", help="Färgpalett: standard eller fargblind."),
    max_bilder: str = typer.Option(None, "--max-bilder", help="Högst så många bilder (standard 30)."),
    per_kvalitetsomrade: str = typer.Option(None, "--per-kvalitetsomrade",
                                            help="Mätvärden med egen bild per kvalitetsområde (standard 2)."),
    indikatorer: str = typer.Option(None, "--indikatorer",
                                    help="KPI:er som alltid får egen bild, t.ex. U35538,N35001."),
) -> None:
    """Gör en PowerPoint-presentation (16:9) med redigerbara diagram för ett län eller en kommun.

    Diagrammen är PowerPoints egna (Redigera data), inte bilder. Varje bild har källa och år, och
    anteckningarna innehåller sammanfattningen bakom bilden.
    """
    from ojlib.base import outputs
    from ojlib.data.source_lines import EXEMPELDATA
    from ojlib.render import presentation
    from ojlib.report import request

    values = request.merge(request.read_one(fil, "välj en fil med en rapport"), {
        "lan": lan, "kommun": kommun, "omrade": omrade, "ar": ar, "datakalla": datakalla,
        "fargstrategi": fargstrategi, "palett": palett, "max_bilder": max_bilder,
        "per_kvalitetsomrade": per_kvalitetsomrade, "indikatorer": indikatorer})
    req = request.parse(values, deck=True)  # before the output place and the work
    target = Path(ut).expanduser() if ut else None
    if target is not None:
        if target.suffix.lower() != ".pptx":
            raise OjError(f"Presentationen ska sparas som .pptx, inte '{target.name}'; ange t.ex. --ut "
                          "presentation.pptx.")
        outputs.file_target(target, "Presentationen")  # before the work: a bad place is one sentence at once
    typer.echo("Bygger presentationen …", err=True)
    deck, name = presentation.from_request(req)
    if target is None:
        target = outputs.file_target(outputs.default_output_dir() / name, "Presentationen")
    with outputs.saving(target, "Presentationen"):
        presentation.write(deck, target)
    typer.echo(f"Presentationen är klar ({len(deck)} bilder, högst {deck.max_bilder}): {target.resolve()}")
    if deck.exempeldata:
        typer.echo(f"Obs: {EXEMPELDATA}.")
