"""``oj presentation``: a PowerPoint deck (16:9, native charts) for a län or a kommun."""

from __future__ import annotations

from pathlib import Path

import typer

from ojlib.cli import app
from ojlib.errors import OjError

# Keys of a parameter file the deck uses; the report-only ones are accepted so that one file
# (e.g. params/lansanalys_jonkoping.yml) makes both the report and its deck.
DECK_KEYS = ("lan", "kommun", "omrade", "omraden", "ar", "datakalla", "fargstrategi", "palett", "max_bilder",
             "per_kvalitetsomrade", "indikatorer")
REPORT_ONLY = ("mall", "jamforelse", "jamforelsegrupp")


def _year(text) -> int | None:
    """The year as `oj rapport` reads it (same sentence for a year that is not one)."""
    if text is None or str(text).strip().lower() in ("", "senaste", "none"):
        return None
    if isinstance(text, int):
        return text
    if not str(text).strip().isdigit():
        raise OjError(f"Året '{text}' är inte ett årtal; ange t.ex. --ar 2024 eller utelämna --ar för senaste året.")
    return int(text)


def _int(name: str, value) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not str(value).strip().isdigit():
        raise OjError(f"--{name.replace('_', '-')} ska vara ett positivt heltal, inte '{value}'.")
    return int(value)


def _list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(str(x).strip() for x in items if str(x).strip())


def settings(values: dict) -> dict:
    """Check a parameter set (file and options merged) and return the deck's arguments."""
    unknown = sorted(set(values) - set(DECK_KEYS) - set(REPORT_ONLY))
    if unknown:
        raise OjError(f"Presentationen har ingen parameter {', '.join(unknown)}; dess parametrar är "
                      f"{', '.join(DECK_KEYS)}.")
    if values.get("lan") in (None, "") and values.get("kommun") in (None, ""):
        raise OjError("Ange --lan (länets presentation), --kommun (kommunens) eller en parameterfil med -f.")
    if values.get("lan") not in (None, "") and values.get("kommun") not in (None, ""):
        raise OjError("Ange antingen --lan eller --kommun, inte båda.")
    omrade = values.get("omrade", values.get("omraden"))
    return {"lan": values.get("lan"), "kommun": values.get("kommun"), "omrade": omrade,
            "ar": _year(values.get("ar")), "datakalla": values.get("datakalla") or "exempeldata",
            "max_bilder": _int("max_bilder", values.get("max_bilder")),
            "per_kvalitetsomrade": _int("per_kvalitetsomrade", values.get("per_kvalitetsomrade")),
            "fargstrategi": values.get("fargstrategi"), "palett": values.get("palett"),
            "indikatorer": _list(values.get("indikatorer"))}


def make_deck(args: dict):
    """The deck of a checked parameter set (from :func:`settings`)."""
    from ojlib import dataset, geo, presentation
    from ojlib.catalog import parse_omraden

    lan = geo.normalise_lan(args["lan"]) if args["lan"] not in (None, "") else None
    kommun = geo.normalise_kommun(args["kommun"]) if args["kommun"] not in (None, "") else None
    omrade = args["omrade"] or ("alla" if kommun else presentation.DEFAULT_OMRADE)
    parse_omraden(omrade)
    val = presentation.Val(**{k: args[k] for k in ("max_bilder", "per_kvalitetsomrade", "fargstrategi", "palett")
                              if args.get(k) is not None}, indikatorer=args["indikatorer"])
    ds = dataset.load_dataset(args["datakalla"])
    if kommun:
        return presentation.kommun_deck(ds, kommun, omrade, args["ar"], val), kommun, None, omrade
    return presentation.lan_deck(ds, lan, omrade, args["ar"], val), None, lan, omrade


@app.command("presentation")
def presentation_command(
    lan: str = typer.Option(None, "--lan", "-l", help="Länskod, t.ex. 06."),
    kommun: str = typer.Option(None, "--kommun", "-k", help="Kommunkod eller kommunnamn, t.ex. 0680."),
    omrade: str = typer.Option(None, "--omrade", "-o",
                               help="Område: missbruk (standard för län), barn_och_unga, funktionsnedsattning "
                                    "eller alla (standard för kommun)."),
    ar: str = typer.Option(None, "--ar", help="År (standard: senaste året med data)."),
    datakalla: str = typer.Option(None, "--datakalla", "-d", help="Datakälla: exempeldata (standard) eller kolada."),
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
    from ojlib import outputs, presentation, reports
    from ojlib.source_lines import EXEMPELDATA

    values: dict = {}
    if fil:
        sets = reports.load_params_file(fil)
        if len(sets) != 1:
            raise OjError(f"Filen {fil} innehåller {len(sets)} rapporter; välj en fil med en rapport.")
        values = {k: v for k, v in sets[0].items() if v is not None}
    given = {"lan": lan, "kommun": kommun, "omrade": omrade, "ar": ar, "datakalla": datakalla,
             "fargstrategi": fargstrategi, "palett": palett, "max_bilder": max_bilder,
             "per_kvalitetsomrade": per_kvalitetsomrade, "indikatorer": indikatorer}
    if omrade is not None:
        values.pop("omraden", None)
    if lan is not None:
        values.pop("kommun", None)
    if kommun is not None:
        values.pop("lan", None)
    values.update({k: v for k, v in given.items() if v is not None})
    args = settings(values)
    target = Path(ut).expanduser() if ut else None
    if target is not None:
        if target.suffix.lower() != ".pptx":
            raise OjError(f"Presentationen ska sparas som .pptx, inte '{target.name}'; ange t.ex. --ut "
                          "presentation.pptx.")
        outputs.file_target(target, "Presentationen")  # before the work: a bad place is one sentence at once
    typer.echo("Bygger presentationen …", err=True)
    deck, k, lk, omr = make_deck(args)
    if target is None:
        name = presentation.default_name(lk, k, presentation.omraden_of(omr), args["ar"])
        target = outputs.file_target(outputs.default_output_dir() / name, "Presentationen")
    with outputs.saving(target, "Presentationen"):
        presentation.write(deck, target)
    typer.echo(f"Presentationen är klar ({len(deck)} bilder, högst {deck.max_bilder}): {target.resolve()}")
    if deck.exempeldata:
        typer.echo(f"Obs: {EXEMPELDATA}.")
