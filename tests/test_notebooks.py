"""The notebooks: committed small and stable, templates run by papermill, bad parameters stop them.

nbval runs every notebook top to bottom (``make test`` collects notebooks/ with --nbval-lax and
checks the cells marked NBVAL_CHECK_OUTPUT). These tests run the templates with other
parameters, read what they produced, and check the committed files themselves.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from ojlib.analysis import ranking
from ojlib.base.errors import OjError
from ojlib.data import geo
from ojlib.data.dataset import load_dataset
from ojlib.render import notebook
from ojlib.report import lansrapport, request

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLOTLY = "application/vnd.plotly.v1+json"


def test_all_four_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["01_introduktion.ipynb", "02_utforska.ipynb",
                                           "kommunprofil.ipynb", "lansanalys.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_small_and_stable(path):
    # the kommun profile draws two compact figures per directed indicator of all three områden (92 for
    # Jönköping; 697 kB when each carried its template and every value stood on a line of its own, 445 kB
    # saved by notebook.execute_in_place); plotly.js embedded by mistake would add 3.5 MB
    assert path.stat().st_size < 500 * 1024
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "ojlib"
    assert "widgets" not in nb.metadata
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"/(work|tmp|home|root)/", text), "absolute path in outputs"
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", text), "timestamp in outputs"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs, "committed without outputs"
    assert not any(o.output_type == "error" for o in outputs)
    for o in outputs:
        html = o.get("data", {}).get("text/html", "")
        assert "plotly.min.js" not in html and "Plotly.newPlot" not in html, "embedded plotly.js"
    for cell in nb.cells:
        assert "execution" not in cell.metadata


@pytest.mark.parametrize("name,expected", [
    ("lansanalys", {"lan": "06", "omrade": "missbruk", "ar": None, "jamforelse": "riket",
                    "fargstrategi": "rang_kvartil", "datakalla": "exempeldata", "kommentarer": None,
                    "delregioner": False}),
    ("kommunprofil", {"kommun": "0680", "ar": None, "omraden": "alla", "jamforelsegrupp": "liknande",
                      "datakalla": "exempeldata", "delregioner": False}),
])
def test_templates_have_one_parameters_cell(name, expected):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    values = {}
    exec(tagged[0].source, {}, values)  # noqa: S102 - our own committed parameter cell
    assert values == expected


def _run(tmp_path, name, **parameters):
    out = tmp_path / f"{name}-{'-'.join(str(v) for v in parameters.values())}.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / f"{name}.ipynb"), str(out), parameters=parameters,
                        kernel_name="ojlib", progress_bar=False, cwd=str(ROOT / "notebooks"))
    return nbformat.read(out, as_version=4)


def _texts(nb) -> str:
    parts = []
    for c in nb.cells:
        parts.append(c.source)
        for o in c.get("outputs", []):
            for mime in ("text/markdown", "text/html", "text/plain"):
                parts.append(str(o.get("data", {}).get(mime, "")))
            parts.append(o.get("text", ""))
    return "\n".join(parts)


def _figures(nb) -> list[dict]:
    return [o["data"][PLOTLY] for c in nb.cells for o in c.get("outputs", []) if PLOTLY in o.get("data", {})]


@pytest.mark.parametrize("lan,omrade", [("01", "missbruk"), ("09", "barn_och_unga"),
                                        ("23", "funktionsnedsattning"), ("06", "alla")])
def test_lansanalys_runs_for_lan_of_different_size(tmp_path, lan, omrade):
    nb = _run(tmp_path, "lansanalys", lan=lan, omrade=omrade)
    text = _texts(nb)
    for heading in ("## Inledning", "## Sammanfattning", "## Översikt", "## Sammanfattande bild",
                    "## Förbättringsområden", "## Karta", "## Skillnader mellan kvinnor och män", "## Datatäckning"):
        assert heading in text
    ds = load_dataset("exempeldata")
    for omr in (["missbruk", "barn_och_unga", "funktionsnedsattning"] if omrade == "alla" else [omrade]):
        kpis = list(dict.fromkeys(ranking.lan_table(ds, lan, omr).kpi))
        for _key, title, _ in lansrapport.chapters(ds, kpis):  # a chapter per kvalitetsområde
            assert f"## {lansrapport.chapter_heading(title, omr, 3 if omrade == 'alla' else 1)}" in text
    assert "Exempeldata – inte verkliga resultat" in text
    kommuner = geo.kommuner()
    names = kommuner.loc[kommuner.lan_kod == lan, "kommun_namn"]
    cell = next(c for c in nb.cells if c.source == "sections.show(rapport, \"oversikt\")")
    overview = "\n".join(str(o.get("data", {}).get("text/html", "")) for o in cell.outputs)
    assert all(f">{n}<" in overview for n in names)
    # each value once: the development tables carry the colours, no coloured table repeats their values
    assert "oj-utveckling" in overview and "T_ojoversikt" not in overview
    others = kommuner.loc[kommuner.lan_kod != lan, "kommun_namn"].head(20)
    assert not any(f">{n}<" in overview for n in others if n not in set(names))
    meta = notebook.read_report_metadata(nb)
    assert meta["lan"] == lan and meta["exempeldata"] is True and meta["datakalla"] == "exempeldata"
    n_areas = 3 if omrade == "alla" else 1
    assert len(meta["omrade"]) == n_areas
    maps = [f for f in _figures(nb) if f["data"][0]["type"] == "choropleth"]
    assert len(maps) == n_areas
    assert {len(m["data"][0]["locations"]) for m in maps} == {len(names)}


@pytest.mark.parametrize("kommun", ["0180", "2506"])  # Stockholm (storstad) and Arjeplog (small)
def test_kommunprofil_runs_for_storstad_and_small_kommun(tmp_path, kommun):
    nb = _run(tmp_path, "kommunprofil", kommun=kommun)
    text = _texts(nb)
    name = geo.kommuner().set_index("kommun_kod").at[kommun, "kommun_namn"]
    assert f"**{name} ({kommun})" in text
    for heading in ("## Profil", "## Kommunen bland jämförelsegruppen", "## Utveckling över tid", "## Om data"):
        assert heading in text
    assert f"Liknande kommuner IFO, {name}, 2024" in text and "Exempeldata – inte verkliga resultat" in text
    meta = notebook.read_report_metadata(nb)
    assert meta["kommun"] == kommun and meta["typ"] == "kommunprofil"
    assert len(_figures(nb)) >= 20


@pytest.mark.parametrize("validate,kwargs,message", [
    ("lansanalys", {"lan": "99"}, "Okänd länskod '99'"),
    ("lansanalys", {"lan": "06", "omrade": "aldreomsorg"}, "Okänt område 'aldreomsorg'"),
    ("lansanalys", {"lan": "06", "ar": 1999}, "Det finns inga värden för år 1999 i exempeldata"),
    ("lansanalys", {"lan": "06", "datakalla": "kolada"}, "Det finns ingen data från kolada ännu; kör `oj hamta`"),
    ("lansanalys", {"lan": "06", "fargstrategi": "regnbage"}, "Okänd färgstrategi 'regnbage'; välj ett av"),
    ("lansanalys", {"lan": "06", "jamforelse": "grannar"}, "Okänd jämförelse 'grannar'"),
    ("kommunprofil", {"kommun": "9999"}, "Okänd kommun '9999'"),
    ("kommunprofil", {"kommun": "0680", "jamforelsegrupp": "grannar"}, "Okänd jämförelsegrupp 'grannar'"),
    ("kommunprofil", {"kommun": "0680", "ar": "förra"}, "Året 'förra' är inte ett årtal"),
])
def test_invalid_parameters_have_a_swedish_message(validate, kwargs, message):
    with pytest.raises(OjError, match=re.escape(message)):
        request.notebook(validate, **kwargs)


@pytest.mark.parametrize("name,parameters,message", [
    ("lansanalys", {"lan": "99"}, "Okänd länskod '99'"),
    ("lansanalys", {"datakalla": "kolada"}, "Det finns ingen data från kolada ännu"),
    ("kommunprofil", {"kommun": "Atlantis"}, "Okänd kommun 'Atlantis'"),
])
def test_bad_parameter_stops_the_template_at_once(tmp_path, name, parameters, message):
    with pytest.raises(pm.PapermillExecutionError) as err:
        _run(tmp_path, name, **parameters)
    assert err.value.ename == "OjError" and message in err.value.evalue
    nb = nbformat.read(next(tmp_path.glob("*.ipynb")), as_version=4)
    assert not _figures(nb) and notebook.read_report_metadata(nb) is None
    shown = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(shown) == 1 and shown[0].traceback == [f"Fel: {err.value.evalue}"]



def test_teaching_notebooks_first_figure_survives_export_to_html():
    """JupyterLab's "Save and Export Notebook As → HTML" (nbconvert) cannot draw plotly's own output:
    the saved first figure carries a PNG of itself beside the interactive figure, and the exported
    page shows it under "En första figur" (before, the section's figure was simply missing)."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(ROOT / "notebooks" / "01_introduktion.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" and "visa_figur(" in c.source for o in c.outputs]
    assert outputs and all({"application/vnd.plotly.v1+json", "image/png"} <= set(o.get("data", {}))
                           for o in outputs)
    page, _ = HTMLExporter().from_notebook_node(nb)
    heading = page.index('id="En-f%C3%B6rsta-figur"')  # the heading "En första figur"
    cell = page.index('<span class="n">visa_figur</span><span class="p">(</span><span class="n">figures', heading)
    output = page[cell:page.index('<div class="jp-Cell ', cell)]  # up to the next cell
    assert re.search(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}', output)


@pytest.mark.parametrize("kommun,peers", [("0680", "kommungrupp"), ("0680", ["0180", "1480"]),
                                          ("0617", "liknande")])  # Gnosjö: no LSS group, its kommungrupp
def test_kommunprofil_text_holds_for_every_peer_group(kommun, peers):
    """The template's own sentences and its heading name the peer group as it is: 'liknande kommuner' only
    where the group is Kolada's Liknande kommuner, for each område."""
    nb = nbformat.read(ROOT / "notebooks" / "kommunprofil.ipynb", as_version=4)
    fixed = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"
                      and "remove-cell" not in c.metadata.get("tags", []))
    p, ds = request.notebook("kommunprofil", kommun=kommun, omraden="alla", jamforelsegrupp=peers,
                             datakalla="exempeldata")
    header = notebook.kommunprofil_header(p, ds)
    assert "liknande" not in fixed.lower() and "jämförelsegrupp" in fixed
    groups = header.split("Jämförelsegrupp: ")[1]
    if peers == "liknande":  # IFO from Kolada, LSS Gnosjö's kommungrupp with the reason
        assert "Liknande kommuner IFO, Gnosjö" in groups
        assert "Kommungrupp Pendlingskommun nära mindre tätort (SKR), eftersom Kolada saknar gruppen " \
               "'Liknande kommuner LSS' för Gnosjö" in groups
    else:
        assert "liknande" not in header.lower()
        assert groups.startswith("Kommungrupp Större stad (SKR)" if peers == "kommungrupp"
                                 else "Egen lista (2 kommuner)")


def test_saved_notebook_is_nbformat_with_figure_values_on_one_line():
    """execute_in_place writes what nbformat would (the same JSON, read back), its figures without the
    template every ojlib figure shares, a figure's list of values on one line instead of one line each."""
    path = ROOT / "notebooks" / "kommunprofil.ipynb"
    text = path.read_text(encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    assert json.loads(text) == json.loads(nbformat.writes(nb))
    figs = _figures(nb)
    assert figs and not any("template" in f["layout"] for f in figs)
    bars = next(f for f in figs if f["data"][0]["type"] == "bar")
    assert json.dumps(bars["data"][0]["x"], separators=(", ", ": ")) in text
    assert notebook._notebook_json({"a": [1, {"b": [2, 3]}], "c": "d"}) == \
        '{\n "a": [\n  1,\n  {\n   "b": [\n    2,\n    3\n   ]\n  }\n ],\n "c": "d"\n}'
