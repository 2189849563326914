"""The reports projection as a follower's processor, its full rebuild, and the projections'
status for the application.

Our ``LogFollower`` plays the part of eventsourcing's ``ProjectionRunner`` and the store plays
its ``TrackingRecorder``: the tracking position lives in the same database and moves in the
same transaction as the rows (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import gc
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from application.reporting.ports import ProjectionState
from application.reporting.projection import report_changes
from infrastructure.follower import Followers
from infrastructure.projector_heartbeats import SqlProjectorHeartbeats
from infrastructure.reporting.store import Batch, SqlReportStore

REBUILD_BATCH = 5_000
READ_AHEAD = 2
GC_THRESHOLD = 100_000


REPORTED_TOPICS = frozenset(
    topic for cls in report_changes.registry if (topic := getattr(cls, "TOPIC", None))
)
"""The topics of the events the reports use; the others are not even decoded."""


def decode(mapper: Mapper, notifications: Sequence[Notification]) -> Batch:  # type: ignore[type-arg]
    return [
        (
            n.id,
            report_changes(mapper.to_domain_event(n), n.id) if n.topic in REPORTED_TOPICS else [],
        )
        for n in notifications
    ]


class ReportsProcessor:
    """Keeps the reports' read model up to date, batch by batch (exactly once)."""

    name = "reports"

    def __init__(self, store: SqlReportStore, mapper: Mapper) -> None:  # type: ignore[type-arg]
        self.store = store
        self.mapper = mapper

    def position(self) -> int:
        return self.store.position()

    def process(self, notifications: Sequence[Notification]) -> None:
        self.store.apply(decode(self.mapper, notifications))

    def rewind(self, position: int) -> None:
        self.store.rewind(position)


@dataclass(frozen=True)
class RebuildOutcome:
    generation: int
    position: int
    events: int
    seconds: float
    phases: dict[str, float]
    """Seconds spent streaming rows, deriving summaries and aggregates, and swapping."""


Progress = Callable[[int, int], None]
"""Called with (position reached, position to reach)."""
Reader = Callable[[int], Iterator[Batch]]
"""Gives the decoded batches up to a position, in log order."""


class ReportsRebuild:
    """Rebuild the reports from the first event into a fresh generation, then swap it in.

    Memory stays flat whatever the length of the log: one batch of events is held at a time,
    and summaries and aggregates are derived by the database.
    """

    def __init__(
        self,
        *,
        store: SqlReportStore,
        recorder: ApplicationRecorder,
        mapper: Mapper,  # type: ignore[type-arg]
        batch_size: int = REBUILD_BATCH,
        reader: Reader | None = None,
        hold: Callable[[Sequence[Notification]], Sequence[Notification]] | None = None,
    ) -> None:
        """``hold`` passes the events of the labs the reports hold after a fault as held
        notifications (``LogFollower.hold_stopped``): a rebuild keeps holding them."""
        self.hold = hold
        self.store = store
        self.recorder = recorder
        self.mapper = mapper
        self.batch_size = batch_size
        self.reader = reader or self._read_ahead

    def _after(self, position: int, stop: int | None = None) -> Batch:
        notifications = self.recorder.select_notifications(
            start=position, limit=self.batch_size, stop=stop, inclusive_of_start=False
        )
        if self.hold is not None:
            notifications = self.hold(notifications)
        return decode(self.mapper, notifications)

    def run(self, progress: Progress | None = None) -> RebuildOutcome:
        thresholds = gc.get_threshold()
        gc.set_threshold(GC_THRESHOLD, *thresholds[1:])  # few cycles are made; collect rarely
        try:
            return self._run(progress)
        finally:
            gc.set_threshold(*thresholds)

    def _run(self, progress: Progress | None) -> RebuildOutcome:
        started = time.perf_counter()
        head = self.recorder.max_notification_id() or 0
        generation = self.store.begin_generation()
        position = 0
        events = 0
        if progress:
            progress(0, head)
        for batch in self.reader(head):
            self.store.stream(generation, batch)
            position = batch[-1][0]
            events += len(batch)
            if progress:
                progress(position, head)
        streamed = time.perf_counter()
        self.store.finalize(generation)
        finalized = time.perf_counter()
        final = self.store.swap(generation, position, self._after)
        swapped = time.perf_counter()
        return RebuildOutcome(
            generation=generation.number,
            position=final,
            events=events,
            seconds=swapped - started,
            phases={
                "stream": streamed - started,
                "derive": finalized - streamed,
                "swap": swapped - finalized,
            },
        )

    def _read_ahead(self, head: int) -> Iterator[Batch]:
        """The decoded batches up to ``head``, read and decoded by a second thread while this
        one writes: decoding (Python) and writing (the database) overlap. At most
        ``READ_AHEAD`` batches wait in between, so memory stays flat."""
        batches: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=READ_AHEAD)
        stop = threading.Event()

        def put(item: Batch | BaseException | None) -> None:
            while not stop.is_set():
                try:
                    batches.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def produce() -> None:
            position = 0
            try:
                while position < head and not stop.is_set():
                    batch = self._after(position, stop=head)
                    if not batch:
                        break
                    put(batch)
                    position = batch[-1][0]
            except BaseException as error:  # handed to the consumer, which raises it
                put(error)
            finally:
                put(None)

        reader = threading.Thread(target=produce, name="rebuild-reader", daemon=True)
        reader.start()
        try:
            while (item := batches.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            reader.join(timeout=10)


class FollowersMonitor:
    """``application.report_ports.ProjectionMonitor`` over this process's followers: the
    positions come from the database (so another process's progress shows too), and a
    follower this process does not run is running if its heartbeat from another process
    (``partnerlab project``) is recent."""

    def __init__(
        self, followers: Followers, heartbeats: SqlProjectorHeartbeats | None = None
    ) -> None:
        self.followers = followers
        self.heartbeats = heartbeats

    def statuses(self) -> list[ProjectionState]:
        beats = self.heartbeats.read() if self.heartbeats else {}
        states = []
        for s in self.followers.statuses():
            beat = beats.get(s.name)
            if s.running:
                states.append(
                    ProjectionState(
                        s.name,
                        s.position,
                        True,
                        s.last_error,
                        faults=s.faults,
                        where="in process",
                    )
                )
            elif beat is not None and beat.alive():
                states.append(
                    ProjectionState(
                        s.name,
                        s.position,
                        True,
                        beat.last_error,
                        faults=s.faults,
                        where="out of process",
                        process=beat.process,
                        heartbeat_at=beat.beat_at,
                    )
                )
            else:
                states.append(
                    ProjectionState(
                        s.name,
                        s.position,
                        False,
                        s.last_error or (beat.last_error if beat else None),
                        faults=s.faults,
                        heartbeat_at=beat.beat_at if beat else None,
                    )
                )
        return states
