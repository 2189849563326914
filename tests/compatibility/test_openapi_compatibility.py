"""The OpenAPI document keeps every promise it made before the reshape by context.

``tests/fixtures/openapi_before_reshape.json`` was written by the code before the move. The
reshape changed nothing but descriptions; later work may add paths, parameters, responses and
optional fields, but never take one away or change its type: integrations keep working.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api.app import create_app
from infrastructure.settings import Settings

BEFORE = Path(__file__).parent.parent / "fixtures" / "openapi_before_reshape.json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _current(tmp_path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = create_app(Settings(sqlite_path=tmp_path / "spec.sqlite3")).openapi()
    return json.loads(json.dumps(spec))


def _broken_promises(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    broken: list[str] = []
    for path, operations in before["paths"].items():
        if path not in now["paths"]:
            broken.append(f"path {path} removed")
            continue
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            current = now["paths"][path].get(method)
            if current is None:
                broken.append(f"{method.upper()} {path} removed")
                continue
            names = {(p["name"], p["in"]) for p in current.get("parameters", [])}
            for parameter in operation.get("parameters", []):
                if (parameter["name"], parameter["in"]) not in names:
                    broken.append(f"{method.upper()} {path}: parameter {parameter['name']} gone")
            for status in operation.get("responses", {}):
                if status not in current.get("responses", {}):
                    broken.append(f"{method.upper()} {path}: response {status} gone")
            if ("requestBody" in operation) != ("requestBody" in current):
                broken.append(f"{method.upper()} {path}: request body changed")
    schemas_now = now["components"]["schemas"]
    for name, schema in before["components"]["schemas"].items():
        if name not in schemas_now:
            broken.append(f"schema {name} removed")
            continue
        properties_now = schemas_now[name].get("properties", {})
        for field, definition in schema.get("properties", {}).items():
            if field not in properties_now:
                broken.append(f"schema {name}: property {field} removed")
            elif definition.get("type") != properties_now[field].get("type"):
                broken.append(f"schema {name}: property {field} changed type")
        newly_required = set(schemas_now[name].get("required", [])) - set(
            schema.get("required", [])
        )
        if newly_required and name.endswith(("Create", "Update")):
            broken.append(f"schema {name}: {sorted(newly_required)} now required")
    return broken


def test_every_path_parameter_response_and_field_of_before_is_still_there(
    tmp_path: Path,
) -> None:
    before = json.loads(BEFORE.read_text())

    assert _broken_promises(before, _current(tmp_path)) == []


def test_the_comparison_sees_a_removed_field(tmp_path: Path) -> None:
    before = json.loads(BEFORE.read_text())
    now = _current(tmp_path)
    del now["components"]["schemas"]["OrganizationPublic"]["properties"]["name"]
    del now["paths"]["/api/v1/organizations"]["post"]

    assert _broken_promises(before, now) == [
        "POST /api/v1/organizations removed",
        "schema OrganizationPublic: property name removed",
    ]
