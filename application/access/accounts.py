"""Accounts and console sessions: create an account, set its password through a one-time
link, sign in and out, change a role, disable.

- The one-time link's token reads ``<account id hex>.<secret>``: the id finds the account in
  the event store, the secret (256 random bits) is compared with the HMAC kept on the account
  (under the server's pepper). It expires (48 hours by default) and setting the password uses
  it up, so a second use fails.
- Passwords are hashed by a ``PasswordHasher`` (argon2 in infrastructure).
- A session is a random reference in a cookie; the store keeps its SHA-256 only, with the
  account, a CSRF token for the session's forms and an expiry. The account is loaded on every
  request, so a disabled account or a changed role takes effect at once.
- Failed sign-ins are counted per address: from the third one in a row each answer is slowed,
  from the fifth the address is locked for a while (unknown addresses alike, so the answers
  tell nobody which addresses exist).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.access.ports import (
    AccountDirectory,
    AccountRow,
    ConsoleSessionStore,
    PasswordHasher,
    SessionRow,
)
from application.context import Caller
from application.errors import ApplicationError, NotFound, StoreUnavailable
from application.event_log import LabEventLog, check_version, store_errors
from application.read_models import ReadModels
from application.results import CommandResult
from domain.access.account import Account, account_id, normalise_email
from domain.access.api_key import Role
from domain.errors import DomainError

LINK_VALID_FOR = timedelta(hours=48)
SESSION_VALID_FOR = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
SLOW_AFTER_FAILURES = 2
LOCK_AFTER_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
_SECRET_BYTES = 32
PASSWORD_PATH = "/set-password"  # noqa: S105 - a path of the console, not a password


def password_link(base_url: str, token: str) -> str:
    """The console's address where a person sets a password with a one-time token."""
    return f"{base_url.rstrip('/')}{PASSWORD_PATH}/{token}"


class LinkInvalid(ApplicationError):
    """The password link is unknown, used already, or expired."""

    rule = "password-link-valid"


class PasswordTooWeak(ApplicationError):
    rule = "password-strength"


class SignInRefused(ApplicationError):
    """Wrong address or password (the message never says which)."""

    rule = "sign-in"


class SignInLocked(SignInRefused):
    rule = "sign-in-locked"

    def __init__(self, message: str, *, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class AccountView:
    id: UUID
    lab: str
    email: str
    role: Role
    disabled: bool
    password_set: bool
    created_by: str
    version: int


@dataclass(frozen=True)
class AccountCreated:
    account: AccountView
    link_token: str
    """The token of the one-time link (shown once; only its HMAC is kept)."""
    expires_at: datetime


@dataclass(frozen=True)
class ConsoleUser:
    """Who a valid session says the person is."""

    account_id: UUID
    lab: str
    email: str
    role: Role
    csrf_token: str

    @property
    def caller(self) -> Caller:
        """The account's lab, and its e-mail as the actor of what it records."""
        return Caller(lab=self.lab, actor=self.email)


@dataclass(frozen=True)
class OpenedSession:
    token: str
    user: ConsoleUser
    expires_at: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def account_view(account: Account) -> AccountView:
    return AccountView(
        id=account.id,
        lab=account.lab,
        email=account.email,
        role=account.role,
        disabled=account.disabled,
        password_set=account.password_hash is not None,
        created_by=account.created_by,
        version=account.version,
    )


class AccountService:
    """The people who sign in to the console, and their sessions."""

    def __init__(
        self,
        log: LabEventLog,
        read_models: ReadModels,
        hasher: PasswordHasher | None,
        sessions: ConsoleSessionStore | None,
        directory: AccountDirectory | None = None,
        pepper: bytes = b"",
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._log = log
        self._read_models = read_models
        self._hasher = hasher
        self._sessions = sessions
        self._directory = directory
        self._pepper = pepper
        self.clock = clock
        self.sleep = sleep
        """How a failed sign-in is slowed down (tests replace it)."""
        self._dummy_hash: str | None = None

    # Accounts -------------------------------------------------------------------------------

    def create_account(self, caller: Caller, *, email: str, role: Role) -> AccountCreated:
        """A new account of the caller's lab; its person sets a password through the link."""
        secret, expires_at = secrets.token_urlsafe(_SECRET_BYTES), self.clock() + LINK_VALID_FOR
        account = Account.open(
            lab=caller.lab,
            email=email,
            role=role,
            link_hash=self._link_hash(secret),
            link_expires_at=expires_at,
            actor=caller.actor,
        )
        if self._log.exists(account.id):
            raise AccountExists(f"an account for {account.email} already exists", field="email")
        self._log.record(account, expected_version=None)
        return AccountCreated(account_view(account), f"{account.id.hex}.{secret}", expires_at)

    def issue_password_link(
        self, caller: Caller, account: UUID, *, expected_version: int | None = None
    ) -> AccountCreated:
        """A new one-time link for an account of the caller's lab (a forgotten password)."""
        found = self._account(caller, account)
        check_version(found, expected_version)
        secret, expires_at = secrets.token_urlsafe(_SECRET_BYTES), self.clock() + LINK_VALID_FOR
        found.issue_password_link(
            link_hash=self._link_hash(secret), expires_at=expires_at, actor=caller.actor
        )
        self._log.record(found, expected_version)
        return AccountCreated(account_view(found), f"{found.id.hex}.{secret}", expires_at)

    def password_link_account(self, token: str) -> AccountView:
        """The account a still-usable link is for (``LinkInvalid`` otherwise)."""
        return account_view(self._linked(token))

    def set_password(self, token: str, password: str) -> AccountView:
        """Set the password through a one-time link; the link is then used up."""
        account = self._linked(token)
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            raise PasswordTooWeak(
                f"a password has at least {MIN_PASSWORD_LENGTH} characters", field="password"
            )
        if password.strip().lower() == account.email:
            raise PasswordTooWeak("the password cannot be the e-mail address", field="password")
        account.set_password(password_hash=self._hasher_port().hash(password), actor=account.email)
        self._log.record(account, expected_version=account.version - 1)
        self._store().close_all(account.id)
        return account_view(account)

    def change_role(
        self, caller: Caller, account: UUID, *, role: Role, expected_version: int | None = None
    ) -> CommandResult:
        found = self._account(caller, account)
        check_version(found, expected_version)
        found.change_role(role=role, actor=caller.actor)
        return self._log.record(found, expected_version)

    def disable_account(
        self,
        caller: Caller,
        account: UUID,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Disable an account: its sessions end now and it can no longer sign in."""
        found = self._account(caller, account)
        check_version(found, expected_version)
        found.disable(actor=caller.actor, reason=reason)
        result = self._log.record(found, expected_version)
        self._store().close_all(found.id)
        return result

    def account_lab(self, account: UUID) -> str:
        """The lab of an account (operators only: the CLI finds accounts by e-mail)."""
        found = self._load(account)
        if found is None:
            raise NotFound(f"no account {account}", field="email")
        return found.lab

    def get_account(self, caller: Caller, account: UUID) -> AccountView:
        return account_view(self._account(caller, account))

    def list_accounts(self, caller: Caller) -> list[AccountRow]:
        """The caller's lab's accounts, by e-mail."""
        if self._directory is None:
            raise StoreUnavailable("the account directory is not configured")
        self._read_models.wait_for_projections()
        with store_errors():
            return self._directory.accounts(caller.lab)

    # Sessions -------------------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> OpenedSession:
        """A new session for the right address and password; ``SignInRefused`` (slowed, then
        ``SignInLocked``) otherwise."""
        store, now = self._store(), self.clock()
        try:
            address = normalise_email(email)
        except DomainError:
            raise SignInRefused("the e-mail address or the password is wrong") from None
        failures = store.failures(address)
        if failures.locked_until is not None and now < failures.locked_until:
            raise SignInLocked(
                "too many failed sign-ins: this account is locked for a while",
                until=failures.locked_until,
            )
        account = self._load(account_id(address))
        hasher = self._hasher_port()
        if account is None or account.password_hash is None or account.disabled:
            hasher.verify(self._dummy(), password)  # the same time as a wrong password
            accepted = False
        else:
            accepted = hasher.verify(account.password_hash, password)
        if not accepted or account is None:
            counted = store.record_failure(
                address,
                now=now,
                lock_after=LOCK_AFTER_FAILURES,
                lock_for_s=LOCK_FOR.total_seconds(),
            )
            if counted.count > SLOW_AFTER_FAILURES:
                self.sleep(min(0.5 * (counted.count - SLOW_AFTER_FAILURES), 3.0))
            if counted.locked_until is not None and now < counted.locked_until:
                raise SignInLocked(
                    "too many failed sign-ins: this account is locked for a while",
                    until=counted.locked_until,
                )
            raise SignInRefused("the e-mail address or the password is wrong")
        store.clear_failures(address)
        token, csrf = secrets.token_urlsafe(_SECRET_BYTES), secrets.token_urlsafe(_SECRET_BYTES)
        expires_at = now + SESSION_VALID_FOR
        store.open(
            SessionRow(
                token_hash=_sha256(token),
                account_id=account.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=expires_at,
            )
        )
        return OpenedSession(token, self._user(account, csrf), expires_at)

    def session_user(self, token: str | None) -> ConsoleUser | None:
        """The person of a live session, or None (unknown, expired, account disabled)."""
        if not token or len(token) > 128:
            return None
        row = self._store().find(_sha256(token))
        if row is None or self.clock() >= row.expires_at:
            return None
        account = self._load(row.account_id)
        if account is None or account.disabled:
            return None
        return self._user(account, row.csrf_token)

    def sign_out(self, token: str | None) -> None:
        if token:
            self._store().close(_sha256(token))

    # Helpers --------------------------------------------------------------------------------

    def _user(self, account: Account, csrf: str) -> ConsoleUser:
        return ConsoleUser(account.id, account.lab, account.email, account.role, csrf)

    def _link_hash(self, secret: str) -> str:
        return hmac.new(self._pepper, secret.encode(), hashlib.sha256).hexdigest()

    def _linked(self, token: str) -> Account:
        invalid = LinkInvalid("this link is unknown, expired or was already used", field="token")
        account_hex, _, secret = (token or "").partition(".")
        try:
            wanted = UUID(hex=account_hex)
        except ValueError:
            raise invalid from None
        account = self._load(wanted)
        if (
            account is None
            or not account.link_usable(self.clock())
            or not hmac.compare_digest(account.link_hash or "", self._link_hash(secret))
        ):
            raise invalid
        return account

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher_port().hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _load(self, wanted: UUID) -> Account | None:
        try:
            found = self._log.get(wanted)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Account) else None

    def _account(self, caller: Caller, wanted: UUID) -> Account:
        found: Account = self._log.owned(caller, Account, wanted, "account", "account_id")
        return found

    def _store(self) -> ConsoleSessionStore:
        if self._sessions is None:
            raise StoreUnavailable("the console session store is not configured")
        return self._sessions

    def _hasher_port(self) -> PasswordHasher:
        if self._hasher is None:
            raise StoreUnavailable("no password hasher is configured")
        return self._hasher


class AccountExists(ApplicationError):
    rule = "account-unique"
