"""The console's lists of the lab's other activities, each with its create form: events and
forums (``lab.lab_events``), consulting (``lab.consulting``), trainings (``lab.trainings``) and
funding (``lab.funding``: every income line, and a subsidy to record).

One template (``activities/activity_list.html``) shows every section: the section says its
columns, its rows and its form's fields; posting the form runs one use case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.console.labels import N_, Labels
from api.console.locales import request_locale, translator
from api.console.messages import explain
from api.console.parsing import FormValueError, amount, count, day, optional
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
from application.activities.views import FundingFilter
from application.errors import ApplicationError
from application.lab import PartnerLab
from application.partnerships.views import OrganizationFilter
from application.results import PageRequest
from domain.activities.lab_event import EVENT_KINDS
from domain.errors import DomainError
from domain.values import OrganizationKind

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
NO_STORE = {"Cache-Control": "no-store"}

activity_status: dict[str, str] = {
    "planned": N_("planned"),
    "scheduled": N_("scheduled"),
    "under_way": N_("under way"),
    "closed": N_("closed"),
    "open": N_("open"),
    "held": N_("held"),
    "ended": N_("ended"),
}
source_words: dict[str, str] = {
    "subsidy": N_("subsidy"),
    "consulting": N_("consulting"),
    "training": N_("training"),
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    options: (
        Callable[[PartnerLab, ConsoleUser, Callable[[str], str]], list[tuple[str, str]]] | None
    ) = None


@dataclass(frozen=True)
class Section:
    path: str
    title: str
    form_title: str
    submit: str
    columns: tuple[str, ...]
    rows: Callable[[PartnerLab, ConsoleUser, Callable[[str], str]], list[tuple[Any, ...]]]
    fields: tuple[Field, ...]
    create: Callable[[PartnerLab, ConsoleUser, Form], object]


def _activity_rows(
    listing: Callable[[PartnerLab, ConsoleUser], Any], *, with_kind: bool = False
) -> Callable[[PartnerLab, ConsoleUser, Callable[[str], str]], list[tuple[Any, ...]]]:
    def rows(lab: PartnerLab, user: ConsoleUser, _: Callable[[str], str]) -> list[tuple[Any, ...]]:
        found = listing(lab, user)
        return [
            (
                a.title,
                a.held_on,
                _(Labels.origin.get(a.kind, a.kind)) if with_kind else a.venue or "",
                _(activity_status.get(a.status, a.status)),
            )
            for a in found.items
        ]

    return rows


def _companies(
    lab: PartnerLab, user: ConsoleUser, _: Callable[[str], str]
) -> list[tuple[str, str]]:
    found = lab.organizations.list_organizations(
        user.caller,
        OrganizationFilter(kind=OrganizationKind.COMPANY, stage_counts=False),
        PageRequest(limit=500),
    )
    return [(str(o.id), o.name) for o in found.items]


def _event_kinds(
    _lab: PartnerLab, _user: ConsoleUser, _: Callable[[str], str]
) -> list[tuple[str, str]]:
    return [(k.value, _(Labels.origin[k.value])) for k in EVENT_KINDS]


def _plan_event(lab: PartnerLab, user: ConsoleUser, form: Form) -> object:
    kinds = {k.value: k for k in EVENT_KINDS}
    if form.get("kind") not in kinds:
        raise FormValueError("kind", "value-required")
    return lab.lab_events.plan_event(
        user.caller,
        kind=kinds[form.get("kind")],
        title=form.get("title"),
        held_on=day(form.get("held_on"), "held_on"),
        theme=optional(form.get("theme")),
        venue=optional(form.get("venue")),
    )


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise FormValueError(field, "value-required") from None


def _funding_rows(
    lab: PartnerLab, user: ConsoleUser, _: Callable[[str], str]
) -> list[tuple[Any, ...]]:
    lines = lab.funding.funding_lines(user.caller, FundingFilter())
    return [
        (line.year, _(source_words[line.source.value]), line.payer, line.amount_eur,
         line.received_on)
        for line in sorted(lines, key=lambda x: x.received_on, reverse=True)
    ]  # fmt: skip


def _page(n: int = 0) -> PageRequest:
    return PageRequest(limit=PAGE_SIZE, offset=n)


SECTIONS: dict[str, Section] = {
    "events": Section(
        "/console/events",
        N_("Events and forums"),
        N_("Plan an event"),
        N_("Plan the event"),
        (N_("Title"), N_("Date"), N_("Kind"), N_("Status")),
        _activity_rows(
            lambda lab, user: lab.lab_events.list_events(user.caller, _page()), with_kind=True
        ),
        (
            Field("kind", N_("Kind"), "select", True, _event_kinds),
            Field("title", N_("Title"), required=True),
            Field("held_on", N_("Date"), "date", True),
            Field("theme", N_("Theme")),
            Field("venue", N_("Venue")),
        ),
        _plan_event,
    ),
    "consulting": Section(
        "/console/consulting",
        N_("Consulting"),
        N_("Open a consulting engagement"),
        N_("Open the engagement"),
        (N_("Scope"), N_("Started on"), N_("Venue"), N_("Status")),
        _activity_rows(lambda lab, user: lab.consulting.list_consulting(user.caller, _page())),
        (
            Field("company_id", N_("Company"), "select", True, _companies),
            Field("scope", N_("Scope"), required=True),
            Field("started_on", N_("Started on"), "date", True),
        ),
        lambda lab, user, form: lab.consulting.open_consulting(
            user.caller,
            company_id=_uuid(form.get("company_id"), "company_id"),
            scope=form.get("scope"),
            started_on=day(form.get("started_on"), "started_on"),
        ),
    ),
    "trainings": Section(
        "/console/trainings",
        N_("Trainings"),
        N_("Plan a training"),
        N_("Plan the training"),
        (N_("Title"), N_("Date"), N_("Venue"), N_("Status")),
        _activity_rows(lambda lab, user: lab.trainings.list_trainings(user.caller, _page())),
        (
            Field("title", N_("Title"), required=True),
            Field("held_on", N_("Date"), "date", True),
            Field("audience", N_("Audience")),
        ),
        lambda lab, user, form: lab.trainings.plan_training(
            user.caller,
            title=form.get("title"),
            held_on=day(form.get("held_on"), "held_on"),
            audience=optional(form.get("audience")),
        ),
    ),
    "funding": Section(
        "/console/funding",
        N_("Funding"),
        N_("Record a subsidy"),
        N_("Record the subsidy"),
        (N_("Year"), N_("Source"), N_("Paid by"), N_("Amount"), N_("Received on")),
        _funding_rows,
        (
            Field("funder", N_("Funder"), required=True),
            Field("year", N_("Year"), "number", True),
            Field("amount_eur", N_("Amount (€)"), required=True),
            Field("granted_on", N_("Granted on"), "date", True),
        ),
        lambda lab, user, form: lab.funding.record_subsidy(
            user.caller,
            funder=form.get("funder"),
            year=count(form.get("year"), "year"),
            amount_eur=amount(form.get("amount_eur"), "amount_eur"),
            granted_on=day(form.get("granted_on"), "granted_on"),
        ),
    ),
}


def _show(
    request: Request,
    user: ConsoleUser,
    name: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    locale = request_locale(request)
    _ = translator(locale)
    lab = lab_of(request)
    section = SECTIONS[name]
    fields = [
        {
            "name": f.name,
            "label": _(f.label),
            "type": f.type,
            "required": f.required,
            "options": f.options(lab, user, _) if f.options else None,
        }
        for f in section.fields
    ]
    return page(
        "activities/activity_list.html",
        locale,
        status_code=422 if errors else 200,
        headers=NO_STORE,
        **context(
            request,
            user,
            section=section,
            section_name=name,
            rows=section.rows(lab, user, _),
            fields=fields,
            can_write=user.role in WRITERS,
            values=values or {"form_token": new_form_token()},
            errors=errors or {},
        ),
    )


def _list_route(name: str) -> Callable[..., HTMLResponse]:
    def show(request: Request, user: UserDep) -> HTMLResponse:
        allowed(user, READERS, request_locale(request))
        return _show(request, user, name)

    return show


def _create_route(name: str) -> Callable[..., Any]:
    async def create(request: Request) -> Response:
        form = await read_form(request)
        return await run_in_threadpool(_create, request, form, name)

    return create


def _create(request: Request, form: Form, name: str) -> Response:
    user = signed_in(request)
    check_csrf(request, form, user)
    locale = request_locale(request)
    allowed(user, WRITERS, locale)
    lab = lab_of(request)
    section = SECTIONS[name]

    def act() -> str:
        section.create(lab, user, form)
        lab.read_models.wait_for_projections()
        return f"{section.path}?saved=1"

    try:
        return record_once(request, user, form, act)
    except FormValueError as error:
        errors = {error.field: explain(error.rule, error.rule, locale)}
    except (ApplicationError, DomainError) as error:
        field = error.field or section.fields[0].name
        errors = {field: explain(error.rule, error.message, locale)}
    return _show(request, user, name, form.fields, errors)


for _name, _section in SECTIONS.items():
    router.add_api_route(_section.path, _list_route(_name), methods=["GET"],
                         response_class=HTMLResponse)  # fmt: skip
    router.add_api_route(_section.path, _create_route(_name), methods=["POST"])
