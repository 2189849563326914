"""The speed-dating session aggregate: its plan, its participants, its published schedule,
what happened on the day, and the close that decides which pairs follow up."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.activities.errors import (
    ActivityOfAnotherLab,
    DurationOutOfRange,
    InterestWithoutMeeting,
    MeetingAlreadyHeld,
    MeetingNotHeld,
    MeetingNotScheduled,
    NotEnoughParticipants,
    NothingToCatchUp,
    ParticipantAlreadyRegistered,
    ParticipantNotRegistered,
    ScheduleMissing,
    SessionClosed,
    SessionNotStarted,
    SessionUnderWay,
    UnknownPair,
    WrongParticipantKind,
)
from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.values import Interest, Pair
from domain.errors import DateInFuture, InvalidValue, LifecycleViolation, OrganizationArchived
from domain.values import OrganizationKind
from tests.unit.activity_stories import (
    OTHER_LAB,
    SESSION_ON,
    STAFF,
    TODAY,
    associations,
    companies,
    filled_session,
    host,
    organization,
    outcome,
    planned_session,
    scheduled_session,
)

FOLLOW_UP, INFORMATIVE, NONE = Interest.FOLLOW_UP, Interest.INFORMATIVE, Interest.NONE


def held(
    session: SpeedDatingSession,
    pair: Pair,
    association: Interest = NONE,
    company: Interest = NONE,
) -> None:
    outcome(session, pair, True, association, company)


# -- planning ------------------------------------------------------------------------------------


def test_a_planned_session_has_seven_minute_rounds_and_its_host_company() -> None:
    electricite = host()

    session = SpeedDatingSession.plan(
        title="Speed-dating, printemps 2027",
        held_on=TODAY + timedelta(days=120),
        starts_at=time(18, 0, 30),
        venue="Café Brant",
        host_company=electricite,
        actor=STAFF,
    )

    assert session.round_minutes == 7
    assert session.changeover_minutes == 1
    assert session.starts_at == time(18, 0)
    assert session.host_company_id == electricite.id
    assert session.lab == electricite.lab
    assert session.status == "planned"
    assert [type(e).__name__ for e in session.collect_events()] == ["Planned"]


def test_the_host_is_a_company_still_in_the_catalogue() -> None:
    food_bank = organization("Banque alimentaire du Bas-Rhin", OrganizationKind.ASSOCIATION)
    gone = organization("Ancienne SARL", OrganizationKind.COMPANY, archived=True)

    for wrong, error in ((food_bank, WrongParticipantKind), (gone, OrganizationArchived)):
        with pytest.raises(error) as refused:
            SpeedDatingSession.plan(
                title="t",
                held_on=SESSION_ON,
                starts_at=time(18),
                venue="v",
                host_company=wrong,
                actor=STAFF,
            )
        assert refused.value.field == "host_company_id"


@pytest.mark.parametrize(
    ("round_minutes", "changeover_minutes", "field"),
    [(0, 1, "round_minutes"), (61, 1, "round_minutes"), (7, -1, "changeover_minutes")],
)
def test_rounds_and_changeovers_last_a_sensible_time(
    round_minutes: int, changeover_minutes: int, field: str
) -> None:
    with pytest.raises(DurationOutOfRange) as refused:
        SpeedDatingSession.plan(
            title="t",
            held_on=SESSION_ON,
            starts_at=time(18),
            venue="v",
            host_company=host(),
            actor=STAFF,
            round_minutes=round_minutes,
            changeover_minutes=changeover_minutes,
        )
    assert refused.value.field == field


# -- participants --------------------------------------------------------------------------------


def test_associations_and_companies_register_on_their_own_side() -> None:
    session = filled_session(associations(3), companies(2))

    assert len(session.associations) == 3
    assert len(session.companies) == 2


def test_an_organisation_registers_once_and_only_for_a_session_of_its_lab() -> None:
    session = planned_session()
    ibm = companies(1)[0]
    session.register(ibm, actor=STAFF)
    elsewhere = organization("Lorraine SA", OrganizationKind.COMPANY, lab=OTHER_LAB)

    with pytest.raises(ParticipantAlreadyRegistered):
        session.register(ibm, actor=STAFF)
    with pytest.raises(ActivityOfAnotherLab):
        session.register(elsewhere, actor=STAFF)


def test_registering_or_withdrawing_after_the_schedule_drops_it() -> None:
    session = scheduled_session(associations(2), companies(2))
    assert session.status == "scheduled"

    session.register(companies(3)[2], actor=STAFF)

    assert session.rounds == []
    assert session.status == "planned"
    session.generate_schedule(actor=STAFF)
    session.withdraw(session.companies[0], actor=STAFF, reason="the director is ill")
    assert session.rounds == []
    assert len(session.companies) == 2


def test_only_registered_participants_withdraw() -> None:
    session = planned_session()

    with pytest.raises(ParticipantNotRegistered):
        session.withdraw(companies(1)[0].id, actor=STAFF)


# -- the schedule --------------------------------------------------------------------------------


def test_ten_by_ten_every_pair_meets_once_in_ten_rounds_each_association_at_its_table() -> None:
    session = scheduled_session(associations(), companies())

    pairs = [(m.association_id, m.company_id) for r in session.rounds for m in r.meetings]
    assert len(session.rounds) == 10
    assert len(pairs) == len(set(pairs)) == 100
    for table, association_id in enumerate(session.associations, start=1):
        assert {
            m.table
            for r in session.rounds
            for m in r.meetings
            if m.association_id == association_id
        } == {table}
    assert all(r.breaks == [] for r in session.rounds)


def test_a_schedule_needs_someone_on_both_sides() -> None:
    session = filled_session(associations(3), [])

    with pytest.raises(NotEnoughParticipants):
        session.generate_schedule(actor=STAFF)


def test_excluded_pairs_never_meet_and_the_rest_fit_in_the_fewest_rounds() -> None:
    session = filled_session(associations(4), companies(4))
    a, c = session.associations, session.companies
    vetoed = [Pair(a[0], c[0]), Pair(a[0], c[1]), Pair(a[1], c[0])]

    session.generate_schedule(actor=STAFF, excluded=vetoed)

    met = {Pair(m.association_id, m.company_id) for r in session.rounds for m in r.meetings}
    assert met == {Pair(x, y) for x in a for y in c} - set(vetoed)
    degrees = Counter([p.association_id for p in met] + [p.company_id for p in met])
    assert len(session.rounds) == max(degrees.values()) == 4
    assert session.excluded == vetoed


def test_an_excluded_pair_must_be_registered() -> None:
    session = filled_session(associations(2), companies(2))
    stranger = companies(3)[2]

    with pytest.raises(UnknownPair):
        session.generate_schedule(
            actor=STAFF, excluded=[Pair(session.associations[0], stranger.id)]
        )


def test_a_no_show_known_before_the_start_is_left_out_of_the_regenerated_plan() -> None:
    session = scheduled_session(associations(3), companies(3))
    absent = session.companies[1]

    session.record_no_show(absent, actor=STAFF, today=SESSION_ON)
    session.generate_schedule(actor=STAFF)

    scheduled = {m.company_id for r in session.rounds for m in r.meetings}
    assert absent not in scheduled
    assert len(session.rounds) == 3  # three associations still meet two companies each
    assert all(absent not in r.breaks for r in session.rounds)


def test_once_a_meeting_is_recorded_the_published_plan_is_fixed() -> None:
    session = scheduled_session(associations(2), companies(2))
    held(session, session.scheduled_pairs[0])

    with pytest.raises(SessionUnderWay):
        session.generate_schedule(actor=STAFF)
    with pytest.raises(SessionUnderWay):
        session.register(companies(3)[2], actor=STAFF)
    with pytest.raises(SessionUnderWay):
        session.withdraw(session.companies[0], actor=STAFF)


def test_the_timetable_starts_at_the_planned_time_with_changeovers() -> None:
    session = scheduled_session(associations(3), companies(3))

    timed = session.timetable()

    assert [t.start.time() for t in timed] == [time(18, 0), time(18, 8), time(18, 16)]
    assert timed[-1].end == datetime(2014, 3, 12, 18, 23)


# -- on the day ----------------------------------------------------------------------------------


def test_what_happens_at_the_session_is_recorded_from_its_day_on() -> None:
    session = scheduled_session(associations(2), companies(2))
    day_before = SESSION_ON - timedelta(days=1)
    pair = session.scheduled_pairs[0]

    with pytest.raises(SessionNotStarted):
        session.check_in(pair.company_id, actor=STAFF, today=day_before)
    with pytest.raises(SessionNotStarted):
        outcome(session, pair, True, today=day_before)
    session.check_in(pair.company_id, actor=STAFF, today=SESSION_ON)
    assert session.attendance_of(pair.company_id) == "checked_in"
    assert session.status == "under_way"


def test_check_ins_may_come_before_the_schedule_but_outcomes_may_not() -> None:
    session = filled_session(associations(1), companies(1))

    session.check_in(session.associations[0], actor=STAFF, today=SESSION_ON)
    with pytest.raises(ScheduleMissing):
        session.close(occurred_on=SESSION_ON, actor=STAFF, today=TODAY)


def test_an_outcome_is_for_a_scheduled_pair() -> None:
    session = filled_session(associations(2), companies(2))
    a, c = session.associations, session.companies
    session.generate_schedule(actor=STAFF, excluded=[Pair(a[0], c[0])])

    with pytest.raises(MeetingNotScheduled):
        held(session, Pair(a[0], c[0]), FOLLOW_UP, FOLLOW_UP)


def test_a_meeting_that_was_not_held_raises_no_interest() -> None:
    session = scheduled_session(associations(1), companies(1))
    pair = session.scheduled_pairs[0]

    with pytest.raises(InterestWithoutMeeting):
        outcome(session, pair, False, INFORMATIVE, NONE)


def test_an_outcome_recorded_again_replaces_the_first_one() -> None:
    session = scheduled_session(associations(1), companies(1))
    pair = session.scheduled_pairs[0]
    held(session, pair, INFORMATIVE, NONE)

    held(session, pair, FOLLOW_UP, FOLLOW_UP)

    assert session.outcomes[pair.key].mutual_follow_up


def test_catch_up_rounds_come_after_the_last_round_with_each_association_at_its_table() -> None:
    session = scheduled_session(associations(4), companies(4))
    late = session.companies[2]
    for pair in session.scheduled_pairs:
        if pair.company_id != late:
            held(session, pair)
        else:
            missed(session, pair)
    tables = {a: session.table_of(a) for a in session.associations}

    session.schedule_catch_up(actor=STAFF, today=SESSION_ON)

    extra = session.rounds[4:]
    assert [r.number for r in extra] == [5, 6, 7, 8]
    assert all(r.catch_up for r in extra)
    assert {(m.association_id, m.table) for r in extra for m in r.meetings} == set(tables.items())
    assert {m.company_id for r in extra for m in r.meetings} == {late}


def test_catch_up_pairs_need_as_many_rounds_as_the_busiest_participant() -> None:
    session = scheduled_session(associations(3), companies(3))
    a, c = session.associations, session.companies
    missed = [Pair(a[0], c[0]), Pair(a[0], c[1]), Pair(a[1], c[0]), Pair(a[2], c[2])]

    session.schedule_catch_up(actor=STAFF, today=SESSION_ON, pairs=missed)

    assert len(session.rounds) == 3 + 2


def test_catch_up_is_for_missed_meetings_only() -> None:
    session = scheduled_session(associations(1), companies(1))
    pair = session.scheduled_pairs[0]
    held(session, pair)

    with pytest.raises(MeetingAlreadyHeld):
        session.schedule_catch_up(actor=STAFF, today=SESSION_ON, pairs=[pair])
    with pytest.raises(NothingToCatchUp):
        session.schedule_catch_up(actor=STAFF, today=SESSION_ON)


def missed(session: SpeedDatingSession, pair: Pair) -> None:
    """Mark a scheduled meeting as not held."""
    outcome(session, pair, False, today=SESSION_ON)


# -- the close -----------------------------------------------------------------------------------


def test_the_close_lists_mutual_follow_ups_and_leaves_one_sided_ones_to_staff() -> None:
    session = scheduled_session(associations(2), companies(2))
    p = session.scheduled_pairs
    held(session, p[0], FOLLOW_UP, FOLLOW_UP)
    held(session, p[1], FOLLOW_UP, INFORMATIVE)
    held(session, p[2], INFORMATIVE, INFORMATIVE)

    session.close(occurred_on=SESSION_ON, actor=STAFF, today=TODAY, confirm_missing_outcomes=True)

    assert session.follow_ups == [p[0]]
    assert session.one_sided == [p[1]]
    assert session.status == "closed"
    closed = session.collect_events()[-1]
    assert isinstance(closed, SpeedDatingSession.Closed)
    assert closed.follow_ups == [p[0]]


def test_nothing_is_recorded_after_the_close() -> None:
    session = scheduled_session(associations(1), companies(1))
    session.close(occurred_on=SESSION_ON, actor=STAFF, today=TODAY, confirm_missing_outcomes=True)

    with pytest.raises(SessionClosed):
        held(session, session.scheduled_pairs[0], FOLLOW_UP, FOLLOW_UP)
    with pytest.raises(SessionClosed):
        session.close(occurred_on=SESSION_ON, actor=STAFF, today=TODAY)


def test_the_close_is_dated_on_or_after_the_session_and_never_in_the_future() -> None:
    session = scheduled_session(associations(1), companies(1))

    with pytest.raises(InvalidValue) as before:
        session.close(occurred_on=SESSION_ON - timedelta(days=1), actor=STAFF, today=TODAY)
    with pytest.raises(DateInFuture):
        session.close(occurred_on=TODAY + timedelta(days=1), actor=STAFF, today=TODAY)
    assert before.value.rule == "date-not-before-activity"


def test_a_partnership_only_comes_out_of_a_meeting_held_here() -> None:
    session = scheduled_session(associations(1), companies(1))
    pair = session.scheduled_pairs[0]

    with pytest.raises(MeetingNotHeld):
        session.require_held(pair)
    held(session, pair)
    session.require_held(pair)


def test_every_refusal_is_a_domain_error_with_a_rule() -> None:
    errors = [InterestWithoutMeeting, UnknownPair, SessionClosed, MeetingNotHeld]

    assert all(issubclass(e, InvalidValue | LifecycleViolation) for e in errors)
    assert len({e.rule for e in errors}) == len(errors)


# -- invariants ----------------------------------------------------------------------------------


@st.composite
def a_session_with_outcomes(
    draw: st.DrawFn,
) -> tuple[SpeedDatingSession, dict[Pair, tuple[bool, Interest, Interest]]]:
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 6))
    session = scheduled_session(associations(n), companies(m))
    interests = st.sampled_from(list(Interest))
    recorded: dict[Pair, tuple[bool, Interest, Interest]] = {}
    for pair in session.scheduled_pairs:
        if not draw(st.booleans()):
            continue
        was_held = draw(st.booleans())
        sides = (draw(interests), draw(interests)) if was_held else (NONE, NONE)
        outcome(session, pair, was_held, sides[0], sides[1])
        recorded[pair] = (was_held, *sides)
    return session, recorded


@settings(max_examples=60, deadline=None)
@given(a_session_with_outcomes())
def test_the_close_follows_up_exactly_the_pairs_both_sides_wanted(
    drawn: tuple[SpeedDatingSession, dict[Pair, tuple[bool, Interest, Interest]]],
) -> None:
    session, recorded = drawn

    session.close(occurred_on=SESSION_ON, actor=STAFF, today=TODAY, confirm_missing_outcomes=True)

    both = {p for p, (h, a, c) in recorded.items() if h and a is c is FOLLOW_UP}
    one = {p for p, (h, a, c) in recorded.items() if h and [a, c].count(FOLLOW_UP) == 1}
    assert set(session.follow_ups) == both
    assert set(session.one_sided) == one
    assert not both & one


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.data())
def test_catch_up_takes_as_many_rounds_as_the_busiest_participant_has_missed(
    n: int, m: int, data: st.DataObject
) -> None:
    session = scheduled_session(associations(n), companies(m))
    missed = data.draw(st.lists(st.sampled_from(session.scheduled_pairs), min_size=1, unique=True))

    session.schedule_catch_up(actor=STAFF, today=SESSION_ON, pairs=missed)

    extra = [r for r in session.rounds if r.catch_up]
    met = [Pair(mt.association_id, mt.company_id) for r in extra for mt in r.meetings]
    degrees = Counter([p.association_id for p in missed] + [p.company_id for p in missed])
    assert sorted(met, key=str) == sorted(missed, key=str)
    assert len(extra) == max(degrees.values())
    for r in extra:
        seated = [mt.association_id for mt in r.meetings]
        moving = [mt.company_id for mt in r.meetings]
        assert len(seated) == len(set(seated))
        assert len(moving) == len(set(moving))
