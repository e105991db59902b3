"""Stadsdelar (Stockholm) and socialförvaltningar (Göteborg) from an imported ÖJ workbook in the län report:
a row right under their kommun in the answer matrix and the tables, marked ↳ and with a note, and never
counted in länet's value, the ranking, the colour limits or the förbättringsområden."""

from __future__ import annotations

import html
import re

import pandas as pd
import workbooks as wb

from ojlib.analysis import ranking
from ojlib.cli import main
from ojlib.data import dataset, geo
from ojlib.publish import stadsdelar
from ojlib.render import presentation, tables, views
from ojlib.report import build, request

ROW_HEADING = re.compile(r"<tr[^>]*>\s*<th[^>]*>(.*?)</th>", re.DOTALL)


def _import_workbook(tmp_path) -> None:
    kommuner = geo.kommuner()
    book = wb.oj_workbook_with_stadsdelar(tmp_path / "oj_missbruk_2025.xlsx",
                                          list(zip(kommuner.kommun_kod, kommuner.kommun_namn, strict=True)))
    assert main(["importera", str(book)]) == 0


def _row_headings(table_html: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in ROW_HEADING.findall(table_html)]


def _tables_with(page: str, kommun: str) -> list[list[str]]:
    """The row headings of every table on the page that has a row headed by the kommun."""
    out = []
    for t in re.findall(r"<table.*?</table>", page, re.DOTALL):
        heads = _row_headings(t)
        if kommun in heads:
            out.append(heads)
    return out


def test_stockholm_lan_report_shows_imported_stadsdelar_under_stockholm(ojhome, tmp_path):
    _import_workbook(tmp_path)
    page_path = tmp_path / "lan01.html"
    assert main(["rapport", "--lan", "01", "--omrade", "missbruk", "--datakalla", "egen",
                 "--ut", str(page_path)]) == 0
    page = page_path.read_text(encoding="utf-8")
    want = [f"↳ {n}" for n in sorted(wb.OJ_STADSDELAR["0180"])]
    found = _tables_with(page, "Stockholm")
    # the answer matrix of the overview and of each chapter, and the development table (values and changes)
    assert len(found) >= 5, [h[:3] for h in found]
    for heads in found:
        at = heads.index("Stockholm")
        assert heads[at + 1:at + 1 + len(want)] == want, heads  # each stadsdel right after Stockholm, in order
        assert not any(h.startswith("↳") for h in heads[at + 1 + len(want):at + 2 + len(want)])  # then a kommun
        assert sum(h.startswith("↳") for h in heads) == len(want)  # no other kommun got them
    # the overview matrix: Rinkeby-Kista's answers are the workbook's, in the matrix's column order
    matrix = page[page.index("Ja/Nej- och skalfrågor</h4>"):]
    matrix = matrix[:matrix.index("</table>")]
    row = re.search(r"↳ Rinkeby-Kista</th>(.*?)</tr>", matrix, re.DOTALL).group(1)
    answers = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    ja_kunskap_1, ja_kunskap_2, ja_helhet, andel = wb._oj_values(1)  # U35519, U35518, U35513, U35548
    assert answers == [ja_helhet, ja_kunskap_1, ja_kunskap_2]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert f"↳ Rinkeby-Kista {andel} %" in text  # the share in the overview table
    assert "står indragna under sin kommun" in text and "De räknas inte in i länets värde" in text
    assert "Göteborg" not in _row_headings(matrix)


def test_the_lan_value_ranking_and_colours_are_the_same_with_and_without_stadsdel_rows(ojhome, tmp_path):
    _import_workbook(tmp_path)
    ds = dataset.load_dataset("egen")
    assert (ds.df.niva == "stadsdel").sum() == 4 * 6
    without = dataset.Dataset(df=ds.df[ds.df.niva != "stadsdel"].reset_index(drop=True), kalla=ds.kalla,
                              info=ds.info, catalogue=ds.catalogue)
    for lan, kommun in (("01", "0180"), ("14", "1480")):
        a, b = build.facts(ds, lan, "missbruk", None), build.facts(without, lan, "missbruk", None)
        assert set(a.stadsdelar.kommunkod) == {kommun} and b.stadsdelar.empty
        cols = ["kommunkod", "kpi", "värde", "länet", "riket", "länet_text", "riket_text", "färg", "färgklass",
                "färgregel"]
        pd.testing.assert_frame_equal(a.tabell[cols], b.tabell[cols])
        assert a.rangordning == b.rangordning
        pd.testing.assert_frame_equal(a.forbattringsomraden, b.forbattringsomraden)
        pd.testing.assert_frame_equal(a.trender, b.trender)
        # the rows are in the tables, but the tables' own rows are the kommuner's
        html_a = views.answer_matrix(ds, a.tabell, stadsdelar=a.stadsdelar).html
        html_b = views.answer_matrix(without, b.tabell, stadsdelar=b.stadsdelar).html
        assert "↳" in html_a and "↳" not in html_b
        assert re.sub(r"<tr class='oj-stadsdel'>.*?</tr>", "", html_a).replace(
            f"<p class='oj-not'>{html.escape(tables.STADSDEL_NOTE)} Deras svar färgas efter svaret, som "
            "kommunernas.</p>", "") == html_b
    # two units of one name in one kommun (Göteborg's Centrum, stadsdelsförvaltning until 2020 and
    # socialförvaltning since): each its own row, told apart by its code
    twice = ds.df[ds.df.kod.isin(["148001", "148004"])].assign(kod=lambda d: d.kod.map({"148001": "148002",
                                                                                       "148004": "148014"}))
    both = dataset.Dataset(df=pd.concat([ds.df, twice], ignore_index=True), kalla=ds.kalla, info=ds.info,
                           catalogue=ds.catalogue)
    f = build.facts(both, "14", "missbruk", None)
    assert set(f.stadsdelar.stadsdel) == {"Centrum (148002)", "Centrum (148014)", "Hisingen", "Nordost"}
    heads = _row_headings(tables.overview(f.tabell, stadsdelar=f.stadsdelar).html)
    at = heads.index("Göteborg")
    assert heads[at + 1:at + 5] == ["↳ Centrum (148002)", "↳ Centrum (148014)", "↳ Hisingen", "↳ Nordost"]


def _nav(kommun: str, title: str) -> str:
    return f'<nav class="topp"><a href="index.html">Alla rapporter</a> › {html.escape(title)}</nav>'


def test_the_site_has_a_page_per_stadsdel_with_data_linked_from_its_kommun(ojhome, tmp_path):
    _import_workbook(tmp_path)
    folder = tmp_path / "webb"
    assert main(["rapporter", "--lan", "01", "--kommun", "0180", "--omrade", "missbruk", "--datakalla", "egen",
                 "--ut", str(folder)]) == 0
    made = sorted(p.name for p in folder.glob("stadsdel-*.html"))
    # Stockholm's four stadsdelar in the workbook; not Göteborg's (no page of the site covers Göteborg)
    assert made == [stadsdelar.page_name(k) for k in sorted(wb.OJ_STADSDEL_ROWS["0180"])]
    page = (folder / "stadsdel-018001.html").read_text(encoding="utf-8")
    heads = re.findall(r"<th scope='col'>([^<]*)</th>", page)
    assert heads[:5] == ["Indikator", "Rinkeby-Kista", "Stockholm", "Länet", "Riket"]
    ds = dataset.load_dataset("egen")
    table = ranking.lan_table(ds, "01", "missbruk", None)
    own = table[table.kommunkod == "0180"].set_index("kpi")
    ja_kunskap_1, ja_kunskap_2, ja_helhet, andel = wb._oj_values(1)
    for kpi, value in (("U35519", ja_kunskap_1), ("U35518", ja_kunskap_2), ("U35513", ja_helhet),
                       ("U35548", f"{andel}\xa0%")):  # numbers as formatted: a no-break space
        row = re.search(rf"{re.escape(html.escape(own.at[kpi, 'indikator']))} <span class='år'>\(2025\)</span></th>"
                        r"(.*?)</tr>", page, re.DOTALL).group(1)
        cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
        assert cells[:4] == [value, own.at[kpi, "värde_text"], own.at[kpi, "länet_text"], own.at[kpi, "riket_text"]]
    assert "räknas inte in i dem" in page and "Kommunprofil" not in page.split("<main>")[1][:200]
    assert re.search(r'<nav class="topp"[^>]*>.*href="kommunprofil-0180-missbruk\.html">Stockholm</a>', page, re.DOTALL)
    assert re.search(r'Se även: <a href="lansanalys-01[^"]*">Länsanalys Missbruks', page)
    # linked from the kommun's profile, the index, and its row in every table of the län report
    profile = (folder / "kommunprofil-0180-missbruk.html").read_text(encoding="utf-8")
    index = (folder / "index.html").read_text(encoding="utf-8")
    (lan_page,) = folder.glob("lansanalys-01*.html")
    report = lan_page.read_text(encoding="utf-8")
    for name in made:
        assert f'href="{name}"' in profile and f'href="{name}"' in index
    # the profile lists them under Stockholm's row, each linked to its page, and says they count nowhere
    assert "Stadsdelar i Stockholm: Missbruks" in profile and "räknas inte in i länets" in profile
    (listed,) = _tables_with(profile, "Stockholm")
    names = geo.stadsdelar().set_index("kod").namn
    assert listed == ["Kommun / stadsdel", "Stockholm"] + sorted(f"↳ {names[k]}" for k in wb.OJ_STADSDEL_ROWS["0180"])
    for kod in wb.OJ_STADSDEL_ROWS["0180"]:
        assert re.search(rf'<a class="stadsdel" href="{stadsdelar.page_name(kod)}">↳ ', profile)
    for heads in _tables_with(report, "Stockholm"):
        assert "↳ Rinkeby-Kista" in heads
    linked = re.findall(r'<a class="stadsdel" href="stadsdel-018001\.html">↳ Rinkeby-Kista</a></th>', report)
    assert len(linked) == len(_tables_with(report, "Stockholm"))
    # built only while stadsdel data exists: without the rows, the next build removes the pages
    df = ds.df[ds.df.niva != "stadsdel"].reset_index(drop=True)
    dataset.save_dataset(df, "egen", dataset.read_manifest("egen"))
    assert main(["rapport", "--kommun", "0180", "--omrade", "missbruk", "--datakalla", "egen",
                 "--ut", str(folder)]) == 0
    assert not list(folder.glob("stadsdel-*.html"))
    assert "stadsdel-" not in (folder / "index.html").read_text(encoding="utf-8")


def test_a_stadsdel_name_with_markup_is_text_on_its_page_and_in_the_report(ojhome, tmp_path, monkeypatch):
    _import_workbook(tmp_path)
    ds = dataset.load_dataset("egen")
    evil = '<a href="https://ev.il/">Rinkeby</a><script>alert(1)</script>'
    ref = geo.stadsdelar().copy()
    ref.loc[ref.kod == "018001", "namn"] = evil
    monkeypatch.setattr(geo, "stadsdelar", lambda: ref)  # a tampered reference list
    page = stadsdelar.page(ds, "018001", _nav("0180", evil))
    f = build.facts(ds, "01", "missbruk", None)
    shown = [page, views.answer_matrix(ds, f.tabell, stadsdelar=f.stadsdelar).html,
             tables.overview(f.tabell, stadsdelar=f.stadsdelar).html]
    for text in shown:
        assert "<script>alert" not in text and '<a href="https://ev.il/"' not in text
        assert f"↳ {evil}" in html.unescape(text) or f"{evil}, Stockholm" in html.unescape(text)  # shown as text


def test_the_decks_answer_matrix_has_the_stadsdelar_under_their_kommun(ojhome, tmp_path):
    _import_workbook(tmp_path)
    ds = dataset.load_dataset("egen")
    deck = presentation.lan_deck(ds, request.parse({"lan": "01", "omrade": "missbruk", "datakalla": "egen"}, deck=True))
    matrices = [b for b in deck.bilder if b.typ == "matris"]
    assert matrices
    ja_kunskap_1, ja_kunskap_2, ja_helhet, _ = wb._oj_values(1)
    want = {"U35519": ja_kunskap_1, "U35518": ja_kunskap_2, "U35513": ja_helhet}
    with_stockholm = [b for b in matrices if any(namn == "Stockholm" for namn, _, _ in b.data["rader"])]
    assert with_stockholm
    for b in matrices:  # the slide with Stockholm has its stadsdelar right under it; no other slide has any
        names = [namn for namn, _, _ in b.data["rader"]]
        if b not in with_stockholm:
            assert not any(n.startswith("↳") for n in names) and "stadsdel" not in b.underrubrik
            continue
        assert "↳ stadsdel, räknas inte i länet" in b.underrubrik  # said on the slide itself
        at = names.index("Stockholm")
        assert names[at + 1:at + 5] == [f"↳ {n}" for n in sorted(wb.OJ_STADSDELAR["0180"])]
        assert sum(n.startswith("↳") for n in names) == 4
        row = next(r for namn, _, r in b.data["rader"] if namn == "↳ Rinkeby-Kista")
        assert [text for text, _ in row] == [want[k] for k in b.data["kpi"]]
    assert any(tables.STADSDEL_NOTE in " ".join(b.anteckningar) for b in matrices)
    presentation.write(deck, tmp_path / "lan01.pptx")  # it draws


def test_export_has_stadsdel_rows_marked_and_counted_nowhere(ojhome, tmp_path):
    """oj export: Excel's Översikt shows each stadsdel under its kommun (↳, not coloured), read back by
    LibreOffice as a reader opens it; the long table (CSV, sheet Tabell) has their rows marked nivå stadsdel;
    the kommuner's rows, länet and riket are the same as without them; a name from data never a formula."""
    import csv
    import shutil
    import subprocess

    import pytest

    _import_workbook(tmp_path)
    ds = dataset.load_dataset("egen")
    sd = geo.stadsdelar().set_index("kod").namn
    codes = wb.OJ_STADSDEL_ROWS["0180"]
    xlsx, csv_path = tmp_path / "ut.xlsx", tmp_path / "ut.csv"
    for fmt, path in (("xlsx", xlsx), ("csv", csv_path)):
        assert main(["export", "--lan", "01", "--omrade", "missbruk", "--datakalla", "egen", "--format", fmt,
                     "--ut", str(path)]) == 0
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    stadsdel = [r for r in rows if r["nivå"] == "stadsdel"]
    assert {r["stadsdelkod"] for r in stadsdel} == set(codes) and {r["kommun"] for r in stadsdel} == {"Stockholm"}
    assert all(r["färg"] == "" and r["rang_i_länet"] == "" and r["länet"] == "" for r in stadsdel)
    kommun_rows = [r for r in rows if r["nivå"] == "kommun"]
    without = dataset.Dataset(df=ds.df[ds.df.niva != "stadsdel"].reset_index(drop=True), kalla=ds.kalla,
                              catalogue=ds.cat)
    plain = ranking.lan_table(without, "01", "missbruk", None)
    assert len(kommun_rows) == len(plain)
    by = {(r["kpi"], r["kommunkod"]): r for r in kommun_rows}
    for rec in plain.itertuples():  # länet and riket computed without the stadsdelar
        assert by[(rec.kpi, rec.kommunkod)]["länet_text"] == rec.länet_text
    # each stadsdel row right after Stockholm's row for the same indicator
    at = [i for i, r in enumerate(rows) if r["nivå"] == "kommun" and r["kommunkod"] == "0180"]
    for i in at:
        after = rows[i + 1:i + 1 + len(codes)]
        assert all(r["nivå"] == "stadsdel" and r["kpi"] == rows[i]["kpi"] for r in after) or \
            not any(r["kpi"] == rows[i]["kpi"] for r in stadsdel)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice saknas; .ci/run installerar libreoffice-calc")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):59,34,76,1", "--outdir", str(tmp_path / "lo-ut"), str(xlsx)],
                   check=True, timeout=240, capture_output=True)
    with open(tmp_path / "lo-ut" / "ut.csv", encoding="utf-8", newline="") as fh:
        sheet = list(csv.reader(fh, delimiter=";"))  # the first sheet, Översikt, as LibreOffice reads it
    first = [r[0] for r in sheet]
    at = first.index("Stockholm")
    assert first[at + 1:at + 1 + len(codes)] == sorted(f"↳ {sd[k]}" for k in codes)
    assert first.index("Länet") > at + len(codes)
    assert not any(c.startswith("=") for r in sheet for c in r)
