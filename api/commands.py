"""One way to declare the writes of a collection and on one record (a partnership's
milestones, a session's check-ins...): a row per write, and one call that registers them all;
and the read of one record (``add_record_read``).

Each row keeps what the OpenAPI document says of its operation: its path, its request schema,
its name (the operation id and summary), its description and the problems it may answer. Every
row's endpoint does the same thing: read the record's id from the path, run the row's use case
on that record with the expected version (``If-Match``) and the body's fields, through
``Write.run`` (idempotent retries), and answer 201 with what the router's presenter shows. A
row whose path names no record creates one (the use case is given the body's fields only);
other path parameters after the record's id are passed to the use case by name.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel
from starlette.responses import Response as StarletteResponse

from api.deps import LabDep, ReaderDep, WriteDep
from api.problems import documented
from api.writes import Presenter, Write
from application.context import Caller
from application.lab import PartnerLab
from application.results import CommandResult

WRITE_PROBLEMS = documented(400, 404, 409, 412, 413, 422, 503)
"""What a write may answer besides 201 (401 and 403 are documented for every route)."""


def body_fields(body: BaseModel | None) -> dict[str, Any]:
    """The use case's keyword arguments: the body's fields, as they are named (none when an
    optional body is left out: the use case's defaults apply)."""
    return {} if body is None else body.model_dump()


def given_fields(body: BaseModel | None) -> dict[str, Any]:
    """Only the fields the body gives (a partial update)."""
    return {} if body is None else body.model_dump(exclude_unset=True)


_PATH_PARAMETER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class RecordWrite:
    """``POST <path>``: run ``use_case(service, caller, record_id, expected_version=...,
    **fields(body))`` and answer 201.

    ``use_case`` is a service's method (``PartnershipService.record_meeting``); ``name`` is the
    operation's (its id and summary), the use case's own when not given; ``response``,
    ``present`` and ``problems`` default to those ``add_record_writes`` is given. An
    ``optional_body`` may be left out; a write that is not ``versioned`` (it opens another
    record) is given no expected version.
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
    optional_body: bool = False
    versioned: bool = True
    method: str = "POST"
    status_code: int = 201


@dataclass(frozen=True)
class RecordRead:
    """``GET <path>``: the record ``use_case(service, caller, record_id)`` gives, as
    ``response``, with its version as ETag (``add_record_read``). ``name`` is the operation's,
    the use case's own when not given."""

    path: str
    use_case: Callable[..., Any]
    response: Any
    description: str
    name: str | None = None
    problems: dict[int | str, dict[str, Any]] = field(default_factory=lambda: documented(404, 422))


@dataclass(frozen=True)
class Route:
    """A hand-written endpoint (a list, a search), registered in its place among the rows:
    the OpenAPI document lists the operations in the order they are registered."""

    path: str
    endpoint: Callable[..., Any]
    response: Any
    problems: dict[int | str, dict[str, Any]]
    method: str = "GET"


def add_record_writes(
    router: APIRouter,
    writes: Iterable[RecordWrite | RecordRead | Route],
    *,
    service: Callable[[PartnerLab], object],
    record_id: tuple[str, Any],
    response: type[BaseModel],
    present: Presenter,
    problems: dict[int | str, dict[str, Any]] = WRITE_PROBLEMS,
) -> None:
    """Register each write (and read) on ``router``, in order. ``service`` picks the use
    cases' service from the lab; ``record_id`` is the path parameter naming the record and
    its annotated type (``("partnership_id", PartnershipId)``)."""
    for write in writes:
        if isinstance(write, Route):
            router.add_api_route(
                write.path,
                write.endpoint,
                methods=[write.method],
                response_model=write.response,
                responses=write.problems,
            )
            continue
        name = write.name or write.use_case.__name__
        if isinstance(write, RecordRead):
            add_record_read(
                router,
                write.path,
                _looked_up(service, write.use_case.__name__),
                record_id=record_id,
                response=write.response,
                name=name,
                description=write.description,
                problems=write.problems,
            )
            continue
        router.add_api_route(
            write.path,
            _endpoint(write, name, service, record_id, write.present or present),
            methods=[write.method],
            name=name,
            description=write.description,
            status_code=write.status_code,
            response_model=write.response or response,
            responses=write.problems if write.problems is not None else problems,
        )


def _endpoint(
    row: RecordWrite,
    name: str,
    service: Callable[[PartnerLab], object],
    record_id: tuple[str, Any],
    present: Presenter,
) -> Callable[..., StarletteResponse]:
    id_name, id_type = record_id
    named = _PATH_PARAMETER.findall(row.path)
    if named and named[0] != id_name:
        raise ValueError(f"{row.path}: the record's id {id_name} comes first")
    use_case = row.use_case.__name__

    def endpoint(*, body: BaseModel | None, write: Write, **path: UUID) -> StarletteResponse:
        target = [path.pop(id_name)] if named else []

        def command(lab: PartnerLab, caller: Caller, version: int | None) -> CommandResult:
            # Looked up on the service itself at call time (not the function the row names),
            # as a hand-written route would call it.
            run: Callable[..., CommandResult] = getattr(service(lab), use_case)
            expected = {"expected_version": version} if named and row.versioned else {}
            return run(caller, *target, **path, **expected, **row.fields(body))

        return write.run(body, command, present)

    # What FastAPI reads: the path's ids, the row's body, the write's headers.
    keyword = inspect.Parameter.KEYWORD_ONLY
    ids = [
        inspect.Parameter(n, keyword, annotation=id_type if n == id_name else UUID) for n in named
    ]
    body = (
        inspect.Parameter("body", keyword, annotation=row.body | None, default=None)
        if row.optional_body
        else inspect.Parameter("body", keyword, annotation=row.body)
    )
    write = inspect.Parameter("write", keyword, annotation=WriteDep)
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*ids, write, body] if row.optional_body else [*ids, body, write],
        return_annotation=StarletteResponse,
    )
    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__doc__ = row.description
    return endpoint


def _looked_up(
    service: Callable[[PartnerLab], object], use_case: str
) -> Callable[[PartnerLab], Callable[..., Any]]:
    """The use case, looked up on the lab's service at call time."""
    return lambda lab: getattr(service(lab), use_case)


def etag(version: int) -> str:
    return f'"{version}"'


def add_record_read(
    router: APIRouter,
    path: str,
    read: Callable[[PartnerLab], Callable[[Caller, UUID], Any]],
    *,
    record_id: tuple[str, Any],
    response: Any,
    name: str,
    description: str,
    problems: dict[int | str, dict[str, Any]],
    show: Callable[[Any], Any] | None = None,
) -> None:
    """``GET <path>``: what ``read(lab)(caller, record_id)`` gives, shown by ``show``; by
    default the record as ``response``, with its version as ETag."""
    id_name, id_type = record_id

    def endpoint(*, lab: PartnerLab, caller: Caller, response: Response, **path: UUID) -> Any:
        view = read(lab)(caller, path[id_name])
        if show is not None:
            return show(view)
        response.headers["ETag"] = etag(view.version)
        return shown.model_validate(view)

    shown = response
    keyword = inspect.Parameter.KEYWORD_ONLY
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(id_name, keyword, annotation=id_type),
            inspect.Parameter("lab", keyword, annotation=LabDep),
            inspect.Parameter("caller", keyword, annotation=ReaderDep),
            inspect.Parameter("response", keyword, annotation=Response),
        ],
        return_annotation=response,
    )
    add_named_route(router, path, endpoint, name, description, response, responses=problems)


def add_named_route(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Any],
    name: str,
    description: str,
    response: Any,
    *,
    method: str = "GET",
    **route: Any,
) -> None:
    """Register an endpoint made at run time under ``name`` (its operation id and summary,
    as a function of that name would have them), described by ``description``, answering
    ``response``."""
    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__doc__ = description
    router.add_api_route(
        path,
        endpoint,
        methods=[method],
        name=name,
        description=description,
        response_model=response,
        **route,
    )
