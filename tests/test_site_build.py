"""`oj rapporter` as a build: incremental by input fingerprints, graceful with failures, safe for
the user's own files, serialised by a lock, no debris or orphan kernels after `kill -9`, every link
resolves, and every kommun profile's parameters valid with defaults."""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from ojlib import compare, geo, params
from ojlib.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "mini_lansanalys.ipynb"
OJ = Path(sys.executable).parent / "oj"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private copy of the test session's project home (its catalogue may be changed)."""
    src = Path(os.environ["OJLIB_HOME"])
    dst = tmp_path / "home"
    shutil.copytree(src / "params", dst / "params")
    shutil.copytree(src / "data", dst / "data")
    monkeypatch.setenv("OJLIB_HOME", str(dst))
    return dst


def _run(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["rapporter", "--mall", str(FIXTURE), *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _counts(out: str) -> tuple[int, int]:
    m = re.search(r"Klart: (\d+) sidor byggda, (\d+) var redan aktuella", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.html")}


def _links_resolve(folder: Path) -> int:
    """A crawler over the folder: every href/src of every page leads to a file, and every #anchor exists."""
    ids: dict[str, set[str]] = {}
    checked = 0
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        ids[page.name] = set(re.findall(r'\bid="([^"]+)"', text))
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        for ref in re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", text):
            ref = html.unescape(ref)
            target, _, anchor = ref.partition("#")
            target = unquote(target) or page.name
            assert "//" not in target, (page.name, ref)
            assert (folder / target).is_file(), f"{page.name}: {ref} leads nowhere"
            if anchor and target.endswith(".html"):
                assert unquote(anchor) in ids[target], f"{page.name}: {ref} has no target"
            checked += 1
    return checked


def test_second_run_rebuilds_nothing_catalogue_rebuilds_all_one_param_one_page(home, tmp_path, capsys):
    folder = tmp_path / "site"
    batch = tmp_path / "batch.yml"
    batch.write_text("omrade: missbruk\nrapporter:\n  - lan: 06\n  - lan: 07\n  - lan: 08\n", encoding="utf-8")
    rc, out, err = _run(capsys, "-f", str(batch), "--ut", str(folder), "--jobb", "2")
    assert rc == 0 and _counts(out) == (3, 0), err
    first = _hashes(folder)

    rc, out, err = _run(capsys, "-f", str(batch), "--ut", str(folder))
    assert rc == 0 and _counts(out) == (0, 3)
    assert "0 byggs, 3 är redan aktuella" in err
    assert _hashes(folder) == first  # nothing rewritten

    # one län's parameters change: only that page
    batch.write_text("omrade: missbruk\nrapporter:\n  - lan: 06\n  - lan: 07\n    jamforelse: kommungrupp\n"
                     "  - lan: 08\n", encoding="utf-8")
    rc, out, _ = _run(capsys, "-f", str(batch), "--ut", str(folder))
    assert rc == 0 and _counts(out) == (1, 2)
    now = _hashes(folder)
    assert now["mini_lansanalys-07-missbruk.html"] != first["mini_lansanalys-07-missbruk.html"]
    assert now["mini_lansanalys-06-missbruk.html"] == first["mini_lansanalys-06-missbruk.html"]

    # the catalogue changes: every page
    cat = home / "params" / "indikatorer.yml"
    cat.write_text(cat.read_text(encoding="utf-8") + "\n# ändrad\n", encoding="utf-8")
    rc, out, _ = _run(capsys, "-f", str(batch), "--ut", str(folder))
    assert rc == 0 and _counts(out) == (3, 0)

    # --alla-om forces every page
    rc, out, _ = _run(capsys, "-f", str(batch), "--ut", str(folder), "--alla-om")
    assert rc == 0 and _counts(out) == (3, 0)
    assert _links_resolve(folder) > 10


def test_injected_failure_publishes_the_others_and_keeps_the_previous_page(tmp_path, capsys):
    folder = tmp_path / "site"
    rc, out, _ = _run(capsys, "--lan", "06,25", "--omrade", "missbruk", "--ut", str(folder), "--jobb", "2")
    assert rc == 0
    old25 = (folder / "mini_lansanalys-25-missbruk.html").read_text(encoding="utf-8")
    batch = tmp_path / "batch.yml"  # 06 changes and succeeds, 25 fails, 08 is new
    batch.write_text("omrade: missbruk\nrapporter:\n  - lan: 06\n    jamforelse: kommungrupp\n  - lan: 25\n"
                     "    jamforelse: grannarna\n  - lan: 08\n", encoding="utf-8")
    rc, out, err = _run(capsys, "-f", str(batch), "--ut", str(folder), "--jobb", "2")
    assert rc != 0
    assert "  - mini_lansanalys 25 missbruk: Okänd jämförelse 'grannarna'; välj riket eller kommungrupp." in err
    assert "1 av dem behåller sin förra sida, märkt som inte uppdaterad." in err
    assert "2 sidor byggdes och publicerades" in err
    assert err.strip().splitlines()[-1].startswith("Fel: 1 av 3 rapporter misslyckades")
    assert "Traceback" not in err
    assert (folder / "mini_lansanalys-08-missbruk.html").exists()  # the others are published
    page25 = (folder / "mini_lansanalys-25-missbruk.html").read_text(encoding="utf-8")
    assert "Inte uppdaterad:" in page25 and "grannarna" in page25  # the previous version, marked
    body = lambda t: t[t.index("</nav>"):]  # noqa: E731 - the report itself is the old one
    assert body(page25) == body(old25)
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Rapporter som misslyckades" in index and "inte uppdaterad" in index
    assert not list(folder.glob(".ojlib-ny-*"))
    # a run without the bad parameter clears the mark
    batch.write_text("omrade: missbruk\nrapporter:\n  - lan: 25\n", encoding="utf-8")
    rc, out, _ = _run(capsys, "-f", str(batch), "--ut", str(folder))
    assert rc == 0 and _counts(out) == (1, 0)
    assert "Inte uppdaterad:" not in (folder / "mini_lansanalys-25-missbruk.html").read_text(encoding="utf-8")
    assert "Rapporter som misslyckades" not in (folder / "index.html").read_text(encoding="utf-8")


def test_user_files_in_the_site_survive_a_rebuild(tmp_path, capsys):
    folder = tmp_path / "site"
    rc, _, _ = _run(capsys, "--lan", "06", "--omrade", "missbruk", "--ut", str(folder))
    assert rc == 0
    (folder / "notes.txt").write_text("mina anteckningar", encoding="utf-8")
    (folder / "bilder").mkdir()
    (folder / "bilder" / "logo.png").write_bytes(b"\x89PNG logga")
    capsys.readouterr()
    assert main(["rapport", "--lan", "09", "--omrade", "missbruk", "--mall", str(FIXTURE), "--ut", str(folder)]) == 0
    added = (folder / "mini_lansanalys-09-missbruk.html").read_bytes()
    rc, out, err = _run(capsys, "--lan", "06,07", "--omrade", "missbruk", "--ut", str(folder), "--alla-om")
    assert rc == 0, err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mina anteckningar"
    assert (folder / "bilder" / "logo.png").read_bytes() == b"\x89PNG logga"
    assert (folder / "mini_lansanalys-09-missbruk.html").exists()
    assert b"mini_lansanalys-09" in (folder / "index.html").read_bytes()  # still listed
    assert len((folder / "mini_lansanalys-09-missbruk.html").read_bytes()) >= len(added) - 2000


@pytest.mark.parametrize("where", ["/proc/ojlib-x", "afile/sub"])
def test_unusable_output_paths_give_one_sentence(tmp_path, capsys, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    rc, out, err = _run(capsys, "--lan", "06", "--omrade", "missbruk", "--ut", where)
    assert rc != 0 and "Traceback" not in err
    assert err.startswith("Fel: Webbplatsen kan inte skrivas i") and err.count("\n") == 1, err
    assert "välj en annan mapp med --ut" in err


def test_read_only_folder_gives_one_sentence():
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="ojlib-lasbar-"))  # not under pytest's private tmp (0700, shared)
    try:
        _read_only_case(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _read_only_case(base: Path) -> None:
    folder = base / "lasbar"
    folder.mkdir()
    cmd = [str(OJ), "rapporter", "--lan", "06", "--omrade", "missbruk", "--mall", str(FIXTURE), "--ut", str(folder)]
    env = {**os.environ, "HOME": str(base)}
    if os.geteuid() == 0:  # root writes anywhere: run as an unprivileged user when one exists
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv; a read-only folder cannot be simulated")
        src = Path(os.environ["OJLIB_HOME"])  # a home the unprivileged user can read
        for sub in ("params", "data"):
            shutil.copytree(src / sub, base / "home" / sub)
        for p in (base, *base.rglob("*")):
            p.chmod(p.stat().st_mode | (0o055 if p.is_dir() else 0o044))
        env["OJLIB_HOME"] = str(base / "home")
        cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    folder.chmod(0o555)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "Webbplatsen kan inte skrivas i" in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert list(folder.iterdir()) == []


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("moment", ["staging", "first-page"])
def test_kill_9_leaves_no_debris_and_no_orphan_kernels(tmp_path, capsys, moment):
    folder = tmp_path / "reports"
    rc, _, _ = _run(capsys, "--lan", "06", "--omrade", "missbruk", "--ut", str(folder))
    assert rc == 0
    before = _hashes(folder)
    (tmp_path / ".reports.ny-gammalt").mkdir()  # debris of an older version's killed run
    cmd = [str(OJ), "rapporter", "--lan", "06,07,08,09", "--omrade", "missbruk", "--mall", str(FIXTURE),
           "--ut", str(folder), "--jobb", "2", "--alla-om"]
    t_start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    kernels: set[int] = set()

    def page_done() -> bool:  # a page finished (it is published at once, with a fresh mtime)
        return any(p.stat().st_mtime > t_start for p in folder.glob("mini_lansanalys-*.html"))

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        kernels |= set(_children(proc.pid))
        staging = list(folder.glob(".ojlib-ny-*"))
        if staging and (moment == "staging" and kernels or moment == "first-page" and page_done()):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    kernels |= set(_children(proc.pid))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert kernels
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(k) for k in kernels):
        time.sleep(0.2)
    assert not [k for k in kernels if _alive(k)], "kernels outlived the killed run"
    # every page is whole: the old one or a new one
    for name in before:
        assert (folder / name).read_text(encoding="utf-8").rstrip().endswith("</html>")
    rc, out, err = _run(capsys, "--lan", "06", "--omrade", "missbruk", "--ut", str(folder))
    assert rc == 0, err
    assert not list(folder.glob(".ojlib-ny-*")) and not list(tmp_path.glob(".reports.*"))
    assert not list(folder.glob(".*.tmp"))


def test_a_second_build_into_the_same_folder_waits_its_turn_with_a_sentence(tmp_path, capsys):
    folder = tmp_path / "site"
    cmd = [str(OJ), "rapporter", "--lan", "06,07,08", "--omrade", "missbruk", "--mall", str(FIXTURE),
           "--ut", str(folder), "--jobb", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(folder.glob(".ojlib-ny-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        rc, out, err = _run(capsys, "--lan", "09", "--omrade", "missbruk", "--ut", str(folder))
        assert rc != 0
        assert err.strip() == (f"Fel: En annan körning bygger redan webbplatsen i {folder.resolve()}; vänta tills "
                               "den är klar och kör sedan igen.")
    finally:
        _, first_err = proc.communicate(timeout=300)
    assert proc.returncode == 0, first_err
    assert not (folder / "mini_lansanalys-09-missbruk.html").exists()


def test_every_kommun_profile_has_valid_default_parameters_and_peer_groups():
    """All 290 profiles with the template's defaults (liknande kommuner), without running 290 kernels."""
    fallbacks = []
    for kod in geo.kommuner().kommun_kod:
        p, ds = params.kommunprofil(kod, None, "alla", "liknande", "exempeldata")
        for o in p.omraden:
            members, label = compare.peer_members(p.kommun, p.peers, o)
            assert members and kod not in members and label, (kod, o)
            assert set(members) <= set(geo.kommuner().kommun_kod), (kod, o)
            if "eftersom Kolada saknar" in label:
                fallbacks.append((kod, o))
    assert len(geo.kommuner()) == 290
    # Gnosjö has no "Liknande kommuner LSS": its kommungrupp, with the reason in the label
    assert ("0617", "funktionsnedsattning") in fallbacks
    _, label = compare.peer_members("0617", "liknande", "funktionsnedsattning")
    assert label.startswith("Kommungrupp ") and "Liknande kommuner LSS" in label and "Gnosjö" in label


def test_kommun_alla_and_a_lans_kommuner_plan_profiles():
    from ojlib.cli.reports import plan

    assert len(plan(None, "alla", None, None, {})) == 290
    jobs = plan(None, "lan:06", None, None, {})
    assert [j.params["kommun"] for j in jobs] == list(geo.kommuner().query("lan_kod == '06'").kommun_kod)
    assert len(plan("alla", "alla", "alla", None, {})) == 21 * 3 + 290


def test_site_links_resolve_with_profiles_and_lan_reports(tmp_path, capsys):
    folder = tmp_path / "site"
    capsys.readouterr()
    rc = main(["rapporter", "--lan", "06", "--omrade", "missbruk", "--kommun", "0617,0680", "--ut", str(folder),
               "--jobb", "2"])
    assert rc == 0, capsys.readouterr().err
    assert _links_resolve(folder) > 20
    lan = (folder / "lansanalys-06-missbruk.html").read_text(encoding="utf-8")
    assert '<a class="profil" href="kommunprofil-0617-missbruk.html">Gnosjö</a>' in lan
    prof = (folder / "kommunprofil-0617-missbruk.html").read_text(encoding="utf-8")
    assert 'href="lansanalys-06-missbruk.html"' in prof and 'aria-label="Brödsmulor"' in prof
    assert "Jämförelsegrupp: Liknande kommuner IFO, Gnosjö" in prof
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'id="sok"' in index and '<th scope="row">Jönköpings län (06)</th>' in index
    assert "Karta – Missbruks- och beroendevård:" in index
    for page in folder.glob("*.html"):
        assert page.stat().st_size <= 400_000, page.name
