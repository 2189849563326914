"""A speed-dating session: planned, filled with associations and companies, scheduled, held,
and closed with what each pair wants next.

Dates: the session's ``held_on`` is a *plan* (it may be in the future); check-ins, no-shows,
meeting outcomes and the close are *facts* of that day, so they can only be recorded once the
day has come, and the close is dated on or after it (never in the future).

The published plan is stored in the events as it was generated (rounds, tables, breaks), so a
printed timetable can always be reproduced even if the scheduler changes later.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.activities.errors import (
    ActivityOfAnotherLab,
    CatchUpAlreadyHeld,
    DurationOutOfRange,
    InterestWithoutMeeting,
    MeetingAlreadyHeld,
    MeetingNotHeld,
    MeetingNotScheduled,
    NoCatchUpPlan,
    NotEnoughParticipants,
    NothingToCatchUp,
    OutcomesMissing,
    ParticipantAlreadyRegistered,
    ParticipantNotRegistered,
    ScheduleMissing,
    SessionClosed,
    SessionNotStarted,
    SessionUnderWay,
    TooManyParticipants,
    UnknownPair,
    WrongParticipantKind,
)
from domain.activities.scheduling import (
    Meeting,
    Round,
    Schedule,
    TimedRound,
    full_rotation,
    schedule_pairs,
)
from domain.activities.values import (
    Interest,
    MeetingOutcome,
    Pair,
    ScheduledMeeting,
    ScheduledRound,
    pair_key,
    require_fact_date,
    require_on_or_after,
)
from domain.errors import OrganizationArchived
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind, optional_text, require_text

MAX_PER_SIDE = 60
"""A 60 x 60 session already lasts a whole day (60 rounds of 7 minutes)."""

PLANNED = "planned"
SCHEDULED = "scheduled"
UNDER_WAY = "under_way"
CLOSED = "closed"


class SpeedDatingSession(Aggregate):
    """Associations stay seated at their table; companies move one table per round."""

    TOPIC = "partnerlab:SpeedDatingSession"
    class_version = 2
    """Version 2: a closed session knows the meetings whose outcome was missing at the close."""

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots taken by version 1 predate ``missing_outcomes``."""
        state.setdefault("missing_outcomes", [])

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:SpeedDatingSession.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:SpeedDatingSession.Created"

    class Planned(Created):
        TOPIC = "partnerlab:SpeedDatingSession.Planned"
        lab: str
        title: str
        held_on: date
        starts_at: time
        venue: str
        host_company_id: UUID
        round_minutes: int
        changeover_minutes: int
        actor: str
        note: str | None

    class ParticipantRegistered(Event):
        TOPIC = "partnerlab:SpeedDatingSession.ParticipantRegistered"
        organization_id: UUID
        kind: OrganizationKind
        actor: str

    class ParticipantWithdrawn(Event):
        TOPIC = "partnerlab:SpeedDatingSession.ParticipantWithdrawn"
        organization_id: UUID
        reason: str | None
        actor: str

    class ScheduleGenerated(Event):
        TOPIC = "partnerlab:SpeedDatingSession.ScheduleGenerated"
        rounds: list[ScheduledRound]
        excluded: list[Pair]
        actor: str

    class CatchUpScheduled(Event):
        TOPIC = "partnerlab:SpeedDatingSession.CatchUpScheduled"
        rounds: list[ScheduledRound]
        occurred_on: date
        actor: str

    class CatchUpWithdrawn(Event):
        """Catch-up rounds taken back before any of their meetings was held."""

        TOPIC = "partnerlab:SpeedDatingSession.CatchUpWithdrawn"
        round_numbers: list[int]
        reason: str | None
        actor: str

    class ParticipantCheckedIn(Event):
        TOPIC = "partnerlab:SpeedDatingSession.ParticipantCheckedIn"
        organization_id: UUID
        occurred_on: date
        actor: str

    class NoShowRecorded(Event):
        TOPIC = "partnerlab:SpeedDatingSession.NoShowRecorded"
        organization_id: UUID
        occurred_on: date
        actor: str

    class MeetingOutcomeRecorded(Event):
        TOPIC = "partnerlab:SpeedDatingSession.MeetingOutcomeRecorded"
        outcome: MeetingOutcome
        occurred_on: date
        actor: str

    class Closed(Event):
        """The decision of the close is recorded with it: the pairs where both sides want to
        follow up (a policy opens their partnerships) and those where only one side does.

        Version 2: ``missing_outcomes``, the scheduled meetings whose outcome was never
        recorded (a close with any needs the caller's confirmation)."""

        TOPIC = "partnerlab:SpeedDatingSession.Closed"
        class_version = 2
        follow_ups: list[Pair]
        one_sided: list[Pair]
        occurred_on: date
        actor: str
        note: str | None
        missing_outcomes: list[Pair]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Sessions closed before the rule: which outcomes were missing was not recorded."""
            state["missing_outcomes"] = []

    # ------------------------------------------------------------------ creation

    @event(Planned)
    def __init__(
        self,
        lab: str,
        title: str,
        held_on: date,
        starts_at: time,
        venue: str,
        host_company_id: UUID,
        round_minutes: int,
        changeover_minutes: int,
        actor: str,
        note: str | None,
    ) -> None:
        self.lab = lab
        self.title = title
        self.held_on = held_on
        self.starts_at = starts_at
        self.venue = venue
        self.host_company_id = host_company_id
        self.round_minutes = round_minutes
        self.changeover_minutes = changeover_minutes
        self.note = note
        self.associations: list[UUID] = []
        self.companies: list[UUID] = []
        self.attendance: dict[str, str] = {}
        self.rounds: list[ScheduledRound] = []
        self.excluded: list[Pair] = []
        self.outcomes: dict[str, MeetingOutcome] = {}
        self.closed_on: date | None = None
        self.follow_ups: list[Pair] = []
        self.one_sided: list[Pair] = []
        self.missing_outcomes: list[Pair] = []

    @classmethod
    def plan(
        cls,
        *,
        title: str,
        held_on: date,
        starts_at: time,
        venue: str,
        host_company: Organization,
        actor: str,
        round_minutes: int = 7,
        changeover_minutes: int = 1,
        note: str | None = None,
    ) -> SpeedDatingSession:
        """Plan a session hosted by a company (which mobilises its peers)."""
        _require_available(host_company, OrganizationKind.COMPANY, "host_company_id")
        if not 1 <= round_minutes <= 60:
            raise DurationOutOfRange(
                f"a round lasts 1 to 60 minutes (got {round_minutes})", field="round_minutes"
            )
        if not 0 <= changeover_minutes <= 30:
            raise DurationOutOfRange(
                f"a changeover lasts 0 to 30 minutes (got {changeover_minutes})",
                field="changeover_minutes",
            )
        return cls(
            lab=host_company.lab,
            title=require_text(title, "title"),
            held_on=held_on,
            starts_at=starts_at.replace(second=0, microsecond=0, tzinfo=None),
            venue=require_text(venue, "venue"),
            host_company_id=host_company.id,
            round_minutes=round_minutes,
            changeover_minutes=changeover_minutes,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    # ------------------------------------------------------------------ commands

    def register(self, organization: Organization, *, actor: str) -> None:
        """Register an association or a company; a schedule already generated is dropped."""
        self._require_plan_open()
        if organization.lab != self.lab:
            raise ActivityOfAnotherLab("the organisation belongs to another lab")
        _require_available(organization, None, "organization_id")
        if organization.id in self.participants:
            raise ParticipantAlreadyRegistered(
                f"{organization.name!r} is already registered", field="organization_id"
            )
        side = self._side(organization.kind)
        if len(side) >= MAX_PER_SIDE:
            raise TooManyParticipants(
                f"a session takes at most {MAX_PER_SIDE} {organization.kind.value}s",
                field="organization_id",
            )
        self._register(
            organization_id=organization.id,
            kind=organization.kind,
            actor=require_text(actor, "actor"),
        )

    def withdraw(self, organization_id: UUID, *, actor: str, reason: str | None = None) -> None:
        """Withdraw a registration before the session is under way."""
        self._require_plan_open()
        self._require_registered(organization_id)
        self._withdraw(
            organization_id=organization_id,
            reason=optional_text(reason),
            actor=require_text(actor, "actor"),
        )

    def generate_schedule(self, *, actor: str, excluded: list[Pair] | None = None) -> None:
        """Every present association meets every present company once, except ``excluded``
        pairs (vetoes). Participants recorded as no-shows are left out: regenerating after a
        no-show known before the start gives a plan without empty seats for them."""
        self._require_plan_open()
        associations = self._present(self.associations)
        companies = self._present(self.companies)
        if not associations or not companies:
            raise NotEnoughParticipants(
                "a schedule needs at least one present association and one present company"
            )
        vetoed = self._checked_pairs(excluded or [], "excluded")
        if vetoed:
            keys = {p.key for p in vetoed}
            wanted = [
                (str(a), str(c))
                for a in associations
                for c in companies
                if pair_key(a, c) not in keys
            ]
            if not wanted:
                raise NotEnoughParticipants("every pair is excluded: nobody would meet")
            schedule = schedule_pairs(wanted)
        else:
            schedule = full_rotation([str(a) for a in associations], [str(c) for c in companies])
        tables = {a: index + 1 for index, a in enumerate(associations)}
        self._generate_schedule(
            rounds=_published(schedule, tables, first_number=1, catch_up=False),
            excluded=vetoed,
            actor=require_text(actor, "actor"),
        )

    def check_in(self, organization_id: UUID, *, actor: str, today: date) -> None:
        self._require_day_has_come(today)
        self._require_registered(organization_id)
        self._check_in(
            organization_id=organization_id,
            occurred_on=self.held_on,
            actor=require_text(actor, "actor"),
        )

    def record_no_show(self, organization_id: UUID, *, actor: str, today: date) -> None:
        """Absent: before the start, regenerate the schedule without them; once under way,
        keep the published plan and record their meetings as not held."""
        self._require_day_has_come(today)
        self._require_registered(organization_id)
        self._record_no_show(
            organization_id=organization_id,
            occurred_on=self.held_on,
            actor=require_text(actor, "actor"),
        )

    def schedule_catch_up(
        self, *, actor: str, today: date, pairs: list[Pair] | None = None
    ) -> None:
        """Extra rounds, after the last one, for scheduled meetings that were not held.

        Without ``pairs``: every meeting marked as not held (an outcome ``held: false``)
        between two participants who are not no-shows, and not already in a catch-up round;
        meetings whose outcome is simply missing are not re-planned.
        The chosen pairs are scheduled in the fewest rounds possible (edge colouring); each
        association keeps its table.
        """
        self._require_day_has_come(today)
        self._require_schedule()
        if pairs is None:
            planned = {
                pair_key(m.association_id, m.company_id)
                for r in self.rounds
                if r.catch_up
                for m in r.meetings
            }
            chosen = [
                p
                for p in self.scheduled_pairs
                if self._marked_missed(p)
                and p.key not in planned
                and self.attendance.get(str(p.association_id)) != "no_show"
                and self.attendance.get(str(p.company_id)) != "no_show"
            ]
        else:
            chosen = self._checked_pairs(pairs, "pairs")
            for pair in chosen:
                if pair.key not in self.scheduled_keys:
                    raise MeetingNotScheduled(
                        f"{pair.key} was never scheduled to meet", field="pairs"
                    )
                if self._held(pair):
                    raise MeetingAlreadyHeld(f"{pair.key} already met", field="pairs")
        if not chosen:
            raise NothingToCatchUp("there is no missed meeting to catch up")
        ordered = sorted(chosen, key=lambda p: self.table_of(p.association_id))
        schedule = schedule_pairs([(str(p.association_id), str(p.company_id)) for p in ordered])
        tables = {p.association_id: self.table_of(p.association_id) for p in ordered}
        self._schedule_catch_up(
            rounds=_published(schedule, tables, first_number=len(self.rounds) + 1, catch_up=True),
            occurred_on=self.held_on,
            actor=require_text(actor, "actor"),
        )

    def withdraw_catch_up(self, *, actor: str, today: date, reason: str | None = None) -> None:
        """Take back the catch-up rounds, as long as none of their meetings was held."""
        self._require_day_has_come(today)
        catch_up = [r for r in self.rounds if r.catch_up]
        if not catch_up:
            raise NoCatchUpPlan("there is no catch-up plan to withdraw")
        held = [_pair(m) for r in catch_up for m in r.meetings if self._held(_pair(m))]
        if held:
            raise CatchUpAlreadyHeld(
                f"{len(held)} catch-up meeting(s) were already held ({held[0].key}...): the plan "
                "can no longer be withdrawn"
            )
        self._withdraw_catch_up(
            round_numbers=[r.number for r in catch_up],
            reason=optional_text(reason),
            actor=require_text(actor, "actor"),
        )

    def record_outcome(
        self,
        *,
        association_id: UUID,
        company_id: UUID,
        held: bool,
        actor: str,
        today: date,
        association_interest: Interest = Interest.NONE,
        company_interest: Interest = Interest.NONE,
        note: str | None = None,
    ) -> None:
        """Record (or re-record, until the close) whether a scheduled meeting was held and
        what each side wants next."""
        self._require_day_has_come(today)
        self._require_schedule()
        key = pair_key(association_id, company_id)
        if key not in self.scheduled_keys:
            raise MeetingNotScheduled(
                "this association and this company were not scheduled to meet",
                field="company_id",
            )
        if not held and (association_interest, company_interest) != (Interest.NONE, Interest.NONE):
            raise InterestWithoutMeeting(
                "a meeting that was not held has no interest on either side",
                field="held",
            )
        self._record_outcome(
            outcome=MeetingOutcome(
                association_id=association_id,
                company_id=company_id,
                held=held,
                association_interest=association_interest,
                company_interest=company_interest,
                note=optional_text(note),
            ),
            occurred_on=self.held_on,
            actor=require_text(actor, "actor"),
        )

    def close(
        self,
        *,
        occurred_on: date,
        actor: str,
        today: date,
        note: str | None = None,
        confirm_missing_outcomes: bool = False,
    ) -> None:
        """Close the session: pairs where both sides want to follow up will open partnerships;
        those where one side only does are listed for staff to decide. Meetings whose outcome
        was never recorded refuse the close unless ``confirm_missing_outcomes``; they are then
        recorded with it."""
        self._require_day_has_come(today)
        self._require_schedule()
        require_on_or_after(occurred_on, self.held_on, "occurred_on", "the session")
        require_fact_date(occurred_on, today, "occurred_on")
        outcomes = [self.outcomes[p.key] for p in self.scheduled_pairs if p.key in self.outcomes]
        missing = [p for p in self.scheduled_pairs if p.key not in self.outcomes]
        if missing and not confirm_missing_outcomes:
            raise OutcomesMissing(
                f"{len(missing)} scheduled meeting(s) have no outcome recorded (first: "
                f"{missing[0].key}); record them, or confirm closing without them",
                field="confirm_missing_outcomes",
            )
        self._close(
            follow_ups=[_pair(o) for o in outcomes if o.mutual_follow_up],
            one_sided=[_pair(o) for o in outcomes if o.one_sided_follow_up],
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
            missing_outcomes=missing,
        )

    def require_held(self, pair: Pair) -> None:
        """A partnership can only come out of a meeting that was held here."""
        if not self._held(pair):
            raise MeetingNotHeld(
                "no meeting of this association and this company was held at this session"
            )

    # ------------------------------------------------------------------ state changes

    @event(ParticipantRegistered)
    def _register(self, organization_id: UUID, kind: OrganizationKind, actor: str) -> None:
        self._side(kind).append(organization_id)
        self._drop_schedule()

    @event(ParticipantWithdrawn)
    def _withdraw(self, organization_id: UUID, reason: str | None, actor: str) -> None:
        for side in (self.associations, self.companies):
            if organization_id in side:
                side.remove(organization_id)
        self.attendance.pop(str(organization_id), None)
        self._drop_schedule()

    @event(ScheduleGenerated)
    def _generate_schedule(
        self, rounds: list[ScheduledRound], excluded: list[Pair], actor: str
    ) -> None:
        self.rounds = list(rounds)
        self.excluded = list(excluded)

    @event(CatchUpScheduled)
    def _schedule_catch_up(
        self, rounds: list[ScheduledRound], occurred_on: date, actor: str
    ) -> None:
        self.rounds.extend(rounds)

    @event(CatchUpWithdrawn)
    def _withdraw_catch_up(self, round_numbers: list[int], reason: str | None, actor: str) -> None:
        self.rounds = [r for r in self.rounds if r.number not in round_numbers]

    @event(ParticipantCheckedIn)
    def _check_in(self, organization_id: UUID, occurred_on: date, actor: str) -> None:
        self.attendance[str(organization_id)] = "checked_in"

    @event(NoShowRecorded)
    def _record_no_show(self, organization_id: UUID, occurred_on: date, actor: str) -> None:
        self.attendance[str(organization_id)] = "no_show"

    @event(MeetingOutcomeRecorded)
    def _record_outcome(self, outcome: MeetingOutcome, occurred_on: date, actor: str) -> None:
        self.outcomes[pair_key(outcome.association_id, outcome.company_id)] = outcome

    @event(Closed)
    def _close(
        self,
        follow_ups: list[Pair],
        one_sided: list[Pair],
        occurred_on: date,
        actor: str,
        note: str | None,
        missing_outcomes: list[Pair],
    ) -> None:
        self.closed_on = occurred_on
        self.follow_ups = list(follow_ups)
        self.one_sided = list(one_sided)
        self.missing_outcomes = list(missing_outcomes)

    def _drop_schedule(self) -> None:
        self.rounds = []
        self.excluded = []

    # ------------------------------------------------------------------ derived state

    @property
    def participants(self) -> list[UUID]:
        return [*self.associations, *self.companies]

    @property
    def status(self) -> str:
        if self.closed_on is not None:
            return CLOSED
        if self.outcomes or self.attendance:
            return UNDER_WAY
        return SCHEDULED if self.rounds else PLANNED

    @property
    def scheduled_pairs(self) -> list[Pair]:
        """Every pair the plan makes meet, in round then table order (each pair once)."""
        seen: dict[str, Pair] = {}
        for round_ in self.rounds:
            for m in round_.meetings:
                seen.setdefault(pair_key(m.association_id, m.company_id), _pair(m))
        return list(seen.values())

    @property
    def scheduled_keys(self) -> set[str]:
        return {pair_key(m.association_id, m.company_id) for r in self.rounds for m in r.meetings}

    def attendance_of(self, organization_id: UUID) -> str:
        """``registered``, ``checked_in`` or ``no_show``."""
        return self.attendance.get(str(organization_id), "registered")

    def table_of(self, association_id: UUID) -> int:
        """The association's table: the one of the main plan (or after the last one)."""
        for round_ in self.rounds:
            for m in round_.meetings:
                if m.association_id == association_id:
                    return m.table
        return len(self.associations) + 1 + self.associations.index(association_id)

    def schedule(self) -> Schedule:
        """The published plan, main and catch-up rounds, as the scheduler's ``Schedule``."""
        return Schedule(
            rounds=[
                Round(
                    number=r.number,
                    meetings=[
                        Meeting(m.table, str(m.association_id), str(m.company_id))
                        for m in r.meetings
                    ],
                    breaks=[str(b) for b in r.breaks],
                )
                for r in self.rounds
            ]
        )

    def timetable(self) -> list[TimedRound[datetime]]:
        """Start and end of every round, from the planned start (lab local time)."""
        return self.schedule().timetable(
            datetime.combine(self.held_on, self.starts_at),
            round_minutes=self.round_minutes,
            changeover_minutes=self.changeover_minutes,
        )

    # ------------------------------------------------------------------ guards

    def _side(self, kind: OrganizationKind) -> list[UUID]:
        return self.associations if kind is OrganizationKind.ASSOCIATION else self.companies

    def _present(self, side: list[UUID]) -> list[UUID]:
        return [o for o in side if self.attendance.get(str(o)) != "no_show"]

    def _held(self, pair: Pair) -> bool:
        outcome = self.outcomes.get(pair.key)
        return outcome is not None and outcome.held

    def _marked_missed(self, pair: Pair) -> bool:
        outcome = self.outcomes.get(pair.key)
        return outcome is not None and not outcome.held

    def _require_open(self) -> None:
        if self.closed_on is not None:
            raise SessionClosed("the session is closed; nothing more can be recorded")

    def _require_plan_open(self) -> None:
        self._require_open()
        if self.outcomes:
            raise SessionUnderWay(
                "meetings are already recorded: the published plan can no longer change"
            )

    def _require_day_has_come(self, today: date) -> None:
        self._require_open()
        if today < self.held_on:
            raise SessionNotStarted(
                f"the session is planned on {self.held_on.isoformat()}: what happens there "
                "can only be recorded from that day on"
            )

    def _require_schedule(self) -> None:
        if not self.rounds:
            raise ScheduleMissing("generate the schedule first")

    def _require_registered(self, organization_id: UUID) -> None:
        if organization_id not in self.participants:
            raise ParticipantNotRegistered(
                f"organisation {organization_id} is not registered for this session",
                field="organization_id",
            )

    def _checked_pairs(self, pairs: list[Pair], field: str) -> list[Pair]:
        unique: dict[str, Pair] = {}
        for pair in pairs:
            if pair.association_id not in self.associations or (
                pair.company_id not in self.companies
            ):
                raise UnknownPair(
                    f"{pair.key} is not a registered association and a registered company",
                    field=field,
                )
            unique.setdefault(pair.key, pair)
        return list(unique.values())


def _pair(meeting: ScheduledMeeting | MeetingOutcome) -> Pair:
    return Pair(meeting.association_id, meeting.company_id)


def _published(
    schedule: Schedule, tables: dict[UUID, int], *, first_number: int, catch_up: bool
) -> list[ScheduledRound]:
    """The scheduler's rounds as stored: ids back to UUIDs, each association at its table."""
    return [
        ScheduledRound(
            number=first_number + index,
            meetings=sorted(
                (
                    ScheduledMeeting(
                        table=tables[UUID(m.seated)],
                        association_id=UUID(m.seated),
                        company_id=UUID(m.mover),
                    )
                    for m in round_.meetings
                ),
                key=lambda m: m.table,
            ),
            breaks=[UUID(b) for b in round_.breaks],
            catch_up=catch_up,
        )
        for index, round_ in enumerate(schedule.rounds)
    ]


def _require_available(
    organization: Organization, kind: OrganizationKind | None, field: str
) -> None:
    if kind is not None and organization.kind is not kind:
        raise WrongParticipantKind(f"{organization.name!r} is not a {kind.value}", field=field)
    if organization.archived:
        raise OrganizationArchived(f"{organization.name!r} is archived", field=field)
