"""``python -m ojlib …`` is the ``oj`` command (e.g. ``python -m ojlib demo`` without make)."""

from ojlib.cli import run

run()
