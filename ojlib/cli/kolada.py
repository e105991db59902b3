"""Kolada commands: ``oj hamta`` and the catalogue check behind ``oj indikatorer --kontrollera``."""

from __future__ import annotations

import typer

from ojlib.base.errors import OjError
from ojlib.cli import app
from ojlib.cli.progress import bar
from ojlib.data import catalog
from ojlib.data.omraden import help_text as omraden_help

DEFAULT_DEADLINE = 600.0  # = kolada_client.DEFAULT_DEADLINE (a test checks); not imported: no httpx in `oj --help`


@app.command("hamta")
def hamta(
    omrade: str = typer.Option("alla", "--omrade", "-o",
                               help=f"Område: {omraden_help()}."),
    kpi: list[str] = typer.Option(None, "--kpi",  # noqa: B008 (typer's way)
                                  help="Bara dessa KPI:er (upprepa eller kommaseparera)."),
    fran_ar: int = typer.Option(None, "--fran-ar", help="Första år (standard: katalogens första år)."),
    till_ar: int = typer.Option(None, "--till-ar", help="Sista år (standard: katalogens sista år)."),
    bas_url: str = typer.Option(None, "--bas-url",
                                help="Koladas API-adress (standard: $OJLIB_KOLADA_URL eller https://api.kolada.se/v3)."),
    uppdatera: bool = typer.Option(False, "--uppdatera",
                                   help="Fråga Kolada om ändringar sedan förra hämtningen i stället för att "
                                        "använda cachen som den är."),
    utan_cache: bool = typer.Option(False, "--utan-cache", help="Hämta allt på nytt, utan att använda cachen."),
    utan_enheter: bool = typer.Option(False, "--utan-enheter",
                                      help="Hämta inte enheternas värden (/oudata) för indikatorer som Kolada "
                                           "redovisar per enhet."),
    tidsgrans: float = typer.Option(DEFAULT_DEADLINE, "--tidsgrans",
                                    help=f"Längsta tid för hela hämtningen, i sekunder (standard {DEFAULT_DEADLINE:g}, "
                                         f"{DEFAULT_DEADLINE / 60:g} minuter); "
                                         "när den nås avbryts hämtningen med ett meddelande."),
) -> None:
    """Hämta verkliga värden från Kolada (API v3) för katalogens indikatorer.

    Svaren sparas i data/raw/kolada/<datum>/ och återanvänds vid nästa körning; den bearbetade
    datan sparas först när hela hämtningen lyckats. Indikatorer som Kolada redovisar per enhet
    (gruppbostad, daglig verksamhet …) hämtas också per enhet, till kolada_enheter.parquet.
    """
    from ojlib.data.sources import kolada

    if not tidsgrans > 0 or tidsgrans == float("inf"):
        raise OjError(f"--tidsgrans ska vara ett positivt antal sekunder, t.ex. 600, inte {tidsgrans:g}.")
    result = kolada.fetch(omrade, kpi, fran_ar, till_ar, bas_url=bas_url, uppdatera=uppdatera,
                          utan_cache=utan_cache, tidsgrans=tidsgrans, utan_enheter=utan_enheter,
                          progress=lambda xs: bar(xs, desc="Hämtar från Kolada", unit="fråga"))
    typer.echo(kolada.summary_text(result))


def kontrollera_katalog(omrade: str = "alla", bas_url: str | None = None) -> None:
    """Print how the catalogue (one område or all) compares with Kolada's KPI list."""
    from ojlib.data.sources import kolada
    from ojlib.data.sources.kolada_client import KoladaClient

    indicators = catalog.load_catalogue().for_omrade(omrade)
    with KoladaClient(bas_url) as client:
        check = kolada.check_catalogue(indicators, client)
    typer.echo(kolada.check_text(check))
