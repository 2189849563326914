"""How every write runs: one command, its presentation, and idempotent retries.

With an ``Idempotency-Key``, the key is claimed with a fingerprint of the request
(sha256 of method, path and canonical body). A key already completed gives back the stored
response verbatim (``Idempotent-Replayed: true``) and records nothing; otherwise the command
runs, and its response is stored for 2xx and 4xx outcomes or the key released on 5xx and
unexpected errors, so that a retry can run again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel
from starlette.responses import Response

from api.problems import ApiError, response_for
from application.context import Caller
from application.errors import ApplicationError
from application.idempotency import StoredResponse
from application.lab import PartnerLab
from application.results import CommandResult
from domain.errors import DomainError

Command = Callable[[PartnerLab, Caller, int | None], CommandResult]
"""Calls one ``PartnerLab`` command with the caller and the expected version (If-Match)."""

Presenter = Callable[[PartnerLab, Caller, CommandResult], Response]
"""Turns a command's result into the HTTP response (body, status, ETag, Location)."""

REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("content-type", "etag", "location", "retry-after")
_REFUSALS = (DomainError, ApplicationError, ApiError)


def fingerprint(method: str, path: str, body: BaseModel | None) -> str:
    """Two requests are the same request when method, path and validated body are equal."""
    canonical = (
        json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        if body is not None
        else ""
    )
    return hashlib.sha256(f"{method}\n{path}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Write:
    """A write request, once its headers are read: who, on which version, with which key."""

    lab: PartnerLab
    caller: Caller
    expected_version: int | None
    idempotency_key: str | None
    method: str
    path: str

    def run(self, body: BaseModel | None, command: Command, present: Presenter) -> Response:
        key = self.idempotency_key
        if key is None:
            return present(self.lab, self.caller, self._record(command))
        reservation = self.lab.idempotency.claim_idempotency_key(
            self.caller, key, fingerprint(self.method, self.path, body)
        )
        if reservation.stored is not None:
            return replay(reservation.stored)
        try:
            result = self._record(command)
        except _REFUSALS as refusal:
            return self._settle(key, response_for(refusal))
        except BaseException:
            self.lab.idempotency.release_idempotency_key(self.caller, key)
            raise
        # The write is recorded: the key is no longer released, so that a retry cannot record
        # it twice (should presenting fail, the key stays claimed until the store frees it).
        response = present(self.lab, self.caller, result)
        self.lab.idempotency.complete_idempotency_key(self.caller, key, stored(response))
        return response

    def _record(self, command: Command) -> CommandResult:
        return command(self.lab, self.caller, self.expected_version)

    def _settle(self, key: str, response: Response) -> Response:
        """Keep a refusal for replay, but free the key after a 5xx so a retry runs again."""
        if response.status_code >= 500:
            self.lab.idempotency.release_idempotency_key(self.caller, key)
        else:
            self.lab.idempotency.complete_idempotency_key(self.caller, key, stored(response))
        return response


def stored(response: Response) -> StoredResponse:
    headers = {k: v for k, v in response.headers.items() if k in _KEPT_HEADERS}
    return StoredResponse(
        status_code=response.status_code, body=bytes(response.body), headers=headers
    )


def replay(response: StoredResponse) -> Response:
    return Response(
        content=response.body,
        status_code=response.status_code,
        headers={**response.headers, REPLAYED_HEADER: "true"},
    )
