"""Plain data returned by queries: what a partnership or an organisation looks like now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.values import Category, OrganizationKind, OriginKind, Stage, SubKind


@dataclass(frozen=True)
class OrganizationView:
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
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class MilestoneView:
    version: int
    kind: str
    occurred_on: date
    actor: str
    note: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class IdeaView:
    id: UUID
    title: str
    description: str | None
    proposed_category: Category
    proposed_on: date
    chosen: bool


@dataclass(frozen=True)
class Amounts:
    financial_eur: Decimal
    in_kind_eur: Decimal
    skills_days: Decimal


@dataclass(frozen=True)
class ContractView:
    category: Category
    sub_kind: SubKind
    signed_on: date
    starts_on: date
    ends_on: date
    committed: Amounts
    total_committed: Amounts
    renewals: list[MilestoneView]


@dataclass(frozen=True)
class EvaluationView:
    version: int
    occurred_on: date
    beneficiaries: int
    jobs_created: int
    volunteer_days: Decimal
    skills_days: Decimal
    in_kind_eur: Decimal
    satisfaction: int | None
    findings: str | None


@dataclass(frozen=True)
class CorrectionView:
    version: int
    target_version: int
    previous: dict[str, Any]
    changes: dict[str, Any]
    reason: str
    occurred_on: date
    actor: str


@dataclass(frozen=True)
class PartnershipView:
    id: UUID
    lab: str
    association_id: UUID
    company_id: UUID
    origin_kind: OriginKind
    origin_reference_id: str | None
    stage: Stage
    status: str
    opened_on: date
    last_milestone_on: date
    stage_reached_on: dict[Stage, date]
    abandonment_reason: str | None
    ideas: list[IdeaView]
    chosen_idea_id: UUID | None
    progress_notes: list[MilestoneView]
    contract: ContractView | None
    evaluations: list[EvaluationView]
    corrections: list[CorrectionView]
    milestones: list[MilestoneView]
    version: int
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class OrganizationFilter:
    kind: OrganizationKind | None = None
    territory: str | None = None
    field_of_activity: str | None = None
    text: str | None = None
    include_archived: bool = False
    stage_counts: bool = True
    """Count each organisation's partnerships per stage (``partnerships_by_stage``); a choice
    list of names does without (it would read every partnership of the lab)."""


@dataclass(frozen=True)
class PartnershipFilter:
    stage: Stage | None = None
    status: str | None = None
    category: Category | None = None
    association_id: UUID | None = None
    company_id: UUID | None = None
    origin_reference_id: str | None = None
    origin_kind: OriginKind | None = None
    territory: str | None = None
    """Either partner's département (67, 2A...)."""
    stalled_before: date | None = None
    """Only open partnerships before a contract whose last milestone is before this day."""


@dataclass(frozen=True)
class OrganizationSummary:
    id: UUID
    kind: OrganizationKind
    name: str
    legal_identifier: str | None
    field_of_activity: str | None
    territory: str
    archived: bool
    version: int
    partnerships_by_stage: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PartnershipSummary:
    id: UUID
    association_id: UUID
    association_name: str
    company_id: UUID
    company_name: str
    origin_kind: OriginKind
    origin_reference_id: str | None
    stage: Stage
    status: str
    category: Category | None
    sub_kind: SubKind | None
    opened_on: date
    last_milestone_on: date
    version: int
