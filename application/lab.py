"""The lab's use cases, context by context, over one event log: the door the API, the console
and the command line go through.

``PartnerLab`` holds one service per context; each service takes what it needs in its
constructor, so a reader sees a use case's collaborators where it is built (here).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from eventsourcing.utils import EnvType

from application.access.accounts import AccountService
from application.access.api_keys import ApiKeyService
from application.access.contact_persons import ContactPersonService
from application.access.ports import (
    AccountDirectory,
    ApiKeyList,
    ConsoleSessionStore,
    ContactDirectory,
    DashboardSessions,
    PasswordHasher,
)
from application.activities.base import ActivityCore
from application.activities.consulting import ConsultingService
from application.activities.funding import FundingService
from application.activities.lab_events import LabEventService
from application.activities.outcomes import ActivityOutcomes, ActivityPolicy
from application.activities.ports import ActivitiesView
from application.activities.speed_dating import SpeedDatingService
from application.activities.training import TrainingService
from application.audit.ports import AuditTrail, HeadSigner, MerkleTree
from application.audit.service import AuditService
from application.event_log import LabEventLog, today_in_lab
from application.followers import ProjectionFollower
from application.followups.ports import FollowUpStore
from application.followups.service import FollowUpService
from application.idempotency import IdempotencyService, IdempotencyStore
from application.partnerships.checks import DataChecks
from application.partnerships.organizations import OrganizationService
from application.partnerships.partnerships import PartnershipService
from application.partnerships.ports import CatalogView
from application.read_models import ReadModels
from application.reporting.ports import ProjectionMonitor, ReportStore
from application.reporting.use_cases import ReportingService


class PartnerLab:
    """Every context's services over one ``LabEventLog``.

    Ports left out (``None``) answer ``StoreUnavailable`` when a use case needs them, so tests
    in memory wire only what they exercise.
    """

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        log: LabEventLog | None = None,
        clock: Callable[[], date] = today_in_lab,
        catalog: CatalogView | None = None,
        idempotency: IdempotencyStore | None = None,
        follower: ProjectionFollower | None = None,
        audit: AuditTrail | None = None,
        activities: ActivitiesView | None = None,
        reports: ReportStore | None = None,
        projection_monitor: ProjectionMonitor | None = None,
        api_key_list: ApiKeyList | None = None,
        dashboard_sessions: DashboardSessions | None = None,
        contacts: ContactDirectory | None = None,
        followups: FollowUpStore | None = None,
        key_pepper: bytes = b"",
        read_wait_seconds: float = 5.0,
        merkle_tree: MerkleTree | None = None,
        head_signer: HeadSigner | None = None,
        head_every_events: int = 1000,
        head_every_seconds: float = 3600.0,
        password_hasher: PasswordHasher | None = None,
        console_sessions: ConsoleSessionStore | None = None,
        account_directory: AccountDirectory | None = None,
    ) -> None:
        self.log = log if log is not None else LabEventLog(env)
        self.clock = clock
        self.read_models = ReadModels(self.log, follower, read_wait_seconds)
        self.organizations = OrganizationService(self.log, catalog, self.read_models)
        self.partnerships = PartnershipService(self.log, self.organizations, clock)
        core = ActivityCore(self.log, self.organizations, self.read_models, activities, clock)
        self.speed_dating = SpeedDatingService(core)
        self.lab_events = LabEventService(core)
        self.consulting = ConsultingService(core)
        self.trainings = TrainingService(core)
        self.funding = FundingService(core)
        self.activity_policy = ActivityPolicy(core)
        self.activity_outcomes = ActivityOutcomes(core)
        self.audit = AuditService(
            self.log,
            self.organizations,
            self.partnerships,
            self.read_models,
            audit,
            origins=self.activity_outcomes.origin_activity,
            tree=merkle_tree,
            signer=head_signer,
            head_every_events=head_every_events,
            head_every_seconds=head_every_seconds,
        )
        self.idempotency = IdempotencyService(idempotency)
        self.reports = ReportingService(reports, self.read_models, clock, projection_monitor)
        self.keys = ApiKeyService(
            self.log, self.read_models, api_key_list, dashboard_sessions, key_pepper
        )
        self.accounts = AccountService(
            self.log,
            self.read_models,
            password_hasher,
            console_sessions,
            account_directory,
            key_pepper,
        )
        self.contact_persons = ContactPersonService(self.log, self.organizations, contacts)
        self.follow_ups = FollowUpService(followups, self.read_models, clock)
        self.checks = DataChecks(self.log, catalog, self.read_models)

    def close(self) -> None:
        self.log.close()
