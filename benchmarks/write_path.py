"""Write path: milestones per second through the application layer, against raw psycopg.

The application records a meeting the way the API does (``PartnerLab.record_meeting``: load
the partnership, check the rule, encode, insert under the table lock with its hash-chain
link, commit). The baseline, measured in the same run on the same server, inserts rows of
the same shape (same columns, keys and stored-state size) with plain psycopg under the same
ordering guarantee (``LOCK TABLE ... IN EXCLUSIVE MODE``), with and without a chain link of
the same shape. Then the application's time is taken apart (load, decide, encode, store), and
what batching, the library's database functions or its aggregate cache would change is
measured too.

    python -m benchmarks.write_path            # full size
    python -m benchmarks.write_path --quick    # a fifth of the operations
"""

from __future__ import annotations

import hashlib
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from application.context import Caller
from application.lab import PartnerLab
from benchmarks import support
from benchmarks.support import Figure, dsn_for, settings_for, throwaway_database
from domain.partnerships.partnership import Partnership
from domain.values import OrganizationKind, OriginKind
from infrastructure.audit.chained_recorders import ChainedPostgresApplicationRecorder
from partnerlab.bootstrap import Runtime, build_runtime

TODAY = date(2026, 11, 26)
MET_ON = date(2014, 4, 1)
NOTE = "a working meeting on the food bank's traceability software"
PARTNERSHIPS_PER_WRITER = 8
WRITERS = (1, 4)
CALLER = Caller(lab="alsace", actor="claire.staff")

RAW_DDL = (
    "CREATE TABLE raw_events (originator_id uuid NOT NULL, originator_version bigint NOT NULL,"
    " topic text, state bytea, notification_id bigserial,"
    " PRIMARY KEY (originator_id, originator_version))",
    "CREATE UNIQUE INDEX raw_events_notification_id_idx ON raw_events (notification_id)",
    "CREATE TABLE raw_chain (position bigint PRIMARY KEY, link text NOT NULL)",
)


def threaded(writers: int, per_writer: int, work: Callable[[int, int], None]) -> float:
    """Operations per second of ``writers`` threads each calling ``work(writer, n)``."""
    start = threading.Barrier(writers + 1)
    failures: list[BaseException] = []

    def run(writer: int) -> None:
        start.wait()
        try:
            for n in range(per_writer):
                work(writer, n)
        except BaseException as error:  # raised below: a failed writer is no fast writer
            failures.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return writers * per_writer / (time.perf_counter() - started)


class RawWriter:
    """Plain psycopg: one connection per thread, one transaction per write."""

    def __init__(self, dsn: str, topic: str, state: bytes, *, lock: bool, chain: bool) -> None:
        self.dsn = dsn
        self.topic = topic
        self.state = state
        self.lock = lock
        self.chain = chain
        self._local = threading.local()

    def _connection(self) -> psycopg.Connection[Any]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = psycopg.connect(self.dsn)
            self._local.connection = connection
            self._local.originator = uuid.uuid4()
            self._local.version = 0
        return connection

    def write(self, rows: int = 1) -> None:
        connection = self._connection()
        originator = self._local.originator
        first = self._local.version + 1
        self._local.version += rows
        versions = list(range(first, first + rows))
        with connection.transaction():
            if self.lock:
                connection.execute("LOCK TABLE raw_events IN EXCLUSIVE MODE")
            positions = [
                r[0]
                for r in connection.execute(
                    "INSERT INTO raw_events (originator_id, originator_version, topic, state)"
                    " SELECT %s, v, %s, %s FROM unnest(%s::bigint[]) AS v"
                    " RETURNING notification_id",
                    (originator, self.topic, self.state, versions),
                ).fetchall()
            ]
            if self.chain:
                row = connection.execute(
                    "SELECT link FROM raw_chain ORDER BY position DESC LIMIT 1"
                ).fetchone()
                previous = row[0] if row else "0" * 64
                links = []
                for position, version in zip(positions, versions, strict=True):
                    previous = hashlib.sha256(
                        f"{previous}{position}{originator}{version}{self.topic}".encode()
                        + self.state
                    ).hexdigest()
                    links.append((position, previous))
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO raw_chain (position, link) VALUES (%s, %s)", links
                    )

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()


def open_partnerships(app: PartnerLab, count: int) -> list[uuid.UUID]:
    """New partnerships for one measurement, so that every measurement starts with
    partnerships of the same (short) history."""
    association = app.organizations.register_organization(
        CALLER, kind=OrganizationKind.ASSOCIATION, name="Banque alimentaire", territory="67"
    ).id
    company = app.organizations.register_organization(
        CALLER, kind=OrganizationKind.COMPANY, name="IBM France", territory="67"
    ).id
    return [
        app.partnerships.open_partnership(
            CALLER,
            association_id=association,
            company_id=company,
            origin_kind=OriginKind.SPEED_DATING,
            occurred_on=date(2014, 3, 12),
        ).id
        for _ in range(count)
    ]


def app_rate(app: PartnerLab, partnerships: list[uuid.UUID], writers: int, per: int) -> float:
    def work(writer: int, n: int) -> None:
        pid = partnerships[writer * PARTNERSHIPS_PER_WRITER + n % PARTNERSHIPS_PER_WRITER]
        app.partnerships.record_meeting(CALLER, pid, occurred_on=MET_ON, note=NOTE)

    return threaded(writers, per, work)


def raw_rate(writer: RawWriter, writers: int, per: int, rows: int = 1) -> float:
    try:
        return rows * threaded(writers, per, lambda _w, _n: writer.write(rows))
    finally:
        writer.close()


def decompose(app: PartnerLab, partnerships: list[uuid.UUID], samples: int) -> dict[str, float]:
    """Milliseconds per milestone spent loading, deciding, encoding and storing."""
    spent: dict[str, list[float]] = {"load": [], "decide": [], "encode": [], "store": []}
    for n in range(samples):
        pid = partnerships[n % len(partnerships)]
        t0 = time.perf_counter()
        partnership: Partnership = app.log.repository.get(pid)
        t1 = time.perf_counter()
        partnership.record_meeting(occurred_on=MET_ON, actor="claire.staff", today=TODAY, note=NOTE)
        t2 = time.perf_counter()
        stored = [app.log.mapper.to_stored_event(e) for e in partnership.collect_events()]
        t3 = time.perf_counter()
        app.log.recorder.insert_events(stored)
        t4 = time.perf_counter()
        for name, took in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            took_ms = took * 1000
            spent[name].append(took_ms)
    return {name: statistics.mean(values) for name, values in spent.items()}


def library_recorder(database: str, *, functions: bool) -> PostgresApplicationRecorder:
    """eventsourcing's own recorder (no hash chain) on a table of its own."""
    settings = settings_for(database)
    datastore = PostgresDatastore(
        dbname=database,
        host=str(settings.postgres_host),
        port=settings.postgres_port,
        user=settings.postgres_user,
        password=settings.postgres_password,
        pool_size=5,
        enable_db_functions=functions,
        lock_timeout=5,
    )
    name = "lib_fn_events" if functions else "lib_events"
    recorder = PostgresApplicationRecorder(datastore, events_table_name=name)
    recorder.create_table()
    return recorder


def library_rate(recorder: PostgresApplicationRecorder, template: StoredEvent, count: int) -> float:
    originator = uuid.uuid4()
    versions = iter(range(1, count + 1))

    def insert() -> None:
        recorder.insert_events(
            [StoredEvent(originator, next(versions), template.topic, template.state)]
        )

    started = time.perf_counter()
    for _ in range(count):
        insert()
    return count / (time.perf_counter() - started)


class ThreeRoundTripsRecorder(ChainedPostgresApplicationRecorder):
    """The chained recorder as it was: the audit state read in a round trip of its own."""

    single_sync = False


THREE_ROUND_TRIPS = "benchmarks.write_path:ThreeRoundTripsRecorder"


def tuned_app(runtime: Runtime, extra: dict[str, str]) -> PartnerLab:
    return PartnerLab(env=runtime.settings.eventsourcing_env() | extra, clock=lambda: TODAY)


def interleaved(rounds: int, contenders: dict[str, Callable[[], float]]) -> dict[str, float]:
    """The median rate of each contender over ``rounds`` rounds in which they run in turn.

    On a shared machine the load drifts within a run: taking turns in short rounds exposes
    every contender to the same drift, so their ratios hold even when absolute rates do not.
    """
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, measure in contenders.items():
            rates[name].append(measure())
    return {name: statistics.median(values) for name, values in rates.items()}


def run(quick: bool = False, tiny: bool = False) -> list[Figure]:
    rounds = 1 if tiny else 2 if quick else 5
    app_ops, raw_ops, samples = (
        (16, 32, 10) if tiny else (80, 160, 100) if quick else (400, 800, 500)
    )
    figures: list[Figure] = []
    with throwaway_database() as database:
        settings = settings_for(database, postgres_pool_size=8)
        runtime = build_runtime(settings, clock=lambda: TODAY, run_projections=False)
        runtime.app.read_models.follower = None  # nothing follows here: no waits
        dsn = dsn_for(database)
        # As configured: the aggregate cache on, no pre-ping (settings' defaults since issue
        # 13). The variants put back what was there before, one lever at a time.
        variants = {
            "no aggregate cache": tuned_app(runtime, {"AGGREGATE_CACHE_MAXSIZE": ""}),
            "pre-ping": tuned_app(runtime, {"POSTGRES_PRE_PING": "true"}),
            "no cache + pre-ping": tuned_app(
                runtime, {"AGGREGATE_CACHE_MAXSIZE": "", "POSTGRES_PRE_PING": "true"}
            ),
            "the audit state read apart": tuned_app(
                runtime, {"APPLICATION_RECORDER_TOPIC": THREE_ROUND_TRIPS}
            ),
            "all of the former (before)": tuned_app(
                runtime,
                {
                    "AGGREGATE_CACHE_MAXSIZE": "",
                    "POSTGRES_PRE_PING": "true",
                    "APPLICATION_RECORDER_TOPIC": THREE_ROUND_TRIPS,
                },
            ),
        }
        plain = library_recorder(database, functions=False)
        functions = library_recorder(database, functions=True)
        try:
            app = runtime.app
            sample = app.partnerships.record_meeting(
                CALLER, open_partnerships(app, 1)[0], occurred_on=MET_ON, note=NOTE
            )
            (meeting,) = app.log.recorder.select_notifications(start=sample.position, limit=1)
            with psycopg.connect(dsn, autocommit=True) as connection:
                for statement in RAW_DDL:
                    connection.execute(statement)
            print(f"stored state of a meeting: {len(meeting.state)} bytes ({meeting.topic})")
            print(f"medians of {rounds} interleaved rounds")

            def raw(lock: bool, chain: bool, writers: int = 1, rows: int = 1) -> float:
                writer = RawWriter(dsn, meeting.topic, meeting.state, lock=lock, chain=chain)
                return raw_rate(writer, writers, max(1, raw_ops // writers // rows), rows)

            def app_of(lab: PartnerLab, writers: int = 1) -> float:
                fresh = open_partnerships(app, PARTNERSHIPS_PER_WRITER * writers)
                return app_rate(lab, fresh, writers, app_ops // writers)

            app_of(app)  # warm up
            one = {}
            for writers in WRITERS:
                rates = interleaved(
                    rounds,
                    {
                        "app": partial(app_of, app, writers),
                        "raw lock+chain": partial(raw, True, True, writers),
                        "raw lock": partial(raw, True, False, writers),
                        "raw no lock": partial(raw, False, False, writers),
                    },
                )
                if writers == 1:
                    one = rates
                figures += [
                    Figure(
                        "write",
                        f"app, {writers} writer(s), milestones/s",
                        rates["app"],
                        "/s",
                        rates["raw lock+chain"],
                        "raw lock+chain",
                        target=0.8,
                    ),
                    Figure(
                        "write",
                        f"app, {writers} writer(s), vs raw without chain",
                        rates["app"],
                        "/s",
                        rates["raw lock"],
                        "raw lock",
                    ),
                    *(
                        Figure(
                            "write",
                            f"{name}, {writers} writer(s)",
                            rates[name],
                            "rows/s",
                            rates["raw lock+chain"],
                            "raw lock+chain",
                        )
                        for name in ("raw lock", "raw no lock")
                    ),
                ]

            parts = decompose(app, open_partnerships(app, PARTNERSHIPS_PER_WRITER), samples)
            parts["use case, snapshots"] = max(0.0, 1000 / one["app"] - sum(parts.values()))
            total = sum(parts.values())
            print("where a milestone's time goes (1 writer, mean ms):")
            for name, ms in parts.items():
                print(f"  {name:<20} {ms:6.3f} ms  {ms / total:5.1%}")
            raw_ms = {k: 1000 / one[k] for k in ("raw lock+chain", "raw lock", "raw no lock")}
            print(
                f"  raw, 1 writer: insert {raw_ms['raw no lock']:.3f} ms, +table lock"
                f" {raw_ms['raw lock'] - raw_ms['raw no lock']:+.3f} ms, +chain link"
                f" {raw_ms['raw lock+chain'] - raw_ms['raw lock']:+.3f} ms; the recorder's store"
                f" step: {parts['store'] - raw_ms['raw lock+chain']:+.3f} ms more than raw"
                " lock+chain"
            )

            group, batch = 10, 100
            grouped = open_partnerships(app, group * 4)

            def save_group() -> float:
                def work(_writer: int, n: int) -> None:
                    chosen = [grouped[(n * group + k) % len(grouped)] for k in range(group)]
                    aggregates: list[Partnership] = [app.log.repository.get(pid) for pid in chosen]
                    for aggregate in aggregates:
                        aggregate.record_meeting(
                            occurred_on=MET_ON, actor="claire.staff", today=TODAY, note=NOTE
                        )
                    app.log.save(*aggregates)

                return group * threaded(1, max(1, app_ops // group), work)

            rates = interleaved(
                rounds,
                {
                    "raw, 1 row per transaction": lambda: raw(True, True),
                    f"raw, {batch} rows per transaction": lambda: raw(True, True, rows=batch),
                    "app, 1 partnership per transaction": lambda: app_of(app),
                    f"app, {group} partnerships per transaction": save_group,
                },
            )
            figures += [
                Figure(
                    "write",
                    f"raw lock+chain, {batch} rows per transaction",
                    rates[f"raw, {batch} rows per transaction"],
                    "rows/s",
                    rates["raw, 1 row per transaction"],
                    "1 row per transaction",
                ),
                Figure(
                    "write",
                    f"app, {group} partnerships per transaction",
                    rates[f"app, {group} partnerships per transaction"],
                    "events/s",
                    rates["app, 1 partnership per transaction"],
                    "1 per transaction",
                ),
            ]

            rates = interleaved(
                rounds,
                {
                    "as configured": lambda: app_of(app),
                    **{name: partial(app_of, lab) for name, lab in variants.items()},
                },
            )
            figures += [
                Figure(
                    "write",
                    f"app with {name}, 1 writer",
                    rates[name],
                    "/s",
                    rates["as configured"],
                    "as configured",
                )
                for name in variants
            ]

            rates = interleaved(
                rounds,
                {
                    "raw lock": lambda: raw(True, False),
                    "library": lambda: library_rate(plain, meeting, raw_ops),
                    "library functions": lambda: library_rate(functions, meeting, raw_ops),
                },
            )
            figures += [
                Figure(
                    "write",
                    "library recorder (no chain), 1 writer",
                    rates["library"],
                    "events/s",
                    rates["raw lock"],
                    "raw lock",
                ),
                Figure(
                    "write",
                    "library db functions (no lock!), 1 writer",
                    rates["library functions"],
                    "events/s",
                    rates["library"],
                    "library recorder",
                ),
            ]
        finally:
            for variant in variants.values():
                variant.close()
            plain.datastore.close()
            functions.datastore.close()
            runtime.close()
    return support.printed(figures)


if __name__ == "__main__":
    support.quick_command_line(run, __doc__, "a fifth of the operations")
