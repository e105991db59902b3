"""The one aggregation-and-ranking core: comparison values, distributions, ranks, tolerance.

Every län, riket, kommungrupp and peer value ojlib computes comes from here (the comparison
tables, trends, peers, summary, figures, exports and the example data's stored län/riket rows):

* **Answer types** (``ja_nej``, ``skala``): a kommun answers at a level; a group of kommuner is a
  *distribution* – how many kommuner gave each answer (:func:`distribution`, e.g. "9 av 13
  kommuner Ja, 2 Delvis, 2 Nej") – and its one number is the *share of kommuner at the top
  level* in per cent (``ja_nej``: the share Ja; a scale: the share at its highest labelled
  level, e.g. "Ja, för alla"), among the kommuner that answered. Never a mean of answer codes.
* **Numbers** (``andel``, ``kr_per_inv``, ``antal``): the unweighted mean of the kommuner with a
  value ("ovägt medel av kommunerna"), labelled as such; a value the source published itself
  is labelled "publicerat värde (…)".
* **Ranks**: "min" method (tied kommuner share the best place), only kommuner with a value,
  following the desired direction; answer types are not ranked (an answer has no place).
* **Tolerance** (:data:`TOLERANS`, :func:`compare_to`): one stated tolerance for "higher/lower
  than riket" and for changes over time, e.g. shares within 1 procentenhet count as equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl

from ojlib.analysis.formatting import format_share, level_text, short_num
from ojlib.data.answers import ANSWER_TYPES, STATUS_ANDEL_TOPP, is_answer, share_input, top_level  # noqa: F401
from ojlib.data.sources import registry

# Labels for what a comparison value is.
AVSER_ANDEL_JA = "andel kommuner med Ja (%)"
AVSER_OVAGT = "ovägt medel av kommunerna"
AVSER_SUMMA = "summan av kommunerna"


def avser_andel(level_label: str) -> str:
    """Label of a share of kommuner at a level: "andel kommuner med Ja (%)", "… med ”Inom 3 dagar” (%)"."""
    return f"andel kommuner med {level_text(level_label)} (%)"


def avser_beraknat(typ: str, ind=None) -> str:
    """Label of a value ojlib computed from the kommuner: the share at the top level, or ovägt medel."""
    if typ == "ja_nej" or (typ == "skala" and ind is None):
        return AVSER_ANDEL_JA if typ == "ja_nej" else "andel kommuner med skalans högsta nivå (%)"
    if typ == "skala":
        return avser_andel(ind.nivaer.get(top_level(ind), "högsta nivån"))
    return AVSER_OVAGT


def avser_publicerat(kalla: str) -> str:
    """Label of a value the source published itself (Kolada's län/riket are weighted)."""

    keys = [k.strip() for k in str(kalla).split(",") if k.strip()]
    names = [registry.get(k).label if registry.known(k) else k for k in keys]
    return f"publicerat värde ({' eller '.join(names)})"


# ---------------------------------------------------------------- comparison values

def _float_series(name: str, values) -> pl.Series:
    """A float column for polars with numpy's NaN as null (polars' mean, count and rank skip nulls, not NaN)."""
    return pl.Series(name, np.asarray(values, dtype=float), dtype=pl.Float64, nan_to_null=True)


def group_stats(values: np.ndarray, groups: dict[str, np.ndarray], score: np.ndarray | None = None) -> dict:
    """For each row and each grouping (name -> group id per row) in one polars pass: its group's
    comparison value (the mean of :func:`share_input` ``values``, rounded to 2 decimals), how many
    rows of the group have a value, and (with ``score``) the row's rank in its group, "min" method,
    1 = highest score, none without a score. Returns name -> (mean, count, rank) arrays per row;
    the rank as pandas ``Int64`` (missing where the row has no score), or None without ``score``."""
    frame = pl.DataFrame([_float_series("v", values), *([_float_series("s", score)] if score is not None else []),
                          *(pl.Series(f"g{n}", np.asarray(gid)) for n, gid in enumerate(groups.values()))])
    exprs = []
    for n in range(len(groups)):
        exprs += [pl.col("v").mean().over(f"g{n}").alias(f"m{n}"), pl.col("v").count().over(f"g{n}").alias(f"c{n}")]
        if score is not None:
            exprs.append(pl.col("s").rank("min", descending=True).over(f"g{n}").alias(f"r{n}"))
    out = frame.select(exprs)
    result = {}
    for n, name in enumerate(groups):
        mean = np.round(out[f"m{n}"].to_numpy().astype(float), 2)  # numpy's rounding, as pandas' round(2)
        count = out[f"c{n}"].to_numpy().astype("int64")
        rank = (pd.Series(out[f"r{n}"].to_numpy().astype(float)).astype("Int64") if score is not None else None)
        result[name] = (mean, count, rank)
    return result


def group_frame(frame: pd.DataFrame, keys: list[str], column: str = "_in") -> pd.DataFrame:
    """:func:`group_stats`' comparison value and count for a long frame: columns ``keys`` + ``_medel``
    and ``_n``, one row per combination of keys in order of first appearance (a row with a missing key
    belongs to no group). Computed with polars; the key columns keep their pandas types."""
    lf = pl.from_pandas(frame[keys]).with_columns(_float_series("v", frame[column]))
    agg = (lf.drop_nulls(keys).group_by(keys, maintain_order=True)
             .agg(pl.col("v").mean().alias("_medel"), pl.col("v").count().alias("_n")))
    out = pd.DataFrame({k: pd.Series(agg[k].to_numpy(), dtype=frame[k].dtype) for k in keys})
    out["_medel"] = np.round(agg["_medel"].to_numpy().astype(float), 2)  # numpy's rounding, as pandas' round(2)
    out["_n"] = agg["_n"].to_numpy().astype("int64")
    return out


def rank_scores(varde: np.ndarray, riktning: np.ndarray) -> np.ndarray:
    """The score ranked highest-first: the value, negated where lower is better."""
    return np.where(riktning == "lagre_battre", -varde, varde)


# ---------------------------------------------------------------- distributions

@dataclass(frozen=True)
class Distribution:
    """How many kommuner gave each answer: ``antal`` per level, highest level first.

    ``nivaer`` is a list of (code, label, count); ``andel_topp`` the share (%) at the top level
    among those that answered (None when none answered).
    """

    nivaer: tuple[tuple[int, str, int], ...]
    antal_med_svar: int
    antal_saknas: int
    topp_etikett: str
    andel_topp: float | None

    @property
    def antal_topp(self) -> int:
        return self.nivaer[0][2] if self.nivaer else 0

    @property
    def text(self) -> str:
        """"9 av 13 kommuner Ja, 2 Delvis, 2 Nej" (+ ", 1 utan svar" when some did not answer).

        Starts with the top level (the share's numerator, also when it is 0) and lists every level.
        """
        return ", ".join(self.parts)

    @property
    def parts(self) -> list[str]:
        """The parts of :attr:`text`, one per level: ["9 av 13 kommuner Ja", "2 Delvis", "2 Nej"], for a
        table cell that puts each on its own line (a level's label may itself hold a comma, "Ja, för alla")."""
        if not self.antal_med_svar:
            return ["Inga kommuner har svarat" + (f" ({self.antal_saknas} utan svar)" if self.antal_saknas else "")]
        (_, top_label, top_count), *rest = self.nivaer
        noun = "kommun" if self.antal_med_svar == 1 else "kommuner"
        head = f"{top_count} av {self.antal_med_svar} {noun} {level_text(top_label)}"
        parts = [head, *(f"{c} {level_text(label)}" for _, label, c in rest)]
        if self.antal_saknas:
            parts.append(f"{self.antal_saknas} utan svar")
        return parts

    @property
    def andel_text(self) -> str:
        """"69 % Ja" (the share at the top level), or "–"."""
        return format_share(self.andel_topp, self.topp_etikett)

    def as_dict(self) -> dict:
        return {"nivaer": [list(x) for x in self.nivaer], "antal_med_svar": self.antal_med_svar,
                "antal_saknas": self.antal_saknas, "topp_etikett": self.topp_etikett,
                "andel_topp": self.andel_topp, "text": self.text}


def distribution(values, ind) -> Distribution:
    """The answers of a group of kommuner to one Ja/Nej or scale indicator (levels high to low).

    ``values`` are the kommuner's codes (missing = no answer). Every labelled level is listed,
    also those nobody gave; a code outside the labels is listed with its number.
    """
    v = pd.Series(values, dtype="float64")
    answered = v.dropna().round().astype(int)
    return distribution_from_counts(answered.value_counts().to_dict(), int(v.isna().sum()), ind)


def distribution_from_counts(counts: dict, antal_saknas: int, ind) -> Distribution:
    """A :class:`Distribution` from the number of kommuner per answer code and without an answer."""
    counts = {int(k): int(c) for k, c in counts.items() if c}
    levels = sorted(set(ind.nivaer) | set(counts), reverse=True)
    nivaer = tuple((k, ind.nivaer.get(k, short_num(k)), counts.get(k, 0)) for k in levels)
    top = top_level(ind)
    n = sum(counts.values())
    share = round(100.0 * counts.get(top, 0) / n, 2) if n else None
    return Distribution(nivaer, n, int(antal_saknas), ind.nivaer.get(top, short_num(top)), share)


def distribution_texts(table: pd.DataFrame, group: str, cat) -> pd.Series:
    """Per row of a comparison table, the distribution text of the row's group for answer types.

    ``group`` is a column of group keys (e.g. "länskod"; None for all rows = riket). Returns a
    Series aligned with ``table`` (None for numeric indicators).
    """
    out = pd.Series(None, index=table.index, dtype=object)
    answer = table.typ.isin(ANSWER_TYPES)
    if not answer.any():
        return out
    part = table[answer]
    keys = ["kpi", "år"] + ([group] if group else [])
    for key, idx in part.groupby(keys, sort=False).groups.items():
        kpi = key[0]
        out.loc[idx] = distribution(part.loc[idx, "värde"], cat[kpi]).text
    return out


def ja_share(values) -> dict:
    """Share of kommuner answering Ja among those that answered (missing values excluded).

    Returns ``{"antal_ja", "antal_med_svar", "antal_saknas", "andel_ja"}`` with andel_ja in per
    cent (None when no kommun answered).
    """
    v = pd.Series(values, dtype="float64")
    answered = int(v.notna().sum())
    ja = int((v == 1).sum())
    return {"antal_ja": ja, "antal_med_svar": answered, "antal_saknas": int(v.isna().sum()),
            "andel_ja": round(100.0 * ja / answered, 2) if answered else None}


# ---------------------------------------------------------------- tolerance

# Tolerance for "lika"/"oförändrad": within it two län/riket values count as equal, for the
# comparison with riket and for changes over time alike. Absolute for shares and percentages
# (procentenheter), relative (per cent of the value compared with) for kronor and counts. A
# kommun's own Ja/Nej or scale answer is the same or it is not.
TOLERANS = {
    "ja_nej": ("procentenheter", 1.0),   # share of kommuner with Ja
    "skala": ("procentenheter", 1.0),    # share of kommuner at the scale's top level
    "andel": ("procentenheter", 1.0),
    "kr_per_inv": ("procent", 2.0),
    "antal": ("procent", 2.0),
}


def tolerance_text(typ: str) -> str:
    """The tolerance in words: "1 procentenhet", "2 %"."""
    kind, tol = TOLERANS[typ]
    if kind == "procent":
        return f"{short_num(tol)}\u00a0%"
    return f"{short_num(tol)} {'procentenhet' if tol == 1 else 'procentenheter'}"


TOLERANS_TEXT = (f"Skillnader och förändringar inom {tolerance_text('andel')} (andelar och andel kommuner "
                 f"med Ja) eller inom {tolerance_text('kr_per_inv')} (kronor och antal) räknas som lika.")


def within_tolerance(diff: float, base: float, typ: str) -> bool:
    """True when ``diff`` (a − base) is within the type's tolerance."""
    kind, tol = TOLERANS[typ]
    if kind == "procent":
        if base == 0 or pd.isna(base):
            return diff == 0
        return abs(100.0 * diff / abs(base)) <= tol + 1e-9
    return abs(diff) <= tol + 1e-9


def compare_to(a, b, typ: str) -> str:
    """"högre", "lägre" or "lika" (within :data:`TOLERANS`) for a against b; "" when one is missing."""
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return ""
    diff = float(a) - float(b)
    if within_tolerance(diff, float(b), typ):
        return "lika"
    return "högre" if diff > 0 else "lägre"


# ---------------------------------------------------------------- sparse län values

# A län value that rests on fewer than half of the län's kommuner (Kolada publishes one for
# Jönköping's missbruk brukarbedömning from 2 of 13 kommuner) is shown with its "k av n kommuner"
# and makes no claim against riket: no "higher/lower than riket", no förbättringsområde.
GLES_ANDEL = 0.5
GLES_REGEL = ("Ett länsvärde som bygger på färre än hälften av länets kommuner visas med hur många det är "
              "(”2 av 13 kommuner”) och jämförs inte med riket: det ger inget påstående om högre eller lägre "
              "än riket och inget förbättringsområde.")


def sparse(k, n):
    """True where a län value rests on ``k`` of the län's ``n`` kommuner and k is fewer than half
    (scalars or arrays)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    out = (n > 0) & (k < n * GLES_ANDEL)
    return bool(out) if out.ndim == 0 else out


def underlag_text(k, n) -> str:
    """"2 av 13 kommuner"."""
    return f"{int(k)} av {int(n)} {'kommun' if int(n) == 1 else 'kommuner'}"


def lan_underlag(row) -> str | None:
    """"2 av 13 kommuner" for a comparison-table row whose län value is sparse, else None."""
    if not bool(row.get("länet_glest", False)):
        return None
    return underlag_text(row["antal_med_värde_i_länet"], row["antal_kommuner_i_länet"])
