"""``utforska.html``: the site's dashboard, where a reader chooses område, indikator, län, kommun and year.

It works offline from the site's folder, with no server and no Python: the page holds the kommuner,
län, kommungrupper and the kommun boundaries; each område's numbers are one small script beside it
(``utforska-<område>.js``, loaded when the område is chosen: browsers refuse ``fetch`` of local files,
a ``<script src>`` they allow) that hands its data to the page. The site's one ``plotly.min.js`` draws.

Every number, text, colour class and colour rule in the data comes from ojlib's analysis, the same
calls the länsrapport makes (``colours.coloured_kommun_table``: values and their texts, län, riket and
kommungrupp values with what they are, Ja/Nej and scale answers as shares of kommuner, ranks, colour
classes against all kommuner in riket); the page only picks and draws. Per indikator and year (exactly
that year, so a trend never mixes years) it holds, for all 290 kommuner: the value as the reports
write it (numbers as the numbers their texts show, with the decimals and the unit stated once per
indikator; answers as their code, shown by their label), the colour class, the rank in the län, and the
län's, riket's and kommungrupp's values.

:func:`site_files` is what the site calls when it publishes: the page, one data file per område of the
site's reports (kept as they are when their inputs have not changed) and the stale data files to remove.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
from markupsafe import Markup

import ojlib.analysis
from ojlib import EXEMPELDATA_MARK, __version__
from ojlib.analysis import colours
from ojlib.analysis.formatting import format_number, num
from ojlib.analysis.ranking import rang_avser
from ojlib.base import memo
from ojlib.base.errors import OjError
from ojlib.data import catalog, dataset, geo, shared
from ojlib.data.source_lines import has_example, source_line
from ojlib.render import figures, html_export, templating

PAGE = "utforska.html"
DATA_PREFIX = "utforska-"
CALLBACK = "ojlibUtforskaData"
_FP_RE = re.compile(r"^/\* ojlib-utforska ([0-9a-f]{32}) \*/")
_NUMBER = re.compile(r"^[\u2212-]?\d{1,3}(\u00a0\d{3})*(,\d+)?")  # a number as formatting.num writes it


def data_name(omrade: str) -> str:
    return f"{DATA_PREFIX}{omrade}.js"


def _none(x):
    """A JSON value: None for missing (NaN, NA), plain Python numbers."""
    if x is None or x is pd.NA:
        return None
    if isinstance(x, float | np.floating):
        return None if np.isnan(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def unit_suffix(ind) -> str:
    """What every formatted value of a number indicator ends with ("\u00a0%", "\u00a0kr", ""): stated once
    per indikator in the data, so each value carries only its number as the reports write it."""
    if ind.typ in ("ja_nej", "skala"):
        return ""
    return _NUMBER.sub("", format_number(0.0, ind.typ, ind.enhet), count=1)


def indicator_info(ind) -> dict:
    """What the page says about an indikator, in the words of the reports' figures."""
    brott = ind.jamforbar_fran if ind.jamforbar_fran and ind.jamforbar_fran > ind.ar_fran else None
    riktning = ind.riktning if isinstance(ind.riktning, str) else None
    return {"kpi": ind.kpi, "namn": ind.namn, "titel": ind.titel, "typ": ind.typ, "riktning": riktning,
            "riktning_text": figures.RIKTNING_TEXT[riktning], "axel": figures._axis_title(ind.typ, ind.enhet),
            "enhet": unit_suffix(ind), "nivaer": {str(k): v for k, v in sorted((ind.nivaer or {}).items())},
            "ar_fran": int(ind.ar_fran), "ar_till": int(ind.ar_till), "brott": brott,
            "anmarkning": ind.anmarkning, "rang_avser": rang_avser(riktning, ind.typ), "ar": []}


def _as_numbers(shown: list) -> dict:
    """A record's number texts ("82,3", "12 345", None when missing) as numbers and their decimals
    (``{"n": [...], "d": 1}``) when every text is exactly ``formatting.num`` of its number, so the page
    writes each one back as the reports do (decimal comma, spaced thousands); else the texts (``{"t": ...}``)."""
    have = [t for t in shown if t is not None]
    if not have:
        return {"t": shown}
    d = len(have[0].split(",", 1)[1]) if "," in have[0] else 0
    out = []
    for t in shown:
        if t is None:
            out.append(None)
            continue
        try:
            x = float(t.replace("\u00a0", "").replace(",", ".").replace("\u2212", "-"))
        except ValueError:
            return {"t": shown}
        if num(x, d) != t or (x == 0 and t.startswith(("-", "\u2212"))):
            return {"t": shown}
        out.append(int(x) if d == 0 else x)
    return {"n": out, "d": d}


def _first_index(codes: np.ndarray, order: list[str]) -> np.ndarray:
    """Position of the first kommun of each group (in ``order``) among the kommuner."""
    pos = {}
    for i, c in enumerate(codes):
        pos.setdefault(c, i)
    return np.array([pos[c] for c in order])


def _same_or_list(values: list):
    """One value when all are equal (the common case: the same 'avser' for every län), else the list."""
    return values[0] if len(set(map(str, values))) == 1 else values


@dataclass
class _Legends:
    """Legends (label, colour, text colour per palette), each stored once and referred to by number."""

    items: list = field(default_factory=list)
    index: dict = field(default_factory=dict)

    def ref(self, effective: str, riktning, nivaer) -> int:
        entries = {p: colours.legend(effective, p, riktning=riktning, nivaer=nivaer or None) for p in colours.PALETTER}
        item = [[e.namn, *[[entries[p][i].farg, colours.text_colour(entries[p][i].farg)] for p in colours.PALETTER]]
                for i, e in enumerate(entries["standard"])]
        key = json.dumps(item, ensure_ascii=False)
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(item)
        return self.index[key]


def omrade_data(ds, omrade: str, strategi: str = "rang_kvartil") -> dict:
    """The data file's content for one område: every indikator × year with values (see the module doc)."""
    colours.check_strategy(strategi)
    ref = geo.kommuner()
    codes = ref.kommun_kod.to_numpy()
    n_k = len(codes)
    lans = list(geo.lan().lan_kod)
    grupper = sorted(geo.KOMMUNGRUPPER)
    lan_first = _first_index(ref.lan_kod.to_numpy(), lans)
    grp_first = _first_index(ref.kommungrupp_kod.to_numpy(), grupper)
    inds = ds.cat.jamforda(omrade)  # the bakgrundsmått are context, never a coloured map
    info = {i.kpi: indicator_info(i) for i in inds}
    legends = _Legends()
    varden: dict[str, dict[str, dict]] = {}
    kallor: dict[str, str] = {}
    have = ds.df[(ds.df.niva == "kommun") & ds.df.varde.notna() & ds.df.kpi.isin(list(info))]
    for year in sorted(int(y) for y in have.ar.unique()):
        std = colours.coloured_kommun_table(ds, omrade, year, strategi=strategi, rule_palettes=("fargblind",),
                                            exakt_ar=True)  # the colour-blind palette's rule texts beside
        kalla = std.attrs.get("kalla") or ds.kalla
        kallor[str(year)] = source_line(kalla, derived=True)
        cols = {c: std[c].to_numpy() for c in ("kpi", "kommunkod", "värde", "värde_text", "färgkod", "rang_i_länet",
                                                "länet", "länet_text", "länet_avser", "länet_fördelning",
                                                "antal_med_värde_i_länet", "riket", "riket_text", "riket_avser",
                                                "riket_fördelning", "kommungrupp", "kommungrupp_text",
                                                "kommungrupp_avser", "kommungrupp_fördelning", "färgregel",
                                                "färgstrategi")}
        fb_rule = std["färgregel_fargblind"].to_numpy()
        for start in range(0, len(std), n_k):
            end = start + n_k
            kpi = cols["kpi"][start]
            if not (cols["kommunkod"][start:end] == codes).all() or (cols["kpi"][start:end] != kpi).any():
                raise ValueError("kommun_table's rows are not one block of every kommun per indicator")
            ind = ds.cat[kpi]
            answer = ind.typ in ("ja_nej", "skala")
            value = cols["värde"][start:end].astype(float)
            text = cols["värde_text"][start:end]
            missing = np.isnan(value)
            rec: dict = {"k": "".join(str(int(c)) for c in cols["färgkod"][start:end])}
            if answer:
                rec["v"] = [None if m else int(round(v)) for v, m in zip(value, missing, strict=True)]
            else:
                suffix = info[kpi]["enhet"]
                shown = []
                for t, m in zip(text, missing, strict=True):
                    if m:
                        shown.append(None)
                    elif suffix and not str(t).endswith(suffix):
                        raise ValueError(f"{kpi}: value text {t!r} lacks the unit {suffix!r}")  # pragma: no cover
                    else:
                        shown.append(str(t)[: len(str(t)) - len(suffix)] if suffix else str(t))
                rec.update(_as_numbers(shown))
                rec["rl"] = [None if m else int(r) for r, m in zip(cols["rang_i_länet"][start:end], missing,
                                                                     strict=True)]
            odd = {str(i): str(t) for i, (t, m) in enumerate(zip(text, missing, strict=True)) if m and t != "saknas"}
            if odd:
                rec["m"] = odd
            li, gi = start + lan_first, start + grp_first
            rec.update({
                "lan": [_none(x) for x in cols["länet"][li]], "lt": [str(x) for x in cols["länet_text"][li]],
                "la": _same_or_list([_none(x) for x in cols["länet_avser"][li]]),
                "ln": [int(x) for x in cols["antal_med_värde_i_länet"][li]],
                "r": _none(cols["riket"][start]), "rt": str(cols["riket_text"][start]),
                "ra": _none(cols["riket_avser"][start]),
                "g": [_none(x) for x in cols["kommungrupp"][gi]], "gt": [str(x) for x in cols["kommungrupp_text"][gi]],
                "ga": _same_or_list([_none(x) for x in cols["kommungrupp_avser"][gi]]),
                "regel": [str(cols["färgregel"][start]), str(fb_rule[start])],
                "leg": legends.ref(cols["färgstrategi"][start], info[kpi]["riktning"], dict(ind.nivaer or {})),
            })
            if answer:
                rec["ld"] = [_none(x) for x in cols["länet_fördelning"][li]]
                rec["rd"] = _none(cols["riket_fördelning"][start])
                rec["gd"] = [_none(x) for x in cols["kommungrupp_fördelning"][gi]]
            varden.setdefault(kpi, {})[str(year)] = rec
            info[kpi]["ar"].append(year)
    shown = [info[i.kpi] for i in inds if i.kpi in varden]
    saknas = [{"kpi": i.kpi, "namn": i.namn} for i in inds if i.kpi not in varden]
    return {"omrade": omrade, "titel": catalog.OMRADEN.get(omrade, omrade), "strategi": strategi,
            "exempeldata": bool(ds.is_example), "kallor": kallor, "indikatorer": shown, "saknas": saknas,
            "legender": legends.items, "varden": varden}


def data_script(data: dict, fingerprint: str = "") -> str:
    """The data file: a first line naming its inputs' fingerprint, then one call that hands the data over."""
    head = f"/* ojlib-utforska {fingerprint} */\n" if fingerprint else ""
    return (f"{head}window.{CALLBACK}({json.dumps(data['omrade'])}, "
            f"{html_export.script_json(data)});\n")


def _script(ds, omrade: str, strategi: str, fingerprint: str) -> str | None:
    data = omrade_data(ds, omrade, strategi)
    return data_script(data, fingerprint) if data["indikatorer"] else None


def _file_fingerprint(text: str | None) -> str | None:
    m = _FP_RE.match(text or "")
    return m.group(1) if m else None


def inputs_fingerprint(ds, omrade: str, strategi: str) -> str:
    """What a data file depends on: the dataset (file and catalogue), område, strategy, and the code that
    computes and writes it (this module and the analysis modules)."""
    h = hashlib.sha256()
    h.update(repr((memo.fingerprint(ds), omrade, strategi, __version__)).encode())
    for path in sorted([Path(__file__), *Path(ojlib.analysis.__file__).parent.glob("*.py")]):
        h.update(path.read_bytes())
    return h.hexdigest()[:32]


def base_config(omraden: list[str], sidor: dict, strategi: str, kalla: str, build_id: str | None) -> dict:
    """What every view needs, in the page: kommuner, län, kommungrupper, boundaries, links, labels."""
    ref = geo.kommuner()
    lan = geo.lan()
    return {
        "omraden": [{"key": o, "titel": catalog.OMRADEN.get(o, o), "fil": data_name(o)} for o in omraden],
        "kommuner": ref[["kommun_kod", "kommun_namn", "lan_kod", "kommungrupp_kod"]].values.tolist(),
        "lan": lan[["lan_kod", "lan_namn"]].values.tolist(),
        "grupper": [[k, v] for k, v in sorted(geo.KOMMUNGRUPPER.items())],
        "geo": figures.kommun_geojson(ref.kommun_kod, 0.005),
        "sidor": sidor,
        "farger": {"kommun": figures.FARG_KOMMUN, "lan": figures.FARG_LAN, "riket": figures.FARG_RIKET,
                   "grupp": figures.FARG_GRUPP},
        "paletter": {"standard": "Standard (grön–gul–röd)", "fargblind": "Färgblindvänlig (blå–gul–orange)"},
        "strategi": strategi, "strateginamn": colours.STRATEGINAMN.get(strategi, strategi),
        "forklaring": colours.FORKLARING, "exempeldata": EXEMPELDATA_MARK, "kalla": source_line(kalla, derived=True),
        "bygge": build_id,
    }


def page_html(config: dict, nav: str, example: bool) -> str:
    """The dashboard page (template ``utforska/utforska.html``): controls, three figures, the table; its
    script and style from the package. ``nav``: the site's navigation (markup)."""
    return templating.render("utforska.html", config=config, nav=Markup(nav), example=example,
                             exempeldata=EXEMPELDATA_MARK, plotly_js=html_export.PLOTLY_JS) + "\n"


# --------------------------------------------------------------------------- the site's files

@dataclass
class SiteFiles:
    """What the site writes for the dashboard: files to write (name -> text), data files that stay as
    they are (their inputs unchanged), stale data files to remove, and why there is no dashboard."""

    write: dict[str, str] = field(default_factory=dict)
    keep: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def names(self) -> set[str]:
        return {*self.write, *self.keep}

    @property
    def has_page(self) -> bool:
        return PAGE in self.write


def _omraden(metas: list[dict]) -> list[str]:
    wanted: list[str] = []
    for m in metas:
        value = m.get("omrade", m.get("omraden"))
        try:
            found = catalog.parse_omraden(value)
        except OjError:
            found = list(catalog.OMRADEN)
        wanted += [o for o in found if o not in wanted]
    return [o for o in catalog.OMRADEN if o in wanted]


def _most_common(values: list, default):
    values = [v for v in values if v]
    return max(sorted(set(values)), key=values.count) if values else default


def site_files(folder: Path, meta_pages: list[tuple[str, dict]], lan_reports: dict, profiles: dict,
               build_id: str | None, nav: str = "") -> SiteFiles:
    """The dashboard's files for a site whose pages are ``meta_pages`` (file name, metadata).

    ``lan_reports`` (län -> område or "alla" -> page) and ``profiles`` (kommun -> page) are the links
    back; ``folder`` holds the current files (a data file whose fingerprint line matches is kept).
    With no report pages, or no data for the reports' source, there is no dashboard (``reason``).
    """
    folder = Path(folder)
    old = sorted(p.name for p in folder.glob(f"{DATA_PREFIX}*.js"))
    out = SiteFiles()
    metas = [m for _, m in meta_pages]
    omraden = _omraden(metas)
    kalla = _most_common([m.get("datakalla") for m in metas], "exempeldata")
    strategi = _most_common([m.get("fargstrategi") for m in metas], "rang_kvartil")
    if not omraden:
        out.reason = "Inga rapporter ännu."
    else:
        try:
            if not all(dataset.available(k) for k in dataset.parse_kallor(kalla)):
                raise OjError(f"Det finns ingen data från {kalla} på den här datorn.")
            ds = shared.dataset(kalla)
            done = []
            for omrade in omraden:
                name = data_name(omrade)
                try:
                    text = _data_file(folder, ds, omrade, strategi)
                except OjError:
                    continue  # no values in this område: it is not offered
                if text is _KEEP:
                    out.keep.append(name)
                    done.append(omrade)
                elif text:
                    out.write[name] = text
                    done.append(omrade)
            if not done:
                raise OjError("rapporternas områden har inga kommunvärden.")
            sidor = {"lan": lan_reports, "kommuner": profiles}
            config = base_config(done, sidor, strategi, kalla, build_id)
            out.write[PAGE] = page_html(config, nav, has_example(kalla))
        except OjError as err:
            out.reason = str(err)
            out.write.clear()
            out.keep.clear()
    out.remove = [n for n in old if n not in out.names]
    if out.reason and (folder / PAGE).exists():
        out.remove.append(PAGE)
    return out


_KEEP = object()  # _data_file: the folder's data file is current


def _data_file(folder: Path, ds, omrade: str, strategi: str):
    """The text of the område's data file, ``_KEEP`` when the folder's file is current, None when the
    område has no kommun values; computed once per process for the same inputs (a batch of sites, a test
    session, ``prepare``). OjError when the område has no values at all."""
    fp = inputs_fingerprint(ds, omrade, strategi)
    current = Path(folder) / data_name(omrade)
    if current.is_file() and _file_fingerprint(_head(current)) == fp:
        return _KEEP
    return memo.memo(("utforska", fp), lambda: _script(ds, omrade, strategi, fp))


def prepare(folder: Path, metas: list[dict]) -> None:
    """Compute ahead what :func:`site_files` will compute for a site in ``folder`` whose pages will have
    these metadata (the data files that are not current), into the per-process cache: a batch does it
    while its last reports run (``reports.run_jobs``'s side work), so publishing finds them done."""
    omraden = _omraden(metas)
    kalla = _most_common([m.get("datakalla") for m in metas], "exempeldata")
    strategi = _most_common([m.get("fargstrategi") for m in metas], "rang_kvartil")
    if omraden and all(dataset.available(k) for k in dataset.parse_kallor(kalla)):
        ds = shared.dataset(kalla)
        for omrade in omraden:
            with contextlib.suppress(OjError):  # no values: site_files leaves the område out
                _data_file(folder, ds, omrade, strategi)


def _head(path: Path) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.readline()


def link(omrade: str | None = None, lan: str | None = None, kommun: str | None = None) -> str:
    """The dashboard's address opened at a view (the state is in the address's #-part)."""
    parts = [(k, v) for k, v in (("omrade", omrade), ("lan", lan), ("kommun", kommun)) if v]
    return PAGE + ("#" + "&".join(f"{k}={quote(str(v))}" for k, v in parts) if parts else "")
