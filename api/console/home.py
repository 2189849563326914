"""``/``: the home page of a signed-in person: what needs doing, and the latest partnerships."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.console.locales import request_locale
from api.console.session import READERS, UserDep, context, lab_of
from api.console.templating import page
from application.partnerships.views import PartnershipFilter
from application.results import PageRequest

router = APIRouter(include_in_schema=False)
LATEST = 10
STEP_EVENTS = {
    "Opened": "opening",
    "MeetingHeld": "meeting",
    "IdeaProposed": "idea",
    "CoConstructionStarted": "co_construction",
    "CoConstructionProgressed": "progress",
    "ContractSigned": "contract",
    "ContractRenewed": "renewal",
    "EvaluationRecorded": "evaluation",
    "Abandoned": "abandonment",
}
"""The partnership events whose words are the milestones' (``Labels.milestone``)."""


FOLLOW_UPS = 50
"""The first items of the follow-up list shown (the database cuts the page)."""


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: UserDep) -> HTMLResponse:
    lab = lab_of(request)
    follow_ups = latest = None
    milestones: list[Any] | None = None
    if user.role in READERS:
        milestones = lab.audit.latest_milestones(user.caller, LATEST)
        follow_ups = lab.follow_ups.follow_up_page(user.caller, limit=FOLLOW_UPS).items
        latest = lab.partnerships.list_partnerships(
            user.caller, PartnershipFilter(), PageRequest(limit=LATEST)
        ).items
    return page(
        "console/home.html",
        request_locale(request),
        headers={"Cache-Control": "no-store"},
        **context(
            request,
            user,
            follow_ups=follow_ups,
            latest=latest,
            milestones=milestones,
            step_words=STEP_EVENTS,
        ),
    )
