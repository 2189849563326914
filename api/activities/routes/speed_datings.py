"""Speed-dating sessions: plan, register, schedule, check in, record outcomes, close; the
printable timetable (whole, per table, per participant) and the big-screen page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from starlette.responses import Response as StarletteResponse

from api import API_PREFIX
from api.activities.responses import Format, HeldDep, activities_page, wanted_format, written
from api.activities.schemas.activities import ActivitiesPublic, OrganizationRefCreate, PairCreate
from api.activities.schemas.speed_datings import (
    CatchUpCreate,
    CatchUpWithdrawal,
    CloseCreate,
    FollowUpsPublic,
    OutcomeCreate,
    ParticipantCardPublic,
    ScheduleCreate,
    ScreenPublic,
    SpeedDatingCreate,
    SpeedDatingPublic,
    SpeedDatingWritten,
    TableSheetPublic,
    TimetablePublic,
    WithdrawalCreate,
)
from api.activities.timetable_pages import (
    cards_csv,
    cards_html,
    screen_html,
    tables_csv,
    tables_html,
    timetable_csv,
    timetable_html,
)
from api.commands import RecordRead, RecordWrite, Route, add_named_route, add_record_writes
from api.console.labels import N_
from api.console.locales import request_locale
from api.deps import LabDep, PageDep, ReaderDep
from api.fields import QueryMoment
from api.partnerships.routes.partnerships import opening
from api.problems import documented
from api.writes import Presenter
from application.activities.speed_dating import SpeedDatingService
from application.activities.timetables import participant_card, participants, table_sheet
from application.activities.views import Timetable
from application.event_log import LAB_TIMEZONE
from domain.activities.values import Pair

router = APIRouter(prefix="/speed-datings", tags=["speed-dating"])

SessionId = Annotated[UUID, Path(description="The speed-dating session's id.")]
FormatQuery = Annotated[Format | None, Query(description="json (default), html (printable) or csv")]
READ_PROBLEMS = documented(404, 409, 422)
PRINTABLE = {
    **READ_PROBLEMS,
    200: {"content": {"application/json": {}, "text/html": {}, "text/csv": {}}},
}
COLLECTION = "speed-datings"
T = TypeVar("T")


SESSION_WRITTEN: Presenter = written(
    lambda lab: lab.speed_dating.get_speed_dating, SpeedDatingWritten, COLLECTION
)


def _pairs(pairs: list[PairCreate] | None) -> list[Pair] | None:
    return None if pairs is None else [Pair(p.association_id, p.company_id) for p in pairs]


def list_sessions(lab: LabDep, caller: ReaderDep, held: HeldDep, page: PageDep) -> ActivitiesPublic:
    """List the sessions, latest first, optionally between two dates."""
    return activities_page(lab.speed_dating.list_speed_datings(caller, page, **held))


def _excluded(body: ScheduleCreate | None) -> dict[str, object]:
    return {"excluded": _pairs(body.excluded_pairs if body else None)}


def _catch_up(body: CatchUpCreate | None) -> dict[str, object]:
    return {"pairs": _pairs(body.pairs if body else None)}


# The writes on the sessions: one use case each, run with the body's fields.
def follow_ups(session_id: SessionId, lab: LabDep, caller: ReaderDep) -> FollowUpsPublic:
    """Mutual follow-ups with their partnerships, and one-sided ones for staff to decide."""
    mutual, one_sided = lab.speed_dating.speed_dating_follow_ups(caller, session_id)
    return FollowUpsPublic.model_validate({"follow_ups": mutual, "one_sided": one_sided})


add_record_writes(
    router,
    (
        RecordWrite(
            "",
            SpeedDatingCreate,
            SpeedDatingService.plan_speed_dating,
            "Plan a session: date and start (a plan, may be in the future), venue, host company.",
            name="plan_session",
        ),
        Route("", list_sessions, ActivitiesPublic, documented(422)),
        RecordRead(
            "/{session_id}",
            SpeedDatingService.get_speed_dating,
            SpeedDatingPublic,
            "Show a session: participants, plan, outcomes, follow-ups; its ETag is its version.",
            name="get_session",
            problems=READ_PROBLEMS,
        ),
        RecordWrite(
            "/{session_id}/participants/{organization_id}/withdrawal",
            WithdrawalCreate,
            SpeedDatingService.withdraw_session_participant,
            "Withdraw a registration before the session is under way.",
            name="withdraw_participant",
            optional_body=True,
        ),
        RecordWrite(
            "/{session_id}/schedule",
            ScheduleCreate,
            SpeedDatingService.generate_session_schedule,
            "Generate (or regenerate, before the first outcome) the rotation plan.",
            name="generate_schedule",
            optional_body=True,
            fields=_excluded,
        ),
        RecordWrite(
            "/{session_id}/catch-up",
            CatchUpCreate,
            SpeedDatingService.schedule_catch_up_rounds,
            "Add catch-up rounds for missed meetings, in the fewest rounds they need.",
            name="schedule_catch_up",
            optional_body=True,
            fields=_catch_up,
        ),
        RecordWrite(
            "/{session_id}/catch-up/withdrawal",
            CatchUpWithdrawal,
            SpeedDatingService.withdraw_catch_up_rounds,
            "Withdraw the catch-up rounds, as long as none of their meetings was held.",
            name="withdraw_catch_up",
            optional_body=True,
        ),
        RecordWrite(
            "/{session_id}/participants",
            OrganizationRefCreate,
            SpeedDatingService.register_session_participant,
            "Register an association or a company (a schedule already generated is dropped).",
            name="register_participant",
        ),
        RecordWrite(
            "/{session_id}/check-ins",
            OrganizationRefCreate,
            SpeedDatingService.check_in_participant,
            "Record that a participant arrived (from the session's day on).",
            name="check_in",
        ),
        RecordWrite(
            "/{session_id}/no-shows",
            OrganizationRefCreate,
            SpeedDatingService.record_no_show,
            "Record a participant as absent (before the start: regenerate the schedule).",
        ),
        RecordWrite(
            "/{session_id}/outcomes",
            OutcomeCreate,
            SpeedDatingService.record_meeting_outcome,
            "Record whether a meeting was held and each side's interest (re-record to fix it).",
            name="record_outcome",
        ),
        RecordWrite(
            "/{session_id}/close",
            CloseCreate,
            SpeedDatingService.close_speed_dating,
            "Close the session: mutual follow-ups open partnerships (by policy, shortly after).",
            name="close_session",
        ),
        Route("/{session_id}/follow-ups", follow_ups, FollowUpsPublic, READ_PROBLEMS),
        opening(
            "/{session_id}/partnerships",
            PairCreate,
            SpeedDatingService.open_partnership_from_session,
            "Staff's decision: open the partnership of a pair that met here (at most once).",
        ),
    ),
    service=lambda lab: lab.speed_dating,
    record_id=("session_id", SessionId),
    response=SpeedDatingWritten,
    present=SESSION_WRITTEN,
)


# -- the timetable -------------------------------------------------------------------------------


def _links(session_id: UUID) -> dict[str, str]:
    base = f"{API_PREFIX}/{COLLECTION}/{session_id}"
    return {
        N_("Sheets per table"): f"{base}/timetable/tables?format=html",
        N_("Cards per participant"): f"{base}/timetable/participants?format=html",
        N_("CSV"): f"{base}/timetable?format=csv",
        N_("Big screen"): f"{base}/screen",
    }


def _csv(text: str, name: str) -> StarletteResponse:
    return StarletteResponse(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _file_name(plan: Timetable, what: str) -> str:
    return f"speed-dating-{plan.held_on.isoformat()}-{what}"


Printable = tuple[
    list[Any],
    Callable[[Timetable, list[Any], str], str],
    Callable[[list[Any]], str],
    str,
]
"""Sheets or cards, how to print them (HTML, CSV) and the file name's last word."""


def _printed(
    request: Request,
    format: Format | None,
    plan: Callable[[], Timetable],
    printable: Printable,
    json: Callable[[], T],
) -> T | StarletteResponse:
    """JSON, or the printable page, or the CSV file of the plan's sheets or cards."""
    chosen = wanted_format(request, format)
    if chosen == "json":
        return json()
    items, html, csv, what = printable
    timetable = plan()
    if chosen == "html":
        return HTMLResponse(html(timetable, items, request_locale(request)))
    return _csv(csv(items), _file_name(timetable, what))


@router.get("/{session_id}/timetable", response_model=TimetablePublic, responses=PRINTABLE)
def get_timetable(
    session_id: SessionId,
    lab: LabDep,
    caller: ReaderDep,
    request: Request,
    format: FormatQuery = None,
) -> TimetablePublic | StarletteResponse:
    """The whole plan with times: a row per round, a column per table (HTML, CSV or JSON)."""
    plan = lab.speed_dating.speed_dating_timetable(caller, session_id)
    chosen = wanted_format(request, format)
    if chosen == "html":
        return HTMLResponse(timetable_html(plan, _links(session_id), request_locale(request)))
    if chosen == "csv":
        return _csv(timetable_csv(plan), _file_name(plan, "timetable"))
    return _timetable_public(plan)


def _timetable_public(plan: Timetable) -> TimetablePublic:
    tables = [{"table": t, "seated": seated} for t, seated in plan.tables.items()]
    return TimetablePublic.model_validate(
        {
            "session_id": plan.session_id,
            "title": plan.title,
            "held_on": plan.held_on,
            "venue": plan.venue,
            "round_minutes": plan.round_minutes,
            "changeover_minutes": plan.changeover_minutes,
            "tables": tables,
            "rounds": plan.rounds,
        }
    )


def _add_every(
    path: str,
    name: str,
    items_of: Callable[[Timetable], list[Any]],
    printing: tuple[Callable[[Timetable, list[Any], str], str], Callable[[list[Any]], str], str],
    schema: type[BaseModel],
    description: str,
) -> None:
    """``GET <path>``: all the plan's sheets or cards (JSON, printable page or CSV file)."""

    def endpoint(
        session_id: SessionId,
        lab: LabDep,
        caller: ReaderDep,
        request: Request,
        format: FormatQuery = None,
    ) -> Any:
        plan = lab.speed_dating.speed_dating_timetable(caller, session_id)
        items = items_of(plan)
        every = (items, *printing)
        return _printed(
            request, format, lambda: plan, every, lambda: [schema.model_validate(i) for i in items]
        )

    shown = list[schema]  # type: ignore[valid-type]
    add_named_route(router, path, endpoint, name, description, shown, responses=PRINTABLE)


_add_every(
    "/{session_id}/timetable/tables",
    "get_table_sheets",
    lambda plan: [s for t in plan.tables if (s := table_sheet(plan, t)) is not None],
    (tables_html, tables_csv, "tables"),
    TableSheetPublic,
    "A sheet per table: who sits there and whom they meet in each round.",
)


@router.get(
    "/{session_id}/timetable/tables/{table}",
    response_model=TableSheetPublic,
    responses=PRINTABLE,
)
def get_table_sheet(
    session_id: SessionId,
    table: Annotated[int, Path(ge=1, le=1000, description="The table's number.")],
    lab: LabDep,
    caller: ReaderDep,
    request: Request,
    format: FormatQuery = None,
) -> TableSheetPublic | StarletteResponse:
    """One table's sheet."""
    sheet = lab.speed_dating.speed_dating_table_sheet(caller, session_id, table)
    return _printed(
        request,
        format,
        lambda: lab.speed_dating.speed_dating_timetable(caller, session_id),
        ([sheet], tables_html, tables_csv, f"table-{table}"),
        lambda: TableSheetPublic.model_validate(sheet),
    )


_add_every(
    "/{session_id}/timetable/participants",
    "get_participant_cards",
    lambda plan: [participant_card(plan, p) for p in participants(plan)],
    (cards_html, cards_csv, "participants"),
    ParticipantCardPublic,
    "A card per participant: at which table, whom they meet, when they have a break.",
)


@router.get(
    "/{session_id}/timetable/participants/{organization_id}",
    response_model=ParticipantCardPublic,
    responses=PRINTABLE,
)
def get_participant_card(
    session_id: SessionId,
    organization_id: UUID,
    lab: LabDep,
    caller: ReaderDep,
    request: Request,
    format: FormatQuery = None,
) -> ParticipantCardPublic | StarletteResponse:
    """One participant's card."""
    card = lab.speed_dating.speed_dating_participant_card(caller, session_id, organization_id)
    return _printed(
        request,
        format,
        lambda: lab.speed_dating.speed_dating_timetable(caller, session_id),
        ([card], cards_html, cards_csv, "participant"),
        lambda: ParticipantCardPublic.model_validate(card),
    )


@router.get(
    "/{session_id}/screen",
    response_model=ScreenPublic,
    responses={**READ_PROBLEMS, 200: {"content": {"text/html": {}, "application/json": {}}}},
)
def big_screen(
    session_id: SessionId,
    lab: LabDep,
    caller: ReaderDep,
    request: Request,
    at: Annotated[
        QueryMoment,
        Query(description="The moment to show (lab local time if no zone); default: now."),
    ] = None,
    format: Annotated[
        Literal["html", "json"] | None, Query(description="html (default) or json")
    ] = None,
) -> ScreenPublic | StarletteResponse:
    """The big-screen page: the current round and its tables, refreshing itself."""
    moment = at or datetime.now(LAB_TIMEZONE)
    if moment.tzinfo is not None:
        moment = moment.astimezone(LAB_TIMEZONE).replace(tzinfo=None)
    view = lab.speed_dating.speed_dating_screen(caller, session_id, moment)
    accept = request.headers.get("accept", "")
    if format == "json" or (format is None and accept.startswith("application/json")):
        return ScreenPublic.model_validate(view)
    return HTMLResponse(screen_html(view, request_locale(request)))
