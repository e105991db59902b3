"""`oj rapporter` as a build: incremental by input fingerprints, graceful with failures, safe for
the user's own files, serialised by a lock, no debris or orphan kernels after `kill -9`, every link
resolves, and every kommun profile's parameters valid with defaults."""

from __future__ import annotations

import ctypes
import hashlib
import html
import json
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

from ojlib.analysis import peers
from ojlib.cli import main
from ojlib.data import geo
from ojlib.publish import site
from ojlib.report import request

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "mini_lansanalys.ipynb"
INDEX = "index.html"
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


def _reports(folder: Path) -> dict[str, str]:
    """Each page without its navigation (which names the site generation), hashed."""
    out = {}
    for p in folder.glob("*.html"):
        text = re.sub(r'<nav class="topp".*?</nav>', "", p.read_text(encoding="utf-8"), count=1, flags=re.DOTALL)
        out[p.name] = hashlib.sha256(text.encode()).hexdigest()
    return out


def _generations(folder: Path) -> dict[str, str]:
    """The site generation each page and the index name (``data-bygge`` on their navigation)."""
    out = {}
    for p in folder.glob("*.html"):
        m = re.search(r'<nav class="topp"[^>]*data-bygge="([^"]+)"', p.read_text(encoding="utf-8"))
        out[p.name] = m.group(1) if m else None
    return out


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
            if anchor and target.endswith(".html") and "=" not in anchor:  # omrade=…&lan=…: a dashboard view
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
    first_reports = _reports(folder)

    rc, out, err = _run(capsys, "-f", str(batch), "--ut", str(folder))
    assert rc == 0 and _counts(out) == (0, 3)
    assert "0 byggs, 3 är redan aktuella" in err
    assert _hashes(folder) == first  # nothing rewritten

    # one län's parameters change: only that page
    batch.write_text("omrade: missbruk\nrapporter:\n  - lan: 06\n  - lan: 07\n    jamforelse: kommungrupp\n"
                     "  - lan: 08\n", encoding="utf-8")
    rc, out, _ = _run(capsys, "-f", str(batch), "--ut", str(folder))
    assert rc == 0 and _counts(out) == (1, 2)
    now = _reports(folder)
    assert now["mini_lansanalys-07-missbruk.html"] != first_reports["mini_lansanalys-07-missbruk.html"]
    assert now["mini_lansanalys-06-missbruk.html"] == first_reports["mini_lansanalys-06-missbruk.html"]
    assert len(set(_generations(folder).values())) == 1  # every page published with the new generation

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
    notes_ino = (folder / "notes.txt").stat().st_ino
    capsys.readouterr()
    assert main(["rapport", "--lan", "09", "--omrade", "missbruk", "--mall", str(FIXTURE), "--ut", str(folder)]) == 0
    added = (folder / "mini_lansanalys-09-missbruk.html").read_bytes()
    rc, out, err = _run(capsys, "--lan", "06,07", "--omrade", "missbruk", "--ut", str(folder), "--alla-om")
    assert rc == 0, err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mina anteckningar"
    assert (folder / "bilder" / "logo.png").read_bytes() == b"\x89PNG logga"
    assert (folder / "notes.txt").stat().st_ino == notes_ino  # the same file, carried over, not a copy
    assert _one_generation(folder) and not list(tmp_path.glob(".site.*"))
    assert (folder / "mini_lansanalys-09-missbruk.html").exists()
    assert b"mini_lansanalys-09" in (folder / "index.html").read_bytes()  # still listed
    assert len((folder / "mini_lansanalys-09-missbruk.html").read_bytes()) >= len(added) - 2000


def test_without_room_beside_the_site_pages_are_published_one_by_one(tmp_path, capsys, monkeypatch):
    """Where no staging tree can lie beside the site (parent not writable, a mount point), the tree
    lies inside it and its files replace the site's one by one, index and record last."""
    monkeypatch.setattr(site.Generation, "_beside_possible", lambda self: False)
    folder = tmp_path / "site"
    rc, _, err = _run(capsys, "--lan", "06,07", "--omrade", "missbruk", "--ut", str(folder), "--jobb", "2")
    assert rc == 0, err
    (folder / "notes.txt").write_text("mina anteckningar", encoding="utf-8")
    first = _one_generation(folder)
    rc, _, err = _run(capsys, "--lan", "06,07", "--omrade", "missbruk", "--ut", str(folder), "--alla-om")
    assert rc == 0, err
    assert _one_generation(folder) != first
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mina anteckningar"
    assert not list(folder.glob(".ojlib-ny-*")) and not list(tmp_path.glob(".site.*"))


@pytest.mark.parametrize("where", ["/proc/ojlib-x", "afile/sub"])
def test_unusable_output_paths_give_one_sentence(tmp_path, capsys, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    rc, out, err = _run(capsys, "--lan", "06", "--omrade", "missbruk", "--ut", where)
    assert rc != 0 and "Traceback" not in err
    assert err.startswith("Fel: Webbplatsen kan inte skrivas i") and err.count("\n") == 1, err
    assert "välj en annan mapp med --ut" in err


def test_read_only_folder_gives_one_sentence(unprivileged):
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="ojlib-lasbar-"))  # not under pytest's private tmp (0700, shared)
    try:
        _read_only_case(base, unprivileged)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _read_only_case(base: Path, user: list[str]) -> None:
    folder = base / "lasbar"
    folder.mkdir()
    cmd = [sys.executable, "-m", "ojlib.cli", "rapporter", "--lan", "06", "--omrade", "missbruk", "--mall",
           str(FIXTURE), "--ut", str(folder)]
    env = {**os.environ, "HOME": str(base)}
    if user:  # root writes anywhere: run without that power, with a home the process can read
        src = Path(os.environ["OJLIB_HOME"])
        for sub in ("params", "data"):
            shutil.copytree(src / sub, base / "home" / sub)
        for p in (base, *base.rglob("*")):
            p.chmod(p.stat().st_mode | (0o055 if p.is_dir() else 0o044))
        env["OJLIB_HOME"] = str(base / "home")
        cmd = [*user, *cmd]
    folder.chmod(0o555)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=base)
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


def _marker(folder: Path) -> dict:
    return json.loads((folder / site.MARKER).read_text(encoding="utf-8"))


def _one_generation(folder: Path) -> str:
    """The site is whole: every page and the index name the generation its record names."""
    gens = _generations(folder)
    bygge = _marker(folder)["bygge"]
    assert INDEX in gens and set(gens.values()) == {bygge}, gens
    for name in gens:
        assert (folder / name).read_text(encoding="utf-8").rstrip().endswith("</html>")
    return bygge


@pytest.mark.parametrize("moment", ["staging", "fore", "efter", "mellan"])
def test_kill_9_leaves_a_whole_site_no_debris_and_no_orphan_kernels(tmp_path, capsys, moment):
    """Killed while the reports run (staging), just before the swap, just after it, or (the fallback
    swap by two renames) between the renames: the site is the old one or the new one, whole, and the
    next build leaves no debris. The build waits a moment at the swap (PAUSE_ENV) so that it can be
    killed there."""
    folder = tmp_path / "reports"
    rc, _, _ = _run(capsys, "--lan", "06", "--omrade", "missbruk", "--ut", str(folder))
    assert rc == 0
    (folder / "notes.txt").write_text("mina anteckningar", encoding="utf-8")
    before = _hashes(folder)
    old_id = _one_generation(folder)
    users = [tmp_path / ".reports.ny-gammalt", tmp_path / ".reports.gammal-backup2024", folder / ".ojlib-ny-mitt"]
    for path in users:  # the user's folders, named like a build's: never taken for debris
        path.mkdir()
        (path / "mitt.txt").write_text("mitt", encoding="utf-8")
    (folder / ".utkast.html.v2.tmp").write_text("utkast", encoding="utf-8")
    cmd = [str(OJ), "rapporter", "--lan", "06,07", "--omrade", "missbruk", "--mall", str(FIXTURE),
           "--ut", str(folder), "--jobb", "2", "--alla-om"]
    env = dict(os.environ)
    if moment != "staging":
        env[site.PAUSE_ENV] = "4"
    if moment == "mellan":
        env[site.SWAP_ENV] = "rename"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=env)
    kernels: set[int] = set()

    def live_id() -> str | None:
        try:
            return _marker(folder)["bygge"]
        except (OSError, ValueError):
            return None

    def at_moment() -> bool:
        trees = [p for p in tmp_path.glob(".reports.ny-*") if p not in users]
        if moment == "staging":
            return bool(kernels) and any((p / site.WORK).is_dir() for p in trees)
        if moment == "fore":
            return live_id() == old_id and any((p / site.MARKER).is_file() for p in trees)
        if moment == "efter":
            return live_id() not in (None, old_id)
        return not folder.exists() and bool([p for p in tmp_path.glob(".reports.gammal-*") if p not in users])

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        kernels |= set(_children(proc.pid))
        if at_moment():
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    kernels |= set(_children(proc.pid))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # the guard removes the staging tree at once, before any next build (the site moved aside stays)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and [p for p in tmp_path.glob(".reports.ny-*") if p not in users]:
        time.sleep(0.1)
    assert [p for p in tmp_path.glob(".reports.ny-*") if p not in users] == []
    if moment == "staging":
        assert kernels
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(k) for k in kernels):
            time.sleep(0.2)
        assert not [k for k in kernels if _alive(k)], "kernels outlived the killed run"
    if moment in ("staging", "fore"):
        assert _hashes(folder) == before and _one_generation(folder) == old_id  # the old site, whole
    elif moment == "efter":
        new_id = _one_generation(folder)  # the new site, whole
        assert new_id != old_id and (folder / "mini_lansanalys-07-missbruk.html").is_file()
    else:  # the folder is aside until the next build puts it back
        assert not folder.exists()
    rc, out, err = _run(capsys, "--lan", "06", "--omrade", "missbruk", "--ut", str(folder))
    assert rc == 0, err
    if moment == "mellan":
        assert _hashes(folder) == before  # the previous site is back
    _one_generation(folder)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mina anteckningar"
    assert sorted(tmp_path.glob(".reports.*")) == sorted(users[:2])  # only the user's
    assert [p.name for p in (folder / ".ojlib").iterdir()] == ["las"]
    for path in users:
        assert (path / "mitt.txt").read_text(encoding="utf-8") == "mitt"
    assert (folder / ".utkast.html.v2.tmp").read_text(encoding="utf-8") == "utkast"


def test_a_reader_never_sees_two_generations_at_once(tmp_path, capsys):
    """While builds replace the site, a reader that looks at the folder (through one handle, or by
    path with the index read before and after the pages) always finds one generation."""
    import threading

    folder = tmp_path / "site"
    rc, _, _ = _run(capsys, "--lan", "06,07,08", "--omrade", "missbruk", "--ut", str(folder), "--jobb", "2")
    assert rc == 0
    (folder / "notes.txt").write_text("mina anteckningar", encoding="utf-8")
    gen_re = re.compile(rb'<nav class="topp"[^>]*data-bygge="([^"]+)"')
    stop = threading.Event()
    seen: set[bytes] = set()
    counts = {"handle": 0, "path": 0, "incomplete": 0}
    problems: list = []

    def by_handle() -> None:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            ids = {}
            for name in os.listdir(fd):
                if name.endswith(".html"):
                    f = os.open(name, os.O_RDONLY, dir_fd=fd)
                    with os.fdopen(f, "rb") as fh:
                        ids[name] = gen_re.search(fh.read()).group(1)
            if "notes.txt" not in os.listdir(fd):
                problems.append("notes.txt missing")
        except FileNotFoundError:  # this generation was removed while being read: no observation
            counts["incomplete"] += 1
            return
        finally:
            os.close(fd)
        if len(set(ids.values())) != 1 or "index.html" not in ids:
            problems.append(ids)
        seen.update(ids.values())
        counts["handle"] += 1

    def by_path() -> None:
        first = gen_re.search((folder / "index.html").read_bytes()).group(1)
        pages = {p.name: gen_re.search(p.read_bytes()).group(1) for p in folder.glob("mini_*.html")}
        last = gen_re.search((folder / "index.html").read_bytes()).group(1)
        if first == last:  # the site did not change while it was read
            if set(pages.values()) != {first}:
                problems.append(pages)
            counts["path"] += 1

    def reader() -> None:
        while not stop.is_set():
            try:
                by_handle()
                by_path()
            except Exception as exc:  # noqa: BLE001 - reported below
                problems.append(repr(exc))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        for _ in range(2):
            proc = subprocess.run([str(OJ), "rapporter", "--lan", "06,07,08", "--omrade", "missbruk", "--mall",
                                   str(FIXTURE), "--ut", str(folder), "--jobb", "2", "--alla-om"],
                                  capture_output=True, text=True, timeout=600)
            assert proc.returncode == 0, proc.stderr
        n = counts["handle"]  # a few more looks at the last generation
        deadline = time.monotonic() + 60
        while counts["handle"] < n + 3 and time.monotonic() < deadline and thread.is_alive():
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not problems, problems[:3]
    assert counts["handle"] > 20 and counts["path"] > 20, counts
    assert len(seen) == 3, seen  # the first build's generation and both new ones were seen, each whole
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mina anteckningar"


def test_a_second_build_into_the_same_folder_waits_its_turn_with_a_sentence(tmp_path, capsys):
    folder = tmp_path / "site"
    cmd = [str(OJ), "rapporter", "--lan", "06,07,08", "--omrade", "missbruk", "--mall", str(FIXTURE),
           "--ut", str(folder), "--jobb", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".site.ny-*")) and time.monotonic() < deadline:
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
        p, ds = request.notebook("kommunprofil", kommun=kod)
        for o in p.omraden:
            members, label = peers.peer_members(p.kommun, p.peers, o)
            assert members and kod not in members and label, (kod, o)
            assert set(members) <= set(geo.kommuner().kommun_kod), (kod, o)
            if "eftersom Kolada saknar" in label:
                fallbacks.append((kod, o))
    assert len(geo.kommuner()) == 290
    # Gnosjö has no "Liknande kommuner LSS": its kommungrupp, with the reason in the label
    assert ("0617", "funktionsnedsattning") in fallbacks
    _, label = peers.peer_members("0617", "liknande", "funktionsnedsattning")
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


def test_exchange_swaps_two_folders_in_one_step_or_says_it_cannot(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "ny.txt").write_text("ny", encoding="utf-8")
    (tmp_path / "b" / "gammal.txt").write_text("gammal", encoding="utf-8")
    swapped = site.exchange(tmp_path / "a", tmp_path / "b")
    if sys.platform == "linux" and hasattr(ctypes.CDLL(None), "renameat2"):
        assert swapped, "renameat2 is there (glibc >= 2.28, CI's Debian) but the swap did not happen"
    if swapped:
        assert [p.name for p in (tmp_path / "b").iterdir()] == ["ny.txt"]
        assert [p.name for p in (tmp_path / "a").iterdir()] == ["gammal.txt"]
    else:  # not Linux, or a C library without renameat2: nothing was moved
        assert (tmp_path / "a" / "ny.txt").exists() and (tmp_path / "b" / "gammal.txt").exists()
    monkeypatch.setenv(site.SWAP_ENV, "rename")  # the fallback is asked for: no exchange
    assert site.exchange(tmp_path / "a", tmp_path / "b") is False


def test_a_swap_cut_between_its_two_renames_is_undone(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / site.MARKER).write_text("{}", encoding="utf-8")
    (folder / "notes.txt").write_text("mina", encoding="utf-8")
    backup = tmp_path / ".reports.gammal-backup2024"  # the user's copy of the site, named like an aside
    shutil.copytree(folder, backup)
    with site.locked(folder) as lock:
        aside = lock.record("bredvid", ".reports.gammal-0123ab")
        os.rename(folder, aside)  # the first rename of the swap, then killed
    shutil.copytree(aside, tmp_path / ".reports.gammal-00ff")  # a copy: its record does not name it
    assert site.recover_interrupted_swap(folder) is True
    assert backup.is_dir() and (tmp_path / ".reports.gammal-00ff").is_dir()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mina" and not aside.exists()
    assert site.recover_interrupted_swap(folder) is False  # nothing to do when the folder is there
