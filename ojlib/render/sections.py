"""A report's sections in the notebook: ``show(rapport, "oversikt")``, one call per section.

The templates ``notebooks/lansanalys.ipynb`` and ``notebooks/kommunprofil.ipynb`` build their
:class:`~ojlib.report.model.Report` once (:func:`ojlib.report.build.lansrapport`,
:func:`~ojlib.report.build.kommunprofil`) and call :func:`show` once per kind of section; what a kind
draws is one function in :data:`DRAW`. The executed notebook is the HTML page
(:mod:`ojlib.render.html_export`) and, printed by Chromium, the PDF, so those formats draw the same
report as the deck (:mod:`ojlib.render.presentation`). Nothing here computes a fact.
"""

from __future__ import annotations

from IPython.display import Markdown, display

from ojlib.render import figures, notebook, tables, views
from ojlib.report.lansrapport import ANSWER_TYPES
from ojlib.report.model import FOLLOWING_KINDS, SECTION_KINDS, Report, Section


def _saknas(r: Report, s: Section) -> None:
    # Indicators of the catalogue without values in the chosen sources are named, never dropped silently
    display(Markdown(notebook.saknas_text(r.request, r.ds)))


def _inledning(r: Report, s: Section) -> None:
    display(views.inledning(r.request, r.ds, r.tabeller))


def _bakgrund(r: Report, s: Section) -> None:
    _omradesrubrik(s)
    display(views.bakgrund_table(s.data["rader"]))


def _sammanfattning(r: Report, s: Section) -> None:
    display(r.omraden[s.omrade].sammanfattning)


def _oversikt(r: Report, s: Section) -> None:
    tabell, title = r.omraden[s.omrade].tabell, notebook.omrade_title(s.omrade)
    stadsdelar = r.omraden[s.omrade].stadsdelar  # shown under their kommun, counted nowhere
    display(views.answer_matrix(r.ds, tabell, title=f"{title}: Ja/Nej- och skalfrågor", stadsdelar=stadsdelar,
                                fordelningar=r.omraden[s.omrade].fordelningar))
    for fig in figures.over_time_parts(*s.data["over_time"], title=f"{title}: länet och riket över tid", columns=6):
        fig.show()  # each part fits an A4 page: a printed figure is never cut
    numeric = [k for k in dict.fromkeys(tabell.kpi) if r.ds.cat[k].typ not in ANSWER_TYPES]
    trender = r.omraden[s.omrade].trender
    # each value once: the kommuner's values, coloured as in the coloured table, with their changes;
    # an indicator without a trend row (none on the example data) in a coloured table of its own
    for t in views.kommun_trend_tables(trender, numeric, title=f"{title}: kommunernas värden och utveckling "
                                       "sedan föregående jämförbara år", stadsdelar=stadsdelar, coloured=tabell):
        display(t)
    rest = tabell[~tabell.kpi.isin(set(trender.kpi))]
    if not rest.empty:
        rest.attrs = dict(tabell.attrs)
        for t in views.numeric_overviews(rest, title=f"{title}: övriga mått", stadsdelar=stadsdelar):
            display(t)
    saknas = views.missing_indicators(r.ds, tabell, s.omrade)
    if saknas:
        display(Markdown(saknas))


def _kapitel(r: Report, s: Section) -> None:
    tabell = r.omraden[s.omrade].tabell
    display(Markdown(f"## {s.rubrik}"))
    fordelningar = r.omraden[s.omrade].fordelningar
    display(views.chapter_intro(r.ds, tabell, s.data["kpis"], fordelningar))
    if r.kommentarer is not None:
        notebook.show_comment(r.kommentarer, s.rubrik)
    for k in s.data["kpis"]:
        if r.ds.cat[k].typ not in ANSWER_TYPES:
            figures.ranked_bars(tabell, kpi=k, jamforelse=r.request.jamforelse, kompakt=True).show()
    # the chapter's Ja/Nej and scale questions: each kommun's answer, with länet and riket under them
    matris = views.answer_matrix(r.ds, tabell[tabell.kpi.isin(s.data["kpis"])],
                                 title=f"{s.data['titel']}: kommunernas svar",
                                 stadsdelar=r.omraden[s.omrade].stadsdelar, fordelningar=fordelningar)
    if matris is not None:
        display(matris)


def _enheter(r: Report, s: Section) -> None:
    tabell, kapitel = r.omraden[s.omrade].tabell, s.data["kapitel"]
    # a site gives the chapter a page of its own and leaves its heading and summary here, with a link
    notebook.mark_part("enheter", rubrik=s.rubrik, omrade=s.omrade, sammanfattning=kapitel.summary())
    display(Markdown(f"## {s.rubrik}\n\n{kapitel.summary()}\n\nVarje kommuns enheter: hur många de är och hur "
                     "långt isär deras resultat ligger, med länets och rikets värde som linjer; sist varje enhet med "
                     "sina värden (klicka på en rubrik för att sortera)."))
    if r.kommentarer is not None:
        notebook.show_comment(r.kommentarer, s.rubrik)
    display(views.unit_counts(kapitel.counts, kapitel.kalla))
    for k in kapitel.kpis:
        figures.unit_spread(kapitel.spread[k], kapitel.values, tabell, k, kompakt=True).show()
    for typ, rader in kapitel.by_type():
        display(views.unit_matrix(rader, kapitel.kalla, title=typ))
    notebook.mark_part("enheter", slut=True)


def _stadsdelar(r: Report, s: Section) -> None:
    if r.request.mall == "kommunprofil":  # under the profile: the kommun's row and its stadsdelar under it
        display(Markdown(f"### {s.rubrik} i {r.request.kommun_namn}: {notebook.omrade_title(s.omrade)}\n\n"
                         "Kommunens stadsdelar eller socialförvaltningar med egna värden i datan (inlästa "
                         "arbetsböcker), indragna och märkta ↳ under kommunens rad, som har samma värden som "
                         "profilen ovan. De räknas inte in i länets, rikets eller jämförelsegruppens värden."))
        if r.kommentarer is not None:
            notebook.show_comment(r.kommentarer, s.rubrik)
        display(views.stadsdel_table(s.data["rader"], r.ds.kalla))
        return
    display(Markdown(f"## {s.rubrik}\n\nStadsdelar och socialförvaltningar med egna värden i datan, under sin "
                     "kommun (indragna, märkta ↳): samma värden som under kommunen i matrisen och tabellerna ovan, "
                     "här samlade för alla indikatorer. De räknas inte in i länets värde."))
    if r.kommentarer is not None:
        notebook.show_comment(r.kommentarer, s.rubrik)
    kalla = r.omraden[s.omrade].tabell.attrs.get("kalla") or r.ds.kalla
    display(views.stadsdel_table(s.data["rader"], kalla))


def _delregioner(r: Report, s: Section) -> None:
    display(Markdown(f"## {s.rubrik}\n\nLänets kommuner i sina delregioner, och varje delregions ovägda medel "
                     "bredvid länet och riket."))
    if r.kommentarer is not None:
        notebook.show_comment(r.kommentarer, s.rubrik)
    kalla = r.omraden[s.omrade].tabell.attrs.get("kalla") or r.ds.kalla
    display(views.delregion_overview(s.data["medel"], s.data["kommuner"], kalla))


def _omradesrubrik(s: Section) -> None:
    if s.data.get("omradesrubrik"):
        display(Markdown(f"### {notebook.omrade_title(s.omrade)}"))


def _sammanfattande_bild(r: Report, s: Section) -> None:
    _omradesrubrik(s)
    display(views.kommun_summary_table(s.data["kommuner"], s.data.get("stadsdelar")))


def _forbattringsomraden(r: Report, s: Section) -> None:
    _omradesrubrik(s)
    display(views.improvement_list(r.omraden[s.omrade].forbattringsomraden))


def _karta(r: Report, s: Section) -> None:
    tabell = r.omraden[s.omrade].tabell
    figures.choropleth(tabell, kpi=notebook.map_indicator(tabell)).show()


def _kon(r: Report, s: Section) -> None:
    skillnader = s.data["kon"]
    if skillnader.empty:
        display(Markdown("Inga indikatorer i urvalet är uppdelade på kön."))
    for kpi in skillnader.kpi.unique():
        figures.sex_differences(skillnader, kpi=kpi, kompakt=True).show()


def _datatackning(r: Report, s: Section) -> None:
    display(views.coverage_table(r.ds, r.omraden[s.omrade].tabell))


def _rubrik(r: Report, s: Section) -> None:
    display(Markdown(notebook.kommunprofil_header(r.request, r.ds)))


def _profil(r: Report, s: Section) -> None:
    display(Markdown(f"### {notebook.omrade_title(s.omrade)}"))
    display(tables.profile(r.omraden[s.omrade].profil))


def _enheter_kommun(r: Report, s: Section) -> None:
    display(Markdown(f"### Enheter: {notebook.omrade_title(s.omrade)}\n\nKommunens enheter med sina värden, under "
                     "dem kommunens, länets och rikets värde (klicka på en rubrik för att sortera)."))
    for typ, rader in s.data["enheter"].groupby("typ", sort=False):
        display(views.unit_matrix(rader, r.ds.kalla, title=typ))


def _jamforelsegrupp(r: Report, s: Section) -> None:
    grupp = r.omraden[s.omrade].grupp
    display(Markdown(f"### {notebook.omrade_title(s.omrade)}"))
    for kpi in notebook.directed_indicators(grupp, ja_nej=False):
        figures.ranked_bars(grupp, kpi=kpi, markera=r.request.kommun, kompakt=True).show()


def _utveckling(r: Report, s: Section) -> None:
    for trend in r.omraden[s.omrade].trender.values():
        figures.trend(trend, kompakt=True).show()


def _om_data(r: Report, s: Section) -> None:
    display(Markdown(notebook.about_data(r.ds, "rang_kvartil")))


def _egen(r: Report, s: Section) -> None:
    # the analyst's own section: the heading and text of the comment file (Markdown, its HTML escaped)
    display(Markdown(f"## {s.rubrik}"))
    notebook.show_comment(r.kommentarer, s.rubrik)


# What each kind of section draws in the notebook: a new kind is one function here.
DRAW = {"saknas": _saknas, "inledning": _inledning, "bakgrund": _bakgrund, "sammanfattning": _sammanfattning,
        "oversikt": _oversikt,
        "kapitel": _kapitel, "enheter": _enheter, "stadsdelar": _stadsdelar, "delregioner": _delregioner,
        "sammanfattande_bild": _sammanfattande_bild,
        "forbattringsomraden": _forbattringsomraden, "karta": _karta, "kon": _kon, "datatackning": _datatackning,
        "rubrik": _rubrik, "profil": _profil, "enheter_kommun": _enheter_kommun, "jamforelsegrupp": _jamforelsegrupp,
        "utveckling": _utveckling, "om_data": _om_data, "egen": _egen}
assert set(DRAW) == set(SECTION_KINDS), "every kind of section needs a drawing"


def show(report: Report, typ: str) -> None:
    """Draw every section of this kind, in order, after the analyst's comment for its heading.

    (A chapter and the units chapter show their comment under their own heading and introduction.) The
    analyst's own sections (kinds in ``FOLLOWING_KINDS``, which no template calls) follow the section
    placed before them."""
    sections = report.of_kind(typ)
    own_heading = ("kapitel", "enheter", "stadsdelar", "delregioner", *FOLLOWING_KINDS)  # comment under their heading
    if typ not in own_heading and report.kommentarer is not None:
        for rubrik in dict.fromkeys(s.rubrik for s in sections if s.rubrik):
            notebook.show_comment(report.kommentarer, rubrik)
    for s in sections:
        DRAW[typ](report, s)
    at = max((i for i, s in enumerate(report.sections) if s.typ == typ), default=None)
    while at is not None and at + 1 < len(report.sections) and report.sections[at + 1].typ in FOLLOWING_KINDS:
        at += 1
        DRAW[report.sections[at].typ](report, report.sections[at])
