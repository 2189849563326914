"""Use cases of thematic events and open forums: plan, record attendance and meetings (each
meeting opens a partnership with the event as origin, through the activity policy)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.activities.base import ActivityService, organization
from application.activities.presenters import lab_event_view
from application.activities.views import ActivitySummary, LabEventView
from application.context import Caller
from application.event_log import CreateCommand, RecordCommand
from application.results import Page, PageRequest
from domain.activities.lab_event import EVENT_KINDS, LabEvent
from domain.values import OriginKind

LABEL = "event"


class LabEventService(ActivityService[LabEvent]):
    """Thematic events and open forums."""

    kind = LabEvent
    label = LABEL

    plan_event = CreateCommand(LabEvent.plan, dated=False, lab=True)
    record_event_attendance = RecordCommand(LabEvent.record_attendance, prepare=organization())
    record_event_meeting = RecordCommand(LabEvent.record_meeting)

    def get_event(self, caller: Caller, event_id: UUID) -> LabEventView:
        lab_event = self.load(caller, event_id)
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
