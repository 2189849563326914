"""Plain data returned by the activities' queries: sessions, events, consulting, training,
subsidies, timetables, and the funding and cohort reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from domain.activities.values import FundingSource, Interest
from domain.values import OrganizationKind, OriginKind


@dataclass(frozen=True)
class NamedRef:
    """An organisation as printed: id, kind and name."""

    id: UUID
    kind: OrganizationKind
    name: str


@dataclass(frozen=True)
class ParticipantView:
    id: UUID
    kind: OrganizationKind
    name: str
    attendance: str
    """``registered``, ``checked_in`` or ``no_show``."""
    table: int | None


@dataclass(frozen=True)
class PairView:
    association_id: UUID
    association_name: str
    company_id: UUID
    company_name: str
    partnership_id: UUID | None
    """The partnership this pair opened from the activity, once opened."""


@dataclass(frozen=True)
class OutcomeView:
    association_id: UUID
    company_id: UUID
    held: bool
    association_interest: Interest
    company_interest: Interest
    note: str | None


@dataclass(frozen=True)
class SpeedDatingView:
    id: UUID
    lab: str
    title: str
    held_on: date
    starts_at: time
    venue: str
    host_company: NamedRef
    round_minutes: int
    changeover_minutes: int
    status: str
    associations: list[ParticipantView]
    companies: list[ParticipantView]
    rounds_count: int
    meetings_scheduled: int
    excluded: list[PairView]
    outcomes: list[OutcomeView]
    closed_on: date | None
    follow_ups: list[PairView]
    one_sided: list[PairView]
    note: str | None
    version: int
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class TimetableMeeting:
    table: int
    association: NamedRef
    company: NamedRef


@dataclass(frozen=True)
class TimetableRound:
    number: int
    starts_at: datetime
    ends_at: datetime
    catch_up: bool
    meetings: list[TimetableMeeting]
    breaks: list[NamedRef]


@dataclass(frozen=True)
class Timetable:
    """The published plan with times (lab local time), as the host prints it."""

    session_id: UUID
    title: str
    held_on: date
    venue: str
    round_minutes: int
    changeover_minutes: int
    rounds: list[TimetableRound]
    tables: dict[int, NamedRef]


@dataclass(frozen=True)
class Slot:
    """One round seen by one table or one participant: whom they meet (None: a break)."""

    round: int
    starts_at: datetime
    ends_at: datetime
    table: int | None
    partner: NamedRef | None
    catch_up: bool


@dataclass(frozen=True)
class TableSheet:
    table: int
    seated: NamedRef
    slots: list[Slot]


@dataclass(frozen=True)
class ParticipantCard:
    participant: NamedRef
    table: int | None
    """The association's own table; companies move."""
    slots: list[Slot]


@dataclass(frozen=True)
class ScreenView:
    """What the big screen shows at ``at``: before the start, a round, a changeover, or the
    end. ``round`` is the current round (or the one about to start)."""

    session_id: UUID
    title: str
    at: datetime
    state: str
    round: TimetableRound | None
    rounds_count: int
    seconds_left: int | None
    """Until the current round ends, or until the next one starts."""


@dataclass(frozen=True)
class LabEventView:
    id: UUID
    lab: str
    kind: OriginKind
    title: str
    theme: str | None
    held_on: date
    venue: str | None
    attendees: list[NamedRef]
    meetings: list[PairView]
    note: str | None
    version: int
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class ContributionView:
    amount_eur: Decimal
    paid_on: date
    version: int


@dataclass(frozen=True)
class ConsultingView:
    id: UUID
    lab: str
    company: NamedRef
    scope: str
    started_on: date
    proposed: list[NamedRef]
    contributions: list[ContributionView]
    contributed_eur: Decimal
    note: str | None
    version: int
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class EnrolmentView:
    organization: NamedRef
    people: int
    fee_eur: Decimal
    paid_eur: Decimal


@dataclass(frozen=True)
class TrainingView:
    id: UUID
    lab: str
    title: str
    held_on: date
    audience: str | None
    participants: list[EnrolmentView]
    fees_agreed_eur: Decimal
    fees_paid_eur: Decimal
    note: str | None
    version: int
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class SubsidyView:
    id: UUID
    lab: str
    funder: str
    year: int
    amount_eur: Decimal
    granted_on: date
    corrections: int
    note: str | None
    version: int
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class ActivitySummary:
    """One line of a list of activities (from the activities read model)."""

    id: UUID
    kind: str
    title: str
    held_on: date
    venue: str | None
    status: str
    company_id: UUID | None
    version: int


@dataclass(frozen=True)
class ActivityFilter:
    kinds: tuple[str, ...]
    held_from: date | None = None
    held_to: date | None = None


@dataclass(frozen=True)
class FundingLine:
    """One income line: a subsidy, a consulting contribution or a training fee."""

    source: FundingSource
    year: int
    amount_eur: Decimal
    received_on: date
    activity_id: UUID
    payer: str
    """The funder of a subsidy, the company or organisation that paid otherwise."""


@dataclass(frozen=True)
class FundingFilter:
    year_from: int | None = None
    year_to: int | None = None
    source: FundingSource | None = None


@dataclass(frozen=True)
class Share:
    """An amount and its share of the year's income, in percent (2 decimals)."""

    name: str
    amount_eur: Decimal
    share_percent: Decimal


@dataclass(frozen=True)
class FundingYear:
    year: int | None
    """None for the total over every year reported."""
    total_eur: Decimal
    sources: list[Share]
    subsidies_by_funder: list[Share]
    earned_eur: Decimal
    earned_share_percent: Decimal


@dataclass(frozen=True)
class FundingReport:
    years: list[FundingYear]
    total: FundingYear


@dataclass(frozen=True)
class CohortPartnership:
    id: UUID
    association_name: str
    company_name: str
    opened_on: date
    status: str
    co_construction_on: date | None
    contract_on: date | None


@dataclass(frozen=True)
class InterestCounts:
    """Meetings held, by what the two sides wanted next."""

    mutual_follow_up: int
    one_sided_follow_up: int
    informative: int
    none: int


@dataclass(frozen=True)
class StageReached:
    """How many partnerships reached ``stage`` within 6 and 12 months of the activity."""

    stage: str
    within_6_months: int
    within_12_months: int
    so_far: int


@dataclass(frozen=True)
class CohortReport:
    activity_id: UUID
    kind: str
    title: str
    held_on: date
    meetings_scheduled: int | None
    meetings_held: int
    meetings_not_held: int
    interest: InterestCounts | None
    partnerships_opened: int
    reached: list[StageReached]
    partnerships: list[CohortPartnership]
