"""A report as known at a moment never changes once answered, even while others write.

The recording time of an event is taken when the command decides, before its transaction
commits; without a settled horizon, a report asked ``known_at`` a few milliseconds in the past
could miss an event stamped before that moment but committed after the answer, and give other
figures when asked again. Here writers in another runtime (another client) write all the time,
on both databases, while the same ``known_at`` report is asked twice.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from application.context import Caller
from application.errors import ConcurrentWrite, PastSettled
from application.lab import PartnerLab
from application.read_models import InvalidMoment
from application.reporting.ports import ReportScope
from domain.partnerships.partnership import Partnership
from domain.values import OrganizationKind, OriginKind
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime
from tests.lab_stories import open_between, register

STAFF = Caller(lab="alsace", actor="claire.staff")
MET_ON = date(2020, 1, 6)


def _open_one(app: PartnerLab, n: int) -> UUID:
    association = register(app, STAFF, OrganizationKind.ASSOCIATION, f"Association {n}")
    company = register(app, STAFF, OrganizationKind.COMPANY, f"Company {n}")
    return open_between(app, STAFF, association, company, MET_ON, OriginKind.SPONTANEOUS)


def test_a_report_known_at_a_moment_just_past_gives_the_same_answer_while_others_write(
    runtime: Runtime, settings: Settings, today: date
) -> None:
    writers = build_runtime(settings, clock=lambda: today, run_projections=False)
    stop = threading.Event()
    opened: list[UUID] = []
    refused: list[BaseException] = []
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                opened.append(_open_one(writers.app, worker * 100_000 + n))
            except ConcurrentWrite as error:  # PastSettled: refused whole, retried by a client
                refused.append(error)
            except BaseException as error:  # reported below
                errors.append(error)
                return

    threads = [threading.Thread(target=write, args=(w,)) for w in range(2)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        moment = datetime.now(UTC) - timedelta(milliseconds=3)
        scope = ReportScope(known_at=moment)
        first = runtime.app.reports.funnel_report(STAFF, scope)
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        runtime.app.read_models.wait_for_projections()
        # The first answer was kept (a settled past never changes): forget it, so that the
        # second answer is read from the database again, after all those writes.
        past_reports = runtime.app.reports.past_reports
        assert len(past_reports) == 1
        past_reports.clear()
        misses = past_reports.misses
        again = runtime.app.reports.funnel_report(STAFF, scope)
        assert past_reports.misses == misses + 1
        hits = past_reports.hits
        kept = runtime.app.reports.funnel_report(STAFF, scope)
        assert past_reports.hits == hits + 1
        now = runtime.app.reports.funnel_report(STAFF, ReportScope(as_of=today))
    finally:
        stop.set()
        writers.close()

    assert repr(again) == repr(first) == repr(kept)
    # Exactly the partnerships recorded by that moment, and more were recorded after it.
    stamps = [runtime.app.log.get(pid).created_on for pid in opened]
    assert first.partnerships == sum(1 for stamp in stamps if stamp <= moment) > 0
    assert now.partnerships == len(opened) > first.partnerships
    assert all(isinstance(error, PastSettled) for error in refused)


def test_an_event_stamped_at_or_before_the_settled_horizon_is_refused_whole(
    runtime: Runtime,
) -> None:
    app = runtime.app
    pid = _open_one(app, 1)
    partnership: Partnership = app.log.get(pid)
    partnership.record_meeting(
        occurred_on=MET_ON + timedelta(days=1),
        actor="claire.staff",
        today=MET_ON + timedelta(days=2),
    )  # stamped now, recorded only after the past was settled beyond it
    stamped = partnership.pending_events[-1].timestamp
    head = app.log.head()
    app.read_models.settle_past(stamped, timeout=None)
    with pytest.raises(PastSettled):
        app.log.record(partnership, None)
    assert len(app.log.stored_events(pid)) == partnership.version - 1
    # A write stamped after the horizon is recorded, and the audit structure still verifies.
    fresh: Partnership = app.log.get(pid)
    fresh.record_meeting(
        occurred_on=MET_ON + timedelta(days=1),
        actor="claire.staff",
        today=MET_ON + timedelta(days=2),
    )
    assert (app.log.record(fresh, None).position or 0) > (head or 0)
    assert len(app.log.stored_events(pid)) == fresh.version
    assert app.audit.verify_audit_chain().ok


def test_known_at_in_the_future_is_refused(runtime: Runtime) -> None:
    with pytest.raises(InvalidMoment) as refused:
        runtime.app.reports.funnel_report(
            STAFF, ReportScope(known_at=datetime.now(UTC) + timedelta(minutes=1))
        )
    assert refused.value.field == "known_at"
