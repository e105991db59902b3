"""Compact HTML views of a länsrapport and a kommun profile.

* ``answer_matrix``: Ja/Nej and scale indicators as ONE table per område, kommuner × indicators,
  each cell coloured by its answer (the same colour for the same answer in every column) and the
  län's and riket's distribution of answers under it;
* ``kommun_trend_tables``: the other indicators, each kommun's value coloured as in the coloured
  table and its change since the previous comparable year (the län report's Översikt);
* ``numeric_overviews``: the coloured overview of the other indicators, split by value type
  when it would be wide (in the Översikt only for an indicator without a development row);
* ``kommun_summary_table``: the sammanfattande bild per kommun with arrows;
* ``improvement_list``, ``coverage_table``, ``inledning``: the länsrapport's other sections;

Every text from data is HTML-escaped; every view carries its source line, and the exempeldata
mark where it applies. Tables have the kommun (or indicator) in the first column as a row header
(``th``), which the report's CSS keeps in view while the table scrolls sideways.
"""

from __future__ import annotations

import hashlib
import html
import re

import pandas as pd
import pyphen

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import aggregate, colours, coverage, formatting
from ojlib.data.catalog import RIKTNINGAR
from ojlib.data.source_lines import has_example, source_line
from ojlib.render import tables
from ojlib.render.notebook import data_date, markdown, omrade_title
from ojlib.render.tables import HtmlTable
from ojlib.report import lansrapport

UPP, NED, LIKA = "▲", "▼", "●"
WIDE = 8  # columns of numbers in one overview table before it is split (by value type, then in even parts)


def _e(x) -> str:
    return html.escape(str(x))


def _notes(lines: list[str], kalla: str, derived: bool = True) -> str:
    out = [f"<p class='oj-not'>{_e(line)}</p>" for line in lines]
    out.append(f"<p class='oj-not oj-kalla'>{_e(source_line(kalla, derived=derived))}</p>")
    if kalla == "exempeldata" and source_line(kalla, derived=derived) != EXEMPELDATA_MARK:
        out.append(f"<p class='oj-not oj-exempeldata'>{_e(EXEMPELDATA_MARK)}</p>")
    return "".join(out)


def _mark(kalla: str) -> str:
    return f"<p class='oj-exempeldata'>{_e(EXEMPELDATA_MARK)}</p>" if kalla == "exempeldata" else ""


# ---------------------------------------------------------------- colours by level

def level_rule(palett: str = "standard") -> str:
    """How answers are coloured (the colours themselves come from :mod:`ojlib.analysis.colours`)."""
    return colours._recolour(colours.NOTE_SVAR, palett) + " Grått: svar saknas (orsaken anges)."




_HYPHENATOR = pyphen.Pyphen(lang="sv_SE", left=3, right=3)  # LibreOffice's Swedish hyphenation patterns


def soft_hyphens(text: str, longest: int = 12) -> str:
    """Text with a soft hyphen (U+00AD) at every syllable joint (Swedish hyphenation patterns, at least
    three letters on each side) of each word longer than ``longest`` letters, so that a narrow column may
    break "Överens-kommelse" or "Tillgäng-lighet" instead of growing, overflowing or breaking inside a
    syllable; each part of a hyphenated word ("FREDA-kortfrågor") on its own."""
    def one(word: str) -> str:
        if len(word) <= longest:
            return word
        if "-" in word:
            return "-".join(one(part) for part in word.split("-"))
        return _HYPHENATOR.inserted(word, hyphen="\u00ad")

    return " ".join(one(w) for w in str(text).split(" "))


HEX_FILL = re.compile(r"#[0-9A-Fa-f]{6}")


def _cell(text: str, fill: str, title: str = "") -> str:
    """A coloured matrix cell: a class named after its fill (``m63BE7B``, one CSS rule per colour, see
    ``_fill_rules``) instead of the same inline style on each of a large län's ~500 cells."""
    tip = f' title="{_e(title)}"' if title else ""
    if HEX_FILL.fullmatch(fill):
        return f'<td class="m{fill[1:].upper()}"{tip}>{_e(text)}</td>'
    return f'<td style="background:{_e(fill)};color:{colours.text_colour(fill)}"{tip}>{_e(text)}</td>'


def _fill_rules(cells_html: str) -> str:
    """The ``<style>`` for the fill classes used in ``cells_html`` (the same class is the same colour in
    every matrix, so matrices on one page cannot paint each other's cells differently)."""
    used = sorted(set(re.findall(r'<td class="m([0-9A-F]{6})"', cells_html)))
    rules = "".join(f".oj-matris td.m{h}{{background:#{h};color:{colours.text_colour('#' + h)}}}" for h in used)
    return f"<style>{rules}</style>" if rules else ""


# ---------------------------------------------------------------- the answer matrix

def _distributions(ds, table: pd.DataFrame, fordelningar: pd.DataFrame | None) -> pd.DataFrame:
    """``lansrapport.answer_distributions`` of the table's answer indicators, indexed by kpi: read from
    ``fordelningar`` (the område's, computed once by the report model) when given."""
    if fordelningar is None:
        return lansrapport.answer_distributions(ds, table).set_index("kpi")
    return fordelningar.set_index("kpi")


def answer_matrix(ds, table: pd.DataFrame, title: str = "", palett: str = "standard",
                  stadsdelar: pd.DataFrame | None = None, fordelningar: pd.DataFrame | None = None) \
        -> HtmlTable | None:
    """Ja/Nej and scale indicators of a län table as one matrix (None when the table has none).

    Columns are grouped by kvalitetsområde; headers give the indicator and its year. Under the
    kommuner: "Länet" with how many kommuner gave each answer, and "Riket" with the shares.
    ``stadsdelar`` (``lansrapport.stadsdel_rows``): each stadsdel's answers in a row right under its
    kommun's, indented and marked ↳, coloured by the answer as the kommuner are; they are not among
    the kommuner that Länet counts. ``fordelningar``: the område's answer distributions when the caller
    has them (``Omrade.fordelningar``; a table of more indicators than this one's is fine).
    """
    t = table[table.typ.isin(lansrapport.ANSWER_TYPES)]
    if t.empty:
        return None
    kalla = table.attrs.get("kalla") or ds.kalla
    grey = colours.check_palette(palett)["saknas"]
    if "färg" not in t.columns:
        t = colours.classify(t, palett=palett)
    sd = _stadsdelar_for(stadsdelar, t)
    fills = {(k, v): f for k, v, f in zip(t.kpi, t["värde"], t["färg"], strict=True) if v == v}
    all_groups = lansrapport.chapters(ds, list(dict.fromkeys(t.kpi)))
    heads = t.drop_duplicates("kpi").set_index("kpi")
    dist = _distributions(ds, t, fordelningar)
    grouped = len(all_groups) > 1 or all_groups[0][0] != lansrapport.OVRIGA[0]
    # each kommun's answers read once (kod -> kpi -> value, text, fill, reason), not a frame lookup per cell
    answers: dict[str, dict] = {}
    names: dict[str, str] = {}
    for kod, kommun, k, v, txt, fill, reason in zip(t.kommunkod, t.kommun, t.kpi, t["värde"], t["värde_text"],
                                                      t["färg"], t["saknas_orsak"], strict=True):
        answers.setdefault(kod, {})[k] = (v, txt, fill, reason)
        names.setdefault(kod, kommun)
    tables_html = []
    for groups in _column_chunks(all_groups, MATRIX_WIDE):
        kpis = [k for _, _, ks in groups for k in ks]
        rows = ["<thead>"]
        if grouped:
            rows.append("<tr><th class='hörn' rowspan='2' scope='col'>Kommun</th>"
                        + "".join(f"<th class='grupp' colspan='{len(ks)}' scope='colgroup'>"
                                  f"{_e(soft_hyphens(gt, 8))}</th>" for _, gt, ks in groups) + "</tr><tr>")
        else:
            rows.append("<tr><th class='hörn' scope='col'>Kommun</th>")
        rows.append("".join(f"<th scope='col'>{_e(soft_hyphens(heads.at[k, 'indikator'], 8))} "
                            f"<span class='år'>({heads.at[k, 'år']})</span></th>" for k in kpis))
        rows.append("</tr></thead><tbody>")
        for _kod, mine in answers.items():
            cells = []
            for k in kpis:
                v, txt, fill, reason = mine[k]
                if pd.isna(v):
                    cells.append(_cell(f"Saknas ({txt})" if txt and txt != "saknas" else "Saknas", fill or grey,
                                       reason if isinstance(reason, str) else ""))
                else:
                    cells.append(_cell(txt, fill))
            rows.append(f"<tr><th class=\"row_heading\" scope='row'>{_e(names[_kod])}</th>"
                        f"{''.join(cells)}</tr>")
            rows += _stadsdel_matrix_rows(sd, _kod, kpis, fills, grey)
        for label, col in (("Länet", "länet"), ("Riket", "riket")):
            cells = "".join(f"<td class='fordelning{' skala' if heads.at[k, 'typ'] == 'skala' else ''}'>"
                            f"<strong>{_e(dist.at[k, f'{col}_andel'])}</strong><br>"
                            f"{'<br>'.join(_e(x) for x in dist.at[k, f'{col}_rader'])}</td>"
                            for k in kpis)
            rows.append(f"<tr class='jamforelse'><th scope='row'>{label}</th>{cells}</tr>")
        rows.append("</tbody>")
        tables_html.append(f"<div class='rulla'><table class='matris'>{''.join(rows)}</table></div>")
    lines = [level_rule(palett) + " " + colours.FORKLARING,
             "Länet och riket: andelen kommuner med det bästa svaret (Ja eller skalans högsta nivå) bland dem som "
             "svarat, och under den hur många av länets kommuner som gett varje svar (för riket andelen per svar). "
             "Inga medelvärden av svarskoder."]
    if sd is not None:
        lines.append(f"{STADSDEL_NOTE} Deras svar färgas efter svaret, som kommunernas.")
    head = f"<h4>{_e(title)}</h4>" if title else ""
    return HtmlTable(f"<div class='oj-tabell oj-matris'>{_fill_rules(''.join(tables_html))}{head}{_mark(kalla)}"
                     f"{''.join(tables_html)}"
                     f"{_notes(lines, kalla)}</div>")


MATRIX_WIDE = 13  # answer columns in one matrix before it is split (at kvalitetsområde borders)

# ---------------------------------------------------------------- stadsdelar under their kommun

STADSDEL_MARK, STADSDEL_STYLE, STADSDEL_NOTE = tables.STADSDEL_MARK, tables.STADSDEL_STYLE, tables.STADSDEL_NOTE
NO_STADSDEL_VALUE = "Ingen uppgift för stadsdelen i den inlästa filen"


def _stadsdelar_for(stadsdelar: pd.DataFrame | None, table: pd.DataFrame) -> pd.DataFrame | None:
    """The stadsdel rows of the table's kommuner and indicators, or None when there are none."""
    if stadsdelar is None or stadsdelar.empty:
        return None
    sd = stadsdelar[stadsdelar.kpi.isin(set(table.kpi)) & stadsdelar.kommunkod.isin(set(table.kommunkod))]
    return None if sd.empty else sd


def _stadsdel_matrix_rows(sd: pd.DataFrame | None, kommunkod: str, kpis: list[str], fills: dict, grey: str) \
        -> list[str]:
    """The matrix rows of one kommun's stadsdelar (those with an answer in these columns). A cell takes the
    colour the kommuner's same answer has in the column (answers are coloured by level, not by rank; an
    answer no kommun gave stays white)."""
    if sd is None:
        return []
    own = sd[(sd.kommunkod == kommunkod) & sd.kpi.isin(kpis)]
    out = []
    for name, part in own.groupby("stadsdel", sort=False):
        values = part.set_index("kpi")
        cells = []
        for k in kpis:
            if k not in values.index:
                cells.append(f"<td title='{_e(NO_STADSDEL_VALUE)}'>–</td>")
                continue
            v, txt = values.at[k, "värde"], values.at[k, "värde_text"]
            if pd.isna(v):
                cells.append(_cell(f"Saknas ({txt})" if txt and txt != "saknas" else "Saknas", grey))
            else:
                cells.append(_cell(txt, fills.get((k, v), "#FFFFFF")))
        out.append(f"<tr class='oj-stadsdel'><th class=\"row_heading oj-stadsdel\" scope='row' "
                   f"style='{STADSDEL_STYLE}'>{_e(STADSDEL_MARK + str(name))}</th>{''.join(cells)}</tr>")
    return out


def _column_chunks(groups: list[tuple[str, str, list[str]]], most: int) -> list[list[tuple[str, str, list[str]]]]:
    """Chapter groups packed into tables of at most ``most`` columns, in order; a group wider than that
    is split into pieces of its own (its title repeated)."""
    pieces = [(key, title, kpis[i:i + most]) for key, title, kpis in groups for i in range(0, len(kpis), most)]
    out: list[list[tuple[str, str, list[str]]]] = [[]]
    for piece in pieces:
        if out[-1] and sum(len(p[2]) for p in out[-1]) + len(piece[2]) > most:
            out.append([])
        out[-1].append(piece)
    return out


# ---------------------------------------------------------------- numeric overview

TYPE_TITLES = {"andel": "Andelar", "kr_per_inv": "Kostnader (kronor per invånare)", "antal": "Antal och medelvärden"}


def numeric_overviews(table: pd.DataFrame, title: str = "", stadsdelar: pd.DataFrame | None = None) -> list[HtmlTable]:
    """The coloured overview of the indicators that are not answers; split by value type when wide.
    ``stadsdelar`` (``lansrapport.stadsdel_rows``): rows under their kommun in each part that has their values."""

    t = table[~table.typ.isin(lansrapport.ANSWER_TYPES)]
    if t.empty:
        return []
    parts = [(title, t)]
    if t.kpi.nunique() > WIDE:  # by value type, and a type still too wide in parts of WIDE columns
        parts = []
        for typ in dict.fromkeys(t.typ):
            name = f"{title}: {TYPE_TITLES.get(typ, typ)}" if title else TYPE_TITLES.get(typ, typ)
            kpis = list(dict.fromkeys(t.loc[t.typ == typ, "kpi"]))
            k = -(-len(kpis) // WIDE)  # as few parts as fit, of even size
            size = -(-len(kpis) // k)
            chunks = [kpis[i:i + size] for i in range(0, len(kpis), size)]
            for n, chunk in enumerate(chunks, start=1):
                label = f"{name} ({n} av {len(chunks)})" if len(chunks) > 1 else name
                parts.append((label, t[t.kpi.isin(chunk)]))
    out = []
    for n, (part_title, part) in enumerate(parts, start=1):
        part = part.copy()
        part.attrs = dict(table.attrs)  # the colour rule is the same for every part: said once, under the last
        note = True if n == len(parts) else f"Färgerna förklaras under tabellen ”{parts[-1][0]}”."
        out.append(tables.overview(part, title=part_title or None, rule_note=note, stadsdelar=stadsdelar))
    return out


# ---------------------------------------------------------------- sammanfattande bild

def _arrows(up: int, down: int, same: int) -> str:
    """A kommun's counts of changes, each after its arrow in its colour (the table's notes say what the
    arrows mean; a title per count, which did not print, was a third of the table's bytes)."""
    if up + down + same == 0:
        return "<span class='ingen'>–</span>"
    return f"<i class=u>{UPP}&nbsp;{up}</i> <i class=n>{NED}&nbsp;{down}</i> <i class=l>{LIKA}&nbsp;{same}</i>"


def kommun_summary_table(summary: pd.DataFrame, stadsdelar: pd.DataFrame | None = None) -> HtmlTable:
    """The sammanfattande bild: per kommun Ja of N answered (headed by the answers' years) and the
    changes, with arrows. ``stadsdelar`` (``lansrapport.stadsdel_summary``): their answer counts under
    their kommun, without changes."""
    sd = stadsdelar if stadsdelar is not None and not stadsdelar.empty else None
    kalla = summary.attrs.get("kalla", "")
    has_scale = summary.topp_med_svar.sum() > 0
    years = " och ".join(str(y) for y in summary.attrs.get("ja_år", []))
    head = ["Kommun", f"Ja-svar {years}".strip()] + (["Högsta nivån på skalfrågor"] if has_scale else []) + \
           ["Svar sedan föregående jämförbara år", "Nyckeltal sedan föregående jämförbara år", "Jämfört med år"]
    body = []
    for r in summary.itertuples(index=False):
        cells = [f"<td class='tal'>{r.ja} av {r.ja_med_svar}</td>"]
        if has_scale:
            cells.append(f"<td class='tal'>{r.topp} av {r.topp_med_svar}</td>")
        cells += [f"<td>{_arrows(r.svar_upp, r.svar_ned, r.svar_lika)}</td>",
                  f"<td>{_arrows(r.tal_upp, r.tal_ned, r.tal_lika)}</td>", f"<td>{_e(r.jamfort_med)}</td>"]
        body.append(f"<tr><th scope='row'>{_e(r.kommun)}</th>{''.join(cells)}</tr>")
        for s in (sd[sd.kommunkod == r.kommunkod].itertuples(index=False) if sd is not None else ()):
            cells = [f"<td class='tal'>{s.ja} av {s.ja_med_svar}</td>"]
            if has_scale:
                cells.append(f"<td class='tal'>{s.topp} av {s.topp_med_svar}</td>")
            cells += ["<td><span class='ingen'>–</span></td>"] * 2 + ["<td>–</td>"]
            body.append(f"<tr class='oj-stadsdel'><th scope='row' style='{STADSDEL_STYLE}'>"
                        f"{_e(STADSDEL_MARK + str(s.stadsdel))}</th>{''.join(cells)}</tr>")
    lines = [f"Ja-svar: antal Ja-frågor som kommunen svarat Ja på, av dem den besvarat. {UPP} förbättring, "
             f"{NED} försämring, {LIKA} oförändrad: för svar att kommunen gått från Nej till Ja eller till en högre "
             "nivå på skalan (eller tvärtom); för nyckeltal med önskvärd riktning en förändring större än "
             f"toleransen ({lansrapport.TOLERANS_KORT}). Jämförelsen görs med föregående "
             "år med jämförbart värde; indikatorer utan tidigare jämförbart värde och kostnader utan önskvärd "
             "riktning räknas inte."]
    if sd is not None:
        lines.append(f"{STADSDEL_NOTE} För dem visas inga förändringar.")
    html_head = "".join(f"<th scope='col'>{_e(h)}</th>" for h in head)
    style = f"<style>{_change_style('.oj-sammanfattande')}</style>"
    return HtmlTable(f"<div class='oj-tabell oj-sammanfattande'>{style}{_mark(kalla)}<div class='rulla'><table>"
                     f"<thead><tr>{html_head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
                     f"{_notes(lines, kalla)}</div>")


# the arrow and class of a change as trends.trend_table judges it (ökning/minskning: no desired direction)
_CHANGE = {"förbättring": (UPP, "upp"), "försämring": (NED, "ned"), "oförändrad": (LIKA, "lika"),
           "ökning": ("↗", "lika"), "minskning": ("↘", "lika")}
# a development table's change, one of ~2 000 cells of an Översikt: its class one letter, its colour that of
# report.css's .upp/.ned/.lika
_CHANGE_CLASS = {"upp": "u", "ned": "n", "lika": "l"}
_CHANGE_COLOUR = {"u": "#1a7f37", "n": "#b42318", "l": "#666"}


def _change_style(scope: str) -> str:
    """The rules of a change's ``<i class=u|n|l>`` inside ``scope`` (a table's id or class), in the table's own
    style sheet so that a notebook shows the colours too."""
    return (f"{scope} i{{font-style:normal}}"
            + "".join(f"{scope} i.{c}{{color:{colour}}}" for c, colour in _CHANGE_COLOUR.items()))


TREND_COLUMNS = 6  # indicators to a table of kommunernas utveckling (wider does not fit 1400 px or A4)


def kommun_trend_tables(trender: pd.DataFrame, kpis: list[str], title: str = "",
                        stadsdelar: pd.DataFrame | None = None,
                        coloured: pd.DataFrame | None = None) -> list[HtmlTable]:
    """Each kommun's development on the numeric indicators ``kpis``, ``TREND_COLUMNS`` indicators to a
    table: per kommun and indicator the value, an arrow for the change since the previous comparable
    year (as ``trends.trend_table`` judges it) and the change itself; länet and riket last.
    ``stadsdelar`` (``lansrapport.stadsdel_rows``): their latest value under their kommun (no change).
    ``coloured`` (the område's coloured table, ``ranking.lan_table``): each kommun's value in the colour it
    has there, its colour rule under the last table (the page's one table of these values)."""
    order = [k for k in kpis if k in set(trender.kpi)]
    chunks = [order[i:i + TREND_COLUMNS] for i in range(0, len(order), TREND_COLUMNS)]
    titles = [title + (f" ({n} av {len(chunks)})" if len(chunks) > 1 else "") for n in range(1, len(chunks) + 1)]
    legend = ("", "")
    if coloured is not None:
        shown = coloured[coloured.kpi.isin(order)].copy()
        shown.attrs = dict(coloured.attrs)
        rule = tables.notes(shown)[0]
        legend = (f"Värdets färg: {rule}", tables.colour_rules_html(shown))
    return [_kommun_trend_table(trender, part, titles[n], stadsdelar, coloured,
                                legend if n == len(chunks) - 1 else
                                (f"Färgerna förklaras under tabellen ”{titles[-1]}”.", ""))
            for n, part in enumerate(chunks)]


def _stadsdel_trend_rows(sd: pd.DataFrame | None, kommunkod: str, order: list[str]) -> list[str]:
    if sd is None:
        return []
    out = []
    for name, part in sd[sd.kommunkod == kommunkod].groupby("stadsdel", sort=False):
        values = part.set_index("kpi")["värde_text"]
        cells = "".join(f"<td>{_e(values[k])}</td>" if k in values.index
                        else f"<td title='{_e(NO_STADSDEL_VALUE)}'>–</td>" for k in order)
        out.append(f"<tr class='oj-stadsdel'><th scope='row' style='{STADSDEL_STYLE}'>"
                   f"{_e(STADSDEL_MARK + str(name))}</th>{cells}</tr>")
    return out


def _kommun_trend_table(trender: pd.DataFrame, order: list[str], title: str,
                        stadsdelar: pd.DataFrame | None = None, coloured: pd.DataFrame | None = None,
                        legend: tuple[str, str] = ("", "")) -> HtmlTable:
    t = trender[trender.kpi.isin(order)]
    kalla = trender.attrs.get("kalla", "")
    heads = t.drop_duplicates("kpi").set_index("kpi")
    cells = {(r.kod, r.kpi): r for r in t.itertuples(index=False)}
    units = t.drop_duplicates("kod")[["kod", "namn", "nivå"]]
    # per indicator the year most of its changes are counted from (said once, in the column's heading)
    changed = t[t.jämfört_med_år.notna() & t.förändring.notna()]
    since_year = {k: int(years.mode().min()) for k, years in changed.groupby("kpi").jämfört_med_år}
    fills: dict = {}
    short: dict = {}  # a kommun's missing value: the coloured table's short reason, its long text said once below
    if coloured is not None:
        c = coloured[coloured.kpi.isin(order)]
        fills = dict(zip(zip(c.kommunkod, c.kpi, strict=True), c["färg"], strict=True))
        gone = c[c["värde"].isna()]
        short = dict(zip(zip(gone.kommunkod, gone.kpi, strict=True), gone["värde_text"], strict=True))
    reasons: dict = {}
    # one class per colour (a handful) on a kommun's cell, its rule in the table's own style sheet, scoped by the
    # table's id; white borders part the cells as in the answer matrix
    klass = {f: f"f{i}" for i, f in enumerate(dict.fromkeys(v for v in fills.values() if isinstance(v, str)))}

    def td(kod: str, k: str) -> str:
        fill = fills.get((kod, k))
        return f"<td class={klass[fill]}>" if fill in klass else "<td>"

    def cell(r, kod: str, k: str) -> str:
        if r is None or pd.isna(r.värde):
            text = (getattr(r, "kommentar", "") or "saknas") if r is not None else "saknas"
            if isinstance(short.get((kod, k)), str) and text != "saknas":  # a grey cell one line high
                reasons[text] = None
                text = short[(kod, k)]
            return f"{td(kod, k)}{_e(text)}</td>"
        arrow, cls = _CHANGE.get(r.bedömning, ("", "lika"))
        change = ""
        if pd.notna(r.jämfört_med_år) and pd.notna(r.förändring):
            # a change of a share is in procentenheter, not per cent: "84,8 % ▼ −1,8 pe"; the year it is
            # counted from stands in the column's heading, and in the cell only where it is another
            diff = formatting.format_difference(r.förändring, r.typ, r.enhet, short=True)
            year = int(r.jämfört_med_år)
            since = "" if year == since_year.get(k) else f" sedan\u00a0{year}"
            change = f" <i class={_CHANGE_CLASS[cls]}>{arrow}\u00a0{_e(diff)}{since}</i>"
        # no class per cell: the table's style sheet sets its cells right (report.css, .oj-utveckling td)
        return f"{td(kod, k)}{_e(r.värde_text)}{change}</td>"

    rows = {"body": [], "foot": []}
    sd = _stadsdelar_for(stadsdelar, t.assign(kommunkod=t.kod))
    for u in units.itertuples(index=False):
        label = {"län": "Länet", "riket": "Riket"}.get(u.nivå, u.namn)
        kod = u.kod if u.nivå == "kommun" else None  # länet and riket are never coloured
        row = (f"<tr><th scope='row'>{_e(label)}</th>"
               + "".join(cell(cells.get((u.kod, k)), kod, k) for k in order) + "</tr>")
        rows["body" if u.nivå == "kommun" else "foot"].append(row)
        if u.nivå == "kommun":
            rows["body"] += _stadsdel_trend_rows(sd, u.kod, order)
    head = "".join(f"<th scope='col'>{_e(soft_hyphens(heads.at[k, 'indikator']))} "
                   f"<span class='år'>({_e(heads.at[k, 'år'])}"
                   + (f", förändring sedan {since_year[k]}" if k in since_year else "") + ")</span></th>"
                   for k in order)
    lines = [f"Värdet senaste året och förändringen sedan föregående jämförbara år (året står i kolumnens rubrik, "
             f"i cellen där det är ett annat): {UPP} förbättring, {NED} försämring, {LIKA} oförändrad (inom "
             f"toleransen, {lansrapport.TOLERANS_KORT}); ↗ ökning och ↘ minskning för mått utan önskvärd riktning."
             + (" En andels förändring står i procentenheter (pe)."
                if (t.typ.map(formatting.DIFFERENCE_UNIT) == "procentenheter").any() else "")]
    if reasons:
        lines.append(f"Saknade värden: {'; '.join(reasons)}.")
    if legend[0]:
        lines.append(legend[0])
    if sd is not None:
        lines.append(STADSDEL_NOTE + " Stadsdelarna visar senaste årets värde, utan förändring."
                     + (f" {tables.STADSDEL_NOT_COLOURED}" if klass else ""))
    h = f"<h4>{_e(title)}</h4>" if title else ""
    ident = "ojutv_" + hashlib.sha1(f"{title}|{order}|{sorted(fills.items())}".encode()).hexdigest()[:10]
    # a change's colour by its one-letter class (the table's own style sheet, so a notebook shows it too);
    # on a coloured cell it keeps its green or red on white
    style = ("<style>" + _change_style(f"#{ident}")
             + "".join(f"#{ident} .{c}{{background:{f};color:{colours.text_colour(f)}}}" for f, c in klass.items())
             + (f"#{ident} td[class]{{border:1px solid #fff}}"
                f"#{ident} td[class] i{{background:#fff;padding:0 3px;border-radius:2px}}" if klass else "")
             + "</style>")
    return HtmlTable(f"<div class='oj-tabell oj-utveckling' id='{ident}'>{style}{h}{_mark(kalla)}"
                     "<div class='rulla'><table>"
                     f"<thead><tr><th scope='col'>Kommun</th>{head}</tr></thead><tbody>{''.join(rows['body'])}"
                     f"{''.join(rows['foot'])}</tbody></table></div>{_notes(lines, kalla)}{legend[1]}</div>")


# ---------------------------------------------------------------- bakgrundsmått

BAKGRUND_NOT = ("Bakgrundsmått ger sammanhang före jämförelsen: de färgas inte och rangordnas inte, och ett högre "
                "eller lägre värde är varken bättre eller sämre.")
BERAKNAT = "*"
BERAKNADE = {aggregate.AVSER_OVAGT: "ovägt medel av kommunernas värden",
             aggregate.AVSER_SUMMA: "summan av kommunernas värden (för antal invånare)"}


def beraknat_text(avser) -> str:
    """The note under a bakgrundsmått table for its marked län/riket values, computed from the kommuner."""
    kinds = formatting.and_list([BERAKNADE[a] for a in BERAKNADE if a in set(avser)])
    return f"{BERAKNAT} Beräknat ur kommunerna, inte länets eller rikets eget värde: {kinds}."


def bakgrund_table(rader: pd.DataFrame, title: str = "") -> HtmlTable:
    """The bakgrundsmått (``lansrapport.bakgrund``) as one compact table: the kommuner (or the one kommun)
    and under them länet and riket, one column per indicator headed by its year and unit. Plain cells:
    never a colour, a rank or an arrow. Indicators without values are named under the table."""
    kalla = rader.attrs.get("kalla", "")
    shown = rader[rader["nivå"].notna()]
    gone = rader[rader["nivå"].isna()].drop_duplicates("kpi")
    lines = [BAKGRUND_NOT]
    if rader.empty:
        lines.append("Indikatorkatalogen har inga bakgrundsmått för området (kvalitetsomrade: bakgrund).")
    if len(gone):
        names = ", ".join(f"{r.indikator} ({r.kpi})" for r in gone.itertuples(index=False))
        lines.append(f"Utan värden i datakällan: {names}.")
    table = ""
    computed: set[str] = set()  # what the marked län/riket values are: ovägt medel, summa
    if not shown.empty:
        order = list(dict.fromkeys(shown.kpi))
        heads = shown.drop_duplicates("kpi").set_index("kpi")
        cells = {(r.kod, r.kpi): r for r in shown.itertuples(index=False)}
        units = shown.drop_duplicates("kod")[["kod", "namn", "nivå"]]

        missing: dict[tuple[str, str], list[str]] = {}

        def cell(r) -> str:
            if r is None:
                return "<td class='tal'>–</td>"
            if pd.isna(r.värde):  # why, once under the table: a long reason in a cell breaks the compact table
                missing.setdefault((r.indikator, r.värde_text), []).append(r.namn)
                return f"<td class='tal' title='{_e(r.värde_text)}'>–</td>"
            mark = ""
            if r.avser in BERAKNADE:
                computed.add(r.avser)
                mark = f"<span class='beraknat' title='{_e(r.avser)}'>{BERAKNAT}</span>"
            return f"<td class='tal'>{_e(r.värde_text)}{mark}</td>"

        body = []
        for u in units.itertuples(index=False):
            label = {"län": "Länet", "riket": "Riket"}.get(u.nivå, u.namn)
            cls = {"län": " class='jamforelse forsta'", "riket": " class='jamforelse'"}.get(u.nivå, "")
            body.append(f"<tr{cls}><th scope='row'>{_e(label)}</th>"
                        + "".join(cell(cells.get((u.kod, k))) for k in order) + "</tr>")
        head = "".join(f"<th scope='col'>{_e(soft_hyphens(heads.at[k, 'indikator']))} "
                       f"<span class='år'>({int(heads.at[k, 'år'])})</span><br>"
                       f"<span class='enhet'>{_e(heads.at[k, 'enhet'])}</span></th>" for k in order)
        years = sorted({int(y) for y in heads["år"]})
        lines.insert(1, f"Senaste år med värden för varje mått: {formatting.and_list([str(y) for y in years])} "
                        "(året står i kolumnens rubrik).")
        table = (f"<div class='rulla'><table><thead><tr><th scope='col'>Kommun</th>{head}</tr></thead>"
                 f"<tbody>{''.join(body)}</tbody></table></div>")
        for (indikator, why), names in missing.items():
            lines.append(f"Saknas (–): {indikator} för {formatting.and_list(names)} – {why}.")
    if computed:
        lines.append(beraknat_text(computed))
    h = f"<h4>{_e(title)}</h4>" if title else ""
    return HtmlTable(f"<div class='oj-tabell oj-bakgrund'>{h}{_mark(kalla)}{table}"
                     f"{_notes(lines, kalla, derived=bool(computed))}</div>")


# ---------------------------------------------------------------- förbättringsområden

def improvement_list(areas: pd.DataFrame) -> HtmlTable:
    """Förbättringsområden as two short lists, with the rules that chose them."""
    kalla = areas.attrs.get("kalla", "")
    parts = []
    for regel, title in (("under_riket", "Där länet ligger längst under riket"),
                         ("forsamring", "Där länet har försämrats mest")):
        rows = areas[areas.regel == regel]
        items = "".join(f"<li><strong>{_e(r.indikator)}</strong> ({r.år}): {_e(r.text)}</li>"
                        for r in rows.itertuples(index=False))
        parts.append(f"<h4>{title}</h4>" + (f"<ol>{items}</ol>" if items else
                                             "<p>Ingen indikator uppfyller regeln.</p>"))
    rules = "".join(f"<li>{_e(r)}</li>" for r in lansrapport.REGLER)
    return HtmlTable(f"<div class='oj-forbattring'><div class='listor'>{''.join(f'<div>{x}</div>' for x in parts)}"
                     f"</div><details class='oj-regler'><summary>Så har "
                     f"indikatorerna valts</summary><ul class='oj-not'>{rules}</ul></details>"
                     f"{_notes([], kalla)}</div>")


# ---------------------------------------------------------------- datatäckning

def coverage_table(ds, table: pd.DataFrame) -> HtmlTable:
    """Which kommuner have a value per indicator, and why the others do not (in Swedish): the
    indicators every kommun has in one sentence, the others as a short list in columns."""
    cov = coverage.coverage(ds, table=table)
    complete = cov[cov.med_värde == cov.antal_kommuner]
    items = []
    for r in cov[cov.med_värde < cov.antal_kommuner].itertuples(index=False):
        missing = r.utan_värde or "–"
        items.append(f"<li><strong>{_e(r.indikator)}</strong> ({r.år}): {r.med_värde} av {r.antal_kommuner} "
                     f"kommuner har värde; saknas för {_e(missing)}</li>")
    kalla = table.attrs.get("kalla") or ds.kalla
    full = ""
    if len(complete):
        names = "; ".join(f"{r.indikator} ({r.år})" for r in complete.itertuples(index=False))
        n = int(complete.antal_kommuner.iloc[0])
        full = f"<p>Alla {n} kommuner har värde för {len(complete)} av {len(cov)} indikatorer: {_e(names)}.</p>"
    rest = (f"<p>Övriga {len(items)} indikatorer, med de kommuner som saknar värde och orsaken:</p>"
            f"<ul>{''.join(items)}</ul>" if items else "")
    return HtmlTable(f"<div class='oj-tabell oj-tackning'>{full}{rest}{_notes([], kalla)}</div>")


def missing_indicators(ds, table: pd.DataFrame, omrade: str) -> str:
    """Markdown naming the catalogue's indicators of the område that have no values (or '')."""
    shown = set(table.kpi)
    gone = [i for i in ds.cat.jamforda(omrade) if i.kpi not in shown]
    if not gone:
        return ""
    names = ", ".join(f"{i.namn} ({i.kpi})" for i in gone)
    return f"**Utan värden i datakällan för valt år:** {names}. De finns i katalogen men visas inte."


# ---------------------------------------------------------------- chapters

def _short(avser) -> str:
    """What a comparison value is, in two words: "ovägt medel", "publicerat värde"."""
    text = str(avser)
    return "ovägt medel" if text.startswith("ovägt medel") else ("publicerat värde" if text.startswith("publicerat")
                                                                 else text)


def chapter_intro(ds, table: pd.DataFrame, kpis: list[str], fordelningar: pd.DataFrame | None = None) -> HtmlTable:
    """A chapter's indicators: name, year, the län and riket (distribution of answers; other values
    with what they are), Kolada's title and id, type and direction; two columns when long.
    ``fordelningar``: the område's answer distributions, as for :func:`answer_matrix`."""

    t = table[table.kpi.isin(kpis)]
    dist = _distributions(ds, t, fordelningar)
    heads = t.drop_duplicates("kpi").set_index("kpi")
    kind = {"ja_nej": "Ja/Nej", "skala": "skala", "andel": "andel", "kr_per_inv": "kronor per invånare",
            "antal": "antal"}
    items = []
    for k in kpis:
        ind, h = ds.cat[k], heads.loc[k]
        if ind.typ in lansrapport.ANSWER_TYPES:
            value = f"länet {dist.at[k, 'länet_text']}; riket {dist.at[k, 'riket_text']}"
        else:
            f = lambda x, h=h: formatting.format_number(x, h.typ, h.enhet)  # noqa: E731
            few = aggregate.lan_underlag(h)
            value = (f"länet {f(h.länet)} ({_short(h.länet_avser)}{'; ' + few if few else ''}); riket {f(h.riket)} "
                     f"({_short(h.riket_avser)})")
        extra = f" Jämförbar från {ind.jamforbar_fran}." if ind.jamforbar_fran and ind.jamforbar_fran > ind.ar_fran \
            else ""
        items.append(f"<li><strong>{_e(ind.namn)}</strong> ({h['år']}): {_e(value)}. <em>{_e(ind.titel)}</em> "
                     f"({_e(ind.kpi)}; {kind.get(ind.typ, ind.typ)}; {RIKTNINGAR[ind.riktning].lower()}).{extra}</li>")
    cls = "oj-kapitel tva" if len(items) >= 4 else "oj-kapitel"
    return HtmlTable(f"<ul class='{cls}'>{''.join(items)}</ul>")


def _md(text) -> str:
    """Text from the catalogue or data, safe inside Markdown (no emphasis or markup of its own)."""
    out = str(text)
    for ch in "\\`*_[]<>#|":
        out = out.replace(ch, "\\" + ch)
    return out


# ---------------------------------------------------------------- inledning

def inledning(p, ds, tables_by_omrade: dict) -> HtmlTable:
    """The Inledning: syfte, mätperiod, datakällor and läsanvisning (colours, averages, arrows,
    comparability, the analyst's comments), in two columns on a wide screen."""

    n_ind = sum(t.kpi.nunique() for t in tables_by_omrade.values())
    n_kom = next(iter(tables_by_omrade.values())).kommunkod.nunique()
    period = "; ".join(lansrapport.period_text(t) for t in tables_by_omrade.values())
    example = (f"**{EXEMPELDATA_MARK}.** Värdena är genererade för att visa verktyget; de följer verkliga "
               "nationella nivåer där sådana är publicerade, men ingen kommuns värde är verkligt." if ds.is_example
               else "")
    lines = [
        "### Syfte",
        f"Rapporten visar hur {_md(p.lan_namn)}s {n_kom} kommuner ligger till i Öppna jämförelser för "
        f"{_md(p.omrade_text.lower())}, jämfört med varandra, med länet som helhet och med riket. Den är ett "
        "underlag för att se var länet och kommunerna har styrkor och var det finns förbättringsområden.",
        "",
        "### Mätperiod",
        f"{n_ind} indikatorer. Senaste år med värden: {period}. Utvecklingen över tid visas för de år som är "
        "jämförbara med det senaste; ett definitionsbrott visas som ett avbrott i linjen och överbryggas inte.",
        "",
        "### Datakällor",
        f"{_md(source_line(ds.kalla))}; data {_md(data_date(ds))}; {len(ds.cat)} indikatorer i katalogen, år "
        f"{ds.years[0]}–{ds.years[-1]}. Öppna jämförelser tas fram av Socialstyrelsen och SKR; kommunernas svar "
        "kommer från Socialstyrelsens enkäter, övriga mått från Kolada.",
        *(["", example] if example else []),
        "",
        "### Läsanvisning",
        "- **Kapitlen** följer Öppna jämförelsers kvalitetsområden: först indikatorerna med länets och rikets "
        "värden, sedan kommunerna rangordnade för mått som är tal.",
        "- **Ja/Nej- och skalfrågor** visas i en matris, en rad per kommun och en kolumn per fråga. "
        + level_rule(),
        "- **Övriga mått** färgas efter var kommunen ligger bland kommunerna. "
        + colours.describe(p.fargstrategi).replace(colours.NOTE_SVAR, "").replace("  ", " "),
        "- **Länet och riket** för Ja/Nej- och skalfrågor är andelen kommuner med Ja (eller skalans högsta nivå) "
        "och fördelningen av kommunernas svar, t.ex. \"85 % Ja (11 av 13 kommuner Ja, 2 Nej)\" – aldrig ett "
        "medelvärde av svarskoder. För andra mått står alltid vad "
        "värdet är: *ovägt medel av kommunerna* (varje kommun väger lika: den typiska kommunen) eller "
        "*publicerat värde* (vägt efter befolkning eller antal brukare: den typiska invånaren).",
        f"- **Pilar** i den sammanfattande bilden: {UPP} förbättring, {NED} försämring och {LIKA} oförändrad sedan "
        "föregående jämförbara år.",
        "- **Analytikerns kommentarer** står i inramade rutor märkta *Analytikerns kommentar*; allt annat är "
        "framräknat ur data.",
    ]
    return HtmlTable(f"<div class='oj-inledning'>{markdown(chr(10).join(lines), trusted=False)}</div>")


# ---------------------------------------------------------------- enheter

SORT_JS = (  # a click on a heading of an oj-sorterbar table sorts its rows by that column: by a cell's
    # data-v where it has one, else by its number as shown ("84,55", "−1 234") or its text; "saknas" cells first
    "(function(){function k(c){if('v' in c.dataset)return c.dataset.v;if(c.classList.contains('saknas'))"
    "return '';var n=c.textContent.replace(/[\\s\\u00a0]/g,'').replace('\\u2212','-').replace(',','.');"
    "return c.classList.contains('tal')&&!isNaN(parseFloat(n))?n:c.textContent}"
    "document.querySelectorAll('table.oj-sorterbar').forEach(function(t){if(t.dataset.ojSort)"
    "return;t.dataset.ojSort='1';t.querySelectorAll('thead th').forEach(function(th,i){th.style.cursor='p"
    "ointer';th.title='Klicka för att sortera';th.addEventListener('click',function(){var b=t.tBodies[0],"
    "rows=Array.from(b.rows),up=th.dataset.dir!=='upp';t.querySelectorAll('thead th').forEach(function(x)"
    "{delete x.dataset.dir});th.dataset.dir=up?'upp':'ned';rows.sort(function(a,c){var x=k(a.cells[i]),"
    "y=k(c.cells[i]);var nx=parseFloat(x),ny=parseFloat(y);var r=(isNaN(nx)||isNaN(ny))?Strin"
    "g(x).localeCompare(String(y),'sv'):nx-ny;return up?r:-r});rows.forEach(function(r){b.appendChild(r)}"
    ')})})})})();')


def _shown_number(text: str) -> float | None:
    """The number a cell's text shows ("84,55", "−1 234"), as SORT_JS reads it; None if it shows none."""
    try:
        return float(text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-").replace(",", "."))
    except ValueError:
        return None


def _num_cell(value, text: str) -> str:
    # the sort key is the number shown; data-v only where the text rounds it (one cell in many)
    if value is None or pd.isna(value):
        return f"<td class='tal'>{_e(text)}</td>"
    shown = _shown_number(text)
    key = "" if shown is not None and round(shown, 6) == round(float(value), 6) else f" data-v='{float(value):.6f}'"
    return f"<td class='tal'{key}>{_e(text)}</td>"


def _unit_cell(value, reason) -> str:
    if value is not None and value == value:
        return _num_cell(value, formatting.short_num(value))
    text = reason or "saknas"
    short = text.split(" (")[0]
    return f"<td class='tal saknas' title='{_e(text)}'>{_e(short)}</td>"


def _sortable(head: list[str], body: list[str], foot: list[str], title: str) -> str:
    caption = f"<caption>{_e(title)}</caption>" if title else ""
    tfoot = f"<tfoot>{''.join(foot)}</tfoot>" if foot else ""
    # fixed layout at the page's width, long headings hyphenated: a wide table never shrinks a printed page
    return (f"<table class='oj-tabell oj-sorterbar' style='width:100%;table-layout:fixed;overflow-wrap:anywhere'>"
            f"{caption}<thead><tr>" + "".join(f"<th>{_e(soft_hyphens(h))}</th>" for h in head)
            + f"</tr></thead><tbody>{''.join(body)}</tbody>{tfoot}</table>")


def unit_matrix(values: pd.DataFrame, kalla: str, title: str = "") -> HtmlTable:
    """Units (``units.unit_values`` of one unit type, a län's or one kommun's) as one sortable table: a
    row per unit, a column per indicator; a unit without a value says why (Kolada's status); the
    kommun (when all units are one kommun's), länet and riket last."""
    if values.empty:
        return HtmlTable("<p>Inga enheter har värden för indikatorerna.</p>")
    kpis = list(dict.fromkeys(values.kpi))
    names = values.drop_duplicates("kpi").set_index("kpi")
    head = ["Kommun", "Enhet"] + [f"{names.at[k, 'indikator']} ({names.at[k, 'år']})" for k in kpis]
    cells = {(r.ou, r.kpi): (r.värde, r.saknas_orsak) for r in values.itertuples(index=False)}
    body = []
    for r in values.drop_duplicates("ou").itertuples(index=False):
        body.append(f"<tr><td>{_e(r.kommun)}</td><td>{_e(r.enhet)}</td>"
                    + "".join(_unit_cell(*cells.get((r.ou, k), (None, "Ingen uppgift för enheten"))) for k in kpis)
                    + "</tr>")
    rows = (("Länet", "länet"), ("Riket", "riket"))
    if values.kommunkod.nunique() == 1:  # one kommun's units: its own value first
        rows = ((f"Kommunen ({values.kommun.iloc[0]})", "kommunens_värde"), *rows)
    foot = [f"<tr><th colspan='2'>{_e(label)}</th>" + "".join(
        _num_cell(names.at[k, col], formatting.short_num(names.at[k, col]) if names.at[k, col] == names.at[k, col]
                  else "–") for k in kpis) + "</tr>" for label, col in rows]
    notes = ["Klicka på en rubrik för att sortera. En enhet utan värde visar varför (för få svar: sekretess; "
             "deltog inte: bortfall). Länet och riket är samma värden som i rapportens övriga tabeller."]
    return HtmlTable(f"<div class='oj-enheter'>{_sortable(head, body, foot, title)}{_notes(notes, kalla)}"
                     f"<script>{SORT_JS}</script></div>")


COUNT_NOTE = "Enheter med en rad för någon av indikatorerna det år som visas."


def unit_counts(counts: pd.DataFrame, kalla: str) -> HtmlTable:
    """Per kommun the number of units of each type (``units.counts``)."""
    types = [c for c in counts.columns if c not in ("kommunkod", "kommun")]
    head = "".join(f"<th>{_e(h)}</th>" for h in ["Kommun"] + types)
    rows = "".join(f"<tr><td>{_e(r['kommun'])}</td>" + "".join(f"<td class='tal'>{int(r[t])}</td>" for t in types)
                   + "</tr>" for _, r in counts.iterrows())
    total = "".join(f"<td class='tal'><strong>{int(counts[t].sum())}</strong></td>" for t in types)
    return HtmlTable(f"<div class='oj-enheter'><table class='oj-tabell'><caption>Antal enheter per kommun</caption>"
                     f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody><tfoot><tr><th>Länet</th>{total}</tr>"
                     f"</tfoot></table>{_notes([COUNT_NOTE], kalla)}</div>")


# ---------------------------------------------------------------- delregioner

def delregion_overview(means: pd.DataFrame, members: pd.DataFrame, kalla: str, title: str = "") -> HtmlTable:
    """The län's kommuner grouped by delregion, and a table of each delregion's ovägt medel per indicator
    (``delregion.means``) beside länet and riket; an indicator without a delregion value shows –."""
    groups = list(dict.fromkeys(members.delregion))
    lists = "".join(f"<li><strong>{_e(g)}</strong> ({int((members.delregion == g).sum())} kommuner): "
                    f"{_e(', '.join(members.loc[members.delregion == g, 'kommun']))}</li>" for g in groups)
    head = "".join(f"<th>{_e(h)}</th>" for h in ["Indikator", "Värdet avser"] + [f"{g} (ovägt medel)" for g in groups]
                   + ["Länet", "Riket"])

    def cell(x) -> str:
        return f"<td class='tal'>{'–' if x is None or x != x else _e(formatting.short_num(x))}</td>"

    rows = "".join(f"<tr><td>{_e(r['indikator'])} ({int(r['år'])})</td><td>{_e(r['avser'])}</td>"
                   + "".join(cell(r[g]) for g in groups) + cell(r["länet"]) + cell(r["riket"]) + "</tr>"
                   for _, r in means.iterrows())
    caption = f"<caption>{_e(title)}</caption>" if title else ""
    notes = ["Delregionens värde är det ovägda medlet av dess kommuners värden (utan vikt efter folkmängd); för "
             "Ja/Nej-frågor och skalor andelen av dess kommuner med Ja eller skalans högsta nivå. Länet och riket "
             "är samma värden som i rapportens övriga tabeller. Indelningen: params/delregioner.yml."]
    return HtmlTable(f"<div class='oj-delregioner'><ul>{lists}</ul><table class='oj-tabell'>{caption}<thead><tr>"
                     f"{head}</tr></thead><tbody>{rows}</tbody></table>{_notes(notes, kalla)}</div>")


# ---------------------------------------------------------------- stadsdelar

def stadsdel_table(rows: pd.DataFrame, kalla: str) -> HtmlTable:
    """Each kommun with stadsdelar in the data (``lansrapport.stadsdel_rows``): the kommun's row, then its
    stadsdelar indented and marked ↳, a column per indicator (its year in the heading)."""
    kpis = list(dict.fromkeys(rows.kpi))
    heads = rows.drop_duplicates("kpi").set_index("kpi")
    head = "".join(f"<th>{_e(h)}</th>" for h in ["Kommun / stadsdel"]
                   + [f"{heads.at[k, 'indikator']} ({heads.at[k, 'år']})" for k in kpis])
    body = []
    for kommun, part in rows.groupby("kommun", sort=False):
        own = part.drop_duplicates("kpi").set_index("kpi").kommunens_text
        body.append(f"<tr class='oj-kommunrad'><th scope='row'>{_e(kommun)}</th>"
                    + "".join(f"<td class='tal'>{_e(own.get(k, '–'))}</td>" for k in kpis) + "</tr>")
        for name, sd in part.groupby("stadsdel", sort=False):
            vals = sd.set_index("kpi").värde_text
            body.append(f"<tr class='oj-stadsdel'><th scope='row' style='{STADSDEL_STYLE}'>"
                        f"{_e(STADSDEL_MARK + name)}</th>"
                        + "".join(f"<td class='tal'>{_e(vals.get(k, '–'))}</td>" for k in kpis) + "</tr>")
    notes = ["Stadsdelarnas värden kommer ur inlästa arbetsböcker (oj importera); kommunens rad är samma värde som i "
             "rapportens övriga tabeller. Stadsdelarna ingår inte i länets eller rikets värden."]
    return HtmlTable(f"<div class='oj-stadsdelar'><table class='oj-tabell'><thead><tr>{head}</tr></thead>"
                     f"<tbody>{''.join(body)}</tbody></table>{_notes(notes, kalla)}</div>")


def stadsdel_profile(profile: pd.DataFrame, stadsdel: str, kommun: str, kalla: str) -> HtmlTable:
    """A stadsdel's values (``lansrapport.stadsdel_profile``) per område: a row per indicator with the
    stadsdel's value beside its kommun's, länet's and riket's (what länet and riket are in the last column)."""
    parts = []
    for omrade, rows in profile.groupby("område", sort=False):
        head = "".join(f"<th scope='col'>{_e(h)}</th>" for h in ["Indikator", stadsdel, kommun, "Länet", "Riket",
                                                                 "Länet och riket avser"])
        body = "".join(
            f"<tr><th scope='row'>{_e(r.indikator)} <span class='år'>({int(r.år)})</span></th>"
            + "".join(f"<td class='tal'>{_e(v)}</td>" for v in (r.stadsdel, r.kommun, r.länet, r.riket))
            + f"<td>{_e(r.länet_avser if r.länet_avser == r.riket_avser else f'{r.länet_avser}; {r.riket_avser}')}"
              "</td></tr>" for r in rows.itertuples(index=False))
        parts.append(f"<h2>{_e(omrade_title(omrade))}</h2><div class='rulla'><table class='oj-tabell'>"
                     f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
    notes = [f"{stadsdel} är en del av {kommun}; värdena kommer ur inlästa arbetsböcker (oj importera). Kommunens, "
             "länets och rikets värden är desamma som i länsrapporten: stadsdelen räknas inte in i dem."]
    mark = f"<p class='oj-exempeldata'>{_e(EXEMPELDATA_MARK)}</p>" if has_example(kalla) else ""
    return HtmlTable(f"<div class='oj-stadsdelsprofil'>{mark}{''.join(parts)}{_notes(notes, kalla)}</div>")
