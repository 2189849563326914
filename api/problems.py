"""The one place where errors become ``application/problem+json`` responses (RFC 9457).

Every problem carries ``type``, ``title``, ``status`` and ``detail``, plus ``rule`` (the stable
name of the rule that refused the request) and ``field`` (the input at fault, when one is).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from api.fields import Problem
from application.errors import (
    ApplicationError,
    CannotProve,
    ConcurrentWrite,
    Conflict,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    NotFound,
    StoreUnavailable,
    VersionMismatch,
)
from domain.errors import DomainError, InvalidValue, LifecycleViolation

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = "5"

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A request refused by the HTTP layer itself (a missing or malformed header...)."""

    def __init__(self, status: int, rule: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.rule = rule
        self.message = message
        self.field = field


class ProblemResponse(Response):
    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        # A lone surrogate echoed from the input becomes a JSON \uXXXX escape, not a crash.
        return text.encode("utf-8", errors="backslashreplace")


# (status, title) per application error; checked in order, so subclasses come first.
_APPLICATION_STATUS: Sequence[tuple[type[ApplicationError], int, str]] = (
    (NotFound, 404, "Not found"),
    (VersionMismatch, 412, "Version no longer current"),
    (ConcurrentWrite, 409, "Concurrent write"),
    (Conflict, 409, "Conflict"),
    (IdempotencyKeyReused, 422, "Idempotency-Key reused"),
    (IdempotencyKeyInFlight, 409, "Idempotency-Key in flight"),
    (StoreUnavailable, 503, "Store unavailable"),
    (CannotProve, 422, "Cannot prove"),
)

_HTTP_RULES: Mapping[int, str] = {
    400: "body-unreadable",
    404: "route-not-found",
    405: "method-not-allowed",
    413: "body-too-large",
}

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_SOURCES = ("body", "query", "path", "header", "cookie")


def problem(
    status: int,
    rule: str,
    detail: str,
    *,
    field: str | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    """Build a problem response; ``type`` names the rule so clients can branch on it."""
    body: dict[str, Any] = {
        "type": f"urn:partnerlab:problem:{rule}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "rule": rule,
        "field": field,
        **extensions,
    }
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


StoreErrorTranslator = Callable[[BaseException], ApplicationError | None]


def _translate_nothing(_error: BaseException) -> ApplicationError | None:
    return None


class _StoreErrors:
    """The store's errors as the composition root described them (``install_problem_handlers``):
    the API layer itself names no database driver."""

    handled: tuple[type[BaseException], ...] = ()
    translate: StoreErrorTranslator = staticmethod(_translate_nothing)


class StoreErrorsLike(Protocol):
    @property
    def handled(self) -> tuple[type[BaseException], ...]: ...

    @property
    def translate(self) -> StoreErrorTranslator: ...


def use_store_errors(store_errors: StoreErrorsLike) -> None:
    _StoreErrors.handled = store_errors.handled
    _StoreErrors.translate = staticmethod(store_errors.translate)


def response_for(error: Exception) -> ProblemResponse:
    """The problem response for any exception; unexpected ones are a 500 (and logged)."""
    if isinstance(error, DomainError):
        return _domain_problem(error)
    if isinstance(error, ApplicationError):
        return _application_problem(error)
    if isinstance(error, ApiError):
        return problem(error.status, error.rule, error.message, field=error.field)
    if isinstance(error, RequestValidationError):
        return _validation_problem(error)
    if isinstance(error, HTTPException):
        return _http_problem(error)
    translated = _StoreErrors.translate(error)
    if translated is not None:
        logger.warning("database unavailable: %s", error)
        return _application_problem(translated)
    logger.exception("unexpected error", exc_info=error)
    return problem(500, "internal-error", "an unexpected error occurred; nothing was recorded")


def _domain_problem(error: DomainError) -> ProblemResponse:
    # What a rule names beside its message (the record holding an identifier...).
    extensions: dict[str, Any] = dict(getattr(error, "extensions", None) or {})
    if isinstance(error, InvalidValue):
        return problem(
            422, error.rule, error.message, field=error.field, title="Invalid value", **extensions
        )
    if isinstance(error, LifecycleViolation):
        return problem(
            409,
            error.rule,
            error.message,
            field=error.field,
            title="Lifecycle rule violated",
            **extensions,
        )
    return problem(422, error.rule, error.message, field=error.field, title="Rule violated")


def _application_problem(error: ApplicationError) -> ProblemResponse:
    status, title = next(
        ((status, title) for cls, status, title in _APPLICATION_STATUS if isinstance(error, cls)),
        (400, "Request refused"),
    )
    extensions: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, VersionMismatch):
        extensions["field"] = "If-Match"
        if error.current_version is not None:
            extensions["current_version"] = error.current_version
    if isinstance(error, StoreUnavailable):
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    field = extensions.pop("field", error.field)
    return problem(
        status, error.rule, error.message, field=field, title=title, headers=headers, **extensions
    )


def _validation_problem(error: RequestValidationError) -> ProblemResponse:
    errors = [_invalid_field(e) for e in error.errors()]
    first = errors[0] if errors else {"field": None, "message": "the request is invalid"}
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    field = first["field"]
    detail = f"{field}: {first['message']}{more}" if field else f"{first['message']}{more}"
    return problem(
        422,
        "request-validation",
        detail,
        field=field,
        title="Invalid request",
        errors=errors,
    )


def _invalid_field(error: Mapping[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
    source = loc[0] if loc and loc[0] in _SOURCES else None
    path = loc[1:] if source is not None else loc
    if error.get("type") == "json_invalid":
        path = []  # the location is a character offset, not a field
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if error.get("type") == "json_invalid" and isinstance(error.get("ctx"), Mapping):
        message = f"the body is not valid JSON: {error['ctx'].get('error', message)}"
    if error.get("type") == "missing" and source == "body" and not path:
        message = "a JSON body is required"
    return {
        "field": ".".join(path) or source,
        "in": source,
        "message": message,
        "type": str(error.get("type", "invalid")),
    }


def _http_problem(error: HTTPException) -> ProblemResponse:
    rule = _HTTP_RULES.get(error.status_code, "http-error")
    headers = dict(error.headers or {})
    if error.status_code == 404:
        detail = "no such route; the API lives under /api/v1 (see /docs)"
    elif error.status_code == 400:
        detail = "the body could not be read as JSON (too deeply nested, or a number too long?)"
    else:
        detail = str(error.detail)
    return problem(error.status_code, rule, detail, headers=headers)


async def _handle(request: Request, error: Exception) -> Response:
    response = response_for(error)
    if response.status_code == 405:
        # Starlette names only the first matching route's methods.
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


def install_problem_handlers(app: FastAPI, store_errors: StoreErrorsLike | None = None) -> None:
    """Route every error, expected or not, through ``response_for``; ``store_errors`` (from
    the composition root) names the store's errors and translates them."""
    if store_errors is not None:
        use_store_errors(store_errors)
    for error_type in (
        DomainError,
        ApplicationError,
        ApiError,
        RequestValidationError,
        HTTPException,
        *_StoreErrors.handled,
        Exception,
    ):
        app.add_exception_handler(error_type, _handle)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problems a route may answer."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }
