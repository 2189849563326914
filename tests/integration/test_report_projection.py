"""The reports projection applies each event exactly once, resumes after a crash, and a full
rebuild gives the same tables as following the log, on both databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from application.context import Caller
from application.reporting.ports import ReportScope
from benchmarks.report_dataset import DatasetWriter
from infrastructure.follower import LogFollower
from infrastructure.reporting.projection import ReportsProcessor, ReportsRebuild, decode
from infrastructure.reporting.store import SqlReportStore
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime
from tests.cli.test_cli import DATABASE_VARIABLES
from tests.cli.test_project_rebuild import environment
from tests.integration.report_stories import record_the_lab

ROOT = Path(__file__).resolve().parents[2]


def store_of(runtime: Runtime) -> SqlReportStore:
    store = runtime.stores.reports
    assert isinstance(store, SqlReportStore)
    return store


def rebuild(runtime: Runtime, batch_size: int = 1000) -> None:
    ReportsRebuild(
        store=store_of(runtime),
        recorder=runtime.app.log.recorder,
        mapper=runtime.app.log.mapper,
        batch_size=batch_size,
    ).run()


def follower(runtime: Runtime, batch_size: int) -> LogFollower:
    return LogFollower(
        recorder=runtime.app.log.recorder,
        processor=ReportsProcessor(store_of(runtime), runtime.app.log.mapper),
        batch_size=batch_size,
    )


@pytest.fixture
def paused(settings: Settings, today: date) -> Any:
    """A runtime whose projections run only when a test says so."""
    runtime = build_runtime(settings, clock=lambda: today, run_projections=False)
    yield runtime
    runtime.close()


def test_delivering_the_same_events_twice_changes_nothing(paused: Runtime, staff: Caller) -> None:
    record_the_lab(paused.app, staff)
    store = store_of(paused)
    notifications = paused.app.log.recorder.select_notifications(start=1, limit=1000)
    batch = decode(paused.app.log.mapper, notifications)
    store.apply(batch[:10])
    store.apply(batch)
    before = store.table_rows()
    store.apply(batch)
    store.apply(batch[5:20])
    assert store.table_rows() == before
    assert store.position() == notifications[-1].id


def test_an_incremental_run_and_a_rebuild_give_identical_tables(
    paused: Runtime, staff: Caller
) -> None:
    record_the_lab(paused.app, staff)
    follower(paused, batch_size=3).catch_up()
    incremental = store_of(paused).table_rows()
    generation = store_of(paused).generation()
    rebuild(paused, batch_size=7)
    assert store_of(paused).generation() == generation + 1
    assert store_of(paused).table_rows() == incremental
    assert incremental["milestones"]
    assert incremental["cube"]


def test_a_crash_in_the_middle_of_a_batch_leaves_nothing_and_the_restart_catches_up(
    paused: Runtime, staff: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_the_lab(paused.app, staff)
    store = store_of(paused)
    follower(paused, batch_size=10).process_batch()
    before = store.table_rows()
    position = store.position()

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the projector was killed here")

    # The rows of the next batch are written, then the process dies before the summaries.
    monkeypatch.setattr(SqlReportStore, "_derive_summaries", crash)
    with pytest.raises(RuntimeError):
        follower(paused, batch_size=10).process_batch()
    assert store.table_rows() == before
    assert store.position() == position
    monkeypatch.undo()

    follower(paused, batch_size=10).catch_up()
    resumed = store.table_rows()
    rebuild(paused)
    assert store.table_rows() == resumed


def test_killing_the_projector_process_and_restarting_gives_a_rebuilds_tables(
    settings: Settings, paused: Runtime
) -> None:
    DatasetWriter(paused.app, organizations=40).add(400)
    inherited = {k: v for k, v in os.environ.items() if k not in DATABASE_VARIABLES}
    env = {**inherited, **environment(settings), "PYTHONPATH": str(ROOT)}
    projector = subprocess.Popen(
        [sys.executable, "-m", "partnerlab.cli", "project"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = store_of(paused)
    deadline = time.monotonic() + 60
    while store.position() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    projector.send_signal(signal.SIGKILL)  # whatever batch it is in the middle of
    projector.wait(timeout=30)
    assert store.position() > 0
    follower(paused, batch_size=500).catch_up()
    assert store.position() == paused.app.log.recorder.max_notification_id()
    resumed = store.table_rows()
    rebuild(paused)
    assert store.table_rows() == resumed


def test_reports_keep_serving_the_old_tables_until_the_rebuild_swaps_them_in(
    paused: Runtime, staff: Caller
) -> None:
    record_the_lab(paused.app, staff)
    paused.followers.catch_up()
    app = paused.app
    before = app.reports.funnel_report(staff, ReportScope())
    seen_during: list[int] = []

    def progress(position: int, head: int) -> None:
        seen_during.append(app.reports.funnel_report(staff, ReportScope()).partnerships)

    old = store_of(paused).generation()
    ReportsRebuild(
        store=store_of(paused), recorder=app.log.recorder, mapper=app.log.mapper, batch_size=5
    ).run(progress)
    assert len(seen_during) > 3
    assert set(seen_during) == {before.partnerships}
    assert app.reports.funnel_report(staff, ReportScope()) == before
    tables = store_of(paused)._generations()
    assert tables == {old + 1}


def test_events_recorded_during_a_rebuild_are_in_the_new_tables(
    paused: Runtime, staff: Caller
) -> None:
    lab = record_the_lab(paused.app, staff)
    app = paused.app
    written: list[int] = []

    def progress(position: int, head: int) -> None:
        if position and not written:
            result = app.partnerships.record_meeting(staff, lab.f, occurred_on=date(2026, 11, 20))
            assert result.position is not None
            written.append(result.position)

    ReportsRebuild(
        store=store_of(paused), recorder=app.log.recorder, mapper=app.log.mapper, batch_size=5
    ).run(progress)
    assert store_of(paused).position() == written[0]
    rebuilt = store_of(paused).table_rows()
    follower(paused, batch_size=50).catch_up()
    assert store_of(paused).table_rows() == rebuilt
    assert any(r["position"] == written[0] for r in rebuilt["milestones"])
