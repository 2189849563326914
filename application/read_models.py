"""Read-your-writes: waiting, bounded, until the read models include a position of the log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from application.errors import ProjectionsBehind, ProjectionStopped
from application.event_log import LabEventLog, store_errors
from application.followers import ProjectionFollower
from domain.errors import InvalidValue


def attributes(event: object, *names: str) -> dict[str, Any]:
    """The event's attributes of these names, for a projection's row that keeps them as they
    are."""
    return {name: getattr(event, name) for name in names}


_CAUGHT_UP: ContextVar[tuple[frozenset[str], str] | None] = ContextVar("caught_up", default=None)
"""The read models (and lab) that the reads of this context have already waited for."""


class InvalidMoment(InvalidValue):
    """A moment asked for that cannot be answered for good (``known_at`` in the future)."""

    rule = "known-at-in-future"


class ReadModels:
    """How far the read models are, for the use cases that read them after a write.

    ``follower`` is attached by the composition root once the followers exist (they need the
    use cases for the activity policy, so they are built after them); without one, reads do
    not wait (tests in memory, the CLI when projections run elsewhere).
    """

    def __init__(
        self,
        log: LabEventLog,
        follower: ProjectionFollower | None = None,
        wait_seconds: float = 5.0,
    ) -> None:
        self._log = log
        self.follower = follower
        self.wait_seconds = wait_seconds
        """How long a read waits for its read models before answering 503."""

    def wait_for_projections(
        self,
        position: int | None = None,
        timeout: float | None = None,
        *,
        read_models: Sequence[str] | None = None,
        lab: str | None = None,
    ) -> bool:
        """Wait until the read models include ``position`` (default: the log's head now):
        ``read_models`` only if named (a read waits for its own read models, never for an
        unrelated one). With a ``lab``, raise ``ProjectionStopped`` if one of them holds
        that lab after an event it could not apply."""
        if self.follower is None:
            return True
        if position is None and self._caught_up(read_models, lab):
            return True
        if lab is not None and read_models:
            self._refuse_stopped(read_models, lab, replaying=False)
        target = position if position is not None else self.log_head()
        if target is None:
            return True
        reached = self.follower.wait_until(
            target, self.wait_seconds if timeout is None else timeout, read_models
        )
        if lab is not None and read_models:
            self._refuse_stopped(read_models, lab)
            if not reached:
                # A lab's read never serves a read model that is behind the log: 503 and
                # Retry-After, as when it is stopped (never an unrelated read model's fault).
                raise ProjectionsBehind(
                    f"the read model {', '.join(read_models)} has not caught up with the log"
                    " yet; retry shortly"
                )
        return reached

    def _refuse_stopped(
        self, read_models: Sequence[str], lab: str, *, replaying: bool = True
    ) -> None:
        """Raise ``ProjectionStopped`` if a fault holds ``lab``; one being replayed only
        once the wait is over (the replay may have finished meanwhile)."""
        assert self.follower is not None
        with store_errors():
            faults = [
                f
                for f in self.follower.stopped(read_models, lab)
                if replaying or f.state != "replaying"
            ]
        if faults:
            names = ", ".join(sorted({f.read_model for f in faults}))
            raise ProjectionStopped(
                f"the read model {names} is stopped for this lab after an event it could not"
                " apply; an operator has been told; retry later"
            )

    def settle_past(
        self,
        known_at: datetime,
        timeout: float | None = 5.0,
        *,
        read_models: Sequence[str] | None = None,
        lab: str | None = None,
    ) -> bool:
        """Settle the past up to ``known_at`` (``LabEventLog.settle``), then wait until the
        read models include every event committed by then: a read as known at that moment
        then gives the same answer whenever it is asked again. False if they are still behind
        after ``timeout`` seconds (``None``: a read of the event log itself, no waiting)."""
        if known_at > datetime.now(UTC):
            raise InvalidMoment(
                f"known_at {known_at.isoformat()} is in the future: the past is settled up to "
                "now at the latest",
                field="known_at",
            )
        self._log.settle(known_at)
        if timeout is None:
            return True
        return self.wait_for_projections(self.log_head(), timeout, read_models=read_models, lab=lab)

    def following(self) -> bool:
        """Whether the read models are kept up to date by this process: a write's check of a
        read model waits for it only then (a process whose projections run elsewhere, or not
        at all, reads the read model as it is)."""
        return self.follower is not None and bool(getattr(self.follower, "running", True))

    def log_head(self) -> int | None:
        return self._log.head()

    def check_ready(self) -> None:
        """Raise ``StoreUnavailable`` unless the event store answers."""
        self.log_head()

    def settled(
        self,
        attempts: int = 3,
        *,
        read_models: Sequence[str] | None = None,
        lab: str | None = None,
    ) -> None:
        """Wait for the read models; again if a policy wrote meanwhile (its events come after
        the event that caused them, so the first wait may not include them)."""
        if self._caught_up(read_models, lab):
            return
        for _ in range(attempts):
            head = self.log_head()
            self.wait_for_projections(head, read_models=read_models, lab=lab)
            if self.log_head() == head:
                return

    @contextmanager
    def caught_up(self, read_models: Sequence[str], lab: str) -> Iterator[None]:
        """Wait once (as ``settled``) for ``read_models``, 503 if one of them is stopped for
        ``lab``; then the reads inside (one page's, threads included if they run in a copy
        of this context) read those read models without waiting again each: a page of
        several use cases waits once, not once per use case (each wait is several round
        trips). A read for an explicit position still waits for it."""
        self.settled(read_models=read_models, lab=lab)
        token = _CAUGHT_UP.set((frozenset(read_models), lab))
        try:
            yield
        finally:
            _CAUGHT_UP.reset(token)

    @staticmethod
    def _caught_up(read_models: Sequence[str] | None, lab: str | None) -> bool:
        """Whether this context has waited for ``read_models`` of ``lab`` already."""
        done = _CAUGHT_UP.get()
        return (
            done is not None
            and bool(read_models)
            and lab == done[1]
            and set(read_models or ()) <= done[0]
        )
