"""``/language``: a person picks the console's language; the choice is remembered in a cookie
and wins over the browser's ``Accept-Language`` (see ``api/console/locales.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from api.console.locales import LOCALE_COOKIE, LOCALES

router = APIRouter(include_in_schema=False)
REMEMBERED_SECONDS = 365 * 24 * 3600


def local_path(target: str | None) -> str:
    """Where to go back to: a path on this service only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/dashboard"
    return target


@router.get("/language")
def choose_language(
    request: Request,
    lang: Annotated[str, Query(max_length=5)],
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> RedirectResponse:
    """Remember the language and go back to the page the person was on."""
    answer = RedirectResponse(local_path(next), status_code=303)
    if lang in LOCALES:
        answer.set_cookie(
            LOCALE_COOKIE,
            lang,
            max_age=REMEMBERED_SECONDS,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return answer
