"""Interactive exploration in JupyterLab: choose län, område, indicator and kommun; figures update.

The widgets only choose; the figures come from ``compare`` and ``figures`` like everywhere else.
``Utforskare.render()`` returns the figures it drew, so tests can check what a choice shows.
"""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display

from ojlib import colours, compare, figures, geo
from ojlib.catalog import OMRADEN
from ojlib.dataset import Dataset

INGEN = ""


class Utforskare:
    """Dropdowns for län, område, indicator and kommun above a ranked bar chart and a trend."""

    def __init__(self, ds: Dataset, lan: str = "06", omrade: str = "missbruk", kpi: str | None = None,
                 kommun: str | None = None, fargstrategi: str = "rang_kvartil"):
        self.ds = ds
        self.fargstrategi = colours.check_strategy(fargstrategi)
        lan_options = [(r.lan_namn, r.lan_kod) for r in geo.lan().itertuples()]
        self.lan = widgets.Dropdown(description="Län", options=lan_options, value=geo.normalise_lan(lan))
        self.omrade = widgets.Dropdown(description="Område", options=[(v, k) for k, v in OMRADEN.items()],
                                       value=omrade)
        self.indikator = widgets.Dropdown(description="Indikator", layout=widgets.Layout(width="60%"))
        self.kommun = widgets.Dropdown(description="Kommun")
        self._handles: list = []
        self._updating = False
        self._fill_indicators(kpi)
        self._fill_kommuner(kommun)
        for w in (self.lan, self.omrade, self.indikator, self.kommun):
            w.observe(self._changed, names="value")
        self.figures: list = []

    def _fill_indicators(self, kpi: str | None = None) -> None:
        options = [(i.namn, i.kpi) for i in self.ds.cat.for_omrade(self.omrade.value)]
        self._updating = True
        self.indikator.options = options
        self.indikator.value = kpi if kpi in dict(options).values() else options[0][1]
        self._updating = False

    def _fill_kommuner(self, kommun: str | None = None) -> None:
        k = geo.kommuner()
        k = k[k.lan_kod == self.lan.value]
        options = [("(ingen)", INGEN)] + [(r.kommun_namn, r.kommun_kod) for r in k.itertuples()]
        self._updating = True
        self.kommun.options = options
        code = geo.normalise_kommun(kommun) if kommun else INGEN
        self.kommun.value = code if code in dict(options).values() else INGEN
        self._updating = False

    def _changed(self, change) -> None:
        if self._updating:
            return
        if change["owner"] is self.omrade:
            self._fill_indicators()
        if change["owner"] is self.lan:
            self._fill_kommuner()
        self.render()

    def render(self) -> list:
        """Draw the figures for the current choice into the output area and return them."""
        kpi, lan, kommun = self.indikator.value, self.lan.value, self.kommun.value or None
        ind = self.ds.cat[kpi]
        ar = max(a for a in self.ds.years if a <= ind.ar_till)
        table = colours.coloured_lan_table(self.ds, lan, ind.omrade, ar, strategi=self.fargstrategi, kpi=kpi)
        self.figures = [
            figures.ranked_bars(table, kpi=kpi, markera=kommun),
            figures.trend(compare.trend(self.ds, kpi, kommun=kommun, lan=lan)),
        ]
        if self._handles and all(h is not None for h in self._handles):
            for handle, fig in zip(self._handles, self.figures, strict=True):
                handle.update(fig)
        else:
            self._handles = [display(fig, display_id=True) for fig in self.figures]
        return self.figures

    @property
    def widget(self) -> widgets.VBox:
        return widgets.VBox([widgets.HBox([self.lan, self.omrade]), widgets.HBox([self.indikator, self.kommun])])

    def show(self) -> None:
        """Display the controls and draw the current choice below them.

        The figures are plain outputs with display ids, updated in place when a choice changes,
        so a notebook run headless (papermill, nbval, HTML export) keeps the default view.
        """
        display(self.widget)
        self.render()
