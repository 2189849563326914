"""Use cases of speed-dating sessions: plan, register, schedule, check in, record outcomes,
close; the timetable, per table, per participant and on the big screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID

from application.activities.base import ActivityCore
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
    ActivitySummary,
    PairView,
    ParticipantCard,
    ScreenView,
    SpeedDatingView,
    TableSheet,
    Timetable,
)
from application.context import Caller
from application.errors import NotFound
from application.results import CommandResult, Page, PageRequest
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


class SpeedDatingService:
    """Speed-dating sessions, from planning to the partnerships they open."""

    def __init__(self, core: ActivityCore) -> None:
        self._core = core

    # ------------------------------------------------------------------ commands

    def plan_speed_dating(
        self,
        caller: Caller,
        *,
        title: str,
        held_on: date,
        starts_at: time,
        venue: str,
        host_company_id: UUID,
        round_minutes: int = 7,
        changeover_minutes: int = 1,
        note: str | None = None,
    ) -> CommandResult:
        session = SpeedDatingSession.plan(
            title=title,
            held_on=held_on,
            starts_at=starts_at,
            venue=venue,
            host_company=self._core.organization(caller, host_company_id, field="host_company_id"),
            actor=caller.actor,
            round_minutes=round_minutes,
            changeover_minutes=changeover_minutes,
            note=note,
        )
        return self._core.save(session, None)

    def register_session_participant(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        organization_id: UUID,
        expected_version: int | None = None,
    ) -> CommandResult:
        organization = self._core.organization(caller, organization_id, field="organization_id")
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.register(organization, actor=caller.actor),
        )

    def withdraw_session_participant(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        organization_id: UUID,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.withdraw(organization_id, actor=caller.actor, reason=reason),
        )

    def generate_session_schedule(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        excluded: list[Pair] | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.generate_schedule(actor=caller.actor, excluded=excluded),
        )

    def schedule_catch_up_rounds(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        pairs: list[Pair] | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.schedule_catch_up(
                actor=caller.actor, today=self._core.clock(), pairs=pairs
            ),
        )

    def withdraw_catch_up_rounds(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Take back the catch-up rounds before any of their meetings is held."""
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.withdraw_catch_up(
                actor=caller.actor, today=self._core.clock(), reason=reason
            ),
        )

    def check_in_participant(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        organization_id: UUID,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.check_in(organization_id, actor=caller.actor, today=self._core.clock()),
        )

    def record_no_show(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        organization_id: UUID,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.record_no_show(
                organization_id, actor=caller.actor, today=self._core.clock()
            ),
        )

    def record_meeting_outcome(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        association_id: UUID,
        company_id: UUID,
        held: bool,
        association_interest: Interest = Interest.NONE,
        company_interest: Interest = Interest.NONE,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.record_outcome(
                association_id=association_id,
                company_id=company_id,
                held=held,
                association_interest=association_interest,
                company_interest=company_interest,
                actor=caller.actor,
                today=self._core.clock(),
                note=note,
            ),
        )

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
        session = self._session(caller, session_id, expected_version)
        for entry in outcomes:
            try:
                session.record_outcome(
                    association_id=entry.association_id,
                    company_id=entry.company_id,
                    held=entry.held,
                    association_interest=entry.association_interest,
                    company_interest=entry.company_interest,
                    actor=caller.actor,
                    today=self._core.clock(),
                    note=entry.note,
                )
            except DomainError as error:
                error.field = f"outcome:{entry.association_id}:{entry.company_id}"
                raise
        return self._core.save(session, expected_version)

    def close_speed_dating(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        occurred_on: date,
        note: str | None = None,
        confirm_missing_outcomes: bool = False,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Close the session; a policy then opens the partnerships of mutual follow-ups."""
        return self._change_session(
            caller,
            session_id,
            expected_version,
            lambda s: s.close(
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self._core.clock(),
                note=note,
                confirm_missing_outcomes=confirm_missing_outcomes,
            ),
        )

    def open_partnership_from_session(
        self, caller: Caller, session_id: UUID, *, association_id: UUID, company_id: UUID
    ) -> CommandResult:
        """Staff's decision for a pair that met here (typically one side only wanted to
        follow up): open its partnership with the session as origin, at most once."""
        session = self._session(caller, session_id)
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
        session = self._session(caller, session_id)
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
        session = self._session(caller, session_id)
        self._core.settled(caller.lab)
        refs = self._core.refs(caller, session.participants)

        def views(pairs: list[Pair]) -> list[PairView]:
            return [pair_view(p, refs, lambda q: self._core.opened(session.id, q)) for p in pairs]

        return views(session.follow_ups), views(session.one_sided)

    def list_speed_datings(
        self,
        caller: Caller,
        page: PageRequest,
        *,
        held_from: date | None = None,
        held_to: date | None = None,
    ) -> Page[ActivitySummary]:
        return self._core.list_activities(caller, (SPEED_DATING,), page, held_from, held_to)

    def speed_dating_timetable(self, caller: Caller, session_id: UUID) -> Timetable:
        session = self._session(caller, session_id)
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

    # ------------------------------------------------------------------ helpers

    def _session(
        self, caller: Caller, session_id: UUID, expected_version: int | None = None
    ) -> SpeedDatingSession:
        return self._core.activity(caller, SpeedDatingSession, session_id, LABEL, expected_version)

    def _change_session(
        self,
        caller: Caller,
        session_id: UUID,
        expected_version: int | None,
        change: Callable[[SpeedDatingSession], None],
    ) -> CommandResult:
        session = self._session(caller, session_id, expected_version)
        change(session)
        return self._core.save(session, expected_version)
