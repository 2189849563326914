"""What the activities need from infrastructure: their read model (lists, income lines, the
partnerships of a cohort), stated as a protocol with the changes it applies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import Tracking

from application.activities.views import (
    ActivityFilter,
    ActivitySummary,
    CohortPartnership,
    FundingFilter,
    FundingLine,
    NamedRef,
)
from application.results import Page, PageRequest
from domain.activities.values import FundingSource


@dataclass(frozen=True)
class ActivityRow:
    id: UUID
    lab: str
    kind: str
    title: str
    held_on: date
    venue: str | None
    status: str
    company_id: UUID | None
    version: int


@dataclass(frozen=True)
class ActivityStatusChanged:
    """The activity moved on; ``status`` applies only when it currently is one of ``only_from``
    (None: whatever it is)."""

    id: UUID
    version: int
    status: str | None = None
    only_from: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FundingLineRow:
    """An income line; ``line`` tells apart the lines of one aggregate (its event version)."""

    aggregate_id: UUID
    line: int
    lab: str | None
    """None: the lab of the activity ``aggregate_id`` (known to the read model)."""
    source: FundingSource
    year: int
    amount_eur: Decimal
    received_on: date
    funder: str | None
    payer_id: UUID | None


@dataclass(frozen=True)
class FundingAmountCorrected:
    aggregate_id: UUID
    amount_eur: Decimal


ActivityChange = ActivityRow | ActivityStatusChanged | FundingLineRow | FundingAmountCorrected


class ActivitiesView(Protocol):
    """The lab's activities and income lines (a read model), and cohort queries."""

    def apply(self, batch: Sequence[tuple[Tracking, Sequence[ActivityChange]]]) -> None:
        """Apply a batch and its last tracking position in one transaction, exactly once."""
        ...

    def position(self) -> int: ...

    def list_activities(
        self, lab: str, filters: ActivityFilter, page: PageRequest
    ) -> Page[ActivitySummary]: ...

    def funding_lines(self, lab: str, filters: FundingFilter) -> list[FundingLine]: ...

    def organization_refs(self, lab: str, ids: Sequence[UUID]) -> dict[UUID, NamedRef]:
        """Kind and name of the lab's organisations among ``ids`` (from the catalogue)."""
        ...

    def cohort_partnerships(self, lab: str, reference_id: str) -> list[CohortPartnership]:
        """The partnerships whose origin is the activity, with the dates they reached
        co-construction and a contract (from the catalogue)."""
        ...
