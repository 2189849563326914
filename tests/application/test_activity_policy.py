"""The activities through the application, in memory: the policy that opens partnerships
from a closed session or an event's meeting is idempotent, staff decide one-sided pairs,
and every activity stays in its lab."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import UUID

import pytest

from application.context import Caller
from application.errors import NotFound, VersionMismatch
from application.lab import PartnerLab
from domain.activities.errors import MeetingNotHeld, NotProposed, PartnershipAlreadyOpened
from domain.activities.lab_event import LabEvent
from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.values import Interest, partnership_id
from domain.values import OrganizationKind, OriginKind

TODAY = date(2026, 11, 26)
SESSION_ON = date(2014, 3, 12)
STAFF = Caller(lab="alsace", actor="claire.staff")
ELSEWHERE = Caller(lab="lorraine", actor="marc.staff")


@pytest.fixture
def app() -> PartnerLab:
    return PartnerLab(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: TODAY)


def register(app: PartnerLab, kind: OrganizationKind, name: str) -> UUID:
    return app.organizations.register_organization(STAFF, kind=kind, name=name, territory="67").id


def closed_events(app: PartnerLab, aggregate_id: UUID) -> list[object]:
    return list(app.log.repository.event_store.get(aggregate_id))


def a_closed_session(app: PartnerLab) -> tuple[UUID, list[UUID], list[UUID]]:
    """Two associations and two companies; only the food bank and IBM both want more,
    the parents' association wants to follow up with the games maker, who does not."""
    host = register(app, OrganizationKind.COMPANY, "Électricité de Strasbourg")
    food_bank = register(app, OrganizationKind.ASSOCIATION, "Banque alimentaire du Bas-Rhin")
    parents = register(app, OrganizationKind.ASSOCIATION, "Parents ensemble 67")
    ibm = register(app, OrganizationKind.COMPANY, "IBM France")
    games = register(app, OrganizationKind.COMPANY, "Jeux de plein air d'Alsace")
    session = app.speed_dating.plan_speed_dating(
        STAFF,
        title="Speed-dating, printemps 2014",
        held_on=SESSION_ON,
        starts_at=time(18, 0),
        venue="Café Brant",
        host_company_id=host,
    ).id
    for organization_id in (food_bank, parents, ibm, games):
        app.speed_dating.register_session_participant(
            STAFF, session, organization_id=organization_id
        )
    app.speed_dating.generate_session_schedule(STAFF, session)
    wants = {
        (food_bank, ibm): (Interest.FOLLOW_UP, Interest.FOLLOW_UP),
        (parents, games): (Interest.FOLLOW_UP, Interest.INFORMATIVE),
        (food_bank, games): (Interest.NONE, Interest.NONE),
    }
    for (association, company), (a, c) in wants.items():
        app.speed_dating.record_meeting_outcome(
            STAFF,
            session,
            association_id=association,
            company_id=company,
            held=True,
            association_interest=a,
            company_interest=c,
        )
    app.speed_dating.close_speed_dating(
        STAFF, session, occurred_on=SESSION_ON, confirm_missing_outcomes=True
    )
    return session, [food_bank, parents], [ibm, games]


def the_close(app: PartnerLab, session: UUID) -> SpeedDatingSession.Closed:
    closed = closed_events(app, session)[-1]
    assert isinstance(closed, SpeedDatingSession.Closed)
    return closed


def test_the_close_opens_a_partnership_for_each_mutual_follow_up_with_the_session_as_origin(
    app: PartnerLab,
) -> None:
    session, (food_bank, _), (ibm, _) = a_closed_session(app)

    opened = app.activity_policy.react_to_activity_event(the_close(app, session))

    assert opened == [partnership_id(session, food_bank, ibm)]
    partnership = app.partnerships.get_partnership(STAFF, opened[0])
    assert (partnership.association_id, partnership.company_id) == (food_bank, ibm)
    assert partnership.origin_kind is OriginKind.SPEED_DATING
    assert partnership.origin_reference_id == str(session)
    assert partnership.opened_on == SESSION_ON
    assert partnership.milestones[0].actor == "claire.staff"


def test_processing_the_same_close_twice_opens_nothing_twice(app: PartnerLab) -> None:
    session, *_ = a_closed_session(app)
    close = the_close(app, session)
    first = app.activity_policy.react_to_activity_event(close)
    head = app.read_models.log_head()

    again = app.activity_policy.react_to_activity_event(close)

    assert len(first) == 1
    assert again == []
    assert app.read_models.log_head() == head


def test_a_replay_after_a_crash_opens_nothing_already_opened(app: PartnerLab) -> None:
    """The policy opened the pair, then crashed before recording its position."""
    session, (food_bank, _), (ibm, _) = a_closed_session(app)
    before_crash = app.speed_dating.open_partnership_from_session(
        STAFF, session, association_id=food_bank, company_id=ibm
    )

    replayed = app.activity_policy.react_to_activity_event(the_close(app, session))

    assert replayed == []
    assert before_crash.id == partnership_id(session, food_bank, ibm)


def test_staff_decide_a_one_sided_pair_once(app: PartnerLab) -> None:
    session, (_, parents), (_, games) = a_closed_session(app)
    view = app.speed_dating.get_speed_dating(STAFF, session)
    assert [(p.association_id, p.company_id) for p in view.one_sided] == [(parents, games)]
    assert view.one_sided[0].partnership_id is None

    decided = app.speed_dating.open_partnership_from_session(
        STAFF, session, association_id=parents, company_id=games
    )

    assert decided.id == partnership_id(session, parents, games)
    assert (
        app.speed_dating.get_speed_dating(STAFF, session).one_sided[0].partnership_id == decided.id
    )
    with pytest.raises(PartnershipAlreadyOpened):
        app.speed_dating.open_partnership_from_session(
            STAFF, session, association_id=parents, company_id=games
        )


def test_a_partnership_is_only_opened_for_a_pair_that_met(app: PartnerLab) -> None:
    session, (_, parents), (ibm, _) = a_closed_session(app)

    with pytest.raises(MeetingNotHeld):
        app.speed_dating.open_partnership_from_session(
            STAFF, session, association_id=parents, company_id=ibm
        )


def test_a_meeting_at_a_forum_opens_a_partnership_with_the_forum_as_origin(
    app: PartnerLab,
) -> None:
    esat = register(app, OrganizationKind.ASSOCIATION, "ESAT du Neuhof")
    la_poste = register(app, OrganizationKind.COMPANY, "La Poste")
    forum = app.lab_events.plan_event(
        STAFF, kind=OriginKind.OPEN_FORUM, title="Forum emploi 2014", held_on=date(2014, 11, 20)
    ).id
    app.lab_events.record_event_attendance(STAFF, forum, organization_id=esat)
    app.lab_events.record_event_attendance(STAFF, forum, organization_id=la_poste)
    app.lab_events.record_event_meeting(STAFF, forum, association_id=esat, company_id=la_poste)
    meeting = closed_events(app, forum)[-1]
    assert isinstance(meeting, LabEvent.MeetingRecorded)

    opened = app.activity_policy.react_to_activity_event(meeting)

    partnership = app.partnerships.get_partnership(STAFF, opened[0])
    assert partnership.origin_kind is OriginKind.OPEN_FORUM
    assert partnership.origin_reference_id == str(forum)
    assert partnership.opened_on == date(2014, 11, 20)
    assert app.activity_policy.react_to_activity_event(meeting) == []
    assert app.lab_events.get_event(STAFF, forum).meetings[0].partnership_id == opened[0]


def test_a_consulting_partnership_is_with_an_association_proposed_to_the_company(
    app: PartnerLab,
) -> None:
    sati = register(app, OrganizationKind.COMPANY, "Cafés Sati")
    workshop = register(app, OrganizationKind.ASSOCIATION, "Atelier d'insertion Sac à sacs")
    gardens = register(app, OrganizationKind.ASSOCIATION, "Les Jardins de Cocagne")
    engagement = app.consulting.open_consulting(
        STAFF, company_id=sati, scope="Defective packs", started_on=date(2014, 1, 13)
    ).id
    app.consulting.propose_associations(
        STAFF, engagement, association_ids=[workshop], occurred_on=date(2014, 2, 3)
    )

    with pytest.raises(NotProposed):
        app.consulting.open_partnership_from_consulting(
            STAFF, engagement, association_id=gardens, occurred_on=date(2014, 3, 1)
        )
    opened = app.consulting.open_partnership_from_consulting(
        STAFF, engagement, association_id=workshop, occurred_on=date(2014, 3, 1)
    )
    assert app.partnerships.get_partnership(STAFF, opened.id).origin_kind is OriginKind.CONSULTING


def test_the_lineage_names_the_session_and_its_date(app: PartnerLab) -> None:
    session, *_ = a_closed_session(app)
    (opened,) = app.activity_policy.react_to_activity_event(the_close(app, session))

    origin = app.audit.partnership_lineage(STAFF, opened).origin

    assert origin.activity_title == "Speed-dating, printemps 2014"
    assert origin.activity_held_on == SESSION_ON


def test_activities_of_another_lab_are_not_found(app: PartnerLab) -> None:
    session, *_ = a_closed_session(app)

    with pytest.raises(NotFound):
        app.speed_dating.get_speed_dating(ELSEWHERE, session)
    with pytest.raises(NotFound):
        app.activity_outcomes.cohort_report(ELSEWHERE, session)
    with pytest.raises(NotFound):
        app.speed_dating.close_speed_dating(ELSEWHERE, session, occurred_on=SESSION_ON)


def test_a_stale_expected_version_is_refused(app: PartnerLab) -> None:
    forum = app.lab_events.plan_event(
        STAFF, kind=OriginKind.THEMATIC_EVENT, title="RSE", held_on=date(2014, 5, 5)
    ).id
    esat = register(app, OrganizationKind.ASSOCIATION, "ESAT du Neuhof")

    with pytest.raises(VersionMismatch):
        app.lab_events.record_event_attendance(
            STAFF, forum, organization_id=esat, expected_version=2
        )


def test_a_long_session_read_back_from_its_snapshot_is_the_same(app: PartnerLab) -> None:
    host = register(app, OrganizationKind.COMPANY, "Électricité de Strasbourg")
    food_bank = register(app, OrganizationKind.ASSOCIATION, "Banque alimentaire du Bas-Rhin")
    ibm = register(app, OrganizationKind.COMPANY, "IBM France")
    session = app.speed_dating.plan_speed_dating(
        STAFF,
        title="Long",
        held_on=SESSION_ON,
        starts_at=time(9),
        venue="Hall",
        host_company_id=host,
    ).id
    for organization_id in (food_bank, ibm):
        app.speed_dating.register_session_participant(
            STAFF, session, organization_id=organization_id
        )
    app.speed_dating.generate_session_schedule(STAFF, session)
    for turn in range(55):  # staff correct the outcome again and again
        app.speed_dating.record_meeting_outcome(
            STAFF,
            session,
            association_id=food_bank,
            company_id=ibm,
            held=True,
            association_interest=list(Interest)[turn % 3],
        )

    from_snapshot: SpeedDatingSession = app.log.repository.get(session)
    replayed: Any = None
    for recorded in app.log.repository.event_store.get(session):
        replayed = recorded.mutate(replayed)  # type: ignore[attr-defined]

    assert app.log.snapshots is not None
    assert list(app.log.snapshots.get(session))
    assert from_snapshot.version == 59
    assert vars(from_snapshot) == vars(replayed)
    assert from_snapshot.timetable() == replayed.timetable()
