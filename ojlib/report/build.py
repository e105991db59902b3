"""``lansrapport(request, ds) -> Report``: every fact of a länsrapport, computed once, in sections.

Per område: the coloured län table, the trend table, the one ranking of its indicators
(:func:`ojlib.analysis.findings.rank`), and from them the summary, the förbättringsområden and
the sammanfattande bild. The notebook (and so the HTML page and the PDF) and the deck render this
report (:mod:`ojlib.render.sections`, :mod:`ojlib.render.presentation`); neither ranks on its own.
"""

from __future__ import annotations

from ojlib.analysis import colours, delregion, findings, kon, levels, peers, summary, trends
from ojlib.data import geo
from ojlib.data import omraden as omrade_info
from ojlib.data.answers import ANSWER_TYPES
from ojlib.data.catalog import parse_omraden
from ojlib.report import lansrapport as rules
from ojlib.report.model import SECTION_KINDS, Omrade, Profil, Report, Section
from ojlib.report.request import Request


def facts(ds, lan: str, omrade: str, ar, fargstrategi: str = "rang_kvartil", palett: str = "standard") -> Omrade:
    """The facts of one område of a län's report."""
    tabell = colours.coloured_lan_table(ds, lan, omrade, ar, strategi=fargstrategi, palett=palett)
    trender = trends.trend_table(ds, lan=lan, omrade=omrade, ar=ar)
    rang = findings.rank(ds, tabell, trender)
    return Omrade(
        omrade=omrade, titel=omrade_info.get(omrade).titel, tabell=tabell, trender=trender, rangordning=rang,
        sammanfattning=summary.lan_summary(ds, lan, omrade, ar, facts={omrade: (tabell, trender, rang)}),
        forbattringsomraden=rules.improvement_areas(ds, tabell, rang),
        kapitel=rules.chapters(ds, list(dict.fromkeys(tabell.kpi))),
        stadsdelar=rules.stadsdel_rows(ds, tabell),
        fordelningar=rules.answer_distributions(ds, tabell),
    )


def lansrapport(p, ds, kommentarer=None, kinds=SECTION_KINDS, palett: str = "standard",
                delregioner: bool = False) -> Report:
    """The länsrapport of a validated request ``p`` (:class:`ojlib.report.request.Request`).

    ``kinds`` limits the section data computed to the kinds a renderer draws (the deck draws no
    over-time panels or kön figures); every section is listed, and the facts per område are
    always complete. ``delregioner``: a section grouping the län's kommuner by delregion
    (``params/delregioner.yml``) with each delregion's ovägt medel per indicator. With ``kommentarer`` (an
    analyst's comment file) every heading it uses is checked against the report's sections; a heading
    that names none is the analyst's own section ("egen"), placed after the (last) sammanfattande bild.
    """
    omraden = {o: facts(ds, p.lan, o, p.ar, p.fargstrategi, palett) for o in p.omraden}
    many = len(omraden) > 1
    sections = [Section("saknas", ""), Section("inledning", "Inledning")]
    # context before any comparison: each område's bakgrundsmått, never coloured or ranked
    sections += [Section("bakgrund", "Bakgrundsmått", o, {"rader": rules.bakgrund(ds, p.lan, o, p.ar),
                                                          "omradesrubrik": many} if "bakgrund" in kinds else {})
                 for o in omraden]
    sections += [Section("sammanfattning", "Sammanfattning", o) for o in omraden]
    sections += [Section("oversikt", "Översikt", o, {"over_time": rules.over_time_frames(ds, p.lan, f.tabell)}
                         if "oversikt" in kinds else {}) for o, f in omraden.items()]
    for o, f in omraden.items():
        for key, titel, kpis in f.kapitel:
            sections.append(Section("kapitel", rules.chapter_heading(titel, o, len(omraden)), o,
                                    {"key": key, "titel": titel, "kpis": kpis}))
    if "enheter" in kinds:  # units, for an område whose indicators Kolada has per unit (and the data has them)
        for o, f in omraden.items():
            chapter = rules.unit_chapter(ds, p.lan, f.tabell)
            if chapter is not None:
                sections.append(Section("enheter", rules.chapter_heading("Enheter", o, len(omraden)), o,
                                        {"kapitel": chapter}))
    for o, f in omraden.items():  # stadsdelar/socialförvaltningar under their kommun, when the data has them
        if "stadsdelar" in kinds and not f.stadsdelar.empty:
            sections.append(Section("stadsdelar", rules.chapter_heading("Stadsdelar", o, len(omraden)), o,
                                    {"rader": f.stadsdelar}))
    if delregioner:
        sections += [Section("delregioner", rules.chapter_heading("Delregioner", o, len(omraden)), o,
                             {"kommuner": delregion.membership(f.tabell, p.lan),
                              "medel": delregion.means(f.tabell, p.lan, ds.cat)}) for o, f in omraden.items()]
    sections += [Section("sammanfattande_bild", "Sammanfattande bild", o,
                         {"kommuner": rules.kommun_summary(ds, f.tabell), "omradesrubrik": many,
                          "stadsdelar": rules.stadsdel_summary(ds, f.tabell, f.stadsdelar)})
                 for o, f in omraden.items()]
    sections += [Section("forbattringsomraden", "Förbättringsområden", o, {"omradesrubrik": many}) for o in omraden]
    sections += [Section("karta", "Karta", o) for o in omraden]
    sections.append(Section("kon", "Skillnader mellan kvinnor och män", None,
                            {"kon": kon.sex_differences(ds, lan=p.lan, omrade=list(p.omraden), ar=p.ar)}
                            if "kon" in kinds else {}))
    sections += [Section("datatackning", "Datatäckning", o) for o in omraden]
    report = Report(p, ds, omraden, sections, kommentarer)
    if kommentarer is not None:
        own = [Section("egen", rubrik) for rubrik in kommentarer.check(report.rubriker)]
        after = max(i for i, s in enumerate(sections) if s.typ == "sammanfattande_bild") + 1
        report.sections[after:after] = own
    return report


def lan_report(ds, lan, omrade, ar=None, fargstrategi: str = "rang_kvartil", palett: str = "standard",
               kinds=SECTION_KINDS) -> Report:
    """The länsrapport of a län for the data already loaded (the deck's way in: its options are
    checked by the deck; ``ar=None`` is each indicator's latest year, as the deck has always shown)."""
    lk = geo.normalise_lan(lan)
    omraden = tuple(parse_omraden(omrade))
    lan_namn = geo.lan().set_index("lan_kod").at[lk, "lan_namn"]
    p = Request("lansanalys", lk, str(lan_namn), None, None, omraden, ar, ds.kalla, fargstrategi=fargstrategi,
                palett=palett)
    return lansrapport(p, ds, kinds=kinds, palett=palett)


def kommunprofil(p, ds, delregioner: bool = False) -> Report:
    """The kommun profile of a validated request ``p`` (:class:`ojlib.report.request.Request`):
    per område the coloured profile, the peer group and the trends of the indicators with a direction.
    ``delregioner``: the profile also compares with the kommun's delregion (its ovägt medel, columns of
    :func:`ojlib.analysis.delregion.kommun_comparison`), or says that the kommun is in none."""
    omraden = {}
    for o in p.omraden:
        profil = colours.coloured_kommun_profile(ds, p.kommun, o, p.ar, peers=p.peers)
        if delregioner:
            profil = _with_delregion(profil, delregion.kommun_comparison(ds, p.kommun, o, p.ar))
        grupp = colours.classify(peers.peer_table(ds, p.kommun, o, p.ar, peers=p.peers), inom="tabellen")
        directed = list(dict.fromkeys(profil.loc[profil.riktning.notna() & ~profil.typ.isin(ANSWER_TYPES), "kpi"]))
        omraden[o] = Profil(o, omrade_info.get(o).titel, profil, grupp,
                            {k: levels.trend(ds, k, kommun=p.kommun, lan=p.lan) for k in directed})
    sections = [Section("rubrik", ""), Section("saknas", "")]
    # the kommun's bakgrundsmått beside länet's and riket's: context, never coloured or ranked
    sections += [Section("bakgrund", "Bakgrundsmått", o, {"rader": rules.bakgrund(ds, p.lan, o, p.ar, kommun=p.kommun),
                                                          "omradesrubrik": True}) for o in omraden]
    sections += [Section("profil", "Profil", o) for o in omraden]
    for o, f in omraden.items():  # the kommun's stadsdelar/socialförvaltningar, when the data has them
        rader = rules.stadsdel_rows(ds, f.profil)
        if not rader.empty:
            sections.append(Section("stadsdelar", "Stadsdelar", o, {"rader": rader}))
    for o in omraden:  # the kommun's units, for an område whose indicators Kolada has per unit
        values = rules.kommun_units(ds, p.kommun, o, p.ar)
        if not values.empty:
            sections.append(Section("enheter_kommun", "Kommunens enheter", o, {"enheter": values}))
    sections += [Section("jamforelsegrupp", "Kommunen bland jämförelsegruppen", o) for o in omraden]
    sections += [Section("utveckling", "Utveckling över tid", o) for o in omraden]
    sections.append(Section("om_data", "Om data"))
    return Report(p, ds, omraden, sections)


def _with_delregion(profil, comparison):
    """The profile with its delregion's columns (``attrs["delregion"]``: titel and number of kommuner),
    or marked as a kommun in no delregion (``attrs["delregion"] = None``)."""
    attrs = dict(profil.attrs)
    if comparison is None:
        profil = profil.copy()
        profil.attrs = {**attrs, "delregion": None}
        return profil
    same_year = comparison.rename(columns={"år": "_år"})
    out = profil.merge(same_year, on="kpi", how="left")
    other = out["_år"].notna() & (out["_år"] != out["år"])  # never expected: the same table picks the years
    out.loc[other, ["delregion", "delregion_antal", "delregion_text"]] = [float("nan"), 0, "–"]
    out = out.drop(columns="_år")
    out.attrs = {**attrs, "delregion": dict(comparison.attrs)}
    return out
