"""``/``: the home page of a signed-in person: what needs doing, and the latest partnerships."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.console.locales import request_locale
from api.console.session import READERS, UserDep, context, lab_of
from api.console.templating import page
from application.partnerships.views import PartnershipFilter
from application.results import PageRequest

router = APIRouter(include_in_schema=False)
LATEST = 10


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: UserDep) -> HTMLResponse:
    lab = lab_of(request)
    follow_ups = latest = None
    if user.role in READERS:
        follow_ups = lab.follow_ups.list_follow_ups(user.caller)[:50]
        latest = lab.partnerships.list_partnerships(
            user.caller, PartnershipFilter(), PageRequest(limit=LATEST)
        ).items
    return page(
        "console/home.html",
        request_locale(request),
        headers={"Cache-Control": "no-store"},
        **context(request, user, follow_ups=follow_ups, latest=latest),
    )
