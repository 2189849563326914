"""Organisations: the associations and companies of the lab's catalogue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator
from starlette.responses import Response as StarletteResponse

from api import API_PREFIX
from api.deps import LabDep, ReaderDep, WriteDep
from api.fields import MAX_VERSION, printable_or_none
from api.partnerships.schemas.organizations import (
    OrganizationArchive,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationsPublic,
    OrganizationSummaryPublic,
    OrganizationUpdate,
    OrganizationWritten,
)
from api.problems import documented
from api.reporting.params import ReadPosition
from api.writes import Presenter
from application.context import Caller
from application.followers import CATALOG
from application.lab import PartnerLab
from application.partnerships.views import OrganizationFilter
from application.results import CommandResult, PageRequest
from domain.values import OrganizationKind

router = APIRouter(prefix="/organizations", tags=["organizations"])

OrganizationId = Annotated[UUID, Path(description="The organisation's id.")]
SearchText = Annotated[str | None, AfterValidator(printable_or_none)]

READ_PROBLEMS = documented(404, 422)
WRITE_PROBLEMS = documented(400, 404, 409, 412, 413, 422, 503)


def etag(version: int) -> str:
    return f'"{version}"'


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


@router.post(
    "",
    status_code=201,
    response_model=OrganizationWritten,
    responses=WRITE_PROBLEMS,
)
def register_organization(body: OrganizationCreate, write: WriteDep) -> StarletteResponse:
    """Register an association or a company in the lab's catalogue."""
    return write.run(
        body,
        lambda lab, caller, _: lab.organizations.register_organization(caller, **body.model_dump()),
        written(201),
    )


@router.get("", response_model=OrganizationsPublic, responses=documented(422))
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
    return OrganizationsPublic(
        items=[OrganizationSummaryPublic.model_validate(item) for item in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{organization_id}", response_model=OrganizationPublic, responses=READ_PROBLEMS)
def get_organization(
    organization_id: OrganizationId, lab: LabDep, caller: ReaderDep, response: Response
) -> OrganizationPublic:
    """Show one organisation as it stands now; its ETag is its version."""
    view = lab.organizations.get_organization(caller, organization_id)
    response.headers["ETag"] = etag(view.version)
    return OrganizationPublic.model_validate(view)


@router.patch("/{organization_id}", response_model=OrganizationWritten, responses=WRITE_PROBLEMS)
def update_organization(
    organization_id: OrganizationId, body: OrganizationUpdate, write: WriteDep
) -> StarletteResponse:
    """Change some of an organisation's fields (those given in the body)."""
    return write.run(
        body,
        lambda lab, caller, version: lab.organizations.update_organization(
            caller, organization_id, expected_version=version, **body.model_dump(exclude_unset=True)
        ),
        written(200),
    )


@router.post(
    "/{organization_id}/archive", response_model=OrganizationWritten, responses=WRITE_PROBLEMS
)
def archive_organization(
    organization_id: OrganizationId, write: WriteDep, body: OrganizationArchive | None = None
) -> StarletteResponse:
    """Archive an organisation: it stays in history but enters no new partnership."""
    return write.run(
        body,
        lambda lab, caller, version: lab.organizations.archive_organization(
            caller,
            organization_id,
            reason=body.reason if body else None,
            expected_version=version,
        ),
        written(200),
    )
