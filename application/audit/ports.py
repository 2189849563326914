"""What the audit use cases need from infrastructure: the chain's trail and the audit index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from application.audit.chain import Digest, Verification


@dataclass(frozen=True)
class AuditEntry:
    """One recorded event as the audit index knows it."""

    position: int
    lab: str
    aggregate_id: UUID
    aggregate_type: str
    version: int
    event_type: str
    actor: str | None
    occurred_on: date | None
    recorded_at: datetime


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    event_type: str | None = None
    aggregate_id: UUID | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None


class AuditTrail(Protocol):
    """The hash chain and the audit index, as the application needs them."""

    def digest(self) -> Digest | None: ...

    def verify(
        self,
        expected: Digest | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Verification: ...

    def export(self, lab: str | None, aggregate_id: UUID | None) -> Iterator[str]: ...

    def entries(
        self, lab: str, filters: AuditFilter, after: int, limit: int
    ) -> list[AuditEntry]: ...

    def positions(self, aggregate_id: UUID) -> dict[int, int]: ...
