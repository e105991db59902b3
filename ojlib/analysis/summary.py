"""A written Swedish summary of a län and område, generated from the numbers.

Every number in the text comes from :mod:`ojlib.analysis.ranking` frames (the län table, the trend
table and the coverage); nothing is typed in. Which indicators a "Störst …" sentence names is the
head of the one ranking in :mod:`ojlib.analysis.findings` (the förbättringsområden and the deck read
it too). The same numbers are returned in ``fakta`` so notebooks and tests can check them. Shares of
kommuner with Ja are counted from the kommuner's answers ("X av Y kommuner med svar"); län and riket
values are the labelled comparison values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ojlib import EXEMPELDATA_MARK
from ojlib.analysis import aggregate, coverage, findings, formatting, ranking, trends
from ojlib.analysis.aggregate import TOLERANS_TEXT, compare_to, tolerance_text
from ojlib.data import geo
from ojlib.data.catalog import OMRADEN, parse_omraden
from ojlib.data.dataset import Dataset
from ojlib.data.source_lines import has_example, source_line


@dataclass
class Sammanfattning:
    """The summary: a heading, sections of bullet sentences, and the numbers behind them."""

    rubrik: str
    avsnitt: dict[str, list[str]]
    fakta: dict = field(default_factory=dict)
    kalla: str = ""

    @property
    def punkter(self) -> list[str]:
        return [p for ps in self.avsnitt.values() for p in ps]

    @property
    def text(self) -> str:
        """Markdown: heading, the exempeldata mark when it applies, sections, source line."""
        lines = [f"### {self.rubrik}", ""]
        if has_example(self.kalla):
            lines += [f"**{EXEMPELDATA_MARK}**", ""]
        for title, points in self.avsnitt.items():
            if len(self.avsnitt) > 1:
                lines += [f"**{title}**", ""]
            lines += [f"- {p}" for p in points] + [""]
        lines.append(f"*{source_line(self.kalla, derived=True)}*")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _float(x) -> float | None:
    return None if pd.isna(x) else round(float(x), 2)


def _q(name: str) -> str:
    return f"”{name}”"


def _ja_nej_points(t: pd.DataFrame, fakta: dict) -> list[str]:
    jn = t[t.typ == "ja_nej"]
    if jn.empty:
        return []
    rows = []
    for kpi, part in jn.groupby("kpi", sort=False):
        share = aggregate.ja_share(part["värde"])
        first = part.iloc[0]
        rows.append({"kpi": kpi, "namn": first.indikator, "år": int(first["år"]), **share,
                     "lanet": _float(first["länet"]), "riket": _float(first["riket"]),
                     "riket_avser": first.riket_avser, "glest": bool(first.get("länet_glest", False))})
    info = pd.DataFrame(rows)
    fakta["ja_nej"] = {r["kpi"]: {k: r[k] for k in ("antal_ja", "antal_med_svar", "andel_ja", "lanet", "riket")}
                       for r in rows}
    comp = info[~info.glest].dropna(subset=["lanet", "riket"])  # too few kommuner: not held against riket
    verdicts = [compare_to(a, b, "ja_nej") for a, b in zip(comp.lanet, comp.riket, strict=True)]
    over, under = verdicts.count("högre"), verdicts.count("lägre")
    same = len(comp) - over - under
    fakta.update(ja_nej_antal=len(info), ja_nej_over_riket=over, ja_nej_under_riket=under, ja_nej_som_riket=same)
    points = [f"Länets andel kommuner med Ja är högre än rikets för {over} och lägre för {under} av områdets "
              f"{len(comp)} Ja/Nej-indikatorer" + (f" (lika för {same})" if same else "") +
              f"; skillnader inom {tolerance_text('ja_nej')} räknas som lika."] if len(comp) else []
    ok = info[info.antal_med_svar > 0].sort_values(["andel_ja", "kpi"], ascending=[False, True], kind="mergesort")
    if len(ok):
        def phrase(r) -> str:
            return (f"{_q(r.namn)} ({r.antal_ja} av {r.antal_med_svar} kommuner med svar, "
                    f"{formatting.format_number(r.andel_ja, 'ja_nej')}; riket "
                    f"{formatting.format_number(r.riket, 'ja_nej')}, {r.år})")
        best, worst = ok.iloc[0], ok.iloc[-1]
        points.append(f"Flest kommuner svarar Ja på {phrase(best)}.")
        if worst.kpi != best.kpi:
            points.append(f"Minst andel Ja har {phrase(worst)}.")
    return points


def _scale_points(t: pd.DataFrame, fakta: dict) -> list[str]:
    """One sentence per scale question: how the län's kommuner answered, and riket's share at the top."""
    heads = t[t.typ == "skala"].drop_duplicates("kpi")
    fakta["skala"] = {r.kpi: {"lanet": _float(r.länet), "riket": _float(r.riket), "fordelning": r.länet_fördelning}
                      for r in heads.itertuples()}
    return [f"{_q(r.indikator)}, {r.år}: {r.länet_fördelning}; i riket svarar {r.riket_text}."
            for r in heads.itertuples() if isinstance(r.länet_fördelning, str)]


def _tops(r: findings.Ranking, fakta: dict, keys: tuple[str, ...]) -> list[str]:
    """The ranking's "Störst …" sentences for ``keys``, with the named KPIs and their places in ``fakta``."""
    sentences = findings.top_sentences(r)
    lists = {"forbattrade": r.forbattrade(), "forsamrade": r.forsamrade(),
             "battre_an_riket": r.battre_an_riket(), "samre_an_riket": r.samre_an_riket()}
    points = []
    for key in keys:
        named = findings.top(lists[key])
        fakta[FAKTA_NAMN[key]] = [i.kpi for i in named]
        fakta.setdefault("platser", {})[FAKTA_NAMN[key]] = {i.kpi: i.plats for i in named}
        if key in sentences:
            points.append(sentences[key])
    return points


# the fakta keys of the ranking's named indicators (as before the ranking: tests and notebooks read them)
FAKTA_NAMN = {"forbattrade": "storsta_forbattringar", "forsamrade": "storsta_forsamringar",
              "battre_an_riket": "storst_battre_an_riket", "samre_an_riket": "storst_samre_an_riket"}


def _change_points(tt: pd.DataFrame, r: findings.Ranking, fakta: dict) -> list[str]:
    lan = tt[(tt["nivå"] == "län") & tt.riktning.notna()]
    counts = lan["bedömning"].value_counts()
    fb, fs, of = (int(counts.get(k, 0)) for k in ("förbättring", "försämring", "oförändrad"))
    fakta.update(forbattringar=fb, forsamringar=fs, oforandrade=of)
    points = []
    if fb + fs + of:
        points.append(f"Jämfört med föregående jämförbara år förbättrades länets värde för {fb} indikatorer, "
                      f"försämrades för {fs} och var oförändrat för {of} (oförändrat: inom "
                      f"{tolerance_text('andel')} för andelar, {tolerance_text('kr_per_inv')} för kronor och antal).")
    points += _tops(r, fakta, ("forbattrade", "forsamrade"))
    breaks = tt[(tt["nivå"] == "län") & (tt["bedömning"] == "ej jämförbar")]
    for row in breaks.itertuples():
        points.append(f"{_q(row.indikator)} kan inte jämföras med tidigare år: "
                      f"{row.kommentar[0].lower()}{row.kommentar[1:]}")
    kom = tt[(tt["nivå"] == "kommun") & (tt.typ == "ja_nej")]
    nej_ja = int((kom["förändring"] == 1).sum())
    ja_nej = int((kom["förändring"] == -1).sum())
    fakta.update(nej_till_ja=nej_ja, ja_till_nej=ja_nej)
    if len(kom.dropna(subset=["förändring"])):
        points.append(f"Sedan föregående mätning har länets kommuner gått från Nej till Ja i {nej_ja} fall och från "
                      f"Ja till Nej i {ja_nej} fall (alla Ja/Nej-indikatorer).")
    return points


def _riket_points(t: pd.DataFrame, r: findings.Ranking, fakta: dict) -> list[str]:
    heads = t.drop_duplicates("kpi")
    points = _tops(r, fakta, ("battre_an_riket", "samre_an_riket"))
    costs = heads[heads.riktning.isna() & heads["länet"].notna()]
    for row in costs.itertuples():
        few = (f", {aggregate.underlag_text(row.antal_med_värde_i_länet, row.antal_kommuner_i_länet)}"
               if getattr(row, "länet_glest", False) else "")
        points.append(f"{_q(row.indikator)}: {formatting.format_number(row.länet, row.typ, row.enhet)} i länet "
                      f"({row.länet_avser}{few}) mot {formatting.format_number(row.riket, row.typ, row.enhet)} i "
                      f"riket, {row.år} (ingen önskvärd riktning).")
    return points + _sparse_points(t, fakta)


def _sparse_points(t: pd.DataFrame, fakta: dict) -> list[str]:
    """The indicators whose län value rests on fewer than half of the kommuner, said plainly."""
    heads = t.drop_duplicates("kpi")
    few = heads[heads.get("länet_glest", pd.Series(False, index=heads.index)).astype(bool)]
    fakta["glesa"] = {r.kpi: aggregate.underlag_text(r.antal_med_värde_i_länet, r.antal_kommuner_i_länet)
                      for r in few.itertuples()}
    if few.empty:
        return []
    parts = [f"{_q(r.indikator)} ({fakta['glesa'][r.kpi]})" for r in few.itertuples()]
    return [f"Länets värde bygger på färre än hälften av kommunerna för {findings._and(parts)}; "
            f"{'det jämförs' if len(parts) == 1 else 'de jämförs'} inte med riket."]


def _coverage_points(t: pd.DataFrame, fakta: dict) -> list[str]:
    cov = coverage.coverage(None, table=t)
    total, have = int(cov.antal_kommuner.sum()), int(cov["med_värde"].sum())
    missing = total - have
    fakta.update(kommunvarden=total, saknade_varden=missing)
    if not missing:
        return [f"Alla {total} kommunvärden finns."]
    parts = [f"{int(cov[c].sum())} {c.replace('_', ' ')}" for c in ("bortfall", "sekretess", "ej_tillämpligt", "saknas")
             if int(cov[c].sum())]
    return [f"Värden saknas för {missing} av {total} kommunvärden ({', '.join(parts)})."]


def lan_summary(ds: Dataset, lan, omrade=None, ar=None, medel: str = "publicerat",
                facts: dict | None = None) -> Sammanfattning:
    """The summary of a län for one område (or several, one section each; "alla" for all).

    Sections: Ja/Nej (how many kommuner answer Ja and how länet compares with riket), scale
    questions (how the län's kommuner answered), change
    since the last comparable year (counts of förbättring/försämring, the largest ones, kommuner
    going Nej → Ja), the largest differences from riket, costs, and missing values. Every
    "Störst …" sentence names the head of the område's :class:`~ojlib.analysis.findings.Ranking`.

    ``facts`` maps an område to the (län table, trend table, ranking) a report already computed
    (``ojlib.report.build``); områden not in it are computed here.
    """
    lk = geo.normalise_lan(lan)
    omraden = parse_omraden(omrade)
    lan_namn = geo.lan().set_index("lan_kod").at[lk, "lan_namn"]
    avsnitt: dict[str, list[str]] = {}
    fakta: dict = {"lan": lk, "lan_namn": lan_namn, "omraden": omraden, "per_omrade": {}}
    years: set[int] = set()
    avser: set[str] = set()
    for omr in omraden:
        f: dict = {}
        if facts and omr in facts:
            t, tt, rang = facts[omr]
        else:
            t = ranking.lan_table(ds, lk, omr, ar, medel=medel)
            tt = trends.trend_table(ds, lan=lk, omrade=omr, ar=ar, medel=medel)
            rang = findings.rank(ds, t, tt)
        years |= set(int(y) for y in t["år"].unique())
        avser |= set(t.länet_avser) | set(t.riket_avser)
        f["antal_kommuner"] = int(t.kommunkod.nunique())
        points = (_ja_nej_points(t, f) + _scale_points(t, f) + _change_points(tt, rang, f) + _riket_points(t, rang, f)
                  + _coverage_points(t, f))
        avsnitt[OMRADEN[omr]] = points
        fakta["per_omrade"][omr] = f
    fakta["antal_kommuner"] = len(geo.kommuner_i_lan(lk))
    span = f"{min(years)}" if len(years) == 1 else f"{min(years)}–{max(years)}"
    any_ja = any(f.get("ja_nej_antal") for f in fakta["per_omrade"].values())
    note = ("Länets och rikets värden avser: " + "; ".join(sorted(avser)) +
            (". Andelen Ja räknas bland de kommuner som svarat. " if any_ja else ". ") + TOLERANS_TEXT
            + (" " + aggregate.GLES_REGEL if any(f.get("glesa") for f in fakta["per_omrade"].values()) else ""))
    last = list(avsnitt)[-1]
    avsnitt[last] = avsnitt[last] + [note]
    if len(omraden) == 1:
        fakta.update(fakta["per_omrade"][omraden[0]])
    titel = OMRADEN[omraden[0]] if len(omraden) == 1 else "alla områden"
    return Sammanfattning(f"Sammanfattning: {lan_namn}, {titel.lower()}, {span}", avsnitt, fakta, ds.kalla)
