"""How fast the follow-up list answers for a lab of 10,000 partnerships (target: < 50 ms).

The read model is filled with the items 10,000 partnerships in every stage call for (derived
by ``application.followups.items`` from real aggregates, then stored by the store's own
``replace``), on SQLite and on PostgreSQL; the figure is the median of 20 reads of the whole
list of open items for today, and of one staff member's list.

    python -m benchmarks.follow_ups [--partnerships 10000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from application.followups.items import FollowUpItem
from application.followups.ports import FollowUpQuery
from infrastructure.database import Database, PostgresDatabase, SQLiteDatabase
from infrastructure.followups.store import SqlFollowUpStore

TODAY = date(2026, 11, 26)
LAB = "bench"


def items_for(n: int) -> dict[UUID, list[FollowUpItem]]:
    subjects: dict[UUID, list[FollowUpItem]] = {}
    for i in range(n):
        pid = uuid4()
        last = TODAY - timedelta(days=i % 400)
        kind = ("stalled", "contract_ending", "evaluation_due")[i % 3]
        subjects[pid] = [
            FollowUpItem(
                key=f"{kind}:{pid}",
                lab=LAB,
                kind=kind,
                subject_type="partnership",
                subject_id=pid,
                owner=f"staff-{i % 12}",
                title=f"partnership {i}",
                visible_from=last + timedelta(days=90),
                due_on=last + timedelta(days=90),
            )
        ]
    return subjects


def measure(database: Database, n: int) -> tuple[int, float, float]:
    store = SqlFollowUpStore(database)
    store.create_tables()
    store.replace(items_for(n), position=1)
    timings_all, timings_owner = [], []
    found = 0
    for _ in range(20):
        start = time.perf_counter()
        found = len(store.open_items(FollowUpQuery(LAB, TODAY)))
        timings_all.append(time.perf_counter() - start)
        start = time.perf_counter()
        store.open_items(FollowUpQuery(LAB, TODAY, owner="staff-3"))
        timings_owner.append(time.perf_counter() - start)
    return found, statistics.median(timings_all) * 1000, statistics.median(timings_owner) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partnerships", type=int, default=10_000)
    parser.add_argument("--postgres", default="host=127.0.0.1 port=5432 user=root dbname=postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SQLiteDatabase(Path(tmp) / "bench.sqlite3")
        found, whole, owner = measure(sqlite, args.partnerships)
        sqlite.close()
        print(
            f"SQLite     {args.partnerships} partnerships: {found} open items, "
            f"whole list {whole:.1f} ms, one owner {owner:.1f} ms (target < 50 ms)"
        )
    import psycopg

    name = f"pl_bench_followups_{uuid4().hex[:8]}"
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        pg = PostgresDatabase(args.postgres.replace("dbname=postgres", f"dbname={name}"))
        found, whole, owner = measure(pg, args.partnerships)
        pg.close()
        print(
            f"PostgreSQL {args.partnerships} partnerships: {found} open items, "
            f"whole list {whole:.1f} ms, one owner {owner:.1f} ms (target < 50 ms)"
        )
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


if __name__ == "__main__":
    main()
