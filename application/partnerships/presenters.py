"""Aggregates to plain views: the only place that reads aggregate internals for queries."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from application.partnerships.views import (
    Amounts,
    ContractView,
    CorrectionView,
    EvaluationView,
    IdeaView,
    MilestoneView,
    OrganizationView,
    PartnershipView,
)
from application.results import record_view
from domain.partnerships.milestones import PROGRESS
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership
from domain.values import Category, Milestone, SubKind


def organization_view(organization: Organization) -> OrganizationView:
    return record_view(OrganizationView, organization)


def _milestone(m: Milestone) -> MilestoneView:
    return MilestoneView(
        version=m.version,
        kind=m.kind,
        occurred_on=m.occurred_on,
        actor=m.actor,
        note=m.note,
        details=dict(m.details),
    )


def _amounts(m: Milestone) -> Amounts:
    return Amounts(
        financial_eur=Decimal(str(m.details["financial_eur"])),
        in_kind_eur=Decimal(str(m.details["in_kind_eur"])),
        skills_days=Decimal(str(m.details["skills_days"])),
    )


def _contract(partnership: Partnership) -> ContractView | None:
    signed = partnership.contract_milestone
    ends_on = partnership.contract_ends_on
    if signed is None or ends_on is None:
        return None
    total = partnership.total_committed
    category = signed.details["category"]
    sub_kind = signed.details["sub_kind"]
    starts_on = signed.details["starts_on"]
    assert isinstance(category, Category)
    assert isinstance(sub_kind, SubKind)
    return ContractView(
        category=category,
        sub_kind=sub_kind,
        signed_on=signed.occurred_on,
        starts_on=starts_on,  # type: ignore[arg-type]
        ends_on=ends_on,
        committed=_amounts(signed),
        total_committed=Amounts(total.financial_eur, total.in_kind_eur, total.skills_days),
        renewals=[_milestone(r) for r in partnership.renewals],
    )


def _evaluation(m: Milestone) -> EvaluationView:
    d = m.details
    return EvaluationView(
        version=m.version,
        occurred_on=m.occurred_on,
        beneficiaries=int(d["beneficiaries"]),  # type: ignore[call-overload]
        jobs_created=int(d["jobs_created"]),  # type: ignore[call-overload]
        volunteer_days=Decimal(str(d["volunteer_days"])),
        skills_days=Decimal(str(d.get("skills_days", 0))),
        in_kind_eur=Decimal(str(d["in_kind_eur"])),
        satisfaction=d["satisfaction"],  # type: ignore[arg-type]
        findings=d["findings"],  # type: ignore[arg-type]
    )


def _ideas(partnership: Partnership) -> list[IdeaView]:
    chosen = partnership.chosen_idea_id
    views = []
    for idea_id, m in partnership.ideas.items():
        category = m.details["proposed_category"]
        assert isinstance(category, Category)
        assert isinstance(idea_id, UUID)
        views.append(
            IdeaView(
                id=idea_id,
                title=str(m.details["title"]),
                description=m.details["description"],  # type: ignore[arg-type]
                proposed_category=category,
                proposed_on=m.occurred_on,
                chosen=idea_id == chosen,
            )
        )
    return views


def partnership_view(partnership: Partnership) -> PartnershipView:
    abandonment = partnership.abandonment
    return PartnershipView(
        id=partnership.id,
        lab=partnership.lab,
        association_id=partnership.association_id,
        company_id=partnership.company_id,
        origin_kind=partnership.origin.kind,
        origin_reference_id=partnership.origin.reference_id,
        stage=partnership.stage,
        status="abandoned" if abandonment else "open",
        opened_on=partnership.opened_on,
        last_milestone_on=partnership.last_milestone_on,
        stage_reached_on=partnership.stage_reached_on,
        abandonment_reason=str(abandonment.details["reason"]) if abandonment else None,
        ideas=_ideas(partnership),
        chosen_idea_id=partnership.chosen_idea_id,
        progress_notes=[_milestone(m) for m in partnership.milestones if m.kind == PROGRESS],
        contract=_contract(partnership),
        evaluations=[_evaluation(m) for m in partnership.evaluations],
        corrections=[
            CorrectionView(
                version=c.version,
                target_version=c.target_version,
                previous=dict(c.previous),
                changes=dict(c.changes),
                reason=c.reason,
                occurred_on=c.occurred_on,
                actor=c.actor,
            )
            for c in partnership.corrections
        ],
        milestones=[_milestone(m) for m in partnership.milestones],
        version=partnership.version,
        created_at=partnership.created_on,
        modified_at=partnership.modified_on,
    )
