"""API keys: who may call the service, for which lab, in which role.

A key is an aggregate of the same event log as the lab's records, so issuing and revoking one
is chained and audited like any milestone. Its events hold a hash of the secret, never the
secret itself (the application hashes it; the domain only keeps and compares).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, LifecycleViolation
from domain.values import optional_text, require_name, require_text


class Role(Enum):
    """What a key may do (see docs/SECURITY.md for the full table)."""

    STAFF = "staff"
    """Records organisations, partnerships' milestones and the lab's activities."""
    AUDITOR = "auditor"
    """Reads everything, histories, audit log and exports included; writes nothing."""
    VIEWER = "viewer"
    """Reads reports and the dashboard only."""
    ADMIN = "admin"
    """Manages keys and projection rebuilds."""


class KeyExpiryNotInFuture(InvalidValue):
    rule = "key-expiry-in-future"


class KeyExpiryWithoutZone(InvalidValue):
    rule = "key-expiry-has-time-zone"


class KeyAlreadyRevoked(LifecycleViolation):
    rule = "key-revoked-once"


class ApiKey(Aggregate):
    """A bearer key of one lab. Its id is part of the token, so a key is found without any
    read model; only the hash of its secret is stored."""

    TOPIC = "partnerlab:ApiKey"

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:ApiKey.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:ApiKey.Created"

    class Issued(Created):
        TOPIC = "partnerlab:ApiKey.Issued"
        lab: str
        name: str
        role: Role
        secret_hash: str
        hash_scheme: str
        expires_at: datetime | None
        actor: str

    class Revoked(Event):
        TOPIC = "partnerlab:ApiKey.Revoked"
        reason: str | None
        actor: str

    @event(Issued)
    def __init__(
        self,
        lab: str,
        name: str,
        role: Role,
        secret_hash: str,
        hash_scheme: str,
        expires_at: datetime | None,
        actor: str,
    ) -> None:
        self.lab = lab
        self.name = name
        self.role = role
        self.secret_hash = secret_hash
        self.hash_scheme = hash_scheme
        self.expires_at = expires_at
        self.issued_by = actor
        self.revoked = False
        self.revoked_by: str | None = None

    @classmethod
    def issue(
        cls,
        *,
        lab: str,
        name: str,
        role: Role,
        secret_hash: str,
        hash_scheme: str,
        actor: str,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> ApiKey:
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise KeyExpiryWithoutZone(
                    "the expiry must be a time with its time zone", field="expires_at"
                )
            if expires_at <= now:
                raise KeyExpiryNotInFuture(
                    f"a key cannot expire in the past ({expires_at.isoformat()})",
                    field="expires_at",
                )
        return cls(
            lab=require_text(lab, "lab"),
            name=require_name(name, "name"),
            role=Role(role),
            secret_hash=require_text(secret_hash, "secret_hash"),
            hash_scheme=require_text(hash_scheme, "hash_scheme"),
            expires_at=expires_at,
            actor=require_text(actor, "actor"),
        )

    def revoke(self, *, actor: str, reason: str | None = None) -> None:
        if self.revoked:
            raise KeyAlreadyRevoked(f"key {self.id} is already revoked")
        self._revoke(reason=optional_text(reason), actor=require_text(actor, "actor"))

    @event(Revoked)
    def _revoke(self, reason: str | None, actor: str) -> None:
        self.revoked = True
        self.revoked_by = actor

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    @property
    def issued_at(self) -> datetime:
        issued: datetime = self.created_on
        return issued

    @property
    def revoked_at(self) -> datetime | None:
        """Nothing follows a revocation, so the last change is the revocation."""
        revoked: datetime | None = self.modified_on if self.revoked else None
        return revoked
