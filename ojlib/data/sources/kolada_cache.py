"""The raw Kolada cache: every answer as it came, under ``data/raw/kolada/<date>/``.

One file per planned request and fetch: ``<key>.json`` holds a full answer (all pages),
``<key>.andring-<from_date>.json`` the changes since ``from_date`` (incremental refresh).
Files are written atomically and only once all pages are in, so an interrupted fetch never
leaves half an answer; a rerun reuses what is there. The newest full answer plus the changes
fetched after it give the current state of a request (``chain``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ojlib.base import paths
from ojlib.base.errors import OjError
from ojlib.base.storage import write_bytes_atomic

FORMAT = 1
FULL = "full"
DELTA = "andring"
PAGES_KEY = b',"sidor":'  # the header comes first, the pages last: headers are read without the pages
HEADER_BYTES = 16_384


@dataclass(frozen=True)
class Entry:
    """One cached answer: where it is, what it is, when it was fetched."""

    path: Path
    day: str  # the date directory, YYYY-MM-DD
    kind: str  # FULL or DELTA
    fetched: str  # ISO timestamp
    from_date: str | None

    @property
    def order(self) -> tuple[str, str]:
        return (self.day, self.fetched)


def request_key(base: str, path: str) -> str:
    """Stable file name stem for a request (base URL included: a test server never mixes in)."""
    return hashlib.sha256(f"{base.rstrip('/')}/{path.lstrip('/')}".encode()).hexdigest()[:24]


class RawCache:
    """The cache directory (default ``paths.kolada_cache_dir()``)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else paths.kolada_cache_dir()
        self.warnings: list[str] = []

    def _read_header(self, path: Path) -> Entry | None:
        """The header fields of a cache file without parsing its (large) pages."""
        try:
            with open(path, "rb") as fh:
                head = fh.read(HEADER_BYTES)
            cut = head.find(PAGES_KEY)
            data = json.loads(head[:cut] + b"}") if cut > 0 else json.loads(path.read_bytes())
            return Entry(path=path, day=path.parent.name, kind=data["typ"], fetched=data["hamtad"],
                         from_date=data.get("from_date"))
        except (OSError, ValueError, KeyError, TypeError):
            self.warnings.append(f"Cachefilen {path} gick inte att läsa och används inte.")
            return None

    def entries(self, key: str) -> list[Entry]:
        """All readable cached answers for ``key``, oldest first."""
        if not self.root.exists():
            return []
        found = [self._read_header(p) for p in sorted(self.root.glob(f"*/{key}*.json"))]
        return sorted((e for e in found if e is not None), key=lambda e: e.order)

    def chain(self, key: str) -> list[Entry]:
        """The newest full answer followed by the changes fetched after it ([] if none)."""
        entries = self.entries(key)
        fulls = [e for e in entries if e.kind == FULL]
        if not fulls:
            return []
        base = fulls[-1]
        return [base] + [e for e in entries if e.kind == DELTA and e.order > base.order]

    def read(self, entry: Entry) -> dict:
        """The whole cached answer: header fields and ``sidor`` (the pages)."""
        try:
            return json.loads(entry.path.read_bytes())
        except (OSError, ValueError):
            raise OjError(f"Cachefilen {entry.path} gick inte att läsa; ta bort den eller kör med --utan-cache.") \
                from None

    def write(self, key: str, day: date, kind: str, url: str, pages: list[bytes],
              from_date: str | None = None) -> Entry:
        """Store the answer to one request atomically in the directory of ``day``.

        ``pages`` are the bodies exactly as Kolada sent them (each one a valid JSON object);
        they go into the file unchanged, after a small header.
        """
        name = f"{key}.json" if kind == FULL else f"{key}.{DELTA}-{from_date}.json"
        path = self.root / day.isoformat() / name
        fetched = datetime.now(UTC).isoformat(timespec="microseconds")
        header = {"format": FORMAT, "typ": kind, "url": url, "hamtad": fetched, "from_date": from_date}
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")[:-1]
        write_bytes_atomic(path, head + PAGES_KEY + b"[" + b",".join(pages) + b"]}")
        return Entry(path=path, day=day.isoformat(), kind=kind, fetched=fetched, from_date=from_date)
