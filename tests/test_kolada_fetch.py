"""Fetching from the fake Kolada v3 into the tidy dataset: exact rows, request counts, the raw
cache, incremental refresh, and failures that leave the earlier data byte-identical."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from kolada_fake import FakeKolada, data_kpis_from_reference

from ojlib.base.errors import OjError
from ojlib.data import dataset
from ojlib.data.catalog import load_catalogue
from ojlib.data.sources import kolada
from ojlib.data.sources.kolada_client import KoladaClient

DAY1 = date(2026, 3, 1)
DAY2 = date(2026, 3, 6)
KPIS = {"U35538": {"title": "Brukarbedömning missbruksvård IFO  - få kontakt, andel (%)", "gender": True},
        "N35001": {"title": "Kostnad missbruksvård vuxna, kr/inv", "gender": False}}
AREAS = [{"id": "0000", "title": "Riket", "type": "L"}, {"id": "0006", "title": "Region Jönköpings län", "type": "L"},
         {"id": "0680", "title": "Jönköping", "type": "K"}, {"id": "0604", "title": "Aneby", "type": "K"},
         {"id": "9999", "title": "Ingen kommun", "type": "K"}]
NIVA = {"0000": "riket", "0006": "lan", "0680": "kommun", "0604": "kommun"}


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def small():
    """Two KPIs, riket + one region + two kommuner + a bad code + a group, 2023–2024, 10 items a page."""
    with FakeKolada(page_size=10, areas=AREAS, data_kpis=dict(KPIS), years=[2023, 2024], null_share=0.0,
                    group_ids=("G33612",)) as f:
        yield f


def client_for(fake, **kw) -> KoladaClient:
    kw = {"sleep": Sleeps(), "base_delay": 0.01, "max_delay": 0.05, "retries": 2, "timeout": 5.0, **kw}
    return KoladaClient(fake.base_url, **kw)


def fetch_small(fake, today=DAY1, client=None, **kw):
    return kolada.fetch(kpi=list(KPIS), fran_ar=2023, till_ar=2024, client=client or client_for(fake),
                        today=today, workers=1, **kw)


def processed_bytes() -> tuple[bytes, bytes]:
    return dataset.dataset_path("kolada").read_bytes(), dataset.manifest_path("kolada").read_bytes()


def cache_files(home) -> list[str]:
    root = home / "data" / "raw" / "kolada"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def expected_rows(fake, overrides: dict | None = None, removed: set | None = None) -> pd.DataFrame:
    """The tidy rows the small fake should give, cell by cell from its value function."""
    rows = []
    for kpi, meta in KPIS.items():
        for kod, niva in NIVA.items():
            for ar in (2023, 2024):
                for kon in ("T", "M", "K") if meta["gender"] else ("T",):
                    key = (kpi, kod, ar, kon)
                    if removed and key in removed:
                        continue
                    varde, status = (overrides or {}).get(key, (fake.value(kpi, kod, ar, kon), None))
                    rows.append({"kpi": kpi, "kod": kod, "niva": niva, "ar": ar, "kon": kon, "varde": varde,
                                 "status": status if status or varde is not None else "saknas", "antal": 1,
                                 "kalla": "kolada"})
    return dataset.validate(pd.DataFrame(rows))


def assert_same_rows(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got = got.sort_values(dataset.KEY).reset_index(drop=True)
    want = want.sort_values(dataset.KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


# -- planning ---------------------------------------------------------------------------------

def test_plan_for_the_whole_catalogue_is_requests_of_at_most_25_kpis(ojhome):
    cat = load_catalogue()
    years = kolada.resolve_years(list(cat))
    plan = kolada.plan_requests(years)
    assert len(plan) == -(-len(cat) // 25)  # as few requests as 25 ids a path allow
    assert sorted(k for r in plan for k in r.kpis) == sorted(cat.ids)
    assert all(len(r.kpis) <= 25 and len(r.years) <= 25 for r in plan)
    assert all(r.path == f"data/kpi/{','.join(r.kpis)}/year/{','.join(map(str, r.years))}" for r in plan)
    assert {c for r in plan for c in r.covers} >= {(k, y) for k, ys in years.items() for y in ys}


def test_plan_chunks_long_year_lists_and_municipality_lists():
    plan = kolada.plan_requests({"N00001": list(range(1990, 2020)), "N00002": [2019]})
    assert [len(r.years) for r in plan] == [15, 15]
    assert plan[0].path.startswith("data/kpi/N00001,N00002/year/1990,")
    plan = kolada.plan_requests({"N00001": [2020]}, municipalities=[f"{i:04d}" for i in range(30)])
    assert len(plan) == 2 and "/municipality/0000," in plan[0].path


# -- normalisation ----------------------------------------------------------------------------

def test_normalise_levels_nulls_statuses_deleted_and_dropped_codes(ojhome):
    first = [
        {"kpi": "N1", "municipality": "0000", "period": 2020, "values": [
            {"gender": "T", "count": 1, "status": "", "value": 10.5, "isdeleted": False},
            {"gender": "K", "count": 1, "status": "Bortfall", "value": None},
            {"gender": "M", "count": 1, "status": "", "value": None},
            {"gender": "X", "count": 1, "status": "", "value": 1.0}]},
        {"kpi": "N1", "municipality": "0006", "period": "2020", "values": [
            {"gender": "T", "count": 3, "status": "Ej tillämpligt", "value": "7.25"}]},
        {"kpi": "N1", "municipality": "0680", "period": 2020, "values": [
            {"gender": "T", "count": 1, "status": "preliminär", "value": 1.0},
            {"gender": "K", "count": 1, "status": "", "value": "n/a"}]},
        {"kpi": "N1", "municipality": "0604", "period": 2020, "values": [
            {"gender": "T", "count": 1, "status": "", "value": 2.0, "isdeleted": True}]},
        {"kpi": "N1", "municipality": "G33612", "period": 2020, "values": [{"gender": "T", "value": 5.0}]},
        {"kpi": "N1", "municipality": "V15E144001301", "period": 2020, "values": [{"gender": "T", "value": 5.0}]},
        {"municipality": "0180", "period": 2020, "values": [{"gender": "T", "value": 1.0}]},
    ]
    changes = [
        {"kpi": "N1", "municipality": "0000", "period": 2020, "values": [
            {"gender": "T", "count": 1, "status": "", "value": 11.0, "isdeleted": False}]},
        {"kpi": "N1", "municipality": "0006", "period": 2020, "values": [
            {"gender": "T", "value": None, "is_deleted": 1}]},
    ]
    n = kolada.normalise([first, changes])
    got = n.df.sort_values(["kod", "kon"]).reset_index(drop=True)
    assert list(got.columns) == dataset.COLUMNS
    assert list(zip(got.kod, got.niva, got.kon, got.varde.fillna(-1), got.status.fillna(""), strict=True)) == [
        ("0000", "riket", "K", -1, "bortfall"),
        ("0000", "riket", "M", -1, ""),  # dataset.validate adds "saknas"
        ("0000", "riket", "T", 11.0, ""),
        ("0680", "kommun", "K", -1, ""),
        ("0680", "kommun", "T", 1.0, "preliminär"),
    ]
    assert n.deleted == 2
    assert n.dropped_codes == {"G33612": 1, "V15E144001301": 1}
    assert set(got.kalla) == {"kolada"} and list(got.antal) == [1, 1, 1, 1, 1]
    text = " ".join(n.warnings)
    assert "1 poster" in text and "okänt kön (X)" in text and "preliminär" in text and "inte tal" in text
    assert dataset.validate(n.df).loc[lambda d: d.kon == "M", "status"].tolist() == ["saknas"]


def test_normalise_of_nothing_is_an_empty_table(ojhome):
    n = kolada.normalise([])
    assert n.df.empty and list(n.df.columns) == dataset.COLUMNS


# -- fetch: exact rows, requests, cache -------------------------------------------------------

def test_fetch_lands_exact_rows_with_paging_deleted_nulls_and_mixed_levels(ojhome, small):
    small.deleted_in_full = True
    small.delete("N35001", "0680", 2023)
    small.set_values("U35538", "0604", 2024, [
        {"gender": "T", "count": 1, "status": "", "value": None, "isdeleted": False},
        {"gender": "K", "count": 1, "status": "Sekretess", "value": None, "isdeleted": False}])
    seen = []
    result = fetch_small(small, progress=lambda xs: seen.append(len(xs)) or xs)

    # 2 KPIs × 2 years × 6 codes = 24 items, 10 a page: three pages of one planned request
    assert small.log == ["/v3/data/kpi/N35001,U35538/year/2023,2024?per_page=5000",
                         "/v3/data/kpi/N35001,U35538/year/2023,2024?per_page=10&page=2",
                         "/v3/data/kpi/N35001,U35538/year/2023,2024?per_page=10&page=3"]
    assert result.http_requests == 3 and result.planned == 1 and seen == [1]

    want = expected_rows(small, overrides={("U35538", "0604", 2024, "T"): (None, "saknas"),
                                           ("U35538", "0604", 2024, "K"): (None, "sekretess")},
                         removed={("N35001", "0680", 2023, "T"), ("U35538", "0604", 2024, "M")})
    ds = dataset.load_dataset("kolada")
    assert_same_rows(ds.df, want)
    assert len(ds.df) == 30 and result.rows == 30  # 2 years × 4 areas × (3 + 1 genders) − 2
    assert set(ds.df.niva) == {"riket", "lan", "kommun"}
    assert result.dropped_codes == {"9999": 8, "G33612": 8}
    assert result.deleted == 1
    assert result.kpi_without_data == [] and result.years_without_data == []
    assert ds.info["hamtad"] == "2026-03-01" and ds.info["bas_url"] == small.base_url
    assert ds.info["kalla_text"] == "Källa: Kolada"

    files = cache_files(ojhome)
    assert len(files) == 1 and files[0].startswith("2026-03-01/") and files[0].endswith(".json")
    doc = json.loads((ojhome / "data" / "raw" / "kolada" / files[0]).read_text(encoding="utf-8"))
    assert doc["typ"] == "full" and len(doc["sidor"]) == 3 and doc["url"].endswith("/year/2023,2024")
    assert [p["count"] for p in doc["sidor"]] == [10, 10, 4]

    text = kolada.summary_text(result)
    assert "Hämtade 30 rader från Kolada för 2 indikatorer, år 2023–2024 (1 fråga, 0 ur cachen, 3 anrop" in text
    assert "16 rader för 2 områdeskoder" in text and "G33612" in text and "1 värden som Kolada markerat" in text
    assert text.endswith("Källa: Kolada.")


def test_rerun_reuses_the_cache_without_requests(ojhome, small):
    fetch_small(small)
    before = dataset.dataset_path("kolada").read_bytes()
    n = small.count
    result = fetch_small(small, today=DAY2)
    assert small.count == n and result.http_requests == 0 and result.from_cache == 1
    assert dataset.dataset_path("kolada").read_bytes() == before
    assert result.hamtad == "2026-03-01"  # the data is as old as the cached answers
    assert cache_files(ojhome) == [f for f in cache_files(ojhome) if f.startswith("2026-03-01/")]


def test_a_broken_cache_file_is_skipped_with_a_warning_and_fetched_again(ojhome, small):
    fetch_small(small)
    (path,) = (ojhome / "data" / "raw" / "kolada" / "2026-03-01").glob("*.json")
    path.write_bytes(b"not json")
    n = small.count
    result = fetch_small(small)
    assert small.count == n + 3 and result.from_cache == 0
    assert any("gick inte att läsa" in w for w in result.warnings)
    assert json.loads(path.read_bytes())["typ"] == "full"  # replaced by a good answer


def test_uppdatera_asks_for_changes_since_the_cache_and_applies_them(ojhome, small):
    fetch_small(small)
    small.set_values("N35001", "0604", 2024, [{"gender": "T", "count": 1, "status": "", "value": 999.0,
                                               "isdeleted": False}], changed="2026-03-05")
    small.delete("U35538", "0680", 2023, changed="2026-03-05")
    n = small.count
    result = fetch_small(small, today=DAY2, uppdatera=True)

    assert small.log[n:] == ["/v3/data/kpi/N35001,U35538/year/2023,2024?per_page=5000&from_date=2026-03-01"]
    want = expected_rows(small, overrides={("N35001", "0604", 2024, "T"): (999.0, None)},
                         removed={("U35538", "0680", 2023, k) for k in "TKM"})
    assert_same_rows(dataset.load_dataset("kolada").df, want)
    assert result.deleted == 3 and result.hamtad == "2026-03-06"
    assert any(f.startswith("2026-03-06/") and ".andring-2026-03-01.json" in f for f in cache_files(ojhome))

    # a plain rerun rebuilds the same state from the cache: full answer + changes, no requests
    before = dataset.dataset_path("kolada").read_bytes()
    n = small.count
    fetch_small(small, today=DAY2)
    assert small.count == n and dataset.dataset_path("kolada").read_bytes() == before


def test_utan_cache_fetches_everything_again(ojhome, small):
    fetch_small(small)
    n = small.count
    result = fetch_small(small, today=DAY2, utan_cache=True)
    assert small.count == n + 3 and result.from_cache == 0 and result.hamtad == "2026-03-06"
    assert [f.split("/")[0] for f in cache_files(ojhome)] == ["2026-03-01", "2026-03-06"]


def test_more_than_25_kpis_are_chunked_and_missing_kpis_warned(ojhome):
    served = [i.kpi for i in load_catalogue() if i.utgivare == "kolada"]  # the rest is not asked for
    assert len(served) > 25
    data = data_kpis_from_reference()
    del data["U35538"], data["N33001"]
    with FakeKolada(areas=AREAS[:4], data_kpis=data, null_share=0.0) as fake:
        result = kolada.fetch(client=client_for(fake), today=DAY1)
        requests = fake.data_requests()
        assert fake.max_ids_seen <= 25
    chunks = -(-len(served) // 25)
    # one page each, plus the unit values (/oudata) and the unit list (/ou) of the KPIs Kolada has per unit
    units = fake.unit_requests()
    assert len(requests) == chunks and result.http_requests == chunks + len(units)
    assert units and all(len(p.split("/")[4].split(",")) <= 25 for p in units if p.startswith("/v3/oudata/"))
    kpi_lists = [r.split("/")[4].split(",") for r in requests]
    assert max(len(k) for k in kpi_lists) - min(len(k) for k in kpi_lists) <= 1  # even chunks
    assert sorted(k for ks in kpi_lists for k in ks) == sorted(served)
    assert result.kpi_without_data == ["U35538", "N33001"]
    assert f"Kolada gav inga värden för 2 av {len(served)} indikatorer: U35538, N33001." in result.warnings
    assert "Indikatorer utan värden: U35538, N33001" in kolada.summary_text(result)
    df = dataset.load_dataset("kolada").df
    plan = kolada.plan_requests(kolada.resolve_years([i for i in load_catalogue() if i.utgivare == "kolada"]))
    want = {c for r in plan for c in r.covers if c[0] not in ("U35538", "N33001")}
    assert set(zip(df.kpi, df.ar.astype(int), strict=True)) == want
    assert set(df.kod) == {"0000", "0006", "0680", "0604"}


def test_years_without_any_value_are_reported(ojhome):
    with FakeKolada(areas=AREAS[:4], data_kpis=dict(KPIS), years=[2023], null_share=0.0) as fake:
        result = kolada.fetch(kpi=list(KPIS), fran_ar=2023, till_ar=2024, client=client_for(fake), today=DAY1)
    assert result.years_without_data == [2024]
    assert result.missing_years == {"U35538": [2024], "N35001": [2024]}
    assert "År utan några värden: 2024." in kolada.summary_text(result)


def test_fetching_another_omrade_keeps_the_earlier_rows(ojhome, small):
    kolada.fetch(kpi=["U35538"], fran_ar=2023, till_ar=2024, client=client_for(small), today=DAY1)
    result = kolada.fetch(kpi=["N35001"], fran_ar=2024, till_ar=2024, client=client_for(small), today=DAY2)
    ds = dataset.load_dataset("kolada")
    assert sorted(set(ds.df.kpi)) == ["N35001", "U35538"]
    assert set(ds.df.loc[ds.df.kpi == "N35001", "ar"]) == {2024}
    assert result.rows == 4 and result.rows_total == len(ds.df) == 4 + 4 * 2 * 3
    assert ds.info["hamtad"] == "2026-03-01" and ds.info["senast_hamtad"] == "2026-03-06"
    assert ds.info["hamtade_kpi"] == ["N35001", "U35538"]


def test_progress_gets_every_planned_request(ojhome):
    with FakeKolada(areas=AREAS[:4], null_share=0.0) as fake:
        seen = []

        def progress(xs):
            seen.append(len(xs))
            for x in xs:
                seen.append("done")
                yield x

        kolada.fetch(client=client_for(fake), today=DAY1, progress=progress)
    chunks = -(-sum(i.utgivare == "kolada" for i in load_catalogue()) // 25)
    units = -(-sum(i.enheter for i in load_catalogue() if i.utgivare == "kolada") // 25) + 1  # + the unit list
    assert seen == [chunks + units] + ["done"] * (chunks + units)


# -- bad input and failures -------------------------------------------------------------------

@pytest.mark.parametrize("kw, words", [
    ({"omrade": "misbruk"}, "Okänt område 'misbruk'"),
    ({"kpi": ["U99999"]}, "KPI 'U99999' finns inte i indikatorkatalogen"),
    ({"omrade": "barn_och_unga", "kpi": ["U35538"]}, "hör till området missbruk"),
    ({"fran_ar": 2024, "till_ar": 2020}, "senare än till-året"),
    ({"till_ar": 2030}, "utanför katalogens år"),
    ({"fran_ar": 2010}, "utanför katalogens år"),
])
def test_bad_input_is_one_swedish_sentence_and_asks_nothing(ojhome, small, kw, words):
    with pytest.raises(OjError, match=words):
        kolada.fetch(client=client_for(small), today=DAY1, **kw)
    assert small.count == 0
    assert not dataset.dataset_path("kolada").exists()


def test_lowercase_and_comma_separated_kpis_are_accepted(ojhome, small):
    result = kolada.fetch(kpi=["u35538,n35001"], fran_ar=2023, till_ar=2024, client=client_for(small), today=DAY1)
    assert sorted(result.kpis) == ["N35001", "U35538"]


def test_no_values_at_all_is_an_error_and_writes_no_dataset(ojhome, small):
    small.data_kpis = {}
    with pytest.raises(OjError, match="inga värden alls"):
        fetch_small(small)
    assert not dataset.dataset_path("kolada").exists()


def _fault_status_500(fake):
    fake.add_fault("status", status=500, times=99, match="page=2")


def _fault_429(fake):
    fake.add_fault("status", status=429, retry_after="0", times=99)


def _fault_truncated(fake):
    fake.add_fault("truncate", match="page=3")


def _fault_slow(fake):
    fake.add_fault("slow", delay=1.0, times=99, match="page=2")


def _fault_gone(fake):
    fake.gone = True


def _fault_foreign(fake):
    fake.next_mode = "foreign"


@pytest.mark.parametrize("fault, words, served", [
    (_fault_status_500, "HTTP 500", 1 + 3),
    (_fault_429, "HTTP 429", 3),
    (_fault_truncated, "inte giltig JSON", 3),
    (_fault_slow, "svarade inte inom", 1 + 3),
    (_fault_gone, "410", 1),
    (_fault_foreign, "annan server", 1),
])
def test_failed_fetch_leaves_processed_data_and_cache_byte_identical(ojhome, small, fault, words, served):
    fetch_small(small)
    before = processed_bytes()
    files = cache_files(ojhome)
    n = small.count
    fault(small)
    with pytest.raises(OjError, match=words):
        fetch_small(small, today=DAY2, utan_cache=True, client=client_for(small, timeout=0.2))
    assert small.count - n == served
    assert processed_bytes() == before
    assert cache_files(ojhome) == files  # nothing half-written, no temporary files left


def test_interrupted_fetch_leaves_processed_data_intact(ojhome, small):
    fetch_small(small)
    before = processed_bytes()

    def interrupt(xs):
        raise KeyboardInterrupt
        yield from xs

    with pytest.raises(KeyboardInterrupt):
        fetch_small(small, today=DAY2, utan_cache=True, progress=interrupt)
    assert processed_bytes() == before


def test_one_failing_request_stops_the_parallel_others(ojhome):
    with FakeKolada(page_size=50, areas=AREAS[:4], null_share=0.0) as fake:
        fake.add_fault("status", status=500, times=99)
        with pytest.raises(OjError, match="HTTP 500"):
            kolada.fetch(client=client_for(fake, retries=1), today=DAY1, workers=3)
        assert fake.count <= 3 * 2
    assert not dataset.dataset_path("kolada").exists()
