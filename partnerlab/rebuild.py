"""``partnerlab project --rebuild [--only NAME]``: rebuild read models from the first event,
showing progress, into fresh tables that replace the old ones only once complete (the API
keeps serving the old ones meanwhile).

The reports keep generations of their own (``infrastructure.reporting.projection``); every
other read model is rebuilt by its own store and processor into a copy of its tables beside
the live ones, swapped in once caught up (``infrastructure.blue_green``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.console import Console

from infrastructure.access.accounts import NAME as ACCOUNTS
from infrastructure.access.accounts import AccountDirectoryProcessor, SqlAccountDirectory
from infrastructure.access.api_keys import NAME as API_KEYS
from infrastructure.access.api_keys import ApiKeyListProcessor, SqlApiKeyList
from infrastructure.activities.followers import ActivitiesProcessor
from infrastructure.activities.read_model import NAME as ACTIVITIES
from infrastructure.activities.read_model import SqlActivitiesView
from infrastructure.audit.chained_recorders import chain_table_name
from infrastructure.audit.trail import AuditIndexProcessor, SqlAuditTrail
from infrastructure.blue_green import BlueGreen, ReadModelTables
from infrastructure.database import Database
from infrastructure.follower import CatalogProcessor, LogFollower, Processor
from infrastructure.followups.store import TRACKING as FOLLOWUPS_TRACKING
from infrastructure.followups.store import TRACKING_NAME, FollowUpsProcessor, SqlFollowUpStore
from infrastructure.partnerships.catalog import TRACKING as CATALOG_TRACKING
from infrastructure.partnerships.catalog import SqlCatalogView
from infrastructure.projection_faults import FOLLOWER_POSITIONS
from infrastructure.reporting.projection import RebuildOutcome, ReportsRebuild
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime, followup_policy
from partnerlab.progress import ProgressReport

REPORTS = "reports"


POSITIONS_ROW = FOLLOWER_POSITIONS.select()
"""A read model's position where most keep theirs (its row named by ``key``)."""


Build = Callable[[Runtime, Database], tuple[object, Processor]]
"""Makes the read model's store (with ``create_tables``) and processor on a database."""


def _catalog(runtime: Runtime, db: Database) -> tuple[object, Processor]:
    view = SqlCatalogView(db)
    log = runtime.app.log
    return view, CatalogProcessor(application_name=log.name, mapper=log.mapper, view=view)


def _activities(runtime: Runtime, db: Database) -> tuple[object, Processor]:
    view = SqlActivitiesView(db)
    log = runtime.app.log
    return view, ActivitiesProcessor(application_name=log.name, mapper=log.mapper, view=view)


def _audit_index(runtime: Runtime, db: Database) -> tuple[object, Processor]:
    recorder = runtime.app.log.recorder
    trail = SqlAuditTrail(db, recorder, chain_table_name(recorder.events_table_name))  # type: ignore[attr-defined]
    return trail, AuditIndexProcessor(trail, runtime.app.log.mapper)


def _api_keys(runtime: Runtime, db: Database) -> tuple[object, Processor]:
    keys = SqlApiKeyList(db)
    return keys, ApiKeyListProcessor(keys, runtime.app.log.mapper)


def _accounts(runtime: Runtime, db: Database) -> tuple[object, Processor]:
    accounts = SqlAccountDirectory(db)
    return accounts, AccountDirectoryProcessor(accounts, runtime.app.log.mapper)


def _followups(runtime: Runtime, db: Database) -> tuple[object, Processor]:
    store = SqlFollowUpStore(db)
    policy = followup_policy(runtime.settings)
    return store, FollowUpsProcessor(store, runtime.app.log.get, policy)


READ_MODELS: dict[str, tuple[ReadModelTables, Build]] = {
    "catalog": (
        ReadModelTables(
            "catalog",
            (CATALOG_TRACKING.table, "pl_organizations", "pl_partnerships", "pl_milestones"),
            CATALOG_TRACKING.highest(),
        ),
        _catalog,
    ),
    ACTIVITIES: (
        ReadModelTables(
            ACTIVITIES,
            ("pl_activities", "pl_funding_lines"),
            POSITIONS_ROW,
            ACTIVITIES,
        ),
        _activities,
    ),
    "audit-index": (
        ReadModelTables(
            "audit-index",
            ("pl_audit_index", "pl_aggregate_labs"),
            POSITIONS_ROW,
            "audit-index",
        ),
        _audit_index,
    ),
    API_KEYS: (
        ReadModelTables(API_KEYS, ("pl_api_keys",), POSITIONS_ROW, API_KEYS),
        _api_keys,
    ),
    ACCOUNTS: (
        ReadModelTables(ACCOUNTS, ("pl_accounts",), POSITIONS_ROW, ACCOUNTS),
        _accounts,
    ),
    "followups": (
        ReadModelTables(
            "followups",
            (FOLLOWUPS_TRACKING.table, "pl_followups"),
            FOLLOWUPS_TRACKING.select(),
            key=TRACKING_NAME,
        ),
        _followups,
    ),
}
"""Every read model but the reports, by the name its follower has (``/api/v1/projections``).
The follow-ups' digests sent and feed tokens are not derived from the log: they stay."""

NAMES = (REPORTS, *READ_MODELS)
"""What ``--only`` accepts, in the order ``--rebuild`` rebuilds them."""


@dataclass(frozen=True)
class Rebuilt:
    name: str
    position: int
    events: int
    seconds: float


def rebuild_reports(settings: Settings, console: Console | None = None) -> RebuildOutcome:
    """Rebuild the reports' read model; shows progress on ``console`` if given."""
    runtime = build_runtime(settings, run_projections=False)
    try:
        rebuild = ReportsRebuild(
            store=runtime.stores.reports,
            recorder=runtime.app.log.recorder,
            mapper=runtime.app.log.mapper,
            hold=runtime.followers[REPORTS].hold_stopped,
            batch_size=settings.rebuild_batch_size,
        )
        if console is None:
            return rebuild.run()
        with ProgressReport("rebuilding reports", console) as report:

            def advance(position: int, head: int) -> None:
                report.update(position, max(head, 1))

            return rebuild.run(advance)
    finally:
        runtime.close()


class _Holding:
    """The copy's processor: the events of the labs the live read model holds after a fault
    stay held in the copy too (``LogFollower.hold_stopped``)."""

    def __init__(self, processor: Processor, live: LogFollower) -> None:
        self.processor = processor
        self.live = live
        self.name = processor.name

    def position(self) -> int:
        return self.processor.position()

    def process(self, notifications: Sequence[object]) -> None:
        self.processor.process(self.live.hold_stopped(notifications))  # type: ignore[arg-type]

    def rewind(self, position: int) -> None:
        self.processor.rewind(position)


def rebuild_read_model(
    settings: Settings, name: str, console: Console | None = None, runtime: Runtime | None = None
) -> Rebuilt:
    """Rebuild read model ``name`` (not the reports) into a copy of its tables, swapped in
    once caught up; shows progress on ``console`` if given. Raises ``KeyError`` for an
    unknown name."""
    model, build = READ_MODELS[name]
    own = runtime is None
    runtime = runtime or build_runtime(settings, run_projections=False)
    try:
        started = time.perf_counter()
        blue_green = BlueGreen(runtime.database, model)
        blue_green.discard()
        store, processor = build(runtime, blue_green.copy)
        store.create_tables()  # type: ignore[attr-defined]
        copy = LogFollower(
            recorder=runtime.app.log.recorder,
            processor=_Holding(processor, runtime.followers[name]),
            batch_size=settings.rebuild_batch_size,
        )
        events = [0]
        report = ProgressReport(f"rebuilding {name}", console) if console is not None else None

        def catch_up() -> None:
            def advance(read: int) -> None:
                events[0] += read
                if report is not None:
                    head = runtime.app.read_models.log_head() or 0
                    report.update(min(copy.position(), head), max(head, 1))

            copy.catch_up(advance)

        if report is not None:
            with report:
                catch_up()
                position = blue_green.swap(catch_up)
        else:
            catch_up()
            position = blue_green.swap(catch_up)
        return Rebuilt(name, position, events[0], time.perf_counter() - started)
    finally:
        if own:
            runtime.close()


def rebuild_all(
    settings: Settings, names: Sequence[str] | None = None, console: Console | None = None
) -> list[Rebuilt]:
    """Rebuild the named read models (all without names), one after the other."""
    chosen = list(names or NAMES)
    done: list[Rebuilt] = []
    if REPORTS in chosen:
        outcome = rebuild_reports(settings, console)
        done.append(Rebuilt(REPORTS, outcome.position, outcome.events, outcome.seconds))
    others = [name for name in chosen if name != REPORTS]
    if not others:
        return done
    runtime = build_runtime(settings, run_projections=False)
    try:
        for name in others:
            done.append(rebuild_read_model(settings, name, console, runtime))
    finally:
        runtime.close()
    return done
