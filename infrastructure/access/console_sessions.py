"""Console sessions and failed sign-in counts in SQL (``pl_console_sessions``,
``pl_sign_in_failures``).

Short-lived, mutable state, not history: a session is a row keyed by the SHA-256 of its
cookie's reference (whoever reads the table cannot sign in with it) and deleted on sign-out;
expired rows are removed as new sessions open.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.access.ports import SessionRow, SignInFailures
from infrastructure.database import SqlStore


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


class SqlConsoleSessionStore(SqlStore):
    TABLES = (
        "CREATE TABLE IF NOT EXISTS pl_console_sessions ("
        " token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL,"
        " csrf_token TEXT NOT NULL, created_at {time} NOT NULL,"
        " expires_at {time} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS pl_console_sessions_account"
        " ON pl_console_sessions (account_id)",
        "CREATE TABLE IF NOT EXISTS pl_sign_in_failures ("
        " email TEXT PRIMARY KEY, count INTEGER NOT NULL,"
        " last_at {time} NOT NULL, locked_until {time})",
    )

    def open(self, session: SessionRow) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM pl_console_sessions WHERE expires_at < %(now)s",
                {"now": session.created_at},
            )
            cursor.execute(
                "INSERT INTO pl_console_sessions (token_hash, account_id, csrf_token,"
                " created_at, expires_at) VALUES (%(token)s, %(account)s, %(csrf)s,"
                " %(created)s, %(expires)s)",
                {
                    "token": session.token_hash,
                    "account": str(session.account_id),
                    "csrf": session.csrf_token,
                    "created": session.created_at,
                    "expires": session.expires_at,
                },
            )

    def find(self, token_hash: str) -> SessionRow | None:
        rows = self.db.query(
            "SELECT * FROM pl_console_sessions WHERE token_hash = %(token)s", {"token": token_hash}
        )
        if not rows:
            return None
        r = rows[0]
        return SessionRow(
            token_hash=r["token_hash"],
            account_id=UUID(str(r["account_id"])),
            csrf_token=r["csrf_token"],
            created_at=_moment(r["created_at"]),
            expires_at=_moment(r["expires_at"]),
        )

    def close(self, token_hash: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM pl_console_sessions WHERE token_hash = %(token)s",
                {"token": token_hash},
            )

    def close_all(self, account_id: UUID) -> int:
        with self.db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM pl_console_sessions WHERE account_id = %(account)s",
                {"account": str(account_id)},
            )
            return int(cursor.rowcount)

    def failures(self, email: str) -> SignInFailures:
        rows = self.db.query(
            "SELECT count, locked_until FROM pl_sign_in_failures WHERE email = %(email)s",
            {"email": email},
        )
        if not rows:
            return SignInFailures(0, None)
        locked = rows[0]["locked_until"]
        return SignInFailures(int(rows[0]["count"]), None if locked is None else _moment(locked))

    def record_failure(
        self, email: str, *, now: datetime, lock_after: int, lock_for_s: float
    ) -> SignInFailures:
        with self.db.transaction() as cursor:
            cursor.execute(
                "INSERT INTO pl_sign_in_failures (email, count, last_at) VALUES"
                " (%(email)s, 1, %(now)s) ON CONFLICT (email) DO UPDATE SET"
                " count = pl_sign_in_failures.count + 1, last_at = excluded.last_at",
                {"email": email, "now": now},
            )
            cursor.execute(
                "SELECT count FROM pl_sign_in_failures WHERE email = %(email)s", {"email": email}
            )
            row = cursor.fetchone()
            count = int(row["count"]) if row else 1
            locked_until = None
            if count >= lock_after:
                locked_until = now + timedelta(seconds=lock_for_s)
                # Locked: the count starts again, so the address is free once the time is up.
                cursor.execute(
                    "UPDATE pl_sign_in_failures SET locked_until = %(until)s, count = 0"
                    " WHERE email = %(email)s",
                    {"email": email, "until": locked_until},
                )
            return SignInFailures(count, locked_until)

    def clear_failures(self, email: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM pl_sign_in_failures WHERE email = %(email)s", {"email": email}
            )
