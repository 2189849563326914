"""``/docs``: Swagger UI from the service's own files, so that it works without internet.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script; this one
loads the vendored ``swagger-ui-dist`` files (``api/console/static/swagger-ui``) and a small
start-up script file, so it also holds under a Content-Security-Policy without inline script.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.console.templating import page

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """The API's documentation, to read and to try with a key ("Authorize")."""
    return page(
        "console/docs.html",
        "en",
        title=f"{request.app.title} - API",
        openapi_url=request.app.openapi_url,
    )
