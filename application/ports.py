"""What the application needs from infrastructure, stated as protocols.

``infrastructure/`` implements these for SQLite and PostgreSQL; tests may fake them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import Tracking

from application.audit import Digest, Verification
from application.views import (
    OrganizationFilter,
    OrganizationSummary,
    Page,
    PageRequest,
    PartnershipFilter,
    PartnershipSummary,
)
from domain.values import Category, OrganizationKind, OriginKind, Stage, SubKind


@dataclass(frozen=True)
class OrganizationRow:
    id: UUID
    lab: str
    kind: OrganizationKind
    name: str
    legal_identifier: str | None
    field_of_activity: str | None
    territory: str
    description: str | None
    archived: bool
    version: int


@dataclass(frozen=True)
class PartnershipRow:
    id: UUID
    lab: str
    association_id: UUID
    company_id: UUID
    origin_kind: OriginKind
    origin_reference_id: str | None
    version: int


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone of a partnership: the basis of stage-by-date (as-of) reports."""

    partnership_id: UUID
    version: int
    kind: str
    stage: Stage | None
    occurred_on: date
    recorded_at: datetime
    position: int


@dataclass(frozen=True)
class ContractRow:
    partnership_id: UUID
    category: Category
    sub_kind: SubKind


@dataclass(frozen=True)
class ContractCorrected:
    partnership_id: UUID
    category: Category | None
    sub_kind: SubKind | None


@dataclass(frozen=True)
class OrganizationChanged:
    id: UUID
    changes: dict[str, object]
    version: int


@dataclass(frozen=True)
class MilestoneDateCorrected:
    partnership_id: UUID
    version: int
    occurred_on: date


@dataclass(frozen=True)
class PartnershipAbandonedRow:
    partnership_id: UUID
    reason: str


@dataclass(frozen=True)
class PartnershipTouched:
    partnership_id: UUID
    version: int


CatalogChange = (
    OrganizationRow
    | OrganizationChanged
    | PartnershipRow
    | MilestoneRow
    | MilestoneDateCorrected
    | ContractRow
    | ContractCorrected
    | PartnershipAbandonedRow
    | PartnershipTouched
)


class CatalogView(Protocol):
    """The lab's searchable catalogue of organisations and partnerships (a read model)."""

    def rewind(self, application_name: str, position: int) -> None:
        """Move the tracking position back (a retry's replay of held events)."""
        ...

    def apply(self, batch: Sequence[tuple[Tracking, Sequence[CatalogChange]]]) -> None:
        """Apply a batch of events' changes and the last tracking position in one transaction.

        A position already recorded is skipped, so delivering an event twice changes nothing.
        """
        ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def list_organizations(
        self, lab: str, filters: OrganizationFilter, page: PageRequest
    ) -> Page[OrganizationSummary]: ...

    def list_partnerships(
        self, lab: str, filters: PartnershipFilter, page: PageRequest
    ) -> Page[PartnershipSummary]: ...


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Reservation:
    """The outcome of claiming an idempotency key: new, a replay, or a conflict."""

    is_new: bool
    stored: StoredResponse | None = None
    fingerprint_matches: bool = True


class IdempotencyStore(Protocol):
    def reserve(self, lab: str, key: str, fingerprint: str) -> Reservation: ...

    def complete(self, lab: str, key: str, response: StoredResponse) -> None: ...

    def release(self, lab: str, key: str) -> None: ...


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

    def verify(self, expected: Digest | None = None) -> Verification: ...

    def export(self, lab: str | None, aggregate_id: UUID | None) -> Iterator[str]: ...

    def entries(
        self, lab: str, filters: AuditFilter, after: int, limit: int
    ) -> list[AuditEntry]: ...

    def positions(self, aggregate_id: UUID) -> dict[int, int]: ...


CATALOG = ("catalog",)
AUDIT_INDEX = ("audit-index",)
REPORTS = ("reports",)
API_KEYS = ("api-keys",)
ACTIVITIES = ("activity-policy", "activities", "catalog")
"""The read models each kind of read waits for (the followers' names)."""


@dataclass(frozen=True)
class ProjectionFault:
    """An event a read model could not apply: the read model holds that lab's events from
    ``position`` on (``state`` "stopped"), or goes over them again ("replaying")."""

    read_model: str
    lab: str
    position: int
    error: str
    state: str


class ProjectionFollower(Protocol):
    """Something that keeps read models up to date and can be waited for."""

    def wait_until(
        self, position: int, timeout: float, names: Sequence[str] | None = None
    ) -> bool: ...

    def stopped(self, names: Sequence[str], lab: str) -> list[ProjectionFault]:
        """The faults holding ``lab`` on any of the read models ``names``."""
        ...
