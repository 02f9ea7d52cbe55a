"""What an index holds, kept current by every write in the Chroma `articles` collection's metadata
(one JSON value), so a client of a Chroma server reads counts, outlets and dates without a scan.

Every write adds the new records and subtracts the ones they replace; a delete subtracts. After a
crash the writer recounts it from the records once (`Summary.count`), the only scan there is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..types import IndexStats

KEY = "summary"


def _iso(day: int) -> str:
    return f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}"


@dataclass
class Summary:
    articles: int = 0  # originals (syndicated copies are counted apart)
    copies: int = 0
    chunks: int = 0
    sources: dict[str, int] = field(default_factory=dict)  # outlet -> originals
    days: dict[str, int] = field(default_factory=dict)  # YYYYMMDD -> dated originals with chunks
    last_ingested: str = ""
    inferred: dict[str, int] = field(default_factory=dict)  # field -> originals whose value was inferred

    def add(self, meta: dict[str, Any], sign: int = 1) -> None:
        """Count one article record in (`sign` 1) or out (-1)."""
        if meta.get("duplicate_of"):
            self.copies += sign
            return
        self.articles += sign
        chunks = int(meta.get("chunks", 0) or 0)
        self.chunks += sign * chunks
        source = meta.get("source", "")
        self.sources[source] = self.sources.get(source, 0) + sign
        if not self.sources[source]:
            del self.sources[source]
        day = str(int(meta.get("date", 0) or 0))
        if day != "0" and chunks:
            self.days[day] = self.days.get(day, 0) + sign
            if not self.days[day]:
                del self.days[day]
        for name in filter(None, (meta.get("inferred") or "").split(",")):
            self.inferred[name] = self.inferred.get(name, 0) + sign
            if not self.inferred[name]:
                del self.inferred[name]
        if sign > 0:
            self.last_ingested = max(self.last_ingested, meta.get("ingested", "") or "")

    @classmethod
    def count(cls, records: Iterable[dict[str, Any]]) -> "Summary":
        s = cls()
        for m in records:
            s.add(m)
        return s

    @classmethod
    def read(cls, collection_metadata: dict[str, Any] | None) -> "Summary | None":
        raw = (collection_metadata or {}).get(KEY)
        return cls(**json.loads(raw)) if raw else None

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def stats(self) -> IndexStats:
        days = [int(d) for d in self.days]
        sources = {s or "(unknown)": n for s, n in self.sources.items()}
        return IndexStats(
            articles=self.articles, chunks=self.chunks, copies=self.copies,
            sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            first_date=_iso(min(days)) if days else None, last_date=_iso(max(days)) if days else None,
            last_ingested=self.last_ingested or None, inferred=dict(sorted(self.inferred.items())),
        )

    def coverage(self) -> tuple[str, str] | None:
        days = [int(d) for d in self.days]
        return (_iso(min(days)), _iso(max(days))) if days else None
