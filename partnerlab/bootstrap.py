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

from application.event_log import LabEventLog, today_in_lab
from application.followups.items import FollowUpPolicy
from application.lab import PartnerLab
from domain.values import Stage
from infrastructure.access.accounts import AccountDirectoryProcessor, SqlAccountDirectory
from infrastructure.access.api_keys import ApiKeyListProcessor, SqlApiKeyList
from infrastructure.access.console_sessions import SqlConsoleSessionStore
from infrastructure.access.contact_persons import SqlContactDirectory
from infrastructure.access.dashboard_sessions import SqlDashboardSessions
from infrastructure.access.passwords import Argon2PasswordHasher, fast_hasher
from infrastructure.activities.followers import activity_followers
from infrastructure.activities.read_model import SqlActivitiesView
from infrastructure.audit.chained_recorders import chain_table_name
from infrastructure.audit.head_signing import HeadSigningLoop
from infrastructure.audit.signing import TreeHeadSigner, load_signer
from infrastructure.audit.trail import AuditIndexProcessor, SqlAuditTrail
from infrastructure.database import Database, PostgresDatabase, SQLiteDatabase
from infrastructure.follower import CatalogProcessor, Followers, LogFollower
from infrastructure.followups.store import FollowUpsProcessor, SqlFollowUpStore
from infrastructure.idempotency import SqlIdempotencyStore
from infrastructure.partnerships.catalog import SqlCatalogView
from infrastructure.projection_faults import Fault, SqlFaultLog
from infrastructure.projector_heartbeats import SqlProjectorHeartbeats
from infrastructure.reporting.projection import FollowersMonitor, ReportsProcessor
from infrastructure.reporting.store import SqlReportStore
from infrastructure.settings import Settings


@dataclass(frozen=True)
class Stores:
    """The SQL read models and stores the composition root built (for the CLI's operations:
    rebuilds, exports)."""

    catalog: SqlCatalogView
    idempotency: SqlIdempotencyStore
    audit: SqlAuditTrail
    activities: SqlActivitiesView
    key_list: SqlApiKeyList
    contacts: SqlContactDirectory
    reports: SqlReportStore
    followups: SqlFollowUpStore
    accounts: SqlAccountDirectory | None = None
    console_sessions: SqlConsoleSessionStore | None = None


@dataclass
class Runtime:
    settings: Settings
    app: PartnerLab
    database: Database
    followers: Followers
    stores: Stores
    heartbeats: SqlProjectorHeartbeats
    head_signing: HeadSigningLoop | None = None
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.head_signing is not None:
            self.head_signing.stop()
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
    log = LabEventLog(env=settings.eventsourcing_env())
    catalog = SqlCatalogView(database)
    idempotency = SqlIdempotencyStore(database)
    audit = SqlAuditTrail(
        database,
        log.recorder,
        chain_table_name(log.recorder.events_table_name),  # type: ignore[attr-defined]
    )
    activities = SqlActivitiesView(database)
    key_list = SqlApiKeyList(database)
    contacts = SqlContactDirectory(database)
    reports = SqlReportStore(database, sum_limit=settings.report_sum_limit)
    sessions = SqlDashboardSessions(database)
    faults = SqlFaultLog(database)
    followups = SqlFollowUpStore(database)
    accounts = SqlAccountDirectory(database)
    console_sessions = SqlConsoleSessionStore(database)
    for store in (
        catalog,
        idempotency,
        audit,
        activities,
        key_list,
        contacts,
        reports,
        followups,
        sessions,
        faults,
        accounts,
        console_sessions,
    ):
        store.create_tables()
    # A log written before the Merkle tree existed gets its tree now (under the writers' lock).
    audit.tree.build()
    signer: TreeHeadSigner | None = (
        load_signer(settings.audit_signing_key_file) if settings.audit_signing_key_file else None
    )
    app = PartnerLab(
        log=log,
        clock=clock or today_in_lab,
        catalog=catalog,
        idempotency=idempotency,
        audit=audit,
        activities=activities,
        reports=reports,
        api_key_list=key_list,
        dashboard_sessions=sessions,
        contacts=contacts,
        followups=followups,
        key_pepper=settings.api_key_pepper.get_secret_value().encode(),
        read_wait_seconds=settings.read_wait_seconds,
        merkle_tree=audit.tree,
        head_signer=signer,
        head_every_events=settings.audit_head_every_events,
        head_every_seconds=settings.audit_head_every_seconds,
        password_hasher=fast_hasher() if settings.fast_password_hashing else Argon2PasswordHasher(),
        console_sessions=console_sessions,
        account_directory=accounts,
    )
    followers = Followers(
        [
            # First: the activity policy writes events (partnerships) the others then read.
            *activity_followers(
                recorder=log.recorder,
                application_name=log.name,
                mapper=log.mapper,
                policy=app.activity_policy,
                view=activities,
            ),
            LogFollower(
                recorder=log.recorder,
                processor=CatalogProcessor(
                    application_name=log.name, mapper=log.mapper, view=catalog
                ),
            ),
            LogFollower(recorder=log.recorder, processor=AuditIndexProcessor(audit, log.mapper)),
            LogFollower(recorder=log.recorder, processor=ReportsProcessor(reports, log.mapper)),
            LogFollower(recorder=log.recorder, processor=ApiKeyListProcessor(key_list, log.mapper)),
            LogFollower(
                recorder=log.recorder, processor=AccountDirectoryProcessor(accounts, log.mapper)
            ),
            LogFollower(
                recorder=log.recorder,
                processor=FollowUpsProcessor(followups, log.get, followup_policy(settings)),
            ),
        ],
        faults=faults,
        mapper=log.mapper,
    )
    for follower in followers.followers:
        follower.batch_size = settings.follower_batch_size
    # The followers need the activity policy, so they are attached once the services exist.
    app.read_models.follower = followers
    heartbeats = SqlProjectorHeartbeats(database)
    heartbeats.create_tables()
    app.reports.projection_monitor = FollowersMonitor(followers, heartbeats)
    in_process = settings.projections_in_process if run_projections is None else run_projections
    head_signing = HeadSigningLoop(app.audit.sign_head_if_due) if signer else None
    if in_process:
        followers.start()
        if head_signing is not None:
            head_signing.start()
    stores = Stores(
        catalog,
        idempotency,
        audit,
        activities,
        key_list,
        contacts,
        reports,
        followups,
        accounts,
        console_sessions,
    )
    return Runtime(
        settings=settings,
        app=app,
        database=database,
        followers=followers,
        stores=stores,
        heartbeats=heartbeats,
        head_signing=head_signing,
    )


def followup_policy(settings: Settings) -> FollowUpPolicy:
    """Stalled-after days per stage from the settings (stage names as in ``Stage``)."""
    return FollowUpPolicy({Stage(name): days for name, days in settings.stalled_days.items()})


def init_database(settings: Settings) -> None:
    """Create every table: the event store, snapshots, read models and idempotency keys."""
    runtime = build_runtime(settings, run_projections=False)
    runtime.close()


Progress = Callable[[int, int], None]
"""``progress(done, total)``: how far the read models have got, in events (the followers'
positions averaged, up to the log's head)."""


def projection_progress(runtime: Runtime) -> tuple[int, int]:
    """(done, total): the followers' mean position and the log's head."""
    head = runtime.app.read_models.log_head() or 0
    followers = runtime.followers.followers
    if not followers:
        return head, head
    done = sum(min(f.position(), head) for f in followers) // len(followers)
    return done, head


def retry_projection(settings: Settings, name: str, lab: str | None = None) -> list[Fault]:
    """Replay the events ``name`` held after a fault (of ``lab`` only, if given), then catch
    up; returns the faults still recorded for ``name`` (empty when the replay succeeded)."""
    runtime = build_runtime(settings, run_projections=False)
    try:
        follower = runtime.followers[name]
        follower.retry(lab)
        while follower.catch_up():
            pass
        assert runtime.followers.faults is not None
        return runtime.followers.faults.faults(name)
    finally:
        runtime.close()


def projection_faults(settings: Settings) -> list[Fault]:
    runtime = build_runtime(settings, run_projections=False)
    try:
        assert runtime.followers.faults is not None
        return runtime.followers.faults.faults()
    finally:
        runtime.close()


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
            # Catching up a long log: bigger batches, so fewer transactions and round trips
            # (and fewer reloads of an aggregate whose events span batches).
            for follower in runtime.followers.followers:
                follower.batch_size = max(follower.batch_size, settings.rebuild_batch_size)
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
        if runtime.head_signing is not None:
            runtime.head_signing.start()
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
