"""The coloured ÖJ overview as an HTML table, and what the Excel/CSV export holds (``ojlib.render.writers``).

Input is a coloured comparison table (``colours.coloured_lan_table``). The HTML table is a
pandas Styler with a fixed id (stable notebook output), every text from the data HTML-escaped,
and under it the colour rule, ``colours.FORKLARING``, the source line and, for example data,
the exempeldata mark. The Excel file holds the same overview with the same fills, the tidy
table, and a sheet "Förklaring" on the indicators, the averages and the colour rule.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

import pandas as pd

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import colours
from ojlib.analysis.aggregate import ANSWER_TYPES
from ojlib.analysis.formatting import format_number, format_share
from ojlib.data import omraden
from ojlib.data.catalog import OMRADEN, RIKTNINGAR, TYPER
from ojlib.data.source_lines import has_example, source_line

KOMMUN = "Kommun"


def _require_colours(table: pd.DataFrame) -> None:
    if "färg" not in table.columns:
        raise ValueError("Needs a coloured table: use colours.coloured_lan_table(...).")


def _kalla(table: pd.DataFrame) -> str:
    kalla = table.attrs.get("kalla")
    if not kalla:
        raise ValueError("The table has no attrs['kalla']; make it with ojlib.analysis.ranking / "
                         "ojlib.analysis.colours.")
    return kalla


def _header(first) -> str:
    return f"{first.indikator} ({first['år']})"


def column_names(heads: pd.DataFrame) -> dict[str, str]:
    """Column header per KPI ("Indikator (år)"); when several områden (``--omrade alla``) give
    two KPIs the same name and year, each says its område: "Brukarbedömning: få kontakt (2025, missbruk)"."""
    names = {k: _header(heads.loc[k]) for k in heads.index}
    counts = pd.Series(list(names.values())).value_counts()
    for k, name in names.items():
        if counts[name] > 1:
            omr = heads.at[k, "område"]
            names[k] = f"{heads.at[k, 'indikator']} ({heads.at[k, 'år']}, {omraden.get(omr).kort if omr else k})"
    if len(set(names.values())) < len(names):  # still the same: the KPI id tells them apart
        names = {k: f"{n} [{k}]" for k, n in names.items()}
    return names


def comparison_text(row, col: str) -> str:
    """A län/riket/kommungrupp value of a comparison-table row as a reader sees it.

    Answer types: the share at the top answer ("69 % Ja"), never a mean of answer codes; other
    types: the number in its unit ("82,3 %"). Uses the table's ``…_text`` column.
    """
    text = row.get(f"{col}_text") if hasattr(row, "get") else None
    if isinstance(text, str):
        return text
    if row["typ"] in ANSWER_TYPES:
        return format_share(row[col], "Ja" if row["typ"] == "ja_nej" else "högsta nivån")
    return format_number(row[col], row["typ"], row["enhet"])


# Stadsdelar (Stockholm) and socialförvaltningar (Göteborg) in a län's tables: a row right under their kommun's
STADSDEL_MARK = "↳ "
STADSDEL_STYLE = "padding-left:1.6em !important;font-weight:normal !important;font-style:italic"
STADSDEL_NOTE = ("↳ Stadsdelar (Stockholm) och socialförvaltningar (Göteborg) står indragna under sin kommun: de är "
                 "delar av kommunen, med värden ur inlästa arbetsböcker (oj importera). De räknas inte in i länets "
                 "värde, i rangordningen, i färggränserna eller i förbättringsområdena.")
STADSDEL_NOT_COLOURED = "Stadsdelarnas värden färgas inte: färgerna jämför kommuner."
STADSDEL_CLASS = "stadsdel"  # the colour class of a stadsdel's cell in the overview frames (it has none)


def stadsdel_label(name) -> str:
    return f"{STADSDEL_MARK}{name}"


def _with_stadsdelar(frames: list[pd.DataFrame], order: pd.DataFrame, stadsdelar: pd.DataFrame | None,
                     names: dict[str, str]) -> list[pd.DataFrame]:
    """The wide (text, fill, klass, numbers) frames with a row per stadsdel right under its kommun's
    (``lansrapport.stadsdel_rows`` of the table's kommuner and indicators): its value text, no fill."""
    if stadsdelar is None or stadsdelar.empty:
        return frames
    sd = stadsdelar[stadsdelar.kpi.isin(set(names)) & stadsdelar.kommunkod.isin(set(order.kommunkod))]
    if sd.empty:
        return frames
    labels: list[str] = []
    extra: list[dict] = [{}, {}, {}, {}]
    for kod, kommun in zip(order.kommunkod, order.kommun, strict=True):
        labels.append(kommun)
        for name, part in sd[sd.kommunkod == kod].groupby("stadsdel", sort=False):
            label = stadsdel_label(name)
            labels.append(label)
            cols = [names[k] for k in part.kpi]
            extra[0][label] = dict(zip(cols, part["värde_text"], strict=True))
            extra[1][label] = {c: "#FFFFFF" for c in names.values()}
            extra[2][label] = {c: STADSDEL_CLASS for c in cols}
            extra[3][label] = dict(zip(cols, part["värde"], strict=True))
    out = []
    for n, (f, rows) in enumerate(zip(frames, extra, strict=True)):
        add = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=f.columns)
        out.append(pd.concat([f, add.fillna("–") if n == 0 else add]).reindex(labels))
    return out


def overview_frames(table: pd.DataFrame, comparison_rows: bool = True,
                    stadsdelar: pd.DataFrame | None = None) -> tuple[pd.DataFrame, ...]:
    """Wide kommun × indicator frames: display text, fill colour, colour class, and numbers.

    Rows are kommuner (by kommunkod) and, with ``comparison_rows``, "Länet" and "Riket" with
    their values (not coloured; what they are is in ``avser``). Columns are "Indikator (år)".
    ``stadsdelar`` (``lansrapport.stadsdel_rows``): a row "↳ name" under its kommun, not coloured.
    Returns (text, fill, klass, numbers, avser) where ``avser`` has one row per comparison row.
    """
    _require_colours(table)
    kpis = list(dict.fromkeys(table.kpi))
    heads = table.drop_duplicates("kpi").set_index("kpi")
    names = column_names(heads)
    order = table.drop_duplicates("kommunkod")[["kommunkod", "kommun"]]

    def wide(col: str) -> pd.DataFrame:
        w = table.pivot(index="kommunkod", columns="kpi", values=col).reindex(index=order.kommunkod, columns=kpis)
        w.index = list(order.kommun)
        return w.rename(columns=names)

    text, fill, klass, num = _with_stadsdelar([wide("värde_text"), wide("färg"), wide("färgklass"), wide("värde")],
                                              order, stadsdelar, names)
    avser = pd.DataFrame(index=[], columns=list(names.values()), dtype=object)
    if comparison_rows:
        for col, label in (("länet", "Länet"), ("riket", "Riket")):
            vals = {names[k]: heads.at[k, col] for k in kpis}
            text.loc[label] = {names[k]: comparison_text(heads.loc[k], col) for k in kpis}
            fill.loc[label] = "#FFFFFF"
            klass.loc[label] = {names[k]: heads.at[k, f"{col}_avser"] for k in kpis}
            num.loc[label] = vals
            avser.loc[label] = {names[k]: heads.at[k, f"{col}_avser"] for k in kpis}
    for f in (text, fill, klass, num):
        f.index.name = KOMMUN
    return text, fill, klass, num, avser


def notes(table: pd.DataFrame, derived: bool = True) -> list[str]:
    """The lines every coloured table carries: rule, the sentence, source, exempeldata mark."""
    kalla = _kalla(table)
    rule = table.attrs.get("fargregel") or colours.FORKLARING
    lines = [rule if colours.FORKLARING in rule else f"{rule} {colours.FORKLARING}", source_line(kalla, derived)]
    if has_example(kalla) and EXEMPELDATA_MARK not in lines:
        lines.append(EXEMPELDATA_MARK)
    return lines


def colour_rules(table: pd.DataFrame) -> list[str]:
    """Per indicator of a coloured table, its colour rule with cut-points and how many kommuner
    each colour holds ("Indikator (2024): Grön: värde ≥ 82,3 % (75:e percentilen), 80 av 290
    kommuner; …"). Answer types are listed by their answer counts the same way."""
    if "färgregel" not in table.columns:
        return []
    heads = table.drop_duplicates("kpi")
    return [f"{r.indikator} ({r['år']}): {r['färgregel']}" for _, r in heads.iterrows()
            if isinstance(r["färgregel"], str)]


def colour_rules_html(table: pd.DataFrame) -> str:
    """``colour_rules`` as a ``<details>`` (closed on screen, opened for print); empty without rules."""
    rules = colour_rules(table)
    if not rules:
        return ""
    return ("<details class='oj-fargregler' style='font-size:11px;color:#444;margin:4px 0'><summary>"
            "Färggränser per indikator (gränsvärden och hur många kommuner som har varje färg)</summary>"
            "<ul style='margin:0 0 4px;padding-left:18px'>"
            + "".join(f"<li>{html.escape(r)}</li>" for r in rules) + "</ul></details>")


@dataclass
class HtmlTable:
    """An HTML table that notebooks display (``_repr_html_``) and reports embed (``.html``)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        # the text/plain beside the HTML in a notebook: a short line, not the whole table a second time
        return "Tabell (visas som HTML)"

    def __str__(self) -> str:
        return self.html


def _between_tags(markup: str) -> str:
    """Styler's HTML without the indentation between its tags (a table of 49 kommuner carries ~3 kB of
    it); the text of a cell never starts or ends with whitespace, so nothing a reader sees changes."""
    return re.sub(r">\s+<", "><", markup)


_STYLER_CLASSES = (  # Styler's per-cell position classes, which nothing styles or reads by
    (re.compile(r'class="d r\d+ c\d+ (f\d+)" ?'), r'class="\1"'),
    (re.compile(r'class="(row_heading|col_heading) level0 [rc]\d+" ?'), r'class="\1"'),
    (re.compile(r'<th class="index_name level0" ?>'), "<th>"),
)


def _lean_classes(markup: str) -> str:
    """Styler's table with a cell's colour class only ("f2", not "d r24 c2 f2") and the headings'
    kind only ("row_heading", which the site's kommun links find): about a fifth of its bytes."""
    for pattern, repl in _STYLER_CLASSES:
        markup = pattern.sub(repl, markup)
    return markup


def overview(table: pd.DataFrame, title: str | None = None, comparison_rows: bool = True,
             rule_note: bool | str = True, stadsdelar: pd.DataFrame | None = None) -> HtmlTable:
    """The coloured overview table (kommuner × indicators) as HTML, with its notes under it.

    Each indicator's colour limits are in a ``<details>`` under the table (closed on screen, opened
    for print); ``rule_note`` as a text stands instead of the general colour rule, for a table that
    shares it with the next one on the page ("Färgerna förklaras under …"). ``stadsdelar``: rows under
    their kommun, indented, marked ↳ and not coloured (see ``overview_frames``), with a note saying so."""
    kalla = _kalla(table)
    text, fill, klass, _, _ = overview_frames(table, comparison_rows, stadsdelar)
    css = fill.map(lambda c: f"background-color: {c}; color: {colours.text_colour(c)}")
    if comparison_rows:
        css.loc[["Länet", "Riket"]] = "background-color: #FFFFFF; color: #000000; font-style: italic"
    sd_rows = [r for r in text.index if r in set(klass.index[(klass == STADSDEL_CLASS).any(axis=1)])]
    if sd_rows:
        css.loc[sd_rows] = "background-color: #FFFFFF; color: #333333; font-style: italic"
    # One class per distinct cell style (a handful of colours) and one CSS rule each, instead of an
    # id and a CSS selector per cell: a län with 49 kommuner has about a thousand coloured cells.
    styles = list(dict.fromkeys(css.to_numpy().ravel()))
    cell_class = css.map({s: f"f{i}" for i, s in enumerate(styles)}.get)
    # A page holds several overview tables (one per value type and part); each needs its own id
    # prefix, or one table's cell colours (CSS by id) paint the cells of another. Derived from the
    # content so that re-run notebooks stay byte-stable.
    uid = hashlib.sha1(pd.util.hash_pandas_object(pd.concat([text, fill], axis=1), index=True).values.tobytes()
                       + str(title).encode()).hexdigest()[:10]
    styler = (text.style.set_uuid(f"ojoversikt_{uid}").hide(names=True, axis="columns").hide(names=True, axis="index")
              .format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
              .set_td_classes(cell_class)
              .set_table_styles([
                  {"selector": "", "props": "border-collapse: collapse; font-size: 12px; "
                                            "font-family: Arial, sans-serif"},
                  {"selector": "th", "props": "padding: 4px 6px; text-align: left; vertical-align: bottom; "
                                              "font-weight: 600; max-width: 9em"},
                  {"selector": "td", "props": "padding: 3px 6px; text-align: center; border: 1px solid #FFFFFF; "
                                              "white-space: nowrap"},
                  *({"selector": f"td.f{i}", "props": s} for i, s in enumerate(styles)),
              ]))
    if sd_rows:  # a stadsdel's row heading: indented under its kommun's
        styler = styler.map_index(lambda v: STADSDEL_STYLE if v in sd_rows else "", axis=0)
    styler.cell_ids = False
    # short class names of the cells ("d r12 c3", not "data row12 col3"; nothing styles by them)
    styler.css = {**styler.css, "data": "d", "row": "r", "col": "c"}
    lan = table["län"].iloc[0] if table["länskod"].nunique() == 1 else "Kommunerna"
    title = title or f"Översikt: {lan}"
    mark = ""
    if has_example(kalla):
        mark = (f"<p class='oj-exempeldata' style='color:#B00020;font-weight:bold;border:1px solid #B00020;"
                f"display:inline-block;padding:2px 6px'>{html.escape(EXEMPELDATA_MARK)}</p>")
    lines = [n for n in notes(table) if n != EXEMPELDATA_MARK]
    if sd_rows:
        lines.insert(1, f"{STADSDEL_NOTE} {STADSDEL_NOT_COLOURED}")
    foot = "".join(f"<p style='font-size:11px;color:#444;margin:2px 0'>{html.escape(n)}</p>"
                   for n in (lines if rule_note is True else [rule_note, *lines[1:]] if rule_note else lines[1:]))
    foot += colour_rules_html(table)
    body = (f"<div class='oj-oversikt' style='font-family: Arial, sans-serif'>"
            f"<h4 style='margin:4px 0'>{html.escape(title)}</h4>{mark}"
            f"{_lean_classes(_between_tags(styler.to_html()))}{foot}</div>")
    return HtmlTable(body)


# ---------------------------------------------------------------- export content
# (the files themselves are written by ojlib.render.writers)

def indicator_rows(table: pd.DataFrame, catalogue=None) -> pd.DataFrame:
    """One row per indicator of a coloured table: what the Förklaring sheet lists."""
    heads = table.drop_duplicates("kpi")
    rows = []
    for r in heads.itertuples(index=False):
        ind = catalogue[r.kpi] if catalogue is not None and r.kpi in catalogue else None
        riktning = r.riktning if isinstance(r.riktning, str) else None
        rows.append({
            "KPI": r.kpi, "Indikator": r.indikator, "Område": OMRADEN.get(r.område, ""),
            "År": r.år, "Typ": TYPER.get(r.typ, r.typ), "Önskvärd riktning": RIKTNINGAR[riktning],
            "Enhet": r.enhet, "Länet avser": r.länet_avser, "Riket avser": r.riket_avser,
            "Färgregel": r.färgregel,
            "Nivåer": "; ".join(f"{k} = {v}" for k, v in ind.nivaer.items()) if ind and ind.nivaer else "",
            "Jämförbar från": ind.jamforbara_ar[0] if ind else "",
            "Titel i Kolada": ind.titel if ind else "", "Beskrivning": ind.beskrivning if ind else "",
        })
    return pd.DataFrame(rows)


PROFILE_COLUMNS = {"indikator": "Indikator", "år": "År", "värde_text": "Kommunen", "länet": "Länet",
                   "riket": "Riket", "kommungrupp": "Kommungruppen", "jämförelsegrupp": "Jämförelsegruppen",
                   "placering_i_länet": "Placering i länet", "placering_i_riket": "Placering i riket"}
PLACERING_KORT = {"hogre_battre": "1 = högst, bäst", "lagre_battre": "1 = lägst, bäst"}


def placement_meaning(riktning, typ: str) -> str:
    """What place 1 means, short: "1 = högst, bäst", "1 = lägst, bäst", "1 = högst kostnad"."""
    riktning = riktning if isinstance(riktning, str) else None
    if riktning in PLACERING_KORT:
        return PLACERING_KORT[riktning]
    return "1 = högst kostnad" if typ == "kr_per_inv" else "1 = högst värde"


def profile_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The kommun profile as a reader's table (Swedish headers, formatted text, no index).

    One row per indicator: Indikator, År, Kommunen, Länet, Riket, Kommungruppen,
    Jämförelsegruppen (answer types: the share at the top answer and the distribution, e.g.
    "69 % Ja (9 av 13 kommuner Ja, 4 Nej)"), Placering i länet / i riket with what place 1 means
    ("4 av 13 (1 = högst kostnad)"; "–" for answer types, which are not placed).
    """
    t = table.reset_index(drop=True)

    def agg(col_text, col_dist):
        dists = t[col_dist] if col_dist in t.columns else [None] * len(t)
        return [f"{text} ({dist})" if isinstance(dist, str) else text
                for text, dist in zip(t[col_text], dists, strict=True)]

    def place(col):
        values = t[col] if col in t.columns else ["–"] * len(t)
        return [p if p == "–" else f"{p} ({placement_meaning(r, typ)})"
                for p, r, typ in zip(values, t.riktning, t.typ, strict=True)]

    view = pd.DataFrame({"indikator": t.indikator, "år": t["år"].astype(str), "värde_text": t.värde_text})
    names = dict(PROFILE_COLUMNS)
    delregion = table.attrs.get("delregion")
    if delregion and "delregion_text" in t.columns:  # the kommun's delregion (build.kommunprofil(delregioner=True))
        view["delregion"] = t["delregion_text"].fillna("–")
        names["delregion"] = f"{delregion['titel']} (ovägt medel)"
    view["länet"] = agg("länet_text", "länet_fördelning")
    view["riket"] = agg("riket_text", "riket_fördelning")
    view["kommungrupp"] = agg("kommungrupp_text", "kommungrupp_fördelning")
    if "jämförelsegrupp_text" in t.columns:
        view["jämförelsegrupp"] = agg("jämförelsegrupp_text", "jämförelsegrupp_fördelning")
    view["placering_i_länet"] = place("placering_i_länet")
    view["placering_i_riket"] = place("placering_i_riket")
    return view.rename(columns=names)


def delregion_note(delregion: dict | None, kommun: str | None = None) -> str:
    """What the profile's delregion column is, or that the kommun is in no delregion."""
    if not delregion:
        return (f"{kommun or 'Kommunen'} hör inte till någon delregion i params/delregioner.yml; därför "
                "ingen jämförelse med en delregion.")
    return (f"{delregion['titel']}: delregionen kommunen hör till ({delregion['kommuner']} kommuner, "
            "params/delregioner.yml), ovägt medel av dess kommuners värden (utan vikt efter folkmängd), "
            "kommunen själv inräknad; för Ja/Nej-frågor och skalor andelen av dess kommuner med Ja eller "
            "skalans högsta nivå.")


def _soft_breaks(head: str) -> str:
    """A delregion's long name may break before "regionen" in a narrow column ("Värnamo-regionen")."""
    return head.replace("regionen (", "\u00adregionen (") if len(head.split()[0]) > 12 else head


# Where a narrow profile column (printed on A4) may break its header: at the compound's joint (soft hyphen)
HEAD_BREAKS = {"Kommungruppen": "Kommun\u00adgruppen", "Jämförelsegruppen": "Jämförelse\u00adgruppen"}


def profile(table: pd.DataFrame) -> HtmlTable:
    """A kommun profile (``compare.kommun_profile`` or ``colours.coloured_kommun_profile``) as HTML.

    The kommun's cell is coloured like the län overview when the table has colour columns; under
    the table: what länet/riket/kommungruppen/jämförelsegruppen are (the kommungrupp and the
    peer group named), how to read placements, the colour rule and the source.
    """
    kalla = _kalla(table)
    t = table.reset_index(drop=True)
    view = profile_frame(t)
    fills = list(t["färg"]) if "färg" in t.columns else [None] * len(t)
    head = "".join(f"<th>{html.escape(HEAD_BREAKS.get(str(c), _soft_breaks(str(c))))}</th>" for c in view.columns)
    body_rows = []
    for rec, fill in zip(view.itertuples(index=False), fills, strict=True):
        cells = []
        for j, v in enumerate(rec):
            style = ""
            if j == 2 and isinstance(fill, str):  # the kommun's own value, coloured as in the overview
                style = f" style='background-color:{fill};color:{colours.text_colour(fill)}'"
            cells.append(f"<td{style}>{html.escape(str(v))}</td>")
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    body = (f"<table class='oj-profil'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body_rows)}</tbody></table>")
    avser = sorted({f"{lbl}: {a}" for lbl, col in (("Länet", "länet_avser"), ("Riket", "riket_avser"))
                    for a in t[col].dropna().unique()})
    lines = [f"Vad läns- och riksvärdena avser – {'; '.join(avser)}."]
    grp = t["kommungrupp_namn"].dropna().unique() if "kommungrupp_namn" in t.columns else []
    if len(grp):
        lines.append(f"Kommungruppen: {grp[0]} (SKR:s kommungruppsindelning), ovägt medel respektive andel "
                     "kommuner med Ja, kommunen själv inräknad.")
    peer = t["jämförelsegrupp"].dropna().unique() if "jämförelsegrupp" in t.columns else []
    if len(peer):
        lines.append(f"Jämförelsegruppen: {peer[0]}, kommunen själv inte inräknad.")
    if "delregion" in table.attrs:
        lines.append(delregion_note(table.attrs["delregion"], t["kommun"].iloc[0] if len(t) else None))
    lines.append("Placering: inom parentes står vad plats 1 betyder för indikatorn; utan önskvärd riktning "
                 "(t.ex. kostnader) är plats 1 högst värde, vilket inte betyder bäst. Lika värden delar den bästa "
                 "platsen. Ja/Nej- och skalfrågor placeras inte; för dem visas hur kommunerna svarat.")
    if "färgregel" in t.columns:
        lines.append(f"Kommunens färg: som i länsöversikten. {colours.FORKLARING}")
    lines.append(source_line(kalla, derived=True))
    notes_html = "".join(f"<p class='oj-not'>{html.escape(line)}</p>" for line in lines)
    return HtmlTable(f"<div class='oj-tabell'>{body}{notes_html}</div>")


# ---------------------------------------------------------------- reader tables

COVERAGE_COLUMNS = {"indikator": "Indikator", "år": "År", "antal_kommuner": "Kommuner", "med_värde": "Med värde",
                    "andel_med_värde": "Andel med värde", "bortfall": "Bortfall", "sekretess": "Sekretess",
                    "ej_tillämpligt": "Ej tillämpligt", "saknas": "Saknas i källan",
                    "utan_värde": "Kommuner utan värde"}


def coverage_frame(cov: pd.DataFrame) -> pd.DataFrame:
    """``compare.coverage`` for readers: Swedish headers, "100,0 %", no KPI or index column."""
    view = cov[[c for c in COVERAGE_COLUMNS if c in cov.columns]].copy()
    view["år"] = view["år"].astype(str)
    view["andel_med_värde"] = [format_number(v, "andel") for v in view["andel_med_värde"]]
    view["utan_värde"] = view["utan_värde"].replace("", "–")
    return view.rename(columns=COVERAGE_COLUMNS).reset_index(drop=True)


def frame_html(view: pd.DataFrame, classes: str = "oj-tabell") -> HtmlTable:
    """A reader's table (already formatted, Swedish headers) as escaped HTML without index."""
    return HtmlTable(view.to_html(index=False, escape=True, border=0, classes=classes, na_rep="–"))


def coverage_table(cov: pd.DataFrame, kalla: str | None = None) -> HtmlTable:
    """The "Datatäckning" table for readers, with its source line."""
    kalla = kalla or cov.attrs.get("kalla")
    body = frame_html(coverage_frame(cov)).html
    foot = f"<p class='oj-not'>{html.escape(source_line(kalla, derived=True))}</p>" if kalla else ""
    return HtmlTable(f"<div class='oj-tabell'>{body}{foot}</div>")


EXPORT_COLUMNS = {
    "kpi": "KPI", "indikator": "Indikator", "område": "Område", "typ": "Typ", "riktning": "Önskvärd riktning",
    "enhet": "Enhet", "år": "År", "kön": "Kön", "kommunkod": "Kommunkod", "kommun": "Kommun",
    "länskod": "Länskod", "län": "Län", "kommungruppkod": "Kommungruppkod", "kommungrupp_namn": "Kommungrupp",
    "värde": "Värde", "värde_text": "Värde (text)", "status": "Status", "saknas_orsak": "Orsak till saknat värde",
    "länet": "Länet", "länet_avser": "Länet avser", "länet_text": "Länet (text)",
    "länet_fördelning": "Länet: kommunernas svar",
    "länet_glest": "Länet bygger på färre än hälften av kommunerna",
    "riket": "Riket", "riket_avser": "Riket avser", "riket_text": "Riket (text)",
    "riket_fördelning": "Riket: kommunernas svar",
    "kommungrupp": "Kommungruppen", "kommungrupp_avser": "Kommungruppen avser",
    "kommungrupp_text": "Kommungruppen (text)", "kommungrupp_fördelning": "Kommungruppen: kommunernas svar",
    "rang_i_länet": "Placering i länet", "antal_med_värde_i_länet": "Kommuner med värde i länet",
    "antal_kommuner_i_länet": "Kommuner i länet", "rang_i_riket": "Placering i riket",
    "antal_med_värde_i_riket": "Kommuner med värde i riket", "rang_i_kommungruppen": "Placering i kommungruppen",
    "antal_med_värde_i_kommungruppen": "Kommuner med värde i kommungruppen", "rang_avser": "Placering: 1 =",
    "färgstrategi": "Färgschema", "färgklass": "Färgklass", "färgkod": "Färgkod", "färg": "Färg",
    "färgregel": "Färgregel",
}


def export_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The tidy comparison table with Swedish reader headers and Swedish words for codes.

    Numbers stay numbers (the writer formats them); ``typ``, ``riktning``, ``område`` and the
    colour scheme become words ("Andel i procent", "Högre värde är bättre", "Kvartilgränser
    (percentiler)"). Columns not in ``EXPORT_COLUMNS`` keep their names. This is the frame the
    Excel/CSV writers should write.
    """
    out = table.copy()
    out["typ"] = out["typ"].map(lambda x: TYPER.get(x, x))
    out["riktning"] = out["riktning"].map(lambda x: RIKTNINGAR[x if isinstance(x, str) else None])
    if "område" in out.columns:
        out["område"] = out["område"].map(lambda x: OMRADEN.get(x, x))
    if "färgstrategi" in out.columns:
        out["färgstrategi"] = out["färgstrategi"].map(lambda x: colours.SCHEMANAMN.get(x, x))
    if "status" in out.columns:
        out["status"] = out["status"].map(lambda x: x.replace("_", " ") if isinstance(x, str) else x)
    out = out.rename(columns=EXPORT_COLUMNS)
    out.attrs = dict(table.attrs)
    return out
