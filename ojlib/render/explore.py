"""Interactive exploration in JupyterLab: choose område, indicator, län and kommun; figures follow.

The widgets only choose; the figures come from ``compare``, ``colours`` and ``figures`` like
everywhere else (same source lines, same exempeldata mark). Three figures per choice:

* the län's kommuner ranked on the indicator, with länet and riket as lines, the chosen kommun
  highlighted;
* the indicator over time for the kommun against länet, riket and its kommungrupp (without a
  kommun: länet and riket);
* a map of the län, coloured by colour class, the chosen kommun outlined.

How the figures reach the page. In a live notebook (JupyterLab 4, Notebook 7) the menus and the
figures are one widget: the figures sit in an ``ipywidgets.Output`` whose ``outputs`` are
replaced on every choice, so they redraw in place. (Displaying with a display id and updating
the handle from a widget callback does not work there: JupyterLab sends such output to its log
console.) A notebook run without a browser (``make notebooks``, papermill, nbval) gets a short
Swedish hint and the default figures as ordinary outputs instead, so a saved or exported
notebook opened without a kernel shows something useful. Which case applies is decided by
:func:`live_frontend`; ``show(interaktiv=...)`` overrides it.

Speed: the coloured national table of an område and each trend are computed once per session
(``ojlib.base.memo``, shared with the reports of a batch kernel), so a menu change mostly
filters and draws; ``senaste_ms`` is the kernel time of the last update (``benchmarks/explore.py``).
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
import time
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go
from IPython.display import display
from plotly.io.json import to_json_plotly

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import colours, formatting, levels
from ojlib.base import memo, paths
from ojlib.base.errors import OjError, os_reason
from ojlib.base.outputs import default_output_dir
from ojlib.data import geo, omraden
from ojlib.data.catalog import OMRADEN, load_catalogue
from ojlib.data.dataset import Dataset
from ojlib.data.source_lines import source_line
from ojlib.render import figures, views, writers
from ojlib.report import lansrapport

INGEN = ""
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
HINT = ("Menyerna för område, indikator, län och kommun visas när notebooken körs med en kärna: "
        "öppna den i JupyterLab (`make lab`) och välj Kör › Kör alla celler.")
SPARADE_VAL = 40  # drawn choices kept per explorer for going back
FORMAT = {"xlsx": "Excel (.xlsx)", "csv": "CSV (;-separerad)"}

_SV = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "u"})


def sortkey_sv(name: str) -> str:
    """Swedish alphabetical order: … x y z å ä ö (Python's own order puts ä before å)."""
    return str(name).lower().translate(_SV)


def plain(text: str) -> str:
    """Figure text (plotly's small HTML) as plain text: no tags, no non-breaking spaces."""
    text = re.sub(r"<br\s*/?>", " ", str(text))
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\u00a0", " ")


def omrade_namn(omrade: str) -> str:
    """The område's Swedish name (the short title when the område registry has one)."""
    try:

        return omraden.get(omrade).kort
    except Exception:  # noqa: BLE001 - fall back to the catalogue's titles
        return OMRADEN.get(omrade, omrade)


def live_frontend() -> bool:
    """True when this code runs in a kernel driven by a notebook frontend with widget support.

    Signals: a widget manager has asked the kernel for its widgets (JupyterLab, Notebook 7 and
    VS Code do on connecting), or the running cell was sent by JupyterLab/Notebook 7 (their
    execute requests carry a ``cellId``). nbclient (papermill, nbval, ``make notebooks``)
    sends neither.
    """
    if getattr(widgets.Widget, "_control_comm", None) is not None:
        return True
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else {}
    except Exception:  # noqa: BLE001 - outside a kernel
        return False
    return "cellId" in (parent or {}).get("metadata", {})


def _empty_topojson_url() -> str:
    """plotly.js fetches world outlines for every map, even with the base map hidden (from
    cdn.plot.ly: nothing offline). A data: URL with empty outlines keeps maps offline; the
    ``#/`` makes the file name plotly.js appends a fragment."""
    empty = {"type": "GeometryCollection", "geometries": []}
    layers = ("ocean", "land", "lakes", "subunits", "countries", "coastlines", "rivers")
    topo = {"type": "Topology", "objects": dict.fromkeys(layers, empty), "arcs": []}
    data = base64.b64encode(json.dumps(topo, separators=(",", ":")).encode()).decode()
    return f"data:application/json;base64,{data}#/"


TOPOJSON_URL = _empty_topojson_url()


def figure_bundle(fig: go.Figure) -> dict:
    """A display_data output for a plotly figure: its JSON for the frontend, a title as text.

    Serialises the figure's own (already validated) data and layout without the deep copy that
    ``Figure.to_dict`` makes: a third of an update's time otherwise.
    """
    spec = to_json_plotly({"data": fig._data, "layout": fig._layout})  # noqa: SLF001
    spec = json.loads(spec)
    if any(t.type == "choropleth" for t in fig.data):
        spec["config"] = {"topojsonURL": TOPOJSON_URL}
    title = plain(fig.layout.title.text or "Figur")
    return {"output_type": "display_data", "metadata": {},
            "data": {PLOTLY_MIME: spec, "text/plain": f"Figur: {title}"}}


def export_path(table: pd.DataFrame, lan: str, omrade: str, format: str, folder: Path | None = None) -> Path:
    """Where the explorer saves a län table: ``oj export``'s file name in its output folder."""
    years = sorted(table["år"].unique())
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
    if folder is None:
        try:

            folder = default_output_dir()
        except ImportError:
            folder = paths.root() / "utdata"
    return Path(folder) / f"oj_{lan}_{omrade}_{span}.{format}"


# ------------------------------------------------------------ tables as users read them

def _cell(value) -> str:
    """One table cell as text: decimal comma, "–" for a missing value, whole numbers plain."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "–"
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    if isinstance(value, float):
        return formatting.short_num(value, 2).replace("\u00a0", " ")
    return str(value).replace("\u00a0", " ")


class Tabell:
    """A table shown in a notebook as the product shows tables: plain HTML without an index,
    decimal comma, every text escaped (never markup), the source line as a caption; a
    plain-text form for viewers without HTML. ``data`` is the frame, ``rubrik`` the caption."""

    def __init__(self, data: pd.DataFrame, rubrik: str):
        self.data, self.rubrik = data, rubrik

    def _rows(self) -> list[list[str]]:
        return [[_cell(v) for v in row] for row in self.data.itertuples(index=False)]

    def _repr_html_(self) -> str:
        esc = html.escape
        numeric = [pd.api.types.is_numeric_dtype(t) for t in self.data.dtypes]
        th = "".join(f"<th style='text-align:left'>{esc(str(c))}</th>" for c in self.data.columns)
        body = "".join("<tr>" + "".join(f"<td style='text-align:{'right' if n else 'left'}'>{esc(v)}</td>"
                                        for v, n in zip(row, numeric, strict=True)) + "</tr>" for row in self._rows())
        caption = (f"<caption style='caption-side:bottom;text-align:left;font-size:90%;color:#555'>"
                   f"{esc(self.rubrik)}</caption>") if self.rubrik else ""
        return f"<table class='ojtabell'>{caption}<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        text = pd.DataFrame(self._rows(), columns=[str(c) for c in self.data.columns]).to_string(index=False)
        return f"{text}\n{self.rubrik}" if self.rubrik else text


def visa(frame: pd.DataFrame, rubrik: str | None = None, kalla: str | None = None, derived: bool = True) -> Tabell:
    """A table for the notebook as the product shows tables (see :class:`Tabell`), captioned
    with ``rubrik`` and the source line of ``kalla`` (the exempeldata mark for example data)."""

    kalla = kalla or frame.attrs.get("kalla")
    caption = [rubrik + "."] if rubrik else []
    if kalla:
        caption.append(source_line(kalla, derived=derived) + ".")
    return Tabell(frame, " ".join(caption))


def visa_figur(fig: go.Figure) -> None:
    """Show a figure in the notebook, interactive, with a static image of it beside (PNG, drawn by the
    report pages' plotly in headless Chromium), so that the notebook saved and exported to HTML
    (JupyterLab's "Save and Export Notebook As → HTML", nbconvert) still shows it; JupyterLab itself
    draws the interactive one. Without Chromium only the interactive figure is shown."""
    from ojlib.render import pdf

    bundle = {"application/vnd.plotly.v1+json": json.loads(to_json_plotly(fig)), "text/plain": "Figur"}
    if not live_frontend():  # a saved run (make notebooks, papermill): the static copy for an export
        with contextlib.suppress(OjError):  # no browser: JupyterLab still draws the figure, an HTML export will not
            bundle["image/png"] = base64.b64encode(pdf.figure_png(fig)).decode()
    display(bundle, raw=True)


def lan_lista(table: pd.DataFrame, kpi: str | None = None) -> pd.DataFrame:
    """The län's kommuner on one indicator, best placed first, then länet and riket: Swedish
    headers, values in their unit ("82,3 %", "Ja", "12 345 kr"), what each comparison value is
    (for answers: how many kommuner gave each answer). A kommun's answer has no placement, so
    Ja/Nej and scale indicators have no placement column."""
    rows = table if kpi is None else table[table.kpi == kpi]
    if rows.kpi.nunique() != 1:
        raise OjError("Tabellen innehåller flera indikatorer; ange kpi.")
    first = rows.iloc[0]
    rank = rows["rang_i_länet"].astype("Float64")
    rows = rows.assign(_r=rank.fillna(10_000), _n=rows.kommun.map(sortkey_sv)).sort_values(["_r", "_n"])
    out = pd.DataFrame({"Kommun": rows.kommun.tolist(), "Värde": [_cell(t) for t in rows["värde_text"]]})
    if rank.notna().any():
        out.insert(0, "Placering i länet", [f"{int(r)} av {n}" if pd.notna(r) else "–" for r, n in
                                            zip(rows["rang_i_länet"], rows["antal_med_värde_i_länet"], strict=True)])
    if "färgklass" in rows.columns and list(rows["färgklass"]) != list(out["Värde"]):  # answers: the same
        out["Färgklass"] = rows["färgklass"].tolist()
    extra = []
    for col, label in (("länet", "Länet"), ("riket", "Riket")):
        text = first.get(f"{col}_text")
        if not isinstance(text, str):
            text = formatting.format_number(first[col], first.typ, first.enhet)
        what = first.get(f"{col}_fördelning")
        what = what if isinstance(what, str) and what else first[f"{col}_avser"]
        extra.append({"Kommun": f"{label} ({_cell(what)})", "Värde": _cell(text)})
    out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True).fillna("")
    out.attrs = {"kalla": table.attrs.get("kalla"),
                 "rubrik": f"{first.indikator} – {omrade_namn(first['område']).lower()}, {first['län']} {first['år']}"}
    return out


def med_omrade(frame: pd.DataFrame) -> pd.DataFrame:
    """A comparison frame whose indicator names carry their område ("… – missbruk"), so a
    figure drawn from it says which område it shows (two områden share some short names)."""
    out = frame.copy()
    if "område" in out.columns:
        omr = out["område"].map(lambda o: omrade_namn(o).lower())
    else:

        cat = load_catalogue()
        omr = out.kpi.map(lambda k: omrade_namn(cat[k].omrade).lower())
    out["indikator"] = out["indikator"].astype(str) + " – " + omr
    out.attrs = dict(frame.attrs)
    return out


class _Panel(widgets.VBox):
    """The explorer's widget; a frontend without widgets shows the Swedish hint, not ``VBox(...)``."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = HINT
        return bundle


class Utforskare:
    """Menus for område, indicator, län and kommun above three figures that follow them."""

    def __init__(self, ds: Dataset, lan: str = "06", omrade: str = "missbruk", kpi: str | None = None,
                 kommun: str | None = None, fargstrategi: str = "rang_kvartil",
                 exportmapp: Path | None = None):
        self.ds = ds
        self.fargstrategi = colours.check_strategy(fargstrategi)
        self.exportmapp = exportmapp
        lan_rows = sorted(geo.lan().itertuples(), key=lambda r: sortkey_sv(r.lan_namn))
        self.omrade = widgets.Dropdown(description="Område", options=[(titel, k) for k, titel in OMRADEN.items()],
                                       value=omrade, layout=widgets.Layout(width="420px"))
        self.indikator = widgets.Dropdown(description="Indikator", layout=widgets.Layout(width="640px"))
        self.lan = widgets.Dropdown(description="Län", options=[(r.lan_namn, r.lan_kod) for r in lan_rows],
                                    value=geo.normalise_lan(lan), layout=widgets.Layout(width="420px"))
        self.kommun = widgets.Dropdown(description="Kommun", layout=widgets.Layout(width="420px"))
        self.format = widgets.Dropdown(description="Spara som", options=[(v, k) for k, v in FORMAT.items()],
                                       value="xlsx", layout=widgets.Layout(width="260px"))
        self.spara_knapp = widgets.Button(description="Spara länstabellen", icon="download",
                                          layout=widgets.Layout(width="200px"),
                                          tooltip="Länstabellen för området (alla indikatorer), som oj export")
        self.meddelande = widgets.HTML()
        self.rubrik = widgets.HTML()
        self.output = widgets.Output()
        self.figures: list[go.Figure] = []
        self.table: pd.DataFrame | None = None
        self.senaste_ms: float | None = None
        self.sparad: Path | None = None
        self._drawn: dict[tuple, tuple] = {}
        self._updating = False
        self._fill_indicators(kpi)
        self._fill_kommuner(kommun)
        for w in (self.omrade, self.indikator, self.lan, self.kommun):
            w.observe(self._changed, names="value")
        self.spara_knapp.on_click(self._spara_klick)

    # ------------------------------------------------------------ menus

    def _fill_indicators(self, kpi: str | None = None) -> None:
        inds = self.ds.cat.jamforda(self.omrade.value)  # bakgrundsmått: never coloured or ranked
        options = [(f"{i.namn} ({i.kpi})", i.kpi) for i in inds]
        self._updating = True
        try:
            self.indikator.options = options
            self.indikator.value = kpi if kpi in {k for _, k in options} else options[0][1]
        finally:
            self._updating = False

    def _fill_kommuner(self, kommun: str | None = None) -> None:
        k = geo.kommuner()
        k = k[k.lan_kod == self.lan.value]
        rows = sorted(k.itertuples(), key=lambda r: sortkey_sv(r.kommun_namn))
        options = [("(ingen kommun vald)", INGEN)] + [(r.kommun_namn, r.kommun_kod) for r in rows]
        code = geo.normalise_kommun(kommun) if kommun else INGEN
        self._updating = True
        try:
            self.kommun.options = options
            self.kommun.value = code if code in {c for _, c in options} else INGEN
        finally:
            self._updating = False

    def _changed(self, change) -> None:
        if self._updating:
            return
        if change["owner"] is self.omrade:
            self._fill_indicators()
        if change["owner"] is self.lan:
            self._fill_kommuner()
        self.update()

    # ------------------------------------------------------------ data

    def national_table(self, omrade: str) -> pd.DataFrame:
        """The coloured table of all kommuner for the område: once per session, then filtered."""
        key = ("explore.national", memo.fingerprint(self.ds), omrade, self.fargstrategi)
        return memo.memo(key, lambda: colours.coloured_kommun_table(self.ds, omrade, strategi=self.fargstrategi))

    def trend(self, kpi: str, kommun: str | None, lan: str) -> pd.DataFrame:
        """The trend of the choice (kommun, its kommungrupp, länet, riket), kept for the session."""
        key = ("explore.trend", memo.fingerprint(self.ds), kpi, kommun, lan)
        return memo.memo(key, lambda: levels.trend(self.ds, kpi, kommun=kommun, lan=lan,
                                                      kommungrupp=kommun is not None))

    def lan_table(self) -> pd.DataFrame:
        """The coloured län table of the chosen område (what the save button writes)."""
        full = self.national_table(self.omrade.value)
        out = full[full["länskod"] == self.lan.value].reset_index(drop=True)
        out.attrs = {**full.attrs, "lan": self.lan.value}
        return out

    # ------------------------------------------------------------ figures

    def _map(self, table: pd.DataFrame, kpi: str, kommun: str | None) -> go.Figure:
        fig = figures.choropleth(table, kpi=kpi)
        if kommun:  # outline the chosen kommun (per-location border widths; no second copy of the outlines)
            codes = list(fig.data[0].locations)
            fig.data[0].marker.line.width = [3.0 if c == kommun else 0.5 for c in codes]
            fig.data[0].marker.line.color = ["#000000" if c == kommun else "#FFFFFF" for c in codes]
        return fig

    def render(self) -> list[go.Figure]:
        """Compute the three figures of the current choice (without drawing them) and return them."""
        kpi, lan = self.indikator.value, self.lan.value
        kommun = self.kommun.value or None
        full = self.national_table(self.omrade.value)
        rows = full[(full.kpi == kpi) & (full["länskod"] == lan)].reset_index(drop=True)
        if rows.empty:  # the indicator has no kommun values at all in this data
            raise OjError(f"Indikatorn {self.ds.cat[kpi].namn} ({kpi}) har inga kommunvärden i {self.ds.kalla}.")
        rows.attrs = {**full.attrs, "lan": lan}
        self.table = rows
        trend = self.trend(kpi, kommun, lan)
        self.figures = [
            figures.ranked_bars(med_omrade(rows), kpi=kpi, markera=kommun),
            figures.trend(med_omrade(trend)),
            self._map(med_omrade(rows), kpi, kommun),
        ]
        return self.figures

    def tabell(self):
        """The län's kommuner on the chosen indicator as a table (see :func:`lan_lista`)."""
        if self.table is None:
            self.render()
        lista = lan_lista(self.table)
        return visa(lista, lista.attrs["rubrik"], self.ds.kalla)

    def enheter(self):
        """The chosen kommun's units in the chosen område: a sortable table per unit type, each unit's
        values beside the kommun's, länet's and riket's (a unit without a value says why). In a cell:
        ``u.enheter()``."""
        if not self.kommun.value:
            raise OjError("Välj en kommun först; enheterna visas för en kommun i taget.")
        values = lansrapport.kommun_units(self.ds, self.kommun.value, self.omrade.value)
        if values.empty:
            namn = dict((c, n) for n, c in self.kommun.options).get(self.kommun.value, self.kommun.value)
            return views.HtmlTable(f"<p>{html.escape(namn)} har inga enheter med värden i {self.ds.kalla} för "
                                   f"{html.escape(OMRADEN[self.omrade.value])}.</p>")
        return views.HtmlTable("".join(views.unit_matrix(rows, self.ds.kalla, title=typ).html
                                       for typ, rows in values.groupby("typ", sort=False)))

    def describe(self) -> str:
        """The current choice in one plain Swedish line."""
        ind = self.ds.cat[self.indikator.value]
        ar = int(self.table["år"].iloc[0]) if self.table is not None and len(self.table) else None
        kommun = dict((c, n) for n, c in self.kommun.options).get(self.kommun.value) if self.kommun.value else None
        parts = [self.lan.label, OMRADEN[self.omrade.value], f"{ind.namn} ({ind.kpi}){f', {ar}' if ar else ''}"]
        parts.append(f"markerad kommun: {kommun}" if kommun else "ingen kommun markerad")
        return " · ".join(parts)

    def _heading_html(self) -> str:
        mark = (f" <span style='color:#B00020;font-weight:bold;border:1px solid #B00020;padding:0 4px'>"
                f"{html.escape(EXEMPELDATA_MARK)}</span>") if self.ds.is_example else ""
        return f"<div style='font-size:14px;margin:4px 0'>{html.escape(self.describe())}{mark}</div>"

    def _choice(self) -> tuple:
        return (self.omrade.value, self.indikator.value, self.lan.value, self.kommun.value)

    def update(self) -> list[go.Figure]:
        """Redraw for the current choice: compute the figures and replace the output area's content.

        What was drawn for a choice is kept (the last ``SPARADE_VAL`` choices), so going back to
        an earlier choice only resends it."""
        start = time.perf_counter()
        key = self._choice()
        if key in self._drawn:
            self.figures, self.table, heading, outputs = self._drawn.pop(key)
            self._drawn[key] = (self.figures, self.table, heading, outputs)  # most recent last
            self.rubrik.value = heading
            self.output.outputs = outputs
            self.senaste_ms = (time.perf_counter() - start) * 1000
            return self.figures
        try:
            figs = self.render()
        except OjError as err:
            self.output.outputs = ({"output_type": "stream", "name": "stdout", "text": f"{err}\n"},)
            self.senaste_ms = (time.perf_counter() - start) * 1000
            return []
        self.rubrik.value = self._heading_html()
        table = self.tabell()
        shown = {"output_type": "display_data", "metadata": {},
                 "data": {"text/html": table._repr_html_(), "text/plain": repr(table)}}
        self.output.outputs = (*(figure_bundle(f) for f in figs), shown)
        self._drawn[key] = (figs, self.table, self.rubrik.value, self.output.outputs)
        while len(self._drawn) > SPARADE_VAL:
            self._drawn.pop(next(iter(self._drawn)))
        self.senaste_ms = (time.perf_counter() - start) * 1000
        return figs

    # ------------------------------------------------------------ saving

    def spara(self, format: str | None = None, path: Path | None = None) -> Path:
        """Save the län table of the chosen område as ``oj export`` does (Excel or CSV)."""

        format = format or self.format.value
        if format not in FORMAT:
            raise OjError(f"Okänt format '{format}'; välj xlsx eller csv.")
        table = self.lan_table()
        target = Path(path) if path is not None else export_path(table, self.lan.value, self.omrade.value, format,
                                                                  self.exportmapp)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if format == "xlsx":
                writers.to_excel(table, target, self.ds.cat)
            else:
                writers.to_csv(table, target)
        except OSError as err:
            self.meddelande.value = html.escape(f"Kunde inte spara {target.name}: {os_reason(err)}.")
            raise OjError(f"Kunde inte spara {target}: {os_reason(err)}; välj en annan mapp.") from None
        self.sparad = target
        note = " Exempeldata – inte verkliga resultat." if self.ds.is_example else ""
        self.meddelande.value = html.escape(f"Sparad: {target}.{note}")
        return target

    def _spara_klick(self, _button) -> None:
        try:
            self.spara()
        except OjError as err:  # the sentence is shown next to the button, not in the log console
            self.meddelande.value = html.escape(str(err))

    # ------------------------------------------------------------ showing

    @property
    def widget(self) -> widgets.VBox:
        save = widgets.HBox([self.format, self.spara_knapp, self.meddelande])
        return _Panel([widgets.HBox([self.omrade, self.indikator]), widgets.HBox([self.lan, self.kommun]),
                       save, self.rubrik, self.output])

    def show(self, interaktiv: bool | None = None) -> None:
        """Show the explorer: menus and live figures in a notebook frontend, otherwise the
        default figures with a hint (see :func:`live_frontend`)."""
        if interaktiv is None:
            interaktiv = live_frontend()
        if interaktiv:
            self.update()
            display(self.widget)
            return
        figs = self.render()
        mark = f" **{EXEMPELDATA_MARK}.**" if self.ds.is_example else ""
        text = f"{HINT} Utgångsläget: {self.describe()}."
        display({"text/markdown": f"*{text}*{mark}", "text/plain": text + mark.replace("**", "")}, raw=True)
        for fig in figs:
            display(figure_bundle(fig)["data"], raw=True)
        display(self.tabell())
