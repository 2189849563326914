"""Partnerships in and out: opening, one body per milestone, corrections, the full state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import Field, TypeAdapter, field_validator

from api.fields import (
    Amount,
    AmountsPublic,
    CommittedCreate,
    CorrectionValue,
    Count,
    Input,
    IsoDate,
    LongText,
    Output,
    PagePublic,
    ShortText,
    Version,
    WritePosition,
    shows,
)
from application.partnerships.views import (
    ContractView,
    CorrectionView,
    EvaluationView,
    IdeaView,
    MilestoneView,
    PartnershipSummary,
    PartnershipView,
)
from domain.values import Category, OriginKind, SubKind


class OriginCreate(Input):
    """Where the partners first met: a lab activity (optionally its id) or spontaneously."""

    kind: OriginKind
    reference_id: ShortText | None = Field(
        default=None, description="The speed-dating session or event, when known."
    )


class SeparateOnPurpose(Input):
    """Why this partnership is separate from the pair's open one (recorded with it)."""

    reason: LongText


class PartnershipCreate(Input):
    """Open a partnership with the first meeting of an association and a company."""

    association_id: UUID
    company_id: UUID
    origin: OriginCreate
    occurred_on: IsoDate
    note: LongText | None = None
    separate_on_purpose: SeparateOnPurpose | None = Field(
        default=None,
        description="Open it although the association and the company already have an open "
        "partnership, saying why (otherwise refused: rule one-open-partnership-per-pair).",
    )


class MeetingCreate(Input):
    occurred_on: IsoDate
    note: LongText | None = None


class IdeaCreate(Input):
    title: ShortText = Field(examples=["Traceability software for the food bank"])
    proposed_category: Category
    occurred_on: IsoDate
    description: LongText | None = None
    note: LongText | None = None


class CoConstructionCreate(Input):
    idea_id: UUID = Field(description="The proposed idea the partners build on.")
    occurred_on: IsoDate
    note: LongText | None = None


class ProgressCreate(Input):
    progress: LongText
    occurred_on: IsoDate
    note: LongText | None = None


class ContractCreate(Input):
    signed_on: IsoDate
    category: Category
    sub_kind: SubKind
    starts_on: IsoDate
    ends_on: IsoDate
    committed: CommittedCreate = Field(default_factory=CommittedCreate)
    note: LongText | None = None


class EvaluationCreate(Input):
    occurred_on: IsoDate
    beneficiaries: Count = 0
    jobs_created: Count = 0
    volunteer_days: Amount = Field(
        default=Decimal(0), description="Days volunteers gave, outside skills patronage."
    )
    skills_days: Amount = Field(
        default=Decimal(0), description="Days of skills patronage (staff on company time)."
    )
    in_kind_eur: Amount = Decimal(0)
    satisfaction: Count | None = Field(default=None, description="From 1 to 5.")
    findings: LongText | None = None
    note: LongText | None = None


class RenewalCreate(Input):
    occurred_on: IsoDate
    ends_on: IsoDate
    committed: CommittedCreate = Field(default_factory=CommittedCreate)
    note: LongText | None = None


class AbandonmentCreate(Input):
    reason: LongText
    occurred_on: IsoDate
    note: LongText | None = None


_AMOUNT_FIELDS = frozenset({"financial_eur", "in_kind_eur", "skills_days", "volunteer_days"})
_COUNT_FIELDS = frozenset({"beneficiaries", "jobs_created", "satisfaction"})
_AMOUNTS = TypeAdapter(dict[str, Amount])
_COUNTS = TypeAdapter(dict[str, Count | None])


class CorrectionCreate(Input):
    """Fix fields of an earlier milestone; the old values stay in the history."""

    target_version: Version = Field(description="The version of the milestone to correct.")
    changes: dict[str, CorrectionValue] = Field(
        max_length=20, examples=[{"occurred_on": "2014-03-01"}]
    )
    reason: LongText

    @field_validator("changes")
    @classmethod
    def _numbers_have_sane_sizes(cls, changes: dict[str, Any]) -> dict[str, Any]:
        """Amounts and counts get the same shape checks as in the milestone bodies."""
        _AMOUNTS.validate_python({k: v for k, v in changes.items() if k in _AMOUNT_FIELDS})
        _COUNTS.validate_python({k: v for k, v in changes.items() if k in _COUNT_FIELDS})
        return changes


@shows(MilestoneView)
class MilestonePublic(Output):
    pass


@shows(IdeaView)
class IdeaPublic(Output):
    pass


@shows(ContractView)
class ContractPublic(Output):
    committed: AmountsPublic
    total_committed: AmountsPublic
    renewals: list[MilestonePublic]


@shows(EvaluationView)
class EvaluationPublic(Output):
    pass


@shows(CorrectionView)
class CorrectionPublic(Output):
    pass


@shows(PartnershipView)
class PartnershipPublic(Output):
    status: str = Field(description="open or abandoned")
    ideas: list[IdeaPublic]
    progress_notes: list[MilestonePublic]
    contract: ContractPublic | None
    evaluations: list[EvaluationPublic]
    corrections: list[CorrectionPublic]
    milestones: list[MilestonePublic]


class PartnershipWritten(PartnershipPublic):
    """The partnership as a write left it, with the log position the write reached."""

    position: WritePosition


class IdeaWritten(PartnershipWritten):
    idea_id: UUID = Field(description="The id of the idea just proposed.")


@shows(PartnershipSummary)
class PartnershipSummaryPublic(Output):
    pass


PartnershipsPublic = PagePublic[PartnershipSummaryPublic]
