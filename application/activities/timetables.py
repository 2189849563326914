"""A session's timetable as the host uses it on the day: the whole plan with times, a sheet
per table, a card per participant, and what the big screen shows at a given moment."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.activities.views import (
    NamedRef,
    ParticipantCard,
    ScreenView,
    Slot,
    TableSheet,
    Timetable,
    TimetableMeeting,
    TimetableRound,
)
from domain.activities.speed_dating import SpeedDatingSession

BEFORE = "before"
ROUND = "round"
CHANGEOVER = "changeover"
FINISHED = "finished"


def timetable(session: SpeedDatingSession, refs: dict[UUID, NamedRef]) -> Timetable:
    timed = session.timetable()
    rounds = [
        TimetableRound(
            number=stored.number,
            starts_at=when.start,
            ends_at=when.end,
            catch_up=stored.catch_up,
            meetings=[
                TimetableMeeting(m.table, refs[m.association_id], refs[m.company_id])
                for m in stored.meetings
            ],
            breaks=[refs[b] for b in stored.breaks],
        )
        for stored, when in zip(session.rounds, timed, strict=True)
    ]
    tables = {m.table: m.association for r in rounds for m in r.meetings}
    return Timetable(
        session_id=session.id,
        title=session.title,
        held_on=session.held_on,
        venue=session.venue,
        round_minutes=session.round_minutes,
        changeover_minutes=session.changeover_minutes,
        rounds=rounds,
        tables=dict(sorted(tables.items())),
    )


def table_sheet(plan: Timetable, table: int) -> TableSheet | None:
    """Who sits at ``table`` and whom they meet in each round (None: no such table)."""
    seated = plan.tables.get(table)
    if seated is None:
        return None
    slots = []
    for r in plan.rounds:
        meeting = next((m for m in r.meetings if m.table == table), None)
        slots.append(
            Slot(
                round=r.number,
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                table=table,
                partner=meeting.company if meeting else None,
                catch_up=r.catch_up,
            )
        )
    return TableSheet(table=table, seated=seated, slots=slots)


def participant_card(plan: Timetable, participant: NamedRef) -> ParticipantCard:
    """The participant's rounds: at which table, whom they meet, or a break."""
    own_table = next((t for t, seated in plan.tables.items() if seated.id == participant.id), None)
    slots = []
    for r in plan.rounds:
        meeting = next(
            (m for m in r.meetings if participant.id in (m.association.id, m.company.id)), None
        )
        if meeting is None and r.catch_up:
            continue  # catch-up rounds only concern their own pairs
        partner = None
        if meeting is not None:
            partner = (
                meeting.company
                if meeting.association.id == participant.id
                else (meeting.association)
            )
        slots.append(
            Slot(
                round=r.number,
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                table=meeting.table if meeting else None,
                partner=partner,
                catch_up=r.catch_up,
            )
        )
    return ParticipantCard(participant=participant, table=own_table, slots=slots)


def participants(plan: Timetable) -> list[NamedRef]:
    """Everybody in the plan: associations by table, then companies by name."""
    seen: dict[UUID, NamedRef] = {}
    for seated in plan.tables.values():
        seen.setdefault(seated.id, seated)
    companies: dict[UUID, NamedRef] = {}
    for r in plan.rounds:
        for m in r.meetings:
            if m.company.id not in seen:
                companies.setdefault(m.company.id, m.company)
        for b in r.breaks:
            if b.id not in seen:
                companies.setdefault(b.id, b)
    return [*seen.values(), *sorted(companies.values(), key=lambda c: c.name.lower())]


def screen(plan: Timetable, at: datetime) -> ScreenView:
    """The round under way at ``at`` (lab local time), or the next one during a changeover
    and before the start."""

    def view(state: str, round_: TimetableRound | None, until: datetime | None) -> ScreenView:
        left = None if until is None else max(0, int((until - at).total_seconds()))
        return ScreenView(
            session_id=plan.session_id,
            title=plan.title,
            at=at,
            state=state,
            round=round_,
            rounds_count=len(plan.rounds),
            seconds_left=left,
        )

    for r in plan.rounds:
        if at < r.starts_at:
            first = r is plan.rounds[0]
            return view(BEFORE if first else CHANGEOVER, r, r.starts_at)
        if at < r.ends_at:
            return view(ROUND, r, r.ends_at)
    return view(FINISHED, None, None)
