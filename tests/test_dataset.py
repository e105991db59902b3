"""The tidy dataset: validation, atomic saves that lose nothing, the query API, own files."""

import pandas as pd
import pytest

from ojlib.analysis import ranking
from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.data import dataset, enheter, geo
from ojlib.data.sources import registry


def _rows(**override):
    base = {"kpi": ["U35519", "U35519", "U35519"], "kod": ["0680", "0006", "0000"],
            "niva": ["kommun", "lan", "riket"], "ar": [2023, 2023, 2023], "kon": ["T", "T", "T"],
            "varde": [1.0, 61.5, None], "status": [None, "andel_ja", None], "antal": [None, 13, None],
            "kalla": ["exempeldata"] * 3}
    base.update(override)
    return pd.DataFrame(base)


def test_validate_gives_canonical_types_and_fills_missing_reason():
    df = dataset.validate(_rows())
    assert list(df.columns) == dataset.COLUMNS
    assert str(df.ar.dtype) == "int32" and str(df.antal.dtype) == "Int64"
    assert df.set_index("kod").at["0000", "status"] == "saknas"


@pytest.mark.parametrize("override,message", [
    ({"kod": ["0680", "0006", "9999"]}, r"okända områdeskoder \(9999\)"),
    ({"kod": ["0680", "0680", "0000"], "niva": ["kommun", "kommun", "riket"]},
     "samma nyckel, t.ex. kpi U35519, kod 0680"),
    ({"kon": ["T", "X", "T"]}, r"okända värden i kolumnen kon \(X\)"),
    ({"ar": [2023, 2023.5, 2023]}, "år som inte är heltal"),
    ({"niva": ["kommun", "kommun", "riket"]}, "nivån 'kommun' för koden 0006, som är lan"),
])
def test_validate_rejects_bad_rows(override, message):
    with pytest.raises(OjError, match=message):
        dataset.validate(_rows(**override))


def test_failed_save_leaves_previous_data_byte_identical(ojhome):
    good = _rows()
    path = dataset.save_dataset(good, "exempeldata")
    before = path.read_bytes(), dataset.manifest_path("exempeldata").read_bytes()
    with pytest.raises(OjError):
        dataset.save_dataset(_rows(kod=["0680", "0006", "1234"]), "exempeldata")
    assert (path.read_bytes(), dataset.manifest_path("exempeldata").read_bytes()) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["exempeldata.json", "exempeldata.parquet"]


def test_load_missing_and_corrupt_files(ojhome):
    with pytest.raises(OjError, match="ingen data från kolada ännu; kör `oj hamta`"):
        dataset.load_dataset("kolada")
    dataset.dataset_path("exempeldata").write_bytes(b"inte parquet")
    with pytest.raises(OjError, match="går inte att läsa som Parquet"):
        dataset.load_dataset("exempeldata")
    with pytest.raises(OjError, match="Okänd datakälla 'scb'"):
        dataset.load_dataset("scb")


def test_select_by_lan_kommun_year_kpi(example_ds):
    ds = example_ds
    jkpg = ds.select(lan="06", ar=2023, kpi="U35519", kon="T")
    assert set(jkpg.niva) == {"kommun", "lan"} and len(jkpg) == 13 + 1
    assert ds.select(kommun=["0680", "Vetlanda"], omrade="missbruk").kod.unique().tolist() == ["0680", "0685"]
    assert set(ds.select(omrade="barn_och_unga").kpi) == {i.kpi for i in ds.cat.for_omrade("barn_och_unga")}
    assert ds.select(niva="riket", ar=[2019, 2020], kpi="U35519").ar.tolist() == [2019, 2020]
    named = ds.with_names(ds.select(kommun="0180", kpi="U35519", ar=2023))
    assert named.namn.iloc[0] == "Stockholm" and named.indikator.iloc[0] == "Stödprogram för närstående"


def test_select_errors_are_swedish(example_ds):
    with pytest.raises(OjError, match="Okänd länskod '30'"):
        example_ds.select(lan="30")
    with pytest.raises(OjError, match="KPI 'U99999' finns inte i indikatorkatalogen"):
        example_ds.select(kpi="U99999")
    with pytest.raises(OjError, match="inga värden för år 2030 i exempeldata; tillgängliga år är 2018–2025"):
        example_ds.check_year(2030)
    assert example_ds.latest_year("missbruk") == 2025
    assert example_ds.check_year("2024", "missbruk") == 2024


def test_import_own_file(ojhome, tmp_path, capsys):
    good = tmp_path / "egen.csv"
    good.write_text("kpi,kod,ar,varde\nU35519,680,2023,1\nU35519,0685,2023,0\n", encoding="utf-8")
    assert main(["importera", str(good)]) == 0
    ds = dataset.load_dataset("egen")
    # rows keep the registry key (the file name stays in the manifest and the credit line)
    assert ds.df.kod.tolist() == ["0680", "0685"] and set(ds.df.kalla) == {"egen"}
    assert ds.info["filer"][0]["fil"] == "egen.csv" and ds.info["filer"][0]["kalla_text"] is None
    # a workbook KPI, but the file does not say it is ÖJ: credited by its name
    assert registry.credit_line(["egen"], {"egen": ds.info}) == "Källa: egen fil egen.csv"
    before = dataset.dataset_path("egen").read_bytes()
    bad = tmp_path / "fel.csv"
    bad.write_text("kpi,kod,ar,varde\nU35519,0680,2023,1\nU35519,0680,2023,0\n", encoding="utf-8")
    assert main(["importera", str(bad)]) == 2
    assert "ger olika värden för samma indikator (U35519), enhet (0680) och år (2023)" in capsys.readouterr().err
    unknown = tmp_path / "okand.csv"
    unknown.write_text("kpi,kod,ar,varde\nU35519,0999,2023,1\n", encoding="utf-8")
    assert main(["importera", str(unknown)]) == 2
    assert "rad 2: kod '0999' kpi 'U35519' (okänd kommunkod 0999)" in capsys.readouterr().err
    assert dataset.dataset_path("egen").read_bytes() == before


@pytest.mark.parametrize("kw", [{"lan": "06", "omrade": "funktionsnedsattning"}, {"omrade": "missbruk"},
                                {"kommun": ["0680", "1480"], "ar": [2023, 2024]}, {"lan": "14"}])
def test_load_selection_reads_the_same_rows_as_select(example_ds, kw):
    """The polars path (filters pushed into the Parquet scan, only those rows validated) gives the frame
    ``load_dataset(...).select(...)`` gives: same rows, order and types."""
    got = dataset.load_selection("exempeldata", **kw)
    pd.testing.assert_frame_equal(got.df, example_ds.select(**kw), check_exact=True)
    assert got.kalla == "exempeldata" and got.is_example and got.info == example_ds.info


def test_national_table_on_the_omrade_selection_equals_the_full_one(example_ds):
    full = ranking.kommun_table(example_ds, "funktionsnedsattning", _shared=False)
    part = ranking.kommun_table(dataset.load_selection("exempeldata", omrade="funktionsnedsattning"),
                                "funktionsnedsattning", _shared=False)
    pd.testing.assert_frame_equal(part, full)
    assert part.attrs == full.attrs


def test_units_of_a_lan_from_the_lazy_scan(example_ds):
    units = enheter.select("exempeldata", lan="06", omrade="funktionsnedsattning", ar=2024)
    assert set(units["kod"]) <= set(geo.kommuner_i_lan("06")) and units.height > 0
    assert set(units["ar"]) == {2024} and set(units["kalla"]) == {"exempeldata"}
    assert set(units["kpi"]) <= {i.kpi for i in example_ds.cat.for_omrade("funktionsnedsattning") if i.enheter}
    assert enheter.read_manifest("exempeldata")["markning"] == "Exempeldata – inte verkliga resultat"
