"""The site from `oj rapporter`: one shared plotly.min.js, an index that lists every report, no external
references, and a failed run that leaves the previous site exactly as it was."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.publish import reports, site
from ojlib.render import html_export

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "mini_lansanalys.ipynb"
LAN = {"06": "Jönköpings län", "01": "Stockholms län", "25": "Norrbottens län"}


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file (hidden ones too) and the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small site (three län, one område) built with `oj rapporter`; read only."""
    folder = tmp_path_factory.mktemp("site") / "reports"
    rc = main(["rapporter", "--lan", ",".join(LAN), "--omrade", "missbruk", "--mall", str(FIXTURE),
               "--ut", str(folder), "--jobb", "2"])
    assert rc == 0
    return folder


def test_site_has_one_page_per_report_and_one_shared_plotly_js(built):
    names = sorted(p.name for p in built.iterdir())
    assert names == sorted([".ojlib", ".ojlib-webbplats.json", "index.html", "plotly.min.js", "utforska.html",
                            "utforska-missbruk.js", *(f"mini_lansanalys-{k}-missbruk.html" for k in LAN)])
    assert [p.name for p in (built / ".ojlib").iterdir()] == ["las"]  # the lock; nothing left of the build
    assert (built / "plotly.min.js").read_bytes() == site.plotly_js_source().read_bytes()
    for page in built.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.count('<script src="plotly.min.js"></script>') == 1, page.name
        assert "plotly.js v" not in text and page.stat().st_size < 400_000, page.name
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".reports")]  # temporary folder gone


def test_index_lists_every_report_with_lan_area_year_and_source(built):
    index = (built / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td><a href=\"([^\"]+)\">(.*?)</a></td>(.*?)</tr>", index)
    assert sorted(r[0] for r in rows) == sorted(f"mini_lansanalys-{k}-missbruk.html" for k in LAN)
    for href, _title, cells in rows:
        kod = href.split("-")[1]
        assert LAN[kod] in cells and "Missbruks- och beroendevård" in cells and "Exempeldata" in cells
        assert re.search(r'<td class="tal">20\d\d</td>', cells)
    assert "Exempeldata – inte verkliga resultat" in index
    assert re.search(r"data från: 20\d\d-\d\d-\d\d", index)
    assert '<th scope="col">Kommun</th>' not in index  # no kommun profiles, no empty column


def test_index_map_links_each_kommun_to_its_report(built):
    index = (built / "index.html").read_text(encoding="utf-8")
    spec = html_export.page_figures(index)["fig-1"]
    assert spec["data"][0]["type"] == "choropleth" and len(spec["data"][0]["locations"]) == 290
    links = spec["layout"]["meta"]["lankar"]
    assert links["0680"] == "mini_lansanalys-06-missbruk.html" and links["2584"] == "mini_lansanalys-25-missbruk.html"
    assert "0980" not in links  # Gotland has no report in this site
    assert all((built / v).exists() for v in links.values())
    assert 'class="ojfig oversikt"' in index and "plotly_click" in index


def test_no_page_refers_to_another_site(built):
    for page in built.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        refs = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", text)
        assert refs, page.name
        for ref in refs:
            assert "//" not in ref and not ref.startswith(("http:", "https:", "/")), (page.name, ref)
            target = ref.split("#")[0]
            assert not target or (built / target).exists(), (page.name, ref)
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)


def test_failed_run_publishes_the_others_and_names_the_failure(built, tmp_path, capsys):
    """One län gets a bad parameter: the others are published, the summary names it, exit code non-zero.

    (More in tests/test_site_build.py: a failed page keeps its previous version, marked.)"""
    folder = tmp_path / "reports"
    import shutil

    shutil.copytree(built, folder)
    batch = tmp_path / "batch.yml"
    batch.write_text("omrade: missbruk\nrapporter:\n  - lan: 06\n  - lan: 07\n    jamforelse: grannarna\n"
                     "  - lan: 08\n", encoding="utf-8")
    capsys.readouterr()
    rc = main(["rapporter", "-f", str(batch), "--mall", str(FIXTURE), "--ut", str(folder), "--jobb", "3"])
    err = capsys.readouterr().err
    assert rc != 0
    assert "  - mini_lansanalys 07 missbruk: Okänd jämförelse 'grannarna'; välj riket eller kommungrupp." in err
    assert "1 sidor byggdes och publicerades, 1 var redan aktuella." in err  # 06 unchanged, 08 new
    assert err.strip().splitlines()[-1].startswith("Fel: 1 av 3 rapporter misslyckades")
    assert "Traceback" not in err
    assert (folder / "mini_lansanalys-08-missbruk.html").exists()
    assert not (folder / "mini_lansanalys-07-missbruk.html").exists()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "mini_lansanalys 07 missbruk: misslyckades, ingen sida (Okänd jämförelse" in index
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.yml", "reports"]  # no temporary leftovers
    assert not list(folder.glob(".ojlib-ny-*"))


def test_successful_run_adds_its_reports_and_keeps_the_others(built, tmp_path, capsys):
    folder = tmp_path / "reports"
    import shutil

    shutil.copytree(built, folder)
    rc = main(["rapporter", "--lan", "07", "--omrade", "missbruk", "--mall", str(FIXTURE), "--ut", str(folder)])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"Webbplatsen: {folder / 'index.html'}" in out and "Klart: 1 sidor byggda, 0 var redan aktuella" in out
    assert sorted(p.name for p in folder.glob("*.html")) == sorted(
        ["index.html", "utforska.html", "mini_lansanalys-07-missbruk.html",
         *(f"mini_lansanalys-{k}-missbruk.html" for k in LAN)])
    assert oct(folder.stat().st_mode & 0o777) in ("0o755", "0o750", "0o700")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_a_folder_with_other_files_is_never_replaced(tmp_path):
    folder = tmp_path / "dokument"
    folder.mkdir()
    (folder / "budget.xlsx").write_bytes(b"viktigt")
    with pytest.raises(OjError, match="innehåller annat än en rapportwebbplats"):
        site.build_site([reports.make_job({"mall": str(FIXTURE), "lan": "06"})], folder)
    assert _snapshot(folder) == {"budget.xlsx": hashlib.sha256(b"viktigt").hexdigest()}


def test_batch_plan_expands_lan_and_omraden():
    from ojlib.cli.reports import plan

    jobs = plan(None, None, None, None, {})
    assert len(jobs) == 21 * 3 and {j.mall for j in jobs} == {"lansanalys"}
    jobs = plan("06,7", "0680", "missbruk", None, {"ar": 2024})
    expected = [
        ("lansanalys", {"ar": 2024, "lan": "06", "omrade": "missbruk", "jamforelse": "riket"}),
        ("lansanalys", {"ar": 2024, "lan": "07", "omrade": "missbruk", "jamforelse": "riket"}),
        ("kommunprofil", {"ar": 2024, "omraden": "missbruk", "kommun": "0680", "jamforelsegrupp": "liknande"}),
    ]
    assert [(j.mall, {k: j.params.get(k) for k in want}) for j, (_, want) in zip(jobs, expected, strict=True)] \
        == expected
    # each job carries the whole checked request (its defaults filled in), each kind only its own options
    assert all("datakalla" in j.params and "delregioner" in j.params for j in jobs)
    assert "jamforelse" not in jobs[2].params and "jamforelsegrupp" not in jobs[0].params
    assert len(plan(None, "alla", None, None, {})) == 290
    with pytest.raises(OjError, match="ta bort --lan"):
        plan("06", None, None, "params/rapporter_smaland.yml", {})


def test_bad_batch_options_fail_before_any_kernel_starts(tmp_path, capsys):
    for args, message in ((["--jobb", "0"], "--jobb ska vara ett positivt heltal"),
                          (["--omrade", "missbruk,alkohol"], "Okänt område 'alkohol'"),
                          (["--karta", "N99999"], "N99999")):
        rc = main(["rapporter", "--lan", "06", "--mall", str(FIXTURE), "--ut", str(tmp_path / "s"), *args])
        err = capsys.readouterr().err
        assert rc != 0 and err.startswith("Fel: ") and message in err, err
    assert not (tmp_path / "s").exists()
