"""Accounts: the people who sign in to the console (API keys stay for machines).

An account belongs to one lab, is known by its e-mail address (one account per address across
the service: the sign-in form asks for nothing else) and has a role, the same roles as keys.
Its password is kept only as a hash the application computes (the domain keeps and hands it
back, it never hashes). A person sets their first password through a one-time link: the
account keeps the hash of the link's token and when it expires; setting the password clears
it, so the link works once.

Every change names its actor (who created the account, changed its role, disabled it).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from eventsourcing.domain import Aggregate, event

from domain.access.api_key import Role
from domain.errors import InvalidValue, LifecycleViolation
from domain.values import require_text

ACCOUNT_NAMESPACE = uuid.UUID("5b0f7c52-93a4-4d7e-9a61-3c1d2b8e6f10")
"""Account ids are derived from the e-mail address, so an account is found by its address
without any read model."""
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,63}$")
MAX_EMAIL_LENGTH = 254


class InvalidEmail(InvalidValue):
    rule = "account-email-valid"


class AccountDisabled(LifecycleViolation):
    rule = "account-enabled"


class RoleUnchanged(InvalidValue):
    rule = "role-changes"


def normalise_email(email: str | None) -> str:
    """The address as it is kept and compared: trimmed, lower case; ``InvalidEmail`` if it
    does not look like one."""
    value = (email or "").strip().lower()
    if len(value) > MAX_EMAIL_LENGTH or not _EMAIL.match(value):
        raise InvalidEmail("enter an e-mail address, like name@example.org", field="email")
    return value


def account_id(email: str) -> uuid.UUID:
    """The id of the account of an e-mail address (whether it exists or not)."""
    return uuid.uuid5(ACCOUNT_NAMESPACE, normalise_email(email))


class Account(Aggregate):
    """A person of one lab who signs in to the console."""

    TOPIC = "partnerlab:Account"

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:Account.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:Account.Created"
        lab: str
        email: str
        role: Role
        link_hash: str
        link_expires_at: datetime
        actor: str

    class PasswordLinkIssued(Event):
        TOPIC = "partnerlab:Account.PasswordLinkIssued"
        link_hash: str
        link_expires_at: datetime
        actor: str

    class PasswordSet(Event):
        TOPIC = "partnerlab:Account.PasswordSet"
        password_hash: str
        actor: str

    class RoleChanged(Event):
        TOPIC = "partnerlab:Account.RoleChanged"
        role: Role
        previous: Role
        actor: str

    class Disabled(Event):
        TOPIC = "partnerlab:Account.Disabled"
        reason: str | None
        actor: str

    @classmethod
    def create_id(cls, email: str, **_: object) -> uuid.UUID:
        return account_id(email)

    @event(Created)
    def __init__(
        self,
        lab: str,
        email: str,
        role: Role,
        link_hash: str,
        link_expires_at: datetime,
        actor: str,
    ) -> None:
        self.lab = lab
        self.email = email
        self.role = role
        self.link_hash: str | None = link_hash
        self.link_expires_at: datetime | None = link_expires_at
        self.password_hash: str | None = None
        self.disabled = False
        self.created_by = actor

    @classmethod
    def open(
        cls,
        *,
        lab: str,
        email: str,
        role: Role,
        link_hash: str,
        link_expires_at: datetime,
        actor: str,
    ) -> Account:
        """A new account, whose person sets a password through the link of ``link_hash``."""
        if link_expires_at.tzinfo is None:
            raise InvalidValue("the link's expiry needs a time zone", field="link_expires_at")
        return cls(
            lab=require_text(lab, "lab"),
            email=normalise_email(email),
            role=Role(role),
            link_hash=require_text(link_hash, "link_hash"),
            link_expires_at=link_expires_at,
            actor=require_text(actor, "actor"),
        )

    def issue_password_link(self, *, link_hash: str, expires_at: datetime, actor: str) -> None:
        """A new one-time link (the previous one stops working)."""
        self._require_enabled()
        self._issue_link(
            link_hash=require_text(link_hash, "link_hash"),
            link_expires_at=expires_at,
            actor=require_text(actor, "actor"),
        )

    @event(PasswordLinkIssued)
    def _issue_link(self, link_hash: str, link_expires_at: datetime, actor: str) -> None:
        self.link_hash = link_hash
        self.link_expires_at = link_expires_at

    def link_usable(self, now: datetime) -> bool:
        return (
            not self.disabled
            and self.link_hash is not None
            and self.link_expires_at is not None
            and now < self.link_expires_at
        )

    def set_password(self, *, password_hash: str, actor: str) -> None:
        """Keep a new password's hash; the one-time link is used up."""
        self._require_enabled()
        self._set_password(
            password_hash=require_text(password_hash, "password_hash"),
            actor=require_text(actor, "actor"),
        )

    @event(PasswordSet)
    def _set_password(self, password_hash: str, actor: str) -> None:
        self.password_hash = password_hash
        self.link_hash = None
        self.link_expires_at = None

    def change_role(self, *, role: Role, actor: str) -> None:
        self._require_enabled()
        role = Role(role)
        if role == self.role:
            raise RoleUnchanged(f"the account is already {role.value}", field="role")
        self._change_role(role=role, previous=self.role, actor=require_text(actor, "actor"))

    @event(RoleChanged)
    def _change_role(self, role: Role, previous: Role, actor: str) -> None:
        self.role = role

    def disable(self, *, actor: str, reason: str | None = None) -> None:
        self._require_enabled()
        self._disable(reason=(reason or "").strip() or None, actor=require_text(actor, "actor"))

    @event(Disabled)
    def _disable(self, reason: str | None, actor: str) -> None:
        self.disabled = True
        self.link_hash = None
        self.link_expires_at = None

    def _require_enabled(self) -> None:
        if self.disabled:
            raise AccountDisabled(f"the account {self.email} is disabled")
