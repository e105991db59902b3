"""Change since the last comparable year, with a verdict that follows the desired direction.

The verdict's tolerance is the one stated in :data:`ojlib.analysis.aggregate.TOLERANS` (also used for
"higher/lower than riket" in the summary).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ojlib.analysis import selection
from ojlib.analysis.aggregate import TOLERANS
from ojlib.analysis.formatting import format_value
from ojlib.analysis.levels import levels, value_text, wanted_units
from ojlib.analysis.selection import NIVA_NAMN
from ojlib.base import memo
from ojlib.data import geo
from ojlib.data.dataset import STATUS_TEXT, Dataset

BEDOMNING_UPP = {"hogre_battre": "förbättring", "lagre_battre": "försämring", None: "ökning"}
BEDOMNING_NED = {"hogre_battre": "försämring", "lagre_battre": "förbättring", None: "minskning"}


def verdict(change: float, rel: float, typ: str, riktning, niva: str = "lan") -> str:
    """förbättring/försämring (by the desired direction), ökning/minskning (none), or oförändrad.

    ``change`` is the absolute change, ``rel`` the relative one in per cent; which one is held
    against the tolerance, and how large it is, comes from ``TOLERANS``.
    """
    kind, tol = TOLERANS[typ]
    if niva == "kommun" and typ in ("ja_nej", "skala"):
        kind, tol = "steg", 0.0
    size = abs(change)
    if kind == "procent":  # relative change; from zero any change counts
        size = abs(rel) if pd.notna(rel) else (0.0 if change == 0 else np.inf)
    if size <= tol + 1e-9:
        return "oförändrad"
    return (BEDOMNING_UPP if change > 0 else BEDOMNING_NED)[riktning]


def trend_table(ds: Dataset, lan=None, kommun=None, omrade=None, ar=None, kon: str = "T",
                medel: str = "publicerat", riket: bool = True, kpi=None) -> pd.DataFrame:
    """Change since the last comparable year, with a verdict that follows the desired direction.

    Units: ``lan`` gives its kommuner, the län and riket; ``kommun`` gives the kommun(er), their
    län and riket. The current year per indicator is chosen as in :func:`kommun_table`; the
    earlier year is the latest earlier year with a value on the same side of a definition break.

    Columns: kpi, indikator, typ, riktning, enhet, nivå, kod, namn, år, värde, värde_text,
    jämfört_med_år, värde_då, värde_då_text, förändring (absolute, in the indicator's unit:
    procentenheter for percentages and shares), förändring_procent (relative, for kronor and
    counts), bedömning and kommentar. bedömning is förbättring / försämring / oförändrad for
    indicators with a direction, ökning / minskning / oförändrad without one, "ej jämförbar"
    when the only earlier values lie before a definition break, "inget tidigare värde" or
    "värde saknas". oförändrad means within ``aggregate.TOLERANS`` (1 procentenhet for shares,
    percentages and the share of kommuner at the top answer, 2 % for kronor and counts; a
    kommun's own Ja/Nej or scale answer changes or it does not). For Ja/Nej and scales the
    län/riket values are shares of kommuner (%), their changes in procentenheter.
    """
    inds = selection.indicators(ds, omrade, kpi, kon)
    kom_rows = selection.kommun_rows(ds, [i.kpi for i in inds], kon)
    years = selection.years(ds, inds, kom_rows, omrade, ar, exakt_ar=False)
    inds = [i for i in inds if i.kpi in years.index]
    if lan is not None and kommun is None:
        kommuner = geo.kommuner_i_lan(lan)
        _, regions = wanted_units(None, lan, riket)
    else:
        kommuner, regions = wanted_units(kommun, lan, riket)
    # the national levels of these indicators: once per batch (every län report of an område asks)
    lv = memo.memo(("levels", memo.fingerprint(ds), tuple(i.kpi for i in inds), kon, medel),
                     lambda: levels(ds, inds, kon, medel))
    lv = lv[lv.kod.isin(kommuner + regions) & (lv.kon == kon)]
    by = {i.kpi: i for i in inds}
    lv = lv.assign(_cur=lv.kpi.map(years), _jf=lv.kpi.map({k: i.jamforbara_ar[0] for k, i in by.items()}))
    units = pd.DataFrame({"kod": kommuner + regions,
                          "niva": ["kommun"] * len(kommuner) + ["riket" if r == geo.RIKET else "lan" for r in regions]})
    cur = units.merge(years.rename("ar").reset_index(), how="cross")
    cur = cur.merge(lv[["kpi", "kod", "ar", "varde", "status", "avser", "antal_med_varde"]], on=["kpi", "kod", "ar"],
                    how="left")
    earlier = lv[lv.varde.notna() & (lv.ar < lv._cur)]
    comparable = earlier[earlier.ar >= earlier._jf]
    prev = comparable.sort_values("ar").groupby(["kpi", "kod"]).tail(1)[["kpi", "kod", "ar", "varde"]]
    before_break = earlier[earlier.ar < earlier._jf].groupby(["kpi", "kod"]).ar.max().rename("fore")
    cur = cur.merge(prev.rename(columns={"ar": "jämfört_med_år", "varde": "värde_då"}), on=["kpi", "kod"], how="left")
    cur = cur.merge(before_break.reset_index(), on=["kpi", "kod"], how="left")

    rows = []
    for r in cur.itertuples(index=False):
        ind = by[r.kpi]
        change = r.varde - r.värde_då if pd.notna(r.varde) and pd.notna(r.värde_då) else np.nan
        rel = 100.0 * change / abs(r.värde_då) if pd.notna(change) and r.värde_då else np.nan
        if pd.isna(r.varde):
            result = "värde saknas"
            note = STATUS_TEXT.get(r.status, "Värde saknas") if isinstance(r.status, str) else "Värde saknas"
        elif pd.isna(r.värde_då):
            if pd.notna(r.fore):
                result = "ej jämförbar"
                note = (f"Definitionsändring {ind.jamforbara_ar[0]}: {r.ar} jämförs inte med "
                        f"{int(r.fore)} eller tidigare år.")
            else:
                result, note = "inget tidigare värde", ""
        else:
            result = verdict(change, rel, ind.typ, ind.riktning, r.niva)
            note = ""
        agg = r.niva != "kommun"
        kind = TOLERANS[ind.typ][0]
        rows.append({
            "kpi": r.kpi, "indikator": ind.namn, "typ": ind.typ, "riktning": ind.riktning, "enhet": ind.enhet,
            "nivå": NIVA_NAMN[r.niva], "kod": r.kod, "år": int(r.ar), "värde": r.varde,
            "värde_text": value_text(r.varde, ind, r.niva, r.kod, r.antal_med_varde),
            "jämfört_med_år": None if pd.isna(r.jämfört_med_år) else int(r.jämfört_med_år),
            "värde_då": r.värde_då, "värde_då_text": format_value(r.värde_då, ind, agg),
            "förändring": None if pd.isna(change) else round(float(change), 2),
            "förändring_procent": None if pd.isna(rel) or kind != "procent" else round(float(rel), 1),
            "bedömning": result, "kommentar": note, "avser": r.avser if agg else None,
        })
    out = pd.DataFrame(rows)
    out.insert(7, "namn", out.kod.map(geo.area_names()))
    order = {i.kpi: n for n, i in enumerate(inds)}
    niv = {"kommun": 0, "län": 1, "riket": 2}
    out = out.sort_values(by=["kpi", "nivå", "kod"], key=lambda s: s.map(order) if s.name == "kpi" else
                          (s.map(niv) if s.name == "nivå" else s), kind="mergesort").reset_index(drop=True)
    out["jämfört_med_år"] = out["jämfört_med_år"].astype("Int64")
    for c in ("värde", "värde_då", "förändring", "förändring_procent"):
        out[c] = out[c].astype("float64")
    return selection.attrs(out, ds, omrade=omrade, ar=ar, kon=kon, medel=medel,
                  lan=None if lan is None else geo.normalise_lan(lan), kommun=kommun)
