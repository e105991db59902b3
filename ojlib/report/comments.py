"""The analyst's own text in a report, from a Markdown file given as a parameter.

The file has one heading (``#`` or ``##``) per report section, e.g.::

    ## Inledning
    Länet har i år …

    ## Trygghet och säkerhet
    …

A heading names a section by its title as the report shows it (case and extra spaces do not
matter). Any other heading (``## Diskussion``, ``## Slutsatser för länet`` …) is the analyst's own
section: the report shows it, heading and text, after the sammanfattande bild, in the file's order.
Each text is shown in a framed box marked "Analytikerns kommentar", rendered from Markdown with any
HTML in it escaped, so markup in the file stays text. A missing file, or a heading so like one of
the report's that it is most likely a misspelling of it, stops the report with one Swedish sentence.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ojlib.base import paths
from ojlib.base.errors import OjError

EXAMPLE = "params/kommentarer/06-missbruk.md"
_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")
MAX_BYTES = 1_000_000
LIKE = 0.85  # a heading this like a section's title (difflib's ratio) is taken for a misspelling of it


def _norm(title: str) -> str:
    return re.sub(r"\s+", " ", str(title)).strip().casefold()


@dataclass
class Kommentarer:
    """Sections of the analyst's comment file: heading as written → Markdown text."""

    path: Path | None = None
    avsnitt: dict[str, str] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)  # the headings as written, in file order

    def text(self, section: str) -> str:
        return self.avsnitt.get(_norm(section), "")

    def check(self, sections) -> list[str]:
        """The file's own sections: its headings that name none of the report's ``sections``, in file
        order. A heading that is nearly one of them (a misspelling, most likely) is an error."""
        known = {_norm(s): s for s in sections}
        own = [h for h in self.titles if _norm(h) not in known]
        for h in own:
            near = difflib.get_close_matches(_norm(h), list(known), n=1, cutoff=LIKE)
            if near:
                names = ", ".join(f"”{s}”" for s in sections)
                raise OjError(f"Rubriken ”{h}” i kommentarsfilen {self.path} matchar inget avsnitt i rapporten men "
                              f"liknar ”{known[near[0]]}”; skriv rubriken som avsnittet heter (rubrikerna är "
                              f"{names}), eller ge ditt eget avsnitt ett namn som inte liknar dem.")
        return own


def find(given: str | Path) -> Path:
    """The comment file's absolute path (relative paths: from the current folder, then the project)."""
    path = Path(str(given)).expanduser()
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, paths.root() / path]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    raise OjError(f"Kommentarsfilen {given} finns inte; ange sökvägen till en Markdown-fil med en rubrik per avsnitt "
                  f"(t.ex. {EXAMPLE}), eller utelämna parametern kommentarer.")


def parse(text: str, path: Path | None = None) -> Kommentarer:
    """Split Markdown text into sections at its ``#``/``##`` headings (text before the first is an error)."""
    out = Kommentarer(path=path)
    current: str | None = None
    lines: list[str] = []
    in_code = False

    def flush() -> None:
        if current is not None:
            key = _norm(current)
            if key in out.avsnitt:
                raise OjError(f"Rubriken ”{current}” finns två gånger i kommentarsfilen {path}; slå ihop texterna "
                              "under en rubrik.")
            out.avsnitt[key] = "\n".join(lines).strip()
            out.titles.append(current)

    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        m = None if in_code else _HEADING.match(line)
        if m:
            flush()
            current, lines = m.group(2), []
        elif current is None:
            if line.strip():
                raise OjError(f"Kommentarsfilen {path} har text före första rubriken; börja filen med en rubrik "
                              "(## och avsnittets namn, t.ex. ## Inledning).")
        else:
            lines.append(line)
    flush()
    return out


def read(path: Path, given: str | Path | None = None) -> bytes:
    """The comment file's bytes; a file larger than ``MAX_BYTES`` is refused by its size before any
    of it is read (a 3 GB sparse file is never read whole), and never more than that is read."""
    too_big = OjError(f"Kommentarsfilen {given or path} är större än {MAX_BYTES // 1_000_000} MB; korta den.")
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size > MAX_BYTES:
            raise too_big
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # a file that grew, or one whose size the system does not tell
        raise too_big
    return data


def fingerprint(given: str | Path | None) -> str:
    """What a report page reads of the comment file, hashed (its content, or why it cannot be read)."""
    if given is None or str(given).strip() == "":
        return ""
    try:
        return hashlib.sha256(read(find(given), given)).hexdigest()
    except (OjError, OSError) as err:
        return f"fel: {err}"


def load(given: str | Path | None) -> Kommentarer:
    """The comment file given as a template parameter (an empty set of comments for None or "")."""
    if given is None or str(given).strip() == "":
        return Kommentarer()
    path = find(given)
    data = read(path, given)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OjError(f"Kommentarsfilen {given} är inte sparad som UTF-8; spara om den som UTF-8.") from None
    return parse(text, path)
