"""The dashboard's browser sessions (``application.access_ports.DashboardSessions``): a
random reference, stored as its SHA-256 only, pointing at an API key until it expires."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from infrastructure.database import SqlStore

_DDL = (
    "CREATE TABLE IF NOT EXISTS pl_dashboard_sessions ("
    " reference_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL, expires_at TEXT NOT NULL)",
)


class SqlDashboardSessions(SqlStore):
    TABLES = _DDL

    def open(self, reference_hash: str, key_id: UUID, expires_at: datetime) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                "INSERT INTO pl_dashboard_sessions (reference_hash, key_id, expires_at)"
                " VALUES (%(ref)s, %(key)s, %(expires)s)",
                {"ref": reference_hash, "key": str(key_id), "expires": expires_at.isoformat()},
            )

    def key_of(self, reference_hash: str, now: datetime) -> UUID | None:
        rows = self.db.query(
            "SELECT key_id, expires_at FROM pl_dashboard_sessions WHERE reference_hash = %(ref)s",
            {"ref": reference_hash},
        )
        if not rows or datetime.fromisoformat(str(rows[0]["expires_at"])) <= now:
            return None
        return UUID(str(rows[0]["key_id"]))

    def close(self, reference_hash: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM pl_dashboard_sessions WHERE reference_hash = %(ref)s"
                " OR expires_at < %(now)s",
                {"ref": reference_hash, "now": datetime.now(UTC).isoformat()},
            )
