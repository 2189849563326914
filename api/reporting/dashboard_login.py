"""Signing in to the dashboard from a browser, which cannot send an ``Authorization`` header.

A person pastes their API key into a form once; the key is kept in an ``HttpOnly``,
``SameSite=Strict`` cookie scoped to ``/dashboard``, and the authentication middleware accepts
that cookie for ``GET /dashboard`` only (read-only pages: a forged cross-site request can change
nothing). The key is checked exactly as a bearer key is, role included, on every request.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.console.locales import DEFAULT_LOCALE, request_locale, translator
from api.console.templating import page
from application.access.api_keys import NotAuthenticated
from application.lab import PartnerLab
from domain.access.api_key import Role

router = APIRouter(tags=["dashboard"], include_in_schema=False)

COOKIE = "partnerlab_dashboard"
COOKIE_PATH = "/dashboard"
LOGIN_PATH = "/dashboard/login"
MAX_FORM_BYTES = 2_048
DASHBOARD_ROLES = frozenset(Role)


def login_page(
    message: str | None = None, status_code: int = 200, locale: str = DEFAULT_LOCALE
) -> HTMLResponse:
    return page(
        "reporting/dashboard_login.html",
        locale,
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
        message=message,
        action=LOGIN_PATH,
        here=LOGIN_PATH,
    )


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def show_login(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return login_page(locale=request_locale(request))


@router.post(LOGIN_PATH)
async def sign_in(request: Request) -> Response:
    """Check the key and keep it in the dashboard's cookie."""
    locale = request_locale(request)
    _ = translator(locale)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return login_page(_("That is not an API key."), 400, locale)
    token = (parse_qs(body.decode("utf-8", "replace")).get("key") or [""])[0].strip()
    lab: PartnerLab = request.app.state.runtime.app
    try:
        principal = await run_in_threadpool(lab.keys.authenticate, token)
    except NotAuthenticated as error:
        return login_page(error.message, 401, locale)
    if principal.role not in DASHBOARD_ROLES:
        return login_page(_("This key may not read reports."), 403, locale)
    response = RedirectResponse(COOKIE_PATH, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=8 * 3600,
    )
    return response


@router.post("/dashboard/logout")
def sign_out() -> Response:
    """Forget the key."""
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response
