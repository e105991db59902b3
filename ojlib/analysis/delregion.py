"""Delregioner in a län's comparison: each delregion's unweighted mean beside länet and riket.

A delregion's value is computed from its kommuner the way the län table computes kommungruppen's:
the ovägt medel of the kommuner's values for numbers, and for Ja/Nej and scales the share (%) of its
kommuner that gave the top answer (never a mean of answer codes). The groups come from
``params/delregioner.yml`` (:mod:`ojlib.data.delregioner`).
"""

from __future__ import annotations

import pandas as pd

from ojlib.analysis import ranking
from ojlib.analysis.aggregate import avser_beraknat, group_frame, sparse, underlag_text
from ojlib.analysis.formatting import format_column
from ojlib.data import delregioner
from ojlib.data.answers import share_input, top_level

OVRIGA = "Övriga kommuner"


def membership(table: pd.DataFrame, lan) -> pd.DataFrame:
    """The län's kommuner with their delregion (file order; a kommun outside every one: "Övriga kommuner")."""
    groups = delregioner.grouping(lan)
    kom = table[["kommunkod", "kommun"]].drop_duplicates("kommunkod")
    out = kom.assign(delregion=kom.kommunkod.map(groups).fillna(OVRIGA))
    order = {d.titel: n for n, d in enumerate(delregioner.for_lan(lan))}
    out["_o"] = out.delregion.map(order).fillna(len(order))
    return out.sort_values(["_o", "kommun"]).drop(columns="_o").reset_index(drop=True)


def means(table: pd.DataFrame, lan, catalogue) -> pd.DataFrame:
    """One row per indicator of ``table`` (a län table): its year, what the group values are
    (``avser``), each delregion's value and number of kommuner with a value, länet and riket."""
    members = membership(table, lan).set_index("kommunkod").delregion
    t = table.assign(delregion=table.kommunkod.map(members))
    top = t.kpi.map(lambda k: top_level(catalogue[k])).to_numpy(dtype=float)
    t["_in"] = share_input(t["värde"].to_numpy(dtype=float), t.typ.to_numpy(dtype=object), top)
    agg = group_frame(t, ["kpi", "delregion"])
    wide = agg.pivot(index="kpi", columns="delregion", values="_medel")
    count = agg.pivot(index="kpi", columns="delregion", values="_n")
    heads = table.drop_duplicates("kpi").set_index("kpi")
    out = heads[["indikator", "typ", "år", "länet", "riket"]].copy()
    out["avser"] = [avser_beraknat(t_, catalogue[k]) for k, t_ in zip(out.index, out.typ, strict=True)]
    for name in dict.fromkeys(members):
        out[name] = wide[name].reindex(out.index) if name in wide else float("nan")
        out[f"{name} (antal)"] = count[name].reindex(out.index).fillna(0).astype(int) if name in count else 0
    return out.reset_index()


def kommun_comparison(ds, kommun, omrade, ar=None) -> pd.DataFrame | None:
    """A kommun's delregion for its profile: one row per indicator of the område with the delregion's
    value exactly as in :func:`means` (``delregion``), how many of its kommuner have a value
    (``delregion_antal``) and the text a reader sees (``delregion_text``; a value resting on fewer than
    half of its kommuner says on how many, as a län value does). ``attrs``: the delregion's ``titel``
    and ``kommuner`` (how many). None when the kommun is in no delregion of ``params/delregioner.yml``."""
    d = delregioner.of_kommun(kommun)
    if d is None:
        return None
    table = ranking.lan_table(ds, d.lan, omrade, ar)
    m = means(table, d.lan, ds.cat)
    n = len(d.kommuner)
    out = pd.DataFrame({"kpi": m.kpi, "år": m["år"], "delregion": m[d.titel].astype(float),
                        "delregion_antal": m[f"{d.titel} (antal)"].astype(int)})
    text = format_column(out.delregion, out.kpi, ds.cat, aggregate=True).to_numpy(dtype=object)
    thin = sparse(out.delregion_antal, n) & out.delregion.notna().to_numpy()
    text[thin] = [f"{t} ({underlag_text(k, n)})" for t, k in zip(text[thin], out.delregion_antal[thin], strict=True)]
    out["delregion_text"] = text
    out.attrs = {"titel": d.titel, "kommuner": n}
    return out
