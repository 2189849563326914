"""Events a read model could not apply: recorded, held per lab, retried after a fix.

When a processor fails on a batch (not because the database is unavailable), its follower
finds the one event it cannot apply and records a fault: which read model, which position,
the error, and the lab the event belongs to. From then on that read model sets aside the
events of that lab only (each is passed to the processor as a *held* notification, which
every processor tracks without applying), so every other lab keeps being served and the
read model's position keeps moving. Reads of that lab on that read model answer 503
``projection-stopped`` (see ``application.lab.PartnerLab.wait_for_projections``).

Nothing is skipped for good: ``partnerlab project --retry NAME`` marks the faults of ``NAME``
as *replaying* up to the current position and rewinds the read model's tracking to just
before the first fault. The follower then goes over that stretch again and applies the held
lab's events only (the other labs' were applied the first time), which is exactly what the
read model would hold had the event never failed. An event whose lab cannot be told (it
fails to decode) stops the whole read model (lab ``*``) until it is retried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from eventsourcing.persistence import Mapper, Notification

from application.followers import ProjectionFault
from infrastructure.database import Cursor, Database, SqlStore, StatementBatch

ALL_LABS = "*"
"""The lab of a fault whose event could not be decoded: the whole read model stops."""
HELD_TOPIC = "partnerlab:held"
"""The topic of a held notification: every processor tracks it and applies nothing."""
STOPPED = "stopped"
REPLAYING = "replaying"

T = TypeVar("T")

_DDL = (
    "CREATE TABLE IF NOT EXISTS pl_projection_faults ("
    " read_model TEXT NOT NULL,"
    " lab TEXT NOT NULL,"
    " position BIGINT NOT NULL,"
    " error TEXT NOT NULL,"
    " recorded_at TEXT NOT NULL,"
    " state TEXT NOT NULL,"
    " replay_upto BIGINT,"
    " PRIMARY KEY (read_model, lab))",
)


@dataclass(frozen=True)
class Fault:
    read_model: str
    lab: str
    position: int
    error: str
    recorded_at: str
    state: str
    replay_upto: int | None

    def public(self) -> ProjectionFault:
        return ProjectionFault(
            read_model=self.read_model,
            lab=self.lab,
            position=self.position,
            error=self.error,
            state=self.state,
        )


@dataclass(frozen=True)
class PositionTable:
    """Where followers keep how far they got: one row a follower, keyed by its name."""

    table: str = "pl_follower_positions"
    key: str = "name"
    column: str = "position"

    def ddl(self) -> str:
        return (
            f"CREATE TABLE IF NOT EXISTS {self.table} ("
            f" {self.key} TEXT PRIMARY KEY, {self.column} BIGINT NOT NULL)"
        )

    def select(self) -> str:
        """A SELECT of the position kept for the follower named ``%(key)s``, as ``position``
        (also what a blue/green rebuild reads from a copy's table)."""
        return f"SELECT {self.column} AS position FROM {self.table} WHERE {self.key} = %(key)s"

    def highest(self) -> str:
        """A SELECT of the furthest position kept in the table, as ``position``."""
        return f"SELECT MAX({self.column}) AS position FROM {self.table}"


FOLLOWER_POSITIONS = PositionTable()
"""``pl_follower_positions``: the table of every follower but the catalogue and follow-ups."""


def follower_position(
    database: Database, name: str, table: PositionTable = FOLLOWER_POSITIONS
) -> int:
    """The position kept for ``name`` (0 before its first batch)."""
    rows = database.query(table.select(), {"key": name})
    return int(rows[0]["position"]) if rows else 0


def locked_follower_position(
    cursor: Cursor, dialect: str, name: str, table: PositionTable = FOLLOWER_POSITIONS
) -> int:
    """The position kept for ``name``, locked for the rest of the transaction (the row is
    created first: FOR UPDATE on an absent row locks nothing, and two followers starting on a
    fresh database would both apply their batch)."""
    cursor.execute(
        f"INSERT INTO {table.table} ({table.key}, {table.column}) VALUES (%(name)s, 0)"
        f" ON CONFLICT ({table.key}) DO NOTHING",
        {"name": name},
    )
    lock = " FOR UPDATE" if dialect == "postgres" else ""
    cursor.execute(table.select() + lock, {"key": name})
    row = cursor.fetchone()
    return int(row["position"]) if row else 0


def advance_follower_position(
    cursor: Cursor, name: str, upto: int, table: PositionTable = FOLLOWER_POSITIONS
) -> None:
    """Move the position forward to ``upto``; never back (the row is created if absent)."""
    cursor.execute(
        f"INSERT INTO {table.table} ({table.key}, {table.column}) VALUES (%(name)s, %(upto)s)"
        f" ON CONFLICT ({table.key}) DO UPDATE SET {table.column} = excluded.{table.column}"
        f" WHERE {table.table}.{table.column} < excluded.{table.column}",
        {"name": name, "upto": upto},
    )


def apply_once(
    cursor: Cursor,
    dialect: str,
    name: str,
    steps: Sequence[tuple[int, T]],
    apply: Callable[[Cursor, T], None],
    upto: int | None = None,
    table: PositionTable = FOLLOWER_POSITIONS,
    *,
    pipelined: bool = False,
    finish: Callable[[Cursor], None] | None = None,
) -> None:
    """A follower's batch in the caller's transaction: lock the position, apply each step
    whose position is past it, then ``finish`` (if given and a step was applied), advance it
    to ``upto`` (the last step's by default). Steps already applied (a redelivery, or another
    follower racing) are skipped: each is applied exactly once.

    ``pipelined``: ``apply`` and ``finish`` write into a ``StatementBatch``, sent when they
    are done in one pipeline (like statements as one ``executemany``) instead of one round
    trip each; for writes whose results are not read (the batch raises on a fetch)."""
    if upto is None:
        upto = max((position for position, _ in steps), default=0)
    done = locked_follower_position(cursor, dialect, name, table)
    statements = StatementBatch() if pipelined else None
    target: Cursor = statements if statements is not None else cursor
    applied = False
    for position, step in steps:
        if position > done:
            apply(target, step)
            applied = True
    if applied and finish is not None:
        finish(target)
    if statements is not None:
        statements.run(cursor)
    if upto > done:
        advance_follower_position(cursor, name, upto, table)


def rewind_follower_position(
    database: Database, name: str, position: int, table: PositionTable = FOLLOWER_POSITIONS
) -> None:
    """Move a follower's position back (a retry's replay)."""
    with database.transaction() as cursor:
        cursor.execute(
            f"UPDATE {table.table} SET {table.column} = %(position)s"
            f" WHERE {table.key} = %(name)s AND {table.column} > %(position)s",
            {"name": name, "position": position},
        )


class EventsStore(Protocol):
    """A read model kept from the events of one kind of aggregate (``AggregateProcessor``)."""

    db: Database

    def position(self) -> int: ...

    def apply(self, events: Sequence[tuple[int, Any]], upto: int) -> None: ...


class AggregateProcessor:
    """Keeps ``store`` from the events whose topic starts with ``prefix`` (those of one kind
    of aggregate, all of type ``event_type``); other events are skipped without being
    decoded. The store applies them and the position reached in one transaction."""

    name: str
    prefix: str
    event_type: type

    def __init__(self, store: EventsStore, mapper: Mapper) -> None:  # type: ignore[type-arg]
        self.store = store
        self.mapper = mapper

    def position(self) -> int:
        return self.store.position()

    def rewind(self, position: int) -> None:
        """Move the position back (a retry's replay of held events)."""
        rewind_follower_position(self.store.db, self.name, position)

    def process(self, notifications: Sequence[Notification]) -> None:
        events: list[tuple[int, Any]] = []
        for n in notifications:
            if n.topic.startswith(self.prefix):
                event = self.mapper.to_domain_event(n)
                assert isinstance(event, self.event_type)
                events.append((n.id, event))
        self.store.apply(events, notifications[-1].id)


class SqlFaultLog(SqlStore):
    """``pl_projection_faults`` on SQLite or PostgreSQL."""

    TABLES = _DDL

    def faults(self, read_model: str | None = None) -> list[Fault]:
        where = " WHERE read_model = %(name)s" if read_model is not None else ""
        rows = self.db.query(
            "SELECT read_model, lab, position, error, recorded_at, state, replay_upto"
            f" FROM pl_projection_faults{where} ORDER BY read_model, position",
            {"name": read_model} if read_model is not None else None,
        )
        return [
            Fault(
                read_model=str(r["read_model"]),
                lab=str(r["lab"]),
                position=int(r["position"]),
                error=str(r["error"]),
                recorded_at=str(r["recorded_at"]),
                state=str(r["state"]),
                replay_upto=None if r["replay_upto"] is None else int(r["replay_upto"]),
            )
            for r in rows
        ]

    def record(self, read_model: str, lab: str, position: int, error: str) -> None:
        """Hold ``lab`` on ``read_model`` from ``position`` (a replay that fails again keeps
        its replay window: the events after the new fault are held again)."""
        with self.db.transaction() as cursor:
            cursor.execute(
                "INSERT INTO pl_projection_faults"
                " (read_model, lab, position, error, recorded_at, state, replay_upto)"
                " VALUES (%(name)s, %(lab)s, %(position)s, %(error)s, %(at)s, %(state)s, NULL)"
                " ON CONFLICT (read_model, lab) DO UPDATE SET position = excluded.position,"
                " error = excluded.error, recorded_at = excluded.recorded_at,"
                " state = excluded.state",
                {
                    "name": read_model,
                    "lab": lab,
                    "position": position,
                    "error": error[:2000],
                    "at": datetime.now(UTC).isoformat(),
                    "state": STOPPED,
                },
            )

    def start_replay(self, read_model: str, upto: int, lab: str | None = None) -> list[Fault]:
        """Mark the stopped faults of ``read_model`` (of ``lab`` only, if given) as replaying
        up to ``upto``; returns them."""
        with self.db.transaction() as cursor:
            cursor.execute(
                "UPDATE pl_projection_faults SET state = %(replaying)s, replay_upto = %(upto)s"
                " WHERE read_model = %(name)s AND state = %(stopped)s"
                + (" AND lab = %(lab)s" if lab is not None else ""),
                {
                    "replaying": REPLAYING,
                    "stopped": STOPPED,
                    "upto": upto,
                    "name": read_model,
                    "lab": lab or "",
                },
            )
        return [f for f in self.faults(read_model) if f.state == REPLAYING]

    def finish_replays(self, read_model: str, reached: int) -> None:
        """Forget the replays ``read_model`` has gone past."""
        with self.db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM pl_projection_faults WHERE read_model = %(name)s"
                " AND state = %(replaying)s AND replay_upto <= %(reached)s",
                {"name": read_model, "replaying": REPLAYING, "reached": reached},
            )

    def stopped(self, read_models: Sequence[str], lab: str) -> list[ProjectionFault]:
        """The faults that hold ``lab`` (or every lab) on any of ``read_models``."""
        return [
            f.public()
            for f in self.faults()
            if f.read_model in read_models and f.lab in (lab, ALL_LABS)
        ]
