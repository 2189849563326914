"""Follows the event log and hands each new batch of notifications to a processor.

eventsourcing 9.5's ``ProjectionRunner`` needs ``recorder.subscribe()``, which its SQLite
recorder does not implement, so followers poll the notification log from their own tracking
position on both databases. The PostgreSQL recorder takes a table lock when it inserts, so
positions commit in order: reading ``> last position`` never skips an event, and a position
lost to a rolled-back insert is simply never seen. A follower does not take that on trust:
it only steps over a gap once no transaction that could still fill it is in flight
(``infrastructure.log_gaps``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    Mapper,
    Notification,
    Tracking,
)
from eventsourcing.persistence import OperationalError as StoreOperationalError

from application.errors import StoreUnavailable
from application.followers import ProjectionFault
from application.partnerships.ports import CatalogChange, CatalogView
from application.partnerships.projections import catalog_changes
from infrastructure.log_gaps import WriterBarrier, first_gap, writer_barrier
from infrastructure.projection_faults import ALL_LABS, HELD_TOPIC, REPLAYING, Fault, SqlFaultLog

TRANSIENT: tuple[type[BaseException], ...] = (
    StoreUnavailable,
    StoreOperationalError,
    IntegrityError,
    OSError,
)
"""Errors that say nothing about the event: the batch is simply tried again later."""

log = logging.getLogger(__name__)
LAB_CACHE_SIZE = 100_000
"""Aggregates whose lab a follower remembers (a lab never changes) while faults exist."""


Heartbeat = Callable[[str, "str | None"], None]
"""``heartbeat(follower name, last error)``: records that the follower is alive."""


class Processor(Protocol):
    """Applies notifications in order and records how far it got, atomically."""

    name: str

    def position(self) -> int: ...

    def process(self, notifications: Sequence[Notification]) -> None: ...

    def rewind(self, position: int) -> None:
        """Move the tracking position back (``partnerlab project --retry``)."""
        ...


def held(notification: Notification) -> Notification:
    """The notification as a processor sees a held event: same position, nothing to apply."""
    return Notification(
        id=notification.id,
        originator_id=notification.originator_id,
        originator_version=notification.originator_version,
        topic=HELD_TOPIC,
        state=b"",
    )


def is_held(notification: Notification) -> bool:
    return notification.topic == HELD_TOPIC


@dataclass(frozen=True)
class FollowerStatus:
    name: str
    position: int
    running: bool
    last_error: str | None
    faults: tuple[ProjectionFault, ...] = ()


class LogFollower:
    def __init__(
        self,
        *,
        recorder: ApplicationRecorder,
        processor: Processor,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        barrier: WriterBarrier | None = None,
    ) -> None:
        self.recorder = recorder
        self.processor = processor
        self.barrier = barrier or writer_barrier(recorder)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.last_error: str | None = None
        self.faults: SqlFaultLog | None = None
        self.mapper: Mapper | None = None  # type: ignore[type-arg]
        self._labs: dict[str, str] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.heartbeat: Heartbeat | None = None
        """Set by an out-of-process projector: called after each pass (at most every
        ``heartbeat_interval`` seconds) so the API can see this follower runs elsewhere."""
        self.heartbeat_interval = 2.0
        self._beat_at = 0.0

    @property
    def name(self) -> str:
        return self.processor.name

    def position(self) -> int:
        return self.processor.position()

    def process_batch(self) -> int:
        """Process the next batch; returns how many notifications it processed."""
        with self._lock:
            faults = self.faults.faults(self.name) if self.faults is not None else []
            if any(f.lab == ALL_LABS and f.state != REPLAYING for f in faults):
                return 0  # an event no lab could be told for: the whole read model waits
            last = self.position()
            notifications = self._settled(last, self._read(last))
            if not notifications:
                return 0
            prepared = self._hold(notifications, faults) if faults else list(notifications)
            try:
                self.processor.process(prepared)
            except TRANSIENT:
                raise
            except Exception:
                if self.faults is None:
                    raise
                return self._isolate(prepared)
            if any(f.state == REPLAYING for f in faults) and self.faults is not None:
                self.faults.finish_replays(self.name, notifications[-1].id)
            return len(notifications)

    def _lab(self, notification: Notification) -> str:
        """The lab of the event's aggregate: the first event of every aggregate names it."""
        key = str(notification.originator_id)
        if key in self._labs:
            return self._labs[key]
        if self.mapper is None:
            return ALL_LABS
        try:
            first = self.recorder.select_events(notification.originator_id, limit=1)
            lab = getattr(self.mapper.to_domain_event(first[0]), "lab", None) if first else None
        except TRANSIENT:
            raise
        except Exception:
            return ALL_LABS
        if not isinstance(lab, str) or not lab:
            return ALL_LABS
        if len(self._labs) > LAB_CACHE_SIZE:
            self._labs.clear()
        self._labs[key] = lab
        return lab

    def _hold(
        self, notifications: Sequence[Notification], faults: list[Fault]
    ) -> list[Notification]:
        """Hold the events of the labs stopped on this read model; within a replay window,
        apply only the replayed labs' events from their fault on (the others were applied)."""
        stopped = {f.lab: f for f in faults if f.state != REPLAYING}
        replays = {f.lab: f for f in faults if f.state == REPLAYING}
        window = max((f.replay_upto or 0 for f in replays.values()), default=0)
        prepared: list[Notification] = []
        for n in notifications:
            lab = self._lab(n)
            replay = replays.get(lab)
            stop = stopped.get(lab)
            if stop is not None and n.id >= stop.position:
                prepared.append(held(n))
            elif n.id <= window:
                replayed = replay is not None and replay.position <= n.id <= (
                    replay.replay_upto or 0
                )
                prepared.append(n if replayed else held(n))
            else:
                prepared.append(n)
        return prepared

    def hold_stopped(self, notifications: Sequence[Notification]) -> list[Notification]:
        """For a rebuild from the first event: the events of the labs stopped on this read
        model held from their fault on, every other event as it is (a lab being replayed
        is rebuilt whole)."""
        faults = self.faults.faults(self.name) if self.faults is not None else []
        stopped = {f.lab: f.position for f in faults if f.state != REPLAYING}
        if not stopped:
            return list(notifications)
        if ALL_LABS in stopped:
            at = stopped[ALL_LABS]
            return [n for n in notifications if n.id < at]
        return [
            held(n) if n.id >= stopped.get(self._lab(n), n.id + 1) else n for n in notifications
        ]

    def _isolate(self, prepared: Sequence[Notification]) -> int:
        """Apply the batch one event at a time to find the one that fails; record it and
        hold its lab from there. Returns how many events this moved past."""
        assert self.faults is not None
        done = 0
        for n in prepared:
            try:
                self.processor.process([n])
            except TRANSIENT:
                raise
            except Exception as error:
                lab = self._lab(n)
                self.faults.record(self.name, lab, n.id, repr(error))
                self.last_error = f"position {n.id} (lab {lab}): {error!r}"
                log.error(
                    "read model %s stopped for lab %s at position %d: %r; fix, then run"
                    " `partnerlab project --retry %s`",
                    self.name,
                    lab,
                    n.id,
                    error,
                    self.name,
                )
                if lab == ALL_LABS:
                    return done
                self.processor.process([held(n)])
            done += 1
        return done

    def retry(self, lab: str | None = None) -> list[Fault]:
        """Replay the events held on this read model (of ``lab`` only, if given)."""
        if self.faults is None:
            return []
        with self._lock:
            replays = self.faults.start_replay(self.name, self.position(), lab)
            if replays:
                self.processor.rewind(min(f.position for f in replays) - 1)
        return replays

    def stopped(self, lab: str) -> list[ProjectionFault]:
        if self.faults is None:
            return []
        return self.faults.stopped([self.name], lab)

    def _read(self, last: int) -> Sequence[Notification]:
        return self.recorder.select_notifications(
            start=last, limit=self.batch_size, inclusive_of_start=False
        )

    def _settled(self, last: int, notifications: Sequence[Notification]) -> Sequence[Notification]:
        """The notifications that may be processed now: all of them unless there is a gap;
        with a gap, those up to the highest position read once no writer is in flight, or
        only those before the gap if the writers did not finish in time."""
        gap = first_gap(last, notifications)
        if gap is None:
            return notifications
        if not self.barrier():
            log.info("%s waits before position %d", self.name, notifications[gap].id)
            return notifications[:gap]
        horizon = notifications[-1].id
        return [n for n in self._read(last) if n.id <= horizon]

    def catch_up(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Process batches until the log's end; ``on_batch`` hears each batch's size."""
        total = 0
        while True:
            try:
                read = self.process_batch()
            except (IntegrityError, psycopg.errors.IntegrityError):
                continue  # another follower recorded these positions first: read on
            total += read
            if on_batch is not None:
                on_batch(read)
            if read < self.batch_size:
                return total

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name=self.name, daemon=True)
        self._thread.start()

    def run_forever(self, stop: threading.Event | None = None) -> None:
        stop_event = stop or self._stop
        while not stop_event.is_set():
            self._step()
            self._beat()
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _beat(self) -> None:
        now = time.monotonic()
        if self.heartbeat is None or now - self._beat_at < self.heartbeat_interval:
            return
        try:
            self.heartbeat(self.name, self.last_error)
            self._beat_at = now
        except Exception as error:  # a missed beat must not stop the projection
            log.warning("%s could not record its heartbeat: %s", self.name, error)

    def _step(self) -> None:
        try:
            self.catch_up()
            if not self.faults or not self.faults.faults(self.name):
                self.last_error = None
        except (StoreUnavailable, StoreOperationalError, OSError) as error:
            self.last_error = str(error)
            log.warning("%s paused: %s", self.name, error)
        except Exception as error:
            self.last_error = repr(error)
            log.exception("%s failed", self.name)

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    @property
    def processes_in_this_process(self) -> bool:
        return self._thread is not None

    def wait_until(self, position: int, timeout: float) -> bool:
        """Block until the processor has reached ``position``; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if self.position() >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            if not self.processes_in_this_process or not self.catch_up():
                time.sleep(0.02)

    def status(self) -> FollowerStatus:
        return FollowerStatus(
            name=self.name,
            position=self.position(),
            running=self.processes_in_this_process,
            last_error=self.last_error,
            faults=tuple(f.public() for f in self.faults.faults(self.name))
            if self.faults is not None
            else (),
        )


class Followers:
    """All of a process's followers, waited for together (read-your-writes)."""

    def __init__(
        self,
        followers: Sequence[LogFollower],
        *,
        faults: SqlFaultLog | None = None,
        mapper: Mapper | None = None,  # type: ignore[type-arg]
    ) -> None:
        self.followers = list(followers)
        self.faults = faults
        for follower in self.followers:
            follower.faults = faults
            follower.mapper = mapper

    @property
    def running(self) -> bool:
        """Whether this process follows the log (threads started), as the API does with its
        projections in process."""
        return any(follower.processes_in_this_process for follower in self.followers)

    def start(self) -> None:
        for follower in self.followers:
            follower.start()

    def stop(self) -> None:
        for follower in self.followers:
            follower.stop()

    def catch_up(self, on_batch: Callable[[int], None] | None = None) -> int:
        return sum(follower.catch_up(on_batch) for follower in self.followers)

    def run_forever(self, stop: threading.Event) -> None:
        threads = [
            threading.Thread(target=f.run_forever, args=(stop,), name=f.name, daemon=True)
            for f in self.followers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def wait_until(self, position: int, timeout: float, names: Sequence[str] | None = None) -> bool:
        """Wait for the named followers (all without names); never raises for an event a
        read model could not apply (that is recorded as a fault)."""
        deadline = time.monotonic() + timeout
        chosen = [f for f in self.followers if names is None or f.name in names]
        return all(f.wait_until(position, max(0.0, deadline - time.monotonic())) for f in chosen)

    def stopped(self, names: Sequence[str], lab: str) -> list[ProjectionFault]:
        if self.faults is None:
            return []
        return self.faults.stopped(names, lab)

    def statuses(self) -> list[FollowerStatus]:
        return [f.status() for f in self.followers]

    def __getitem__(self, name: str) -> LogFollower:
        for follower in self.followers:
            if follower.name == name:
                return follower
        raise KeyError(name)


class CatalogProcessor:
    """Projects events into the catalogue tables (``application.projections``)."""

    name = "catalog"

    def __init__(self, *, application_name: str, mapper: Mapper, view: CatalogView) -> None:  # type: ignore[type-arg]
        self.application_name = application_name
        self.mapper = mapper
        self.view = view

    def position(self) -> int:
        return self.view.max_tracking_id(self.application_name) or 0

    def process(self, notifications: Sequence[Notification]) -> None:
        batch: list[tuple[Tracking, Sequence[CatalogChange]]] = [
            (
                Tracking(self.application_name, n.id),
                [] if is_held(n) else catalog_changes(self.mapper.to_domain_event(n), n.id),
            )
            for n in notifications
        ]
        self.view.apply(batch)

    def rewind(self, position: int) -> None:
        self.view.rewind(self.application_name, position)
