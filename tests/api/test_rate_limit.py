"""Per-lab fairness: a key, or a lab's keys together, beyond their rate get 429 with
Retry-After, and another lab's requests go on being answered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import is_public
from domain.access.api_key import Role
from infrastructure.settings import Settings
from tests.api.conftest import API, assert_problem, bearer, issue_key


@pytest.fixture
def limited(settings: Settings, today: date) -> Iterator[TestClient]:
    limited = settings.model_copy(
        update={"rate_limit_per_key": "3/minute", "rate_limit_per_lab": "5/minute"}
    )
    with TestClient(create_app(limited, clock=lambda: today)) as client:
        yield client


def as_key(client: TestClient, lab: str) -> TestClient:
    other = TestClient(client.app)
    other.headers.update(bearer(issue_key(client, Role.STAFF, lab=lab)))
    return other


def test_a_key_and_a_lab_beyond_their_rate_get_429_and_other_labs_do_not(
    limited: TestClient,
) -> None:
    first, second, outsider = (as_key(limited, lab) for lab in ("flood", "flood", "quiet"))
    for _ in range(3):
        assert first.get(f"{API}/organizations").status_code == 200
    refused = first.get(f"{API}/organizations")
    problem = assert_problem(refused, 429, "rate-limited")
    assert "key" in problem["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60

    # The lab's other key has its own key budget, but the lab's is shared: 5 in all.
    assert second.get(f"{API}/organizations").status_code == 200
    assert second.get(f"{API}/organizations").status_code == 200
    refused = second.get(f"{API}/organizations")
    assert "lab" in assert_problem(refused, 429, "rate-limited")["detail"]

    # Another lab is not slowed down by the flood.
    for _ in range(3):
        assert outsider.get(f"{API}/organizations").status_code == 200


def test_the_spec_documents_429_on_every_authenticated_operation(limited: TestClient) -> None:
    paths = limited.get("/openapi.json").json()["paths"]
    assert all(
        "429" in op["responses"]
        for p, ops in paths.items()
        if p.startswith(API) and not is_public(p)
        for op in ops.values()
    )
