"""What every console page shares: who is signed in, their forms' CSRF token, reading a
form, refusing readably, and recording a form once however often it is sent.

- The session cookie (``partnerlab_session``) holds a random reference; the server keeps its
  hash, the account and a CSRF token (``AccountService``). HttpOnly, SameSite=Lax, Secure when
  the request came over HTTPS, and an expiry.
- A page asks for ``UserDep`` (anyone signed in) or ``Role``-checked users through ``allowed``;
  no session sends the person to ``/sign-in`` (and back afterwards); a forbidden action shows a
  readable page (403), never JSON.
- Every form carries the session's CSRF token (``csrf_token``); a POST without it, or with
  another, is refused with a readable page. Forms shown before signing in (sign-in, setting
  a password) carry a token that must match a cookie of the same name (double submit).
- A write form carries a one-time ``form_token``: the idempotency service records the first
  submission's answer (a redirect) and gives it back to a second click or a resubmission, so
  the form records once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.console.locales import request_locale, translator
from api.console.templating import page
from application.access.accounts import ConsoleUser
from application.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from application.idempotency import StoredResponse
from application.lab import PartnerLab
from domain.access.api_key import Role

SESSION_COOKIE = "partnerlab_session"
PRE_SESSION_COOKIE = "partnerlab_form"
SIGN_IN_PATH = "/sign-in"
MAX_FORM_BYTES = 256_000
WRITERS = frozenset({Role.STAFF, Role.ADMIN})
READERS = frozenset({Role.STAFF, Role.AUDITOR, Role.ADMIN})
AUDITORS = frozenset({Role.AUDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


class SignInRequired(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Forbidden(Exception):
    """The person may not do this (their role), or the form was not sent from this site."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def lab_of(request: Request) -> PartnerLab:
    lab: PartnerLab = request.app.state.runtime.app
    return lab


def session_user(request: Request) -> ConsoleUser | None:
    """The person of the request's session cookie, or None."""
    cached = request.scope.get("partnerlab.console_user", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    user = lab_of(request).accounts.session_user(request.cookies.get(SESSION_COOKIE))
    request.scope["partnerlab.console_user"] = user
    return user


def signed_in(request: Request) -> ConsoleUser:
    user = session_user(request)
    if user is None:
        raise SignInRequired(request.url.path)
    return user


UserDep = Annotated[ConsoleUser, Depends(signed_in)]


def allowed(user: ConsoleUser, roles: frozenset[Role], locale: str) -> None:
    """``Forbidden`` unless the person's role is one of ``roles``."""
    if user.role not in roles:
        _ = translator(locale)
        raise Forbidden(_("Your role does not allow this action."))


@dataclass(frozen=True)
class Form:
    """A submitted form: its fields (first value of each), and all values by name."""

    fields: dict[str, str]
    lists: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


async def read_form(request: Request) -> Form:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        _ = translator(request_locale(request))
        raise Forbidden(_("The form is too large."))
    lists = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return Form({k: v[0].strip() for k, v in lists.items()}, lists)


def check_csrf(request: Request, form: Form, user: ConsoleUser | None) -> None:
    """The form's token must be the session's (or, before signing in, the cookie's)."""
    sent = form.get("csrf_token")
    expected = user.csrf_token if user is not None else request.cookies.get(PRE_SESSION_COOKIE)
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        _ = translator(request_locale(request))
        raise Forbidden(
            _(
                "This form was not sent from a page of this site, or it has expired. "
                "Go back, reload the page and send it again."
            )
        )


def pre_session_token(request: Request) -> tuple[str, bool]:
    """The double-submit token of a form shown before signing in (and whether it is new)."""
    existing = request.cookies.get(PRE_SESSION_COOKIE)
    if existing and 20 <= len(existing) <= 64:
        return existing, False
    return secrets.token_urlsafe(32), True


def remember_pre_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        PRE_SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=3600,
    )


def new_form_token() -> str:
    return secrets.token_urlsafe(18)


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def record_once(
    request: Request,
    user: ConsoleUser,
    form: Form,
    action: Callable[[], str],
) -> Response:
    """Run ``action`` (which records and returns where to go next) once per form token.

    A second submission of the same form (a double click, the back button and send again)
    gets the first one's redirect and records nothing. Without a token the action just runs.
    Whatever ``action`` raises releases the token (nothing was recorded; the person may fix
    the form and send it again).
    """
    token = form.get("form_token")
    if not token or len(token) > 64:
        return see_other(action())
    lab = lab_of(request)
    key = f"console:{user.account_id.hex}:{token}"
    fingerprint = hashlib.sha256(request.url.path.encode()).hexdigest()
    for _attempt in range(50):
        try:
            reservation = lab.idempotency.claim_idempotency_key(user.caller, key, fingerprint)
        except IdempotencyKeyInFlight:  # the first click is being recorded: wait for it
            time.sleep(0.1)
            continue
        except IdempotencyKeyReused:
            return see_other(request.url.path)
        if reservation.stored is not None:
            return see_other(reservation.stored.headers.get("location", "/"))
        try:
            location = action()
        except BaseException:
            lab.idempotency.release_idempotency_key(user.caller, key)
            raise
        lab.idempotency.complete_idempotency_key(
            user.caller, key, StoredResponse(303, b"", {"location": location})
        )
        return see_other(location)
    return see_other(request.url.path)


def forbidden_page(request: Request, reason: str) -> HTMLResponse:
    locale = request_locale(request)
    return page(
        "console/forbidden.html",
        locale,
        status_code=403,
        headers={"Cache-Control": "no-store"},
        **context(request, session_user(request), reason=reason),
    )


def install_console_errors(app: FastAPI) -> None:
    """Sign-in redirects and readable refusals for every console page."""

    async def to_sign_in(_request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequired)
        return see_other(f"{SIGN_IN_PATH}?next={quote(error.path)}")

    async def refuse(request: Request, error: Exception) -> Response:
        assert isinstance(error, Forbidden)
        return await run_in_threadpool(forbidden_page, request, error.reason)

    app.add_exception_handler(SignInRequired, to_sign_in)
    app.add_exception_handler(Forbidden, refuse)


def context(request: Request, user: ConsoleUser | None, **values: Any) -> dict[str, Any]:
    """What every console template is given: who, their token, where they are."""
    return {
        "user": user,
        "csrf_token": user.csrf_token if user else "",
        "here": request.url.path,
        **values,
    }
