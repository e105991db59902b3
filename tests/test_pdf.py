"""PDF from a report page with Debian's chromium: A4, every kommun and indicator name in its text,
the exempeldata mark on every page; and the Swedish sentence when no browser is found."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ojlib import compare, geo, html_export, pdf
from ojlib.cli import main
from ojlib.dataset import load_dataset
from ojlib.errors import OjError

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
MARK = "Exempeldata – inte verkliga resultat"


def _no_browser(monkeypatch):
    monkeypatch.delenv(pdf.ENV, raising=False)
    monkeypatch.setattr(pdf, "NAMES", ())
    monkeypatch.setattr(pdf, "_install_paths", lambda: [])


def test_no_browser_is_one_swedish_sentence(monkeypatch):
    _no_browser(monkeypatch)
    with pytest.raises(OjError) as err:
        pdf.find_browser()
    text = str(err.value)
    assert text.startswith("Ingen Chromium, Chrome eller Edge hittades") and "installera Chromium" in text
    assert not re.search(r"[.!?]\s+[A-ZÅÄÖ]", text) and "--webblasare" in text and pdf.ENV in text


def test_a_given_browser_that_does_not_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.ENV, str(tmp_path / "ingen-chrome"))
    with pytest.raises(OjError, match=r"Webbläsaren .*ingen-chrome \(från OJLIB_WEBBLASARE\) finns inte"):
        pdf.find_browser()
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    assert pdf.find_browser(str(fake)) == fake  # the option wins over the environment


def test_without_a_browser_the_html_is_still_written(monkeypatch, tmp_path, capsys):
    _no_browser(monkeypatch)
    page = tmp_path / "rapport.html"
    rc = main(["rapport", "--lan", "06", "--omrade", "missbruk", "--ut", str(page), "--pdf"])
    assert rc != 0
    err = capsys.readouterr().err
    assert "Ingen Chromium, Chrome eller Edge hittades" in err and "Traceback" not in err
    assert page.exists() and not page.with_suffix(".pdf").exists()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


needs_chromium = pytest.mark.skipif(
    (_chromium() is None or shutil.which("pdftotext") is None) and os.environ.get("OJLIB_KRAV_CHROMIUM") != "1",
    reason="chromium and poppler-utils are installed by .ci/run")


@pytest.fixture(scope="module")
def lan_pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    page = folder / "lansanalys-06-missbruk.html"
    assert main(["rapport", "--lan", "06", "--omrade", "missbruk", "--ut", str(page), "--pdf"]) == 0
    return page


@needs_chromium
def test_pdf_is_a4_and_holds_every_name(lan_pdf):
    target = lan_pdf.with_suffix(".pdf")
    assert target.exists() and target.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size.group(1)) - 595.3) < 2 and abs(float(size.group(2)) - 841.9) < 2, info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    html = lan_pdf.read_text(encoding="utf-8")
    kommuner = geo.kommuner()
    for name in kommuner[kommuner.lan_kod == "06"].kommun_namn:
        assert name in flat, f"kommun {name} is not in the PDF"
    indicators = set(re.findall(r"<li><strong>([^<]+)</strong> \(\d{4}\)", html))
    table = compare.lan_table(load_dataset("exempeldata"), "06", "missbruk")
    assert {html_export.html.unescape(n) for n in indicators} == set(table.indikator)  # every indicator shown
    for name in indicators:
        assert html_export.html.unescape(name) in flat, f"indicator {name} is not in the PDF"
    per_page = text.split("\f")[:pages]
    assert len(per_page) == pages and all(MARK in p for p in per_page), "a page without the exempeldata mark"
    assert all(re.search(rf"Sida {n} av {pages}", p) for n, p in enumerate(per_page, start=1))


@needs_chromium
def test_pdf_page_screenshot(lan_pdf):
    """The first pages as PNG in test-artifacts/ to look at (pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is in poppler-utils")
    ARTIFACTS.mkdir(exist_ok=True)
    for n in (1, 3):
        out = ARTIFACTS / f"pdf-lansanalys-06-sida{n}"
        subprocess.run(["pdftoppm", "-f", str(n), "-l", str(n), "-r", "80", "-png", "-singlefile",
                        str(lan_pdf.with_suffix(".pdf")), str(out)], check=True)
        assert out.with_suffix(".png").stat().st_size > 10_000
