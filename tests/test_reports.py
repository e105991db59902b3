"""One report: parameters (YAML, options), running a template with papermill, the HTML export, `oj rapport`."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.publish import reports, site
from ojlib.render import html_export
from ojlib.render.notebook import REPORT_MIMETYPE
from ojlib.report import request

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "mini_lansanalys.ipynb"
EXEMPEL = "Exempeldata – inte verkliga resultat"


def fixture_job(**params) -> reports.Job:
    return reports.make_job({"mall": str(FIXTURE), **params})


@pytest.fixture(scope="module")
def executed():
    """The fixture template run once for Jönköpings län (against the session's example data)."""
    nb, attempts = reports.execute(fixture_job(lan="06", omrade="missbruk"))
    assert attempts == 1
    return nb


def _nb(*cells, meta: dict | None = None):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    if meta is not None:
        out = nbformat.v4.new_output("display_data", data={REPORT_MIMETYPE: meta, "text/plain": ""})
        nb.cells.insert(0, nbformat.v4.new_code_cell("publish()", outputs=[out]))
    return nb


def _code(*outputs, source="x = 1", tags=()):
    return nbformat.v4.new_code_cell(source, outputs=list(outputs), metadata={"tags": list(tags)})


# ------------------------------------------------------------------ parameters

def test_yaml_codes_stay_text(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("lan: 06\nkommun: 0114\nar: 2024\nomrade: missbruk\ndatakalla: exempeldata\n", encoding="utf-8")
    assert request.read_file(f) == [{"lan": "06", "kommun": "0114", "ar": "2024", "omrade": "missbruk",
                                     "datakalla": "exempeldata"}]
    f.write_text("lan: 06\nar: 2024\n", encoding="utf-8")
    assert reports.make_job(request.read_file(f)[0]).params["ar"] == 2024  # read as a year by the request


def test_yaml_batch_file_shares_keys_and_lists_reports(tmp_path):
    f = tmp_path / "batch.yml"
    f.write_text("omrade: missbruk\nar: null\nrapporter:\n  - lan: 01\n  - lan: 06\n    omrade: barn_och_unga\n",
                 encoding="utf-8")
    sets = request.read_file(f)
    assert sets == [{"omrade": "missbruk", "ar": None, "lan": "01"},
                    {"omrade": "barn_och_unga", "ar": None, "lan": "06"}]
    jobs = [reports.make_job(s) for s in sets]
    assert [j.mall for j in jobs] == ["lansanalys", "lansanalys"]
    assert [j.slug() for j in jobs] == ["lansanalys-01-missbruk", "lansanalys-06-barn_och_unga"]


def test_params_files_are_found_in_params_dir_and_bad_files_say_why(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "params").mkdir(parents=True)
    (home / "params" / "min.yml").write_text("lan: 25\n", encoding="utf-8")
    (home / "params" / "trasig.yml").write_text("lan: [06\n", encoding="utf-8")
    monkeypatch.setenv("OJLIB_HOME", str(home))
    assert request.read_file("min") == [{"lan": "25"}]
    with pytest.raises(OjError, match="inte giltig YAML"):
        request.read_file("trasig.yml")
    with pytest.raises(OjError, match="finns inte"):
        request.read_file("saknas.yml")


def test_example_params_files_in_repo_load():
    for f in sorted((ROOT / "params").glob("*.yml")):
        if f.name in ("indikatorer.yml", "omraden.yml", "delregioner.yml"):  # metadata, not report parameters
            continue
        for values in request.read_file(f):
            assert reports.make_job(values).mall in reports.TEMPLATES


def test_assignments_and_job_names():
    assert request.assignment("ar=2023") == ("ar", "2023")  # text, as in a file: the request reads it
    assert request.assignment("lan=06") == ("lan", "06")
    assert request.assignment("jamforelsegrupp=[0680, 0180]") == ("jamforelsegrupp", ["0680", "0180"])
    with pytest.raises(OjError, match="namn=värde"):
        request.assignment("ar2023")
    job = reports.make_job({"kommun": "Jönköping"})
    assert (job.mall, job.params["kommun"], job.slug()) == ("kommunprofil", "0680", "kommunprofil-0680-alla")
    assert job.request.kommun_namn == "Jönköping"
    jobs = reports.assign_names([reports.make_job({"lan": "6"}), reports.make_job({"lan": "06"})])
    assert [j.name for j in jobs] == ["lansanalys-06-missbruk", "lansanalys-06-missbruk-2"]
    with pytest.raises(OjError, match="Okänd länskod"):
        reports.make_job({"lan": "99"})


def test_a_custom_template_gets_its_own_names_and_rejects_unknown_parameters():
    job = reports.make_job({"mall": str(FIXTURE), "lan": "6", "ar": "2024", "omrade": "missbruk", "extra": "[1, 2]"})
    assert job.request is None and job.params == {"lan": "06", "ar": 2024, "omrade": "missbruk", "extra": [1, 2]}
    known = {"kommun": None, "omraden": "alla", "jamforelsegrupp": "kommungrupp", "datakalla": "exempeldata"}
    job = reports.make_job({"mall": str(FIXTURE), "omrade": "missbruk"})
    with pytest.raises(OjError, match="har ingen parameter omrade; dess parametrar är kommun, omraden"):
        reports.prepare(job, known)  # omrade is not omraden: no alias
    with pytest.raises(OjError, match="har ingen parameter farg"):
        reports.prepare(fixture_job(farg="röd"))


def test_prepare_stops_when_the_data_source_has_no_data(ojhome):
    with pytest.raises(OjError, match="ingen data från exempeldata"):
        reports.prepare(fixture_job(lan="06"))


# ------------------------------------------------------------------ running

def test_failure_message_is_the_templates_swedish_sentence():
    from papermill.exceptions import PapermillExecutionError

    err = PapermillExecutionError(3, 2, "x", "OjError", "Okänd länskod '99'; ange en tvåsiffrig länskod.", [])
    assert reports.failure_message(err) == "Okänd länskod '99'; ange en tvåsiffrig länskod."
    err = PapermillExecutionError(3, 7, "x", "KeyError", "'kommun'", [])
    assert reports.failure_message(err) == ("Notebooken stoppade i cell 7 på ett oväntat fel (KeyError); öppna "
                                            "mallen i Jupyter med samma parametrar för att se detaljerna.")


def test_kernel_start_failures_are_retried_but_failing_cells_are_not(monkeypatch, executed):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    calls = []

    def flaky(*args, **kwargs):
        calls.append(kwargs["kernel_name"])
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return executed

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    nb, attempts = reports.execute(fixture_job(lan="06"), kernel_name="ojlib")
    assert attempts == 2 and nb is executed

    calls.clear()

    def always_down(*args, **kwargs):
        calls.append(1)
        raise TimeoutError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", always_down)
    result = reports.run_job(fixture_job(lan="06"), Path("/nonexistent"), kernel_name="ojlib")
    assert not result.ok and len(calls) == reports.START_RETRIES + 1
    assert result.error.startswith("Jupyter-kärnan gick inte att starta efter 3 försök")

    calls.clear()

    def bad_cell(*args, **kwargs):
        calls.append(1)
        raise PapermillExecutionError(2, 2, "x", "OjError", "Det finns inga värden för år 1800.", [])

    monkeypatch.setattr(papermill, "execute_notebook", bad_cell)
    result = reports.run_job(fixture_job(lan="06"), Path("/nonexistent"), kernel_name="ojlib")
    assert (result.ok, result.error, len(calls)) == (False, "Det finns inga värden för år 1800.", 1)


def test_threads_run_reports_in_parallel_and_isolate_a_failure(tmp_path):
    jobs = [fixture_job(lan="06", omrade="missbruk"), fixture_job(lan="01", omrade="missbruk", jamforelse="fel"),
            fixture_job(lan="25", omrade="missbruk")]
    seen = []
    results = reports.run_jobs(jobs, tmp_path, workers=3, on_done=seen.append)
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error == "Okänd jämförelse 'fel'; välj riket eller kommungrupp."
    assert len(seen) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini_lansanalys-06-missbruk.html",
                                                          "mini_lansanalys-25-missbruk.html"]
    assert results[2].meta["lan_namn"] == "Norrbottens län"


# ------------------------------------------------------------------ HTML export

def test_page_hides_code_and_draws_figures_from_their_json(executed):
    page = html_export.render_page(executed)
    assert "notebook.setup()" not in page and "import plotly" not in page  # no code
    assert page.count('class="ojfig"') == 2  # the bar chart and the map
    assert page.count("<script src=") == 1 and '<script src="plotly.min.js"></script>' in page
    assert page.index("window.PlotlyGeoAssets") < page.index('<script src="plotly.min.js">')
    assert "plotly.js v" not in page and len(page) < 300_000  # the library is shared, not embedded
    assert "Översiktstabell" in page and "Jönköping" in page
    assert EXEMPEL in page and page.count('class="exempeldata"') == 1
    assert REPORT_MIMETYPE not in page  # the metadata output is not shown as text …
    meta = re.search(r'<script type="application/json" id="ojlib-rapport">(.*?)</script>', page).group(1)
    assert '"lan":"06"' in meta  # … but embedded for the index
    assert "<title>Jönköpings län: Missbruks- och beroendevård 2025</title>" in page
    assert "Antal kommuner: 13" in page  # printed output kept


def test_a_page_writes_its_charts_kommuner_by_place_in_one_shared_list():
    """Ranked charts name the same kommuner in another order each, K/M charts all but a few: the page
    shares one list of the names (growing by the few a later chart has besides) and writes each chart's
    names by place in it; every figure comes back as it was, and the page is shorter for it."""
    import json
    import random

    names = [f"Kommun {i:02d}" for i in range(40)]
    rng = random.Random(7)
    charts = []
    for i in range(6):
        mine = [n for n in names if rng.random() > 0.1] + (["Länet (ovägt medel)"] if i >= 3 else [])
        rng.shuffle(mine)
        charts.append({"data": [{"type": "bar", "y": mine, "x": list(range(len(mine)))}], "layout": {"height": 300}})
    charts.append({"data": [{"type": "bar", "y": [f"Enhet {i}" for i in range(20)], "x": list(range(20))}],
                   "layout": {}})  # names of its own: written as they are
    page = html_export.Page()
    html = "".join(page.figure(c) for c in charts)
    text = html_export.page_document("T", html, {}, page.templates)
    assert [{k: f[k] for k in ("data", "layout")} for f in html_export.page_figures(text).values()] == charts
    written = [json.loads(m) for m in re.findall(r'<script type="application/json" id="fig-\d+">(.*?)</script>', text)]
    assert isinstance(written[0]["data"][0]["y"], list)  # the first chart's names as they are …
    coded = [w["data"][0]["y"] for w in written[1:6]]
    assert all(set(c) == {"ojv", "ojk"} for c in coded)  # … the later ones by place
    assert len({c["ojv"]["ojdel"] for c in coded}) == 1  # in one shared list …
    shared = page.templates[coded[0]["ojv"]["ojdel"]]
    assert set(json.loads(shared)) == set(n for c in charts[:6] for n in c["data"][0]["y"])  # … of every name once
    assert written[6]["data"][0]["y"] == charts[6]["data"][0]["y"]
    plain = sum(len(json.dumps(c["data"][0]["y"], ensure_ascii=False)) for c in charts[:6])
    assert sum(len(json.dumps(w["data"][0]["y"])) for w in written[:6]) + len(shared) < 0.7 * plain


def test_figure_json_writes_repeated_lists_once_and_comes_back_whole():
    names = [f"Kommun {i}" for i in range(12)]
    classes = ["Värde ≥ 75:e percentilen"] * 5 + ["Mellan 25:e och 75:e percentilen"] * 7
    spec = {"data": [{"type": "bar", "y": names, "x": list(range(12)), "customdata": classes,
                      "text": [f"{i} %" for i in range(12)]},
                     {"type": "scatter", "y": names, "x": list(range(12)), "yaxis": "y2",
                      "line": {"color": "#E69F00", "dash": "dash", "width": 2}},
                     {"type": "scatter", "y": [None], "line": {"color": "#E69F00", "dash": "dash", "width": 2}}],
            "layout": {"yaxis2": {"tickvals": names, "ticktext": [f"{i} %" for i in range(12)]},
                       "title": {"text": "T"}}, "config": {}, "mall": 0}
    small = html_export.compact_spec(spec)
    assert html_export.expand_spec(small) == spec
    assert len(html_export.script_json(small)) < 0.6 * len(html_export.script_json(spec))
    assert small["data"][0]["y"] == small["data"][1]["y"] == small["layout"]["yaxis2"]["tickvals"] == {"ojr": 0}
    assert small["data"][0]["customdata"]["ojv"] == list(dict.fromkeys(classes))  # each class said once
    assert small["data"][1]["line"] == small["data"][2]["line"] and set(small["data"][1]["line"]) == {"ojr"}
    # a dumbbell: its lines' x and y are its K's and M's taken in turn, a gap after each pair
    k, m = [float(i) for i in range(12)], [i + 0.5 for i in range(12)]
    line = [v for a, b in zip(k, m, strict=True) for v in (a, b, None)]
    dumbbell = {"data": [{"type": "scatter", "mode": "lines", "x": line,
                          "y": [v for n in names for v in (n, n, None)]},
                         {"type": "scatter", "x": k, "y": names}, {"type": "scatter", "x": m, "y": names}],
                "layout": {}}
    small = html_export.compact_spec(dumbbell)
    assert small["data"][0]["x"] == {"ojpar": [1, 2]} and small["data"][0]["y"] == {"ojpar": [1, 1]}
    assert html_export.expand_spec(small) == dumbbell
    other = {**dumbbell, "data": [{**dumbbell["data"][0], "x": dumbbell["data"][0]["x"][:-1] + [1.0]},
                                  *dumbbell["data"][1:]]}  # not a gap after the last pair: written as it is
    assert html_export.compact_spec(other)["data"][0]["x"] == other["data"][0]["x"]
    # a grid's subplot titles: the fields they have alike written once, each title's own beside
    titles = [{"font": {"size": 11}, "showarrow": False, "text": f"<b>Panel {i}</b>", "x": i / 10, "xref": "paper",
               "y": 1.0, "yanchor": "bottom", "yref": "paper"} for i in range(6)]
    grid = {"data": [], "layout": {"annotations": titles}}
    small = html_export.compact_spec(grid)
    assert small["layout"]["annotations"]["ojlika"] == {"font": {"size": 11}, "showarrow": False, "xref": "paper",
                                                        "y": 1.0, "yanchor": "bottom", "yref": "paper"}
    assert small["layout"]["annotations"]["ojposter"][2] == {"text": "<b>Panel 2</b>", "x": 0.2}
    assert html_export.expand_spec(small) == grid
    assert html_export.compact_spec({"data": [], "layout": {"annotations": titles[:2]}})["layout"]["annotations"] \
        == titles[:2]  # two are left as they are
    # a map's shape: each line as its first point and each next point's step, in thousandths
    ring = [[12.438, 57.728], [12.477, 57.724], [12.567, 57.618], [12.515, 57.617], [12.464, 57.612],
            [12.42, 57.623], [12.387, 57.616], [12.36, 57.635], [12.438, 57.728]]
    shape = {"data": [{"type": "choropleth", "geojson": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}}]}}], "layout": {}}
    small = html_export.compact_spec(shape)
    steps = small["data"][0]["geojson"]["features"][0]["geometry"]["coordinates"][0][0]
    assert steps["ojring"][:4] == [12438, 57728, 39, -4]
    assert html_export.expand_spec(small) == shape
    assert len(html_export.script_json(small)) < 0.8 * len(html_export.script_json(shape))
    finer = [[x + 0.0001, y] for x, y in ring]  # a fourth decimal: written as it is
    assert html_export.compact_spec({"data": [{"x": finer}], "layout": {}})["data"][0]["x"] == finer
    short = {"data": [{"y": ["a", "b"], "x": [1, 2, 3]}, {"y": ["a", "b"]}], "layout": {}}
    assert html_export.compact_spec(short) == short  # short parts stay as they are


def test_compacted_figure_knows_each_parts_json_and_shares_as_before():
    """_compact writes down the JSON of every dict and list it makes (what Page._share compares) while it
    makes them: each must be what json.dumps writes, also for a notebook node, a number of another type
    and a key that is not a text; the page's figure equals one shared from json.dumps of each part."""
    import json

    import numpy as np

    names = [f"Kommun {i}" for i in range(12)]
    line = nbformat.NotebookNode({"color": "#E69F00", "dash": "dash", "width": np.float64(2.5)})
    spec = {"data": [{"type": "bar", "y": names, "x": list(range(12)), "customdata": ["Hög klass"] * 9 + ["Låg"] * 3,
                      "line": line, "meta": {1: "ett", None: [True, None, 1.5]}},
                     {"type": "scatter", "y": names, "line": dict(line), "text": ["Källa: exempel, 2025"] * 3}],
            "layout": {"title": {"text": "Titel över figuren"}, "annotations": [{"text": "Källa: exempel, 2025"}]},
            "config": {}, "mall": None}
    small, written = html_export._compact(spec)
    assert small == html_export.compact_spec(spec)
    assert json.dumps(html_export.expand_spec(small)) == json.dumps(spec)

    def parts(value):
        if isinstance(value, dict | list):
            yield value
            for v in value.values() if isinstance(value, dict) else value:
                yield from parts(v)

    seen = [*parts(small["data"]), *parts(small["layout"]), *(p for entry in small["pool"] for p in parts(entry))]
    assert len(seen) > 20 and small["pool"]
    for part in seen:
        assert written[id(part)] == json.dumps(part, ensure_ascii=False, separators=(",", ":"), default=str)

    page, again = html_export.Page(), html_export.Page()
    first = page.figure(spec)
    again._share = lambda value, written: html_export.Page._share(again, value, {})  # every part serialised anew
    assert first == again.figure(spec) and "ojdel" in str(page.figure(spec))


def test_page_escapes_text_from_data_and_parameters():
    evil = "<script>alert('x')</script>"
    nb = _nb(
        _code(nbformat.v4.new_output("stream", name="stdout", text=f"kommun {evil}\n")),
        _code(nbformat.v4.new_output("display_data", data={"text/plain": f"värde {evil}"})),
        _code(nbformat.v4.new_output("display_data", data={"text/markdown": f"**Kommun** {evil}",
                                                           "text/plain": "md"})),
        _code(nbformat.v4.new_output("display_data", data={html_export.PLOTLY_MIMETYPE: {
            "data": [{"type": "bar", "x": [evil], "y": [1]}], "layout": {"title": {"text": "</script><b>"}}}})),
        _code(nbformat.v4.new_output("error", ename="OjError", evalue=evil, traceback=["\x1b[31mlong"])),
        meta={"titel": f"Län {evil}", "lan_namn": evil, "datakalla": "kolada", "exempeldata": False},
    )
    page = html_export.render_page(nb)
    assert "<script>alert" not in page
    # title, h1, meta, stream, text …; Jinja2 writes ' as &#39;, html.escape as &#x27;: either is text
    assert len(re.findall(r"&lt;script&gt;alert\((&#x27;|&#39;)x(&#x27;|&#39;)\)&lt;/script&gt;", page)) >= 5
    assert "</script><b>" not in page and "\\u003c/script>\\u003cb>" in page  # JSON inside <script> is safe
    assert "<strong>Kommun</strong>" in page  # markdown still rendered
    assert EXEMPEL not in page


def test_page_has_no_external_references():
    md = nbformat.v4.new_markdown_cell(
        "# Rubrik\n\nSe [Kolada](https://www.kolada.se/) och ![logga](https://example.org/logga.png).\n\n"
        "<img src=\"//cdn.example.org/x.png\"><link rel=\"stylesheet\" href=\"http://example.org/s.css\">")
    html_out = nbformat.v4.new_output("display_data", data={
        "text/html": "<style>@import 'https://fonts.example.org/f.css'; td {background: url(https://x.org/a.png)}"
                     "</style><a href='https://kolada.se'>Kolada</a><script src=\"https://cdn.plot.ly/x.js\"></script>"})
    page = html_export.render_page(_nb(md, _code(html_out)))
    refs = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page)
    assert refs and all("//" not in r for r in refs), refs
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page) and "@import 'https" not in page
    assert "Kolada <span class=\"url\">(https://www.kolada.se/)</span>" in page  # the address stays readable


def test_cells_tagged_to_be_removed_are_left_out_and_widgets_skipped():
    nb = _nb(
        _code(nbformat.v4.new_output("stream", name="stdout", text="hemligt\n"), tags=["remove-cell"]),
        _code(nbformat.v4.new_output("stream", name="stdout", text="parametrar\n"), tags=["parameters"]),
        _code(nbformat.v4.new_output("stream", name="stderr", text="varning\n")),
        _code(nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {},
                                                           "text/plain": "VBox()"})),
        _code(nbformat.v4.new_output("stream", name="stdout", text="synligt\n")),
    )
    page = html_export.render_page(nb)
    assert "synligt" in page
    for hidden in ("hemligt", "parametrar", "varning", "VBox", "class=\"ojfig", "plotly.min.js"):
        assert hidden not in page


# ------------------------------------------------------------------ oj rapport

def test_oj_rapport_adds_a_page_to_the_site(tmp_path, capsys):
    folder = tmp_path / "site"
    rc = main(["rapport", "--lan", "25", "--omrade", "missbruk", "--mall", str(FIXTURE), "--ut", str(folder)])
    out = capsys.readouterr().out
    assert rc == 0, out
    page = folder / "mini_lansanalys-25-missbruk.html"
    assert str(page) in out and "Obs: Exempeldata" in out
    assert (folder / "plotly.min.js").stat().st_size == site.plotly_js_source().stat().st_size
    assert 'href="mini_lansanalys-25-missbruk.html"' in (folder / "index.html").read_text(encoding="utf-8")
    assert '<a href="index.html">' in page.read_text(encoding="utf-8")
    assert oct(page.stat().st_mode & 0o777) in ("0o644", "0o640", "0o600")  # readable per umask


def test_oj_rapport_to_a_single_file(tmp_path, capsys):
    target = tmp_path / "ut" / "jonkoping.html"
    rc = main(["rapport", "-f", str(_params(tmp_path, "lan: 06\nomrade: missbruk\n")), "--mall", str(FIXTURE),
               "--ut", str(target)])
    assert rc == 0, capsys.readouterr()
    assert sorted(p.name for p in target.parent.iterdir()) == ["jonkoping.html", "plotly.min.js"]
    assert 'href="index.html"' not in target.read_text(encoding="utf-8")


def _params(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "params.yml"
    f.write_text(text, encoding="utf-8")
    return f


def test_oj_rapport_reports_the_templates_sentence_not_a_traceback(tmp_path, capsys):
    rc = main(["rapport", "--lan", "06", "--ar", "1800", "--mall", str(FIXTURE), "--ut", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert rc != 0
    assert err.strip().splitlines()[-1] == ("Fel: Det finns inga värden för år 1800 i exempeldata; "
                                            "tillgängliga år är 2018–2025.")
    assert "Traceback" not in err and not (tmp_path / "s").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--lan", "99"], "Okänd länskod '99'"),
    (["--lan", "06", "--ar", "i fjol"], "Året 'i fjol' är inte ett årtal"),
    (["--omrade", "missbruk"], "Ange --lan (länsanalys), --kommun (kommunprofil)"),
    (["--lan", "06", "-p", "farg=röd", "--mall", str(FIXTURE)], "har ingen parameter farg"),
])
def test_oj_rapport_bad_options_fail_with_one_swedish_sentence(args, message, capsys):
    rc = main(["rapport", *args])
    err = capsys.readouterr().err
    assert rc == OjError.exit_code
    assert err.startswith("Fel: ") and message in err and len(err.strip().splitlines()) == 1


def test_oj_rapport_will_not_write_into_a_foreign_folder(tmp_path, capsys):
    folder = tmp_path / "dokument"
    folder.mkdir()
    (folder / "viktigt.txt").write_text("behåll", encoding="utf-8")
    rc = main(["rapport", "--lan", "06", "--mall", str(FIXTURE), "--ut", str(folder)])
    assert rc != 0 and "innehåller annat än en rapportwebbplats" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["viktigt.txt"]
