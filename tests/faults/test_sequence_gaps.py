"""Sequence gaps never make a projection skip an event.

A position taken by a transaction that rolls back is lost for good; a position taken by a
transaction still in flight will appear later, below positions already visible if that
writer did not hold the table lock. The follower must pass the first kind of gap and wait
for the second. Slow transactions are held open deterministically: a BEFORE INSERT trigger
waits on an advisory lock that the test holds, so the inserter has taken its position (the
column default is evaluated before row triggers fire) and stays in flight until released.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, Notification, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from hypothesis import given
from hypothesis import strategies as st
from psycopg import sql

from application.context import Caller
from application.partnerships.views import OrganizationFilter
from application.results import PageRequest
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind
from infrastructure.audit.chained_recorders import ChainedPostgresApplicationRecorder
from infrastructure.log_gaps import first_gap, writer_barrier
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

ADVISORY_KEY = 4242
SLOW_MARKER = "Slow Food Strasbourg"

Admin = psycopg.Connection[tuple[object, ...]]


def catalogue_names(runtime: Runtime, caller: Caller) -> list[str]:
    page = runtime.app.organizations.list_organizations(
        caller, OrganizationFilter(), PageRequest(limit=200)
    )
    return sorted(o.name for o in page.items)


def register(runtime: Runtime, caller: Caller, name: str) -> int:
    result = runtime.app.organizations.register_organization(
        caller, kind=OrganizationKind.ASSOCIATION, name=name, territory="67"
    )
    assert result.position is not None
    return result.position


def positions(runtime: Runtime) -> list[int]:
    return [n.id for n in runtime.app.log.recorder.select_notifications(start=1, limit=1000)]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def sessions_waiting_on(admin: Admin, wait_event: str) -> int:
    row = admin.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        " AND wait_event = %s",
        (wait_event,),
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


@contextmanager
def slow_inserts(admin: Admin, table: str) -> Iterator[Callable[[], None]]:
    """Inserts whose stored state names ``SLOW_MARKER`` wait inside the INSERT, holding their
    position, until the returned ``release`` is called."""
    admin.execute(
        "CREATE FUNCTION wait_for_the_test() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        f"  IF position('{SLOW_MARKER}' in convert_from(NEW.state, 'UTF8')) > 0 THEN"
        f"   PERFORM pg_advisory_lock({ADVISORY_KEY});"
        f"   PERFORM pg_advisory_unlock({ADVISORY_KEY});"
        "  END IF;"
        "  RETURN NEW;"
        " END $$"
    )
    admin.execute(
        sql.SQL(
            "CREATE TRIGGER slow_insert BEFORE INSERT ON {} FOR EACH ROW"
            " EXECUTE FUNCTION wait_for_the_test()"
        ).format(sql.Identifier(table))
    )
    admin.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_KEY,))
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            admin.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_KEY,))
            released = True

    try:
        yield release
    finally:
        release()
        admin.execute(sql.SQL("DROP TRIGGER slow_insert ON {}").format(sql.Identifier(table)))


def in_thread(target: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(target())
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


# ----------------------------------------------------------------------------- lost positions


def test_a_write_rolled_back_after_taking_a_position_is_passed_over_and_nothing_is_skipped(
    settings: Settings, today: date, staff: Caller
) -> None:
    runtime = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        register(runtime, staff, "Banque alimentaire du Bas-Rhin")
        first = runtime.app.log.recorder.select_notifications(start=1, limit=1)[0]
        duplicate = StoredEvent(first.originator_id, first.originator_version, first.topic, b"{}")
        with pytest.raises(IntegrityError):  # takes a position, then rolls back
            runtime.app.log.recorder.insert_events([duplicate])
        after = register(runtime, staff, "Les Jardins de Cocagne")

        started = time.monotonic()
        runtime.followers.catch_up()

        assert time.monotonic() - started < 5
        assert catalogue_names(runtime, staff) == [
            "Banque alimentaire du Bas-Rhin",
            "Les Jardins de Cocagne",
        ]
        assert all(f.position() == after for f in runtime.followers.followers)
        if settings.backend == "postgres":
            assert positions(runtime) == [1, 3], "PostgreSQL loses the rolled-back position"
    finally:
        runtime.close()


@pytest.mark.postgres
def test_positions_lost_in_a_burst_of_rollbacks_never_stall_the_follower(
    pg_runtime: Runtime, admin: Admin, staff: Caller
) -> None:
    register(pg_runtime, staff, "Banque alimentaire du Bas-Rhin")
    table = pg_runtime.app.log.recorder.events_table_name  # type: ignore[attr-defined]
    take_a_position = "SELECT nextval(pg_get_serial_sequence(%s, 'notification_id'))"
    for _ in range(25):
        with admin.transaction(force_rollback=True):
            admin.execute(take_a_position, (table,))
    last = register(pg_runtime, staff, "Les Jardins de Cocagne")

    pg_runtime.followers.catch_up()

    assert last == 27
    assert {f.position() for f in pg_runtime.followers.followers} == {last}
    assert len(catalogue_names(pg_runtime, staff)) == 2


# ----------------------------------------------------------------------------- positions in flight


@pytest.mark.postgres
def test_a_slow_writer_holding_a_lower_position_makes_later_writers_wait_and_is_never_skipped(
    pg_runtime: Runtime, admin: Admin, staff: Caller
) -> None:
    register(pg_runtime, staff, "Banque alimentaire du Bas-Rhin")
    table = pg_runtime.app.log.recorder.events_table_name  # type: ignore[attr-defined]
    pg_runtime.followers.catch_up()
    with slow_inserts(admin, table) as release:
        slow, slow_outcome = in_thread(lambda: register(pg_runtime, staff, SLOW_MARKER))
        wait_until(lambda: sessions_waiting_on(admin, "advisory") == 1, "the slow insert")
        fast, fast_outcome = in_thread(lambda: register(pg_runtime, staff, "Sati"))
        wait_until(lambda: sessions_waiting_on(admin, "relation") == 1, "the table lock")

        pg_runtime.followers.catch_up()
        held = [f.position() for f in pg_runtime.followers.followers]
        seen_while_held = catalogue_names(pg_runtime, staff)
        release()
        slow.join(timeout=10)
        fast.join(timeout=10)

    pg_runtime.followers.catch_up()

    assert set(held) == {1}
    assert seen_while_held == ["Banque alimentaire du Bas-Rhin"]
    slow_position, fast_position = slow_outcome[0], fast_outcome[0]
    assert isinstance(slow_position, int)
    assert isinstance(fast_position, int)
    assert fast_position == slow_position + 1, "the table lock orders commits by position"
    assert catalogue_names(pg_runtime, staff) == [
        "Banque alimentaire du Bas-Rhin",
        "Sati",
        SLOW_MARKER,
    ]
    assert {f.position() for f in pg_runtime.followers.followers} == {fast_position}


def stored_registration(runtime: Runtime, name: str) -> StoredEvent:
    organization = Organization.register(
        lab="alsace", kind=OrganizationKind.COMPANY, name=name, territory="67", actor="raw"
    )
    (event,) = organization.collect_events()
    stored: StoredEvent = runtime.app.log.mapper.to_stored_event(event)
    return stored


def insert_without_the_table_lock(settings: Settings, table: str, stored: StoredEvent) -> int:
    """What a writer that bypasses the recorder's lock does (the library's database
    functions, a hand-written INSERT): its position can commit after a higher one."""
    with psycopg.connect(settings.postgres_conninfo()) as connection:
        row = connection.execute(
            sql.SQL(
                "INSERT INTO {} (originator_id, originator_version, topic, state)"
                " VALUES (%s, %s, %s, %s) RETURNING notification_id"
            ).format(sql.Identifier(table)),
            (stored.originator_id, stored.originator_version, stored.topic, stored.state),
        ).fetchone()
        assert row is not None
        return int(row[0])


@pytest.mark.postgres
def test_writers_bypassing_the_table_lock_commit_out_of_order_and_the_follower_waits(
    pg_runtime: Runtime, pg_settings: Settings, admin: Admin, staff: Caller
) -> None:
    register(pg_runtime, staff, "Banque alimentaire du Bas-Rhin")
    table = pg_runtime.app.log.recorder.events_table_name  # type: ignore[attr-defined]
    pg_runtime.followers.catch_up()
    for follower in pg_runtime.followers.followers:
        # Each follower gives up waiting for the writer in flight after 0.1 s instead of 1 s
        # (it then stops before the gap either way): nine followers wait 0.9 s, not 9 s.
        follower.barrier = writer_barrier(pg_runtime.app.log.recorder, timeout=0.1)
    with slow_inserts(admin, table) as release:
        slow_event = stored_registration(pg_runtime, SLOW_MARKER)
        slow, slow_outcome = in_thread(
            lambda: insert_without_the_table_lock(pg_settings, table, slow_event)
        )
        wait_until(lambda: sessions_waiting_on(admin, "advisory") == 1, "the slow insert")
        fast_position = insert_without_the_table_lock(
            pg_settings, table, stored_registration(pg_runtime, "Sati")
        )
        naive_read = pg_runtime.app.log.recorder.select_notifications(
            start=1, limit=10, inclusive_of_start=False
        )

        pg_runtime.followers.catch_up()
        held = [f.position() for f in pg_runtime.followers.followers]
        seen_while_held = catalogue_names(pg_runtime, staff)
        release()
        slow.join(timeout=10)

    pg_runtime.followers.catch_up()

    slow_position = slow_outcome[0]
    assert slow_position == fast_position - 1, "the slow writer took the lower position"
    assert [n.id for n in naive_read] == [fast_position], "a naive follower would skip it"
    assert set(held) == {1}, "the follower did not step over the position in flight"
    assert seen_while_held == ["Banque alimentaire du Bas-Rhin"]
    assert catalogue_names(pg_runtime, staff) == [
        "Banque alimentaire du Bas-Rhin",
        "Sati",
        SLOW_MARKER,
    ]
    assert {f.position() for f in pg_runtime.followers.followers} == {fast_position}


@pytest.mark.postgres
def test_the_librarys_lock_free_insert_function_is_refused(pg_settings: Settings) -> None:
    # The test's own database: a pool whose connections fail would retry until it is closed.
    datastore = PostgresDatastore(
        pg_settings.postgres_db,
        pg_settings.postgres_host,
        pg_settings.postgres_port,
        pg_settings.postgres_user,
        pg_settings.postgres_password,
        enable_db_functions=True,
    )
    try:
        with pytest.raises(ValueError, match="POSTGRES_ENABLE_DB_FUNCTIONS"):
            ChainedPostgresApplicationRecorder(datastore, events_table_name="partnerlab_events")
    finally:
        datastore.close()


@given(
    last=st.integers(min_value=0, max_value=1_000),
    steps=st.lists(st.integers(min_value=1, max_value=3), max_size=30),
)
def test_a_gap_is_found_exactly_where_positions_stop_following_each_other(
    last: int, steps: list[int]
) -> None:
    ids = list(itertools.accumulate(steps, initial=last))[1:]
    notifications = [Notification(uuid.uuid4(), 1, "topic", b"", id=i) for i in ids]

    gap = first_gap(last, notifications)

    expected = next((k for k, step in enumerate(steps) if step != 1), None)
    assert gap == expected
