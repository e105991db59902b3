"""One error type for user mistakes: its message is one Swedish sentence for the user.

The CLI prints the message (no traceback) and exits non-zero; notebooks show it as the
exception text. Programming errors stay ordinary Python exceptions.
"""

from __future__ import annotations


class OjError(Exception):
    """A problem the user can fix. ``str(err)`` is shown to the user as it is."""

    exit_code = 2


def did_you_mean(value: str, choices) -> str:
    """Swedish hint listing the valid choices (short lists) or close matches."""
    import difflib

    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(str(value), choices, n=3)
    if len(choices) <= 8:
        return "välj ett av: " + ", ".join(choices) + "."
    if close:
        return "menade du " + " eller ".join(close) + "?"
    return f"det finns {len(choices)} giltiga värden, t.ex. {', '.join(choices[:4])}."
