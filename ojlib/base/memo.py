"""Work done once per process: a cache keyed by what the work depends on.

``memo(key, compute)`` keeps a derived table (levels, trends, national tables per område and year)
keyed by the dataset's :func:`fingerprint`, so a changed data file is never served from a stale
cache; ``recent(key, compute)`` keeps only the last few results, for work one report repeats and
the next never asks for. The cache lives in this module's dicts, which the kernel pool's reset
keeps (it restores a module only when a job replaced one of its names).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable

CACHE: dict = {}
MAX_ENTRIES = 4000


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


def memo(key: tuple, compute: Callable):
    """``compute()`` once per key (include ``fingerprint(ds)`` in the key); kept until MAX_ENTRIES."""
    try:
        return CACHE[key]
    except KeyError:
        pass
    if len(CACHE) >= MAX_ENTRIES:
        for k in [k for k in CACHE if k[0] != "dataset"][: MAX_ENTRIES // 2]:
            del CACHE[k]
    value = CACHE[key] = compute()
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
    CACHE.clear()
    _RECENT.clear()
