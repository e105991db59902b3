"""``oj lan``: the 21 län with code and name, for --lan (which takes either)."""

from __future__ import annotations

import typer

from ojlib.cli import app


@app.command("lan")
def lan() -> None:
    """Visa länen med länskod och namn (--lan tar emot båda, t.ex. 06 eller Jönköping)."""
    from ojlib.data import geo

    rows = geo.lan()
    width = max(len(n) for n in rows.lan_namn)
    typer.echo(f"{'Kod':<4} {'Län':<{width}}  Kommuner")
    for r in rows.itertuples():
        typer.echo(f"{r.lan_kod:<4} {r.lan_namn:<{width}}  {r.antal_kommuner:>8}")
    typer.echo(f"\n{len(rows)} län. Ange --lan som kod (06) eller namn (Jönköping, Jönköpings län).")
