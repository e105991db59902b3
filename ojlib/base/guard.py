"""Clean-up that outlives the process: what ojlib creates for a while (a site's staging tree, a
browser's process group and profile folder) is registered here, and a small guard process ends or
removes whatever is still registered when this process dies, also by ``kill -9``.

The guard is a second Python process in its own session, started on the first registration. It
reads this process's messages on a pipe; the pipe's end (this process gone, however it ended) is
its signal: it kills the registered process groups and removes the registered folders, then exits.
``release`` takes back what this process cleaned up itself. Nothing is matched by pattern: only
what was registered is touched.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

# The guard: ignores the signals a terminal or a group kill sends, waits for the pipe to end, then
# kills the process groups and removes the folders still registered.
_GUARD = r"""
import os, shutil, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(s, signal.SIG_IGN)
held = {}
for line in sys.stdin.buffer:
    op, kind, value = line.decode("utf-8", "surrogateescape").rstrip("\n").split(" ", 2)
    if op == "+":
        held[(kind, value)] = True
    else:
        held.pop((kind, value), None)
import time
groups = [int(value) for kind, value in held if kind == "grupp"]
for sig in (signal.SIGTERM, signal.SIGKILL):  # a moment to end cleanly (Chromium removes its temp files)
    for pgid in list(groups):
        try:
            os.killpg(pgid, sig)
        except OSError:
            groups.remove(pgid)
    end = time.monotonic() + 3
    while groups and time.monotonic() < end:
        time.sleep(0.05)
        for pgid in list(groups):
            try:
                os.killpg(pgid, 0)
            except OSError:
                groups.remove(pgid)
for kind, value in held:
    if kind == "mapp" and os.path.isdir(value) and not os.path.islink(value):
        shutil.rmtree(value, ignore_errors=True)
"""

_lock = threading.Lock()
_proc: subprocess.Popen | None = None


def _send(line: str) -> None:
    global _proc
    with _lock:
        if _proc is None or _proc.poll() is not None:
            _proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _GUARD], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True, close_fds=True)
        _proc.stdin.write(line.encode("utf-8", "surrogateescape") + b"\n")
        _proc.stdin.flush()


def folder(path: Path) -> None:
    """Remove ``path`` (a folder this process made) if this process dies before ``release_folder``."""
    _send(f"+ mapp {os.fspath(Path(path).absolute())}")


def release_folder(path: Path) -> None:
    _send(f"- mapp {os.fspath(Path(path).absolute())}")


def group(pgid: int) -> None:
    """Kill process group ``pgid`` (one this process started) if this process dies before ``release_group``."""
    if os.name == "posix":
        _send(f"+ grupp {int(pgid)}")


def release_group(pgid: int) -> None:
    if os.name == "posix":
        _send(f"- grupp {int(pgid)}")


def _stop() -> None:
    """At a normal exit the guard is told nothing more: closing the pipe lets it clean what is left."""
    if _proc is not None and _proc.stdin is not None:
        with contextlib.suppress(OSError):
            _proc.stdin.close()


atexit.register(_stop)
