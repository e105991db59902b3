"""A fake Kolada API v3 for tests and benchmarks: a real HTTP server on 127.0.0.1 in a thread.

It answers the v3 paths ojlib uses (``/kpi``, ``/municipality``, ``/municipality_groups``,
``/data/...``, ``/ou`` and ``/oudata/...``) with v3-shaped JSON (``values``, ``count``, ``next_url``, ``previous_url``)
built from deterministic data: the real KPI rows and area ids in ``data/raw/referens`` and
values from a hash of (kpi, area, year, gender). Page size, latency and faults are set per
test; every request served is logged (``log``, ``count``).

Faults (``add_fault``): an HTTP status (429 with Retry-After, 500, 410 …), a slow answer,
a truncated JSON body, a dropped connection. Pagination quirks (``last_next``: the last
page's ``next_url`` is null, absent or ""; ``next_mode``: loop or another host).

Units (``/ou``, ``/oudata``): by default every kommun has 0–3 units of each of the types
V25E, V26E, V29E and V30E (ids ``V29E`` + kommun + two digits), and every KPI the 2026-03
catalogue marks ``has_ou_data`` has a value for every unit; items carry ``ou`` instead of
``municipality``. Tests pass their own ``units`` and ``ou_kpis``.
"""

from __future__ import annotations

import csv
import json
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

REF = Path(__file__).resolve().parents[1] / "data" / "raw" / "referens"
MAX_IDS = 25
BASE_DATE = "2026-01-15"


def read_csv(name: str) -> list[dict]:
    with open(REF / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _bool(text) -> bool:
    return str(text).strip().lower() in ("true", "1")


def kpi_meta_from_reference(extra: int = 0) -> dict[str, dict]:
    """KPI metadata as /kpi serves it: the real v3 rows of the project's KPIs (the 2026-03
    catalogue; the 2024-04 ÖJ questions are gone from Kolada) plus ``extra`` generated ones."""
    meta = {}
    marked = {r["id"] for r in read_csv("kolada_kpi_catalogue_2026-03.csv") if _bool(r["has_ou_data"])}
    for r in read_csv("kolada_kpi_urval.csv"):
        if r["katalog"] != "2026-03":
            continue
        meta[r["id"]] = {
            "id": r["id"], "title": r["title"], "description": r["description"] or None,
            "is_divided_by_gender": _bool(r["is_divided_by_gender"]),
            "municipality_type": r["municipality_type"], "auspice": r["auspice"] or None,
            "operating_area": r["operating_area"] or None, "perspective": r["perspective"] or None,
            "prel_publication_date": None, "publication_date": r["publication_date"] or None,
            "publ_period": r["publ_period"] or None, "has_ou_data": r["id"] in marked,
        }
    for i in range(extra):
        kid = f"N{90000 + i:05d}"
        meta[kid] = {"id": kid, "title": f"Genererat nyckeltal {i}, antal", "description": "Testdata. Källa: test.",
                     "is_divided_by_gender": i % 3 == 0, "municipality_type": "K", "auspice": "X",
                     "operating_area": "Kommunen, övergripande", "perspective": "Volymer",
                     "prel_publication_date": None, "publication_date": "2026-08-28", "publ_period": "2025",
                     "has_ou_data": False}
    return dict(sorted(meta.items()))


def ou_kpis_from_reference(data_kpis: dict[str, dict]) -> dict[str, dict]:
    """The KPIs of ``data_kpis`` that Kolada's 2026-03 catalogue marks with unit data."""
    marked = {r["id"] for r in read_csv("kolada_kpi_catalogue_2026-03.csv") if _bool(r["has_ou_data"])}
    return {k: v for k, v in data_kpis.items() if k in marked}


UNIT_TYPES = ("V25E", "V26E", "V29E", "V30E")
UNIT_WORDS = {"V25E": "Bostad med särskild service", "V26E": "Daglig verksamhet", "V29E": "Gruppbostad",
              "V30E": "Servicebostad"}


def units_for(areas: list[dict], types=UNIT_TYPES) -> list[dict]:
    """0–3 units of each type per kommun, as /ou serves them (deterministic)."""
    out = []
    for a in areas:
        if a.get("type") != "K":
            continue
        for t in types:
            for n in range(int(_unit("units", a["id"], t) * 4)):
                out.append({"id": f"{t}{a['id']}{n + 1:02d}", "municipality": a["id"],
                            "title": f"{UNIT_WORDS.get(t, t)} {a['title']} {n + 1}"})
    return out


def data_kpis_from_reference() -> dict[str, dict]:
    """id -> {title, gender} for every KPI the project uses (all have data in the fake)."""
    return {r["id"]: {"title": r["title"], "gender": _bool(r["is_divided_by_gender"])}
            for r in read_csv("kolada_kpi_urval.csv")}


def _unit(*parts) -> float:
    return zlib.crc32("|".join(str(p) for p in parts).encode()) / 2**32


@dataclass
class Fault:
    kind: str  # "status", "slow", "truncate", "drop", "drip" (a byte every ``delay`` s), "body" (``body`` as is)
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0
    times: int = 1
    match: str | None = None  # substring of path?query; None matches every request
    body: bytes = b""  # for "body": the raw answer (status 200)
    headers: dict | None = None  # for "body": extra headers, e.g. {"Content-Encoding": "gzip"}


class FakeKolada:
    """The fake server. Use as a context manager; ``base_url`` ends with ``/v3``."""

    def __init__(self, *, page_size: int = 5000, latency: float = 0.0, years=range(2018, 2026),
                 areas: list[dict] | None = None, data_kpis: dict[str, dict] | None = None,
                 kpi_meta: dict[str, dict] | None = None, extra_kpis: int = 20, null_share: float = 0.03,
                 group_ids: tuple[str, ...] = (), units: list[dict] | None = None,
                 ou_kpis: dict[str, dict] | None = None):
        self.page_size = page_size
        self.latency = latency
        self.years = list(years)
        self.areas = areas if areas is not None else read_csv("kolada_municipalities_2026-03.csv")
        self.data_kpis = data_kpis if data_kpis is not None else data_kpis_from_reference()
        self.kpi_meta = kpi_meta if kpi_meta is not None else kpi_meta_from_reference(extra_kpis)
        self.null_share = null_share
        self.group_ids = tuple(group_ids)
        self.units = units if units is not None else units_for(self.areas)
        self.ou_kpis = ou_kpis if ou_kpis is not None else ou_kpis_from_reference(self.data_kpis)
        self.last_next = "null"  # the last page's next_url: "null", "absent" or "empty"
        # "normal", "loop" (back to page 2), "foreign" (another host), "endless" (empty pages after the data,
        # each with a next page), "endless_full" (the first page's rows again on every page, for ever)
        self.next_mode = "normal"
        self.deleted_in_full = False  # whether answers without from_date include deleted values
        self.gone = False  # True: every path answers 410 like a retired API version
        self.faults: list[Fault] = []
        self.log: list[str] = []
        self.max_ids_seen = 0
        self._items: dict[tuple[str, int], list[dict]] = {}
        self._ou_items: dict[tuple[str, int], list[dict]] = {}
        self._changed: dict[tuple[str, str, int], str] = {}
        self._encoded: dict[tuple[str, str, int], bytes] = {}  # JSON of data items, built once
        self._queries: dict[tuple, list[dict]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> FakeKolada:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self.stopped = threading.Event()
        server = _Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._port = server.server_address[1]  # kept after stop: slow handlers may still build links
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()  # a dripping answer still being sent ends (it would write into later tests)
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + "/v3"

    @property
    def count(self) -> int:
        return len(self.log)

    def data_requests(self) -> list[str]:
        return [p for p in self.log if p.startswith("/v3/data/")]

    def unit_requests(self) -> list[str]:
        """Requests for units or their values (``/ou`` and ``/oudata``)."""
        return [p for p in self.log if p.startswith(("/v3/ou/", "/v3/ou?", "/v3/oudata/"))]

    def add_fault(self, kind: str, **kw) -> Fault:
        fault = Fault(kind, **kw)
        with self._lock:
            self.faults.append(fault)
        return fault

    # -- data -------------------------------------------------------------------------------

    def value(self, kpi: str, kod: str, year: int, gender: str) -> float | None:
        """The deterministic value of one cell (None for the null share)."""
        if _unit("null", kpi, kod, year, gender) < self.null_share:
            return None
        u = _unit(kpi, kod, year, gender)
        title = (self.data_kpis.get(kpi) or self.ou_kpis[kpi])["title"]
        kommun = kod[:2] != "00"
        if "Ja=2" in title or "Ja, för alla=2" in title:
            return float(int(u * 3)) if kommun else round(u * 2, 8)
        if "Ja=1" in title:
            return float(u < 0.6) if kommun else round(u * 100, 8)
        if "Inom 3 dagar=3" in title:
            return float(int(u * 4)) if kommun else round(u * 3, 8)
        if "kr/inv" in title:
            return round(500 + u * 9000, 8)
        return round(20 + u * 80, 8)

    def _make_item(self, kpi: str, kod: str, year: int) -> dict:
        genders = ("T", "M", "K") if self.data_kpis[kpi]["gender"] else ("T",)
        return {"kpi": kpi, "municipality": kod, "period": year,
                "values": [{"gender": g, "count": 1, "status": "", "value": self.value(kpi, kod, year, g),
                            "isdeleted": False} for g in genders]}

    def items(self, kpi: str, year: int) -> list[dict]:
        """All items of one KPI and year (every area), generated once."""
        with self._lock:
            key = (kpi, year)
            if key not in self._items:
                if kpi not in self.data_kpis or year not in self.years:
                    self._items[key] = []
                else:
                    codes = [a["id"] for a in self.areas] + list(self.group_ids)
                    self._items[key] = [self._make_item(kpi, c, year) for c in codes]
            return self._items[key]

    def ou_items(self, kpi: str, year: int) -> list[dict]:
        """All unit items of one KPI and year (every unit), generated once."""
        with self._lock:
            key = (kpi, year)
            if key not in self._ou_items:
                if kpi not in self.ou_kpis or year not in self.years:
                    self._ou_items[key] = []
                else:
                    genders = ("T", "M", "K") if self.ou_kpis[kpi]["gender"] else ("T",)
                    self._ou_items[key] = [
                        {"kpi": kpi, "ou": u["id"], "period": year,
                         "values": [{"gender": g, "count": 1, "status": "", "value": self.value(kpi, u["id"], year, g),
                                     "isdeleted": False} for g in genders]} for u in self.units]
            return self._ou_items[key]

    def set_ou_values(self, kpi: str, ou: str, year: int, values: list[dict], changed: str = BASE_DATE) -> None:
        """Replace (or add) the item of one KPI, unit and year."""
        items = self.ou_items(kpi, year)
        with self._lock:
            new = {"kpi": kpi, "ou": ou, "period": year, "values": values}
            for n, it in enumerate(items):
                if it["ou"] == ou:
                    items[n] = new
                    break
            else:
                items.append(new)
            self._changed[(kpi, ou, year)] = changed
            self._forget()

    def ou_query(self, kpis: list[str] | None, ous: list[str] | None, years: list[int] | None,
                 from_date: str | None) -> list[dict]:
        kpis = sorted(kpis) if kpis is not None else sorted(self.ou_kpis)
        years = sorted(years) if years is not None else self.years
        qkey = ("ou", tuple(kpis), tuple(ous or ()), ous is None, tuple(years), from_date)
        if qkey in self._queries:
            return self._queries[qkey]
        wanted = set(ous) if ous is not None else None
        out = []
        for k in kpis:
            for y in years:
                for it in self.ou_items(k, y):
                    if wanted is not None and it["ou"] not in wanted:
                        continue
                    if from_date is not None and self._changed.get((k, it["ou"], y), BASE_DATE) < from_date:
                        continue
                    out.append(it)
        self._queries[qkey] = out
        return out

    def set_values(self, kpi: str, kod: str, year: int, values: list[dict], changed: str = BASE_DATE) -> None:
        """Replace (or add) the item of one KPI, area and year; ``changed`` feeds from_date."""
        items = self.items(kpi, year)
        with self._lock:
            new = {"kpi": kpi, "municipality": kod, "period": year, "values": values}
            for n, it in enumerate(items):
                if it["municipality"] == kod:
                    items[n] = new
                    break
            else:
                items.append(new)
            self._changed[(kpi, kod, year)] = changed
            self._forget()

    def _forget(self) -> None:
        """Drop cached query results and encodings after the data changed (lock held)."""
        self._encoded.clear()
        self._queries.clear()

    def delete(self, kpi: str, kod: str, year: int, changed: str = BASE_DATE) -> None:
        """Flag every value of an item deleted (value null), as Kolada reports removals."""
        old = next(it for it in self.items(kpi, year) if it["municipality"] == kod)
        self.set_values(kpi, kod, year, [{**v, "value": None, "isdeleted": True} for v in old["values"]], changed)

    def remove(self, kpi: str, kod: str, year: int) -> None:
        """Drop an item completely (no entry at all for it)."""
        items = self.items(kpi, year)
        with self._lock:
            items[:] = [it for it in items if it["municipality"] != kod]
            self._forget()

    def _changed_on(self, it: dict) -> str:
        return self._changed.get((it["kpi"], it["municipality"], it["period"]), BASE_DATE)

    def query(self, kpis: list[str] | None, munis: list[str] | None, years: list[int] | None,
              from_date: str | None) -> list[dict]:
        kpis = sorted(kpis) if kpis is not None else sorted(self.data_kpis)
        years = sorted(years) if years is not None else self.years
        qkey = (tuple(kpis), tuple(munis or ()), munis is None, tuple(years), from_date, self.deleted_in_full)
        if qkey in self._queries:
            return self._queries[qkey]
        wanted = set(munis) if munis is not None else None
        out = []
        for k in kpis:
            for y in years:
                for it in self.items(k, y):
                    if wanted is not None and it["municipality"] not in wanted:
                        continue
                    deleted = any(v.get("isdeleted") for v in it["values"])
                    if from_date is not None:
                        if self._changed_on(it) < from_date:
                            continue
                    elif deleted and not self.deleted_in_full:
                        continue
                    out.append(it)
        self._queries[qkey] = out
        return out

    def encode(self, body: dict) -> bytes:
        """JSON of a page; data items are encoded once and reused (keeps the fake fast)."""
        parts = []
        for k, v in body.items():
            if k == "values" and v and "period" in v[0]:
                enc = []
                for it in v:
                    key = (it["kpi"], it.get("municipality") or it["ou"], it["period"])
                    b = self._encoded.get(key)
                    if b is None:
                        b = self._encoded[key] = json.dumps(it, ensure_ascii=False).encode("utf-8")
                    enc.append(b)
                val = b"[" + b",".join(enc) + b"]"
            else:
                val = json.dumps(v, ensure_ascii=False).encode("utf-8")
            parts.append(json.dumps(k).encode() + b":" + val)
        return b"{" + b",".join(parts) + b"}"

    # -- routing ----------------------------------------------------------------------------

    def answer(self, path: str, query: dict) -> tuple[int, object]:
        """(status, JSON body) for a request; the list of values before pagination."""
        if self.gone or path.startswith("/v2/"):
            return 410, {"detail": "Gone: this API version is retired"}
        if not path.startswith("/v3/"):
            return 404, {"detail": "Not Found"}
        parts = [p for p in path[len("/v3/"):].split("/") if p]
        if not parts:
            return 404, {"detail": "Not Found"}
        head, rest = parts[0], parts[1:]
        ids = rest[0].split(",") if rest else None
        if ids and len(ids) > MAX_IDS:
            return 422, {"detail": [{"msg": f"at most {MAX_IDS} values allowed", "loc": ["path"]}]}
        if head == "kpi" and len(rest) <= 1:
            rows = list(self.kpi_meta.values())
            if ids:
                rows = [r for r in rows if r["id"] in set(ids)]
            if query.get("title"):
                rows = [r for r in rows if query["title"].lower() in r["title"].lower()]
            return 200, rows
        if head == "municipality" and len(rest) <= 1:
            rows = [{"id": a["id"], "title": a["title"], "type": a["type"]} for a in self.areas]
            return 200, [r for r in rows if not ids or r["id"] in set(ids)]
        if head == "municipality_groups" and len(rest) <= 1:
            groups: dict[str, dict] = {}
            for r in read_csv("kolada_municipality_groups_members_2026-03.csv"):
                g = groups.setdefault(r["group_id"], {"id": r["group_id"], "title": r["group_title"], "members": []})
                g["members"].append({"member_id": r["member_id"], "member_title": r.get("member_title", "")})
            return 200, [g for g in groups.values() if not ids or g["id"] in set(ids)]
        if head == "ou" and len(rest) <= 1:
            rows = self.units
            if ids:
                rows = [u for u in rows if u["id"] in set(ids)]
            if query.get("municipality"):
                wanted = set(query["municipality"].split(","))
                rows = [u for u in rows if u["municipality"] in wanted]
            if query.get("title"):
                rows = [u for u in rows if query["title"].lower() in u["title"].lower()]
            return 200, rows
        if head == "oudata":
            dims = dict(zip(rest[0::2], (s.split(",") for s in rest[1::2]), strict=False))
            if len(rest) % 2 or not set(dims) <= {"kpi", "ou", "year"} or len(dims) < 2:
                return 404, {"detail": "Not Found"}
            for v in dims.values():
                self.max_ids_seen = max(self.max_ids_seen, len(v))
                if len(v) > MAX_IDS:
                    return 422, {"detail": [{"msg": f"at most {MAX_IDS} values allowed"}]}
            try:
                years = [int(y) for y in dims["year"]] if "year" in dims else None
            except ValueError:
                return 422, {"detail": [{"msg": "year must be an integer"}]}
            return 200, self.ou_query(dims.get("kpi"), dims.get("ou"), years, query.get("from_date"))
        if head == "data":
            dims = dict(zip(rest[0::2], (s.split(",") for s in rest[1::2]), strict=False))
            if len(rest) % 2 or not set(dims) <= {"kpi", "municipality", "year"} or len(dims) < 2:
                return 404, {"detail": "Not Found"}
            for v in dims.values():
                self.max_ids_seen = max(self.max_ids_seen, len(v))
                if len(v) > MAX_IDS:
                    return 422, {"detail": [{"msg": f"at most {MAX_IDS} values allowed"}]}
            try:
                years = [int(y) for y in dims["year"]] if "year" in dims else None
            except ValueError:
                return 422, {"detail": [{"msg": "year must be an integer"}]}
            return 200, self.query(dims.get("kpi"), dims.get("municipality"), years, query.get("from_date"))
        return 404, {"detail": "Not Found"}

    def page(self, path: str, query: dict, rows: list) -> dict:
        page = int(query.get("page", 1))
        per_page = min(int(query.get("per_page", self.page_size)), self.page_size)
        start = (page - 1) * per_page
        chunk = rows[:per_page] if self.next_mode == "endless_full" else rows[start:start + per_page]
        body: dict = {"count": len(chunk), "values": chunk}

        def link(n: int, origin: str | None = None) -> str:
            return f"{origin or self.origin}{path}?{urlencode({**query, 'page': n, 'per_page': per_page})}"

        if self.next_mode in ("endless", "endless_full"):  # a new, distinct next page for ever
            time.sleep(0.01)  # a real server's latency: the deadline, not the page cap, must end the chain
            body["next_url"] = link(page + 1)
        elif start + per_page < len(rows):
            if self.next_mode == "loop" and page >= 2:
                body["next_url"] = link(2)
            elif self.next_mode == "foreign":
                body["next_url"] = link(page + 1, origin=f"http://localhost:{self.port}")
            else:
                body["next_url"] = link(page + 1)
        elif self.last_next == "null":
            body["next_url"] = None
        elif self.last_next == "empty":
            body["next_url"] = ""
        body["previous_url"] = link(page - 1) if page > 1 else None
        return body

    def take_fault(self, target: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.times > 0 and (f.match is None or f.match in target):
                    f.times -= 1
                    return f
        return None


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that gave up (closed its end) is normal here; anything else is printed as usual."""
        import sys

        if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body writes
    wbufsize = 1 << 16  # headers and body leave in one write; flushed after each request
    server_fake: FakeKolada

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, delay: float) -> None:
        """A 200 answer that promises 1 MB and sends one byte every ``delay`` seconds, for ever."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(1 << 20))
        self.end_headers()
        self.wfile.flush()
        for _ in range(1 << 20):
            self.wfile.write(b" ")
            self.wfile.flush()
            if self.server_fake.stopped.wait(delay):
                return

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        fake = self.server_fake
        if self.path == "/_stats":  # for a benchmark that runs the fake in another process; not logged
            self._send(200, json.dumps({"requests": fake.count}).encode())
            return
        with fake._lock:
            fake.log.append(self.path)
        try:
            if fake.latency:
                time.sleep(fake.latency)
            split = urlsplit(self.path)
            query = dict(parse_qsl(split.query))
            fault = fake.take_fault(self.path)
            if fault and fault.kind == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault and fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                self._send(fault.status, json.dumps({"detail": f"fault {fault.status}"}).encode(), headers)
                return
            if fault and fault.kind == "body":
                self._send(200, fault.body, fault.headers)
                return
            if fault and fault.kind == "drip":
                self._drip(fault.delay)
                return
            if fault and fault.kind == "slow":
                time.sleep(fault.delay)
            status, rows = fake.answer(split.path, query)
            body = fake.page(split.path, query, rows) if status == 200 else rows
            data = fake.encode(body)
            if fault and fault.kind == "truncate":
                data = data[: len(data) // 2]
            self._send(status, data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout); nothing to answer


def main(argv: list[str] | None = None) -> None:
    """Serve the fake in this process until stdin closes (used by benchmarks/kolada_fetch.py)."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(description="Fake Kolada API v3 on 127.0.0.1")
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--page-size", type=int, default=5000)
    args = ap.parse_args(argv)
    fake = FakeKolada(latency=args.latency_ms / 1000, page_size=args.page_size)
    fake.encode({"values": fake.query(None, None, None, None)})  # generate and encode the data up front
    with fake:
        print(fake.base_url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
