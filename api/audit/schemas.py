"""What auditors read: histories, lineage, the global audit log, digests and verifications."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import Field

from api.fields import Output, shows
from api.partnerships.schemas.partnerships import PartnershipPublic, PartnershipSummaryPublic
from application.audit.chain import Mismatch
from application.audit.ports import AuditEntry
from application.audit.views import OriginView


def plain(value: Any) -> Any:
    """Recorded data as JSON keeps it: decimals as exact strings, dates ISO, enums by value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class HistoryEntryPublic(Output):
    version: int
    event_type: str
    description: str
    occurred_on: date | None = Field(description="When it happened (business date).")
    recorded_at: datetime = Field(description="When it was recorded.")
    actor: str | None
    actor_key_id: str | None = Field(
        default=None,
        description="The id of the API key that recorded it; null when recorded without one"
        " (command line, policy) or before key ids were recorded. Names are chosen freely;"
        " this id is what tells two keys apart.",
    )
    data: dict[str, Any] = Field(description="The data recorded, exactly as stored.")
    position: int | None = Field(description="Position of the event in the global log.")


@shows(OriginView)
class OriginPublic(Output):
    other_pairs: list[PartnershipSummaryPublic]
    activity_title: str | None = None
    activity_held_on: date | None = None


class LineagePublic(Output):
    partnership: PartnershipPublic
    origin: OriginPublic
    timeline: list[HistoryEntryPublic]


@shows(AuditEntry, exclude=("lab",))
class AuditEventPublic(Output):
    pass


class AuditEventsPublic(Output):
    items: list[AuditEventPublic]
    next_after: int | None = Field(description="Pass as `after` to read the next page.")


class DigestPublic(Output):
    position: int
    link: str = Field(description="SHA-256 of the chain up to this position (hex).")


@shows(Mismatch)
class MismatchPublic(Output):
    kind: str = Field(description="changed, deleted, inserted or digest-mismatch")


class VerificationPublic(Output):
    ok: bool
    checked: int = Field(description="How many stored events were checked.")
    head: DigestPublic | None
    first_mismatch: MismatchPublic | None
