"""Rebuild throughput of the reports projection on PostgreSQL, against a raw baseline.

Fills a throw-away database with a lifelike log (``benchmarks.report_dataset``) through the
real application, then, at each size, runs in fresh child processes:

- the raw baseline: read the same notifications in the same batches and insert one row per
  event with plain psycopg (``executemany``), one transaction per batch;
- the same baseline with ``COPY`` instead of ``executemany`` (for reference);
- ``partnerlab project --rebuild``'s code path (``ReportsRebuild.run``): decode every event,
  write the bitemporal rows, derive summaries and aggregates, index, swap.

Prints seconds, events per second, the ratio rebuild / baseline (target: at least 0.5) and
each child's peak resident memory, which must not grow with the number of events.

    python -m benchmarks.report_rebuild                       # 250k then 1M events
    python -m benchmarks.report_rebuild --sizes 20000 100000  # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from typing import Any

import psycopg

from benchmarks import support
from benchmarks.report_dataset import TODAY, DatasetWriter
from benchmarks.support import ADMIN_DSN, throwaway_database
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime

BATCH = 5_000
ROUNDS = 2
EVENTS_PER_PARTNERSHIP = 6.5  # about what the data set gives; only used to size the fill


def settings_for(database: str) -> Settings:
    """The benchmark's database; projections run apart, as in production."""
    return support.settings_for(database, projections_in_process=False)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------- children


def child_baseline(database: str, mode: str) -> dict[str, Any]:
    """Read the notifications batch by batch; insert one row per event with plain psycopg."""
    settings = settings_for(database)
    runtime = build_runtime(settings, run_projections=False, clock=lambda: TODAY)
    runtime.app.read_models.follower = None  # nothing follows here: no waits
    recorder = runtime.app.log.recorder
    head = recorder.max_notification_id() or 0
    with psycopg.connect(settings.postgres_conninfo()) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_baseline")
        conn.execute(
            "CREATE TABLE bench_baseline (position BIGINT PRIMARY KEY, originator_id TEXT,"
            " version INTEGER, topic TEXT)"
        )
        conn.commit()
        started = time.perf_counter()
        position = 0
        events = 0
        while position < head:
            notifications = recorder.select_notifications(
                start=position, limit=BATCH, stop=head, inclusive_of_start=False
            )
            if not notifications:
                break
            rows = [
                (n.id, str(n.originator_id), n.originator_version, n.topic) for n in notifications
            ]
            with conn.cursor() as cursor:
                if mode == "copy":
                    with cursor.copy(
                        "COPY bench_baseline (position, originator_id, version, topic) FROM STDIN"
                    ) as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(
                        "INSERT INTO bench_baseline (position, originator_id, version, topic)"
                        " VALUES (%s, %s, %s, %s)",
                        rows,
                    )
            conn.commit()
            position = notifications[-1].id
            events += len(notifications)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_baseline")
        conn.commit()
    runtime.close()
    return {"seconds": seconds, "events": events, "peak_rss_mib": peak_rss_mib()}


def child_rebuild(database: str) -> dict[str, Any]:
    from infrastructure.reporting.projection import ReportsRebuild

    runtime = build_runtime(settings_for(database), run_projections=False, clock=lambda: TODAY)
    runtime.app.read_models.follower = None  # nothing follows here: no waits
    app = runtime.app
    rebuild = ReportsRebuild(
        store=runtime.stores.reports,
        recorder=app.log.recorder,
        mapper=app.log.mapper,
        batch_size=BATCH,
    )
    outcome = rebuild.run()
    runtime.close()
    return {
        "seconds": outcome.seconds,
        "events": outcome.events,
        "phases": outcome.phases,
        "peak_rss_mib": peak_rss_mib(),
    }


def run_child(database: str, mode: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.report_rebuild", "--child", mode, "--db", database],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------- main


def fill_to(writer: DatasetWriter, events: int) -> None:
    while writer.events < events:
        missing = events - writer.events
        writer.add(max(1, min(20_000, int(missing / EVENTS_PER_PARTNERSHIP))))
        print(f"  log holds {writer.events:,} events", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--child", choices=["insert", "copy", "rebuild"])
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        result = (
            child_rebuild(args.db)
            if args.child == "rebuild"
            else child_baseline(args.db, args.child)
        )
        print(json.dumps(result))
        return

    print(f"report rebuild benchmark, {date.today().isoformat()}, PostgreSQL at {ADMIN_DSN}")
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}")
    results = []
    with throwaway_database() as database:
        runtime = build_runtime(settings_for(database), run_projections=False, clock=lambda: TODAY)
        runtime.app.read_models.follower = None  # nothing follows here: no waits
        writer = DatasetWriter(runtime.app)
        for size in sorted(args.sizes):
            started = time.perf_counter()
            fill_to(writer, size)
            print(f"filled to {writer.events:,} events in {time.perf_counter() - started:.0f}s")
            with psycopg.connect(settings_for(database).postgres_conninfo(), autocommit=True) as c:
                c.execute("VACUUM ANALYZE")  # let the filled database settle first
            # Alternate the runs and keep each one's best: the machine may be shared.
            runs: dict[str, list[dict[str, Any]]] = {"insert": [], "copy": [], "rebuild": []}
            for _ in range(ROUNDS):
                for mode, results_of_mode in runs.items():
                    results_of_mode.append(run_child(database, mode))
            insert, copy, rebuild = (min(r, key=lambda x: x["seconds"]) for r in runs.values())
            row = {
                "events": rebuild["events"],
                "baseline_insert_eps": insert["events"] / insert["seconds"],
                "baseline_copy_eps": copy["events"] / copy["seconds"],
                "rebuild_eps": rebuild["events"] / rebuild["seconds"],
                "rebuild_seconds": rebuild["seconds"],
                "ratio_insert": insert["seconds"] / rebuild["seconds"],
                "ratio_copy": copy["seconds"] / rebuild["seconds"],
                "rss_baseline_mib": insert["peak_rss_mib"],
                "rss_rebuild_mib": max(r["peak_rss_mib"] for r in runs["rebuild"]),
                "phases": rebuild["phases"],
            }
            results.append(row)
            print(
                f"{row['events']:>10,} events: baseline {row['baseline_insert_eps']:,.0f} ev/s"
                f" (COPY {row['baseline_copy_eps']:,.0f}), rebuild {row['rebuild_eps']:,.0f} ev/s"
                f" in {row['rebuild_seconds']:.1f}s -> ratio {row['ratio_insert']:.2f}"
                f" (vs COPY {row['ratio_copy']:.2f}); peak RSS baseline"
                f" {row['rss_baseline_mib']:.0f} MiB, rebuild {row['rss_rebuild_mib']:.0f} MiB;"
                f" phases {', '.join(f'{k} {v:.1f}s' for k, v in row['phases'].items())}",
                flush=True,
            )
        runtime.close()
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    if len(results) > 1:
        growth = results[-1]["rss_rebuild_mib"] / results[0]["rss_rebuild_mib"]
        print(
            f"peak memory of the rebuild, {results[0]['events']:,} -> {results[-1]['events']:,}"
            f" events: x{growth:.2f}"
        )


if __name__ == "__main__":
    main()
