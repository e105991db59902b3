"""Kolada as the real data source: plan the requests, fetch (through the raw cache),
normalise into the tidy dataset and save it; plus a check of the catalogue against Kolada.

The flow of ``fetch``: catalogue rows -> a plan of requests (≤25 ids per path segment, the
``/data/kpi/{kpis}/year/{years}`` form that returns every area at once) -> answers from
the cache or from Kolada (``kolada_client``) -> tidy rows (``normalise``) -> merged with the
earlier Kolada rows of other indicators/years -> ``dataset.save_dataset``. Nothing under
``data/processed`` is touched until every request has succeeded.

Units: the catalogue's KPIs with ``enheter: true`` (Kolada has them per unit, ``has_ou_data``) are
also asked for at unit level, ``/oudata/kpi/{kpis}/year/{years}`` plus the unit list ``/ou``,
through the same planning, cache and download, and saved as ``kolada_enheter.parquet``
(``ojlib.data.enheter``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from ojlib.base.errors import OjError, excerpt
from ojlib.data import dataset, enheter, geo
from ojlib.data.catalog import Catalogue, Indicator, load_catalogue, parse_omraden
from ojlib.data.source_lines import source_line
from ojlib.data.sources.kolada_cache import DELTA, FULL, RawCache, request_key
from ojlib.data.sources.kolada_client import KoladaClient, chunked, id_segment

KALLA = "kolada"
GENDERS = ("T", "K", "M")
NAN = float("nan")
# Kolada's status is "" in every row seen so far; other texts are undocumented (INF), so map
# the obvious words onto the dataset's statuses and keep anything else verbatim.
STATUS_WORDS = (("sekretess", "sekretess"), ("skydd", "sekretess"), ("bortfall", "bortfall"),
                ("tillämp", "ej_tillampligt"), ("tillamp", "ej_tillampligt"), ("saknas", "saknas"))
DISCONTINUED_RE = re.compile(r"\(\s*-\s*(\d{4})\s*\)")  # "(-2024)" and "(- 2024)", usually at the end


# -- what to fetch ---------------------------------------------------------------------------

def select_indicators(cat: Catalogue, omrade: str | list[str] | None = None,
                      kpi: Iterable[str] | None = None) -> list[Indicator]:
    """The catalogue rows to fetch: an område (or all), optionally narrowed to some KPIs."""
    omraden = parse_omraden(omrade)
    if not kpi:
        return cat.for_omrade(omraden)
    wanted = [k.strip().upper() for item in kpi for k in str(item).split(",") if k.strip()]
    chosen = [cat[k] for k in dict.fromkeys(wanted)]  # cat[k] raises the Swedish error for unknown KPIs
    outside = [i for i in chosen if i.omrade not in omraden]
    if outside:
        i = outside[0]
        raise OjError(f"KPI {i.kpi} hör till området {i.omrade}, inte {', '.join(omraden)}; "
                      "ta bort --omrade eller välj rätt område.")
    return chosen


def resolve_years(indicators: list[Indicator], fran_ar: int | None = None,
                  till_ar: int | None = None) -> dict[str, list[int]]:
    """Years to fetch per KPI: its catalogue years, cut to ``fran_ar``–``till_ar``.

    Years outside the catalogue's range of the chosen indicators are refused, so a typo
    (2204) is not a silent empty fetch.
    """
    if not indicators:
        raise OjError("Inga indikatorer valdes; ange ett område eller KPI:er som finns i `oj indikatorer`.")
    lo = min(i.ar_fran for i in indicators)
    hi = max(i.ar_till for i in indicators)
    fran = lo if fran_ar is None else int(fran_ar)
    till = hi if till_ar is None else int(till_ar)
    if fran > till:
        raise OjError(f"Från-året {fran} är senare än till-året {till}; byt plats på --fran-ar och --till-ar.")
    if fran < lo or till > hi:
        raise OjError(f"Åren {fran}–{till} ligger utanför katalogens år för de valda indikatorerna ({lo}–{hi}); "
                      "välj år inom dem, eller ändra ar_fran/ar_till i indikatorkatalogen om Kolada har fler år.")
    years = {i.kpi: list(range(max(fran, i.ar_fran), min(till, i.ar_till) + 1)) for i in indicators}
    years = {k: v for k, v in years.items() if v}
    if not years:
        raise OjError(f"Ingen av de valda indikatorerna har år inom {fran}–{till} i katalogen; välj andra år.")
    return years


@dataclass(frozen=True)
class PlannedRequest:
    """One data request (before pagination): its path below the base URL and what it covers."""

    path: str
    kpis: tuple[str, ...]
    years: tuple[int, ...]

    @property
    def covers(self) -> set[tuple[str, int]]:
        return {(k, y) for k in self.kpis for y in self.years}


def plan_requests(years_by_kpi: dict[str, list[int]],
                  municipalities: list[str] | None = None, endpoint: str = "data") -> list[PlannedRequest]:
    """The fewest requests that cover every KPI's years for all areas (or the given ones).

    ``/data/kpi/{≤25 kpis}/year/{≤25 years}`` returns every kommun, region and riket in one
    (paged) answer, so a full fetch needs ceil(KPIs/25) × ceil(years/25) requests. KPIs are
    grouped by their first year so each chunk's year list stays short. ``endpoint="oudata"``
    plans the same requests for unit values (every unit in one paged answer).
    """
    order = sorted(years_by_kpi, key=lambda k: (min(years_by_kpi[k]), max(years_by_kpi[k]), k))
    plan = []
    for kpis in chunked(order):
        years = sorted({y for k in kpis for y in years_by_kpi[k]})
        for ychunk in chunked(years):
            seg = f"{endpoint}/kpi/{id_segment(kpis)}"
            if municipalities:
                for mchunk in chunked(municipalities):
                    plan.append(PlannedRequest(f"{seg}/municipality/{id_segment(mchunk)}/year/"
                                               f"{id_segment(ychunk)}", tuple(kpis), tuple(ychunk)))
            else:
                plan.append(PlannedRequest(f"{seg}/year/{id_segment(ychunk)}", tuple(kpis), tuple(ychunk)))
    return plan


# -- normalisation ---------------------------------------------------------------------------

@dataclass
class Normalised:
    """Tidy rows from Kolada answers plus what was left out and why."""

    df: pd.DataFrame
    dropped_codes: Counter = field(default_factory=Counter)  # area code -> rows dropped
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)


def _truthy(value) -> bool:
    return value is True or value == 1 or (isinstance(value, str) and value.lower() in ("true", "1"))


def _status(raw) -> str | None:
    text = str(raw or "").strip()
    if not text:
        return None
    low = text[:200].lower()
    for needle, status in STATUS_WORDS:
        if needle in low:
            return status
    return excerpt(text, 40)  # kept as Kolada wrote it, but a 5 MB text is not kept whole


def _number(value) -> float | None:
    """A finite float, or None (null, text, booleans, NaN and infinities are not values)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out - out == 0 else None  # false for NaN and ±inf


def _collect(answers: Iterable[Iterable[dict]], area: str = "municipality") -> tuple[dict, int, int]:
    """Apply answers in order: (kpi, kod, ar, kon) -> (value, status, count); deleted and invalid counts.

    ``area`` is the item's key for the area: ``municipality`` (``/data``) or ``ou`` (``/oudata``).
    """
    state: dict[tuple[str, str, int, str], tuple] = {}
    deleted = invalid = 0
    for items in answers:
        for item in items:
            try:
                kpi, kod, period, values = item["kpi"], item[area], item["period"], item["values"]
            except (KeyError, TypeError):
                invalid += 1
                continue
            if type(kpi) is not str or type(kod) is not str or type(period) is not int:
                if kpi is None or kod is None or period is None or isinstance(period, bool):
                    invalid += 1
                    continue
                try:
                    kpi, kod, period = str(kpi), str(kod), int(period)
                except (TypeError, ValueError):
                    invalid += 1
                    continue
            if values is not None and not isinstance(values, list):
                invalid += 1
                continue
            flag = item.get("isdeleted", item.get("is_deleted"))
            item_deleted = bool(flag) and _truthy(flag)
            for v in values or ():
                try:
                    key = (kpi, kod, period, v["gender"])
                except (KeyError, TypeError):
                    invalid += 1
                    continue
                flag = v.get("isdeleted", v.get("is_deleted"))
                if item_deleted or (flag and _truthy(flag)):
                    deleted += 1
                    state.pop(key, None)
                    continue
                state[key] = (v.get("value"), v.get("status"), v.get("count"))
    return state, deleted, invalid


def normalise(answers: Iterable[Iterable[dict]]) -> Normalised:
    """Turn Kolada answers (lists of data items, applied in order) into the tidy table.

    Later answers override earlier ones value by value, and a value flagged ``isdeleted``
    (v2: ``is_deleted``) removes it, which is how ``from_date`` changes are applied. Nulls are
    kept as missing with a status; codes that are not a kommun, a region or riket (groups,
    units) are dropped and counted; genders other than T/K/M are dropped with a warning.
    """
    state, deleted, invalid = _collect(answers)
    niva_of = geo.areas().set_index("kod")["niva"].to_dict()
    cols: dict[str, list] = {c: [] for c in dataset.COLUMNS if c != "kalla"}
    kpi_, kod_, niva_, ar_, kon_ = cols["kpi"], cols["kod"], cols["niva"], cols["ar"], cols["kon"]
    varde_, status_, antal_ = cols["varde"], cols["status"], cols["antal"]
    tally = _Tally()
    for kpi, kod, ar, kon, niva, varde, text, count in _kept_values(state, niva_of.get, tally):
        kpi_.append(kpi)
        kod_.append(kod)
        niva_.append(niva)
        ar_.append(ar)
        kon_.append(kon)
        varde_.append(varde)
        status_.append(text)
        antal_.append(count if type(count) is int else None)
    df = pd.DataFrame({**cols, "varde": np.array(varde_, dtype="float64"), "antal": pd.array(antal_, dtype="Int64"),
                       "kalla": KALLA}, columns=dataset.COLUMNS)
    odd_status = sorted({s for s in tally.status_of.values() if s is not None and s not in dataset.STATUS_TEXT})
    warnings = []
    if invalid:
        warnings.append(f"{invalid} poster från Kolada saknade kpi, område, år eller kön och hoppades över.")
    if tally.bad_kon:
        warnings.append(f"{sum(tally.bad_kon.values())} värden hade okänt kön ({_short(sorted(tally.bad_kon))}) "
                        "och hoppades över; ojlib använder T, K och M.")
    if odd_status:
        warnings.append(f"Okända statuskoder från Kolada behölls som de är: {_short(odd_status)}.")
    if tally.bad_values:
        warnings.append(f"{tally.bad_values} värden från Kolada var inte tal och sparades som saknade.")
    return Normalised(df=df, dropped_codes=tally.dropped, deleted=deleted, warnings=warnings)


@dataclass
class _Tally:
    """What :func:`_kept_values` left out or could not read, for the warnings of ``normalise``/``normalise_units``."""

    dropped: Counter = field(default_factory=Counter)  # area code -> values whose area is not shown
    bad_kon: Counter = field(default_factory=Counter)  # gender other than T/K/M -> values
    bad_values: int = 0  # values that were not numbers (kept as missing)
    status_of: dict = field(default_factory=dict)  # Kolada's status text -> ojlib's status


def _kept_values(state: dict, place: Callable[[str], object], tally: _Tally):
    """The values of ``_collect``'s state that ``place(area)`` places (not None) and whose gender is
    T/K/M, as ``(kpi, area, ar, kon, place, varde, status, count)``; the rest is counted in ``tally``."""
    status_of = tally.status_of
    for (kpi, kod, ar, kon), (value, status, count) in state.items():
        where = place(kod)
        if where is None:
            tally.dropped[kod] += 1
            continue
        if kon not in GENDERS:
            tally.bad_kon[str(kon)] += 1
            continue
        varde, text, bad = _value_and_status(value, status, status_of)
        tally.bad_values += bad
        yield kpi, kod, ar, kon, where, varde, text, count


def _value_and_status(value, status, status_of: dict) -> tuple[float, str | None, bool]:
    """(varde, status, not-a-number) of one Kolada value, as ``normalise`` stores them."""
    if type(value) is float and value - value == 0:
        varde, bad = value, False
    else:
        varde = _number(value)
        bad = value is not None and varde is None
        varde = NAN if varde is None else varde
    text = "" if status is None else str(status)
    if text not in status_of:
        status_of[text] = _status(text)
    return varde, status_of[text], bad


def unit_list(items: Iterable[dict]) -> dict[str, dict]:
    """Kolada's ``/ou`` rows by id: ``{"kod": kommun, "titel": title}`` (rows without an id skipped)."""
    out = {}
    for it in items:
        if isinstance(it, dict) and isinstance(it.get("id"), str):
            out[it["id"]] = {"kod": str(it.get("municipality") or ""), "titel": str(it.get("title") or it["id"])}
    return out


def normalise_units(answers: Iterable[Iterable[dict]], units: dict[str, dict]) -> Normalised:
    """Unit answers (``/oudata``, applied in order like ``normalise``) into the unit table.

    ``units`` is ``unit_list`` of ``/ou``: it gives each unit its kommun and title. Ids that are
    not Kolada unit ids, and units Kolada does not place in a kommun, are dropped and counted.
    """
    state, deleted, invalid = _collect(answers, area="ou")
    kommuner = set(geo.kommuner().kommun_kod)
    rows: dict[str, list] = {c: [] for c in enheter.COLUMNS}

    def placed(ou: str) -> dict | None:  # a Kolada unit id of a unit Kolada places in a kommun
        meta = units.get(ou)
        return meta if enheter.OU_RE.match(ou) and meta is not None and meta["kod"] in kommuner else None

    tally = _Tally()
    for kpi, ou, ar, kon, meta, varde, text, _count in _kept_values(state, placed, tally):
        for col, v in zip(enheter.COLUMNS, (kpi, ou, meta["kod"], ar, kon, None if varde != varde else varde, text,
                                            meta["titel"], enheter.unit_type(ou), KALLA), strict=True):
            rows[col].append(v)
    df = pl.DataFrame(rows, schema=enheter.SCHEMA)
    warnings = []
    if invalid:
        warnings.append(f"{invalid} enhetsposter från Kolada saknade kpi, enhet, år eller kön och hoppades över.")
    if tally.bad_kon:
        warnings.append(f"{sum(tally.bad_kon.values())} enhetsvärden hade okänt kön och hoppades över.")
    if tally.bad_values:
        warnings.append(f"{tally.bad_values} enhetsvärden från Kolada var inte tal och sparades som saknade.")
    return Normalised(df=df, dropped_codes=tally.dropped, deleted=deleted, warnings=warnings)


# -- fetch -----------------------------------------------------------------------------------

@dataclass
class FetchResult:
    """What ``fetch`` did, for the summary printed by ``oj hamta``."""

    path: Path
    hamtad: str
    bas_url: str
    rows: int  # rows fetched now (before merging with earlier Kolada data)
    rows_total: int  # rows in the saved dataset
    kpis: list[str]
    years: list[int]
    planned: int
    from_cache: int
    http_requests: int
    kpi_without_data: list[str]
    years_without_data: list[int]
    missing_years: dict[str, list[int]]
    dropped_codes: dict[str, int]
    deleted: int
    warnings: list[str]
    not_in_kolada: list[Indicator] = field(default_factory=list)  # utgivare: socialstyrelsen, not asked for
    units: UnitResult | None = None  # the unit values fetched with them (None: no unit KPIs or --utan-enheter)


@dataclass
class UnitResult:
    """The unit part of a fetch: what was saved in ``kolada_enheter.parquet``."""

    path: Path
    rows: int  # unit values fetched now
    rows_total: int
    kpis: list[str]
    units: int  # units with a value fetched now
    types: list[str]
    planned: int
    dropped_codes: dict[str, int]


def _previous(bas: str, warnings: list[str]) -> tuple[pd.DataFrame | None, dict]:
    """The earlier Kolada dataset, if it can be merged with this fetch."""
    if not dataset.dataset_path(KALLA).exists():
        return None, {}
    try:
        prev = dataset.load_dataset(KALLA)
    except OjError:
        warnings.append("Den tidigare Kolada-datan gick inte att läsa och ersätts helt av den här hämtningen.")
        return None, {}
    if prev.info.get("bas_url") not in (None, bas):
        warnings.append(f"Den tidigare Kolada-datan kom från {prev.info.get('bas_url')} och ersätts helt.")
        return None, {}
    return prev.df, prev.info


def _items(pages: list[dict]) -> list[dict]:
    return [v for p in pages for v in p["values"]]


def shape_problem(pages: list[dict]) -> str | None:
    """What is wrong with the form of a data answer (pages of ``values``), in Swedish, or None.

    Checked before an answer is cached, and again when a cached one is read: each data item an
    object whose ``values`` is a list of objects, a ``count`` that is a whole number from 0 to
    10^15, a number ``value`` within ±10^15, a ``period`` that is a year. Anything else (a
    ``values`` of 5, a count of 10^25, a value of 1.7e308) is no answer ojlib can trust.
    """
    for page in pages:
        count = page.get("count") if isinstance(page, dict) else None
        if not isinstance(page, dict) or not isinstance(page.get("values"), list):
            return "en sida saknar listan 'values'"
        if count is not None and (type(count) is not int or not 0 <= count <= dataset.LARGEST):
            return f"sidans antal (count) är {excerpt(count, 30)}, inget rimligt antal"
        for item in page["values"]:
            if not isinstance(item, dict):
                return f"en post är {excerpt(item, 30)}, inte ett objekt"
            what = f"posten för {excerpt(item.get('kpi'), 20)}, {excerpt(item.get('municipality'), 20)}, " \
                   f"{excerpt(item.get('period'), 20)}"
            period = item.get("period")
            if type(period) is int and not dataset.FIRST_YEAR <= period <= dataset.LAST_YEAR:
                return f"{what} har året {excerpt(period, 30)}, utanför {dataset.FIRST_YEAR}–{dataset.LAST_YEAR}"
            values = item.get("values")
            if values is None:
                continue
            if not isinstance(values, list):
                return f"i {what} är 'values' {excerpt(values, 30)}, inte en lista"
            for v in values:
                if not isinstance(v, dict):
                    return f"i {what} är ett värde {excerpt(v, 30)}, inte ett objekt"
                n = v.get("count")
                if n is not None and (type(n) is not int or not 0 <= n <= dataset.LARGEST):
                    return f"i {what} är antalet (count) {excerpt(n, 30)}, inget heltal från 0 till 10^15"
                x = v.get("value")
                if type(x) in (int, float) and not abs(x) <= dataset.LARGEST:
                    return f"i {what} är värdet {excerpt(x, 30)} orimligt stort (över 10^15)"
    return None


def _check_answer(pages: list[dict], url: str) -> None:
    """Refuse a fetched answer of the wrong form before it is cached."""
    problem = shape_problem(pages)
    if problem:
        raise OjError(f"Kolada skickade ett svar med fel form på {url}: {problem}; svaret sparades inte – kör "
                      "kommandot igen, och hör av dig till Kolada om felet består.")


def _cached_items(cache: RawCache, entry) -> list[dict]:
    """The items of one cached answer; one cached by an older ojlib with the wrong form says how to replace it."""
    pages = cache.read(entry)["sidor"]
    problem = shape_problem(pages) if isinstance(pages, list) else "sidorna saknas"
    if problem:
        raise OjError(f"Ett sparat Kolada-svar i cachen ({entry.path}) har fel form: {problem}; hämta svaret på nytt "
                      "med `oj hamta --utan-cache`.")
    return _items(pages)


def _answer(req: PlannedRequest, client: KoladaClient, cache: RawCache, today: date, uppdatera: bool,
            utan_cache: bool) -> tuple[list[list[dict]], str, bool]:
    """Items of one planned request (full answer, then changes), the date they reflect, and
    whether the cache answered it alone."""
    key = request_key(client.base_url, req.path)
    chain = [] if utan_cache else cache.chain(key)
    if chain and not uppdatera:
        return [_cached_items(cache, e) for e in chain], chain[-1].day, True
    if chain and req.kpis:  # a data request: the changes since; a list (``/ou``) is fetched whole again
        since = chain[-1].day
        got = list(client.raw_pages(req.path, {"from_date": since}))
        _check_answer([p for p, _ in got], client.url(req.path, {"from_date": since}))
        cache.write(key, today, DELTA, client.url(req.path, {"from_date": since}), [r for _, r in got],
                    from_date=since)
        answers = [_cached_items(cache, e) for e in chain]
        return answers + [_items([p for p, _ in got])], today.isoformat(), False
    got = list(client.raw_pages(req.path))
    _check_answer([p for p, _ in got], client.url(req.path))
    cache.write(key, today, FULL, client.url(req.path), [r for _, r in got])
    return [_items([p for p, _ in got])], today.isoformat(), False


class _Completed:
    """Futures in the order they finish, with a length (so a progress bar knows the total)."""

    def __init__(self, futures):
        self.futures = futures

    def __len__(self) -> int:
        return len(self.futures)

    def __iter__(self):
        return as_completed(self.futures)


def download(plan: list[PlannedRequest], client: KoladaClient, cache: RawCache, today: date, *,
             uppdatera: bool = False, utan_cache: bool = False, workers: int = 4,
             progress: Callable | None = None) -> list[tuple[list[list[dict]], str, bool]]:
    """Answer every planned request (``workers`` at a time), in plan order.

    The first failure stops the other workers before their next request and is raised;
    answers completed before it stay in the cache for the next run.
    """
    results: list = [None] * len(plan)
    client.stop.clear()
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="kolada")
    try:
        def answer(req: PlannedRequest):
            try:
                return _answer(req, client, cache, today, uppdatera, utan_cache)
            except BaseException:
                client.stop.set()  # at once, in the worker: no other worker starts a queued request first
                raise

        futures = {pool.submit(answer, req): n for n, req in enumerate(plan)}
        done = _Completed(list(futures))
        for fut in progress(done) if progress else done:
            results[futures[fut]] = fut.result()
    except BaseException:
        client.stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def _covered_mask(df: pd.DataFrame, plan: list[PlannedRequest]) -> pd.Series:
    """Rows whose KPI and year one of the planned requests asked for."""
    mask = pd.Series(False, index=df.index)
    for req in plan:
        mask |= df.kpi.isin(req.kpis) & df.ar.isin(req.years)
    return mask


def _merge_previous(new: pd.DataFrame, plan: list[PlannedRequest], bas: str,
                    warnings: list[str]) -> tuple[pd.DataFrame, dict]:
    """The new rows plus the earlier Kolada rows of indicator-years this fetch did not cover."""
    prev, info = _previous(bas, warnings)
    if prev is None:
        return new, {}
    keep = ~_covered_mask(prev, plan)
    if not keep.any():
        return new, {}
    return pd.concat([prev[keep], new], ignore_index=True), info


UNIT_LIST = PlannedRequest("ou", (), ())


def _unit_plan(indicators: list[Indicator], years_by_kpi: dict[str, list[int]]) -> list[PlannedRequest]:
    """Unit requests for the indicators Kolada has per unit (``enheter``), plus the unit list; [] if none."""
    years = {i.kpi: years_by_kpi[i.kpi] for i in indicators if i.enheter and i.kpi in years_by_kpi}
    return plan_requests(years, endpoint="oudata") + [UNIT_LIST] if years else []


def _unit_table(results: list, plan: list[PlannedRequest], bas: str,
                warnings: list[str]) -> tuple[pl.DataFrame, UnitResult]:
    """The unit answers normalised and validated, with the earlier unit rows this fetch did not cover."""
    data_plan = [r for r in plan if r.kpis]
    units = unit_list(v for answers, _, _ in results[len(data_plan):] for a in answers for v in a)
    norm = normalise_units((a for answers, _, _ in results[:len(data_plan)] for a in answers), units)
    warnings += norm.warnings
    asked = pl.any_horizontal([pl.col("kpi").is_in(list(r.kpis)) & pl.col("ar").is_in(list(r.years))
                               for r in data_plan])
    new = norm.df.filter(asked)
    merged = new
    prev_info = enheter.read_manifest(KALLA) or {}
    if enheter.path(KALLA).exists() and prev_info.get("bas_url") in (None, bas):
        prev = enheter.scan(KALLA).filter(~asked).collect()
        merged = pl.concat([prev, new], how="vertical_relaxed")
    merged = enheter.validate(merged, what="Koladas enhetsdata")
    return merged, UnitResult(path=enheter.path(KALLA), rows=len(new), rows_total=len(merged),
                      kpis=sorted({k for r in data_plan for k in r.kpis}),
                      units=new.filter(pl.col("varde").is_not_null())["ou"].n_unique(),
                      types=sorted(new["typ"].unique().to_list()), planned=len(plan),
                      dropped_codes=dict(sorted(norm.dropped_codes.items())))


def fetch(omrade: str | list[str] | None = None, kpi: Iterable[str] | None = None,
          fran_ar: int | None = None, till_ar: int | None = None, *, bas_url: str | None = None,
          uppdatera: bool = False, utan_cache: bool = False, client: KoladaClient | None = None,
          today: date | None = None, progress: Callable | None = None, workers: int = 4,
          catalogue: Catalogue | None = None, tidsgrans: float | None = None,
          utan_enheter: bool = False) -> FetchResult:
    """Fetch the catalogue's indicators from Kolada and save ``data/processed/kolada.parquet``.

    Cached answers are reused unless ``uppdatera`` (ask Kolada for changes since the cached
    date, ``from_date``) or ``utan_cache`` (fetch everything again). ``progress`` wraps the
    iterable of planned requests (e.g. a tqdm bar). ``tidsgrans`` bounds the whole fetch in
    seconds (default ``kolada_client.DEFAULT_DEADLINE``). Raises OjError on any failure, leaving
    the earlier processed dataset byte-for-byte as it was. Indicators with unit data are fetched
    per unit too (``kolada_enheter.parquet``) unless ``utan_enheter`` (``oj hamta --utan-enheter``).
    """
    cat = catalogue or load_catalogue()
    chosen = select_indicators(cat, omrade, kpi)
    # only what Kolada serves: the ÖJ kommunenkät questions Kolada dropped come from workbooks
    not_in_kolada = [i for i in chosen if i.utgivare != KALLA]
    indicators = [i for i in chosen if i.utgivare == KALLA]
    if not indicators:
        raise OjError(f"Kolada har inte {_short([i.kpi for i in not_in_kolada])} längre; de finns i "
                      "Socialstyrelsens ÖJ-arbetsböcker – läs in dem med `oj importera FIL`.")
    years_by_kpi = resolve_years(indicators, fran_ar, till_ar)
    plan = plan_requests(years_by_kpi)
    unit_plan = [] if utan_enheter else _unit_plan(indicators, years_by_kpi)
    today = today or date.today()
    own = client is None
    client = client or KoladaClient(bas_url)
    if tidsgrans is not None:  # seconds for the whole fetch (the client's deadline), from now
        client.deadline = tidsgrans
    client.start_deadline()
    cache = RawCache()
    try:
        results = download(plan + unit_plan, client, cache, today, uppdatera=uppdatera, utan_cache=utan_cache,
                           workers=workers, progress=progress)
    finally:
        if own:
            client.close()
    results, unit_results = results[:len(plan)], results[len(plan):]
    days = [day for _, day, _ in results]
    norm = normalise(a for answers, _, _ in results for a in answers)
    warnings = list(client.warnings) + list(cache.warnings) + norm.warnings
    new = norm.df
    asked = _covered_mask(new, plan)
    if not asked.all():
        warnings.append(f"Kolada skickade {int((~asked).sum())} rader för indikatorer eller år som inte "
                        "efterfrågades; de hoppades över.")
        new = new[asked].reset_index(drop=True)
    with_value = new[new.varde.notna()]
    kpis = list(years_by_kpi)
    all_years = sorted({y for ys in years_by_kpi.values() for y in ys})
    if with_value.empty:
        raise OjError(f"Kolada gav inga värden alls för {len(kpis)} indikatorer åren {_span(all_years)} "
                      f"från {client.base_url}; kontrollera --bas-url och kör `oj indikatorer --kontrollera` "
                      "(tomma svar sparas i cachen – använd --uppdatera för att fråga igen).")
    have = {k: {int(a) for a in g} for k, g in with_value.groupby("kpi").ar}
    kpi_without = [k for k in kpis if k not in have]
    missing_years = {k: [y for y in ys if y not in have[k]] for k, ys in years_by_kpi.items() if k in have}
    missing_years = {k: v for k, v in missing_years.items() if v}
    years_with = set().union(*have.values())
    years_without = [y for y in all_years if y not in years_with]
    if kpi_without:
        warnings.insert(0, f"Kolada gav inga värden för {len(kpi_without)} av {len(kpis)} indikatorer: "
                           f"{', '.join(kpi_without)}.")

    merged, prev_info = _merge_previous(new, plan, client.base_url, warnings)
    hamtad = min(days + ([prev_info["hamtad"]] if prev_info.get("hamtad") else []))
    info = {
        "hamtad": hamtad,
        "senast_hamtad": max(days),
        "bas_url": client.base_url,
        "kalla_text": source_line(KALLA),
        "hamtade_kpi": sorted(set(kpis) | set(prev_info.get("hamtade_kpi", []))),
        "anrop": client.requests,
        "planerade_fragor": len(plan),
        "fran_cache": sum(cached for _, _, cached in results),
    }
    unit_info = {**info, "planerade_fragor": len(unit_plan), "fran_cache": sum(c for _, _, c in unit_results),
                 "hamtad": min(day for _, day, _ in unit_results)} if unit_plan else {}
    units = None
    if unit_plan:  # checked before either table is written
        unit_df, units = _unit_table(unit_results, unit_plan, client.base_url, warnings)
    path = dataset.save_dataset(merged, KALLA, info=info)
    if unit_plan:
        enheter.save(unit_df, KALLA, info=unit_info)
    return FetchResult(
        path=path, hamtad=hamtad, bas_url=client.base_url, rows=len(new), rows_total=len(merged), kpis=kpis,
        years=all_years, planned=len(plan), from_cache=info["fran_cache"], http_requests=client.requests,
        kpi_without_data=kpi_without, years_without_data=years_without, missing_years=missing_years,
        dropped_codes=dict(sorted(norm.dropped_codes.items())), deleted=norm.deleted, warnings=warnings,
        not_in_kolada=not_in_kolada, units=units)


def _short(values, n: int = 8) -> str:
    values = [excerpt(v, 60) for v in values]
    return ", ".join(values[:n]) + (f" och {len(values) - n} till" if len(values) > n else "")


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def summary_text(r: FetchResult) -> str:
    """The Swedish summary ``oj hamta`` prints after a fetch."""
    lines = [
        f"Hämtade {r.rows} rader från Kolada för {len(r.kpis)} indikatorer, år {_span(r.years)} "
        f"({r.planned} {'fråga' if r.planned == 1 else 'frågor'}, {r.from_cache} ur cachen, "
        f"{r.http_requests} anrop till {r.bas_url}).",
        f"Sparat i {r.path} ({r.rows_total} rader totalt), hämtad från Kolada: {r.hamtad}.",
    ]
    if r.not_in_kolada:
        lines.append(f"Hämtades inte ({len(r.not_in_kolada)} indikatorer som Kolada inte längre har; de finns i "
                     "Socialstyrelsens ÖJ-arbetsböcker – läs in dem med `oj importera FIL`): "
                     + ", ".join(f"{i.kpi} {i.namn}" for i in r.not_in_kolada) + ".")
    if r.kpi_without_data:
        lines.append(f"Indikatorer utan värden: {_short(r.kpi_without_data)} – finns de kvar i Kolada? "
                     "Kör `oj indikatorer --kontrollera`.")
    if r.missing_years:
        parts = [f"{k} ({', '.join(str(y) for y in ys)})" for k, ys in r.missing_years.items()]
        lines.append(f"Indikatorer som saknar värden vissa år: {_short(parts, 6)}.")
    if r.years_without_data:
        lines.append(f"År utan några värden: {', '.join(str(y) for y in r.years_without_data)}.")
    if r.dropped_codes:
        lines.append(f"Bortsorterat: {sum(r.dropped_codes.values())} rader för {len(r.dropped_codes)} områdeskoder "
                     f"som inte är kommun, län eller riket ({_short(r.dropped_codes)}).")
    if r.deleted:
        lines.append(f"Bortsorterat: {r.deleted} värden som Kolada markerat som raderade.")
    if r.units is not None:
        u = r.units
        lines.append(f"Enheter: {u.rows} värden för {u.units} enheter ({', '.join(u.types) or 'inga typer'}) och "
                     f"{len(u.kpis)} indikatorer ({u.planned} {'fråga' if u.planned == 1 else 'frågor'}); "
                     f"sparat i {u.path} ({u.rows_total} rader totalt).")
        if u.dropped_codes:
            lines.append(f"Bortsorterat: {sum(u.dropped_codes.values())} enhetsvärden för {len(u.dropped_codes)} "
                         f"enheter utan kommun i Koladas enhetslista ({_short(u.dropped_codes)}).")
    rest = [w for w in r.warnings if not w.startswith("Kolada gav inga värden för")]
    lines += [f"Varning: {w}" for w in rest]
    lines.append(source_line(KALLA) + ".")
    return "\n".join(lines)


# -- catalogue check -------------------------------------------------------------------------

def _plain(text: str) -> str:
    return " ".join(str(text).split())


@dataclass
class CatalogueCheck:
    """The catalogue compared with Kolada's ``/kpi`` list."""

    bas_url: str
    checked: list[str]
    kolada_total: int
    missing: list[str]
    renamed: list[tuple[str, str, str]]  # kpi, catalogue title, Kolada title
    discontinued: list[tuple[str, str, int]]  # kpi, Kolada title, last year
    indicators: dict[str, Indicator] = field(default_factory=dict)
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # kpi, catalogue question, Kolada question
    described: list[str] = field(default_factory=list)  # another description, the same question
    not_kolada: list[str] = field(default_factory=list)  # imported own indicators: not compared

    @property
    def ok(self) -> list[str]:
        bad = set(self.missing) | {r[0] for r in self.renamed} | {d[0] for d in self.discontinued} \
            | {c[0] for c in self.changed} | set(self.described)
        return [k for k in self.checked if k not in bad]


QUESTION_RE = re.compile(r"fr[åa]gan\s+[\"”“']+(.+?)[\"”“']+", re.IGNORECASE)


def survey_question(description: str | None) -> str | None:
    """The survey question a Kolada description quotes ('… på frågan "Pratade handläggaren …?"')."""
    m = QUESTION_RE.search(str(description or ""))
    return _plain(m.group(1)) if m else None


def kolada_sourced(indicators: list[Indicator]) -> tuple[list[Indicator], list[Indicator]]:
    """(indicators with Kolada ids that come or came from Kolada, the user's own imported ones)."""
    own = [i for i in indicators if i.utgivare == "egen" or not re.fullmatch(r"[NU]\d{5}", i.kpi)]
    return [i for i in indicators if i not in own], own


def check_catalogue(indicators: list[Indicator], client: KoladaClient) -> CatalogueCheck:
    """Compare catalogue rows with Kolada's KPI list: missing, renamed, marked discontinued, and a
    changed definition under the same id (another survey question in the description: Kolada
    moved U26492 from "Fick du veta före mötet …" to "Pratade handläggaren … så att du förstod?"
    between its 2024-04 and 2026-03 catalogues). Own imported indicators are not compared.

    The whole list is fetched (two pages in 2026) rather than ids one chunk at a time: how
    Kolada answers unknown ids in a path is not documented.
    """
    meta = {}
    for m in client.kpis():
        if isinstance(m, dict) and isinstance(m.get("id"), str):
            meta[m["id"]] = m
    if not meta:
        raise OjError(f"Kolada gav en tom nyckeltalslista från {client.base_url}/kpi; kontrollera --bas-url.")
    indicators, own = kolada_sourced(indicators)
    missing, renamed, discontinued, changed, described = [], [], [], [], []
    for ind in indicators:
        m = meta.get(ind.kpi)
        if m is None:
            missing.append(ind.kpi)
            continue
        title = _plain(m.get("title") or "")
        end = DISCONTINUED_RE.search(title)
        if end:
            discontinued.append((ind.kpi, title, int(end.group(1))))
            title = _plain(title[:end.start()] + title[end.end():])
        if title != _plain(ind.titel):
            renamed.append((ind.kpi, _plain(ind.titel), title))
        theirs, ours = survey_question(m.get("description")), survey_question(ind.beskrivning)
        if theirs and ours and theirs.lower() != ours.lower():
            changed.append((ind.kpi, ours, theirs))
        elif m.get("description") and _plain(m["description"]) != _plain(ind.beskrivning):
            described.append(ind.kpi)
    return CatalogueCheck(bas_url=client.base_url, checked=[i.kpi for i in indicators], kolada_total=len(meta),
                          missing=missing, renamed=renamed, discontinued=discontinued,
                          indicators={i.kpi: i for i in indicators}, changed=changed, described=described,
                          not_kolada=[i.kpi for i in own])


def check_text(c: CatalogueCheck) -> str:
    """The Swedish report of ``oj indikatorer --kontrollera``."""
    lines = [f"Indikatorkatalogen jämförd med Koladas nyckeltalslista ({c.kolada_total} nyckeltal från {c.bas_url}):"]
    known = [k for k in c.missing if k in c.indicators and c.indicators[k].utgivare != KALLA]
    news = [k for k in c.missing if k not in known]
    if known:
        lines.append(f"Borttagna ur Kolada, som katalogen redan anger med utgivare: socialstyrelsen ({len(known)}; "
                     f"läs in dem från Socialstyrelsens arbetsböcker med `oj importera`): {', '.join(known)}.")
    if news:
        lines.append(f"Borttagna ur Kolada ({len(news)}): {', '.join(news)} – ändra till utgivare: socialstyrelsen "
                     "och ange upphord: ÅR i params/indikatorer.yml (eller ta bort posten).")
    if c.renamed:
        lines.append(f"Annan titel i Kolada ({len(c.renamed)}):")
        lines += [f"  {excerpt(k, 20)}: katalogen \"{excerpt(a, 200)}\" – Kolada \"{excerpt(b, 200)}\""
                  for k, a, b in c.renamed]
    if c.changed:
        lines.append(f"Ändrad fråga under samma id – ett definitionsbrott att registrera ({len(c.changed)}):")
        for k, ours, theirs in c.changed:
            lines.append(f"  {k}: katalogen ”{ours}” – Kolada ”{theirs}”; uppdatera titel och beskrivning och ange "
                         "jamforbar_fran: ÅR (första året med den nya frågan) och en anmarkning i "
                         "params/indikatorer.yml, så att trenderna bryts där.")
    if c.described:
        lines.append(f"Annan beskrivning i Kolada, samma fråga ({len(c.described)}): {', '.join(c.described)} – "
                     "jämför med `oj indikatorer --format csv`.")
    if c.discontinued:
        lines.append(f"Markerade som upphörda i Kolada ({len(c.discontinued)}):")
        for k, t, y in c.discontinued:
            ind = c.indicators.get(k)
            note = ("" if ind is None else " – katalogen anger samma år" if ind.upphord == y
                    else f" – ändra till upphord: {y} i katalogen")
            lines.append(f"  {k}: sista år {y} (\"{excerpt(t, 200)}\"){note}")
    if c.not_kolada:
        lines.append(f"Egna importerade indikatorer jämförs inte med Kolada ({len(c.not_kolada)}): "
                     f"{', '.join(c.not_kolada[:10])}{' …' if len(c.not_kolada) > 10 else ''}.")
    if len(c.ok) == len(c.checked):
        lines.append(f"Alla {len(c.checked)} indikatorer finns i Kolada med samma titel och beskrivning.")
    else:
        lines.append(f"{len(c.ok)} av {len(c.checked)} indikatorer stämmer med Kolada; uppdatera "
                     "params/indikatorer.yml för de andra.")
    return "\n".join(lines)
