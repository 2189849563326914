"""Events and snapshots written by older code still replay, through upcasters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import StoredEvent

from application.context import Caller
from domain.partnerships.partnership import Partnership
from domain.values import Category, OrganizationKind, OriginKind, SubKind
from partnerlab.bootstrap import Runtime


def a_partnership_under_contract(runtime: Runtime, staff: Caller) -> Any:
    app = runtime.app
    maker = app.organizations.register_organization(
        staff, kind=OrganizationKind.COMPANY, name="Jeux de plein air SA", territory="68"
    )
    parents = app.organizations.register_organization(
        staff, kind=OrganizationKind.ASSOCIATION, name="Association des parents", territory="68"
    )
    pid = app.partnerships.open_partnership(
        staff,
        association_id=parents.id,
        company_id=maker.id,
        origin_kind=OriginKind.SPONTANEOUS,
        occurred_on=date(2014, 2, 3),
    ).id
    app.partnerships.propose_idea(
        staff,
        pid,
        title="Games accessible to disabled children",
        proposed_category=Category.SOCIAL_INNOVATION,
        occurred_on=date(2014, 3, 1),
    )
    idea_id = app.partnerships.get_partnership(staff, pid).ideas[0].id
    app.partnerships.start_co_construction(
        staff, pid, idea_id=idea_id, occurred_on=date(2014, 4, 1)
    )
    app.partnerships.sign_contract(
        staff,
        pid,
        category=Category.SOCIAL_INNOVATION,
        sub_kind=SubKind.NEW_PRODUCT,
        signed_on=date(2014, 9, 1),
        starts_on=date(2014, 9, 1),
        ends_on=date(2016, 8, 31),
    )
    return pid


def test_an_evaluation_stored_by_version_1_replays_with_no_skills_days(
    runtime: Runtime, staff: Caller
) -> None:
    app = runtime.app
    pid = a_partnership_under_contract(runtime, staff)
    # Exactly what version 1 of EvaluationRecorded stored: no skills_days, no class_version.
    old_state = {
        "timestamp": app.partnerships.get_partnership(staff, pid).modified_at,
        "beneficiaries": 35,
        "jobs_created": 0,
        "volunteer_days": Decimal("12"),
        "in_kind_eur": Decimal("800"),
        "satisfaction": 4,
        "findings": "Children of the parents' association tested every prototype",
        "occurred_on": date(2015, 6, 1),
        "actor": "claire.staff",
        "note": None,
    }
    app.log.recorder.insert_events(
        [
            StoredEvent(
                originator_id=pid,
                originator_version=5,
                topic=Partnership.EvaluationRecorded.TOPIC,
                state=app.log.mapper.transcoder.encode(old_state),
            )
        ]
    )
    app.log.repository.cache = None  # read from the store, not from memory
    evaluation = app.partnerships.get_partnership(staff, pid).evaluations[0]
    assert evaluation.volunteer_days == Decimal("12")
    assert evaluation.skills_days == Decimal("0")
    assert evaluation.beneficiaries == 35
    history = app.audit.partnership_history(staff, pid)
    assert history[-1].data["skills_days"] == Decimal("0")


def test_a_snapshot_taken_by_version_1_is_upcast(runtime: Runtime, staff: Caller) -> None:
    app = runtime.app
    pid = a_partnership_under_contract(runtime, staff)
    app.partnerships.record_evaluation(
        staff, pid, occurred_on=date(2015, 6, 1), beneficiaries=35, skills_days=Decimal("3")
    )
    assert app.log.snapshots is not None
    app.log.take_snapshot(pid)
    stored = app.log.snapshots.recorder.select_events(pid)[-1]
    snapshot = app.log.mapper.transcoder.decode(stored.state)
    state = snapshot["state"]
    del state["class_version"]
    for milestone in state["milestones"]:
        if milestone.kind == "evaluation":
            milestone.details.pop("skills_days")
    # Replace the stored snapshot with the form version 1 of Partnership gave it.
    with runtime.database.transaction() as cursor:
        table = app.log.snapshots.recorder.events_table_name  # type: ignore[attr-defined]
        cursor.execute(
            f"UPDATE {table} SET state = %(state)s WHERE originator_version = %(v)s",
            {"state": app.log.mapper.transcoder.encode(snapshot), "v": stored.originator_version},
        )
    app.log.repository.cache = None
    view = app.partnerships.get_partnership(staff, pid)
    assert view.evaluations[0].skills_days == Decimal("0")  # v1 knew nothing of skills days
    assert view.version == 5
