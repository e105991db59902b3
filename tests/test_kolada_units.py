"""Unit values (``/ou`` and ``/oudata``) from the fake Kolada v3: every unit value lands once and
exactly, paging and the 25-id limit hold, a KPI without unit data asks no unit requests, faults
leave the processed files as they were, and the unit cache survives kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from kolada_fake import FakeKolada

from ojlib.base.errors import OjError
from ojlib.cli import main
from ojlib.data import dataset, enheter
from ojlib.data.catalog import Catalogue, Indicator, load_catalogue
from ojlib.data.sources import kolada
from ojlib.data.sources.kolada_cache import request_key
from ojlib.data.sources.kolada_client import KoladaClient

ROOT = Path(__file__).resolve().parents[1]
DAY1 = date(2026, 3, 1)
UNIT_KPI = "U28518"  # Brukarbedömning gruppbostad LSS, unit type V29E (divided by sex)
PLAIN_KPI = "N35001"  # a cost: no unit data
AREAS = [{"id": "0000", "title": "Riket", "type": "L"}, {"id": "0006", "title": "Region Jönköpings län", "type": "L"},
         {"id": "0680", "title": "Jönköping", "type": "K"}, {"id": "0604", "title": "Aneby", "type": "K"}]
UNITS = ([{"id": f"V29E0680{n:02d}", "municipality": "0680", "title": f"Gruppbostad Jönköping {n}"}
          for n in range(1, 8)]
         + [{"id": f"V29E0604{n:02d}", "municipality": "0604", "title": f"Gruppbostad Aneby {n}"} for n in range(1, 4)])


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(fake, **kw) -> KoladaClient:
    return KoladaClient(fake.base_url, **{"sleep": Sleeps(), "base_delay": 0.01, "max_delay": 0.05, "retries": 2,
                                          "timeout": 5.0, **kw})


def kpis_meta(cat: Catalogue, kpis) -> dict:
    return {k: {"title": cat[k].titel, "gender": cat[k].kon} for k in kpis}


@pytest.fixture
def fake():
    cat = load_catalogue(ROOT / "params" / "indikatorer.yml")
    with FakeKolada(page_size=10, areas=AREAS, years=[2023, 2024], null_share=0.1, units=UNITS,
                    data_kpis=kpis_meta(cat, [UNIT_KPI, PLAIN_KPI]), ou_kpis=kpis_meta(cat, [UNIT_KPI])) as f:
        yield f


def fetch(fake, kpis=(UNIT_KPI, PLAIN_KPI), client=None, **kw):
    return kolada.fetch(kpi=list(kpis), fran_ar=2023, till_ar=2024, client=client or client_for(fake), today=DAY1,
                        workers=kw.pop("workers", 1), **kw)


def expected_units(fake, kpi=UNIT_KPI, years=(2023, 2024)) -> set:
    """Every (kpi, ou, kod, ar, kon, value) the fake serves, from its value function."""
    out = set()
    for u in fake.units:
        for ar in years:
            for kon in ("T", "M", "K") if fake.ou_kpis[kpi]["gender"] else ("T",):
                out.add((kpi, u["id"], u["municipality"], ar, kon, fake.value(kpi, u["id"], ar, kon)))
    return out


def landed(kalla="kolada") -> pl.DataFrame:
    return pl.read_parquet(enheter.path(kalla))


def test_every_unit_value_lands_once_and_exactly_through_paging(ojhome, fake):
    result = fetch(fake)
    df = landed()
    assert df.select(enheter.KEY).is_duplicated().sum() == 0
    got = {(r["kpi"], r["ou"], r["kod"], r["ar"], r["kon"], r["varde"]) for r in df.iter_rows(named=True)}
    assert got == expected_units(fake) and len(df) == len(got) == 10 * 2 * 3
    # units carry their kommun, title and type; a missing value says why
    one = df.filter(pl.col("ou") == "V29E068003").row(0, named=True)
    assert one["kod"] == "0680" and one["titel"] == "Gruppbostad Jönköping 3" and one["typ"] == "V29E"
    assert set(df.filter(pl.col("varde").is_null())["status"]) <= {"saknas"}
    assert df.filter(pl.col("varde").is_null()).height > 0  # null_share 0.1: some values are missing
    # 1 KPI × 2 years × 10 units = 20 items at 10 a page: 2 pages; the unit list: 10 units, 1 page (+1 empty)
    unit_log = fake.unit_requests()
    assert [p for p in unit_log if p.startswith("/v3/oudata/")] == [
        f"/v3/oudata/kpi/{UNIT_KPI}/year/2023,2024?per_page=5000",
        f"/v3/oudata/kpi/{UNIT_KPI}/year/2023,2024?per_page=10&page=2"]
    assert any(p.startswith("/v3/ou?") for p in unit_log)
    assert result.units is not None and result.units.rows == 60 and result.units.types == ["V29E"]
    assert "Enheter: 60 värden för 10 enheter (V29E)" in kolada.summary_text(result)
    # the kommun data is as before: the unit KPI's kommun values are there too
    ds = dataset.load_dataset("kolada")
    assert set(ds.df.kpi) == {UNIT_KPI, PLAIN_KPI}
    info = enheter.read_manifest("kolada")
    assert info["enheter"] == 10 and info["bas_url"] == fake.base_url


def test_a_kpi_without_unit_data_asks_no_unit_requests(ojhome, fake):
    result = fetch(fake, kpis=[PLAIN_KPI])
    assert fake.unit_requests() == [] and result.units is None
    assert not enheter.path("kolada").exists()


def test_utan_enheter_skips_the_units(ojhome, fake):
    result = fetch(fake, utan_enheter=True)
    assert fake.unit_requests() == [] and result.units is None and not enheter.path("kolada").exists()


def test_more_than_25_unit_kpis_are_chunked(ojhome):
    rows = [Indicator(kpi=f"U9{n:04d}", omrade="funktionsnedsattning", namn=f"Enhetsfråga {n}",
                      titel=f"Fråga {n}, andel (%)", beskrivning="Test.", typ="andel", riktning="hogre_battre",
                      enhet="procent", ar_fran=2024, ar_till=2024, kon=False, katalog="test", enheter=True,
                      enhetstyp=("V29E",))
            for n in range(30)]
    cat = Catalogue(rows)
    meta = {i.kpi: {"title": i.titel, "gender": False} for i in rows}
    with FakeKolada(page_size=1000, areas=AREAS, years=[2024], null_share=0.0, units=UNITS, data_kpis=meta,
                    ou_kpis=meta) as f:
        result = kolada.fetch(catalogue=cat, client=client_for(f), today=DAY1, workers=2)
        unit_data = [p for p in f.unit_requests() if p.startswith("/v3/oudata/")]
    assert len(unit_data) == 2 and f.max_ids_seen <= 25
    assert sorted(len(p.split("/")[4].split(",")) for p in unit_data) == [15, 15]
    assert landed().height == 30 * 10 and result.units.rows == 300


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 500}, {"kind": "status", "status": 429,
                                                                       "retry_after": "0"}, {"kind": "drop"}])
def test_a_transient_unit_fault_is_retried(ojhome, fake, fault):
    fake.add_fault(**fault, match="/oudata/")
    fetch(fake)
    assert landed().height == 60
    assert sum(p.startswith("/v3/oudata/") for p in fake.log) == 3  # two pages, one of them twice


@pytest.mark.parametrize("fault,words", [({"kind": "status", "status": 422, "times": 9}, "HTTP 422"),
                                         ({"kind": "truncate"}, "trasigt svar"),
                                         ({"kind": "status", "status": 503, "times": 9}, "efter 3 försök")])
def test_a_failing_unit_request_leaves_both_processed_files_as_they_were(ojhome, fake, fault, words):
    fetch(fake)
    files = (dataset.dataset_path("kolada"), dataset.manifest_path("kolada"), enheter.path("kolada"),
             enheter.manifest_path("kolada"))
    before = [p.read_bytes() for p in files]
    fake.add_fault(**fault, match="/oudata/")
    with pytest.raises(OjError, match=words):
        fetch(fake, utan_cache=True)
    assert [p.read_bytes() for p in files] == before


def test_oj_hamta_and_status_report_units(ojhome, fake, capsys):
    assert main(["hamta", "--bas-url", fake.base_url, "--kpi", UNIT_KPI, "--fran-ar", "2023"]) == 0
    out = capsys.readouterr().out
    assert "Enheter: 60 värden för 10 enheter (V29E)" in out
    assert main(["status"]) == 0
    status = capsys.readouterr().out
    assert "enheter: 10 (V29E), indikatorer med enhetsvärden: 1, år: 2023–2024" in status


KILLER = """
import sys
from datetime import date
sys.path.insert(0, {tests!r})
from ojlib.data.sources import kolada
from ojlib.data.sources.kolada_client import KoladaClient
kolada.fetch(kpi={kpis!r}, fran_ar=2023, till_ar=2024, client=KoladaClient({base!r}), today=date(2026, 3, 1),
             workers=1)
"""


def test_the_unit_cache_survives_kill_9(ojhome, fake):
    fake.latency = 0.15  # each page takes a while: the kill lands between pages of a later request
    cache = ojhome / "data" / "raw" / "kolada" / DAY1.isoformat()
    unit_key = request_key(fake.base_url, f"oudata/kpi/{UNIT_KPI}/year/2023,2024")
    script = KILLER.format(tests=str(ROOT / "tests"), kpis=[UNIT_KPI, PLAIN_KPI], base=fake.base_url)
    proc = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "OJLIB_HOME": str(ojhome)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 60
        while not (cache / f"{unit_key}.json").exists():
            assert proc.poll() is None, proc.communicate()[1].decode()
            assert time.monotonic() < end, "the unit answer never reached the cache"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # every cache file is a whole answer (written atomically), and nothing was processed
    files = sorted(cache.iterdir())
    assert all(p.suffix == ".json" for p in files), [p.name for p in files]
    for p in files:
        assert json.loads(p.read_bytes())["typ"] == "full"
    assert not enheter.path("kolada").exists() and not dataset.dataset_path("kolada").exists()

    # a rerun asks only for what the cache lacks and lands every unit value exactly
    fake.latency = 0.0
    n = fake.count
    fetch(fake)
    assert not any(p.startswith("/v3/oudata/") for p in fake.log[n:])
    df = landed()
    assert {(r["kpi"], r["ou"], r["kod"], r["ar"], r["kon"], r["varde"]) for r in df.iter_rows(named=True)} \
        == expected_units(fake) and len(df) == 60
