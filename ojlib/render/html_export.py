"""Export an executed notebook as one static, offline HTML page.

Code hidden, text escaped, plotly figures drawn from their JSON (plotly 6+ stores only that) by
one shared ``plotly.min.js`` beside the page, maps working offline thanks to a small
``window.PlotlyGeoAssets`` stub loaded before plotly.js, and no reference to any external URL.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from ojlib.data.catalog import OMRADEN
from ojlib.data.source_lines import EXEMPELDATA, has_example, source_line
from ojlib.data.sources import registry
from ojlib.render import figures, templating
from ojlib.render.notebook import PART_MIMETYPE, REPORT_MIMETYPE, markdown, read_report_metadata

META_ID = "ojlib-rapport"
HIDDEN_TAGS = {"remove-cell", "remove_cell", "remove-output", "remove_output", "hide-output", "hide_output",
               "parameters", "injected-parameters"}
WIDGET_ONLY = {"application/vnd.jupyter.widget-view+json", "text/plain"}
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
PLOTLY_JS = "plotly.min.js"

# Plotly.js fetches world outlines from a CDN for every geo map, even one drawn from our own
# GeoJSON; without network the map stays blank. Empty outlines for every scope make it draw
# (pages/geo-assets.js, loaded before plotly.js).
GEO_ASSETS_STUB = str(templating.asset("geo-assets.js"))

# The page's style sheet and scripts are files in render/pages (templating): report.css (screen and print),
# figures.js (draws every figure from its JSON with the shared plotly.min.js, in Swedish: plotly-sv.json,
# and redraws them at the width of an A4 page for printing), print-details.js (printing opens every
# closed <details>).




script_json = templating.script_json


_EXTERNAL_LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(["'])\s*((?:[a-z][a-z0-9+.-]*:)?//[^"']*)\1[^>]*>(.*?)</a>""",
                            re.IGNORECASE | re.DOTALL)
_EXTERNAL_ATTR = re.compile(r"""\b(src|href|srcset|action|poster|data)\s*=\s*(["'])\s*(?:[a-z][a-z0-9+.-]*:)?//""",
                            re.IGNORECASE)
_EXTERNAL_CSS = re.compile(r"""url\(\s*(["']?)\s*(?:https?:)?//[^)]*\)|@import\s+(["'])(?:https?:)?//[^"']*\2;?""",
                           re.IGNORECASE)


def offline_html(fragment: str) -> str:
    """Neutralise references to other sites in an HTML fragment, so a page never loads or links them.

    A link keeps its text and shows the address after it; other attributes (``src`` …) and CSS
    ``url(…)`` pointing elsewhere are disabled.
    """
    fragment = _EXTERNAL_LINK.sub(lambda m: f'{m.group(3)} <span class="url">({m.group(2)})</span>', fragment)
    fragment = _EXTERNAL_ATTR.sub(lambda m: f"data-extern-{m.group(1).lower()}={m.group(2)}", fragment)
    return _EXTERNAL_CSS.sub("none", fragment)


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


# A figure's JSON repeats itself: a ranked bar chart names its kommuner three times (the bars, the
# value column's trace and its tick values) and says each bar's colour class in full once per bar; a
# panel of 47 small charts styles each of its 94 lines alike. In the page each such part is written
# once: a list, an object or a long text that occurs twice or more in a figure is kept in the spec's
# "pool" and referred to as {"ojr": i}; a list of texts with many repeats is written as its distinct
# values and an index per item, {"ojv": [...], "ojk": [...]}. figures.js expands both before plotly
# draws (expand_spec does the same in Python, for tests).
POOL_MIN = 8  # a list of fewer values is left as it is …
POOL_CHARS = 20  # … and so is anything whose JSON is shorter than this


_TEXT_JSON = json.encoder.encode_basestring  # a text as JSON (C), without json.dumps' set-up per call
_SCALAR_JSON = {True: "true", False: "false", None: "null"}


def _key(value) -> str:
    """``value`` as JSON (a figure's part compared with another), texts and numbers the quick way."""
    if isinstance(value, str):
        return _TEXT_JSON(value)
    if value is None or isinstance(value, bool):
        return _SCALAR_JSON[value]
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_PLAIN = frozenset((str, int, float, bool, type(None)))  # what a plain list holds (its exact types: the quick test)


def _keys(value, keys: dict[int, str], counts: dict[str, int]) -> str:
    """``value``'s JSON, built from its parts' (each serialised once, not once per level it sits in);
    every dict, list and text inside it gets its JSON in ``keys`` (by id) and, when long enough to be
    pooled, its number of occurrences in ``counts``. A plain list is one part.

    Texts, numbers, booleans and None of their exact types are written here, not by a call each
    (a figure is mostly those); anything else goes through ``_key`` as before."""
    t = type(value)
    if t is dict or (t is not list and t is not str and isinstance(value, dict)):
        parts = []
        for k, v in value.items():
            tv = type(v)
            if tv is str:
                kv = keys[id(v)] = _TEXT_JSON(v)
                if len(kv) >= POOL_CHARS:
                    counts[kv] = counts.get(kv, 0) + 1
            elif tv is int or tv is float:
                kv = repr(v)
            elif tv is bool or v is None:
                kv = _SCALAR_JSON[v]
            else:
                kv = _keys(v, keys, counts)
            parts.append((_TEXT_JSON(k) if type(k) is str else _key(k)) + ":" + kv)
        key = "{" + ",".join(parts) + "}"
    elif t is str:
        key = _TEXT_JSON(value)
    elif (t is list or isinstance(value, list)) and not _plain_list(value):
        parts = []
        for v in value:
            tv = type(v)
            if tv is int or tv is float:
                parts.append(repr(v))
            elif tv is bool or v is None:
                parts.append(_SCALAR_JSON[v])
            else:
                parts.append(_keys(v, keys, counts))
        key = "[" + ",".join(parts) + "]"
    else:
        key = _key(value)
    if t is dict or t is list or t is str or isinstance(value, dict | list | str):
        keys[id(value)] = key
        if len(key) >= POOL_CHARS:
            counts[key] = counts.get(key, 0) + 1
    return key


def _plain_list(value) -> bool:
    if type(value) is list:
        if len(value) < POOL_MIN:
            return False
        if set(map(type, value)) <= _PLAIN:
            return True
    return (isinstance(value, list) and len(value) >= POOL_MIN
            and all(v is None or isinstance(v, str | int | float | bool) for v in value))


def _json(value) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)`` writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _indexed(values: list):
    """A list of texts as its distinct values and an index per item, when that is clearly shorter."""
    if not all(isinstance(v, str) for v in values):
        return values
    distinct = list(dict.fromkeys(values))
    if len(distinct) * 2 > len(values):
        return values
    pos = {v: i for i, v in enumerate(distinct)}
    coded = {"ojv": distinct, "ojk": [pos[v] for v in values]}
    return coded if len(script_json(coded)) < 0.8 * len(script_json(values)) else values


PAIR_AXES = ("x", "y")


def _paired(data: list) -> list:
    """``data`` with each trace's x or y that is two other traces' x or y taken in turn, a gap after each
    pair (the lines of a dumbbell from each K to its M: [k1, m1, None, k2, m2, None, …]), written as
    ``{"ojpar": [i, j]}``, the places of those two traces (figures.js and expand_spec put the list back)."""
    if len(data) < 3 or not all(isinstance(t, dict) for t in data):
        return data
    out = list(data)
    for n, trace in enumerate(data):
        for axis in PAIR_AXES:
            values = trace.get(axis)
            if not (isinstance(values, list) and len(values) >= 3 * POOL_MIN and len(values) % 3 == 0
                    and all(v is None for v in values[2::3])):
                continue
            first, second = _key(values[0::3]), _key(values[1::3])
            found = {_key(t.get(axis)): i for i, t in reversed(list(enumerate(data)))
                     if i != n and isinstance(t.get(axis), list) and len(t[axis]) * 3 == len(values)}
            if first in found and second in found:
                out[n] = {**out[n], axis: {"ojpar": [found[first], found[second]]}}
    return out


def _unpaired(data: list) -> list:
    """``data`` with every ``{"ojpar": [i, j]}`` made the list it stands for (see ``_paired``)."""
    out = []
    for trace in data:
        if isinstance(trace, dict):
            trace = dict(trace)
            for axis in PAIR_AXES:
                pair = trace.get(axis)
                if isinstance(pair, dict) and set(pair) == {"ojpar"}:
                    a, b = (data[i][axis] for i in pair["ojpar"])
                    trace[axis] = [v for k, m in zip(a, b, strict=True) for v in (k, m, None)]
        out.append(trace)
    return out


COMMON_MIN = 3  # a list of at least this many objects …
_MARKS = {"ojr", "ojv", "ojk", "ojdel", "ojpar", "ojlika", "ojposter", "ojring"}


def _common(items: list, written: dict[int, str]) -> tuple[dict, str] | None:
    """A list of objects (a panel grid's traces, its subplot titles; compacted, their JSON in ``written``)
    with the fields that all of them have alike written once: ``{"ojlika": {field: value}, "ojposter":
    [each object's other fields]}`` and its JSON, when that is shorter; None otherwise."""
    if len(items) < COMMON_MIN or not all(type(v) is dict and v and not set(v) & _MARKS
                                          and all(type(k) is str for k in v) for v in items):
        return None

    def text(v) -> str:
        if type(v) is dict or type(v) is list:
            return written[id(v)]
        return _TEXT_JSON(v) if isinstance(v, str) else _json(v)

    fields = [{k: text(v) for k, v in item.items()} for item in items]
    same = [k for k, t in fields[0].items() if all(f.get(k) == t for f in fields[1:])]
    if sum(len(k) + len(fields[0][k]) + 4 for k in same) * (len(items) - 1) < 40:
        return None
    alike = {k: items[0][k] for k in same}
    alike_text = "{" + ",".join(f"{_TEXT_JSON(k)}:{fields[0][k]}" for k in same) + "}"
    for item, f in zip(items, fields, strict=True):  # each object keeps its own fields (the same dict, no copy)
        for k in same:
            del item[k]
        written[id(item)] = "{" + ",".join(f"{_TEXT_JSON(k)}:{f[k]}" for k in item) + "}"
    written[id(alike)] = alike_text
    written[id(items)] = own_text = "[" + ",".join(written[id(item)] for item in items) + "]"
    out = {"ojlika": alike, "ojposter": items}
    written[id(out)] = f'{{"ojlika":{alike_text},"ojposter":{own_text}}}'
    return out, written[id(out)]


def compact_spec(spec: dict) -> dict:
    """A figure's spec with repeated parts written once (see POOL_MIN above); ``expand_spec`` undoes it."""
    return _compact(spec)[0]


RING_MIN = 8  # a map's line of at least so many points …
RING_SCALE = 1000  # … each coordinate a whole number of thousandths (kommun_geojson rounds to 3 decimals)


def _ring(value) -> dict | None:
    """A line of a map's shape ([[lon, lat], …], every coordinate in thousandths) as its first point and
    each next point's step from the one before, in thousandths: ``{"ojring": [x0, y0, dx1, dy1, …]}``
    (about half as long). None for anything else. Every coordinate comes back as the same number: an
    integer divided by 1000 is the number nearest that quotient in JavaScript as in Python, which is
    what the coordinate's own JSON parses to (checked here, point by point)."""
    if type(value) is not list or len(value) < RING_MIN:
        return None
    flat: list[int] = []
    for point in value:
        if type(point) is not list or len(point) != 2:
            return None
        for c in point:
            if type(c) is not float and type(c) is not int:
                return None
            n = round(c * RING_SCALE)
            if n / RING_SCALE != c or abs(n) > 2 ** 50:
                return None
            flat.append(n)
    steps = flat[:2] + [flat[i] - flat[i - 2] for i in range(2, len(flat))]
    return {"ojring": steps}


def _unring(steps: list) -> list:
    out, x, y = [], 0, 0
    for i in range(0, len(steps), 2):
        x, y = x + steps[i], y + steps[i + 1]
        out.append([x / RING_SCALE, y / RING_SCALE])
    return out


def _compact(spec: dict) -> tuple[dict, dict[int, str]]:
    """``compact_spec`` and the JSON of every dict and list in its data, layout and pool (by id, as
    ``_json`` writes it), built while the spec is made: what ``Page._share`` compares, without
    serialising each part again once per level it sits in."""
    counts: dict[str, int] = {}
    keys: dict[int, str] = {}
    if isinstance(spec.get("data"), list):
        spec = {**spec, "data": _paired(spec["data"])}
    _keys([spec.get("data"), spec.get("layout")], keys, counts)
    repeated = {k for k, n in counts.items() if n > 1}  # counts holds only keys of POOL_CHARS or more
    pool: list = []
    where: dict[str, int] = {}
    written: dict[int, str] = {}  # the output's dicts and lists -> their JSON

    def ref(value, key: str):
        i = where.get(key)
        if i is None:
            i = where[key] = len(pool)
            pool.append(None)
            pool[i] = walk(value, pooled=False)[0]
        out = {"ojr": i}
        text = written[id(out)] = f'{{"ojr":{i}}}'
        return out, text

    def item(v):
        """A dict's value or a list's item, compacted, and its JSON."""
        tv = type(v)
        if tv is str:
            key = keys[id(v)]
            return ref(v, key) if key in repeated else (v, key)
        if tv is int or tv is float:
            return v, repr(v)
        if tv is bool or v is None:
            return v, _SCALAR_JSON[v]
        return walk(v)

    def walk(value, pooled: bool = True):
        if pooled and isinstance(value, dict | list | str):
            key = keys[id(value)]
            if key in repeated:
                return ref(value, key)
        if _plain_list(value):
            out = _indexed(value)
            if out is value:
                text = keys[id(value)]
            else:
                a, b = _json(out["ojv"]), _json(out["ojk"])
                written[id(out["ojv"])], written[id(out["ojk"])] = a, b
                text = f'{{"ojv":{a},"ojk":{b}}}'
        elif isinstance(value, dict):
            out, parts = {}, []
            for k, v in value.items():
                out[k], text = item(v)
                parts.append((_TEXT_JSON(k) if type(k) is str else _json({k: 0})[1:-3]) + ":" + text)
            text = "{" + ",".join(parts) + "}"
        elif (ring := _ring(value)) is not None:
            out = ring
            text = written[id(ring["ojring"])] = _json(ring["ojring"])
            text = f'{{"ojring":{text}}}'
        elif isinstance(value, list):
            out, parts = [], []
            for v in value:
                v, text = item(v)
                out.append(v)
                parts.append(text)
            common = _common(out, written)
            if common is not None:
                return common
            text = "[" + ",".join(parts) + "]"
        else:
            return value, _TEXT_JSON(value) if isinstance(value, str) else _json(value)
        written[id(out)] = text
        return out, text

    out = {**spec, "data": walk(spec.get("data", []), False)[0], "layout": walk(spec.get("layout", {}), False)[0]}
    if pool:
        out["pool"] = pool
    return out, written


def expand_spec(spec: dict, shared: list | None = None) -> dict:
    """The figure as plotly takes it, from a spec written by ``compact_spec`` (as figures.js does);
    ``shared``: the page's shared list (``ojlib-mallar``), for the parts ``Page`` wrote once for the page."""
    spec = _unshared(spec, shared or [])
    pool = spec.get("pool") or []

    def walk(value):
        if isinstance(value, dict):
            if set(value) == {"ojr"}:
                return walk(pool[value["ojr"]])
            if set(value) == {"ojv", "ojk"}:
                return [value["ojv"][i] for i in value["ojk"]]
            if set(value) == {"ojring"}:
                return _unring(value["ojring"])
            if set(value) == {"ojlika", "ojposter"}:
                same = walk(value["ojlika"])
                return [{**copy.deepcopy(same), **walk(item)} for item in value["ojposter"]]
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    out = {k: walk(v) for k, v in spec.items() if k != "pool"}
    if isinstance(out.get("data"), list):
        out["data"] = _unpaired(out["data"])
    return out


SHARE_MIN = 30  # a part of a figure shorter than this is written where it is ({"ojdel": 12} is 12 characters)


def _unshared(value, shared: list):
    if isinstance(value, dict):
        if set(value) == {"ojdel"}:
            return _unshared(shared[value["ojdel"]], shared)
        return {k: _unshared(v, shared) for k, v in value.items()}
    if isinstance(value, list):
        return [_unshared(v, shared) for v in value]
    return value


_FIGURE_RE = re.compile(r'<script type="application/json" id="(fig-\d+)">(.*?)</script>', re.DOTALL)
_SHARED_RE = re.compile(r'<script type="application/json" id="ojlib-mallar">(.*?)</script>', re.DOTALL)


def page_figures(text: str) -> dict[str, dict]:
    """The figures of a page's text as plotly takes them (id -> spec), as figures.js puts them back."""
    m = _SHARED_RE.search(text)
    shared = json.loads(m.group(1)) if m else []
    return {fid: expand_spec(json.loads(spec), shared) for fid, spec in _FIGURE_RE.findall(text)}


@cache
def _template_key() -> str:
    """ojlib's template as a page's shared list writes it (the same as from a figure that holds it)."""
    return json.dumps(figures.template_json(), sort_keys=True, separators=(",", ":"))


class Page:
    """Collects the HTML of one notebook's cells; figures share one list of plotly templates and of the
    parts that two figures of the page have alike (a source line, a legend, a year axis, a line style)."""

    def __init__(self, part_page: str | None = None, part_title: str = "") -> None:
        self.part_page = part_page  # a site's page of the parts taken off this page (render_site_pages)
        self.part_title = part_title
        self.parts: list[str] = []
        self.templates: list[str] = []  # the page's shared list: templates and parts, as JSON (ojlib-mallar)
        self._index: dict[str, int] = {}
        self._seen: set[str] = set()
        self._names: list[dict] = []  # lists of kommun names the figures' lists are written by place in (_by_place)
        self.n_figures = 0

    def _shared(self, key: str) -> int:
        if key not in self._index:
            self._index[key] = len(self.templates)
            self.templates.append(key)
        return self._index[key]

    def _share(self, value, written: dict[int, str]):
        """``value`` (a compacted spec's part) with each dict or list that an earlier figure of the page
        (or this one) already had written as ``{"ojdel": k}``, its place in the page's shared list
        (figures.js puts a copy back before it expands the spec); the first one stays in place. Only
        parts whose JSON is at least ``SHARE_MIN`` characters long. ``written``: the parts' JSON
        (``_compact``; a part not in it is serialised here)."""
        t = type(value)
        if t is not dict and t is not list and not isinstance(value, dict | list):
            return value
        key = written.get(id(value))
        if key is None:
            key = _json(value)
        if len(key) >= SHARE_MIN:
            if key in self._index or key in self._seen:
                return {"ojdel": self._shared(key)}
            self._seen.add(key)
            if t is list and len(value) >= POOL_MIN:
                coded = self._by_place(value, key)
                if coded is not None:
                    return coded
        if isinstance(value, dict):
            return {k: v if type(v) in _PLAIN else self._share(v, written) for k, v in value.items()}
        return [v if type(v) in _PLAIN else self._share(v, written) for v in value]

    NAME_LISTS = 64  # at most so many lists of names are remembered per page …
    NAMES_MIN = 16  # … each of at least so many (a panel's eight years' value texts are not kommuner)

    def _by_place(self, value: list, key: str):
        """A list of distinct texts (kommuner in a chart's order) as a list of names that the page shares
        (``{"ojdel": k}``) and each text's place in it, ``{"ojv": …, "ojk": […]}``: the bars of 27 ranked
        charts name the same kommuner in 27 orders, 27 K/M charts each all kommuner but a few. The names
        are those of a list of another figure (a figure's own lists in two orders would put a copy in the
        shared list for a single use), with the few this list has besides added at its end, which leaves
        every earlier place as it was. None when no such list covers three quarters of it; then it is
        remembered."""
        if not all(type(v) is str for v in value) or len(set(value)) < len(value):
            return None
        for names in self._names:
            if names["figure"] == self.n_figures:
                continue
            place = names["place"]
            new = [v for v in value if v not in place]
            if 4 * len(new) > len(value):
                continue
            at = {v: len(place) + i for i, v in enumerate(new)}
            coded = {"ojv": {"ojdel": 0}, "ojk": [place[v] if v in place else at[v] for v in value]}
            if len(_json(coded)) + len(_json(new)) >= len(key):
                return None
            if names["slot"] is None:  # a place of its own in the shared list (not _index: it may grow)
                names["slot"] = len(self.templates)
                self.templates.append("")
            coded["ojv"]["ojdel"] = names["slot"]
            place.update(at)
            names["list"] += new
            # the page's shared list is written when the page is: its entry holds the names as they are then
            self.templates[names["slot"]] = _json(names["list"])
            return coded
        if len(value) >= self.NAMES_MIN and len(self._names) < self.NAME_LISTS:
            self._names.append({"list": list(value), "place": {v: i for i, v in enumerate(value)},
                                "figure": self.n_figures, "slot": None})
        return None

    def figure(self, fig: dict, css_class: str = "ojfig", label: str | None = None) -> Markup:
        """A figure's place in the page and its JSON (``label``: its text for screen readers, role img)."""
        fig = dict(fig)
        layout = dict(fig.get("layout") or {})
        ref = None
        if "template" in layout:  # a batch kernel's figure names ojlib's (notebook.drop_template)
            template = layout.pop("template")
            key = _template_key() if template == figures.TEMPLATE_NAME else \
                json.dumps(template, sort_keys=True, separators=(",", ":"))
            ref = self._shared(key)
        self.n_figures += 1
        fid = f"fig-{self.n_figures}"
        spec, written = _compact({"data": fig.get("data", []), "layout": layout,
                                  "config": fig.get("config") or {}, "mall": ref})
        for part in ("data", "pool"):
            if isinstance(spec.get(part), list):
                spec[part] = [self._share(v, written) for v in spec[part]]
            elif isinstance(spec.get(part), dict):  # the traces' common fields written once (_common)
                spec[part] = {k: self._share(v, written) for k, v in spec[part].items()}
        spec["layout"] = {k: self._share(v, written) for k, v in spec["layout"].items()}
        role = Markup(' role="img" aria-label="{}"').format(label) if label else ""
        return Markup('<div class="{}"{} id="{}-div" data-spec="{}"></div>\n'
                      '<script type="application/json" id="{}">{}</script>').format(
            css_class, role, fid, fid, fid, Markup(script_json(spec)))

    def output(self, out: dict) -> str:
        kind = out.get("output_type")
        if kind == "stream":
            if out.get("name") == "stderr":
                return ""
            return _out().pre(_join(out.get("text", "")))
        if kind == "error":
            return _out().pre(f"{out.get('ename')}: {out.get('evalue')}", "fel")
        data = out.get("data", {})
        if REPORT_MIMETYPE in data:
            return ""  # read by the site index, not shown
        if PART_MIMETYPE in data:  # where a part starts or ends: its heading, summary and link when taken off
            mark = data[PART_MIMETYPE]
            if self.part_page is None or mark.get("slut"):
                return ""
            return _out().part_link(mark.get("rubrik") or "", mark.get("sammanfattning") or "",
                                    quote(self.part_page), self.part_title)
        if "application/vnd.jupyter.widget-view+json" in data and set(data) <= WIDGET_ONLY:
            return ""  # a live widget has nothing to show in a static page
        if PLOTLY_MIMETYPE in data:
            return self.figure(data[PLOTLY_MIMETYPE])
        if "text/html" in data:
            return offline_html(_join(data["text/html"]))
        if "image/svg+xml" in data:
            svg = base64.b64encode(_join(data["image/svg+xml"]).encode()).decode()
            return _out().image("image/svg+xml", svg)
        for mime in ("image/png", "image/jpeg"):
            if mime in data:
                return _out().image(mime, _join(data[mime]).strip())
        if "text/markdown" in data:
            return offline_html(markdown(_join(data["text/markdown"]), trusted=False))
        if "text/plain" in data and _join(data["text/plain"]).strip():
            return _out().pre(_join(data["text/plain"]))
        return ""

    def cell(self, cell: dict) -> None:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-cell", "remove_cell"}:
            return
        if cell.get("cell_type") == "markdown":
            text = _join(cell.get("source", ""))
            for name, bundle in (cell.get("attachments") or {}).items():
                for mime, b64 in bundle.items():
                    if mime.startswith("image/"):
                        text = text.replace(f"attachment:{name}", f"data:{mime};base64,{_join(b64).strip()}")
                        break
            self.parts.append(_out().markdown_cell(Markup(offline_html(markdown(text, trusted=True)))))
        elif cell.get("cell_type") == "code" and not tags & HIDDEN_TAGS:
            blocks: list[str] = []
            half: list[str] = []
            text = None  # the last full-width output, when it is a chapter's list of indicators

            kind = None  # the grid the figures in ``half`` belong to (True: small, "bred": two to a row)

            def flush():
                nonlocal text
                if half and text is not None and len(half) <= SIDE_BY_SIDE and kind is True and blocks \
                        and blocks[-1] is text[0]:
                    blocks[-1] = _grid(half, text[1])  # a few small figures beside the chapter's list
                elif half:
                    blocks.append(_grid(half, bred=kind == "bred"))
                half.clear()
                text = None

            for out in cell.get("outputs", []):
                shown = self.output(out)
                if not shown:
                    continue
                grid = _half_width(out)
                if grid:
                    if half and grid != kind:
                        flush()
                    kind = grid
                    half.append(shown)
                    continue
                flush()
                blocks.append(_out().output(Markup(shown)))
                text = (blocks[-1], shown) if "oj-kapitel" in shown[:200] else None
            flush()
            if blocks:
                self.parts.append(_out().code_cell([Markup(b) for b in blocks]))


def _out():
    """The wrappers of cells and outputs (macros of ``pages/output.html``)."""
    return templating.macros("output.html")


def _half_width(out: dict):
    """The grid a figure is made to sit in (``layout.meta.rutnat``, see ``figures.in_grid``): True for
    small figures, "bred" for two to a row, None for a figure of its own."""
    fig = out.get("data", {}).get(PLOTLY_MIMETYPE)
    meta = ((fig or {}).get("layout") or {}).get("meta") if isinstance(fig, dict) else None
    grid = meta.get("rutnat") if isinstance(meta, dict) else None
    return ("bred" if grid == "bred" else True) if grid else None


SIDE_BY_SIDE = 2  # a chapter with at most this many small figures shows them beside its list of indicators


def _grid(figures: list[str], text: str | None = None, bred: bool = False) -> str:
    """Small figures in a grid (``bred``: two to a row); ``text`` (a chapter's list) first, over every
    column the figures leave."""
    return _out().grid([Markup(f) for f in figures], None if text is None else Markup(text), bred)


_HEADING = re.compile(r"<(h[12])>(.*?)</\1>", re.DOTALL)


def _number_headings(body: str) -> tuple[str, list[tuple[str, str]], str | None]:
    """Give every h2 an id (for the contents list); drop the first h1 (the page has its own)."""
    toc: list[tuple[str, str]] = []
    first_h1: list[str] = []

    def repl(m: re.Match) -> str:
        tag, inner = m.group(1), m.group(2)
        if tag == "h1":
            if not first_h1:
                first_h1.append(inner)
                return ""
            return m.group(0)
        hid = f"avsnitt-{len(toc) + 1}"
        toc.append((hid, re.sub(r"<[^>]+>", "", inner)))
        return f'<h2 id="{hid}">{inner}</h2>'

    body = _HEADING.sub(repl, body)
    return body, toc, first_h1[0] if first_h1 else None


def _meta_line(meta: dict) -> list[str]:
    """The facts under a page's title (län, kommun, område, year, source), as texts."""
    bits = []
    if meta.get("lan_namn") or meta.get("lan"):
        bits.append(f"Län: {meta.get('lan_namn') or meta.get('lan')}")
    if meta.get("kommun_namn") or meta.get("kommun"):
        bits.append(f"Kommun: {meta.get('kommun_namn') or meta.get('kommun')}")
    if meta.get("omrade"):
        bits.append(f"Område: {omrade_text(meta['omrade'])}")
    if meta.get("ar"):
        bits.append(f"År: {meta['ar']}")
    if meta.get("datakalla"):
        bits.append(f"Datakälla: {registry.labels(meta['datakalla'])}")
    if meta.get("data_datum"):
        bits.append(f"Data från: {meta['data_datum']}")
    return bits


def omrade_text(value) -> str:
    """An område key (or a list, or "alla") in words."""
    if isinstance(value, list | tuple):
        return ", ".join(omrade_text(v) for v in value)
    return "Alla områden" if value == "alla" else OMRADEN.get(str(value), str(value))


def is_example(meta: dict) -> bool:
    return bool(meta.get("exempeldata")) or has_example(meta.get("datakalla") or "")


def footer_text(meta: dict) -> str:
    """What every printed page carries at the bottom: the exempeldata mark and the source line."""

    bits = []
    if is_example(meta):
        bits.append(EXEMPELDATA)
    kalla = meta.get("datakalla")
    if kalla:
        try:
            line = source_line(str(kalla), derived=True)
        except Exception:  # an unknown source key: name it as it is
            line = f"Källa: {kalla}"
        if line not in bits:
            bits.append(line)
    return " · ".join(bits)


def page_document(title: str, body: str, meta: dict | None = None, templates: list[str] | None = None,
                  index_link: bool = False, has_figures: bool = True, toc: list[tuple[str, str]] | None = None,
                  scripts_before_figures: tuple[str, ...] = (), scripts_after: tuple[str, ...] = (),
                  embed_meta: bool = True) -> str:
    """A complete HTML page (template ``pages/page.html``): escaped title, the exempeldata mark, the
    report's metadata (``embed_meta``: embedded for the site's index), a contents list (``toc``: (id, text)
    of its sections) and figures from the shared plotly.min.js.
    ``body`` is markup (a notebook's outputs, rendered by ``Page``; the site's index); the scripts are the
    names of files in ``render/pages``, put in before the figures are drawn or last."""
    meta = meta or {}
    return templating.render(
        "page.html", title=title, body=Markup(body), meta=meta if embed_meta else None, meta_id=META_ID,
        index_link=index_link,
        example=is_example(meta), exempeldata=EXEMPELDATA, meta_line=_meta_line(meta), foot=footer_text(meta),
        toc=toc or [], has_figures=has_figures, templates=[json.loads(t) for t in templates or []],
        plotly_js=PLOTLY_JS, scripts_before_figures=scripts_before_figures, scripts_after=scripts_after) + "\n"


def _toc(toc: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """A page's contents list (its h2 headings), when it has three or more."""
    return [(hid, html.unescape(text)) for hid, text in toc] if len(toc) >= 3 else None


def render_page(nb, meta: dict | None = None, index_link: bool = True, cells: list | None = None,
                part: tuple[str, str] | None = None) -> str:
    """The executed notebook as one HTML page (code hidden, report metadata embedded for the index);
    ``cells``: only these of its cells, ``part``: the (page, title) of the parts taken off it."""
    meta = dict(meta or read_report_metadata(nb) or {})
    page = Page(*part) if part else Page()
    for cell in nb.cells if cells is None else cells:
        page.cell(cell)
    body, toc, h1 = _number_headings("\n".join(page.parts))
    title = str(meta.get("titel") or (re.sub(r"<[^>]+>", "", html.unescape(h1)) if h1 else "Rapport"))
    return page_document(title, body, meta, page.templates, index_link=index_link, has_figures=page.n_figures > 0,
                         toc=_toc(toc))


def _split_parts(cells: list) -> tuple[list, list]:
    """The cells of a notebook without the parts marked by ``notebook.mark_part`` (their start marks stay,
    drawn as the part's summary and link), and the parts' cells: a cell with marks is split by its outputs."""
    main: list = []
    part: list = []
    inside = False
    for cell in cells:
        outs = cell.get("outputs") or []
        if not any(PART_MIMETYPE in (o.get("data") or {}) for o in outs):
            (part if inside else main).append(cell)
            continue
        mine: list = []
        theirs: list = []
        for out in outs:
            mark = (out.get("data") or {}).get(PART_MIMETYPE)
            if mark is not None:
                inside = not mark.get("slut")
                if inside:
                    mine.append(out)
                continue
            (theirs if inside else mine).append(out)
        main.append({**cell, "outputs": mine})
        if theirs:
            part.append({**cell, "outputs": theirs})
    return main, part


PART_PREFIX = "enheter-"
PART_MARK = 'data-ojlib-sida="enheter"'  # in every part page: the site removes an old one only when it has it


def part_page_name(page_name: str) -> str:
    """The file name of the page a site gives the units chapter of the report page ``page_name``."""
    stem = page_name.removesuffix(".html")
    return f"{PART_PREFIX}{stem.removeprefix('lansanalys-')}.html"


def render_site_pages(nb, meta: dict, page_name: str) -> tuple[str, str | None]:
    """A site's pages of the executed notebook: the report page ``page_name``, and the page its units
    chapter is taken onto (None when the report has none). In the report page the chapter's heading and
    summary stay, with a link to its page (whose name ``meta["enheter_sida"]`` then holds). The units
    page has the report's exempeldata mark, facts and print footer, but no report metadata (the site's
    index lists reports, not it); the site gives it its breadcrumb (``site``)."""
    main, part = _split_parts(nb.cells)
    if not part:
        return render_page(nb, meta, index_link=True), None
    meta = dict(meta or read_report_metadata(nb) or {})
    name = part_page_name(page_name)
    title = f"Enheter – {meta.get('titel') or 'Rapport'}"
    omraden = [m["omrade"] for c in nb.cells for o in c.get("outputs") or []
               for m in [(o.get("data") or {}).get(PART_MIMETYPE) or {}] if m.get("omrade")]
    if meta.get("lan_namn") and (omraden or meta.get("omrade")):  # the områden whose units the page holds
        year = f", {meta['ar']}" if meta.get("ar") else ""
        title = f"Enheter i {meta['lan_namn']}: {omrade_text(omraden or meta['omrade'])}{year}"
    page = Page()
    for cell in part:
        page.cell(cell)
    body, toc, _ = _number_headings("\n".join(page.parts))
    body = f"<div {PART_MARK}>\n{body}\n</div>"
    unit_page = page_document(title, body, meta, page.templates, index_link=True, has_figures=page.n_figures > 0,
                              toc=_toc(toc), embed_meta=False)
    return render_page(nb, {**meta, "enheter_sida": name}, index_link=True, cells=main,
                       part=(name, title)), unit_page


_META_RE = re.compile(rf'<script type="application/json" id="{META_ID}">(.*?)</script>', re.DOTALL)


def page_metadata(text: str) -> dict | None:
    """The report metadata embedded in the text of a page written by ``render_page`` (None if there is none)."""
    m = _META_RE.search(text)
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except json.JSONDecodeError:
        return None


def read_page_metadata(page: Path) -> dict | None:
    """The report metadata embedded in a page written by ``render_page`` (None for other files)."""
    return page_metadata(Path(page).read_text(encoding="utf-8", errors="replace"))
