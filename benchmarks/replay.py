"""Replay: loading a partnership of 1,000 events, with and without snapshots.

The baseline, in the same run, reads the same 1,000 rows with plain psycopg (no decoding):
the least any load must do. "With snapshots" is the worst case of the configured interval
(50): the latest snapshot is 49 events behind the head, so a load decodes the snapshot and
49 events; "without snapshots" decodes all 1,000. Both go through the application's
repository, as a command or a read does.

    python -m benchmarks.replay
"""

from __future__ import annotations

import statistics
import uuid

import psycopg

from application.lab import PartnerLab
from benchmarks import support
from benchmarks.support import Figure, dsn_for, median_seconds, settings_for, throwaway_database
from partnerlab.bootstrap import build_runtime
from tests.faults.backlog import append, prepare

EVENTS = 1_000
BEHIND_SNAPSHOT = 49


def run(quick: bool = False, tiny: bool = False) -> list[Figure]:
    repeat = 3 if tiny else 15 if quick else 40
    figures: list[Figure] = []
    with throwaway_database() as database:
        settings = settings_for(database)
        runtime = build_runtime(settings, run_projections=False)
        runtime.app.read_models.follower = None  # nothing follows here: no waits
        without = PartnerLab(env=settings.eventsourcing_env() | {"IS_SNAPSHOTTING_ENABLED": "n"})
        try:
            app = runtime.app
            backlog = prepare(app, events_per_partnership=EVENTS)
            append(app, backlog, EVENTS)
            (partnership,) = {
                uuid.UUID(str(n.originator_id))
                for n in app.log.recorder.select_notifications(start=3, limit=EVENTS)
            }
            app.log.take_snapshot(partnership, version=EVENTS - BEHIND_SNAPSHOT)
            assert without.log.snapshots is None
            assert app.log.repository.get(partnership).version == EVENTS

            connection = psycopg.connect(dsn_for(database))

            def raw() -> None:
                rows = connection.execute(
                    "SELECT originator_version, topic, state FROM partnerlab_events"
                    " WHERE originator_id = %s ORDER BY originator_version",
                    (partnership,),
                ).fetchall()
                assert len(rows) == EVENTS

            contenders = {
                "raw": raw,
                "with": lambda: app.log.repository.get(partnership),
                "without": lambda: without.log.repository.get(partnership),
            }
            times: dict[str, list[float]] = {name: [] for name in contenders}
            for _ in range(repeat):  # in turns, so that all see the same load
                for name, load in contenders.items():
                    times[name].append(median_seconds(1, load))
            connection.close()
            baseline, with_snapshots, without_snapshots = (
                statistics.median(times[name]) for name in contenders
            )
            baseline *= 1000
            figures.append(
                Figure(
                    "replay",
                    f"load {EVENTS} events, snapshot {BEHIND_SNAPSHOT} behind",
                    with_snapshots * 1000,
                    "ms",
                    baseline,
                    "raw SELECT of the rows",
                    higher_is_better=False,
                )
            )
            figures.append(
                Figure(
                    "replay",
                    f"load {EVENTS} events, no snapshots",
                    without_snapshots * 1000,
                    "ms",
                    baseline,
                    "raw SELECT of the rows",
                    higher_is_better=False,
                )
            )
        finally:
            without.close()
            runtime.close()
    return support.printed(figures)


if __name__ == "__main__":
    support.quick_command_line(run, __doc__, "fewer repetitions")
