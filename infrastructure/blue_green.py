"""Blue/green rebuild of a read model kept in plain tables (every read model but the
reports, which keep generations of their own: ``infrastructure.reporting``).

The read model's own store and processor build a copy of its tables beside the live ones:
they run on a ``RenamedDatabase``, which rewrites the tables' (and their indexes') names to
``<name>__rebuild`` in every statement. The copy follows the log from the first event while
the live tables keep serving and keep following; once the copy has caught up, one
transaction drops the live tables, renames the copy's into their place and hands the live
follower the copy's position. Readers see the old tables, then the new ones, never a mix;
a rebuild killed before the swap leaves the live tables as they were (its copy is dropped by
the next rebuild).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from infrastructure.database import Cursor, Database, Row
from infrastructure.projection_faults import FOLLOWER_POSITIONS, advance_follower_position

SUFFIX = "__rebuild"
POSITIONS = FOLLOWER_POSITIONS.table
_NAME = re.compile(r"\bpl_\w+")
_CREATE_INDEX = re.compile(
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)\s+ON\s+(\w+)", re.IGNORECASE
)


class Renamer:
    """Rewrites the names of a read model's tables, and of the indexes created on them, to
    their copies' names; any other name is left as it is."""

    def __init__(self, tables: Iterable[str]) -> None:
        self.tables = tuple(tables)
        self.names = {table: table + SUFFIX for table in self.tables}
        self.indexes: dict[str, str] = {}
        """Each index created on a copied table: its name and its statement as written."""

    def __call__(self, sql: str) -> str:
        created = _CREATE_INDEX.search(sql)
        if created is not None and created.group(2) in self.names:
            index = created.group(1)
            self.names.setdefault(index, index + SUFFIX)
            self.indexes[index] = sql
        return _NAME.sub(lambda name: self.names.get(name.group(0), name.group(0)), sql)


class _RenamedCursor:
    def __init__(self, cursor: Any, rename: Renamer) -> None:
        self._cursor = cursor
        self._rename = rename

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self._cursor.execute(self._rename(sql), params)

    def executemany(self, sql: str, params_seq: Iterable[Mapping[str, Any]]) -> None:
        self._cursor.executemany(self._rename(sql), params_seq)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self._cursor.copy_rows(self._rename(table), columns, rows)

    def __getattr__(self, name: str) -> Any:
        if name == "pipeline":  # PostgreSQL's (``StatementBatch``)
            return getattr(self._cursor, name)
        raise AttributeError(name)

    def fetchall(self) -> list[Row]:
        rows: list[Row] = self._cursor.fetchall()
        return rows

    def fetchone(self) -> Row | None:
        row: Row | None = self._cursor.fetchone()
        return row

    @property
    def rowcount(self) -> int:
        count: int = self._cursor.rowcount
        return count


class RenamedDatabase:
    """The live ``Database`` with a read model's tables renamed to their copies (closing it
    leaves the live one open)."""

    def __init__(self, database: Database, rename: Renamer) -> None:
        self.inner = database
        self.rename = rename
        self.dialect: Literal["sqlite", "postgres"] = database.dialect

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with self.inner.transaction() as cursor:
            yield _RenamedCursor(cursor, self.rename)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self.inner.query(self.rename(sql), params)

    def execute_script(self, statements: Sequence[str]) -> None:
        self.inner.execute_script([self.rename(statement) for statement in statements])

    def close(self) -> None:
        return None


@dataclass(frozen=True)
class ReadModelTables:
    """What a blue/green rebuild needs to know of a read model.

    ``tables``: the tables it owns, whole (its position's own table included, if it has
    one). ``position``: a SELECT giving its position as ``position`` (``key`` its one
    parameter) from those tables, or from ``pl_follower_positions`` when ``position_row``
    names its row there.
    """

    name: str
    tables: tuple[str, ...]
    position: str
    position_row: str | None = None
    key: str = ""

    def __post_init__(self) -> None:
        if self.position_row is not None and not self.key:
            object.__setattr__(self, "key", self.position_row)


class CopyBehind(Exception):
    """The copy is behind the live read model and cannot catch up inside the swap."""


class BlueGreen:
    """Builds the copy's tables, then swaps them in (see the module's docstring)."""

    def __init__(self, database: Database, model: ReadModelTables) -> None:
        self.database = database
        self.model = model
        copied = model.tables + ((POSITIONS,) if model.position_row else ())
        self.renamer = Renamer(copied)
        self.copy = RenamedDatabase(database, self.renamer)

    def discard(self) -> None:
        """Drop what a rebuild killed before its swap left behind."""
        with self.database.transaction() as cursor:
            for table in self.renamer.tables:
                cursor.execute(f"DROP TABLE IF EXISTS {table}{SUFFIX}")

    def copy_position(self) -> int:
        rows = self.copy.query(self.model.position, {"key": self.model.key})
        return int(rows[0]["position"] or 0) if rows else 0

    def swap(self, catch_up: Callable[[], object], attempts: int = 50) -> int:
        """Swap the copy in once it has reached the live read model's position; returns
        the position it serves from. ``catch_up`` moves the copy on to the log's end.

        On PostgreSQL the live tables are locked (readers wait for the swap only), the copy
        catches up with the live follower held, and the swap commits. SQLite has one writer
        at a time: if the copy is behind, the swap gives way, the copy catches up, and the
        swap tries again."""
        for _ in range(attempts):
            catch_up()
            try:
                return self._swap(catch_up)
            except CopyBehind:
                continue
        raise CopyBehind(
            f"the copy of {self.model.name} could not catch up with the live read model"
        )

    def _position(self, cursor: Cursor, sql: str) -> int:
        cursor.execute(sql, {"key": self.model.key})
        row = cursor.fetchone()
        return int(row["position"] or 0) if row else 0

    def _swap(self, catch_up: Callable[[], object]) -> int:
        model = self.model
        postgres = self.database.dialect == "postgres"
        with self.database.transaction() as cursor:
            if postgres:
                cursor.execute("SET LOCAL lock_timeout = '30s'")
            if model.position_row is not None:
                # The follower locks its position row before its tables: the same order here.
                lock = " FOR UPDATE" if postgres else ""
                cursor.execute(FOLLOWER_POSITIONS.select() + lock, {"key": model.position_row})
            if postgres:
                cursor.execute(f"LOCK TABLE {', '.join(model.tables)} IN ACCESS EXCLUSIVE MODE")
            live = self._position(cursor, model.position)
            copy = self._position(cursor, self.renamer(model.position))
            while copy < live:
                if not postgres:
                    raise CopyBehind(model.name)
                catch_up()  # other connections, on the copy's tables only
                reached = self._position(cursor, self.renamer(model.position))
                if reached == copy:
                    raise CopyBehind(model.name)
                copy = reached
            for table in model.tables:
                cursor.execute(f"DROP TABLE {table}")
                cursor.execute(f"ALTER TABLE {table}{SUFFIX} RENAME TO {table}")
            self._rename_indexes(cursor)
            if model.position_row is not None:
                # The copy is at or past the live position here: it only moves forward.
                advance_follower_position(cursor, model.position_row, copy)
                cursor.execute(f"DROP TABLE {POSITIONS}{SUFFIX}")
        return copy

    def _rename_indexes(self, cursor: Cursor) -> None:
        """The copy's indexes take the live ones' names (the next rebuild reuses them)."""
        if self.database.dialect == "postgres":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename = ANY(%(tables)s)",
                {"tables": list(self.model.tables)},
            )
            for row in cursor.fetchall():
                index = str(row["indexname"])
                if SUFFIX in index:
                    cursor.execute(f"ALTER INDEX {index} RENAME TO {index.replace(SUFFIX, '')}")
            return
        # SQLite cannot rename an index: the copy's are dropped and made again by name.
        for index, statement in self.renamer.indexes.items():
            cursor.execute(f"DROP INDEX IF EXISTS {index}{SUFFIX}")
            cursor.execute(statement)
