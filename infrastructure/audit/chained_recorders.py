"""Event recorders that extend the hash chain and the Merkle tree in the same transaction as
each insert.

The tree's frontier (the O(log n) roots of its perfect subtrees) lives in a one-row table
(``<prefix>_tree_state``); each insert reads it, appends the new records' leaves, writes the
perfect-subtree nodes they complete to ``<prefix>_tree_nodes`` (about two per event: the leaf,
with its log position, and on average one interior node) and the new frontier back. All of it
runs under the lock the recorder holds for inserting, so leaves follow commit order and every
acknowledged event is in the tree.

Because a link is written atomically with the rows it covers, every legitimately recorded
event has a link, and a row that appears without one was put there behind the
application's back. The previous link is read under the lock the recorder already holds for
inserting (PostgreSQL's table lock, SQLite's write lock), so links follow commit order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.audit.chain import GENESIS, StoredRecord, link_hash
from application.audit.merkle_log import record_leaf
from application.errors import PastSettled
from domain.audit.merkle import Frontier, StoredNode

_ONE_US = datetime.resolution  # one microsecond


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

StampReader = Callable[[StoredEvent], datetime]
"""The recording time (the event's ``timestamp``) of a stored event; the application installs
one that decodes as its mapper does (cipher, compression)."""


def json_stamp(stored_event: StoredEvent) -> datetime:
    """The timestamp of an event stored as plain JSON by eventsourcing's transcoder."""
    value = json.loads(bytes(stored_event.state))["timestamp"]
    text = value["_data_"] if isinstance(value, dict) else value
    return datetime.fromisoformat(str(text))


def to_us(moment: datetime) -> int:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return (aware - EPOCH) // _ONE_US


def from_us(value: int) -> datetime:
    return EPOCH + value * _ONE_US


def settled_table_name(events_table_name: str) -> str:
    """One row: the recording time up to which the past is settled (integer microseconds)."""
    return events_table_name.replace("_events", "") + "_settled"


def check_unsettled(
    settled_us: int | None, stored_events: Sequence[StoredEvent], stamp_of: StampReader
) -> None:
    """Refuse events stamped at or before the settled horizon (checked under the writers'
    lock, so every event committed after a report settled the past is recorded after it)."""
    if settled_us is None:
        return
    for event in stored_events:
        if to_us(stamp_of(event)) <= settled_us:
            raise PastSettled(
                "a report settled the past up to "
                f"{from_us(settled_us).isoformat()} while this write waited to be recorded; "
                "nothing was recorded, retry"
            )


def chain_table_name(events_table_name: str) -> str:
    return events_table_name.replace("_events", "") + "_chain"


def tree_tables(events_table_name: str) -> tuple[str, str]:
    """(state table, nodes table) of the Merkle tree over ``events_table_name``."""
    prefix = events_table_name.replace("_events", "")
    return prefix + "_tree_state", prefix + "_tree_nodes"


def canonical_originator_id(value: object) -> str:
    """The originator id as the event store reads it back: a UUID, whatever the column type."""
    return str(value if isinstance(value, UUID) else UUID(str(value)))


def tree_rows(
    frontier: Frontier, records: Sequence[StoredRecord]
) -> tuple[Frontier, list[tuple[int, int, bytes, int | None]]]:
    """Append the records' leaves: the new frontier and the node rows to insert
    ``(level, index, hash, position)`` (position only on leaves)."""
    positions = {frontier.size + k: r.position for k, r in enumerate(records)}
    new, nodes = frontier.extend(record_leaf(r) for r in records)
    return new, [_node_row(n, positions) for n in nodes]


def _node_row(node: StoredNode, positions: dict[int, int]) -> tuple[int, int, bytes, int | None]:
    return (node.level, node.index, node.hash, positions[node.index] if node.level == 0 else None)


def tree_ddl(state: str, nodes: str, *, postgres: bool, qualified: str = "") -> list[str]:
    blob = "bytea" if postgres else "BLOB"
    q = qualified
    index_name = nodes + "_position"
    return [
        f"CREATE TABLE IF NOT EXISTS {q}{state} (id INTEGER PRIMARY KEY,"
        f" size BIGINT NOT NULL, last_position BIGINT NOT NULL, frontier {blob} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {q}{nodes} (level SMALLINT NOT NULL, idx BIGINT NOT NULL,"
        f" hash {blob} NOT NULL, position BIGINT, PRIMARY KEY (level, idx))",
        f"CREATE UNIQUE INDEX IF NOT EXISTS {index_name} ON {q}{nodes} (position)"
        " WHERE position IS NOT NULL",
    ]


def _records(ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> list[StoredRecord]:
    return [
        StoredRecord(
            position=position,
            originator_id=canonical_originator_id(event.originator_id),
            originator_version=event.originator_version,
            topic=event.topic,
            state=bytes(event.state),
        )
        for position, event in zip(ids, stored_events, strict=True)
    ]


def _links(previous: str, records: list[StoredRecord]) -> list[tuple[int, str]]:
    links = []
    for record in records:
        previous = link_hash(previous, record)
        links.append((record.position, previous))
    return links


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self.chain_table_name = chain_table_name(events_table_name)
        self.tree_state, self.tree_nodes = tree_tables(events_table_name)
        self.settled_table = settled_table_name(events_table_name)
        self.stamp_of: StampReader = json_stamp

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {chain_table_name(self.events_table_name)} ("
            "position INTEGER PRIMARY KEY, link TEXT NOT NULL)"
        )
        state, nodes = tree_tables(self.events_table_name)
        statements.extend(tree_ddl(state, nodes, postgres=False))
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {settled_table_name(self.events_table_name)} ("
            "id INTEGER PRIMARY KEY, settled_us BIGINT NOT NULL)"
        )
        return statements

    def settle(self, until: datetime) -> None:
        """Settle the past up to ``until``: a write transaction (SQLite's write lock waits for
        the writer in flight) raising the horizon every later insert is checked against."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {self.settled_table} (id, settled_us) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET"
                " settled_us = MAX(settled_us, excluded.settled_us)",
                (to_us(until),),
            )

    def settled_until(self) -> datetime | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT settled_us FROM {self.settled_table} WHERE id = 1")
            row = c.fetchone()
        return None if row is None else from_us(int(row[0]))

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            c.execute(
                f"SELECT (SELECT frontier FROM {self.tree_state} WHERE id = 1),"
                f" (SELECT settled_us FROM {self.settled_table} WHERE id = 1)"
            )
            blob, settled_us = c.fetchone()
            check_unsettled(settled_us, stored_events, self.stamp_of)
            records = _records(ids, stored_events)
            c.execute(f"SELECT link FROM {self.chain_table_name} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            previous = row[0] if row else GENESIS
            c.executemany(
                f"INSERT INTO {self.chain_table_name} (position, link) VALUES (?, ?)",
                _links(previous, records),
            )
            frontier = Frontier.from_bytes(bytes(blob)) if blob is not None else Frontier.empty()
            frontier, rows = tree_rows(frontier, records)
            c.executemany(
                f"INSERT INTO {self.tree_nodes} (level, idx, hash, position) VALUES (?, ?, ?, ?)",
                rows,
            )
            c.execute(
                f"INSERT INTO {self.tree_state} (id, size, last_position, frontier)"
                " VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size,"
                " last_position = excluded.last_position, frontier = excluded.frontier",
                (frontier.size, records[-1].position, frontier.to_bytes()),
            )
        return ids


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        if datastore.enable_db_functions:
            # The library's insert function neither takes the table lock (positions could
            # commit out of order) nor calls the hook below (events would have no link).
            raise ValueError(
                "POSTGRES_ENABLE_DB_FUNCTIONS must stay off: the hash chain and the order of "
                "positions rely on inserting under the recorder's table lock"
            )
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table_name = chain_table_name(events_table_name)
        table = Identifier(self.datastore.schema), Identifier(self.chain_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1}"
                " (position bigint PRIMARY KEY, link text NOT NULL)"
            ).format(*table)
        )
        self.select_last_link = SQL(
            "SELECT link FROM {0}.{1} ORDER BY position DESC LIMIT 1"
        ).format(*table)
        self.insert_link = SQL("INSERT INTO {0}.{1} (position, link) VALUES (%s, %s)").format(
            *table
        )
        self.tree_state, self.tree_nodes = tree_tables(events_table_name)
        schema = self.datastore.schema
        for statement in tree_ddl(
            self.tree_state, self.tree_nodes, postgres=True, qualified=f'"{schema}".'
        ):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]
        state = Identifier(schema), Identifier(self.tree_state)
        self.settled_table = settled_table_name(events_table_name)
        self.stamp_of: StampReader = json_stamp
        settled = Identifier(schema), Identifier(self.settled_table)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1}"
                " (id integer PRIMARY KEY, settled_us bigint NOT NULL)"
            ).format(*settled)
        )
        # The last link, the frontier and the settled horizon in one round trip (one row even
        # when all are absent).
        self.select_audit_state = SQL(
            "SELECT (SELECT link FROM {0}.{3} ORDER BY position DESC LIMIT 1) AS link,"
            " (SELECT frontier FROM {0}.{1} WHERE id = 1) AS frontier,"
            " (SELECT settled_us FROM {0}.{2} WHERE id = 1) AS settled_us"
        ).format(
            Identifier(schema),
            Identifier(self.tree_state),
            Identifier(self.settled_table),
            Identifier(self.chain_table_name),
        )
        self._audit_state = threading.local()
        self.lock_for_settling = SQL("LOCK TABLE {0}.{1} IN SHARE MODE").format(
            Identifier(schema), Identifier(self.events_table_name)
        )
        self.upsert_settled = SQL(
            "INSERT INTO {0}.{1} (id, settled_us) VALUES (1, %s) ON CONFLICT (id) DO UPDATE"
            " SET settled_us = GREATEST({0}.{1}.settled_us, excluded.settled_us)"
        ).format(*settled)
        self.select_settled = SQL("SELECT settled_us FROM {0}.{1} WHERE id = 1").format(*settled)
        self.insert_nodes = SQL(
            "INSERT INTO {0}.{1} (level, idx, hash, position) VALUES (%s, %s, %s, %s)"
        ).format(Identifier(schema), Identifier(self.tree_nodes))
        self.upsert_frontier = SQL(
            "INSERT INTO {0}.{1} (id, size, last_position, frontier) VALUES (1, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET size = excluded.size,"
            " last_position = excluded.last_position, frontier = excluded.frontier"
        ).format(*state)

    single_sync = True
    """False: the library's path through the hooks below (three round trips; the benchmark
    compares both)."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert with the chain link and the tree's nodes, in two round trips, one and a half
        of them under the writers' lock (the library's path, the hooks below, took three).

        1. ``BEGIN``, ``LOCK TABLE``, the audit state's read (last link, frontier, settled
           horizon), ``NOTIFY`` and the insert are sent together and synced once: the state is
           read under the lock, before the insert, in the same round trip;
        2. the horizon is checked (a refusal rolls the whole transaction back: nothing
           inserted), then the link, the nodes and the frontier go with ``COMMIT``.
        """
        assert kwargs.get("tracking") is None, "an application recorder records no tracking"
        if not self.single_sync:
            inserted: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return inserted
        if not stored_events:
            return None
        exc: Exception | None = None
        ids: list[int] = []
        with self.datastore.get_connection() as conn:
            with (
                conn.pipeline() as pipeline,
                conn.transaction(),
                conn.cursor() as state_cursor,
                conn.cursor() as curs,
            ):
                self._lock_table(curs)
                state_cursor.execute(self.select_audit_state, prepare=True)
                self._notify_channel(curs)
                PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)
                try:
                    pipeline.sync()
                    ids = list(self._fetch_ids(curs, stored_events))
                    state = state_cursor.fetchone()
                    assert state is not None
                    check_unsettled(state["settled_us"], stored_events, self.stamp_of)
                except PastSettled:
                    raise  # leaves the transaction block: ROLLBACK
                except Exception as error:
                    # A version conflict...: the transaction is failed already and its
                    # end rolls it back; raised below, outside the pipeline (as the library
                    # does, avoiding psycopg's pipeline warning).
                    exc = error
                else:
                    self._extend_audit(curs, state, _records(ids, stored_events))
            if exc:
                raise exc
        return ids

    def _fetch_ids(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]
    ) -> Sequence[int]:
        return (
            PostgresApplicationRecorder._fetch_ids_after_insert_events(self, curs, stored_events)
            or []
        )

    def _extend_audit(
        self, curs: Cursor[DictRow], state: DictRow, records: list[StoredRecord]
    ) -> None:
        """The chain links and the tree's nodes of ``records``, and the new frontier."""
        previous = state["link"] or GENESIS
        curs.executemany(self.insert_link, _links(previous, records))
        blob = state["frontier"]
        frontier = Frontier.from_bytes(bytes(blob)) if blob is not None else Frontier.empty()
        frontier, rows = tree_rows(frontier, records)
        curs.executemany(self.insert_nodes, rows)
        curs.execute(
            self.upsert_frontier, (frontier.size, records[-1].position, frontier.to_bytes())
        )

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """Before the insert, in the same transaction: take the writers' lock and read what
        the audit structure and the settled horizon need, in one round trip. A write stamped
        at or before the horizon is refused here, so that the transaction rolls back (the
        library commits whatever the hook after the insert raises)."""
        super()._insert_events(curs, stored_events, **kwargs)
        self._audit_state.value = None
        if not stored_events:
            return
        self._lock_table(curs)
        curs.execute(self.select_audit_state, prepare=True)
        state = curs.fetchone()
        assert state is not None
        check_unsettled(state["settled_us"], stored_events, self.stamp_of)
        self._audit_state.value = state

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # The lock is already held (taken in ``_insert_events``).
        self._notify_channel(curs)
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            state = self._audit_state.value
            assert state is not None, "the audit state is read under the lock before inserting"
            self._extend_audit(curs, state, _records(ids, stored_events))
        return ids

    def settle(self, until: datetime) -> None:
        """Settle the past up to ``until``. ``SHARE`` mode waits for every transaction still
        inserting (they hold ``EXCLUSIVE``) and keeps new ones out until the horizon is raised:
        every event committed afterwards is checked against it under the writers' lock."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("SET LOCAL lock_timeout = '5s'"))
            curs.execute(self.lock_for_settling)
            curs.execute(self.upsert_settled, (to_us(until),))

    def settled_until(self) -> datetime | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.select_settled)
            row = curs.fetchone()
        return None if row is None else from_us(int(row["settled_us"]))
