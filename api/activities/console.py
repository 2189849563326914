"""The console's speed-dating pages: the sessions, planning one, registering participants,
the schedule (with links to print the timetables and to open the big screen), checking
participants in on a tablet, every meeting's outcome in one grid (one form, one POST, one
use case), catching up the meetings marked as not held (and taking the catch-up back before
it is held), withdrawing a registration, closing the session and the partnerships it opened.

Every write is a use case of ``lab.speed_dating``, with the version the page was opened at;
a refused form comes back with the message beside the field and nothing recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.console.labels import N_
from api.console.locales import request_locale, translator
from api.console.messages import explain
from api.console.parsing import FormValueError, count, day, optional
from api.console.session import (
    READERS,
    WRITERS,
    Form,
    UserDep,
    allowed,
    check_csrf,
    context,
    lab_of,
    new_form_token,
    read_form,
    record_once,
    signed_in,
)
from api.console.templating import page
from application.access.accounts import ConsoleUser
from application.activities.speed_dating import OutcomeEntry
from application.activities.views import SpeedDatingView, Timetable
from application.errors import ApplicationError, VersionMismatch
from application.partnerships.views import OrganizationFilter
from application.results import PageRequest
from domain.activities.values import Interest
from domain.errors import DomainError
from domain.values import OrganizationKind

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
SESSIONS = "/console/speed-dating"
API_SESSIONS = "/api/v1/speed-datings"
PAGE_SIZE = 25

session_status: dict[str, str] = {
    "planned": N_("planned"),
    "scheduled": N_("scheduled"),
    "under_way": N_("under way"),
    "closed": N_("closed"),
}
attendance: dict[str, str] = {
    "registered": N_("registered"),
    "checked_in": N_("arrived"),
    "no_show": N_("absent"),
}
interest: dict[str, str] = {
    "none": N_("no further interest"),
    "informative": N_("wants to hear more"),
    "follow_up": N_("wants to follow up"),
}


class Refused(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _html(
    request: Request, user: ConsoleUser, template: str, status: int = 200, **values: Any
) -> HTMLResponse:
    locale = request_locale(request)
    _ = translator(locale)
    return page(
        template,
        locale,
        status_code=status,
        headers=NO_STORE,
        **context(
            request,
            user,
            can_write=user.role in WRITERS,
            status_words={k: _(v) for k, v in session_status.items()},
            attendance_words={k: _(v) for k, v in attendance.items()},
            interest_options=[(k, _(v)) for k, v in interest.items()],
            **values,
        ),
    )


def _refusing(act: Callable[[], str], locale: str, default: str) -> Callable[[], str]:
    def run() -> str:
        try:
            return act()
        except VersionMismatch as error:
            raise Refused({"version": explain(error.rule, error.message, locale)}) from None
        except FormValueError as error:
            raise Refused({error.field: explain(error.rule, error.rule, locale)}) from None
        except (DomainError, ApplicationError) as error:
            field = (error.field or default).replace(":", "-")
            raise Refused({field: explain(error.rule, error.message, locale)}) from None

    return run


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise FormValueError(field, "value-required") from None


def _version(form: Form) -> int | None:
    try:
        return int(form.get("version")) or None
    except ValueError:
        return None


def _writer(request: Request, form: Form) -> ConsoleUser:
    user = signed_in(request)
    check_csrf(request, form, user)
    allowed(user, WRITERS, request_locale(request))
    return user


# -- the sessions --------------------------------------------------------------------------


@router.get(SESSIONS, response_class=HTMLResponse)
def sessions(
    request: Request,
    user: UserDep,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    allowed(user, READERS, request_locale(request))
    found = lab_of(request).speed_dating.list_speed_datings(
        user.caller, PageRequest(limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    )
    return _html(
        request,
        user,
        "activities/speed_datings.html",
        found=found,
        page_number=page_number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query_for=lambda n: f"page={n}",
    )


def _organisations(
    request: Request, user: ConsoleUser, kind: OrganizationKind | None = None
) -> list[Any]:
    found = lab_of(request).organizations.list_organizations(
        user.caller, OrganizationFilter(kind=kind, stage_counts=False), PageRequest(limit=500)
    )
    return list(found.items)


def _new_form(
    request: Request, user: ConsoleUser, values: dict[str, str], errors: dict[str, str]
) -> HTMLResponse:
    companies = _organisations(request, user, OrganizationKind.COMPANY)
    return _html(
        request,
        user,
        "activities/speed_dating_new.html",
        422 if errors else 200,
        values=values,
        errors=errors,
        companies=[(str(c.id), c.name) for c in companies],
    )


@router.get(f"{SESSIONS}/new", response_class=HTMLResponse)
def new_session(request: Request, user: UserDep) -> HTMLResponse:
    allowed(user, WRITERS, request_locale(request))
    today = lab_of(request).partnerships.clock()
    values = {
        "form_token": new_form_token(),
        "held_on": today.isoformat(),
        "starts_at": "18:00",
        "round_minutes": "7",
        "changeover_minutes": "1",
    }
    return _new_form(request, user, values, {})


def _clock_time(value: str, field: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise FormValueError(field, "value-required") from None


@router.post(f"{SESSIONS}/new")
async def plan_session(request: Request) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_plan_session, request, form)


def _plan_session(request: Request, form: Form) -> Response:
    user = _writer(request, form)
    locale = request_locale(request)
    lab = lab_of(request)

    def act() -> str:
        result = lab.speed_dating.plan_speed_dating(
            user.caller,
            title=form.get("title"),
            held_on=day(form.get("held_on"), "held_on"),
            starts_at=_clock_time(form.get("starts_at"), "starts_at"),
            venue=form.get("venue"),
            host_company_id=_uuid(form.get("host_company_id"), "host_company_id"),
            round_minutes=count(form.get("round_minutes") or "7", "round_minutes"),
            changeover_minutes=count(form.get("changeover_minutes") or "1", "changeover_minutes"),
            note=optional(form.get("note")),
        )
        lab.read_models.wait_for_projections()
        return f"{SESSIONS}/{result.id}"

    try:
        return record_once(request, user, form, _refusing(act, locale, "title"))
    except Refused as refused:
        return _new_form(request, user, form.fields, refused.errors)


# -- one session ---------------------------------------------------------------------------


def _timetable(request: Request, user: ConsoleUser, view: SpeedDatingView) -> Timetable | None:
    if not view.rounds_count:
        return None
    return lab_of(request).speed_dating.speed_dating_timetable(user.caller, view.id)


def _session_page(
    request: Request,
    user: ConsoleUser,
    session_id: UUID,
    template: str = "activities/speed_dating.html",
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    lab = lab_of(request)
    view = lab.speed_dating.get_speed_dating(user.caller, session_id)
    registered = {p.id for p in (*view.associations, *view.companies)}
    candidates = [o for o in _organisations(request, user) if o.id not in registered]
    plan = _timetable(request, user, view)
    recorded = {(o.association_id, o.company_id): o for o in view.outcomes}
    # One line per pair: a pair planned again in a catch-up round is shown there (its
    # outcome is the pair's, whichever round it was held in).
    by_pair: dict[tuple[UUID, UUID], dict[str, Any]] = {}
    if plan is not None:
        present = {p.id: p.attendance for p in (*view.associations, *view.companies)}
        for round_ in plan.rounds:
            for meeting in round_.meetings:
                key = (meeting.association.id, meeting.company.id)
                by_pair.pop(key, None)
                by_pair[key] = {
                    "round": round_.number,
                    "catch_up": round_.catch_up,
                    "starts_at": round_.starts_at,
                    "table": meeting.table,
                    "association": meeting.association,
                    "company": meeting.company,
                    "outcome": recorded.get(key),
                    "both_arrived": present.get(key[0]) == "checked_in"
                    and present.get(key[1]) == "checked_in",
                    "key": f"{key[0]}-{key[1]}",
                }
    meetings = sorted(by_pair.values(), key=lambda m: (m["round"], m["table"]))
    catch_up_rounds = [r for r in plan.rounds if r.catch_up] if plan is not None else []
    base = f"{API_SESSIONS}/{view.id}"
    return _html(
        request,
        user,
        template,
        status,
        s=view,
        version=str(view.version),
        candidates=[(str(o.id), o.name, o.kind.value) for o in candidates],
        meetings=meetings,
        missing=max(0, view.meetings_scheduled - len(view.outcomes)),
        missed=sum(1 for o in view.outcomes if not o.held),
        catch_up_rounds=catch_up_rounds,
        catch_up_meetings=sum(len(r.meetings) for r in catch_up_rounds),
        registered=[(str(p.id), p.name) for p in (*view.associations, *view.companies)],
        errors=errors or {},
        values=values or {},
        form_token=new_form_token(),
        new_token=new_form_token,
        today=lab.partnerships.clock().isoformat(),
        base=f"{SESSIONS}/{view.id}",
        print_links=[
            (N_("Timetable"), f"{base}/timetable?format=html"),
            (N_("Sheets per table"), f"{base}/timetable/tables?format=html"),
            (N_("Cards per participant"), f"{base}/timetable/participants?format=html"),
        ],
        screen_url=f"{base}/screen",
    )


@router.get(SESSIONS + "/{session_id}", response_class=HTMLResponse)
def session(request: Request, user: UserDep, session_id: UUID) -> HTMLResponse:
    allowed(user, READERS, request_locale(request))
    return _session_page(request, user, session_id)


@router.get(SESSIONS + "/{session_id}/check-in", response_class=HTMLResponse)
def check_in_page(request: Request, user: UserDep, session_id: UUID) -> HTMLResponse:
    allowed(user, WRITERS, request_locale(request))
    return _session_page(request, user, session_id, "activities/check_in.html")


@router.get(SESSIONS + "/{session_id}/outcomes", response_class=HTMLResponse)
def outcomes_page(request: Request, user: UserDep, session_id: UUID) -> HTMLResponse:
    allowed(user, WRITERS, request_locale(request))
    return _session_page(request, user, session_id, "activities/outcomes.html")


ACTIONS = (
    "register",
    "withdraw",
    "schedule",
    "catch-up",
    "withdraw-catch-up",
    "check-in",
    "no-show",
    "outcomes",
    "close",
    "open-pair",
)
FIELDS = {
    "register": {},
    "withdraw": {"organization_id": "withdraw_organization_id", "reason": "withdraw_reason"},
    "catch-up": {"pairs": "catch_up"},
    "withdraw-catch-up": {"reason": "catch_up_reason"},
}
"""Per form, the page's field for a use case's field (the page holds several forms)."""
DEFAULT_FIELD = {
    "withdraw": "withdraw_organization_id",
    "catch-up": "catch_up",
    "withdraw-catch-up": "catch_up_reason",
}
"""Per form, where a refusal that names no field is shown."""
TEMPLATES = {
    "check-in": "activities/check_in.html",
    "no-show": "activities/check_in.html",
    "outcomes": "activities/outcomes.html",
}


@router.post(SESSIONS + "/{session_id}/{action}")
async def session_action(request: Request, session_id: UUID, action: str) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_session_action, request, form, session_id, action)


def _outcome_entries(form: Form) -> list[OutcomeEntry]:
    """The grid's rows that say something (held or not), as the use case takes them."""
    interests = {i.value: i for i in Interest}
    entries = []
    for pair in form.lists.get("pair", []):
        association, company = pair[:36], pair[37:]
        held = form.get(f"held-{pair}")
        if held not in ("yes", "no"):
            continue
        entries.append(
            OutcomeEntry(
                association_id=_uuid(association, f"held-{pair}"),
                company_id=_uuid(company, f"held-{pair}"),
                held=held == "yes",
                association_interest=interests.get(form.get(f"ai-{pair}"), Interest.NONE),
                company_interest=interests.get(form.get(f"ci-{pair}"), Interest.NONE),
            )
        )
    return entries


def _changed(entries: list[OutcomeEntry], view: SpeedDatingView) -> list[OutcomeEntry]:
    """Only the rows that differ from what is recorded (a resent grid records nothing new)."""
    recorded = {
        (o.association_id, o.company_id): (o.held, o.association_interest, o.company_interest)
        for o in view.outcomes
    }
    return [
        e
        for e in entries
        if recorded.get((e.association_id, e.company_id))
        != (e.held, e.association_interest, e.company_interest)
    ]


def _session_action(request: Request, form: Form, session_id: UUID, action: str) -> Response:
    user = _writer(request, form)
    locale = request_locale(request)
    _ = translator(locale)
    lab = lab_of(request)
    service = lab.speed_dating
    caller = user.caller
    expected = _version(form)
    base = f"{SESSIONS}/{session_id}"

    def act() -> str:
        if action == "register":
            chosen = form.lists.get("organization_id", [])
            if not chosen:
                raise FormValueError("organization_id", "value-required")
            version = expected
            for value in chosen:
                result = service.register_session_participant(
                    caller,
                    session_id,
                    organization_id=_uuid(value, "organization_id"),
                    expected_version=version,
                )
                version = result.version
            return f"{base}#participants"
        if action == "withdraw":
            service.withdraw_session_participant(
                caller,
                session_id,
                organization_id=_uuid(
                    form.get("withdraw_organization_id"), "withdraw_organization_id"
                ),
                reason=optional(form.get("withdraw_reason")),
                expected_version=expected,
            )
            return f"{base}#participants"
        if action == "catch-up":
            service.schedule_catch_up_rounds(caller, session_id, expected_version=expected)
            return f"{base}#catch-up"
        if action == "withdraw-catch-up":
            service.withdraw_catch_up_rounds(
                caller,
                session_id,
                reason=optional(form.get("catch_up_reason")),
                expected_version=expected,
            )
            return f"{base}#catch-up"
        if action == "schedule":
            service.generate_session_schedule(caller, session_id, expected_version=expected)
            return f"{base}#schedule"
        if action in ("check-in", "no-show"):
            record = (
                service.check_in_participant if action == "check-in" else service.record_no_show
            )
            record(
                caller,
                session_id,
                organization_id=_uuid(form.get("organization_id"), "organization_id"),
            )
            return f"{base}/check-in#p-{form.get('organization_id')}"
        if action == "outcomes":
            view = service.get_speed_dating(caller, session_id)
            entries = _changed(_outcome_entries(form), view)
            if entries:
                service.record_meeting_outcomes(
                    caller, session_id, entries, expected_version=expected
                )
            return f"{base}?recorded={len(entries)}#outcomes"
        if action == "close":
            view = service.get_speed_dating(caller, session_id)
            missing = view.meetings_scheduled - len(view.outcomes)
            if missing > 0 and form.get("confirm_missing") != "yes":
                message = _(
                    "Confirm that you close the session with meetings whose outcome is missing."
                )
                raise Refused({"confirm_missing": message})
            service.close_speed_dating(
                caller,
                session_id,
                occurred_on=day(form.get("occurred_on"), "occurred_on"),
                note=optional(form.get("note")),
                confirm_missing_outcomes=missing > 0,
                expected_version=expected,
            )
            lab.read_models.wait_for_projections()
            return f"{base}#follow-ups"
        if action == "open-pair":
            opened = service.open_partnership_from_session(
                caller,
                session_id,
                association_id=_uuid(form.get("association_id"), "association_id"),
                company_id=_uuid(form.get("company_id"), "company_id"),
            )
            lab.read_models.wait_for_projections()
            return f"/console/partnerships/{opened.id}"
        raise FormValueError("action", "lifecycle")

    default = DEFAULT_FIELD.get(action, "organization_id")
    try:
        return record_once(request, user, form, _refusing(act, locale, default))
    except Refused as refused:
        fields = FIELDS.get(action, {})
        return _session_page(
            request,
            user,
            session_id,
            TEMPLATES.get(action, "activities/speed_dating.html"),
            errors={fields.get(name, name): message for name, message in refused.errors.items()},
            values=form.fields,
            status=409 if "version" in refused.errors else 422,
        )
