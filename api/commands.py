"""One way to declare the writes on one record (a partnership's milestones, a session's
check-ins...): a row per write, and one call that registers them all.

Each row keeps what the OpenAPI document says of its operation: its path, its request schema,
its name (the operation id and summary), its description and the problems it may answer. Every
row's endpoint does the same thing: read the record's id from the path, run the row's use case
on that record with the expected version (``If-Match``) and the body's fields, through
``Write.run`` (idempotent retries), and answer 201 with what the router's presenter shows.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.responses import Response

from api.deps import WriteDep
from api.problems import documented
from api.writes import Presenter, Write
from application.context import Caller
from application.lab import PartnerLab
from application.results import CommandResult

WRITE_PROBLEMS = documented(400, 404, 409, 412, 413, 422, 503)
"""What a write may answer besides 201 (401 and 403 are documented for every route)."""


def body_fields(body: BaseModel) -> dict[str, Any]:
    """The use case's keyword arguments: the body's fields, as they are named."""
    return body.model_dump()


@dataclass(frozen=True)
class RecordWrite:
    """``POST <path>``: run ``use_case(service, caller, record_id, expected_version=...,
    **fields(body))`` and answer 201.

    ``use_case`` is a service's method (``PartnershipService.record_meeting``); ``name`` is the
    operation's (its id and summary), the use case's own when not given; ``response``,
    ``present`` and ``problems`` default to those ``add_record_writes`` is given.
    """

    path: str
    body: type[BaseModel]
    use_case: Callable[..., CommandResult]
    description: str
    name: str | None = None
    response: type[BaseModel] | None = None
    present: Presenter | None = None
    problems: dict[int | str, dict[str, Any]] | None = None
    fields: Callable[[Any], dict[str, Any]] = body_fields


def add_record_writes(
    router: APIRouter,
    writes: Iterable[RecordWrite],
    *,
    service: Callable[[PartnerLab], object],
    record_id: tuple[str, Any],
    response: type[BaseModel],
    present: Presenter,
    problems: dict[int | str, dict[str, Any]] = WRITE_PROBLEMS,
) -> None:
    """Register each write on ``router``, in order. ``service`` picks the use cases' service
    from the lab; ``record_id`` is the path parameter naming the record and its annotated
    type (``("partnership_id", PartnershipId)``)."""
    for write in writes:
        name = write.name or write.use_case.__name__
        router.add_api_route(
            write.path,
            _endpoint(write, name, service, record_id, write.present or present),
            methods=["POST"],
            name=name,
            description=write.description,
            status_code=201,
            response_model=write.response or response,
            responses=write.problems if write.problems is not None else problems,
        )


def _endpoint(
    row: RecordWrite,
    name: str,
    service: Callable[[PartnerLab], object],
    record_id: tuple[str, Any],
    present: Presenter,
) -> Callable[..., Response]:
    id_name, id_type = record_id

    use_case = row.use_case.__name__

    def endpoint(*, body: BaseModel, write: Write, **path: UUID) -> Response:
        target = path[id_name]

        def command(lab: PartnerLab, caller: Caller, version: int | None) -> CommandResult:
            # Looked up on the service itself at call time (not the function the row names),
            # as a hand-written route would call it.
            run: Callable[..., CommandResult] = getattr(service(lab), use_case)
            return run(caller, target, expected_version=version, **row.fields(body))

        return write.run(body, command, present)

    # What FastAPI reads: the record's id from the path, the row's body, the write's headers.
    keyword = inspect.Parameter.KEYWORD_ONLY
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(id_name, keyword, annotation=id_type),
            inspect.Parameter("body", keyword, annotation=row.body),
            inspect.Parameter("write", keyword, annotation=WriteDep),
        ],
        return_annotation=Response,
    )
    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__doc__ = row.description
    return endpoint
