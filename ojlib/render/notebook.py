"""Notebook glue: short user errors, and the metadata a report publishes for the site index.

Templates call ``setup()`` first, so an OjError shows as one Swedish sentence instead of a
traceback (the cell still fails, so papermill stops and no report is made), and
``publish_report_metadata(...)`` once, so the HTML site can list the report with its län,
område, year and data source without parsing text.
"""

from __future__ import annotations

import html
import json
import os

from ojlib.analysis import colours, peers
from ojlib.base.errors import OjError
from ojlib.data import geo, omraden
from ojlib.data.catalog import RIKTNINGAR
from ojlib.data.source_lines import EXEMPELDATA, source_line
from ojlib.data.sources import registry
from ojlib.render import figures
from ojlib.render.tables import HtmlTable

REPORT_MIMETYPE = "application/vnd.ojlib.report+json"


def _short_error(shell, etype, evalue, tb, tb_offset=None):
    """IPython custom exception handler: show the Swedish message only.

    ``_showtraceback`` is IPython's private step that sends an error output with a given traceback
    text; the public ``showtraceback`` would print the Python traceback a user cannot act on. Used
    here only, so an IPython change breaks one function (tests/test_notebooks.py runs it)."""
    shell._showtraceback(etype, evalue, [f"Fel: {evalue}"])


def setup() -> None:
    """Install the short error display in the running IPython kernel (no-op elsewhere)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((OjError,), _short_error)
        if os.environ.get("OJLIB_BATCH"):
            use_plain_figure_display()


PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"


def show_figure(fig, *args, **kwargs) -> None:
    """Display a plotly figure as its JSON mime bundle only, in one step.

    plotly's own ``fig.show()`` goes through its renderer machinery, which imports nbformat and
    jsonschema (about a second per kernel); a report page needs only the figure's JSON.
    """
    from IPython.display import display

    spec = json.loads(fig.to_json())
    drop_template(spec, name=True)
    display({PLOTLY_MIMETYPE: spec, "text/plain": ""}, raw=True)


def drop_template(fig: dict, name: bool = False) -> None:
    """Take the template out of a figure's JSON (in place): ojlib's (figures.TEMPLATE, 0,5 kB a figure)
    is the same in every figure. ``name``: ojlib's template is replaced by its name (figures.TEMPLATE_NAME),
    which the page's export puts back (a batch kernel's figures, see ``use_plain_figure_display``), and
    any other template is kept; without it any template is left out (a saved notebook, ``execute_in_place``)."""
    layout = fig.get("layout") or {}
    if "template" not in layout:
        return
    if not name:
        del layout["template"]
    elif layout["template"] == figures.template_json():
        layout["template"] = figures.TEMPLATE_NAME


def use_plain_figure_display() -> None:
    """Make ``fig.show()`` publish the JSON mime bundle directly (batch kernels; see ``show_figure``).

    Replacing the method is deliberate: plotly's public route (a custom renderer in
    ``plotly.io.renderers``) still imports nbformat and jsonschema in ``plotly.io.show`` for every
    mime bundle, a second per kernel. Only batch kernels (``OJLIB_BATCH``) do this; their figures name
    ojlib's template instead of holding it (``drop_template``: the page's export puts it back)."""
    from plotly.basedatatypes import BaseFigure

    BaseFigure.show = show_figure


def publish_report_metadata(**fields) -> None:
    """Display the report's metadata as a machine-readable output (not shown as text)."""
    from IPython.display import display

    payload = json.loads(json.dumps(fields, ensure_ascii=False, default=str))
    display({REPORT_MIMETYPE: payload, "text/plain": ""}, raw=True)


PART_MIMETYPE = "application/vnd.ojlib.avsnitt+json"


def mark_part(typ: str, **fields) -> None:
    """Mark where a part of the report starts (``fields``: its heading ``rubrik`` and its summary
    ``sammanfattning``) or ends (``slut=True``): a site gives the part a page of its own and leaves the
    summary with a link in its place (``html_export.render_site_pages``). Not shown in the notebook."""
    from IPython.display import display

    payload = json.loads(json.dumps({"typ": typ, **fields}, ensure_ascii=False, default=str))
    display({PART_MIMETYPE: payload, "text/plain": ""}, raw=True)


def read_report_metadata(nb) -> dict | None:
    """The metadata a notebook published with ``publish_report_metadata``, if any."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if REPORT_MIMETYPE in data:
                return dict(data[REPORT_MIMETYPE])
    return None


# --------------------------------------------------------------------------- template helpers
# Small text helpers so the templates stay one call per section.

def data_date(ds) -> str:
    """When each source's data was fetched, imported or generated (the registry's date text)."""

    infos = ds.manifests()
    texts = [registry.get(k).date(infos.get(k) or {}) if registry.known(k) else k for k in ds.kallor]
    return "; ".join(texts)


def saknas_text(p, ds) -> str:
    """"Saknas i datakällan: …": the område's catalogue indicators with no values in the chosen
    sources up to the report's year, each with where its values can be found (Markdown)."""

    lines = []
    for o in p.omraden:
        missing = ds.missing_indicators(o, p.ar)
        head = f"**Saknas i datakällan ({omraden.get(o).kort}, {p.ar}):**" if len(p.omraden) > 1 \
            else f"**Saknas i datakällan ({p.ar}):**"
        if not missing:
            lines.append(f"{head} inget – alla {len(ds.cat.for_omrade(o))} indikatorer i katalogen har värden.")
            continue
        groups: dict[str, list[str]] = {}
        for i in missing:
            where = registry.publisher(i.utgivare).where(i.upphord)
            groups.setdefault(where, []).append(f"{i.namn} ({i.kpi})")
        used = registry.labels(ds.kallor).replace(" + ", " och ")
        lines.append(f"{head} {len(missing)} av {len(ds.cat.for_omrade(o))} indikatorer i katalogen har "
                     f"inga värden i {used}. " + " ".join(f"{', '.join(names)}: {where}."
                                                           for where, names in groups.items()))
    return "\n\n".join(lines)


def _mark(ds) -> str:

    return f"**{EXEMPELDATA}.** Värdena är genererade för att visa verktyget." if ds.is_example else ""


def omrade_title(omrade: str) -> str:

    return omraden.get(omrade).titel


def lansanalys_metadata(p, ds) -> dict:
    return {"typ": "lansanalys", "titel": f"Länsanalys {p.lan_namn}, {p.omrade_text}, {p.ar}",
            "lan": p.lan, "lan_namn": p.lan_namn, "omrade": list(p.omraden), "ar": p.ar,
            "datakalla": p.datakalla, "data_datum": data_date(ds), "exempeldata": ds.is_example,
            "fargstrategi": p.fargstrategi}  # the site's dashboard colours as its reports do


def kommunprofil_metadata(p, ds) -> dict:
    return {"typ": "kommunprofil", "titel": f"Kommunprofil {p.kommun_namn}, {p.ar}",
            "kommun": p.kommun, "kommun_namn": p.kommun_namn, "lan": p.lan, "lan_namn": p.lan_namn,
            "omrade": list(p.omraden), "ar": p.ar, "datakalla": p.datakalla, "data_datum": data_date(ds),
            "exempeldata": ds.is_example}


def lansanalys_header(p, ds) -> str:
    lines = []
    if ds.is_example:
        lines += [_mark(ds), ""]
    jamforelse = "riket" if p.jamforelse == "riket" else "kommungruppen (ovägt medel)"
    lines.append(f"Data: {data_date(ds)}. Linjerna i stapeldiagrammen visar länet och {jamforelse}.")
    return "\n".join(lines)


def colours_name(fargstrategi: str) -> str:
    """The colour strategy in words for a reader ("kvartilgränser (25:e och 75:e percentilen)")."""

    return colours.STRATEGINAMN.get(fargstrategi, fargstrategi)


def kommunprofil_header(p, ds) -> str:
    """Heading of the kommun profile, naming the peer group of each område."""

    labels = list(dict.fromkeys(peers.peer_members(p.kommun, p.peers, o)[1] for o in p.omraden))
    lines = [f"**{p.kommun_namn} ({p.kommun}), {p.lan_namn}, {p.ar}**", ""]
    if ds.is_example:
        lines += [_mark(ds), ""]
    grupp = geo.kommuner().set_index("kommun_kod").at[p.kommun, "kommungrupp_namn"]
    lines.append(f"Data: {data_date(ds)}. Kommungrupp: {grupp} (SKR:s kommungruppsindelning). "
                 f"Jämförelsegrupp: {'; '.join(labels)}.")
    return "\n".join(lines)


def indicator_heading(ds, kpi: str) -> str:
    """Markdown heading of one indicator: short name, Kolada's title, type and direction."""

    ind = ds.cat[kpi]
    parts = [f"#### {ind.namn}", "", f"*{ind.titel}* ({ind.kpi}). {RIKTNINGAR[ind.riktning]}."]
    if ind.jamforbar_fran and ind.jamforbar_fran > ind.ar_fran:
        parts[-1] += f" Jämförbar från {ind.jamforbar_fran}; tidigare år visas som en egen serie."
    return "\n".join(parts)


def map_indicator(table) -> str:
    """The indicator a län map shows: the first with a desired direction that is not Ja/Nej."""
    candidates = table[(table.typ != "ja_nej") & table.riktning.notna() & table.värde.notna()]
    return str((candidates if len(candidates) else table).kpi.iloc[0])


def table_counts(tables: dict):
    """Kommuner, indicators and values per område of the län tables (a small, checkable table)."""
    import pandas as pd

    rows = []
    for omrade, t in tables.items():
        rows.append({"område": omrade, "kommuner": t.kommunkod.nunique(), "indikatorer": t.kpi.nunique(),
                     "värden": int(t.värde.notna().sum()), "saknas": int(t.värde.isna().sum())})
    return pd.DataFrame(rows).set_index("område")


def about_data(ds, fargstrategi: str) -> str:
    """The "Om data" section: source, date, averages, the colour rule, the exempeldata mark."""

    lines = []
    if ds.is_example:
        lines += [_mark(ds) + " De följer verkliga nationella nivåer där sådana är publicerade, men "
                  "ingen kommuns värde är verkligt.", ""]
    lines += [
        f"- **Källor:** {source_line(ds.kalla).removeprefix('Källa: ')}; egna beräkningar anges som "
        f"\"{source_line(ds.kalla, derived=True)}\".",
        f"- **Data:** {data_date(ds)}; {len(ds.cat)} indikatorer i katalogen, år {ds.years[0]}–{ds.years[-1]}.",
        "- **Medelvärden:** länets och rikets värden anges alltid med vad de avser. För Ja/Nej-frågor är "
        "länet och riket *andelen kommuner som svarat Ja*. \"Ovägt medel\" är medelvärdet av kommunernas "
        "värden (den typiska kommunen); Koladas publicerade läns- och riksvärden är vägda efter befolkning "
        "eller antal brukare (den typiska invånaren).",
        f"- **Färger:** {colours.describe(fargstrategi)}",
        "- **Jämförbarhet:** trender förbinder bara år som indikatorkatalogen anger som jämförbara; "
        "ett definitionsbrott visas, det överbryggas inte.",
    ]
    return "\n".join(lines)


def directed_indicators(table, ja_nej: bool = True) -> list[str]:
    """KPIs of a comparison table that have a desired direction, in table order.

    ``ja_nej=False`` leaves out Ja/Nej and scale indicators, whose single kommun answer says more
    in a table (with the distribution of answers) than in a bar chart or a trend line of answer codes.
    """
    keep = table.riktning.notna() & (ja_nej | ~table.typ.isin(["ja_nej", "skala"]))
    return list(dict.fromkeys(table.loc[keep, "kpi"]))


def profile_counts(profiles: dict):
    """Indicators with a value, and how the kommun places in its län, per område (checkable)."""
    import pandas as pd

    rows = []
    for omrade, t in profiles.items():
        ranked = t[t.rang_i_länet.notna() & (t.typ != "ja_nej")]
        top = ranked.rang_i_länet <= ranked.antal_med_värde_i_länet / 4
        rows.append({"område": omrade, "indikatorer": t.kpi.nunique(), "med värde": int(t.värde.notna().sum()),
                     "placering i översta fjärdedelen av länet (utom Ja/Nej och skalor)": int(top.sum())})
    return pd.DataFrame(rows).set_index("område")


def _plain_json(value) -> bool:
    """A dict or list holding no dict or list (one line in a saved notebook's figures)."""
    values = value.values() if isinstance(value, dict) else value
    return isinstance(value, dict | list) and not any(isinstance(v, dict | list) for v in values)


def _notebook_json(value, indent: int = 0, figure: bool = False) -> str:
    """nbformat's JSON (keys sorted, one space an indent level), except that inside a plotly figure a dict
    or list of plain values is written on one line: a figure's 50 values are one line, not 50."""
    pad = " " * indent
    if isinstance(value, dict | list) and value and figure and _plain_json(value):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if isinstance(value, dict) and value:
        items = [f"{pad} {json.dumps(k, ensure_ascii=False)}: "
                 f"{_notebook_json(v, indent + 1, figure or k == PLOTLY_MIMETYPE)}" for k, v in sorted(value.items())]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"{pad} {_notebook_json(v, indent + 1, figure)}" for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def execute_in_place(path, kernel_name: str = "ojlib", timeout: int = 600) -> int:
    """Run a notebook top to bottom and save it with small, stable outputs (for committing).

    No timing metadata, no widget state, plotly figures as their JSON mimetype only, without their
    template (the look every figure of ojlib shares, 0,5 kB each: the saved file draws them in plotly's
    own look; a run draws them with it again) and with a figure's lists of values on one line each.
    Returns the size in bytes of the saved notebook.
    """
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=timeout, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            fig = out.get("data", {}).get(PLOTLY_MIMETYPE)
            if isinstance(fig, dict):
                drop_template(fig)
    nbformat.validate(nb)
    text = _notebook_json(json.loads(nbformat.writes(nb))) + "\n"
    path.write_text(text, encoding="utf-8")
    return path.stat().st_size


if __name__ == "__main__":  # python -m ojlib.render.notebook notebooks/*.ipynb
    import sys

    for arg in sys.argv[1:]:
        print(f"{arg}: {execute_in_place(arg) // 1024} kB")


_MD = {}


def markdown(text: str, trusted: bool) -> str:
    """Markdown to HTML. Untrusted text (notebook output built from data) has its raw HTML escaped."""
    import mistune

    if trusted not in _MD:
        _MD[trusted] = mistune.create_markdown(escape=not trusted, plugins=["table", "strikethrough"])
    return _MD[trusted](text)


def comment_box(kommentar, section: str):
    """The analyst's comment for ``section`` (a :class:`~ojlib.report.comments.Kommentarer`) as an HTML box
    that notebooks display; None when the file has no text for it."""
    text = kommentar.text(section).strip()
    if not text:
        return None
    body = markdown(text, trusted=False)
    return HtmlTable(f"<aside class='oj-kommentar' aria-label='Analytikerns kommentar'>"
                     f"<p class='oj-kommentar-rubrik'>Analytikerns kommentar: {html.escape(section)}</p>"
                     f"{body}</aside>")


def show_comment(kommentar, section: str) -> None:
    """Display the section's comment box in the notebook (nothing when the file has no such text)."""
    box = comment_box(kommentar, section)
    if box is not None:
        from IPython.display import display

        display(box)
