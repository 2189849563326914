"""Follow-ups: what needs doing in the lab and who does it.

``GET /follow-ups`` (JSON, or CSV with ``Accept: text/csv`` / ``format=csv``);
``POST /partnerships/{id}/assignments`` assigns the staff member who follows a partnership;
``POST /follow-ups/calendar`` gives a staff member's secret calendar address and
``GET /follow-ups/calendar/{token}.ics`` is that iCalendar feed (no key: the address is the
secret, as calendar applications subscribe without headers).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from icalendar import Calendar, Event
from pydantic import Field
from starlette.responses import Response

from api.deps import LabDep, ReaderDep, WriteDep, WriterDep
from api.fields import Input, IsoDate, Output, QueryDate, ShortText, shows
from api.problems import documented
from api.reporting.params import Format, wants_csv
from application.context import Caller
from application.followups.items import KINDS, FollowUpItem
from application.followups.service import DEFAULT_PAGE
from application.lab import PartnerLab
from application.results import CommandResult

router = APIRouter(tags=["follow-ups"])

CALENDAR_PATH = "/follow-ups/calendar"
MAX_PAGE = 1000


@shows(FollowUpItem, exclude=("lab", "visible_until"))
class FollowUpPublic(Output):
    pass


class FollowUpListPublic(Output):
    today: date
    items: list[FollowUpPublic]
    total: int | None = Field(default=None, description="How many items match, over every page.")
    limit: int | None = Field(default=None, description="The page size used.")
    offset: int = Field(default=0, description="How many matching items were skipped.")


class AssignmentCreate(Input):
    staff: ShortText = Field(description="The staff member who follows the partnership.")
    from_on: IsoDate = Field(description="From when (not in the future).")


class AssignmentWritten(Output):
    id: UUID
    version: int
    position: int | None


class CalendarCreate(Input):
    staff: ShortText


class CalendarPublic(Output):
    staff: str
    url: str
    note: str = "Keep this address secret; asking again replaces it."


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP: prefix with a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def follow_ups_csv(items: list[FollowUpItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("due_on", "kind", "owner", "title", "subject_type", "subject_id", "key"))
    for i in items:
        writer.writerow(
            [
                neutralised(v)
                for v in (
                    i.due_on.isoformat(),
                    i.kind,
                    i.owner,
                    i.title,
                    i.subject_type,
                    i.subject_id,
                    i.key,
                )
            ]
        )
    return out.getvalue()


@router.get(
    "/follow-ups",
    response_model=FollowUpListPublic,
    responses={**documented(422, 503), 200: {"content": {"text/csv": {}}}},
)
def list_follow_ups(
    request: Request,
    lab: LabDep,
    caller: ReaderDep,
    owner: Annotated[ShortText | None, Query(description="Items of this staff member.")] = None,
    kind: Annotated[str | None, Query(description=f"One of: {', '.join(KINDS)}.")] = None,
    due_before: Annotated[QueryDate, Query(description="Due before this date.")] = None,
    format: Format = None,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_PAGE,
            description=f"Items per page (JSON: {DEFAULT_PAGE} unless given; CSV: all).",
        ),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> Response:
    """What needs doing today, by due date: stalled partnerships, contracts ending within 60
    days, evaluations due, speed-dating sessions with missing outcomes, unpaid fees. Paged
    (``limit``, ``offset``; ``total`` says how many match)."""
    today = lab.follow_ups.clock()
    csv_wanted = wants_csv(request, format)
    page = lab.follow_ups.follow_up_page(
        caller,
        owner=owner,
        kind=kind,
        due_before=due_before,
        today=today,
        limit=limit if limit is not None or csv_wanted else DEFAULT_PAGE,
        offset=offset,
    )
    items = page.items
    if csv_wanted:
        return Response(
            follow_ups_csv(items),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="follow-ups.csv"'},
        )
    body = FollowUpListPublic(
        today=today,
        items=[FollowUpPublic.model_validate(i) for i in items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )
    return Response(body.model_dump_json(), media_type="application/json")


def _assignment_written(_lab: PartnerLab, _caller: Caller, result: CommandResult) -> Response:
    body = AssignmentWritten(id=result.id, version=result.version, position=result.position)
    return Response(
        body.model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"ETag": f'"{result.version}"'},
    )


@router.post(
    "/partnerships/{partnership_id}/assignments",
    status_code=201,
    response_model=AssignmentWritten,
    responses=documented(404, 409, 412, 422, 503),
)
def assign_staff(
    partnership_id: Annotated[UUID, Path()], body: AssignmentCreate, write: WriteDep
) -> Response:
    """Assign (or reassign) the staff member who follows a partnership, from a date on."""
    return write.run(
        body,
        lambda lab, caller, version: lab.partnerships.assign_staff(
            caller,
            partnership_id,
            staff=body.staff,
            from_on=body.from_on,
            expected_version=version,
        ),
        _assignment_written,
    )


@router.post(
    CALENDAR_PATH,
    status_code=201,
    response_model=CalendarPublic,
    responses=documented(422, 503),
)
def issue_calendar(
    request: Request, lab: LabDep, caller: WriterDep, body: CalendarCreate
) -> CalendarPublic:
    """A new secret calendar address for a staff member (the previous one stops working)."""
    token = lab.follow_ups.issue_feed_token(caller, body.staff)
    url = str(request.url_for("calendar_feed", token=f"{token}.ics"))
    return CalendarPublic(staff=body.staff, url=url)


def calendar(staff: str, items: list[FollowUpItem]) -> bytes:
    """One all-day event per item, on its due date."""
    cal = Calendar()
    cal.add("prodid", "-//Partnerlab//follow-ups//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Partnerlab follow-ups: {staff}")
    stamp = datetime.now(UTC)
    for item in items:
        event = Event()
        event.add("uid", f"{item.key}@partnerlab")
        event.add("summary", f"[{item.kind}] {item.title}")
        event.add("dtstart", item.due_on)
        event.add("dtstamp", stamp)
        event.add("description", f"{item.subject_type} {item.subject_id}")
        cal.add_component(event)
    return bytes(cal.to_ical())


@router.get(
    CALENDAR_PATH + "/{token}",
    name="calendar_feed",
    responses={**documented(404, 503), 200: {"content": {"text/calendar": {}}}},
)
def calendar_feed(lab: LabDep, token: Annotated[str, Path(max_length=100)]) -> Response:
    """A staff member's follow-ups as an iCalendar feed (the address is the secret)."""
    staff, items = lab.follow_ups.feed(token.removesuffix(".ics"))
    return Response(calendar(staff, items), media_type="text/calendar; charset=utf-8")
