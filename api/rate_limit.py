"""Per-key and per-lab request rate limits (``limits``' moving window, in this process's
memory): one key, or one lab's keys together, beyond their rate get ``429 rate-limited``
with ``Retry-After``, and another lab's requests are not slowed down by them.

Each server process counts for itself: with several processes, the effective limit is the
configured one times their number.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from application.access.api_keys import Principal


@dataclass(frozen=True)
class Refusal:
    scope: str
    """"key" or "lab": whose limit was reached."""
    retry_after: int


class RateLimits:
    def __init__(self, per_key: str | None, per_lab: str | None) -> None:
        self.per_key: list[RateLimitItem] = parse_many(per_key) if per_key else []
        self.per_lab: list[RateLimitItem] = parse_many(per_lab) if per_lab else []
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, principal: Principal) -> Refusal | None:
        """Count one request of ``principal``; a refusal if a limit is reached."""
        for scope, items, identifier in (
            ("key", self.per_key, principal.key_id.hex),
            ("lab", self.per_lab, principal.lab),
        ):
            for item in items:
                if not self.limiter.hit(item, scope, identifier):
                    reset, _ = self.limiter.get_window_stats(item, scope, identifier)
                    return Refusal(scope, max(1, math.ceil(reset - time.time())))
        return None
