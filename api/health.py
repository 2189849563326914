"""Liveness and readiness probes, at the root (not under /api/v1)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LabDep
from api.fields import Status
from api.problems import documented

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Status)
def healthz() -> Status:
    """Answer as long as the process runs."""
    return Status(status="ok")


@router.get("/readyz", response_model=Status, responses=documented(503))
def readyz(lab: LabDep) -> Status:
    """Answer 200 when the event store answers, 503 otherwise."""
    lab.read_models.check_ready()
    return Status(status="ready")
