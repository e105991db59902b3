"""``oj export``: the coloured län table to Excel (with an explanation sheet) or CSV."""

from __future__ import annotations

from pathlib import Path

import typer

from ojlib.analysis import colours
from ojlib.base import outputs
from ojlib.base.errors import OjError
from ojlib.cli import app
from ojlib.data.omraden import help_text as omraden_help
from ojlib.data.sources import registry
from ojlib.render import formats
from ojlib.report import lansrapport, request

FORMAT = formats.table_formats()  # the formats that save the coloured län table (xlsx, csv)


@app.command("export")
def export(
    lan: str = typer.Option(..., "--lan", "-l", help="Län: kod eller namn, t.ex. 06 eller Jönköping (se `oj lan`)."),
    omrade: str = typer.Option(..., "--omrade", "-o",
                               help=f"Område: {omraden_help()}."),
    ar: str = typer.Option(None, "--ar", help="År; varje indikator visas för sitt senaste år till och med detta. "
                                              "Standard: senaste."),
    datakalla: str = typer.Option("exempeldata", "--datakalla", help=f"{registry.help_text()}."),
    fargstrategi: str = typer.Option("rang_kvartil", "--fargstrategi",
                                     help="rang_kvartil, rang_tertil, avstand_median, troskel eller neutral."),
    palett: str = typer.Option("standard", "--palett", help="standard eller fargblind."),
    inom: str = typer.Option("riket", "--inom", help="Färgen jämför med: riket eller lanet."),
    format: str = typer.Option(FORMAT[0], "--format", help=formats.help_text(FORMAT, kinds=False) + "."),
    ut: str = typer.Option(None, "--ut", help="Filen att skriva (standard: utdata/oj_<län>_<område>_<år>.<format> "
                                              "i projektmappen)."),
) -> None:
    """Exportera länstabellen till Excel (färgad, kommuner × indikatorer) eller CSV (lång tabell).

    Excel-filen har bladen Översikt (kommuner × indikatorer, samma färger som i rapporterna), Tabell
    (lång tabell: en rad per kommun och indikator, alla kolumner) och Förklaring (indikatorerna,
    medelvärdena och färgregeln). CSV-filen är den långa tabellen, samma rader som bladet Tabell,
    med semikolon och decimalkomma för svenskt Excel. Text som börjar med = + - @ skrivs som text.
    """
    from ojlib.data import dataset

    fmt = formats.get(format, among=FORMAT)
    req = request.parse({"lan": lan, "omrade": omrade, "ar": ar, "datakalla": datakalla,
                         "fargstrategi": fargstrategi, "palett": palett})  # the reports' checks and sentences
    if inom not in ("riket", "lanet"):
        raise OjError(f"Okänd jämförelse för färgen '{inom}'; välj riket eller lanet.")
    if ut is not None:
        if Path(ut).suffix.lower() != fmt.suffix:
            raise OjError(f"Filen {Path(ut).name} har inte ändelsen {fmt.suffix}; ändra --ut eller --format.")
        outputs.file_target(ut)  # before the work: a bad place is one sentence at once
    ds = dataset.load_selection(req.datakalla, omrade=list(req.omraden))  # the områden's rows (every kommun ranked)
    if req.ar is not None:
        ds.check_year(req.ar, list(req.omraden))
    lk = req.lan
    table = colours.coloured_lan_table(ds, lk, omrade, req.ar, req.fargstrategi, req.palett, inom)
    if ut is None:
        years = sorted(table["år"].unique())
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
        ut = outputs.default_output_dir() / f"oj_{lk}_{omrade}_{span}{fmt.suffix}"
    ut = outputs.file_target(ut)
    fmt.table(table, ut, ds.cat, stadsdelar=lansrapport.stadsdel_rows(ds, table))  # marked, never in länet/riket
    lan_namn = table["län"].iloc[0]
    typer.echo(f"Länstabellen för {lan_namn} ({table.kommunkod.nunique()} kommuner, {table.kpi.nunique()} "
               f"indikatorer) sparad i {ut}.")
    if ds.is_example:
        typer.echo("Obs: Exempeldata – inte verkliga resultat.")
