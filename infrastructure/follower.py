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
from application.partnerships.ports import CatalogChange, CatalogView
from application.partnerships.projections import catalog_changes
from infrastructure.log_gaps import WriterBarrier, first_gap, writer_barrier

log = logging.getLogger(__name__)


Heartbeat = Callable[[str, "str | None"], None]
"""``heartbeat(follower name, last error)``: records that the follower is alive."""


class Processor(Protocol):
    """Applies notifications in order and records how far it got, atomically."""

    name: str

    def position(self) -> int: ...

    def process(self, notifications: Sequence[Notification]) -> None: ...


@dataclass(frozen=True)
class FollowerStatus:
    name: str
    position: int
    running: bool
    last_error: str | None


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
            last = self.position()
            notifications = self._settled(last, self._read(last))
            if notifications:
                self.processor.process(notifications)
            return len(notifications)

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
            if self.processes_in_this_process:
                self.catch_up()
            else:
                time.sleep(0.02)

    def status(self) -> FollowerStatus:
        return FollowerStatus(
            name=self.name,
            position=self.position(),
            running=self.processes_in_this_process,
            last_error=self.last_error,
        )


class Followers:
    """All of a process's followers, waited for together (read-your-writes)."""

    def __init__(self, followers: Sequence[LogFollower]) -> None:
        self.followers = list(followers)

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

    def wait_until(self, position: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        return all(
            f.wait_until(position, max(0.0, deadline - time.monotonic())) for f in self.followers
        )

    def statuses(self) -> list[FollowerStatus]:
        return [f.status() for f in self.followers]

    def __getitem__(self, name: str) -> LogFollower:
        return next(f for f in self.followers if f.name == name)


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
                catalog_changes(self.mapper.to_domain_event(n), n.id),
            )
            for n in notifications
        ]
        self.view.apply(batch)
