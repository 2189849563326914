"""The activities' followers on SQLite and PostgreSQL: the read model applies each event once
even when a batch comes again, and the policy replayed from the start opens nothing twice,
whether it runs in the server or in ``partnerlab project``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time
from decimal import Decimal
from uuid import UUID

import pytest

from application.context import Caller
from application.lab import PartnerLab
from domain.activities.values import Interest
from domain.values import OrganizationKind
from infrastructure.activities.followers import POLICY
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime, run_projector

SESSION_ON = date(2014, 3, 12)


@pytest.fixture
def quiet(settings: Settings, today: date) -> Iterator[Runtime]:
    """A runtime whose followers run only when a test says so."""
    runtime = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        yield runtime
    finally:
        runtime.close()


def close_a_session(app: PartnerLab, staff: Caller, pairs: int) -> UUID:
    """A session where the first ``pairs`` associations and companies all want to follow up
    with each other (pairs * pairs mutual follow-ups)."""
    host = app.organizations.register_organization(
        staff, kind=OrganizationKind.COMPANY, name="Électricité de Strasbourg", territory="67"
    ).id
    session = app.speed_dating.plan_speed_dating(
        staff,
        title="Speed-dating",
        held_on=SESSION_ON,
        starts_at=time(18),
        venue="Café Brant",
        host_company_id=host,
    ).id
    for i in range(pairs):
        for kind in (OrganizationKind.ASSOCIATION, OrganizationKind.COMPANY):
            organization = app.organizations.register_organization(
                staff, kind=kind, name=f"{kind.value} {i}", territory="67"
            )
            app.speed_dating.register_session_participant(
                staff, session, organization_id=organization.id
            )
    app.speed_dating.generate_session_schedule(staff, session)
    view = app.speed_dating.get_speed_dating(staff, session)
    for a in view.associations:
        for c in view.companies:
            app.speed_dating.record_meeting_outcome(
                staff,
                session,
                association_id=a.id,
                company_id=c.id,
                held=True,
                association_interest=Interest.FOLLOW_UP,
                company_interest=Interest.FOLLOW_UP,
            )
    app.speed_dating.close_speed_dating(staff, session, occurred_on=SESSION_ON)
    return session


def count(runtime: Runtime, sql: str) -> int:
    return int(runtime.database.query(sql)[0]["n"])


def partnerships_in_log(runtime: Runtime) -> int:
    events = runtime.app.log.recorder.select_notifications(start=1, limit=100_000)
    return sum(n.topic == "partnerlab:Partnership.Opened" for n in events)


def test_a_redelivered_batch_changes_nothing_in_the_activities_read_model(
    quiet: Runtime, staff: Caller
) -> None:
    app = quiet.app
    subsidy = app.funding.record_subsidy(
        staff,
        funder="Direccte Alsace",
        year=2014,
        amount_eur=Decimal("30000"),
        granted_on=date(2014, 2, 3),
    )
    app.funding.correct_subsidy(staff, subsidy.id, amount_eur=Decimal("28500"), reason="amended")
    app.trainings.plan_training(staff, title="Build a partnership", held_on=date(2014, 10, 7))
    follower = quiet.followers["activities"]
    follower.catch_up()
    batch = app.log.recorder.select_notifications(start=1, limit=1000)

    follower.processor.process(batch)
    follower.processor.process(batch[:1])

    assert count(quiet, "SELECT COUNT(*) AS n FROM pl_funding_lines") == 1
    assert (
        quiet.database.query("SELECT amount_cents FROM pl_funding_lines")[0]["amount_cents"]
        == 2_850_000
    )
    assert count(quiet, "SELECT COUNT(*) AS n FROM pl_activities") == 1
    assert follower.position() == batch[-1].id


def test_the_policy_replayed_from_the_start_opens_nothing_twice(
    quiet: Runtime, staff: Caller
) -> None:
    session = close_a_session(quiet.app, staff, pairs=2)
    quiet.followers.catch_up()
    opened = partnerships_in_log(quiet)
    head = quiet.app.read_models.log_head()

    with quiet.database.transaction() as cursor:
        cursor.execute(
            "UPDATE pl_follower_positions SET position = 0 WHERE name = %(name)s",
            {"name": POLICY},
        )
    quiet.followers.catch_up()

    assert opened == 4
    assert partnerships_in_log(quiet) == opened
    assert quiet.app.read_models.log_head() == head
    cohort = quiet.app.activity_outcomes.cohort_report(staff, session)
    assert cohort.partnerships_opened == 4


def test_the_policy_runs_in_the_projector_process(
    settings: Settings, today: date, staff: Caller
) -> None:
    api = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        session = close_a_session(api.app, staff, pairs=1)
        assert partnerships_in_log(api) == 0

        run_projector(settings, once=True)

        assert partnerships_in_log(api) == 1
        follow_ups, _ = api.app.speed_dating.speed_dating_follow_ups(staff, session)
        assert follow_ups[0].partnership_id is not None
    finally:
        api.close()
