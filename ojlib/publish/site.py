"""The shared HTML site: report pages, one ``plotly.min.js``, and ``index.html`` with a map and a matrix.

``build_site`` runs the reports whose inputs changed (``fingerprint``: template, parameters, data,
catalogue, ojlib version) and prepares the whole next version of the site in a staging tree
(``Generation``): the new pages, their decks and PDFs (``--pdf``: printed there, before the swap), every
other file of the site carried over by hard links, the navigation of every page, ``index.html``,
``plotly.min.js`` and the site's record (``MARKER``). Pages, navigation and index come from the Jinja2
templates in ``render/pages`` (``render.templating``, autoescape on).
The tree then takes the site's place in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``;
a documented fallback elsewhere), so a reader sees either the old site or the new one, never a
mixture: every page and the index name their generation (``data-bygge`` on ``nav.topp``).
A report that failed keeps its previous page, marked as not updated, or is listed as failed.
``add_report`` puts one page into an existing site (``oj rapport``) the same way. The index is
rebuilt from the metadata each page carries, so it lists exactly the report pages in the folder.

The build owns only its pages, their decks and PDFs, ``index.html``, ``plotly.min.js`` and ``MARKER``: other
files in the folder (notes, images, folders) are carried into each new generation unchanged (hard
links, looked at again just before the swap). A folder that holds files but is no site made here is
refused, and a lock (``DOT/LOCK``, the same file in every generation, never followed through a link)
serialises builds into one folder.
A staging tree's name is written to the lock's record before it is made, and a guard process
(``base.guard``) removes the tree at once when the build is killed (even by ``kill -9``); what the
guard could not remove, the next build removes by that record, and nothing merely named like it.
The published site is whole either way. A killed build publishes nothing: the next one runs its
reports again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import html
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from ojlib import __version__
from ojlib.analysis import colours
from ojlib.base import guard, paths
from ojlib.base.errors import OjError, excerpt, os_reason
from ojlib.base.storage import atomic_path, write_text_atomic
from ojlib.data import catalog, dataset, enheter, geo, shared
from ojlib.data.source_lines import EXEMPELDATA
from ojlib.data.sources import registry
from ojlib.publish import reports, stadsdelar
from ojlib.render import dashboard, figures, formats, html_export, templating
from ojlib.render import pdf as pdf_print
from ojlib.report import comments, templates

MARKER = ".ojlib-webbplats.json"
INDEX = "index.html"
DECK, PRINTED = "pptx", "pdf"  # the formats (render/formats.py) the site writes in its own build and links
class _DatakallaText(dict):
    """Source label for the site ("Kolada", "Kolada + Egen import"), from the source registry."""

    def get(self, key, default=None):

        keys = [k.strip() for k in str(key).split(",") if k.strip()]
        if not keys or not all(registry.known(k) for k in keys):
            return default
        return " + ".join(registry.get(k).label for k in keys)

    def __getitem__(self, key):
        text = self.get(key)
        if text is None:
            raise KeyError(key)
        return text

    def __contains__(self, key):
        return self.get(key) is not None


DATAKALLA_TEXT = _DatakallaText()


# --------------------------------------------------------------------------- folder handling

def plotly_js_source() -> Path:
    """plotly.js as shipped in plotly's package data (works offline, matches the figures' version)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / html_export.PLOTLY_JS
    if not path.exists():  # pragma: no cover
        raise OjError("Filen plotly.min.js saknas i plotly-paketet; installera om plotly (make setup).")
    return path


def copy_plotly_js(folder: Path) -> Path:
    """Put the one shared plotly.min.js in ``folder`` (skipped when an identical copy is there)."""
    src, dst = plotly_js_source(), Path(folder) / html_export.PLOTLY_JS
    if dst.exists() and dst.stat().st_size == src.stat().st_size and dst.read_bytes() == src.read_bytes():
        return dst
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)
    return dst


def is_site(folder: Path) -> bool:
    return (Path(folder) / MARKER).is_file()


def check_replaceable(folder: Path) -> None:
    """Refuse to write a site over a folder that holds something else."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OjError(f"{folder} är en fil, inte en mapp; välj en mapp med --ut.")
    def ours(name: str) -> bool:  # a build that started here and has not written MARKER yet (or an older one's)
        return name in (DOT, LEGACY_LOCK) or name.startswith((".ojlib-ny-", ".ojlib-prov-"))

    if folder.is_dir() and any(not ours(p.name) for p in folder.iterdir()) and not is_site(folder):
        raise OjError(f"Mappen {folder} innehåller annat än en rapportwebbplats från oj; välj en tom eller ny "
                      "mapp med --ut.")


O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
MAX_MARKER = 64 * 1024 * 1024  # the record of a national site is about 200 kB
STATUSES = ("ok", "inte_uppdaterad", "misslyckad")


def _settings_problem(settings) -> str | None:
    """What is wrong with the shape of a site's record (None: nothing), in Swedish."""
    if not isinstance(settings, dict):
        return "den är ingen JSON-tabell"
    for key in ("karta", "bygge", "index"):
        if settings.get(key) is not None and not isinstance(settings[key], str):
            return f"fältet {key} är ingen text"
    pages = settings.get("sidor", {})
    if not isinstance(pages, dict):
        return "fältet sidor är ingen tabell"
    for name, page in pages.items():
        if not isinstance(page, dict):
            return f"sidan {name[:80]} beskrivs inte av en tabell"
        if page.get("status") not in STATUSES:
            return f"sidan {name[:80]} har en okänd status"
        for key, value in page.items():
            if value is not None and not isinstance(value, str):
                return f"fältet {key[:40]} för sidan {name[:80]} är ingen text"
    return None


def read_settings(folder: Path, tolerate: bool = False) -> dict:
    """The site's record (``MARKER``): its pages with their fingerprints and status, the map, the
    generation. A record that is missing is empty; one that is damaged or tampered with (not JSON,
    another shape, a link, larger than any site's) is one Swedish sentence, or with ``tolerate``
    (``--alla-om``, which rebuilds every page and writes a new record) empty."""
    path = Path(folder) / MARKER
    problem = None
    try:
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return {}
    except OSError as err:
        fd, problem = None, "den är en symbolisk länk" if err.errno == errno.ELOOP else \
            f"den kan inte läsas ({err.strerror or err})"
    if fd is not None:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                problem = "den är ingen vanlig fil"
            elif st.st_size > MAX_MARKER:
                problem = f"den är större än {MAX_MARKER // 1024 // 1024} MB"
            else:
                try:
                    settings = json.loads(fh.read(MAX_MARKER + 1).decode("utf-8"))
                    problem = _settings_problem(settings)
                except (UnicodeDecodeError, ValueError, RecursionError):
                    problem = "den är ingen giltig JSON-fil"
    if problem is None:
        return settings
    if tolerate:
        return {}
    raise OjError(f"Webbplatsens register {path} är skadat: {problem}; kör `oj rapporter` med --alla-om mot "
                  "mappen för att bygga om alla sidor och skriva ett nytt register.")


def write_settings(folder: Path, settings: dict) -> None:
    text = json.dumps({"ojlib": "webbplats", **settings}, ensure_ascii=False, indent=2, sort_keys=True)
    write_text_atomic(Path(folder) / MARKER, text + "\n")


def share_permissions(path: Path) -> None:
    """Make the site readable by colleagues (temporary files start private): 644/755 minus umask."""
    umask = os.umask(0)
    os.umask(umask)
    path = Path(path)
    targets = [path, *path.rglob("*")] if path.is_dir() else [path]
    for p in targets:
        p.chmod((0o755 if p.is_dir() else 0o644) & ~umask)


DOT = ".ojlib"  # the site's own folder: its lock and, where no tree can lie beside the site, the staging tree
LOCK = "las"  # in DOT: the lock, and the record of the names the build holding it creates
LEGACY_LOCK = ".ojlib-las"  # the lock of older versions, at the top of the site (now left alone)
MAX_RECORD = 1 << 16  # bytes of the lock's record read at most


def prepare_folder(folder: Path, site: bool = True) -> Path:
    """The site folder (or a single page's folder, ``site=False``), created if needed, or one Swedish
    sentence on why it cannot be used."""
    folder = Path(folder)
    if site:
        check_replaceable(folder)
    elif folder.exists() and not folder.is_dir():
        raise OjError(f"{folder} är en fil, inte en mapp; välj en annan sökväg med --ut.")
    why = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        why = "en del av sökvägen är en fil"
    except NotADirectoryError:
        why = "en del av sökvägen är en fil, inte en mapp"
    except PermissionError:
        why = "du saknar behörighet att skapa den"
    except OSError as err:
        why = "filsystemet är skrivskyddat" if err.errno == errno.EROFS else \
            f"systemet svarade: {os_reason(err)}"
    if why is None and not os.access(folder, os.W_OK | os.X_OK):
        why = "den är skrivskyddad"
    if why is None:
        try:  # some places (/proc, /sys) claim to be writable but are not
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".ojlib-prov-"):
                pass
        except OSError:
            why = "det går inte att skriva filer i den"
    if why:
        raise OjError(f"Webbplatsen kan inte skrivas i {folder}: {why}; välj en annan mapp med --ut.")
    return folder


class SiteLock:
    """The lock of a site folder, held while a build runs, and the record of the names it creates.

    The lock is the file ``DOT/LOCK`` in the site's own folder, opened without following a link
    (``O_NOFOLLOW``, the folder as well), and only when it is a regular file: a link or a FIFO put
    there is refused with a sentence and left as it is. The file is the same in every generation
    (hard links), so builds into one folder wait for each other whichever generation they open.

    Every name a build creates outside the published site (its staging tree, the previous generation
    moved aside) is written to the lock file before it is made (``record``). The next build, holding
    the lock, removes exactly those (``clean``) and nothing that merely looks like them, so a user's
    ``.SITE.gammal-backup2024`` or ``.utkast.html.v2.tmp`` is never touched.
    """

    KINDS = ("bredvid", "inuti")  # beside the site (in its parent), inside the site's DOT

    def __init__(self, folder: Path, fd: int):
        self.folder, self.fd = Path(folder), fd

    def record(self, kind: str, name: str) -> Path:
        """Note ``name`` (to be created next, ``kind`` says where) so a build killed before it is gone
        leaves it for the next build to remove; returns its path."""
        if kind not in self.KINDS or not self._valid(kind, name):  # pragma: no cover - names are made here
            raise ValueError(f"not a name a build makes: {kind} {name}")
        os.lseek(self.fd, 0, os.SEEK_END)
        os.write(self.fd, f"{kind} {name}\n".encode())
        os.fsync(self.fd)
        return self.path(kind, name)

    def path(self, kind: str, name: str) -> Path:
        return (self.folder.parent if kind == "bredvid" else self.folder / DOT) / name

    def _valid(self, kind: str, name: str) -> bool:
        pattern = rf"\.{re.escape(self.folder.name)}\.(ny|gammal)-[0-9a-f]+" if kind == "bredvid" else r"ny-[0-9a-f]+"
        return re.fullmatch(pattern, name) is not None

    def recorded(self) -> list[Path]:
        """The paths the record names (only well-formed ones: the record never points elsewhere)."""
        text = os.pread(self.fd, MAX_RECORD, 0).decode("utf-8", "replace")
        out = []
        for line in text.splitlines():
            kind, _, name = line.partition(" ")
            if kind in self.KINDS and self._valid(kind, name):
                out.append(self.path(kind, name))
        return out

    def clean(self) -> list[Path]:
        """Remove what the record names (folders of this user, never through a link) and start a new record."""
        gone = []
        for path in self.recorded():
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid():
                shutil.rmtree(path, ignore_errors=True)
                gone.append(path)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)
        return gone


def _not_usable(path: Path, what: str) -> OjError:
    return OjError(f"{path} är {what}, inte webbplatsens egen {'mapp' if path.name == DOT else 'låsfil'}; den "
                   "lämnas orörd. Ta bort den eller välj en annan mapp med --ut.")


def _open_lock(folder: Path) -> int:
    """The lock file's descriptor, opened without following links; a sentence for anything else there."""
    dot = Path(folder) / DOT
    with contextlib.suppress(FileExistsError):
        os.mkdir(dot, 0o755)  # never follows a link at ``dot``
    try:
        dot_fd = os.open(dot, os.O_RDONLY | os.O_DIRECTORY | O_NOFOLLOW)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _not_usable(dot, "en symbolisk länk" if dot.is_symlink() else "en fil") from None
        raise
    try:
        try:
            fd = os.open(LOCK, os.O_RDWR | os.O_CREAT | os.O_EXCL | O_NOFOLLOW, 0o644, dir_fd=dot_fd)
        except FileExistsError:
            try:  # non-blocking: a FIFO opens at once (and is refused below) instead of waiting for a writer
                fd = os.open(LOCK, os.O_RDWR | O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dot_fd)
            except OSError as err:
                if err.errno == errno.ELOOP:
                    raise _not_usable(dot / LOCK, "en symbolisk länk") from None
                if err.errno in (errno.EACCES, errno.EPERM):
                    raise OjError(f"Du saknar behörighet att skriva webbplatsens låsfil {dot / LOCK}; be den som "
                                  "byggde webbplatsen om skrivrätt eller välj en annan mapp med --ut.") from None
                raise
    finally:
        os.close(dot_fd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise _not_usable(dot / LOCK, "ingen vanlig fil (t.ex. en FIFO eller en enhet)")
    os.set_blocking(fd, True)
    return fd


@contextlib.contextmanager
def locked(folder: Path):
    """Hold the site's lock while building (a ``SiteLock``, its record cleaned: what a killed build left
    is gone); a second build into the same folder gets a sentence."""
    import fcntl

    fd = _open_lock(folder)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OjError(f"En annan körning bygger redan webbplatsen i {folder}; vänta tills den är klar och "
                          "kör sedan igen.") from None
        lock = SiteLock(folder, fd)
        lock.clean()
        yield lock
    finally:
        os.close(fd)  # closing releases the lock (and so does the kernel if the process is killed)


# --------------------------------------------------------------------------- one generation of the site

# Linux's renameat2 flag that swaps two paths in one step.
RENAME_EXCHANGE = 2
AT_FDCWD = -100
# "exchange" (default where it works) or "rename" (the two-rename swap, as on other systems).
SWAP_ENV = "OJLIB_WEBBPLATS_BYTE"
# Seconds to wait just before and after the swap (and between the two renames): for tests that
# kill a build at the swap. Never set in normal use.
PAUSE_ENV = "OJLIB_WEBBPLATS_PAUS"
WORK = ".ojlib-sidor"  # inside a staging tree: the pages the jobs write, before they take their place


def _pause() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step with Linux's ``renameat2(RENAME_EXCHANGE)``.

    False (nothing done) where that is not available: another system, a C library without
    renameat2, or a file system that does not support the flag.
    """
    if sys.platform != "linux" or os.environ.get(SWAP_ENV, "exchange") != "exchange":
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):  # glibc < 2.28, musl without it
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _records_itself(aside: Path) -> bool:
    """True when ``aside`` is a site moved aside by a build: its lock's record names it (a user's
    copy of the site, or any other folder named like it, is never taken for one)."""
    try:
        dot_fd = os.open(aside / DOT, os.O_RDONLY | os.O_DIRECTORY | O_NOFOLLOW)
    except OSError:
        return False
    try:
        fd = os.open(LOCK, os.O_RDONLY | O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dot_fd)
    except OSError:
        return False
    finally:
        os.close(dot_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        lines = os.pread(fd, MAX_RECORD, 0).decode("utf-8", "replace").splitlines()
    finally:
        os.close(fd)
    return f"bredvid {aside.name}" in lines and (aside / MARKER).is_file()


def recover_interrupted_swap(folder: Path) -> bool:
    """Put the previous site back when a two-rename swap was killed between its renames.

    The fallback swap moves the site aside (``.<mapp>.gammal-<nummer>``, named in the lock's record
    first) and then moves the new tree in; killed in between, the folder is missing and its previous
    generation lies beside it, its own record naming it.
    """
    folder = Path(folder)
    if folder.exists() or folder.is_symlink():
        return False
    old = [p for p in folder.parent.glob(f".{folder.name}.gammal-*") if _records_itself(p)]
    for path in sorted(old, key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            os.rename(path, folder)
            return True
        except OSError:  # another build recovered it first
            continue
    return False


def _link_or_copy(src: str, dst: Path) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:  # a file we may not link (protected_hardlinks), or too many links
        shutil.copy2(src, dst, follow_symlinks=False)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _mirror(src: Path, dst: Path, skip: frozenset[str] = frozenset()) -> None:
    """Make ``dst`` hold what ``src`` holds, by hard links (files) and new directories, except the
    top-level names in ``skip``. Entries already linked are left; entries ``src`` lost are removed."""
    names = set()
    for entry in os.scandir(src):
        if entry.name in skip:
            continue
        names.add(entry.name)
        target = dst / entry.name
        if entry.is_dir(follow_symlinks=False):
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                _remove(target)
            target.mkdir(exist_ok=True)
            os.chmod(target, entry.stat(follow_symlinks=False).st_mode & 0o7777)
            _mirror(Path(entry.path), target)
            continue
        st = entry.stat(follow_symlinks=False)
        try:
            have = os.lstat(target)
        except FileNotFoundError:
            have = None
        if have is not None:
            if (have.st_ino, have.st_dev) == (st.st_ino, st.st_dev):
                continue
            _remove(target)
        _link_or_copy(entry.path, target)
    for entry in list(os.scandir(dst)):
        if entry.name not in names and entry.name not in skip:
            _remove(Path(entry.path))


def _rescue(old: Path, live: Path, skip: frozenset[str] = frozenset()) -> None:
    """After a swap: move into the site what the user put in the previous generation in the moment
    between the last look and the swap (names the new site lacks)."""
    for entry in os.scandir(old):
        if entry.name in skip:
            continue
        target = live / entry.name
        if not os.path.lexists(target):
            with contextlib.suppress(OSError):
                os.rename(entry.path, target)
        elif entry.is_dir(follow_symlinks=False) and target.is_dir() and not target.is_symlink():
            _rescue(Path(entry.path), target)


class Generation:
    """The next version of the site, prepared complete in a staging tree and published in one step.

    The staging tree lies beside the site (``.<mapp>.ny-XXXX``, same file system) and starts as a
    copy of the site by hard links, so every file of the user's (notes, images, folders) and every
    page this build does not touch is carried over; the build then writes its own files there:
    new pages, decorated pages, decks, ``index.html``, ``plotly.min.js`` and ``MARKER``. Publishing
    swaps the tree and the site with ``renameat2(RENAME_EXCHANGE)``, one atomic step on Linux: a
    reader sees the whole old site or the whole new one. Elsewhere (or where the file system lacks
    the flag) the fallback is two renames (site aside, tree in): for a moment the folder is missing,
    and a build killed between them is undone by the next (``recover_interrupted_swap``).

    Where no staging tree can lie beside the site (its parent is not writable, or the site is a
    mount point) the tree lies inside the site and its files replace the site's one by one, pages
    first and ``index.html`` and ``MARKER`` last: the behaviour before swaps, not atomic as a whole.
    """

    def __init__(self, live: Path, lock: SiteLock):
        self.live = Path(live)
        self.lock = lock
        self.build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{os.urandom(3).hex()}"
        self.written: set[str] = set()  # top-level names this build wrote into the tree
        self.removed: set[str] = set()  # top-level names this build removed (stale decks)
        self.swap = self._beside_possible()
        while True:  # a new name, recorded before the folder is made (a kill at any moment leaves it named)
            kind, name = ("bredvid", f".{self.live.name}.ny-{os.urandom(6).hex()}") if self.swap else \
                ("inuti", f"ny-{os.urandom(6).hex()}")
            self.tree = lock.record(kind, name)
            try:
                os.mkdir(self.tree, 0o700)
                break
            except FileExistsError:  # pragma: no cover - 48 random bits
                continue
        guard.folder(self.tree)  # removed at once if this process is killed
        self.work = self.tree / WORK
        self.work.mkdir()
        self.filled = False

    def _beside_possible(self) -> bool:
        parent = self.live.parent
        try:
            same_fs = parent.stat().st_dev == self.live.stat().st_dev
        except OSError:
            return False
        return same_fs and os.access(parent, os.W_OK | os.X_OK)

    # ---------------------------------------------------------------- filling the tree
    def fill(self, new_names: set[str]) -> None:
        """Carry the site's current files into the tree (but not the names about to be replaced)."""
        skip = {*new_names, self.tree.name, WORK, DOT}
        _mirror(self.live, self.tree, frozenset(skip))
        if self.swap:  # the same lock in every generation; nothing else of DOT is carried
            (self.tree / DOT).mkdir(mode=0o755)
            os.link(self.live / DOT / LOCK, self.tree / DOT / LOCK, follow_symlinks=False)
        os.chmod(self.tree, self.live.stat().st_mode & 0o7777)
        for name in new_names:  # the jobs' pages take their places
            os.replace(self.work / name, self.tree / name)
            self.written.add(name)
        self.filled = True

    def path(self, name: str) -> Path:
        return self.tree / name

    def write_text(self, name: str, text: str) -> None:
        """Write a file of the new site (a new file: a hard-linked old one stays as it is)."""
        target = self.tree / name
        target.unlink(missing_ok=True)
        target.write_text(text, encoding="utf-8")
        self.written.add(name)

    def remove(self, name: str) -> None:
        (self.tree / name).unlink(missing_ok=True)
        self.removed.add(name)

    def wrote(self, name: str) -> None:
        self.written.add(name)

    # ---------------------------------------------------------------- publishing
    def _sync(self) -> None:
        mask = _umask()
        for name in self.written:
            path = self.tree / name
            if path.is_file():
                path.chmod(0o644 & ~mask)
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            fd = os.open(self.tree, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def publish(self, owned: set[str]) -> None:
        """Make the tree the site. ``owned``: the site's own top-level names (pages, decks, index …);
        everything else is the user's and is looked at once more just before the swap."""
        self._sync()
        self.work.rmdir()
        if not self.swap:
            last = [MARKER, INDEX]
            for name in sorted(self.written, key=lambda n: (n in last, last.index(n) if n in last else 0, n)):
                os.replace(self.tree / name, self.live / name)
            for name in self.removed:
                (self.live / name).unlink(missing_ok=True)
            return
        keep = frozenset({*owned, *self.written, *self.removed, self.tree.name})
        _mirror(self.live, self.tree, keep)  # the user's files as they are now
        _pause()
        if exchange(self.tree, self.live):
            old = self.tree  # the previous generation now lies where the tree was
        else:
            old = self.lock.record("bredvid", f".{self.live.name}.gammal-{os.urandom(6).hex()}")
            os.rename(self.live, old)
            try:
                _pause()
                os.rename(self.tree, self.live)
            except BaseException:
                os.rename(old, self.live)  # the site back in its place
                raise
        _pause()
        _rescue(old, self.live, keep)
        shutil.rmtree(old, ignore_errors=True)
        guard.release_folder(self.tree)

    def discard(self) -> None:
        if self.tree.exists():
            shutil.rmtree(self.tree, ignore_errors=True)
        guard.release_folder(self.tree)


# --------------------------------------------------------------------------- the index

def pages(folder: Path) -> list[tuple[str, dict]]:
    """(file name, metadata) of every report page in the folder."""
    return [(name, meta) for name, meta, _ in _read_pages(folder)]


def _sort_key(item: tuple[str, dict]):
    _, m = item
    order = list(catalog.OMRADEN)
    omrade = str(m.get("omrade") or "")
    return (0 if m.get("typ") == "lansanalys" else 1 if m.get("typ") == "kommunprofil" else 2,
            str(m.get("lan") or ""), str(m.get("kommun") or ""),
            order.index(omrade) if omrade in order else len(order), str(m.get("ar") or ""))


def _omraden_of(meta: dict) -> list[str]:
    value = meta.get("omrade", meta.get("omraden"))
    try:
        return catalog.parse_omraden(value)
    except OjError:
        return list(catalog.OMRADEN)


def _choose_indicator(ds, metas: list[dict], kpi: str | None):
    """The map's indicator: the one asked for, else the first percentage indicator of the reports' områden."""
    if kpi:
        return ds.cat[kpi]
    wanted: list[str] = []
    for m in metas:
        wanted += [o for o in _omraden_of(m) if o not in wanted]
    candidates = ds.cat.jamforda(wanted or None)  # a coloured map: never a bakgrundsmått
    have = set(ds.df.loc[(ds.df.niva == "kommun") & ds.df.varde.notna(), "kpi"].unique())  # not row by row
    for pick in ([i for i in candidates if i.typ == "andel"], candidates):
        for ind in pick:
            if ind.kpi in have:
                return ind
    return None


def _link_for(meta_pages: list[tuple[str, dict]], lan: str, kommun: str | None, omrade: str) -> str | None:
    """The page a click on the map opens: the kommun's profile, else the län report for the map's område.

    A page's ``omrade`` is a list (``["missbruk"]``) or a text; a report of exactly that område wins,
    then one that covers it among others.
    """
    if kommun:
        for name, m in meta_pages:
            if m.get("typ") == "kommunprofil" and m.get("kommun") == kommun:
                return name
    covering = None
    for name, m in meta_pages:
        if m.get("typ") != "lansanalys" or m.get("lan") != lan:
            continue
        if _single_omrade(m) == omrade:
            return name
        if covering is None and omrade in _omraden_of(m):
            covering = name
    return covering


def overview_map(meta_pages: list[tuple[str, dict]], kpi: str | None = None):
    """The Sweden map by kommun for one indicator (a plotly figure as a dict), or (None, reason).

    Drawn by ``figures.choropleth`` from ``colours.coloured_kommun_table``, so it uses the same
    colour classes, source line and exempeldata mark as the reports. ``layout.meta.lankar`` maps
    each kommun to the page a click opens.
    """

    metas = [m for _, m in meta_pages]
    kallor = [m.get("datakalla") for m in metas if m.get("datakalla")]
    kalla = max(sorted(set(kallor)), key=kallor.count) if kallor else "exempeldata"
    try:
        if not all(dataset.available(k) for k in dataset.parse_kallor(kalla)):
            raise OjError(kalla)
    except OjError:
        return None, f"Ingen karta: det finns ingen data från {kalla} på den här datorn."
    ds = shared.dataset(kalla)  # loaded once per process: the dashboard uses it too
    ind = _choose_indicator(ds, metas, kpi)
    if ind is None:
        return None, "Ingen karta: rapporternas områden har inga kommunvärden."
    years = sorted({int(m["ar"]) for m in metas if str(m.get("ar", "")).isdigit()})
    have = set(ds.df.loc[(ds.df.kpi == ind.kpi) & ds.df.varde.notna() & (ds.df.niva == "kommun"), "ar"])
    year = max((y for y in years if y in have), default=None)
    try:
        table = colours.coloured_kommun_table(ds, omrade=ind.omrade, ar=year)
        fig = figures.choropleth(table, kpi=ind.kpi, kalla=kalla)
    except OjError as err:
        return None, f"Ingen karta: {err}"
    kommuner = geo.kommuner().set_index("kommun_kod")
    links = {}
    for kod in table.loc[table.kpi == ind.kpi, "kommunkod"]:
        link = _link_for(meta_pages, kommuner.at[kod, "lan_kod"], kod, ind.omrade)
        if link:
            links[kod] = quote(link)
    about = {"kpi": ind.kpi, "indikator": ind.namn, "omrade": ind.omrade,
             "omrade_titel": catalog.OMRADEN.get(ind.omrade, ind.omrade), "ar": year}
    fig.update_layout(meta={**(fig.layout.meta or {}), "lankar": links, "oversikt": about})
    return json.loads(fig.to_json()), None


# The index's own style sheet and scripts are files in render/pages: index.css, search.js (the search box)
# and map-click.js (clicking a kommun on the map opens its report: layout.meta.lankar, kommun code -> page).


def _text(value) -> str:
    return "" if value in (None, "") else str(value)


def _search_entries(sitemap: SiteMap) -> list[dict]:
    """Names the search box finds: every kommun with a profile, every län with a report."""
    out = []
    for lan, by_om in sorted(sitemap.lan_reports.items()):
        first = next(iter(by_om.values()))
        out.append({"namn": _lan_name(lan), "typ": "länsanalys", "href": quote(first)})
    names = geo.area_names()
    for kod, page in sorted(sitemap.profiles.items(), key=lambda kv: str(names.get(kv[0], kv[0]))):
        out.append({"namn": str(names.get(kod, kod)), "typ": "kommunprofil", "href": quote(page)})
    return out


def _also(sitemap: SiteMap, page: str, about: str) -> list[dict]:
    """The files beside a page a reader may open instead (its PDF, its deck), as links for the index."""
    return [{"href": quote(formats.file_beside(page, f.name)), "label": f"{f.link.label} {about}", "text": f.name}
            for f in formats.linked() if page in sitemap.beside[f.name]]


def _matrix(sitemap: SiteMap, record: dict) -> dict | None:
    """Län rows × område columns of län reports, and a column of kommun profiles per län (for index.html)."""
    omraden = [o for o in catalog.OMRADEN if any(o in by for by in sitemap.lan_reports.values())]
    if any("alla" in by for by in sitemap.lan_reports.values()):
        omraden.append("alla")
    profiles_by_lan: dict[str, int] = {}
    kommuner = geo.kommuner().set_index("kommun_kod")
    for kod in sitemap.profiles:
        if kod in kommuner.index:
            lk = kommuner.at[kod, "lan_kod"]
            profiles_by_lan[lk] = profiles_by_lan.get(lk, 0) + 1
    lans = sorted(set(sitemap.lan_reports) | set(profiles_by_lan))
    if not lans:
        return None
    rows = []
    for lan in lans:
        cells = []
        for o in omraden:
            page = sitemap.lan_reports.get(lan, {}).get(o)
            if not page:
                cells.append(None)
                continue
            about = f"{catalog.OMRADEN.get(o, 'alla områden')}, {_lan_name(lan)}"
            cells.append({"href": quote(page), "label": f"Länsanalys {about}", "also": _also(sitemap, page, about),
                          "not_updated": record.get(page[:-5], {}).get("status") == "inte_uppdaterad"})
        n = profiles_by_lan.get(lan, 0)
        rows.append({"lan": lan, "name": _lan_name(lan), "cells": cells,
                     "profiles": f"{n} kommunprofil{'' if n == 1 else 'er'}" if n else None})
    return {"omraden": [catalog.OMRADEN.get(o, "Alla områden") for o in omraden], "rows": rows}


def _profile_lists(sitemap: SiteMap) -> list[dict]:
    """Per län, its kommuner with a profile (for index.html)."""
    kommuner = geo.kommuner()
    out = []
    for lan in sorted(kommuner.lan_kod.unique()):
        items = []
        for kod, kname in kommuner.loc[kommuner.lan_kod == lan, ["kommun_kod", "kommun_namn"]].values:
            page = sitemap.profiles.get(kod)
            if page:
                items.append({"href": quote(page), "name": kname, "also": _also(sitemap, page, kname),
                              "stadsdel": False})
            items += [{"href": quote(p), "name": n, "stadsdel": True} for n, p in sitemap.stadsdelar.get(kod, [])]
        if items:
            out.append({"lan": lan, "name": _lan_name(lan), "kommuner": items})
    return out


def _failed(folder: Path, record: dict) -> list[dict]:
    out = []
    for n, r in sorted(record.items()):
        if r.get("status") not in ("misslyckad", "inte_uppdaterad"):
            continue
        kept = r.get("status") == "inte_uppdaterad" and (Path(folder) / f"{n}.html").exists()
        out.append({"what": str(r.get("rapport") or n), "why": str(r.get("fel") or "okänt fel"),
                    "href": quote(n + ".html") if kept else None})
    return out


def _report_list(meta_pages: list[tuple[str, dict]], pdfs: set[str]) -> dict | None:
    """Every report with its type, län, kommun, område, year, source and PDF; a column empty for every
    report is left out."""
    if not meta_pages:
        return None
    metas = [m for _, m in meta_pages]
    columns = [  # (heading, cell text)
        ("Typ", lambda m: reports.TYPE_TEXT.get(str(m.get("typ")), m.get("typ"))),
        ("Län", lambda m: m.get("lan_namn") or m.get("lan")),
        ("Kommun", lambda m: m.get("kommun_namn") or m.get("kommun")),
        ("Område", lambda m: html_export.omrade_text(m.get("omrade") or m.get("omraden") or "") or None),
        ("År", lambda m: m.get("ar")),
        ("Datakälla", lambda m: DATAKALLA_TEXT.get(str(m.get("datakalla")), m.get("datakalla"))),
    ]
    columns = [(h, f) for h, f in columns if any(f(m) not in (None, "") for m in metas)]
    rows = [{"href": quote(name), "title": _text(m.get("titel") or name), "cells": [_text(f(m)) for _, f in columns],
             "pdf": quote(formats.file_beside(name, PRINTED)) if name in pdfs else None} for name, m in meta_pages]
    return {"columns": [(h, h == "År") for h, _ in columns], "rows": rows, "pdf": any(r["pdf"] for r in rows)}


def _map(meta_pages: list[tuple[str, dict]], karta: str | None) -> tuple[dict | None, list[str]]:
    """The index's map as the template shows it (or the reason there is none), and the plotly templates."""
    fig, reason = overview_map(meta_pages, karta)
    if fig is None:
        return {"reason": reason}, []
    about = fig["layout"]["meta"]["oversikt"]
    page = html_export.Page()
    alt = (f"Karta över Sveriges kommuner färgade efter {about['indikator']} ({about['kpi']}), "
           f"område {about['omrade_titel']}. Samma länkar finns i tabellen och listorna på sidan.")
    title = f"{about['omrade_titel']}: {about['indikator']}" + (f", {about['ar']}" if about.get("ar") else "")
    return {"title": title, "indikator": about["indikator"], "omrade": about["omrade_titel"],
            "figure": page.figure(fig, css_class="ojfig oversikt", label=alt)}, page.templates


def index_html(folder: Path, karta: str | None = None, record: dict | None = None,
               meta_pages: list[tuple[str, dict]] | None = None, build_id: str | None = None,
               utforska: bool = False, stadsdel_pages: dict | None = None) -> str:
    """The overview page (template ``pages/index.html``): search, the län × område matrix, the map, kommun
    profiles (with their stadsdelar's pages) and every report (and, with ``utforska``, a link to the dashboard)."""
    record = record if record is not None else (read_settings(folder).get("sidor") or {})
    meta_pages = sorted(pages(folder) if meta_pages is None else meta_pages, key=_sort_key)
    metas = [m for _, m in meta_pages]
    sitemap = SiteMap(meta_pages, record, _files_beside(folder), build_id)
    sitemap.stadsdelar = stadsdel_pages or {}
    kallor = sorted({str(m.get("datakalla")) for m in metas if m.get("datakalla")})
    datum = sorted({str(m.get("data_datum")) for m in metas if m.get("data_datum")})
    facts = [f"{len(meta_pages)} {'rapport' if len(meta_pages) == 1 else 'rapporter'}"]
    if kallor:
        facts.append("datakälla: " + ", ".join(DATAKALLA_TEXT.get(k, k) for k in kallor))
    if datum:
        facts.append("data från: " + ", ".join(datum))
    search = _search_entries(sitemap)
    shown_map, templates = _map(meta_pages, karta) if meta_pages else (None, [])
    has_map = bool(shown_map and "figure" in shown_map)
    body = templating.render(
        "index.html", build_id=build_id, crumbs=[("Alla rapporter", None)], related=[], not_updated=None,
        example=any(html_export.is_example(m) for m in metas), exempeldata=EXEMPELDATA, facts=facts,
        failed=_failed(folder, record), search=search, matrix=_matrix(sitemap, record),
        utforska=dashboard.PAGE if utforska else None,
        map_reason=shown_map.get("reason") if shown_map else None, map=shown_map if has_map else None,
        profiles=_profile_lists(sitemap), reports=_report_list(meta_pages, sitemap.beside[PRINTED]))
    return html_export.page_document("Öppna jämförelser – rapporter", body, None, templates, has_figures=has_map,
                                     scripts_before_figures=("map-click.js",) if has_map else (),
                                     scripts_after=("search.js",) if search else ())


# --------------------------------------------------------------------------- fingerprints

def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return "saknas"
    return h.hexdigest()


VOLATILE = ("byggd", "senast_hamtad")  # manifest fields that tell when a file was written, not what it holds


class Fingerprints:
    """What a page reads, hashed by content: its template and parameters, the data of every source it
    combines (``egen,exempeldata``, ``alla``: each source's data, its units' data and what the page shows
    of its manifest, never the time a file was written), the analyst's comment file, the project's
    parameter files (catalogue, områden), the reference data, and ojlib itself (its source files).

    A regenerated identical dataset changes nothing, so nothing is rebuilt; an import into one of
    the sources a page combines, or an edited comment file, rebuilds exactly the pages that read it.
    """

    def __init__(self):
        self._files: dict[Path, str] = {}
        self._defaults: dict[Path, dict] = {}
        self._sources: dict[str, str] = {}
        self.shared = _hash_text(json.dumps({
            "parametrar": self._folder(paths.params_dir()),
            "referens": self._folder(paths.reference_dir()),
            "ojlib": _package_hash(),
        }, sort_keys=True))

    def _hash(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = _file_hash(path)
        return self._files[path]

    def _folder(self, folder: Path) -> dict[str, str]:
        folder = Path(folder)
        if not folder.is_dir():
            return {}
        return {str(p.relative_to(folder)): self._hash(p) for p in sorted(folder.rglob("*"))
                if p.is_file() and not p.name.startswith(".")}

    def source(self, kalla: str) -> str:
        """One source's data as a page reads it: the data file's content and its manifest without the
        time it was written (what the page shows of it, the source's date text, is included)."""
        if kalla not in self._sources:
            info = {}
            with contextlib.suppress(OSError, ValueError):
                info = json.loads(dataset.manifest_path(kalla).read_text(encoding="utf-8"))
            if not isinstance(info, dict):
                info = {}
            shown = registry.get(kalla).date(info) if registry.known(kalla) else ""
            info = {k: v for k, v in info.items() if k not in VOLATILE}
            self._sources[kalla] = _hash_text(json.dumps(
                {"data": self._hash(dataset.dataset_path(kalla)), "manifest": info, "visas": shown,
                 "enheter": self._hash(enheter.path(kalla))},  # a län report's units chapter and page
                sort_keys=True, ensure_ascii=False, default=str))
        return self._sources[kalla]

    def data(self, spec: str) -> str:
        """The data of every source a ``--datakalla`` value combines (``alla``: those on this computer)."""
        try:
            kallor = dataset.parse_kallor(spec) if spec else []
        except OjError as err:  # the report fails with this sentence; run it again once that changes
            return f"fel: {err}"
        return ",".join(f"{k}:{self.source(k)}" for k in kallor)

    def of(self, job: reports.Job) -> str:
        template = job.template
        if template not in self._defaults:
            self._defaults[template] = templates.template_parameters(template)
        defaults = self._defaults[template]
        kalla = str(job.params.get("datakalla") or defaults.get("datakalla") or "")
        kommentarer = job.params.get("kommentarer", defaults.get("kommentarer"))
        parts = {"mall": self._hash(template), "parametrar": job.params, "data": self.data(kalla),
                 "kommentarer": comments.fingerprint(kommentarer), "delat": self.shared, "namn": job.name}
        return _hash_text(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str))

    def index(self, karta: str | None) -> str:
        """What the index reads besides the pages: the map's choice and the data it may be drawn from."""
        kallor = [k for k in dataset.KALLOR if dataset.available(k)]
        return _hash_text(json.dumps({"karta": karta, "data": [self.source(k) for k in kallor],
                                      "delat": self.shared}, sort_keys=True))


def _hash_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_PACKAGE: list[str] = []


def _package_hash() -> str:
    """ojlib's own files (code, styles, shipped data) hashed once per process: a changed ojlib rebuilds."""
    if not _PACKAGE:
        root = Path(__file__).resolve().parents[1]
        h = hashlib.sha256(__version__.encode())
        for p in sorted(root.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"):
                h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
        _PACKAGE.append(h.hexdigest())
    return _PACKAGE[0]


# --------------------------------------------------------------------------- navigation on every page

def nav_html(build_id: str | None, crumbs: list[tuple[str, str | None]], related=(), not_updated=None) -> str:
    """A page's navigation (template ``pages/nav.html``): breadcrumbs ((text, href), the page itself
    without href), related links ((text, href, class)), and the error of a failed last run;
    ``data-bygge`` names the site generation the page belongs to."""
    return templating.render("nav.html", build_id=build_id, crumbs=crumbs, related=list(related),
                             not_updated=not_updated)


NAV_RE = re.compile(r'<nav class="topp"[^>]*>.*?</nav>', re.DOTALL)
PROFILE_LINK_RE = r'(<th class="row_heading[^"]*"[^>]*>)({name})(</th>)'
PROFILE_LINK = Markup('<a class="profil" href="{}">{}</a>')  # a kommun's name in a län report, to its profile


def _lan_name(code: str) -> str:
    try:
        return str(geo.lan().set_index("lan_kod").at[code, "lan_namn"])
    except KeyError:
        return code


def _single_omrade(meta: dict) -> str | None:
    value = meta.get("omrade", meta.get("omraden"))
    if isinstance(value, list) and len(value) == 1:
        return str(value[0])
    if isinstance(value, str) and value in catalog.OMRADEN:
        return value
    return None


class SiteMap:
    """Which pages the site has, for links between them (profiles ↔ län reports)."""

    def __init__(self, meta_pages: list[tuple[str, dict]], status: dict | None = None,
                 beside: dict[str, set[str]] | None = None, build_id: str | None = None):
        self.meta_pages = meta_pages
        self.build_id = build_id  # the generation of the site the pages are published in
        self.status = status or {}
        # per linked format (formats.linked: pdf, pptx): the pages with its file beside them
        self.beside = {f.name: set((beside or {}).get(f.name, ())) for f in formats.linked()}
        self.utforska = False  # the site has the dashboard (utforska.html): every report links to it
        self.profiles: dict[str, str] = {}  # kommun code -> page
        self.stadsdelar: dict[str, list[tuple[str, str]]] = {}  # kommun code -> its stadsdel pages (name, page)
        self.stadsdel_rows: dict[str, dict[str, str]] = {}  # län -> stadsdel row heading -> page
        self._links_by_lan: dict = {}  # lan -> _profile_links(lan), made on first use
        self.lan_reports: dict[str, dict[str, str]] = {}  # lan -> område -> page
        for name, m in sorted(meta_pages, key=_sort_key):
            if m.get("typ") == "kommunprofil" and m.get("kommun"):
                self.profiles.setdefault(str(m["kommun"]), name)
            elif m.get("typ") == "lansanalys" and m.get("lan"):
                om = _single_omrade(m) or "alla"
                self.lan_reports.setdefault(str(m["lan"]), {}).setdefault(om, name)

    def nav(self, name: str, meta: dict, parent: tuple[str, str] | None = None) -> str:
        """The breadcrumb and related links of one page (a ``nav.topp``); ``parent``: the (title, page) of the
        report a page belongs to (a report's units page), the crumb before the page's own."""
        crumbs: list[tuple[str, str | None]] = [("Alla rapporter", "index.html")]
        lan = str(meta.get("lan") or "")
        related = []
        if lan:
            crumbs.append((str(meta.get("lan_namn") or _lan_name(lan)), f"index.html#lan-{lan}"))
            for namn, page in self.stadsdelar.get(str(meta.get("kommun") or ""), []):
                related.append((namn, quote(page), "stadsdel"))
            if meta.get("enheter_sida") and parent is None:  # the report's units chapter, on its own page
                related.append(("Enheter (egen sida)", quote(str(meta["enheter_sida"])), "enheter"))
            for om, page in self.lan_reports.get(lan, {}).items():
                if parent is not None and page == parent[1]:
                    continue
                if page != name or meta.get("typ") == "kommunprofil":
                    related.append((f"Länsanalys {catalog.OMRADEN.get(om, 'alla områden')}", quote(page), None))
        if self.utforska and lan:
            omrade = _single_omrade(meta) or next(iter(_omraden_of(meta)), None)
            href = dashboard.link(omrade, lan, meta.get("kommun") if meta.get("typ") == "kommunprofil" else None)
            what = "kommunen" if meta.get("typ") == "kommunprofil" else "länet"
            related.append((f"Utforska {what} (alla indikatorer och år)", href, "utforska"))
        files = [(f.link.text, quote(formats.file_beside(name, f.name)), f.link.css)
                 for f in formats.linked() if name in self.beside[f.name]]
        related = files + related  # the page's own files first (its PDF, its deck)
        if parent is not None:
            crumbs.append((parent[0], quote(parent[1])))
        crumbs.append((str(meta.get("titel") or name), None))
        st = self.status.get(name.removesuffix(".html"), {})
        failed = str(st.get("fel", "")) if st.get("status") == "inte_uppdaterad" else None
        return nav_html(self.build_id, crumbs, related, failed)

    def decorate(self, name: str, text: str, meta: dict) -> str:
        """The page with its navigation; in a län report kommun names linked to their profiles, in a län report
        and a kommun profile each stadsdel's row to its page."""
        text = NAV_RE.sub(lambda _m: self.nav(name, meta), text, count=1)
        if meta.get("typ") == "lansanalys" and meta.get("lan"):
            pattern, links = self._profile_links(str(meta["lan"]))
            if links:  # one pass over the page for all the län's kommuner
                text = pattern.sub(lambda m: m.group(1) + links[m.group(2)] + m.group(3), text)
            text = stadsdelar.link_rows(text, self.stadsdel_rows.get(str(meta["lan"]), {}))
        elif meta.get("typ") == "kommunprofil" and meta.get("lan"):  # its stadsdelar's rows to their pages
            text = stadsdelar.link_rows(text, self.stadsdel_rows.get(str(meta["lan"]), {}))
        return text

    def _profile_links(self, lan: str):
        """(pattern matching a row heading with a kommun name, escaped name -> link) for the län."""
        if lan not in self._links_by_lan:
            kommuner = geo.kommuner()
            links = {}
            for kod, kname in kommuner.loc[kommuner.lan_kod == lan, ["kommun_kod", "kommun_namn"]].values:
                page = self.profiles.get(kod)
                if page:
                    links[html.escape(kname)] = str(PROFILE_LINK.format(quote(page), kname))
            names = "|".join(re.escape(n) for n in sorted(links, key=len, reverse=True))
            self._links_by_lan[lan] = (re.compile(PROFILE_LINK_RE.format(name=names)) if links else None, links)
        return self._links_by_lan[lan]


# --------------------------------------------------------------------------- building

@dataclass
class SiteBuild:
    """The outcome of ``build_site``: results of the reports that ran, and those already up to date."""

    folder: Path
    results: list[reports.Result] = field(default_factory=list)
    up_to_date: list[reports.Job] = field(default_factory=list)
    kept_previous: list[str] = field(default_factory=list)  # failed pages that keep their old version
    deck_failures: list[tuple[reports.Job, str]] = field(default_factory=list)  # --presentation decks that failed
    pdfs: list[Path] = field(default_factory=list)  # --pdf: the PDFs this build printed (in the published site)
    replaced: bool = False
    build_id: str | None = None  # the generation published (None: nothing changed, nothing published)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    @property
    def failed(self) -> list[reports.Result]:
        return [r for r in self.results if not r.ok]

    @property
    def built(self) -> list[reports.Result]:
        return [r for r in self.results if r.ok]

    @property
    def index(self) -> Path:
        return self.folder / INDEX


def check_map_choice(karta: str | None, saved_in: Path | None = None) -> None:
    """An indicator asked for the index map must be in the catalogue. ``saved_in``: the site folder
    whose settings hold the choice (an earlier --karta), named in the sentence when it is gone."""
    if not karta:
        return
    cat = catalog.load_catalogue()
    if saved_in is None or isinstance(karta, str) and karta in cat:
        cat[karta]  # raises the Swedish error with suggestions
        return
    raise OjError(f"Webbplatsen {saved_in} visar {excerpt(karta, 40)} på översiktskartan (valt med --karta vid ett "
                  f"tidigare bygge och sparat i {saved_in / MARKER}), men {excerpt(karta, 40)} finns inte längre i "
                  "indikatorkatalogen; välj en annan indikator med --karta KPI (lista: `oj indikatorer`).")


def _record_result(record: dict, res: reports.Result, folder: Path, build: SiteBuild | None = None) -> None:
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    name = res.job.name
    if res.ok:
        record[name] = {"fingerprint": getattr(res.job, "fingerprint", None), "status": "ok", "uppdaterad": now,
                        "rapport": res.job.describe()}
        return
    had = (folder / f"{name}.html").is_file()
    if had and build is not None:
        build.kept_previous.append(name)
    record[name] = {**record.get(name, {}), "fingerprint": None, "status": "inte_uppdaterad" if had else "misslyckad",
                    "fel": res.error, "rapport": res.job.describe(), "forsokt": now}


def _read_pages(folder: Path) -> list[tuple[str, dict, str]]:
    """(file name, metadata, text) of every report page in the folder, each read once."""
    out = []
    for page in sorted(Path(folder).glob("*.html")):
        if page.name == INDEX:
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        meta = html_export.page_metadata(text)
        if meta is not None:
            out.append((page.name, meta, text))
    return out


def _publish(gen: Generation, build: SiteBuild, record: dict, settings: dict, karta: str | None,
             presentation=None, pdf: Pdf | None = None) -> None:
    """Complete the new generation (pages in place, decks, decoration, index, record) and publish it.

    ``settings``: the site's record as read; its pages, map and generation are replaced by this build's.
    The seconds of each stage go to ``build.stages``."""
    stages = build.stages
    settings = {k: v for k, v in settings.items() if k not in ("karta", "sidor", "bygge")}
    t = time.perf_counter()
    new_pages = {r.page.name for r in build.built} | {r.meta["enheter_sida"] for r in build.built
                                                      if r.meta.get("enheter_sida")}
    gen.fill(new_pages)
    for res in build.built:
        res.page = gen.path(res.page.name)
    write_decks(gen, build, presentation)
    copy_plotly_js(gen.tree)
    gen.wrote(html_export.PLOTLY_JS)
    printed = write_pdfs(gen, build, pdf)
    stages["kopiera"] = time.perf_counter() - t
    t = time.perf_counter()
    items = _read_pages(gen.tree)
    meta_pages = [(n, m) for n, m, _ in items]
    sitemap = SiteMap(meta_pages, record, _files_beside(gen.tree), gen.build_id)
    stages["navigering"] = time.perf_counter() - t
    t = time.perf_counter()
    dash = _dashboard(gen, sitemap)
    parts = _stadsdel_pages(gen, sitemap)
    unit_pages = _unit_pages(gen, sitemap, meta_pages)
    stages["utforska"] = time.perf_counter() - t
    t = time.perf_counter()
    for name, meta, text in items:
        new = sitemap.decorate(name, text, meta)
        if new != text:
            gen.write_text(name, new)
    stages["navigering"] += time.perf_counter() - t
    t = time.perf_counter()
    gen.write_text(INDEX, index_html(gen.tree, karta, record, meta_pages=meta_pages, build_id=gen.build_id,
                                     utforska=dash.has_page, stadsdel_pages=parts.links))
    stages["index"] = time.perf_counter() - t
    text = json.dumps({"ojlib": "webbplats", **settings, "karta": karta, "sidor": record, "bygge": gen.build_id},
                      ensure_ascii=False, indent=2, sort_keys=True)
    gen.write_text(MARKER, text + "\n")
    t = time.perf_counter()
    owned = {INDEX, MARKER, DOT, html_export.PLOTLY_JS, *(n for n, _ in meta_pages),
             *(formats.file_beside(n, f.name) for n in [*(n for n, _ in meta_pages), *unit_pages]
               for f in formats.linked()), *dash.names, *parts.write, *unit_pages}
    gen.publish(owned)
    stages["byte"] = time.perf_counter() - t
    for res in build.built:
        res.page = build.folder / res.page.name
    build.pdfs = [build.folder / name for name in printed]
    build.build_id = gen.build_id


def _dashboard(gen: Generation, sitemap: SiteMap) -> dashboard.SiteFiles:
    """The dashboard (``render.dashboard``: utforska.html and a data file per område) in the new generation;
    a data file whose inputs did not change stays as it is, one of an område the site no longer has goes."""
    nav = nav_html(gen.build_id, [("Alla rapporter", "index.html"), ("Utforska", None)])
    files = dashboard.site_files(gen.tree, sitemap.meta_pages, sitemap.lan_reports, sitemap.profiles, gen.build_id,
                                 nav)
    for name, text in files.write.items():
        gen.write_text(name, text)
    for name in files.remove:
        gen.remove(name)
    sitemap.utforska = files.has_page
    return files


def _stadsdel_pages(gen: Generation, sitemap: SiteMap) -> stadsdelar.StadsdelPages:
    """A page per stadsdel with values, for the kommuner the site covers (a profile, or a län report of its
    län), in the new generation; the kommun's profile and the index link to them (``sitemap.stadsdelar``)."""
    kommuner = geo.kommuner()
    covered = set(sitemap.profiles) | set(kommuner.loc[kommuner.lan_kod.isin(set(sitemap.lan_reports)), "kommun_kod"])

    def nav(kommun: str, title: str) -> str:
        lan = kommun[:2]
        crumbs = [("Alla rapporter", "index.html"), (_lan_name(lan), f"index.html#lan-{lan}")]
        if kommun in sitemap.profiles:
            crumbs.append((geo.area_names().get(kommun, kommun), quote(sitemap.profiles[kommun])))
        crumbs.append((title, None))
        related = [(f"Länsanalys {catalog.OMRADEN.get(om, 'alla områden')}", quote(page), None)
                   for om, page in sitemap.lan_reports.get(lan, {}).items()]
        return nav_html(gen.build_id, crumbs, related)

    parts = stadsdelar.site_pages(gen.tree, sitemap.meta_pages, covered, nav)
    for name, text in parts.write.items():
        gen.write_text(name, text)
    for name in parts.remove:
        gen.remove(name)
    sitemap.stadsdelar, sitemap.stadsdel_rows = parts.links, parts.rows
    return parts


def _unit_pages(gen: Generation, sitemap: SiteMap, meta_pages: list[tuple[str, dict]]) -> set[str]:
    """The units pages of the site's län reports (each written by its report's job beside its page,
    ``html_export.render_site_pages``; the report's metadata names it), given their navigation: the
    breadcrumb back to the report. A units page that no report names any more (the report was rebuilt
    without units) is removed with its files beside it, as a stadsdel page is (``stadsdelar.ours``)."""
    keep = set()
    for name, meta in meta_pages:
        unit = meta.get("enheter_sida")
        if not unit or not gen.path(unit).is_file():
            continue
        keep.add(unit)
        nav = sitemap.nav(unit, {**meta, "titel": "Enheter"}, parent=(str(meta.get("titel") or name), name))
        text = gen.path(unit).read_text(encoding="utf-8")
        new = NAV_RE.sub(lambda _m, nav=nav: nav, text, count=1)
        if new != text:
            gen.write_text(unit, new)
    for path in sorted(gen.tree.glob(f"{html_export.PART_PREFIX}*.html")):
        if path.name not in keep and stadsdelar.ours(path, html_export.PART_MARK):
            for f in formats.linked():
                if gen.path(formats.file_beside(path.name, f.name)).is_file():
                    gen.remove(formats.file_beside(path.name, f.name))
            gen.remove(path.name)
    return keep


def _expected_meta(job: reports.Job) -> dict | None:
    """What the page of a job of ojlib's templates will say about its områden, source and colours (see
    ``notebook.lansanalys_metadata``), before it runs; None for a custom template."""
    req = job.request
    if req is None:
        return None
    meta = {"typ": req.mall, "omrade": list(req.omraden), "datakalla": req.datakalla}
    if req.mall == "lansanalys":
        meta["fargstrategi"] = req.fargstrategi
    return meta


PREPARE_COST = 1.0  # the side work's cost in JOB_COST units: loading the dataset and the index map ...
PREPARE_COST_PER_OMRADE = 1.0  # ... and an område's dashboard data (about a kommun profile's kernel time each)


def _prepare_publishing(folder: Path, jobs: list[reports.Job], karta: str | None,
                        seconds: dict[str, float]) -> tuple[float, Callable[[], None]]:
    """The batch's side work (``reports.run_jobs``): what publishing will compute from the data alone,
    computed ahead into the per-process caches while the last reports run: the dataset, the dashboard's
    data files (``dashboard.prepare``) and the index map, for the pages the jobs are expected to make
    (with the site's other pages the inputs may differ; publishing then computes what is missing).
    ``seconds["förbered"]``: the time it took."""
    metas = [m for m in map(_expected_meta, jobs) if m is not None]

    def work() -> None:
        t = time.perf_counter()
        try:
            if metas:
                dashboard.prepare(folder, metas)
                overview_map([("", m) for m in metas], karta)
        finally:
            seconds["förbered"] = time.perf_counter() - t

    omraden = {o for m in metas for o in m["omrade"]}
    return PREPARE_COST + PREPARE_COST_PER_OMRADE * len(omraden), work


def build_site(jobs: list[reports.Job], folder: Path, workers: int | None = None, karta: str | None = None,
               kernel_name: str | None = None, on_done: Callable[[reports.Result], None] | None = None,
               force: bool = False, timeout: int | None = None,
               on_plan: Callable[[int, int], None] | None = None,
               presentation: Callable[[reports.Job, Path], Path | None] | None = None,
               pdf: Pdf | None = None) -> SiteBuild:
    """Run the jobs whose inputs changed (all with ``force``) and publish the new site in one step.

    ``presentation(job, target)`` writes a report's PowerPoint deck beside its page (``oj rapporter
    --presentation``); the site then links each report to its deck (see :func:`write_decks`). With
    ``pdf`` each report is printed as an A4 PDF beside its page, in the new generation before it is
    published, and the index and the page link it (see :func:`write_pdfs`).
    Nothing is published when nothing changed (every page up to date, decks and map as before).
    """
    start = time.perf_counter()
    folder = Path(folder).resolve()
    check_map_choice(karta)
    recover_interrupted_swap(folder)
    prepare_folder(folder)
    build = SiteBuild(folder)
    with locked(folder) as lock:
        settings = read_settings(folder, tolerate=force)
        record: dict = dict(settings.get("sidor") or {})
        jobs = reports.assign_names(list(jobs))
        fps = Fingerprints()
        todo = []
        for job in jobs:
            fp = fps.of(job)
            old = record.get(job.name, {})
            if not force and old.get("fingerprint") == fp and old.get("status") == "ok" \
                    and (folder / f"{job.name}.html").is_file():
                build.up_to_date.append(job)
            else:
                job.fingerprint = fp  # type: ignore[attr-defined]
                todo.append(job)
        if on_plan:
            on_plan(len(todo), len(build.up_to_date))
        new_karta = karta if karta is not None else settings.get("karta")
        if karta is None:
            check_map_choice(new_karta, saved_in=folder)
        needs_decks = presentation is not None and \
            any(not (folder / _beside(j, DECK)).is_file() for j in build.up_to_date)
        needs_decks = needs_decks or pdf is not None and \
            any(not (folder / _beside(j, PRINTED)).is_file() for j in build.up_to_date)
        index_fp = fps.index(new_karta)
        if not todo and not needs_decks and (folder / INDEX).exists() and new_karta == settings.get("karta") \
                and index_fp == settings.get("index"):
            build.seconds = time.perf_counter() - start
            return build  # nothing changed: nothing to publish
        settings = {**settings, "index": index_fp}
        gen = Generation(folder, lock)
        try:
            def note(res: reports.Result) -> None:
                _record_result(record, res, folder, build)
                if on_done:
                    on_done(res)

            t = time.perf_counter()
            prepared: dict[str, float] = {}
            if todo:
                side = _prepare_publishing(folder, jobs, new_karta, prepared)
                build.results = reports.run_jobs(todo, gen.work, workers=workers, kernel_name=kernel_name,
                                                 on_done=note, timeout=timeout, side_work=side)
            build.stages["rapporter"] = time.perf_counter() - t
            build.stages.update(prepared)
            _publish(gen, build, record, settings, new_karta, presentation, pdf)
            build.replaced = bool(build.built)
        finally:
            gen.discard()
    build.seconds = time.perf_counter() - start
    return build


class _Folder:
    """A folder written directly, with the few calls of a ``Generation`` that ``write_decks`` uses."""

    def __init__(self, folder: Path):
        self.live = self.tree = Path(folder)

    def path(self, name: str) -> Path:
        return self.tree / name

    def remove(self, name: str) -> None:
        (self.tree / name).unlink(missing_ok=True)

    def wrote(self, name: str) -> None:
        pass


def write_decks(gen: Generation | Path, build: SiteBuild, presentation) -> bool:
    """Decks (``<sida>.pptx``) for the pages just built and for up-to-date pages that lack one, in the
    new generation (or directly in a folder).

    Without ``presentation`` a rebuilt page's old deck is removed, since it no longer matches the
    page. A deck that fails is listed in ``build.deck_failures``; its page stays. True when a deck
    was written or removed (the index and the pages' links change).
    """
    gen = gen if isinstance(gen, Generation) else _Folder(gen)
    changed = False
    if presentation is None:
        for res in build.built:
            name = _beside(res.job, DECK)
            if gen.path(name).is_file():
                gen.remove(name)
                changed = True
        return changed
    jobs = [r.job for r in build.built] + [j for j in build.up_to_date if not gen.path(_beside(j, DECK)).is_file()]
    for job in jobs:
        name = _beside(job, DECK)
        gen.path(name).unlink(missing_ok=True)  # a hard link to the published deck: never written through
        try:
            target = presentation(job, gen.path(name))
        except Exception as err:  # noqa: BLE001 - one deck failing does not stop the others
            if gen.live != gen.tree and (gen.live / name).is_file() and not gen.path(name).exists():
                _link_or_copy(str(gen.live / name), gen.path(name))  # the previous deck stays
            build.deck_failures.append((job, str(err) if isinstance(err, OjError) else reports.failure_message(err)))
            continue
        if target is not None:
            gen.wrote(Path(target).name)
            changed = True
    return changed


def _beside(job: reports.Job, fmt: str) -> str:
    """The file name of format ``fmt`` beside a job's page."""
    return f"{job.name}{formats.FORMATS[fmt].suffix}"


def _files_beside(folder: Path) -> dict[str, set[str]]:
    """Per linked format (:func:`ojlib.render.formats.linked`): the pages (file names) with its file beside them."""
    page = formats.FORMATS[formats.PAGE].suffix
    return {f.name: {p.with_suffix(page).name for p in Path(folder).glob(f"*{f.suffix}")
                     if p.with_suffix(page).is_file()} for f in formats.linked()}


@dataclass
class Pdf:
    """``--pdf``: print every report as an A4 PDF beside its page (``render.pdf``, a local Chromium,
    Chrome or Edge: ``webblasare`` or found); ``on_done(pdf, total)`` after each one."""

    webblasare: str | None = None
    on_done: Callable[[Path, int], None] | None = None


def write_pdfs(gen: Generation, build: SiteBuild, pdf: Pdf | None) -> list[str]:
    """PDFs (``<sida>.pdf``) of the pages just built and of up-to-date pages that lack one, printed in
    the new generation, so they are published with their pages or not at all; returns their names.

    Without ``pdf`` a rebuilt page's old PDF is removed, since it no longer matches the page. A browser
    that fails is one sentence (OjError) and the build publishes nothing."""
    if pdf is None:
        for res in build.built:  # the page's PDF, and its units page's
            for page in (f"{res.job.name}.html", res.meta.get("enheter_sida")):
                name = page and formats.file_beside(page, PRINTED)
                if name and gen.path(name).is_file():
                    gen.remove(name)
        return []
    names = [r.page.name for r in build.built] + \
        [f"{j.name}.html" for j in build.up_to_date if not gen.path(_beside(j, PRINTED)).is_file()]
    units = [(html_export.read_page_metadata(gen.path(n)) or {}).get("enheter_sida") for n in names
             if gen.path(n).is_file()]  # a report's units page is printed with it
    names += [u for u in units if u]
    pages = [gen.path(n) for n in names if gen.path(n).is_file()]
    if not pages:
        return []
    suffix = formats.FORMATS[PRINTED].suffix
    for page in pages:  # a hard link to the published PDF: never written through
        page.with_suffix(suffix).unlink(missing_ok=True)
    done = pdf_print.write_pdfs(pages, pdf.webblasare,
                                on_done=lambda page: pdf.on_done(page.with_suffix(suffix), len(pages))
                                if pdf.on_done else None)
    for path in done:
        gen.wrote(path.name)
    return [p.name for p in done]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def add_report(job: reports.Job, folder: Path, kernel_name: str | None = None,
               pdf: Pdf | None = None) -> reports.Result:
    """Run one job into an existing (or new) site folder and publish the site with it (``pdf``: with its
    PDF, linked); or to a single ``.html`` file (its PDF is then the caller's)."""
    folder = Path(folder)
    single = folder.suffix == ".html"
    if single:
        prepare_folder(folder.parent, site=False)
        result = reports.run_job(job, folder, kernel_name=kernel_name, index_link=False)
        if result.ok:
            copy_plotly_js(folder.parent)
            for p in (result.page, folder.parent / html_export.PLOTLY_JS):
                share_permissions(p)
        return result
    created = not folder.exists()
    recover_interrupted_swap(folder.resolve())
    site_dir = prepare_folder(folder).resolve()
    result = _add_locked(job, site_dir, kernel_name, pdf)
    if not result.ok and created:  # leave no empty folder behind for a report that failed
        if (site_dir / DOT).is_dir() and not (site_dir / DOT).is_symlink():
            shutil.rmtree(site_dir / DOT, ignore_errors=True)
        with contextlib.suppress(OSError):
            site_dir.rmdir()
    return result


def _add_locked(job: reports.Job, site_dir: Path, kernel_name: str | None, pdf: Pdf | None) -> reports.Result:
    with locked(site_dir) as lock:
        settings = read_settings(site_dir)
        record = dict(settings.get("sidor") or {})
        job = reports.assign_names([job])[0]
        fps = Fingerprints()
        job.fingerprint = fps.of(job)  # type: ignore[attr-defined]
        settings = {**settings, "index": fps.index(settings.get("karta"))}
        gen = Generation(site_dir, lock)
        try:
            result = reports.run_job(job, gen.work, kernel_name=kernel_name, index_link=True)
            if not result.ok:
                return result
            _record_result(record, result, site_dir)
            build = SiteBuild(site_dir, results=[result])
            _publish(gen, build, record, settings, settings.get("karta"), pdf=pdf)
        finally:
            gen.discard()
    return result
