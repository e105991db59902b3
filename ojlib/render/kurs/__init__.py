"""The course in notebooks/kurs/: exercises that check the learner's answers, in Swedish.

In a course notebook::

    from ojlib.render.kurs import kontrollera, kursdata, visa_losning
    ds = kursdata()                 # the example data, the same the answers are computed from
    svar = ...                      # the learner writes an answer here
    kontrollera("2b", svar)         # Rätt! / Inte rätt än. Tips: … / Inte besvarad än.
    visa_losning("2b")              # the solution code and why

What is right lives in :mod:`ojlib.render.kurs.ovningar` (computed from the data by ojlib), how an answer
is read and the feedback in :mod:`ojlib.render.kurs.svar`, and the course as files (copy, solutions filled
in, the teacher's page, HTML export) in :mod:`ojlib.publish.kurs`.
"""

from __future__ import annotations

from ojlib.base import paths
from ojlib.base.errors import OjError
from ojlib.data.dataset import available, load_dataset
from ojlib.render import notebook
from ojlib.render.kurs.ovningar import EGEN, OVNINGAR, TAL, VAL, Ovning, raknexempel
from ojlib.render.kurs.svar import (
    FEL,
    OBESVARAD,
    RATT,
    Aterkoppling,
    beskriv_typ,
    las_tal,
    las_val,
    lika_tal,
    normalisera,
    obesvarad,
    tal_text,
)

__all__ = ["Aterkoppling", "kontrollera", "kursdata", "mall", "raknexempel", "visa_losning"]

_DATA: dict = {}
_FACIT: dict = {}


def kursdata():
    """The course's data: the example dataset (loaded once per kernel). Also makes errors short
    (one Swedish sentence) and figures light (their JSON only), as in the report templates."""
    if "ds" not in _DATA:
        if not available("exempeldata"):
            raise OjError("Kursen räknar på exempeldata, som inte finns än; kör `oj exempeldata` (eller `oj kurs`, "
                          "som skapar den) och kör cellen igen.")
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            get_ipython = None
        if get_ipython is not None and get_ipython() is not None:  # in a notebook, not in a test process
            notebook.setup()
            notebook.use_plain_figure_display()
        _DATA["ds"] = load_dataset("exempeldata")
    return _DATA["ds"]


def ovning(ovning_id: str) -> Ovning:
    """The exercise with this id ("2b"), or one Swedish sentence naming the course's exercises."""
    key = str(ovning_id).strip().lower()
    if key not in OVNINGAR:
        raise OjError(f"Det finns ingen övning '{ovning_id}' i kursen; övningarna heter "
                      f"{', '.join(OVNINGAR)}.")
    return OVNINGAR[key]


def facit(ovning_id: str, **uppgifter):
    """The expected answer, computed from the course's data (once per exercise and arguments)."""
    o = ovning(ovning_id)
    if o.typ == EGEN:
        raise OjError(f"Övning {o.id} har inget enskilt svar; den kontrollerar det du har gjort.")
    key = (o.id, tuple(sorted(uppgifter.items())))
    if key not in _FACIT:
        _FACIT[key] = o.facit(kursdata(), **uppgifter)
    return _FACIT[key]


def _toleranstext(o: Ovning) -> str:
    if o.tolerans:
        return (f" Tal godtas med decimalkomma eller decimalpunkt, inom ±{tal_text(o.tolerans, o.tolerans)} "
                "från det rätta.")
    return ""


def _fel(o: Ovning, text: str) -> Aterkoppling:
    return Aterkoppling(o.id, FEL, text)


def kontrollera(ovning_id: str, svar=..., **uppgifter) -> Aterkoppling:
    """Check the learner's answer to an exercise and say so in Swedish.

    Right; wrong with a hint that points to the idea (never the answer); or "inte besvarad än"
    while ``svar`` is still ``...``. ``uppgifter`` are the exercise's own settings, e.g.
    ``lan=mitt_lan`` for the exercises on the learner's own län.
    """
    o = ovning(ovning_id)
    if obesvarad(svar):
        return Aterkoppling(o.id, OBESVARAD, "Skriv ditt svar efter `svar =` och kör cellen igen.")
    if o.typ == EGEN:
        problem = o.facit(svar, kursdata(), **uppgifter)
        return Aterkoppling(o.id, RATT, o.forklaring) if problem is None else _fel(o, problem)
    expected = facit(o.id, **uppgifter)
    if o.typ == TAL:
        x = las_tal(svar)
        if x is None:
            return _fel(o, f"Svaret ska vara ett tal, t.ex. 12 eller 81,6; du gav {beskriv_typ(svar)}. Tips: {o.tips}")
        if lika_tal(x, expected, o.tolerans):
            return Aterkoppling(o.id, RATT, o.forklaring)
        for wrong, hint in o.vanliga_fel:
            w = wrong(kursdata(), **uppgifter)
            if w is not None and lika_tal(x, w, max(o.tolerans, 1e-6)):
                return _fel(o, f"Tips: {hint}{_toleranstext(o)}")
        return _fel(o, f"Tips: {o.tips}{_toleranstext(o)}")
    if o.typ == VAL:
        key = las_val(svar, o.alternativ)
        if key is None:
            return _fel(o, f"Svara med bokstaven för ett av alternativen ({', '.join(o.alternativ)}), t.ex. "
                           f"svar = \"{next(iter(o.alternativ))}\".")
        return Aterkoppling(o.id, RATT, o.forklaring) if key == expected else _fel(o, f"Tips: {o.tips}")
    # TEXT
    if not isinstance(svar, str):
        return _fel(o, f"Svaret ska vara text inom citattecken; du gav {beskriv_typ(svar)}. Tips: {o.tips}")
    accepted = {normalisera(expected)} | {normalisera(s) for s in (o.synonymer(expected) if o.synonymer else ())}
    if normalisera(svar) in accepted:
        return Aterkoppling(o.id, RATT, o.forklaring)
    for wrong, hint in o.vanliga_fel:
        if normalisera(svar) == normalisera(wrong(kursdata(), **uppgifter)):
            return _fel(o, f"Tips: {hint}")
    return _fel(o, f"Tips: {o.tips}")


class Losning:
    """The solution of an exercise as it shows in a notebook: the code, then why."""

    def __init__(self, o: Ovning):
        self.ovning = o

    def markdown(self) -> str:
        o = self.ovning
        text = f"**Lösning till övning {o.id}**\n\n```python\n{o.losning}\n```\n"
        return text + (f"\n{o.forklaring}\n" if o.forklaring else "")

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return self.markdown()


def visa_losning(ovning_id: str) -> Losning:
    """The solution of an exercise, shown on request (the code a learner would write, and why)."""
    return Losning(ovning(ovning_id))


def mall(name: str) -> str:
    """The path of one of the project's report templates ("lansanalys", "kommunprofil")."""
    path = paths.notebooks_dir() / f"{name}.ipynb"
    if not path.is_file():
        raise OjError(f"Mallen {name} finns inte i {paths.notebooks_dir()}; välj lansanalys eller kommunprofil.")
    return str(path)
