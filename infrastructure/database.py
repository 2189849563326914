"""A thin, dialect-aware way to run the read models' SQL on SQLite or PostgreSQL.

Statements are written once, with psycopg's ``%(name)s`` placeholders; for SQLite they are
rewritten to ``:name``. Values are adapted per dialect (SQLite keeps dates as ISO text).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from application.errors import StoreUnavailable

Row = dict[str, Any]
_NAMED = re.compile(r"%\((\w+)\)s")
FOLDED_KEPT = 4096
"""Folded texts kept (``fold``): a lab's organisations' names, descriptions and fields."""


class Cursor(Protocol):
    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None: ...

    def fetchall(self) -> list[Row]: ...

    def fetchone(self) -> Row | None: ...

    @property
    def rowcount(self) -> int: ...


class Database(Protocol):
    dialect: Literal["sqlite", "postgres"]

    def transaction(self) -> Any: ...

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...

    def execute_script(self, statements: Sequence[str]) -> None: ...

    def close(self) -> None: ...


COLUMN_TYPES: dict[str, dict[str, str]] = {
    "postgres": {"time": "TIMESTAMPTZ", "date": "DATE", "bool": "BOOLEAN", "blob": "BYTEA"},
    "sqlite": {"time": "TEXT", "date": "TEXT", "bool": "INTEGER", "blob": "BLOB"},
}
"""The column types that differ: SQLite keeps moments and dates as ISO text."""


class SqlStore:
    """A store (or read model) over its own tables, on SQLite or PostgreSQL. ``TABLES`` are
    its ``CREATE`` statements, where ``{time}``, ``{date}``, ``{bool}`` and ``{blob}`` stand
    for the dialect's column types (``COLUMN_TYPES``)."""

    TABLES: tuple[str, ...] = ()

    def __init__(self, database: Database) -> None:
        self.db = database

    def create_tables(self) -> None:
        types = COLUMN_TYPES[self.db.dialect]
        self.db.execute_script([statement.format(**types) for statement in self.TABLES])


def add_given(where: list[str], params: dict[str, Any], conditions: Mapping[str, Any]) -> None:
    """Each condition (SQL naming one ``%(name)s``) whose value is given (not None) joins
    ``where``, and its value ``params`` (an enumeration as its value, a UUID as text)."""
    for condition, value in conditions.items():
        if value is None:
            continue
        named = _NAMED.search(condition)
        assert named is not None, condition
        where.append(condition)
        params[named.group(1)] = (
            value.value
            if isinstance(value, Enum)
            else str(value)
            if isinstance(value, UUID)
            else value
        )


def pages(
    database: Database, sql: str, key: str, after: int, limit: int, **params: Any
) -> Iterator[Row]:
    """Every row of ``sql`` in order of ``key``, read ``limit`` rows at a time after the last
    key read (``sql`` takes ``%(after)s`` and ``%(limit)s``, and any other ``params``)."""
    while True:
        rows = database.query(sql, {**params, "after": after, "limit": limit})
        yield from rows
        if len(rows) < limit:
            return
        after = int(rows[-1][key])


class StatementBatch:
    """Statements gathered to run together, in the order given, without a round trip each
    (``run``). For writes whose results are not read (a read model's batch of changes)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Mapping[str, Any]]] = []

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self.statements.append((sql, params or {}))

    def fetchall(self) -> list[Row]:
        raise TypeError("a statement batch gives no rows")

    def fetchone(self) -> Row | None:
        raise TypeError("a statement batch gives no rows")

    @property
    def rowcount(self) -> int:
        raise TypeError("a statement batch counts no rows")

    def run(self, cursor: Any) -> None:
        """Send the statements through ``cursor`` (a database's transaction cursor), each
        run of like statements as one ``executemany``; on PostgreSQL all in one pipeline
        (no statement waits for the previous one's answer)."""
        pipeline = getattr(cursor, "pipeline", None)
        with pipeline() if pipeline is not None else nullcontext():
            self._send(cursor)
        self.statements = []

    def _send(self, cursor: Any) -> None:
        start = 0
        statements = self.statements
        while start < len(statements):
            sql = statements[start][0]
            end = start + 1
            while end < len(statements) and statements[end][0] == sql:
                end += 1
            if end - start == 1:
                cursor.execute(sql, statements[start][1])
            else:
                cursor.executemany(sql, [params for _, params in statements[start:end]])
            start = end


def _adapt_sqlite(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _adapt_postgres(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    return value


class _SQLiteCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        adapted = {k: _adapt_sqlite(v) for k, v in (params or {}).items()}
        self._cursor.execute(_NAMED.sub(r":\1", sql), adapted)

    def fetchall(self) -> list[Row]:
        names = [d[0] for d in self._cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in self._cursor.fetchall()]

    def fetchone(self) -> Row | None:
        row = self._cursor.fetchone()
        if row is None:
            return None
        names = [d[0] for d in self._cursor.description or ()]
        return dict(zip(names, row, strict=True))

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def executemany(self, sql: str, params_seq: Iterable[Mapping[str, Any]]) -> None:
        self._cursor.executemany(
            _NAMED.sub(r":\1", sql),
            ({k: _adapt_sqlite(v) for k, v in params.items()} for params in params_seq),
        )

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Insert many rows fast (``executemany`` here, ``COPY`` on PostgreSQL)."""
        placeholders = ", ".join("?" for _ in columns)
        self._cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            ([_adapt_sqlite(v) for v in row] for row in rows),
        )


@lru_cache(maxsize=FOLDED_KEPT)
def fold(text: str | None) -> str:
    """Lower case without accents: ``Emmaüs`` and ``EMMAUS`` both read ``emmaus``. Kept for
    the latest texts: SQLite's searches fold every organisation's name, description and
    field again for each search."""
    if text is None:
        return ""
    lowered = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(
        c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
    )


class _Scripts:
    """Running statements one after the other in one transaction."""

    def transaction(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def execute_script(self, statements: Sequence[str]) -> None:
        with self.transaction() as cursor:
            for statement in statements:
                cursor.execute(statement)


class SQLiteDatabase(_Scripts):
    """One connection per thread to the same SQLite file as the event store."""

    dialect: Literal["sqlite", "postgres"] = "sqlite"

    def __init__(self, path: Path, *, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            # Searches ignore accents and case (``pl_fold``; PostgreSQL does it in SQL).
            connection.create_function("pl_fold", 1, fold, deterministic=True)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        connection = self._connection()
        cursor = connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            yield _SQLiteCursor(cursor)
        except BaseException:
            connection.rollback()
            raise
        else:
            connection.commit()
        finally:
            cursor.close()

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        cursor = _SQLiteCursor(self._connection().cursor())
        cursor.execute(sql, params)
        return cursor.fetchall()

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()


class _PostgresCursor:
    def __init__(self, cursor: psycopg.Cursor[Row]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        adapted = {k: _adapt_postgres(v) for k, v in (params or {}).items()}
        self._cursor.execute(sql.encode(), adapted)

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def executemany(self, sql: str, params_seq: Iterable[Mapping[str, Any]]) -> None:
        self._cursor.executemany(
            sql.encode(),
            [{k: _adapt_postgres(v) for k, v in params.items()} for params in params_seq],
        )

    def pipeline(self) -> AbstractContextManager[Any]:
        """Statements sent inside do not wait for each other's answers (libpq's pipeline
        mode); their errors are raised at the end at the latest."""
        return self._cursor.connection.pipeline()

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Insert many rows with ``COPY FROM STDIN`` (far faster than single inserts); values
        go as they are (psycopg's own adaptation)."""
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self._cursor.copy(statement.encode()) as copy:
            for row in rows:
                copy.write_row(row)


class PostgresDatabase(_Scripts):
    """A psycopg connection pool; ``search_path`` selects the schema, if one is configured."""

    dialect: Literal["sqlite", "postgres"] = "postgres"

    def __init__(self, conninfo: str, *, max_size: int = 5, timeout: float = 5.0) -> None:
        self.pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=max_size,
            timeout=timeout,
            kwargs={"row_factory": dict_row},
            open=False,
            check=ConnectionPool.check_connection,
        )
        self.pool.open(wait=False)

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        try:
            with self.pool.connection() as connection, connection.cursor() as cursor:
                yield _PostgresCursor(cursor)
        except (PoolTimeout, psycopg.OperationalError) as error:
            raise StoreUnavailable(f"PostgreSQL is unavailable: {error}") from error

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        with self.transaction() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def close(self) -> None:
        self.pool.close()
