"""One router per resource, gathered under ``/api/v1``; health checks live at the root."""

from __future__ import annotations

from fastapi import APIRouter

from api import API_PREFIX
from api.access.routes import contact_persons, keys
from api.activities.routes import (
    activity_reports,
    consulting,
    funding,
    lab_events,
    speed_datings,
    trainings,
)
from api.audit import routes as audit
from api.followups import routes as followups
from api.partnerships.routes import organizations, partnerships
from api.reporting.routes import projections, reports

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(organizations.router)
api_router.include_router(partnerships.router)
api_router.include_router(audit.router)
api_router.include_router(contact_persons.router)
api_router.include_router(keys.router)
for activity_router in (speed_datings, lab_events, consulting, trainings, funding):
    api_router.include_router(activity_router.router)
api_router.include_router(activity_reports.router)
api_router.include_router(reports.router)
api_router.include_router(projections.router)
api_router.include_router(followups.router)
