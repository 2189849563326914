"""Idempotency keys: a retried write gets the first answer back and records nothing new."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from application.idempotency import Reservation, StoredResponse
from infrastructure.database import SqlStore

STALE_AFTER = timedelta(minutes=2)
"""A key claimed by a request that never finished (its process died) is freed after this."""


class SqlIdempotencyStore(SqlStore):
    TABLES = (
        "CREATE TABLE IF NOT EXISTS pl_idempotency_keys ("
        " lab TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
        " status_code INTEGER, body {blob}, headers TEXT, claimed_at TEXT NOT NULL,"
        " PRIMARY KEY (lab, key))",
    )

    def reserve(self, lab: str, key: str, fingerprint: str) -> Reservation:
        now = datetime.now(UTC)
        with self.db.transaction() as cursor:
            cursor.execute(
                "INSERT INTO pl_idempotency_keys (lab, key, fingerprint, claimed_at)"
                " VALUES (%(lab)s, %(key)s, %(fp)s, %(now)s) ON CONFLICT (lab, key) DO NOTHING",
                {"lab": lab, "key": key, "fp": fingerprint, "now": now.isoformat()},
            )
            if cursor.rowcount == 1:
                return Reservation(is_new=True)
            cursor.execute(
                "SELECT fingerprint, status_code, body, headers, claimed_at"
                " FROM pl_idempotency_keys WHERE lab = %(lab)s AND key = %(key)s",
                {"lab": lab, "key": key},
            )
            row = cursor.fetchone()
            if row is None:  # released between our insert and select: claim it now
                cursor.execute(
                    "INSERT INTO pl_idempotency_keys (lab, key, fingerprint, claimed_at)"
                    " VALUES (%(lab)s, %(key)s, %(fp)s, %(now)s)",
                    {"lab": lab, "key": key, "fp": fingerprint, "now": now.isoformat()},
                )
                return Reservation(is_new=True)
            if row["fingerprint"] != fingerprint:
                return Reservation(is_new=False, fingerprint_matches=False)
            if row["status_code"] is None:
                claimed_at = datetime.fromisoformat(str(row["claimed_at"]))
                if now - claimed_at > STALE_AFTER:
                    cursor.execute(
                        "UPDATE pl_idempotency_keys SET claimed_at = %(now)s"
                        " WHERE lab = %(lab)s AND key = %(key)s",
                        {"lab": lab, "key": key, "now": now.isoformat()},
                    )
                    return Reservation(is_new=True)
                return Reservation(is_new=False)
            return Reservation(
                is_new=False,
                stored=StoredResponse(
                    status_code=int(row["status_code"]),
                    body=bytes(row["body"]),
                    headers=json.loads(row["headers"]),
                ),
            )

    def complete(self, lab: str, key: str, response: StoredResponse) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                "UPDATE pl_idempotency_keys SET status_code = %(status)s, body = %(body)s,"
                " headers = %(headers)s WHERE lab = %(lab)s AND key = %(key)s",
                {
                    "status": response.status_code,
                    "body": response.body,
                    "headers": json.dumps(response.headers),
                    "lab": lab,
                    "key": key,
                },
            )

    def release(self, lab: str, key: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM pl_idempotency_keys"
                " WHERE lab = %(lab)s AND key = %(key)s AND status_code IS NULL",
                {"lab": lab, "key": key},
            )
