"""The console's doors: sign in, sign out, set a password through a one-time link, and the
admin's accounts page."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.console.labels import Labels
from api.console.language import local_path
from api.console.locales import request_locale, translator
from api.console.messages import explain
from api.console.parsing import FormValueError, day
from api.console.session import (
    ADMINS,
    SESSION_COOKIE,
    Form,
    UserDep,
    allowed,
    check_csrf,
    context,
    lab_of,
    new_form_token,
    pre_session_token,
    read_form,
    record_once,
    remember_pre_session,
    see_other,
    session_user,
    signed_in,
)
from api.console.templating import page
from application.access.accounts import (
    SESSION_VALID_FOR,
    ConsoleUser,
    SignInRefused,
    password_link,
)
from application.access.api_keys import IssuedKey
from application.errors import ApplicationError, VersionMismatch
from domain.access.api_key import Role
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _pre_session_page(
    request: Request, template: str, status_code: int = 200, **values: object
) -> HTMLResponse:
    token, new = pre_session_token(request)
    answer = page(
        template,
        request_locale(request),
        status_code=status_code,
        headers=NO_STORE,
        **context(request, None, form_csrf=token, **values),
    )
    if new:
        remember_pre_session(request, answer, token)
    return answer


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    next: Annotated[str | None, Query(max_length=2000)] = None,
    set: Annotated[str | None, Query(max_length=1)] = None,
) -> Response:
    if session_user(request) is not None:
        return see_other(local_path(next or "/"))
    _ = translator(request_locale(request))
    return _pre_session_page(
        request,
        "access/sign_in.html",
        next=local_path(next or "/"),
        email="",
        errors={},
        notice=_("Your password is set: sign in with it.") if set else None,
    )


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    check_csrf(request, form, None)
    locale = request_locale(request)
    target = local_path(form.get("next") or "/")
    lab = lab_of(request)
    try:
        opened = await run_in_threadpool(
            lab.accounts.sign_in, form.get("email"), form.fields.get("password", "")
        )
    except SignInRefused as error:
        return _pre_session_page(
            request,
            "access/sign_in.html",
            status_code=401,
            notice=None,
            next=target,
            email=form.get("email"),
            errors={"email": explain(error.rule, error.message, locale)},
        )
    answer = see_other(target)
    answer.set_cookie(
        SESSION_COOKIE,
        opened.token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(SESSION_VALID_FOR.total_seconds()),
    )
    return answer


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    form = await read_form(request)
    user = await run_in_threadpool(session_user, request)
    if user is not None:
        check_csrf(request, form, user)
        await run_in_threadpool(
            lab_of(request).accounts.sign_out, request.cookies.get(SESSION_COOKIE)
        )
    answer = see_other("/sign-in")
    answer.delete_cookie(SESSION_COOKIE, path="/")
    return answer


TokenPath = Annotated[str, Path(max_length=200)]


@router.get("/set-password/{token}", response_class=HTMLResponse)
def set_password_form(request: Request, token: TokenPath) -> Response:
    locale = request_locale(request)
    try:
        account = lab_of(request).accounts.password_link_account(token)
    except ApplicationError as error:
        return _pre_session_page(
            request,
            "access/set_password.html",
            status_code=410,
            account=None,
            problem=explain(error.rule, error.message, locale),
            errors={},
        )
    return _pre_session_page(request, "access/set_password.html", account=account, errors={})


@router.post("/set-password/{token}")
async def set_password(request: Request, token: TokenPath) -> Response:
    form = await read_form(request)
    check_csrf(request, form, None)
    locale = request_locale(request)
    _ = translator(locale)
    accounts = lab_of(request).accounts
    password = form.fields.get("password", "")
    try:
        account = await run_in_threadpool(accounts.password_link_account, token)
    except ApplicationError as error:
        return _pre_session_page(
            request,
            "access/set_password.html",
            status_code=410,
            account=None,
            problem=explain(error.rule, error.message, locale),
            errors={},
        )
    errors: dict[str, str] = {}
    if password != form.fields.get("confirm", ""):
        errors["confirm"] = _("The two passwords are not the same.")
    else:
        try:
            await run_in_threadpool(accounts.set_password, token, password)
        except (ApplicationError, DomainError) as error:
            errors[error.field or "password"] = explain(error.rule, error.message, locale)
    if errors:
        return _pre_session_page(
            request, "access/set_password.html", status_code=422, account=account, errors=errors
        )
    return see_other("/sign-in?set=1")


ROLE_ORDER = (Role.STAFF, Role.AUDITOR, Role.VIEWER, Role.ADMIN)


def _admin_page(
    request: Request,
    user: ConsoleUser,
    template: str,
    status_code: int,
    defaults: dict[str, object],
    **values: object,
) -> HTMLResponse:
    """An admin page (accounts or keys) with the role choices; ``values`` over ``defaults``."""
    locale = request_locale(request)
    _ = translator(locale)
    return page(
        template,
        locale,
        status_code=status_code,
        headers=NO_STORE,
        **context(
            request,
            user,
            role_options=[(r.value, _(Labels.role[r.value])) for r in ROLE_ORDER],
            new_token=new_form_token,
            **(defaults | values),
        ),
    )


def _accounts_page(
    request: Request, user: ConsoleUser, status_code: int = 200, **values: object
) -> HTMLResponse:
    accounts = lab_of(request).accounts.list_accounts(user.caller)
    defaults: dict[str, object] = {"link": None, "created_email": "", "values": {}, "errors": {}}
    return _admin_page(
        request, user, "access/accounts.html", status_code, defaults, accounts=accounts, **values
    )


@router.get("/console/admin/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, user: UserDep) -> HTMLResponse:
    allowed(user, ADMINS, request_locale(request))
    return _accounts_page(request, user)


@router.post("/console/admin/accounts")
async def create_account(request: Request) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_create_account, request, form)


def _create_account(request: Request, form: Form) -> Response:
    user = signed_in(request)
    locale = request_locale(request)
    check_csrf(request, form, user)
    allowed(user, ADMINS, locale)
    try:
        role = Role(form.get("role"))
        created = lab_of(request).accounts.create_account(
            user.caller, email=form.get("email"), role=role
        )
    except ValueError:
        return _accounts_page(
            request,
            user,
            422,
            values=form.fields,
            errors={"role": translator(locale)("Choose a role.")},
        )
    except (ApplicationError, DomainError) as error:
        return _accounts_page(
            request,
            user,
            422,
            values=form.fields,
            errors={error.field or "email": explain(error.rule, error.message, locale)},
        )
    lab_of(request).read_models.wait_for_projections()
    base = str(request.base_url).rstrip("/")
    return _accounts_page(
        request,
        user,
        201,
        link=password_link(base, created.link_token),
        created_email=created.account.email,
    )


# Accounts: role and disabling ------------------------------------------------------------


@router.post("/console/admin/accounts/{account_id}/{action}")
async def change_account(request: Request, account_id: UUID, action: str) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_change_account, request, form, account_id, action)


def _change_account(request: Request, form: Form, account_id: UUID, action: str) -> Response:
    user = signed_in(request)
    locale = request_locale(request)
    check_csrf(request, form, user)
    allowed(user, ADMINS, locale)
    accounts = lab_of(request).accounts
    try:
        version = int(form.get("version")) or None
    except ValueError:
        version = None

    def act() -> str:
        if action == "role":
            try:
                role = Role(form.get("role"))
            except ValueError:
                raise FormValueError(f"role-{account_id}", "value-required") from None
            accounts.change_role(user.caller, account_id, role=role, expected_version=version)
        elif action == "disable":
            accounts.disable_account(
                user.caller,
                account_id,
                reason=form.get("reason") or None,
                expected_version=version,
            )
        else:
            raise FormValueError("action", "lifecycle")
        lab_of(request).read_models.wait_for_projections()
        return "/console/admin/accounts#accounts"

    try:
        return record_once(request, user, form, act)
    except FormValueError as error:
        return _accounts_page(
            request, user, 422, errors={error.field: explain(error.rule, error.rule, locale)}
        )
    except (ApplicationError, DomainError) as error:
        return _accounts_page(
            request,
            user,
            409 if isinstance(error, VersionMismatch) else 422,
            errors={f"role-{account_id}": explain(error.rule, error.message, locale)},
        )


# API keys --------------------------------------------------------------------------------

KEYS = "/console/admin/keys"


def _keys_page(
    request: Request, user: ConsoleUser, status_code: int = 200, **values: object
) -> HTMLResponse:
    keys = lab_of(request).keys.list_api_keys(user.caller)
    defaults: dict[str, object] = {"issued": None, "values": {}, "errors": {}}
    return _admin_page(
        request, user, "access/keys.html", status_code, defaults, keys=keys, **values
    )


@router.get(KEYS, response_class=HTMLResponse)
def keys_page(request: Request, user: UserDep) -> HTMLResponse:
    allowed(user, ADMINS, request_locale(request))
    return _keys_page(request, user)


@router.post(KEYS)
async def issue_key(request: Request) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_issue_key, request, form)


def _issue_key(request: Request, form: Form) -> Response:
    """Issue a key and show its token on this answer only (a resent form shows the list)."""
    user = signed_in(request)
    locale = request_locale(request)
    check_csrf(request, form, user)
    allowed(user, ADMINS, locale)
    lab = lab_of(request)
    issued: list[IssuedKey] = []

    def act() -> str:
        try:
            role = Role(form.get("role"))
        except ValueError:
            raise FormValueError("role", "value-required") from None
        expires = form.get("expires_on")
        expires_at = None
        if expires:
            end = day(expires, "expires_on")
            expires_at = datetime.combine(end, time(23, 59, 59), tzinfo=UTC)
        issued.append(
            lab.keys.issue_api_key(
                user.caller, name=form.get("name"), role=role, expires_at=expires_at
            )
        )
        lab.read_models.wait_for_projections()
        return KEYS

    try:
        answer = record_once(request, user, form, act)
    except FormValueError as error:
        errors = {error.field: explain(error.rule, error.rule, locale)}
        return _keys_page(request, user, 422, values=form.fields, errors=errors)
    except (ApplicationError, DomainError) as error:
        errors = {error.field or "name": explain(error.rule, error.message, locale)}
        return _keys_page(request, user, 422, values=form.fields, errors=errors)
    if not issued:
        return answer
    return _keys_page(request, user, 201, issued=issued[0])


@router.post(KEYS + "/{key_id}/revoke")
async def revoke_key(request: Request, key_id: UUID) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_revoke_key, request, form, key_id)


def _revoke_key(request: Request, form: Form, key_id: UUID) -> Response:
    user = signed_in(request)
    check_csrf(request, form, user)
    allowed(user, ADMINS, request_locale(request))
    lab = lab_of(request)

    def act() -> str:
        lab.keys.revoke_api_key(user.caller, key_id, reason=form.get("reason") or None)
        lab.read_models.wait_for_projections()
        return KEYS

    return record_once(request, user, form, act)
