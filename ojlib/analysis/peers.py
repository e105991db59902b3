"""Peers: a kommun's comparison group (kommungrupp, Kolada's "Liknande kommuner", a list), the
peer table and the kommun profile (one kommun against its län, riket and peers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ojlib.analysis.aggregate import ANSWER_TYPES, avser_beraknat, distribution, rank_scores, share_input, top_level
from ojlib.analysis.formatting import format_value
from ojlib.analysis.ranking import kommun_table
from ojlib.base import memo
from ojlib.base.errors import OjError
from ojlib.data import geo
from ojlib.data import omraden as omr
from ojlib.data.catalog import parse_omraden
from ojlib.data.dataset import Dataset


def peer_members(kommun, peers="liknande", omrade=None) -> tuple[list[str], str]:
    """The kommun's peers (codes, the kommun itself excluded) and a Swedish label for them.

    ``peers``: "kommungrupp" (SKR kommungrupp 2023), "liknande" (Kolada's latest "Liknande
    kommuner" group made for the kommun, per område as params/omraden.yml names it (IFO for
    missbruk and barn_och_unga, LSS for funktionsnedsattning), "övergripande" for several), a
    Kolada group id ("G36538"), or a list of kommun codes or names.
    """
    kod = geo.normalise_kommun(kommun)
    ref = geo.kommuner().set_index("kommun_kod")
    name = ref.at[kod, "kommun_namn"]
    if isinstance(peers, str) and peers == "kommungrupp":
        grp = ref.at[kod, "kommungrupp_kod"]
        members = sorted(ref.index[ref.kommungrupp_kod == grp])
        label = f"Kommungrupp {ref.at[kod, 'kommungrupp_namn']} (SKR)"
    elif isinstance(peers, str) and peers == "liknande":

        titles = {omr.get(o).peer_group for o in parse_omraden(omrade)}
        title = titles.pop() if len(titles) == 1 else omr.OVERGRIPANDE
        groups = geo.peer_groups(kod, title)
        if title != omr.OVERGRIPANDE:  # "IFO" must not match "IFO-…" variants
            groups = groups[groups.group_title.str.startswith(title + ",")]
        if groups.empty:  # e.g. Gnosjö has no "Liknande kommuner LSS": its kommungrupp, with a note
            members, label = peer_members(kod, "kommungrupp")
            return members, f"{label}, eftersom Kolada saknar gruppen '{title}' för {name}"
        groups = groups.assign(_ar=groups.group_title.str.extract(r"(\d{4})$", expand=False))
        best = groups.sort_values(["_ar", "group_id"]).iloc[-1]
        members = geo.group_members(best.group_id)
        label = f"{best.group_title} (Kolada)"
    elif isinstance(peers, str) and peers.startswith("G") and peers[1:].isdigit():
        members = geo.group_members(peers)
        g = geo.kolada_groups()
        label = f"{g.loc[g.group_id == peers, 'group_title'].iloc[0]} (Kolada)"
    elif isinstance(peers, str):
        raise OjError(f"Okänd jämförelsegrupp '{peers}'; välj kommungrupp, liknande, ett Kolada-grupp-id "
                      "(t.ex. G36538) eller en lista med kommuner.")
    else:
        members = sorted({geo.normalise_kommun(p) for p in peers})
        label = f"Egen lista ({len([m for m in members if m != kod])} kommuner)"
    members = [m for m in members if m != kod]
    if not members:
        raise OjError(f"Jämförelsegruppen för {name} innehåller inga andra kommuner.")
    return members, label


def placement_text(rank, antal, typ: str) -> str:
    """"4 av 13", or "–" (no value, or an answer type: an answer has no place)."""
    if typ in ANSWER_TYPES or rank is None or pd.isna(rank) or not antal:
        return "–"
    return f"{int(rank)} av {int(antal)}"


def peer_table(ds: Dataset, kommun, omrade=None, ar=None, peers="liknande", kon: str = "T",
               medel: str = "publicerat") -> pd.DataFrame:
    """The kommun and its peers × indicator, with the peers' value and ranks among them.

    Computed once per dataset and arguments in a process (a kommun profile asks for it twice:
    for its table and for its charts); each caller gets its own frame. See :func:`_peer_table`.
    """

    key = ("peer_table", memo.fingerprint(ds), geo.normalise_kommun(kommun), repr(omrade), repr(ar),
           repr(peers), kon, medel)
    return memo.recent(key, lambda: _peer_table(ds, kommun, omrade, ar, peers, kon, medel)).copy(deep=False)


def _peer_table(ds: Dataset, kommun, omrade=None, ar=None, peers="liknande", kon: str = "T",
                medel: str = "publicerat") -> pd.DataFrame:
    """The kommun and its peers × indicator, with the peers' value and ranks among them.

    Rows: the chosen kommun (``vald`` True) first, then its peers, per indicator. Columns: those
    of :func:`ojlib.analysis.ranking.kommun_table` plus vald, jämförelsegrupp (label),
    jämförelsegruppens_värde and jämförelsegrupp_avser (share of kommuner at the top answer for
    Ja/Nej and scales, ovägt medel otherwise; the peers only, the kommun itself excluded),
    jämförelsegrupp_text, jämförelsegrupp_fördelning (answer types: "4 av 7 kommuner Ja, 3 Nej"),
    antal_jämförda_med_värde, rang_bland_jämförda (kommun and peers ranked together; answer
    types are not ranked).
    """
    kod = geo.normalise_kommun(kommun)
    members, label = peer_members(kod, peers, omrade)
    full = kommun_table(ds, omrade, ar, kon, medel)
    t = full[full.kommunkod.isin([kod, *members])].copy()
    t["vald"] = t.kommunkod == kod
    inds = {k: ds.cat[k] for k in t.kpi.unique()}
    top = t.kpi.map(lambda k: top_level(inds[k])).to_numpy(dtype=float)
    t["_in"] = share_input(t["värde"].to_numpy(), t.typ.to_numpy(dtype=object), top)
    peers_only = t[~t.vald]
    agg = peers_only.groupby("kpi", sort=False)._in.agg(["mean", "count"])
    t["jämförelsegrupp"] = label
    t["jämförelsegruppens_värde"] = t.kpi.map(agg["mean"].round(2))
    t["jämförelsegrupp_avser"] = t.kpi.map(lambda k: avser_beraknat(inds[k].typ, inds[k])) + " i jämförelsegruppen"
    t["jämförelsegrupp_text"] = [format_value(v, inds[k], aggregate=True)
                                 for v, k in zip(t["jämförelsegruppens_värde"], t.kpi, strict=True)]
    dist = {k: distribution(part["värde"], inds[k]).text
            for k, part in peers_only.groupby("kpi", sort=False) if inds[k].typ in ANSWER_TYPES}
    t["jämförelsegrupp_fördelning"] = t.kpi.map(dist)
    t["antal_jämförda_med_värde"] = t.groupby("kpi", sort=False)["värde"].transform("count").astype(int)
    answer = t.typ.isin(ANSWER_TYPES).to_numpy()
    score = pd.Series(np.where(answer, np.nan, rank_scores(t["värde"].to_numpy(), t.riktning.to_numpy(dtype=object))),
                      index=t.index)
    t["rang_bland_jämförda"] = score.groupby(t.kpi).rank(method="min", ascending=False).astype("Int64")
    t = t.assign(_o=~t.vald).sort_values(["kpi", "_o", "kommunkod"], key=lambda s: s.map(
        {k: n for n, k in enumerate(full.kpi.unique())}) if s.name == "kpi" else s, kind="mergesort")
    out = t.drop(columns=["_in", "_o"]).reset_index(drop=True)
    out.attrs = {**full.attrs, "kommun": kod, "jamforelsegrupp": label, "peers": members}
    return out


def kommun_profile(ds: Dataset, kommun, omrade=None, ar=None, peers="liknande", kon: str = "T",
                   medel: str = "publicerat") -> pd.DataFrame:
    """One kommun against its län, riket and peers: one row per indicator (the kommunprofil).

    Columns as in :func:`peer_table` (only the chosen kommun's rows) plus placering_i_länet,
    placering_i_riket, placering_bland_jämförda ("4 av 13"; "–" for answer types and missing
    values) – read them with ``rang_avser`` ("1 = högst kostnad (ingen önskvärd riktning)").
    ``attrs`` gain kommungrupp (the SKR kommungrupp's name) and jamforelsegrupp (the peers).
    For colours like the overview: ``colours.coloured_kommun_profile``.
    """
    t = peer_table(ds, kommun, omrade, ar, peers, kon, medel)
    out = t[t.vald].drop(columns="vald").reset_index(drop=True)
    out["placering_i_länet"] = [placement_text(r, n, typ) for r, n, typ in
                                zip(out.rang_i_länet, out.antal_med_värde_i_länet, out.typ, strict=True)]
    out["placering_i_riket"] = [placement_text(r, n, typ) for r, n, typ in
                                zip(out.rang_i_riket, out.antal_med_värde_i_riket, out.typ, strict=True)]
    out["placering_bland_jämförda"] = [placement_text(r, n, typ) for r, n, typ in
                                       zip(out.rang_bland_jämförda, out.antal_jämförda_med_värde, out.typ,
                                           strict=True)]
    out.attrs = dict(t.attrs)
    if len(out):
        out.attrs["kommungrupp"] = str(out.kommungrupp_namn.iloc[0])
    return out
