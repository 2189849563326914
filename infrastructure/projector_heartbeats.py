"""Heartbeats of followers run by another process (``partnerlab project``), so the API can
tell whether the read models are being kept up to date when it does not run them itself.

One row per follower: which process runs it, when it last finished a pass, its last error.
A heartbeat older than ``STALE_AFTER`` seconds (or cleared on a clean stop) means not running.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from infrastructure.database import Database, SqlStore

STALE_AFTER = timedelta(seconds=15)


@dataclass(frozen=True)
class Heartbeat:
    name: str
    process: str
    beat_at: datetime | None
    last_error: str | None

    def alive(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(UTC)
        return self.beat_at is not None and now - self.beat_at < STALE_AFTER


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _as_datetime(value: object) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SqlProjectorHeartbeats(SqlStore):
    TABLES = (
        "CREATE TABLE IF NOT EXISTS pl_projector_heartbeats ("
        " name TEXT PRIMARY KEY, process TEXT NOT NULL, beat_at {time}, last_error TEXT)",
    )

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.process = this_process()

    def _write(self, name: str, beat_at: datetime | None, last_error: str | None) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                "INSERT INTO pl_projector_heartbeats (name, process, beat_at, last_error)"
                " VALUES (%(name)s, %(process)s, %(at)s, %(error)s)"
                " ON CONFLICT (name) DO UPDATE SET process = excluded.process,"
                " beat_at = excluded.beat_at, last_error = excluded.last_error",
                {"name": name, "process": self.process, "at": beat_at, "error": last_error},
            )

    def beat(self, name: str, last_error: str | None) -> None:
        self._write(name, datetime.now(UTC), last_error)

    def stopped(self, name: str) -> None:
        self._write(name, None, None)

    def read(self) -> dict[str, Heartbeat]:
        rows = self.db.query(
            "SELECT name, process, beat_at, last_error FROM pl_projector_heartbeats"
        )
        return {
            r["name"]: Heartbeat(
                r["name"], r["process"], _as_datetime(r["beat_at"]), r["last_error"]
            )
            for r in rows
        }
