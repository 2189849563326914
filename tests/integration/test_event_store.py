"""The event store on SQLite and PostgreSQL: what is recorded is read back unchanged."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from application.context import Caller
from application.errors import ConcurrentWrite, NotFound, VersionMismatch
from application.lab import PartnerLab
from domain.values import Stage, SubKind
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime
from tests import lab_stories
from tests.lab_stories import open_between, to_contract


def open_ibm_and_the_food_bank(app: PartnerLab, staff: Caller) -> UUID:
    ibm = lab_stories.ibm(app, staff, field_of_activity="IT services")
    food_bank = lab_stories.food_bank(app, staff)
    return open_between(
        app, staff, food_bank, ibm, date(2012, 10, 4), reference="speed-dating-2012-10"
    )


def test_a_whole_lifecycle_is_read_back_from_the_store(runtime: Runtime, staff: Caller) -> None:
    app = runtime.app
    partnership_id = open_ibm_and_the_food_bank(app, staff)
    timeline = "2012-11-08 2013-01-10 2013-03-01 2013-04-01 2014-03-31"
    amounts = {"skills_days": Decimal("42.5"), "financial_eur": Decimal("1500.00")}
    software = "Traceability software for donations"
    to_contract(app, staff, partnership_id, software, SubKind.SKILLS, timeline, **amounts)
    app.partnerships.record_evaluation(
        staff,
        partnership_id,
        occurred_on=date(2014, 5, 2),
        beneficiaries=12000,
        volunteer_days=Decimal("38"),
        satisfaction=5,
        findings="Donations traced end to end",
    )

    fresh = PartnerLab(env=runtime.settings.eventsourcing_env())
    try:
        stored = fresh.partnerships.get_partnership(staff, partnership_id)
    finally:
        fresh.close()
    assert stored == app.partnerships.get_partnership(staff, partnership_id)
    assert stored.stage is Stage.EVALUATION
    assert stored.contract is not None
    assert stored.contract.committed.skills_days == Decimal("42.5")
    assert stored.contract.signed_on == date(2013, 3, 1)
    assert stored.evaluations[0].beneficiaries == 12000
    assert app.partnerships.get_partnership(staff, partnership_id, version=2).stage is Stage.IDEA


def test_snapshots_are_taken_and_give_the_same_state(runtime: Runtime, staff: Caller) -> None:
    app = runtime.app
    partnership_id = open_ibm_and_the_food_bank(app, staff)
    for week in range(60):
        app.partnerships.record_meeting(
            staff,
            partnership_id,
            occurred_on=date(2013, 1, 1 + week % 28),
            note=f"follow-up {week}",
        )
    assert app.log.snapshots is not None
    snapshots = list(app.log.snapshots.get(partnership_id))
    assert [s.originator_version for s in snapshots] == [50]
    fresh = PartnerLab(env=runtime.settings.eventsourcing_env())
    try:
        assert fresh.partnerships.get_partnership(
            staff, partnership_id
        ) == app.partnerships.get_partnership(staff, partnership_id)
    finally:
        fresh.close()


def test_another_lab_cannot_see_a_partnership(runtime: Runtime, staff: Caller) -> None:
    partnership_id = open_ibm_and_the_food_bank(runtime.app, staff)
    with pytest.raises(NotFound):
        runtime.app.partnerships.get_partnership(Caller("lorraine", "eve"), partnership_id)


def test_two_writers_on_the_same_version_record_exactly_one_event(
    settings: Settings, staff: Caller, today: date
) -> None:
    """Two applications (as two processes would) both load version 1, then both write.

    The application reads its clock after loading the partnership and before saving it, so a
    clock that waits for both writers forces the race every time.
    """
    both_loaded = threading.Barrier(2, timeout=10)

    def racing_clock() -> date:
        both_loaded.wait()
        return today

    setup = build_runtime(settings, clock=lambda: today, run_projections=False)
    first = build_runtime(settings, clock=racing_clock, run_projections=False)
    second = build_runtime(settings, clock=racing_clock, run_projections=False)
    try:
        partnership_id = open_ibm_and_the_food_bank(setup.app, staff)
        outcomes: list[object] = []

        def write(app: PartnerLab, note: str) -> None:
            try:
                outcomes.append(
                    app.partnerships.record_meeting(
                        staff,
                        partnership_id,
                        occurred_on=date(2013, 1, 5),
                        note=note,
                        expected_version=1,
                    )
                )
            except (VersionMismatch, ConcurrentWrite) as error:
                outcomes.append(error)

        threads = [
            threading.Thread(target=write, args=(first.app, "from the first desk")),
            threading.Thread(target=write, args=(second.app, "from the second desk")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert len(outcomes) == 2
        assert len(errors) == 1
        assert isinstance(errors[0], VersionMismatch)
        view = setup.app.partnerships.get_partnership(staff, partnership_id)
        assert [m.version for m in view.milestones] == [1, 2]
    finally:
        for runtime in (setup, first, second):
            runtime.close()
