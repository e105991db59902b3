"""Sentences that must say the right thing (issue 24, wording): where a saved choice comes from, a title
that is not text, no English operating-system text inside a Swedish sentence, no internal file names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_hostile import _oj_subprocess, assert_one_swedish_sentence, refused

from ojlib.base import storage
from ojlib.base.errors import OjError, excerpt, explain, reason
from ojlib.publish import reports, site


@pytest.mark.parametrize("value", ["{a: 1}", "[1, 2]"])
def test_an_omrade_title_that_is_not_text_is_a_sentence(home, capsys, value):
    """Was: the title shown as "{'a': 1}" on every page."""
    p = home / "params" / "omraden.yml"
    text = p.read_text(encoding="utf-8")
    first = re.search(r"^(\s+)titel: .*$", text, re.M)
    p.write_text(text[:first.start()] + f"{first.group(1)}titel: {value}" + text[first.end():], encoding="utf-8")
    line, _ = refused(capsys, ["indikatorer"], "fältet titel ska vara en text", home=home)
    assert "{'a'" not in line


def test_a_saved_map_kpi_that_left_the_catalogue_says_where_it_comes_from(home, tmp_path):
    """Was: every later build failed with "KPI 'X' finns inte i indikatorkatalogen" and no hint why it was asked."""
    folder = tmp_path / "webbplats"
    folder.mkdir()
    (folder / site.MARKER).write_text(json.dumps({"ojlib": "webbplats", "karta": "U99999", "sidor": {}}),
                                      encoding="utf-8")
    with pytest.raises(OjError) as err:
        site.build_site([], folder)
    text = str(err.value)
    assert "U99999" in text and site.MARKER in text and "--karta" in text and "tidigare" in text
    with pytest.raises(OjError, match="finns inte i indikatorkatalogen"):
        site.check_map_choice("U99999")  # asked for now: the catalogue's own sentence with suggestions


def test_no_english_os_text_in_a_kernel_start_failure():
    """Was: "(FileNotFoundError: [Errno 2] No such file or directory: 'python')" inside the Swedish sentence."""
    exc = FileNotFoundError(2, "No such file or directory", "/opt/saknas/python")
    exc.attempts = 3
    text = reports.failure_message(exc)
    assert "No such file" not in text and "Errno" not in text
    assert "den finns inte" in text and "/opt/saknas/python" in text and "3 försök" in text


def test_reason_and_excerpt_are_bounded():
    assert reason(PermissionError(13, "Permission denied", "/data/x")) == "behörighet saknas (/data/x)"
    assert len(reason(OjError("x" * 100_000))) < 400
    text = excerpt("rad\n" * 50_000)
    assert "\n" not in text and len(text) < 120 and "tecken)" in text


def test_a_read_only_folder_is_named_not_the_temporary_file(tmp_path, monkeypatch):
    """Was: "Det gick inte att använda data/processed/.egen.manifest.json.pending.k3j2.tmp: …"."""
    target = tmp_path / "processed" / "egen.parquet"

    def refuse(*_a, dir=None, **_k):  # noqa: A002 (tempfile's name)
        raise PermissionError(13, "Permission denied", f"{dir}/.egen.parquet.abc123.tmp")

    monkeypatch.setattr(storage.tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError) as err:
        storage.write_bytes_atomic(target, b"x")
    text = explain(err.value)
    assert ".tmp" not in text and str(target.parent) in text and "behörighet saknas" in text


def test_a_read_only_data_folder_as_a_user(example_home, tmp_path, unprivileged):
    """The real thing: `oj importera` into a read-only data/processed, as an unprivileged user (setpriv to
    nobody or root without its power over files when the tests run as root: the ``unprivileged`` fixture)."""
    import os
    import shutil
    import tempfile

    user = unprivileged
    base = Path(tempfile.mkdtemp(prefix="oj-ordval-"))
    try:
        base.chmod(0o755)
        h = base / "home"
        shutil.copytree(example_home, h)
        for q in [h, *h.rglob("*")]:
            q.chmod(0o755 if q.is_dir() else 0o644)
        (h / "data" / "processed").chmod(0o555)
        f = base / "egen.csv"
        f.write_text("kpi,kod,ar,varde\nU35519,0604,2024,1\n", encoding="utf-8")
        f.chmod(0o644)
        if not user:
            os.chmod(h / "data" / "processed", 0o555)
        r = _oj_subprocess(["importera", str(f)], base, h, user=user)
        assert r.returncode != 0, r.stdout
        line = assert_one_swedish_sentence(r.stderr)
        assert ".tmp" not in line and ".pending" not in line and "processed" in line, line
        assert not (h / "data" / "processed" / "egen.parquet").exists()
    finally:
        (base / "home" / "data" / "processed").chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_a_saved_value_of_1_7e308_is_refused_with_how_to_rebuild(home, capsys):
    """Was: `oj export` failed with "Ett oväntat fel" and `oj presentation` exited 0 with 300-digit labels.
    A saved file an older ojlib wrote: the sentence says how to rebuild it, not to edit cells."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = home / "data" / "processed" / "exempeldata.parquet"
    table = pq.read_table(path)
    df = table.to_pandas()
    df.loc[df.index[(df.kpi == "U35548") & df.varde.notna()][:2], "varde"] = 1.7e308
    pq.write_table(pa.Table.from_pandas(df, schema=table.schema, preserve_index=False), path)
    line, _ = refused(capsys, ["export", "--lan", "06", "--omrade", "missbruk"], "orimligt stora",
                      "oj exempeldata", home=home)
    assert "rätta dem" not in line
