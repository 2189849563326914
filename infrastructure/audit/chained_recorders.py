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

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.audit.chain import GENESIS, StoredRecord, link_hash
from application.audit.merkle_log import record_leaf
from domain.audit.merkle import Frontier, StoredNode


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

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {chain_table_name(self.events_table_name)} ("
            "position INTEGER PRIMARY KEY, link TEXT NOT NULL)"
        )
        state, nodes = tree_tables(self.events_table_name)
        statements.extend(tree_ddl(state, nodes, postgres=False))
        return statements

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            records = _records(ids, stored_events)
            c.execute(f"SELECT link FROM {self.chain_table_name} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            previous = row[0] if row else GENESIS
            c.executemany(
                f"INSERT INTO {self.chain_table_name} (position, link) VALUES (?, ?)",
                _links(previous, records),
            )
            c.execute(f"SELECT frontier FROM {self.tree_state} WHERE id = 1")
            row = c.fetchone()
            frontier = Frontier.from_bytes(bytes(row[0])) if row else Frontier.empty()
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
        self.select_frontier = SQL("SELECT frontier FROM {0}.{1} WHERE id = 1").format(*state)
        self.insert_nodes = SQL(
            "INSERT INTO {0}.{1} (level, idx, hash, position) VALUES (%s, %s, %s, %s)"
        ).format(Identifier(schema), Identifier(self.tree_nodes))
        self.upsert_frontier = SQL(
            "INSERT INTO {0}.{1} (id, size, last_position, frontier) VALUES (1, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET size = excluded.size,"
            " last_position = excluded.last_position, frontier = excluded.frontier"
        ).format(*state)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            records = _records(ids, stored_events)
            curs.execute(self.select_last_link)
            row = curs.fetchone()
            previous = row["link"] if row else GENESIS
            curs.executemany(self.insert_link, _links(previous, records))
            curs.execute(self.select_frontier)
            row = curs.fetchone()
            frontier = Frontier.from_bytes(bytes(row["frontier"])) if row else Frontier.empty()
            frontier, rows = tree_rows(frontier, records)
            curs.executemany(self.insert_nodes, rows)
            curs.execute(
                self.upsert_frontier, (frontier.size, records[-1].position, frontier.to_bytes())
            )
        return ids
