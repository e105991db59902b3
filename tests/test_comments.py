"""The analyst's comment file: sections by heading, markup stays text, Swedish errors, and the comments
in their sections of a real länsrapport (papermill run + HTML export)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ojlib.analysis import colours
from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.data.dataset import load_dataset
from ojlib.render import html_export, notebook
from ojlib.report import comments, lansrapport

ROOT = Path(__file__).resolve().parents[1]

FILE = """## Inledning

Länet har **tre** nya samverkansavtal.

## Förbättringsområden
Text med <script>alert('x')</script> och <b>fet</b> markering, samt [länk](javascript:alert(1)).

```
## inte en rubrik (kodblock)
```

##   Kunskapsbaserad   VERKSAMHET
Kapitelkommentar.

## Diskussion
Analytikerns egen diskussion om <i>läget</i>.
"""


def test_sections_are_split_at_headings():
    k = comments.parse(FILE, Path("k.md"))
    assert k.titles == ["Inledning", "Förbättringsområden", "Kunskapsbaserad   VERKSAMHET", "Diskussion"]
    assert k.text("inledning") == "Länet har **tre** nya samverkansavtal."
    assert "## inte en rubrik" in k.text("Förbättringsområden")  # a heading inside a code block is text
    assert k.text("Kunskapsbaserad verksamhet") == "Kapitelkommentar."
    assert k.text("Sammanfattning") == ""
    assert notebook.comment_box(k, "Sammanfattning") is None


def test_markup_in_a_comment_stays_text():
    k = comments.parse(FILE, Path("k.md"))
    box = notebook.comment_box(k, "Förbättringsområden").html
    assert "<script>" not in box and "<b>" not in box
    assert "&lt;script&gt;" in box and "&lt;b&gt;fet&lt;/b&gt;" in box
    assert "javascript:" not in re.sub(r">[^<]*<", "><", box)  # no attribute carries it
    assert "Analytikerns kommentar: Förbättringsområden" in box
    assert "<strong>tre</strong>" in notebook.comment_box(k, "Inledning").html  # Markdown itself is rendered


def test_missing_file_is_a_swedish_error_naming_the_path(tmp_path):
    missing = tmp_path / "kommentarer" / "saknas.md"
    with pytest.raises(OjError, match=r"Kommentarsfilen .*saknas\.md finns inte; ange sökvägen"):
        comments.load(str(missing))
    assert comments.load(None).avsnitt == {} and comments.load("").avsnitt == {}


@pytest.mark.parametrize(("text", "message"), [
    ("Text före rubriken\n## Inledning\nx", "har text före första rubriken"),
    ("## Inledning\nx\n## inledning\ny", "finns två gånger"),
])
def test_malformed_file(text, message):
    with pytest.raises(OjError, match=message):
        comments.parse(text, Path("k.md"))


def test_a_misspelt_heading_names_the_choices():
    k = comments.parse("## Inledningen\nx", Path("k.md"))
    with pytest.raises(OjError, match=r"Rubriken ”Inledningen” .* matchar inget avsnitt.*liknar ”Inledning”"):
        k.check(["Inledning", "Sammanfattning"])
    assert k.check(["inledningen"]) == []  # case does not matter


def test_other_headings_are_the_analysts_own_sections():
    k = comments.parse("## Inledning\nx\n## Diskussion\ny\n## Slutsatser för länet\nz", Path("k.md"))
    assert k.check(["Inledning", "Sammanfattande bild"]) == ["Diskussion", "Slutsatser för länet"]


def _section(page: str, title: str) -> str:
    """The HTML of one h2 section of an exported page."""
    m = re.search(rf"<h2 id=\"avsnitt-\d+\">{re.escape(title)}</h2>(.*?)(?=<h2 id=|</main>)", page, re.DOTALL)
    assert m, f"no section {title}"
    return m.group(1)


def test_comments_appear_in_their_sections_of_the_report(tmp_path):
    comment_file = tmp_path / "06-missbruk.md"
    comment_file.write_text(FILE, encoding="utf-8")
    page = tmp_path / "rapport.html"
    rc = main(["rapport", "--lan", "06", "--omrade", "missbruk", "-p", f"kommentarer={comment_file}",
               "--ut", str(page)])
    assert rc == 0
    text = page.read_text(encoding="utf-8")
    assert "nya samverkansavtal" in _section(text, "Inledning")
    forb = _section(text, "Förbättringsområden")
    assert "&lt;script&gt;alert" in forb and "<script>alert" not in text
    assert "Kapitelkommentar." in _section(text, "Kunskapsbaserad verksamhet")
    assert "Kapitelkommentar." not in _section(text, "Inledning")
    # "## Diskussion" names no section: the analyst's own section, after the sammanfattande bild
    own = _section(text, "Diskussion")
    assert "Analytikerns egen diskussion" in own and "&lt;i&gt;läget" in own and "<i>läget" not in text
    assert text.index(">Sammanfattande bild</h2>") < text.index(">Diskussion</h2>") < text.index(
        ">Förbättringsområden</h2>")
    assert text.count("class='oj-kommentar-rubrik'") == 4
    assert html_export.read_page_metadata(page)["lan"] == "06"


def test_missing_comment_file_stops_the_report(tmp_path, capsys):
    page = tmp_path / "rapport.html"
    rc = main(["rapport", "--lan", "06", "--omrade", "missbruk", "-p", "kommentarer=finns/inte.md",
               "--ut", str(page)])
    assert rc != 0
    err = capsys.readouterr().err
    assert "Kommentarsfilen finns/inte.md finns inte" in err and "Traceback" not in err
    assert not page.exists()


def test_example_comment_file_matches_the_jonkoping_report():
    k = comments.load(ROOT / "params" / "kommentarer" / "06-missbruk.md")
    assert k.titles and all(k.text(t) for t in k.titles)
    ds = load_dataset("exempeldata")
    own = k.check(lansrapport.section_titles(ds, {"missbruk": colours.coloured_lan_table(ds, "06", "missbruk")}))
    assert own == ["Diskussion"]  # every other heading is one of the report's sections
