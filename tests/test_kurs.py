"""The course in notebooks/kurs/ (issue 22): exercises that check the learner's answers.

Every course notebook runs with papermill twice: blank as committed (every check says "inte
besvarad än", no error) and with the solutions from ojlib.render.kurs filled in (every check says
right). Wrong answers get the hint, never the answer. `oj kurs` copies the course without
touching a learner's own files, the teacher's page is made from the notebooks, and the course
exports to HTML whose figures draw in Chromium. (nbval skips notebooks/kurs/: see conftest.py.)
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.data import catalog
from ojlib.data.sources import example
from ojlib.publish import kurs as material
from ojlib.render import kurs
from ojlib.render.kurs import OVNINGAR, svar
from ojlib.render.pdf import Browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
PLOTLY = "application/vnd.plotly.v1+json"
NAMES = [p.name for p in material.notebooks()]


@pytest.fixture
def kursen(example_home, monkeypatch):
    """The course's checks on the session's example data, computed afresh."""
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    kurs._DATA.clear()
    kurs._FACIT.clear()
    yield
    kurs._DATA.clear()
    kurs._FACIT.clear()


# --------------------------------------------------------------------------- reading answers

@pytest.mark.parametrize("given,expected", [
    ("81,6", 81.6), ("81.6", 81.6), (" 81,6 % ", 81.6), ("1 234,5", 1234.5), ("1\u00a0234,5", 1234.5),
    ("1,234.5", 1234.5), ("1.234,5", 1234.5), ("\u22122,3", -2.3), ("-2.3 procentenheter", -2.3), ("290", 290.0),
    (np.float64(3.5), 3.5), (7, 7.0), (pd.Series([7]), 7.0), (np.array([2.5]), 2.5),
    ("tio", None), (True, None), (pd.DataFrame({"a": [1, 2]}), None), (float("nan"), None),
])
def test_numbers_are_read_in_swedish_and_english_form(given, expected):
    assert svar.las_tal(given) == expected


def test_choices_and_texts_are_read_as_a_learner_writes_them():
    alt = {"a": "Bra.", "b": "Minst lika bra som 75:e percentilen."}
    given = ("b", "B", "b)", "(b)", " minst lika bra som 75:e percentilen. ")
    assert [svar.las_val(x, alt) for x in given] == ["b"] * 5
    assert svar.las_val("c", alt) is None and svar.las_val(2, alt) is None
    assert svar.normalisera("  ”Sekretess” ") == svar.normalisera("sekretess")


def test_a_blank_answer_is_not_answered_yet(kursen):
    for blank in (..., None, "  "):
        f = kurs.kontrollera("2b", blank)
        assert f.utfall == svar.OBESVARAD and not f
        assert str(f).startswith("Övning 2b: Inte besvarad än.") and "Inte besvarad än." in f._repr_html_()


def test_an_unknown_exercise_is_one_swedish_sentence(kursen):
    with pytest.raises(OjError, match="Det finns ingen övning '9z' i kursen; övningarna heter 1a, 1b"):
        kurs.kontrollera("9z", 1)


# --------------------------------------------------------------------------- right and wrong

def test_a_number_is_right_with_a_decimal_comma_or_point_within_the_stated_tolerance(kursen):
    expected = kurs.facit("2a")
    assert expected == pytest.approx(kurs.kursdata().select(lan="08", kpi="U35538", ar=2023, kon="T",
                                                            niva="kommun").varde.mean(), abs=0.01)
    for given in (f"{expected:.2f}".replace(".", ","), f"{expected:.2f}", expected + 0.04, f"{expected + 0.04:.2f} %"):
        assert kurs.kontrollera("2a", given), given
    wrong = kurs.kontrollera("2a", expected + 0.06)
    assert wrong.utfall == svar.FEL and "inom ±0,05 från det rätta" in str(wrong)


def _answer_forms(value, tolerans: float = 0.0) -> list[str]:
    """How an answer could be written in a hint: texts as they are; numbers in Swedish and English form,
    rounded to any number of decimals that the check would still accept as right."""
    if isinstance(value, str):
        return [value]
    x = float(value)
    forms = set()
    for d in (0, 1, 2, 3):
        if abs(round(x, d) - x) <= tolerans + 1e-9:
            forms |= {f"{x:.{d}f}", f"{x:.{d}f}".replace(".", ",")}
    return sorted(forms)


def _contains(text: str, form: str) -> bool:
    if re.fullmatch(r"-?[\d.,]+", form):  # a number: not as part of a longer number
        return re.search(rf"(?<![\d,.]){re.escape(form)}(?![\d]|[,.]\d)", text) is not None
    return form.casefold() in text.casefold()


def _wrong(o, expected):
    if o.typ == kurs.TAL:
        return float(expected) + 10 * (o.tolerans + 1) + 3
    if o.typ == kurs.VAL:
        return next(k for k in o.alternativ if k != expected)
    return "fel svar"


CHECKED = [o for o in OVNINGAR.values() if o.typ != kurs.EGEN]


def _uppgifter(o) -> dict:
    return {"lan": "08"} if o.id.startswith("4") and o.typ != kurs.VAL else {}


@pytest.mark.parametrize("o", CHECKED, ids=lambda o: o.id)
def test_a_wrong_answer_gets_the_hint_not_the_answer(kursen, o):
    uppgifter = _uppgifter(o)
    expected = kurs.facit(o.id, **uppgifter)
    feedback = kurs.kontrollera(o.id, _wrong(o, expected), **uppgifter)
    assert feedback.utfall == svar.FEL
    text = str(feedback)
    assert "Tips:" in text and o.tips in text
    shown_html = re.sub(r"<[^>]+>", " ", feedback._repr_html_())  # the text of the HTML, not its styles
    hints = [h.replace(f"Övning {o.id}", "") for h in (o.tips, *(hint for _f, hint in o.vanliga_fel), text, shown_html)]
    shown = expected if o.typ != kurs.VAL else f"{expected})"
    for form in _answer_forms(shown, o.tolerans):
        assert not any(_contains(h, form) for h in hints), f"the hint of {o.id} gives away {form!r}"
    assert kurs.kontrollera(o.id, expected if o.typ != kurs.TAL else svar.tal_text(float(expected), 0.01),
                            **uppgifter), "the expected answer itself must be right"


@pytest.mark.parametrize("ovning,mistake,words", [
    ("2a", lambda ds: ds.select(lan="08", kpi="U35538", ar=2023, kon="T", niva="kommun").varde.fillna(0).mean(),
     "saknade värden som noll"),
    ("2b", lambda ds: kurs.raknexempel(ds)["andel_lätt_kontakt"].mean(), "ovägt medel"),
    ("1e", lambda ds: ds.select(kpi="U35538", ar=2023, kon="T", niva="kommun").varde.isna().sum(), "antalet"),
])
def test_a_common_mistake_gets_a_hint_about_that_mistake(kursen, ovning, mistake, words):
    value = float(mistake(kurs.kursdata()))
    assert value != pytest.approx(kurs.facit(ovning), abs=0.1), "the example data no longer tell the two apart"
    feedback = kurs.kontrollera(ovning, str(round(value, 2)).replace(".", ","))
    assert feedback.utfall == svar.FEL and words in str(feedback)


def test_the_comment_file_exercise_checks_the_file_against_the_report(kursen, tmp_path):
    missing = kurs.kontrollera("4a", str(tmp_path / "saknas.md"), lan="08")
    assert missing.utfall == svar.FEL and "finns inte" in str(missing)
    bad = tmp_path / "fel.md"
    bad.write_text("## Inledning\n\nText.\n\n## Förbättringsområdena\n\nText.\n", encoding="utf-8")  # misspelt
    wrong = kurs.kontrollera("4a", str(bad), lan="08")
    assert wrong.utfall == svar.FEL and "”Förbättringsområdena”" in str(wrong)
    own = tmp_path / "egen.md"  # a section of the analyst's own is welcome
    own.write_text("## Inledning\n\nText.\n\n## Diskussion\n\nText.\n", encoding="utf-8")
    assert kurs.kontrollera("4a", str(own), lan="08")
    good = tmp_path / "bra.md"
    good.write_text("## Inledning\n\nText.\n\n## Förbättringsområden\n\nText.\n", encoding="utf-8")
    assert kurs.kontrollera("4a", str(good), lan="08")
    page = kurs.kontrollera("4b", str(tmp_path / "ingen.html"), lan="08")
    assert page.utfall == svar.FEL and "HTML-sida" in str(page)


def test_solutions_and_expected_answers_still_agree_when_the_example_data_change(kursen, tmp_path, monkeypatch):
    """Example data drawn with another seed: every expected answer is computed anew, and every solution
    (the learner's route, run here in-process) is still right – nothing in the course is hard-coded."""
    original = {o.id: kurs.facit(o.id, **_uppgifter(o)) for o in CHECKED if o.typ == kurs.TAL}
    home = tmp_path / "home"
    shutil.copytree(ROOT / "params", home / "params")
    monkeypatch.setenv("OJLIB_HOME", str(home))
    monkeypatch.setattr(example, "SEED", example.SEED + 1)
    example.build(catalog.load_catalogue(home / "params" / "indikatorer.yml"))
    kurs._DATA.clear()
    kurs._FACIT.clear()
    changed, wrong = [], []
    for o in CHECKED:
        ns = {"ds": kurs.kursdata(), "raknexempel": kurs.raknexempel, "mitt_lan": "08", "pd": pd}
        exec(o.losning, ns)  # noqa: S102 - the course's own solution code
        feedback = kurs.kontrollera(o.id, ns["svar"], **_uppgifter(o))
        if not feedback:
            wrong.append(str(feedback))
        if o.id in original and kurs.facit(o.id, **_uppgifter(o)) != original[o.id]:
            changed.append(o.id)
    assert wrong == []
    assert len(changed) >= 5, f"the other seed should change several expected answers, changed: {changed}"


def test_a_solution_is_shown_on_request(kursen):
    shown = kurs.visa_losning("2b")._repr_markdown_()
    assert shown.startswith("**Lösning till övning 2b**") and OVNINGAR["2b"].losning in shown


# --------------------------------------------------------------------------- the notebooks

def test_notebooks_and_exercises_agree():
    assert NAMES == ["1_oj_och_datamodellen.ipynb", "2_jamfora.ipynb", "3_trender.ipynb", "4_lansrapport.ipynb"]
    seen = []
    for path in material.notebooks():
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.kernelspec.name == "ojlib"
        ids = material.exercise_ids(nb)
        assert 3 <= len(ids) <= 6 and all(i.startswith(path.name[0]) for i in ids), ids
        assert ids == sorted(ids)
        d = material.describe(path)
        assert all(q for _i, q in d.ovningar), f"an exercise of {path.name} has no question"
        assert re.fullmatch(r"\d\d minuter", d.tid) and 30 <= int(d.tid[:2]) <= 45
        assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code"), \
            "course notebooks are committed blank"
        assert "Exempeldata – inte verkliga resultat" in "".join(c.source for c in nb.cells)
        seen += ids
    assert seen == list(OVNINGAR), "every exercise in ojlib is in a notebook, once, in order"


def test_the_teacher_page_is_made_from_the_notebooks():
    committed = (material.kurs_dir() / material.LARARSIDA).read_text(encoding="utf-8")
    assert committed == material.teacher_page(), "run `python -m ojlib.publish.kurs` after editing the course"
    for path in material.notebooks():
        d = material.describe(path)
        assert f"## {d.titel}" in committed and f"**Tid:** {d.tid}" in committed
        assert all(f"- {m}" in committed for m in d.mal) and len(d.mal) >= 3
        assert all(f"| {i} | {q}" in committed for i, q in d.ovningar)


@pytest.fixture(scope="module")
def korda(tmp_path_factory) -> dict:
    """Every course notebook run with papermill blank and with the solutions: (name, solved) -> notebook."""
    out = {}
    for solved in (False, True):
        folder = tmp_path_factory.mktemp("kurs-losningar" if solved else "kurs-tom")
        for path in material.notebooks():
            out[path.name, solved] = material.run(path, folder, solutions=solved)
        out["mapp", solved] = folder
    return out


def _checks(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "code" and material.KONTROLL.search(cell.source):
            outs = [o for o in cell.outputs if "text/plain" in o.get("data", {})]
            assert len(outs) == 1, cell.source
            texts.append(outs[0]["data"]["text/plain"])
    return texts


def _errors(nb) -> list:
    return [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("name", NAMES)
def test_blank_run_every_check_says_not_answered_yet(korda, name):
    nb = korda[name, False]
    assert _errors(nb) == []
    ids = material.exercise_ids(nb)
    texts = _checks(nb)
    assert [t.split(":")[0] for t in texts] == [f"Övning {i}" for i in ids]
    assert all(t.startswith(f"Övning {i}: Inte besvarad än.") for i, t in zip(ids, texts, strict=True)), texts
    figures = [o for c in nb.cells for o in c.get("outputs", []) if PLOTLY in o.get("data", {})]
    tables = [o for c in nb.cells for o in c.get("outputs", []) if "<table" in str(o.get("data", {}).get("text/html"))]
    assert len(figures) + len(tables) >= 4, "a figure or a table per idea"
    for fig in figures:  # every figure names its source, the exempeldata mark
        assert "Exempeldata – inte verkliga resultat" in str(fig["data"][PLOTLY]["layout"])


@pytest.mark.parametrize("name", NAMES)
def test_solved_run_every_check_says_right(korda, name):
    nb = korda[name, True]
    assert _errors(nb) == []
    ids = material.exercise_ids(nb)
    texts = _checks(nb)
    assert all(t.startswith(f"Övning {i}: Rätt!") for i, t in zip(ids, texts, strict=True)), texts
    assert len(texts) == len(ids)


def test_the_learners_own_report_was_made_with_papermill_and_comments(korda):
    page = korda["mapp", True] / "min_lansrapport.html"
    text = page.read_text(encoding="utf-8")
    assert "Analytikerns kommentar" in text and "länets nätverk för missbruks- och beroendevård" in text
    assert "Kalmar län" in text and "Exempeldata – inte verkliga resultat" in text
    assert (page.parent / "plotly.min.js").is_file()
    assert nbformat.read(page.with_suffix(".ipynb"), as_version=4).metadata.papermill.parameters["lan"] == "08"


def test_the_course_exports_to_html_with_its_figures(korda, chromium, tmp_path):
    executed = {name: korda[name, True] for name in NAMES}
    pages = material.export_html(tmp_path / "html", solutions=True, executed=executed)
    index, *course = pages
    assert [p.name for p in course] == [n.replace(".ipynb", ".html") for n in NAMES]
    assert sorted(p.name for p in index.parent.iterdir()) == sorted([index.name, *(p.name for p in course),
                                                                     "plotly.min.js"])
    with Browser(chromium, window=(1200, 900), watch_network=True) as browser:
        browser.open(index, figures=False)
        text = browser.evaluate("document.body.innerText")
        assert "Lärarhandledning" in text and "Exempeldata – inte verkliga resultat" in text
        links = browser.evaluate("[...document.querySelectorAll('main a')].map(a => a.getAttribute('href'))")
        assert links == [p.name for p in course]
        for page, name in zip(course, NAMES, strict=True):
            n = sum(PLOTLY in o.get("data", {}) for c in executed[name].cells for o in c.get("outputs", []))
            browser.open(page)  # waits until every figure is drawn
            drawn = browser.evaluate("document.querySelectorAll('div.ojfig .main-svg').length ? "
                                     "[...document.querySelectorAll('div.ojfig')].filter(d => d.querySelector("
                                     "'.main-svg')).length : 0")
            assert n >= 1 and drawn == n, (name, n, drawn)
            assert browser.console_errors() == [] and browser.failed_loads() == []
            body = browser.evaluate("document.body.innerText")
            assert "Rätt!" in body and "Exempeldata – inte verkliga resultat" in body
            first = material.exercise_ids(executed[name])[0]
            assert OVNINGAR[first].losning.splitlines()[0] in body, "the code shows on a course page"
            assert "Kursens innehåll" in body
            if name.startswith("2"):
                browser.screenshot(ARTIFACTS / "kurs-html-2_jamfora.png", full_page=True)


# --------------------------------------------------------------------------- oj kurs

def test_oj_kurs_copies_the_course_and_keeps_the_learners_own_files(tmp_path, capsys):
    folder = tmp_path / "min kurs"
    assert main(["kurs", str(folder), "--bara-kopiera"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted([*NAMES, material.LARARSIDA])
    mine = folder / NAMES[0]
    mine.write_text(mine.read_text(encoding="utf-8").replace("svar = ...", "svar = 290", 1), encoding="utf-8")
    before = mine.read_bytes()
    assert main(["kurs", str(folder), "--bara-kopiera"]) == 0
    assert mine.read_bytes() == before
    assert f"{NAMES[0]} finns redan" in capsys.readouterr().err
    teacher = tmp_path / "larare"
    assert main(["kurs", str(teacher), "--bara-kopiera", "--losningar"]) == 0
    solved = nbformat.read(teacher / NAMES[1], as_version=4)
    sources = "\n".join(c.source for c in solved.cells if c.cell_type == "code")
    assert "svar = ..." not in sources and OVNINGAR["2b"].losning in sources
    (tmp_path / "fil").write_text("x")
    assert main(["kurs", str(tmp_path / "fil"), "--bara-kopiera"]) != 0
    assert "är en fil" in capsys.readouterr().err


def test_oj_kurs_opens_jupyterlab_in_the_learners_folder(tmp_path, monkeypatch, capsys):
    import subprocess
    import sys

    started = []
    monkeypatch.setattr(subprocess, "call", lambda args, **kw: started.append(args) or 0)
    folder = tmp_path / "kurs"
    assert main(["kurs", str(folder)]) == 0
    assert started == [[sys.executable, "-m", "jupyterlab", f"--notebook-dir={folder.resolve()}"]]
    assert (folder / NAMES[0]).is_file() and "Öppnar JupyterLab" in capsys.readouterr().err
