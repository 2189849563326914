"""Activities to plain views (names of organisations are passed in, already looked up)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from application.activities.views import (
    ConsultingView,
    ContributionView,
    EnrolmentView,
    LabEventView,
    NamedRef,
    OutcomeView,
    PairView,
    ParticipantView,
    SpeedDatingView,
    SubsidyView,
    TrainingView,
)
from domain.activities.consulting import ConsultingEngagement
from domain.activities.funding import Subsidy
from domain.activities.lab_event import LabEvent
from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.training import TrainingSession
from domain.activities.values import Pair

Refs = dict[UUID, NamedRef]
Opened = Callable[[Pair], UUID | None]


def pair_view(pair: Pair, refs: Refs, opened: Opened) -> PairView:
    return PairView(
        association_id=pair.association_id,
        association_name=refs[pair.association_id].name,
        company_id=pair.company_id,
        company_name=refs[pair.company_id].name,
        partnership_id=opened(pair),
    )


def speed_dating_view(session: SpeedDatingSession, refs: Refs, opened: Opened) -> SpeedDatingView:
    tables = {m.association_id: m.table for r in session.rounds for m in r.meetings}

    def participant(organization_id: UUID) -> ParticipantView:
        ref = refs[organization_id]
        return ParticipantView(
            id=organization_id,
            kind=ref.kind,
            name=ref.name,
            attendance=session.attendance_of(organization_id),
            table=tables.get(organization_id),
        )

    def pairs(chosen: list[Pair]) -> list[PairView]:
        return [pair_view(p, refs, opened) for p in chosen]

    return SpeedDatingView(
        id=session.id,
        lab=session.lab,
        title=session.title,
        held_on=session.held_on,
        starts_at=session.starts_at,
        venue=session.venue,
        host_company=refs[session.host_company_id],
        round_minutes=session.round_minutes,
        changeover_minutes=session.changeover_minutes,
        status=session.status,
        associations=[participant(a) for a in session.associations],
        companies=[participant(c) for c in session.companies],
        rounds_count=len(session.rounds),
        meetings_scheduled=len(session.scheduled_pairs),
        excluded=pairs(session.excluded),
        outcomes=[
            OutcomeView(
                association_id=o.association_id,
                company_id=o.company_id,
                held=o.held,
                association_interest=o.association_interest,
                company_interest=o.company_interest,
                note=o.note,
            )
            for o in session.outcomes.values()
        ],
        closed_on=session.closed_on,
        follow_ups=pairs(session.follow_ups),
        one_sided=pairs(session.one_sided),
        note=session.note,
        version=session.version,
        created_at=session.created_on,
        modified_at=session.modified_on,
    )


def lab_event_view(lab_event: LabEvent, refs: Refs, opened: Opened) -> LabEventView:
    return LabEventView(
        id=lab_event.id,
        lab=lab_event.lab,
        kind=lab_event.kind,
        title=lab_event.title,
        theme=lab_event.theme,
        held_on=lab_event.held_on,
        venue=lab_event.venue,
        attendees=[refs[UUID(i)] for i in lab_event.attendees],
        meetings=[pair_view(p, refs, opened) for p in lab_event.meetings],
        note=lab_event.note,
        version=lab_event.version,
        created_at=lab_event.created_on,
        modified_at=lab_event.modified_on,
    )


def consulting_view(engagement: ConsultingEngagement, refs: Refs) -> ConsultingView:
    return ConsultingView(
        id=engagement.id,
        lab=engagement.lab,
        company=refs[engagement.company_id],
        scope=engagement.scope,
        started_on=engagement.started_on,
        proposed=[refs[a] for a in engagement.proposed],
        contributions=[
            ContributionView(c.amount_eur, c.paid_on, c.version) for c in engagement.contributions
        ],
        contributed_eur=engagement.contributed_eur,
        note=engagement.note,
        version=engagement.version,
        created_at=engagement.created_on,
        modified_at=engagement.modified_on,
    )


def training_view(training: TrainingSession, refs: Refs) -> TrainingView:
    participants = [
        EnrolmentView(
            organization=refs[e.organization_id],
            people=e.people,
            fee_eur=e.fee_eur,
            paid_eur=training.paid_by(e.organization_id),
        )
        for e in training.enrolments
    ]
    return TrainingView(
        id=training.id,
        lab=training.lab,
        title=training.title,
        held_on=training.held_on,
        audience=training.audience,
        participants=participants,
        fees_agreed_eur=sum((p.fee_eur for p in participants), Decimal(0)),
        fees_paid_eur=sum((p.paid_eur for p in participants), Decimal(0)),
        note=training.note,
        version=training.version,
        created_at=training.created_on,
        modified_at=training.modified_on,
    )


def subsidy_view(subsidy: Subsidy) -> SubsidyView:
    return SubsidyView(
        id=subsidy.id,
        lab=subsidy.lab,
        funder=subsidy.funder,
        year=subsidy.year,
        amount_eur=subsidy.amount_eur,
        granted_on=subsidy.granted_on,
        corrections=subsidy.corrections,
        note=subsidy.note,
        version=subsidy.version,
        created_at=subsidy.created_on,
        modified_at=subsidy.modified_on,
    )
