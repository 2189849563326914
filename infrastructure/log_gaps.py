"""Gaps in the notification log: which ones a follower may pass, and which it must wait for.

On PostgreSQL a position comes from a sequence when a row is inserted, and a transaction
that rolls back loses its position for good: the log has gaps. A follower that reads
``position > last`` must never step over a gap that a transaction *still in flight* will
fill: it would skip that event forever, the most reported bug of PostgreSQL event stores.

eventsourcing's recorder takes ``LOCK TABLE ... IN EXCLUSIVE MODE`` before inserting, so
positions commit in the order they are taken and a gap seen below a committed position is
final. The follower does not rely on every writer honouring that lock (the library's
database functions do not take it, nor would a hand-written INSERT): when it sees a gap, it
waits until every transaction that was inserting into the events table has ended, by taking
the table in ``SHARE`` mode for an instant (it conflicts with the ``ROW EXCLUSIVE`` lock any
INSERT holds until its transaction ends). A position below one already visible was taken
before that row's transaction committed, so its own transaction held that lock then: once
the barrier is passed, every position up to the highest one read is final, committed or
lost. If the barrier is not granted in time the follower stops before the gap and tries
again at its next poll.

SQLite serialises writers on the database lock and assigns positions inside it, so a gap
there (there are none in practice: a rolled-back insert frees its row id) is always final.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import psycopg
from eventsourcing.persistence import ApplicationRecorder, Notification, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

WriterBarrier = Callable[[], bool]
"""Waits until every transaction inserting events when it was called has ended; returns
False if that did not happen in time (then nothing is known about the gaps)."""

BARRIER_TIMEOUT_SECONDS = 1.0


def first_gap(last: int, notifications: Sequence[Notification]) -> int | None:
    """The index of the first notification not immediately after its predecessor (the first
    one's predecessor is position ``last``), or None when the batch is contiguous."""
    expected = last + 1
    for index, notification in enumerate(notifications):
        if notification.id != expected:
            return index
        expected += 1
    return None


def no_barrier() -> bool:
    return True


def writer_barrier(
    recorder: ApplicationRecorder, timeout: float = BARRIER_TIMEOUT_SECONDS
) -> WriterBarrier:
    """The barrier fitting ``recorder``: a SHARE lock on PostgreSQL, nothing on SQLite."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        return no_barrier
    datastore = recorder.datastore
    set_timeout = SQL("SET LOCAL lock_timeout = '{}ms'").format(int(timeout * 1000))
    lock = SQL("LOCK TABLE {}.{} IN SHARE MODE").format(
        Identifier(datastore.schema), Identifier(recorder.events_table_name)
    )

    def wait_for_writers() -> bool:
        try:
            with datastore.transaction(commit=True) as cursor:
                cursor.execute(set_timeout)
                cursor.execute(lock)
        except OperationalError as error:
            if isinstance(error.__cause__, psycopg.errors.LockNotAvailable):
                return False
            raise
        return True

    return wait_for_writers
