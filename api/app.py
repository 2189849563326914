"""The FastAPI application: one ``PartnerLab`` per process, built by the composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import health
from api.access import console as access_console
from api.auth import install_authentication
from api.console import docs, home, language
from api.console.session import install_console_errors
from api.console.templating import STATIC_PREFIX
from api.limits import BodySizeLimit
from api.problems import install_problem_handlers
from api.rate_limit import RateLimits
from api.reporting import dashboard, dashboard_login
from api.routers import api_router
from api.security_headers import SecurityHeaders
from infrastructure.settings import Settings
from infrastructure.store_errors import STORE_ERRORS
from partnerlab.bootstrap import build_runtime


def create_app(
    settings: Settings | None = None, *, clock: Callable[[], date] | None = None
) -> FastAPI:
    """Build the HTTP app; its lifespan builds the runtime once and closes it on shutdown.

    Serve it with ``uvicorn --factory api.app:create_app``.
    """
    settings = settings if settings is not None else Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = build_runtime(settings, clock=clock)
        app.state.runtime = runtime
        try:
            yield
        finally:
            runtime.close()

    app = FastAPI(
        title="Partnerlab",
        summary="The partnership lab's record of association-company partnerships.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # api/console/docs.py serves /docs from the package's own files
        redoc_url=None,
    )
    app.state.rate_limits = RateLimits(settings.rate_limit_per_key, settings.rate_limit_per_lab)
    install_problem_handlers(app, STORE_ERRORS)
    install_console_errors(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    install_authentication(app)  # outermost: no key, no further work
    app.mount(STATIC_PREFIX, StaticFiles(packages=[("api.console", "static")]), name="static")
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, 401s included
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(language.router)
    app.include_router(api_router)
    app.include_router(dashboard.router)
    app.include_router(dashboard_login.router)
    app.include_router(home.router)
    app.include_router(access_console.router)
    from api.partnerships import console as partnerships_console

    app.include_router(partnerships_console.router)
    from api.reporting import console as reporting_console

    app.include_router(reporting_console.router)
    from api.activities import console as activities_console

    app.include_router(activities_console.router)
    from api.activities import console_lists

    app.include_router(console_lists.router)
    from api.audit import console as audit_console

    app.include_router(audit_console.router)
    return app
