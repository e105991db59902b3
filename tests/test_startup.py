"""`oj --help` and the command modules load no pandas, pyarrow or plotly (they load in the commands that use
them); the time itself is measured in benchmarks/batch.py, not asserted here."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "pyarrow", "plotly", "numpy", "nbformat", "jupyter_client", "papermill")


def test_oj_help_imports_nothing_heavy():
    code = ("import sys\nfrom ojlib.cli import main\nrc = main(['--help'])\n"
            f"print(rc, sorted(m for m in {HEAVY!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "0 []"
    assert "rapporter" in proc.stdout and "status" in proc.stdout


def test_every_command_help_imports_nothing_heavy():
    code = ("import sys\nfrom ojlib.cli import app, main\nimport typer.main\n"
            "names = [c.name for c in typer.main.get_command(app).commands.values()]\n"
            "for n in names: main([n, '--help'])\n"
            f"print(len(names), sorted(m for m in {HEAVY!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    n, heavy = proc.stdout.strip().splitlines()[-1].split(" ", 1)
    assert int(n) >= 8 and heavy == "[]", proc.stdout[-500:]
