"""Hostile input against the site, its files and the browser (issue 24): markup in data never becomes
markup in a figure, the site's lock and staging names are never followed or guessed, a tampered site
record or comments file is a Swedish sentence, a browser that never answers is given up on in time."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from test_hostile import assert_one_swedish_sentence

from ojlib.analysis import colours, kon, levels
from ojlib.cli import main
from ojlib.publish import site
from ojlib.render import figures
from ojlib.report import lansrapport

ROOT = Path(__file__).resolve().parents[1]

EVIL_KOMMUN = '<a href="https://ev.il/">Gnosjö</a>'
EVIL_HEADER = "<b>fet</b><span style='color:red'>röd</span> & <i>kursiv</i>"
LIVE = ("<a ", "<b>fet", "<span style='color:red'", "<i>")


def _hostile(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with Gnosjö named as a link and every indicator name, level name and colour rule
    carrying markup, as a tampered reference file or an imported workbook's header would give."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: v.replace("Gnosjö", EVIL_KOMMUN) if isinstance(v, str) else v)
    for col in ("indikator", "färgregel", "färgklass"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: f"{EVIL_HEADER} {v}" if isinstance(v, str) else v)
    out.attrs = {**frame.attrs, "nivaer": {k: {int(n): f"{EVIL_HEADER} {t}" for n, t in lv.items()}
                                           for k, lv in (frame.attrs.get("nivaer") or {}).items()}}
    return out


def _strings(obj, out: list[str]) -> list[str]:
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _strings(v, out)
    elif isinstance(obj, list | tuple):
        for v in obj:
            _strings(v, out)
    return out


def _figures(ds) -> dict[str, object]:
    lan = _hostile(colours.coloured_lan_table(ds, "06", "missbruk"))
    nat = _hostile(colours.coloured_kommun_table(ds, "missbruk"))
    answers, trends = lansrapport.over_time_frames(ds, "06", colours.coloured_lan_table(ds, "06", "missbruk"))
    scale = lan.loc[lan.typ == "skala", "kpi"].iloc[0]
    return {
        "ranked_bars": figures.ranked_bars(lan, "U35538"),
        "ranked_bars marked, kompakt": figures.ranked_bars(lan, "U35538", markera="0617", kompakt=True),
        "ranked_bars skala": figures.ranked_bars(lan, scale),
        "ranked_bars ja_nej": figures.ranked_bars(lan, "U35519", jamforelse="kommungrupp"),
        "trend": figures.trend(_hostile(levels.trend(ds, "U35519", kommun="0617"))),
        "trend kompakt": figures.trend(_hostile(levels.trend(ds, "U35538", kommun="0617", lan="06")), kompakt=True),
        "overview": figures.overview(lan),
        "choropleth": figures.choropleth(nat, "U35538"),
        "choropleth län": figures.choropleth(lan, "U35538"),  # its labels and numbered legend name kommuner
        "sex_differences": figures.sex_differences(_hostile(kon.sex_differences(ds, lan="06", omrade="missbruk")),
                                                   "U35538"),
        "over_time": figures.over_time(_hostile(answers) if answers is not None else None,
                                       [_hostile(t) for t in trends], title=f"{EVIL_HEADER} över tid"),
    }


def test_markup_in_data_is_text_in_every_figure(example_ds):
    """Every text of every figure (traces, ticks, hover, legend, titles, notes): the hostile kommun name
    and headers are shown escaped (plotly draws them as written), never as a live link or styled text."""
    seen_kommun = seen_header = 0
    for name, fig in _figures(example_ds).items():
        texts = _strings(json.loads(fig.to_json()), [])
        live = [t for t in texts if any(m in t for m in LIVE)]
        assert not live, (name, live[:3])
        seen_kommun += sum("&lt;a href=\"https://ev.il/\"&gt;Gnosjö&lt;/a&gt;" in t for t in texts)
        seen_header += sum("&lt;b&gt;fet&lt;/b&gt;&lt;span style='color:red'&gt;röd&lt;/span&gt; &amp;" in t
                           for t in texts)
        assert any("&lt;b&gt;fet" in t for t in texts), name  # the header is shown, as text
    assert seen_kommun >= 8 and seen_header >= 10, (seen_kommun, seen_header)


def test_escaping_leaves_clean_frames_alone(example_ds):
    """Frames without markup are handed on as they are (no copy), so the figures are the same as before."""
    table = colours.coloured_lan_table(example_ds, "06", "missbruk")
    assert figures._plain(table) is table
    assert figures._plain([table, None, "Länet"])[0] is table


# ---------------------------------------------------------------- the site's lock, staging and record

FIXTURE = ROOT / "tests" / "fixtures" / "mini_lansanalys.ipynb"
SITE_ARGS = ["--lan", "06", "--omrade", "missbruk", "--mall", str(FIXTURE)]


def _oj(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(list(argv))
    return rc, capsys.readouterr().err


def _refused(capsys, argv: list[str], *needles: str) -> str:
    rc, err = _oj(capsys, *argv)
    assert rc != 0, err
    plan = re.compile(r"^\d+ rapporter: \d+ byggs.* …$")  # `oj rapporter`'s plan, before the sentence
    return assert_one_swedish_sentence("\n".join(ln for ln in err.splitlines() if not plan.match(ln)), *needles)


@pytest.fixture
def built_site(tmp_path, capsys) -> Path:
    folder = tmp_path / "SITE"
    rc, err = _oj(capsys, "rapporter", *SITE_ARGS, "--ut", str(folder))
    assert rc == 0, err
    return folder


def _files(*roots: Path) -> dict[str, bytes]:
    """Every file under ``roots`` with its bytes (not the site's lock, whose record each build renews)."""
    return {str(p): p.read_bytes() for r in roots for p in sorted(r.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.parent.name != site.DOT}


@pytest.mark.parametrize("what", ["symlink-las", "symlink-mapp", "fifo-las", "fil-mapp"])
def test_a_link_or_fifo_at_the_lock_is_refused_and_left_untouched(built_site, tmp_path, capsys, what):
    """`ln -s ~/notes.txt SITE/.ojlib/las` (or the whole .ojlib, or a FIFO there): a sentence, exit ≠ 0,
    the file pointed at as it was, for `oj rapporter` and `oj rapport --ut SITE`."""
    notes = tmp_path / "anteckningar"
    notes.mkdir()
    (notes / "notes.txt").write_text("en annan användares anteckningar\n", encoding="utf-8")
    dot = built_site / site.DOT
    shutil.rmtree(dot)
    if what == "symlink-las":
        dot.mkdir()
        (dot / site.LOCK).symlink_to(notes / "notes.txt")
    elif what == "symlink-mapp":
        dot.symlink_to(notes)
        (notes / site.LOCK).write_text("", encoding="utf-8")
    elif what == "fifo-las":
        dot.mkdir()
        os.mkfifo(dot / site.LOCK)
    else:
        dot.write_text("inte en mapp", encoding="utf-8")
    before, pages = _files(notes), _files(built_site)
    for argv in (["rapporter", *SITE_ARGS, "--ut", str(built_site), "--alla-om"],
                 ["rapport", "--lan", "06", "--omrade", "missbruk", "--mall", str(FIXTURE), "--ut", str(built_site)]):
        start = time.monotonic()
        line = _refused(capsys, argv, ".ojlib", "lämnas orörd")
        assert time.monotonic() - start < 30, line  # a FIFO is never waited on
    assert _files(notes) == before and _files(built_site) == pages
    if what == "fifo-las":
        assert stat.S_ISFIFO(os.lstat(dot / site.LOCK).st_mode)


def test_clean_up_removes_only_what_a_build_recorded(built_site, tmp_path, capsys):
    """Folders and files named like a build's debris but the user's survive a build that rebuilds
    nothing and one that rebuilds everything; the record of a killed build is what is removed."""
    users = [tmp_path / ".SITE.gammal-backup2024", tmp_path / ".SITE.ny-mitt", built_site / ".ojlib-ny-x"]
    for p in users:
        p.mkdir()
        (p / "mitt.txt").write_text("mitt", encoding="utf-8")
    for name in (".utkast.html.v2.tmp", ".ojlib-prov-x", ".plotly.min.js.x.tmp", ".index.html.abc.tmp"):
        (built_site / name).write_text("mitt", encoding="utf-8")
    with site.locked(built_site) as lock:  # a build killed after recording and making its tree
        killed = lock.record("bredvid", ".SITE.ny-00ab")
        killed.mkdir()
        (killed / "sida.html").write_text("halv", encoding="utf-8")
        inside = lock.record("inuti", "ny-00cd")
        inside.mkdir()
    mine = {**_files(*users), **{str(p): p.read_bytes() for p in built_site.glob(".*.tmp")}}
    for extra in ([], ["--alla-om"]):
        rc, err = _oj(capsys, "rapporter", *SITE_ARGS, "--ut", str(built_site), *extra)
        assert rc == 0, err
        assert not killed.exists() and not inside.exists()
        assert {**_files(*users), **{str(p): p.read_bytes() for p in built_site.glob(".*.tmp")}} == mine
        assert (built_site / ".ojlib-prov-x").read_text(encoding="utf-8") == "mitt"


# ---------------------------------------------------------------- stale pages: fingerprints of every input

@pytest.fixture
def own_home(tmp_path, monkeypatch) -> Path:
    """A private copy of the session's project home (imports and regenerated data change it)."""
    src = Path(os.environ["OJLIB_HOME"])
    home = tmp_path / "home"
    shutil.copytree(src / "params", home / "params")
    shutil.copytree(src / "data", home / "data")
    monkeypatch.setenv("OJLIB_HOME", str(home))
    return home


def _build(capsys, folder: Path, *argv: str) -> int:
    capsys.readouterr()
    rc = main(["rapporter", *SITE_ARGS, "--ut", str(folder), *argv])
    out = capsys.readouterr()
    assert rc == 0, out.err
    m = re.search(r"Klart: (\d+) sidor byggda, (\d+) var redan aktuella", out.out)
    assert m, out.out
    return int(m.group(1))


def _import(capsys, tmp_path: Path, value: str) -> None:
    f = tmp_path / f"egen-{value}.csv"
    f.write_text(f"kpi,kod,ar,varde\nU35538,0604,2024,{value}\nU35538,0617,2024,12\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["importera", str(f), "--ersatt"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("kalla", ["egen,exempeldata", "alla"])
def test_a_page_combining_sources_is_rebuilt_after_an_import(own_home, tmp_path, capsys, kalla):
    _import(capsys, tmp_path, "40")
    folder = tmp_path / "SITE"
    assert _build(capsys, folder, "--datakalla", kalla) == 1
    assert _build(capsys, folder, "--datakalla", kalla) == 0
    _import(capsys, tmp_path, "55")  # new own data: the page that reads it is stale
    assert _build(capsys, folder, "--datakalla", kalla) == 1
    assert _build(capsys, folder, "--datakalla", "exempeldata") == 1  # another parameter: its own page
    _import(capsys, tmp_path, "60")
    assert _build(capsys, folder, "--datakalla", "exempeldata") == 0  # reads no own data: still current


def test_regenerated_identical_example_data_rebuilds_nothing(own_home, tmp_path, capsys):
    """`oj exempeldata` writes an identical file (same sha256) at a new time: the pages stay current
    (issue 21: a second `make demo` says "0 byggs")."""
    folder = tmp_path / "SITE"
    assert _build(capsys, folder) == 1
    data = own_home / "data" / "processed" / "exempeldata.parquet"
    before = (data.read_bytes(), data.stat().st_mtime_ns)
    time.sleep(0.05)
    assert main(["exempeldata"]) == 0
    assert data.read_bytes() == before[0] and data.stat().st_mtime_ns != before[1]
    assert _build(capsys, folder) == 0


def _template_with_comments(tmp_path: Path) -> Path:
    """The mini template with a ``kommentarer`` parameter whose Inledning it shows, as lansanalys does."""
    nb = json.loads(FIXTURE.read_text(encoding="utf-8"))
    params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    params["source"] = "".join(params["source"]).rstrip("\n") + "\nkommentarer = None\n"
    nb["cells"].append({"id": "kommentar", "cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                        "source": "from ojlib.render import notebook\nfrom ojlib.report import comments\n"
                                  "notebook.show_comment(comments.load(kommentarer), \"Inledning\")"})
    path = tmp_path / "mini_kommentarer.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_an_edited_comment_file_rebuilds_the_page(own_home, tmp_path, capsys):
    notes = tmp_path / "kommentarer.md"
    notes.write_text("## Inledning\nFörsta versionen.\n", encoding="utf-8")
    folder = tmp_path / "SITE"
    args = ("--mall", str(_template_with_comments(tmp_path)), "-p", f"kommentarer={notes}")
    assert _build(capsys, folder, *args) == 1
    assert _build(capsys, folder, *args) == 0
    notes.write_text("## Inledning\nAndra versionen.\n", encoding="utf-8")
    assert _build(capsys, folder, *args) == 1
    page = next(folder.glob("*-06-missbruk.html")).read_text(encoding="utf-8")
    assert "Andra versionen." in page and "Första versionen." not in page


def test_a_3_gb_sparse_comment_file_is_refused_by_its_size_before_reading(tmp_path):
    """Refused by its size (a sentence naming the limit) in well under a second and without memory to
    read it: the file is never read whole, not for the page and not for its fingerprint."""
    import resource

    from ojlib.base.errors import OjError
    from ojlib.report import comments

    big = tmp_path / "stor.md"
    with open(big, "wb") as fh:
        fh.truncate(3 * 1024 ** 3)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    start = time.monotonic()
    try:
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + 512 * 1024 ** 2, hard))
        with pytest.raises(OjError, match="större än 1 MB"):
            comments.load(str(big))
        fp = comments.fingerprint(str(big))
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert time.monotonic() - start < 2
    assert fp.startswith("fel: ") and "större än 1 MB" in fp


def _address_space() -> int:
    """This process's virtual memory now, in bytes (the cap above is set relative to it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 8 * 1024 ** 3  # pragma: no cover - no /proc


# ---------------------------------------------------------------- a tampered site record

TAMPERED = {
    "inte-json": b"{inte json",
    "lista": b"[]",
    "text": b'"webbplats"',
    "sidor-lista": b'{"sidor": []}',
    "sida-tal": b'{"sidor": {"x": 5}}',
    "karta-tal": b'{"karta": 5, "sidor": {}}',
    "fingeravtryck-lista": b'{"sidor": {"mini_lansanalys-06-missbruk": {"status": "ok", "fingerprint": ["a"]}}}',
    "okand-status": b'{"sidor": {"mini_lansanalys-06-missbruk": {"status": {"a": 1}}}}',
    "latin1": '{"karta": "Jönköping"}'.encode("latin-1"),
    "djup": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("shape", [*TAMPERED, "symlink"])
def test_every_tampered_shape_of_the_record_is_a_sentence(tmp_path, shape):
    from ojlib.base.errors import OjError

    marker = tmp_path / site.MARKER
    if shape == "symlink":
        (tmp_path / "annan.json").write_text("{}", encoding="utf-8")
        marker.symlink_to(tmp_path / "annan.json")
    else:
        marker.write_bytes(TAMPERED[shape])
    with pytest.raises(OjError, match="register .* är skadat: .*--alla-om"):
        site.read_settings(tmp_path)
    assert site.read_settings(tmp_path, tolerate=True) == {}


@pytest.mark.parametrize("shape", ["fingeravtryck-lista", "symlink"])
def test_a_tampered_site_record_is_a_sentence_and_alla_om_rebuilds(built_site, tmp_path, capsys, shape):
    marker = built_site / site.MARKER
    if shape == "symlink":
        other = tmp_path / "annan.json"
        other.write_text(marker.read_text(encoding="utf-8"), encoding="utf-8")
        marker.unlink()
        marker.symlink_to(other)
    else:
        marker.write_bytes(TAMPERED[shape])
    pages = _files(built_site)
    for argv in (["rapporter", *SITE_ARGS, "--ut", str(built_site)],
                 ["rapport", "--lan", "06", "--omrade", "missbruk", "--mall", str(FIXTURE), "--ut", str(built_site)]):
        _refused(capsys, argv, "register", "--alla-om")
        assert _files(built_site) == pages
    rc, err = _oj(capsys, "rapporter", *SITE_ARGS, "--ut", str(built_site), "--alla-om")
    assert rc == 0, err
    record = json.loads(marker.read_text(encoding="utf-8"))
    assert record["sidor"]["mini_lansanalys-06-missbruk"]["status"] == "ok" and not marker.is_symlink()
    assert _build(capsys, built_site) == 0  # the new record is read as it should


# ---------------------------------------------------------------- a browser that never answers

def _fake_browser(tmp_path: Path, monkeypatch, mode: str) -> tuple[Path, Path]:
    """The fake browser (tests/fake_browser.py) as an executable, in ``mode``; and its pid file."""
    exe = tmp_path / "fake-chromium"
    exe.write_text(f"#!{sys.executable}\n" + (ROOT / "tests" / "fake_browser.py").read_text(encoding="utf-8"),
                   encoding="utf-8")
    exe.chmod(0o755)
    pids = tmp_path / "pids"
    monkeypatch.setenv("FAKE_BROWSER", mode)
    monkeypatch.setenv("FAKE_BROWSER_PIDS", str(pids))
    monkeypatch.setenv("OJLIB_WEBBLASARE_TIDSGRANS", "3")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))  # its profile folder where the test can see it
    (tmp_path / "tmp").mkdir()
    tempfile.tempdir = None  # read TMPDIR again
    return exe, pids


def _gone(pids: Path, tmp: Path, seconds: float = 15) -> None:
    """The browser and its helper are no more and its profile folder is removed."""
    ids = [int(p) for p in pids.read_text().split()]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (any(_running(p) for p in ids) or list(tmp.glob("ojlib-webblasare-*"))):
        time.sleep(0.1)
    assert not [p for p in ids if _running(p)], "browser processes outlived it"
    assert not list(tmp.glob("ojlib-webblasare-*"))


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(("mode", "needle"), [("tyst-port", "DevTools-port"), ("tyst-ws", "DevTools-port"),
                                              ("handelser", "svarade inte inom 3 sekunder")])
def test_a_browser_that_never_answers_is_a_sentence_in_time(tmp_path, monkeypatch, mode, needle):
    from ojlib.base.errors import OjError
    from ojlib.render import pdf

    exe, pids = _fake_browser(tmp_path, monkeypatch, mode)
    page = tmp_path / "sida.html"
    page.write_text("<!doctype html><title>x</title><p>x</p>", encoding="utf-8")
    start = time.monotonic()
    try:
        with pytest.raises(OjError, match=needle) as err:
            pdf.write_pdf(page, executable=exe)
    finally:
        tempfile.tempdir = None
    assert time.monotonic() - start < 3 * 2 + 15, "more than its deadline and the time to end it"
    assert "så ingen PDF skrevs" in str(err.value)
    assert not page.with_suffix(".pdf").exists()
    _gone(pids, tmp_path / "tmp")


def test_oj_rapporter_pdf_with_a_silent_browser_is_one_sentence(built_site, tmp_path, monkeypatch, capsys):
    exe, pids = _fake_browser(tmp_path, monkeypatch, "handelser")
    try:
        _refused(capsys, ["rapporter", *SITE_ARGS, "--ut", str(built_site), "--pdf", "--webblasare", str(exe)],
                 "Webbläsaren svarade inte")
    finally:
        tempfile.tempdir = None
    assert not list(built_site.glob("*.pdf"))
    _gone(pids, tmp_path / "tmp")


@pytest.mark.parametrize("which", ["chromium", "fake"])
def test_kill_9_while_printing_leaves_no_browser_and_no_profile(tmp_path, monkeypatch, which, request):
    """The process that drives the browser is killed with SIGKILL: its guard ends the browser's whole
    process group and removes the profile folder (no Chromium processes, no ojlib-webblasare-* folder left in
    the temp folder)."""
    tmp = tmp_path / "tmp"
    if which == "fake":
        exe, pids = _fake_browser(tmp_path, monkeypatch, "handelser")
        tempfile.tempdir = None
        monkeypatch.setenv("OJLIB_WEBBLASARE_TIDSGRANS", "600")
    else:
        exe, pids = request.getfixturevalue("chromium"), None
        tmp = Path(tempfile.mkdtemp(prefix="ojt-", dir="/tmp"))  # short: Chromium's socket path has a limit
        request.addfinalizer(lambda: shutil.rmtree(tmp, ignore_errors=True))
    page = tmp_path / "sida.html"
    page.write_text("<!doctype html><title>x</title><p>x</p>", encoding="utf-8")
    code = ("import sys, time; from pathlib import Path; from ojlib.render import pdf; b = pdf.Browser(sys.argv[1]); "
            "b.open(Path(sys.argv[2])); print('igång', flush=True); time.sleep(600)") if which == "chromium" else \
        "import sys; from ojlib.render import pdf; pdf.write_pdf(sys.argv[2], executable=sys.argv[1])"
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(exe), str(page)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        if which == "chromium":
            assert proc.stdout.readline().strip() == "igång", proc.stderr.read()
        else:
            deadline = time.monotonic() + 60
            while not (pids.exists() and pids.read_text().strip()) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1)  # it is waiting for an answer now
        profile = next(tmp.glob("ojlib-webblasare-*"))
        members = _processes_using(profile)
        assert members, "the browser is not running"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (_processes_using(profile) or profile.exists()):
        time.sleep(0.1)
    assert not _processes_using(profile), "browser processes outlived the killed process"
    assert not list(tmp.glob("ojlib-webblasare-*"))
    assert not list(tmp.glob("org.chromium.*")), "Chromium was not given the time to clean up after itself"
    if pids is not None:
        _gone(pids, tmp)


def _processes_using(profile: Path) -> list[int]:
    """Live processes whose command line names the profile folder (Chromium and its helpers), and the
    members of their process groups."""
    out = set()
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if str(profile).encode() in (d / "cmdline").read_bytes() and _running(int(d.name)):
                out.add(int(d.name))
        except OSError:
            continue
    return sorted(out)


def test_a_saved_map_indicator_gone_from_the_catalogue_says_where_it_comes_from(built_site, capsys):
    marker = built_site / site.MARKER
    record = json.loads(marker.read_text(encoding="utf-8"))
    marker.write_text(json.dumps({**record, "karta": "U99999"}), encoding="utf-8")
    _refused(capsys, ["rapporter", *SITE_ARGS, "--ut", str(built_site)], "U99999", site.MARKER, "--karta")
    rc, err = _oj(capsys, "rapporter", *SITE_ARGS, "--ut", str(built_site), "--karta", "U35538")
    assert rc == 0, err


def test_markup_in_data_draws_no_link_or_styled_text_in_the_browser(example_ds, chromium, tmp_path):
    """The figures drawn by plotly in Chromium: no <a> to ev.il anywhere in them, no bold or red text
    made from the header, and the hostile name shown as the text it is."""
    from ojlib.render import html_export, pdf

    page = html_export.Page()
    figs = _figures(example_ds)
    body = "\n".join(page.figure(json.loads(figs[k].to_json()))
                     for k in ("ranked_bars marked, kompakt", "choropleth", "choropleth län", "overview", "trend"))
    doc = html_export.page_document("Fientliga namn", body, None, page.templates, has_figures=True)
    target = tmp_path / "sida.html"
    target.write_text(doc, encoding="utf-8")
    site.copy_plotly_js(tmp_path)
    with pdf.Browser(chromium) as browser:
        browser.open(target)
        found = browser.evaluate("""(() => {
          const figs = [...document.querySelectorAll('div.ojfig')];
          const links = figs.flatMap(f => [...f.querySelectorAll('a')])
            .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '');
          // rendered markup would make 'fet', 'röd' and 'kursiv' pieces of their own (bold, red, italic)
          const styled = figs.flatMap(f => [...f.querySelectorAll('tspan')])
            .filter(t => ['fet', 'röd', 'kursiv'].includes(t.textContent.trim()));
          const text = figs.map(f => f.textContent).join(' ');
          return {figs: figs.length, links: links, styled: styled.length,
                  literal: text.includes('<a href="https://ev.il/">Gnosjö</a>'), header: text.includes('<b>fet</b>')};
        })()""")
    assert found["figs"] == 5, found
    assert found["links"] == [], found  # not even a link without its address
    assert found["styled"] == 0 and found["literal"] and found["header"], found
