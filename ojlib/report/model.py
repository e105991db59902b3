"""A report as data: the sections of a länsrapport, each fact computed once.

:func:`ojlib.report.build.lansrapport` makes a :class:`Report`; the renderers draw it and compute
no fact of their own: :mod:`ojlib.render.sections` shows its sections in the notebook (and so in
the HTML page and the PDF made from the notebook), :func:`ojlib.render.presentation.lan_deck` makes
the deck from the same report. The summary's "Störst …" sentences, the förbättringsområden and the
deck's improvement slide all read one :class:`~ojlib.analysis.findings.Ranking` per område.

A section is a :class:`Section`: a kind (``typ``, what a renderer draws), the heading an
analyst's comment file uses (``rubrik``; "" for a section without a heading of its own), the område
it belongs to and its data. A new section is one entry in :data:`SECTION_KINDS`, one place in
:func:`ojlib.report.build.lansrapport` and one drawing function per renderer (``DRAW`` in
:mod:`ojlib.render.sections`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ojlib.analysis.findings import Ranking
from ojlib.analysis.summary import Sammanfattning

# The kinds of section a länsrapport has, in the order the report shows them (a kind may occur
# once per område or per kvalitetsområde). Renderers look a section's drawing up by its kind.
SECTION_KINDS = (
    "saknas", "inledning", "bakgrund", "sammanfattning", "oversikt", "kapitel", "enheter", "stadsdelar", "delregioner",
    "sammanfattande_bild", "forbattringsomraden", "karta", "kon", "datatackning", "egen",
    # a kommun profile's
    "rubrik", "profil", "enheter_kommun", "jamforelsegrupp", "utveckling", "om_data",
)
# Kinds a template need not call: each such section is drawn right after the section before it
# ("egen": a section of the analyst's own, from the comment file, placed after the sammanfattande bild).
FOLLOWING_KINDS = ("egen",)


@dataclass
class Omrade:
    """The facts of one område of a report, computed once and read by every section and renderer."""

    omrade: str
    titel: str
    tabell: pd.DataFrame           # the län's comparison table, coloured (kommuner × indicators)
    trender: pd.DataFrame          # change since the previous comparable year (kommuner, länet, riket)
    rangordning: Ranking           # the one ranking of the område's indicators for the län
    sammanfattning: Sammanfattning
    forbattringsomraden: pd.DataFrame
    kapitel: list[tuple[str, str, list[str]]]   # (key, title, kpis) per kvalitetsområde
    # the stadsdelar/socialförvaltningar of the län's kommuner with values (lansrapport.stadsdel_rows): shown
    # under their kommun, never part of the table, länet, the ranking or the colours
    stadsdelar: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the län's and riket's answers per Ja/Nej and scale indicator (lansrapport.answer_distributions): the
    # översikt's matrix and each chapter's list and matrix read it, not each computing it again
    fordelningar: pd.DataFrame | None = None


@dataclass
class Profil:
    """The facts of one område of a kommun profile: the kommun against länet, riket and its groups."""

    omrade: str
    titel: str
    profil: pd.DataFrame           # the kommun's coloured profile (one row per indicator)
    grupp: pd.DataFrame            # the kommun and its peer group, coloured within the group
    trender: dict[str, pd.DataFrame]  # per indicator with a direction (not answers): kommun, län, riket over time


@dataclass
class Section:
    """One section: its kind, the heading comments use, the område it belongs to, and its data."""

    typ: str
    rubrik: str
    omrade: str | None = None
    data: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.typ not in SECTION_KINDS:
            raise ValueError(f"unknown section kind {self.typ!r}; add it to SECTION_KINDS")


@dataclass
class Report:
    """A länsrapport (or a kommun profile): its request, its data, the facts per område and the sections
    in order."""

    request: object                # ojlib.report.request.Lansanalys
    ds: object                     # ojlib.data.dataset.Dataset
    omraden: dict[str, Omrade]
    sections: list[Section] = field(default_factory=list)
    kommentarer: object = None     # ojlib.report.comments.Kommentarer

    @property
    def tabeller(self) -> dict[str, pd.DataFrame]:
        return {o: f.tabell for o, f in self.omraden.items()}

    def of_kind(self, typ: str) -> list[Section]:
        if typ not in SECTION_KINDS:
            raise ValueError(f"unknown section kind {typ!r}")
        return [s for s in self.sections if s.typ == typ]

    @property
    def rubriker(self) -> list[str]:
        """Every section heading in order (what an analyst's comment file may use), each once."""
        return list(dict.fromkeys(s.rubrik for s in self.sections if s.rubrik))
