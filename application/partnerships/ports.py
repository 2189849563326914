"""What the application needs from infrastructure, stated as protocols.

``infrastructure/`` implements these for SQLite and PostgreSQL; tests may fake them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import Tracking

from application.partnerships.views import (
    OrganizationFilter,
    OrganizationSummary,
    PartnershipFilter,
    PartnershipSummary,
)
from application.results import Page, PageRequest
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
