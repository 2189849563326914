"""Thematic events and open forums: planned, attended by organisations, and the meetings made
there (each opens a partnership with the event as its origin, see the activity policy).

``held_on`` is a plan; attendance and meetings are facts of the day, recorded from then on.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.activities.errors import (
    ActivityOfAnotherLab,
    MeetingAlreadyRecorded,
    NotAttended,
    ParticipantAlreadyRegistered,
    SessionNotStarted,
    WrongParticipantKind,
)
from domain.activities.values import Pair
from domain.errors import InvalidValue, OrganizationArchived
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind, OriginKind, optional_text, require_text

EVENT_KINDS = (OriginKind.THEMATIC_EVENT, OriginKind.OPEN_FORUM)


class EventKindInvalid(InvalidValue):
    rule = "event-kind"


class LabEvent(Aggregate):
    """A thematic event or an open forum (open to local authorities and citizens, depending
    on the topic; one in 2014 gathered about 100 people)."""

    TOPIC = "partnerlab:LabEvent"

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:LabEvent.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:LabEvent.Created"

    class Planned(Created):
        TOPIC = "partnerlab:LabEvent.Planned"
        lab: str
        kind: OriginKind
        title: str
        theme: str | None
        held_on: date
        venue: str | None
        actor: str
        note: str | None

    class AttendanceRecorded(Event):
        TOPIC = "partnerlab:LabEvent.AttendanceRecorded"
        organization_id: UUID
        kind: OrganizationKind
        occurred_on: date
        actor: str

    class MeetingRecorded(Event):
        TOPIC = "partnerlab:LabEvent.MeetingRecorded"
        association_id: UUID
        company_id: UUID
        occurred_on: date
        actor: str
        note: str | None

    @event(Planned)
    def __init__(
        self,
        lab: str,
        kind: OriginKind,
        title: str,
        theme: str | None,
        held_on: date,
        venue: str | None,
        actor: str,
        note: str | None,
    ) -> None:
        self.lab = lab
        self.kind = kind
        self.title = title
        self.theme = theme
        self.held_on = held_on
        self.venue = venue
        self.note = note
        self.attendees: dict[str, OrganizationKind] = {}
        self.meetings: list[Pair] = []

    @classmethod
    def plan(
        cls,
        *,
        lab: str,
        kind: OriginKind,
        title: str,
        held_on: date,
        actor: str,
        theme: str | None = None,
        venue: str | None = None,
        note: str | None = None,
    ) -> LabEvent:
        if kind not in EVENT_KINDS:
            raise EventKindInvalid("an event is a thematic_event or an open_forum", field="kind")
        return cls(
            lab=require_text(lab, "lab"),
            kind=kind,
            title=require_text(title, "title"),
            theme=optional_text(theme),
            held_on=held_on,
            venue=optional_text(venue),
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def record_attendance(self, organization: Organization, *, actor: str, today: date) -> None:
        self._require_day_has_come(today)
        if organization.lab != self.lab:
            raise ActivityOfAnotherLab("the organisation belongs to another lab")
        if organization.archived:
            raise OrganizationArchived(
                f"{organization.name!r} is archived", field="organization_id"
            )
        if str(organization.id) in self.attendees:
            raise ParticipantAlreadyRegistered(
                f"{organization.name!r} is already recorded as attending",
                field="organization_id",
            )
        self._record_attendance(
            organization_id=organization.id,
            kind=organization.kind,
            occurred_on=self.held_on,
            actor=require_text(actor, "actor"),
        )

    def record_meeting(
        self,
        *,
        association_id: UUID,
        company_id: UUID,
        actor: str,
        today: date,
        note: str | None = None,
    ) -> None:
        """An association and a company who both attended met here."""
        self._require_day_has_come(today)
        for organization_id, kind, field in (
            (association_id, OrganizationKind.ASSOCIATION, "association_id"),
            (company_id, OrganizationKind.COMPANY, "company_id"),
        ):
            attended = self.attendees.get(str(organization_id))
            if attended is None:
                raise NotAttended(
                    f"organisation {organization_id} is not recorded as attending", field=field
                )
            if attended is not kind:
                raise WrongParticipantKind(
                    f"organisation {organization_id} is not a {kind.value}", field=field
                )
        if self.met(association_id, company_id):
            raise MeetingAlreadyRecorded("this meeting is already recorded", field="company_id")
        self._record_meeting(
            association_id=association_id,
            company_id=company_id,
            occurred_on=self.held_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def met(self, association_id: UUID, company_id: UUID) -> bool:
        return Pair(association_id, company_id) in self.meetings

    @event(AttendanceRecorded)
    def _record_attendance(
        self, organization_id: UUID, kind: OrganizationKind, occurred_on: date, actor: str
    ) -> None:
        self.attendees[str(organization_id)] = kind

    @event(MeetingRecorded)
    def _record_meeting(
        self,
        association_id: UUID,
        company_id: UUID,
        occurred_on: date,
        actor: str,
        note: str | None,
    ) -> None:
        self.meetings.append(Pair(association_id, company_id))

    def _require_day_has_come(self, today: date) -> None:
        if today < self.held_on:
            raise SessionNotStarted(
                f"the event is planned on {self.held_on.isoformat()}: what happens there "
                "can only be recorded from that day on"
            )
