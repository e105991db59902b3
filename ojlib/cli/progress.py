"""Progress bars for long work (tqdm on stderr; quiet when not a terminal unless asked)."""

from __future__ import annotations

import sys


def bar(iterable=None, total=None, desc: str = "", unit: str = "st"):
    from tqdm import tqdm  # imported here: `oj --help` does not need it

    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, disable=None,
                leave=False, ascii=" ▏▎▍▌▋▊▉█")
