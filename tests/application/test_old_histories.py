"""Histories recorded before the rules of issue 14 keep loading as they are: events in their
old form are upcast (never re-checked), and records that break a rule today still replay."""

from __future__ import annotations

import dataclasses
from datetime import date, time
from typing import Any

from eventsourcing.persistence import StoredEvent

from application.event_log import LabEventLog
from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.values import Interest
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership
from domain.values import OrganizationKind, Origin, OriginKind
from tests.unit.activity_stories import (
    SESSION_ON,
    STAFF,
    TODAY,
    associations,
    companies,
    host,
    scheduled_session,
)

IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def old_form(log: LabEventLog, event: Any, *dropped: str) -> Any:
    """``event`` as the version-1 class stored it: no class_version, without ``dropped``."""
    stored = log.mapper.to_stored_event(event)
    state = log.mapper.transcoder.decode(stored.state)
    state.pop("class_version", None)
    for name in dropped:
        state.pop(name)
    older = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=log.mapper.transcoder.encode(state),
    )
    return log.mapper.to_domain_event(older)


def replay(events: list[Any]) -> Any:
    aggregate = None
    for e in events:
        aggregate = e.mutate(aggregate)
    return aggregate


def test_a_close_recorded_before_version_2_reads_with_no_missing_outcomes() -> None:
    log = LabEventLog(IN_MEMORY)
    session = scheduled_session(associations(2), companies(2))
    session.close(occurred_on=SESSION_ON, actor=STAFF, today=TODAY, confirm_missing_outcomes=True)
    [closed] = session.collect_events()
    assert len(closed.missing_outcomes) == 4

    read = old_form(log, closed, "missing_outcomes")

    assert isinstance(read, SpeedDatingSession.Closed)
    assert read.missing_outcomes == []
    assert read.follow_ups == closed.follow_ups


def test_a_partnership_opened_before_version_2_reads_as_not_separate() -> None:
    log = LabEventLog(IN_MEMORY)
    bank = Organization.register(
        lab="alsace", kind=OrganizationKind.ASSOCIATION, name="Banque", territory="67", actor="x"
    )
    ibm = Organization.register(
        lab="alsace", kind=OrganizationKind.COMPANY, name="IBM", territory="67", actor="x"
    )
    p = Partnership.open(
        association=bank,
        company=ibm,
        origin=Origin(OriginKind.SPONTANEOUS, None),
        occurred_on=date(2014, 1, 1),
        actor="x",
        today=TODAY,
    )
    [opened] = p.collect_events()

    read = old_form(log, opened, "separate_reason")

    assert read.separate_reason is None
    assert replay([read]).association_id == bank.id


def test_an_old_catch_up_of_every_unrecorded_meeting_and_an_unconfirmed_close_replay() -> None:
    """Before the rules, catch-up re-planned meetings with no outcome and a close needed no
    confirmation: such histories replay as recorded."""
    session = SpeedDatingSession.plan(
        title="Speed-dating",
        held_on=SESSION_ON,
        starts_at=time(18, 0),
        venue="Café Brant",
        host_company=host(),
        actor=STAFF,
    )
    for organization in [*associations(2), *companies(2)]:
        session.register(organization, actor=STAFF)
    session.generate_schedule(actor=STAFF)
    first = session.scheduled_pairs[0]
    session.record_outcome(
        association_id=first.association_id,
        company_id=first.company_id,
        held=True,
        association_interest=Interest.FOLLOW_UP,
        company_interest=Interest.FOLLOW_UP,
        actor=STAFF,
        today=TODAY,
    )
    session._schedule_catch_up(  # what the old rule planned: meetings with no outcome too
        rounds=[dataclasses.replace(r, number=r.number + 2, catch_up=True) for r in session.rounds],
        occurred_on=SESSION_ON,
        actor=STAFF,
    )
    session._close(  # closed with 3 outcomes missing, unconfirmed
        follow_ups=[first],
        one_sided=[],
        occurred_on=SESSION_ON,
        actor=STAFF,
        note=None,
        missing_outcomes=[],
    )

    again = replay(session.collect_events())

    assert again.closed_on == SESSION_ON
    assert len([r for r in again.rounds if r.catch_up]) == 2
    assert again.follow_ups == [first]
