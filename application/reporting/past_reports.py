"""Past reports, kept: a report as known at a settled moment never changes.

Once ``known_at`` is settled (``ReadModels.settle_past``: nothing stamped at or before it can
be recorded any more, and the read models include everything that was) the figures of a
report as known then are fixed for good, so the first answer can be kept and given again
without asking the database, nor waiting for the projections. Nothing is ever invalidated;
the oldest entries make room when the cache is full. Each process keeps its own (a report
asked in another process is computed there once).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

PAST_REPORTS_KEPT = 512
"""Reports kept per process (a few kilobytes each: aggregated rows, at most 100 stalled)."""


class PastReports:
    """A bounded, thread-safe cache of past reports' figures, keyed by lab, report, scope
    (with its ``known_at``) and parameters."""

    def __init__(self, maxsize: int = PAST_REPORTS_KEPT) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._entries:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Hashable, value: T) -> T:
        """Keep ``value`` (answered after ``known_at`` was settled) for ``key``."""
        if self.maxsize <= 0:
            return value
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return value

    def kept(self, key: Hashable, compute: Callable[[], T]) -> T:
        found = self.get(key)
        return found if found is not None else self.put(key, compute())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
