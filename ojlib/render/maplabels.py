"""Where a län map writes its kommuner: the name where it fits, a number (with a numbered legend) where not.

A län map (``figures.choropleth``) is drawn in a square frame of a fixed size in px (``FRAME_PX``) on
screen and on paper alike, plotly fitting the kommuner's bounding box to 90 % of the frame (its
``fitbounds``). So the label placement is done here in those pixels, once: a kommun's name (11 px
Arial, whose widths ``text_px`` adds up) stands at the kommun's visual centre when at least
``INSIDE`` of its box lies inside the kommun and it touches no other label; otherwise the kommun gets a
number, at its centre when that is free, else at the nearest free place around it with a thin line
to the centre. The numbers run in the order of the kommuner's names, which the legend lists.
Positions go back to plotly as longitude/latitude, so a map drawn bigger keeps its labels apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ojlib.data import geo

FRAME_PX = 480  # the map's frame (plot height; the frame is square): on screen and printed at 690 px
FIT = 0.9  # plotly's fitbounds leaves 5 % of the frame free on each side
FONT_PX = 11
LINE_PX = 13  # a label's box height (11 px text)
PAD = 2  # px kept free around every label
INSIDE = 0.85  # the share of a name's box that must lie inside its kommun

# Arial's advance widths (per 1000 units of the font size), as the Liberation Sans a browser substitutes.
_ARIAL = {**dict.fromkeys("abdeghnopquåäö0123456789", 556), **dict.fromkeys("ckszvxy", 500),
          **dict.fromkeys("fjitl", 278), "i": 222, "j": 222, "l": 222, "m": 833, "r": 333, "w": 722,
          " ": 278, "-": 333, ".": 278, "'": 191,
          **dict.fromkeys("ABEKPSVXYÅÄ", 667), **dict.fromkeys("CDHNRU", 722), **dict.fromkeys("GOQÖ", 778),
          "F": 611, "T": 611, "Z": 611, "I": 278, "J": 500, "L": 556, "M": 833, "W": 944, "É": 667, "é": 556}


def text_px(text: str, size: float = FONT_PX) -> float:
    """The width in px of ``text`` in Arial at ``size`` px (an unknown character counted wide)."""
    return sum(_ARIAL.get(c, 720) for c in text) * size / 1000


@dataclass(frozen=True)
class Label:
    kommunkod: str
    text: str  # the name, or the number as text
    numbered: bool
    lon: float  # where the label's centre stands
    lat: float
    leader: tuple[tuple[float, float], tuple[float, float]] | None  # (lon, lat) from the kommun's centre to the
    # edge of the label's box, when the label was moved away from the centre


def _mercator(lon, lat):
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return np.radians(lon), np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _lonlat(x: float, y: float) -> tuple[float, float]:
    return round(math.degrees(x), 4), round(math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2), 4)


def _box(cx: float, cy: float, w: float, h: float = LINE_PX) -> tuple[float, float, float, float]:
    return cx - w / 2 - PAD, cy - h / 2 - PAD, cx + w / 2 + PAD, cy + h / 2 + PAD


def _hits(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _edge(x: float, y: float, box, cx: float, cy: float) -> tuple[float, float]:
    """Where the line from (cx, cy) to the box's centre (x, y) enters the box."""
    dx, dy = x - cx, y - cy
    hw, hh = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    t = max(abs(dx) / hw if hw else 0, abs(dy) / hh if hh else 0)
    return (x - dx / t, y - dy / t) if t > 1 else (cx, cy)


def _around(cx: float, cy: float):
    """Places around a point, nearest first: rings of 16 directions from 10 to 120 px out."""
    for r in range(10, 121, 6):
        for k in range(16):
            a = 2 * math.pi * k / 16
            yield cx + r * math.cos(a), cy + r * math.sin(a)


def place(codes: list[str], names: list[str], frame_px: int = FRAME_PX) -> list[Label]:
    """A label for each kommun (``codes`` with their ``names`` as shown): named or numbered, none
    touching another in a frame of ``frame_px``. The numbered ones are numbered 1, 2, … in the order of
    their names."""
    import shapely  # imported here: a figure without a map does not need it
    from shapely.ops import polylabel

    gdf = geo.kommun_boundaries().set_index("kommun_kod").loc[list(codes)]
    x0, y0, x1, y1 = gdf.total_bounds
    (mx0, mx1), (my0, my1) = _mercator([x0, x1], [y0, y1])
    scale = FIT * frame_px / max(mx1 - mx0, my1 - my0)  # px per mercator unit
    cx0, cy0 = (mx0 + mx1) / 2, (my0 + my1) / 2

    def to_px(x, y):
        mx, my = _mercator(x, y)
        return (mx - cx0) * scale, -(my - cy0) * scale  # y downwards, as on screen

    def to_lonlat(px: float, py: float) -> tuple[float, float]:
        return _lonlat(px / scale + cx0, -py / scale + cy0)

    polys = [shapely.transform(g, lambda c: np.column_stack(to_px(c[:, 0], c[:, 1]))) for g in gdf.geometry]
    centres = []
    for poly in polys:
        part = max(shapely.get_parts(poly), key=lambda p: p.area)
        centres.append(polylabel(part, tolerance=0.5))
    half = frame_px / 2
    bounds = (-half, -half, half, half)
    placed: list[tuple[float, float, float, float]] = []
    out: dict[str, tuple] = {}
    # names first, the biggest kommuner first: a name that fits inside its kommun
    for i in sorted(range(len(codes)), key=lambda i: -polys[i].area):
        c = centres[i]
        box = _box(c.x, c.y, text_px(names[i]))
        inner = shapely.box(*box)
        if inner.intersection(polys[i]).area >= INSIDE * inner.area and not any(_hits(box, b) for b in placed):
            placed.append(box)
            out[codes[i]] = (names[i], False, c.x, c.y, None)
    # numbers for the others, the smallest kommuner first (they have the least room)
    rest = sorted((i for i in range(len(codes)) if codes[i] not in out), key=lambda i: polys[i].area)
    order = sorted(rest, key=lambda i: names[i])
    number = {codes[i]: str(n) for n, i in enumerate(order, start=1)}
    for i in rest:
        c = centres[i]
        w = text_px(number[codes[i]])
        spot = None
        for x, y in [(c.x, c.y), *_around(c.x, c.y)]:
            box = _box(x, y, w)
            if not any(_hits(box, b) for b in placed) and box[0] >= bounds[0] and box[2] <= bounds[2] \
                    and box[1] >= bounds[1] and box[3] <= bounds[3]:
                spot = (x, y, box)
                break
        if spot is None:  # nowhere free within 120 px: at the centre (never the case in Swedish län)
            spot = (c.x, c.y, _box(c.x, c.y, w))
        placed.append(spot[2])
        moved = (spot[0], spot[1]) != (c.x, c.y)
        leader = ((c.x, c.y), _edge(spot[0], spot[1], spot[2], c.x, c.y)) if moved else None
        out[codes[i]] = (number[codes[i]], True, spot[0], spot[1], leader)
    labels = []
    for code in codes:
        text, numbered, x, y, leader = out[code]
        lonlat = None if leader is None else (to_lonlat(*leader[0]), to_lonlat(*leader[1]))
        labels.append(Label(code, text, numbered, *to_lonlat(x, y), lonlat))
    return labels
