"""Signing in to the dashboard from a browser, which cannot send an ``Authorization`` header.

A person pastes their API key into a form once; the cookie (``HttpOnly``, ``SameSite=Strict``,
scoped to ``/dashboard``) then holds a random session reference, never the key: the server
keeps the reference's hash and the key it stands for, and forgets it at sign-out or after 8
hours. The authentication middleware accepts that cookie for ``GET /dashboard`` only
(read-only pages: a forged cross-site request can change nothing). Sign-in and sign-out
refuse posts a browser marks as cross-site (``Sec-Fetch-Site``, ``Origin``): no other site
can sign a visitor in with its own key or out. The session's key is checked exactly as a
bearer key is, role included, on every request.
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


def cross_site(request: Request) -> bool:
    """True when a browser says the form was posted from another site: ``Sec-Fetch-Site``
    other than same-origin (or none: typed by the user), or an ``Origin`` that is not ours.
    A request with neither header is not a browser's cross-site post (browsers send one)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return origin != own


CROSS_SITE = "Sign-in and sign-out are only accepted from this site's own pages."


@router.post(LOGIN_PATH)
async def sign_in(request: Request) -> Response:
    """Check the key and keep it in the dashboard's cookie."""
    if cross_site(request):
        return login_page(CROSS_SITE, 403)
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
    reference, _principal = await run_in_threadpool(lab.keys.open_dashboard_session, token)
    response = RedirectResponse(COOKIE_PATH, status_code=303)
    response.set_cookie(
        COOKIE,
        reference,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=8 * 3600,
    )
    return response


@router.post("/dashboard/logout")
def sign_out(request: Request) -> Response:
    """End the session (server side too) and forget the cookie."""
    if cross_site(request):
        return login_page(CROSS_SITE, 403)
    reference = request.cookies.get(COOKIE)
    if reference:
        lab: PartnerLab = request.app.state.runtime.app
        lab.keys.close_dashboard_session(reference)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response
