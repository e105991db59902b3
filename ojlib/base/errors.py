"""One error type for user mistakes: its message is one Swedish sentence for the user.

The CLI prints the message (no traceback) and exits non-zero; notebooks show it as the
exception text. Programming errors stay ordinary Python exceptions.
"""

from __future__ import annotations

import errno


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


DEBUG_ENV = "OJLIB_DEBUG"

_OS_REASONS = {getattr(errno, name): text for name, text in (  # getattr: not every errno exists on Windows
    ("EACCES", "behörighet saknas"), ("EPERM", "behörighet saknas"), ("EROFS", "platsen är skrivskyddad"),
    ("EISDIR", "det är en mapp, inte en fil"), ("ENOTDIR", "en del av sökvägen är en fil, inte en mapp"),
    ("ENOENT", "den finns inte"), ("ENOSPC", "disken är full"), ("EDQUOT", "diskkvoten är slut"),
    ("ENAMETOOLONG", "namnet är för långt"), ("EEXIST", "den finns redan"), ("ENOTEMPTY", "mappen är inte tom"),
    ("EXDEV", "den ligger på en annan disk"),
) if hasattr(errno, name)}


def os_reason(err: OSError) -> str:
    """Why a file operation failed, in Swedish ("behörighet saknas", "disken är full", ...)."""
    return _OS_REASONS.get(err.errno) or (f"filsystemsfel {err.errno}" if err.errno else "filsystemsfel")


EXCERPT = 80  # characters of a user's or a server's text quoted inside a sentence


def excerpt(value, limit: int = EXCERPT) -> str:
    """Text from data (a cell, a header, a server's answer) as it may be quoted in a sentence.

    One line (every run of whitespace, line breaks included, becomes one space) and at most
    ``limit`` characters, cut with "…" and the length said, so that no file or server can make
    an error message or a warning long: a 200 000-character field or a 5 MB status string is
    quoted as its first words.
    """
    text = " ".join(str(value).split())
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}… ({len(text)} tecken)"


def reason(err: BaseException) -> str:
    """A short Swedish reason for ``err`` to put inside a sentence: never the operating system's
    English text ("No such file or directory"), never unbounded."""
    if isinstance(err, OjError):
        return excerpt(str(err).rstrip("."), 300)
    if isinstance(err, OSError):
        where = f" ({excerpt(err.filename, 120)})" if getattr(err, "filename", None) else ""
        return os_reason(err) + where
    return type(err).__name__


def explain(err: BaseException) -> str:
    """One Swedish sentence for an error that is not an OjError (the CLI's last line of defence).

    File-system errors name the path and the reason; anything else says that it is a fault in
    ojlib and how to see the details (``OJLIB_DEBUG=1``).
    """
    if isinstance(err, OjError):
        return str(err)
    if isinstance(err, OSError) and err.errno in _OS_REASONS:
        where = f" {err.filename}" if err.filename else ""
        return (f"Det gick inte att använda{where}: {os_reason(err)}; välj en annan plats eller "
                "rätta behörigheten och försök igen.")
    if isinstance(err, MemoryError):
        return "Minnet tog slut; försök med mindre data (färre län, områden eller år)."
    if isinstance(err, RecursionError):
        return "Indata är för djupt nästlad för att läsas; kontrollera filen eller svaret som lästes."
    return (f"Ett oväntat fel inträffade i ojlib ({type(err).__name__}); kör igen med {DEBUG_ENV}=1 för "
            "detaljer och rapportera felet.")
