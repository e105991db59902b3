"""kill -9 during `oj importera`: the dataset and its manifest never disagree afterwards.

The import runs in a subprocess that sends itself SIGKILL right before or after one of the
renames the write makes (so every gap between the files is hit exactly), and as a real
`oj importera` process killed after several delays.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import workbooks as wb

from ojlib.cli import main
from ojlib.data import dataset

ROOT = Path(__file__).resolve().parents[1]
KILLER = """
import os, signal, sys
sys.path.insert(0, {tests!r})
import ojlib.base.storage as storage
calls = 0
real = os.replace
def replace(a, b):
    global calls
    calls += 1
    if calls == {n} and {before}:
        os.kill(os.getpid(), signal.SIGKILL)
    real(a, b)
    if calls == {n} and not {before}:
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
from ojlib.cli import main
sys.exit(main(["importera", {path!r}]))
"""


def _state() -> tuple:
    """(rows as a set, manifest) after checking that the pair agrees."""
    manifest = dataset.read_manifest("egen")
    data = dataset.dataset_path("egen").read_bytes()
    assert manifest is not None, "the manifest must describe the data file"
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
    df = dataset.load_dataset("egen").df
    assert manifest["rader"] == len(df)
    pending = [p.name for p in dataset.dataset_path("egen").parent.iterdir() if p.name.endswith(".pending")]
    assert pending == []
    return frozenset(map(tuple, df[dataset.KEY].astype(str).values.tolist())), manifest


def _env(home: Path) -> dict:
    return {**os.environ, "OJLIB_HOME": str(home), "PYTHONPATH": str(ROOT)}


@pytest.mark.parametrize("n,before", [(1, True), (2, True), (3, True), (4, True), (4, False)])
def test_kill_at_each_rename_leaves_dataset_and_manifest_consistent(ojhome, tmp_path, n, before):
    assert main(["importera", str(wb.layout_b(tmp_path / "b.xlsx"))]) == 0
    old_rows, _ = _state()
    new_file = wb.layout_a(tmp_path / "a.xlsx")
    script = KILLER.format(tests=str(ROOT / "tests"), n=n, before=before, path=str(new_file))
    proc = subprocess.run([sys.executable, "-c", script], env=_env(ojhome), capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    rows, manifest = _state()
    if rows == old_rows:
        assert [f["fil"] for f in manifest["filer"]] == ["b.xlsx"]
    else:
        assert len(rows) == len(old_rows) + 60 and [f["fil"] for f in manifest["filer"]] == ["b.xlsx", "a.xlsx"]
    # the pair is whole only after the data rename (call 3 writes the data file)
    assert (rows != old_rows) == (n > 3 or n == 3 and not before)
    # a following import works and leaves no debris behind
    assert main(["importera", str(new_file)]) == 0
    _state()
    debris = [p.name for p in (ojhome / "data" / "processed").iterdir() if p.name.startswith(".")]
    assert debris == []


def test_oj_importera_killed_after_delays_leaves_a_consistent_pair(ojhome, tmp_path):
    assert main(["importera", str(wb.layout_b(tmp_path / "b.xlsx"))]) == 0
    big = tmp_path / "stor_2025.csv"
    lines = ["Kod;Kommun;" + ";".join(f"Indikator nummer {i}" for i in range(40))]
    from ojlib.data import geo

    for kod, namn in zip(geo.kommuner().kommun_kod, geo.kommuner().kommun_namn, strict=True):
        lines.append(f"{kod};{namn};" + ";".join(f"{(int(kod) * (i + 1)) % 100},5" for i in range(40)))
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcomes = set()
    for delay in (0.5, 1.5, 2.5, 3.5, 5.0):
        oj = str(Path(sys.executable).parent / "oj")
        proc = subprocess.Popen([oj, "importera", str(big), "--omrade", "missbruk"],
                                env=_env(ojhome), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        rows, _ = _state()
        outcomes.add(len(rows))
    assert outcomes <= {36, 36 + 290 * 40}
