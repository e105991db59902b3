"""The coloured ÖJ overview as an HTML table, and what the Excel/CSV export holds (``ojlib.writers``).

Input is a coloured comparison table (``colours.coloured_lan_table``). The HTML table is a
pandas Styler with a fixed id (stable notebook output), every text from the data HTML-escaped,
and under it the colour rule, ``colours.FORKLARING``, the source line and, for example data,
the exempeldata mark. The Excel file holds the same overview with the same fills, the tidy
table, and a sheet "Förklaring" on the indicators, the averages and the colour rule.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from ojlib import EXEMPELDATA_MARK, colours, compare
from ojlib.catalog import OMRADEN, RIKTNINGAR, TYPER
from ojlib.source_lines import source_line

KOMMUN = "Kommun"


def _require_colours(table: pd.DataFrame) -> None:
    if "färg" not in table.columns:
        raise ValueError("Needs a coloured table: use colours.coloured_lan_table(...).")


def _kalla(table: pd.DataFrame) -> str:
    kalla = table.attrs.get("kalla")
    if not kalla:
        raise ValueError("The table has no attrs['kalla']; make it with ojlib.compare / ojlib.colours.")
    return kalla


def _header(first) -> str:
    return f"{first.indikator} ({first['år']})"


def overview_frames(table: pd.DataFrame, comparison_rows: bool = True) -> tuple[pd.DataFrame, ...]:
    """Wide kommun × indicator frames: display text, fill colour, colour class, and numbers.

    Rows are kommuner (by kommunkod) and, with ``comparison_rows``, "Länet" and "Riket" with
    their values (not coloured; what they are is in ``avser``). Columns are "Indikator (år)".
    Returns (text, fill, klass, numbers, avser) where ``avser`` has one row per comparison row.
    """
    _require_colours(table)
    kpis = list(dict.fromkeys(table.kpi))
    heads = table.drop_duplicates("kpi").set_index("kpi")
    names = {k: _header(heads.loc[k]) for k in kpis}
    order = table.drop_duplicates("kommunkod")[["kommunkod", "kommun"]]

    def wide(col: str) -> pd.DataFrame:
        w = table.pivot(index="kommunkod", columns="kpi", values=col).reindex(index=order.kommunkod, columns=kpis)
        w.index = list(order.kommun)
        return w.rename(columns=names)

    text, fill, klass, num = wide("värde_text"), wide("färg"), wide("färgklass"), wide("värde")
    avser = pd.DataFrame(index=[], columns=list(names.values()), dtype=object)
    if comparison_rows:
        for col, label in (("länet", "Länet"), ("riket", "Riket")):
            vals = {names[k]: heads.at[k, col] for k in kpis}
            text.loc[label] = {names[k]: compare.format_number(heads.at[k, col], heads.at[k, "typ"],
                                                               heads.at[k, "enhet"]) for k in kpis}
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
    if kalla == "exempeldata" and EXEMPELDATA_MARK not in lines:
        lines.append(EXEMPELDATA_MARK)
    return lines


@dataclass
class HtmlTable:
    """An HTML table that notebooks display (``_repr_html_``) and reports embed (``.html``)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def overview(table: pd.DataFrame, title: str | None = None, comparison_rows: bool = True) -> HtmlTable:
    """The coloured overview table (kommuner × indicators) as HTML, with its notes under it."""
    kalla = _kalla(table)
    text, fill, klass, _, _ = overview_frames(table, comparison_rows)
    css = fill.map(lambda c: f"background-color: {c}; color: {colours.text_colour(c)}")
    if comparison_rows:
        css.loc[["Länet", "Riket"]] = "background-color: #FFFFFF; color: #000000; font-style: italic"
    styler = (text.style.set_uuid("ojoversikt").hide(names=True, axis="columns").hide(names=True, axis="index")
              .format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
              .apply(lambda _: css, axis=None)
              .set_table_styles([
                  {"selector": "", "props": "border-collapse: collapse; font-size: 12px; "
                                            "font-family: Arial, sans-serif"},
                  {"selector": "th", "props": "padding: 4px 6px; text-align: left; vertical-align: bottom; "
                                              "font-weight: 600; max-width: 9em"},
                  {"selector": "td", "props": "padding: 4px 6px; text-align: center; border: 1px solid #FFFFFF; "
                                              "white-space: nowrap"},
              ]))
    styler.cell_ids = False
    lan = table["län"].iloc[0] if table["länskod"].nunique() == 1 else "Kommunerna"
    title = title or f"Översikt: {lan}"
    mark = ""
    if kalla == "exempeldata":
        mark = (f"<p class='oj-exempeldata' style='color:#B00020;font-weight:bold;border:1px solid #B00020;"
                f"display:inline-block;padding:2px 6px'>{html.escape(EXEMPELDATA_MARK)}</p>")
    foot = "".join(f"<p style='font-size:11px;color:#444;margin:2px 0'>{html.escape(n)}</p>"
                   for n in notes(table) if n != EXEMPELDATA_MARK)
    body = (f"<div class='oj-oversikt' style='font-family: Arial, sans-serif'>"
            f"<h4 style='margin:4px 0'>{html.escape(title)}</h4>{mark}"
            f"{styler.to_html()}{foot}</div>")
    return HtmlTable(body)


# ---------------------------------------------------------------- export content
# (the files themselves are written by ojlib.writers)

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
                   "riket": "Riket", "kommungrupp": "Kommungruppen", "jämförelsegruppens_värde": "Jämförelsegruppen",
                   "placering_länet": "Placering i länet", "placering_riket": "Placering i riket"}


def profile(table: pd.DataFrame) -> HtmlTable:
    """A kommun profile (``compare.kommun_profile``) as an HTML table with what the averages are."""
    kalla = _kalla(table)
    t = table.reset_index(drop=True)
    view = pd.DataFrame({"indikator": t.indikator, "år": t["år"].astype(str), "värde_text": t.värde_text})
    for col in ("länet", "riket", "kommungrupp", "jämförelsegruppens_värde"):
        view[col] = [compare.format_number(v, typ, enhet) for v, typ, enhet in zip(t[col], t.typ, t.enhet, strict=True)]
    for col, n in (("länet", "antal_med_värde_i_länet"), ("riket", "antal_med_värde_i_riket")):
        view[f"placering_{col}"] = [f"{int(rk)} av {int(tot)}" if pd.notna(rk) and typ != "ja_nej" else "–"
                                    for rk, tot, typ in zip(t[f"rang_i_{col}"], t[n], t.typ, strict=True)]
    view = view.rename(columns=PROFILE_COLUMNS)
    body = view.to_html(index=False, escape=True, border=0, classes="oj-profil", na_rep="–")
    avser = sorted({f"{lbl}: {a}" for lbl, col in (("Länet", "länet_avser"), ("Riket", "riket_avser"))
                    for a in t[col].dropna().unique()})
    peer = t["jämförelsegrupp"].dropna().unique()
    lines = [f"Vad läns- och riksvärdena avser – {'; '.join(avser)}."]
    if len(peer):
        lines.append(f"Jämförelsegrupp: {peer[0]}.")
    lines.append("Placering: 1 = bäst i önskvärd riktning (utan riktning: högst värde); Ja/Nej rangordnas inte.")
    lines.append(source_line(kalla, derived=True))
    notes_html = "".join(f"<p class='oj-not'>{html.escape(line)}</p>" for line in lines)
    return HtmlTable(f"<div class='oj-tabell'>{body}{notes_html}</div>")
