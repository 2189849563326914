"""API keys of the caller's lab, managed by its admins. Issuing and revoking are events of the
log (chained, in the audit log); a key's token is shown once, in the issuing response only, and
these routes take no Idempotency-Key so that no token is ever stored for a replay."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from api import API_PREFIX
from api.access.schemas.keys import (
    KeyCreate,
    KeyIssued,
    KeyPublic,
    KeyRevoke,
    KeyRevoked,
    KeysPublic,
)
from api.deps import AdminDep, LabDep
from api.problems import documented

router = APIRouter(prefix="/keys", tags=["keys"])

KeyId = Annotated[UUID, Path(description="The key's id (the hex digits after plk_).")]
NO_STORE = "no-store"


@router.post(
    "", status_code=201, response_model=KeyIssued, responses=documented(409, 413, 422, 503)
)
def issue_key(body: KeyCreate, lab: LabDep, caller: AdminDep, response: Response) -> KeyIssued:
    """Issue a key of this lab; its token is in this response only."""
    issued = lab.keys.issue_api_key(
        caller, name=body.name, role=body.role, expires_at=body.expires_at
    )
    response.headers["Location"] = f"{API_PREFIX}/keys/{issued.key.id}"
    response.headers["Cache-Control"] = NO_STORE
    return KeyIssued.model_validate(
        {**asdict(issued.key), "token": issued.token, "position": issued.position}
    )


@router.get("", response_model=KeysPublic)
def list_keys(lab: LabDep, caller: AdminDep) -> KeysPublic:
    """List this lab's keys, revoked and expired ones included (never their secrets)."""
    return KeysPublic(items=[KeyPublic.model_validate(k) for k in lab.keys.list_api_keys(caller)])


@router.get("/{key_id}", response_model=KeyPublic, responses=documented(404, 422))
def get_key(key_id: KeyId, lab: LabDep, caller: AdminDep) -> KeyPublic:
    """Show one key of this lab."""
    return KeyPublic.model_validate(lab.keys.get_api_key(caller, key_id))


@router.post(
    "/{key_id}/revoke", response_model=KeyRevoked, responses=documented(404, 409, 413, 422, 503)
)
def revoke_key(
    key_id: KeyId, lab: LabDep, caller: AdminDep, body: KeyRevoke | None = None
) -> KeyRevoked:
    """Revoke a key of this lab: it is refused from the next request on."""
    result = lab.keys.revoke_api_key(caller, key_id, reason=body.reason if body else None)
    view = lab.keys.get_api_key(caller, key_id)
    return KeyRevoked.model_validate({**asdict(view), "position": result.position})
