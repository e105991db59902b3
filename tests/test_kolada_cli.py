"""End to end: `oj hamta` and `oj indikatorer --kontrollera` against the fake Kolada, then
`oj status` and the analysis API on the fetched data; plus the source lines."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from kolada_fake import FakeKolada, read_csv

from ojlib.analysis import ranking
from ojlib.cli import main
from ojlib.data import dataset, geo
from ojlib.data.catalog import load_catalogue
from ojlib.data.source_lines import source_line
from ojlib.data.sources.kolada import survey_question
from ojlib.data.sources.kolada_client import KoladaClient
from ojlib.render import views
from ojlib.report import lansrapport


@pytest.fixture
def fake():
    with FakeKolada(page_size=2000) as f:
        yield f


def test_oj_hamta_then_status_and_the_analysis_api(ojhome, fake, capsys):
    assert main(["hamta", "--bas-url", fake.base_url, "--omrade", "missbruk"]) == 0
    out = capsys.readouterr().out
    today = date.today().isoformat()
    served = [i for i in load_catalogue().for_omrade("missbruk") if i.utgivare == "kolada"]
    assert "Hämtade " in out and f"för {len(served)} indikatorer, år 2018–2025 (1 fråga, 0 ur cachen" in out
    assert f"hämtad från Kolada: {today}" in out and out.rstrip().endswith("Källa: Kolada.")
    # only what Kolada serves is asked for; the rest is named once
    assert out.count("U35519") == 1 and "Hämtades inte (" in out and "oj importera" in out
    # KPIs × 8 years × 312 areas, 2 000 a page, one planned request
    pages = -(-len(served) * 8 * 312 // 2000)
    assert fake.count == pages

    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert "kolada:" in status and "källa: Kolada – Kolada API v3" in status
    assert f"data: hämtad från Kolada {today}" in status

    ds = dataset.load_dataset("kolada")
    assert ds.kalla == "kolada" and not ds.is_example
    assert ds.latest_year("missbruk") == 2025
    sel = ds.select(omrade="missbruk", lan="06", ar=2024, kon="T", kpi="N35001")
    assert sorted(sel.kod) == sorted(geo.kommuner_i_lan("06") + ["0006"])
    assert set(sel.niva) == {"kommun", "lan"}
    named = ds.with_names(ds.select(kommun="0680", kpi="U35538", ar=2024))
    assert set(named.namn) == {"Jönköping"} and sorted(named.kon) == ["K", "M", "T"]
    assert set(ds.df.kpi) == {i.kpi for i in served}
    table = ranking.lan_table(ds, "06", omrade="missbruk", ar=2024)  # the analysis layer on Kolada data
    assert set(table["kommunkod"]) == set(geo.kommuner_i_lan("06"))
    published = table[~table.typ.isin(["ja_nej", "skala"])]  # answers are shown as distributions
    assert set(published["länet_avser"].dropna()) == {"publicerat värde (Kolada)"}
    # the bakgrundsmått are fetched like every catalogue KPI, and shown as Kolada published them
    bakgrund = lansrapport.bakgrund(ds, "06", "missbruk", 2024)
    assert list(dict.fromkeys(bakgrund.kpi)) == [i.kpi for i in load_catalogue().bakgrund("missbruk")]
    assert set(bakgrund["år"]) == {2024} and "Källa: Kolada" in views.bakgrund_table(bakgrund).html

    # a rerun answers from the cache
    assert main(["hamta", "--bas-url", fake.base_url, "--omrade", "missbruk"]) == 0
    assert "(1 fråga, 1 ur cachen, 0 anrop" in capsys.readouterr().out
    assert fake.count == pages


def test_oj_hamta_reads_the_address_from_the_environment(ojhome, fake, monkeypatch, capsys):
    monkeypatch.setenv("OJLIB_KOLADA_URL", fake.base_url)
    assert main(["hamta", "--kpi", "U35538", "--kpi", "N35001", "--fran-ar", "2024", "--till-ar", "2024"]) == 0
    assert "för 2 indikatorer, år 2024 " in capsys.readouterr().out
    assert fake.count == 1  # 2 KPIs × 1 year × 312 areas = 624 items: one page
    assert fake.log[0] == "/v3/data/kpi/N35001,U35538/year/2024?per_page=5000"


def test_oj_hamta_failure_exits_non_zero_with_one_sentence_and_keeps_data(ojhome, fake, capsys):
    assert main(["hamta", "--bas-url", fake.base_url, "--kpi", "U35538", "--fran-ar", "2024"]) == 0
    before = dataset.dataset_path("kolada").read_bytes(), dataset.manifest_path("kolada").read_bytes()
    capsys.readouterr()
    fake.gone = True
    assert main(["hamta", "--bas-url", fake.base_url, "--kpi", "U35538", "--fran-ar", "2024", "--utan-cache"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Fel: Kolada svarar 410 Gone") and "\n" not in err and "Traceback" not in err
    assert (dataset.dataset_path("kolada").read_bytes(), dataset.manifest_path("kolada").read_bytes()) == before


@pytest.mark.parametrize("args, words", [
    (["--omrade", "misbruk"], "Okänt område"),
    (["--kpi", "U99999"], "finns inte i indikatorkatalogen"),
    (["--till-ar", "2031"], "utanför katalogens år"),
])
def test_oj_hamta_bad_input(ojhome, fake, capsys, args, words):
    assert main(["hamta", "--bas-url", fake.base_url, *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert fake.count == 0


def test_oj_indikatorer_kontrollera(ojhome, fake, capsys):
    cat = load_catalogue()
    fake.kpi_meta["N33001"]["title"] = "Kostnad barn- och ungdomsvård, kr/inv"
    fake.kpi_meta["U35538"]["title"] += " (- 2024)"  # the mark with a space, as Kolada writes it too
    fake.kpi_meta["N35009"]["title"] += " (-2025)"
    del fake.kpi_meta["U35540"]
    n_kolada = len(fake.kpi_meta)
    assert main(["indikatorer", "--kontrollera", "--bas-url", fake.base_url, "--omrade", "alla"]) == 0
    out = capsys.readouterr().out
    assert fake.count == 1  # one page
    assert f"jämförd med Koladas nyckeltalslista ({n_kolada} nyckeltal" in out
    # the ÖJ questions that left Kolada's catalogue after 2024-04, as the catalogue already says …
    gone = [i.kpi for i in cat if i.utgivare == "socialstyrelsen"]
    known = next(line for line in out.splitlines() if line.startswith("Borttagna ur Kolada, som katalogen"))
    assert f"utgivare: socialstyrelsen ({len(gone)};" in known and all(k in known for k in gone)
    # … and the one removed here, which the catalogue still says comes from Kolada
    assert "Borttagna ur Kolada (1): U35540 – ändra till utgivare: socialstyrelsen" in out
    assert ('  N33001: katalogen "Kostnad barn och ungdomsvård, kr/inv" – '
            'Kolada "Kostnad barn- och ungdomsvård, kr/inv"') in out
    assert "Markerade som upphörda i Kolada (2):" in out
    assert '  U35538: sista år 2024 ("' in out and "ändra till upphord: 2024" in out
    assert '  N35009: sista år 2025 ("' in out
    assert f"{len(cat) - len(gone) - 4} av {len(cat)} indikatorer stämmer med Kolada" in out
    assert "U35544" not in out  # same title up to whitespace (Kolada has a double space)


def test_oj_indikatorer_kontrollera_all_fine_for_one_omrade(ojhome, fake, capsys):
    keep = {i.kpi for i in load_catalogue().for_omrade("missbruk")}
    for kid in keep - set(fake.kpi_meta):  # pretend Kolada still has the retired questions
        fake.kpi_meta[kid] = {"id": kid, "title": load_catalogue()[kid].titel}
    assert main(["indikatorer", "--kontrollera", "--bas-url", fake.base_url, "-o", "missbruk"]) == 0
    assert f"Alla {len(keep)} indikatorer finns i Kolada med samma titel och beskrivning." in capsys.readouterr().out


def test_kontrollera_reports_a_changed_question_and_leaves_own_indicators_out(ojhome, fake, capsys, tmp_path):
    # the catalogue as it was in 2024-04: U26492 asked another question under the same id
    old = next(r for r in read_csv("kolada_kpi_definitionsbyten.csv") if r["id"] == "U26492")
    path = ojhome / "params" / "indikatorer.yml"
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(r for r in rows if r["kpi"] == "U26492")
    entry.update(beskrivning=old["description"], jamforbar_fran=None, anmarkning=None)
    path.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), encoding="utf-8")
    own = tmp_path / "hemtjanst.csv"
    own.write_text("Kommun;Andel hemtjänst (%)\nAneby;41\nGnosjö;38\n", encoding="utf-8")
    assert main(["importera", str(own), "--omrade", "funktionsnedsattning", "--ar", "2024"]) == 0
    capsys.readouterr()
    assert main(["indikatorer", "--kontrollera", "--bas-url", fake.base_url, "-o", "funktionsnedsattning"]) == 0
    out = capsys.readouterr().out
    assert "Ändrad fråga under samma id – ett definitionsbrott att registrera (1):" in out
    assert ("  U26492: katalogen ”Fick du veta före mötet vad mötet skulle handla om?” – Kolada ”Pratade "
            "handläggaren på mötet med dig så att du förstod?”; uppdatera titel") in out
    assert "jamforbar_fran: ÅR" in out
    assert "Egna importerade indikatorer jämförs inte med Kolada (1): egen_andel_hemtjanst." in out
    assert "egen_andel_hemtjanst" not in out.split("Egna importerade")[0]  # not called removed from Kolada


def test_catalogue_records_every_known_question_change_so_trends_break_there():
    cat = load_catalogue()
    rows = read_csv("kolada_kpi_definitionsbyten.csv")
    assert {r["id"] for r in rows} == {"U26492", "U26494"}
    for r in rows:
        ind = cat[r["id"]]
        before, now = survey_question(r["description"]), survey_question(ind.beskrivning)
        assert before and now and before != now  # another question under the same id
        assert ind.jamforbar_fran == int(r["publ_period"]) + 1 and before in ind.anmarkning
        assert ind.jamforbara_ar[0] == ind.jamforbar_fran  # a trend starts over at the new question


def test_oj_indikatorer_kontrollera_unreachable(ojhome, capsys, monkeypatch):
    with FakeKolada() as f:
        dead = f.base_url  # nothing listens here any more
    orig = KoladaClient.__init__
    monkeypatch.setattr(KoladaClient, "__init__", lambda self, *a, **kw: orig(self, *a, **{**kw, "retries": 0}))
    assert main(["indikatorer", "--kontrollera", "--bas-url", dead]) == 2
    assert "gick inte att nå Kolada" in capsys.readouterr().err


def test_source_lines():
    assert source_line("kolada") == "Källa: Kolada"
    assert source_line("kolada", derived=True) == "Bearbetning av data från Kolada"
    assert source_line("exempeldata") == source_line("exempeldata", True) == "Exempeldata – inte verkliga resultat"
    assert source_line("egen.xlsx") == "Källa: egen.xlsx"
    with pytest.raises(ValueError):
        source_line("")
