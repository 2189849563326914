"""What the activities' routes share: the 201 of a write, ETags, and choosing JSON, HTML or
CSV from ``?format=`` or the ``Accept`` header."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Request
from starlette.responses import Response

from api import API_PREFIX
from api.activities.schemas.activities import ActivitiesPublic
from api.fields import Output, QueryDate
from api.writes import Presenter
from application.context import Caller
from application.lab import PartnerLab
from application.results import CommandResult, Page

Format = Literal["json", "html", "csv"]


def etag(version: int) -> str:
    return f'"{version}"'


def written(
    read: Callable[[PartnerLab], Callable[[Caller, UUID], Any]],
    schema: type[Output],
    collection: str,
) -> Presenter:
    """201 with the activity as the write left it (as ``read(lab)`` shows it), its ETag and
    its Location."""

    def present(lab: PartnerLab, caller: Caller, result: CommandResult) -> Response:
        fields = {**asdict(read(lab)(caller, result.id)), "position": result.position}
        body = schema.model_validate(fields)
        headers = {
            "ETag": etag(result.version),
            "Location": f"{API_PREFIX}/{collection}/{result.id}",
        }
        return Response(body.model_dump_json(), 201, headers, media_type="application/json")

    return present


def wanted_format(request: Request, chosen: Format | None) -> Format:
    """``?format=`` wins; otherwise CSV or HTML when the Accept header asks for it first."""
    if chosen is not None:
        return chosen
    accept = request.headers.get("accept", "")
    for media_type in (part.split(";")[0].strip() for part in accept.split(",")):
        if media_type == "text/csv":
            return "csv"
        if media_type == "text/html":
            return "html"
        if media_type in ("application/json", "*/*"):
            return "json"
    return "json"


def activities_page(page: Page[Any]) -> ActivitiesPublic:
    """One page of an activity list, as every activity's list route answers it."""
    return ActivitiesPublic.model_validate(page, from_attributes=True)


def held_between(held_from: QueryDate = None, held_to: QueryDate = None) -> dict[str, date | None]:
    """The list's dates (``held_from``, ``held_to``), as the list use cases take them."""
    return {"held_from": held_from, "held_to": held_to}


HeldDep = Annotated[dict[str, date | None], Depends(held_between)]
