"""What a comparison is computed on: the indicators, the dataset rows and the year per indicator.

Shared by the comparison modules (:mod:`ojlib.analysis.ranking`, :mod:`ojlib.analysis.trends`,
:mod:`ojlib.analysis.kon`, :mod:`ojlib.analysis.peers`), so every table chooses indicators and years the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ojlib.analysis.aggregate import (
    AVSER_ANDEL_JA,
    AVSER_SUMMA,
    STATUS_ANDEL_TOPP,
    avser_beraknat,
    avser_publicerat,
)
from ojlib.base.errors import OjError
from ojlib.data.catalog import Indicator
from ojlib.data.dataset import Dataset

NIVA_NAMN = {"kommun": "kommun", "lan": "län", "riket": "riket", "kommungrupp": "kommungrupp"}


def indicators(ds: Dataset, omrade=None, kpi=None, kon: str = "T") -> list[Indicator]:
    """The catalogue's indicators of an område (or the given KPI ids), for a sex. An område's
    bakgrundsmått are not compared (they have a table of their own, ``ojlib.report.lansrapport``)."""
    if kpi is not None:
        kpis = [kpi] if isinstance(kpi, str) else list(kpi)
        inds = [ds.cat[k] for k in kpis]
    else:
        inds = ds.cat.jamforda(omrade)
    if kon != "T":
        if kon not in ("K", "M"):
            raise OjError(f"Okänt kön '{kon}'; välj T (totalt), K (kvinnor) eller M (män).")
        inds = [i for i in inds if i.kon]
    if not inds:
        raise OjError("Inga indikatorer i katalogen passar urvalet; se `oj indikatorer`.")
    return inds


def meta(inds: list[Indicator]) -> pd.DataFrame:
    return pd.DataFrame({
        "kpi": [i.kpi for i in inds],
        "indikator": [i.namn for i in inds],
        "område": [i.omrade for i in inds],
        "typ": [i.typ for i in inds],
        "riktning": [i.riktning for i in inds],
        "enhet": [i.enhet for i in inds],
        "_ordning": range(len(inds)),
        "_jf": [i.jamforbara_ar[0] for i in inds],
    })


def rows(ds: Dataset, kpis: Iterable[str], kon) -> pd.DataFrame:
    """The dataset's rows of these KPIs and sex(es), all levels: one scan of the (large) table."""
    df = ds.df
    kons = [kon] if isinstance(kon, str) else list(kon)
    mask = df.kpi.isin(list(kpis))
    mask &= df.kon == kons[0] if len(kons) == 1 else df.kon.isin(kons)
    cols = ["kpi", "kod", "niva", "ar", "kon", "varde", "status"] + (["kalla"] if "kalla" in df.columns else [])
    return df.loc[mask, cols]


def kommun_rows(ds: Dataset, kpis: Iterable[str], kon, rows_: pd.DataFrame | None = None) -> pd.DataFrame:
    rows_ = rows(ds, kpis, kon) if rows_ is None else rows_
    return rows_[rows_.niva == "kommun"]


def years(ds: Dataset, inds: list[Indicator], kom: pd.DataFrame, omrade, ar, exakt_ar: bool) -> pd.Series:
    """The year each indicator is shown for (index kpi); indicators without values dropped."""
    have = kom[kom.varde.notna()]
    if ar is not None:
        year = ds.check_year(ar, [i.omrade for i in inds] if omrade is None else omrade)
        have = have[have.ar == year] if exakt_ar else have[have.ar <= year]
    out = have.groupby("kpi").ar.max()
    if out.empty:
        raise OjError(f"Det finns inga kommunvärden för urvalet{f' år {ar}' if ar is not None else ''} "
                      f"i {ds.kalla}; välj ett annat år eller område.")
    return out.astype(int)


def published(rows_: pd.DataFrame, niva: str, answer_kpis=()) -> pd.DataFrame:
    """The source's own län or riket values among ``rows_`` (from :func:`rows`).

    Answer types (``answer_kpis``) are left out: their län and riket values are always the
    distribution of the kommuner's answers, computed here, whatever the source published (a
    published value of an answer type may be a mean of answer codes).
    """
    out = rows_[(rows_.niva == niva) & rows_.varde.notna()]
    if len(answer_kpis):
        out = out[~out.kpi.isin(list(answer_kpis))]
    return out


def avser_from_status(status: pd.Series, typ: pd.Series, kalla) -> pd.Series:
    """Label a published row: exempeldata's rows say themselves what they are; others name the
    source they came from (``kalla``: the dataset's key, or the rows' own ``kalla`` column, so a
    dataset of several sources names the one each value came from)."""
    computed = status.isin(["ovagt_medel", "andel_ja", STATUS_ANDEL_TOPP, "summa"])
    if isinstance(kalla, pd.Series):
        names = {k: avser_publicerat(str(k)) for k in kalla.unique()}
        label = kalla.map(names).astype(object)
    else:
        label = pd.Series(avser_publicerat(kalla), index=status.index, dtype=object)
    label[computed & (typ == "ja_nej")] = AVSER_ANDEL_JA
    label[computed & (typ != "ja_nej")] = [avser_beraknat(t) for t in typ[computed & (typ != "ja_nej")]]
    label[status == "summa"] = AVSER_SUMMA  # a count the kommuner add up to (a population)
    return label


def check_medel(medel: str) -> None:
    if medel not in ("publicerat", "ovagt"):
        raise OjError(f"Okänt val av medel '{medel}'; välj publicerat eller ovagt.")


def attrs(frame: pd.DataFrame, ds: Dataset, **extra) -> pd.DataFrame:
    """Provenance for figures and tables: source, parameters, and the level labels of scales."""
    kpis = set(frame.kpi.unique()) if "kpi" in frame.columns else set()
    nivaer = {k: dict(ds.cat[k].nivaer) for k in sorted(kpis) if k in ds.cat and ds.cat[k].nivaer}
    years = frame["år"].dropna().unique() if "år" in frame.columns and len(ds.kallor) > 1 else None
    kalla = ",".join(ds.kallor_used(kpis or None, years))  # the sources actually used here
    frame.attrs = {"kalla": kalla, "exempeldata": ds.is_example and "exempeldata" in kalla, **extra,
                   "nivaer": nivaer}
    return frame
