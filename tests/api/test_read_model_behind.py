"""A read whose own read model is behind the log answers 503 with Retry-After (never stale
figures), and answers again once the read model has caught up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.settings import Settings
from tests.api.conftest import API, assert_problem, authorized, register


@pytest.fixture
def paused(settings: Settings, today: date) -> Iterator[TestClient]:
    """The API with its read models not followed (as if the projector had stopped), and a
    short wait before a read gives up."""
    still = settings.model_copy(update={"projections_in_process": False, "read_wait_seconds": 0.3})
    with TestClient(create_app(still, clock=lambda: today)) as client:
        yield authorized(client)


def test_a_read_of_a_read_model_behind_the_log_is_503_with_retry_after(
    paused: TestClient,
) -> None:
    runtime = paused.app.state.runtime  # type: ignore[attr-defined]
    runtime.followers.catch_up()  # the key the client signs in with is listed
    register(paused, "association", "Banque alimentaire du Bas-Rhin")

    behind = paused.get(f"{API}/organizations")

    assert_problem(behind, 503, "projections-behind")
    assert behind.headers["Retry-After"].isdigit()
    runtime.followers.catch_up()
    caught_up = paused.get(f"{API}/organizations")
    assert caught_up.status_code == 200
    assert [o["name"] for o in caught_up.json()["items"]] == ["Banque alimentaire du Bas-Rhin"]
