"""API keys: issue, revoke, list, and authenticate a bearer token.

A token reads ``plk_<key id>_<secret>``: the key id (32 hex digits) finds the ``ApiKey``
aggregate in the event store directly, so a key works the moment it is issued, with no read
model to wait for; the secret (256 random bits from ``secrets``) is shown once and only its
HMAC-SHA256 under the server's pepper is stored. A secret that random needs no slow hash
(scrypt would add tens of milliseconds to every request for no gain in strength); the pepper,
kept out of the database, makes the stored hashes useless to whoever reads the log or an
export.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.access.ports import ApiKeyList, ApiKeyRow, DashboardSessions
from application.context import Caller
from application.errors import ApplicationError, Conflict, NotFound, StoreUnavailable
from application.event_log import LabEventLog
from application.followers import API_KEYS
from application.read_models import ReadModels
from application.results import CommandResult, record_view
from domain.access.api_key import ApiKey, Role

HASH_SCHEME = "hmac-sha256"
TOKEN_PREFIX = "plk"  # noqa: S105 - the public prefix of every token, not a secret
SECRET_BYTES = 32
_TOKEN = re.compile(r"^plk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")


class NotAuthenticated(ApplicationError):
    """No valid key: the API answers 401 (the rule tells a client what to fix)."""

    rule = "api-key-invalid"


class KeyRevoked(NotAuthenticated):
    rule = "api-key-revoked"


class KeyExpired(NotAuthenticated):
    rule = "api-key-expired"


@dataclass(frozen=True)
class Principal:
    """Who a valid key says the caller is."""

    key_id: UUID
    lab: str
    name: str
    role: Role

    @property
    def caller(self) -> Caller:
        """The key's lab, and its name as the actor recorded on every event."""
        return Caller(lab=self.lab, actor=self.name)


ApiKeyView = ApiKeyRow
"""A key as the use cases show it: the key list's row (never its secret, nor the hash)."""


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its token, which is never shown again."""

    key: ApiKeyView
    token: str
    position: int | None


def hash_secret(pepper: bytes, secret: str) -> str:
    return hmac.new(pepper, secret.encode(), hashlib.sha256).hexdigest()


def key_view(key: ApiKey) -> ApiKeyView:
    return record_view(ApiKeyView, key)


def _utc_now() -> datetime:
    return datetime.now(UTC)


DASHBOARD_SESSION_SECONDS = 8 * 3600


class KeyNameTaken(Conflict):
    rule = "api-key-name-taken"


def _comparable(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


def _reference_hash(reference: str) -> str:
    return hashlib.sha256(reference.encode()).hexdigest()


class ApiKeyService:
    """Issue, revoke, list and authenticate the keys machines call the API with."""

    def __init__(
        self,
        log: LabEventLog,
        read_models: ReadModels,
        key_list: ApiKeyList | None,
        dashboard_sessions: DashboardSessions | None = None,
        pepper: bytes = b"",
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._log = log
        self._read_models = read_models
        self._key_list_view = key_list
        self.dashboard_sessions = dashboard_sessions
        """The dashboard's browser sessions."""
        self.key_pepper = pepper
        """The server's secret mixed into every key hash (``PARTNERLAB_API_KEY_PEPPER``)."""
        self.key_clock = clock
        """The time keys expire against (tests replace it)."""

    def issue_api_key(
        self,
        caller: Caller,
        *,
        name: str,
        role: Role,
        expires_at: datetime | None = None,
    ) -> IssuedKey:
        """A new key of the caller's lab; the token in the result is shown once only. Its
        name must not be one another key of the lab has (or had): ``KeyNameTaken``."""
        self._refuse_taken_name(caller.lab, name)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        key = ApiKey.issue(
            lab=caller.lab,
            name=name,
            role=role,
            secret_hash=hash_secret(self.key_pepper, secret),
            hash_scheme=HASH_SCHEME,
            actor=caller.actor,
            now=self.key_clock(),
            expires_at=expires_at,
        )
        result = self._log.record(key, expected_version=None)
        token = f"{TOKEN_PREFIX}_{key.id.hex}_{secret}"
        return IssuedKey(key=key_view(key), token=token, position=result.position)

    def revoke_api_key(
        self, caller: Caller, key_id: UUID, *, reason: str | None = None
    ) -> CommandResult:
        """Revoke a key of the caller's lab: it is refused from the next request on."""
        key = self._api_key(caller, key_id)
        key.revoke(actor=caller.actor, reason=reason)
        return self._log.record(key, expected_version=None)

    def get_api_key(self, caller: Caller, key_id: UUID) -> ApiKeyView:
        return key_view(self._api_key(caller, key_id))

    def list_api_keys(self, caller: Caller | None) -> list[ApiKeyView]:
        """The caller's lab's keys, oldest first; ``None`` (operators only): every lab's."""
        self._read_models.wait_for_projections(
            read_models=API_KEYS, lab=caller.lab if caller is not None else None
        )
        return list(self._key_list().keys(caller.lab if caller is not None else None))

    def api_key_lab(self, key_id: UUID) -> str:
        """The lab of a key (operators only: the CLI revokes keys by id alone)."""
        key = self._load_key(key_id)
        if key is None:
            raise NotFound(f"no API key {key_id}", field="key_id")
        return key.lab

    def authenticate(self, token: str) -> Principal:
        """The principal of a valid token; ``NotAuthenticated`` for anything else."""
        match = _TOKEN.match(token)
        if match is None:
            raise NotAuthenticated("the API key is malformed (expected plk_<id>_<secret>)")
        key = self._load_key(UUID(hex=match.group(1)), read_only=True)
        if key is None or not hmac.compare_digest(
            key.secret_hash, hash_secret(self.key_pepper, match.group(2))
        ):
            raise NotAuthenticated("the API key is unknown")
        if key.revoked:
            raise KeyRevoked("the API key was revoked")
        if key.expired(self.key_clock()):
            raise KeyExpired("the API key has expired")
        return Principal(key_id=key.id, lab=key.lab, name=key.name, role=key.role)

    def _refuse_taken_name(self, lab: str, name: str) -> None:
        """Names are compared as people read them: NFC, stripped, case-folded. Checked on the
        key list (waited for); two admins issuing the same name in the same instant could
        both pass, and would still be told apart by ``actor_key_id``."""
        wanted = _comparable(name)
        if not wanted or self._key_list_view is None:
            return
        if self._read_models.following():  # elsewhere the list is read as it is
            self._read_models.wait_for_projections(read_models=API_KEYS)
        if any(_comparable(row.name) == wanted for row in self._key_list().keys(lab)):
            raise KeyNameTaken(
                f"a key of this lab is already named {name.strip()!r}: key names are unique"
                " per lab (revoked keys included), so that a history never shows two holders"
                " under one name",
                field="name",
            )

    # ------------------------------------------------------------------ dashboard sessions

    def open_dashboard_session(self, token: str) -> tuple[str, Principal]:
        """Check ``token`` and open a browser session for its key: the returned reference
        goes in the cookie (the key never does); only its hash is stored."""
        principal = self.authenticate(token)
        reference = secrets.token_urlsafe(SECRET_BYTES)
        self._sessions().open(
            _reference_hash(reference),
            principal.key_id,
            self.key_clock() + timedelta(seconds=DASHBOARD_SESSION_SECONDS),
        )
        return reference, principal

    def authenticate_dashboard_session(self, reference: str) -> Principal:
        """The principal of a live session, its key checked as a bearer key is (revoked or
        expired keys end their sessions)."""
        key_id = self._sessions().key_of(_reference_hash(reference), self.key_clock())
        key = self._load_key(key_id) if key_id is not None else None
        if key is None:
            raise NotAuthenticated("the dashboard session is unknown or has expired")
        if key.revoked:
            raise KeyRevoked("the API key was revoked")
        if key.expired(self.key_clock()):
            raise KeyExpired("the API key has expired")
        return Principal(key_id=key.id, lab=key.lab, name=key.name, role=key.role)

    def close_dashboard_session(self, reference: str) -> None:
        self._sessions().close(_reference_hash(reference))

    def _sessions(self) -> DashboardSessions:
        if self.dashboard_sessions is None:
            raise StoreUnavailable("the dashboard sessions are not configured")
        return self.dashboard_sessions

    def _load_key(self, key_id: UUID, *, read_only: bool = False) -> ApiKey | None:
        """The key as stored now. ``read_only`` (authentication): with the aggregate cache on,
        the cached key checked against its latest stored version (one query returning no row
        when nothing changed, so a revocation recorded by any process is seen by the very next
        request), without copying it."""
        try:
            key = self._log.current(key_id) if read_only else self._log.get(key_id)
        except AggregateNotFoundError:
            return None
        return key if isinstance(key, ApiKey) else None

    def _api_key(self, caller: Caller, key_id: UUID) -> ApiKey:
        key: ApiKey = self._log.owned(caller, ApiKey, key_id, "API key", "key_id")
        return key

    def _key_list(self) -> ApiKeyList:
        if self._key_list_view is None:
            raise StoreUnavailable("the key list is not configured")
        return self._key_list_view
