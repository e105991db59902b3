"""Where a command may write: checked before any work starts, so a bad ``--ut`` is one sentence.

``file_target`` is for one output file (``oj export``, ``oj rapport --ut sida.html``),
``folder_target`` for an output folder (``oj rapport --ut mapp``). ``saving`` turns an error of
the file system during the write itself (disk full, a folder vanished) into one sentence naming
the target, never the temporary file beside it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ojlib.base import paths
from ojlib.base.errors import OjError, os_reason


def default_output_dir() -> Path:
    """The folder for exported files when no ``--ut`` is given (``utdata/``, ignored by git)."""
    return paths.root() / "utdata"


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path(path.anchor or ".")


def _check_folder(folder: Path, target: Path, what: str) -> None:
    """Make sure a file can be created in ``folder`` (created if missing): try it, then tidy up."""
    ancestor = _existing_ancestor(folder)
    if not ancestor.is_dir():
        raise OjError(f"{what} {target} kan inte skapas: {ancestor} är en fil, inte en mapp; ange en annan plats "
                      "med --ut.")
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".oj-prov-"):
            pass
    except OSError as err:
        raise OjError(f"{what} {target} kan inte skapas: det går inte att skriva i {ancestor} ({_reason(err)}); "
                      "ange en annan plats med --ut.") from None
    finally:
        for p in created:  # deepest first; only the folders made here
            with contextlib.suppress(OSError):
                p.rmdir()


def file_target(path: Path | str, what: str = "Filen") -> Path:
    """``path`` checked as a file to be written (created or replaced)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise OjError(f"{what} {path} är en befintlig mapp; ange ett filnamn med --ut, t.ex. {path / path.name}.")
    if path.exists() and not os.access(path, os.W_OK):
        raise OjError(f"{what} {path} är skrivskyddad; ange en annan fil med --ut.")
    _check_folder(path.parent, path, what)
    return path


def folder_target(path: Path | str, what: str = "Mappen") -> Path:
    """``path`` checked as a folder to write files into (created if missing)."""
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise OjError(f"{what} {path} är en fil, inte en mapp; ange en mapp (eller en .html-fil) med --ut.")
    _check_folder(path, path, what)
    return path


@contextlib.contextmanager
def saving(path: Path, what: str = "Filen") -> Iterator[None]:
    """Turn a file-system error while writing ``path`` into one sentence naming ``path``."""
    try:
        yield
    except OSError as err:
        raise OjError(f"{what} {path} kunde inte sparas ({_reason(err)}); ange en annan plats med --ut.") from None


def _reason(err: OSError) -> str:
    return "platsen går inte att skriva till" if err.errno == errno.ENOENT else os_reason(err)
