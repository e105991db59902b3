"""HTTP client for Kolada's API v3: requests, retries and pagination, nothing else.

Every failure the user can meet (no network, Kolada down, a retired API version, a broken
answer) becomes an OjError with one Swedish sentence that names the request. Facts and
guesses about the API are in ``docs/research/kolada-v3.md``; the defensive choices here
(loop and host guards on ``next_url``, lenient envelope parsing) follow its INF points.
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urljoin, urlsplit

import httpx
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random_exponential,
)
from tenacity.wait import wait_base

from ojlib import __version__
from ojlib.base.errors import OjError, excerpt

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
ENV_BASE_URL = "OJLIB_KOLADA_URL"
MAX_IDS = 25  # Kolada v3 refuses longer comma lists in one path segment
PER_PAGE = 5000  # the documented default (and v2 maximum) page size
USER_AGENT = f"ojlib/{__version__} (Oppna jamforelser socialtjanst; python-httpx)"  # headers are ASCII
RETRY_STATUS = {429, 500, 502, 503, 504}
DEFAULT_DEADLINE = 600.0  # seconds (10 minutes) for a whole fetch; `oj hamta --tidsgrans`
MAX_BODY = 200_000_000  # bytes of one answer; a full v3 page of 5 000 values is about 2 MB
MAX_PAGES = 2_000  # pages of one request's chain; all of a 25 × 25 request is about 40 pages of 5 000
MAX_EMPTY_PAGES = 3  # empty pages in a row that still point to a next page: the chain is not going anywhere
REQUEST_SECONDS = 120.0  # one answer, however slowly it trickles in (a 2 MB page takes about a second)


def base_url(explicit: str | None = None) -> str:
    """The API root: ``explicit``, else ``$OJLIB_KOLADA_URL``, else the real v3 address."""
    url = (explicit or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        raise OjError(f"Kolada-adressen '{url}' är inte en giltig webbadress; ange t.ex. {DEFAULT_BASE_URL}.") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OjError(f"Kolada-adressen '{url}' är inte en webbadress; ange t.ex. {DEFAULT_BASE_URL}.")
    if parts.path.rstrip("/").endswith("/v2"):
        raise OjError(f"Adressen {url} pekar på Koladas API v2, som är nedlagt; använd {DEFAULT_BASE_URL}.")
    return url


def chunked(ids: Iterable, size: int = MAX_IDS) -> list[list]:
    """Split ``ids`` into the fewest lists of at most ``size``, as even as possible.

    Order is kept and duplicates removed; 56 ids give 19 + 19 + 18 rather than 25 + 25 + 6, so
    answers fetched side by side take about the same number of pages.
    """
    unique = list(dict.fromkeys(ids))
    n = -(-len(unique) // size)
    base, extra = divmod(len(unique), n) if n else (0, 0)
    out, start = [], 0
    for i in range(n):
        end = start + base + (i < extra)
        out.append(unique[start:end])
        start = end
    return out


def id_segment(ids: Iterable) -> str:
    """A comma-joined, URL-encoded path segment of at most 25 ids."""
    ids = [str(i) for i in ids]
    if not ids or len(ids) > MAX_IDS:
        raise ValueError(f"a Kolada path segment holds 1..{MAX_IDS} ids, got {len(ids)}")
    return ",".join(quote(i, safe="") for i in ids)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text[:20]}")
    return value


def _bounded_int(text: str) -> int | float:
    if len(text.lstrip("-")) > 300:  # beyond any real value (and float range); Python refuses > 4 300 digits
        raise ValueError("an integer with too many digits")
    return int(text)


class _Transient(Exception):
    """A failure worth another try (a timeout, a lost connection, HTTP 429/5xx), with its Swedish
    sentence and the pause Kolada asked for (Retry-After, seconds) if it did."""

    def __init__(self, text: str, retry_after: float | None = None):
        super().__init__(text)
        self.retry_after = retry_after


class _RetryAfterOr(wait_base):
    """Kolada's Retry-After (at most ``cap`` seconds) when the failed answer had one, else ``backoff``."""

    def __init__(self, cap: float, backoff: wait_base):
        self.cap = cap
        self.backoff = backoff

    def __call__(self, retry_state: RetryCallState) -> float:
        after = getattr(retry_state.outcome.exception(), "retry_after", None)
        return self.backoff(retry_state) if after is None else min(after, self.cap)


class _TooSlow(Exception):
    """One answer took longer than ``request_seconds`` (a server that sends a byte now and then)."""


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number Kolada sends")


class KoladaClient:
    """One reused HTTP connection to Kolada v3 with retries and ``next_url`` pagination.

    Retries 429 and 503 (honouring Retry-After up to ``max_retry_after``: a longer pause asked for
    ends the fetch at once with a sentence, as does a pause that would pass the deadline), 5xx,
    connection errors,
    timeouts and broken answers ``retries`` times with capped exponential backoff and jitter.
    ``deadline`` bounds the whole fetch in seconds, counted from the first request (None: no
    bound): no read, retry pause or further page goes past it, so an endless chain of pages or a
    server that sends a byte now and then ends with a sentence (checked after every chunk read, so
    at most one read gap late; a read never waits past the deadline when the deadline comes first).
    ``requests`` counts HTTP requests
    actually sent, ``warnings`` collects Swedish notes for the summary.
    """

    def __init__(self, base: str | None = None, *, timeout: float = 60.0, connect_timeout: float = 10.0,
                 retries: int = 4, base_delay: float = 1.0, max_delay: float = 30.0,
                 max_retry_after: float = 60.0, per_page: int = PER_PAGE, max_pages: int = MAX_PAGES,
                 max_empty_pages: int = MAX_EMPTY_PAGES, request_seconds: float = REQUEST_SECONDS,
                 deadline: float | None = DEFAULT_DEADLINE,
                 sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None):
        self.base_url = base_url(base)
        self.timeout = timeout
        self.deadline = deadline
        self._deadline_at: float | None = None
        self.retries = retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        # base·2^n capped at max_delay, jittered to [½, 1] of it (spreads retries of parallel clients):
        # the fixed half plus tenacity's uniformly random half
        self._backoff = (wait_exponential(multiplier=base_delay / 2, max=max_delay / 2)
                         + wait_random_exponential(multiplier=base_delay / 2, max=max_delay / 2))
        self.per_page = per_page
        self.max_pages = max_pages
        self.max_empty_pages = max_empty_pages
        self.request_seconds = request_seconds
        self.sleep = sleep
        self.requests = 0
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self.stop = threading.Event()  # set to make every further request fail at once
        self._origin = self._origin_of(self.base_url)
        self._connect_timeout = connect_timeout
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            follow_redirects=False, transport=transport)

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def _origin_of(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        return parts.scheme, parts.netloc.lower()

    def url(self, path: str, params: dict | None = None) -> str:
        """Absolute URL of ``path`` (relative to the base URL) with query ``params``."""
        url = self.base_url + "/" + path.lstrip("/")
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
        return f"{url}?{query}" if query else url

    def start_deadline(self) -> None:
        """Start (or restart) the clock of ``deadline``; the first request does it otherwise."""
        self._deadline_at = None if self.deadline is None else time.monotonic() + self.deadline

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline); raises OjError when it has passed."""
        if self.deadline is None:
            return None
        with self._lock:
            if self._deadline_at is None:
                self._deadline_at = time.monotonic() + self.deadline
        left = self._deadline_at - time.monotonic()
        if left <= 0:
            self.stop.set()
            raise OjError(f"Hämtningen från Kolada nådde tidsgränsen på {self.deadline:g} sekunder och avbröts "
                          "(det som redan hämtats ligger kvar i cachen); kör kommandot igen, eller ge den mer tid "
                          "med --tidsgrans.")
        return left

    def _fetch(self, url: str) -> tuple[int, dict, bytes]:
        """One GET: (status, headers, body), read in chunks so that the deadline and the bound on one
        answer (``request_seconds``) hold during an answer that trickles in a byte at a time."""
        left = self.remaining()
        read = min(self.timeout, self.request_seconds, *(() if left is None else (left,)))
        timeout = httpx.Timeout(read, connect=min(self._connect_timeout, read))
        started = time.monotonic()
        with self._http.stream("GET", url, timeout=timeout) as resp:
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY:
                    raise OjError(f"Kolada skickade mer än {MAX_BODY // 1_000_000} MB på {url}; hämtningen "
                                  "avbröts – kontrollera --bas-url.")
                self.remaining()
                if time.monotonic() - started > self.request_seconds:
                    raise _TooSlow
            return resp.status_code, resp.headers, b"".join(chunks)

    def get_json(self, url: str) -> dict:
        """GET ``url`` and return its JSON object, retrying transient failures."""
        return self._get(url)[0]

    def _get(self, url: str) -> tuple[dict, bytes]:
        """The parsed JSON object of ``url`` and the bytes it came in, retried by tenacity: a
        :class:`_Transient` failure is tried again after Kolada's Retry-After or the jittered backoff,
        at most ``retries`` times; any other failure (an OjError) ends the fetch at once."""
        retrying = Retrying(stop=stop_after_attempt(self.retries + 1), wait=_RetryAfterOr(self.max_retry_after,
                            self._backoff), retry=retry_if_exception_type(_Transient), sleep=self.sleep,
                            before_sleep=self._check_pause, reraise=False)
        try:
            return retrying(self._attempt, url)
        except RetryError as err:
            last = err.last_attempt.exception()
            raise OjError(f"{last} efter {self.retries + 1} försök; vänta en stund och kör kommandot igen "
                          "(det som redan hämtats ligger kvar i cachen).") from None

    def _attempt(self, url: str) -> tuple[dict, bytes]:
        """One try of ``_get``: the answer, an OjError that is final, or a _Transient worth another try."""
        if self.stop.is_set():
            raise OjError("Hämtningen från Kolada avbröts.")
        with self._lock:
            self.requests += 1
        try:
            status, headers, body = self._fetch(url)
        except httpx.TimeoutException:
            self.remaining()  # the deadline, if that is what cut the read short
            raise _Transient(f"Kolada svarade inte inom {min(self.timeout, self.request_seconds):g} sekunder "
                             f"på {url}") from None
        except _TooSlow:
            raise _Transient(f"Kolada skickade svaret på {url} för långsamt (inte klart på "
                             f"{self.request_seconds:g} sekunder)") from None
        except httpx.DecodingError:  # like broken JSON: not retried
            raise OjError(f"Kolada skickade ett trasigt svar (komprimeringen gick inte att packa upp) på {url}; "
                          "kör kommandot igen, och hör av dig till Kolada om felet består.") from None
        except httpx.InvalidURL:
            raise OjError(f"Adressen {url} är inte en giltig webbadress; kontrollera --bas-url.") from None
        except httpx.TransportError as err:
            raise _Transient(f"Det gick inte att nå Kolada på {url} ({type(err).__name__})") from None
        if status == 200:
            return self._parse(body, url), body
        if status not in RETRY_STATUS:
            raise self._http_error(status, headers, body, url)
        raise _Transient(f"Kolada svarade HTTP {status} på {url}", _retry_after(headers.get("Retry-After")))

    def _check_pause(self, state: RetryCallState) -> None:
        """Before tenacity pauses: a pause Kolada asks for that is longer than ojlib waits, or one that would
        pass the deadline, ends the fetch now with a sentence saying so (not after the pause)."""
        failure: _Transient = state.outcome.exception()
        delay = state.upcoming_sleep
        left = self.remaining()
        if failure.retry_after is not None and failure.retry_after > self.max_retry_after:
            self.stop.set()
            raise OjError(f"{failure}; Kolada bad om en paus på {failure.retry_after:.0f} sekunder (Retry-After), "
                          f"längre än de {self.max_retry_after:g} sekunder ojlib väntar, så hämtningen avbröts "
                          "(det som redan hämtats ligger kvar i cachen); kör kommandot igen senare.")
        if left is not None and delay >= left:
            self.stop.set()
            raise OjError(f"{failure}; nästa försök skulle vänta {delay:.0f} sekunder, men bara {left:.0f} av "
                          f"tidsgränsens {self.deadline:g} sekunder återstår, så hämtningen avbröts (det som "
                          "redan hämtats ligger kvar i cachen); kör kommandot igen senare, eller ge den mer "
                          "tid med --tidsgrans.")

    @staticmethod
    def _parse(body: bytes, url: str) -> dict:
        try:
            data = json.loads(body.decode("utf-8"), parse_float=_finite_float, parse_int=_bounded_int,
                              parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):  # JSONDecodeError is a ValueError
            raise OjError(f"Kolada skickade ett trasigt svar (inte giltig JSON, {len(body)} byte) på {url}; "
                          "kör kommandot igen, och hör av dig till Kolada om felet består.") from None
        if not isinstance(data, dict):
            raise OjError(f"Kolada skickade ett svar utan förväntad form (inte ett JSON-objekt) på {url}; "
                          "kontrollera att adressen går till Koladas API v3.")
        return data

    def _http_error(self, code: int, headers, content: bytes, url: str) -> OjError:
        if code == 410:
            return OjError(f"Kolada svarar 410 Gone på {url}: den API-versionen är nedlagd; ojlib använder "
                           f"API v3 ({DEFAULT_BASE_URL}), så kontrollera --bas-url och {ENV_BASE_URL}.")
        if code == 404:
            return OjError(f"Kolada svarar 404 (finns inte) på {url}; kontrollera att --bas-url går till "
                           "Koladas API v3 (slutar med /v3).")
        if 300 <= code < 400:
            return OjError(f"Kolada skickar vidare (HTTP {code}) från {url} till {headers.get('Location')}; "
                           "ange den nya adressen med --bas-url om den är Koladas API v3.")
        body = " ".join(content[:2000].decode("utf-8", "replace").split())[:200]
        return OjError(f"Kolada avvisade frågan {url} (HTTP {code}: {body or 'inget meddelande'}); "
                       "kontrollera indikatorer och år, och rapportera felet om det består.")

    # -- pagination -------------------------------------------------------------------------

    def pages(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Yield every page of a list endpoint, following ``next_url`` to the end.

        ``next_url`` absent, null or "" ends it; a repeated URL, a different host, or more
        than ``max_pages`` pages stop with an OjError rather than loop or leak elsewhere.
        """
        for page, _raw in self.raw_pages(path, params):
            yield page

    def raw_pages(self, path: str, params: dict | None = None) -> Iterator[tuple[dict, bytes]]:
        """Like ``pages``, with the bytes of each page as received (for the raw cache).

        Per chain: at most ``max_pages`` pages, and at most ``max_empty_pages`` empty pages in a
        row that still name a next page (an endless chain of empty pages ends there, not at the
        deadline).
        """
        url = self.url(path, {"per_page": self.per_page, **(params or {})})
        seen = {url}
        empty = 0
        for n in range(1, self.max_pages + 1):
            page, raw = self._get(url)
            values = page.get("values")
            if not isinstance(values, list):
                hint = " (det ser ut som API v2)" if "next_page" in page else ""
                raise OjError(f"Kolada skickade ett svar utan listan 'values' på {url}{hint}; "
                              "kontrollera att --bas-url går till Koladas API v3.")
            nxt = page.get("next_url")
            empty = empty + 1 if not values and nxt else 0
            if empty > self.max_empty_pages:
                raise OjError(f"Kolada skickade {empty} tomma sidor i rad som ändå pekade vidare till en nästa sida "
                              f"(senast {excerpt(url, 120)}); hämtningen avbröts för att inte fortsätta i det "
                              "oändliga – kör kommandot igen senare.")
            yield page, raw
            if nxt is None or nxt == "":
                if "next_page" in page and page.get("next_page"):
                    raise OjError(f"Kolada svarade med v2-sidnumrering (next_page) på {url}; "
                                  "kontrollera att --bas-url går till Koladas API v3.")
                if len(values) >= self.per_page:
                    self.warn(f"Sidan {url} var full ({len(values)} rader) men saknade next_url; "
                                         "svaret kan vara ofullständigt.")
                return
            bad = OjError(f"Kolada skickade en ogiltig next_url ('{excerpt(nxt, 100)}') på {url}; kör kommandot igen.")
            if not isinstance(nxt, str):
                raise bad
            try:
                nxt = urljoin(url, nxt)
                origin = self._origin_of(nxt)
                httpx.URL(nxt)
            except (ValueError, httpx.InvalidURL):
                raise bad from None
            if origin != self._origin:
                raise OjError(f"Kolada pekade nästa sida till en annan server ({excerpt(nxt, 120)}) på {url}; "
                              "ojlib följer den inte – kontrollera --bas-url.")
            if nxt in seen:
                raise OjError(f"Kolada skickade samma nästa sida två gånger ({excerpt(nxt, 120)}) efter sida {n}; "
                              "hämtningen avbröts för att inte gå i cirkel – kör kommandot igen senare.")
            seen.add(nxt)
            url = nxt
        raise OjError(f"Kolada skickade fler än {self.max_pages} sidor för {excerpt(path, 120)}; hämtningen avbröts "
                      "för att inte fortsätta i det oändliga – kör kommandot igen senare.")

    def warn(self, text: str) -> None:
        with self._lock:
            self.warnings.append(text)

    def get_all(self, path: str, params: dict | None = None) -> list[dict]:
        """All pages of ``path`` as a list of page envelopes."""
        return list(self.pages(path, params))

    def values(self, path: str, params: dict | None = None) -> list[dict]:
        """The ``values`` of every page of ``path``, concatenated."""
        return [v for page in self.pages(path, params) for v in page["values"]]

    # -- metadata ---------------------------------------------------------------------------

    def kpis(self, ids: Iterable[str] | None = None) -> list[dict]:
        """KPI metadata: the whole catalogue, or the given ids (chunked by 25)."""
        if ids is None:
            return self.values("kpi")
        return [v for chunk in chunked(ids) for v in self.values(f"kpi/{id_segment(chunk)}")]

    def municipalities(self) -> list[dict]:
        """Kommuner, regions and riket: ``{"id", "title", "type"}`` (312 rows in 2026)."""
        return self.values("municipality")

    def municipality_groups(self) -> list[dict]:
        """Kolada's municipality groups with ``members`` (``member_id``, ``member_title``)."""
        return self.values("municipality_groups")
