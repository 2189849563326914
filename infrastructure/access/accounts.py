"""The account directory in SQL (``pl_accounts``), kept by a log follower from ``Account``
events: the admin's list. Signing in never reads it (the account is found by the id its
e-mail address gives), so it may lag a little behind the log."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from application.access.ports import AccountRow
from domain.access.account import Account
from domain.access.api_key import Role
from infrastructure.database import Cursor, SqlStore
from infrastructure.projection_faults import (
    FOLLOWER_POSITIONS,
    AggregateProcessor,
    apply_once,
    follower_position,
)

NAME = "accounts"
_TOPIC_PREFIX = "partnerlab:Account."


class SqlAccountDirectory(SqlStore):
    TABLES = (
        "CREATE TABLE IF NOT EXISTS pl_accounts ("
        " id TEXT PRIMARY KEY, lab TEXT NOT NULL, email TEXT NOT NULL,"
        " role TEXT NOT NULL, disabled {bool} NOT NULL,"
        " password_set {bool} NOT NULL, version INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS pl_accounts_lab ON pl_accounts (lab, email)",
        FOLLOWER_POSITIONS.ddl(),
    )

    def accounts(self, lab: str) -> list[AccountRow]:
        rows = self.db.query(
            "SELECT * FROM pl_accounts WHERE lab = %(lab)s ORDER BY email", {"lab": lab}
        )
        return [
            AccountRow(
                id=UUID(str(r["id"])),
                lab=r["lab"],
                email=r["email"],
                role=Role(r["role"]),
                disabled=bool(r["disabled"]),
                password_set=bool(r["password_set"]),
                version=int(r["version"]),
            )
            for r in rows
        ]

    def position(self) -> int:
        return follower_position(self.db, NAME)

    def apply(self, events: Sequence[tuple[int, Account.Event]], upto: int) -> None:
        """The events and the position reached in one transaction (each applied once)."""
        with self.db.transaction() as cursor:
            apply_once(cursor, self.db.dialect, NAME, events, _apply, upto)


def _apply(cursor: Cursor, event: Account.Event) -> None:
    key = {"id": str(event.originator_id), "version": event.originator_version}
    if isinstance(event, Account.Created):
        cursor.execute(
            "INSERT INTO pl_accounts (id, lab, email, role, disabled, password_set, version)"
            " VALUES (%(id)s, %(lab)s, %(email)s, %(role)s, %(false)s, %(false)s, %(version)s)"
            " ON CONFLICT (id) DO NOTHING",
            {
                **key,
                "lab": event.lab,
                "email": event.email,
                "role": event.role.value,
                "false": False,
            },
        )
    elif isinstance(event, Account.PasswordSet):
        cursor.execute(
            "UPDATE pl_accounts SET password_set = %(true)s, version = %(version)s"
            " WHERE id = %(id)s",
            {**key, "true": True},
        )
    elif isinstance(event, Account.RoleChanged):
        cursor.execute(
            "UPDATE pl_accounts SET role = %(role)s, version = %(version)s WHERE id = %(id)s",
            {**key, "role": event.role.value},
        )
    elif isinstance(event, Account.Disabled):
        cursor.execute(
            "UPDATE pl_accounts SET disabled = %(true)s, version = %(version)s WHERE id = %(id)s",
            {**key, "true": True},
        )
    else:
        cursor.execute("UPDATE pl_accounts SET version = %(version)s WHERE id = %(id)s", key)


class AccountDirectoryProcessor(AggregateProcessor):
    """Keeps ``pl_accounts`` from the log; other events are skipped without being decoded."""

    name = NAME
    prefix = _TOPIC_PREFIX
    event_type = Account.Event
