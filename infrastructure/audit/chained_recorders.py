"""Event recorders that extend the hash chain in the same transaction as each insert.

Because a link is written atomically with the rows it covers, every legitimately recorded
event has a link, and a row that appears without one was put there behind the
application's back. The previous link is read under the lock the recorder already holds for
inserting (PostgreSQL's table lock, SQLite's write lock), so links follow commit order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.audit.chain import GENESIS, StoredRecord, link_hash


def chain_table_name(events_table_name: str) -> str:
    return events_table_name.replace("_events", "") + "_chain"


def _records(ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> list[StoredRecord]:
    return [
        StoredRecord(
            position=position,
            originator_id=str(event.originator_id),
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

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {chain_table_name(self.events_table_name)} ("
            "position INTEGER PRIMARY KEY, link TEXT NOT NULL)"
        )
        return statements

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            c.execute(f"SELECT link FROM {self.chain_table_name} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            previous = row[0] if row else GENESIS
            c.executemany(
                f"INSERT INTO {self.chain_table_name} (position, link) VALUES (?, ?)",
                _links(previous, _records(ids, stored_events)),
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

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            curs.execute(self.select_last_link)
            row = curs.fetchone()
            previous = row["link"] if row else GENESIS
            curs.executemany(self.insert_link, _links(previous, _records(ids, stored_events)))
        return ids
