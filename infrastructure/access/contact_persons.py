"""Contact persons' details in SQL (``pl_contact_persons``): the one place personal data lives.

Written by the application itself (not by a follower: the event carries no personal data to
project), and deleted row by row on erasure. On SQLite the deleting connection turns on
``secure_delete`` so the freed pages are overwritten rather than left in the file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.access.ports import ContactPersonRecord
from infrastructure.database import SqlStore

_COLUMNS = "id, lab, organization_id, name, role, email, phone, added_at"


def _record(r: dict[str, Any]) -> ContactPersonRecord:
    added_at = r["added_at"]
    return ContactPersonRecord(
        id=UUID(str(r["id"])),
        lab=r["lab"],
        organization_id=UUID(str(r["organization_id"])),
        name=r["name"],
        role=r["role"],
        email=r["email"],
        phone=r["phone"],
        added_at=added_at
        if isinstance(added_at, datetime)
        else datetime.fromisoformat(str(added_at)),
    )


class SqlContactDirectory(SqlStore):
    TABLES = (
        "CREATE TABLE IF NOT EXISTS pl_contact_persons ("
        " id TEXT PRIMARY KEY, lab TEXT NOT NULL, organization_id TEXT NOT NULL,"
        " name TEXT NOT NULL, role TEXT, email TEXT, phone TEXT,"
        " added_at {time} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS pl_contact_persons_organization"
        " ON pl_contact_persons (lab, organization_id)",
    )

    def add(self, record: ContactPersonRecord) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO pl_contact_persons ({_COLUMNS}) VALUES (%(id)s, %(lab)s,"
                " %(organization_id)s, %(name)s, %(role)s, %(email)s, %(phone)s, %(added_at)s)",
                {
                    "id": record.id,
                    "lab": record.lab,
                    "organization_id": record.organization_id,
                    "name": record.name,
                    "role": record.role,
                    "email": record.email,
                    "phone": record.phone,
                    "added_at": record.added_at,
                },
            )

    def of_organization(self, lab: str, organization_id: UUID) -> list[ContactPersonRecord]:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM pl_contact_persons"
            " WHERE lab = %(lab)s AND organization_id = %(organization_id)s",
            {"lab": lab, "organization_id": organization_id},
        )
        return [_record(r) for r in rows]

    def erase(self, lab: str, person_id: UUID) -> int:
        with self.db.transaction() as cursor:
            if self.db.dialect == "sqlite":
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(
                "DELETE FROM pl_contact_persons WHERE lab = %(lab)s AND id = %(id)s",
                {"lab": lab, "id": person_id},
            )
            deleted: int = cursor.rowcount
            return deleted
