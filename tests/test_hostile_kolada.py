"""A hostile or broken Kolada against `oj hamta` (issue 24): limits per request and per chain, pauses
that respect the deadline, answers of the wrong form refused before they are cached, bounded text.

Uses the real HTTP fake (tests/kolada_fake.py). A refusal keeps the promise of tests/test_hostile.py:
exit ≠ 0, one Swedish sentence, data/ unchanged (and here: no new cache file for a refused answer).
"""

from __future__ import annotations

import json
import time

import pytest
from kolada_fake import FakeKolada
from test_hostile import HAMTA, refused

from ojlib.base.errors import OjError
from ojlib.cli import kolada as cli_kolada
from ojlib.cli import main
from ojlib.data.sources import kolada_client
from ojlib.data.sources.kolada_client import KoladaClient


@pytest.fixture
def fake():
    with FakeKolada(page_size=200, years=range(2023, 2026)) as f:
        yield f


def _item(**values) -> dict:
    v = {"gender": "T", "count": 1, "status": "", "value": 42.0, "isdeleted": False, **values}
    return {"kpi": "N35001", "municipality": "0604", "period": 2024, "values": [v]}


BAD_SHAPES = {
    "values-5": ({"values": [{**_item(), "values": 5}]}, "'values' 5, inte en lista"),
    "count-1e25": ({"values": [_item(count=10 ** 25)]}, "antalet (count)"),
    "sidans-count": ({"values": [_item()], "count": 10 ** 25}, "sidans antal"),
    "1.7e308": ({"values": [_item(value=1.7e308)]}, "orimligt stort"),
    "ar-99999": ({"values": [{**_item(), "period": 99999}]}, "året 99999"),
}


@pytest.mark.parametrize("case", list(BAD_SHAPES))
def test_an_answer_of_the_wrong_form_is_refused_and_not_cached(home, capsys, fake, case):
    """Was: "Ett oväntat fel" (TypeError), and the bad answer cached so that every later run failed too."""
    assert main([*HAMTA, "--bas-url", fake.base_url]) == 0
    body, needle = BAD_SHAPES[case]
    fake.add_fault("body", body=json.dumps(body).encode(), times=1000)
    before = {p.name for p in (home / "data" / "raw").rglob("*.json")}
    line, _ = refused(capsys, [*HAMTA, "--bas-url", fake.base_url, "--utan-cache"], "fel form", needle,
                      "sparades inte", home=home)
    assert {p.name for p in (home / "data" / "raw").rglob("*.json")} == before


def test_a_cached_answer_of_the_wrong_form_names_utan_cache(home, capsys, fake):
    """An answer an older ojlib cached: the sentence says how to replace it, and that works."""
    assert main([*HAMTA, "--bas-url", fake.base_url]) == 0
    (cached,) = list((home / "data" / "raw" / "kolada").rglob("*.json"))
    data = json.loads(cached.read_bytes())
    data["sidor"][0]["values"][0]["values"] = 5
    cached.write_text(json.dumps(data), encoding="utf-8")
    refused(capsys, [*HAMTA, "--bas-url", fake.base_url], "fel form", "--utan-cache", home=home)
    assert main([*HAMTA, "--bas-url", fake.base_url, "--utan-cache"]) == 0


def test_a_5_mb_status_is_kept_short(home, capsys, fake):
    fake.set_values("N35001", "0604", 2024, [{"gender": "T", "count": 1, "status": "x" * 5_000_000, "value": None,
                                             "isdeleted": False}])
    capsys.readouterr()
    assert main([*HAMTA, "--bas-url", fake.base_url]) == 0
    out = capsys.readouterr().out
    assert "Okända statuskoder" in out and max(len(line) for line in out.splitlines()) < 400
    import pandas as pd

    df = pd.read_parquet(home / "data" / "processed" / "kolada.parquet")
    assert df.status.dropna().str.len().max() < 100


def test_a_retry_after_of_999999_stops_at_once(home, capsys, fake):
    """Was: 20 minutes of silence. Stated bound: 15 s."""
    fake.add_fault("status", status=503, retry_after="999999", times=1000)
    line, seconds = refused(capsys, [*HAMTA, "--bas-url", fake.base_url, "--utan-cache"],
                            "999999 sekunder (Retry-After)", home=home)
    assert seconds < 15, seconds
    assert "nådde" not in line


def test_a_pause_past_the_deadline_does_not_claim_the_deadline_was_reached(home, capsys, fake):
    """Was: "nådde tidsgränsen på 60 sekunder" after 1 s."""
    fake.add_fault("status", status=503, retry_after="50", times=1000)
    line, seconds = refused(capsys, ["hamta", "--kpi", "N35001", "--bas-url", fake.base_url, "--tidsgrans", "10"],
                            "av tidsgränsens 10 sekunder återstår", home=home)
    assert seconds < 10, seconds
    assert "nådde" not in line


def test_one_answer_that_trickles_is_bounded(fake):
    """A server that sends a byte a second: one answer may take at most request_seconds (default 120 s)."""
    fake.add_fault("drip", delay=0.2, times=1000)
    start = time.monotonic()
    with KoladaClient(fake.base_url, request_seconds=1.0, retries=1, deadline=None, sleep=lambda s: None) as c, \
            pytest.raises(OjError, match="för långsamt") as err:
        c.municipalities()
    assert time.monotonic() - start < 10
    assert "inte klart på 1 sekunder" in str(err.value)


def test_a_chain_of_full_pages_stops_at_the_page_limit(fake):
    fake.next_mode = "endless_full"
    with KoladaClient(fake.base_url, max_pages=5, deadline=None) as c, pytest.raises(OjError, match="fler än 5 sidor"):
        c.municipalities()
    assert fake.count == 5


def test_the_default_deadline_is_minutes_not_an_hour():
    assert 60 <= kolada_client.DEFAULT_DEADLINE <= 900
    assert cli_kolada.DEFAULT_DEADLINE == kolada_client.DEFAULT_DEADLINE
    assert KoladaClient.__init__.__kwdefaults__["deadline"] == kolada_client.DEFAULT_DEADLINE


def test_a_5_mb_title_in_the_catalogue_check_is_quoted_short(home, capsys, fake):
    fake.kpi_meta["N33001"]["title"] = "Kostnad " + "x" * 5_000_000
    fake.kpi_meta["U35538"]["title"] = "y" * 5_000_000 + " (-2024)"
    capsys.readouterr()
    assert main(["indikatorer", "--kontrollera", "--bas-url", fake.base_url, "--omrade", "alla"]) == 0
    out = capsys.readouterr().out
    assert "N33001: katalogen" in out and "U35538: sista år 2024" in out
    assert max(len(line) for line in out.splitlines()) < 2_000
