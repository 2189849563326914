"""Who is calling, and may they: bearer API keys and the role each route requires.

Two layers, so that forgetting one never opens a route:
- ``Authentication``, an ASGI middleware, refuses every request but the health probes that
  has no valid key (401), before routing, body parsing or validation: an anonymous caller
  learns nothing, not even which routes exist;
- ``RoleCheck`` dependencies (``ReaderDep``, ``WriteDep``... in ``api/deps.py``) give the
  route the caller (lab and actor from the key) and refuse a wrong role (403).

``install_authentication`` installs the middleware (websockets without a key are closed too)
and has ``api/openapi_docs.py`` document the key, 401 and 403 on every operation of the OpenAPI
schema, including routes added later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Security
from fastapi.dependencies.models import Dependant
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api import openapi_docs
from api.console.session import SESSION_COOKIE
from api.problems import ApiError, ProblemResponse, problem, response_for
from api.rate_limit import RateLimits
from api.reporting.dashboard_login import COOKIE, COOKIE_PATH, LOGIN_PATH
from application.access.api_keys import NotAuthenticated, Principal
from application.context import ACTING_KEY, Caller
from application.lab import PartnerLab
from domain.access.api_key import Role

PUBLIC_PATHS = frozenset(
    {
        "/healthz",
        "/readyz",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/openapi.json",
        LOGIN_PATH,
        "/dashboard/logout",
        "/language",
        "/",
        "/sign-in",
        "/sign-out",
    }
)
"""Answered without a key: the probes, the API's own documentation (it describes the API,
holds no lab's data, and Swagger UI's "Authorize" button is how a person enters a key), and the
dashboard's sign-in form."""
PUBLIC_PREFIXES = ("/static/", "/api/v1/follow-ups/calendar/", "/console/", "/set-password/")
"""Also answered without a key: the console's own stylesheets, scripts and Swagger UI files
(the same for every lab, no data), and a staff member's calendar feed, whose secret address
is its key (calendar applications subscribe without headers; the route checks the token).
The console's pages (``/``, ``/sign-in``, ``/console/...``) are let through too: each asks for
a signed-in person itself (``api/console/session.py``) and sends anyone else to ``/sign-in``."""
SESSION_READS = frozenset({"GET", "HEAD"})
"""A console session opens the service's other pages (timetables, big screen, lineage,
dashboard, JSON reads) for reading only: writes go through the console's forms, which carry a
CSRF token."""
PRINCIPAL = "partnerlab.principal"
"""Where the middleware leaves the authenticated principal in the request's scope."""
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="partnerlab"'}
MAX_AUTHORIZATION = 512

bearer = HTTPBearer(
    scheme_name="ApiKey",
    description="An API key of your lab: `Authorization: Bearer plk_<key id>_<secret>`.",
    auto_error=False,
)


def unauthenticated(rule: str, detail: str) -> ProblemResponse:
    return problem(401, rule, detail, field="Authorization", headers=CHALLENGE)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization or len(authorization) > MAX_AUTHORIZATION:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _lab(scope: Scope) -> PartnerLab:
    lab: PartnerLab = scope["app"].state.runtime.app
    return lab


def _rate_limited(scope: Scope, principal: Principal) -> Response | None:
    limits: RateLimits | None = getattr(scope["app"].state, "rate_limits", None)
    refusal = limits.check(principal) if limits is not None else None
    if refusal is None:
        return None
    return problem(
        429,
        "rate-limited",
        f"too many requests from this {refusal.scope}; retry in {refusal.retry_after} s",
        field="Authorization",
        headers={"Retry-After": str(refusal.retry_after)},
    )


async def _to_sign_in(scope: Scope, receive: Receive, send: Send) -> None:
    """A person's browser without credentials: to the console's sign-in, and back afterwards."""
    query = scope.get("query_string", b"").decode("latin-1")
    target = scope["path"] + (f"?{query}" if query else "")
    await RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)(scope, receive, send)


class Authentication:
    """Pure ASGI middleware: a valid key within its rate (``api.rate_limit``), or 401 (429
    beyond the rate, 503 if the store cannot tell)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        token = bearer_token(headers.get("authorization"))
        reads = scope.get("method") in SESSION_READS
        if token is None and reads and await self._session(scope, headers):
            await self.app(scope, receive, send)
            return
        reads_dashboard = scope["path"] == COOKIE_PATH and scope.get("method") == "GET"
        session: str | None = None  # the dashboard cookie: a session reference, not a key
        if token is None and reads_dashboard:
            session = cookie_parser(headers.get("cookie", "")).get(COOKIE) or None
            if session is None and "text/html" in headers.get("accept", ""):
                await RedirectResponse(LOGIN_PATH, status_code=303)(scope, receive, send)
                return
        if token is None and session is None and reads and "text/html" in headers.get("accept", ""):
            await _to_sign_in(scope, receive, send)
            return
        refusal: Response | None = None
        if session is not None:
            try:
                principal = await run_in_threadpool(
                    _lab(scope).keys.authenticate_dashboard_session, session
                )
                scope[PRINCIPAL] = principal
                refusal = _rate_limited(scope, principal)
            except NotAuthenticated as error:
                refusal = unauthenticated(error.rule, error.message)
            except Exception as error:
                refusal = response_for(error)
        elif token is None:
            refusal = unauthenticated(
                "api-key-required", "send an API key: Authorization: Bearer plk_..."
            )
        else:
            try:
                principal = await run_in_threadpool(_lab(scope).keys.authenticate, token)
                scope[PRINCIPAL] = principal
                refusal = _rate_limited(scope, principal)
            except NotAuthenticated as error:
                refusal = unauthenticated(error.rule, error.message)
            except Exception as error:  # the store is down...: the one problem mapping decides
                refusal = response_for(error)
        if refusal is None:
            known = scope.get(PRINCIPAL)
            acting = ACTING_KEY.set(known.key_id.hex if isinstance(known, Principal) else None)
            try:
                await self.app(scope, receive, send)
            finally:
                ACTING_KEY.reset(acting)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # policy violation
        else:
            await refusal(scope, receive, send)

    async def _session(self, scope: Scope, headers: Headers) -> bool:
        """Whether the request carries a live console session (its person is then the
        principal, with the account's e-mail as actor)."""
        reference = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        if not reference:
            return False
        try:
            user = await run_in_threadpool(_lab(scope).accounts.session_user, reference)
        except Exception:  # the store is down: the request goes on as without a session
            return False
        if user is None:
            return False
        scope[PRINCIPAL] = Principal(
            key_id=user.account_id, lab=user.lab, name=user.email, role=user.role
        )
        return True


class RoleCheck:
    """A dependency giving the caller of a key whose role is one of ``roles`` (else 403)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> Caller:
        principal = request.scope.get(PRINCIPAL)
        if not isinstance(principal, Principal):
            principal = _authenticate(request, credentials)
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(role.value for role in self.roles))
            raise ApiError(
                403,
                "role-not-allowed",
                f"a {principal.role.value} key may not do this (it needs: {allowed})",
                field="Authorization",
            )
        return principal.caller

    def __repr__(self) -> str:
        return f"RoleCheck({', '.join(sorted(r.value for r in self.roles))})"


def _authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """Without the middleware (an app assembled otherwise), check the key here."""
    if credentials is None:
        raise ApiError(401, "api-key-required", "send an API key", field="Authorization")
    try:
        return _lab(request.scope).keys.authenticate(credentials.credentials)
    except NotAuthenticated as error:
        raise ApiError(401, error.rule, error.message, field="Authorization") from error


@dataclass(frozen=True)
class Endpoint:
    """One HTTP route of the app, as served (its full path, router prefixes included)."""

    path: str
    methods: frozenset[str]
    dependant: Dependant | None

    @property
    def roles(self) -> frozenset[Role] | None:
        """The roles the route admits, from its ``RoleCheck`` dependencies (None: none)."""
        if self.dependant is None:
            return None
        checks = [
            d.call.roles for d in _dependencies(self.dependant) if isinstance(d.call, RoleCheck)
        ]
        return frozenset.intersection(*checks) if checks else None


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every route of ``app`` (API routes, and Starlette ones like the docs pages)."""
    found = []
    for context in _route_contexts(app):
        path = getattr(context, "path", None)
        if not isinstance(path, str):
            continue
        methods = frozenset(getattr(context, "methods", None) or ())
        dependant = getattr(context, "dependant", None)
        found.append(
            Endpoint(path, methods, dependant if isinstance(dependant, Dependant) else None)
        )
    return found


def _route_contexts(app: FastAPI) -> Iterator[Any]:
    try:  # FastAPI >= 0.16x nests included routers instead of copying their routes
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: routes are flat
        yield from app.routes
        return
    yield from iter_route_contexts(app.routes)


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def install_authentication(app: FastAPI) -> None:
    """Require a key on every request but the probes, and say so in the OpenAPI document."""
    app.add_middleware(Authentication)
    openapi_docs.install(app, is_public)
