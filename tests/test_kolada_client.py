"""The Kolada HTTP client against the fake Kolada v3 server: paging, retries, faults, metadata."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from kolada_fake import FakeKolada, read_csv

from ojlib.base.errors import OjError
from ojlib.data.sources import kolada_client
from ojlib.data.sources.kolada_client import KoladaClient, chunked, id_segment

AREA_IDS = [r["id"] for r in read_csv("kolada_municipalities_2026-03.csv")]


class Sleeps(list):
    """A sleep that records the wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def fake():
    with FakeKolada(page_size=100) as f:
        yield f


def client_for(fake, **kw) -> KoladaClient:
    kw.setdefault("sleep", Sleeps())
    kw.setdefault("base_delay", 0.01)
    kw.setdefault("max_delay", 0.05)
    kw.setdefault("retries", 2)
    kw.setdefault("timeout", 5.0)
    return KoladaClient(fake.base_url, **kw)


# -- addresses and ids ------------------------------------------------------------------------

def test_base_url_default_env_and_explicit(monkeypatch):
    monkeypatch.delenv("OJLIB_KOLADA_URL", raising=False)
    assert kolada_client.base_url() == "https://api.kolada.se/v3"
    monkeypatch.setenv("OJLIB_KOLADA_URL", "http://127.0.0.1:9/v3/")
    assert kolada_client.base_url() == "http://127.0.0.1:9/v3"
    assert kolada_client.base_url("http://example.test/v3") == "http://example.test/v3"


@pytest.mark.parametrize("url, words", [("https://api.kolada.se/v2", "v2"), ("api.kolada.se/v3", "webbadress")])
def test_base_url_refuses_v2_and_non_urls(url, words):
    with pytest.raises(OjError, match=words):
        kolada_client.base_url(url)


def test_chunks_are_at_most_25_and_even():
    assert [len(c) for c in chunked(range(56))] == [19, 19, 18]
    assert [len(c) for c in chunked(range(25))] == [25]
    assert [len(c) for c in chunked(range(26))] == [13, 13]
    assert chunked(["a", "b", "a"]) == [["a", "b"]]
    assert chunked([]) == []
    with pytest.raises(ValueError):
        id_segment([str(i) for i in range(26)])


def test_retry_after_seconds_and_http_date():
    assert kolada_client._retry_after("3") == 3.0
    assert kolada_client._retry_after(None) is None
    assert kolada_client._retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= kolada_client._retry_after(later) <= 30


# -- pagination -------------------------------------------------------------------------------

@pytest.mark.parametrize("last_next", ["null", "absent", "empty"])
def test_pages_follow_next_url_until_null_absent_or_empty(fake, last_next):
    fake.last_next = last_next
    with client_for(fake) as c:
        pages = c.get_all("municipality")
    assert [p["count"] for p in pages] == [100, 100, 100, 12]
    assert [v["id"] for p in pages for v in p["values"]] == AREA_IDS
    assert fake.count == 4 and c.requests == 4
    last = pages[-1]
    assert {"null": last.get("next_url", "missing") is None, "absent": "next_url" not in last,
            "empty": last.get("next_url") == ""}[last_next]
    assert fake.log[1].endswith("page=2&per_page=100") or "page=2" in fake.log[1]


def test_next_url_loop_is_stopped(fake):
    fake.next_mode = "loop"
    with client_for(fake) as c, pytest.raises(OjError, match="samma nästa sida två gånger"):
        c.get_all("municipality")
    assert fake.count == 2  # page 1, page 2 (whose next_url points at itself); no third request


def test_next_url_on_another_host_is_not_followed(fake):
    fake.next_mode = "foreign"
    with client_for(fake) as c, pytest.raises(OjError, match="annan server") as err:
        c.get_all("municipality")
    assert "localhost" in str(err.value)
    assert fake.count == 1


def test_v2_style_envelope_is_refused(fake):
    with client_for(fake) as c:
        c._get = lambda url: ({"values": [{"id": "1"}], "next_page": "http://x/v2/kpi?page=2"}, b"")
        with pytest.raises(OjError, match="v2"):
            c.get_all("kpi")


def test_full_page_without_next_url_gives_a_warning(fake):
    fake.areas = fake.areas[:100]  # exactly one full page
    with client_for(fake, per_page=100) as c:
        c.get_all("municipality")
    assert len(c.warnings) == 1 and "ofullständigt" in c.warnings[0]


# -- retries and faults -----------------------------------------------------------------------

def test_429_honours_retry_after(fake):
    fake.add_fault("status", status=429, retry_after="2")
    sleeps = Sleeps()
    with client_for(fake, sleep=sleeps, max_retry_after=10) as c:
        rows = c.municipalities()
    assert len(rows) == 312
    assert sleeps == [2.0]
    assert fake.count == 5  # one 429, then four pages


def test_429_retry_after_longer_than_ojlib_waits_stops_at_once(fake):
    """Was: capped and waited (a Retry-After of 999999 gave 20 minutes of silence); now a sentence at once."""
    fake.add_fault("status", status=429, retry_after="3600")
    sleeps = Sleeps()
    with client_for(fake, sleep=sleeps, max_retry_after=0.5) as c, pytest.raises(OjError) as err:
        c.municipalities()
    assert sleeps == [] and fake.count == 1
    assert "paus på 3600 sekunder (Retry-After)" in str(err.value) and "kör kommandot igen senare" in str(err.value)


def test_a_pause_past_the_deadline_stops_at_once_and_says_so(fake):
    """Was: "nådde tidsgränsen på 60 sekunder" after 1 s. Now the sentence says what was left."""
    fake.add_fault("status", status=503, retry_after="30")
    sleeps = Sleeps()
    with client_for(fake, sleep=sleeps, max_retry_after=60, deadline=10) as c, pytest.raises(OjError) as err:
        c.municipalities()
    text = str(err.value)
    assert sleeps == [] and "nådde" not in text
    assert "av tidsgränsens 10 sekunder återstår" in text and "30 sekunder" in text


def test_500_then_success_with_backoff_and_jitter(fake):
    fake.add_fault("status", status=500, times=2, match="page=2")
    sleeps = Sleeps()
    with client_for(fake, sleep=sleeps, base_delay=0.1, max_delay=10) as c:
        rows = c.municipalities()
    assert [v["id"] for v in rows] == AREA_IDS
    assert fake.count == 6 and c.requests == 6
    assert 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2  # base·2^n, jittered to [½, 1]


def test_backoff_is_capped(fake):
    fake.add_fault("status", status=503, times=99)
    sleeps = Sleeps()
    with client_for(fake, sleep=sleeps, base_delay=1.0, max_delay=3.0, retries=9) as c, pytest.raises(OjError):
        c.municipalities()
    assert len(sleeps) == 9 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0  # base·2^n, jittered
    assert all(1.5 <= s <= 3.0 for s in sleeps[2:])  # 4, 8, … capped at 3, jittered to [½, 1]
    assert len(set(sleeps[2:])) > 1  # jitter: parallel clients do not retry in step


def test_persistent_5xx_gives_up_after_the_cap(fake):
    fake.add_fault("status", status=503, times=99)
    with client_for(fake, retries=3) as c, pytest.raises(OjError) as err:
        c.municipalities()
    assert fake.count == 4
    text = str(err.value)
    assert "HTTP 503" in text and "4 försök" in text and "/v3/municipality" in text


def test_slow_answer_times_out_and_is_retried(fake):
    fake.add_fault("slow", delay=1.5)
    with client_for(fake, timeout=0.3) as c:
        rows = c.municipalities()
    assert len(rows) == 312
    assert fake.count == 5 and c.requests == 5  # the slow page 1 was given up and asked again


def test_always_slow_gives_a_timeout_error(fake):
    fake.add_fault("slow", delay=1.0, times=3)
    with client_for(fake, timeout=0.2, retries=2) as c, pytest.raises(OjError, match="inom 0.2 sekunder"):
        c.municipalities()
    assert fake.count == 3


def test_dropped_connection_is_retried(fake):
    fake.add_fault("drop")
    with client_for(fake) as c:
        assert len(c.municipalities()) == 312
    assert fake.count == 5


def test_truncated_json_names_the_request_and_is_not_retried(fake):
    fake.add_fault("truncate", match="page=3")
    with client_for(fake) as c, pytest.raises(OjError, match="inte giltig JSON") as err:
        c.municipalities()
    assert "page=3" in str(err.value)
    assert fake.count == 3


def test_410_means_a_retired_api_version(fake):
    fake.gone = True
    with client_for(fake) as c, pytest.raises(OjError, match="410 Gone.*nedlagd") as err:
        c.kpis()
    assert "--bas-url" in str(err.value)
    assert fake.count == 1


def test_404_points_at_the_base_url(fake):
    with KoladaClient(fake.origin + "/api", sleep=Sleeps()) as c, pytest.raises(OjError, match="404.*--bas-url"):
        c.kpis()


def test_no_server_at_all_is_a_clear_error():
    with FakeKolada() as f:
        dead = f.base_url
    with KoladaClient(dead, sleep=Sleeps(), retries=1) as c, pytest.raises(OjError, match="gick inte att nå"):
        c.kpis()


def test_stop_event_makes_requests_fail_at_once(fake):
    with client_for(fake) as c:
        c.stop.set()
        with pytest.raises(OjError, match="avbröts"):
            c.kpis()
    assert fake.count == 0


# -- metadata ---------------------------------------------------------------------------------

def test_kpi_metadata_whole_list_and_by_ids(fake):
    with client_for(fake) as c:
        everything = c.kpis()
        in_2026 = sum(1 for r in read_csv("kolada_kpi_urval.csv") if r["katalog"] == "2026-03")
        assert len(everything) == in_2026 + 20  # the project's KPIs still in the 2026-03 catalogue + generated
        pages = -(-len(everything) // 100)  # the whole list, followed page by page (100 rows a page here)
        assert pages >= 2 and fake.count == pages
        ids = [r["id"] for r in everything][:30] + ["U99999"]
        some = c.kpis(ids)
    assert sorted(r["id"] for r in some) == sorted(ids[:30])  # the unknown id is simply absent
    assert fake.count == pages + 2 and fake.max_ids_seen <= 25
    n = next(r for r in everything if r["id"] == "N33001")
    assert n["title"] == "Kostnad barn och ungdomsvård, kr/inv" and n["is_divided_by_gender"] is False


def test_municipalities_and_groups(fake):
    fake.page_size = 5000
    with client_for(fake) as c:
        areas = c.municipalities()
        groups = c.municipality_groups()
    assert len(areas) == 312 and {a["type"] for a in areas} == {"K", "L"}
    assert areas[0] == {"id": "0000", "title": "Riket", "type": "L"}
    assert len(groups) == 3630
    assert all("member_id" in m for g in groups[:50] for m in g["members"])
