"""Application errors: what a caller did wrong that the domain cannot know about."""

from __future__ import annotations


class ApplicationError(Exception):
    rule: str = "application"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ApplicationError):
    """The id is unknown in the caller's lab (another lab's ids are unknown too)."""

    rule = "not-found"


class VersionMismatch(ApplicationError):
    """The caller expected another version than the one recorded (a stale ``If-Match``)."""

    rule = "expected-version"

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class ConcurrentWrite(ApplicationError):
    """Another write to the same aggregate was recorded first; nothing of this one was kept."""

    rule = "concurrent-write"


class Conflict(ApplicationError):
    """The request contradicts a record already made (a name already taken...)."""

    rule = "conflict"


class IdempotencyKeyReused(ApplicationError):
    """The same Idempotency-Key came back with a different request."""

    rule = "idempotency-key-reused"


class IdempotencyKeyInFlight(ApplicationError):
    """The first request with this Idempotency-Key is still being processed."""

    rule = "idempotency-key-in-flight"


class StoreUnavailable(ApplicationError):
    """The database cannot be reached; nothing was recorded."""

    rule = "store-unavailable"


class CannotProve(ApplicationError):
    """A proof was asked for tree sizes or a position the log cannot prove (422)."""

    rule = "proof-request"


class ProjectionStopped(StoreUnavailable):
    """The read model this read needs holds the caller's lab after an event it could not
    apply; an operator fixes it and runs ``partnerlab project --retry NAME``."""

    rule = "projection-stopped"


class PastSettled(ConcurrentWrite):
    """A report settled the past up to a moment after this write's events were stamped, while
    the write waited for the log: recording them now would change an answer already given.
    Nothing was recorded; the write can be retried (it is stamped afresh)."""

    rule = "past-settled"


class ProjectionsBehind(StoreUnavailable):
    """The read models a read needs have not caught up with the log within the bound (or not
    reached the position asked for); nothing is wrong with the request: retry shortly."""

    rule = "projections-behind"
