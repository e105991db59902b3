"""Progress bars for long work (tqdm on stderr; quiet when not a terminal unless asked)."""

from __future__ import annotations

import sys

from tqdm import tqdm


def bar(iterable=None, total=None, desc: str = "", unit: str = "st"):
    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, disable=None,
                leave=False, ascii=" ▏▎▍▌▋▊▉█")
