"""One router per resource, gathered under ``/api/v1``; health checks live at the root."""

from __future__ import annotations

from fastapi import APIRouter

from api import API_PREFIX
from api.routes import audit, organizations, partnerships

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(organizations.router)
api_router.include_router(partnerships.router)
api_router.include_router(audit.router)
