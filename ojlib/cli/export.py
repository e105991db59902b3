"""``oj export``: the coloured län table to Excel (with an explanation sheet) or CSV."""

from __future__ import annotations

from pathlib import Path

import typer

from ojlib import colours, geo
from ojlib.catalog import parse_omraden
from ojlib.cli import app
from ojlib.errors import OjError
from ojlib.omraden import help_text as omraden_help

FORMAT = ("xlsx", "csv")


@app.command("export")
def export(
    lan: str = typer.Option(..., "--lan", "-l", help="Länskod, t.ex. 06 för Jönköpings län."),
    omrade: str = typer.Option(..., "--omrade", "-o",
                               help=f"Område: {omraden_help()}."),
    ar: str = typer.Option(None, "--ar", help="År; varje indikator visas för sitt senaste år till och med detta. "
                                              "Standard: senaste."),
    datakalla: str = typer.Option("exempeldata", "--datakalla", help="exempeldata eller kolada."),
    fargstrategi: str = typer.Option("rang_kvartil", "--fargstrategi",
                                     help="rang_kvartil, rang_tertil, avstand_median, troskel eller neutral."),
    palett: str = typer.Option("standard", "--palett", help="standard eller fargblind."),
    inom: str = typer.Option("riket", "--inom", help="Färgen jämför med: riket eller lanet."),
    format: str = typer.Option("xlsx", "--format", help="xlsx eller csv."),
    ut: str = typer.Option(None, "--ut", help="Filen att skriva (standard: oj_<län>_<område>_<år>.<format>)."),
) -> None:
    """Exportera länstabellen (kommuner × indikatorer, färgad) till Excel eller CSV.

    Excel-filen har bladen Översikt (samma färger som i rapporterna), Tabell (alla kolumner) och
    Förklaring (indikatorerna, medelvärdena och färgregeln).
    """
    from ojlib import dataset, writers

    if format not in FORMAT:
        raise OjError(f"Okänt format '{format}'; välj xlsx eller csv.")
    colours.check_strategy(fargstrategi)
    colours.check_palette(palett)
    if inom not in ("riket", "lanet"):
        raise OjError(f"Okänd jämförelse för färgen '{inom}'; välj riket eller lanet.")
    lk = geo.normalise_lan(lan)
    omraden = parse_omraden(omrade)
    ds = dataset.load_dataset(datakalla)
    if ar is not None:
        ds.check_year(ar, omraden)
    table = colours.coloured_lan_table(ds, lk, omrade, ar, fargstrategi, palett, inom)
    if ut is None:
        years = sorted(table["år"].unique())
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
        ut = Path(f"oj_{lk}_{omrade}_{span}.{format}")
    elif Path(ut).suffix.lstrip(".").lower() != format:
        raise OjError(f"Filen {Path(ut).name} har inte ändelsen .{format}; ändra --ut eller --format.")
    ut = Path(ut)
    if format == "xlsx":
        writers.to_excel(table, ut, ds.cat)
    else:
        writers.to_csv(table, ut)
    lan_namn = table["län"].iloc[0]
    typer.echo(f"Länstabellen för {lan_namn} ({table.kommunkod.nunique()} kommuner, {table.kpi.nunique()} "
               f"indikatorer) sparad i {ut}.")
    if ds.is_example:
        typer.echo("Obs: Exempeldata – inte verkliga resultat.")
