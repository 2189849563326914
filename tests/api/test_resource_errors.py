"""Exhausted pools, lost connections and a locked database: 503, never 500, nothing half-written.

Each fault is made for real on the store under test: the test takes every connection of a
pool, terminates the server process serving a request, or holds SQLite's write lock. The
answer is a ``503 store-unavailable`` problem with ``Retry-After``; the write left nothing
behind (no event, no idempotency key held), and retrying it once the fault is gone records it
exactly once. Connection and lock timeouts are shortened to one second so that each fault
costs seconds, not minutes (eventsourcing retries a store call ten times before giving up).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import ConnectionUnavailableError, InterfaceError, OperationalError
from fastapi.testclient import TestClient
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from api.problems import response_for, use_store_errors
from infrastructure.settings import Settings
from infrastructure.store_errors import STORE_ERRORS
from partnerlab.bootstrap import Runtime
from tests.api.conftest import assert_problem, open_partnership, register, write

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

MEETING = {"occurred_on": "2014-04-01", "note": "a working lunch at the food bank"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The store under test, with one-second connection and lock timeouts and small pools."""
    return settings.model_copy(
        update={"postgres_connect_timeout": 1, "postgres_pool_size": 2, "sqlite_lock_timeout": 1}
    )


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def event_count(client: TestClient) -> int:
    return len(runtime_of(client).app.log.recorder.select_notifications(start=1, limit=100_000))


def assert_unavailable(response: Any) -> None:
    assert_problem(response, 503, "store-unavailable")
    assert response.headers["Retry-After"].isdigit()


@contextmanager
def exhausted(pool: ConnectionPool[Any]) -> Iterator[None]:
    """Take every connection ``pool`` can give, and give them back afterwards."""
    held = []
    try:
        while True:
            try:
                held.append(pool.getconn(timeout=0.5))
            except PoolTimeout:
                break
        assert len(held) == pool.max_size
        yield
    finally:
        for connection in held:
            pool.putconn(connection)


def a_partnership(client: TestClient) -> dict[str, Any]:
    food_bank = register(client, "association", "Banque alimentaire du Bas-Rhin")
    ibm = register(client, "company", "IBM France")
    return open_partnership(client, food_bank, ibm)


# ----------------------------------------------------------------------------- PostgreSQL pools


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_write_while_the_event_stores_pool_is_exhausted_answers_503_and_records_nothing(
    client: TestClient,
) -> None:
    partnership = a_partnership(client)
    path = f"/partnerships/{partnership['id']}/meetings"
    before = event_count(client)
    pool = runtime_of(client).app.log.recorder.datastore.pool  # type: ignore[attr-defined]

    with exhausted(pool):
        refused = write(client, path, MEETING, key="lunch-2014-04-01")

    assert_unavailable(refused)
    assert event_count(client) == before
    retried = write(client, path, MEETING, key="lunch-2014-04-01")
    assert retried.status_code == 201, retried.text
    assert retried.json()["version"] == 2
    replayed = write(client, path, MEETING, key="lunch-2014-04-01")
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert event_count(client) == before + 1


@pytest.mark.parametrize("backend", ["postgres"])
def test_reads_and_keyed_writes_while_the_read_models_pool_is_exhausted_answer_503(
    client: TestClient,
) -> None:
    partnership = a_partnership(client)
    before = event_count(client)
    pool = runtime_of(client).database.pool  # type: ignore[attr-defined]

    with exhausted(pool):
        listing = client.get("/api/v1/partnerships")
        keyed = write(client, f"/partnerships/{partnership['id']}/meetings", MEETING, key="lunch-2")

    assert_unavailable(listing)
    assert_unavailable(keyed)
    assert event_count(client) == before
    assert client.get("/api/v1/partnerships").status_code == 200


# ----------------------------------------------------------------------------- lost connections


def wait_for_backend(
    admin: psycopg.Connection[Any], condition: str, timeout: float = 10, *, besides: int = 0
) -> int:
    """The pid of a server process of this database (other than ``besides``) waiting on a
    lock, as ``condition`` says."""
    deadline = time.monotonic() + timeout
    while True:
        row = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND pid <> %s AND wait_event_type = 'Lock' AND "
            + condition,
            (besides,),
        ).fetchone()
        if row is not None:
            return int(row[0])
        assert time.monotonic() < deadline, f"no backend waiting ({condition})"
        time.sleep(0.02)


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    return thread, result


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_connection_lost_in_the_middle_of_a_read_answers_503(
    client: TestClient, settings: Settings
) -> None:
    a_partnership(client)
    assert client.get("/api/v1/partnerships").json()["total"] == 1  # projections caught up
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as admin:
        with admin.transaction():
            admin.execute("LOCK TABLE pl_partnerships IN ACCESS EXCLUSIVE MODE")
            reader, response = in_thread(lambda: client.get("/api/v1/partnerships"))
            # Waiting in Parse, before pg_stat_activity shows the query: match the wait.
            backend = wait_for_backend(admin, "wait_event = 'relation'")
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
            reader.join(timeout=30)
        assert_unavailable(response[0])
    assert client.get("/api/v1/partnerships").json()["total"] == 1


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_connection_lost_in_the_middle_of_a_write_is_retried_and_records_it_once(
    client: TestClient, settings: Settings
) -> None:
    partnership = a_partnership(client)
    runtime = runtime_of(client)
    table = runtime.app.log.recorder.events_table_name  # type: ignore[attr-defined]
    before = event_count(client)
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as admin:
        with admin.transaction():
            admin.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(table)))
            writer, response = in_thread(
                lambda: write(client, f"/partnerships/{partnership['id']}/meetings", MEETING)
            )
            first = wait_for_backend(admin, "wait_event = 'relation'")
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
            # The write goes on, retried by the recorder on a new connection.
            wait_for_backend(admin, "wait_event = 'relation'", besides=first)
        writer.join(timeout=30)

    assert response[0].status_code == 201, response[0].text
    assert response[0].json()["version"] == 2
    assert event_count(client) == before + 1
    assert runtime.app.audit.verify_audit_chain().ok


# ----------------------------------------------------------------------------- SQLite's lock


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_write_while_sqlite_is_locked_answers_503_and_records_nothing(
    client: TestClient, settings: Settings
) -> None:
    partnership = a_partnership(client)
    path = f"/partnerships/{partnership['id']}/meetings"
    before = event_count(client)
    other = sqlite3.connect(settings.sqlite_path, isolation_level=None, timeout=1)
    try:
        other.execute("BEGIN IMMEDIATE")
        refused = write(client, path, MEETING, key="lunch-locked")
        read_meanwhile = client.get(f"/api/v1/partnerships/{partnership['id']}")
        other.execute("ROLLBACK")
    finally:
        other.close()

    assert_unavailable(refused)
    assert read_meanwhile.status_code == 200, "readers are not blocked by a writer (WAL)"
    assert event_count(client) == before
    retried = write(client, path, MEETING, key="lunch-locked")
    assert retried.status_code == 201, retried.text
    assert event_count(client) == before + 1


# ----------------------------------------------------------------------------- the mapping


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("the connection is closed"),
        ConnectionUnavailableError("timed out waiting for a connection"),
        psycopg.OperationalError("connection refused"),
        psycopg.InterfaceError("the connection is lost"),
        PoolTimeout("couldn't get a connection after 1.00 sec"),
        sqlite3.OperationalError("database is locked"),
    ],
    ids=type,
)
def test_every_kind_of_unavailable_store_is_a_503_with_retry_after(error: Exception) -> None:
    use_store_errors(STORE_ERRORS)  # as create_app does
    response = response_for(error)

    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert b'"rule":"store-unavailable"' in bytes(response.body)


def test_a_sqlite_error_that_is_not_about_locking_stays_a_500() -> None:
    use_store_errors(STORE_ERRORS)
    assert response_for(sqlite3.OperationalError("no such table: pl_nowhere")).status_code == 500
