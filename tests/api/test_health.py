"""Liveness and readiness probes, at the root of the server."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from application.errors import StoreUnavailable
from tests.api.conftest import assert_problem


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_answers_ready_when_the_store_answers(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_answers_503_with_retry_after_when_the_store_is_down(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down() -> None:
        raise StoreUnavailable("the event store is unavailable: connection refused")

    monkeypatch.setattr(client.app.state.runtime.app.read_models, "check_ready", down)  # type: ignore[attr-defined]

    response = client.get("/readyz")

    assert_problem(response, 503, "store-unavailable")
    assert response.headers["Retry-After"].isdigit()


def test_health_checks_are_not_under_the_api_prefix(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/healthz"), 404, "route-not-found")


def test_openapi_documents_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert "/api/v1/partnerships/{partnership_id}/co-construction/progress" in paths
    assert "/api/v1/organizations/{organization_id}/archive" in paths
    assert all(
        operation.get("summary") and operation.get("description")
        for path in paths.values()
        for operation in path.values()
    )
    assert client.get("/docs").status_code == 200
