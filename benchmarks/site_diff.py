"""A small report site before and after a change, compared file by file.

    .venv/bin/python benchmarks/site_diff.py REF [--lan 06] [--omrade missbruk] [--kommun 0617]
                                                 [--pdf] [--behall MAPP]

REF is a git ref (a commit, a branch): its tree is checked out in a temporary worktree. Each side
(REF, and this checkout) builds its own example data in its own project home and, with its own code
(``PYTHONPATH``; the same venv), the site of one län report and a kommun profile with ``oj rapporter``.
Then every file of the two sites is compared: first byte for byte once the generation's id
(``data-bygge``, which names the moment and process of a build) is made neutral, and where that
differs, as a reader sees it (``report_diff.page_lines``: the text block by block) and line by line
in the markup. Used to show that moving the pages into Jinja2 templates changed nothing a reader sees.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import tempfile
from pathlib import Path

from report_diff import ROOT, checkout, compare, page_lines, side

BUILD_ID = re.compile(r'data-bygge="[^"]*"|"bygge":\s*"[^"]*"|ojlib-utforska [0-9a-f]{32}')
FINGERPRINT = re.compile(r'"(fingerprint|index|uppdaterad|forsokt)":\s*"[^"]*"')


def build(tree: Path, work: Path, lan: str, omrade: str, kommuner: list[str], pdf: bool) -> Path:
    """Example data and the small site made by the code in ``tree``; returns the site's folder."""
    oj = side(tree, work)
    folder = work / "webbplats"
    oj("rapporter", "--lan", lan, "--omrade", omrade, "--kommun", ",".join(kommuner), "--ut", str(folder),
       "--jobb", "2", *(["--pdf"] if pdf else []))
    return folder


def neutral(text: str) -> str:
    """The text with the build's id and fingerprints made neutral, and one spelling of the two entities
    that html.escape and Jinja2 write differently (&quot; &#34;, &#x27; &#39;: the same character)."""
    text = text.replace("&quot;", "&#34;").replace("&#x27;", "&#39;")
    return FINGERPRINT.sub(r'"\1": "…"', BUILD_ID.sub("<bygge>", text))


def files(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*"))
            if p.is_file() and ".ojlib" not in p.relative_to(folder).parts}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref", help="git-ref att jämföra med (före)")
    ap.add_argument("--lan", default="06")
    ap.add_argument("--omrade", default="missbruk")
    ap.add_argument("--kommun", action="append", default=None, help="kommunkod för en kommunprofil")
    ap.add_argument("--pdf", action="store_true", help="bygg båda med --pdf")
    ap.add_argument("--behall", help="spara utdata i denna mapp i stället för en tillfällig")
    args = ap.parse_args(argv)
    kommuner = args.kommun or ["0617"]
    base = Path(args.behall) if args.behall else Path(tempfile.mkdtemp(prefix="site_diff-"))
    base.mkdir(parents=True, exist_ok=True)
    with checkout(args.ref, base / "fore-tree") as before_tree:
        before = files(build(before_tree, base / "fore", args.lan, args.omrade, kommuner, args.pdf))
        after = files(build(ROOT, base / "efter", args.lan, args.omrade, kommuner, args.pdf))
    same, differ = 0, 0
    for name in sorted(set(before) | set(after)):
        if name not in before or name not in after:
            print(f"{name}: bara {'efter' if name in after else 'före'}")
            differ += 1
            continue
        if name.endswith(".pdf"):
            same += 1  # printed by a browser: dates and ids inside; the pages they print are compared
            continue
        b, a = before[name].read_bytes(), after[name].read_bytes()
        if b == a:
            same += 1
            continue
        try:
            bt, at = neutral(b.decode("utf-8")), neutral(a.decode("utf-8"))
        except UnicodeDecodeError:
            print(f"{name}: binärfilerna skiljer sig")
            differ += 1
            continue
        if bt == at:
            same += 1
            continue
        differ += 1
        if name.endswith(".html"):
            text = compare(name, page_lines(before[name]), page_lines(after[name]), False)
            print(f"\n{name}: {text} textrader skiljer sig för läsaren; i koden:")
        for line in list(difflib.unified_diff(bt.splitlines(), at.splitlines(), "före", "efter", n=0,
                                              lineterm=""))[:60]:
            print("  " + line[:300])
    print(f"\n{same} filer lika (bortsett från byggets id), {differ} skiljer sig, mellan {args.ref} och denna "
          f"utcheckning. Utdata: {base}")
    if not args.behall:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
