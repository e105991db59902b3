"""``oj kurs``: the course in notebooks/kurs/ for a learner (a folder of their own, JupyterLab there)
or as HTML pages for printing and sharing."""

from __future__ import annotations

import typer

from ojlib.cli import app

STANDARDMAPP = "ojkurs"


@app.command("kurs")
def kurs(
    mapp: str = typer.Argument(STANDARDMAPP, help="Deltagarens egen mapp för kursen (standard ./ojkurs)."),
    bara_kopiera: bool = typer.Option(False, "--bara-kopiera", help="Kopiera kursen men öppna inte JupyterLab."),
    losningar: bool = typer.Option(False, "--losningar", help="Med lösningarna ifyllda (lärarens kopia)."),
    html: str = typer.Option(None, "--html", help="Kör kursen och spara den som HTML-sidor med figurer i MAPP."),
) -> None:
    """Kopiera kursen i Öppna jämförelser till en egen mapp och öppna JupyterLab där.

    Fyra notebooks på exempeldata med övningar som kontrollerar svaren. Filer som redan finns i
    mappen lämnas orörda. Exempeldata skapas om den saknas. Med --html körs kursen och sparas som
    HTML-sidor (med lärarhandledningen som index.html) i stället.
    """
    import subprocess
    import sys

    from ojlib.base import outputs
    from ojlib.cli import main
    from ojlib.data.dataset import available
    from ojlib.publish import kurs as material

    if not available("exempeldata"):
        typer.echo("Kursen räknar på exempeldata, som saknas; den skapas först.", err=True)
        rc = main(["exempeldata"])
        if rc:
            raise typer.Exit(rc)
    if html:
        target = outputs.folder_target(html, "Mappen för HTML-sidorna")
        typer.echo("Kör kursens notebooks (det tar någon minut) …", err=True)
        pages = material.export_html(target, solutions=losningar)
        typer.echo(f"Kursen som HTML: {pages[0].resolve()} (Exempeldata – inte verkliga resultat).")
        return
    folder = outputs.folder_target(mapp, "Kursmappen")
    copied, kept = material.copy_course(folder, solutions=losningar)
    for path in kept:
        typer.echo(f"{path.name} finns redan i {folder} och lämnas orörd.", err=True)
    typer.echo(f"Kursen finns i {folder.resolve()} ({len(copied)} filer kopierade). Börja med "
               f"{material.notebooks()[0].name}; lärarhandledningen är {material.LARARSIDA}.")
    if bara_kopiera:
        return
    typer.echo("Öppnar JupyterLab (avsluta med Ctrl+C) …", err=True)
    rc = subprocess.call([sys.executable, "-m", "jupyterlab", f"--notebook-dir={folder.resolve()}"])
    if rc:
        raise typer.Exit(rc)
