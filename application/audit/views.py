"""Plain data returned by the audit queries: histories and lineage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from application.partnerships.views import PartnershipSummary, PartnershipView
from domain.values import OriginKind


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded event of an aggregate, as an auditor reads it."""

    version: int
    event_type: str
    description: str
    occurred_on: date | None
    recorded_at: datetime
    actor: str | None
    data: dict[str, Any]
    position: int | None
    actor_key_id: str | None = None
    """The id of the API key that recorded it (``None``: recorded without one, or before
    keys were recorded)."""


@dataclass(frozen=True)
class OriginView:
    kind: OriginKind
    reference_id: str | None
    first_met_on: date
    other_pairs: list[PartnershipSummary]
    activity_title: str | None = None
    """The speed-dating session, event or engagement it came from, when it is one."""
    activity_held_on: date | None = None


@dataclass(frozen=True)
class LineageView:
    partnership: PartnershipView
    origin: OriginView
    timeline: list[HistoryEntry]
