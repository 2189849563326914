"""The OpenAPI document as the API really answers: keys required, and every error a problem.

FastAPI documents its automatic 422 as ``application/json`` (``HTTPValidationError``) and a
``responses=`` model under ``application/json`` too, while every error leaves through
``api/problems.py`` as ``application/problem+json``. Clients and schema-driven tests
(schemathesis) read the document, so it is corrected once here, for every route, including
routes added later:
- every 4xx/5xx answer is documented as a ``Problem`` in ``application/problem+json``;
- every operation but the health probes may answer 401 (no valid key), 429 (the key's or
  the lab's rate limit reached) and, when it checks a role (it declares the bearer scheme),
  403;
- every operation may answer 503 (the database is unreachable), and one that takes a body
  400 (unreadable) and 413 (over the size limit).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from api.fields import Problem
from api.problems import PROBLEM_MEDIA_TYPE

PROBLEM_REF = "#/components/schemas/Problem"


def problem_response(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    }


def as_served(schema: dict[str, Any], is_public: Callable[[str], bool]) -> dict[str, Any]:
    """Correct a generated document in place (see the module's docstring); returns it."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in schemas:
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                if code[:1] in ("4", "5"):
                    response["content"] = problem_response(int(code))["content"]
            if is_public(path):
                continue
            responses.setdefault("401", problem_response(401))
            responses.setdefault("429", problem_response(429))
            if operation.get("security"):
                responses.setdefault("403", problem_response(403))
            responses.setdefault("503", problem_response(503))
            if "requestBody" in operation:
                responses.setdefault("400", problem_response(400))
                responses.setdefault("413", problem_response(413))
    return schema


def install(app: FastAPI, is_public: Callable[[str], bool]) -> None:
    """Serve the corrected document at ``/openapi.json`` (generated once, as before)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        return as_served(generate(), is_public)

    app.openapi = openapi  # type: ignore[method-assign]
