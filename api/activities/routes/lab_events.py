"""Thematic events and open forums: planned, attended, and the meetings made there (each
opens a partnership with the event as origin)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from api.activities.responses import HeldDep, activities_page, written
from api.activities.schemas.activities import ActivitiesPublic, OrganizationRefCreate
from api.activities.schemas.lab_activities import (
    EventCreate,
    EventMeetingCreate,
    EventPublic,
    EventWritten,
)
from api.commands import RecordRead, RecordWrite, Route, add_record_writes
from api.deps import LabDep, PageDep, ReaderDep
from api.problems import documented
from application.activities.lab_events import LabEventService
from domain.values import OriginKind

router = APIRouter(prefix="/events", tags=["events"])

EventId = Annotated[UUID, Path(description="The event's id.")]


EVENT_WRITTEN = written(lambda lab: lab.lab_events.get_event, EventWritten, "events")


def list_events(
    lab: LabDep,
    caller: ReaderDep,
    held: HeldDep,
    page: PageDep,
    kind: OriginKind | None = None,
) -> ActivitiesPublic:
    """List events and forums, latest first."""
    return activities_page(lab.lab_events.list_events(caller, page, kind=kind, **held))


add_record_writes(
    router,
    (
        RecordWrite(
            "",
            EventCreate,
            LabEventService.plan_event,
            "Plan a thematic event or an open forum (its date is a plan: it may be in the future).",
        ),
        Route("", list_events, ActivitiesPublic, documented(422)),
        RecordRead(
            "/{event_id}",
            LabEventService.get_event,
            EventPublic,
            "Show an event: who attended, which pairs met there and their partnerships.",
        ),
        RecordWrite(
            "/{event_id}/attendances",
            OrganizationRefCreate,
            LabEventService.record_event_attendance,
            "Record that an organisation attended (from the event's day on).",
            name="record_attendance",
        ),
        RecordWrite(
            "/{event_id}/meetings",
            EventMeetingCreate,
            LabEventService.record_event_meeting,
            "Record that an association and a company who attended met: it opens their "
            "partnership.",
            name="record_meeting",
        ),
    ),
    service=lambda lab: lab.lab_events,
    record_id=("event_id", EventId),
    response=EventWritten,
    present=EVENT_WRITTEN,
)
