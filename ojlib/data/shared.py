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
from ojlib.data.catalog import OMRADEN, load_catalogue, parse_omraden


def _file_key(path: Path) -> tuple:
    st = Path(path).stat()
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def dataset(kalla: str = "exempeldata", omrade=None):
    """The source's dataset, loaded and validated once per process (while its file is unchanged).

    With ``omrade`` (one område or a list) only those områden's rows, read with polars
    (``dataset.load_selection``: the filter pushed into the Parquet scan, only those rows validated):
    what a report on them needs, national tables included, without reading the whole country's other
    områden. Each selection is kept once per process, as the whole dataset is.
    """
    omraden = None if omrade is None else tuple(parse_omraden(omrade))
    if omraden is not None and set(omraden) == set(OMRADEN):
        omraden = None  # every område: the whole file
    if isinstance(kalla, str) and ("," in kalla or kalla == "alla"):  # several sources: each cached once
        parts = [dataset(k, omraden) for k in ds_mod.parse_kallor(kalla)]
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
    files = (_file_key(path), _file_key(ds_mod.paths.params_dir() / "indikatorer.yml")
             if (ds_mod.paths.params_dir() / "indikatorer.yml").exists() else None)
    key = ("dataset", kalla, *files) + ((("omraden", omraden),) if omraden is not None else ())
    base = memo.CACHE.get(key)
    if base is None:
        for k in [k for k in memo.CACHE if k[:2] == ("dataset", kalla) and k[2:4] != files]:
            del memo.CACHE[k]  # an older version of the file (or the catalogue)
        if omraden is None:
            base = ds_mod.load_dataset(kalla)
            base.cat  # noqa: B018 - load the catalogue once too
        else:
            base = ds_mod.load_selection(kalla, omrade=list(omraden), catalogue=_catalogue(files))
        memo.CACHE[key] = base
    return _view(base, key)


def _catalogue(files: tuple):
    """The catalogue, read once per process while the file is unchanged (shared by the selections)."""
    return memo.memo(("katalog", files[1]), load_catalogue)


def _view(base, key: tuple):
    """A report's own view of a cached dataset: copy-on-write, so its changes stay in this report."""
    view = copy.copy(base)
    view.df = base.df.copy(deep=False)
    view.info = dict(base.info)
    view._ojlib_key = key
    return view
