"""Every operation of the OpenAPI document written before the reshape keeps its name, summary,
request schema and answers: routes declared as rows (``api/commands.py``) say what the
hand-written functions said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from infrastructure.settings import Settings

BEFORE = Path(__file__).parent.parent / "fixtures" / "openapi_before_reshape.json"
KEPT = ("operationId", "summary", "requestBody")


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each operation's name, summary, request body and answers (status -> content)."""
    return {
        (method.upper(), path): {
            **{key: operation.get(key) for key in KEPT},
            "responses": {
                status: answer.get("content")
                for status, answer in operation.get("responses", {}).items()
            },
        }
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }


@pytest.fixture(scope="module")
def now(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    settings = Settings(sqlite_path=tmp_path_factory.mktemp("spec") / "spec.sqlite3")
    return operations(json.loads(json.dumps(create_app(settings).openapi())))


def test_every_operation_keeps_its_name_summary_body_and_answers(
    now: dict[tuple[str, str], dict[str, Any]],
) -> None:
    before = operations(json.loads(BEFORE.read_text()))

    changed = {
        key: (was, now.get(key)) for key, was in before.items() if not kept(was, now.get(key))
    }

    assert changed == {}


def kept(was: dict[str, Any], now: dict[str, Any] | None) -> bool:
    """The same name, summary and request body, and every answer it had with the same content
    (later issues may add answers: 429 for rate limits, 503 for a stopped read model...)."""
    if now is None or any(was[key] != now[key] for key in KEPT):
        return False
    return all(
        now["responses"].get(status) == content for status, content in was["responses"].items()
    )


def test_each_milestone_keeps_its_own_request_schema(
    now: dict[tuple[str, str], dict[str, Any]],
) -> None:
    schemas = {
        path.rsplit("}", 1)[1]: operation["requestBody"]["content"]["application/json"]["schema"][
            "$ref"
        ].rsplit("/", 1)[1]
        for (method, path), operation in now.items()
        if method == "POST" and path.startswith("/api/v1/partnerships/{partnership_id}/")
    }

    assert (
        schemas.items()
        >= {
            "/meetings": "MeetingCreate",
            "/ideas": "IdeaCreate",
            "/co-construction": "CoConstructionCreate",
            "/co-construction/progress": "ProgressCreate",
            "/contract": "ContractCreate",
            "/evaluations": "EvaluationCreate",
            "/renewals": "RenewalCreate",
            "/abandonment": "AbandonmentCreate",
            "/corrections": "CorrectionCreate",
        }.items()
    )
    assert now["POST", "/api/v1/partnerships/{partnership_id}/ideas"]["responses"]["201"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/IdeaWritten"}}
    }
