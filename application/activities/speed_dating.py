"""Use cases of speed-dating sessions: plan, register, schedule, check in, record outcomes,
close; the timetable, per table, per participant and on the big screen."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from uuid import UUID

from application.activities.base import ActivityService, organization
from application.activities.presenters import pair_view, speed_dating_view
from application.activities.projections import SPEED_DATING
from application.activities.timetables import (
    participant_card,
    participants,
    screen,
    table_sheet,
    timetable,
)
from application.activities.views import (
    PairView,
    ParticipantCard,
    ScreenView,
    SpeedDatingView,
    TableSheet,
    Timetable,
)
from application.context import Caller
from application.errors import NotFound
from application.event_log import CreateCommand, RecordCommand
from application.results import CommandResult
from domain.activities.errors import ScheduleMissing
from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.values import Interest, Pair
from domain.errors import DomainError
from domain.values import OriginKind

LABEL = "speed-dating session"


@dataclass(frozen=True)
class OutcomeEntry:
    """One meeting's outcome in a batch (``record_meeting_outcomes``)."""

    association_id: UUID
    company_id: UUID
    held: bool
    association_interest: Interest = Interest.NONE
    company_interest: Interest = Interest.NONE
    note: str | None = None


class SpeedDatingService(ActivityService[SpeedDatingSession]):
    """Speed-dating sessions, from planning to the partnerships they open."""

    kind = SpeedDatingSession
    label = LABEL
    listed = (SPEED_DATING,)

    # ------------------------------------------------------------------ commands

    plan_speed_dating = CreateCommand(
        SpeedDatingSession.plan,
        dated=False,
        prepare=organization("host_company_id", "host_company"),
    )
    register_session_participant = RecordCommand(
        SpeedDatingSession.register, dated=False, prepare=organization()
    )
    withdraw_session_participant = RecordCommand(SpeedDatingSession.withdraw, dated=False)
    generate_session_schedule = RecordCommand(SpeedDatingSession.generate_schedule, dated=False)
    schedule_catch_up_rounds = RecordCommand(SpeedDatingSession.schedule_catch_up)
    withdraw_catch_up_rounds = RecordCommand(SpeedDatingSession.withdraw_catch_up)
    """Take back the catch-up rounds before any of their meetings is held."""
    check_in_participant = RecordCommand(SpeedDatingSession.check_in)
    record_no_show = RecordCommand(SpeedDatingSession.record_no_show)
    record_meeting_outcome = RecordCommand(SpeedDatingSession.record_outcome)

    def record_meeting_outcomes(
        self,
        caller: Caller,
        session_id: UUID,
        outcomes: list[OutcomeEntry],
        *,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record many meetings' outcomes at once (the console's grid of a whole session):
        all of them or, if one is refused, none (the refusal names the pair in ``field``)."""
        session = self.load(caller, session_id, expected_version)
        for entry in outcomes:
            try:
                session.record_outcome(**asdict(entry), actor=caller.actor, today=self.today())
            except DomainError as error:
                error.field = f"outcome:{entry.association_id}:{entry.company_id}"
                raise
        return self.save(session, expected_version)

    close_speed_dating = RecordCommand(SpeedDatingSession.close)
    """Close the session; a policy then opens the partnerships of mutual follow-ups."""

    def open_partnership_from_session(
        self, caller: Caller, session_id: UUID, *, association_id: UUID, company_id: UUID
    ) -> CommandResult:
        """Staff's decision for a pair that met here (typically one side only wanted to
        follow up): open its partnership with the session as origin, at most once."""
        session = self.load(caller, session_id)
        pair = Pair(association_id, company_id)
        session.require_held(pair)
        return self._core.open_from_activity(
            caller,
            activity_id=session.id,
            pair=pair,
            origin_kind=OriginKind.SPEED_DATING,
            occurred_on=session.held_on,
            note=f"met at the speed-dating session {session.title!r}; opened by staff decision",
        )

    # ------------------------------------------------------------------ queries

    def get_speed_dating(self, caller: Caller, session_id: UUID) -> SpeedDatingView:
        session = self.load(caller, session_id)
        if session.closed_on is not None:
            self._core.settled(
                caller.lab
            )  # the policy may still be opening the follow-ups' partnerships
        refs = self._core.refs(caller, [session.host_company_id, *session.participants])
        return speed_dating_view(session, refs, lambda p: self._core.opened(session.id, p))

    def speed_dating_follow_ups(
        self, caller: Caller, session_id: UUID
    ) -> tuple[list[PairView], list[PairView]]:
        """After the close: the mutual follow-ups (with their partnerships once the policy
        opened them) and the one-sided ones, for staff to decide."""
        session = self.load(caller, session_id)
        self._core.settled(caller.lab)
        refs = self._core.refs(caller, session.participants)

        def views(pairs: list[Pair]) -> list[PairView]:
            return [pair_view(p, refs, lambda q: self._core.opened(session.id, q)) for p in pairs]

        return views(session.follow_ups), views(session.one_sided)

    list_speed_datings = ActivityService.listing

    def speed_dating_timetable(self, caller: Caller, session_id: UUID) -> Timetable:
        session = self.load(caller, session_id)
        if not session.rounds:
            raise ScheduleMissing("the session has no schedule yet: generate it first")
        return timetable(session, self._core.refs(caller, session.participants))

    def speed_dating_table_sheet(self, caller: Caller, session_id: UUID, table: int) -> TableSheet:
        sheet = table_sheet(self.speed_dating_timetable(caller, session_id), table)
        if sheet is None:
            raise NotFound(f"the session has no table {table}", field="table")
        return sheet

    def speed_dating_participant_card(
        self, caller: Caller, session_id: UUID, organization_id: UUID
    ) -> ParticipantCard:
        plan = self.speed_dating_timetable(caller, session_id)
        ref = next((p for p in participants(plan) if p.id == organization_id), None)
        if ref is None:
            raise NotFound(
                f"organisation {organization_id} is not in this session's plan",
                field="organization_id",
            )
        return participant_card(plan, ref)

    def speed_dating_screen(self, caller: Caller, session_id: UUID, at: datetime) -> ScreenView:
        """What the big screen shows at ``at`` (lab local time, without zone)."""
        return screen(self.speed_dating_timetable(caller, session_id), at)
