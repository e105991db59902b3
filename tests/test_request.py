"""One validated request (report.request): read once from CLI options, a parameter file or a
template's parameters, with one Swedish sentence for each bad value."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from ojlib.base import paths
from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.data import catalog
from ojlib.publish import reports
from ojlib.report import request, templates


def test_year_is_read_once_with_one_sentence():
    assert request.year(None) is None and request.year("senaste") is None and request.year(" ") is None
    assert request.year("2024") == 2024 and request.year(2023) == 2023
    with pytest.raises(OjError, match=r"^Året '20x4' är inte ett årtal; ange t.ex. --ar 2024"):
        request.year("20x4")


def test_the_command_line_replaces_what_means_the_same_in_the_file():
    file = {"lan": "06", "omraden": ["missbruk"], "ar": 2023, "palett": "fargblind", "kommentarer": None}
    merged = request.merge(file, {"kommun": "0680", "omrade": "alla", "ar": None})
    assert merged == {"kommun": "0680", "omrade": "alla", "ar": 2023, "palett": "fargblind"}
    assert request.merge({"kommun": "0680", "mall": "kommunprofil", "jamforelsegrupp": "kommungrupp"},
                         {"lan": "Jönköping"}) == {"lan": "Jönköping"}
    assert request.merge({"lan": "06", "mall": "lansanalys", "jamforelse": "kommungrupp", "ar": "2024"},
                         {"kommun": "0680"}) == {"kommun": "0680", "ar": "2024"}
    kommun_file = request.read_file("kommunprofil_jonkoping")[0]
    assert request.parse(request.merge(kommun_file, {"lan": "07"})).mall == "lansanalys"


def test_a_deck_request_is_checked_before_any_work():
    r = request.parse({"lan": "06", "omraden": "missbruk", "ar": "2024", "max_bilder": "12",
                       "indikatorer": "U35538, N35001", "jamforelse": "riket"}, deck=True)
    assert (r.lan, r.kommun, r.omraden, r.ar, r.max_bilder, r.indikatorer, r.datakalla) == \
        ("06", None, ("missbruk",), 2024, 12, ("U35538", "N35001"), "exempeldata")
    with pytest.raises(OjError, match="Ange --lan"):
        request.parse({"omrade": "missbruk"}, deck=True)
    with pytest.raises(OjError, match="--max-bilder ska vara ett positivt heltal, inte 'tolv'"):
        request.parse({"lan": "06", "max_bilder": "tolv"}, deck=True)
    with pytest.raises(OjError, match="--max-bilder ska vara ett positivt heltal, inte '0'"):
        request.parse({"lan": "06", "max_bilder": "0"}, deck=True)  # a deck of no slides is not one
    with pytest.raises(OjError, match="Presentationen har ingen parameter farg;"):
        request.parse({"lan": "06", "farg": "blå"}, deck=True)
    # a report template's own parameter is accepted in a shared file (and checked: the file is there)
    r = request.parse({"lan": "06", "kommentarer": "params/kommentarer/06-missbruk.md"}, deck=True)
    assert r.kommentarer.startswith("/") and r.kommentarer.endswith("/params/kommentarer/06-missbruk.md")


ALL = list(catalog.OMRADEN)


def _notebook_request(template: str, parameters: dict) -> request.Request:
    """What the template's first cell parses: its parameters cell run with papermill's injected values."""
    nb = parameterize_notebook(load_notebook_node(str(paths.notebooks_dir() / f"{template}.ipynb")), parameters)
    namespace: dict = {}
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            exec(cell.source, namespace)
    names = templates.template_parameters(paths.notebooks_dir() / f"{template}.ipynb")
    return request.parse({"mall": template, **{k: namespace[k] for k in names}})


def test_the_same_request_from_options_a_file_and_notebook_parameters(tmp_path, capsys, monkeypatch):
    """`oj rapport` options, a params file and the template's parameters (as papermill injects them)
    give equal requests; the request's template parameters parse back to the same request."""
    comments = "params/kommentarer/06-missbruk.md"
    options = {"lan": "Jönköping", "omrade": "alla", "ar": "2024", "jamforelse": "kommungrupp",
               "fargstrategi": "rang_tertil",
               **dict(request.assignment(p) for p in [f"kommentarer={comments}", "delregioner=ja"])}
    cli = reports.make_job(request.merge({}, options))
    f = tmp_path / "l.yml"
    f.write_text(f'lan: 06\nomrade: alla\nar: 2024\njamforelse: kommungrupp\nfargstrategi: rang_tertil\n'
                 f'kommentarer: {comments}\ndelregioner: true\n', encoding="utf-8")
    from_file = request.parse(request.read_file(f)[0])
    from_notebook = _notebook_request("lansanalys", {"lan": "06", "omrade": "alla", "ar": 2024,
                                                     "jamforelse": "kommungrupp", "fargstrategi": "rang_tertil",
                                                     "kommentarer": comments, "delregioner": True})
    assert cli.request == from_file == from_notebook
    assert from_file.omraden == tuple(ALL) and from_file.delregioner and from_file.ar == 2024
    assert _notebook_request("lansanalys", cli.params) == cli.request  # what the kernel gets, read back

    kommun = reports.make_job({"kommun": "Växjö", "omrade": "missbruk", "jamforelsegrupp": "0680, 0180"})
    f.write_text("mall: kommunprofil\nkommun: 0780\nomraden: [missbruk]\njamforelsegrupp: [0680, '0180']\n",
                 encoding="utf-8")
    from_notebook = _notebook_request("kommunprofil", {"kommun": "0780", "omraden": ["missbruk"],
                                                       "jamforelsegrupp": ["0680", "0180"]})
    assert kommun.request == request.parse(request.read_file(f)[0]) == from_notebook
    assert kommun.request.peers == ["0680", "0180"] and kommun.request.lan == "07"
    assert _notebook_request("kommunprofil", kommun.params) == kommun.request


@pytest.mark.parametrize("template", ["lansanalys", "kommunprofil"])
def test_the_templates_parameters_cells_name_and_default_what_the_request_does(template):
    cell = templates.template_parameters(paths.notebooks_dir() / f"{template}.ipynb")
    assert tuple(cell) == request.TEMPLATE_PARAMETERS[template]
    example = {"lansanalys": {"lan": "06"}, "kommunprofil": {"kommun": "0680"}}[template]
    assert {k: v for k, v in cell.items() if k not in example} == \
        {k: request.DEFAULTS[k] for k in cell if k not in example}
    defaults = request.parse({"mall": template, **example}).template_parameters()
    assert {k: v for k, v in defaults.items() if k not in example} == \
        {k: v for k, v in cell.items() if k not in example}


@pytest.mark.parametrize(("values", "message"), [
    ({"lan": "99"}, "Okänd länskod '99'"),
    ({"kommun": "Atlantis"}, "Okänd kommun 'Atlantis'"),
    ({"lan": "06", "omrade": "aldreomsorg"}, "Okänt område 'aldreomsorg'"),
    ({"lan": "06", "kommun": "0680"}, "Ange antingen --lan eller --kommun, inte båda."),
    ({"lan": "06", "omrade": "missbruk", "omraden": "alla"}, "Ange antingen omrade"),
    ({"kommun": "0680", "jamforelse": "kommungrupp"}, "En kommunprofil har ingen jämförelselinje (jamforelse)"),
    ({"lan": "06", "jamforelsegrupp": "liknande"}, "En länsanalys har ingen jämförelsegrupp (jamforelsegrupp)"),
    ({"lan": "06", "jamforelse": "grannar"}, "Okänd jämförelse 'grannar'; välj riket eller kommungrupp."),
    ({"kommun": "0680", "jamforelsegrupp": "grannar"}, "Okänd jämförelsegrupp 'grannar'"),
    ({"lan": "06", "indikatorer": "U99999"}, "KPI 'U99999' finns inte i indikatorkatalogen"),
    ({"lan": "06", "palett": "rosa"}, "Okänd färgpalett 'rosa'"),
    ({"lan": "06", "delregioner": "kanske"}, "delregioner ska vara true eller false, inte 'kanske'."),
    ({"lan": "06", "kommentarer": "finns-inte.md"}, "Kommentarsfilen finns-inte.md finns inte"),
    ({"mall": "kommunprofil", "lan": "06"}, "Mallen kommunprofil gäller en kommun; ange --kommun"),
    ({"lan": "06", "farg": "röd"}, "Mallen lansanalys.ipynb har ingen parameter farg; dess parametrar är lan, omrade"),
])
def test_a_bad_value_is_one_swedish_sentence(values, message):
    with pytest.raises(OjError, match=re.escape(message)) as err:
        request.parse(values)
    assert "\n" not in str(err.value)


def test_a_year_without_data_is_one_sentence_once_the_data_is_loaded():
    req = request.parse({"lan": "06", "ar": "1999"})  # a year: fine without the data
    with pytest.raises(OjError, match=r"^Det finns inga värden för år 1999 i exempeldata; tillgängliga år är "):
        request.load(req)
    loaded, ds = request.load(request.parse({"lan": "06"}))
    assert loaded.ar == ds.latest_year(["missbruk"]) and loaded == request.parse({"lan": "06", "ar": loaded.ar})


@pytest.mark.parametrize(("args", "message"), [
    (["rapport", "--kommun", "0680", "--jamforelse", "kommungrupp"], "En kommunprofil har ingen jämförelselinje"),
    (["rapport", "--lan", "06", "--kommun", "0680"], "Ange antingen --lan eller --kommun, inte båda."),
    (["rapport", "--lan", "06", "-p", "indikatorer=U99999"], "KPI 'U99999' finns inte"),
    (["presentation", "--lan", "06", "--kommun", "0680"], "Ange antingen --lan eller --kommun, inte båda."),
    (["presentation", "--lan", "06", "--palett", "rosa"], "Okänd färgpalett 'rosa'"),
    (["rapporter", "--lan", "06", "--omrade", "aldreomsorg"], "Okänt område 'aldreomsorg'"),
])
def test_the_commands_stop_with_the_requests_sentence_before_any_work(args, message, capsys, tmp_path):
    rc = main([*args, "--ut", str(tmp_path / ("x.pptx" if args[0] == "presentation" else "site"))])
    err = capsys.readouterr().err
    assert rc == OjError.exit_code and err.startswith("Fel: ") and message in err
    assert len(err.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []


def test_a_batch_gives_each_kind_of_report_its_own_comparison(capsys):
    from ojlib.cli.reports import plan

    jobs = plan("06", "0680", "missbruk", None, {"jamforelse": "kommungrupp", "jamforelsegrupp": "kommungrupp"})
    assert [(j.mall, j.params.get("jamforelse"), j.params.get("jamforelsegrupp")) for j in jobs] == \
        [("lansanalys", "kommungrupp", None), ("kommunprofil", None, "kommungrupp")]


def test_no_parallel_parameter_paths_are_left():
    """The request is the one reader: no params module, no alias table, no typed_value."""
    root = Path(__file__).resolve().parents[1]
    assert not (root / "ojlib" / "report" / "params.py").exists()
    source = (root / "ojlib" / "publish" / "reports.py").read_text("utf-8")
    tree = ast.parse(source)
    defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)} | \
        {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    assert not defined & {"typed_value", "ALIASES", "TEXT_PARAMS", "load_params_file", "parse_assignment"}
