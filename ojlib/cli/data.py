"""Data commands: ``oj exempeldata``, ``oj status``, ``oj indikatorer``."""

from __future__ import annotations

import typer

from ojlib.base.errors import OjError
from ojlib.cli import app
from ojlib.cli.progress import bar
from ojlib.data import catalog, dataset, enheter
from ojlib.data.omraden import help_text as omraden_help
from ojlib.data.sources import registry


@app.command("exempeldata")
def exempeldata() -> None:
    """Skapa exempeldata för alla 290 kommuner och alla indikatorer i katalogen.

    Exempeldata – inte verkliga resultat. Samma version ger samma fil varje gång.
    """
    from ojlib.data.sources import example

    cat = catalog.load_catalogue()
    path = example.build(cat, progress=lambda xs: bar(xs, desc="Exempeldata", unit="indikator"))
    info = dataset.read_manifest("exempeldata") or {}
    typer.echo(f"Exempeldata sparad i {path} ({info.get('rader', '?')} rader, {info.get('kpi', '?')} indikatorer, "
               f"{info.get('kommuner', '?')} kommuner, år {_span(info.get('ar', []))}).")
    typer.echo("Obs: Exempeldata – inte verkliga resultat.")


def _span(years) -> str:
    return f"{min(years)}–{max(years)}" if years else "–"


def _facts(kalla: str) -> dict:
    """What `oj status` shows, from the manifest and four columns of the data file (no full validation).

    The manifest is checked against the file's sha256 (``dataset.read_manifest``); without a valid
    manifest the dataset is loaded and validated as before.
    """
    info = dataset.read_manifest(kalla)
    if info is None:
        ds = dataset.load_dataset(kalla)
        df = ds.df
        return {"info": ds.info, "rader": len(df), "kpi": set(df.kpi), "ar": ds.years,
                "kommuner": df.loc[df.niva == "kommun", "kod"].nunique(),
                "lan": df.loc[df.niva == "lan", "kod"].nunique(), "riket": bool((df.niva == "riket").any()),
                "stadsdelar": df.loc[df.niva == "stadsdel", "kod"].nunique()}
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    t = pq.read_table(dataset.dataset_path(kalla), columns=["kpi", "niva", "kod", "ar"])
    niva = t.column("niva")

    def units(level: str) -> int:
        return len(pc.unique(pc.filter(t.column("kod"), pc.equal(niva, level))))

    return {"info": info, "rader": t.num_rows, "kpi": set(pc.unique(t.column("kpi")).to_pylist()),
            "ar": sorted(int(y) for y in pc.unique(t.column("ar")).to_pylist()),
            "kommuner": units("kommun"), "lan": units("lan"), "riket": units("riket") > 0,
            "stadsdelar": units("stadsdel")}


@app.command("status")
def status() -> None:
    """Visa vilken data som finns, varifrån den kommer och hur gammal den är."""
    cat = catalog.load_catalogue()
    per = ", ".join(f"{o} {len(cat.for_omrade(o))}" for o in catalog.OMRADEN)
    typer.echo(f"Indikatorkatalog: {cat.source} ({len(cat)} indikatorer: {per})")
    typer.echo("Län: 21, ange --lan som kod eller namn (06 eller Jönköping); lista med koder: `oj lan`.")
    any_data = False
    for kalla in dataset.KALLOR:
        path = dataset.dataset_path(kalla)
        if not path.exists():
            typer.echo(f"{kalla}: ingen data ({dataset.fix_hint(kalla)}).")
            continue
        any_data = True
        facts = _facts(kalla)
        info = facts["info"]
        lines = [
            f"{kalla}: {path}",
            f"  källa: {registry.get(kalla).label} – {registry.get(kalla).beskrivning}",
            f"  rader: {facts['rader']}, indikatorer: {len(facts['kpi'])}, kommuner: {facts['kommuner']}, "
            f"län: {facts['lan']}, riket: {'ja' if facts['riket'] else 'nej'}, år: {_span(facts['ar'])}",
            f"  byggd: {info.get('byggd', 'okänt')}",
        ]
        lines.append(f"  data: {registry.get(kalla).date(info)}")
        if facts.get("stadsdelar"):
            lines.append(f"  stadsdelar och socialförvaltningar: {facts['stadsdelar']}")
        units = enheter.read_manifest(kalla) if enheter.path(kalla).exists() else None
        if units:
            lines.append(f"  enheter: {units['enheter']} ({', '.join(units['typer'])}), indikatorer med "
                         f"enhetsvärden: {units['kpi']}, år: {_span(units['ar'])}, rader: {units['rader']} "
                         f"({enheter.path(kalla).name})")
        elif enheter.path(kalla).exists():
            lines.append(f"  enheter: filen {enheter.path(kalla).name} stämmer inte med sin beskrivning; "
                         f"{dataset.fix_hint(kalla)} igen.")
        for f in info.get("filer", []) if isinstance(info.get("filer"), list) else []:
            if isinstance(f, dict):
                lines.append(f"  inläst fil: {f.get('fil')} ({f.get('rader')} rader, år {_span(f.get('ar', []))}, "
                             f"{f.get('importerad', '')})")
        missing = sorted(set(cat.ids) - facts["kpi"])
        if missing:
            lines.append(f"  indikatorer i katalogen utan data: {len(missing)} ({', '.join(missing[:6])}"
                         f"{' …' if len(missing) > 6 else ''})")
        typer.echo("\n".join(lines))
    if not any_data:
        typer.echo("Ingen bearbetad data finns ännu: kör `oj exempeldata` eller `oj hamta`.")


@app.command("indikatorer")
def indikatorer(
    omrade: str = typer.Option("alla", "--omrade", "-o",
                               help=f"Område: {omraden_help()}."),
    format: str = typer.Option("tabell", "--format", help="Utdata: tabell eller csv."),
    kontrollera: bool = typer.Option(False, "--kontrollera",
                                     help="Jämför katalogen med Koladas nyckeltalslista."),
    bas_url: str = typer.Option(None, "--bas-url", help="Koladas API-adress för --kontrollera."),
) -> None:
    """Visa indikatorkatalogen, alla områden eller ett."""
    if kontrollera:
        from ojlib.cli.kolada import kontrollera_katalog

        return kontrollera_katalog(omrade, bas_url)
    cat = catalog.load_catalogue()
    omraden = catalog.parse_omraden(omrade)
    frame = cat.to_frame()
    frame = frame[frame.omrade.isin(omraden)]
    cols = ["kpi", "omrade", "namn", "typ", "riktning", "enhet", "ar_fran", "ar_till", "kon", "utgivare", "upphord",
            "kvalitetsomrade"]
    if format == "csv":
        from ojlib.render import writers

        typer.echo(writers.csv_text(frame[cols + ["jamforbar_fran", "nivaer", "titel"]]), nl=False)
        return
    if format != "tabell":
        raise OjError(f"Okänt format '{format}'; välj tabell eller csv.")
    shown = frame[cols].assign(riktning=frame.riktning.fillna("–"), kon=frame.kon.map({True: "ja", False: "nej"}),
                               upphord=frame.upphord.map(lambda y: "–" if y is None or y != y else str(int(y))))
    typer.echo(shown.to_string(index=False))
    typer.echo(f"\n{len(frame)} indikatorer. utgivare: vem som publicerar värdena (kolada: `oj hamta`; "
               "socialstyrelsen: ÖJ-arbetsböckerna, `oj importera`); upphord: sista publicerade år. "
               "Koladas titel och beskrivning: `oj indikatorer --format csv`.")




@app.command("importera")
def importera(
    fil: str = typer.Argument(..., help="Excel-arbetsbok (.xlsx) från Socialstyrelsen eller en egen CSV-/Excel-fil."),
    ar: str = typer.Option(None, "--ar", help="År som värdena avser (annars läses det ur blad, rubrik eller filnamn)."),
    omrade: str = typer.Option(None, "--omrade", "-o", help=f"Område för nya indikatorer: {omraden_help(alla=False)}."),
    blad: str = typer.Option(None, "--blad", help="Läs bara dessa blad (namn, åtskilda med komma)."),
    visa: bool = typer.Option(False, "--visa", help="Visa vad som känns igen, utan att spara något."),
    ersatt: bool = typer.Option(False, "--ersatt", help="Ersätt all egen data i stället för att lägga till."),
    kodning: str = typer.Option(None, "--kodning", help="CSV-filens teckenkodning, t.ex. utf-8, cp1252 eller "
                                                        "mac_roman (annars provas den fram ur kommunnamnen)."),
    utgivare: str = typer.Option(None, "--utgivare", help="Vem som publicerat värdena, för källraden, t.ex. "
                                                          "\"Socialstyrelsen, Öppna jämförelser 2025\" (annars "
                                                          "namnges filen)."),
    kalla: str = typer.Option(None, "--kalla", hidden=True, help="Det tidigare namnet på --utgivare."),
    inte_kommuner: str = typer.Option(None, "--inte-kommuner",
                                      help="Rader som liknar kommunnamn men inte är kommuner (namn, åtskilda "
                                           "med komma); annars vägras importen."),
) -> None:
    """Läs in en arbetsbok från Socialstyrelsen eller en egen fil som datakällan "egen".

    Bred tabell (kommuner som rader, indikatorer som kolumner) eller lång tabell (kolumnerna kpi,
    kod, ar, varde), också med åren som kolumner, metadatarader ovanför och fotnoter under. Kör först
    med --visa för att se vad som känns igen (slutkod 1 om importen skulle vägras). Nya värden läggs till den
    egna datan (samma indikator, enhet, år och kön ersätts); --ersatt ersätter allt.
    """
    from ojlib.data.importer import plan as planner
    from ojlib.data.sources import files

    if kalla is not None and utgivare is not None and kalla != utgivare:
        raise OjError("--kalla är det tidigare namnet på --utgivare; ange bara --utgivare.")
    options = {"kodning": kodning, "utgivare": utgivare if utgivare is not None else kalla,
               "inte_kommuner": inte_kommuner}
    if visa:
        plan = files.preview(fil, ar=ar, omrade=omrade, blad=blad, **options)
        typer.echo(planner.describe(plan))
        if planner.refusal(plan):  # scripts can rely on the exit code: 1 when the import would be refused
            raise typer.Exit(1)
        return
    plan = files.import_file(fil, ar=ar, omrade=omrade, blad=blad, ersatt=ersatt, **options)
    info = dataset.read_manifest("egen") or {}
    n = int(plan.frame.varde.notna().sum())
    typer.echo(f"Filen är inläst som datakällan egen: {len(plan.frame)} rader ({n} med värde) från "
               f"{sum(1 for s in plan.sheets if not s.reason)} blad; {len(plan.new_entries)} nya indikatorer"
               f"{' i ' + str(catalog.import_path()) if plan.new_entries else ''}. Egen data nu: "
               f"{info.get('rader', '?')} rader, {info.get('kpi', '?')} indikatorer, år {_span(info.get('ar', []))}.")
    skipped = [s for s in plan.sheets if s.reason]
    for s in skipped:
        typer.echo(f"Bladet {s.name} lästes inte in: {s.reason}.")
    if plan.rows_not_understood:
        names = [f"blad {s.name} {x}" for s in plan.sheets for x in s.not_understood]
        more = f" och {len(names) - 5} till (se --visa)" if len(names) > 5 else ""
        typer.echo(f"{len(names)} rader gick inte att tolka och lästes inte in: {'; '.join(names[:5])}{more}.")
