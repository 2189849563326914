"""Use cases of thematic events and open forums: plan, record attendance and meetings (each
meeting opens a partnership with the event as origin, through the activity policy)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.activities.base import ActivityService
from application.activities.presenters import lab_event_view
from application.activities.views import ActivitySummary, LabEventView
from application.context import Caller
from application.event_log import RecordCommand
from application.results import CommandResult, Page, PageRequest
from domain.activities.lab_event import EVENT_KINDS, LabEvent
from domain.values import OriginKind

LABEL = "event"


class LabEventService(ActivityService[LabEvent]):
    """Thematic events and open forums."""

    kind = LabEvent
    label = LABEL

    def plan_event(
        self,
        caller: Caller,
        *,
        kind: OriginKind,
        title: str,
        held_on: date,
        theme: str | None = None,
        venue: str | None = None,
        note: str | None = None,
    ) -> CommandResult:
        lab_event = LabEvent.plan(
            lab=caller.lab,
            kind=kind,
            title=title,
            held_on=held_on,
            actor=caller.actor,
            theme=theme,
            venue=venue,
            note=note,
        )
        return self._core.save(lab_event, None)

    def record_event_attendance(
        self,
        caller: Caller,
        event_id: UUID,
        *,
        organization_id: UUID,
        expected_version: int | None = None,
    ) -> CommandResult:
        organization = self._core.organization(caller, organization_id, field="organization_id")
        return self.change(
            caller,
            event_id,
            expected_version,
            lambda e: e.record_attendance(organization, actor=caller.actor, today=self.today()),
        )

    record_event_meeting = RecordCommand(LabEvent.record_meeting)

    def get_event(self, caller: Caller, event_id: UUID) -> LabEventView:
        lab_event = self._activity(caller, event_id)
        if lab_event.meetings:
            self._core.settled(
                caller.lab
            )  # the policy may still be opening the meetings' partnerships
        ids = [UUID(i) for i in lab_event.attendees]
        refs = self._core.refs(caller, ids)
        return lab_event_view(lab_event, refs, lambda p: self._core.opened(lab_event.id, p))

    def list_events(
        self,
        caller: Caller,
        page: PageRequest,
        *,
        kind: OriginKind | None = None,
        held_from: date | None = None,
        held_to: date | None = None,
    ) -> Page[ActivitySummary]:
        kinds = (kind,) if kind is not None else EVENT_KINDS
        return self._core.list_activities(
            caller, (k.value for k in kinds), page, held_from, held_to
        )
