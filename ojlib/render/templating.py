"""The Jinja2 templates of the HTML pages, their style sheets and scripts (files in ``render/pages``).

One environment, autoescape on for every template: a value from the data, a parameter file or a
user (a kommun name, a title, an error) is always text in a page, never markup. What is markup on
purpose is marked so where it is made: a notebook's rendered output (``Markup``), JSON inside a
``<script>`` (``script_json``, which also keeps ``</script>`` out), a CSS string (``css_string``).
Style sheets and scripts are files shipped with the package (``asset``), put into the pages as they
are, so every page works offline from its folder.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from ojlib import __version__

PAGES = Path(__file__).resolve().parent / "pages"
UTFORSKA = Path(__file__).resolve().parent / "utforska"  # the dashboard's page, script and style


def script_json(value) -> str:
    """JSON safe to put inside ``<script type="application/json">`` (no ``</script>``, no ``<!--``).

    Every "<" is written "\\u003c", so no tag, end tag or comment can start inside the element; ">" and "&"
    are left as they are (in a script element's text neither means anything; escaping them as well cost
    the Västra Götaland funktionsnedsättning page's figure titles and notes 7 kB)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def css_string(text: str) -> str:
    """Text as a CSS string literal: quotes, backslashes, line breaks and ``<`` escaped."""
    out = []
    for ch in str(text):
        out.append(ch if ch.isalnum() or ch in " .,:;–-()/%åäöÅÄÖé" else f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_SPACE = re.compile(r"\s*([{};])\s*|(:)\s+|\s+")


def _css_spaces(m: re.Match) -> str:
    return m.group(1) or m.group(2) or " "


@cache
def asset(name: str) -> Markup:
    """A style sheet or script of the package (without its final line break); a style sheet without its
    comments and indentation, which every page carried (report.css: 15 of a page's kB, 4 of them those).
    The package's style sheets' only strings are font names, with no run of spaces and no ":", "{", "}" or
    ";" that this would change (test_templates checks it)."""
    for folder in (PAGES, UTFORSKA):
        path = folder / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if name.endswith(".css"):
                return Markup(_CSS_SPACE.sub(_css_spaces, _CSS_COMMENT.sub("", text)).strip())
            return Markup(text[:-1] if text.endswith("\n") else text)
    raise FileNotFoundError(name)  # pragma: no cover - the package's own files


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([PAGES, UTFORSKA]), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(asset=asset, version=__version__)
    env.filters["script_json"] = lambda value: Markup(script_json(value))
    env.filters["css_string"] = lambda text: Markup(css_string(text))
    env.filters["url"] = lambda name: quote(str(name))  # a file name as a link (escaped as any text after)
    return env


@cache
def macros(template: str):
    """The macros of a template of ``render/pages`` (``macros("output.html").pre(text)``): each returns
    Markup, its arguments escaped unless marked ``Markup``."""
    return environment().get_template(template).module


def render(template: str, **values) -> str:
    """A template of ``render/pages`` filled with ``values`` (escaped unless marked ``Markup``)."""
    return environment().get_template(template).render(**values)
