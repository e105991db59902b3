"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``.

    On any exception the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:  # a read-only folder: name the folder, not the temporary file nobody knows of
        raise _renamed(err, target.parent) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp_path, target)
    except OSError as err:
        if err.filename is not None and str(err.filename) == str(tmp_path):
            raise _renamed(err, target) from None
        raise
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _renamed(err: OSError, where: Path) -> OSError:
    """The same error about ``where`` (what the user knows) instead of an internal temporary file."""
    return type(err)(err.errno, err.strerror, str(where))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pending(manifest: Path) -> Path:
    return manifest.with_name(f".{manifest.name}.pending")


def sha256_file(path: Path) -> str | None:
    import hashlib

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def write_pair_atomic(data_path: Path, data: bytes, manifest_path: Path, manifest_text: str) -> None:
    """Write a data file and its manifest so that, even after kill -9, they never disagree.

    The manifest (JSON text) must hold the data's sha256 under ``"sha256"``. It is first written
    as a pending file, then the data is renamed into place, then the pending manifest. A run
    killed between the two renames is finished by ``recover_pair`` (the pending manifest matches
    the data) and one killed before the data rename is undone (it does not).
    """
    data_path, manifest_path = Path(data_path), Path(manifest_path)
    recover_pair(data_path, manifest_path, clean_debris=True)
    pending = _pending(manifest_path)
    write_text_atomic(pending, manifest_text)
    try:
        write_bytes_atomic(data_path, data)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, manifest_path)
    _fsync_dir(manifest_path.parent)


def recover_pair(data_path: Path, manifest_path: Path, clean_debris: bool = False) -> None:
    """Finish or undo a pair write that was interrupted (see ``write_pair_atomic``).

    ``clean_debris`` also removes temporary files a killed writer left (only a writer should ask).
    """
    import json

    data_path, manifest_path = Path(data_path), Path(manifest_path)
    pending = _pending(manifest_path)
    try:
        if pending.exists():
            try:
                want = json.loads(pending.read_text(encoding="utf-8")).get("sha256")
            except (ValueError, OSError):
                want = None
            if want is not None and want == sha256_file(data_path):
                os.replace(pending, manifest_path)  # the data is new: finish
            else:
                pending.unlink(missing_ok=True)  # the data is old: undo
            _fsync_dir(manifest_path.parent)
        if clean_debris:
            for name in (data_path.name, manifest_path.name, pending.name):
                for tmp in data_path.parent.glob(f".{name}.*.tmp"):
                    tmp.unlink(missing_ok=True)
    except PermissionError:  # a read-only data folder: the reader checks the sha itself
        pass


def read_manifest(data_path: Path, manifest_path: Path) -> dict | None:
    """The JSON manifest written beside a data file by ``write_pair_atomic``, or None when there is
    none, it is not JSON, or its ``sha256`` does not describe the data file (after ``recover_pair``)."""
    recover_pair(data_path, manifest_path)
    if not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(manifest, dict):
        return None
    if manifest.get("sha256") and manifest["sha256"] != sha256_file(data_path):
        return None
    return manifest
