"""A large log of real events, written fast: for crash tests and benchmarks.

Going through a use case per event would take minutes for a million events. Instead one
partnership (an opening meeting and then meetings, as the food bank and IBM had) is built
once through the domain and mapped to stored events; every further partnership reuses those
stored states under a new aggregate id (the id and version are columns, not part of the
state). The rows go in through the application's own recorder, in batches, so positions,
the table lock and the hash chain are exactly those of production.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from eventsourcing.persistence import StoredEvent

from application.context import Caller
from application.lab import PartnerLab
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership
from domain.values import OrganizationKind, Origin, OriginKind

LAB = "alsace"
OPENED_ON = date(2014, 3, 12)


@dataclass(frozen=True)
class Backlog:
    partners: tuple[uuid.UUID, uuid.UUID]
    template: list[StoredEvent]

    def partnership(self) -> list[StoredEvent]:
        """The template's events under a fresh partnership id."""
        new_id = uuid.uuid4()
        return [
            StoredEvent(new_id, event.originator_version, event.topic, event.state)
            for event in self.template
        ]


def prepare(app: PartnerLab, *, events_per_partnership: int = 50, lab: str = LAB) -> Backlog:
    """Register the food bank and IBM (through the use cases) and map a partnership of
    ``events_per_partnership`` events (opening, then meetings) to stored events."""
    caller = Caller(lab=lab, actor="backlog")
    ids = tuple(
        app.organizations.register_organization(caller, kind=kind, name=name, territory="67").id
        for kind, name in (
            (OrganizationKind.ASSOCIATION, "Banque alimentaire du Bas-Rhin"),
            (OrganizationKind.COMPANY, "IBM France"),
        )
    )
    association: Organization = app.log.repository.get(ids[0])
    company: Organization = app.log.repository.get(ids[1])
    today = OPENED_ON + timedelta(days=events_per_partnership + 1)
    partnership = Partnership.open(
        association=association,
        company=company,
        origin=Origin(OriginKind.SPEED_DATING, "speed-dating-2014-03"),
        occurred_on=OPENED_ON,
        actor="claire.staff",
        today=today,
    )
    for n in range(1, events_per_partnership):
        partnership.record_meeting(
            occurred_on=OPENED_ON + timedelta(days=n),
            actor="claire.staff",
            today=today,
            note="a working meeting on the traceability software",
        )
    template = [app.log.mapper.to_stored_event(e) for e in partnership.collect_events()]
    return Backlog(partners=(ids[0], ids[1]), template=template)


def append(app: PartnerLab, backlog: Backlog, events: int, *, batch: int = 2_000) -> int:
    """Append whole partnerships until at least ``events`` events were written; returns how
    many were written."""
    written = 0
    pending: list[StoredEvent] = []
    while written < events:
        pending.extend(backlog.partnership())
        written += len(backlog.template)
        if len(pending) >= batch:
            app.log.recorder.insert_events(pending)
            pending = []
    if pending:
        app.log.recorder.insert_events(pending)
    return written
