"""Partnerships: opened with a first meeting, moved on by one POST per milestone (declared in
``MILESTONES``, a row each)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator, BaseModel
from starlette.responses import Response as StarletteResponse

from api import API_PREFIX
from api.commands import WRITE_PROBLEMS, RecordWrite, add_record_writes
from api.deps import LabDep, ReaderDep, WriteDep
from api.fields import MAX_VERSION, QueryDate, QueryMoment, printable_or_none
from api.partnerships.schemas.partnerships import (
    AbandonmentCreate,
    CoConstructionCreate,
    ContractCreate,
    CorrectionCreate,
    EvaluationCreate,
    IdeaCreate,
    IdeaWritten,
    MeetingCreate,
    PartnershipCreate,
    PartnershipPublic,
    PartnershipsPublic,
    PartnershipWritten,
    ProgressCreate,
    RenewalCreate,
)
from api.problems import ApiError, documented
from api.reporting.params import ReadPosition
from api.writes import Presenter
from application.context import Caller
from application.followers import CATALOG
from application.lab import PartnerLab
from application.partnerships.partnerships import PartnershipService
from application.partnerships.views import PartnershipFilter, PartnershipView
from application.results import CommandResult, PageRequest
from domain.partnerships.milestones import IDEA
from domain.values import Category, Stage

router = APIRouter(prefix="/partnerships", tags=["partnerships"])

PartnershipId = Annotated[UUID, Path(description="The partnership's id.")]

READ_PROBLEMS = documented(404, 422)


def etag(version: int) -> str:
    return f'"{version}"'


def location(partnership_id: UUID, version: int | None = None) -> str:
    path = f"{API_PREFIX}/partnerships/{partnership_id}"
    return path if version is None else f"{path}?version={version}"


def _idea_id(view: PartnershipView, version: int) -> UUID:
    idea = next(m for m in view.milestones if m.version == version and m.kind == IDEA)
    idea_id = idea.details["idea_id"]
    assert isinstance(idea_id, UUID)
    return idea_id


def written(*, opened: bool = False, idea: bool = False) -> Presenter:
    """201 with the partnership as this write left it; the Location of an opening is the
    partnership, that of a milestone is the partnership at the milestone's version."""

    def present(lab: PartnerLab, caller: Caller, result: CommandResult) -> StarletteResponse:
        view = lab.partnerships.written_partnership(caller, result)
        fields = {**asdict(view), "position": result.position}
        body = (
            IdeaWritten.model_validate({**fields, "idea_id": _idea_id(view, result.version)})
            if idea
            else PartnershipWritten.model_validate(fields)
        )
        headers = {
            "ETag": etag(result.version),
            "Location": location(result.id, None if opened else result.version),
        }
        return StarletteResponse(
            body.model_dump_json(), 201, headers, media_type="application/json"
        )

    return present


def opening(
    path: str, body: type[BaseModel], use_case: Callable[..., CommandResult], description: str
) -> RecordWrite:
    """The row of a write that opens a partnership from another record (a session, an
    engagement): 201 with the new partnership, whatever that record's version."""
    return RecordWrite(
        path,
        body,
        use_case,
        description,
        name="open_partnership",
        versioned=False,
        response=PartnershipWritten,
        present=written(opened=True),
    )


@router.post("", status_code=201, response_model=PartnershipWritten, responses=WRITE_PROBLEMS)
def open_partnership(body: PartnershipCreate, write: WriteDep) -> StarletteResponse:
    """Open a partnership with the first meeting of an association and a company."""
    return write.run(
        body,
        lambda lab, caller, _: lab.partnerships.open_partnership(
            caller,
            association_id=body.association_id,
            company_id=body.company_id,
            origin_kind=body.origin.kind,
            origin_reference_id=body.origin.reference_id,
            occurred_on=body.occurred_on,
            note=body.note,
            separate_reason=(body.separate_on_purpose.reason if body.separate_on_purpose else None),
        ),
        written(opened=True),
    )


@router.get("", response_model=PartnershipsPublic, responses=documented(422))
def list_partnerships(
    lab: LabDep,
    caller: ReaderDep,
    stage: Stage | None = None,
    status: Literal["open", "abandoned"] | None = None,
    category: Category | None = None,
    association_id: UUID | None = None,
    company_id: UUID | None = None,
    origin_reference_id: Annotated[
        str | None,
        Query(max_length=200, description="The speed-dating session or event they met at."),
        AfterValidator(printable_or_none),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0,
    position: ReadPosition = None,
) -> PartnershipsPublic:
    """List partnerships from the catalogue, filtered and paginated."""
    lab.reports.await_position(position, read_models=CATALOG, lab=caller.lab)
    page = lab.partnerships.list_partnerships(
        caller,
        PartnershipFilter(
            stage=stage,
            status=status,
            category=category,
            association_id=association_id,
            company_id=company_id,
            origin_reference_id=origin_reference_id,
        ),
        PageRequest(limit=limit, offset=offset),
    )
    return PartnershipsPublic.model_validate(page, from_attributes=True)


@router.get("/{partnership_id}", response_model=PartnershipPublic, responses=READ_PROBLEMS)
def get_partnership(
    partnership_id: PartnershipId,
    lab: LabDep,
    caller: ReaderDep,
    response: Response,
    version: Annotated[
        int | None,
        Query(ge=1, le=MAX_VERSION, description="Show the partnership as it was at a version."),
    ] = None,
    known_at: Annotated[
        QueryMoment,
        Query(description="Show it as the system knew it at this recording time."),
    ] = None,
    as_of: Annotated[
        QueryDate,
        Query(description="Show it as it stood on this business date (YYYY-MM-DD)."),
    ] = None,
) -> PartnershipPublic:
    """Show one partnership now, at an earlier version, as known at a recording time
    (`known_at`), or as it stood on a business date (`as_of`, combinable with `known_at`)."""
    if version is not None and (known_at is not None or as_of is not None):
        raise ApiError(
            422,
            "one-time-travel",
            "give either version, or as_of and/or known_at",
            field="version",
        )
    known = known_at if known_at is None or known_at.tzinfo else known_at.replace(tzinfo=UTC)
    if as_of is not None:
        view = lab.audit.partnership_as_of(caller, partnership_id, as_of, known_at=known)
    elif known is not None:
        view = lab.audit.partnership_known_at(caller, partnership_id, known)
    else:
        view = lab.partnerships.get_partnership(caller, partnership_id, version=version)
    response.headers["ETag"] = etag(view.version)
    return PartnershipPublic.model_validate(view)


def _committed(body: ContractCreate | RenewalCreate) -> dict[str, Any]:
    """A contract's or renewal's fields, with what it commits spread out as the use case's."""
    return {**body.model_dump(exclude={"committed"}), **body.committed.model_dump()}


# One row per milestone after the opening: its path, request schema, use case, description.
MILESTONES = (
    RecordWrite(
        "/{partnership_id}/meetings",
        MeetingCreate,
        PartnershipService.record_meeting,
        "Record another meeting of the two partners.",
    ),
    RecordWrite(
        "/{partnership_id}/ideas",
        IdeaCreate,
        PartnershipService.propose_idea,
        "Propose a collaboration idea; the response gives the new idea's id.",
        response=IdeaWritten,
        present=written(idea=True),
    ),
    RecordWrite(
        "/{partnership_id}/co-construction",
        CoConstructionCreate,
        PartnershipService.start_co_construction,
        "Choose one idea and start building the project together.",
    ),
    RecordWrite(
        "/{partnership_id}/co-construction/progress",
        ProgressCreate,
        PartnershipService.record_progress,
        "Record a progress note of the co-construction (a workshop, a follow-up).",
    ),
    RecordWrite(
        "/{partnership_id}/contract",
        ContractCreate,
        PartnershipService.sign_contract,
        "Record the signed partnership agreement: dates, category and committed value.",
        fields=_committed,
    ),
    RecordWrite(
        "/{partnership_id}/evaluations",
        EvaluationCreate,
        PartnershipService.record_evaluation,
        "Record an evaluation of the partnership's impact.",
    ),
    RecordWrite(
        "/{partnership_id}/renewals",
        RenewalCreate,
        PartnershipService.renew_contract,
        "Renew the contract to a later end date, with what the renewal commits.",
        fields=_committed,
    ),
    RecordWrite(
        "/{partnership_id}/abandonment",
        AbandonmentCreate,
        PartnershipService.abandon_partnership,
        "Record that the partnership was abandoned before its contract, and why.",
    ),
    RecordWrite(
        "/{partnership_id}/corrections",
        CorrectionCreate,
        PartnershipService.correct_milestone,
        "Correct fields of an earlier milestone, with a reason; history keeps both values.",
    ),
)

add_record_writes(
    router,
    MILESTONES,
    service=lambda lab: lab.partnerships,
    record_id=("partnership_id", PartnershipId),
    response=PartnershipWritten,
    present=written(),
)
