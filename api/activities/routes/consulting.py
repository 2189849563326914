"""Consulting engagements with companies: scope, associations proposed from the catalogue,
pay-what-you-want contributions, partnerships with the associations proposed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator

from api.activities.responses import activities_page, written
from api.activities.schemas.activities import ActivitiesPublic
from api.activities.schemas.lab_activities import (
    ConsultingCreate,
    ConsultingPartnershipCreate,
    ConsultingPublic,
    ConsultingWritten,
    ContributionCreate,
    ProposalCreate,
)
from api.commands import RecordRead, RecordWrite, Route, add_record_writes
from api.deps import LabDep, PageDep, ReaderDep
from api.fields import QueryDate, printable_or_none
from api.partnerships.routes.partnerships import opening
from api.partnerships.schemas.organizations import OrganizationsPublic
from api.problems import documented
from application.activities.consulting import ConsultingService

router = APIRouter(prefix="/consulting-engagements", tags=["consulting"])

EngagementId = Annotated[UUID, Path(description="The consulting engagement's id.")]
SearchText = Annotated[str | None, AfterValidator(printable_or_none)]


ENGAGEMENT_WRITTEN = written(
    lambda lab: lab.consulting.get_consulting, ConsultingWritten, "consulting-engagements"
)


def list_engagements(
    lab: LabDep,
    caller: ReaderDep,
    page: PageDep,
    started_from: QueryDate = None,
    started_to: QueryDate = None,
) -> ActivitiesPublic:
    """List engagements, latest first (``title`` is the scope, ``held_on`` the start)."""
    return activities_page(
        lab.consulting.list_consulting(caller, page, held_from=started_from, held_to=started_to)
    )


def candidates(
    engagement_id: EngagementId,
    lab: LabDep,
    caller: ReaderDep,
    page: PageDep,
    field: Annotated[SearchText, Query(max_length=200, description="Field of activity.")] = None,
    territory: Annotated[SearchText, Query(max_length=32, description="Département.")] = None,
) -> OrganizationsPublic:
    """Associations of the catalogue to propose, by field of activity and territory."""
    found = lab.consulting.consulting_candidates(
        caller, engagement_id, field_of_activity=field, territory=territory, page=page
    )
    return OrganizationsPublic.model_validate(found, from_attributes=True)


add_record_writes(
    router,
    (
        RecordWrite(
            "",
            ConsultingCreate,
            ConsultingService.open_consulting,
            "Record a consulting engagement with a company and its scope.",
            name="open_engagement",
        ),
        Route("", list_engagements, ActivitiesPublic, documented(422)),
        RecordRead(
            "/{engagement_id}",
            ConsultingService.get_consulting,
            ConsultingPublic,
            "Show an engagement: the company, associations proposed, contributions paid.",
            name="get_engagement",
        ),
        Route("/{engagement_id}/candidates", candidates, OrganizationsPublic, documented(404, 422)),
        RecordWrite(
            "/{engagement_id}/proposals",
            ProposalCreate,
            ConsultingService.propose_associations,
            "Record the associations handed to the company (and the search that found them).",
            name="propose",
        ),
        RecordWrite(
            "/{engagement_id}/contributions",
            ContributionCreate,
            ConsultingService.record_consulting_contribution,
            "Record what the company chose to pay (pay what you want): amount and date.",
            name="record_contribution",
        ),
        opening(
            "/{engagement_id}/partnerships",
            ConsultingPartnershipCreate,
            ConsultingService.open_partnership_from_consulting,
            "Open the partnership of the company and an association proposed to it (once).",
        ),
    ),
    service=lambda lab: lab.consulting,
    record_id=("engagement_id", EngagementId),
    response=ConsultingWritten,
    present=ENGAGEMENT_WRITTEN,
)
