"""How fast the follow-up list answers for a lab of 10,000 partnerships (target: < 50 ms).

The read model is filled with the items 10,000 partnerships in every stage call for (derived
by ``application.followups.items`` from real aggregates, then stored by the store's own
``replace``), on SQLite and on PostgreSQL; the figure is the median of 20 reads of the whole
list of open items for today, of one staff member's list, and of the first page (the API's
default of ``DEFAULT_PAGE`` items, with the total count) and a page deep in the list, which
the database filters, orders and cuts (``LIMIT``/``OFFSET`` on an index by lab and due date).

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
from application.followups.service import DEFAULT_PAGE
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


def _median_ms(read: object, times: int = 20) -> float:
    timings = []
    for _ in range(times):
        start = time.perf_counter()
        read()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def measure(database: Database, n: int) -> tuple[int, dict[str, float]]:
    store = SqlFollowUpStore(database)
    store.create_tables()
    store.replace(items_for(n), position=1)
    found = len(store.open_items(FollowUpQuery(LAB, TODAY)))

    def page(offset: int) -> None:
        query = FollowUpQuery(LAB, TODAY, limit=DEFAULT_PAGE, offset=offset)
        store.open_items(query)
        store.count_items(query)

    figures = {
        "whole list": _median_ms(lambda: store.open_items(FollowUpQuery(LAB, TODAY))),
        "one owner": _median_ms(
            lambda: store.open_items(FollowUpQuery(LAB, TODAY, owner="staff-3"))
        ),
        f"first page of {DEFAULT_PAGE} + total": _median_ms(lambda: page(0)),
        "page at offset 5000 + total": _median_ms(lambda: page(5000)),
    }
    return found, figures


def report(name: str, n: int, found: int, figures: dict[str, float]) -> None:
    shown = ", ".join(f"{label} {ms:.1f} ms" for label, ms in figures.items())
    print(f"{name:<10} {n} partnerships: {found} open items; {shown} (target < 50 ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partnerships", type=int, default=10_000)
    parser.add_argument("--postgres", default="host=127.0.0.1 port=5432 user=root dbname=postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SQLiteDatabase(Path(tmp) / "bench.sqlite3")
        found, figures = measure(sqlite, args.partnerships)
        sqlite.close()
        report("SQLite", args.partnerships, found, figures)
    import psycopg

    name = f"pl_bench_followups_{uuid4().hex[:8]}"
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        pg = PostgresDatabase(args.postgres.replace("dbname=postgres", f"dbname={name}"))
        found, figures = measure(pg, args.partnerships)
        pg.close()
        report("PostgreSQL", args.partnerships, found, figures)
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


if __name__ == "__main__":
    main()
