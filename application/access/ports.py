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


class PasswordHasher(Protocol):
    """Slow, salted password hashing (argon2 in infrastructure); the domain never hashes."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` is the one ``password_hash`` was made from (never raises for a
        wrong password)."""
        ...


@dataclass(frozen=True)
class SessionRow:
    """A console session as stored: the hash of its cookie's reference, never the reference."""

    token_hash: str
    account_id: UUID
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SignInFailures:
    """How many sign-ins in a row failed for an address, and until when it is locked."""

    count: int
    locked_until: datetime | None


class ConsoleSessionStore(Protocol):
    """Console sessions and failed sign-in counts: short-lived, mutable, never events."""

    def open(self, session: SessionRow) -> None: ...

    def find(self, token_hash: str) -> SessionRow | None: ...

    def close(self, token_hash: str) -> None: ...

    def close_all(self, account_id: UUID) -> int: ...

    def failures(self, email: str) -> SignInFailures: ...

    def record_failure(
        self, email: str, *, now: datetime, lock_after: int, lock_for_s: float
    ) -> SignInFailures:
        """Count one more failure; from ``lock_after`` failures on the address is locked until
        ``now + lock_for_s``."""
        ...

    def clear_failures(self, email: str) -> None: ...


@dataclass(frozen=True)
class AccountRow:
    """An account as the admin's list shows it (no hash)."""

    id: UUID
    lab: str
    email: str
    role: Role
    disabled: bool
    password_set: bool
    version: int


class AccountDirectory(Protocol):
    """The accounts of each lab (a read model kept by a log follower)."""

    def accounts(self, lab: str) -> list[AccountRow]: ...
