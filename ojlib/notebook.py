"""Notebook glue: short user errors, and the metadata a report publishes for the site index.

Templates call ``setup()`` first, so an OjError shows as one Swedish sentence instead of a
traceback (the cell still fails, so papermill stops and no report is made), and
``publish_report_metadata(...)`` once, so the HTML site can list the report with its län,
område, year and data source without parsing text.
"""

from __future__ import annotations

import json

from ojlib.errors import OjError

REPORT_MIMETYPE = "application/vnd.ojlib.report+json"


def _short_error(shell, etype, evalue, tb, tb_offset=None):
    """IPython custom exception handler: show the Swedish message only."""
    shell._showtraceback(etype, evalue, [f"Fel: {evalue}"])


def setup() -> None:
    """Install the short error display in the running IPython kernel (no-op elsewhere)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((OjError,), _short_error)


def publish_report_metadata(**fields) -> None:
    """Display the report's metadata as a machine-readable output (not shown as text)."""
    from IPython.display import display

    payload = json.loads(json.dumps(fields, ensure_ascii=False, default=str))
    display({REPORT_MIMETYPE: payload, "text/plain": ""}, raw=True)


def read_report_metadata(nb) -> dict | None:
    """The metadata a notebook published with ``publish_report_metadata``, if any."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if REPORT_MIMETYPE in data:
                return dict(data[REPORT_MIMETYPE])
    return None
