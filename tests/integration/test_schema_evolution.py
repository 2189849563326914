"""Events and snapshots written by older code still replay, through upcasters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import StoredEvent

from application.context import Caller
from domain.partnerships.partnership import Partnership
from partnerlab.bootstrap import Runtime
from tests.integration.snapshots import rewrite_snapshot
from tests.lab_stories import sati_and_the_integration_workshop


def test_an_evaluation_stored_by_version_1_replays_with_no_skills_days(
    runtime: Runtime, staff: Caller
) -> None:
    app = runtime.app
    pid = sati_and_the_integration_workshop(app, staff)
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
    pid = sati_and_the_integration_workshop(app, staff)
    app.partnerships.record_evaluation(
        staff, pid, occurred_on=date(2015, 6, 1), beneficiaries=35, skills_days=Decimal("3")
    )

    def as_version_1(snapshot: Any) -> None:  # the form version 1 of Partnership gave it
        state = snapshot["state"]
        del state["class_version"]
        for milestone in state["milestones"]:
            if milestone.kind == "evaluation":
                milestone.details.pop("skills_days")

    rewrite_snapshot(runtime, pid, as_version_1)
    view = app.partnerships.get_partnership(staff, pid)
    assert view.evaluations[0].skills_days == Decimal("0")  # v1 knew nothing of skills days
    assert view.version == 5
