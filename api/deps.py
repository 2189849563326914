"""Dependencies of the routes, as ``Annotated`` aliases: the application, who is asking
(an API key of some role, see ``api/auth.py``), and what a write's headers say (``If-Match``,
``Idempotency-Key``)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from api.auth import RoleCheck
from api.fields import MAX_VERSION
from api.problems import ApiError
from api.writes import Write
from application.context import Caller
from application.lab import PartnerLab
from application.results import PageRequest
from domain.access.api_key import Role
from partnerlab.bootstrap import Runtime

MAX_IDEMPOTENCY_KEY_LENGTH = 255

_ETAG = re.compile(r'^(?:W/)?"(\d{1,10})"$|^(\d{1,10})$')
_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]+$")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_lab(runtime: RuntimeDep) -> PartnerLab:
    return runtime.app


LabDep = Annotated[PartnerLab, Depends(get_lab)]


# Who may call what, by role (see docs/SECURITY.md): each alias checks the request's API key
# and gives the route the caller, whose lab and actor come from the key and nothing else.
ReaderDep = Annotated[Caller, Depends(RoleCheck(Role.STAFF, Role.AUDITOR, Role.ADMIN))]
"""The lab's records: organisations, partnerships, activities, histories (staff, auditor,
admin)."""
ReportReaderDep = Annotated[
    Caller, Depends(RoleCheck(Role.VIEWER, Role.STAFF, Role.AUDITOR, Role.ADMIN))
]
"""Reports and the dashboard (viewer, staff, auditor, admin)."""
AuditReaderDep = Annotated[Caller, Depends(RoleCheck(Role.AUDITOR, Role.ADMIN))]
"""The audit log, chain verification and exports (auditor, admin)."""
WriterDep = Annotated[Caller, Depends(RoleCheck(Role.STAFF, Role.ADMIN))]
"""Recording anything (staff, admin); routes take it through ``WriteDep``."""
AdminDep = Annotated[Caller, Depends(RoleCheck(Role.ADMIN))]
"""Managing keys and rebuilding projections (admin)."""


def get_expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The ETag last read (e.g. "3"): the write is refused (412) if the '
            "record moved on since.",
        ),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match.strip())
    version = int(match.group(1) or match.group(2)) if match else 0
    if not 1 <= version <= MAX_VERSION:
        raise ApiError(
            400,
            "if-match-malformed",
            f'If-Match must be one ETag as returned by the API, like "3" (got {if_match!r})',
            field="If-Match",
        )
    return version


ExpectedVersionDep = Annotated[int | None, Depends(get_expected_version)]


def get_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="A unique key per intended write: retrying with the same key gives "
            "back the first response and records nothing more.",
        ),
    ] = None,
) -> str | None:
    if idempotency_key is None:
        return None
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH or not _VISIBLE_ASCII.match(
        idempotency_key
    ):
        raise ApiError(
            400,
            "idempotency-key-malformed",
            f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters",
            field="Idempotency-Key",
        )
    return idempotency_key


IdempotencyKeyDep = Annotated[str | None, Depends(get_idempotency_key)]


def get_write(
    request: Request,
    lab: LabDep,
    caller: WriterDep,
    expected_version: ExpectedVersionDep,
    idempotency_key: IdempotencyKeyDep,
) -> Write:
    return Write(
        lab=lab,
        caller=caller,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        method=request.method,
        path=request.url.path,
    )


WriteDep = Annotated[Write, Depends(get_write)]


def page_request(
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0,
) -> PageRequest:
    """A list's page: ``limit`` items from ``offset``."""
    return PageRequest(limit=limit, offset=offset)


PageDep = Annotated[PageRequest, Depends(page_request)]
