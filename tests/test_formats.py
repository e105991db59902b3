"""The output-format registry (ojlib.render.formats) drives the commands: their help texts and --format
choices come from it, every registered format writes its file for a report, a format added to the registry
is written without a change anywhere else, and an unknown format is one Swedish sentence before any work."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ojlib.cli import main
from ojlib.render import formats

REPORT = ["rapport", "--lan", "06", "--omrade", "missbruk"]


def _help(capsys, *args: str) -> str:
    assert main([*args, "--help"]) == 0
    return " ".join(capsys.readouterr().out.split())  # the help as one line (it is wrapped at any space)


def test_the_registry_drives_the_help_texts(capsys):
    for command in ("rapport", "rapporter"):
        text = _help(capsys, command)
        for name in formats.beside():
            fmt = formats.FORMATS[name]
            assert f"{name}: {' '.join(fmt.beskrivning.split())}" in text, (command, name)
        assert "html:" not in text  # the page itself is always written, not a choice
    text = _help(capsys, "export")
    assert formats.table_formats() == ["xlsx", "csv"]
    for name in formats.table_formats():
        assert f"{name}: {formats.FORMATS[name].beskrivning}" in text
    assert "pdf:" not in text and "pptx:" not in text


def test_every_format_has_a_suffix_a_swedish_description_and_a_renderer():
    assert list(formats.FORMATS)[0] == formats.PAGE
    for name, fmt in formats.FORMATS.items():
        assert fmt.name == name and fmt.suffix == f".{name}" and fmt.beskrivning
        assert (fmt.write is None) == (name == formats.PAGE)
    assert [n for n, f in formats.FORMATS.items() if f.needs_browser] == ["pdf"]


@pytest.mark.parametrize("args", [[*REPORT, "--format", "docx"], [*REPORT, "--format", "pdf,docx"],
                                  ["rapporter", "--lan", "06", "--format", "docx"],
                                  ["export", "--lan", "06", "--omrade", "missbruk", "--format", "pdf"]])
def test_an_unknown_format_is_one_swedish_sentence_and_writes_nothing(example_home, monkeypatch, tmp_path, capsys,
                                                                      args):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    out = tmp_path / "ut"
    out.mkdir()
    target = out / ("tabell.xlsx" if args[0] == "export" else "sida.html" if args[0] == "rapport" else "site")
    assert main([*args, "--ut", str(target)]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("Fel: Okänt format") and len(err.splitlines()) == 1 and "Traceback" not in err
    assert list(out.iterdir()) == []


def test_a_format_for_lan_reports_only_is_refused_for_a_kommun_profile_before_the_work(example_home, monkeypatch,
                                                                                       tmp_path, capsys):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    page = tmp_path / "profil.html"
    assert main(["rapport", "--kommun", "0680", "--format", "xlsx", "--ut", str(page)]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("Fel: Formatet xlsx") and "bara för länsanalyser" in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def _markdown(items: list[formats.Item], options: formats.Options) -> list[Path]:
    """A format a test adds: the report's parameters as a Markdown list."""
    for item in items:
        item.target.write_text("".join(f"- {k}: {v}\n" for k, v in sorted(item.params.items())), encoding="utf-8")
    return [item.target for item in items]


def test_every_registered_format_writes_its_file_for_a_report(example_home, monkeypatch, tmp_path, capsys, chromium):
    """One report run, every format: the built-in ones and one added to the registry by this test."""
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    added = formats.Format("md", ".md", "parametrarna som Markdown", _markdown)
    monkeypatch.setitem(formats.FORMATS, "md", added)
    page = tmp_path / "lansanalys-06-missbruk.html"
    assert main([*REPORT, "--ut", str(page), "--format", ",".join(formats.beside())]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    for name, fmt in formats.FORMATS.items():
        target = page.with_suffix(fmt.suffix)
        assert target.is_file() and target.stat().st_size > 0, name
        if name != formats.PAGE:
            assert f"{name.upper()}: {target.resolve()}" in out
    assert page.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
    with zipfile.ZipFile(page.with_suffix(".pptx")) as deck:
        assert any(n.startswith("ppt/charts/") for n in deck.namelist())
    with zipfile.ZipFile(page.with_suffix(".xlsx")) as book:
        assert "xl/workbook.xml" in book.namelist()
    assert "- lan: 06\n" in page.with_suffix(".md").read_text(encoding="utf-8")
    # the CSV beside the report is the län table `oj export` writes for the same report
    exported = tmp_path / "export.csv"
    assert main(["export", "--lan", "06", "--omrade", "missbruk", "--format", "csv", "--ut", str(exported)]) == 0
    assert page.with_suffix(".csv").read_bytes() == exported.read_bytes()


def test_the_site_links_the_files_of_the_linked_formats_by_the_registry(tmp_path, monkeypatch):
    """The site reads each linked format's suffix and link text from the registry: one added there is
    linked from its page's navigation and the index, and only beside a page that exists."""
    from ojlib.publish import site

    odt = formats.Format("odt", ".odt", "sidan som textdokument", None, link=formats.Link("Text (ODT)", "odt", "Text"))
    monkeypatch.setitem(formats.FORMATS, "odt", odt)
    meta = {"titel": "Jönköpings län", "lan": "06", "lan_namn": "Jönköpings län"}
    for name in ("a.html", "a.odt", "a.pdf", "b.odt"):  # b.odt has no page
        (tmp_path / name).write_text("x", encoding="utf-8")
    beside = site._files_beside(tmp_path)
    assert beside == {"pdf": {"a.html"}, "pptx": set(), "odt": {"a.html"}}
    nav = site.SiteMap([("a.html", meta)], {}, beside).nav("a.html", meta)
    assert nav.index('href="a.pdf"') < nav.index('href="a.odt"')  # in registry order, before the other links
    assert "Text (ODT)" in nav and 'class="odt"' in nav and "a.pptx" not in nav
    also = site._also(site.SiteMap([("a.html", meta)], {}, beside), "a.html", "Jönköpings län")
    assert [(a["href"], a["label"], a["text"]) for a in also] == [("a.pdf", "PDF Jönköpings län", "pdf"),
                                                                   ("a.odt", "Text Jönköpings län", "odt")]
