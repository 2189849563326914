"""Contact persons of an organisation: added and erased by staff, read by those who read the
lab's records. Only an opaque id ever enters the event log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from starlette.responses import Response as StarletteResponse

from api import API_PREFIX
from api.access.schemas.contact_persons import (
    ContactPersonCreate,
    ContactPersonPublic,
    ContactPersonsPublic,
    ContactPersonWritten,
)
from api.deps import LabDep, ReaderDep, WriteDep
from api.problems import documented
from api.writes import Presenter
from application.access.contact_persons import ContactPersonResult
from application.context import Caller
from application.lab import PartnerLab
from application.results import CommandResult

router = APIRouter(
    prefix="/organizations/{organization_id}/contact-persons", tags=["contact persons"]
)

OrganizationId = Annotated[UUID, Path(description="The organisation's id.")]
PersonId = Annotated[UUID, Path(description="The contact person's id.")]

READ_PROBLEMS = documented(404, 422)
WRITE_PROBLEMS = documented(400, 404, 409, 412, 413, 422, 503)


def location(organization_id: UUID, person_id: UUID) -> str:
    return f"{API_PREFIX}/organizations/{organization_id}/contact-persons/{person_id}"


def written(*, erased: bool) -> Presenter:
    def present(_lab: PartnerLab, _caller: Caller, result: CommandResult) -> StarletteResponse:
        assert isinstance(result, ContactPersonResult)
        body = ContactPersonWritten(
            id=result.person_id,
            organization_id=result.id,
            organization_version=result.version,
            position=result.position,
            erased=erased,
        )
        headers = {"ETag": f'"{result.version}"'}
        if not erased:
            headers["Location"] = location(result.id, result.person_id)
        return StarletteResponse(
            body.model_dump_json(),
            200 if erased else 201,
            headers,
            media_type="application/json",
        )

    return present


@router.post("", status_code=201, response_model=ContactPersonWritten, responses=WRITE_PROBLEMS)
def add_contact_person(
    organization_id: OrganizationId, body: ContactPersonCreate, write: WriteDep
) -> StarletteResponse:
    """Add a contact person; their details are kept apart from the event log."""
    return write.run(
        body,
        lambda lab, caller, version: lab.contact_persons.add_contact_person(
            caller, organization_id, expected_version=version, **body.model_dump()
        ),
        written(erased=False),
    )


@router.get("", response_model=ContactPersonsPublic, responses=READ_PROBLEMS)
def list_contact_persons(
    organization_id: OrganizationId, lab: LabDep, caller: ReaderDep
) -> ContactPersonsPublic:
    """List the organisation's contact persons, in the order they were added."""
    people = lab.contact_persons.list_contact_persons(caller, organization_id)
    return ContactPersonsPublic(items=[ContactPersonPublic.model_validate(p) for p in people])


@router.get("/{person_id}", response_model=ContactPersonPublic, responses=READ_PROBLEMS)
def get_contact_person(
    organization_id: OrganizationId, person_id: PersonId, lab: LabDep, caller: ReaderDep
) -> ContactPersonPublic:
    """Show one contact person."""
    return ContactPersonPublic.model_validate(
        lab.contact_persons.get_contact_person(caller, organization_id, person_id)
    )


@router.delete("/{person_id}", response_model=ContactPersonWritten, responses=WRITE_PROBLEMS)
def erase_contact_person(
    organization_id: OrganizationId, person_id: PersonId, write: WriteDep
) -> StarletteResponse:
    """Erase a contact person's details (a right-to-erasure request); the erasure is
    recorded as an event, and histories keep only the person's opaque id."""
    return write.run(
        None,
        lambda lab, caller, version: lab.contact_persons.erase_contact_person(
            caller, organization_id, person_id, expected_version=version
        ),
        written(erased=True),
    )
