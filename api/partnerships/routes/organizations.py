"""Organisations: the associations and companies of the lab's catalogue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator
from starlette.responses import Response as StarletteResponse

from api import API_PREFIX
from api.commands import RecordRead, RecordWrite, Route, add_record_writes, etag, given_fields
from api.deps import LabDep, ReaderDep
from api.fields import MAX_VERSION, printable_or_none
from api.partnerships.schemas.organizations import (
    OrganizationArchive,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationsPublic,
    OrganizationUpdate,
    OrganizationWritten,
)
from api.problems import documented
from api.reporting.params import ReadPosition
from api.writes import Presenter
from application.context import Caller
from application.followers import CATALOG
from application.lab import PartnerLab
from application.partnerships.organizations import OrganizationService
from application.partnerships.views import OrganizationFilter
from application.results import CommandResult, PageRequest
from domain.values import OrganizationKind

router = APIRouter(prefix="/organizations", tags=["organizations"])

OrganizationId = Annotated[UUID, Path(description="The organisation's id.")]
SearchText = Annotated[str | None, AfterValidator(printable_or_none)]


def location(organization_id: UUID) -> str:
    return f"{API_PREFIX}/organizations/{organization_id}"


def written(status_code: int) -> Presenter:
    def present(lab: PartnerLab, caller: Caller, result: CommandResult) -> StarletteResponse:
        view = lab.organizations.get_organization(caller, result.id)
        body = OrganizationWritten.model_validate(
            {**asdict(view), "position": result.position, "warnings": list(result.warnings)}
        )
        headers = {"ETag": etag(result.version)}
        if status_code == 201:
            headers["Location"] = location(result.id)
        return StarletteResponse(
            body.model_dump_json(), status_code, headers, media_type="application/json"
        )

    return present


def list_organizations(
    lab: LabDep,
    caller: ReaderDep,
    kind: OrganizationKind | None = None,
    territory: Annotated[SearchText, Query(max_length=32)] = None,
    field: Annotated[SearchText, Query(max_length=200, description="Field of activity.")] = None,
    q: Annotated[
        SearchText, Query(max_length=200, description="Text searched in the catalogue.")
    ] = None,
    include_archived: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0,
    position: ReadPosition = None,
) -> OrganizationsPublic:
    """List the catalogue's organisations, filtered and paginated."""
    lab.reports.await_position(position, read_models=CATALOG, lab=caller.lab)
    page = lab.organizations.list_organizations(
        caller,
        OrganizationFilter(
            kind=kind,
            territory=territory,
            field_of_activity=field,
            text=q,
            include_archived=include_archived,
        ),
        PageRequest(limit=limit, offset=offset),
    )
    return OrganizationsPublic.model_validate(page, from_attributes=True)


add_record_writes(
    router,
    (
        RecordWrite(
            "",
            OrganizationCreate,
            OrganizationService.register_organization,
            "Register an association or a company in the lab's catalogue.",
        ),
        Route("", list_organizations, OrganizationsPublic, documented(422)),
        RecordRead(
            "/{organization_id}",
            OrganizationService.get_organization,
            OrganizationPublic,
            "Show one organisation as it stands now; its ETag is its version.",
        ),
        RecordWrite(
            "/{organization_id}",
            OrganizationUpdate,
            OrganizationService.update_organization,
            "Change some of an organisation's fields (those given in the body).",
            method="PATCH",
            status_code=200,
            present=written(200),
            fields=given_fields,
        ),
        RecordWrite(
            "/{organization_id}/archive",
            OrganizationArchive,
            OrganizationService.archive_organization,
            "Archive an organisation: it stays in history but enters no new partnership.",
            status_code=200,
            present=written(200),
            optional_body=True,
        ),
    ),
    service=lambda lab: lab.organizations,
    record_id=("organization_id", OrganizationId),
    response=OrganizationWritten,
    present=written(201),
)
