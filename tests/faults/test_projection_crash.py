"""kill -9 the projector in the middle of its work, restart it: the read models come out
exactly as a fresh rebuild from the same log makes them, nothing duplicated or missing.

The projector (``partnerlab project``) runs as its own process over a backlog of 1 000 real
events (eight of its followers' batches, made 125 events here instead of 500: the kills land
between batches all the same, at a quarter of the work). It is killed with SIGKILL while
following, more events arrive while it is down, it is killed again in the middle of
``project --once``, and then it runs to the end. Separately, ``project --rebuild`` (the
reports, into a fresh generation, in batches of 60 events) is killed mid-way and run again.
A fresh store holding a copy of the same log (same positions) is projected once from
scratch; every read-model table must hold the same rows in both.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from application.lab import PartnerLab
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime, run_projector
from tests.conftest import postgres_settings, sqlite_settings
from tests.faults.backlog import append, prepare
from tests.faults.live import projector

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

FOLLOWER_BATCH = 125
BACKLOG = 8 * FOLLOWER_BATCH  # eight of a follower's batches: the kills land between batches
MORE_WHILE_DOWN = 3 * FOLLOWER_BATCH
REBUILD_BATCH = 60
REBUILD_BACKLOG = 16 * REBUILD_BATCH  # sixteen of the rebuild's batches: killed mid-way
NOT_READ_MODELS = {"pl_idempotency_keys", "pl_projector_heartbeats"}
"""Tables that hold no projection of the log: retried requests, and when a projector last
said it was alive (a projector killed after its first heartbeat leaves its row)."""
GENERATION_TABLE = re.compile(r"^pl_rpt\d+_")


@pytest.fixture
def fresh_settings(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """A second, empty store on the same backend: the fresh rebuild to compare with."""
    if backend == "postgres":
        return postgres_settings(request.getfixturevalue("postgres_database"))
    return sqlite_settings(tmp_path / "fresh")


def positions(runtime: Runtime) -> dict[str, int]:
    return {f.name: f.position() for f in runtime.followers.followers}


def kill_when(
    process: subprocess.Popen[bytes],
    runtime: Runtime,
    mid_way: Callable[[dict[str, int]], bool],
    timeout: float = 30,
) -> dict[str, int]:
    """SIGKILL ``process`` as soon as the followers' positions are ``mid_way``."""
    deadline = time.monotonic() + timeout
    while True:
        reached = positions(runtime)
        if mid_way(reached) or process.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL, "the projector ended before it was killed"
    return reached


def copy_log(source: PartnerLab, target: PartnerLab) -> list[int]:
    """Append every stored event of ``source`` to the empty ``target``; same positions."""
    start = 0
    copied: list[int] = []
    while batch := source.log.recorder.select_notifications(
        start=start, limit=5_000, inclusive_of_start=False
    ):
        target.log.recorder.insert_events(
            [StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in batch]
        )
        copied.extend(n.id for n in batch)
        start = batch[-1].id
    mirrored = target.log.recorder.select_notifications(start=1, limit=len(copied) + 1)
    assert [n.id for n in mirrored] == copied, "the copy must keep every position"
    return copied


def read_models(runtime: Runtime) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every read-model table, as sorted tuples of text.

    The reports keep their rows in numbered generations (``pl_rpt<N>_*``) and a rebuild
    bumps the number: they are compared through the store's own ``table_rows`` (the current
    generation), and their tracking row without its generation number.
    """
    if runtime.database.dialect == "postgres":
        listing = (
            "SELECT table_name AS name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " AND table_name LIKE 'pl\\_%%'"
        )
    else:
        listing = (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'pl\\_%' ESCAPE '\\'"
        )
    tables = sorted(str(r["name"]) for r in runtime.database.query(listing))
    dump = {
        table: _sorted(
            {k: v for k, v in row.items() if k != "generation"}
            for row in runtime.database.query(f"SELECT * FROM {table}")
        )
        for table in tables
        if table not in NOT_READ_MODELS and not GENERATION_TABLE.match(table)
    }
    reports = getattr(runtime.app, "reports", None)
    if reports is not None and hasattr(reports, "table_rows"):
        for name, rows in reports.table_rows().items():
            dump[f"reports:{name}"] = _sorted(rows)
    return dump


def _sorted(rows: Iterable[dict[str, Any]]) -> list[tuple[str, ...]]:
    return sorted(tuple(_text(v) for v in row.values()) for row in rows)


def generation_rows(runtime: Runtime) -> int:
    """Rows already written into a reports generation being rebuilt (0 if none yet)."""
    current = runtime.database.query("SELECT generation FROM pl_report_tracking")
    table = f"pl_rpt{int(current[0]['generation']) + 1}_milestones" if current else ""
    try:
        return int(runtime.database.query(f"SELECT count(*) AS n FROM {table}")[0]["n"])
    except Exception:  # the table does not exist yet
        return 0


def _text(value: Any) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def test_killing_the_projector_mid_follow_and_mid_catch_up_leaves_a_fresh_rebuilds_read_models(
    settings: Settings, fresh_settings: Settings, today: date
) -> None:
    batches = {"follower_batch_size": FOLLOWER_BATCH, "rebuild_batch_size": FOLLOWER_BATCH}
    settings = settings.model_copy(update=batches)  # --once reads rebuild-sized batches
    runtime = build_runtime(settings, clock=lambda: today, run_projections=False)
    fresh = build_runtime(fresh_settings, clock=lambda: today, run_projections=False)
    try:
        backlog = prepare(runtime.app)
        append(runtime.app, backlog, BACKLOG)
        head = runtime.app.read_models.log_head()
        assert head is not None

        following = projector(settings)
        at_first_kill = kill_when(following, runtime, lambda p: max(p.values()) >= head // 4)
        append(runtime.app, backlog, MORE_WHILE_DOWN)
        new_head = runtime.app.read_models.log_head()
        assert new_head is not None

        catching_up = projector(settings, "--once")
        at_second_kill = kill_when(
            catching_up,
            runtime,
            lambda p: any(at_first_kill[n] < v < new_head for n, v in p.items()),
        )

        finishing = projector(settings, "--once")
        _, errors = finishing.communicate(timeout=60)
        assert finishing.returncode == 0, errors.decode()
        after_crashes = read_models(runtime)
        final_positions = positions(runtime)

        copy_log(runtime.app, fresh.app)
        run_projector(fresh_settings, once=True)
        rebuilt = read_models(fresh)
    finally:
        runtime.close()
        fresh.close()

    assert min(at_first_kill.values()) < head, "the first kill came after the work was done"
    assert min(at_second_kill.values()) < new_head, "the second kill came too late"
    assert set(final_positions.values()) == {new_head}
    assert after_crashes.keys() == rebuilt.keys()
    for table, rows in rebuilt.items():
        assert after_crashes[table] == rows, f"{table} differs from a fresh rebuild"
    assert len(rebuilt["pl_audit_index"]) == new_head, "one audit entry per event"
    assert len(rebuilt["pl_milestones"]) == new_head - 2, "one milestone per partnership event"


def test_killing_a_reports_rebuild_mid_way_then_rebuilding_gives_a_fresh_rebuilds_read_models(
    settings: Settings, fresh_settings: Settings, today: date
) -> None:
    settings = settings.model_copy(update={"rebuild_batch_size": REBUILD_BATCH})
    runtime = build_runtime(settings, clock=lambda: today, run_projections=False)
    fresh = build_runtime(fresh_settings, clock=lambda: today, run_projections=False)
    try:
        append(runtime.app, prepare(runtime.app), REBUILD_BACKLOG)
        run_projector(settings, once=True)
        before = read_models(runtime)

        rebuilding = projector(settings, "--rebuild")
        deadline = time.monotonic() + 30
        while generation_rows(runtime) == 0 and rebuilding.poll() is None:
            assert time.monotonic() < deadline, "the rebuild wrote nothing"
            time.sleep(0.01)
        rebuilding.send_signal(signal.SIGKILL)
        rebuilding.wait(timeout=10)
        assert rebuilding.returncode == -signal.SIGKILL, "the rebuild ended before the kill"
        after_kill = read_models(runtime)

        rebuilt_again = projector(settings, "--rebuild")
        _, errors = rebuilt_again.communicate(timeout=60)
        assert rebuilt_again.returncode == 0, errors.decode()
        after_rebuild = read_models(runtime)

        copy_log(runtime.app, fresh.app)
        run_projector(fresh_settings, once=True)
        rebuilt = read_models(fresh)
    finally:
        runtime.close()
        fresh.close()

    assert after_kill == before, "a killed rebuild changed what the API serves"
    assert after_rebuild.keys() == rebuilt.keys()
    for table, rows in rebuilt.items():
        assert after_rebuild[table] == rows, f"{table} differs from a fresh rebuild"
