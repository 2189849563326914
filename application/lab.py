"""The Partnerlab application: one use-case method per command, plain views for queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    OperationalError,
)
from eventsourcing.utils import EnvType

from application.activities import LabActivities
from application.api_keys import ApiKeyUseCases
from application.audit import Digest, Verification
from application.contact_persons import ContactPersonUseCases
from application.context import ACTING_KEY, ACTOR_KEY_ID, Caller
from application.errors import (
    ConcurrentWrite,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    NotFound,
    ProjectionStopped,
    StoreUnavailable,
    VersionMismatch,
)
from application.history import history_entry
from application.ports import (
    AUDIT_INDEX,
    CATALOG,
    AuditEntry,
    AuditFilter,
    AuditTrail,
    CatalogView,
    IdempotencyStore,
    ProjectionFollower,
    Reservation,
    StoredResponse,
)
from application.presenters import organization_view, partnership_view
from application.reporting import Reporting
from application.transcodings import register_domain_transcodings
from application.views import (
    CommandResult,
    HistoryEntry,
    LineageView,
    OrganizationFilter,
    OrganizationSummary,
    OrganizationView,
    OriginView,
    Page,
    PageRequest,
    PartnershipFilter,
    PartnershipSummary,
    PartnershipView,
)
from domain.organization import Organization
from domain.partnership import Partnership
from domain.speed_dating import SpeedDatingSession
from domain.values import Category, CommittedValue, OrganizationKind, Origin, OriginKind, SubKind

LAB_TIMEZONE = ZoneInfo("Europe/Paris")


def today_in_lab() -> date:
    return datetime.now(LAB_TIMEZONE).date()


class PartnerLab(
    Application[UUID], LabActivities, ApiKeyUseCases, ContactPersonUseCases, Reporting
):
    """The application a lab's staff, auditors and reports go through.

    Its ``name`` fixes the stored table names (``partnerlab_events``...): never change it.
    """

    name = "partnerlab"
    snapshotting_intervals: ClassVar[dict[Any, int]] = {
        Partnership: 50,
        Organization: 50,
        SpeedDatingSession: 50,
    }

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        clock: Callable[[], date] = today_in_lab,
        catalog: CatalogView | None = None,
        idempotency: IdempotencyStore | None = None,
        follower: ProjectionFollower | None = None,
        audit: AuditTrail | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.catalog = catalog
        self.idempotency = idempotency
        self.follower = follower
        self.audit = audit

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # ------------------------------------------------------------------ organisations

    def register_organization(
        self,
        caller: Caller,
        *,
        kind: OrganizationKind,
        name: str,
        territory: str,
        legal_identifier: str | None = None,
        field_of_activity: str | None = None,
        description: str | None = None,
    ) -> CommandResult:
        organization = Organization.register(
            lab=caller.lab,
            kind=kind,
            name=name,
            territory=territory,
            actor=caller.actor,
            legal_identifier=legal_identifier,
            field_of_activity=field_of_activity,
            description=description,
        )
        return self._save(organization, expected_version=None)

    def update_organization(
        self,
        caller: Caller,
        organization_id: UUID,
        *,
        expected_version: int | None = None,
        **changes: Any,
    ) -> CommandResult:
        organization = self._organization(caller, organization_id)
        _check_version(organization, expected_version)
        organization.update(actor=caller.actor, **changes)
        return self._save(organization, expected_version)

    def archive_organization(
        self,
        caller: Caller,
        organization_id: UUID,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        organization = self._organization(caller, organization_id)
        _check_version(organization, expected_version)
        organization.archive(actor=caller.actor, reason=reason)
        return self._save(organization, expected_version)

    def get_organization(self, caller: Caller, organization_id: UUID) -> OrganizationView:
        return organization_view(self._organization(caller, organization_id))

    def list_organizations(
        self, caller: Caller, filters: OrganizationFilter, page: PageRequest
    ) -> Page[OrganizationSummary]:
        return self._catalog().list_organizations(caller.lab, filters, page)

    # ------------------------------------------------------------------ partnerships

    def open_partnership(
        self,
        caller: Caller,
        *,
        association_id: UUID,
        company_id: UUID,
        origin_kind: OriginKind,
        occurred_on: date,
        origin_reference_id: str | None = None,
        note: str | None = None,
    ) -> CommandResult:
        association = self._organization(caller, association_id, field="association_id")
        company = self._organization(caller, company_id, field="company_id")
        partnership = Partnership.open(
            association=association,
            company=company,
            origin=Origin(origin_kind, origin_reference_id),
            occurred_on=occurred_on,
            actor=caller.actor,
            today=self.clock(),
            note=note,
        )
        return self._save(partnership, expected_version=None)

    def record_meeting(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        occurred_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.record_meeting(
                occurred_on=occurred_on, actor=caller.actor, today=self.clock(), note=note
            )
        return result()

    def propose_idea(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        title: str,
        proposed_category: Category,
        occurred_on: date,
        description: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.propose_idea(
                title=title,
                proposed_category=proposed_category,
                occurred_on=occurred_on,
                description=description,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def start_co_construction(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        idea_id: UUID,
        occurred_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.start_co_construction(
                idea_id=idea_id,
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def record_progress(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        progress: str,
        occurred_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.record_progress(
                progress=progress,
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def sign_contract(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        category: Category,
        sub_kind: SubKind,
        signed_on: date,
        starts_on: date,
        ends_on: date,
        financial_eur: Decimal = Decimal(0),
        in_kind_eur: Decimal = Decimal(0),
        skills_days: Decimal = Decimal(0),
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.sign_contract(
                category=category,
                sub_kind=sub_kind,
                starts_on=starts_on,
                ends_on=ends_on,
                committed=CommittedValue(financial_eur, in_kind_eur, skills_days),
                signed_on=signed_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def record_evaluation(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        occurred_on: date,
        beneficiaries: int = 0,
        jobs_created: int = 0,
        volunteer_days: Decimal = Decimal(0),
        skills_days: Decimal = Decimal(0),
        in_kind_eur: Decimal = Decimal(0),
        satisfaction: int | None = None,
        findings: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.record_evaluation(
                occurred_on=occurred_on,
                beneficiaries=beneficiaries,
                jobs_created=jobs_created,
                volunteer_days=volunteer_days,
                skills_days=skills_days,
                in_kind_eur=in_kind_eur,
                satisfaction=satisfaction,
                findings=findings,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def renew_contract(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        occurred_on: date,
        ends_on: date,
        financial_eur: Decimal = Decimal(0),
        in_kind_eur: Decimal = Decimal(0),
        skills_days: Decimal = Decimal(0),
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.renew_contract(
                ends_on=ends_on,
                committed=CommittedValue(financial_eur, in_kind_eur, skills_days),
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def abandon_partnership(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        reason: str,
        occurred_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.abandon(
                reason=reason,
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def correct_milestone(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        target_version: int,
        changes: dict[str, Any],
        reason: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.correct(
                target_version=target_version,
                changes=changes,
                reason=reason,
                actor=caller.actor,
                today=self.clock(),
            )
        return result()

    def get_partnership(
        self, caller: Caller, partnership_id: UUID, *, version: int | None = None
    ) -> PartnershipView:
        partnership = self._partnership(caller, partnership_id)
        if version is None or version == partnership.version:
            return partnership_view(partnership)  # no second load (a write's response)
        if not 1 <= version <= partnership.version:
            raise NotFound(
                f"partnership {partnership_id} has no version {version} "
                f"(it is at version {partnership.version})",
                field="version",
            )
        at_version = self._get(partnership_id, version=version)
        return partnership_view(at_version)

    def list_partnerships(
        self, caller: Caller, filters: PartnershipFilter, page: PageRequest
    ) -> Page[PartnershipSummary]:
        return self._catalog().list_partnerships(caller.lab, filters, page)

    # ------------------------------------------------------------------ audit and time travel

    def partnership_history(self, caller: Caller, partnership_id: UUID) -> list[HistoryEntry]:
        """Every recorded event of the partnership, in order, with its log position."""
        self._partnership(caller, partnership_id)
        return self._history(partnership_id, caller.lab)

    def organization_history(self, caller: Caller, organization_id: UUID) -> list[HistoryEntry]:
        self._organization(caller, organization_id)
        return self._history(organization_id, caller.lab)

    def _history(self, aggregate_id: UUID, lab: str) -> list[HistoryEntry]:
        with _store_errors():
            events = list(self.repository.event_store.get(aggregate_id))
        positions: dict[int, int] = {}
        if self.audit is not None:
            self.wait_for_projections(read_models=AUDIT_INDEX, lab=lab)
            positions = self._audit().positions(aggregate_id)
        return [history_entry(e, positions.get(e.originator_version)) for e in events]

    def partnership_known_at(
        self, caller: Caller, partnership_id: UUID, known_at: datetime
    ) -> PartnershipView:
        """The partnership as the system knew it at recording time ``known_at``."""
        self._partnership(caller, partnership_id)
        version = self._version_known_at(partnership_id, known_at)
        return partnership_view(self._get(partnership_id, version=version))

    def partnership_as_of(
        self,
        caller: Caller,
        partnership_id: UUID,
        as_of: date,
        *,
        known_at: datetime | None = None,
    ) -> PartnershipView:
        """The partnership as it stood on business date ``as_of`` (optionally, as known at
        ``known_at``): only the milestones that had happened by then."""
        partnership = self._partnership(caller, partnership_id)
        if known_at is not None:
            version = self._version_known_at(partnership_id, known_at)
            partnership = self._get(partnership_id, version=version)
        past = partnership.as_it_stood_on(as_of)
        if past is None:
            raise NotFound(
                f"partnership {partnership_id} had not been opened on {as_of.isoformat()}",
                field="as_of",
            )
        return partnership_view(past)

    def _version_known_at(self, aggregate_id: UUID, known_at: datetime) -> int:
        with _store_errors():
            events = list(self.repository.event_store.get(aggregate_id))
        known = [e.originator_version for e in events if _recorded_at(e) <= known_at]
        if not known:
            raise NotFound(
                f"{aggregate_id} had not been recorded yet at {known_at.isoformat()}",
                field="known_at",
            )
        return max(known)

    def partnership_lineage(self, caller: Caller, partnership_id: UUID) -> LineageView:
        """How the partnership emerged: its origin and the pairs met there, then every step."""
        partnership = self._partnership(caller, partnership_id)
        view = partnership_view(partnership)
        others: list[PartnershipSummary] = []
        first_met_on = view.opened_on
        if view.origin_reference_id and self.catalog is not None:
            self.wait_for_projections(read_models=CATALOG, lab=caller.lab)
            pairs = self._catalog().list_partnerships(
                caller.lab,
                PartnershipFilter(origin_reference_id=view.origin_reference_id),
                PageRequest(limit=200),
            )
            others = [p for p in pairs.items if p.id != partnership_id]
            first_met_on = min([view.opened_on, *(p.opened_on for p in pairs.items)])
        return LineageView(
            partnership=view,
            origin=OriginView(
                kind=view.origin_kind,
                reference_id=view.origin_reference_id,
                first_met_on=first_met_on,
                other_pairs=others,
                **self.origin_activity(caller, view.origin_reference_id),
            ),
            timeline=self._history(partnership_id, caller.lab),
        )

    def audit_events(
        self, caller: Caller, filters: AuditFilter, *, after: int = 0, limit: int = 100
    ) -> list[AuditEntry]:
        """The lab's global audit log, in log order, from position ``after``."""
        self.wait_for_projections(read_models=AUDIT_INDEX, lab=caller.lab)
        with _store_errors():
            return self._audit().entries(caller.lab, filters, after, limit)

    def audit_digest(self) -> Digest | None:
        with _store_errors():
            return self._audit().digest()

    def verify_audit_chain(self, expected: Digest | None = None) -> Verification:
        with _store_errors():
            return self._audit().verify(expected)

    def export_audit(
        self, caller: Caller | None, partnership_id: UUID | None = None
    ) -> Iterator[str]:
        """JSON Lines with the chain's links. ``caller=None`` (operators only) exports the
        whole log, which verifies as complete."""
        if caller is not None and partnership_id is not None:
            self._partnership(caller, partnership_id)
        self.wait_for_projections(
            read_models=AUDIT_INDEX, lab=caller.lab if caller is not None else None
        )
        return self._audit().export(caller.lab if caller else None, partnership_id)

    def _audit(self) -> AuditTrail:
        if self.audit is None:
            raise StoreUnavailable("the audit trail is not configured")
        return self.audit

    # ------------------------------------------------------------------ idempotent retries

    def claim_idempotency_key(self, caller: Caller, key: str, fingerprint: str) -> Reservation:
        """Claim ``key`` for a request whose content hashes to ``fingerprint``.

        A new key is reserved; a key already completed with the same fingerprint gives back
        the stored response; a different fingerprint raises ``IdempotencyKeyReused``; a key
        still being processed raises ``IdempotencyKeyInFlight``.
        """
        store = self._idempotency()
        with _store_errors():
            reservation = store.reserve(caller.lab, key, fingerprint)
        if not reservation.fingerprint_matches:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with a different request",
                field="Idempotency-Key",
            )
        if not reservation.is_new and reservation.stored is None:
            raise IdempotencyKeyInFlight(
                "a request with this Idempotency-Key is still being processed",
                field="Idempotency-Key",
            )
        return reservation

    def complete_idempotency_key(self, caller: Caller, key: str, response: StoredResponse) -> None:
        with _store_errors():
            self._idempotency().complete(caller.lab, key, response)

    def release_idempotency_key(self, caller: Caller, key: str) -> None:
        with _store_errors():
            self._idempotency().release(caller.lab, key)

    def _idempotency(self) -> IdempotencyStore:
        if self.idempotency is None:
            raise StoreUnavailable("the idempotency store is not configured")
        return self.idempotency

    # ------------------------------------------------------------------ read-your-writes

    def wait_for_projections(
        self,
        position: int | None = None,
        timeout: float = 5.0,
        *,
        read_models: Sequence[str] | None = None,
        lab: str | None = None,
    ) -> bool:
        """Wait until the read models include ``position`` (default: the log's head now):
        ``read_models`` only if named (a read waits for its own read models, never for an
        unrelated one). With a ``lab``, raise ``ProjectionStopped`` if one of them holds
        that lab after an event it could not apply."""
        if self.follower is None:
            return True
        if lab is not None and read_models:
            self._refuse_stopped(read_models, lab, replaying=False)
        target = position if position is not None else self.log_head()
        if target is None:
            return True
        reached = self.follower.wait_until(target, timeout, read_models)
        if lab is not None and read_models:
            self._refuse_stopped(read_models, lab)
        return reached

    def _refuse_stopped(
        self, read_models: Sequence[str], lab: str, *, replaying: bool = True
    ) -> None:
        """Raise ``ProjectionStopped`` if a fault holds ``lab``; one being replayed only
        once the wait is over (the replay may have finished meanwhile)."""
        assert self.follower is not None
        with _store_errors():
            faults = [
                f
                for f in self.follower.stopped(read_models, lab)
                if replaying or f.state != "replaying"
            ]
        if faults:
            names = ", ".join(sorted({f.read_model for f in faults}))
            raise ProjectionStopped(
                f"the read model {names} is stopped for this lab after an event it could not"
                " apply; an operator has been told; retry later"
            )

    def log_head(self) -> int | None:
        with _store_errors():
            return self.recorder.max_notification_id()

    def check_ready(self) -> None:
        """Raise ``StoreUnavailable`` unless the event store answers."""
        self.log_head()

    # ------------------------------------------------------------------ helpers

    def _catalog(self) -> CatalogView:
        if self.catalog is None:
            raise StoreUnavailable("the catalogue read model is not configured")
        return self.catalog

    def _get(self, aggregate_id: UUID, *, version: int | None = None) -> Any:
        with _store_errors():
            return self.repository.get(aggregate_id, version=version)

    def _organization(
        self, caller: Caller, organization_id: UUID, *, field: str | None = None
    ) -> Organization:
        organization: Organization = self._owned(
            caller, Organization, organization_id, "organisation", field
        )
        return organization

    def _partnership(self, caller: Caller, partnership_id: UUID) -> Partnership:
        partnership: Partnership = self._owned(
            caller, Partnership, partnership_id, "partnership", None
        )
        return partnership

    def _owned(
        self,
        caller: Caller,
        cls: type[Any],
        aggregate_id: UUID,
        label: str,
        field: str | None,
    ) -> Any:
        try:
            aggregate = self._get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls) or aggregate.lab != caller.lab:
            raise NotFound(f"no {label} {aggregate_id} in this lab", field=field)
        return aggregate

    @contextmanager
    def _changing(
        self, caller: Caller, partnership_id: UUID, expected_version: int | None
    ) -> Iterator[tuple[Partnership, Callable[[], CommandResult]]]:
        partnership = self._partnership(caller, partnership_id)
        _check_version(partnership, expected_version)
        outcome: list[CommandResult] = []
        yield partnership, lambda: outcome[0]
        outcome.append(self._save(partnership, expected_version))

    def _save(self, aggregate: Aggregate, expected_version: int | None) -> CommandResult:
        _stamp_acting_key(aggregate)
        try:
            with _store_errors():
                recordings = self.save(aggregate)
        except IntegrityError:
            if expected_version is not None:
                raise VersionMismatch(
                    f"version {expected_version} is no longer current: "
                    "another write was recorded first",
                ) from None
            raise ConcurrentWrite(
                "another write to this record was recorded first; reload and retry"
            ) from None
        positions = [r.notification.id for r in recordings]
        return CommandResult(
            id=aggregate.id,
            version=aggregate.version,
            position=max(positions) if positions else None,
        )


def _stamp_acting_key(aggregate: Aggregate) -> None:
    """Record the acting key's id on each new event that names an actor (``ACTING_KEY``).
    Events are frozen; the attribute goes into the stored state like any other, and older
    events, which lack it, read as ``None`` (``getattr(event, ACTOR_KEY_ID, None)``)."""
    key_id = ACTING_KEY.get()
    if key_id is None:
        return
    for pending in aggregate.pending_events:
        if hasattr(pending, "actor"):
            object.__setattr__(pending, ACTOR_KEY_ID, key_id)


def _check_version(aggregate: Aggregate, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != aggregate.version:
        raise VersionMismatch(
            f"expected version {expected_version} but it is at version {aggregate.version}",
            current_version=aggregate.version,
        )


@contextmanager
def _store_errors() -> Iterator[None]:
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise StoreUnavailable(f"the event store is unavailable: {error}") from error


def _recorded_at(event: object) -> datetime:
    recorded: datetime = getattr(event, "timestamp")  # noqa: B009
    return recorded
