"""What the API keys and the contact persons need from infrastructure, stated as protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.access.api_key import Role


@dataclass(frozen=True)
class ApiKeyRow:
    """A key as the key list shows it: never its secret, nor the secret's hash."""

    id: UUID
    lab: str
    name: str
    role: Role
    issued_at: datetime
    issued_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    version: int


class DashboardSessions(Protocol):
    """Browser sessions of the dashboard: a random reference (kept hashed) to an API key, so
    the cookie never holds the key itself."""

    def open(self, reference_hash: str, key_id: UUID, expires_at: datetime) -> None: ...

    def key_of(self, reference_hash: str, now: datetime) -> UUID | None:
        """The key of a session not expired at ``now``; ``None`` for any other."""
        ...

    def close(self, reference_hash: str) -> None: ...


class ApiKeyList(Protocol):
    """The keys of each lab (a read model kept by a log follower)."""

    def keys(self, lab: str | None) -> list[ApiKeyRow]:
        """The keys of ``lab``, or of every lab with ``None`` (operators only)."""
        ...


@dataclass(frozen=True)
class ContactPersonRecord:
    """One contact person's personal data, kept where it can be erased."""

    id: UUID
    lab: str
    organization_id: UUID
    name: str
    role: str | None
    email: str | None
    phone: str | None
    added_at: datetime


class ContactDirectory(Protocol):
    """The mutable table of contact persons' details (never part of the event log)."""

    def add(self, record: ContactPersonRecord) -> None: ...

    def of_organization(self, lab: str, organization_id: UUID) -> list[ContactPersonRecord]: ...

    def erase(self, lab: str, person_id: UUID) -> int:
        """Delete the person's details; returns how many rows went (0 or 1)."""
        ...
