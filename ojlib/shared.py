"""Work done once per process and shared by every report of a batch (and by the explorer).

A batch kernel runs dozens of reports; each used to re-read and re-validate the national table.
``dataset(kalla)`` loads a source once per process and hands out a copy-on-write view, so one
report changing its table cannot change the next report's. ``memo(key, compute)`` keeps any other
derived table (levels, trends, national tables per område and year) keyed by the dataset's
fingerprint, so a changed data file is never served from a stale cache; ``recent(key, compute)``
keeps only the last few results, for work one report repeats and the next never asks for.

The cache lives in this module's dict, which the kernel pool's reset keeps (it restores a module
only when a job replaced one of its names).
"""

from __future__ import annotations

import copy
import itertools
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

_CACHE: dict = {}
MAX_ENTRIES = 4000


def _file_key(path: Path) -> tuple:
    st = Path(path).stat()
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def dataset(kalla: str = "exempeldata"):
    """The source's dataset, loaded and validated once per process (while its file is unchanged)."""
    from ojlib import dataset as ds_mod

    if isinstance(kalla, str) and ("," in kalla or kalla == "alla"):  # several sources: each cached once
        parts = [dataset(k) for k in ds_mod.parse_kallor(kalla)]
        if len(parts) == 1:
            return parts[0]
        key = ("dataset", ",".join(p.kalla for p in parts), tuple(p._ojlib_key for p in parts))
        base = _CACHE.get(key)
        if base is None:
            base = _CACHE[key] = ds_mod.combine(parts)
        return _view(base, key)
    path = ds_mod.dataset_path(kalla) if kalla in ds_mod.KALLOR else None
    if path is None or not path.exists():
        return ds_mod.load_dataset(kalla)  # raises the Swedish sentence
    key = ("dataset", kalla, _file_key(path), _file_key(ds_mod.paths.params_dir() / "indikatorer.yml")
           if (ds_mod.paths.params_dir() / "indikatorer.yml").exists() else None)
    base = _CACHE.get(key)
    if base is None:
        for k in [k for k in _CACHE if k[:2] == ("dataset", kalla)]:
            del _CACHE[k]
        base = ds_mod.load_dataset(kalla)
        base.cat  # noqa: B018 - load the catalogue once too
        _CACHE[key] = base
    return _view(base, key)


def _view(base, key: tuple):
    """A report's own view of a cached dataset: copy-on-write, so its changes stay in this report."""
    view = copy.copy(base)
    view.df = base.df.copy(deep=False)
    view.info = dict(base.info)
    view._ojlib_key = key
    return view


_TOKENS = itertools.count()


def fingerprint(ds) -> tuple:
    """A key for the dataset's content: its file key when loaded by ``dataset``, else a token of its own.

    The token is set on the Dataset object once and never reused, so a cache entry of a dataset
    that has been freed can never be mistaken for a new one's (``id()`` values are reused).
    """
    key = getattr(ds, "_ojlib_key", None)
    if key is not None and key[0] == "dataset":  # a view from ``dataset``: the file's key
        return key
    if key is None:
        key = ("objekt", next(_TOKENS))
        try:
            ds._ojlib_key = key
        except AttributeError:  # pragma: no cover - a frozen object: no caching
            return ("ingen", next(_TOKENS))
    return (*key, id(ds.df))


def national_table(ds, omrade=None, ar=None, **kwargs):
    """``compare.kommun_table`` (every kommun × indicator with län, riket, ranks), once per dataset,
    område and year in this process; each caller gets its own frame (copy-on-write)."""
    from ojlib import ranking

    key = ("kommun_table", fingerprint(ds), repr(omrade), repr(ar), repr(sorted(kwargs.items())))
    table = memo(key, lambda: ranking.kommun_table(ds, omrade, ar, _shared=False, **kwargs))
    return table.copy(deep=False)


def memo(key: tuple, compute: Callable):
    """``compute()`` once per key (include ``fingerprint(ds)`` in the key); kept until MAX_ENTRIES."""
    try:
        return _CACHE[key]
    except KeyError:
        pass
    if len(_CACHE) >= MAX_ENTRIES:
        for k in [k for k in _CACHE if k[0] != "dataset"][: MAX_ENTRIES // 2]:
            del _CACHE[k]
    value = _CACHE[key] = compute()
    return value


_RECENT: OrderedDict = OrderedDict()


def recent(key: tuple, compute: Callable, keep: int = 16):
    """``compute()`` once per key among the last ``keep`` keys asked for (include ``fingerprint(ds)``).

    For work that one report asks for more than once but the next report never does (a kommun's
    peer table: its profile table and its charts), so a batch of 290 profiles does not keep 290 of them.
    """
    try:
        _RECENT.move_to_end(key)
        return _RECENT[key]
    except KeyError:
        pass
    value = _RECENT[key] = compute()
    while len(_RECENT) > keep:
        _RECENT.popitem(last=False)
    return value


def clear() -> None:
    _CACHE.clear()
    _RECENT.clear()
