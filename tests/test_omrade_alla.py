"""Every command that takes ``--omrade`` works with ``--omrade alla`` (issue 20 item 9: `oj export
--omrade alla` failed for every län with "Ett oväntat fel (ValueError)", because two områden have
indicators with the same name and year, and the overview's columns were named by them)."""

from __future__ import annotations

import openpyxl
import typer
from kolada_fake import FakeKolada

from ojlib.cli import app, main

# Commands whose `--omrade alla` the notebook tests run end to end (the same lansanalys notebook
# with omrade alla in test_notebooks; a whole batch is too slow to repeat here).
COVERED_ELSEWHERE = {
    "rapport": "test_notebooks.test_lansanalys_runs_for_lan_of_different_size[06-alla]",
    "rapporter": "test_notebooks.test_lansanalys_runs_for_lan_of_different_size[06-alla] (one report per län)",
    "demo": "runs `rapporter --omrade alla` (above)",
}
RUN_HERE = {"indikatorer", "export", "presentation", "hamta", "importera"}


def _commands_with_omrade() -> set[str]:
    group = typer.main.get_command(app)
    return {name for name, cmd in group.commands.items()
            if any("--omrade" in getattr(p, "opts", []) for p in cmd.params)}


def test_every_command_with_omrade_is_checked_with_alla():
    assert _commands_with_omrade() == RUN_HERE | set(COVERED_ELSEWHERE)


def test_export_indikatorer_and_presentation_with_alla(example_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("OJLIB_HOME", str(example_home))
    assert main(["indikatorer", "--omrade", "alla"]) == 0
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"lan06.{fmt}"
        assert main(["export", "--lan", "06", "--omrade", "alla", "--format", fmt, "--ut", str(out)]) == 0
        assert out.stat().st_size > 0
    head = [c.value for c in openpyxl.load_workbook(tmp_path / "lan06.xlsx")["Översikt"][5] if c.value]
    assert len(head) == len(set(head))  # one column per indicator, names told apart by område
    assert "Brukarbedömning: få kontakt (2025, Missbruk)" in head
    assert "Brukarbedömning: få kontakt (2025, Barn och unga)" in head
    deck = tmp_path / "lan06.pptx"
    assert main(["presentation", "--lan", "06", "--omrade", "alla", "--ut", str(deck)]) == 0
    assert deck.stat().st_size > 0
    assert "oväntat fel" not in capsys.readouterr().err


def test_hamta_and_importera_with_alla(ojhome, tmp_path, capsys):
    with FakeKolada(page_size=2000) as fake:
        assert main(["hamta", "--bas-url", fake.base_url, "--omrade", "alla", "--fran-ar", "2024"]) == 0
    capsys.readouterr()  # the fetch's progress lines (stderr is not a terminal here)
    # new indicators need one område: alla is refused with a sentence, not an unexpected error
    own = tmp_path / "hemtjanst.csv"
    own.write_text("Kommun;Andel hemtjänst (%)\nAneby;41\n", encoding="utf-8")
    assert main(["importera", str(own), "--omrade", "alla", "--ar", "2024"]) == 2
    err = capsys.readouterr().err
    assert "oväntat fel" not in err and err.count("\n") == 1
