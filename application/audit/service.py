"""Audit use cases: histories, time travel (by version, as known at a time, as of a date),
lineage, the global audit log, and the chain's digest, verification and exports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

from application.audit.chain import Digest, Verification
from application.audit.history import history_entry
from application.audit.ports import AuditEntry, AuditFilter, AuditTrail
from application.audit.views import HistoryEntry, LineageView, OriginView
from application.context import Caller
from application.errors import NotFound, StoreUnavailable
from application.event_log import LabEventLog, recorded_at, store_errors
from application.partnerships.organizations import OrganizationService
from application.partnerships.partnerships import PartnershipService
from application.partnerships.presenters import partnership_view
from application.partnerships.views import PartnershipFilter, PartnershipSummary, PartnershipView
from application.read_models import ReadModels
from application.results import PageRequest

OriginActivity = Callable[[Caller, str | None], dict[str, Any]]
"""The title and date of the activity a partnership came from (from the activities context)."""


def _no_activity(_caller: Caller, _reference_id: str | None) -> dict[str, Any]:
    return {}


class AuditService:
    """What auditors read: every event as recorded, the past as it stood and as it was known."""

    def __init__(
        self,
        log: LabEventLog,
        organizations: OrganizationService,
        partnerships: PartnershipService,
        read_models: ReadModels,
        trail: AuditTrail | None,
        origins: OriginActivity = _no_activity,
    ) -> None:
        self._log = log
        self._organizations = organizations
        self._partnerships = partnerships
        self._read_models = read_models
        self._trail = trail
        self._origins = origins

    def partnership_history(self, caller: Caller, partnership_id: UUID) -> list[HistoryEntry]:
        """Every recorded event of the partnership, in order, with its log position."""
        self._partnerships.partnership(caller, partnership_id)
        return self._history(partnership_id)

    def organization_history(self, caller: Caller, organization_id: UUID) -> list[HistoryEntry]:
        self._organizations.organization(caller, organization_id)
        return self._history(organization_id)

    def _history(self, aggregate_id: UUID) -> list[HistoryEntry]:
        events = self._log.stored_events(aggregate_id)
        positions: dict[int, int] = {}
        if self._trail is not None:
            self._read_models.wait_for_projections()
            positions = self._audit().positions(aggregate_id)
        return [history_entry(e, positions.get(e.originator_version)) for e in events]

    def partnership_known_at(
        self, caller: Caller, partnership_id: UUID, known_at: datetime
    ) -> PartnershipView:
        """The partnership as the system knew it at recording time ``known_at``."""
        self._partnerships.partnership(caller, partnership_id)
        version = self._version_known_at(partnership_id, known_at)
        return partnership_view(self._log.get(partnership_id, version=version))

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
        partnership = self._partnerships.partnership(caller, partnership_id)
        if known_at is not None:
            version = self._version_known_at(partnership_id, known_at)
            partnership = self._log.get(partnership_id, version=version)
        past = partnership.as_it_stood_on(as_of)
        if past is None:
            raise NotFound(
                f"partnership {partnership_id} had not been opened on {as_of.isoformat()}",
                field="as_of",
            )
        return partnership_view(past)

    def _version_known_at(self, aggregate_id: UUID, known_at: datetime) -> int:
        events = self._log.stored_events(aggregate_id)
        known: list[int] = [e.originator_version for e in events if recorded_at(e) <= known_at]
        if not known:
            raise NotFound(
                f"{aggregate_id} had not been recorded yet at {known_at.isoformat()}",
                field="known_at",
            )
        return max(known)

    def partnership_lineage(self, caller: Caller, partnership_id: UUID) -> LineageView:
        """How the partnership emerged: its origin and the pairs met there, then every step."""
        partnership = self._partnerships.partnership(caller, partnership_id)
        view = partnership_view(partnership)
        others: list[PartnershipSummary] = []
        first_met_on = view.opened_on
        if view.origin_reference_id and self._organizations.has_catalog:
            self._read_models.wait_for_projections()
            pairs = self._organizations.catalog().list_partnerships(
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
                **self._origins(caller, view.origin_reference_id),
            ),
            timeline=self._history(partnership_id),
        )

    def audit_events(
        self, caller: Caller, filters: AuditFilter, *, after: int = 0, limit: int = 100
    ) -> list[AuditEntry]:
        """The lab's global audit log, in log order, from position ``after``."""
        self._read_models.wait_for_projections()
        with store_errors():
            return self._audit().entries(caller.lab, filters, after, limit)

    def audit_digest(self) -> Digest | None:
        with store_errors():
            return self._audit().digest()

    def verify_audit_chain(
        self,
        expected: Digest | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Verification:
        """Recompute the hash chain; ``progress(position, head)`` hears how far it got."""
        with store_errors():
            return self._audit().verify(expected, progress)

    def export_audit(
        self, caller: Caller | None, partnership_id: UUID | None = None
    ) -> Iterator[str]:
        """JSON Lines with the chain's links. ``caller=None`` (operators only) exports the
        whole log, which verifies as complete."""
        if caller is not None and partnership_id is not None:
            self._partnerships.partnership(caller, partnership_id)
        self._read_models.wait_for_projections()
        return self._audit().export(caller.lab if caller else None, partnership_id)

    def _audit(self) -> AuditTrail:
        if self._trail is None:
            raise StoreUnavailable("the audit trail is not configured")
        return self._trail
