"""``oj demo`` (and ``python -m ojlib demo``): what ``make demo`` does, without make.

For analysts on Windows or Anaconda: ``pip install -e .`` and then ``python -m ojlib demo``
creates the example data, shows the status and builds the report site. ``make demo`` runs this
same command, so the two cannot drift apart.
"""

from __future__ import annotations

import typer

from ojlib.cli import app

DEMO_KOMMUNER = "alla"  # the national site: every kommun's profile


@app.command("demo")
def demo(
    lan: str = typer.Option("alla", "--lan", "-l", help="Län: alla (standard) eller koder/namn, t.ex. 06,07."),
    omrade: str = typer.Option("alla", "--omrade", "-o", help="Områden: alla (standard) eller t.ex. missbruk."),
    kommun: str = typer.Option(DEMO_KOMMUNER, "--kommun", "-k",
                               help="Kommunprofiler: alla (standard), koder, ett läns (lan:06), eller tomt för inga."),
    ut: str = typer.Option(None, "--ut", help="Webbplatsens mapp (standard reports/)."),
    jobb: str = typer.Option(None, "--jobb", "-j", help="Antal rapporter som körs samtidigt (standard: en per kärna)."),
) -> None:
    """Skapa exempeldata och bygg hela rapportwebbplatsen av den (samma som `make demo`).

    Exempeldata – inte verkliga resultat. Öppna index.html i webbplatsens mapp i en webbläsare;
    ingen server och inget internet behövs.
    """
    from pathlib import Path

    from ojlib.base import paths
    from ojlib.cli import main

    steps = [["exempeldata"], ["status"], ["rapporter", "--lan", lan, "--omrade", omrade]]
    if kommun.strip():
        steps[-1] += ["--kommun", kommun]
    if ut:
        steps[-1] += ["--ut", ut]
    if jobb:
        steps[-1] += ["--jobb", jobb]
    for step in steps:
        typer.echo(f"\n== oj {' '.join(step)}", err=True)
        rc = main(step)
        if rc:
            raise typer.Exit(rc)  # the step has said what went wrong
    site = (Path(ut).expanduser() if ut else paths.reports_dir()).resolve() / "index.html"
    typer.echo(f"\nKlart. Öppna {site} i en webbläsare (Exempeldata – inte verkliga resultat).")
