"""Work done once per process and shared by every report of a batch (and by the explorer).

A batch kernel runs dozens of reports; each used to re-read and re-validate the national table.
``dataset(kalla)`` loads a source once per process and hands out a copy-on-write view, so one
report changing its table cannot change the next report's. The cache is :mod:`ojlib.base.memo`'s.
"""

from __future__ import annotations

import copy
from pathlib import Path

from ojlib.base import memo
from ojlib.data import dataset as ds_mod


def _file_key(path: Path) -> tuple:
    st = Path(path).stat()
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def dataset(kalla: str = "exempeldata"):
    """The source's dataset, loaded and validated once per process (while its file is unchanged)."""
    if isinstance(kalla, str) and ("," in kalla or kalla == "alla"):  # several sources: each cached once
        parts = [dataset(k) for k in ds_mod.parse_kallor(kalla)]
        if len(parts) == 1:
            return parts[0]
        key = ("dataset", ",".join(p.kalla for p in parts), tuple(p._ojlib_key for p in parts))
        base = memo.CACHE.get(key)
        if base is None:
            base = memo.CACHE[key] = ds_mod.combine(parts)
        return _view(base, key)
    path = ds_mod.dataset_path(kalla) if kalla in ds_mod.KALLOR else None
    if path is None or not path.exists():
        return ds_mod.load_dataset(kalla)  # raises the Swedish sentence
    key = ("dataset", kalla, _file_key(path), _file_key(ds_mod.paths.params_dir() / "indikatorer.yml")
           if (ds_mod.paths.params_dir() / "indikatorer.yml").exists() else None)
    base = memo.CACHE.get(key)
    if base is None:
        for k in [k for k in memo.CACHE if k[:2] == ("dataset", kalla)]:
            del memo.CACHE[k]
        base = ds_mod.load_dataset(kalla)
        base.cat  # noqa: B018 - load the catalogue once too
        memo.CACHE[key] = base
    return _view(base, key)


def _view(base, key: tuple):
    """A report's own view of a cached dataset: copy-on-write, so its changes stay in this report."""
    view = copy.copy(base)
    view.df = base.df.copy(deep=False)
    view.info = dict(base.info)
    view._ojlib_key = key
    return view
