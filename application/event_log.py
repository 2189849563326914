"""The one event log every context records into: an eventsourcing ``Application`` and the few
things every use case does with it (load an aggregate of the caller's lab, check the version a
writer expected, save and say where the events landed).

There is one log, not one per context, because the audit trail chains every event in one
order and the read models follow one sequence of positions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from types import MethodType
from typing import Any, ClassVar, Protocol, Self, overload
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    OperationalError,
)

from application.context import ACTING_KEY, ACTOR_KEY_ID, Caller
from application.errors import ConcurrentWrite, NotFound, StoreUnavailable, VersionMismatch
from application.results import CommandResult
from application.transcodings import register_domain_transcodings
from domain.activities.speed_dating import SpeedDatingSession
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership

LAB_TIMEZONE = ZoneInfo("Europe/Paris")

SETTLE_MARGIN = timedelta(seconds=1)
"""How far behind the present the past is settled at the latest: a write whose events were
stamped more than this before it reached the writers' lock is refused (``PastSettled``, retry)
once a ``known_at`` read settled a later moment, so ``known_at`` up to now minus this margin is
answered at once, and later moments after waiting for the margin to pass."""


def today_in_lab() -> date:
    return datetime.now(LAB_TIMEZONE).date()


class LabEventLog(Application[UUID]):
    """Where every context's aggregates are stored, as one ordered, chained log.

    Its ``name`` fixes the stored table names (``partnerlab_events``...): never change it.
    """

    name = "partnerlab"
    snapshotting_intervals: ClassVar[dict[Any, int]] = {
        Partnership: 50,
        Organization: 50,
        SpeedDatingSession: 50,
    }

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        recorder = self.recorder
        if hasattr(recorder, "stamp_of"):
            recorder.stamp_of = self._stamp_of

    def _stamp_of(self, stored_event: Any) -> datetime:
        """An event's recording time, decoded as the mapper would (only the state's dict)."""
        state = stored_event.state
        if self.mapper.cipher:
            state = self.mapper.cipher.decrypt(state)
        if self.mapper.compressor:
            state = self.mapper.compressor.decompress(state)
        stamp: datetime = self.mapper.transcoder.decode(state)["timestamp"]
        return stamp

    def settle(self, known_at: datetime) -> None:
        """Make every moment up to ``known_at`` settled: once this returns, nothing stamped at
        or before it can be recorded any more (the recorder refuses it under the writers'
        lock), and everything stamped by then is committed. ``known_at`` later than now minus
        ``SETTLE_MARGIN`` waits until it is that far in the past."""
        settle = getattr(self.recorder, "settle", None)
        if settle is None:  # in-memory recorders (tests): one process, nothing to settle
            return
        horizon = datetime.now(UTC) - SETTLE_MARGIN
        if known_at > horizon:
            time.sleep((known_at - horizon).total_seconds())
            horizon = datetime.now(UTC) - SETTLE_MARGIN
        with store_errors():
            settled: datetime | None = getattr(self.recorder, "settled_until")()  # noqa: B009
            if settled is None or settled < known_at:
                # Settle as far as allowed, so later reads up to there skip this barrier.
                settle(max(horizon, known_at))

    def get(self, aggregate_id: UUID, *, version: int | None = None) -> Any:
        with store_errors():
            return self.repository.get(aggregate_id, version=version)

    def current(self, aggregate_id: UUID) -> Any:
        """The aggregate as stored now, for reading only: with the aggregate cache on, the
        cached object itself (brought up to date from the store, not copied), which the caller
        must not change; without the cache, a fresh load."""
        with store_errors():
            return self.repository.get(aggregate_id, deepcopy_from_cache=False)

    def exists(self, aggregate_id: UUID) -> bool:
        try:
            self.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def owned(
        self,
        caller: Caller,
        cls: type[Any],
        aggregate_id: UUID,
        label: str,
        field: str | None = None,
    ) -> Any:
        """The aggregate if it is a ``cls`` of the caller's lab; ``NotFound`` otherwise (another
        lab's record is as absent as a missing one)."""
        try:
            aggregate = self.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls) or aggregate.lab != caller.lab:
            raise NotFound(f"no {label} {aggregate_id} in this lab", field=field)
        return aggregate

    def stored_events(self, aggregate_id: UUID) -> list[Any]:
        with store_errors():
            return list(self.repository.event_store.get(aggregate_id))

    def record(
        self,
        aggregate: Aggregate,
        expected_version: int | None,
        also: Sequence[Aggregate] = (),
    ) -> CommandResult:
        """Save the aggregate's new events (and those of ``also``, in the same transaction); a
        concurrent write is a version mismatch (with ``If-Match``) or a concurrent write
        (without)."""
        for saved in (aggregate, *also):
            _stamp_acting_key(saved)
        try:
            with store_errors():
                recordings = self.save(aggregate, *also)
        except IntegrityError:
            if expected_version is not None:
                raise VersionMismatch(
                    f"version {expected_version} is no longer current: "
                    "another write was recorded first",
                ) from None
            raise ConcurrentWrite(
                "another write to this record was recorded first; reload and retry"
            ) from None
        positions = [r.notification.id for r in recordings]
        return CommandResult(
            id=aggregate.id,
            version=aggregate.version,
            position=max(positions) if positions else None,
            aggregate=aggregate,
        )

    def head(self) -> int | None:
        """The log's last position (``None`` when empty)."""
        with store_errors():
            return self.recorder.max_notification_id()


def _stamp_acting_key(aggregate: Aggregate) -> None:
    """Record the acting key's id on each new event that names an actor (``ACTING_KEY``).
    Events are frozen; the attribute goes into the stored state like any other, and older
    events, which lack it, read as ``None`` (``getattr(event, ACTOR_KEY_ID, None)``)."""
    key_id = ACTING_KEY.get()
    if key_id is None:
        return
    for pending in aggregate.pending_events:
        if hasattr(pending, "actor"):
            object.__setattr__(pending, ACTOR_KEY_ID, key_id)


def check_version(aggregate: Aggregate, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != aggregate.version:
        raise VersionMismatch(
            f"expected version {expected_version} but it is at version {aggregate.version}",
            current_version=aggregate.version,
        )


class Records(Protocol):
    """A service whose use cases each write one record of the caller's lab (see
    ``RecordCommand`` and ``CreateCommand``)."""

    def load(self, caller: Caller, record_id: UUID, expected_version: int | None) -> Any:
        """The caller's lab's record, checked against the version the writer expected."""
        ...

    def save(self, aggregate: Aggregate, expected_version: int | None) -> CommandResult:
        """Record the aggregate's new events."""
        ...

    def today(self) -> date:
        """The lab's today, for the aggregates' rule that nothing happens in the future."""
        ...


Fields = dict[str, Any]
Prepare = Callable[[Any, Caller, Fields], Fields]


class _AggregateCommand:
    """What ``RecordCommand`` and ``CreateCommand`` share: one line of a service declares a use
    case that runs one command of an aggregate with the caller's fields as its keyword
    arguments, the caller as ``actor`` and, when ``dated``, the lab's ``today`` (and, with
    ``lab``, the caller's lab). ``prepare`` turns the fields first, with the service (looking
    up the organisations they name); ``fields`` turns them when the command runs (after the
    record is loaded). The aggregate's command is where the fields, their types and defaults
    and their rules are written; the service's method takes the use case's name.
    """

    def __init__(
        self,
        command: Callable[..., Any],
        *,
        dated: bool = True,
        lab: bool = False,
        prepare: Prepare | None = None,
        fields: Callable[[Fields], Fields] | None = None,
    ) -> None:
        self.command = command
        self.dated = dated
        self.lab = lab
        self.prepare = prepare
        self.fields = fields
        self.__name__ = self.__qualname__ = command.__name__
        self.__doc__ = command.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = name
        self.__qualname__ = f"{owner.__qualname__}.{name}"

    @overload
    def __get__(self, service: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(
        self, service: Records, owner: type | None = None
    ) -> Callable[..., CommandResult]: ...

    def __get__(
        self, service: Records | None, owner: type | None = None
    ) -> Self | Callable[..., CommandResult]:
        return self if service is None else MethodType(self, service)  # type: ignore[arg-type]

    def _prepared(self, service: Records, caller: Caller, fields: Fields) -> Fields:
        return fields if self.prepare is None else self.prepare(service, caller, fields)

    def _arguments(self, service: Records, caller: Caller, fields: Fields) -> Fields:
        arguments = fields if self.fields is None else self.fields(fields)
        arguments = {**arguments, "actor": caller.actor}
        if self.dated:
            arguments["today"] = service.today()
        if self.lab:
            arguments["lab"] = caller.lab
        return arguments


class RecordCommand(_AggregateCommand):
    """A use case changing one record:
    ``record_meeting = RecordCommand(Partnership.record_meeting)`` gives the service
    ``record_meeting(caller, record_id, *, expected_version=None, **fields)``, which loads the
    caller's lab's record at the version the writer expected (``If-Match``), runs the
    command and records its event."""

    def __call__(
        self,
        service: Records,
        caller: Caller,
        record_id: UUID,
        /,
        *,
        expected_version: int | None = None,
        **fields: Any,
    ) -> CommandResult:
        prepared = self._prepared(service, caller, fields)
        record = service.load(caller, record_id, expected_version)
        self.command(record, **self._arguments(service, caller, prepared))
        return service.save(record, expected_version)


class CreateCommand(_AggregateCommand):
    """A use case creating one record: ``plan_training = CreateCommand(TrainingSession.plan)``
    gives the service ``plan_training(caller, **fields)``."""

    def __call__(self, service: Records, caller: Caller, /, **fields: Any) -> CommandResult:
        prepared = self._prepared(service, caller, fields)
        return service.save(self.command(**self._arguments(service, caller, prepared)), None)


@contextmanager
def store_errors() -> Iterator[None]:
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise StoreUnavailable(f"the event store is unavailable: {error}") from error


def recorded_at(event: object) -> datetime:
    recorded: datetime = getattr(event, "timestamp")  # noqa: B009
    return recorded
