"""Turning recorded events into read-model changes (pure: no I/O, easy to test)."""

from __future__ import annotations

from functools import singledispatch

from application.partnerships.ports import (
    CatalogChange,
    ContractCorrected,
    ContractRow,
    MilestoneDateCorrected,
    MilestoneRow,
    OrganizationChanged,
    OrganizationRow,
    PartnershipAbandonedRow,
    PartnershipRow,
    PartnershipTouched,
)
from application.read_models import attributes
from domain.partnerships import milestones
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership

MILESTONE_KIND_OF_EVENT: dict[type[object], str] = {
    Partnership.Opened: milestones.OPENING,
    Partnership.MeetingHeld: milestones.MEETING,
    Partnership.IdeaProposed: milestones.IDEA,
    Partnership.CoConstructionStarted: milestones.CO_CONSTRUCTION,
    Partnership.CoConstructionProgressed: milestones.PROGRESS,
    Partnership.ContractSigned: milestones.CONTRACT,
    Partnership.EvaluationRecorded: milestones.EVALUATION,
    Partnership.ContractRenewed: milestones.RENEWAL,
    Partnership.Abandoned: milestones.ABANDONMENT,
}


@singledispatch
def catalog_changes(event: object, position: int) -> list[CatalogChange]:
    """Events the catalogue does not show change nothing."""
    return []


@catalog_changes.register
def _(event: Organization.Registered, position: int) -> list[CatalogChange]:
    return [
        OrganizationRow(
            id=event.originator_id,
            archived=False,
            version=event.originator_version,
            **attributes(event, "lab", "kind", "name", "legal_identifier", "territory"),
            **attributes(event, "field_of_activity", "description"),
        )
    ]


@catalog_changes.register
def _(event: Organization.Updated, position: int) -> list[CatalogChange]:
    return [OrganizationChanged(event.originator_id, dict(event.changes), event.originator_version)]


@catalog_changes.register
def _(event: Organization.Archived, position: int) -> list[CatalogChange]:
    return [OrganizationChanged(event.originator_id, {"archived": True}, event.originator_version)]


def _milestone(event: Partnership.Event, position: int) -> MilestoneRow:
    kind = MILESTONE_KIND_OF_EVENT[type(event)]
    return MilestoneRow(
        partnership_id=event.originator_id,
        version=event.originator_version,
        kind=kind,
        stage=milestones.STAGE_OF_KIND.get(kind),
        occurred_on=event.occurred_on,  # type: ignore[attr-defined]
        recorded_at=event.timestamp,
        position=position,
    )


@catalog_changes.register
def _(event: Partnership.Opened, position: int) -> list[CatalogChange]:
    return [
        PartnershipRow(
            id=event.originator_id,
            origin_kind=event.origin.kind,
            origin_reference_id=event.origin.reference_id,
            version=event.originator_version,
            **attributes(event, "lab", "association_id", "company_id"),
        ),
        _milestone(event, position),
    ]


@catalog_changes.register(Partnership.MeetingHeld)
@catalog_changes.register(Partnership.IdeaProposed)
@catalog_changes.register(Partnership.CoConstructionStarted)
@catalog_changes.register(Partnership.CoConstructionProgressed)
@catalog_changes.register(Partnership.EvaluationRecorded)
@catalog_changes.register(Partnership.ContractRenewed)
def _(event: Partnership.Event, position: int) -> list[CatalogChange]:
    return [
        _milestone(event, position),
        PartnershipTouched(event.originator_id, event.originator_version),
    ]


@catalog_changes.register
def _(event: Partnership.ContractSigned, position: int) -> list[CatalogChange]:
    return [
        _milestone(event, position),
        ContractRow(event.originator_id, event.category, event.sub_kind),
        PartnershipTouched(event.originator_id, event.originator_version),
    ]


@catalog_changes.register
def _(event: Partnership.Abandoned, position: int) -> list[CatalogChange]:
    return [
        _milestone(event, position),
        PartnershipAbandonedRow(event.originator_id, event.reason),
        PartnershipTouched(event.originator_id, event.originator_version),
    ]


@catalog_changes.register
def _(event: Partnership.MilestoneCorrected, position: int) -> list[CatalogChange]:
    changes: list[CatalogChange] = []
    if "occurred_on" in event.changes:
        changes.append(
            MilestoneDateCorrected(
                event.originator_id, event.target_version, event.changes["occurred_on"]
            )
        )
    if "category" in event.changes or "sub_kind" in event.changes:
        changes.append(
            ContractCorrected(
                event.originator_id,
                event.changes.get("category"),
                event.changes.get("sub_kind"),
            )
        )
    if "reason" in event.changes:
        changes.append(PartnershipAbandonedRow(event.originator_id, event.changes["reason"]))
    changes.append(PartnershipTouched(event.originator_id, event.originator_version))
    return changes
