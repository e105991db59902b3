"""Progress when stderr is not a terminal (issue 21 item 6): plain lines with done/total, the item last
finished and the time left, every few items or every ~10 s, never tqdm's carriage returns."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from ojlib.cli import progress

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "mini_lansanalys.ipynb"
OJ = Path(sys.executable).parent / "oj"


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_lines_every_step_or_every_ten_seconds_with_the_time_left():
    out, clock = io.StringIO(), Clock()
    lines = progress.Lines(total=353, desc="Rapporter", file=out, clock=clock)
    assert lines.step == 18  # a twentieth of the work
    for i in range(1, 18):  # 17 reports in 9 s: no line yet
        clock.t = i * 0.5
        lines.set_postfix_str(f"Länsanalys {i:02d} missbruk")
        lines.update(1)
    assert out.getvalue() == ""
    clock.t = 9.0
    lines.update(1)  # the 18th report: a line
    first = out.getvalue().splitlines()
    assert first == ["Rapporter: 18/353 (5 %), senast Länsanalys 17 missbruk, cirka 3 min kvar"], first
    clock.t = 30.0  # a slow report: more than 10 s since the last line
    lines.set_postfix_str("Kommunprofil 0617")
    lines.update(1)
    assert out.getvalue().splitlines()[-1] == "Rapporter: 19/353 (5 %), senast Kommunprofil 0617, cirka 9 min kvar"
    clock.t = 700.0
    lines.update(353 - 19)
    assert out.getvalue().splitlines()[-1] == "Rapporter: 353/353 (100 %), senast Kommunprofil 0617, klart på 12 min"
    assert "\r" not in out.getvalue()


def test_bar_is_tqdm_on_a_terminal_and_lines_otherwise(monkeypatch):
    from tqdm import tqdm

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    with progress.bar(total=3, desc="X") as b:
        assert isinstance(b, tqdm)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    seen = list(progress.bar(range(3), desc="Exempeldata"))
    assert seen == [0, 1, 2]
    assert sys.stderr.getvalue().splitlines()[-1].startswith("Exempeldata: 3/3 (100 %), klart på ")


def test_oj_rapporter_through_a_pipe_prints_progress_lines(tmp_path):
    """`oj rapporter` with stderr a pipe (as in CI): a line per report here (three reports), each with
    done/total, the report last built and the time left; no carriage returns."""
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run([str(OJ), "rapporter", "--lan", "06,07,08", "--omrade", "missbruk", "--mall",
                           str(FIXTURE), "--ut", str(tmp_path / "site"), "--jobb", "2"],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("Rapporter: ")]
    assert [re.match(r"Rapporter: (\d)/3", ln).group(1) for ln in lines] == ["1", "2", "3"], proc.stderr
    assert all(re.search(r", senast mini_lansanalys 0[678] missbruk", ln) for ln in lines), lines
    assert re.search(r"cirka \d+ (s|min) kvar$", lines[0]) and "klart på" in lines[-1], lines
