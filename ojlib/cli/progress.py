"""Progress for long work on stderr: a tqdm bar on a terminal, plain lines otherwise.

On a terminal tqdm redraws one line. When stderr is not a terminal (a CI log, a pipe, a file) a redrawn
bar would be carriage-return spam and tqdm would say nothing at all, so :class:`Lines` prints a plain
line instead every ``step`` items or every ``seconds`` (whichever comes first): done/total, the share,
the item last finished (``set_postfix_str``) and the time left, e.g.
``Rapporter: 40/353 (11 %), senast Länsanalys 06 missbruk, cirka 11 min kvar``.
"""

from __future__ import annotations

import math
import sys
import time

SECONDS = 10.0  # at most this long between two plain lines while work finishes


def _duration(seconds: float) -> str:
    """A rounded Swedish duration: "7 s", "3 min", "1 h 5 min"."""
    s = max(1, round(seconds))
    if s < 90:
        return f"{s} s"
    m = round(s / 60)
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60} min"


class Lines:
    """What tqdm does on a terminal, as plain lines: iterate it or ``update`` it, ``set_postfix_str`` names
    the item last finished; a line is written when ``step`` items (a twentieth of the total, at least one)
    or ``seconds`` have passed since the last one, and one when the last item is done."""

    def __init__(self, iterable=None, total: int | None = None, desc: str = "", unit: str = "st",
                 file=None, seconds: float = SECONDS, step: int | None = None, clock=time.monotonic):
        self.iterable = iterable
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)
        self.total, self.desc, self.unit = total, desc, unit
        self.file = file if file is not None else sys.stderr
        self.seconds, self.clock = seconds, clock
        self.step = step or (max(1, math.ceil(total / 20)) if total else 10)
        self.n, self.postfix, self.start = 0, "", clock()
        self._last_n, self._last_t = 0, self.start

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.update(1)

    def __len__(self) -> int:
        return self.total or 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.postfix = str(text)

    def set_description(self, desc: str, refresh: bool = True) -> None:
        self.desc = desc

    def update(self, n: int = 1) -> None:
        self.n += n
        now = self.clock()
        if (self.n - self._last_n >= self.step or now - self._last_t >= self.seconds
                or (self.total and self.n >= self.total)):
            self._write(now)

    def line(self, now: float | None = None) -> str:
        """The line for the work done so far."""
        now = self.clock() if now is None else now
        head = f"{self.desc}: " if self.desc else ""
        if self.total:
            text = f"{head}{self.n}/{self.total} ({math.floor(100 * self.n / self.total)} %)"
        else:
            text = f"{head}{self.n} klara"
        if self.postfix:
            text += f", senast {self.postfix}"
        elapsed = now - self.start
        if self.total and self.n >= self.total:
            text += f", klart på {_duration(elapsed)}"
        elif self.total and self.n:
            text += f", cirka {_duration(elapsed / self.n * (self.total - self.n))} kvar"
        return text

    def _write(self, now: float) -> None:
        if self.n == self._last_n:
            return
        print(self.line(now), file=self.file, flush=True)
        self._last_n, self._last_t = self.n, now

    def close(self) -> None:
        pass


def bar(iterable=None, total=None, desc: str = "", unit: str = "st"):
    """A progress bar on stderr: tqdm on a terminal, :class:`Lines` when stderr is not one."""
    stream = sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        return Lines(iterable, total=total, desc=desc, unit=unit, file=stream)
    from tqdm import tqdm  # imported here: `oj --help` does not need it

    return tqdm(iterable, total=total, desc=desc, unit=unit, file=stream, disable=None,
                leave=False, ascii=" ▏▎▍▌▋▊▉█")
