"""The console's organisations and partnerships: lists with search and filters, a page per
record, and a form for every step the record may take now.

Every write goes through a use case of ``PartnerLab`` with the version the form was opened
at (``expected_version``): if someone else recorded something meanwhile, the use case refuses
(``VersionMismatch``) and the page says who recorded what, with what was typed kept. A refused
form comes back with the message beside the field; a form sent twice records once
(``record_once``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request
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
from application.errors import ApplicationError, VersionMismatch
from application.partnerships.views import OrganizationFilter, PartnershipFilter, PartnershipView
from application.results import PageRequest
from domain.errors import DomainError
from domain.values import Category, OrganizationKind, OriginKind, Stage, SubKind

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
PAGE_SIZE = 25
ORGS = "/console/organisations"
PARTNERSHIPS = "/console/partnerships"
STALLED_AFTER_DAYS = 90
"""Without a milestone for this many days, an open partnership before a contract is stalled
(the reports' default)."""


class Refused(Exception):
    """A form refused: the messages by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _refusal(error: Exception, prefix: str, locale: str, default_field: str) -> Refused:
    if isinstance(error, FormValueError):
        return Refused({error.field: explain(error.rule, error.rule, locale)})
    assert isinstance(error, DomainError | ApplicationError)
    field = (error.field or default_field).removeprefix("changes.")
    name = field if field.startswith(prefix) else f"{prefix}{field}"
    return Refused({name: explain(error.rule, error.message, locale)})


def _options(mapping: dict[str, str], locale: str) -> list[tuple[str, str]]:
    _ = translator(locale)
    return [(code, _(label)) for code, label in mapping.items()]


def _html(
    request: Request, user: ConsoleUser, template: str, status: int = 200, **values: Any
) -> HTMLResponse:
    return page(
        template,
        request_locale(request),
        status_code=status,
        headers=NO_STORE,
        **context(request, user, **values),
    )


# Organisations ---------------------------------------------------------------------------


@router.get(ORGS, response_class=HTMLResponse)
def organisations(
    request: Request,
    user: UserDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    locale = request_locale(request)
    allowed(user, READERS, locale)
    kinds = {k.value: k for k in OrganizationKind}
    found = lab_of(request).organizations.list_organizations(
        user.caller,
        OrganizationFilter(kind=kinds.get(kind), text=q.strip() or None),
        PageRequest(limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE),
    )
    return _html(
        request,
        user,
        "partnerships/organisations.html",
        found=found,
        q=q,
        kind=kind,
        page_number=page_number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query_for=lambda n: urlencode({"q": q, "kind": kind, "page": n}),
        kind_options=_options(dict(Labels.organization_kind), locale),
    )


def _organisation_form(
    request: Request,
    user: ConsoleUser,
    *,
    organisation: Any = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    conflict: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    locale = request_locale(request)
    if values is None:
        values = {}
        if organisation is not None:
            values = {
                "name": organisation.name,
                "territory": organisation.territory,
                "legal_identifier": organisation.legal_identifier or "",
                "field_of_activity": organisation.field_of_activity or "",
                "description": organisation.description or "",
                "kind": organisation.kind.value,
                "version": str(organisation.version),
            }
        values["form_token"] = new_form_token()
    return _html(
        request,
        user,
        "partnerships/organisation.html",
        status,
        organisation=organisation,
        values=values,
        errors=errors or {},
        conflict=conflict,
        kind_options=_options(dict(Labels.organization_kind), locale),
        can_write=user.role in WRITERS,
    )


@router.get(f"{ORGS}/new", response_class=HTMLResponse)
def new_organisation(request: Request, user: UserDep) -> HTMLResponse:
    allowed(user, WRITERS, request_locale(request))
    return _organisation_form(request, user)


@router.get(ORGS + "/{organisation_id}", response_class=HTMLResponse)
def organisation(request: Request, user: UserDep, organisation_id: UUID) -> HTMLResponse:
    allowed(user, READERS, request_locale(request))
    found = lab_of(request).organizations.get_organization(user.caller, organisation_id)
    return _organisation_form(request, user, organisation=found)


@router.post(f"{ORGS}/new")
async def register_organisation(request: Request) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_save_organisation, request, form, None)


@router.post(ORGS + "/{organisation_id}")
async def update_organisation(request: Request, organisation_id: UUID) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_save_organisation, request, form, organisation_id)


def _save_organisation(request: Request, form: Form, organisation_id: UUID | None) -> Response:
    user = signed_in(request)
    check_csrf(request, form, user)
    locale = request_locale(request)
    allowed(user, WRITERS, locale)
    lab = lab_of(request)
    fields: dict[str, Any] = {
        "name": form.get("name"),
        "territory": form.get("territory"),
        "legal_identifier": optional(form.get("legal_identifier")),
        "field_of_activity": optional(form.get("field_of_activity")),
        "description": optional(form.get("description")),
    }

    def act() -> str:
        if organisation_id is None:
            kinds = {k.value: k for k in OrganizationKind}
            if form.get("kind") not in kinds:
                raise Refused({"kind": translator(locale)("Choose association or company.")})
            result = lab.organizations.register_organization(
                user.caller, kind=kinds[form.get("kind")], **fields
            )
        else:
            result = lab.organizations.update_organization(
                user.caller,
                organisation_id,
                expected_version=_version(form),
                **fields,
            )
        lab.read_models.wait_for_projections()
        return f"{ORGS}/{result.id}?saved=1"

    existing = (
        lab.organizations.get_organization(user.caller, organisation_id)
        if organisation_id
        else None
    )
    try:
        return record_once(request, user, form, _refusing(act, "", locale, "name"))
    except Refused as refused:
        conflict = refused.errors.pop("__conflict__", None)
        return _organisation_form(
            request,
            user,
            organisation=existing,
            values=form.fields,
            errors=refused.errors,
            conflict=conflict,
            status=409 if conflict else 422,
        )


def _version(form: Form) -> int | None:
    try:
        version = int(form.get("version"))
    except ValueError:
        return None
    return version if version > 0 else None


def _refusing(act: Callable[[], str], prefix: str, locale: str, default: str) -> Callable[[], str]:
    """``act``, with its refusals turned into messages by field."""

    def run() -> str:
        try:
            return act()
        except VersionMismatch as error:
            raise Refused({"__conflict__": explain(error.rule, error.message, locale)}) from None
        except (DomainError, ApplicationError, FormValueError) as error:
            raise _refusal(error, prefix, locale, default) from None

    return run


# Partnerships ----------------------------------------------------------------------------


@router.get(PARTNERSHIPS, response_class=HTMLResponse)
def partnerships(
    request: Request,
    user: UserDep,
    stage: Annotated[str, Query(max_length=30)] = "",
    status: Annotated[str, Query(max_length=30)] = "",
    category: Annotated[str, Query(max_length=40)] = "",
    territory: Annotated[str, Query(max_length=3)] = "",
    origin: Annotated[str, Query(max_length=30)] = "",
    stalled: Annotated[str, Query(max_length=3)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    locale = request_locale(request)
    allowed(user, READERS, locale)
    stages = {s.value: s for s in Stage}
    categories = {c.value: c for c in Category}
    origins = {o.value: o for o in OriginKind}
    lab = lab_of(request)
    stalled_before = (
        lab.partnerships.clock() - timedelta(days=STALLED_AFTER_DAYS) if stalled else None
    )
    found = lab.partnerships.list_partnerships(
        user.caller,
        PartnershipFilter(
            stage=stages.get(stage),
            status=status if status in ("open", "abandoned") else None,
            category=categories.get(category),
            origin_kind=origins.get(origin),
            territory=territory.strip() or None,
            stalled_before=stalled_before,
        ),
        PageRequest(limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE),
    )
    return _html(
        request,
        user,
        "partnerships/partnerships.html",
        found=found,
        stage=stage,
        status_filter=status,
        category=category,
        territory=territory,
        origin=origin,
        stalled=bool(stalled),
        stalled_days=STALLED_AFTER_DAYS,
        page_number=page_number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query_for=lambda n: urlencode(
            {
                "stage": stage,
                "status": status,
                "category": category,
                "territory": territory,
                "origin": origin,
                "stalled": stalled,
                "page": n,
            }
        ),
        origin_options=_options(dict(Labels.origin), locale),
        stage_options=_options(dict(Labels.stage), locale),
        status_options=_options({"open": "open", "abandoned": "abandoned"}, locale),
        category_options=_options(dict(Labels.category), locale),
    )


def _organisation_choices(
    lab: Any, user: ConsoleUser, kind: OrganizationKind
) -> list[tuple[str, str]]:
    found = lab.organizations.list_organizations(
        user.caller, OrganizationFilter(kind=kind, stage_counts=False), PageRequest(limit=500)
    )
    return [(str(o.id), o.name) for o in found.items]


@router.get(f"{PARTNERSHIPS}/new", response_class=HTMLResponse)
def new_partnership(request: Request, user: UserDep) -> HTMLResponse:
    allowed(user, WRITERS, request_locale(request))
    return _new_partnership_form(request, user, {"form_token": new_form_token()}, {})


def _new_partnership_form(
    request: Request,
    user: ConsoleUser,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    locale = request_locale(request)
    lab = lab_of(request)
    return _html(
        request,
        user,
        "partnerships/new_partnership.html",
        status,
        values=values,
        errors=errors,
        associations=_organisation_choices(lab, user, OrganizationKind.ASSOCIATION),
        companies=_organisation_choices(lab, user, OrganizationKind.COMPANY),
        origin_options=_options(dict(Labels.origin), locale),
        today=lab.partnerships.clock().isoformat(),
    )


@router.post(f"{PARTNERSHIPS}/new")
async def open_partnership(request: Request) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_open_partnership, request, form)


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise FormValueError(field, "value-required") from None


def _open_partnership(request: Request, form: Form) -> Response:
    user = signed_in(request)
    check_csrf(request, form, user)
    locale = request_locale(request)
    allowed(user, WRITERS, locale)
    lab = lab_of(request)

    def act() -> str:
        origins = {o.value: o for o in OriginKind}
        if form.get("origin_kind") not in origins:
            raise FormValueError("origin_kind", "value-required")
        result = lab.partnerships.open_partnership(
            user.caller,
            association_id=_uuid(form.get("association_id"), "association_id"),
            company_id=_uuid(form.get("company_id"), "company_id"),
            origin_kind=origins[form.get("origin_kind")],
            occurred_on=day(form.get("occurred_on"), "occurred_on"),
            note=optional(form.get("note")),
        )
        lab.read_models.wait_for_projections()
        return f"{PARTNERSHIPS}/{result.id}"

    try:
        return record_once(request, user, form, _refusing(act, "", locale, "association_id"))
    except Refused as refused:
        return _new_partnership_form(request, user, form.fields, refused.errors, 422)


# One partnership -------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A form of the partnership page: what it records and the fields it asks for."""

    name: str
    title: str


STEPS_BY_STAGE: dict[Stage, tuple[str, ...]] = {
    Stage.MEETING: ("meeting", "idea", "abandon"),
    Stage.IDEA: ("meeting", "idea", "co_construction", "abandon"),
    Stage.CO_CONSTRUCTION: ("progress", "contract", "abandon"),
    Stage.CONTRACT: ("evaluation", "renewal"),
    Stage.EVALUATION: ("evaluation", "renewal"),
}
CORRECTABLE_FIELDS = ("occurred_on", "note")


def legal_steps(view: PartnershipView) -> tuple[str, ...]:
    if view.status == "abandoned":
        return ()
    return STEPS_BY_STAGE.get(view.stage, ())


@router.get(PARTNERSHIPS + "/{partnership_id}", response_class=HTMLResponse)
def partnership(request: Request, user: UserDep, partnership_id: UUID) -> HTMLResponse:
    allowed(user, READERS, request_locale(request))
    return _partnership_page(request, user, partnership_id)


def _partnership_page(
    request: Request,
    user: ConsoleUser,
    partnership_id: UUID,
    *,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    conflict: list[Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    locale = request_locale(request)
    lab = lab_of(request)
    view = lab.partnerships.get_partnership(user.caller, partnership_id)
    association = lab.organizations.get_organization(user.caller, view.association_id)
    company = lab.organizations.get_organization(user.caller, view.company_id)
    tokens = {
        step: new_form_token()
        for step in (
            *STEPS_BY_STAGE[Stage.IDEA],
            "progress",
            "contract",
            "evaluation",
            "renewal",
            "correction",
        )
    }
    typed = dict(values or {})
    if failed:
        tokens[failed] = new_form_token()
    return _html(
        request,
        user,
        "partnerships/partnership.html",
        status,
        p=view,
        association=association,
        company=company,
        steps=legal_steps(view) if user.role in WRITERS else (),
        can_write=user.role in WRITERS,
        tokens=tokens,
        version=str(view.version),
        values=typed,
        errors=errors or {},
        failed=failed,
        conflict=conflict,
        timeline=_timeline(view),
        category_options=_options(dict(Labels.category), locale),
        sub_kind_options=[(s.value, translator(locale)(Labels.sub_kind[s.value])) for s in SubKind],
        idea_options=[(str(i.id), i.title) for i in view.ideas],
        milestone_options=[
            (
                str(m.version),
                f"{translator(locale)(Labels.milestone.get(m.kind, m.kind))} · "
                f"{m.occurred_on.isoformat()}",
            )
            for m in view.milestones
        ],
        correctable_options=[
            ("occurred_on", translator(locale)(N_("date"))),
            ("note", translator(locale)(N_("note"))),
        ],
        today=lab.partnerships.clock().isoformat(),
        lineage_url=f"/api/v1/partnerships/{view.id}/lineage?format=html",
        base=f"{PARTNERSHIPS}/{view.id}",
    )


def _timeline(view: PartnershipView) -> list[dict[str, Any]]:
    """Milestones and corrections in the order they were recorded."""
    entries: list[dict[str, Any]] = [
        {
            "version": m.version,
            "kind": m.kind,
            "on": m.occurred_on,
            "actor": m.actor,
            "note": m.note,
            "details": m.details,
            "correction": None,
        }
        for m in view.milestones
    ]
    entries += [
        {
            "version": c.version,
            "kind": "correction",
            "on": c.occurred_on,
            "actor": c.actor,
            "note": None,
            "details": {},
            "correction": c,
        }
        for c in view.corrections
    ]
    return sorted(entries, key=lambda e: e["version"])


@router.post(PARTNERSHIPS + "/{partnership_id}/{step}")
async def record_step(request: Request, partnership_id: UUID, step: str) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_record_step, request, form, partnership_id, step)


def _record_step(  # noqa: PLR0915 - one branch per form of the page, each a use case
    request: Request, form: Form, partnership_id: UUID, step: str
) -> Response:
    user = signed_in(request)
    check_csrf(request, form, user)
    locale = request_locale(request)
    allowed(user, WRITERS, locale)
    lab = lab_of(request)
    service = lab.partnerships
    caller = user.caller
    expected = _version(form)
    prefix = f"{step}-"

    def v(name: str) -> str:
        return form.get(prefix + name)

    def act() -> str:
        common: dict[str, Any] = {"expected_version": expected}
        if step == "meeting":
            service.record_meeting(
                caller,
                partnership_id,
                occurred_on=day(v("occurred_on"), prefix + "occurred_on"),
                note=optional(v("note")),
                **common,
            )
        elif step == "idea":
            categories = {c.value: c for c in Category}
            if v("proposed_category") not in categories:
                raise FormValueError(prefix + "proposed_category", "category-valid")
            service.propose_idea(
                caller,
                partnership_id,
                title=v("title"),
                proposed_category=categories[v("proposed_category")],
                occurred_on=day(v("occurred_on"), prefix + "occurred_on"),
                description=optional(v("description")),
                **common,
            )
        elif step == "co_construction":
            service.start_co_construction(
                caller,
                partnership_id,
                idea_id=_uuid(v("idea_id"), prefix + "idea_id"),
                occurred_on=day(v("occurred_on"), prefix + "occurred_on"),
                **common,
            )
        elif step == "progress":
            service.record_progress(
                caller,
                partnership_id,
                progress=v("progress"),
                occurred_on=day(v("occurred_on"), prefix + "occurred_on"),
                **common,
            )
        elif step == "contract":
            categories = {c.value: c for c in Category}
            sub_kinds = {s.value: s for s in SubKind}
            if v("category") not in categories:
                raise FormValueError(prefix + "category", "category-valid")
            if v("sub_kind") not in sub_kinds:
                raise FormValueError(prefix + "sub_kind", "category-valid")
            service.sign_contract(
                caller,
                partnership_id,
                category=categories[v("category")],
                sub_kind=sub_kinds[v("sub_kind")],
                signed_on=day(v("signed_on"), prefix + "signed_on"),
                starts_on=day(v("starts_on"), prefix + "starts_on"),
                ends_on=day(v("ends_on"), prefix + "ends_on"),
                financial_eur=amount(v("financial_eur"), prefix + "financial_eur"),
                in_kind_eur=amount(v("in_kind_eur"), prefix + "in_kind_eur"),
                skills_days=amount(v("skills_days"), prefix + "skills_days"),
                **common,
            )
        elif step == "evaluation":
            satisfaction = v("satisfaction")
            service.record_evaluation(
                caller,
                partnership_id,
                occurred_on=day(v("occurred_on"), prefix + "occurred_on"),
                beneficiaries=count(v("beneficiaries"), prefix + "beneficiaries"),
                jobs_created=count(v("jobs_created"), prefix + "jobs_created"),
                volunteer_days=amount(v("volunteer_days"), prefix + "volunteer_days"),
                satisfaction=count(satisfaction, prefix + "satisfaction") if satisfaction else None,
                findings=optional(v("findings")),
                **common,
            )
        elif step == "renewal":
            service.renew_contract(
                caller,
                partnership_id,
                occurred_on=day(v("occurred_on"), prefix + "occurred_on"),
                ends_on=day(v("ends_on"), prefix + "ends_on"),
                financial_eur=amount(v("financial_eur"), prefix + "financial_eur"),
                **common,
            )
        elif step == "abandon":
            service.abandon_partnership(
                caller,
                partnership_id,
                reason=v("reason"),
                occurred_on=day(v("occurred_on"), prefix + "occurred_on"),
                **common,
            )
        elif step == "correction":
            field = v("field")
            if field not in CORRECTABLE_FIELDS:
                raise FormValueError(prefix + "field", "field-correctable")
            value: Any = v("value")
            if field == "occurred_on":
                value = day(value, prefix + "value").isoformat()
            try:
                target = int(v("target_version"))
            except ValueError:
                raise FormValueError(prefix + "target_version", "value-required") from None
            try:
                service.correct_milestone(
                    caller,
                    partnership_id,
                    target_version=target,
                    changes={field: value},
                    reason=v("reason"),
                    **common,
                )
            except (DomainError, ApplicationError) as error:
                if error.field and error.field.startswith("changes."):
                    error.field = prefix + "value"
                raise
        else:
            raise FormValueError(prefix + "step", "lifecycle")
        return f"{PARTNERSHIPS}/{partnership_id}#timeline"

    try:
        return record_once(
            request, user, form, _refusing(act, prefix, locale, prefix + "occurred_on")
        )
    except Refused as refused:
        conflict = None
        if "__conflict__" in refused.errors:
            refused.errors.pop("__conflict__")
            view = service.get_partnership(caller, partnership_id)
            since = expected or 0
            conflict = [e for e in _timeline(view) if e["version"] > since]
        return _partnership_page(
            request,
            user,
            partnership_id,
            failed=step,
            values=form.fields,
            errors=refused.errors,
            conflict=conflict,
            status=409 if conflict is not None else 422,
        )
