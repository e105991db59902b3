"""The source registry and several sources in one dataset: precedence, row sources, source lines,
and the catalogue indicators that have no values ("Saknas i datakällan")."""

import pandas as pd
import pytest

from ojlib.analysis import ranking
from ojlib.base import memo
from ojlib.base.errors import OjError
from ojlib.data import dataset, shared
from ojlib.data.source_lines import EXEMPELDATA, source_line
from ojlib.data.sources import registry
from ojlib.render import notebook
from ojlib.report import request


def _rows(kalla, kpi, values: dict, ar=2024):
    return pd.DataFrame([{"kpi": kpi, "kod": kod, "niva": "kommun", "ar": ar, "kon": "T", "varde": v,
                          "status": None, "antal": None, "kalla": kalla} for kod, v in values.items()])


@pytest.fixture
def two_sources(ojhome):
    # Kolada: a brukarbedömning share for two kommuner, one of them missing
    dataset.save_dataset(_rows("kolada", "U35538", {"0680": 80.0, "0682": None}), "kolada", {"hamtad": "2026-11-01"})
    # own import: an ÖJ question Kolada no longer has, and the same Kolada key with another value
    egen = pd.concat([_rows("egen", "U35519", {"0680": 1.0, "0682": 0.0}),
                      _rows("egen", "U35538", {"0680": 50.0, "0682": 70.0})])
    dataset.save_dataset(egen, "egen", {"fil": "oj_missbruk_2024.xlsx"})
    return ojhome


def test_registry_entries_and_source_lines():
    assert registry.keys() == ("kolada", "egen", "exempeldata")
    kolada = registry.get("kolada")
    assert kolada.credit() == "Källa: Kolada" and kolada.credit(derived=True) == "Bearbetning av data från Kolada"
    assert kolada.matches_id("N35001") and not kolada.matches_id("egen_1")
    assert registry.get("exempeldata").credit(derived=True) == EXEMPELDATA
    assert "oj importera" in registry.get("egen").fix_hint
    with pytest.raises(OjError, match="Okänd datakälla 'kolda'"):
        registry.get("kolda")
    infos = {"egen": {"filer": [{"fil": "oj_2025.xlsx", "kalla_text": "Socialstyrelsen, Öppna jämförelser 2025"},
                                {"fil": "hemtjanst.csv", "kalla_text": None}]}}
    assert registry.credit_line(["kolada", "egen"], infos) == ("Källa: Kolada; Socialstyrelsen, Öppna jämförelser "
                                                               "2025 (importerad fil oj_2025.xlsx); egen fil "
                                                               "hemtjanst.csv")
    assert registry.credit_line(["kolada", "exempeldata"], {}, derived=True) == \
        f"Bearbetning av data från Kolada; {EXEMPELDATA}"
    assert source_line("egen.xlsx") == "Källa: egen.xlsx"  # a file name is credited as it is


def test_parse_datakalla(ojhome):
    assert registry.parse("kolada,egen") == ["kolada", "egen"]
    assert registry.parse(["egen", "kolada", "egen"]) == ["egen", "kolada"]
    assert registry.parse("alla", available=lambda k: True) == ["kolada", "egen"]  # never exempeldata
    with pytest.raises(OjError, match="ingen verklig data"):
        dataset.parse_kallor("alla")


def test_combined_dataset_keeps_row_sources_and_states_precedence(two_sources):
    ds = dataset.load_dataset("kolada,egen")
    assert ds.kallor == ["kolada", "egen"] and not ds.is_example
    d = ds.df.set_index(["kpi", "kod"])
    assert d.loc[("U35538", "0680"), "varde"] == 80.0 and d.loc[("U35538", "0680"), "kalla"] == "kolada"
    # Kolada has no value for 0682: the imported value fills the gap and says where it came from
    assert d.loc[("U35538", "0682"), "varde"] == 70.0 and d.loc[("U35538", "0682"), "kalla"] == "egen"
    assert d.loc[("U35519", "0680"), "kalla"] == "egen"
    assert dataset.load_dataset("egen,kolada").df.set_index(["kpi", "kod"]).loc[("U35538", "0680"), "varde"] == 50.0
    assert dataset.load_dataset("alla").kallor == ["kolada", "egen"]
    assert ds.kallor_used(["U35519"]) == ["egen"] and ds.kallor_used(["U35538"]) == ["kolada", "egen"]
    # the source line of a table names exactly the sources of its values
    t = ranking.kommun_table(ds, kpi="U35519", ar=2024)
    assert t.attrs["kalla"] == "egen"
    own = "oj_missbruk_2024.xlsx"  # the file does not say it is ÖJ: it is named, not credited to Socialstyrelsen
    assert source_line(t.attrs["kalla"]) == f"Källa: egen fil {own}"
    both = ranking.kommun_table(ds, omrade="missbruk", ar=2024)
    assert source_line(both.attrs["kalla"], derived=True) == f"Bearbetning av data från Kolada; egen fil {own}"


def test_example_data_mixed_in_stays_marked(two_sources):
    from ojlib.data.sources import example

    example.build()
    ds = dataset.load_dataset("kolada,exempeldata")
    assert ds.is_example
    t = ranking.kommun_table(ds, omrade="missbruk", ar=2024)
    assert EXEMPELDATA in source_line(t.attrs["kalla"], derived=True) and t.attrs["exempeldata"]


def test_missing_indicators_are_named(two_sources):
    p, ds = request.notebook("lansanalys", lan="06", omrade="missbruk", ar=2024, datakalla="kolada,egen")
    assert p.datakalla == "kolada,egen"
    missing = {i.kpi for i in ds.missing_indicators("missbruk", 2024)}
    assert "U35519" not in missing and "U35538" not in missing and "U35518" in missing
    text = notebook.saknas_text(p, ds)
    assert text.startswith("**Saknas i datakällan (2024):**")
    assert "inga värden i Kolada och Egen import." in text
    workbooks = "finns i Socialstyrelsens ÖJ-arbetsböcker (Kolada slutade publicera dem 2024; läs in med `oj importera"
    assert "Manualbaserad rekommenderad insats (U35518)" in text and workbooks in text
    assert text.count(workbooks) == 1  # one sentence per reason, not one per indicator
    assert "Kostnad missbruksvård vuxna (N35001)" in text and ": hämtas från Kolada med `oj hamta`." in text
    with pytest.raises(OjError, match="Det finns ingen data från exempeldata ännu"):
        request.notebook("lansanalys", lan="06", omrade="missbruk", datakalla=["kolada", "exempeldata"])


def test_published_values_are_labelled_with_their_own_source(ojhome):
    kolada = pd.concat([_rows("kolada", "U35538", {"0680": 80.0, "0682": 60.0}),
                        _rows("kolada", "U35538", {"0000": 75.0}).assign(niva="riket")])
    dataset.save_dataset(kolada, "kolada", {"hamtad": "2026-11-01"})
    egen = pd.concat([_rows("egen", "U35548", {"0680": 90.0, "0682": 70.0}),
                      _rows("egen", "U35548", {"0000": 81.0}).assign(niva="riket")])
    dataset.save_dataset(egen, "egen", {"fil": "egen.xlsx"})
    t = ranking.kommun_table(dataset.load_dataset("kolada,egen"), kpi=["U35538", "U35548"], ar=2024)
    avser = t.groupby("kpi").riket_avser.first().to_dict()
    assert avser == {"U35538": "publicerat värde (Kolada)", "U35548": "publicerat värde (Egen import)"}


def test_combined_dataset_is_loaded_once_per_process(two_sources):

    memo.clear()
    a = shared.dataset("kolada,egen")
    b = shared.dataset("kolada,egen")
    assert a.kallor == ["kolada", "egen"] and a.df is not b.df and memo.fingerprint(a) == memo.fingerprint(b)
    assert a.df.equals(dataset.load_dataset("kolada,egen").df)
    egen = dataset.load_dataset("egen").df.assign(varde=55.0)
    dataset.save_dataset(egen, "egen", {"fil": "ny.xlsx"})  # a changed file is never served from the cache
    assert memo.fingerprint(shared.dataset("kolada,egen")) != memo.fingerprint(a)
    memo.clear()
