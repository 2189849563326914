"""The composition root: settings in, a wired application out.

The server, the CLI and the tests all build the application here, so they run the same code
with different settings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import psycopg

from application.lab import PartnerLab, today_in_lab
from infrastructure.activities import SqlActivitiesView
from infrastructure.activity_followers import activity_followers
from infrastructure.api_keys import ApiKeyListProcessor, SqlApiKeyList
from infrastructure.audit_trail import AuditIndexProcessor, SqlAuditTrail
from infrastructure.catalog import SqlCatalogView
from infrastructure.chained_recorders import chain_table_name
from infrastructure.contact_persons import SqlContactDirectory
from infrastructure.database import Database, PostgresDatabase, SQLiteDatabase
from infrastructure.follower import CatalogProcessor, Followers, LogFollower
from infrastructure.idempotency import SqlIdempotencyStore
from infrastructure.projector_heartbeats import SqlProjectorHeartbeats
from infrastructure.report_projection import FollowersMonitor, ReportsProcessor
from infrastructure.report_store import SqlReportStore
from infrastructure.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    app: PartnerLab
    database: Database
    followers: Followers
    heartbeats: SqlProjectorHeartbeats
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.followers.stop()
        self.app.close()
        self.database.close()


def open_database(settings: Settings) -> Database:
    if settings.backend == "postgres":
        ensure_schema(settings)
        return PostgresDatabase(
            settings.postgres_conninfo(),
            max_size=settings.postgres_pool_size,
            timeout=settings.postgres_connect_timeout,
        )
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteDatabase(settings.sqlite_path)


def ensure_schema(settings: Settings) -> None:
    """Create the configured PostgreSQL schema if it is missing (eventsourcing does not)."""
    if settings.backend != "postgres" or not settings.postgres_schema:
        return
    from psycopg import sql

    plain = Settings(**(settings.model_dump() | {"postgres_schema": None}))
    with psycopg.connect(plain.postgres_conninfo(), autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(settings.postgres_schema)
            )
        )


def build_runtime(
    settings: Settings | None = None,
    *,
    clock: Callable[[], date] | None = None,
    run_projections: bool | None = None,
) -> Runtime:
    """Build the one application of this process, with its read models and follower.

    Tables are created if missing. With ``run_projections`` (default: the settings'
    ``projections_in_process``) the catalogue is kept up to date by a thread of this process;
    otherwise ``partnerlab project`` does it in its own process.
    """
    settings = settings or Settings()
    database = open_database(settings)
    catalog = SqlCatalogView(database)
    idempotency = SqlIdempotencyStore(database)
    catalog.create_tables()
    idempotency.create_tables()
    app = PartnerLab(
        env=settings.eventsourcing_env(),
        clock=clock or today_in_lab,
        catalog=catalog,
        idempotency=idempotency,
    )
    audit = SqlAuditTrail(
        database,
        app.recorder,
        chain_table_name(app.recorder.events_table_name),  # type: ignore[attr-defined]
    )
    audit.create_tables()
    app.audit = audit
    activities = SqlActivitiesView(database)
    activities.create_tables()
    app.activities = activities
    app.key_pepper = settings.api_key_pepper.get_secret_value().encode()
    key_list = SqlApiKeyList(database)
    key_list.create_tables()
    app.api_key_list = key_list
    app.contacts = SqlContactDirectory(database)
    app.contacts.create_tables()
    reports = SqlReportStore(database)
    reports.create_tables()
    app.reports = reports
    followers = Followers(
        [
            # First: the activity policy writes events (partnerships) the others then read.
            *activity_followers(
                recorder=app.recorder,
                application_name=app.name,
                mapper=app.mapper,
                policy=app,
                view=activities,
            ),
            LogFollower(
                recorder=app.recorder,
                processor=CatalogProcessor(
                    application_name=app.name, mapper=app.mapper, view=catalog
                ),
            ),
            LogFollower(recorder=app.recorder, processor=AuditIndexProcessor(audit, app.mapper)),
            LogFollower(recorder=app.recorder, processor=ReportsProcessor(reports, app.mapper)),
            LogFollower(recorder=app.recorder, processor=ApiKeyListProcessor(key_list, app.mapper)),
        ]
    )
    app.follower = followers
    heartbeats = SqlProjectorHeartbeats(database)
    heartbeats.create_tables()
    app.projection_monitor = FollowersMonitor(followers, heartbeats)
    in_process = settings.projections_in_process if run_projections is None else run_projections
    if in_process:
        followers.start()
    return Runtime(
        settings=settings, app=app, database=database, followers=followers, heartbeats=heartbeats
    )


def init_database(settings: Settings) -> None:
    """Create every table: the event store, snapshots, read models and idempotency keys."""
    runtime = build_runtime(settings, run_projections=False)
    runtime.close()


Progress = Callable[[int, int], None]
"""``progress(done, total)``: how far the read models have got, in events (the followers'
positions averaged, up to the log's head)."""


def projection_progress(runtime: Runtime) -> tuple[int, int]:
    """(done, total): the followers' mean position and the log's head."""
    head = runtime.app.log_head() or 0
    followers = runtime.followers.followers
    if not followers:
        return head, head
    done = sum(min(f.position(), head) for f in followers) // len(followers)
    return done, head


def run_projector(
    settings: Settings,
    *,
    once: bool = False,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    progress_every: float = 0.25,
) -> int:
    """Keep the read models up to date until stopped; with ``once``, catch up and return.

    Following, each follower records a heartbeat (``pl_projector_heartbeats``) so the API's
    ``/projections`` shows it running out of process. ``progress`` hears how far they got,
    at most every ``progress_every`` seconds.
    """
    runtime = build_runtime(settings, run_projections=False)
    try:
        report = _throttled(runtime, progress, progress_every)
        if once:
            report(0)
            # Again until a pass reads nothing: a policy's own writes come after its position.
            total = read = runtime.followers.catch_up(report)
            while read:
                read = runtime.followers.catch_up(report)
                total += read
            report(-1)
            return total
        stop = stop or threading.Event()
        for follower in runtime.followers.followers:
            follower.heartbeat = runtime.heartbeats.beat
            follower.heartbeat_interval = 2.0
        watcher = None
        if progress is not None:
            watcher = threading.Thread(
                target=_watch, args=(report, stop, progress_every), name="progress", daemon=True
            )
            watcher.start()
        try:
            runtime.followers.run_forever(stop)
        finally:
            if watcher is not None:
                watcher.join(timeout=5)
            for follower in runtime.followers.followers:
                try:
                    runtime.heartbeats.stopped(follower.name)
                except Exception:  # noqa: S112 - the database may be what stopped us
                    continue
        return 0
    finally:
        runtime.close()


def _throttled(runtime: Runtime, progress: Progress | None, every: float) -> Callable[[int], None]:
    """A batch callback that reports progress at most every ``every`` seconds (and always
    when given -1: the end)."""
    last = [float("-inf")]

    def report(read: int) -> None:
        if progress is None:
            return
        now = time.monotonic()
        if read != -1 and now - last[0] < every:
            return
        last[0] = now
        progress(*projection_progress(runtime))

    return report


def _watch(report: Callable[[int], None], stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            report(-1)
        except Exception:  # noqa: S112 - progress is best effort; the followers log errors
            continue
