"""Password hashing with argon2id (``argon2-cffi``'s defaults, RFC 9106's low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PasswordHasher:
    """The ``PasswordHasher`` port over argon2-cffi."""

    def __init__(self, hasher: Argon2Hasher | None = None) -> None:
        self._hasher = hasher or Argon2Hasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False


def fast_hasher() -> Argon2PasswordHasher:
    """Argon2 with tiny costs, for tests only (same code path, milliseconds per hash)."""
    return Argon2PasswordHasher(Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1))
