"""The HTML pages come from Jinja2 templates (ojlib/render/pages): autoescape on everywhere, so a title, a
kommun name or an error from the data is text in every page, never markup; the templates, style sheets
and scripts are shipped with the package."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from ojlib.publish import site
from ojlib.render import html_export, templating

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<img src=x onerror=alert(1)>\"'&</script>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def test_autoescape_is_on_for_every_template():
    env = templating.environment()
    names = env.list_templates()
    assert {"page.html", "index.html", "nav.html", "utforska.html"} <= set(names)
    for name in names:
        assert env.get_template(name).environment.autoescape is True
    assert env.from_string("{{ x }}").render(x=HOSTILE).startswith(ESCAPED)


def test_a_hostile_title_and_metadata_are_text_in_a_report_page():
    meta = {"titel": HOSTILE, "lan": "06", "lan_namn": HOSTILE, "ar": 2024, "datakalla": "exempeldata",
            "kommun_namn": HOSTILE}
    doc = html_export.page_document(HOSTILE, "<p>kroppen</p>", meta, [], toc=[("avsnitt-1", HOSTILE)],
                                    has_figures=False)
    assert "<img" not in doc and doc.count(ESCAPED) == 5  # title, h1, the meta line twice, the contents list
    assert "</script>\"" not in doc and "\\u003c/script>" in doc  # the metadata JSON cannot end its script
    assert html_export.page_metadata(doc) == meta
    # the printed page's margin repeats the title as a CSS string: quotes and < cannot leave it
    page_rule = doc[doc.index("@page"):doc.index("</style>")]
    assert "<" not in page_rule and '"' not in page_rule.split("content:")[1].split(";")[0].strip()[1:-1]


def test_a_hostile_page_title_and_failure_are_text_in_the_navigation_and_index(tmp_path):
    sitemap = site.SiteMap([("a.html", {"titel": HOSTILE, "lan": "06", "lan_namn": HOSTILE})],
                           {"a": {"status": "inte_uppdaterad", "fel": HOSTILE}}, {}, 'x" onload="y')
    nav = sitemap.nav("a.html", {"titel": HOSTILE, "lan": "06", "lan_namn": HOSTILE})
    assert "<img" not in nav and nav.count(ESCAPED) == 3 and 'data-bygge="x&#34; onload=&#34;y"' in nav
    record = {"b": {"status": "misslyckad", "fel": HOSTILE, "rapport": HOSTILE}}
    index = site.index_html(tmp_path, record=record, meta_pages=[], build_id="1")
    assert "<img" not in index and index.count(ESCAPED) == 2
    assert "Inga rapporter ännu" in index


def test_every_template_style_and_script_is_package_data():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["ojlib"]
    files = [p for folder in (templating.PAGES, templating.UTFORSKA) for p in folder.iterdir() if p.is_file()]
    assert len(files) >= 12
    for path in files:
        rel = path.relative_to(ROOT / "ojlib").as_posix()
        assert any(fnmatch.fnmatch(rel, g) for g in globs), f"{rel} is not shipped (package-data)"


@pytest.mark.parametrize("name", ["report.css", "figures.js", "search.js", "geo-assets.js"])
def test_assets_are_files_not_python_strings(name):
    text = (templating.PAGES / name).read_text(encoding="utf-8")
    assert len(text) > 200
    for module in (html_export, site):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert max(text.splitlines(), key=len) not in source  # the file's lines live in the file only


@pytest.mark.parametrize("text", [HOSTILE, "<!-- <script>x</SCRIPT> -->", "<b>Titel</b><br>a & b > c", "a\u2028b"])
def test_script_json_keeps_a_script_element_whole(text):
    """JSON in a <script> element: no "<" (no tag, end tag or comment can start there) and no line separator
    that would end a JavaScript line; ">" and "&" as they are; it reads back the same."""
    import json

    out = templating.script_json({"t": text, "l": [text]})
    assert json.loads(out) == {"t": text, "l": [text]}
    assert "<" not in out and "\u2028" not in out
    assert out.count(">") == 2 * text.count(">") and out.count("&") == 2 * text.count("&")


@pytest.mark.parametrize("name", ["report.css", "index.css", "utforska.css"])
def test_a_page_carries_its_style_sheet_without_comments_and_indentation(name):
    """Every page carries report.css: without its comments and indentation (a quarter of its bytes), and
    otherwise the same rules (only whitespace and comments differ; its quoted font names as they are)."""
    import re

    folder = templating.UTFORSKA if name == "utforska.css" else templating.PAGES
    source = (folder / name).read_text(encoding="utf-8")
    shown = str(templating.asset(name))
    assert "/*" not in shown and "\n" not in shown and "  " not in shown
    assert len(shown) < (0.8 if name == "report.css" else 0.9) * len(source)
    no_comments = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    assert re.sub(r"\s+", "", shown) == re.sub(r"\s+", "", no_comments)
    assert re.findall(r'"[^"]*"', shown) == re.findall(r'"[^"]*"', no_comments)  # " \\2195", "DejaVu Sans"
