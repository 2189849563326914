"""The account directory in SQL (``pl_accounts``), kept by a log follower from ``Account``
events: the admin's list. Signing in never reads it (the account is found by the id its
e-mail address gives), so it may lag a little behind the log."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification

from application.access.ports import AccountRow
from domain.access.account import Account
from domain.access.api_key import Role
from infrastructure.database import Cursor, SqlStore
from infrastructure.projection_faults import (
    FOLLOWER_POSITIONS,
    apply_once,
    follower_position,
    rewind_follower_position,
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


class AccountDirectoryProcessor:
    """Keeps ``pl_accounts`` from the log; other events are skipped without being decoded."""

    name = NAME

    def __init__(self, directory: SqlAccountDirectory, mapper: Mapper) -> None:  # type: ignore[type-arg]
        self.directory = directory
        self.mapper = mapper

    def position(self) -> int:
        return self.directory.position()

    def rewind(self, position: int) -> None:
        """Move the position back (a retry's replay of held events)."""
        rewind_follower_position(self.directory.db, NAME, position)

    def process(self, notifications: Sequence[Notification]) -> None:
        events: list[tuple[int, Account.Event]] = []
        for n in notifications:
            if n.topic.startswith(_TOPIC_PREFIX):
                event = self.mapper.to_domain_event(n)
                assert isinstance(event, Account.Event)
                events.append((n.id, event))
        self.directory.apply(events, notifications[-1].id)
