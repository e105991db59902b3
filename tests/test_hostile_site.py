"""Hostile input against the site, its files and the browser (issue 24): markup in data never becomes
markup in a figure, the site's lock and staging names are never followed or guessed, a tampered site
record or comments file is a Swedish sentence, a browser that never answers is given up on in time."""

from __future__ import annotations

import json

import pandas as pd

from ojlib.analysis import colours, kon, levels
from ojlib.render import figures
from ojlib.report import lansrapport

EVIL_KOMMUN = '<a href="https://ev.il/">Gnosjö</a>'
EVIL_HEADER = "<b>fet</b><span style='color:red'>röd</span> & <i>kursiv</i>"
LIVE = ("<a ", "<b>fet", "<span style='color:red'", "<i>")


def _hostile(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with Gnosjö named as a link and every indicator name, level name and colour rule
    carrying markup, as a tampered reference file or an imported workbook's header would give."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: v.replace("Gnosjö", EVIL_KOMMUN) if isinstance(v, str) else v)
    for col in ("indikator", "färgregel", "färgklass"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: f"{EVIL_HEADER} {v}" if isinstance(v, str) else v)
    out.attrs = {**frame.attrs, "nivaer": {k: {int(n): f"{EVIL_HEADER} {t}" for n, t in lv.items()}
                                           for k, lv in (frame.attrs.get("nivaer") or {}).items()}}
    return out


def _strings(obj, out: list[str]) -> list[str]:
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _strings(v, out)
    elif isinstance(obj, list | tuple):
        for v in obj:
            _strings(v, out)
    return out


def _figures(ds) -> dict[str, object]:
    lan = _hostile(colours.coloured_lan_table(ds, "06", "missbruk"))
    nat = _hostile(colours.coloured_kommun_table(ds, "missbruk"))
    answers, trends = lansrapport.over_time_frames(ds, "06", colours.coloured_lan_table(ds, "06", "missbruk"))
    scale = lan.loc[lan.typ == "skala", "kpi"].iloc[0]
    return {
        "ranked_bars": figures.ranked_bars(lan, "U35538"),
        "ranked_bars marked, kompakt": figures.ranked_bars(lan, "U35538", markera="0617", kompakt=True),
        "ranked_bars skala": figures.ranked_bars(lan, scale),
        "ranked_bars ja_nej": figures.ranked_bars(lan, "U35519", jamforelse="kommungrupp"),
        "trend": figures.trend(_hostile(levels.trend(ds, "U35519", kommun="0617"))),
        "trend kompakt": figures.trend(_hostile(levels.trend(ds, "U35538", kommun="0617", lan="06")), kompakt=True),
        "overview": figures.overview(lan),
        "choropleth": figures.choropleth(nat, "U35538"),
        "sex_differences": figures.sex_differences(_hostile(kon.sex_differences(ds, lan="06", omrade="missbruk")),
                                                   "U35538"),
        "over_time": figures.over_time(_hostile(answers) if answers is not None else None,
                                       [_hostile(t) for t in trends], title=f"{EVIL_HEADER} över tid"),
    }


def test_markup_in_data_is_text_in_every_figure(example_ds):
    """Every text of every figure (traces, ticks, hover, legend, titles, notes): the hostile kommun name
    and headers are shown escaped (plotly draws them as written), never as a live link or styled text."""
    seen_kommun = seen_header = 0
    for name, fig in _figures(example_ds).items():
        texts = _strings(json.loads(fig.to_json()), [])
        live = [t for t in texts if any(m in t for m in LIVE)]
        assert not live, (name, live[:3])
        seen_kommun += sum("&lt;a href=\"https://ev.il/\"&gt;Gnosjö&lt;/a&gt;" in t for t in texts)
        seen_header += sum("&lt;b&gt;fet&lt;/b&gt;&lt;span style='color:red'&gt;röd&lt;/span&gt; &amp;" in t
                           for t in texts)
        assert any("&lt;b&gt;fet" in t for t in texts), name  # the header is shown, as text
    assert seen_kommun >= 8 and seen_header >= 10, (seen_kommun, seen_header)


def test_escaping_leaves_clean_frames_alone(example_ds):
    """Frames without markup are handed on as they are (no copy), so the figures are the same as before."""
    table = colours.coloured_lan_table(example_ds, "06", "missbruk")
    assert figures._plain(table) is table
    assert figures._plain([table, None, "Länet"])[0] is table
