"""Follows the event log and keeps the catalogue read model up to date.

eventsourcing 9.5's ``ProjectionRunner`` needs ``recorder.subscribe()``, which its SQLite
recorder does not implement, so this follower polls the notification log from its tracking
position on both databases. Positions come from the table lock the PostgreSQL recorder takes
on insert, so they commit in order: reading ``> last position`` never skips an event, and a
position lost to a rolled-back insert is simply never seen.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper, Tracking
from eventsourcing.persistence import OperationalError as StoreOperationalError

from application.errors import StoreUnavailable
from application.ports import CatalogChange, CatalogView
from application.projections import catalog_changes

log = logging.getLogger(__name__)


class CatalogFollower:
    def __init__(
        self,
        *,
        application_name: str,
        recorder: ApplicationRecorder,
        mapper: Mapper,  # type: ignore[type-arg]
        view: CatalogView,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        project: Callable[[object, int], list[CatalogChange]] = catalog_changes,
    ) -> None:
        self.application_name = application_name
        self.recorder = recorder
        self.mapper = mapper
        self.view = view
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.project = project
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ processing

    def position(self) -> int:
        return self.view.max_tracking_id(self.application_name) or 0

    def process_batch(self) -> int:
        """Project the next batch of events; returns how many events it read."""
        with self._lock:
            start = self.position()
            notifications = self.recorder.select_notifications(
                start=start, limit=self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                return 0
            batch: list[tuple[Tracking, Sequence[CatalogChange]]] = []
            for notification in notifications:
                event = self.mapper.to_domain_event(notification)
                batch.append(
                    (
                        Tracking(self.application_name, notification.id),
                        self.project(event, notification.id),
                    )
                )
            self.view.apply(batch)
            return len(notifications)

    def catch_up(self) -> int:
        total = 0
        while True:
            try:
                read = self.process_batch()
            except IntegrityError:
                continue  # another follower recorded the same positions first: read on
            total += read
            if read < self.batch_size:
                return total

    # ------------------------------------------------------------------ running

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="catalog-follower", daemon=True)
        self._thread.start()

    def run_forever(self, stop: threading.Event | None = None) -> None:
        stop_event = stop or self._stop
        while not stop_event.is_set():
            self._step()
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _run(self) -> None:
        self.run_forever(self._stop)

    def _step(self) -> None:
        try:
            self.catch_up()
            self.last_error = None
        except (StoreUnavailable, StoreOperationalError, OSError) as error:
            self.last_error = str(error)
            log.warning("catalogue projection paused: %s", error)
        except Exception as error:
            self.last_error = repr(error)
            log.exception("catalogue projection failed")

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def wait_until(self, position: int, timeout: float) -> bool:
        """Block until the read model includes ``position``; False on timeout."""
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

    @property
    def processes_in_this_process(self) -> bool:
        return self._thread is not None
