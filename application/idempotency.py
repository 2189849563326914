"""Idempotent retries: a retried write gets the first answer back and records nothing new."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from application.context import Caller
from application.errors import IdempotencyKeyInFlight, IdempotencyKeyReused, StoreUnavailable
from application.event_log import store_errors


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Reservation:
    """The outcome of claiming an idempotency key: new, a replay, or a conflict."""

    is_new: bool
    stored: StoredResponse | None = None
    fingerprint_matches: bool = True


class IdempotencyStore(Protocol):
    def reserve(self, lab: str, key: str, fingerprint: str) -> Reservation: ...

    def complete(self, lab: str, key: str, response: StoredResponse) -> None: ...

    def release(self, lab: str, key: str) -> None: ...


class IdempotencyService:
    """Claim, complete and release the keys of retried writes, per lab."""

    def __init__(self, store: IdempotencyStore | None) -> None:
        self._store = store

    def claim_idempotency_key(self, caller: Caller, key: str, fingerprint: str) -> Reservation:
        """Claim ``key`` for a request whose content hashes to ``fingerprint``.

        A new key is reserved; a key already completed with the same fingerprint gives back
        the stored response; a different fingerprint raises ``IdempotencyKeyReused``; a key
        still being processed raises ``IdempotencyKeyInFlight``.
        """
        store = self._idempotency()
        with store_errors():
            reservation = store.reserve(caller.lab, key, fingerprint)
        if not reservation.fingerprint_matches:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with a different request",
                field="Idempotency-Key",
            )
        if not reservation.is_new and reservation.stored is None:
            raise IdempotencyKeyInFlight(
                "a request with this Idempotency-Key is still being processed",
                field="Idempotency-Key",
            )
        return reservation

    def complete_idempotency_key(self, caller: Caller, key: str, response: StoredResponse) -> None:
        with store_errors():
            self._idempotency().complete(caller.lab, key, response)

    def release_idempotency_key(self, caller: Caller, key: str) -> None:
        with store_errors():
            self._idempotency().release(caller.lab, key)

    def _idempotency(self) -> IdempotencyStore:
        if self._store is None:
            raise StoreUnavailable("the idempotency store is not configured")
        return self._store
