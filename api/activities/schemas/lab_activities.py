"""Events, consulting engagements, training sessions and subsidies in and out."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from pydantic import Field

from api.activities.schemas.activities import NamedRefPublic, PairPublic, PlannedDate, PositionMixin
from api.fields import Amount, Count, Input, IsoDate, LongText, Output, ShortText, shows
from application.activities.views import (
    ConsultingView,
    ContributionView,
    EnrolmentView,
    FundingLine,
    LabEventView,
    SubsidyView,
    TrainingView,
)
from domain.values import OriginKind

MAX_PROPOSED = 200


class EventCreate(Input):
    kind: OriginKind = Field(description="thematic_event or open_forum")
    title: ShortText = Field(examples=["Forum emploi et handicap"])
    held_on: PlannedDate
    theme: ShortText | None = None
    venue: ShortText | None = None
    note: LongText | None = None


class EventMeetingCreate(Input):
    association_id: UUID
    company_id: UUID
    note: LongText | None = None


@shows(LabEventView)
class EventPublic(Output):
    attendees: list[NamedRefPublic]
    meetings: list[PairPublic]


class EventWritten(EventPublic, PositionMixin):
    pass


class ConsultingCreate(Input):
    company_id: UUID
    scope: LongText = Field(examples=["CSR policy: which associations to work with"])
    started_on: IsoDate
    note: LongText | None = None


class ProposalCreate(Input):
    """Associations handed to the company, with the catalogue search that found them."""

    association_ids: list[UUID] = Field(min_length=1, max_length=MAX_PROPOSED)
    occurred_on: IsoDate
    field_of_activity: ShortText | None = None
    territory: ShortText | None = None


class ContributionCreate(Input):
    amount_eur: Amount = Field(description="What the company chose to pay (pay what you want).")
    paid_on: IsoDate
    note: LongText | None = None


class ConsultingPartnershipCreate(Input):
    association_id: UUID = Field(description="An association proposed to the company.")
    occurred_on: IsoDate = Field(description="When they first met.")


@shows(ContributionView)
class ContributionPublic(Output):
    pass


@shows(ConsultingView)
class ConsultingPublic(Output):
    company: NamedRefPublic
    proposed: list[NamedRefPublic]
    contributions: list[ContributionPublic]


class ConsultingWritten(ConsultingPublic, PositionMixin):
    pass


class TrainingCreate(Input):
    title: ShortText = Field(examples=["Build a partnership with a company"])
    held_on: PlannedDate
    audience: ShortText | None = None
    note: LongText | None = None


class EnrolmentCreate(Input):
    organization_id: UUID
    people: Count = Field(default=1, description="How many of its people come (1 to 500).")
    fee_eur: Amount = Field(default=Decimal(0), description="The fee agreed (0: a free place).")


class FeeCreate(Input):
    organization_id: UUID
    amount_eur: Amount
    paid_on: IsoDate
    note: LongText | None = None
    donation: bool = Field(
        default=False,
        description="True when a payment above the fee agreed is a donation given on purpose; "
        "otherwise an overpayment is refused (rule payment-not-above-fee).",
    )


@shows(EnrolmentView)
class EnrolmentPublic(Output):
    organization: NamedRefPublic


@shows(TrainingView)
class TrainingPublic(Output):
    participants: list[EnrolmentPublic]


class TrainingWritten(TrainingPublic, PositionMixin):
    pass


class SubsidyCreate(Input):
    funder: ShortText = Field(examples=["Direccte Alsace"])
    year: Count = Field(description="The year the subsidy funds.", examples=[2014])
    amount_eur: Amount
    granted_on: IsoDate
    note: LongText | None = None


class SubsidyCorrectionCreate(Input):
    amount_eur: Amount
    reason: LongText


@shows(SubsidyView)
class SubsidyPublic(Output):
    pass


class SubsidyWritten(SubsidyPublic, PositionMixin):
    pass


@shows(FundingLine)
class FundingLinePublic(Output):
    activity_id: UUID = Field(description="The subsidy, engagement or training it belongs to.")
