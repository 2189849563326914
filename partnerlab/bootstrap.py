"""The composition root: settings in, a wired application out.

The server, the CLI and the tests all build the application here, so they run the same code
with different settings.
"""

from __future__ import annotations

import threading
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
from infrastructure.report_projection import FollowersMonitor, ReportsProcessor
from infrastructure.report_store import SqlReportStore
from infrastructure.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    app: PartnerLab
    database: Database
    followers: Followers
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
    return SQLiteDatabase(settings.sqlite_path, timeout=settings.sqlite_lock_timeout)


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
    app.projection_monitor = FollowersMonitor(followers)
    in_process = settings.projections_in_process if run_projections is None else run_projections
    if in_process:
        followers.start()
    return Runtime(settings=settings, app=app, database=database, followers=followers)


def init_database(settings: Settings) -> None:
    """Create every table: the event store, snapshots, read models and idempotency keys."""
    runtime = build_runtime(settings, run_projections=False)
    runtime.close()


def run_projector(
    settings: Settings, *, once: bool = False, stop: threading.Event | None = None
) -> int:
    """Keep the read models up to date until stopped; with ``once``, catch up and return."""
    runtime = build_runtime(settings, run_projections=False)
    try:
        if once:
            # Again until a pass reads nothing: a policy's own writes come after its position.
            total = read = runtime.followers.catch_up()
            while read:
                read = runtime.followers.catch_up()
                total += read
            return total
        runtime.followers.run_forever(stop or threading.Event())
        return 0
    finally:
        runtime.close()
