"""Dependencies of the routes, as ``Annotated`` aliases: the application, who is asking,
and what a write's headers say (``X-Actor``, ``If-Match``, ``Idempotency-Key``)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from api.problems import ApiError
from api.schemas.common import MAX_VERSION
from api.writes import Write
from application.context import Caller
from application.lab import PartnerLab
from partnerlab.bootstrap import Runtime

ANONYMOUS = "anonymous"
MAX_ACTOR_LENGTH = 200
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


def get_reader(runtime: RuntimeDep) -> Caller:
    """Reads need no name until authentication exists."""
    return Caller(lab=runtime.settings.default_lab, actor=ANONYMOUS)


ReaderDep = Annotated[Caller, Depends(get_reader)]

# Who may call what, by role (see docs/API.md). Until API keys exist these are plain readers;
# authentication turns each into a key-and-role check without touching the routes.
ReportReaderDep = ReaderDep
"""Reports and the dashboard (viewer, staff, auditor, admin)."""
AuditReaderDep = ReaderDep
"""The audit log, chain verification and exports (auditor, admin)."""


def get_writer(
    runtime: RuntimeDep,
    x_actor: Annotated[
        str | None,
        Header(
            alias="X-Actor",
            description="Who records this write (required until authentication exists).",
        ),
    ] = None,
) -> Caller:
    actor = (x_actor or "").strip()
    if not actor:
        raise ApiError(
            400, "actor-required", "the X-Actor header must name who records this", field="X-Actor"
        )
    if len(actor) > MAX_ACTOR_LENGTH or not actor.isprintable():
        raise ApiError(
            400,
            "actor-invalid",
            f"the X-Actor header must be printable and at most {MAX_ACTOR_LENGTH} characters",
            field="X-Actor",
        )
    return Caller(lab=runtime.settings.default_lab, actor=actor)


WriterDep = Annotated[Caller, Depends(get_writer)]


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
