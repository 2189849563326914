"""How long verifying the hash chain takes as the log grows (it must be linear).

Fills a throw-away PostgreSQL database with N events through the chained recorder (links
computed as in production), then times ``verify`` at several sizes. Baseline, measured in the
same run: reading the same rows with plain psycopg and hashing their bytes with SHA-256, which
is the least any verification must do. Prints seconds, events per second, the ratio to the
baseline, and how time scales from the smallest size to the largest (1.0 = perfectly linear).

    python -m benchmarks.audit_verify            # 100k, 250k, 500k, 1M events
    python -m benchmarks.audit_verify --sizes 10000 50000
"""

from __future__ import annotations

import argparse
import hashlib
import time
import uuid

import psycopg
from eventsourcing.persistence import StoredEvent

from benchmarks.support import ADMIN_DSN, settings_for, throwaway_database
from partnerlab.bootstrap import build_runtime

BATCH = 2_000
STATE = (
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00+00:00"},'
    b'"occurred_on":{"_type_":"date_iso","_data_":"2024-01-01"},"actor":"bench",'
    b'"note":"a meeting of the food bank and IBM, recorded by the benchmark"}'
)
TOPIC = "partnerlab:Partnership.MeetingHeld"


def fill(recorder: object, start: int, count: int) -> None:
    """Append ``count`` events: 100 per aggregate, as many aggregates as needed."""
    insert = recorder.insert_events  # type: ignore[attr-defined]
    events: list[StoredEvent] = []
    for n in range(start, start + count):
        originator = uuid.UUID(int=n // 100 + 1)
        events.append(StoredEvent(originator, n % 100 + 1, TOPIC, STATE))
        if len(events) == BATCH:
            insert(events)
            events = []
    if events:
        insert(events)


def baseline(dsn: str, table: str, upto: int) -> float:
    """Read every row in position order with plain psycopg and SHA-256 its bytes."""
    started = time.perf_counter()
    digest = hashlib.sha256()
    with psycopg.connect(dsn) as conn, conn.cursor(name="scan") as cursor:
        cursor.itersize = 5_000
        cursor.execute(
            f"SELECT notification_id, originator_id, originator_version, topic, state"
            f" FROM {table} WHERE notification_id <= %s ORDER BY notification_id",
            (upto,),
        )
        for position, originator, version, topic, state in cursor:
            digest.update(f"{position}{originator}{version}{topic}".encode())
            digest.update(state)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100_000, 250_000, 500_000, 1_000_000]
    )
    sizes = sorted(parser.parse_args().sizes)
    with throwaway_database() as name:
        settings = settings_for(name)
        runtime = build_runtime(settings, run_projections=False)
        runtime.app.read_models.follower = None  # nothing follows here: no waits
        dsn = psycopg.conninfo.make_conninfo(ADMIN_DSN, dbname=name)
        table = runtime.app.log.recorder.events_table_name  # type: ignore[attr-defined]
        try:
            print(
                f"{'events':>10} {'verify s':>9} {'events/s':>10} {'baseline s':>11} {'ratio':>6}"
            )
            filled = 0
            results: list[tuple[int, float]] = []
            for size in sizes:
                fill(runtime.app.log.recorder, filled, size - filled)
                filled = size
                started = time.perf_counter()
                verification = runtime.app.audit.verify_audit_chain()
                took = time.perf_counter() - started
                if not verification.ok or verification.checked != size:
                    raise SystemExit(f"verification failed: {verification}")
                base = baseline(dsn, table, size)
                results.append((size, took))
                print(
                    f"{size:>10,} {took:>9.2f} {size / took:>10,.0f} {base:>11.2f}"
                    f" {base / took:>6.2f}"
                )
            (small, t_small), (large, t_large) = results[0], results[-1]
            scaling = (t_large / t_small) / (large / small)
            print(
                f"time per event at {large:,} / at {small:,}: {scaling:.2f} "
                "(1.0 = linear; ratio column = baseline time / verify time)"
            )
        finally:
            runtime.close()


if __name__ == "__main__":
    main()
