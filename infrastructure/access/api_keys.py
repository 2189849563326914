"""The key list in SQL (``pl_api_keys``), kept by a log follower from ``ApiKey`` events.

Authentication never reads this table (it loads the key's aggregate by the id in the token),
so the list may lag a little behind the log without a new key ever being refused. It holds no
secret and no hash: names, roles, dates and who issued or revoked each key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from application.access.ports import ApiKeyRow
from domain.access.api_key import ApiKey, Role
from infrastructure.database import Cursor, SqlStore
from infrastructure.projection_faults import (
    FOLLOWER_POSITIONS,
    AggregateProcessor,
    apply_once,
    follower_position,
)

NAME = "api-keys"
_TOPIC_PREFIX = "partnerlab:ApiKey."


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _row(r: dict[str, Any]) -> ApiKeyRow:
    issued_at = _as_datetime(r["issued_at"])
    assert issued_at is not None
    return ApiKeyRow(
        id=UUID(str(r["id"])),
        lab=r["lab"],
        name=r["name"],
        role=Role(r["role"]),
        issued_at=issued_at,
        issued_by=r["issued_by"],
        expires_at=_as_datetime(r["expires_at"]),
        revoked_at=_as_datetime(r["revoked_at"]),
        revoked_by=r["revoked_by"],
        version=int(r["version"]),
    )


class SqlApiKeyList(SqlStore):
    TABLES = (
        "CREATE TABLE IF NOT EXISTS pl_api_keys ("
        " id TEXT PRIMARY KEY, lab TEXT NOT NULL, name TEXT NOT NULL,"
        " role TEXT NOT NULL, issued_at {time} NOT NULL, issued_by TEXT NOT NULL,"
        " expires_at {time}, revoked_at {time}, revoked_by TEXT,"
        " version INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS pl_api_keys_lab ON pl_api_keys (lab, issued_at)",
        FOLLOWER_POSITIONS.ddl(),
    )

    def keys(self, lab: str | None) -> list[ApiKeyRow]:
        where, params = ("WHERE lab = %(lab)s", {"lab": lab}) if lab is not None else ("", {})
        rows = self.db.query(
            f"SELECT * FROM pl_api_keys {where} ORDER BY lab, issued_at, id", params
        )
        return [_row(r) for r in rows]

    def position(self) -> int:
        return follower_position(self.db, NAME)

    def apply(self, events: Sequence[tuple[int, ApiKey.Event]], upto: int) -> None:
        """Apply the key events and the position reached in one transaction; positions
        already applied are skipped (exactly once, even with two followers racing)."""
        with self.db.transaction() as cursor:
            apply_once(cursor, self.db.dialect, NAME, events, _apply, upto)


def _apply(cursor: Cursor, event: ApiKey.Event) -> None:
    if isinstance(event, ApiKey.Issued):
        cursor.execute(
            "INSERT INTO pl_api_keys (id, lab, name, role, issued_at, issued_by, expires_at,"
            " version) VALUES (%(id)s, %(lab)s, %(name)s, %(role)s, %(issued_at)s,"
            " %(issued_by)s, %(expires_at)s, %(version)s) ON CONFLICT (id) DO NOTHING",
            {
                "id": str(event.originator_id),
                "lab": event.lab,
                "name": event.name,
                "role": event.role.value,
                "issued_at": event.timestamp,
                "issued_by": event.actor,
                "expires_at": event.expires_at,
                "version": event.originator_version,
            },
        )
    elif isinstance(event, ApiKey.Revoked):
        cursor.execute(
            "UPDATE pl_api_keys SET revoked_at = %(at)s, revoked_by = %(by)s,"
            " version = %(version)s WHERE id = %(id)s",
            {
                "id": str(event.originator_id),
                "at": event.timestamp,
                "by": event.actor,
                "version": event.originator_version,
            },
        )


class ApiKeyListProcessor(AggregateProcessor):
    """Keeps ``pl_api_keys`` from the log; other events are skipped without being decoded."""

    name = NAME
    prefix = _TOPIC_PREFIX
    event_type = ApiKey.Event
