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
from application.results import record_view
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

    return record_view(
        SpeedDatingView,
        session,
        host_company=refs[session.host_company_id],
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
        follow_ups=pairs(session.follow_ups),
        one_sided=pairs(session.one_sided),
    )


def lab_event_view(lab_event: LabEvent, refs: Refs, opened: Opened) -> LabEventView:
    return record_view(
        LabEventView,
        lab_event,
        attendees=[refs[UUID(i)] for i in lab_event.attendees],
        meetings=[pair_view(p, refs, opened) for p in lab_event.meetings],
    )


def consulting_view(engagement: ConsultingEngagement, refs: Refs) -> ConsultingView:
    return record_view(
        ConsultingView,
        engagement,
        company=refs[engagement.company_id],
        proposed=[refs[a] for a in engagement.proposed],
        contributions=[
            ContributionView(c.amount_eur, c.paid_on, c.version) for c in engagement.contributions
        ],
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
    return record_view(
        TrainingView,
        training,
        participants=participants,
        fees_agreed_eur=sum((p.fee_eur for p in participants), Decimal(0)),
        fees_paid_eur=sum((p.paid_eur for p in participants), Decimal(0)),
    )


def subsidy_view(subsidy: Subsidy) -> SubsidyView:
    return record_view(SubsidyView, subsidy)
