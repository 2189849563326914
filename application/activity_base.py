"""What every activity use case shares: loading an activity of the caller's lab, names of
organisations, opening a partnership from an activity at most once, and waiting for the
read models (and the policy) to settle.

The use cases are mixins of ``PartnerLab``; the ``TYPE_CHECKING`` block names the
``PartnerLab`` helpers they call, so mypy checks them without the mixins redefining (and, at
run time, shadowing) anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from application.activity_ports import ActivitiesView
from application.activity_views import NamedRef
from application.context import Caller
from application.errors import ConcurrentWrite, StoreUnavailable, VersionMismatch
from application.ports import ACTIVITIES
from application.views import (
    CommandResult,
    OrganizationFilter,
    OrganizationSummary,
    Page,
    PageRequest,
)
from domain.activity_errors import PartnershipAlreadyOpened
from domain.activity_values import Pair, partnership_id
from domain.organization import Organization
from domain.partnership import Partnership
from domain.values import OrganizationKind, Origin, OriginKind

A = TypeVar("A", bound=Aggregate)

UNKNOWN = "(unknown organisation)"


class ActivityCore:
    activities: ActivitiesView | None = None
    """The activities' read model, set by the composition root."""

    if TYPE_CHECKING:
        clock: Callable[[], date]

        def _save(self, aggregate: Aggregate, expected_version: int | None) -> CommandResult: ...

        def _get(self, aggregate_id: UUID, *, version: int | None = None) -> Any: ...

        def _organization(
            self, caller: Caller, organization_id: UUID, *, field: str | None = None
        ) -> Organization: ...

        def _owned(
            self,
            caller: Caller,
            cls: type[Any],
            aggregate_id: UUID,
            label: str,
            field: str | None,
        ) -> Any: ...

        def wait_for_projections(
            self,
            position: int | None = None,
            timeout: float = 5.0,
            *,
            read_models: Sequence[str] | None = None,
            lab: str | None = None,
        ) -> bool: ...

        def log_head(self) -> int | None: ...

        def list_organizations(
            self, caller: Caller, filters: OrganizationFilter, page: PageRequest
        ) -> Page[OrganizationSummary]: ...

    # ------------------------------------------------------------------ loading and saving

    def _activity(
        self, caller: Caller, cls: type[A], activity_id: UUID, label: str, version: int | None
    ) -> A:
        """The caller's lab's activity, checked against the expected version (If-Match)."""
        activity: A = self._owned(caller, cls, activity_id, label, None)
        if version is not None and version != activity.version:
            raise VersionMismatch(
                f"expected version {version} but it is at version {activity.version}",
                current_version=activity.version,
            )
        return activity

    def _exists(self, aggregate_id: UUID) -> bool:
        try:
            self._get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def _activities(self) -> ActivitiesView:
        if self.activities is None:
            raise StoreUnavailable("the activities read model is not configured")
        return self.activities

    def _settled(self, lab: str | None = None, attempts: int = 3) -> None:
        """Wait for the read models; again if the policy opened partnerships meanwhile (they
        come after the event that caused them, so the first wait may not include them)."""
        for _ in range(attempts):
            head = self.log_head()
            self.wait_for_projections(head, read_models=ACTIVITIES, lab=lab)
            if self.log_head() == head:
                return

    # ------------------------------------------------------------------ names

    def _refs(self, caller: Caller, ids: Iterable[UUID]) -> dict[UUID, NamedRef]:
        """Kind and name of each organisation: from the catalogue in one query, and from the
        aggregate for any it does not show yet."""
        wanted = list(dict.fromkeys(ids))
        refs = self.activities.organization_refs(caller.lab, wanted) if self.activities else {}
        for organization_id in wanted:
            if organization_id in refs:
                continue
            try:
                organization = self._get(organization_id)
            except AggregateNotFoundError:
                organization = None
            refs[organization_id] = (
                NamedRef(organization_id, organization.kind, organization.name)
                if isinstance(organization, Organization)
                else NamedRef(organization_id, OrganizationKind.ASSOCIATION, UNKNOWN)
            )
        return refs

    # ------------------------------------------------------------------ partnerships

    def _open_from_activity(
        self,
        caller: Caller,
        *,
        activity_id: UUID,
        pair: Pair,
        origin_kind: OriginKind,
        occurred_on: date,
        note: str,
    ) -> CommandResult:
        """Open the pair's partnership with the activity as origin, under the id that pair
        and activity always give: opening it again is refused (``PartnershipAlreadyOpened``)."""
        new_id = partnership_id(activity_id, pair.association_id, pair.company_id)
        if self._exists(new_id):
            raise PartnershipAlreadyOpened(
                "this pair's partnership from this activity is already open"
            )
        partnership = Partnership.open(
            association=self._organization(caller, pair.association_id, field="association_id"),
            company=self._organization(caller, pair.company_id, field="company_id"),
            origin=Origin(origin_kind, str(activity_id)),
            occurred_on=occurred_on,
            actor=caller.actor,
            today=self.clock(),
            note=note,
            id=new_id,
        )
        try:
            return self._save(partnership, None)
        except ConcurrentWrite:
            raise PartnershipAlreadyOpened(
                "this pair's partnership from this activity is already open"
            ) from None

    def _opened(self, activity_id: UUID, pair: Pair) -> UUID | None:
        """The partnership the pair opened from the activity, if it is open."""
        candidate = partnership_id(activity_id, pair.association_id, pair.company_id)
        return candidate if self._exists(candidate) else None
