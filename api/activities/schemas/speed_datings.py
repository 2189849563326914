"""Speed-dating sessions in and out: planning, participants, schedule, outcomes, close, and
the timetable (whole, per table, per participant, on the big screen)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field, StrictBool

from api.activities.schemas.activities import (
    MAX_PAIRS,
    ClockTime,
    NamedRefPublic,
    PairCreate,
    PairPublic,
    PlannedDate,
    PositionMixin,
)
from api.fields import Count, Input, IsoDate, LongText, Output, ShortText, shows
from application.activities.views import (
    OutcomeView,
    ParticipantCard,
    ParticipantView,
    ScreenView,
    Slot,
    SpeedDatingView,
    TableSheet,
    TimetableMeeting,
    TimetableRound,
)
from domain.activities.values import Interest


class SpeedDatingCreate(Input):
    """Plan a session hosted by a company; rounds last 7 minutes unless said otherwise."""

    title: ShortText = Field(examples=["Speed-dating associations-entreprises, mars 2014"])
    held_on: PlannedDate
    starts_at: ClockTime
    venue: ShortText = Field(examples=["Café Brant, Strasbourg"])
    host_company_id: UUID
    round_minutes: Count = Field(default=7, description="From 1 to 60.")
    changeover_minutes: Count = Field(default=1, description="From 0 to 30.")
    note: LongText | None = None


class WithdrawalCreate(Input):
    reason: LongText | None = None


class ScheduleCreate(Input):
    """Generate the plan: everybody present meets everybody on the other side, except the
    excluded pairs (then in the fewest rounds the remaining pairs need)."""

    excluded_pairs: list[PairCreate] = Field(default_factory=list, max_length=MAX_PAIRS)


class CatchUpCreate(Input):
    """Extra rounds for missed meetings; without pairs, every missed meeting between
    participants who are not no-shows."""

    pairs: list[PairCreate] | None = Field(default=None, max_length=MAX_PAIRS)


class OutcomeCreate(Input):
    association_id: UUID
    company_id: UUID
    held: StrictBool
    association_interest: Interest = Interest.NONE
    company_interest: Interest = Interest.NONE
    note: LongText | None = None


class CloseCreate(Input):
    occurred_on: IsoDate = Field(description="When the session was closed (a fact).")
    note: LongText | None = None
    confirm_missing_outcomes: StrictBool = Field(
        default=False,
        description="Close although scheduled meetings have no outcome recorded (otherwise "
        "refused: rule outcomes-recorded-before-close); which were missing is recorded.",
    )


class CatchUpWithdrawal(Input):
    """Take back the catch-up rounds before any of their meetings is held."""

    reason: LongText | None = None


@shows(ParticipantView)
class ParticipantPublic(Output):
    attendance: str = Field(description="registered, checked_in or no_show")


@shows(OutcomeView)
class OutcomePublic(Output):
    pass


@shows(SpeedDatingView)
class SpeedDatingPublic(Output):
    host_company: NamedRefPublic
    status: str = Field(description="planned, scheduled, under_way or closed")
    associations: list[ParticipantPublic]
    companies: list[ParticipantPublic]
    excluded: list[PairPublic]
    outcomes: list[OutcomePublic]
    follow_ups: list[PairPublic] = Field(
        description="Pairs where both sides want to follow up (their partnerships open)."
    )
    one_sided: list[PairPublic] = Field(
        description="Pairs where one side only wants to follow up: for staff to decide."
    )


class SpeedDatingWritten(SpeedDatingPublic, PositionMixin):
    """The session as a write left it, with the log position the write reached."""


class FollowUpsPublic(Output):
    follow_ups: list[PairPublic]
    one_sided: list[PairPublic]


@shows(TimetableMeeting)
class TimetableMeetingPublic(Output):
    association: NamedRefPublic
    company: NamedRefPublic


@shows(TimetableRound)
class TimetableRoundPublic(Output):
    meetings: list[TimetableMeetingPublic]
    breaks: list[NamedRefPublic]


class TablePublic(Output):
    table: int
    seated: NamedRefPublic


class TimetablePublic(Output):
    session_id: UUID
    title: str
    held_on: date
    venue: str
    round_minutes: int
    changeover_minutes: int
    tables: list[TablePublic]
    rounds: list[TimetableRoundPublic]


@shows(Slot)
class SlotPublic(Output):
    partner: NamedRefPublic | None = Field(description="Whom they meet; null for a break.")


@shows(TableSheet)
class TableSheetPublic(Output):
    seated: NamedRefPublic
    slots: list[SlotPublic]


@shows(ParticipantCard)
class ParticipantCardPublic(Output):
    participant: NamedRefPublic
    slots: list[SlotPublic]


@shows(ScreenView)
class ScreenPublic(Output):
    state: str = Field(description="before, round, changeover or finished")
    round: TimetableRoundPublic | None
