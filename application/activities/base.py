"""What every activity use case shares: loading an activity of the caller's lab, names of
organisations, opening a partnership from an activity at most once, and waiting for the
read models (and the policy) to settle.

Each activity's service takes one ``ActivityCore`` and finds its collaborators there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from application.activities.ports import ActivitiesView
from application.activities.views import ActivityFilter, ActivitySummary, NamedRef
from application.context import Caller
from application.errors import ConcurrentWrite, StoreUnavailable
from application.event_log import Fields, LabEventLog, Prepare, check_version
from application.followers import ACTIVITIES
from application.partnerships.organizations import OrganizationService
from application.read_models import ReadModels
from application.results import CommandResult, Page, PageRequest
from domain.activities.errors import PartnershipAlreadyOpened
from domain.activities.values import Pair, partnership_id
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership
from domain.values import OrganizationKind, Origin, OriginKind

A = TypeVar("A", bound=Aggregate)

UNKNOWN = "(unknown organisation)"

Bound = date | None
"""A day bounding a list (``None``: no bound)."""


class ActivityCore:
    """What every activity service leans on: the log, the organisations, the read models, the
    activities' read model and the lab's clock."""

    def __init__(
        self,
        log: LabEventLog,
        organizations: OrganizationService,
        read_models: ReadModels,
        activities: ActivitiesView | None,
        clock: Callable[[], date],
    ) -> None:
        self.log = log
        self.organizations = organizations
        self.read_models = read_models
        self.activities = activities
        self.clock = clock

    def save(self, aggregate: Aggregate, expected_version: int | None) -> CommandResult:
        return self.log.record(aggregate, expected_version)

    def organization(
        self, caller: Caller, organization_id: UUID, *, field: str | None = None
    ) -> Organization:
        return self.organizations.organization(caller, organization_id, field=field)

    # ------------------------------------------------------------------ loading and saving

    def activity(
        self, caller: Caller, cls: type[A], activity_id: UUID, label: str, version: int | None
    ) -> A:
        """The caller's lab's activity, checked against the expected version (If-Match)."""
        activity: A = self.log.owned(caller, cls, activity_id, label, None)
        check_version(activity, version)
        return activity

    def exists(self, aggregate_id: UUID) -> bool:
        try:
            self.log.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def activities_view(self) -> ActivitiesView:
        if self.activities is None:
            raise StoreUnavailable("the activities read model is not configured")
        return self.activities

    def settled(self, lab: str | None = None, attempts: int = 3) -> None:
        """Wait for the activities' read models, and the partnerships the policy opened
        meanwhile; 503 if one of them is stopped for ``lab``."""
        self.read_models.settled(attempts, read_models=ACTIVITIES, lab=lab)

    def list_activities(
        self,
        caller: Caller,
        kinds: Iterable[str],
        page: PageRequest,
        held_from: date | None,
        held_to: date | None,
    ) -> Page[ActivitySummary]:
        """The caller's lab's activities of these kinds, latest first, once the read models
        have settled (503 if one of them is stopped for the caller's lab)."""
        self.settled(caller.lab)
        return self.activities_view().list_activities(
            caller.lab, ActivityFilter(tuple(kinds), held_from, held_to), page
        )

    # ------------------------------------------------------------------ names

    def refs(self, caller: Caller, ids: Iterable[UUID]) -> dict[UUID, NamedRef]:
        """Kind and name of each organisation: from the catalogue in one query, and from the
        aggregate for any it does not show yet."""
        wanted = list(dict.fromkeys(ids))
        refs = self.activities.organization_refs(caller.lab, wanted) if self.activities else {}
        for organization_id in wanted:
            if organization_id in refs:
                continue
            try:
                organization = self.log.get(organization_id)
            except AggregateNotFoundError:
                organization = None
            refs[organization_id] = (
                NamedRef(organization_id, organization.kind, organization.name)
                if isinstance(organization, Organization)
                else NamedRef(organization_id, OrganizationKind.ASSOCIATION, UNKNOWN)
            )
        return refs

    # ------------------------------------------------------------------ partnerships

    def open_from_activity(
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
        if self.exists(new_id):
            raise PartnershipAlreadyOpened(
                "this pair's partnership from this activity is already open"
            )
        partnership = Partnership.open(
            association=self.organization(caller, pair.association_id, field="association_id"),
            company=self.organization(caller, pair.company_id, field="company_id"),
            origin=Origin(origin_kind, str(activity_id)),
            occurred_on=occurred_on,
            actor=caller.actor,
            today=self.clock(),
            note=note,
            id=new_id,
        )
        try:
            return self.save(partnership, None)
        except ConcurrentWrite:
            raise PartnershipAlreadyOpened(
                "this pair's partnership from this activity is already open"
            ) from None

    def opened(self, activity_id: UUID, pair: Pair) -> UUID | None:
        """The partnership the pair opened from the activity, if it is open."""
        candidate = partnership_id(activity_id, pair.association_id, pair.company_id)
        return candidate if self.exists(candidate) else None


class ActivityService(Generic[A]):
    """What each activity's service shares: its ``ActivityCore``, and loading, saving and
    dating one of its activities (a ``kind`` of the caller's lab, named ``label`` when it is
    not found), for the use cases declared as ``RecordCommand`` and ``CreateCommand``."""

    kind: type[A]
    label: str
    listed: tuple[str, ...] = ()
    """The kinds of activity ``listing`` lists (its kind in the activities' read model)."""

    def __init__(self, core: ActivityCore) -> None:
        self._core = core

    def load(self, caller: Caller, record_id: UUID, expected_version: int | None = None) -> A:
        return self._core.activity(caller, self.kind, record_id, self.label, expected_version)

    def save(self, aggregate: Aggregate, expected_version: int | None) -> CommandResult:
        return self._core.save(aggregate, expected_version)

    def today(self) -> date:
        return self._core.clock()

    def listing(
        self, caller: Caller, page: PageRequest, *, held_from: Bound = None, held_to: Bound = None
    ) -> Page[ActivitySummary]:
        """The caller's lab's activities of the ``listed`` kinds, latest first."""
        return self._core.list_activities(caller, self.listed, page, held_from, held_to)

    def organization(self, caller: Caller, organization_id: UUID, *, field: str) -> Organization:
        return self._core.organization(caller, organization_id, field=field)


def organization(field: str = "organization_id", name: str = "organization") -> Prepare:
    """A ``prepare`` of a command that takes an organisation (or a list of them) as ``name``:
    the fields, with the id (or list of ids) in ``field`` replaced by that organisation of the
    caller's lab (``NotFound`` naming ``field`` otherwise)."""

    def look_up(service: ActivityService[Any], caller: Caller, fields: Fields) -> Fields:
        def found(organization_id: UUID) -> Organization:
            return service.organization(caller, organization_id, field=field)

        ids = fields[field]
        rest = {key: value for key, value in fields.items() if key != field}
        return {**rest, name: [found(i) for i in ids] if isinstance(ids, list) else found(ids)}

    return look_up
